//! golden-model: the bit-exact integer reference of the snnrtl spiking core.
//!
//! Plain integer Rust, no floats, no dependency on the other crates. It
//! implements `docs/SPEC.md`: ternary lanes (section 2), synapses
//! (section 3), the neurons `if`, `lif`, `tmn`, `psn`, `masked_psn`, `sliding_psn`
//! (section 4), case files (section 5) and derived widths (section 6).
//! The RTL generator reads the same config type and width functions.

pub mod case;
pub mod config;
pub mod error;
pub mod json_path;
pub mod lanes;
pub mod layer;
pub mod network;
pub mod neuron;
pub mod rng;
pub mod synapse;
pub mod vectors;
pub mod widths;

pub use case::{results_to_json, Case, Sample};
pub use config::{LayerConfig, Neuron, Reset, Widths};
pub use error::ConfigError;
pub use lanes::LaneVec;
pub use layer::{Flags, Layer, SampleResult};
pub use network::{argmax, readout, NetworkConfig, NetworkRunner};
