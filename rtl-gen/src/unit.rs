//! What every neuron unit shares: its ports (docs/core.md, "Neuron units"),
//! the timestep index width, and which PSN weights a unit reads.

use crate::verilog::ast::Module;
use golden_model::{LayerConfig, Neuron};

/// Bits of a timestep index: max(1, ceil(log2 T)).
pub fn step_bits(timesteps: usize) -> u32 {
    golden_model::widths::clog2(timesteps as u64).max(1)
}

/// Latency of the layer's neuron unit in `en` cycles, from a current
/// arriving (`in_valid`) to its output (`out_valid`); full `psn` counts to
/// its first output after the last current of the sample arrives.
pub fn latency(cfg: &LayerConfig) -> usize {
    match cfg.neuron {
        Neuron::If { .. } | Neuron::Lif { .. } => crate::if_unit::LATENCY,
        Neuron::Tmn { .. } => crate::tmn::LATENCY,
        _ => crate::psn::latency(cfg),
    }
}

/// Where a unit's previous membrane comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateSource {
    /// Its own `out_state` register: one unit per neuron (the unrolled
    /// core), and `bias` is static once configured.
    Loop,
    /// The `in_state` port, given with each current and carried through the
    /// input stages: one unit serves many neurons in turn (the folded
    /// engine), and `bias` is read with each current.
    Port,
}

/// Adds the common neuron-unit ports to `m`, in the documented order
/// (`in_state` only for [`StateSource::Port`]).
pub fn with_unit_ports(m: Module, cfg: &LayerConfig, src: StateSource) -> Module {
    let w = cfg.widths();
    let tw = step_bits(cfg.timesteps);
    let m = m
        .input("clk", 1, false, "clock, rising edge")
        .input("rst", 1, false, "synchronous reset, active high")
        .input("en", 1, false, "advance: registers update only when 1")
        .input("in_valid", 1, false, "a current arrives this cycle")
        .input("in_step", tw, false, "its timestep t")
        .input(
            "in_current",
            w.synaptic_bits,
            true,
            "synaptic current I[t] of this column, no bias",
        )
        .input(
            "bias",
            cfg.weight_bits,
            true,
            match src {
                StateSource::Loop => "bias b of this column",
                StateSource::Port => "bias b of this current's neuron, with in_valid",
            },
        );
    let m = match src {
        StateSource::Loop => m,
        StateSource::Port => m.input(
            "in_state",
            w.state_bits,
            true,
            "the neuron's membrane after the previous step (ignored at step 0), with in_valid",
        ),
    };
    m.output_reg("out_valid", 1, false, "a spike for step out_step")
        .output_reg("out_step", tw, false, "timestep of this output")
        .output_reg("out_spike", 2, false, "lane code: 00 = 0, 01 = +1, 11 = -1")
        .output_reg(
            "out_state",
            w.state_bits,
            true,
            "membrane u after reset (if, tmn) or H[t] (psn family)",
        )
        .output_reg(
            "out_overflow",
            1,
            false,
            "the state register saturated on this step",
        )
}

/// The PSN weights a unit reads, in bus order: `(t, i)` entries of `P` for
/// `psn` (all) and `masked_psn` (the causal band `t-k < i <= t`), or `(0, j)`
/// for the sliding weights `w[j]` that can meet a step (`j >= k - min(k, T)`).
/// Entry `n` sits at bits `[n*PWB +: PWB]` of the unit's `psn_weights` bus;
/// the core keeps one configuration register per entry.
pub fn psn_weight_entries(cfg: &LayerConfig) -> Vec<(usize, usize)> {
    let t_n = cfg.timesteps;
    match &cfg.neuron {
        Neuron::Psn { .. } => (0..t_n)
            .flat_map(|t| (0..t_n).map(move |i| (t, i)))
            .collect(),
        Neuron::MaskedPsn { k, .. } => (0..t_n)
            .flat_map(|t| (0..=t).filter(move |&i| i + k > t).map(move |i| (t, i)))
            .collect(),
        Neuron::SlidingPsn { k, .. } => (k - (*k).min(t_n)..*k).map(|j| (0, j)).collect(),
        _ => vec![],
    }
}

/// Number of PSN thresholds: T (psn, masked_psn), 1 (sliding_psn), 0 otherwise.
pub fn psn_threshold_count(cfg: &LayerConfig) -> usize {
    match &cfg.neuron {
        Neuron::Psn { .. } | Neuron::MaskedPsn { .. } => cfg.timesteps,
        Neuron::SlidingPsn { .. } => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(neuron: serde_json::Value, t: usize) -> LayerConfig {
        let v = json!({"inputs": 2, "outputs": 2, "timesteps": t, "neuron": neuron});
        LayerConfig::from_json(&v, "layer").unwrap()
    }

    #[test]
    fn entries() {
        assert_eq!(step_bits(1), 1);
        assert_eq!(step_bits(8), 3);
        assert_eq!(step_bits(9), 4);
        let m = cfg(
            json!({"kind": "masked_psn", "k": 2, "weights": [[0,0,0],[0,0,0],[0,0,0]], "thresholds": [0,0,0]}),
            3,
        );
        assert_eq!(
            psn_weight_entries(&m),
            vec![(0, 0), (1, 0), (1, 1), (2, 1), (2, 2)]
        );
        let s = cfg(
            json!({"kind": "sliding_psn", "k": 5, "weights": [1,2,3,4,5], "threshold": 0}),
            3,
        );
        assert_eq!(psn_weight_entries(&s), vec![(0, 2), (0, 3), (0, 4)]);
    }
}
