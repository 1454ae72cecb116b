//! Integer network to NIR at dt = 1: `Input`, then per layer an `Affine`
//! (weights and bias as exact integers) and an `IF` (r = 1) or `LIF`
//! (tau = r = 2^k, v_leak = 0: the Euler decay dt/tau is 2^-k and the gain
//! R*dt/tau is 1), then `Output`. `v_threshold = vth - 1/2`: on an integer
//! membrane `u >= vth` is `u > vth - 1/2`, so IF layers are exact.
//! What NIR cannot express is refused (tmn, the psn family) or written with a
//! warning (the floor of the shift leak; reset by subtraction).

use crate::error::NirError;
use crate::graph::{Param, RawGraph, RawNode};
use crate::hdf5_io::WRITTEN_VERSION;
use golden_model::{NetworkConfig, Neuron, Reset};
use std::collections::BTreeMap;

/// The exported graph and one warning line per layer NIR reads differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub graph: RawGraph,
    pub warnings: Vec<String>,
}

fn node(kind: &str, params: Vec<(&str, Param)>) -> RawNode {
    RawNode {
        kind: kind.to_string(),
        params: params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    }
}

/// Maps a network to a NIR graph.
pub fn export(net: &NetworkConfig) -> Result<Exported, NirError> {
    let mut nodes = BTreeMap::new();
    let mut edges = vec![];
    let mut warnings = vec![];
    nodes.insert(
        "input".to_string(),
        node("Input", vec![("shape", Param::ints(&[net.inputs()]))]),
    );
    let mut prev = "input".to_string();
    for (k, l) in net.layers.iter().enumerate() {
        let n = l.outputs;
        let w: Vec<Vec<f64>> = l
            .weights
            .as_ref()
            .expect("network layers have weights")
            .iter()
            .map(|r| r.iter().map(|&x| x as f64).collect())
            .collect();
        let (vth, leak, reset) = match &l.neuron {
            Neuron::If { vth, reset } => (*vth, None, *reset),
            Neuron::Lif {
                vth,
                leak_shift,
                reset,
            } => (*vth, Some(*leak_shift), *reset),
            other => {
                return Err(NirError::new(format!(
                    "network.layers[{k}].neuron.kind: {} has no NIR form; exported kinds: if, lif",
                    other.kind()
                )))
            }
        };
        let fc = format!("fc{k}");
        nodes.insert(
            fc.clone(),
            node(
                "Affine",
                vec![
                    ("weight", Param::matrix(&w)),
                    (
                        "bias",
                        Param::vector(l.bias.iter().map(|&b| b as f64).collect()),
                    ),
                ],
            ),
        );
        let vec_of = |x: f64| Param::vector(vec![x; n]);
        let theta = vec_of(vth as f64 - 0.5);
        let (name, neuron) = match leak {
            None => (
                format!("if{k}"),
                node(
                    "IF",
                    vec![
                        ("r", vec_of(1.0)),
                        ("v_threshold", theta),
                        ("v_reset", vec_of(0.0)),
                    ],
                ),
            ),
            Some(s) => {
                let tau = (s as f64).exp2();
                (
                    format!("lif{k}"),
                    node(
                        "LIF",
                        vec![
                            ("tau", vec_of(tau)),
                            ("r", vec_of(tau)),
                            ("v_leak", vec_of(0.0)),
                            ("v_threshold", theta),
                            ("v_reset", vec_of(0.0)),
                        ],
                    ),
                )
            }
        };
        let mut diffs = vec![];
        if let Some(s) = leak {
            diffs.push(format!(
                "NIR's LIF decays by exactly 2^-{s} and compares a real membrane with v_threshold = vth - 1/2, ours floors u >> {s} (SPEC section 4)"
            ));
        }
        if reset == Reset::Subtract {
            diffs.push(
                "reset by subtraction has no NIR 1.0.6+ form: written v_reset = 0 (import with --reset subtract to get it back)".to_string(),
            );
        }
        if !diffs.is_empty() {
            warnings.push(format!(
                "warning: network.layers[{k}] ({}): {}",
                l.neuron.kind(),
                diffs.join("; ")
            ));
        }
        nodes.insert(name.clone(), neuron);
        edges.push((prev.clone(), fc.clone()));
        edges.push((fc, name.clone()));
        prev = name;
    }
    nodes.insert(
        "output".to_string(),
        node("Output", vec![("shape", Param::ints(&[net.outputs()]))]),
    );
    edges.push((prev, "output".to_string()));
    Ok(Exported {
        graph: RawGraph {
            version: WRITTEN_VERSION.to_string(),
            nodes,
            edges,
        },
        warnings,
    })
}

/// The NIR file's bytes and the warnings.
pub fn export_bytes(net: &NetworkConfig) -> Result<(Vec<u8>, Vec<String>), NirError> {
    let e = export(net)?;
    Ok((crate::hdf5_io::write(&e.graph)?, e.warnings))
}
