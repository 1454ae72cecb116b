//! Invalid configs and cases: one message naming the field and the accepted
//! range, checked word for word.

use golden_model::Case;
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "format_version": 1,
        "layer": {"inputs": 2, "outputs": 2, "timesteps": 2, "weight_bits": 4,
                  "weights": [[1, -2], [3, 4]], "neuron": {"kind": "tmn", "vth": 4}},
        "samples": [{"spikes": [[1, 0], [0, -1]]}]
    })
}

fn err_of(v: Value) -> String {
    Case::from_json(&v)
        .expect_err("should be refused")
        .to_string()
}

fn with(path: &[&str], value: Value) -> Value {
    let mut v = base();
    let mut cur = &mut v;
    for p in &path[..path.len() - 1] {
        cur = &mut cur[*p];
    }
    cur[path[path.len() - 1]] = value;
    v
}

#[test]
fn base_case_is_accepted() {
    assert!(Case::from_json(&base()).is_ok());
}

#[test]
fn messages_word_for_word() {
    let cases = [
        (with(&["format_version"], json!(2)), "format_version: 2 is not supported (accepted: 1)"),
        (with(&["layer", "inputs"], json!(0)), "layer.inputs: 0 is not in 1..=4096"),
        (with(&["layer", "timesteps"], json!(65)), "layer.timesteps: 65 is not in 1..=64"),
        (with(&["layer", "weight_bits"], json!(17)), "layer.weight_bits: 17 is not in 2..=16"),
        (with(&["layer", "weights"], json!([[1, 8], [3, 4]])), "layer.weights[0][1]: 8 is not in -8..=7 (weight_bits 4)"),
        (with(&["layer", "weights"], json!([[1, 2]])), "layer.weights: has 1 rows but outputs is 2"),
        (with(&["layer", "bias"], json!([1])), "layer.bias: has 1 entries but outputs is 2"),
        (with(&["layer", "bias"], json!([1, -9])), "layer.bias[1]: -9 is not in -8..=7 (weight_bits 4)"),
        (with(&["layer", "neuron", "kind"], json!("lifx")), "layer.neuron.kind: unknown neuron kind \"lifx\"; accepted: if, lif, tmn, psn, masked_psn, sliding_psn, elm"),
        (with(&["layer", "neuron"], json!({"kind": "lif", "vth": 4})), "layer.neuron.leak_shift: required field is missing"),
        (with(&["layer", "neuron"], json!({"kind": "lif", "vth": 4, "leak_shift": 17})), "layer.neuron.leak_shift: 17 is not in 1..=16"),
        (with(&["layer", "neuron"], json!({"kind": "if", "vth": 4, "reset": "hard"})), "layer.neuron.reset: \"hard\" is not accepted: \"subtract\" or \"zero\""),
        (with(&["layer", "neuron"], json!({"kind": "tmn", "vth": 1})), "layer.neuron.vth: tmn vth 1 is out of range: vth = 2^q with q in 1..=30"),
        (with(&["layer", "neuron"], json!({"kind": "if", "vth": 0})), "layer.neuron.vth: 0 is not in 1..=2147483647"),
        (with(&["layer", "neuron"], json!({"kind": "sliding_psn", "k": 0, "weights": [], "threshold": 1})), "layer.neuron.k: 0 is not in 1..=1024"),
        (with(&["layer", "neuron"], json!({"kind": "sliding_psn", "k": 2, "weights": [1], "threshold": 1})), "layer.neuron.weights: has 1 entries but k is 2"),
        (with(&["layer", "neuron"], json!({"kind": "psn", "weights": [[1, 2], [3, 400]], "thresholds": [0, 0]})), "layer.neuron.weights[1][1]: 400 is not in -128..=127 (psn_weight_bits 8)"),
        (with(&["layer", "state_bits"], json!(1)), "layer.state_bits: 1 is not in 2..=9"),
        (with(&["layer", "current_bits"], json!(12)), "layer.current_bits: only neuron-only layers (no weights) set current_bits; with weights it is derived (6 bits)"),
        (with(&["samples"], json!([])), "samples: needs at least one sample"),
        (with(&["samples"], json!([{"spikes": [[1, 0]]}])), "samples[0].spikes: has 1 rows but timesteps is 2"),
        (with(&["samples"], json!([{"currents": [[1, 0], [0, 0]]}])), "samples[0]: needs exactly one of `spikes` or `lanes` (the layer has weights); found `currents`"),
        (with(&["samples"], json!([{"lanes": [[1, 4], [0, 0]]}])), "samples[0].lanes: lanes[0][1] = 4 is not in 0..=3 (raw 2-bit lane codes: 0 = 0, 1 = +1, 3 = -1, 2 = illegal)"),
        (with(&["samples"], json!([{"spikes": [[1, 0.5], [0, 0]]}])), "samples[0].spikes[0][1]: expected an integer, found a non-integer number"),
    ];
    for (v, want) in cases {
        assert_eq!(err_of(v), want);
    }
}

