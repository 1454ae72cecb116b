//! Verilator co-simulation of the FOLDED elm core (`rtl_gen::elm_folded`:
//! one ternary accumulator walking the weights in block RAM instead of the
//! systolic array, `--architecture folded`) against the golden model, every
//! step's readout and memory and the flags: every shared `elm_*` reference
//! vector with its samples and random ones, random configurations, and
//! elm-digits test images, each with and without random input gaps and
//! output back-pressure; two planted faults in the synapse stage (the
//! subtraction loses its carry-in; the walk ends a branch one input early)
//! that must be caught and named; and the timing model
//! (`elm_folded::{step_latency, cycles_per_step}`) against Verilator's
//! cycle stamps. Fails under `CI` when Verilator is missing.

mod common;
use common::elm::{lanes, random_layer, shared_elm_cases, simulate, write_rtl};
use common::{builder, Rng};

use cosim::run::{self, Divergence, Outcome};
use cosim::samples::{random_samples, SampleSpec};
use cosim::verilator::{Builder, Opt};
use golden_model::{Case, LaneVec, LayerConfig};
use rtl_gen::arch::Architecture;
use std::path::{Path, PathBuf};

fn folded(cfg: &LayerConfig, label: &str) -> PathBuf {
    write_rtl(cfg, &Architecture::FoldedElm, label)
}

fn both_ways(b: &Builder, cfg: &LayerConfig, rtl: &Path, samples: &[Vec<LaneVec>], label: &str) {
    for stall in [false, true] {
        let o = simulate(b, cfg, rtl, samples, stall, 11);
        assert!(
            matches!(o, Outcome::Match { .. }),
            "{label} ({}x{} branches, T = {}) stall {stall}: {o:?}",
            cfg.inputs,
            cfg.branches(),
            cfg.timesteps
        );
    }
}

#[test]
fn every_shared_elm_vector_folded_with_and_without_stalls() {
    let Some(b) = builder() else { return };
    let cases = shared_elm_cases();
    assert!(cases.len() >= 8, "the shared elm vectors");
    for (i, (name, case)) in cases.into_iter().enumerate() {
        let cfg = case.layer.clone();
        let mut samples = lanes(case.samples);
        let spec = SampleSpec {
            seed: 60 + i as u64,
            zero_percent: 40,
            illegal_percent: 3,
            extremes: true,
        };
        samples.extend(random_samples(cfg.inputs, cfg.timesteps, 6, spec));
        let rtl = folded(&cfg, &name);
        both_ways(&b, &cfg, &rtl, &samples, &name);
        let _ = std::fs::remove_dir_all(&rtl);
    }
}

#[test]
fn random_configurations_folded_with_and_without_stalls() {
    let Some(b) = builder() else { return };
    let mut rng = Rng(0xF01D_E1E1);
    for i in 0..8u64 {
        let cfg = random_layer(&mut rng);
        let spec = SampleSpec {
            seed: 300 + i,
            zero_percent: 30,
            illegal_percent: 2,
            extremes: true,
        };
        let samples = random_samples(cfg.inputs, cfg.timesteps, 10, spec);
        let label = format!("random-{i}");
        let rtl = folded(&cfg, &label);
        both_ways(&b, &cfg, &rtl, &samples, &label);
        let _ = std::fs::remove_dir_all(&rtl);
    }
}

fn digits() -> Case {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/elm-digits/test_case.json");
    Case::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The trained elm-digits model on 24 of its test images.
#[test]
fn elm_digits_samples_folded_with_and_without_stalls() {
    let Some(b) = builder() else { return };
    let case = digits();
    let cfg = case.layer.clone();
    let samples: Vec<Vec<LaneVec>> = lanes(case.samples).into_iter().take(24).collect();
    let rtl = folded(&cfg, "digits");
    both_ways(&b, &cfg, &rtl, &samples, "elm-digits");
    let _ = std::fs::remove_dir_all(&rtl);
}

/// Replaces the one line of `snn_elm_synapses.v` that starts with `from`
/// (trimmed) by `to`; panics if the fault site is gone.
fn plant(rtl: &Path, from: &str, to: &str) {
    let f = rtl.join("snn_elm_synapses.v");
    let text = std::fs::read_to_string(&f).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(from))
        .unwrap_or_else(|| panic!("fault site {from:?} in snn_elm_synapses.v"));
    let indent = &line[..line.len() - line.trim_start().len()];
    std::fs::write(&f, text.replacen(line, &format!("{indent}{to}"), 1)).unwrap();
}

fn expect_caught(b: &Builder, cfg: &LayerConfig, rtl: &Path, samples: &[Vec<LaneVec>], what: &str) {
    match simulate(b, cfg, rtl, samples, false, 1) {
        Outcome::Diverged(d @ Divergence { .. }) => {
            assert!(
                d.field == "readout" || d.field == "memory",
                "{what}: the fault shows in the readout or memory: {d}"
            );
            let msg = d.to_string();
            let neuron = d.neuron.expect("a readout or memory index");
            assert!(
                msg.contains(&format!("sample {}, step {}", d.sample, d.step))
                    && msg.contains(&format!("neuron {neuron}"))
                    && msg.contains(&format!("field {}", d.field)),
                "{msg}"
            );
            eprintln!("planted fault ({what}) caught: {msg}");
        }
        o => panic!("{what}: the planted fault was not caught: {o:?}"),
    }
}

