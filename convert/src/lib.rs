//! convert: ANN to SNN conversion, the offline step where floats end.
//!
//! Trained float weights come in (safetensors or `.npy`, PyTorch `Linear`
//! layout `[out][in]`); data-based normalisation, the optional L4-norm
//! adjustment and quantisation turn them into the integer network file that
//! the golden model and the RTL both read. docs/conversion.md states every
//! rule exactly.

pub mod dataset;
pub mod encode;
pub mod error;
pub mod evaluate;
pub mod flow_config;
pub mod mlp;
pub mod quantise;
pub mod tensors;
pub mod train;

pub use error::ConvertError;