#[test]
fn neuron_only_mode_checks_current_width_and_shape() {
    let v = json!({"format_version": 1,
        "layer": {"inputs": 2, "outputs": 3, "timesteps": 1, "neuron": {"kind": "if", "vth": 4}},
        "samples": [{"currents": [[1, 2, 3]]}]});
    assert_eq!(
        err_of(v),
        "layer.inputs: neuron-only mode (no weights) needs inputs == outputs, found 2 and 3"
    );
    let v = json!({"format_version": 1,
        "layer": {"inputs": 1, "outputs": 1, "timesteps": 1, "current_bits": 4, "neuron": {"kind": "if", "vth": 4}},
        "samples": [{"currents": [[8]]}]});
    assert_eq!(
        err_of(v),
        "samples[0].currents: currents[0][0] = 8 is not in -8..=7 (current_bits 4)"
    );
}

#[test]
fn forced_narrow_state_saturates_and_flags_overflow() {
    // TMN, vth 4: currents of 7 every step drive u upward: m = 2u + 7.
    let v = json!({"format_version": 1,
        "layer": {"inputs": 1, "outputs": 1, "timesteps": 3, "current_bits": 4, "state_bits": 3,
                  "neuron": {"kind": "tmn", "vth": 4}},
        "samples": [{"currents": [[7], [7], [7]]}, {"currents": [[1], [0], [0]]}]});
    let r = Case::from_json(&v).unwrap().run();
    // t0: m 7 -> s 1, u 3; t1: m 13 -> s 1, u 9 -> saturates to 3; t2 same.
    assert_eq!(r[0].state, vec![vec![3], vec![3], vec![3]]);
    assert!(r[0].flags.overflow);
    // Flags are per sample: the next sample starts clean.
    assert!(!r[1].flags.overflow);
}

#[test]
fn illegal_lane_code_reads_zero_and_raises_flag() {
    let v = json!({"format_version": 1,
        "layer": {"inputs": 2, "outputs": 1, "timesteps": 1, "weights": [[5, 7]], "neuron": {"kind": "if", "vth": 100}},
        "samples": [{"lanes": [[2, 1]]}, {"lanes": [[3, 1]]}]});
    let r = Case::from_json(&v).unwrap().run();
    assert_eq!(r[0].currents, vec![vec![7]]);
    assert!(r[0].flags.illegal_spike);
    assert_eq!(r[1].currents, vec![vec![2]]);
    assert!(!r[1].flags.illegal_spike);
}

#[test]
fn extra_fields_are_accepted() {
    let mut v = base();
    v["meta"] = json!({"anything": [1, 2]});
    v["layer"]["note"] = json!("x");
    assert!(Case::from_json(&v).is_ok());
}

#[test]
fn tmn_bias_enters_once_others_every_step() {
    let mk = |neuron: Value| {
        json!({"format_version": 1,
        "layer": {"inputs": 1, "outputs": 1, "timesteps": 3, "weights": [[2]], "bias": [3], "neuron": neuron},
        "samples": [{"spikes": [[1], [1], [1]]}]})
    };
    let tmn = Case::from_json(&mk(json!({"kind": "tmn", "vth": 1024})))
        .unwrap()
        .run();
    assert_eq!(tmn[0].currents, vec![vec![5], vec![2], vec![2]]);
    let iff = Case::from_json(&mk(json!({"kind": "if", "vth": 1024})))
        .unwrap()
        .run();
    assert_eq!(iff[0].currents, vec![vec![5], vec![5], vec![5]]);
}

