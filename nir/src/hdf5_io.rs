//! NIR's HDF5 layout, read and written with the pure-Rust `hdf5-pure`
//! (no system libhdf5): `/version` (string scalar), `/node/type` =
//! `"NIRGraph"`, `/node/nodes/<name>/type` (string scalar) plus one dataset
//! per parameter, `/node/edges` (E x 2 strings `[src, dst]`). Gzip-chunked
//! (NIR >= 1.0) and contiguous (older) datasets read alike.

use crate::error::NirError;
use crate::graph::{node_path, Param, RawGraph, RawNode};
use hdf5_pure::{DType, File, FileBuilder};
use std::collections::BTreeMap;

/// The NIR version string [`write`] puts in `/version`: the layout NIR 1.0.8
/// writes (`v_reset` meaning reset-to-value, since 1.0.6).
pub const WRITTEN_VERSION: &str = "1.0.8";

fn h5err(what: &str, e: hdf5_pure::Error) -> NirError {
    NirError::new(format!("{what}: {e}"))
}

/// Reads a NIR file's bytes. Errors name the HDF5 path at fault.
pub fn read(bytes: Vec<u8>) -> Result<RawGraph, NirError> {
    if !hdf5_pure::is_hdf5_bytes(&bytes) {
        return Err(NirError::new(
            "not an HDF5 file (a NIR file is HDF5 with /version and /node)",
        ));
    }
    let file = File::from_bytes(bytes).map_err(|e| h5err("cannot read the HDF5 file", e))?;
    let root = file.root();
    let top = root.groups().map_err(|e| h5err("/", e))?;
    if !top.iter().any(|g| g == "node") {
        return Err(NirError::new(
            "/node: missing; a NIR file holds its graph in the group /node",
        ));
    }
    let version = match file.dataset("version") {
        Ok(ds) => ds
            .read_string()
            .ok()
            .and_then(|v| v.into_iter().next())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let node = file.group("node").map_err(|e| h5err("/node", e))?;
    let graph_type = scalar_string(&node, "type", "/node/type")?;
    if graph_type != "NIRGraph" {
        return Err(NirError::new(format!(
            "/node/type: {graph_type:?} is not accepted: \"NIRGraph\""
        )));
    }
    let nodes_group = node
        .group("nodes")
        .map_err(|_| NirError::new("/node/nodes: missing; a NIR graph lists its nodes there"))?;
    let mut nodes = BTreeMap::new();
    for name in nodes_group.groups().map_err(|e| h5err("/node/nodes", e))? {
        let g = nodes_group
            .group(&name)
            .map_err(|e| h5err(&node_path(&name), e))?;
        nodes.insert(name.clone(), read_node(&g, &node_path(&name))?);
    }
    let edges = read_edges(&node)?;
    Ok(RawGraph {
        version,
        nodes,
        edges,
    })
}

fn scalar_string(g: &hdf5_pure::Group, name: &str, path: &str) -> Result<String, NirError> {
    let ds = g
        .dataset(name)
        .map_err(|_| NirError::new(format!("{path}: missing (a string naming the type)")))?;
    ds.read_string()
        .ok()
        .and_then(|v| v.into_iter().next())
        .ok_or_else(|| NirError::new(format!("{path}: expected a string scalar")))
}

fn read_node(g: &hdf5_pure::Group, path: &str) -> Result<RawNode, NirError> {
    let kind = scalar_string(g, "type", &format!("{path}/type"))?;
    let mut params = BTreeMap::new();
    for name in g.datasets().map_err(|e| h5err(path, e))? {
        if name == "type" {
            continue;
        }
        let ds = g
            .dataset(&name)
            .map_err(|e| h5err(&format!("{path}/{name}"), e))?;
        let float = match ds.dtype() {
            Ok(DType::F32 | DType::F64) => true,
            Ok(
                DType::I8
                | DType::I16
                | DType::I32
                | DType::I64
                | DType::U8
                | DType::U16
                | DType::U32
                | DType::U64,
            ) => false,
            // Strings and anything else: not a numeric parameter of any
            // node this importer maps; kept out of `params`.
            _ => continue,
        };
        let at = format!("{path}/{name}");
        let shape = ds
            .shape()
            .map_err(|e| h5err(&at, e))?
            .into_iter()
            .map(|d| d as usize)
            .collect();
        let data = ds.read_f64().map_err(|e| h5err(&at, e))?;
        params.insert(name, Param { shape, data, float });
    }
    Ok(RawNode { kind, params })
}

fn read_edges(node: &hdf5_pure::Group) -> Result<Vec<(String, String)>, NirError> {
    let ds = node
        .dataset("edges")
        .map_err(|_| NirError::new("/node/edges: missing (an E x 2 array of [src, dst] names)"))?;
    let shape = ds.shape().map_err(|e| h5err("/node/edges", e))?;
    let flat = ds
        .read_string()
        .map_err(|e| h5err("/node/edges: expected strings", e))?;
    let ok_shape = matches!(shape.as_slice(), [_, 2] | [0] | [0, _]);
    if !ok_shape || flat.len() % 2 != 0 {
        return Err(NirError::new(format!(
            "/node/edges: shape {shape:?} is not accepted: (E, 2) pairs [src, dst]"
        )));
    }
    Ok(flat
        .chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect())
}

/// Writes a graph in NIR's layout (contiguous datasets; float parameters
/// as f32 for `weight`, `bias` and `scale`, f64 otherwise; integer ones as
/// int64). Returns the file's bytes.
pub fn write(g: &RawGraph) -> Result<Vec<u8>, NirError> {
    let mut fb = FileBuilder::new();
    fb.create_dataset("version")
        .with_vlen_strings(&[g.version.as_str()])
        .with_shape(&[]);
    let mut node = fb.create_group("node");
    node.create_dataset("type")
        .with_vlen_strings(&["NIRGraph"])
        .with_shape(&[]);
    let mut nodes = node.create_group("nodes");
    for (name, n) in &g.nodes {
        let mut ng = nodes.create_group(name);
        ng.create_dataset("type")
            .with_vlen_strings(&[n.kind.as_str()])
            .with_shape(&[]);
        for (pname, p) in &n.params {
            let shape: Vec<u64> = p.shape.iter().map(|&d| d as u64).collect();
            let ds = ng.create_dataset(pname);
            if !p.float {
                let v: Vec<i64> = p.data.iter().map(|&x| x as i64).collect();
                ds.with_i64_data(&v);
            } else if matches!(pname.as_str(), "weight" | "bias" | "scale") {
                let v: Vec<f32> = p.data.iter().map(|&x| x as f32).collect();
                ds.with_f32_data(&v);
            } else {
                ds.with_f64_data(&p.data);
            }
            ds.with_shape(&shape);
        }
        nodes.add_group(ng.finish());
    }
    node.add_group(nodes.finish());
    let flat: Vec<&str> = g
        .edges
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    node.create_dataset("edges")
        .with_vlen_strings(&flat)
        .with_shape(&[g.edges.len() as u64, 2]);
    fb.add_group(node.finish());
    fb.finish()
        .map_err(|e| NirError::new(format!("cannot encode the NIR file: {e}")))
}