/// Two faults planted in the synapse stage's Verilog must be reported as
/// divergences naming sample, step, neuron and field: the subtraction
/// loses its carry-in (`-w` becomes `~w`), and the walk closes each branch
/// one input early (an off-by-one in `wi_last`).
#[test]
fn planted_synapse_faults_are_caught_and_named() {
    let Some(b) = builder() else { return };
    let case = digits();
    let cfg = case.layer.clone();
    // Digit images leave the last input lane at 0 (the walk fault would
    // hide there); random samples drive every lane.
    let mut samples: Vec<Vec<LaneVec>> = lanes(case.samples).into_iter().take(2).collect();
    let spec = SampleSpec {
        seed: 77,
        zero_percent: 30,
        illegal_percent: 0,
        extremes: true,
    };
    samples.extend(random_samples(cfg.inputs, cfg.timesteps, 4, spec));
    let rtl = folded(&cfg, "fault");
    assert!(
        matches!(
            simulate(&b, &cfg, &rtl, &samples, false, 1),
            Outcome::Match { .. }
        ),
        "the unmodified design matches"
    );
    plant(
        &rtl,
        "assign sum = ",
        "assign sum = {acc, p1_lane[1]} + {addend, 1'b0};",
    );
    expect_caught(&b, &cfg, &rtl, &samples, "subtract without carry-in");
    let _ = std::fs::remove_dir_all(&rtl);

    let rtl = folded(&cfg, "fault-walk");
    let rw = rtl_gen::cfg_map::CfgMap::of(&cfg).row_bits;
    plant(
        &rtl,
        "assign wi_last = ",
        &format!("assign wi_last = wi == {rw}'d{};", cfg.inputs - 2),
    );
    expect_caught(&b, &cfg, &rtl, &samples, "walk off by one");
    let _ = std::fs::remove_dir_all(&rtl);
}

/// The timing model against Verilator at full rate: consecutive outputs
/// are `cycles_per_step` apart, and the first output comes `step_latency`
/// after the first input, measured from the same origin as the array elm
/// core's (`elm_core::step_latency`), for the elm-digits layer (the unit's
/// program is the longer) and for shapes where the synapse pass is.
#[test]
fn folded_timing_model_matches_verilator() {
    let Some(b) = builder() else { return };
    let mut layers = vec![("elm-digits".to_string(), digits().layer)];
    let mut rng = Rng(0x7E5_7E5);
    for i in 0..4 {
        layers.push((format!("random-{i}"), random_layer(&mut rng)));
    }
    let mut pass_longer = 0;
    for (name, cfg) in &layers {
        let spec = SampleSpec {
            seed: 9,
            zero_percent: 30,
            illegal_percent: 0,
            extremes: true,
        };
        let samples = random_samples(cfg.inputs, cfg.timesteps, 3, spec);
        let stamps = |arch: &Architecture| -> Vec<u64> {
            let rtl = write_rtl(cfg, arch, &format!("timing-{name}"));
            let lib = b.build(&rtl, false, Opt::Rtl).unwrap();
            let mut sim = run::open(&lib, None).unwrap();
            let recs = cosim::elm::records(sim.pin_mut(), cfg, &samples).unwrap();
            let _ = std::fs::remove_dir_all(&rtl);
            assert_eq!(recs.len(), 3 * cfg.timesteps, "{name}: every output");
            recs.iter().map(|r| r.cycle).collect()
        };
        let (array, fold) = (
            stamps(&Architecture::Unrolled),
            stamps(&Architecture::FoldedElm),
        );
        let origin = array[0] - rtl_gen::elm_core::step_latency(cfg) as u64;
        assert_eq!(
            fold[0] - origin,
            rtl_gen::elm_folded::step_latency(cfg) as u64,
            "{name}: first output (step_latency)"
        );
        let cps = rtl_gen::elm_folded::cycles_per_step(cfg) as u64;
        for (k, w) in fold.windows(2).enumerate() {
            assert_eq!(w[1] - w[0], cps, "{name}: output {} to {}", k, k + 1);
        }
        if rtl_gen::elm_folded::synapse_cycles(cfg) + 1
            > rtl_gen::elm::ElmDims::of(cfg).cycles_per_step()
        {
            pass_longer += 1;
        }
        eprintln!(
            "{name}: {}x{} branches, T = {}: {cps} cycles per step (folded), {} (array); first output {} after the first input",
            cfg.inputs,
            cfg.branches(),
            cfg.timesteps,
            array.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0),
            fold[0] - origin
        );
    }
    assert!(
        pass_longer > 0,
        "some shape whose synapse pass is the longer"
    );
}
