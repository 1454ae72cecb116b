//! cosim: co-simulation of generated cores against the golden model.
//!
//! [`stimulus`] turns golden-model runs into the stimulus and expected-output
//! words of `testbenches/tb_core.v`; [`icarus`] runs that testbench under
//! Icarus Verilog. The Verilator runner with its `cxx` bridge joins here.

pub mod icarus;
pub mod stimulus;
