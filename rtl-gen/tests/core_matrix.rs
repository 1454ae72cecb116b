//! The generated core lints clean (`verilator --lint-only -Wall`, no output at
//! all) and synthesizes in Yosys (`synth; check -assert`: no latches, no
//! multiple drivers, no warnings) over a matrix of configs: every neuron kind
//! (if and lif with both resets, tmn with vth 16 and 2),
//! shapes 1x1, 2x3, 8x8, 16x4, T in 1, 4, 8, 16, k = 1, 2, T, weight_bits 2,
//! 8, 12; and the elm core (`snn_elm` under the array) and the folded elm
//! core (`snn_elm` fed by one accumulator over a weight RAM) for every
//! shared `elm_*` reference vector and the elm-digits layer. Fails under `CI` when
//! the tools are missing.

use golden_model::LayerConfig;
use serde_json::{json, Value};
use snn_tools::Tool;

fn neuron(kind: &str, t: usize, k: usize) -> Value {
    let p: Vec<Vec<i64>> = (0..t)
        .map(|a| (0..t).map(|b| ((a * 7 + b * 3) % 9) as i64 - 4).collect())
        .collect();
    let thr: Vec<i64> = (0..t).map(|a| a as i64 - 2).collect();
    match kind {
        "if" => json!({"kind": "if", "vth": 5}),
        "if_zero" => json!({"kind": "if", "vth": 5, "reset": "zero"}),
        "lif" => json!({"kind": "lif", "vth": 5, "leak_shift": 3}),
        "lif_zero" => json!({"kind": "lif", "vth": 5, "leak_shift": 1, "reset": "zero"}),
        "tmn" => json!({"kind": "tmn", "vth": 16}),
        "tmn_q1" => json!({"kind": "tmn", "vth": 2}),
        "psn" => json!({"kind": "psn", "weights": p, "thresholds": thr}),
        "masked_psn" => json!({"kind": "masked_psn", "k": k, "weights": p, "thresholds": thr}),
        _ => {
            json!({"kind": "sliding_psn", "k": k, "weights": (0..k).map(|j| j as i64 - 1).collect::<Vec<_>>(), "threshold": 1})
        }
    }
}

fn layer(kind: &str, rows: usize, cols: usize, t: usize, k: usize, wb: u32) -> LayerConfig {
    let v = json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
                   "weights": vec![vec![1; rows]; cols], "neuron": neuron(kind, t, k)});
    LayerConfig::from_json(&v, "layer").unwrap()
}

fn check(cfg: &LayerConfig, verilator: &snn_tools::Found, yosys: &snn_tools::Found, label: &str) {
    check_design(&rtl_gen::generate(cfg), verilator, yosys, label);
}

