//! The layer config (SPEC section 5's `layer` object): one type shared by the
//! golden model, the RTL generator and co-simulation, validated once.

use crate::error::ConfigError;
use crate::json_path::{self, Obj};
use crate::neuron::elm::Elm;
use crate::widths;
use serde_json::{json, Value};

/// Accepted ranges of the layer's scalar fields.
pub mod limits {
    pub const INPUTS: (i64, i64) = (1, 4096);
    pub const OUTPUTS: (i64, i64) = (1, 4096);
    pub const TIMESTEPS: (i64, i64) = (1, 64);
    pub const WEIGHT_BITS: (i64, i64) = (2, 16);
    pub const PSN_WEIGHT_BITS: (i64, i64) = (2, 16);
    pub const IF_VTH: (i64, i64) = (1, (1 << 31) - 1);
    /// `lif` leak shift k (decay `1 - 2^-k`).
    pub const LIF_LEAK_SHIFT: (i64, i64) = (1, 16);
    /// TMN `vth = 2^q` with q in this range.
    pub const TMN_Q: (u32, u32) = (1, 30);
    pub const PSN_K: (i64, i64) = (1, 1024);
    /// Neuron-only current width (`current_bits`).
    pub const CURRENT_BITS: (i64, i64) = (2, 32);
    pub const DEFAULT_WEIGHT_BITS: i64 = 8;

    /// True when `vth` is a TMN threshold: `2^q` with q in [`TMN_Q`].
    pub fn is_tmn_vth(vth: i64) -> bool {
        vth > 0
            && (vth as u64).is_power_of_two()
            && (TMN_Q.0..=TMN_Q.1).contains(&vth.trailing_zeros())
    }

    /// `"LO..=HI"`, the accepted-range text of every error.
    pub fn range_text(r: (i64, i64)) -> String {
        format!("{}..={}", r.0, r.1)
    }
    pub const DEFAULT_PSN_WEIGHT_BITS: i64 = 8;
}

/// What `if` and `lif` do to the membrane after a spike (SPEC section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reset {
    /// `u = u - s*vth` (the default).
    #[default]
    Subtract,
    /// `u = (s == 1) ? 0 : u` (NIR's reset to `v_reset` = 0).
    Zero,
}

impl Reset {
    /// The `reset` string of SPEC section 5.
    pub fn name(self) -> &'static str {
        match self {
            Reset::Subtract => "subtract",
            Reset::Zero => "zero",
        }
    }
}

/// The neuron under every column, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Neuron {
    /// Integrate-and-fire, binary.
    If { vth: i64, reset: Reset },
    /// Leaky integrate-and-fire, binary, leak `u - (u >> leak_shift)`.
    Lif {
        vth: i64,
        leak_shift: u32,
        reset: Reset,
    },
    /// Ternary Momentum Neuron, `vth = 2^q`, fires at +-vth/2.
    Tmn { vth: i64 },
    /// Full PSN: `T x T` matrix `P`, thresholds `B[T]`.
    Psn {
        weights: Vec<Vec<i64>>,
        thresholds: Vec<i64>,
    },
    /// Masked PSN of order k: `P[t][i]` is used only for `t-k < i <= t`.
    MaskedPsn {
        k: usize,
        weights: Vec<Vec<i64>>,
        thresholds: Vec<i64>,
    },
    /// Sliding PSN of order k: weights `w[0..k]`, one threshold.
    SlidingPsn {
        k: usize,
        weights: Vec<i64>,
        threshold: i64,
    },
    /// The ELM neuron model (SPEC section 7): the layer's weight rows are
    /// its branches, `outputs` its readout size.
    Elm(Box<Elm>),
}

impl Neuron {
    /// The `kind` string of SPEC section 5.
    pub fn kind(&self) -> &'static str {
        match self {
            Neuron::If { .. } => "if",
            Neuron::Lif { .. } => "lif",
            Neuron::Tmn { .. } => "tmn",
            Neuron::Psn { .. } => "psn",
            Neuron::MaskedPsn { .. } => "masked_psn",
            Neuron::SlidingPsn { .. } => "sliding_psn",
            Neuron::Elm(_) => "elm",
        }
    }

    /// True for the PSN family (state is H, no reset).
    pub fn is_psn_family(&self) -> bool {
        matches!(
            self,
            Neuron::Psn { .. } | Neuron::MaskedPsn { .. } | Neuron::SlidingPsn { .. }
        )
    }
}

