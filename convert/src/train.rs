//! A deterministic, seeded trainer for the fully connected ReLU MLPs the
//! conversion takes, so a design search can train its own candidates
//! without Python.
//!
//! It follows scikit-learn's `MLPClassifier(solver="adam")`, which trained the
//! shipped examples:
//!
//! - input `x = pixel / max_value`; ReLU between layers, softmax
//!   cross-entropy on the logits;
//! - initialisation ([`Init`]): Glorot uniform like scikit-learn (weights
//!   *and* biases uniform in `+-sqrt(6 / (fan_in + fan_out))`), or He
//!   uniform (`+-sqrt(6 / fan_in)`, biases 0);
//! - Adam (lr 1e-3, betas 0.9 / 0.999, eps 1e-8, scikit-learn's
//!   bias-corrected step size), minibatches of `batch` images in an order
//!   reshuffled every epoch;
//! - L2 like scikit-learn: the loss adds `alpha / 2 * sum(W^2) / batch_len`,
//!   so a weight's gradient gains `alpha * w / batch_len` (biases are not
//!   penalised);
//! - a fixed number of epochs (no early stopping).
//!
//! Everything is f64 on one thread, and every random number comes from one
//! [`SplitMix64`] stream seeded with `seed`, so a seed gives bit-identical
//! weights run after run (across machines too, as far as their `exp` of
//! the softmax rounds alike; everything else is +, * and sqrt).

use crate::dataset::Dataset;
use crate::error::ConvertError;
use crate::mlp::{Dense, Mlp};
use golden_model::rng::SplitMix64;

/// How the first weights are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// scikit-learn's: weights and biases uniform in
    /// `+-sqrt(6 / (fan_in + fan_out))`.
    GlorotUniform,
    /// Weights uniform in `+-sqrt(6 / fan_in)` (variance `2 / fan_in`),
    /// biases 0.
    HeUniform,
}

/// Training hyper-parameters. [`TrainConfig::new`] gives scikit-learn's
/// defaults for the given hidden widths.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Hidden-layer widths, input side first (inputs and classes come from
    /// the dataset).
    pub hidden: Vec<usize>,
    pub epochs: usize,
    /// Minibatch size; the last batch of an epoch may be smaller.
    pub batch: usize,
    pub learning_rate: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    /// L2 strength (scikit-learn's `alpha`).
    pub alpha: f64,
    pub init: Init,
    pub seed: u64,
}

/// Accepted `epochs`.
pub const EPOCHS: (usize, usize) = (1, 100_000);
/// Accepted hidden-layer width.
pub const WIDTH: (usize, usize) = (1, 4096);

impl TrainConfig {
    /// scikit-learn's defaults (batch 200, lr 1e-3, alpha 1e-4, Glorot
    /// uniform) with `epochs` and `seed`.
    pub fn new(hidden: Vec<usize>, epochs: usize, seed: u64) -> TrainConfig {
        TrainConfig {
            hidden,
            epochs,
            batch: 200,
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            alpha: 1e-4,
            init: Init::GlorotUniform,
            seed,
        }
    }

    /// One-line errors naming the field and its accepted range.
    pub fn check(&self) -> Result<(), ConvertError> {
        for (k, &w) in self.hidden.iter().enumerate() {
            if !(WIDTH.0..=WIDTH.1).contains(&w) {
                return Err(ConvertError::field(
                    format!("train.hidden[{k}]"),
                    format!("{w} is not in {}..={}", WIDTH.0, WIDTH.1),
                ));
            }
        }
        if !(EPOCHS.0..=EPOCHS.1).contains(&self.epochs) {
            return Err(ConvertError::field(
                "train.epochs",
                format!("{} is not in {}..={}", self.epochs, EPOCHS.0, EPOCHS.1),
            ));
        }
        if self.batch == 0 {
            return Err(ConvertError::field("train.batch", "0 is not in 1.."));
        }
        let positive = [
            ("train.learning_rate", self.learning_rate),
            ("train.epsilon", self.epsilon),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(ConvertError::field(name, format!("{v} is not > 0")));
            }
        }
        for (name, v) in [("train.beta1", self.beta1), ("train.beta2", self.beta2)] {
            if !(0.0..1.0).contains(&v) {
                return Err(ConvertError::field(name, format!("{v} is not in [0, 1)")));
            }
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(ConvertError::field(
                "train.alpha",
                format!("{} is not >= 0", self.alpha),
            ));
        }
        Ok(())
    }
}

