//! The three objectives of `snnrtl search`, all minimised, and the record
//! each evaluation leaves in the checkpoint.
//!
//! 0. **error**: with fitness `trained`, the validation error of the
//!    candidate trained with `convert::train` on the search's training rows,
//!    converted and run on the golden model ([`crate::evaluate::trained`]);
//!    with k folds, the fraction of all training rows misclassified by the
//!    network trained without their fold;
//!    with fitness `rdm`, minus the untrained spike RDM score.
//! 1. **logic cells** on the target ([`crate::hardware::cost`]; a folded
//!    candidate [`crate::hardware::folded_cost`]).
//! 2. **µs per image** (the same; a folded candidate's cycles are the mean
//!    of the engine's schedule model over the (first fold's) validation
//!    images, whose spikes that fold's network gives;
//!    with fitness `rdm` the network is untrained, so its spikes, and the
//!    cycles, are the untrained network's).
//!
//! Validation: the search never sees the test rows. It selects on a
//! validation set carved deterministically from the split's training rows
//! ([`carve`]), or on k folds of them ([`k_fold`]). Each design of the final front is then trained once more,
//! on all the split's training rows (training and validation, with the
//! same seed and epochs: the final training of NAS practice), and scored
//! once on the test rows; that network is the accuracy the outputs report
//! and the weights the chosen design ships.
//!
//! A candidate the conversion refuses (weights that do not fit its
//! weight_bits, a dead layer) gets +infinity in every objective and its
//! error message in the record; it is never a crash.

use crate::config::{Fitness, SearchConfig};
use crate::error::SearchError;
use crate::evaluate::{self, Options};
use crate::genome::{Architecture, Candidate};
use crate::hardware::{self, Cost};
use convert::dataset::{Dataset, Split};
use golden_model::NetworkConfig;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use synth::target::Target;

/// One way of holding out training rows to select on.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    /// Training rows the candidates are trained (and normalised) on.
    pub train: Vec<usize>,
    /// Training rows held out to select on.
    pub validation: Vec<usize>,
}

/// The rows a search uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// One fold ([`carve`]) or k ([`k_fold`]); every candidate is trained
    /// once per fold.
    pub folds: Vec<Fold>,
    /// The split's test rows, for the final front only.
    pub test: Vec<usize>,
    /// All the split's training rows (`train` and `validation`), in split
    /// order: the final front's training set.
    pub all_train: Vec<usize>,
}

/// Splits the training rows into training and validation, stratified and
/// without randomness: per class, in split order, row `i` (0-based, of
/// `n` in its class) is validation when `floor((i + 1) f) > floor(i f)`,
/// which takes `floor(n f)` rows spread evenly through the class.
pub fn carve(ds: &Dataset, split: &Split, fraction: f64) -> Rows {
    let held_out = |i: usize, _n: usize| {
        let i = i as f64;
        ((i + 1.0) * fraction).floor() > (i * fraction).floor()
    };
    Rows {
        folds: vec![hold_out(ds, split, held_out)],
        test: split.test.clone(),
        all_train: split.train.clone(),
    }
}

/// Cuts the training rows into `k` stratified folds without randomness:
/// per class, in split order, row `i` of its class is in fold `i mod k`.
/// Fold `f` holds out its own rows and trains on the rest.
pub fn k_fold(ds: &Dataset, split: &Split, k: usize) -> Rows {
    Rows {
        folds: (0..k)
            .map(|f| hold_out(ds, split, |i, _| i % k == f))
            .collect(),
        test: split.test.clone(),
        all_train: split.train.clone(),
    }
}

/// The training rows parted by `held_out(i, class)`, `i` the row's index
/// within its class in split order.
fn hold_out(ds: &Dataset, split: &Split, held_out: impl Fn(usize, usize) -> bool) -> Fold {
    let mut seen = vec![0usize; ds.classes.max(1)];
    let (mut train, mut validation) = (vec![], vec![]);
    for &r in &split.train {
        let c = ds.labels[r];
        let i = seen[c];
        seen[c] += 1;
        if held_out(i, c) {
            validation.push(r);
        } else {
            train.push(r);
        }
    }
    Fold { train, validation }
}

/// One evaluation, as a checkpoint line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// [`context`] of the search that made it.
    pub context: String,
    /// The search genome ([`crate::config::SearchSpace`]'s genes).
    pub genome: Vec<i64>,
    pub candidate: Candidate,
    /// Minimised: error (or minus the RDM score), logic cells, µs per image;
    /// `null` stands for +infinity.
    pub objectives: Vec<Option<f64>>,
    /// Trained fitness: the golden-model SNN's validation error.
    pub validation_error: Option<f64>,
    /// Trained fitness: the float MLP's validation error.
    pub float_validation_error: Option<f64>,
    /// Rdm fitness: the score.
    pub rdm_score: Option<f64>,
    pub cost: Option<Cost>,
    /// Why the candidate could not be built, if it could not.
    pub error: Option<String>,
    pub seconds: f64,
}