/// One layer: synapses (or neuron-only mode), bias and neuron.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerConfig {
    pub inputs: usize,
    pub outputs: usize,
    pub timesteps: usize,
    pub weight_bits: u32,
    pub psn_weight_bits: u32,
    /// `W[out][in]`; `None` in neuron-only mode.
    pub weights: Option<Vec<Vec<i64>>>,
    /// `b[out]`, zeros when the case gives none.
    pub bias: Vec<i64>,
    pub neuron: Neuron,
    /// A user-forced state width narrower than the derived one (field
    /// `state_bits`): the state register saturates and raises `overflow`.
    pub forced_state_bits: Option<u32>,
    /// Neuron-only mode: the width of the given currents (field
    /// `current_bits`, default [`widths::NEURON_ONLY_DEFAULT_CURRENT_BITS`]).
    /// `None` with weights, where it is derived.
    pub neuron_only_current_bits: Option<u32>,
}

/// The widths of one layer, all from [`crate::widths`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Widths {
    /// `I = sum W*s` (and neuron-only currents).
    pub synaptic_bits: u32,
    /// `I + b`.
    pub current_bits: u32,
    /// The state register (membrane u, or H) the spec derives.
    pub derived_state_bits: u32,
    /// The state register actually used: derived, or the user-forced narrower width.
    pub state_bits: u32,
}

impl LayerConfig {
    /// All derived widths of this layer.
    pub fn widths(&self) -> Widths {
        let synaptic_bits = self
            .neuron_only_current_bits
            .unwrap_or_else(|| widths::synaptic_bits(self.weight_bits, self.inputs));
        let current_bits = widths::current_bits(synaptic_bits, self.weight_bits);
        let (t, wb, pwb) = (self.timesteps, self.weight_bits, self.psn_weight_bits);
        let derived = match &self.neuron {
            // lif: as if (the leak never grows |u|), SPEC section 6.
            Neuron::If { vth, .. } | Neuron::Lif { vth, .. } => {
                widths::if_membrane_bits(t, synaptic_bits, wb, *vth as u64)
            }
            Neuron::Tmn { vth } => widths::tmn_membrane_bits(t, synaptic_bits, wb, *vth as u64),
            Neuron::Psn { .. } => widths::psn_state_bits(current_bits, pwb, t),
            Neuron::MaskedPsn { k, .. } | Neuron::SlidingPsn { k, .. } => {
                widths::psn_state_bits(current_bits, pwb, *k)
            }
            Neuron::Elm(e) => e.widths(self.branches(), synaptic_bits).memory_bits,
        };
        Widths {
            synaptic_bits,
            current_bits,
            derived_state_bits: derived,
            state_bits: self.forced_state_bits.unwrap_or(derived),
        }
    }

    /// Rows of the synapse matrix: `outputs`, except for `elm`, whose
    /// weight rows are its branches.
    pub fn branches(&self) -> usize {
        match (&self.neuron, &self.weights) {
            (Neuron::Elm(_), Some(w)) => w.len(),
            _ => self.outputs,
        }
    }

    /// True in neuron-only mode (no synaptic weights).
    pub fn neuron_only(&self) -> bool {
        self.weights.is_none()
    }

    /// Signed range of a `weight_bits` value (weights and biases).
    pub fn weight_range(&self) -> (i64, i64) {
        signed_range(self.weight_bits)
    }

    /// A layer with synapses, built from typed values without JSON and
    /// validated exactly as [`LayerConfig::from_json`] validates a file:
    /// `inputs` and `outputs` come from the shape of `weights` (`W[out][in]`;
    /// for `elm`, `W[branches][in]` and `outputs` from its readout),
    /// `bias` defaults to zeros, `psn_weight_bits` to 8. Errors name the
    /// field under `path` (e.g. `network.layers[0]`).
    pub fn dense(
        weights: Vec<Vec<i64>>,
        bias: Option<Vec<i64>>,
        timesteps: usize,
        weight_bits: u32,
        neuron: Neuron,
        path: &str,
    ) -> Result<Self, ConfigError> {
        // An elm's weight rows are its branches; its outputs are the readout.
        let outputs = match &neuron {
            Neuron::Elm(e) => e.readout.len(),
            _ => weights.len(),
        };
        let inputs = weights.first().map_or(0, Vec::len);
        LayerConfig {
            inputs,
            outputs,
            timesteps,
            weight_bits,
            psn_weight_bits: limits::DEFAULT_PSN_WEIGHT_BITS as u32,
            bias: bias.unwrap_or_else(|| vec![0; outputs]),
            weights: Some(weights),
            neuron,
            forced_state_bits: None,
            neuron_only_current_bits: None,
        }
        .validated(path)
    }

