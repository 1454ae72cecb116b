//! The hardware architectures a network can become, behind one interface:
//! the unrolled array (`snn_network`, one PE per synapse, one timestep
//! vector per cycle) and the folded engine (`snn_folded`, P time-multiplexed
//! PEs, weights in block RAM or SPRAM). The golden model's `LayerConfig`
//! knows nothing of either.

use crate::folded::plan::FoldedPlan;
use crate::Design;
use golden_model::NetworkConfig;

/// One way to build a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Architecture {
    Unrolled,
    Folded(FoldedPlan),
}

impl Architecture {
    /// `unrolled` or `folded P=8`.
    pub fn name(&self) -> String {
        match self {
            Architecture::Unrolled => "unrolled".into(),
            Architecture::Folded(p) => format!("folded P={}", p.p),
        }
    }

    /// The top module.
    pub fn top(&self) -> &'static str {
        match self {
            Architecture::Unrolled => crate::network::TOP,
            Architecture::Folded(_) => "snn_folded",
        }
    }

    /// Every file of the design and its manifest.
    pub fn design(&self, net: &NetworkConfig) -> Design {
        match self {
            Architecture::Unrolled => crate::generate_network(net),
            Architecture::Folded(plan) => crate::folded::generate(net, plan),
        }
    }

    /// Cycles one sample takes without stalls: the unrolled network's
    /// sample latency, or the folded engine's schedule model over the
    /// sample's per-layer input spikes (`inputs[l][t]`).
    pub fn cycles_per_sample(&self, net: &NetworkConfig, inputs: &[Vec<Vec<i8>>]) -> u64 {
        match self {
            Architecture::Unrolled => crate::network::sample_latency(net) as u64,
            Architecture::Folded(plan) => plan.cycles_model(inputs),
        }
    }
}
