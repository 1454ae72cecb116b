//! A network: layers chained so that layer k's output spikes are layer k+1's
//! input lanes, step by step. The integer network file that conversion writes
//! and that both the golden model and `rtl-gen` read.
//!
//! File format (`format_version` 1; extra fields are accepted and ignored):
//!
//! ```json
//! {"format_version": 1,
//!  "network": {"layers": [ <SPEC section 5 layer object>, ... ]}}
//! ```
//!
//! Every layer has weights (no neuron-only layers), all layers share
//! `timesteps`, and `layers[k].inputs == layers[k-1].outputs`.
//!
//! The class of a sample is the argmax of the last layer's [`readout`].

use crate::config::{LayerConfig, Neuron};
use crate::error::ConfigError;
use crate::json_path::{self, Obj};
use crate::lanes::LaneVec;
use crate::layer::{Layer, SampleResult};
use serde_json::{json, Value};

/// The network-file format this model reads and writes.
pub const FORMAT_VERSION: i64 = 1;

/// Accepted number of layers.
pub const LAYERS: (usize, usize) = (1, 16);

/// A validated chain of layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkConfig {
    pub layers: Vec<LayerConfig>,
}

impl NetworkConfig {
    /// Validates a chain of layer configs (`path` prefixes error paths).
    pub fn new(layers: Vec<LayerConfig>, path: &str) -> Result<Self, ConfigError> {
        let lp = json_path::join(path, "layers");
        if !(LAYERS.0..=LAYERS.1).contains(&layers.len()) {
            return Err(ConfigError::new(
                lp,
                format!(
                    "{} layers is not in {}..={}",
                    layers.len(),
                    LAYERS.0,
                    LAYERS.1
                ),
            ));
        }
        for (k, l) in layers.iter().enumerate() {
            let at = |f: &str| format!("{lp}[{k}].{f}");
            if l.weights.is_none() {
                return Err(ConfigError::new(
                    at("weights"),
                    "required in a network (neuron-only layers cannot be chained)",
                ));
            }
            if matches!(l.neuron, Neuron::Elm(_)) && k + 1 < layers.len() {
                return Err(ConfigError::new(
                    at("neuron.kind"),
                    "an elm layer gives readout values, not spikes: it can only be the last layer",
                ));
            }
            if l.timesteps != layers[0].timesteps {
                return Err(ConfigError::new(
                    at("timesteps"),
                    format!(
                        "{} differs from layers[0].timesteps ({}); every layer of a network runs the same T",
                        l.timesteps, layers[0].timesteps
                    ),
                ));
            }
            if k > 0 && l.inputs != layers[k - 1].outputs {
                return Err(ConfigError::new(
                    at("inputs"),
                    format!(
                        "{} must equal layers[{}].outputs ({}): spikes stream from layer to layer",
                        l.inputs,
                        k - 1,
                        layers[k - 1].outputs
                    ),
                ));
            }
        }
        Ok(NetworkConfig { layers })
    }

