//! `FLOW.json`: the network (layers and where their trained weights live),
//! the dataset and split, conversion options, what to evaluate and what
//! hardware to build. Paths are relative to the file's folder. Every error
//! names the field and the accepted values.

use crate::encode::Encoder;
use crate::error::ConvertError;
use crate::mlp::LayerTensors;
use crate::quantise::{Kind, Norm};
use golden_model::config::limits::{
    DEFAULT_WEIGHT_BITS, INPUTS, LIF_LEAK_SHIFT, OUTPUTS, TIMESTEPS, WEIGHT_BITS,
};
use golden_model::json_path::{self, Obj};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// `dataset.max_value`: the largest pixel value.
pub const MAX_VALUE: (i64, i64) = (1, 65535);

pub const FORMAT_VERSION: i64 = 1;
pub const DEFAULT_TIMESTEPS: [usize; 9] = [1, 2, 3, 4, 6, 8, 12, 16, 32];
pub const DEFAULT_KAPPAS: [f64; 6] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0];
/// LIF leak shifts k (decay `1 - 2^-k`) tried on the training set.
pub const DEFAULT_LEAK_SHIFTS: [u32; 7] = [2, 3, 4, 6, 8, 12, 16];

/// `hardware.architecture`: which designs the flow builds and chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// One PE per synapse (`snn_network`): one timestep vector per cycle.
    Unrolled,
    /// The folded engine (`snn_folded`): P time-multiplexed PEs.
    Folded,
    /// Per target, the fastest design that fits, unrolled or folded.
    Auto,
}

impl Architecture {
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Unrolled => "unrolled",
            Architecture::Folded => "folded",
            Architecture::Auto => "auto",
        }
    }
}

/// `hardware.parallelism_sweep` when absent (capped at the widest layer).
pub const DEFAULT_PARALLELISM_SWEEP: [usize; 4] = [2, 4, 8, 16];

#[derive(Debug, Clone)]
pub struct FlowConfig {
    pub path: PathBuf,
    pub name: String,
    pub dataset_csv: PathBuf,
    pub max_value: u32,
    pub split: PathBuf,
    pub weights: PathBuf,
    pub layers: Vec<LayerTensors>,
    pub weight_bits: u32,
    pub norm: Norm,
    pub l4_kappas: Vec<f64>,
    /// `conversion.lif_leak_shifts`: candidates for the LIF column.
    pub lif_leak_shifts: Vec<u32>,
    pub timesteps: Vec<usize>,
    /// Encoder of the IF network's inputs (the TMN network always uses the
    /// TMN encoder).
    pub if_encoder: Encoder,
    /// `hardware.neuron`; for `lif`, `leak_shift` is `hardware.leak_shift`,
    /// or 0 when absent: the flow then takes the shift the accuracy table
    /// chose on the training set at `hw_timesteps`.
    pub hw_kind: Kind,
    pub hw_timesteps: usize,
    pub hw_l4: bool,
    pub cosim_images: usize,
    pub targets: Vec<String>,
    pub architecture: Architecture,
    /// `hardware.parallelism`: the folded engine's P (also in the sweep).
    pub parallelism: Option<usize>,
    /// `hardware.parallelism_sweep`: the folded designs built and compared.
    pub parallelism_sweep: Vec<usize>,
}

/// `evaluate.if_encoder` (with `poisson_seed`): the rate or Poisson code,
/// `None` when absent. Both flows (ANN and NIR) read it here.
pub fn rate_encoder(e: &Obj) -> Result<Option<Encoder>, golden_model::ConfigError> {
    let Some(enc) = e.opt("if_encoder") else {
        return Ok(None);
    };
    Ok(Some(match enc.as_str() {
        Some("rate") => Encoder::Rate,
        Some("poisson") => Encoder::Poisson {
            seed: e.int_in_or("poisson_seed", 0, i64::MAX, 0)? as u64,
        },
        _ => {
            return Err(golden_model::ConfigError::new(
                e.field_path("if_encoder"),
                format!("{enc} is not accepted: \"rate\" or \"poisson\""),
            ))
        }
    }))
}

fn err(path: &str, msg: impl std::fmt::Display) -> ConvertError {
    ConvertError::field(path, msg.to_string())
}

