//! From a raw NIR graph to the chain this importer maps:
//! `Input -> (Affine|Linear) [-> Scale] -> (IF|LIF) -> ... -> Output`,
//! `Flatten` a no-op on 1-D shapes. Everything else is refused with one
//! line naming the node, its type and what is supported.

use crate::error::NirError;
use crate::graph::{node_path, Param, RawGraph, RawNode};
use std::collections::BTreeMap;

/// The node types the importer maps.
pub const SUPPORTED: &str = "Input, Affine, Linear, Scale, Flatten (1-D), IF, LIF, Output in chains Input -> (Affine|Linear) [-> Scale] -> (IF|LIF) -> ... -> Output";

/// A neuron node's parameters, one value per neuron (scalars broadcast).
#[derive(Debug, Clone, PartialEq)]
pub enum NirNeuron {
    /// `dv/dt = R*I`.
    If { r: Vec<f64>, v_threshold: Vec<f64> },
    /// `tau dv/dt = (v_leak - v) + R*I`.
    Lif {
        tau: Vec<f64>,
        r: Vec<f64>,
        v_leak: Vec<f64>,
        v_threshold: Vec<f64>,
    },
}

impl NirNeuron {
    pub fn type_name(&self) -> &'static str {
        match self {
            NirNeuron::If { .. } => "IF",
            NirNeuron::Lif { .. } => "LIF",
        }
    }
    pub fn v_threshold(&self) -> &[f64] {
        match self {
            NirNeuron::If { v_threshold, .. } | NirNeuron::Lif { v_threshold, .. } => v_threshold,
        }
    }
    pub fn r(&self) -> &[f64] {
        match self {
            NirNeuron::If { r, .. } | NirNeuron::Lif { r, .. } => r,
        }
    }
}

/// One synapse-neuron stage of the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub synapse_node: String,
    /// `"Affine"` or `"Linear"`.
    pub synapse_type: String,
    /// `W[out][in]`.
    pub weight: Vec<Vec<f64>>,
    /// Zeros for `Linear`.
    pub bias: Vec<f64>,
    pub scale_node: Option<String>,
    /// Per output; ones without a `Scale` node.
    pub scale: Vec<f64>,
    pub neuron_node: String,
    pub neuron: NirNeuron,
}

/// The chain, input to output.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub input_node: String,
    pub inputs: usize,
    pub stages: Vec<Stage>,
    /// `Flatten` nodes passed over as no-ops.
    pub flattens: Vec<String>,
    pub output_node: String,
}

fn refuse(name: &str, kind: &str, why: &str) -> NirError {
    NirError::new(format!(
        "{}: {kind} {why}; supported: {SUPPORTED}",
        node_path(name)
    ))
}

/// Validates the graph and extracts its chain.
pub fn extract(g: &RawGraph) -> Result<Chain, NirError> {
    for (name, n) in &g.nodes {
        let ok = matches!(
            n.kind.as_str(),
            "Input" | "Output" | "Affine" | "Linear" | "Scale" | "Flatten" | "IF" | "LIF"
        );
        if !ok {
            return Err(refuse(name, &n.kind, "is not supported"));
        }
    }
    for (k, (a, b)) in g.edges.iter().enumerate() {
        for (end, which) in [(a, "source"), (b, "destination")] {
            if !g.nodes.contains_key(end) {
                return Err(NirError::new(format!(
                    "/node/edges[{k}]: {which} {end:?} is not a node of /node/nodes"
                )));
            }
        }
    }
    if let Some((a, b)) = find_cycle_edge(g) {
        return Err(NirError::new(format!(
            "/node/edges: {a} -> {b} closes a cycle (a recurrent edge); supported: feed-forward chains ({SUPPORTED})"
        )));
    }
    let mut succ: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut pred: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in &g.edges {
        succ.entry(a).or_default().push(b);
        pred.entry(b).or_default().push(a);
    }
    for (name, list) in succ.iter().chain(pred.iter()) {
        if list.len() > 1 {
            return Err(refuse(
                name,
                &g.nodes[*name].kind,
                &format!(
                    "branches ({} edges on one side: {})",
                    list.len(),
                    list.join(", ")
                ),
            ));
        }
    }
    let inputs: Vec<&String> = g
        .nodes
        .iter()
        .filter(|(_, n)| n.kind == "Input")
        .map(|(k, _)| k)
        .collect();
    if inputs.len() != 1 {
        return Err(NirError::new(format!(
            "/node/nodes: {} Input nodes; a chain has exactly one",
            inputs.len()
        )));
    }
    // Walk from the input.
    let mut order: Vec<&str> = vec![inputs[0]];
    while let Some(next) = succ.get(order[order.len() - 1]).and_then(|s| s.first()) {
        order.push(next);
    }
    if let Some(off) = g.nodes.keys().find(|k| !order.contains(&k.as_str())) {
        return Err(refuse(
            off,
            &g.nodes[off].kind,
            &format!("is not on the chain from {}", node_path(inputs[0])),
        ));
    }
    build(g, &order)
}

