//! `snnrtl generate CONFIG.json -o DIR`: the core's Verilog and manifest,
//! plus a FuseSoC core file (`snn_core.core`, see [`crate::fusesoc`]) with
//! the out-of-context wrapper and clock constraints it refers to.
//!
//! CONFIG is a layer (a case file or a bare layer object) or the integer
//! network file `snnrtl flow` and `snnrtl import` write (`network.json`,
//! `{"format_version": 1, "network": {"layers": [...]}}`): then the design
//! is `snn_network`, one core per layer.
//!
//! CONFIG is a SPEC section 5 case file (its `layer` is used) or a bare layer
//! object. The config is validated before anything is written; each file is
//! written to a temporary name and renamed, and stale `snn_*.v` files from an
//! earlier design are removed, so DIR holds exactly this design.

use crate::out::write_atomic;
use anyhow::{bail, Context, Result};
use golden_model::{LayerConfig, NetworkConfig};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A case file (SPEC section 5) or a layer object
    config: PathBuf,
    /// Output folder for the Verilog files and manifest.json
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
}

/// What a design command was given: one layer, or a network file.
pub enum Input {
    /// The whole document (a case may carry samples) and its layer.
    Layer(Value, LayerConfig),
    Network(NetworkConfig),
}

/// Reads a layer (case file or bare layer object) or a network file, once,
/// validated, and checks the generator has RTL for every layer.
pub fn load_input(path: &Path) -> Result<Input> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("{name}: cannot read"))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("{name}: config: not valid JSON"))?;
    if v.get("network").is_none() {
        let (v, cfg) = layer_of(&name, v)?;
        return Ok(Input::Layer(v, cfg));
    }
    let net = NetworkConfig::from_json(&v).with_context(|| name.clone())?;
    for (k, l) in net.layers.iter().enumerate() {
        rtl_gen::generate::check_supported(l, &format!("network.layers[{k}]"))
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    Ok(Input::Network(net))
}

fn layer_of(name: &str, v: Value) -> Result<(Value, LayerConfig)> {
    let name = name.to_string();
    let cfg = match v.get("layer") {
        Some(layer) => LayerConfig::from_json(layer, "layer"),
        None => LayerConfig::from_json(&v, ""),
    }
    .with_context(|| name.clone())?;
    let layer_path = if v.get("layer").is_some() {
        "layer"
    } else {
        ""
    };
    rtl_gen::generate::check_supported(&cfg, layer_path)
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    if cfg.neuron_only() {
        let field = if v.get("layer").is_some() {
            "layer.weights"
        } else {
            "weights"
        };
        bail!(
            "{name}: {field}: required to generate hardware; a layer without weights is neuron-only (golden model only: the core takes spikes, not currents)"
        );
    }
    Ok((v, cfg))
}

pub fn run(a: Args) -> Result<()> {
    let net = match load_input(&a.config)? {
        Input::Layer(_, cfg) => return run_layer(&cfg, &a.output),
        Input::Network(net) => net,
    };
    let design = rtl_gen::generate_network(&net);
    write_design(&design, &a.output)?;
    let top = rtl_gen::network::modules(&net).pop().expect("a top module");
    let support = crate::fusesoc::support_files(&top);
    for (name, text) in &support {
        write_atomic(&a.output.join(name), text.as_bytes())?;
    }
    let verilog: Vec<String> = design.files.iter().map(|(n, _)| n.clone()).collect();
    let hash = design.manifest["network_sha256_16"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let core = crate::fusesoc::network_core_file(&net, &top.name, &verilog, &hash);
    let core_name = crate::fusesoc::core_file_name(&top.name);
    write_atomic(&a.output.join(&core_name), core.as_bytes())?;
    eprintln!(
        "wrote {} files, manifest.json and {core_name} (FuseSoC) to {} (top {}, {} layers {}, T = {})",
        design.files.len() + support.len(),
        a.output.display(),
        top.name,
        net.layers.len(),
        net.layers
            .iter()
            .map(|l| format!("{} {}x{}", l.neuron.kind(), l.inputs, l.outputs))
            .collect::<Vec<_>>()
            .join(", "),
        net.timesteps()
    );
    Ok(())
}

fn run_layer(cfg: &LayerConfig, output: &Path) -> Result<()> {
    let a_output = output;
    let cfg = cfg.clone();
    let design = rtl_gen::generate(&cfg);
    write_design(&design, a_output)?;
    let top = rtl_gen::generate::modules(&cfg)
        .pop()
        .expect("a top module");
    let support = crate::fusesoc::support_files(&top);
    for (name, text) in &support {
        write_atomic(&a_output.join(name), text.as_bytes())?;
    }
    let verilog: Vec<String> = design.files.iter().map(|(n, _)| n.clone()).collect();
    let hash = rtl_gen::generate::config_hash(&cfg);
    let core = crate::fusesoc::core_file(&cfg, &top.name, &verilog, &hash);
    let core_name = crate::fusesoc::core_file_name(&top.name);
    write_atomic(&a_output.join(&core_name), core.as_bytes())?;
    eprintln!(
        "wrote {} files, manifest.json and {core_name} (FuseSoC) to {} (top snn_core, {} layer {}x{}, T = {})",
        design.files.len() + support.len(),
        a_output.display(),
        cfg.neuron.kind(),
        cfg.inputs,
        cfg.outputs,
        cfg.timesteps
    );
    Ok(())
}

/// Writes a design into `dir` ([`rtl_gen::Design::write`]).
pub fn write_design(design: &rtl_gen::Design, dir: &Path) -> Result<()> {
    Ok(design.write(dir)?)
}
