//! One layer config in, the core's Verilog files and `manifest.json` out.
//! Validation happens before (in `LayerConfig::from_json`); nothing here can
//! fail on a valid config, so an invalid one never leaves files behind.

use crate::verilog::ast::{Dir, Module};
use crate::verilog::print::module_to_string;
use crate::{array, cfg_map::CfgMap, core, elm, elm_core, if_unit, pe, psn, tmn, unit};
use golden_model::{LayerConfig, Neuron};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Version of `manifest.json`.
pub const MANIFEST_FORMAT_VERSION: u32 = 1;

/// A generated design: Verilog files (name, text) and the manifest.
#[derive(Debug, Clone)]
pub struct Design {
    pub files: Vec<(String, String)>,
    pub manifest: Value,
}

impl Design {
    /// Writes the design into `dir` (created if needed): every Verilog file
    /// and `manifest.json`, each to a temporary name then renamed, so a
    /// failure leaves no partial file; `snn_*.v` files of an earlier design
    /// that this one does not have are removed, so `dir` holds exactly this
    /// design (other files are left alone). The one writer of a design:
    /// `snnrtl generate`, co-simulation and the tests call it.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let ctx = |what: &str, p: &Path, e: std::io::Error| {
            std::io::Error::new(e.kind(), format!("{}: {what}: {e}", p.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| ctx("cannot create folder", dir, e))?;
        let manifest =
            serde_json::to_string_pretty(&self.manifest).expect("a manifest serializes") + "\n";
        let all = self
            .files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .chain(std::iter::once(("manifest.json", manifest.as_str())));
        for (name, text) in all {
            let path = dir.join(name);
            let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, &path))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    ctx("cannot write", &path, e)
                })?;
        }
        for entry in std::fs::read_dir(dir).map_err(|e| ctx("cannot list", dir, e))? {
            let name = entry?.file_name().to_string_lossy().to_string();
            let ours = self.files.iter().any(|(n, _)| *n == name);
            let generated = name.ends_with(".v") || name.ends_with(".hex");
            if !ours && name.starts_with("snn_") && generated {
                let p = dir.join(&name);
                std::fs::remove_file(&p).map_err(|e| ctx("cannot remove stale file", &p, e))?;
            }
        }
        Ok(())
    }
}

/// The first 16 hex digits of the SHA-256 of the layer's canonical JSON.
pub fn config_hash(cfg: &LayerConfig) -> String {
    let text = serde_json::to_string(&cfg.to_json()).expect("config serializes");
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn describe(name: &str) -> &'static str {
    match name {
        "snn_pe" => "Ternary processing element: stationary weight; add, subtract or skip on the partial sum; lane and sum passed on, registered.",
        "snn_array" => "Weight-stationary systolic array of snn_pe with input skew and output deskew: the column currents of one input vector leave together.",
        "snn_if" => "Integrate-and-fire neuron unit (rate-coding baseline): u += I + b; fire when u >= vth; reset by subtraction or to zero.",
        "snn_lif" => "Leaky integrate-and-fire neuron unit: u = u - (u >>> k) + I + b; fire when u >= vth; reset by subtraction or to zero.",
        "snn_tmn" => "Ternary Momentum Neuron unit: m = 2u + I (+ b at t = 0); fire +1/-1 at +-vth/2 (ties fire); u = m - s*vth.",
        "snn_psn" => "Full Parallel Spiking Neuron unit: T accumulators per neuron, all updated as each step's current arrives; fires all T steps once the last arrives.",
        "snn_psn_masked" => "Masked PSN unit: banded causal weights P[t][i] for t-k < i <= t; streams one step per input.",
        "snn_psn_sliding" => "Sliding PSN unit: k shared weights over the last k currents; streams one step per input.",
        "snn_core" => "One spiking layer: configuration port, input stream, systolic array, one neuron unit per column, output stream, sticky flags.",
        "snn_elm" => "ELM neuron unit (SPEC section 7): traces and decayed memory in parallel, then the MLP and readout on one time-multiplexed multiply-accumulate unit run by a program ROM; the activation table in a ROM.",
        "snn_elm_folded_core" => "One elm layer, folded: configuration port (weights into block RAM), input stream, one time-multiplexed ternary accumulator for the branch currents, the ELM unit, output stream of readout and memory, sticky flags.",
        "snn_elm_synapses" => "Folded elm synapse stage: walks W[j][i] in the weight RAM, one ternary add/subtract/skip per cycle, and shifts each branch current I[j] into the current registers.",
        "snn_elm_weights" => "Weight RAM of the folded elm core: written through the configuration port, read by the synapse stage (registered read, no reset: block RAM).",
        "snn_elm_core" => "One elm layer: configuration port (weights), input stream, systolic array of branch currents, the ELM unit, output stream of readout and memory, sticky flags.",
        _ => "",
    }
}

