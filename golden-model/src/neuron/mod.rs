//! The neurons of SPEC section 4, one file each. Every function takes one
//! neuron's current trace `c[t]` (bias already applied as the neuron kind
//! says) and the width of its state register, and returns its [`Trace`].

pub mod elm;
pub mod if_neuron;
pub mod psn;
pub mod tmn;

use crate::config::{LayerConfig, Neuron};

/// What one neuron did over one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// `s[t]` in {-1, 0, +1}.
    pub spikes: Vec<i8>,
    /// `u` after reset (if, tmn) or `H` (psn family), after saturation.
    pub state: Vec<i64>,
    /// The state register saturated on some step (only possible when the
    /// user forced a width narrower than the derived one).
    pub overflow: bool,
}

/// Whether the bias is added at step `t` for this neuron kind: every step,
/// except for TMN where it enters once, at t = 0 (it then carries weight
/// 2^(T-1) through the momentum).
pub fn bias_applies(neuron: &Neuron, t: usize) -> bool {
    !matches!(neuron, Neuron::Tmn { .. }) || t == 0
}

/// Runs the layer's neuron on one neuron's applied-current trace.
///
/// Panics if the state overflows at the derived width: SPEC section 6 makes
/// that impossible, so it would be a bug in the derivation.
pub fn run(cfg: &LayerConfig, currents: &[i64]) -> Trace {
    let w = cfg.widths();
    let trace = match &cfg.neuron {
        Neuron::If { vth, reset } => if_neuron::run(*vth, 0, *reset, currents, w.state_bits),
        Neuron::Lif {
            vth,
            leak_shift,
            reset,
        } => if_neuron::run(*vth, *leak_shift, *reset, currents, w.state_bits),
        Neuron::Tmn { vth } => tmn::run(*vth, currents, w.state_bits),
        Neuron::Psn {
            weights,
            thresholds,
        } => psn::run_full(weights, thresholds, currents, w.state_bits),
        Neuron::MaskedPsn {
            k,
            weights,
            thresholds,
        } => psn::run_masked(*k, weights, thresholds, currents, w.state_bits),
        Neuron::SlidingPsn {
            k,
            weights,
            threshold,
        } => psn::run_sliding(*k, weights, *threshold, currents, w.state_bits),
        Neuron::Elm(_) => panic!("elm is one model over all branches: Layer::run_currents runs it"),
    };
    assert!(
        !(trace.overflow && cfg.forced_state_bits.is_none()),
        "golden model bug: {} state overflowed its derived width of {} bits (SPEC section 6)",
        cfg.neuron.kind(),
        w.derived_state_bits
    );
    trace
}
