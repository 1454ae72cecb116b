//! snn-search: the pieces of `snnrtl search`, a hardware-aware evolutionary
//! design search (in the spirit of MSE-NAS, arXiv 2304.10749) over
//! integer spiking MLPs.
//!
//! - [`nsga2`]: NSGA-II on integer genomes, generic over the evaluation;
//! - [`genome`]: the design genes and the typed candidate they decode to
//!   (unrolled, or the folded engine `snn_folded` with its parallelism P);
//! - [`rdm`]: the training-free spike-pattern score;
//! - [`evaluate`]: a candidate trained (or only initialised), converted and
//!   scored on a dataset;
//! - [`stats`]: Kendall's tau, to compare the two scores;
//! - [`config`]: `SEARCH.json` and the searched space;
//! - [`hardware`]: logic cells and µs per image from the estimate (folded:
//!   `synth::folded::estimate` and the engine's schedule model on the
//!   validation images' spikes);
//! - [`objectives`]: the three objectives and the checkpoint record;
//! - [`jobs`]: the run with its checkpoint, job-list export and collection;
//! - [`outputs`]: the front's final training on all training rows and its
//!   test scores, `pareto.*`, the chosen flow.

pub mod config;
pub mod error;
pub mod evaluate;
pub mod genome;
pub mod hardware;
pub mod jobs;
pub mod nsga2;
pub mod objectives;
pub mod outputs;
pub mod rdm;
pub mod stats;

pub use error::SearchError;
