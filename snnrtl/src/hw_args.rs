//! `--architecture` and `--parallelism`, shared by `generate`, `cosim` and
//! `synth`: which hardware a layer or network file becomes. Checked before
//! anything is written or run; each bad value is one line naming the option.

use crate::cmd_generate::Input;
use anyhow::{anyhow, bail, Result};
use golden_model::{LayerConfig, NetworkConfig, Neuron};
use rtl_gen::arch::Architecture;
use rtl_gen::folded::plan::{self, FoldedPlan};

#[derive(clap::Args, Debug, Clone)]
pub struct HwArgs {
    /// unrolled (one PE per synapse: snn_core / snn_network) or folded (snn_folded: P time-multiplexed PEs, weights in block RAM; an elm layer: its snn_core with one synapse accumulator, P = 1)
    #[arg(long, default_value = "unrolled")]
    pub architecture: String,
    /// The folded engine's P, 1..=the widest layer's outputs (default: 8, or the widest layer if smaller); an elm layer: 1
    #[arg(long, value_name = "P")]
    pub parallelism: Option<usize>,
}

/// What the options ask for.
pub enum Hardware {
    Unrolled,
    /// The network (a layer file becomes a one-layer network) and its plan.
    Folded(NetworkConfig, FoldedPlan),
    /// An elm layer's core with its synapses folded onto one accumulator
    /// (`rtl_gen::elm_folded`, `Architecture::FoldedElm`).
    FoldedElm(LayerConfig),
}

impl Hardware {
    /// The architecture of a layer file's own core (`snn_core`), if it has
    /// one: unrolled, or the folded elm core.
    pub fn layer_architecture(&self) -> Option<Architecture> {
        match self {
            Hardware::Unrolled => Some(Architecture::Unrolled),
            Hardware::FoldedElm(_) => Some(Architecture::FoldedElm),
            Hardware::Folded(..) => None,
        }
    }
}

impl HwArgs {
    /// Checks the options against the input.
    pub fn resolve(&self, input: &Input) -> Result<Hardware> {
        match self.architecture.as_str() {
            "unrolled" => {
                if self.parallelism.is_some() {
                    bail!("--parallelism: only with --architecture folded");
                }
                Ok(Hardware::Unrolled)
            }
            "folded" => {
                if let Input::Layer(_, cfg) = input {
                    if matches!(cfg.neuron, Neuron::Elm(_)) {
                        let p = self.parallelism.unwrap_or(1);
                        rtl_gen::elm_folded::check_parallelism(p, "")
                            .map_err(|e| anyhow!("--{e}"))?;
                        return Ok(Hardware::FoldedElm(cfg.clone()));
                    }
                }
                let net = match input {
                    Input::Network(n) => n.clone(),
                    Input::Layer(_, cfg) => NetworkConfig::new(vec![cfg.clone()], "network")
                        .map_err(|e| anyhow!("{e}"))?,
                };
                let widest = net.layers.iter().map(|l| l.outputs).max().unwrap_or(1);
                let p = self.parallelism.unwrap_or(8.min(widest));
                plan::check(&net, p, "").map_err(|e| {
                    if e.starts_with("parallelism") {
                        anyhow!("--{e}")
                    } else {
                        anyhow!("--architecture folded: {e}")
                    }
                })?;
                let plan = FoldedPlan::new(&net, p, None);
                Ok(Hardware::Folded(net, plan))
            }
            other => bail!("--architecture: {other:?} is not accepted: unrolled or folded"),
        }
    }
}