impl FlowConfig {
    /// Reads and validates a flow file.
    pub fn read(path: &Path) -> Result<FlowConfig, ConvertError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConvertError::new(format!("{}: cannot read: {e}", path.display())))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| ConvertError::new(format!("{}: not valid JSON: {e}", path.display())))?;
        Self::from_json(&v, path).map_err(|e| e.in_file(path.display().to_string()))
    }

    /// Validates a flow file read as JSON; `path` resolves relative paths.
    pub fn from_json(v: &Value, path: &Path) -> Result<FlowConfig, ConvertError> {
        let base = path.parent().unwrap_or(Path::new("."));
        let rel = |s: &str| base.join(s);
        let root = Obj::of(v, "")?;
        let fv = json_path::int(root.req("format_version")?, "format_version")?;
        if fv != FORMAT_VERSION {
            return Err(err(
                "format_version",
                format!("{fv} is not supported (accepted: {FORMAT_VERSION})"),
            ));
        }
        let name = match root.opt("name") {
            Some(n) => json_path::string(n, "name")?.to_string(),
            None => "network".to_string(),
        };
        let ds = root.obj("dataset")?;
        let dataset_csv = rel(ds.str("csv")?);
        let max_value = ds.int_in("max_value", MAX_VALUE.0, MAX_VALUE.1)? as u32;
        let split = rel(ds.str("split")?);
        let weights = rel(root.str("weights")?);

        let lv = root
            .req("layers")?
            .as_array()
            .ok_or_else(|| err("layers", "expected an array of layers"))?;
        if lv.is_empty() || lv.len() > 16 {
            return Err(err(
                "layers",
                format!("{} layers is not in 1..=16", lv.len()),
            ));
        }
        let mut layers: Vec<LayerTensors> = vec![];
        for (k, l) in lv.iter().enumerate() {
            let o = Obj::of(l, &format!("layers[{k}]"))?;
            let inputs = o.int_in("inputs", INPUTS.0, INPUTS.1)? as usize;
            let outputs = o.int_in("outputs", OUTPUTS.0, OUTPUTS.1)? as usize;
            if let Some(prev) = layers.last() {
                if inputs != prev.outputs {
                    return Err(err(
                        &o.field_path("inputs"),
                        format!(
                            "{inputs} must equal layers[{}].outputs ({})",
                            k - 1,
                            prev.outputs
                        ),
                    ));
                }
            }
            let bias = match o.opt("bias") {
                Some(b) => Some(
                    b.as_str()
                        .ok_or_else(|| err(&o.field_path("bias"), "expected a tensor name"))?
                        .to_string(),
                ),
                None => None,
            };
            layers.push(LayerTensors {
                inputs,
                outputs,
                weight: o.str("weight")?.to_string(),
                bias,
            });
        }

        let conv = root.opt_obj("conversion")?;
        let (mut weight_bits, mut norm, mut l4_kappas) = (
            DEFAULT_WEIGHT_BITS as u32,
            Norm::Percentile(99.9),
            DEFAULT_KAPPAS.to_vec(),
        );
        let mut lif_leak_shifts = DEFAULT_LEAK_SHIFTS.to_vec();
        if let Some(c) = &conv {
            if let Some(k) = c.int_list_in("lif_leak_shifts", LIF_LEAK_SHIFT.0, LIF_LEAK_SHIFT.1)? {
                lif_leak_shifts = k.into_iter().map(|x| x as u32).collect();
            }
            weight_bits = c.int_in_or(
                "weight_bits",
                WEIGHT_BITS.0,
                WEIGHT_BITS.1,
                DEFAULT_WEIGHT_BITS,
            )? as u32;
            if let Some(n) = c.opt("normalisation") {
                let p = c.field_path("normalisation");
                norm = match n {
                    Value::String(s) if s == "max" => Norm::Max,
                    Value::Object(_) => {
                        let no = Obj::of(n, &p)?;
                        let pct = json_path::number_in_left_open(
                            no.req("percentile")?,
                            &no.field_path("percentile"),
                            0.0,
                            100.0,
                        )?;
                        Norm::Percentile(pct)
                    }
                    _ => {
                        return Err(err(
                            &p,
                            "accepted: \"max\" or {\"percentile\": p} with p in (0, 100]",
                        ))
                    }
                };
            }
            if let Some(k) = c.opt("l4_kappas") {
                let p = c.field_path("l4_kappas");
                let a = k
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| err(&p, "expected a non-empty array of positive numbers"))?;
                l4_kappas = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        json_path::number_in_left_open(x, &format!("{p}[{i}]"), 0.0, 100.0)
                    })
                    .collect::<Result<_, _>>()?;
            }
        }

        let ev = root.opt_obj("evaluate")?;
        let mut timesteps = DEFAULT_TIMESTEPS.to_vec();
        let mut if_encoder = Encoder::Rate;
        if let Some(e) = &ev {
            if let Some(t) = e.int_list_in("timesteps", TIMESTEPS.0, TIMESTEPS.1)? {
                timesteps = t.into_iter().map(|x| x as usize).collect();
            }
            if let Some(enc) = rate_encoder(e)? {
                if_encoder = enc;
            }
        }

        let hw = root.opt_obj("hardware")?;
        let (mut hw_kind, mut hw_timesteps, mut hw_l4, mut cosim_images) =
            (Kind::Tmn, 4, false, 200);
        let mut targets = vec!["xilinx-7".to_string(), "ice40-up5k".to_string()];
        let widest = layers.iter().map(|l| l.outputs).max().unwrap_or(1);
        let mut architecture = Architecture::Unrolled;
        let mut parallelism = None;
        let mut parallelism_sweep: Vec<usize> = DEFAULT_PARALLELISM_SWEEP
            .iter()
            .copied()
            .filter(|&p| p <= widest)
            .collect();
        if let Some(h) = &hw {
            if let Some(a) = h.opt("architecture") {
                architecture = match a.as_str() {
                    Some("unrolled") => Architecture::Unrolled,
                    Some("folded") => Architecture::Folded,
                    Some("auto") => Architecture::Auto,
                    _ => {
                        return Err(err(
                            &h.field_path("architecture"),
                            format!("{a} is not accepted: \"unrolled\", \"folded\" or \"auto\""),
                        ))
                    }
                };
            }
            if h.opt("parallelism").is_some() {
                let p = h.int_in("parallelism", 1, widest as i64).map_err(|e| {
                    ConvertError::field(
                        e.path,
                        format!("{} (the widest layer's outputs)", e.message),
                    )
                })? as usize;
                parallelism = Some(p);
            }
            if let Some(v) = h.int_list_in("parallelism_sweep", 1, widest as i64)? {
                parallelism_sweep = v.into_iter().map(|x| x as usize).collect();
            }
            if let Some(n) = h.opt("neuron") {
                hw_kind = n.as_str().and_then(Kind::parse).ok_or_else(|| {
                    err(
                        &h.field_path("neuron"),
                        format!("{n} is not accepted: \"tmn\", \"if\" or \"lif\""),
                    )
                })?;
            }
            if h.opt("leak_shift").is_some() {
                if !matches!(hw_kind, Kind::Lif { .. }) {
                    return Err(err(
                        &h.field_path("leak_shift"),
                        "only a \"lif\" hardware neuron takes a leak_shift",
                    ));
                }
                hw_kind = Kind::Lif {
                    leak_shift: h.int_in("leak_shift", LIF_LEAK_SHIFT.0, LIF_LEAK_SHIFT.1)? as u32,
                };
            }
            hw_timesteps = h.int_in_or("timesteps", TIMESTEPS.0, TIMESTEPS.1, 4)? as usize;
            hw_l4 = h.bool_or("l4", false)?;
            cosim_images = h.int_in_or("cosim_images", 0, 100_000, 200)? as usize;
            if let Some(t) = h.opt("targets") {
                let p = h.field_path("targets");
                let a = json_path::array(t, &p)?;
                targets = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| err(&format!("{p}[{i}]"), "expected a target name"))
                    })
                    .collect::<Result<_, _>>()?;
            }
        }
        Ok(FlowConfig {
            path: path.to_path_buf(),
            name,
            dataset_csv,
            max_value,
            split,
            weights,
            layers,
            weight_bits,
            norm,
            l4_kappas,
            lif_leak_shifts,
            timesteps,
            if_encoder,
            hw_kind,
            hw_timesteps,
            hw_l4,
            cosim_images,
            targets,
            architecture,
            parallelism,
            parallelism_sweep,
        })
    }
}
