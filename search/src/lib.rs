//! snn-search: the pieces of `snnrtl search`, a hardware-aware evolutionary
//! design search (in the spirit of MSE-NAS, arXiv 2304.10749) over
//! integer spiking MLPs.
//!
//! - [`nsga2`]: NSGA-II on integer genomes, generic over the evaluation;
//! - [`genome`]: the design genes and the typed candidate they decode to;
//! - [`rdm`]: the training-free spike-pattern score;
//! - [`evaluate`]: a candidate trained (or only initialised), converted and
//!   scored on a dataset;
//! - [`stats`]: Kendall's tau, to compare the two scores.

pub mod error;
pub mod evaluate;
pub mod genome;
pub mod nsga2;
pub mod rdm;
pub mod stats;

pub use error::SearchError;