    /// Checks every field of a typed config against SPEC sections 3-6 and
    /// returns it: the one validation both typed construction and
    /// [`LayerConfig::from_json`] go through. Errors name the field under
    /// `path` and the accepted range, in the reader's wording.
    pub fn validated(self, path: &str) -> Result<Self, ConfigError> {
        use json_path::{check_in, check_len, check_matrix_range, check_shape, check_vec_range};
        use limits::*;
        let f = |k: &str| json_path::join(path, k);
        let (inputs, outputs) = (self.inputs, self.outputs);
        check_in(inputs as i64, &f("inputs"), INPUTS.0, INPUTS.1)?;
        check_in(outputs as i64, &f("outputs"), OUTPUTS.0, OUTPUTS.1)?;
        check_in(
            self.timesteps as i64,
            &f("timesteps"),
            TIMESTEPS.0,
            TIMESTEPS.1,
        )?;
        check_in(
            i64::from(self.weight_bits),
            &f("weight_bits"),
            WEIGHT_BITS.0,
            WEIGHT_BITS.1,
        )?;
        check_in(
            i64::from(self.psn_weight_bits),
            &f("psn_weight_bits"),
            PSN_WEIGHT_BITS.0,
            PSN_WEIGHT_BITS.1,
        )?;
        let (wlo, whi) = signed_range(self.weight_bits);
        let why_w = format!("weight_bits {}", self.weight_bits);
        if let Neuron::Elm(_) = self.neuron {
            let Some(w) = &self.weights else {
                return Err(ConfigError::new(f("weights"), "an elm layer needs weights"));
            };
            check_in(
                w.len() as i64,
                &format!("{} (branches)", f("weights")),
                1,
                256,
            )?;
            if self.bias.iter().any(|&b| b != 0) {
                return Err(ConfigError::new(
                    f("bias"),
                    "an elm layer has no bias (b_hidden, b_delta and readout_bias are its biases)",
                ));
            }
            if self.forced_state_bits.is_some() {
                return Err(ConfigError::new(
                    f("state_bits"),
                    "an elm layer takes no forced state width: its widths are derived (SPEC section 7)",
                ));
            }
        }
        match &self.weights {
            Some(w) => {
                let rows = self.branches();
                let rows_what = if rows == outputs {
                    "outputs"
                } else {
                    "branches"
                };
                check_shape(w, &f("weights"), rows, rows_what, inputs, "inputs")?;
                check_matrix_range(w, &f("weights"), wlo, whi, &why_w)?;
            }
            None if inputs != outputs => {
                return Err(ConfigError::new(
                    f("inputs"),
                    format!(
                        "neuron-only mode (no weights) needs inputs == outputs, found {inputs} and {outputs}"
                    ),
                ));
            }
            None => {}
        }
        check_len(&self.bias, &f("bias"), outputs, "outputs")?;
        check_vec_range(&self.bias, &f("bias"), wlo, whi, &why_w)?;
        match &self.neuron {
            Neuron::Elm(e) => e.check(
                self.branches(),
                outputs,
                widths::synaptic_bits(self.weight_bits, inputs),
                &f("neuron"),
            )?,
            n => check_neuron(n, self.timesteps, self.psn_weight_bits, &f("neuron"))?,
        }
        if let Some(cb) = self.neuron_only_current_bits {
            if self.weights.is_some() {
                return Err(ConfigError::new(
                    f("current_bits"),
                    format!(
                        "only neuron-only layers (no weights) set current_bits; with weights it is derived ({} bits)",
                        widths::synaptic_bits(self.weight_bits, inputs)
                    ),
                ));
            }
            check_in(
                i64::from(cb),
                &f("current_bits"),
                CURRENT_BITS.0,
                CURRENT_BITS.1,
            )?;
        } else if self.weights.is_none() {
            return Err(ConfigError::new(
                f("current_bits"),
                "a neuron-only layer (no weights) needs its current width",
            ));
        }
        let derived = self.widths().derived_state_bits;
        if derived > widths::MAX_DERIVED_BITS {
            return Err(ConfigError::new(
                f("timesteps"),
                format!(
                    "the derived {} state width is {derived} bits, above the supported {}; reduce timesteps, weight_bits or inputs",
                    self.neuron.kind(),
                    widths::MAX_DERIVED_BITS
                ),
            ));
        }
        if let Some(sb) = self.forced_state_bits {
            check_in(i64::from(sb), &f("state_bits"), 2, i64::from(derived))?;
        }
        // PSN thresholds are compared with H: they must fit its width.
        let state_bits = self.widths().state_bits;
        let (hlo, hhi) = signed_range(state_bits);
        let why_h = format!("the {state_bits}-bit H width");
        let npath = f("neuron");
        match &self.neuron {
            Neuron::Psn { thresholds, .. } | Neuron::MaskedPsn { thresholds, .. } => {
                check_vec_range(
                    thresholds,
                    &json_path::join(&npath, "thresholds"),
                    hlo,
                    hhi,
                    &why_h,
                )?;
            }
            Neuron::SlidingPsn { threshold, .. } if !(hlo..=hhi).contains(threshold) => {
                return Err(ConfigError::new(
                    json_path::join(&npath, "threshold"),
                    format!("{threshold} is not in {hlo}..={hhi} ({why_h})"),
                ));
            }
            _ => {}
        }
        Ok(self)
    }