/// One header line per port: direction, name, width, meaning.
pub(crate) fn port_lines(m: &Module) -> Vec<String> {
    m.ports
        .iter()
        .map(|p| {
            let dir = match p.dir {
                Dir::Input => "in ",
                Dir::Output => "out",
            };
            let sign = if p.signed { " signed" } else { "" };
            format!("  {dir} {:<14} [{}{}] {}", p.name, p.width, sign, p.comment)
        })
        .collect()
}

/// The ports of a top module as manifest entries.
pub(crate) fn port_json(m: &Module) -> Vec<Value> {
    m.ports
        .iter()
        .map(|p| {
            json!({"name": p.name, "dir": if p.dir == Dir::Input {"in"} else {"out"},
                   "width": p.width, "signed": p.signed, "doc": p.comment})
        })
        .collect()
}

fn with_header(m: Module, cfg: &LayerConfig, hash: &str) -> Module {
    let base = m.name.clone();
    layer_header(m, &base, cfg, hash, None)
}

/// The header of one of a layer's modules: file name, what it is (`base` is
/// its name in a single-layer core, e.g. `snn_tmn`), an optional `note`
/// (e.g. which layer of a network), the layer config and the ports.
pub(crate) fn layer_header(
    mut m: Module,
    base: &str,
    cfg: &LayerConfig,
    hash: &str,
    note: Option<String>,
) -> Module {
    let mut h = vec![
        format!(
            "{}.v: generated by snnrtl; do not edit (manifest.json names the version).",
            m.name
        ),
        describe(base).to_string(),
    ];
    h.extend(note);
    h.extend([
        format!(
            "Config: {} layer, {} inputs x {} outputs, T = {}, weight_bits {}; layer JSON sha256 {hash}.",
            cfg.neuron.kind(),
            cfg.inputs,
            cfg.outputs,
            cfg.timesteps,
            cfg.weight_bits
        ),
        "Ports:".to_string(),
    ]);
    h.extend(port_lines(&m));
    if base == "snn_core" {
        h.push(format!(
            "Latency: input step t to output step t, {} cycles{}; one input vector per cycle when out_ready is high.",
            core::step_latency(cfg),
            if matches!(cfg.neuron, Neuron::Psn { .. }) {
                " to output step 0 after step T-1 arrives (full PSN waits for the whole sample)"
            } else {
                ""
            }
        ));
    }
    h.append(&mut m.header);
    m.header = h;
    m
}

/// Why a network with an `elm` layer cannot be generated yet.
pub const NO_ELM_NETWORK_RTL: &str =
    "elm is generated as a single-layer core only: snn_network does not chain an elm layer yet; generate, cosim or synth the elm layer by itself";

/// Whether this generator has RTL for the layer as a core of its own: one
/// line naming the field when it does not (every kind has one now).
pub fn check_supported(_cfg: &LayerConfig, _path: &str) -> Result<(), String> {
    Ok(())
}

/// Whether this generator has RTL for the layer inside `snn_network`: one
/// line naming the field when it does not (`elm`).
pub fn check_supported_in_network(cfg: &LayerConfig, path: &str) -> Result<(), String> {
    match cfg.neuron {
        Neuron::Elm(_) => Err(format!(
            "{}: {NO_ELM_NETWORK_RTL}",
            golden_model::json_path::join(path, "neuron.kind")
        )),
        _ => Ok(()),
    }
}