/// Uniform in `[0, 1)` with 53 random bits.
fn unit(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform in `[-bound, bound)`.
fn symmetric(rng: &mut SplitMix64, bound: f64) -> f64 {
    (2.0 * unit(rng) - 1.0) * bound
}

/// An untrained MLP `inputs - hidden... - outputs`, drawn from `rng`
/// layer by layer, weights row by row, then the layer's biases.
pub fn init_with(
    inputs: usize,
    hidden: &[usize],
    outputs: usize,
    init: Init,
    rng: &mut SplitMix64,
) -> Mlp {
    let mut widths = vec![inputs];
    widths.extend_from_slice(hidden);
    widths.push(outputs);
    let layers = widths
        .windows(2)
        .map(|io| {
            let (fan_in, fan_out) = (io[0], io[1]);
            let (wb, bb) = match init {
                Init::GlorotUniform => {
                    let b = (6.0 / (fan_in + fan_out) as f64).sqrt();
                    (b, b)
                }
                Init::HeUniform => ((6.0 / fan_in as f64).sqrt(), 0.0),
            };
            let w = (0..fan_out)
                .map(|_| (0..fan_in).map(|_| symmetric(rng, wb)).collect())
                .collect();
            let b = (0..fan_out)
                .map(|_| if bb > 0.0 { symmetric(rng, bb) } else { 0.0 })
                .collect();
            Dense { w, b }
        })
        .collect();
    Mlp { layers }
}

/// An untrained MLP for `cfg` (what [`train`] starts from with 0 epochs).
pub fn init(inputs: usize, outputs: usize, cfg: &TrainConfig) -> Mlp {
    init_with(
        inputs,
        &cfg.hidden,
        outputs,
        cfg.init,
        &mut SplitMix64::new(cfg.seed),
    )
}

/// Adam moments of one layer, laid out like the layer.
struct Moments {
    w: Vec<Vec<f64>>,
    b: Vec<f64>,
}

impl Moments {
    fn zeros(d: &Dense) -> Moments {
        Moments {
            w: vec![vec![0.0; d.inputs()]; d.outputs()],
            b: vec![0.0; d.outputs()],
        }
    }
}

/// Trains an MLP on the images `train` of `ds` (labels must be below
/// `ds.classes`). The result has `ds.pixels()` inputs and `ds.classes`
/// outputs.
pub fn train(ds: &Dataset, train: &[usize], cfg: &TrainConfig) -> Result<Mlp, ConvertError> {
    cfg.check()?;
    if train.is_empty() {
        return Err(ConvertError::field("train.images", "0 is not in 1.."));
    }
    let mut rng = SplitMix64::new(cfg.seed);
    let mut mlp = init_with(ds.pixels(), &cfg.hidden, ds.classes, cfg.init, &mut rng);
    let xs: Vec<Vec<f64>> = train.iter().map(|&i| ds.float_image(i)).collect();
    let ys: Vec<usize> = train.iter().map(|&i| ds.labels[i]).collect();
    let mut m: Vec<Moments> = mlp.layers.iter().map(Moments::zeros).collect();
    let mut v: Vec<Moments> = mlp.layers.iter().map(Moments::zeros).collect();
    let mut grad: Vec<Moments> = mlp.layers.iter().map(Moments::zeros).collect();
    let mut order: Vec<usize> = (0..xs.len()).collect();
    let mut step = 0i32;
    for _ in 0..cfg.epochs {
        // Fisher-Yates with the one stream.
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for batch in order.chunks(cfg.batch) {
            grad.iter_mut().for_each(|g| {
                g.w.iter_mut().flatten().for_each(|x| *x = 0.0);
                g.b.iter_mut().for_each(|x| *x = 0.0);
            });
            for &s in batch {
                accumulate(&mlp, &xs[s], ys[s], &mut grad);
            }
            step += 1;
            let n = batch.len() as f64;
            let lr = cfg.learning_rate * (1.0 - cfg.beta2.powi(step)).sqrt()
                / (1.0 - cfg.beta1.powi(step));
            let adam = |p: &mut f64, g: f64, m: &mut f64, v: &mut f64| {
                *m = cfg.beta1 * *m + (1.0 - cfg.beta1) * g;
                *v = cfg.beta2 * *v + (1.0 - cfg.beta2) * g * g;
                *p -= lr * *m / (v.sqrt() + cfg.epsilon);
            };
            for (l, layer) in mlp.layers.iter_mut().enumerate() {
                for (o, row) in layer.w.iter_mut().enumerate() {
                    for (i, w) in row.iter_mut().enumerate() {
                        let g = (grad[l].w[o][i] + cfg.alpha * *w) / n;
                        adam(w, g, &mut m[l].w[o][i], &mut v[l].w[o][i]);
                    }
                }
                for (o, b) in layer.b.iter_mut().enumerate() {
                    adam(b, grad[l].b[o] / n, &mut m[l].b[o], &mut v[l].b[o]);
                }
            }
        }
    }
    Ok(mlp)
}

/// Adds one sample's cross-entropy gradient (summed, not averaged) to `grad`.
fn accumulate(mlp: &Mlp, x: &[f64], y: usize, grad: &mut [Moments]) {
    let acts = mlp.activations(x);
    let logits = acts.last().expect("at least one layer");
    let top = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = logits.iter().map(|z| (z - top).exp()).collect();
    let sum: f64 = e.iter().sum();
    // dL/dz of the softmax cross-entropy: p - onehot(y).
    let mut delta: Vec<f64> = e.iter().map(|e| e / sum).collect();
    delta[y] -= 1.0;
    for l in (0..mlp.layers.len()).rev() {
        let input: &[f64] = if l == 0 { x } else { &acts[l - 1] };
        for (o, &d) in delta.iter().enumerate() {
            if d == 0.0 {
                continue;
            }
            grad[l].b[o] += d;
            grad[l].w[o]
                .iter_mut()
                .zip(input)
                .for_each(|(g, &a)| *g += d * a);
        }
        if l > 0 {
            // Back through W, then through the ReLU of layer l-1.
            let w = &mlp.layers[l].w;
            delta = (0..input.len())
                .map(|i| {
                    if input[i] > 0.0 {
                        w.iter().zip(&delta).map(|(r, &d)| r[i] * d).sum()
                    } else {
                        0.0
                    }
                })
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xor_dataset() -> Dataset {
        Dataset {
            images: vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]],
            labels: vec![0, 1, 1, 0],
            max_value: 1,
            classes: 2,
        }
    }

    #[test]
    fn learns_xor() {
        let ds = xor_dataset();
        let mut cfg = TrainConfig::new(vec![8], 2000, 3);
        cfg.learning_rate = 1e-2;
        let mlp = train(&ds, &[0, 1, 2, 3], &cfg).unwrap();
        for i in 0..4 {
            assert_eq!(mlp.predict(&ds.float_image(i)), ds.labels[i], "image {i}");
        }
    }

    #[test]
    fn glorot_bounds_hold() {
        let cfg = TrainConfig::new(vec![16, 8], 1, 9);
        let mlp = init(64, 10, &cfg);
        let shapes: Vec<(usize, usize)> = mlp
            .layers
            .iter()
            .map(|d| (d.outputs(), d.inputs()))
            .collect();
        assert_eq!(shapes, vec![(16, 64), (8, 16), (10, 8)]);
        let b0 = (6.0f64 / 80.0).sqrt();
        assert!(mlp.layers[0].w.iter().flatten().all(|w| w.abs() <= b0));
        // The draw is spread, not stuck near 0.
        let big = mlp.layers[0]
            .w
            .iter()
            .flatten()
            .filter(|w| w.abs() > b0 / 2.0)
            .count();
        assert!(big > 16 * 64 / 3, "{big}");
        let he = init_with(64, &[16], 10, Init::HeUniform, &mut SplitMix64::new(1));
        assert!(he.layers[0].b.iter().all(|&b| b == 0.0));
    }

    #[test]
    fn bad_settings_name_their_field() {
        let ds = xor_dataset();
        let e = train(&ds, &[0], &TrainConfig::new(vec![0], 1, 0)).unwrap_err();
        assert_eq!(e.to_string(), "train.hidden[0]: 0 is not in 1..=4096");
        let e = train(&ds, &[0], &TrainConfig::new(vec![4], 0, 0)).unwrap_err();
        assert_eq!(e.to_string(), "train.epochs: 0 is not in 1..=100000");
        let e = train(&ds, &[], &TrainConfig::new(vec![4], 1, 0)).unwrap_err();
        assert_eq!(e.field_path(), Some("train.images"));
    }
}
