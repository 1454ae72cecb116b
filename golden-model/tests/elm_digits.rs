//! The trained ELM of `examples/elm-digits` (digits read row by row, arXiv
//! 2306.16922's Branch-ELM quantised to SPEC section 7): the golden model run
//! on the shipped case must classify the 540 test images exactly as the
//! training script's own integer forward pass did (bit-exactness of the
//! quantised model between Python and Rust), and at least as well as the
//! accuracy measured when it was trained.

use golden_model::Case;

mod common;
use common::{ints, read_json};

/// The class: argmax of the readout at the last step, the first index
/// winning ties (SPEC section 7).
fn argmax_first(r: &[i64]) -> usize {
    let mut best = 0;
    for (k, &v) in r.iter().enumerate() {
        if v > r[best] {
            best = k;
        }
    }
    best
}

/// The accuracy measured when the shipped model was trained (491/540); the
/// floor is that minus half a point.
const FLOOR: f64 = 0.904;

#[test]
fn trained_elm_classifies_the_test_digits_as_the_script_did() {
    let case_json = read_json("test_case.json");
    let report = read_json("train_report.json");
    assert!(
        case_json["layer"] == read_json("elm_layer.json"),
        "test_case.json and elm_layer.json hold different layers"
    );
    let case = Case::from_json(&case_json).expect("the shipped case is valid");
    let labels = ints(&case_json["meta"]["labels"]);
    let want_pred = ints(&report["int_test_predictions"]);
    let n = case.samples.len();
    assert_eq!(n, 540);
    assert_eq!(labels.len(), n);
    assert_eq!(want_pred.len(), n);

    let results = case.run();
    let last: Vec<Vec<i64>> = results
        .iter()
        .map(|r| {
            assert!(!r.flags.overflow && !r.flags.illegal_spike);
            let readout = r.readout.as_ref().expect("an elm result has a readout");
            assert_eq!(readout.len(), 8);
            readout.last().unwrap().clone()
        })
        .collect();

    // The readout values themselves, for the first test images.
    for (i, want) in report["int_first_test_readout"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(last[i], ints(want), "test image {i}: readout at t = 7");
    }

    // Every prediction, then the accuracy, equal the script's.
    let pred: Vec<i64> = last.iter().map(|r| argmax_first(r) as i64).collect();
    let differ: Vec<usize> = (0..n).filter(|&i| pred[i] != want_pred[i]).collect();
    assert!(
        differ.is_empty(),
        "{} predictions differ from the Python integer forward pass, first at test image {}",
        differ.len(),
        differ.first().copied().unwrap_or(0)
    );
    let correct = (0..n).filter(|&i| pred[i] == labels[i]).count();
    assert_eq!(correct as i64, report["int_test_correct"].as_i64().unwrap());
    let acc = correct as f64 / n as f64;
    assert_eq!(acc, report["int_test_accuracy"].as_f64().unwrap());
    assert!(acc >= FLOOR, "accuracy {acc} below the floor {FLOOR}");
}

#[test]
fn argmax_first_index_wins_ties() {
    assert_eq!(argmax_first(&[3, 7, 7, 1]), 1);
    assert_eq!(argmax_first(&[-2, -2]), 0);
}
