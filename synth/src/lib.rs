//! synth: what a generated core costs in hardware. rtl-gen generates;
//! this crate estimates and measures.
//!
//! Runs Yosys (and nextpnr-ice40) on the core `rtl_gen` generates for a
//! layer and reports cells by type and by module, the prediction of
//! [`estimate`] (from the layer config alone) beside the measurement, the
//! PE array's efficiency, whether the design fits the part, and Fmax and
//! utilisation after place and route. Numbers come from the tools' JSON
//! only (`stat -json`, nextpnr's `--report`). [`constraints`] writes the
//! clock (and board pin) constraints; [`sweep`] runs a grid of
//! configurations in parallel and [`svg`] charts it.

pub mod cells;
pub mod constraints;
pub mod error;
pub mod estimate;
pub mod flow;
pub mod folded;
pub mod group;
pub mod network;
pub mod nextpnr;
pub mod outcome;
pub mod pnr;
pub mod report;
pub mod svg;
pub mod sweep;
pub mod target;
pub mod wrap;
pub mod yosys;

pub use error::SynthError;
pub use flow::{find_tools, synthesize, Options, Tools, Top};
pub use group::Group;
pub use outcome::{PnrStatus, Verdict};
pub use report::{Report, FORMAT_VERSION};
pub use target::Target;
