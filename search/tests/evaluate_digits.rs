//! The evaluation of small candidates on the shipped digits data: both
//! scores run and land in their ranges.

use convert::dataset::{Dataset, Split};
use snn_search::evaluate::{rdm, trained, Options};
use snn_search::genome::{Architecture, Candidate, NeuronKind};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/digits")
}

fn digits() -> (Dataset, Split) {
    let ds = Dataset::read_csv(&dir().join("digits.csv"), 16).unwrap();
    let split = Split::read(&dir().join("split.json"), ds.images.len()).unwrap();
    (ds, split)
}

fn candidate(kind: NeuronKind, hidden: Vec<usize>, timesteps: usize) -> Candidate {
    Candidate {
        hidden,
        kind,
        timesteps,
        weight_bits: 8,
        architecture: Architecture::Unrolled,
    }
}

#[test]
fn a_tiny_trained_candidate_beats_chance() {
    let (ds, split) = digits();
    let o = Options {
        epochs: 20,
        ..Options::default()
    };
    let c = candidate(NeuronKind::Tmn, vec![16], 4);
    let t = trained(&c, &ds, &split, &o).unwrap();
    eprintln!(
        "{}: snn error {:.3}, float error {:.3}",
        c.describe(64, 10),
        t.test_error,
        t.float_test_error
    );
    // Ten classes: chance is an error of 0.9.
    assert!((0.0..0.5).contains(&t.test_error), "{}", t.test_error);
    assert!((0.0..0.5).contains(&t.float_test_error));
    assert_eq!(t.network.layers.len(), 2);
    assert_eq!(t.network.timesteps(), 4);
}

#[test]
fn the_rdm_score_is_finite_and_below_its_bound() {
    let (ds, split) = digits();
    let o = Options {
        rdm_images: 64,
        ..Options::default()
    };
    for kind in [NeuronKind::Tmn, NeuronKind::If, NeuronKind::Lif] {
        let c = candidate(kind, vec![32, 16], 4);
        let s = rdm(&c, &ds, &split, &o).unwrap();
        // Hadamard: log det K <= n ln N_A, N_A = (32 + 16) * 4 bits.
        let bound = 64.0 * ((48 * 4) as f64).ln();
        eprintln!("{}: rdm {s}", c.describe(64, 10));
        assert!(s.is_finite() && s < bound, "{kind:?}: {s}");
    }
    let e = rdm(
        &candidate(NeuronKind::If, vec![8], 1),
        &ds,
        &split,
        &Options { rdm_images: 1, ..o },
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "options.rdm_images: 1 is not in 2..");
}

/// One network as unrolled and as folded at two P: one training (the
/// evaluator keeps the network), the same error, and the costs of each
/// architecture; the folded cycles come from the validation images.
#[test]
fn architecture_variants_share_the_network_and_differ_in_cost() {
    use snn_search::config::SearchConfig;
    use snn_search::objectives::Evaluator;
    let v = serde_json::json!({"format_version": 1,
        "dataset": {"csv": dir().join("digits.csv"), "max_value": 16,
                    "split": dir().join("split.json")},
        "epochs": 20, "seed": 3});
    let cfg = SearchConfig::from_json(&v, Path::new("search.json")).unwrap();
    let ev = Evaluator::new(&cfg).unwrap();
    let mut c = candidate(NeuronKind::Tmn, vec![16], 4);
    let u = ev.evaluate(&[], &c);
    c.architecture = Architecture::Folded { parallelism: 8 };
    let f8 = ev.evaluate(&[], &c);
    c.architecture = Architecture::Folded { parallelism: 16 };
    let f16 = ev.evaluate(&[], &c);
    assert_eq!(ev.networks.lock().unwrap().len(), 1);
    for r in [&u, &f8, &f16] {
        assert!(r.error.is_none(), "{:?}", r.error);
        assert_eq!(r.objectives[0], u.objectives[0]);
    }
    let (cu, c8, c16) = (
        u.cost.clone().unwrap(),
        f8.cost.clone().unwrap(),
        f16.cost.clone().unwrap(),
    );
    assert_eq!(cu.architecture, Architecture::Unrolled);
    assert!(!cu.fits && c8.fits && c16.fits);
    assert_eq!(c8.architecture, Architecture::Folded { parallelism: 8 });
    assert!(c8.logic_cells < c16.logic_cells && c16.logic_cells < 5280);
    assert!(c16.cycles_per_image < c8.cycles_per_image);
    assert!(c8.cycles_per_image > cu.cycles_per_image);
    assert_eq!(f8.objectives[1], Some(c8.logic_cells as f64));
    assert_eq!(f8.objectives[2], Some(c8.us_per_image));
    // The folded cycles are the model's mean over the validation images.
    let net = ev.network(&c).scored.unwrap().1;
    let plan = rtl_gen::folded::plan::FoldedPlan::new(&net, 8, None);
    let runner = net.runner();
    let imgs = ev.validation_lanes(convert::encode::Encoder::Tmn, 4);
    let mean = imgs
        .iter()
        .map(|x| plan.cycles_model(&snn_search::hardware::layer_inputs(&runner, x)) as f64)
        .sum::<f64>()
        / imgs.len() as f64;
    assert!((mean - c8.cycles_per_image).abs() < 1e-9);
    assert_eq!(imgs.len(), ev.rows.folds[0].validation.len());
}