    /// Parses a SPEC section 5 `layer` object at `path` (types and shapes),
    /// then validates it with [`LayerConfig::validated`].
    pub fn from_json(v: &Value, path: &str) -> Result<Self, ConfigError> {
        use limits::*;
        let o = Obj::of(v, path)?;
        // Sizes first: the shapes of weights and bias are read against them.
        let inputs = o.int_in("inputs", INPUTS.0, INPUTS.1)? as usize;
        let outputs = o.int_in("outputs", OUTPUTS.0, OUTPUTS.1)? as usize;
        let timesteps = o.int_in("timesteps", TIMESTEPS.0, TIMESTEPS.1)? as usize;
        let weight_bits = o.int_in_or(
            "weight_bits",
            WEIGHT_BITS.0,
            WEIGHT_BITS.1,
            DEFAULT_WEIGHT_BITS,
        )? as u32;
        let psn_weight_bits = o.int_in_or(
            "psn_weight_bits",
            PSN_WEIGHT_BITS.0,
            PSN_WEIGHT_BITS.1,
            DEFAULT_PSN_WEIGHT_BITS,
        )? as u32;
        // An elm layer's weight rows are its branches, not its outputs.
        let neuron_o = o.obj("neuron")?;
        let is_elm = neuron_o.opt("kind").and_then(Value::as_str) == Some("elm");
        let weights = match o.opt("weights") {
            Some(w) => {
                let p = o.field_path("weights");
                let rows = if is_elm {
                    json_path::array(w, &p)?.len()
                } else {
                    outputs
                };
                let what = if is_elm { "branches" } else { "outputs" };
                Some(json_path::int_matrix(w, &p, rows, what, inputs, "inputs")?)
            }
            None if is_elm => {
                return Err(ConfigError::new(
                    o.field_path("weights"),
                    "an elm layer needs weights",
                ))
            }
            None => None,
        };
        let bias =
            match o.opt("bias") {
                Some(_) if is_elm => return Err(ConfigError::new(
                    o.field_path("bias"),
                    "an elm layer has no bias (b_hidden, b_delta and readout_bias are its biases)",
                )),
                Some(b) => json_path::int_vec(b, &o.field_path("bias"), outputs, "outputs")?,
                None => vec![0; outputs],
            };
        let branches = weights.as_ref().map_or(outputs, Vec::len);
        let neuron = parse_neuron(&neuron_o, timesteps, branches, outputs)?;
        let cb_path = o.field_path("current_bits");
        let neuron_only_current_bits = match (o.opt("current_bits"), &weights) {
            (None, None) => Some(widths::NEURON_ONLY_DEFAULT_CURRENT_BITS),
            (None, Some(_)) => None,
            (Some(v), None) => {
                Some(json_path::int_in(v, &cb_path, CURRENT_BITS.0, CURRENT_BITS.1)? as u32)
            }
            (Some(v), Some(_)) => {
                // Any value: `validated` refuses current_bits beside weights.
                json_path::int(v, &cb_path)?;
                Some(0)
            }
        };
        let cfg = LayerConfig {
            inputs,
            outputs,
            timesteps,
            weight_bits,
            psn_weight_bits,
            weights,
            bias,
            neuron,
            forced_state_bits: None,
            neuron_only_current_bits,
        }
        .validated(path)?;
        // A forced state width is bounded by the derived one.
        match o.opt("state_bits") {
            None => Ok(cfg),
            Some(v) => {
                let derived = i64::from(cfg.widths().derived_state_bits);
                let sb = json_path::int_in(v, &o.field_path("state_bits"), 2, derived)?;
                LayerConfig {
                    forced_state_bits: Some(sb as u32),
                    ..cfg
                }
                .validated(path)
            }
        }
    }

