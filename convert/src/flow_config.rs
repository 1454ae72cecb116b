//! `FLOW.json`: the network (layers and where their trained weights live),
//! the dataset and split, conversion options, what to evaluate and what
//! hardware to build. Paths are relative to the file's folder. Every error
//! names the field and the accepted values.

use crate::encode::Encoder;
use crate::error::ConvertError;
use crate::mlp::LayerTensors;
use crate::quantise::{Kind, Norm};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const FORMAT_VERSION: i64 = 1;
pub const DEFAULT_TIMESTEPS: [usize; 9] = [1, 2, 3, 4, 6, 8, 12, 16, 32];
pub const DEFAULT_KAPPAS: [f64; 6] = [0.125, 0.25, 0.5, 1.0, 2.0, 4.0];
/// LIF leak shifts k (decay `1 - 2^-k`) tried on the training set.
pub const DEFAULT_LEAK_SHIFTS: [u32; 7] = [2, 3, 4, 6, 8, 12, 16];

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
}

fn err(path: &str, msg: impl std::fmt::Display) -> ConvertError {
    ConvertError::new(format!("{path}: {msg}"))
}

struct O<'a> {
    path: String,
    v: &'a serde_json::Map<String, Value>,
}

impl<'a> O<'a> {
    fn of(v: &'a Value, path: &str) -> Result<Self, ConvertError> {
        v.as_object()
            .map(|v| O {
                path: path.to_string(),
                v,
            })
            .ok_or_else(|| err(path, "expected an object"))
    }
    fn p(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }
    fn get(&self, k: &str) -> Option<&'a Value> {
        self.v.get(k).filter(|v| !v.is_null())
    }
    fn req(&self, k: &str) -> Result<&'a Value, ConvertError> {
        self.get(k)
            .ok_or_else(|| err(&self.p(k), "required field is missing"))
    }
    fn obj(&self, k: &str) -> Result<O<'a>, ConvertError> {
        O::of(self.req(k)?, &self.p(k))
    }
    fn opt_obj(&self, k: &str) -> Result<Option<O<'a>>, ConvertError> {
        self.get(k).map(|v| O::of(v, &self.p(k))).transpose()
    }
    fn string(&self, k: &str) -> Result<&'a str, ConvertError> {
        self.req(k)?
            .as_str()
            .ok_or_else(|| err(&self.p(k), "expected a string"))
    }
    fn int(&self, k: &str, lo: i64, hi: i64, default: Option<i64>) -> Result<i64, ConvertError> {
        match (self.get(k), default) {
            (None, Some(d)) => Ok(d),
            (None, None) => Err(err(&self.p(k), "required field is missing")),
            (Some(v), _) => v
                .as_i64()
                .filter(|x| (lo..=hi).contains(x))
                .ok_or_else(|| err(&self.p(k), format!("{v} is not an integer in {lo}..={hi}"))),
        }
    }
    fn boolean(&self, k: &str, default: bool) -> Result<bool, ConvertError> {
        match self.get(k) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| err(&self.p(k), format!("{v} is not true or false"))),
        }
    }
}

