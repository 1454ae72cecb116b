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
