//! Verilator co-simulation of the elm core (`snn_elm` under the systolic
//! array, `rtl_gen::elm_core`) against the golden model, every step's
//! readout and memory: every shared `elm_*` reference vector (all have
//! weights) with and without random input gaps and output back-pressure,
//! random configurations with illegal lanes and stalls, samples of the
//! trained elm-digits model, and a planted fault that must be caught and
//! named. Fails under `CI` when Verilator is missing.

mod common;
use common::elm::{lanes, random_layer, shared_elm_cases, simulate, write_rtl};
use common::{builder, Rng};

use cosim::run::{Divergence, Outcome};
use cosim::samples::{random_samples, SampleSpec};
use golden_model::{Case, LaneVec, LayerConfig, Neuron};
use rtl_gen::arch::Architecture;
use std::path::{Path, PathBuf};

fn array_core(cfg: &LayerConfig, label: &str) -> PathBuf {
    write_rtl(cfg, &Architecture::Unrolled, label)
}

#[test]
fn every_shared_elm_vector_with_and_without_stalls() {
    let Some(b) = builder() else { return };
    let cases = shared_elm_cases();
    assert!(cases.len() >= 8, "the shared elm vectors");
    for (i, (name, case)) in cases.into_iter().enumerate() {
        assert!(
            !case.layer.neuron_only(),
            "{name}: every elm case has weights"
        );
        let cfg = case.layer.clone();
        let mut samples = lanes(case.samples);
        // The case's samples, then random ones with illegal lanes.
        let spec = SampleSpec {
            seed: 40 + i as u64,
            zero_percent: 40,
            illegal_percent: 3,
            extremes: true,
        };
        samples.extend(random_samples(cfg.inputs, cfg.timesteps, 6, spec));
        let rtl = array_core(&cfg, &name);
        for stall in [false, true] {
            let o = simulate(&b, &cfg, &rtl, &samples, stall, 7 + i as u64);
            assert!(
                matches!(o, Outcome::Match { .. }),
                "{name} stall {stall}: {o:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&rtl);
    }
}

#[test]
fn random_configurations_with_stalls() {
    let Some(b) = builder() else { return };
    let mut rng = Rng(0xE1E1_5EED);
    for i in 0..8u64 {
        let cfg = random_layer(&mut rng);
        let spec = SampleSpec {
            seed: 100 + i,
            zero_percent: 30,
            illegal_percent: 2,
            extremes: true,
        };
        let samples = random_samples(cfg.inputs, cfg.timesteps, 10, spec);
        let label = format!("random-{i}");
        let rtl = array_core(&cfg, &label);
        let o = simulate(&b, &cfg, &rtl, &samples, true, 200 + i);
        assert!(
            matches!(o, Outcome::Match { .. }),
            "{label} ({}x{} branches, T = {}): {o:?}",
            cfg.inputs,
            cfg.branches(),
            cfg.timesteps
        );
        let _ = std::fs::remove_dir_all(&rtl);
    }
}

/// The trained elm-digits model on 24 of its test images, with stalls.
#[test]
fn elm_digits_samples_with_stalls() {
    let Some(b) = builder() else { return };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/elm-digits/test_case.json");
    let case = Case::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cfg = case.layer.clone();
    let samples: Vec<Vec<LaneVec>> = lanes(case.samples).into_iter().take(24).collect();
    let rtl = array_core(&cfg, "digits");
    let o = simulate(&b, &cfg, &rtl, &samples, true, 5);
    assert!(matches!(o, Outcome::Match { .. }), "elm-digits: {o:?}");
    let _ = std::fs::remove_dir_all(&rtl);
}

/// Corrupting one constant in the generated Verilog (branch 0's trace
/// decays one shift too slowly) must be reported as a divergence that names
/// the sample, step and field.
#[test]
fn planted_fault_is_caught_and_named() {
    let Some(b) = builder() else { return };
    let (name, case) = shared_elm_cases().into_iter().nth(2).unwrap();
    let cfg = case.layer.clone();
    let samples = lanes(case.samples);
    let rtl = array_core(&cfg, "fault");
    assert!(
        matches!(
            simulate(&b, &cfg, &rtl, &samples, false, 1),
            Outcome::Match { .. }
        ),
        "{name}: the unmodified design matches"
    );
    let Neuron::Elm(e) = &cfg.neuron else {
        unreachable!()
    };
    let f = rtl.join("snn_elm.v");
    let text = std::fs::read_to_string(&f).unwrap();
    let from = format!("(q0_prev >>> {})", e.trace_shift);
    let to = format!("(q0_prev >>> {})", e.trace_shift + 1);
    assert!(text.contains(&from), "fault site {from:?} in snn_elm.v");
    std::fs::write(&f, text.replacen(&from, &to, 1)).unwrap();
    match simulate(&b, &cfg, &rtl, &samples, false, 1) {
        Outcome::Diverged(d @ Divergence { .. }) => {
            assert!(
                d.field == "readout" || d.field == "memory",
                "{name}: the fault shows in the readout or memory: {d}"
            );
            let msg = d.to_string();
            assert!(
                msg.contains(&format!("sample {}, step {}", d.sample, d.step))
                    && msg.contains(&format!("field {}", d.field)),
                "{msg}"
            );
            eprintln!("planted fault caught: {msg}");
        }
        o => panic!("{name}: the planted fault was not caught: {o:?}"),
    }
    let _ = std::fs::remove_dir_all(&rtl);
}
