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
    #[command(flatten)]
    hw: crate::hw_args::HwArgs,
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
        rtl_gen::generate::check_supported_in_network(l, &format!("network.layers[{k}]"))
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
    let input = load_input(&a.config)?;
    let hw = a.hw.resolve(&input)?;
    if let crate::hw_args::Hardware::FoldedElm(cfg) = &hw {
        let (design, mods) = rtl_gen::arch::Architecture::FoldedElm.layer_core(cfg);
        let top = mods.last().expect("a top module");
        let (files, core_name) = write_with_core_file(&design, top, &a.output, |v, hash| {
            crate::fusesoc::core_file(cfg, &top.name, v, hash)
        })?;
        eprintln!(
            "wrote {files} files, manifest.json and {core_name} (FuseSoC) to {} (top snn_core, folded elm layer {}x{}: {} branches on one synapse accumulator, weights in block RAM, T = {}, {} cycles per step)",
            a.output.display(),
            cfg.inputs,
            cfg.outputs,
            cfg.branches(),
            cfg.timesteps,
            rtl_gen::elm_folded::cycles_per_step(cfg)
        );
        return Ok(());
    }
    if let crate::hw_args::Hardware::Folded(net, plan) = hw {
        let design = rtl_gen::arch::Architecture::Folded(plan.clone()).design(&net);
        write_design(&design, &a.output)?;
        eprintln!(
            "wrote {} files and manifest.json to {} (top snn_folded, P = {}, {} layers, T = {}, weights {})",
            design.files.len(),
            a.output.display(),
            plan.p,
            net.layers.len(),
            net.timesteps(),
            match plan.store {
                rtl_gen::folded::plan::WeightStore::BlockRam => "in block RAM from $readmemh files",
                rtl_gen::folded::plan::WeightStore::Loaded => "loaded through the configuration port (SPRAM-able)",
            }
        );
        return Ok(());
    }
    match input {
        Input::Layer(_, cfg) => {
            let design = rtl_gen::generate(&cfg);
            let top = rtl_gen::generate::modules(&cfg)
                .pop()
                .expect("a top module");
            let (files, core_name) = write_with_core_file(&design, &top, &a.output, |v, hash| {
                crate::fusesoc::core_file(&cfg, &top.name, v, hash)
            })?;
            eprintln!(
                "wrote {files} files, manifest.json and {core_name} (FuseSoC) to {} (top snn_core, {} layer {}x{}, T = {})",
                a.output.display(),
                cfg.neuron.kind(),
                cfg.inputs,
                cfg.outputs,
                cfg.timesteps
            );
        }
        Input::Network(net) => {
            let design = rtl_gen::generate_network(&net);
            let top = rtl_gen::network::modules(&net).pop().expect("a top module");
            let (files, core_name) = write_with_core_file(&design, &top, &a.output, |v, hash| {
                crate::fusesoc::network_core_file(&net, &top.name, v, hash)
            })?;
            eprintln!(
                "wrote {files} files, manifest.json and {core_name} (FuseSoC) to {} (top {}, {} layers {}, T = {})",
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
        }
    }
    Ok(())
}

/// Writes `design`, the wrapper and constraints its FuseSoC core file
/// refers to, and that core file, made by `core` from the Verilog file list
/// and the design's hash (the manifest's `config_sha256_16`, or
/// `network_sha256_16` for a network). Returns the files written besides
/// `manifest.json` and the core file, and the core file's name.
fn write_with_core_file(
    design: &rtl_gen::Design,
    top: &rtl_gen::verilog::ast::Module,
    dir: &Path,
    core: impl FnOnce(&[String], &str) -> String,
) -> Result<(usize, String)> {
    write_design(design, dir)?;
    let support = crate::fusesoc::support_files(top);
    for (name, text) in &support {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    let verilog: Vec<String> = design.files.iter().map(|(n, _)| n.clone()).collect();
    let hash = ["config_sha256_16", "network_sha256_16"]
        .iter()
        .find_map(|k| design.manifest[*k].as_str())
        .unwrap_or("");
    let core_name = crate::fusesoc::core_file_name(&top.name);
    write_atomic(&dir.join(&core_name), core(&verilog, hash).as_bytes())?;
    Ok((design.files.len() + support.len(), core_name))
}

/// Writes a design into `dir` ([`rtl_gen::Design::write`]).
pub fn write_design(design: &rtl_gen::Design, dir: &Path) -> Result<()> {
    Ok(design.write(dir)?)
}
