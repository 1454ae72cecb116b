//! NIR chain to integer network (docs/nir.md derives every rule):
//!
//! - decay per step `d = dt/tau` (euler) or `1 - exp(-dt/tau)` (exp);
//!   `leak_shift k = round(log2(1/d))`, clamped to 1..=16;
//! - input gain `g = R*d` (LIF) or `R*dt` (IF) folded into the weights, with
//!   the `Scale` node's factor; `v_leak` adds `v_leak*d` per step to the bias;
//! - per-neuron thresholds that differ are normalised to 1 (row o divided by
//!   theta_o, exact in NIR's arithmetic);
//! - one scale S per layer: the largest integer that puts the mapped weights
//!   and biases in `weight_bits` (or `limit/max` when even 1 is too large);
//!   `S = 1` for an integer network written in NIR (integer weights that fit,
//!   every threshold `n - 1/2`, as `snnrtl export` writes);
//! - `vth = floor(S*theta) + 1` (NIR fires on `>`, we fire on `>=`).

use crate::chain::{Chain, NirNeuron, Stage};
use crate::error::NirError;
use crate::graph::node_path;
use crate::timestep::{self, DtSource};
use golden_model::config::limits;
use golden_model::{LayerConfig, NetworkConfig, Neuron, Reset};

/// How the continuous-time decay becomes a per-step decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Integrator {
    /// Forward Euler: `d = dt/tau` (snnTorch, Norse).
    #[default]
    Euler,
    /// Exact exponential: `d = 1 - exp(-dt/tau)` (Rockpool).
    Exp,
}

impl Integrator {
    pub fn name(self) -> &'static str {
        match self {
            Integrator::Euler => "euler",
            Integrator::Exp => "exp",
        }
    }
    /// The per-step decay of `tau` at `dt`.
    pub fn decay(self, dt: f64, tau: f64) -> f64 {
        match self {
            Integrator::Euler => dt / tau,
            Integrator::Exp => 1.0 - (-dt / tau).exp(),
        }
    }
    /// The tau whose decay at `dt` is exactly `2^-k`.
    pub fn tau_of_shift(self, dt: f64, k: u32) -> f64 {
        let d = (-(k as f64)).exp2();
        match self {
            Integrator::Euler => dt / d,
            Integrator::Exp => -dt / (1.0 - d).ln(),
        }
    }
}

/// The importer's options (the command line's).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    pub dt: Option<f64>,
    pub integrator: Integrator,
    pub reset: Reset,
    pub weight_bits: u32,
    pub timesteps: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            dt: None,
            integrator: Integrator::Euler,
            reset: Reset::Zero,
            weight_bits: limits::DEFAULT_WEIGHT_BITS as u32,
            timesteps: DEFAULT_TIMESTEPS,
        }
    }
}

/// NIR has no step count; the network runs this many unless told.
pub const DEFAULT_TIMESTEPS: usize = 16;

/// How one stage was mapped, and with what error.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerMapping {
    pub synapse_node: String,
    pub synapse_type: String,
    pub scale_node: Option<String>,
    pub neuron_node: String,
    pub neuron_type: &'static str,
    pub inputs: usize,
    pub outputs: usize,
    /// The layer's scale S (integer units per NIR membrane unit).
    pub scale: f64,
    /// True for an integer network written in NIR, kept as is (S = 1).
    pub exact_integers: bool,
    /// Smallest and largest input gain (`R*d` or `R*dt`).
    pub gain: (f64, f64),
    /// LIF: the leak shift, `round(log2(1/d))` before clamping, and whether it was clamped.
    pub leak: Option<Leak>,
    /// Smallest and largest NIR threshold.
    pub theta: (f64, f64),
    /// True when per-neuron thresholds differed and rows were normalised.
    pub thresholds_normalised: bool,
    pub vth: i64,
    /// Largest `|round(S x) - S x|` over weights and biases, in integer units.
    pub rounding: f64,
}

/// LIF leak mapping.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leak {
    pub k: u32,
    pub log2_inv_decay: f64,
    pub clamped: bool,
    pub tau: (f64, f64),
    /// `dt * 2^k` (euler) or `-dt/ln(1 - 2^-k)` (exp).
    pub tau_effective: f64,
    /// `(tau_eff - tau)/tau` of largest magnitude over the neurons.
    pub tau_rel_error: f64,
}