/// With k folds a candidate is trained once per fold and its validation
/// error is the pooled error over every training row, each held out once:
/// the same as training and scoring each fold by hand.
#[test]
fn k_folds_pool_the_error_over_every_training_row() {
    use snn_search::config::SearchConfig;
    use snn_search::objectives::Evaluator;
    let v = serde_json::json!({"format_version": 1,
        "dataset": {"csv": dir().join("digits.csv"), "max_value": 16,
                    "split": dir().join("split.json")},
        "epochs": 10, "seed": 3, "folds": 3});
    let cfg = SearchConfig::from_json(&v, Path::new("search.json")).unwrap();
    let ev = Evaluator::new(&cfg).unwrap();
    let (ds, split) = digits();
    assert_eq!(ev.rows.folds.len(), 3);
    let mut held: Vec<usize> = ev
        .rows
        .folds
        .iter()
        .flat_map(|f| f.validation.clone())
        .collect();
    held.sort_unstable();
    let mut all = split.train.clone();
    all.sort_unstable();
    assert_eq!(held, all, "every training row is held out exactly once");
    let c = candidate(NeuronKind::If, vec![16], 4);
    let o = Options {
        epochs: 10,
        seed: 3,
        ..Options::default()
    };
    let mut wrong = 0.0;
    for f in &ev.rows.folds {
        let s = Split {
            train: f.train.clone(),
            test: f.validation.clone(),
            description: String::new(),
        };
        wrong += trained(&c, &ds, &s, &o).unwrap().test_error * f.validation.len() as f64;
    }
    let r = ev.evaluate(&[], &c);
    let pooled = wrong / split.train.len() as f64;
    assert!((r.validation_error.unwrap() - pooled).abs() < 1e-12);
    assert_eq!(r.objectives[0], Some(r.validation_error.unwrap()));
    // Not the first fold's error alone (which a single hold-out would give).
    let first = Split {
        train: ev.rows.folds[0].train.clone(),
        test: ev.rows.folds[0].validation.clone(),
        description: String::new(),
    };
    assert_ne!(trained(&c, &ds, &first, &o).unwrap().test_error, pooled);
}

/// The final training of the front: every member is trained again on all
/// the training rows; a member the conversion then refuses is left out with
/// a line naming it, and the rest are still scored.
#[test]
fn the_final_training_leaves_out_a_member_it_cannot_convert() {
    use snn_search::config::SearchConfig;
    use snn_search::objectives::Evaluator;
    use snn_search::outputs::score_front;
    let v = serde_json::json!({"format_version": 1,
        "dataset": {"csv": dir().join("digits.csv"), "max_value": 16,
                    "split": dir().join("split.json")},
        "epochs": 5, "seed": 3});
    let cfg = SearchConfig::from_json(&v, Path::new("search.json")).unwrap();
    let ev = Evaluator::new(&cfg).unwrap();
    let good = ev.evaluate(&[], &candidate(NeuronKind::If, vec![16], 4));
    assert!(good.error.is_none(), "{:?}", good.error);
    // The same record with a candidate the conversion refuses (T = 5 is
    // not a searched T): as if its final weights no longer converted.
    let mut bad = good.clone();
    bad.candidate.timesteps = 5;
    let (front, left_out) = score_front(&ev, &[&good, &bad]);
    assert_eq!(front.len(), 1);
    assert_eq!(front[0].design.training_rows, 1257);
    assert_eq!(left_out.len(), 1);
    assert_eq!(
        left_out[0],
        "64-16-10 if T=5 w8 unrolled: left out of the front, its final training does not convert: candidate.timesteps: 5 is not one of 1, 2, 3, 4, 6, 8"
    );
}
