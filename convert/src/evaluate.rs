//! Accuracy of the float ANN, the quantised ANN and the golden-model SNN on a
//! set of images. Images are split over the machine's cores; results do not
//! depend on the split.

use crate::dataset::Dataset;
use crate::encode::Encoder;
use crate::mlp::Mlp;
use crate::quantise::float_readout;
use golden_model::{argmax, NetworkConfig};

/// Correct predictions out of a total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Score {
    pub correct: usize,
    pub total: usize,
}

impl Score {
    pub fn percent(&self) -> f64 {
        100.0 * self.correct as f64 / self.total.max(1) as f64
    }

    fn of(preds: &[usize], ds: &Dataset, idx: &[usize]) -> Score {
        Score {
            correct: preds
                .iter()
                .zip(idx)
                .filter(|(&p, &i)| p == ds.labels[i])
                .count(),
            total: idx.len(),
        }
    }
}

fn par_map<F: Fn(usize) -> usize + Sync>(idx: &[usize], f: F) -> Vec<usize> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let chunk = idx.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = idx
            .chunks(chunk)
            .map(|c| {
                let f = &f;
                s.spawn(move || c.iter().map(|&i| f(i)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("evaluation thread"))
            .collect()
    })
}

/// The float ANN's predictions.
pub fn float_predictions(mlp: &Mlp, ds: &Dataset, idx: &[usize]) -> Vec<usize> {
    par_map(idx, |i| mlp.predict(&ds.float_image(i)))
}

pub fn float_score(mlp: &Mlp, ds: &Dataset, idx: &[usize]) -> Score {
    Score::of(&float_predictions(mlp, ds, idx), ds, idx)
}

/// The quantised network in floats with the SNN's clipping (T -> infinity).
pub fn quantised_score(net: &NetworkConfig, ds: &Dataset, idx: &[usize]) -> Score {
    let preds = par_map(idx, |i| argmax(&float_readout(net, &ds.float_image(i))));
    Score::of(&preds, ds, idx)
}

/// The golden model's predictions (argmax of the last layer's readout).
pub fn snn_predictions(
    net: &NetworkConfig,
    enc: Encoder,
    ds: &Dataset,
    idx: &[usize],
) -> Vec<usize> {
    let runner = net.runner();
    let t = net.timesteps();
    par_map(idx, |i| {
        runner.classify(&enc.lanes(&ds.images[i], ds.max_value, t, i))
    })
}

pub fn snn_score(net: &NetworkConfig, enc: Encoder, ds: &Dataset, idx: &[usize]) -> Score {
    Score::of(&snn_predictions(net, enc, ds, idx), ds, idx)
}
