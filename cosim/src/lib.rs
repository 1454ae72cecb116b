//! cosim: co-simulation of generated cores against the golden model.
//!
//! - [`verilator`] compiles any design at run time into a cached shared
//!   library; [`bridge`] is the `cxx` bridge to the C++ loader that drives it
//!   many cycles per call; [`run`] streams samples through it and compares
//!   every output with the golden model, naming the first divergence;
//!   [`elm`] does the same for an elm layer's core (readout and memory).
//! - [`network`]: the same for a chain of layers (`snn_network`), checking
//!   every link between layers through the taps, and the predicted class.
//! - [`folded`]: the folded engine (`snn_folded`): every neuron's spike on
//!   every step of every layer, the readouts and the class, and the cycles
//!   per image.
//! - [`stimulus`] and [`icarus`]: the same check on the second simulator,
//!   through `testbenches/tb_core.v`.

pub mod bridge;
pub mod elm;
pub mod folded;
pub mod icarus;
pub mod network;
pub mod run;
pub mod samples;
pub mod stimulus;
pub mod verilator;

/// Why a co-simulation could not run (a divergence is not an error: see
/// [`run::Outcome`]).
#[derive(Debug, thiserror::Error)]
pub enum CosimError {
    #[error(transparent)]
    Tool(#[from] snn_tools::ToolError),
    #[error("{step} failed:\n{log}")]
    Build { step: String, log: String },
    #[error("loading the design library: {0}")]
    Load(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Protocol(String),
}
