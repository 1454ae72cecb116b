//! SPEC section 5 case files: a layer and its samples in, results out.

use crate::config::LayerConfig;
use crate::error::ConfigError;
use crate::json_path::{self, Obj};
use crate::lanes::LaneVec;
use crate::layer::{Layer, SampleResult};
use serde_json::Value;

/// The case-file format this model reads and writes.
pub const FORMAT_VERSION: i64 = 1;

/// One sample's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sample {
    /// `T` vectors of input lanes (from `spikes`, or raw 2-bit codes in `lanes`).
    Lanes(Vec<LaneVec>),
    /// Neuron-only mode: currents `I[t][o]`.
    Currents(Vec<Vec<i64>>),
}

/// A parsed and validated case.
#[derive(Debug, Clone)]
pub struct Case {
    pub layer: LayerConfig,
    pub samples: Vec<Sample>,
}

impl Case {
    /// Parses and validates a case file's text. Unknown extra fields (such as
    /// `meta`) are accepted and ignored.
    pub fn parse(text: &str) -> Result<Case, ConfigError> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| ConfigError::new("case", format!("not valid JSON: {e}")))?;
        Case::from_json(&v)
    }

    /// Validates a case already read as JSON.
    pub fn from_json(v: &Value) -> Result<Case, ConfigError> {
        let root = Obj::of(v, "")?;
        let fv = json_path::int(root.req("format_version")?, "format_version")?;
        if fv != FORMAT_VERSION {
            return Err(ConfigError::new(
                "format_version",
                format!("{fv} is not supported (accepted: {FORMAT_VERSION})"),
            ));
        }
        let layer = LayerConfig::from_json(root.req("layer")?, "layer")?;
        let samples_v = json_path::array(root.req("samples")?, "samples")?;
        if samples_v.is_empty() {
            return Err(ConfigError::new("samples", "needs at least one sample"));
        }
        let samples = samples_v
            .iter()
            .enumerate()
            .map(|(i, s)| parse_sample(&layer, s, &format!("samples[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(Case { layer, samples })
    }

    /// Runs every sample through the golden model.
    pub fn run(&self) -> Vec<SampleResult> {
        let layer = Layer::new(self.layer.clone());
        self.samples
            .iter()
            .map(|s| match s {
                Sample::Lanes(l) => layer.run_lanes(l),
                Sample::Currents(c) => layer.run_currents(c),
            })
            .collect()
    }
}

/// The output document of SPEC section 5, one result per line.
pub fn results_to_json(results: &[SampleResult]) -> String {
    let mut s = format!("{{\"format_version\": {FORMAT_VERSION},\n \"results\": [\n");
    for (i, r) in results.iter().enumerate() {
        s.push_str("  ");
        s.push_str(&serde_json::to_string(r).expect("results serialize"));
        s.push_str(if i + 1 < results.len() { ",\n" } else { "\n" });
    }
    s.push_str(" ]}\n");
    s
}

fn parse_sample(layer: &LayerConfig, v: &Value, path: &str) -> Result<Sample, ConfigError> {
    let o = Obj::of(v, path)?;
    let t = layer.timesteps;
    let given: Vec<&str> = ["spikes", "lanes", "currents"]
        .into_iter()
        .filter(|k| o.opt(k).is_some())
        .collect();
    let wanted = if layer.neuron_only() {
        "`currents` (neuron-only mode: the layer has no weights)"
    } else {
        "`spikes` or `lanes` (the layer has weights)"
    };
    let ok = match given.as_slice() {
        ["currents"] => layer.neuron_only(),
        ["spikes"] | ["lanes"] => !layer.neuron_only(),
        _ => false,
    };
    if !ok {
        let found = if given.is_empty() {
            "none".to_string()
        } else {
            given
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        };
        return Err(ConfigError::new(
            path,
            format!("needs exactly one of {wanted}; found {found}"),
        ));
    }
    let key = given[0];
    let p = o.field_path(key);
    let width = if key == "currents" {
        layer.outputs
    } else {
        layer.inputs
    };
    let width_what = if key == "currents" {
        "outputs"
    } else {
        "inputs"
    };
    let m = json_path::int_matrix(o.req(key)?, &p, t, "timesteps", width, width_what)?;
    let bad = |r: usize, c: usize, x: i64, accepted: &str| {
        ConfigError::new(&p, format!("{key}[{r}][{c}] = {x} is not in {accepted}"))
    };
    match key {
        "spikes" => m
            .iter()
            .enumerate()
            .map(|(r, row)| LaneVec::from_spikes(row).map_err(|c| bad(r, c, row[c], "{-1, 0, 1}")))
            .collect::<Result<_, _>>()
            .map(Sample::Lanes),
        "lanes" => m
            .iter()
            .enumerate()
            .map(|(r, row)| {
                let codes: Vec<u8> = row.iter().map(|&x| x.clamp(0, 255) as u8).collect();
                match row.iter().position(|&x| !(0..=3).contains(&x)) {
                    Some(c) => Err(bad(
                        r,
                        c,
                        row[c],
                        "0..=3 (raw 2-bit lane codes: 0 = 0, 1 = +1, 3 = -1, 2 = illegal)",
                    )),
                    None => Ok(LaneVec::from_codes(&codes).expect("codes checked")),
                }
            })
            .collect::<Result<_, _>>()
            .map(Sample::Lanes),
        _ => {
            let bits = layer.widths().synaptic_bits;
            let (lo, hi) = crate::config::signed_range(bits);
            for (r, row) in m.iter().enumerate() {
                if let Some(c) = row.iter().position(|x| !(lo..=hi).contains(x)) {
                    return Err(bad(
                        r,
                        c,
                        row[c],
                        &format!("{lo}..={hi} (current_bits {bits})"),
                    ));
                }
            }
            Ok(Sample::Currents(m))
        }
    }
}

/// Lane codes of spike values, for callers building samples by hand.
pub fn spikes_to_lanes(spikes: &[Vec<i64>]) -> Option<Vec<LaneVec>> {
    spikes
        .iter()
        .map(|r| LaneVec::from_spikes(r).ok())
        .collect()
}
