//! Verilator co-simulation of generated cores against the golden model:
//! every neuron kind x shapes 1x1, 3x5, 16x16 x T in 1, 4, 8, with extreme
//! weights, exact threshold ties, the illegal lane code and back-pressure; a
//! bounded property test over random configs; a planted fault that must be
//! caught; and Yosys's synthesized netlist, which must also match.
//! Fails under `CI` when Verilator is missing.

mod common;
use common::{builder, Rng};

use cosim::run::{self, Divergence, Outcome};
use cosim::samples::{random_samples, SampleSpec};
use cosim::verilator::{Builder, Opt};
use golden_model::LayerConfig;
use proptest::prelude::*;
use serde_json::{json, Value};
use snn_tools::Tool;
use std::path::{Path, PathBuf};

fn write_rtl(cfg: &LayerConfig, label: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-vl-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    rtl_gen::generate(cfg).write(&d).unwrap();
    d
}

fn simulate(
    b: &Builder,
    cfg: &LayerConfig,
    rtl: &Path,
    n: usize,
    stall: bool,
    seed: u64,
) -> Outcome {
    simulate_opt(b, cfg, rtl, n, stall, seed, Opt::Rtl)
}

fn simulate_opt(
    b: &Builder,
    cfg: &LayerConfig,
    rtl: &Path,
    n: usize,
    stall: bool,
    seed: u64,
    opt: Opt,
) -> Outcome {
    let lib = b.build(rtl, false, opt).unwrap();
    let mut sim = run::open(&lib, None).unwrap();
    let spec = SampleSpec {
        seed,
        zero_percent: 40,
        illegal_percent: 3,
        extremes: true,
    };
    let s = random_samples(cfg.inputs, cfg.timesteps, n, spec);
    run::cosim(sim.pin_mut(), cfg, &s, stall, seed).unwrap()
}

/// A neuron of `kind` for T steps; `tie` picks small parameters that make
/// exact threshold ties frequent.
fn neuron(kind: &str, t: usize, rng: &mut Rng) -> Value {
    let p: Vec<Vec<i64>> = (0..t)
        .map(|_| (0..t).map(|_| rng.range(-3, 3)).collect())
        .collect();
    let thr: Vec<i64> = (0..t).map(|_| rng.range(-2, 2)).collect();
    let k = if t > 1 { 2 } else { 1 };
    match kind {
        "if" => json!({"kind": "if", "vth": 2}),
        "if_zero" => json!({"kind": "if", "vth": 2, "reset": "zero"}),
        "lif" => json!({"kind": "lif", "vth": 2, "leak_shift": rng.range(1, 3)}),
        "lif_zero" => {
            json!({"kind": "lif", "vth": 3, "leak_shift": rng.range(1, 3), "reset": "zero"})
        }
        "tmn" => json!({"kind": "tmn", "vth": 2}),
        "psn" => json!({"kind": "psn", "weights": p, "thresholds": thr}),
        "masked_psn" => json!({"kind": "masked_psn", "k": k, "weights": p, "thresholds": thr}),
        _ => {
            json!({"kind": "sliding_psn", "k": k + 1, "weights": (0..=k).map(|_| rng.range(-3, 3)).collect::<Vec<_>>(), "threshold": 1})
        }
    }
}

/// Weights: the extremes -2^(b-1) and 2^(b-1)-1 mixed with small values.
fn layer(kind: &str, rows: usize, cols: usize, t: usize, wb: u32, rng: &mut Rng) -> LayerConfig {
    let lim = 1i64 << (wb - 1);
    let w: Vec<Vec<i64>> = (0..cols)
        .map(|_| {
            (0..rows)
                .map(|_| match rng.next() % 4 {
                    0 => -lim,
                    1 => lim - 1,
                    _ => rng.range((-2i64).max(-lim), 2i64.min(lim - 1)),
                })
                .collect()
        })
        .collect();
    let b: Vec<i64> = (0..cols).map(|_| rng.range(-lim, lim - 1)).collect();
    let v = json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
                   "weights": w, "bias": b, "neuron": neuron(kind, t, rng)});
    LayerConfig::from_json(&v, "layer").unwrap()
}

fn matrix_for(kind: &str) {
    let Some(b) = builder() else { return };
    let mut rng = Rng(kind.len() as u64 * 977);
    for (rows, cols) in [(1, 1), (3, 5), (16, 16)] {
        for t in [1, 4, 8] {
            let wb = if rows == 16 { 8 } else { 3 };
            let cfg = layer(kind, rows, cols, t, wb, &mut rng);
            let label = format!("{kind}-{rows}x{cols}-T{t}");
            let rtl = write_rtl(&cfg, &label);
            for stall in [false, true] {
                let o = simulate(&b, &cfg, &rtl, 24, stall, t as u64 + 11);
                assert!(
                    matches!(o, Outcome::Match { .. }),
                    "{label} stall {stall}: {o:?}"
                );
            }
            let _ = std::fs::remove_dir_all(&rtl);
        }
    }
}

