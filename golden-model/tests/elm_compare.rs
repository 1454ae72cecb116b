//! The spiking MLPs that `examples/elm-digits` compares its ELM with (issue
//! 12): 16-50-10 IF and TMN networks trained on the same presentation of the
//! digits (row by row, T = 8, 16 ternary lanes) by
//! `examples/elm-digits/compare/train_snn_mlp.py`. The golden model run on the
//! ELM's own 540 test samples must classify every image as the script's
//! integer forward pass did, so the accuracies in the README's comparison
//! table are the golden model's; and each MLP must have the ELM's 1360
//! parameters.

use golden_model::{network, Case, NetworkConfig, Sample};
use serde_json::Value;

mod common;
use common::{ints, read_json};

/// Weights and biases of a network.
fn parameters(net: &NetworkConfig) -> usize {
    net.layers
        .iter()
        .map(|l| l.inputs * l.outputs + l.bias.len())
        .sum()
}

/// The ELM's weights: synapses, MLP and readout (its 256-entry table aside).
fn elm_weights(layer: &Value) -> usize {
    let n = &layer["neuron"];
    let count = |v: &Value| -> usize {
        v.as_array()
            .expect("a matrix")
            .iter()
            .map(|r| r.as_array().expect("a row").len())
            .sum()
    };
    ["w_branch", "w_memory", "w_delta", "readout"]
        .iter()
        .map(|k| count(&n[*k]))
        .sum::<usize>()
        + count(&layer["weights"])
}

fn check(kind: &str, case: &Case, labels: &[i64], report: &Value) {
    let m = &report["models"][kind];
    let path = format!("compare/mlp_{kind}.network.json");
    let net = NetworkConfig::from_json(&read_json(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(net.inputs(), 16, "{path}: inputs");
    assert_eq!(net.timesteps(), 8, "{path}: timesteps");
    assert!(
        net.layers.iter().all(|l| l.neuron.kind() == kind),
        "{path}: every layer's neuron kind must be {kind}"
    );
    assert_eq!(parameters(&net), 1360, "{path}: parameters");

    let runner = net.runner();
    let want_pred = ints(&m["int_test_predictions"]);
    let first_readouts = m["int_first_test_readout"].as_array().expect("readouts");
    let mut pred = Vec::with_capacity(case.samples.len());
    for (i, s) in case.samples.iter().enumerate() {
        let Sample::Lanes(lanes) = s else {
            panic!("sample {i}: spikes expected")
        };
        let rs = runner.run(lanes);
        let last = rs.last().expect("one result per layer");
        assert!(
            rs.iter()
                .all(|r| !r.flags.overflow && !r.flags.illegal_spike),
            "{path}: test image {i}: a flag was raised"
        );
        let r = network::readout(net.layers.last().unwrap(), last);
        if let Some(want) = first_readouts.get(i) {
            let want: Vec<i128> = ints(want).into_iter().map(i128::from).collect();
            assert_eq!(r, want, "{path}: test image {i}: readout");
        }
        let class = runner.classify(lanes);
        assert_eq!(class, network::argmax(&r));
        pred.push(class as i64);
    }
    let differ: Vec<usize> = (0..pred.len())
        .filter(|&i| pred[i] != want_pred[i])
        .collect();
    assert!(
        differ.is_empty(),
        "{path}: {} classes differ from the script's integer forward pass, first at test image {}",
        differ.len(),
        differ.first().copied().unwrap_or(0)
    );
    let correct = (0..pred.len()).filter(|&i| pred[i] == labels[i]).count();
    assert_eq!(correct as i64, m["int_test_correct"].as_i64().unwrap());
    let acc = correct as f64 / pred.len() as f64;
    assert_eq!(acc, m["int_test_accuracy"].as_f64().unwrap(), "{path}");
}

#[test]
fn spiking_mlps_classify_the_elm_test_samples_as_the_script_did() {
    let case_json = read_json("test_case.json");
    let case = Case::from_json(&case_json).expect("the shipped case is valid");
    let labels = ints(&case_json["meta"]["labels"]);
    assert_eq!(case.samples.len(), 540);
    let report = read_json("compare/train_report.json");
    assert_eq!(ints(&report["test_labels"]), labels);
    assert_eq!(elm_weights(&case_json["layer"]), 1360, "the ELM's weights");
    for kind in ["if", "tmn"] {
        check(kind, &case, &labels, &report);
    }
}
