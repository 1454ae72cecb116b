//! Icarus Verilog runs `testbenches/tb_core.v` on generated cores and agrees
//! with the golden model on every output vector (spikes, state, step) and on
//! the sticky flags: one config of each neuron kind, random stimuli with
//! illegal lane codes, with and without back-pressure. Fails under `CI` if
//! Icarus is missing.

mod common;
use common::Rng;

use cosim::samples::{random_samples, SampleSpec};
use golden_model::LayerConfig;
use serde_json::{json, Value};
use snn_tools::Tool;

fn layer(
    rows: usize,
    cols: usize,
    t: usize,
    wb: u32,
    neuron: Value,
    rng: &mut Rng,
    extra: Value,
) -> LayerConfig {
    let lim = 1i64 << (wb - 1);
    let w: Vec<Vec<i64>> = (0..cols)
        .map(|_| (0..rows).map(|_| rng.range(-lim, lim - 1)).collect())
        .collect();
    let b: Vec<i64> = (0..cols).map(|_| rng.range(-lim, lim - 1)).collect();
    let mut v = json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
                       "weights": w, "bias": b, "neuron": neuron});
    if let Value::Object(e) = extra {
        for (k, x) in e {
            v[k] = x;
        }
    }
    LayerConfig::from_json(&v, "layer").unwrap()
}

fn check(label: &str, cfg: &LayerConfig) {
    if snn_tools::require_for_test(Tool::Iverilog).is_none()
        || snn_tools::require_for_test(Tool::Vvp).is_none()
    {
        return;
    }
    let base = std::env::temp_dir().join(format!("snnrtl-icarus-{}-{label}", std::process::id()));
    let design_dir = base.join("rtl");
    rtl_gen::generate(cfg).write(&design_dir).unwrap();
    let spec = SampleSpec {
        seed: 7,
        zero_percent: 30,
        illegal_percent: 3,
        extremes: true,
    };
    let s = random_samples(cfg.inputs, cfg.timesteps, 6, spec);
    let stim = cosim::stimulus::build(cfg, &s);
    for stall in [false, true] {
        let v = cosim::icarus::run(
            cfg,
            &design_dir,
            &base.join(format!("work-{stall}")),
            &stim,
            stall,
        )
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(v.pass, "{label} (stall {stall}): {}", v.log);
        if !stall {
            // One input vector per clock: every output is out within the
            // inputs' count plus the latency (+ 2: configuration hand-over and
            // the final flag check), i.e. no stall between steps or samples.
            let cycles: usize = v
                .log
                .split(", ")
                .nth(1)
                .and_then(|x| x.split(' ').next())
                .unwrap()
                .parse()
                .unwrap();
            let psn_wait = if matches!(cfg.neuron, golden_model::Neuron::Psn { .. }) {
                cfg.timesteps - 1
            } else {
                0
            };
            let bound = stim.n_in + rtl_gen::core::step_latency(cfg) + psn_wait + 2;
            assert!(
                cycles <= bound,
                "{label}: {cycles} cycles for {} inputs, bound {bound}",
                stim.n_in
            );
        }
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn tmn_core_agrees_with_golden_model() {
    let mut r = Rng(1);
    check(
        "tmn",
        &layer(
            5,
            3,
            4,
            8,
            json!({"kind": "tmn", "vth": 64}),
            &mut r,
            json!({}),
        ),
    );
}

#[test]
fn if_core_agrees_with_golden_model() {
    let mut r = Rng(2);
    check(
        "if",
        &layer(
            4,
            3,
            8,
            6,
            json!({"kind": "if", "vth": 20}),
            &mut r,
            json!({}),
        ),
    );
}

#[test]
fn lif_core_agrees_with_golden_model() {
    let mut r = Rng(12);
    check(
        "lif",
        &layer(
            4,
            3,
            8,
            6,
            json!({"kind": "lif", "vth": 20, "leak_shift": 2, "reset": "zero"}),
            &mut r,
            json!({}),
        ),
    );
}

#[test]
fn psn_cores_agree_with_golden_model() {
    let mut r = Rng(3);
    let t = 4;
    let p: Vec<Vec<i64>> = (0..t)
        .map(|_| (0..t).map(|_| r.range(-8, 7)).collect())
        .collect();
    let thr: Vec<i64> = (0..t).map(|_| r.range(-20, 20)).collect();
    let full = layer(
        3,
        2,
        t,
        4,
        json!({"kind": "psn", "weights": p, "thresholds": thr}),
        &mut r,
        json!({}),
    );
    check("psn", &full);
    let masked = layer(
        3,
        2,
        t,
        4,
        json!({"kind": "masked_psn", "k": 2, "weights": p, "thresholds": thr}),
        &mut r,
        json!({}),
    );
    check("masked", &masked);
    let sliding = layer(
        3,
        2,
        t,
        4,
        json!({"kind": "sliding_psn", "k": 3, "weights": [3, -2, 5], "threshold": 4}),
        &mut r,
        json!({}),
    );
    check("sliding", &sliding);
}

#[test]
fn forced_narrow_state_saturates_like_the_golden_model() {
    let mut r = Rng(4);
    check(
        "tmn-narrow",
        &layer(
            4,
            2,
            4,
            8,
            json!({"kind": "tmn", "vth": 64}),
            &mut r,
            json!({"state_bits": 8}),
        ),
    );
    check(
        "if-narrow",
        &layer(
            4,
            2,
            4,
            8,
            json!({"kind": "if", "vth": 100}),
            &mut r,
            json!({"state_bits": 7}),
        ),
    );
}
