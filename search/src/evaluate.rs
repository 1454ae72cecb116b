//! A candidate on a dataset: trained (or, for the training-free score,
//! only initialised) with `convert::train`, normalised on the training
//! images, quantised for the candidate's kind, T and weight_bits, and run
//! through the golden model.
//!
//! - [`trained`]: the SNN's test error (the fraction of test images
//!   misclassified), with the float MLP's beside it;
//! - [`rdm`]: the spike RDM score of the untrained network on the first
//!   `rdm_images` training images (larger is better; see [`crate::rdm`]).
//!
//! A candidate the conversion cannot build (weights that do not fit its
//! weight_bits, a dead layer) is an error naming the layer; a search maps
//! that to its worst objective.
//!
//! The architecture genes are not used here: they are for the hardware
//! cost.

use crate::error::SearchError;
use crate::genome::{Candidate, NeuronKind};
use crate::rdm;
use convert::dataset::{Dataset, Split};
use convert::encode::Encoder;
use convert::evaluate::{float_score, snn_score};
use convert::mlp::Mlp;
use convert::quantise::{normalise, quantise, Norm};
use convert::train::{self, TrainConfig};
use golden_model::NetworkConfig;

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Training epochs (the digits 64-32-10 reaches the shipped model's
    /// accuracy at 150).
    pub epochs: usize,
    /// Seeds the initialisation and the minibatch order.
    pub seed: u64,
    pub norm: Norm,
    /// The lif hidden layers' leak shift (decay `1 - 2^-k`), 1..=16.
    pub lif_leak_shift: u32,
    /// Input encoder of if and lif networks (tmn always uses the TMN code).
    pub if_encoder: Encoder,
    /// Training images the RDM score runs (the first ones of the split).
    pub rdm_images: usize,
}

impl Default for Options {
    /// 150 epochs, seed 0, the 99.9th percentile (as the digits flow),
    /// lif leak shift 4, the deterministic rate code, 128 RDM images
    /// (NASWOT's batch).
    fn default() -> Self {
        Options {
            epochs: 150,
            seed: 0,
            norm: Norm::Percentile(99.9),
            lif_leak_shift: 4,
            if_encoder: Encoder::Rate,
            rdm_images: 128,
        }
    }
}

/// A trained candidate's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Trained {
    /// Golden-model SNN, test images misclassified, in [0, 1].
    pub test_error: f64,
    /// The float MLP's test error, in [0, 1].
    pub float_test_error: f64,
    pub network: NetworkConfig,
}

/// The encoder of the candidate's inputs.
pub fn encoder(kind: NeuronKind, o: &Options) -> Encoder {
    match kind {
        NeuronKind::Tmn => Encoder::Tmn,
        NeuronKind::If | NeuronKind::Lif => o.if_encoder,
    }
}

fn train_config(c: &Candidate, o: &Options) -> TrainConfig {
    TrainConfig::new(c.hidden.clone(), o.epochs, o.seed)
}

/// The integer network of `mlp` for the candidate, normalised on the
/// images `calib`.
pub fn network(
    c: &Candidate,
    mlp: &Mlp,
    ds: &Dataset,
    calib: &[usize],
    o: &Options,
) -> Result<NetworkConfig, SearchError> {
    c.check()?;
    let xs: Vec<Vec<f64>> = calib.iter().map(|&i| ds.float_image(i)).collect();
    let n = normalise(mlp, &xs, o.norm)?;
    Ok(quantise(
        &n,
        c.kind.convert_kind(o.lif_leak_shift),
        c.weight_bits,
        c.timesteps,
    )?)
}

fn check_split(split: &Split) -> Result<(), SearchError> {
    for (name, v) in [("split.train", &split.train), ("split.test", &split.test)] {
        if v.is_empty() {
            return Err(SearchError::field(name, "0 images is not in 1.."));
        }
    }
    Ok(())
}

/// The candidate trained on the rows `train` and its integer network,
/// normalised on the same rows (what [`trained`] scores; a search keeps the
/// float weights of the design it picks).
pub fn train_and_convert(
    c: &Candidate,
    ds: &Dataset,
    train: &[usize],
    o: &Options,
) -> Result<(Mlp, NetworkConfig), SearchError> {
    c.check()?;
    let mlp = train::train(ds, train, &train_config(c, o))?;
    let net = network(c, &mlp, ds, train, o)?;
    Ok((mlp, net))
}

/// Trains, converts and measures the candidate.
pub fn trained(
    c: &Candidate,
    ds: &Dataset,
    split: &Split,
    o: &Options,
) -> Result<Trained, SearchError> {
    check_split(split)?;
    let (mlp, net) = train_and_convert(c, ds, &split.train, o)?;
    let snn = snn_score(&net, encoder(c.kind, o), ds, &split.test);
    let float = float_score(&mlp, ds, &split.test);
    let error = |s: convert::evaluate::Score| 1.0 - s.correct as f64 / s.total as f64;
    Ok(Trained {
        test_error: error(snn),
        float_test_error: error(float),
        network: net,
    })
}

/// The spike RDM score of the candidate, untrained (larger is better;
/// minus infinity when two images give the same spikes).
pub fn rdm(c: &Candidate, ds: &Dataset, split: &Split, o: &Options) -> Result<f64, SearchError> {
    check_split(split)?;
    c.check()?;
    if o.rdm_images < 2 {
        return Err(SearchError::field(
            "options.rdm_images",
            format!("{} is not in 2..", o.rdm_images),
        ));
    }
    let mlp = train::init(ds.pixels(), ds.classes, &train_config(c, o));
    let net = network(c, &mlp, ds, &split.train, o)?;
    let idx = &split.train[..o.rdm_images.min(split.train.len())];
    let codes = rdm::network_codes(&net, encoder(c.kind, o), ds, idx);
    Ok(rdm::score(&codes))
}