/// The import: the integer network and how every node was mapped.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub network: NetworkConfig,
    pub options: ImportOptions,
    pub dt: f64,
    pub dt_source: DtSource,
    pub version: String,
    pub chain: ChainNames,
    pub layers: Vec<LayerMapping>,
}

/// The chain's non-layer nodes, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainNames {
    pub input: String,
    pub output: String,
    pub flattens: Vec<String>,
}

/// Reads a NIR file's bytes and maps it.
pub fn import_bytes(bytes: Vec<u8>, opts: &ImportOptions) -> Result<Imported, NirError> {
    let raw = crate::hdf5_io::read(bytes)?;
    let chain = crate::chain::extract(&raw)?;
    import_chain(&chain, &raw.version, opts)
}

/// Maps an extracted chain.
pub fn import_chain(
    chain: &Chain,
    version: &str,
    opts: &ImportOptions,
) -> Result<Imported, NirError> {
    use golden_model::json_path::check_in;
    check_in(
        i64::from(opts.weight_bits),
        "--weight-bits",
        limits::WEIGHT_BITS.0,
        limits::WEIGHT_BITS.1,
    )?;
    check_in(
        opts.timesteps as i64,
        "--timesteps",
        limits::TIMESTEPS.0,
        limits::TIMESTEPS.1,
    )?;
    let (dt, dt_source) = timestep::resolve(chain, opts.dt)?;
    let mut layers = vec![];
    let mut maps = vec![];
    for (k, st) in chain.stages.iter().enumerate() {
        let (cfg, m) = map_stage(st, k, dt, opts)?;
        layers.push(cfg);
        maps.push(m);
    }
    let network = NetworkConfig::new(layers, "network")?;
    Ok(Imported {
        network,
        options: opts.clone(),
        dt,
        dt_source,
        version: version.to_string(),
        chain: ChainNames {
            input: chain.input_node.clone(),
            output: chain.output_node.clone(),
            flattens: chain.flattens.clone(),
        },
        layers: maps,
    })
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        })
}

fn is_integer(x: f64) -> bool {
    (x - x.round()).abs() <= 1e-9 * x.abs().max(1.0)
}

