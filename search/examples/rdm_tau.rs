//! How well the training-free spike RDM score ranks candidates: Kendall's
//! tau-b between the RDM score and the trained SNN's test accuracy over
//! random candidates on the digits example.
//!
//! ```sh
//! cargo run --release -p snn-search --example rdm_tau -- [CANDIDATES=30] [SEED=1] [EPOCHS=150]
//! ```
//!
//! Candidates the conversion refuses (weights that do not fit their
//! weight_bits) are listed and left out of tau.
//!
//! Measured with the genes' widths 8..128 (2026-12-02, 150 epochs, 128 RDM
//! images): seed 1, 30 candidates (all scored), tau 0.692 against SNN test
//! accuracy, 0.019 against the float MLP's, 0.580 over the 15 finite
//! scores; 55 s.
//!
//! Measured earlier with widths 8..64: seed 1, 30 candidates (27
//! scored): tau 0.611 against SNN test accuracy, 0.113 against the float
//! MLP's; seed 2, 40 candidates (36 scored): 0.523 and 0.106. Most of the
//! agreement comes from T and width (few steps or few neurons give repeated
//! codes, a score of minus infinity, and poor SNN accuracy); among the
//! finite scores alone tau is 0.49 (11 and 7 candidates). The score says
//! little about the float network, as expected of an untrained measure.

use convert::dataset::{Dataset, Split};
use golden_model::rng::SplitMix64;
use snn_search::evaluate::{rdm, trained, Options};
use snn_search::genome::{canonicalise, decode, genes};
use snn_search::stats::kendall_tau_b;
use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

fn arg(k: usize, default: u64) -> u64 {
    std::env::args()
        .nth(k)
        .map(|a| a.parse().expect("arguments are integers"))
        .unwrap_or(default)
}

fn main() {
    let (count, seed, epochs) = (arg(1, 30) as usize, arg(2, 1), arg(3, 150) as usize);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/digits");
    let ds = Dataset::read_csv(&dir.join("digits.csv"), 16).expect("digits.csv");
    let split = Split::read(&dir.join("split.json"), ds.images.len()).expect("split.json");
    let o = Options {
        epochs,
        ..Options::default()
    };
    let mut rng = SplitMix64::new(seed);
    let mut seen = HashSet::new();
    let (mut scores, mut snn_acc, mut float_acc) = (vec![], vec![], vec![]);
    let start = Instant::now();
    println!("candidate | rdm score | snn test % | float test %");
    while seen.len() < count {
        let mut g: Vec<i64> = genes().iter().map(|r| rng.range(r.lo, r.hi)).collect();
        // The architecture genes do not change either score.
        g[6] = 0;
        canonicalise(&mut g);
        if !seen.insert(g.clone()) {
            continue;
        }
        let c = decode(&g).expect("a genome in range");
        let name = c.describe(ds.pixels(), ds.classes);
        match (rdm(&c, &ds, &split, &o), trained(&c, &ds, &split, &o)) {
            (Ok(s), Ok(t)) => {
                let (a, f) = (
                    100.0 * (1.0 - t.test_error),
                    100.0 * (1.0 - t.float_test_error),
                );
                println!("{name} | {s:.2} | {a:.2} | {f:.2}");
                scores.push(s);
                snn_acc.push(a);
                float_acc.push(f);
            }
            (Err(e), _) | (_, Err(e)) => println!("{name} | refused: {e}"),
        }
    }
    println!(
        "{} candidates scored ({} refused), seed {seed}, {epochs} epochs, {:.0} s",
        scores.len(),
        count - scores.len(),
        start.elapsed().as_secs_f64()
    );
    println!(
        "Kendall tau-b, rdm score vs SNN test accuracy: {:.3}",
        kendall_tau_b(&scores, &snn_acc)
    );
    println!(
        "Kendall tau-b, rdm score vs float test accuracy: {:.3}",
        kendall_tau_b(&scores, &float_acc)
    );
    // Minus infinity (two images with the same spikes) ties many
    // candidates; tau among the others alone:
    let finite: Vec<usize> = (0..scores.len())
        .filter(|&i| scores[i].is_finite())
        .collect();
    let pick = |v: &[f64]| finite.iter().map(|&i| v[i]).collect::<Vec<_>>();
    println!(
        "Kendall tau-b over the {} finite scores, vs SNN test accuracy: {:.3}",
        finite.len(),
        kendall_tau_b(&pick(&scores), &pick(&snn_acc))
    );
}
