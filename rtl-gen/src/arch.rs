//! The hardware architectures a network can become, behind one interface:
//! the unrolled array (`snn_network`, one PE per synapse, one timestep
//! vector per cycle) and the folded engine (`snn_folded`, P time-multiplexed
//! PEs, weights in block RAM or SPRAM); for an `elm` layer, folded means
//! the elm core with its synapses on one time-multiplexed accumulator
//! (`crate::elm_folded`). The golden model's `LayerConfig` knows nothing of
//! any of them.

use crate::folded::plan::FoldedPlan;
use crate::verilog::ast::Module;
use crate::Design;
use golden_model::{LayerConfig, NetworkConfig, Neuron};

/// One way to build a network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Architecture {
    Unrolled,
    Folded(FoldedPlan),
    /// An `elm` layer's `snn_core` with the array replaced by one ternary
    /// accumulator walking the weights in block RAM (`crate::elm_folded`);
    /// the network is that one layer.
    FoldedElm,
}

impl Architecture {
    /// `unrolled` or `folded P=8`.
    pub fn name(&self) -> String {
        match self {
            Architecture::Unrolled => "unrolled".into(),
            Architecture::Folded(p) => format!("folded P={}", p.p),
            Architecture::FoldedElm => "folded elm P=1".into(),
        }
    }

    /// The top module.
    pub fn top(&self) -> &'static str {
        match self {
            Architecture::Unrolled => crate::network::TOP,
            Architecture::Folded(_) => "snn_folded",
            Architecture::FoldedElm => "snn_core",
        }
    }

    /// Every file of the design and its manifest.
    pub fn design(&self, net: &NetworkConfig) -> Design {
        match self {
            Architecture::Unrolled => crate::generate_network(net),
            Architecture::Folded(plan) => crate::folded::generate(net, plan),
            Architecture::FoldedElm => crate::elm_folded::design(only_elm(net)),
        }
    }

    /// Cycles one sample takes without stalls: the unrolled network's
    /// sample latency, or the folded engine's schedule model over the
    /// sample's per-layer input spikes (`inputs[l][t]`).
    pub fn cycles_per_sample(&self, net: &NetworkConfig, inputs: &[Vec<Vec<i8>>]) -> u64 {
        match self {
            Architecture::Unrolled => crate::network::sample_latency(net) as u64,
            Architecture::Folded(plan) => plan.cycles_model(inputs),
            Architecture::FoldedElm => {
                let cfg = only_elm(net);
                (crate::elm_folded::cycles_per_step(cfg) * cfg.timesteps) as u64
            }
        }
    }

    /// A layer file's core and its modules (top last): the unrolled
    /// `snn_core` (the array under the layer's unit, or the elm core), or
    /// the folded elm core. The folded engine takes a network: panics.
    pub fn layer_core(&self, cfg: &LayerConfig) -> (Design, Vec<Module>) {
        match self {
            Architecture::Unrolled => (crate::generate(cfg), crate::generate::modules(cfg)),
            Architecture::FoldedElm => (
                crate::elm_folded::design(cfg),
                crate::elm_folded::modules(cfg),
            ),
            Architecture::Folded(_) => {
                panic!("the folded engine is generated from a network (Architecture::design)")
            }
        }
    }
}

/// The one elm layer of a [`Architecture::FoldedElm`] network.
fn only_elm(net: &NetworkConfig) -> &LayerConfig {
    assert!(
        net.layers.len() == 1 && matches!(net.layers[0].neuron, Neuron::Elm(_)),
        "the folded elm core takes one elm layer"
    );
    &net.layers[0]
}