/// Typed construction (no JSON) gives the same config as the reader and
/// refuses what the reader refuses, naming the field under the given path.
#[test]
fn typed_construction_matches_the_reader() {
    use golden_model::{LayerConfig, Neuron, Reset};
    let w = vec![vec![1, -2, 3], vec![-4, 5, -6]];
    let typed = LayerConfig::dense(
        w.clone(),
        Some(vec![1, -1]),
        4,
        4,
        Neuron::Lif {
            vth: 6,
            leak_shift: 2,
            reset: Reset::Zero,
        },
        "layer",
    )
    .unwrap();
    let read = LayerConfig::from_json(
        &json!({"inputs": 3, "outputs": 2, "timesteps": 4, "weight_bits": 4, "weights": w,
                "bias": [1, -1], "neuron": {"kind": "lif", "vth": 6, "leak_shift": 2, "reset": "zero"}}),
        "layer",
    )
    .unwrap();
    assert_eq!(typed, read);
    let err = |n: Neuron, wb: u32, w: Vec<Vec<i64>>| {
        LayerConfig::dense(w, None, 4, wb, n, "network.layers[1]")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err(Neuron::Tmn { vth: 12 }, 8, vec![vec![1]]),
        "network.layers[1].neuron.vth: tmn vth 12 is not a power of two 2^q with q >= 1"
    );
    assert_eq!(
        err(Neuron::Tmn { vth: 16 }, 4, vec![vec![1, 8]]),
        "network.layers[1].weights[0][1]: 8 is not in -8..=7 (weight_bits 4)"
    );
    assert_eq!(
        err(Neuron::Tmn { vth: 16 }, 4, vec![vec![1, 2], vec![3]]),
        "network.layers[1].weights: row 1 has 1 entries but inputs is 2"
    );
    let lif = Neuron::Lif {
        vth: 3,
        leak_shift: 0,
        reset: Reset::Subtract,
    };
    assert_eq!(
        err(lif, 8, vec![vec![1]]),
        "network.layers[1].neuron.leak_shift: 0 is not in 1..=16"
    );
}

/// An elm whose derived widths (SPEC section 7's bounds) exceed what the
/// implementation supports is refused with one line naming the width.
#[test]
fn elm_wider_than_supported_is_refused() {
    use golden_model::neuron::elm::Elm;
    use golden_model::{LayerConfig, Neuron};
    let elm = |mlp_bits: u32, trace_shift: u32| Elm {
        memory: 1,
        hidden: 1,
        mlp_bits,
        trace_shift,
        trace_frac_bits: 8,
        memory_shifts: vec![1],
        lambda: 1,
        w_branch: vec![vec![1; 256]],
        w_memory: vec![vec![0]],
        b_hidden: vec![0],
        hidden_shift: 0,
        hidden_max: 1,
        w_delta: vec![vec![1]],
        b_delta: vec![0],
        table_shift: 0,
        table: vec![0, 1],
        readout: vec![vec![1]],
        readout_bias: vec![0],
    };
    let layer = |e: Elm| {
        LayerConfig::dense(
            vec![vec![1, -1]; 256],
            None,
            2,
            16,
            Neuron::Elm(Box::new(e)),
            "layer",
        )
    };
    // q <= 2^16 * ((2^17 << 8) + 1) ~ 2^41; z <= 256 * 2^15 * 2^41 = 2^64.
    let e = layer(elm(16, 16)).unwrap_err().to_string();
    assert_eq!(
        e,
        "layer.neuron: the derived elm hidden pre-activation width is 66 bits, above the supported 62; reduce inputs, weight_bits, mlp_bits, trace_shift, trace_frac_bits or hidden_max"
    );
    assert!(layer(elm(8, 4)).is_ok());
}