#[test]
fn if_matrix() {
    matrix_for("if");
}
#[test]
fn lif_matrix() {
    matrix_for("lif");
}
/// Reset to zero (SPEC section 4's option), on if and lif, with stalls.
#[test]
fn reset_zero_cores() {
    let Some(b) = builder() else { return };
    let mut rng = Rng(4242);
    for (kind, rows, cols, t) in [("if_zero", 3, 5, 4), ("lif_zero", 16, 16, 8)] {
        let cfg = layer(kind, rows, cols, t, 8, &mut rng);
        let label = format!("{kind}-{rows}x{cols}-T{t}");
        let rtl = write_rtl(&cfg, &label);
        for stall in [false, true] {
            let o = simulate(&b, &cfg, &rtl, 24, stall, t as u64 + 3);
            assert!(
                matches!(o, Outcome::Match { .. }),
                "{label} stall {stall}: {o:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&rtl);
    }
}
#[test]
fn tmn_matrix() {
    matrix_for("tmn");
}
#[test]
fn psn_matrix() {
    matrix_for("psn");
}
#[test]
fn masked_psn_matrix() {
    matrix_for("masked_psn");
}
#[test]
fn sliding_psn_matrix() {
    matrix_for("sliding_psn");
}

#[test]
fn forced_narrow_state_overflow_flag_matches() {
    let Some(b) = builder() else { return };
    let mut rng = Rng(5);
    for kind in ["if", "lif", "tmn", "masked_psn"] {
        let mut j = layer(kind, 4, 3, 4, 6, &mut rng).to_json();
        j["state_bits"] = json!(5);
        let cfg = LayerConfig::from_json(&j, "layer").unwrap();
        let rtl = write_rtl(&cfg, &format!("{kind}-narrow"));
        let o = simulate(&b, &cfg, &rtl, 30, true, 9);
        assert!(matches!(o, Outcome::Match { .. }), "{kind}: {o:?}");
    }
}

#[test]
fn planted_fault_is_caught_and_named() {
    let Some(b) = builder() else { return };
    let mut rng = Rng(77);
    let cfg = layer("tmn", 4, 3, 4, 3, &mut rng);
    let rtl = write_rtl(&cfg, "fault");
    assert!(matches!(
        simulate(&b, &cfg, &rtl, 40, false, 1),
        Outcome::Match { .. }
    ));
    let f = rtl.join("snn_tmn.v");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(&f, common::plant_tie_fault(&cfg, &text)).unwrap();
    match simulate(&b, &cfg, &rtl, 40, false, 1) {
        Outcome::Diverged(Divergence {
            field,
            neuron,
            golden,
            rtl: got,
            ..
        }) => {
            assert!(field == "spike" || field == "state", "{field}");
            assert!(neuron.is_some());
            assert_ne!(golden, got);
        }
        o => panic!("the planted fault was masked: {o:?}"),
    }
}

#[test]
fn yosys_netlist_matches_too() {
    let Some(b) = builder() else { return };
    let Some(yosys) = snn_tools::require_for_test(Tool::Yosys) else {
        return;
    };
    let mut rng = Rng(3);
    let cfg = layer("tmn", 3, 5, 4, 4, &mut rng);
    let rtl = write_rtl(&cfg, "netlist-src");
    let net_dir = rtl.with_file_name(format!("snnrtl-vl-{}-netlist", std::process::id()));
    std::fs::create_dir_all(&net_dir).unwrap();
    let files: Vec<String> = ["snn_pe.v", "snn_array.v", "snn_tmn.v", "snn_core.v"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let script = format!(
        "read_verilog {}; synth -flatten -top snn_core; write_verilog -noattr {}",
        files.join(" "),
        net_dir.join("snn_core_netlist.v").display()
    );
    let out = snn_tools::run(&yosys, &["-q".into(), "-p".into(), script], &rtl).unwrap();
    assert!(out.success, "{}", out.text);
    let o = simulate_opt(&b, &cfg, &net_dir, 30, true, 4, Opt::Careful);
    assert!(matches!(o, Outcome::Match { .. }), "netlist: {o:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn random_configs_and_stimuli_match(
        kind in prop::sample::select(vec!["if", "lif", "lif_zero", "tmn", "psn", "masked_psn", "sliding_psn"]),
        rows in 1usize..=6, cols in 1usize..=6, t in 1usize..=6, wb in 2u32..=8,
        seed in any::<u64>(), stall in any::<bool>(),
    ) {
        let Some(b) = builder() else { return Ok(()) };
        let mut rng = Rng(seed);
        let cfg = layer(kind, rows, cols, t, wb, &mut rng);
        let rtl = write_rtl(&cfg, &format!("prop-{seed}"));
        let o = simulate(&b, &cfg, &rtl, 12, stall, seed);
        let _ = std::fs::remove_dir_all(&rtl);
        prop_assert!(matches!(o, Outcome::Match { .. }), "{:?}", o);
    }
}