    /// Parses a network file's text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| ConfigError::new("network", format!("not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Validates a network file already read as JSON.
    pub fn from_json(v: &Value) -> Result<Self, ConfigError> {
        let root = Obj::of(v, "")?;
        let fv = json_path::int(root.req("format_version")?, "format_version")?;
        if fv != FORMAT_VERSION {
            return Err(ConfigError::new(
                "format_version",
                format!("{fv} is not supported (accepted: {FORMAT_VERSION})"),
            ));
        }
        let net = root.obj("network")?;
        let lp = net.field_path("layers");
        let layers = json_path::array(net.req("layers")?, &lp)?
            .iter()
            .enumerate()
            .map(|(k, l)| LayerConfig::from_json(l, &format!("{lp}[{k}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(layers, "network")
    }

    /// The network file (without extra fields).
    pub fn to_json(&self) -> Value {
        json!({
            "format_version": FORMAT_VERSION,
            "network": {"layers": self.layers.iter().map(LayerConfig::to_json).collect::<Vec<_>>()},
        })
    }

    pub fn timesteps(&self) -> usize {
        self.layers[0].timesteps
    }

    pub fn inputs(&self) -> usize {
        self.layers[0].inputs
    }

    pub fn outputs(&self) -> usize {
        self.layers.last().expect("at least one layer").outputs
    }

    /// Runs one sample (`T` input lane vectors) through every layer; returns
    /// each layer's result, first layer first.
    pub fn run(&self, input: &[LaneVec]) -> Vec<SampleResult> {
        let mut out = Vec::with_capacity(self.layers.len());
        let mut lanes = input.to_vec();
        for cfg in &self.layers {
            let r = Layer::new(cfg.clone()).run_lanes(&lanes);
            lanes = spikes_to_lanes(&r.spikes);
            out.push(r);
        }
        out
    }

    /// Like [`NetworkConfig::run`] with the layers built once, for many samples.
    pub fn runner(&self) -> NetworkRunner {
        NetworkRunner {
            layers: self.layers.iter().cloned().map(Layer::new).collect(),
        }
    }
}

/// Layers built once (synapse tiles packed) to run many samples.
#[derive(Debug, Clone)]
pub struct NetworkRunner {
    layers: Vec<Layer>,
}

impl NetworkRunner {
    /// Each layer's result for one sample, first layer first.
    pub fn run(&self, input: &[LaneVec]) -> Vec<SampleResult> {
        let mut out: Vec<SampleResult> = Vec::with_capacity(self.layers.len());
        for (k, layer) in self.layers.iter().enumerate() {
            let r = if k == 0 {
                layer.run_lanes(input)
            } else {
                layer.run_lanes(&spikes_to_lanes(&out[k - 1].spikes))
            };
            out.push(r);
        }
        out
    }

    /// The predicted class: argmax of the last layer's readout.
    pub fn classify(&self, input: &[LaneVec]) -> usize {
        let rs = self.run(input);
        let last = self.layers.last().expect("at least one layer");
        argmax(&readout(
            &last.cfg,
            rs.last().expect("one result per layer"),
        ))
    }
}

/// A layer's spikes as the next layer's lanes (always legal codes).
pub fn spikes_to_lanes(spikes: &[Vec<i8>]) -> Vec<LaneVec> {
    spikes
        .iter()
        .map(|row| {
            let wide: Vec<i64> = row.iter().map(|&s| i64::from(s)).collect();
            LaneVec::from_spikes(&wide).expect("neurons emit -1, 0 or +1")
        })
        .collect()
}

/// The value a layer's output neurons hold after a sample, exact in integers:
/// - `if`: `vth * sum_t s[t] + u[T-1]`, which equals `sum_t (I[t] + b)`
///   with reset by subtraction; `lif` (and reset to zero) read the same
///   expression, which then is the spike count weighted by vth plus the
///   final membrane, no longer the exact integrated input;
/// - `tmn`: `vth * sum_t s[t] * 2^(T-1-t) + u[T-1]`, which equals
///   `sum_t 2^(T-1-t) * I[t] + 2^(T-1) * b` (SPEC section 4's invariant);
/// - PSN family: `sum_t s[t] * 2^40 + H[T-1]` (spike count, then the last
///   H as the tie-break);
/// - `elm`: its readout `r[T-1]` (SPEC section 7).
///
/// Both if and tmn readouts are the neuron's integrated input, so the
/// readout never saturates however the spikes clip.
pub fn readout(cfg: &LayerConfig, r: &SampleResult) -> Vec<i128> {
    if let Some(ro) = &r.readout {
        // elm (SPEC section 7): the readout r at the last step.
        return ro
            .last()
            .map_or(vec![], |v| v.iter().map(|&x| i128::from(x)).collect());
    }
    let t_n = r.state.len();
    (0..cfg.outputs)
        .map(|o| {
            let last = i128::from(r.state[t_n - 1][o]);
            match cfg.neuron {
                Neuron::If { vth, .. } | Neuron::Lif { vth, .. } => {
                    let n: i128 = r.spikes.iter().map(|row| i128::from(row[o])).sum();
                    i128::from(vth) * n + last
                }
                Neuron::Tmn { vth } => {
                    let col: Vec<i8> = r.spikes.iter().map(|row| row[o]).collect();
                    i128::from(vth) * crate::neuron::tmn::spike_value(&col) + last
                }
                _ => {
                    let n: i128 = r.spikes.iter().map(|row| i128::from(row[o])).sum();
                    (n << 40) + last
                }
            }
        })
        .collect()
}

/// Index of the largest value; the first one wins a tie.
pub fn argmax<T: PartialOrd + Copy>(v: &[T]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
