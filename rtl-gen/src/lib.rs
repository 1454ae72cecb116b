//! rtl-gen: synthesizable Verilog-2005 for the snnrtl spiking core.
//!
//! Verilog is built as a small typed AST ([`verilog::ast`]) and written by one
//! printer ([`verilog::print`]); no module is string-templated. Widths come from
//! the golden model's derivation functions (`golden_model::widths`). One file
//! per hardware module: [`pe`], [`array`], [`if_unit`], [`tmn`], [`psn`],
//! [`core`], [`elm`] under [`elm_core`] (or, folded, under
//! [`elm_folded`]'s one time-multiplexed accumulator); [`generate`] assembles them with headers and a manifest;
//! [`network`] chains one core per layer under `snn_network`; [`folded`] is
//! the folded engine `snn_folded`; [`arch`] puts both behind one interface.

pub mod arch;
pub mod array;
pub mod cfg_map;
pub mod core;
pub mod elm;
pub mod elm_core;
pub mod elm_folded;
pub mod folded;
pub mod generate;
pub mod if_unit;
pub mod membrane;
pub mod network;
pub mod pe;
pub mod psn;
pub mod tmn;
pub mod unit;
pub mod verilog;

pub use generate::{generate, Design};
pub use network::generate_network;
