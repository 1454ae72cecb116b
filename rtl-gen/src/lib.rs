//! rtl-gen: synthesizable Verilog-2005 for the snnrtl spiking core.
//!
//! Verilog is built as a small typed AST ([`verilog::ast`]) and written by one
//! printer ([`verilog::print`]); no module is string-templated. Widths come from
//! the golden model's derivation functions (`golden_model::widths`).

pub mod tools;
pub mod verilog;