/// An edge that closes a cycle, if any (depth-first search in name order).
fn find_cycle_edge(g: &RawGraph) -> Option<(String, String)> {
    // 0 = unseen, 1 = on the stack, 2 = done.
    let mut state: BTreeMap<&str, u8> = g.nodes.keys().map(|k| (k.as_str(), 0)).collect();
    fn dfs<'a>(
        v: &'a str,
        g: &'a RawGraph,
        state: &mut BTreeMap<&'a str, u8>,
    ) -> Option<(String, String)> {
        state.insert(v, 1);
        for (a, b) in g.edges.iter().filter(|(a, _)| a == v) {
            match state[b.as_str()] {
                1 => return Some((a.clone(), b.clone())),
                0 => {
                    if let Some(e) = dfs(b, g, state) {
                        return Some(e);
                    }
                }
                _ => {}
            }
        }
        state.insert(v, 2);
        None
    }
    let names: Vec<&str> = g.nodes.keys().map(String::as_str).collect();
    for v in names {
        if state[v] == 0 {
            if let Some(e) = dfs(v, g, &mut state) {
                return Some(e);
            }
        }
    }
    None
}

/// A parameter that must be present.
fn req<'a>(n: &'a RawNode, name: &str, p: &str) -> Result<&'a Param, NirError> {
    n.params.get(p).ok_or_else(|| {
        NirError::new(format!(
            "{}/{p}: missing ({} needs it)",
            node_path(name),
            n.kind
        ))
    })
}

/// A per-neuron vector of length `n` (a scalar or length-1 array broadcasts).
fn per_neuron(node: &RawNode, name: &str, p: &str, n: usize) -> Result<Vec<f64>, NirError> {
    let v = req(node, name, p)?;
    per_neuron_of(v, &format!("{}/{p}", node_path(name)), n)
}

fn per_neuron_of(v: &Param, path: &str, n: usize) -> Result<Vec<f64>, NirError> {
    let vals = match v.data.len() {
        1 => vec![v.data[0]; n],
        len if len == n && v.shape.len() <= 1 => v.data.clone(),
        _ => {
            return Err(NirError::new(format!(
            "{path}: shape {:?} does not chain: expected ({n},), one value per neuron of the layer",
            v.shape
        )))
        }
    };
    if let Some(x) = vals.iter().find(|x| !x.is_finite()) {
        return Err(NirError::new(format!("{path}: {x} is not a finite number")));
    }
    Ok(vals)
}

/// The 1-D size of an Input/Output/Flatten shape parameter.
fn one_d(node: &RawNode, name: &str, keys: &[&str]) -> Result<Option<usize>, NirError> {
    let Some((k, p)) = keys
        .iter()
        .find_map(|k| node.params.get(*k).map(|p| (k, p)))
    else {
        return Ok(None);
    };
    let dims: Vec<usize> = p.data.iter().map(|&d| d as usize).collect();
    let nontrivial: Vec<usize> = dims.iter().copied().filter(|&d| d != 1).collect();
    if nontrivial.len() > 1 {
        return Err(refuse(
            name,
            &node.kind,
            &format!("with {k} {dims:?} is not 1-D (only 1-D shapes are mapped)"),
        ));
    }
    Ok(Some(dims.iter().product()))
}

