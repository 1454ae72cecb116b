//! The three objectives of `snnrtl search`, all minimised, and the record
//! each evaluation leaves in the checkpoint.
//!
//! 0. **error**: with fitness `trained`, the validation error of the
//!    candidate trained with `convert::train` on the search's training rows,
//!    converted and run on the golden model ([`crate::evaluate::trained`]);
//!    with fitness `rdm`, minus the untrained spike RDM score.
//! 1. **logic cells** on the target ([`crate::hardware::cost`]; a folded
//!    candidate [`crate::hardware::folded_cost`]).
//! 2. **µs per image** (the same; a folded candidate's cycles are the mean
//!    of the engine's schedule model over the validation images, whose
//!    spikes the golden model gives: the images the error is measured on;
//!    with fitness `rdm` the network is untrained, so its spikes, and the
//!    cycles, are the untrained network's).
//!
//! Validation: the search never sees the test rows. It selects on a
//! validation set carved deterministically from the split's training rows
//! ([`carve`]); the final front is then scored once on the test rows (the
//! same trained weights: training is seeded) and that is the accuracy the
//! outputs report.
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

/// The rows a search uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// Training rows the candidates are trained (and normalised) on.
    pub train: Vec<usize>,
    /// Training rows held out to select on.
    pub validation: Vec<usize>,
    /// The split's test rows, for the final front only.
    pub test: Vec<usize>,
}

/// Splits the training rows into training and validation, stratified and
/// without randomness: per class, in split order, row `i` (0-based, of
/// `n` in its class) is validation when `floor((i + 1) f) > floor(i f)`,
/// which takes `floor(n f)` rows spread evenly through the class.
pub fn carve(ds: &Dataset, split: &Split, fraction: f64) -> Rows {
    let mut seen = vec![0usize; ds.classes.max(1)];
    let (mut train, mut validation) = (vec![], vec![]);
    for &r in &split.train {
        let c = ds.labels[r];
        let i = seen[c] as f64;
        seen[c] += 1;
        if ((i + 1.0) * fraction).floor() > (i * fraction).floor() {
            validation.push(r);
        } else {
            train.push(r);
        }
    }
    Rows {
        train,
        validation,
        test: split.test.clone(),
    }
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
/// seed, validation fraction, target and dataset (the space is not in it:
/// a record holds its candidate, and genomes are only looked up through
/// their candidate).
pub fn context(cfg: &SearchConfig) -> String {
    format!(
        "fitness={:?} epochs={} seed={} validation={} target={} csv={} split={}",
        cfg.fitness,
        cfg.epochs,
        cfg.seed,
        cfg.validation_fraction,
        cfg.target.name(),
        abs(&cfg.dataset.csv).display(),
        abs(&cfg.dataset.split).display()
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
        let rows = carve(&ds, &split, cfg.validation_fraction);
        for (name, r) in [
            ("dataset.split.train", &rows.train),
            ("validation_fraction", &rows.validation),
            ("dataset.split.test", &rows.test),
        ] {
            if r.is_empty() {
                return Err(SearchError::field(name, "leaves 0 rows (needs 1..)"));
            }
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

    /// The validation images encoded with `enc` for `t` steps.
    pub fn validation_lanes(
        &self,
        enc: convert::encode::Encoder,
        t: usize,
    ) -> Vec<Vec<golden_model::LaneVec>> {
        self.rows
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

    fn selection_split(&self) -> Split {
        Split {
            train: self.rows.train.clone(),
            test: self.rows.validation.clone(),
            description: "search training rows / validation rows".into(),
        }
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
        let split = self.selection_split();
        r.scored = match self.fitness {
            Fitness::Trained => evaluate::trained(c, &self.ds, &split, &self.options).map(|t| {
                r.validation_error = Some(t.test_error);
                r.float_validation_error = Some(t.float_test_error);
                (t.test_error, t.network)
            }),
            Fitness::Rdm => {
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
        assert_eq!(r.validation, vec![8, 9, 18, 19]);
        assert_eq!(r.train.len(), 16);
    }
}
