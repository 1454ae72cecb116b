//! snn-nir: NIR (the Neuromorphic Intermediate Representation, 1.0.x) to and
//! from snnrtl's integer network. docs/nir.md states every mapping rule.
//!
//! - [`hdf5_io`]: NIR's HDF5 layout read and written (pure Rust);
//! - [`graph`]: the raw graph (node types, numeric parameters, edges);
//! - [`chain`]: which graphs are supported, and their chain of stages;
//! - [`timestep`]: the time step, given or recovered;
//! - [`import`]: the chain mapped to a [`golden_model::NetworkConfig`];
//! - [`report`]: `import.json` and `import.md`;
//! - [`export`]: a network to NIR.

pub mod chain;
pub mod error;
pub mod export;
pub mod graph;
pub mod hdf5_io;
pub mod import;
pub mod report;
pub mod simulate;
pub mod timestep;

pub use error::NirError;
pub use export::{export, export_bytes, Exported};
pub use import::{import_bytes, ImportOptions, Imported, Integrator};