fn build(g: &RawGraph, order: &[&str]) -> Result<Chain, NirError> {
    let first = order[0];
    let input_node = &g.nodes[first];
    let mut size = one_d(input_node, first, &["shape", "input_type"])?.ok_or_else(|| {
        NirError::new(format!(
            "{}/shape: missing (Input needs its shape)",
            node_path(first)
        ))
    })?;
    let inputs = size;
    let mut stages = vec![];
    let mut flattens = vec![];
    let mut i = 1;
    let at = |i: usize| -> (&str, &RawNode) { (order[i], &g.nodes[order[i]]) };
    let skip_flatten =
        |i: &mut usize, size: usize, flattens: &mut Vec<String>| -> Result<(), NirError> {
            while *i < order.len() && g.nodes[order[*i]].kind == "Flatten" {
                let (name, n) = (order[*i], &g.nodes[order[*i]]);
                if let Some(s) = one_d(n, name, &["input_type", "shape"])? {
                    if s != size {
                        return Err(NirError::new(format!(
                        "{}/input_type: size {s} does not chain: the node before it gives {size}",
                        node_path(name)
                    )));
                    }
                }
                flattens.push(name.to_string());
                *i += 1;
            }
            Ok(())
        };
    let output_node = loop {
        skip_flatten(&mut i, size, &mut flattens)?;
        if i >= order.len() {
            return Err(NirError::new(format!(
                "{}: the chain ends without an Output node; supported: {SUPPORTED}",
                node_path(order[order.len() - 1])
            )));
        }
        let (name, n) = at(i);
        match n.kind.as_str() {
            "Output" => {
                if let Some(s) = one_d(n, name, &["shape", "output_type"])? {
                    if s != size {
                        return Err(NirError::new(format!(
                            "{}/shape: [{s}] does not chain: the last layer gives {size}",
                            node_path(name)
                        )));
                    }
                }
                if i + 1 != order.len() {
                    return Err(refuse(name, "Output", "is followed by more nodes"));
                }
                break name.to_string();
            }
            "Affine" | "Linear" => {
                let w = req(n, name, "weight")?;
                let wp = format!("{}/weight", node_path(name));
                if w.shape.len() != 2 || w.shape[1] != size {
                    return Err(NirError::new(format!(
                        "{wp}: shape {:?} does not chain: expected (outputs, {size}) after the node before it",
                        w.shape
                    )));
                }
                let out = w.shape[0];
                let weight: Vec<Vec<f64>> = w.data.chunks(size).map(<[f64]>::to_vec).collect();
                if weight.iter().flatten().any(|x| !x.is_finite()) {
                    return Err(NirError::new(format!("{wp}: holds a non-finite number")));
                }
                let bias = if n.kind == "Affine" {
                    per_neuron(n, name, "bias", out)?
                } else {
                    vec![0.0; out]
                };
                i += 1;
                skip_flatten(&mut i, out, &mut flattens)?;
                let (mut scale_node, mut scale) = (None, vec![1.0; out]);
                if i < order.len() && g.nodes[order[i]].kind == "Scale" {
                    let (sn, s) = at(i);
                    scale = per_neuron(s, sn, "scale", out)?;
                    scale_node = Some(sn.to_string());
                    i += 1;
                    skip_flatten(&mut i, out, &mut flattens)?;
                }
                if i >= order.len() || !matches!(g.nodes[order[i]].kind.as_str(), "IF" | "LIF") {
                    let (nn, nk) = if i < order.len() {
                        (order[i], g.nodes[order[i]].kind.as_str())
                    } else {
                        (name, n.kind.as_str())
                    };
                    return Err(refuse(
                        nn,
                        nk,
                        "is not a neuron (IF or LIF) after a synapse node",
                    ));
                }
                let (nn, node) = at(i);
                let neuron = neuron(node, nn, out)?;
                stages.push(Stage {
                    synapse_node: name.to_string(),
                    synapse_type: n.kind.clone(),
                    weight,
                    bias,
                    scale_node,
                    scale,
                    neuron_node: nn.to_string(),
                    neuron,
                });
                size = out;
                i += 1;
            }
            other => {
                return Err(refuse(
                    name,
                    other,
                    "is out of place (expected Affine, Linear or Output here)",
                ))
            }
        }
    };
    if stages.is_empty() {
        return Err(NirError::new(format!(
            "/node/nodes: no synapse-neuron stage between Input and Output; supported: {SUPPORTED}"
        )));
    }
    Ok(Chain {
        input_node: first.to_string(),
        inputs,
        stages,
        flattens,
        output_node,
    })
}

fn neuron(n: &RawNode, name: &str, size: usize) -> Result<NirNeuron, NirError> {
    if let Some(p) = n.params.get("v_reset") {
        let v = per_neuron_of(p, &format!("{}/v_reset", node_path(name)), size)?;
        if let Some(x) = v.iter().find(|&&x| x != 0.0) {
            return Err(NirError::new(format!(
                "{}/v_reset: {x} is not supported: only v_reset = 0 (reset to zero; --reset subtract for files older than NIR 1.0.6)",
                node_path(name)
            )));
        }
    }
    let v_threshold = per_neuron(n, name, "v_threshold", size)?;
    let r = per_neuron(n, name, "r", size)?;
    Ok(match n.kind.as_str() {
        "IF" => NirNeuron::If { r, v_threshold },
        _ => {
            let tau = per_neuron(n, name, "tau", size)?;
            if let Some(t) = tau.iter().find(|&&t| t <= 0.0) {
                return Err(NirError::new(format!(
                    "{}/tau: {t} is not accepted: tau > 0",
                    node_path(name)
                )));
            }
            NirNeuron::Lif {
                tau,
                r,
                v_leak: per_neuron(n, name, "v_leak", size)?,
                v_threshold,
            }
        }
    })
}