    /// The SPEC section 5 `layer` object for this config.
    pub fn to_json(&self) -> Value {
        let neuron = match &self.neuron {
            Neuron::If { vth, reset } => {
                let mut n = json!({"kind": "if", "vth": vth});
                if *reset != Reset::Subtract {
                    n["reset"] = json!(reset.name());
                }
                n
            }
            Neuron::Lif {
                vth,
                leak_shift,
                reset,
            } => {
                let mut n = json!({"kind": "lif", "vth": vth, "leak_shift": leak_shift});
                if *reset != Reset::Subtract {
                    n["reset"] = json!(reset.name());
                }
                n
            }
            Neuron::Tmn { vth } => json!({"kind": "tmn", "vth": vth}),
            Neuron::Psn {
                weights,
                thresholds,
            } => json!({"kind": "psn", "weights": weights, "thresholds": thresholds}),
            Neuron::MaskedPsn {
                k,
                weights,
                thresholds,
            } => {
                json!({"kind": "masked_psn", "k": k, "weights": weights, "thresholds": thresholds})
            }
            Neuron::SlidingPsn {
                k,
                weights,
                threshold,
            } => json!({"kind": "sliding_psn", "k": k, "weights": weights, "threshold": threshold}),
            Neuron::Elm(e) => e.to_json(),
        };
        let mut v = json!({
            "inputs": self.inputs,
            "outputs": self.outputs,
            "timesteps": self.timesteps,
            "weight_bits": self.weight_bits,
            "psn_weight_bits": self.psn_weight_bits,
            "bias": self.bias,
            "neuron": neuron,
        });
        if let Some(w) = &self.weights {
            v["weights"] = json!(w);
        }
        if let Neuron::Elm(_) = self.neuron {
            v.as_object_mut().expect("an object").remove("bias");
        }
        if let Some(cb) = self.neuron_only_current_bits {
            v["current_bits"] = json!(cb);
        }
        if let Some(sb) = self.forced_state_bits {
            v["state_bits"] = json!(sb);
        }
        v
    }
}

impl serde::Serialize for LayerConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for LayerConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        LayerConfig::from_json(&v, "layer").map_err(serde::de::Error::custom)
    }
}

/// `[-2^(bits-1), 2^(bits-1) - 1]`.
pub fn signed_range(bits: u32) -> (i64, i64) {
    let lim = 1i64 << (bits - 1);
    (-lim, lim - 1)
}

/// Reads the neuron object: its kind, the types of its parameters and the
/// shapes of its PSN weights (k, which sizes them, is range-checked here);
/// [`check_neuron`] checks the values.
fn parse_neuron(
    o: &Obj,
    timesteps: usize,
    branches: usize,
    outputs: usize,
) -> Result<Neuron, ConfigError> {
    use limits::*;
    let kind_v = o.req("kind")?;
    let kind = kind_v.as_str().ok_or_else(|| {
        ConfigError::new(
            o.field_path("kind"),
            "expected a string: if, lif, tmn, psn, masked_psn, sliding_psn or elm",
        )
    })?;
    let int = |k: &str| -> Result<i64, ConfigError> { json_path::int(o.req(k)?, &o.field_path(k)) };
    let psn_matrix = |o: &Obj| -> Result<(Vec<Vec<i64>>, Vec<i64>), ConfigError> {
        let w = json_path::int_matrix(
            o.req("weights")?,
            &o.field_path("weights"),
            timesteps,
            "timesteps",
            timesteps,
            "timesteps",
        )?;
        let t = json_path::int_vec(
            o.req("thresholds")?,
            &o.field_path("thresholds"),
            timesteps,
            "timesteps",
        )?;
        Ok((w, t))
    };
    Ok(match kind {
        "if" => Neuron::If {
            vth: int("vth")?,
            reset: parse_reset(o)?,
        },
        "lif" => Neuron::Lif {
            vth: int("vth")?,
            leak_shift: o.int_in("leak_shift", LIF_LEAK_SHIFT.0, LIF_LEAK_SHIFT.1)? as u32,
            reset: parse_reset(o)?,
        },
        "tmn" => Neuron::Tmn { vth: int("vth")? },
        "psn" => {
            let (weights, thresholds) = psn_matrix(o)?;
            Neuron::Psn {
                weights,
                thresholds,
            }
        }
        "masked_psn" => {
            let k = o.int_in("k", PSN_K.0, PSN_K.1)? as usize;
            let (weights, thresholds) = psn_matrix(o)?;
            Neuron::MaskedPsn {
                k,
                weights,
                thresholds,
            }
        }
        "sliding_psn" => {
            let k = o.int_in("k", PSN_K.0, PSN_K.1)? as usize;
            let weights =
                json_path::int_vec(o.req("weights")?, &o.field_path("weights"), k, "k")?;
            Neuron::SlidingPsn {
                k,
                weights,
                threshold: int("threshold")?,
            }
        }
        "elm" => Neuron::Elm(Box::new(Elm::parse(o, branches, outputs)?)),
        other => {
            return Err(ConfigError::new(
                o.field_path("kind"),
                format!(
                "unknown neuron kind {other:?}; accepted: if, lif, tmn, psn, masked_psn, sliding_psn, elm"
            ),
            ))
        }
    })
}