fn check_design(
    design: &rtl_gen::Design,
    verilator: &snn_tools::Found,
    yosys: &snn_tools::Found,
    label: &str,
) {
    let dir = std::env::temp_dir().join(format!("snnrtl-matrix-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = vec![];
    for (name, text) in &design.files {
        assert!(
            !text.contains("initial"),
            "{label}: {name} has an initial block"
        );
        std::fs::write(dir.join(name), text).unwrap();
        files.push(name.clone());
    }
    snn_tools::verilator_lint(verilator, &dir, &files, "snn_core")
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    snn_tools::yosys_synth_check(yosys, &dir, &files, "snn_core")
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_matrix(cases: &[(&str, usize, usize, usize, usize, u32)]) {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    for &(kind, rows, cols, t, k, wb) in cases {
        let label = format!("{kind}-{rows}x{cols}-T{t}-k{k}-w{wb}");
        check(&layer(kind, rows, cols, t, k, wb), &v, &y, &label);
    }
}

#[test]
fn if_lif_and_tmn_matrix() {
    let mut cases = vec![];
    for kind in ["if", "lif", "tmn"] {
        cases.push((kind, 1, 1, 1, 1, 2));
        cases.push((kind, 2, 3, 4, 1, 8));
        cases.push((kind, 8, 8, 8, 1, 12));
        cases.push((kind, 16, 4, 16, 1, 8));
    }
    cases.push(("if_zero", 2, 3, 4, 1, 8));
    cases.push(("lif_zero", 8, 8, 8, 1, 8));
    cases.push(("tmn_q1", 2, 3, 4, 1, 8));
    run_matrix(&cases);
}

#[test]
fn psn_family_matrix() {
    run_matrix(&[
        ("psn", 1, 1, 1, 1, 2),
        ("psn", 2, 3, 4, 1, 8),
        ("psn", 8, 8, 8, 1, 12),
        ("masked_psn", 1, 1, 1, 1, 2),
        ("masked_psn", 2, 3, 4, 2, 8),
        ("masked_psn", 16, 4, 8, 8, 8),
        ("masked_psn", 2, 3, 16, 2, 12),
        ("sliding_psn", 1, 1, 4, 1, 2),
        ("sliding_psn", 2, 3, 8, 2, 8),
        ("sliding_psn", 16, 4, 4, 4, 12),
        ("sliding_psn", 8, 8, 16, 16, 8),
    ]);
}

#[test]
fn forced_narrow_state_is_clean_too() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    for kind in ["if", "lif", "lif_zero", "tmn", "sliding_psn"] {
        let mut j = layer(kind, 2, 3, 4, 2, 8).to_json();
        j["state_bits"] = json!(6);
        let cfg = LayerConfig::from_json(&j, "layer").unwrap();
        check(&cfg, &v, &y, &format!("{kind}-narrow"));
    }
}

/// Every shared `elm_*` vector's layer (1 to 32 steps, 1 to 8 branches,
/// table 4 to 256 entries) and the trained elm-digits layer.
fn elm_layers() -> Vec<(String, LayerConfig)> {
    let mut layers: Vec<(String, LayerConfig)> = golden_model::vectors::files(".case.json")
        .into_iter()
        .filter(|p| golden_model::vectors::name(p).starts_with("elm_"))
        .map(|p| {
            let c = golden_model::Case::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (golden_model::vectors::name(&p), c.layer)
        })
        .collect();
    assert!(layers.len() >= 8, "the shared elm vectors");
    let digits = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/elm-digits/elm_layer.json");
    let v_digits: Value = serde_json::from_str(&std::fs::read_to_string(digits).unwrap()).unwrap();
    layers.push((
        "elm-digits".into(),
        LayerConfig::from_json(&v_digits, "layer").unwrap(),
    ));
    layers
}

/// The elm core (`snn_elm` under the array) for [`elm_layers`].
#[test]
fn elm_cores_are_clean() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    for (name, cfg) in &elm_layers() {
        check(cfg, &v, &y, name);
    }
}

/// The folded elm core (`rtl_gen::elm_folded`: one accumulator, the
/// weights in a RAM) for [`elm_layers`].
#[test]
fn folded_elm_cores_are_clean() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    // Edge shapes: one input, one branch, and sizes that are not powers of two.
    let mut layers = elm_layers();
    let base = layers[0].1.to_json();
    for (inputs, branches) in [(1, 1), (1, 3), (3, 1), (5, 3)] {
        let mut j = base.clone();
        j["inputs"] = json!(inputs);
        j["weights"] = json!(vec![vec![1; inputs]; branches]);
        let w_branch: Vec<Vec<i64>> = j["neuron"]["w_branch"]
            .as_array()
            .unwrap()
            .iter()
            .map(|_| vec![1; branches])
            .collect();
        j["neuron"]["w_branch"] = json!(w_branch);
        layers.push((
            format!("edge-{inputs}x{branches}"),
            LayerConfig::from_json(&j, "layer").unwrap(),
        ));
    }
    for (name, cfg) in &layers {
        let design = rtl_gen::elm_folded::design(cfg);
        assert!(
            design.files.iter().any(|(n, _)| n == "snn_elm_synapses.v")
                && !design.files.iter().any(|(n, _)| n == "snn_array.v"),
            "{name}: the folded core has the synapse stage, not the array"
        );
        check_design(&design, &v, &y, &format!("folded-{name}"));
    }
}