impl FlowConfig {
    /// Reads and validates a flow file.
    pub fn read(path: &Path) -> Result<FlowConfig, ConvertError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConvertError::new(format!("{}: cannot read: {e}", path.display())))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| ConvertError::new(format!("{}: not valid JSON: {e}", path.display())))?;
        Self::from_json(&v, path).map_err(|e| ConvertError::new(format!("{}: {e}", path.display())))
    }

    /// Validates a flow file read as JSON; `path` resolves relative paths.
    pub fn from_json(v: &Value, path: &Path) -> Result<FlowConfig, ConvertError> {
        let base = path.parent().unwrap_or(Path::new("."));
        let rel = |s: &str| base.join(s);
        let root = O::of(v, "")?;
        let fv = root.int("format_version", i64::MIN, i64::MAX, None)?;
        if fv != FORMAT_VERSION {
            return Err(err(
                "format_version",
                format!("{fv} is not supported (accepted: {FORMAT_VERSION})"),
            ));
        }
        let name = match root.get("name") {
            Some(n) => n
                .as_str()
                .ok_or_else(|| err("name", "expected a string"))?
                .to_string(),
            None => "network".to_string(),
        };
        let ds = root.obj("dataset")?;
        let dataset_csv = rel(ds.string("csv")?);
        let max_value = ds.int("max_value", 1, 65535, None)? as u32;
        let split = rel(ds.string("split")?);
        let weights = rel(root.string("weights")?);

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
            let o = O::of(l, &format!("layers[{k}]"))?;
            let inputs = o.int("inputs", 1, 4096, None)? as usize;
            let outputs = o.int("outputs", 1, 4096, None)? as usize;
            if let Some(prev) = layers.last() {
                if inputs != prev.outputs {
                    return Err(err(
                        &o.p("inputs"),
                        format!(
                            "{inputs} must equal layers[{}].outputs ({})",
                            k - 1,
                            prev.outputs
                        ),
                    ));
                }
            }
            let bias = match o.get("bias") {
                Some(b) => Some(
                    b.as_str()
                        .ok_or_else(|| err(&o.p("bias"), "expected a tensor name"))?
                        .to_string(),
                ),
                None => None,
            };
            layers.push(LayerTensors {
                inputs,
                outputs,
                weight: o.string("weight")?.to_string(),
                bias,
            });
        }

        let conv = root.opt_obj("conversion")?;
        let (mut weight_bits, mut norm, mut l4_kappas) =
            (8u32, Norm::Percentile(99.9), DEFAULT_KAPPAS.to_vec());
        let mut lif_leak_shifts = DEFAULT_LEAK_SHIFTS.to_vec();
        if let Some(c) = &conv {
            if let Some(k) = c.get("lif_leak_shifts") {
                let p = c.p("lif_leak_shifts");
                let a = k
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| err(&p, "expected a non-empty array of integers in 1..=16"))?;
                lif_leak_shifts = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        x.as_u64()
                            .filter(|x| (1..=16).contains(x))
                            .map(|x| x as u32)
                            .ok_or_else(|| {
                                err(
                                    &format!("{p}[{i}]"),
                                    format!("{x} is not an integer in 1..=16"),
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?;
            }
            weight_bits = c.int("weight_bits", 2, 16, Some(8))? as u32;
            if let Some(n) = c.get("normalisation") {
                let p = c.p("normalisation");
                norm = match n {
                    Value::String(s) if s == "max" => Norm::Max,
                    Value::Object(_) => {
                        let no = O::of(n, &p)?;
                        let v = no.req("percentile")?;
                        let pct =
                            v.as_f64()
                                .filter(|x| *x > 0.0 && *x <= 100.0)
                                .ok_or_else(|| {
                                    err(
                                        &no.p("percentile"),
                                        format!("{v} is not a number in (0, 100]"),
                                    )
                                })?;
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
            if let Some(k) = c.get("l4_kappas") {
                let p = c.p("l4_kappas");
                let a = k
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| err(&p, "expected a non-empty array of positive numbers"))?;
                l4_kappas = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        x.as_f64()
                            .filter(|x| *x > 0.0 && *x <= 100.0)
                            .ok_or_else(|| {
                                err(
                                    &format!("{p}[{i}]"),
                                    format!("{x} is not a number in (0, 100]"),
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?;
            }
        }

        let ev = root.opt_obj("evaluate")?;
        let mut timesteps = DEFAULT_TIMESTEPS.to_vec();
        let mut if_encoder = Encoder::Rate;
        if let Some(e) = &ev {
            if let Some(t) = e.get("timesteps") {
                let p = e.p("timesteps");
                let a = t
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| err(&p, "expected a non-empty array of integers in 1..=64"))?;
                timesteps = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        x.as_u64()
                            .filter(|x| (1..=64).contains(x))
                            .map(|x| x as usize)
                            .ok_or_else(|| {
                                err(
                                    &format!("{p}[{i}]"),
                                    format!("{x} is not an integer in 1..=64"),
                                )
                            })
                    })
                    .collect::<Result<_, _>>()?;
            }
            if let Some(enc) = e.get("if_encoder") {
                if_encoder = match enc.as_str() {
                    Some("rate") => Encoder::Rate,
                    Some("poisson") => Encoder::Poisson {
                        seed: e.int("poisson_seed", 0, i64::MAX, Some(0))? as u64,
                    },
                    _ => {
                        return Err(err(
                            &e.p("if_encoder"),
                            format!("{enc} is not accepted: \"rate\" or \"poisson\""),
                        ))
                    }
                };
            }
        }

        let hw = root.opt_obj("hardware")?;
        let (mut hw_kind, mut hw_timesteps, mut hw_l4, mut cosim_images) =
            (Kind::Tmn, 4, false, 200);
        let mut targets = vec!["xilinx-7".to_string(), "ice40-up5k".to_string()];
        if let Some(h) = &hw {
            if let Some(n) = h.get("neuron") {
                hw_kind = n.as_str().and_then(Kind::parse).ok_or_else(|| {
                    err(
                        &h.p("neuron"),
                        format!("{n} is not accepted: \"tmn\", \"if\" or \"lif\""),
                    )
                })?;
            }
            if h.get("leak_shift").is_some() {
                if !matches!(hw_kind, Kind::Lif { .. }) {
                    return Err(err(
                        &h.p("leak_shift"),
                        "only a \"lif\" hardware neuron takes a leak_shift",
                    ));
                }
                hw_kind = Kind::Lif {
                    leak_shift: h.int("leak_shift", 1, 16, None)? as u32,
                };
            }
            hw_timesteps = h.int("timesteps", 1, 64, Some(4))? as usize;
            hw_l4 = h.boolean("l4", false)?;
            cosim_images = h.int("cosim_images", 0, 100_000, Some(200))? as usize;
            if let Some(t) = h.get("targets") {
                let p = h.p("targets");
                let a = t
                    .as_array()
                    .ok_or_else(|| err(&p, "expected an array of target names"))?;
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
        })
    }
}