impl Record {
    /// The objectives with +infinity for `null`.
    pub fn objective_values(&self) -> Vec<f64> {
        self.objectives
            .iter()
            .map(|o| o.unwrap_or(f64::INFINITY))
            .collect()
    }
}

/// What must agree for a checkpoint line to be reused: fitness, epochs,
/// seed, validation fraction or folds, target, dataset and the cost model
/// (a record holds its cost; the space is not in it:
/// a record holds its candidate, and genomes are only looked up through
/// their candidate).
pub fn context(cfg: &SearchConfig) -> String {
    let validation = match cfg.folds {
        1 => cfg.validation_fraction.to_string(),
        k => format!("{k} folds"),
    };
    format!(
        "fitness={:?} epochs={} seed={} validation={} target={} csv={} split={} cost_model={}",
        cfg.fitness,
        cfg.epochs,
        cfg.seed,
        validation,
        cfg.target.name(),
        abs(&cfg.dataset.csv).display(),
        abs(&cfg.dataset.split).display(),
        hardware::COST_MODEL
    )
}

fn abs(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Evaluates candidates of one search.
#[derive(Debug, Clone)]
pub struct Evaluator {
    pub ds: Dataset,
    pub rows: Rows,
    pub options: Options,
    pub fitness: Fitness,
    pub target: Target,
    pub context: String,
    /// The scored network of every network evaluated so far, by its
    /// candidate with the architecture reset to unrolled: candidates that
    /// differ only in architecture or P share the network (training is
    /// seeded, so it would come out the same), and only their cost is new.
    pub networks: Arc<Mutex<HashMap<Candidate, Network>>>,
}

/// A candidate's network and its score (or why it could not be built).
#[derive(Debug, Clone)]
pub struct Network {
    pub scored: Result<(f64, NetworkConfig), SearchError>,
    pub validation_error: Option<f64>,
    pub float_validation_error: Option<f64>,
    pub rdm_score: Option<f64>,
}

impl Evaluator {
    /// Reads the dataset and split and carves the validation rows.
    pub fn new(cfg: &SearchConfig) -> Result<Evaluator, SearchError> {
        let ds = Dataset::read_csv(&cfg.dataset.csv, cfg.dataset.max_value)?;
        let split = Split::read(&cfg.dataset.split, ds.images.len())?;
        let rows = match cfg.folds {
            1 => carve(&ds, &split, cfg.validation_fraction),
            k => k_fold(&ds, &split, k),
        };
        let held_out = if cfg.folds == 1 {
            "validation_fraction"
        } else {
            "folds"
        };
        for f in &rows.folds {
            for (name, r) in [("dataset.split.train", &f.train), (held_out, &f.validation)] {
                if r.is_empty() {
                    return Err(SearchError::field(name, "leaves 0 rows (needs 1..)"));
                }
            }
        }
        if rows.test.is_empty() {
            return Err(SearchError::field(
                "dataset.split.test",
                "leaves 0 rows (needs 1..)",
            ));
        }
        Ok(Evaluator {
            ds,
            rows,
            options: Options {
                epochs: cfg.epochs,
                seed: cfg.seed,
                ..Options::default()
            },
            fitness: cfg.fitness,
            target: cfg.target,
            context: context(cfg),
            networks: Arc::default(),
        })
    }

    /// The first fold's validation images encoded with `enc` for `t` steps.
    pub fn validation_lanes(
        &self,
        enc: convert::encode::Encoder,
        t: usize,
    ) -> Vec<Vec<golden_model::LaneVec>> {
        self.rows.folds[0]
            .validation
            .iter()
            .map(|&i| enc.lanes(&self.ds.images[i], self.ds.max_value, t, i))
            .collect()
    }

    /// The cost of `net` as candidate `c` lays it out: a folded one's
    /// cycles averaged over the validation images.
    pub fn cost(
        &self,
        c: &Candidate,
        net: &golden_model::NetworkConfig,
    ) -> Result<Cost, SearchError> {
        match c.architecture {
            Architecture::Unrolled => Ok(hardware::cost(net, self.target)),
            Architecture::Folded { parallelism } => {
                let enc = evaluate::encoder(c.kind, &self.options);
                let images = self.validation_lanes(enc, net.timesteps());
                hardware::folded_cost(net, parallelism, self.target, &images)
            }
        }
    }

    fn selection_split(&self, fold: &Fold) -> Split {
        Split {
            train: fold.train.clone(),
            test: fold.validation.clone(),
            description: "search training rows / validation rows".into(),
        }
    }

    /// Trained fitness over every fold: the errors pooled over all held-out
    /// rows, and the first fold's network (the one the cost measures).
    fn trained_over_folds(&self, c: &Candidate) -> Result<(f64, f64, NetworkConfig), SearchError> {
        let (mut wrong, mut float_wrong, mut rows) = (0.0, 0.0, 0usize);
        let mut first = None;
        for fold in &self.rows.folds {
            let t = evaluate::trained(c, &self.ds, &self.selection_split(fold), &self.options)?;
            let n = fold.validation.len();
            wrong += t.test_error * n as f64;
            float_wrong += t.float_test_error * n as f64;
            rows += n;
            first.get_or_insert(t.network);
        }
        let net = first.expect("at least one fold");
        Ok((wrong / rows as f64, float_wrong / rows as f64, net))
    }

    /// The record of one candidate; a refused candidate's objectives are
    /// +infinity (`null`).
    pub fn evaluate(&self, genome: &[i64], c: &Candidate) -> Record {
        let start = std::time::Instant::now();
        let mut r = Record {
            context: self.context.clone(),
            genome: genome.to_vec(),
            candidate: c.clone(),
            objectives: vec![None; 3],
            validation_error: None,
            float_validation_error: None,
            rdm_score: None,
            cost: None,
            error: None,
            seconds: 0.0,
        };
        let n = self.network(c);
        r.validation_error = n.validation_error;
        r.float_validation_error = n.float_validation_error;
        r.rdm_score = n.rdm_score;
        match n
            .scored
            .and_then(|(err, net)| Ok((err, self.cost(c, &net)?)))
        {
            Ok((err, cost)) => {
                r.objectives = vec![
                    finite(err),
                    Some(cost.logic_cells as f64),
                    finite(cost.us_per_image),
                ];
                r.cost = Some(cost);
            }
            Err(e) => r.error = Some(e.to_string()),
        }
        r.seconds = start.elapsed().as_secs_f64();
        r
    }

    /// The candidate's network, trained (or initialised) and scored, from
    /// [`Evaluator::networks`] when an architecture variant built it.
    pub fn network(&self, c: &Candidate) -> Network {
        let key = Candidate {
            architecture: Architecture::Unrolled,
            ..c.clone()
        };
        if let Some(n) = self.networks.lock().expect("networks lock").get(&key) {
            return n.clone();
        }
        let mut r = Network {
            scored: Err(SearchError::field("candidate", "not evaluated")),
            validation_error: None,
            float_validation_error: None,
            rdm_score: None,
        };
        r.scored = match self.fitness {
            Fitness::Trained => self.trained_over_folds(c).map(|(err, float_err, net)| {
                r.validation_error = Some(err);
                r.float_validation_error = Some(float_err);
                (err, net)
            }),
            Fitness::Rdm => {
                // Untrained: one fold's rows (the first) are enough.
                let split = self.selection_split(&self.rows.folds[0]);
                let o = &self.options;
                evaluate::rdm(c, &self.ds, &split, o).and_then(|s| {
                    r.rdm_score = finite(s);
                    let mlp = convert::train::init(
                        self.ds.pixels(),
                        self.ds.classes,
                        &convert::train::TrainConfig::new(c.hidden.clone(), o.epochs, o.seed),
                    );
                    let net = evaluate::network(c, &mlp, &self.ds, &split.train, o)?;
                    Ok((-s, net))
                })
            }
        };
        self.networks
            .lock()
            .expect("networks lock")
            .insert(key, r.clone());
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carve_is_stratified_and_even() {
        let ds = Dataset {
            images: vec![vec![0]; 20],
            labels: (0..20).map(|i| i % 2).collect(),
            max_value: 1,
            classes: 2,
        };
        let split = Split {
            train: (0..20).collect(),
            test: vec![],
            description: String::new(),
        };
        let r = carve(&ds, &split, 0.2);
        // 10 rows per class, 2 of each held out: the 5th and 10th of each.
        assert_eq!(r.folds.len(), 1);
        assert_eq!(r.folds[0].validation, vec![8, 9, 18, 19]);
        assert_eq!(r.folds[0].train.len(), 16);
        assert_eq!(r.all_train.len(), 20);
    }

    #[test]
    fn k_fold_holds_out_every_training_row_once_per_class_in_turn() {
        let ds = Dataset {
            images: vec![vec![0]; 12],
            labels: (0..12).map(|i| i % 2).collect(),
            max_value: 1,
            classes: 2,
        };
        let split = Split {
            train: (0..12).collect(),
            test: vec![],
            description: String::new(),
        };
        let r = k_fold(&ds, &split, 3);
        // Class 0 is rows 0, 2, .., 10 (its 0th..5th); fold f holds its
        // f-th and (f+3)-th, and the same of class 1.
        assert_eq!(r.folds[0].validation, vec![0, 1, 6, 7]);
        assert_eq!(r.folds[1].validation, vec![2, 3, 8, 9]);
        assert_eq!(r.folds[2].validation, vec![4, 5, 10, 11]);
        let mut all: Vec<usize> = r.folds.iter().flat_map(|f| f.validation.clone()).collect();
        all.sort_unstable();
        assert_eq!(all, (0..12).collect::<Vec<_>>());
        for f in &r.folds {
            assert_eq!(f.train.len() + f.validation.len(), 12);
            assert!(f.train.iter().all(|x| !f.validation.contains(x)));
        }
    }
}
