//! A NIR graph as the HDF5 file holds it, before any interpretation: node
//! names, each node's `type` string and numeric parameters, and the edges.

use std::collections::BTreeMap;

/// One numeric parameter dataset: its shape (empty for a scalar) and its
/// values in row-major order, widened to f64 (float32 and int64 are exact).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
    /// True when the stored datatype is a float (f32/f64), false for integers.
    pub float: bool,
}

impl Param {
    pub fn vector(data: Vec<f64>) -> Self {
        Param {
            shape: vec![data.len()],
            data,
            float: true,
        }
    }
    pub fn ints(data: &[usize]) -> Self {
        Param {
            shape: vec![data.len()],
            data: data.iter().map(|&x| x as f64).collect(),
            float: false,
        }
    }
    pub fn matrix(rows: &[Vec<f64>]) -> Self {
        Param {
            shape: vec![rows.len(), rows.first().map_or(0, Vec::len)],
            data: rows.iter().flatten().copied().collect(),
            float: true,
        }
    }
}

/// One node: its NIR type (`"Affine"`, `"LIF"`, ...) and numeric datasets.
/// Sub-groups (a nested graph's nodes) are not read: a nested `NIRGraph`
/// node is refused by its type.
#[derive(Debug, Clone, PartialEq)]
pub struct RawNode {
    pub kind: String,
    pub params: BTreeMap<String, Param>,
}

/// A whole file: `/version`, `/node/nodes/*` and `/node/edges`.
#[derive(Debug, Clone, PartialEq)]
pub struct RawGraph {
    pub version: String,
    pub nodes: BTreeMap<String, RawNode>,
    pub edges: Vec<(String, String)>,
}

/// `/node/nodes/NAME`, the path errors name a node by.
pub fn node_path(name: &str) -> String {
    format!("/node/nodes/{name}")
}