fn map_stage(
    st: &Stage,
    index: usize,
    dt: f64,
    opts: &ImportOptions,
) -> Result<(LayerConfig, LayerMapping), NirError> {
    let node = node_path(&st.neuron_node);
    let n = st.weight.len();
    // Per-neuron decay d (LIF), gain g and leak bias c.
    let (decay, gain, leak_bias): (Option<Vec<f64>>, Vec<f64>, Vec<f64>) = match &st.neuron {
        NirNeuron::If { r, .. } => (None, r.iter().map(|r| r * dt).collect(), vec![0.0; n]),
        NirNeuron::Lif { tau, r, v_leak, .. } => {
            let d: Vec<f64> = tau.iter().map(|&t| opts.integrator.decay(dt, t)).collect();
            let g = r.iter().zip(&d).map(|(r, d)| r * d).collect();
            let c = v_leak.iter().zip(&d).map(|(v, d)| v * d).collect();
            (Some(d), g, c)
        }
    };
    let theta = st.neuron.v_threshold();
    if let Some(t) = theta.iter().find(|&&t| t < 0.0) {
        return Err(NirError::new(format!(
            "{node}/v_threshold: {t} is not accepted: v_threshold >= 0 (our thresholds are positive)"
        )));
    }
    let same = theta.iter().all(|&t| t == theta[0]);
    if !same {
        if let Some(t) = theta.iter().find(|&&t| t <= 0.0) {
            return Err(NirError::new(format!(
                "{node}/v_threshold: {t} is not accepted: thresholds that differ per neuron are normalised, so each must be > 0"
            )));
        }
    }
    let norm = |o: usize| if same { 1.0 } else { theta[o] };
    let theta_layer = if same { theta[0] } else { 1.0 };
    // Real-valued integer-network parameters before the scale S.
    let wr: Vec<Vec<f64>> = st
        .weight
        .iter()
        .enumerate()
        .map(|(o, row)| {
            row.iter()
                .map(|w| gain[o] * st.scale[o] * w / norm(o))
                .collect()
        })
        .collect();
    let br: Vec<f64> = (0..n)
        .map(|o| (gain[o] * st.scale[o] * st.bias[o] + leak_bias[o]) / norm(o))
        .collect();
    let limit = ((1i64 << (opts.weight_bits - 1)) - 1) as f64;
    let all = || wr.iter().flatten().chain(br.iter()).copied();
    let m = all().fold(0.0f64, |a, x| a.max(x.abs()));
    // An integer network written in NIR (what `snnrtl export` writes):
    // integer weights and biases that fit, and thresholds n - 1/2, which on
    // an integer membrane is exactly `u >= n`. It is kept as is (S = 1).
    let half = theta.iter().all(|&t| (t - t.floor() - 0.5).abs() < 1e-9);
    let fits = |x: f64| (-limit - 1.0..=limit).contains(&x);
    let exact_integers = same && half && all().all(|x| is_integer(x) && fits(x.round()));
    let scale = if exact_integers || m == 0.0 {
        1.0
    } else if limit / m >= 1.0 {
        (limit / m).floor()
    } else {
        limit / m
    };
    let rounding = all().fold(0.0f64, |a, x| {
        a.max(((scale * x).round() - scale * x).abs())
    });
    let q = |x: f64| (scale * x).round() as i64;
    let weights: Vec<Vec<i64>> = wr
        .iter()
        .map(|r| r.iter().map(|&x| q(x)).collect())
        .collect();
    let bias: Vec<i64> = br.iter().map(|&x| q(x)).collect();
    let vth_real = (scale * theta_layer).floor() + 1.0;
    if vth_real > limits::IF_VTH.1 as f64 {
        return Err(NirError::new(format!(
            "{node}/v_threshold: {theta_layer} x scale {scale} gives vth {vth_real}, not in {}",
            limits::range_text(limits::IF_VTH)
        )));
    }
    let vth = vth_real as i64;
    let leak = match &decay {
        None => None,
        Some(d) => Some(leak_of(d, &st.neuron, dt, opts.integrator, &node)?),
    };
    let neuron = match &leak {
        None => Neuron::If {
            vth,
            reset: opts.reset,
        },
        Some(l) => Neuron::Lif {
            vth,
            leak_shift: l.k,
            reset: opts.reset,
        },
    };
    let path = format!("network.layers[{index}]");
    let cfg = LayerConfig::dense(
        weights,
        Some(bias),
        opts.timesteps,
        opts.weight_bits,
        neuron,
        &path,
    )
    .map_err(|e| NirError::new(format!("{node}: {e}")))?;
    let mapping = LayerMapping {
        synapse_node: st.synapse_node.clone(),
        synapse_type: st.synapse_type.clone(),
        scale_node: st.scale_node.clone(),
        neuron_node: st.neuron_node.clone(),
        neuron_type: st.neuron.type_name(),
        inputs: cfg.inputs,
        outputs: cfg.outputs,
        scale,
        exact_integers,
        gain: min_max(&gain),
        leak,
        theta: min_max(theta),
        thresholds_normalised: !same,
        vth,
        rounding,
    };
    Ok((cfg, mapping))
}

fn leak_of(
    d: &[f64],
    neuron: &NirNeuron,
    dt: f64,
    integ: Integrator,
    node: &str,
) -> Result<Leak, NirError> {
    let NirNeuron::Lif { tau, .. } = neuron else {
        unreachable!("decay only for LIF")
    };
    let (lo, hi) = limits::LIF_LEAK_SHIFT;
    let raw: Vec<f64> = d.iter().map(|&d| (1.0 / d).log2()).collect();
    let ks: Vec<u32> = raw
        .iter()
        .map(|&l| (l.round().clamp(lo as f64, hi as f64)) as u32)
        .collect();
    let (kmin, kmax) = (
        *ks.iter().min().expect("n >= 1"),
        *ks.iter().max().expect("n >= 1"),
    );
    if kmin != kmax {
        return Err(NirError::new(format!(
            "{node}/tau: its neurons map to leak shifts {kmin}..={kmax} (k = round(log2(1/d))); one leak shift per layer is supported"
        )));
    }
    let k = kmin;
    let clamped = raw
        .iter()
        .any(|&l| l.round() < lo as f64 || l.round() > hi as f64);
    let tau_effective = integ.tau_of_shift(dt, k);
    let tau_rel_error = tau
        .iter()
        .map(|&t| (tau_effective - t) / t)
        .fold(0.0f64, |a, e| if e.abs() > a.abs() { e } else { a });
    let (rmin, rmax) = min_max(&raw);
    Ok(Leak {
        k,
        log2_inv_decay: if rmax - rmin < 1e-12 { rmin } else { rmax },
        clamped,
        tau: min_max(tau),
        tau_effective,
        tau_rel_error,
    })
}