/// Checks a neuron's parameters (SPEC section 4) at `path` (the neuron
/// object's path). PSN thresholds are checked by [`LayerConfig::validated`],
/// which knows the H width.
fn check_neuron(
    n: &Neuron,
    timesteps: usize,
    psn_weight_bits: u32,
    path: &str,
) -> Result<(), ConfigError> {
    use json_path::{check_in, check_len, check_matrix_range, check_shape, check_vec_range};
    use limits::*;
    let f = |k: &str| json_path::join(path, k);
    let (plo, phi) = signed_range(psn_weight_bits);
    let why_p = format!("psn_weight_bits {psn_weight_bits}");
    let psn = |w: &[Vec<i64>], thr: &[i64]| -> Result<(), ConfigError> {
        let p = f("weights");
        check_shape(w, &p, timesteps, "timesteps", timesteps, "timesteps")?;
        check_matrix_range(w, &p, plo, phi, &why_p)?;
        check_len(thr, &f("thresholds"), timesteps, "timesteps")
    };
    match n {
        Neuron::If { vth, .. } => {
            check_in(*vth, &f("vth"), IF_VTH.0, IF_VTH.1)?;
        }
        Neuron::Lif {
            vth, leak_shift, ..
        } => {
            check_in(*vth, &f("vth"), IF_VTH.0, IF_VTH.1)?;
            check_in(
                i64::from(*leak_shift),
                &f("leak_shift"),
                LIF_LEAK_SHIFT.0,
                LIF_LEAK_SHIFT.1,
            )?;
        }
        Neuron::Tmn { vth } if !is_tmn_vth(*vth) => {
            let vth = *vth;
            if !(vth > 0 && (vth as u64).is_power_of_two()) {
                return Err(ConfigError::new(
                    f("vth"),
                    format!("tmn vth {vth} is not a power of two 2^q with q >= 1"),
                ));
            }
            return Err(ConfigError::new(
                f("vth"),
                format!(
                    "tmn vth {vth} is out of range: vth = 2^q with q in {}..={}",
                    TMN_Q.0, TMN_Q.1
                ),
            ));
        }
        Neuron::Tmn { .. } => {}
        Neuron::Psn {
            weights,
            thresholds,
        } => psn(weights, thresholds)?,
        Neuron::MaskedPsn {
            k,
            weights,
            thresholds,
        } => {
            check_in(*k as i64, &f("k"), PSN_K.0, PSN_K.1)?;
            psn(weights, thresholds)?;
        }
        Neuron::SlidingPsn { k, weights, .. } => {
            check_in(*k as i64, &f("k"), PSN_K.0, PSN_K.1)?;
            check_len(weights, &f("weights"), *k, "k")?;
            check_vec_range(weights, &f("weights"), plo, phi, &why_p)?;
        }
        Neuron::Elm(_) => unreachable!("LayerConfig::validated checks elm itself"),
    }
    Ok(())
}

/// The optional `reset` of `if` and `lif`: "subtract" (default) or "zero".
fn parse_reset(o: &Obj) -> Result<Reset, ConfigError> {
    match o.opt("reset") {
        None => Ok(Reset::Subtract),
        Some(v) => match v.as_str() {
            Some("subtract") => Ok(Reset::Subtract),
            Some("zero") => Ok(Reset::Zero),
            _ => Err(ConfigError::new(
                o.field_path("reset"),
                format!("{v} is not accepted: \"subtract\" or \"zero\""),
            )),
        },
    }
}