/// Every module of the core for `cfg`, top last. `cfg` must pass
/// [`check_supported`].
pub fn modules(cfg: &LayerConfig) -> Vec<Module> {
    let w = cfg.widths();
    let unit = match &cfg.neuron {
        Neuron::If { .. } | Neuron::Lif { .. } => if_unit::snn_if(cfg),
        Neuron::Tmn { .. } => tmn::snn_tmn(cfg),
        Neuron::Psn { .. } => psn::snn_psn(cfg),
        Neuron::MaskedPsn { .. } => psn::snn_psn_masked(cfg),
        Neuron::SlidingPsn { .. } => psn::snn_psn_sliding(cfg),
        Neuron::Elm(_) => {
            return vec![
                pe::snn_pe(cfg.weight_bits, w.synaptic_bits),
                array::snn_array(cfg.inputs, cfg.branches(), cfg.weight_bits, w.synaptic_bits),
                elm::snn_elm(cfg),
                elm_core::snn_elm_core(cfg),
            ]
        }
    };
    vec![
        pe::snn_pe(cfg.weight_bits, w.synaptic_bits),
        array::snn_array(cfg.inputs, cfg.outputs, cfg.weight_bits, w.synaptic_bits),
        unit,
        core::snn_core(cfg),
    ]
}

/// Generates the core for a layer with synapses (`weights` may be absent:
/// the RTL takes its weights through the configuration port).
pub fn generate(cfg: &LayerConfig) -> Design {
    if let Neuron::Elm(_) = cfg.neuron {
        return elm_core::design(cfg);
    }
    let hash = config_hash(cfg);
    let mods: Vec<Module> = modules(cfg)
        .into_iter()
        .map(|m| with_header(m, cfg, &hash))
        .collect();
    let files: Vec<(String, String)> = mods
        .iter()
        .map(|m| (format!("{}.v", m.name), module_to_string(m)))
        .collect();
    let top = mods.last().expect("a top module");
    let ports = port_json(top);
    let w = cfg.widths();
    let map = CfgMap::of(cfg);
    let lat = core::step_latency(cfg);
    let t = cfg.timesteps;
    let sample_latency = if matches!(cfg.neuron, Neuron::Psn { .. }) {
        lat + 2 * (t - 1)
    } else {
        lat + t - 1
    };
    let manifest = json!({
        "format_version": MANIFEST_FORMAT_VERSION,
        "generator": format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        "config_sha256_16": hash,
        "top": "snn_core",
        "files": files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "ports": ports,
        "layer": cfg.to_json(),
        "widths": {
            "synaptic_bits": w.synaptic_bits,
            "current_bits": w.current_bits,
            "state_bits": w.state_bits,
            "derived_state_bits": w.derived_state_bits,
            "step_bits": unit::step_bits(t),
        },
        "latency": {
            "array_cycles": array::latency(cfg.inputs, cfg.outputs),
            "unit_cycles": unit::latency(cfg),
            "step_to_output_cycles": lat,
            "sample_first_input_to_last_output_cycles": sample_latency,
            "note": "cycles with en = 1 (out_ready high); step_to_output = array + unit; full psn emits a sample's T outputs after its last input (unit_cycles counts from it)",
        },
        "config_port": {
            "addr_bits": map.addr_bits(),
            "index_bits": map.index_bits,
            "data_bits": map.data_bits,
            "row_bits": map.row_bits,
            "col_bits": map.col_bits,
            "regions": {
                "0": "weight W[o][i]: index = (o << row_bits) | i",
                "1": "bias b[o]: index = o",
                "2": "psn weight: P[t][i] index = (t << step_bits) | i; sliding w[j] index = j",
                "3": "psn threshold B[t]: index = t (sliding: 0)",
            },
        },
    });
    Design { files, manifest }
}

/// What a simulator needs to know about the Verilog in a folder: the top
/// module and whether it has network taps (`tap_fire`, `tap_spikes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtlTop {
    pub top: String,
    pub taps: bool,
}

/// Reads `manifest.json` in `dir` for [`RtlTop`]; without a manifest (hand
/// edits, a Yosys netlist) the top is `snn_core` with no taps.
pub fn read_rtl_top(dir: &Path) -> Result<RtlTop, String> {
    let path = dir.join("manifest.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(RtlTop {
                top: "snn_core".into(),
                taps: false,
            })
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let top = match v.get("top") {
        None => "snn_core".to_string(),
        Some(t) => t
            .as_str()
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .ok_or_else(|| format!("{}: \"top\" is not a module name", path.display()))?
            .to_string(),
    };
    let taps = v
        .get("ports")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "tap_fire"));
    Ok(RtlTop { top, taps })
}
