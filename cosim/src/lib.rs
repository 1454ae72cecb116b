//! cosim: Verilator co-simulation of generated cores against the golden model.
//!
//! This crate is the home of the Verilator runner and the `cxx` bridge
//! (issue "cosim"); it holds no code yet.
