//! Float MLP to integer SNN: data-based normalisation, the L4-norm
//! adjustment, and quantisation to `weight_bits` integers with thresholds.
//! docs/conversion.md derives every rule; the short form:
//!
//! 1. Normalise (Diehl 2015, Rueckauer 2017): `lambda_l` = the chosen
//!    percentile (100 = max) of hidden layer l's positive ReLU activations over
//!    the calibration images; `W~_l = W_l * lambda_(l-1) / lambda_l`,
//!    `b~_l = b_l / lambda_l` (`lambda_(-1) = 1`, inputs are in [0, 1]).
//!    Hidden activations are then about [0, 1]; the last layer keeps
//!    `W_l * lambda_(l-1)` and `b_l` (argmax does not care about scale).
//! 2. L4 (arXiv 2111.09446, our rule): hidden neuron o's threshold is raised
//!    by `gamma_o = 1 + kappa * ||W~_o||_4`: its row and bias are divided by
//!    gamma_o and the next layer's column o is multiplied by it, so the
//!    float function is unchanged below saturation and only the spiking
//!    resolution and saturation point of that neuron move.
//! 3. Quantise per neuron kind (weights and biases round to nearest, ties
//!    away from zero, and must fit `weight_bits`):
//!    - `if`: `vth = floor(max / max|W~, b~|)` (an integer >= 1),
//!      `W = round(W~ vth)`, `b = round(b~ vth)`.
//!    - `tmn`: a hidden layer computes ReLU from the TMN's saturation,
//!      `clip(z, 0, 1) = (clip(2z - 1, -1, 1) + 1) / 2`. With the layer's input
//!      decoded as `a` (pixels: `a = x`; a hidden TMN layer: `a = 2h - 1`)
//!      write `z = A a + c` (`A = W~`, `c = b~` on pixels; `A = W~/2`,
//!      `c = b~ + sum_i W~_i / 2` after a hidden layer). A TMN layer computes
//!      `clip((W a + b/2) / vth, -1, 1)` (the bias enters once, doubled by the
//!      momentum), so `vth = 2^q` with the largest q that fits,
//!      `W = round(2A vth)`, `b = round(2(2c - 1) vth)`. The last layer has
//!      no clip in its readout: `W = round(A s)`, `b = round(2 c s)`
//!      with the largest real s that fits, `vth = 2^round(log2 s)`.

use crate::error::ConvertError;
use crate::mlp::{Dense, Mlp};
use golden_model::config::signed_range;
use golden_model::{LayerConfig, NetworkConfig, Neuron};

/// How hidden-layer activations are normalised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Norm {
    Max,
    /// `p` in (0, 100].
    Percentile(f64),
}

impl Norm {
    pub fn describe(&self) -> String {
        match self {
            Norm::Max => "max activation".into(),
            Norm::Percentile(p) => format!("{p}th percentile of activations"),
        }
    }
}

/// Spiking neuron kinds the conversion targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tmn,
    If,
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Tmn => "tmn",
            Kind::If => "if",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "tmn" => Some(Kind::Tmn),
            "if" => Some(Kind::If),
            _ => None,
        }
    }
}

/// The normalised float network (step 1, and step 2 when applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Normalised {
    pub layers: Vec<Dense>,
    /// `lambda_l` of each hidden layer.
    pub lambdas: Vec<f64>,
    /// The L4 gains `gamma_o` per hidden layer (all 1 without the adjustment).
    pub gammas: Vec<Vec<f64>>,
}

/// The p-th percentile (nearest rank) of `v`; `v` is sorted in place.
pub fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil().max(1.0) as usize;
    v[rank.min(v.len()) - 1]
}

/// Step 1: data-based normalisation over `calib` inputs (in [0, 1]).
pub fn normalise(mlp: &Mlp, calib: &[Vec<f64>], norm: Norm) -> Result<Normalised, ConvertError> {
    let n = mlp.layers.len();
    let mut acts: Vec<Vec<f64>> = vec![vec![]; n.saturating_sub(1)];
    for x in calib {
        for (l, a) in mlp.activations(x).into_iter().take(n - 1).enumerate() {
            acts[l].extend(a.into_iter().filter(|&v| v > 0.0));
        }
    }
    let mut lambdas = vec![];
    for (l, a) in acts.iter_mut().enumerate() {
        let lam = match norm {
            Norm::Max => a.iter().cloned().fold(0.0, f64::max),
            Norm::Percentile(p) => percentile(a, p),
        };
        if lam <= 0.0 {
            return Err(ConvertError::new(format!(
                "layers[{l}]: no positive activation on the calibration images; cannot normalise a dead layer"
            )));
        }
        lambdas.push(lam);
    }
    let layers = mlp
        .layers
        .iter()
        .enumerate()
        .map(|(l, d)| {
            let prev = if l == 0 { 1.0 } else { lambdas[l - 1] };
            let this = if l + 1 < n { lambdas[l] } else { 1.0 };
            Dense {
                w: d.w
                    .iter()
                    .map(|r| r.iter().map(|w| w * prev / this).collect())
                    .collect(),
                b: d.b.iter().map(|b| b / this).collect(),
            }
        })
        .collect();
    let gammas = lambdas
        .iter()
        .enumerate()
        .map(|(l, _)| vec![1.0; mlp.layers[l].outputs()])
        .collect();
    Ok(Normalised {
        layers,
        lambdas,
        gammas,
    })
}

/// `||w||_4`.
pub fn l4_norm(w: &[f64]) -> f64 {
    w.iter().map(|x| x.powi(4)).sum::<f64>().powf(0.25)
}

/// Step 2: the L4 adjustment with strength `kappa` (0 leaves `n` unchanged).
pub fn l4_adjust(n: &Normalised, kappa: f64) -> Normalised {
    let mut out = n.clone();
    for l in 0..out.layers.len().saturating_sub(1) {
        let gammas: Vec<f64> = out.layers[l]
            .w
            .iter()
            .map(|row| 1.0 + kappa * l4_norm(row))
            .collect();
        for (o, g) in gammas.iter().enumerate() {
            out.layers[l].w[o].iter_mut().for_each(|w| *w /= g);
            out.layers[l].b[o] /= g;
        }
        for row in out.layers[l + 1].w.iter_mut() {
            for (o, g) in gammas.iter().enumerate() {
                row[o] *= g;
            }
        }
        out.gammas[l] = gammas;
    }
    out
}

/// Rounds to nearest, ties away from zero.
fn rnd(x: f64) -> i64 {
    x.round() as i64
}

fn max_abs(m: &[Vec<f64>]) -> f64 {
    m.iter().flatten().fold(0.0f64, |a, &x| a.max(x.abs()))
}

/// Step 3: the integer network for `kind` at `timesteps`.
pub fn quantise(
    n: &Normalised,
    kind: Kind,
    weight_bits: u32,
    timesteps: usize,
) -> Result<NetworkConfig, ConvertError> {
    let (_, whi) = signed_range(weight_bits);
    let lim = whi as f64;
    let last = n.layers.len() - 1;
    let mut layers = vec![];
    for (l, d) in n.layers.iter().enumerate() {
        let fail = |what: &str| {
            ConvertError::new(format!(
                "layers[{l}]: {what} do not fit weight_bits {weight_bits} (accepted -{}..={whi}); raise weight_bits",
                whi + 1
            ))
        };
        let (w, b, neuron) = match kind {
            Kind::If => {
                let m = max_abs(&d.w).max(d.b.iter().fold(0.0f64, |a, &x| a.max(x.abs())));
                let vth = if m > 0.0 { (lim / m).floor() } else { lim };
                if vth < 1.0 {
                    return Err(fail("the normalised weights"));
                }
                let w: Vec<Vec<i64>> =
                    d.w.iter()
                        .map(|r| r.iter().map(|x| rnd(x * vth)).collect())
                        .collect();
                let b: Vec<i64> = d.b.iter().map(|x| rnd(x * vth)).collect();
                (
                    w,
                    b,
                    Neuron::If {
                        vth: vth as i64,
                        reset: golden_model::Reset::Subtract,
                    },
                )
            }
            Kind::Tmn => {
                // z = A a + c on the decoded input a.
                let (a, c): (Vec<Vec<f64>>, Vec<f64>) = if l == 0 {
                    (d.w.clone(), d.b.clone())
                } else {
                    (
                        d.w.iter()
                            .map(|r| r.iter().map(|x| x / 2.0).collect())
                            .collect(),
                        d.w.iter()
                            .zip(&d.b)
                            .map(|(r, b)| b + r.iter().sum::<f64>() / 2.0)
                            .collect(),
                    )
                };
                if l < last {
                    let wm = 2.0 * max_abs(&a);
                    let bm = c
                        .iter()
                        .fold(0.0f64, |m, &c| m.max((2.0 * (2.0 * c - 1.0)).abs()));
                    let mut q = 0;
                    for cand in 1..=30 {
                        let s = f64::from(1u32 << cand);
                        if wm * s <= lim + 0.49 && bm * s <= lim + 0.49 {
                            q = cand;
                        }
                    }
                    if q == 0 {
                        return Err(fail("2x the weights and 2(2c-1) biases at vth = 2"));
                    }
                    let s = f64::from(1u32 << q);
                    let w = a
                        .iter()
                        .map(|r| r.iter().map(|x| rnd(2.0 * x * s)).collect())
                        .collect();
                    let b = c.iter().map(|c| rnd(2.0 * (2.0 * c - 1.0) * s)).collect();
                    (w, b, Neuron::Tmn { vth: 1 << q })
                } else {
                    let wm = max_abs(&a);
                    let bm = c.iter().fold(0.0f64, |m, &c| m.max((2.0 * c).abs()));
                    let s = (lim / wm.max(bm).max(1e-300)).min(f64::from(1u32 << 30));
                    let q = s.log2().round().clamp(1.0, 30.0) as u32;
                    let w = a
                        .iter()
                        .map(|r| r.iter().map(|x| rnd(x * s)).collect())
                        .collect();
                    let b = c.iter().map(|c| rnd(2.0 * c * s)).collect();
                    (w, b, Neuron::Tmn { vth: 1 << q })
                }
            }
        };
        let json = serde_json::json!({
            "inputs": d.inputs(), "outputs": d.outputs(), "timesteps": timesteps,
            "weight_bits": weight_bits, "weights": w, "bias": b,
            "neuron": match neuron {
                Neuron::If { vth, .. } => serde_json::json!({"kind": "if", "vth": vth}),
                Neuron::Tmn { vth } => serde_json::json!({"kind": "tmn", "vth": vth}),
                _ => unreachable!("conversion emits if and tmn"),
            },
        });
        layers.push(LayerConfig::from_json(
            &json,
            &format!("network.layers[{l}]"),
        )?);
    }
    Ok(NetworkConfig::new(layers, "network")?)
}

/// The quantised network evaluated in floats with the SNN's clipping (its
/// `T -> infinity` limit): `x` in [0, 1] in, the last layer's readout out.
pub fn float_readout(net: &NetworkConfig, x: &[f64]) -> Vec<f64> {
    let last = net.layers.len() - 1;
    let mut a = x.to_vec();
    for (l, cfg) in net.layers.iter().enumerate() {
        let w = cfg.weights.as_ref().expect("network layers have weights");
        let (vth, lo, bias_scale) = match cfg.neuron {
            Neuron::Tmn { vth } => (vth as f64, -1.0, 0.5),
            Neuron::If { vth, .. } => (vth as f64, 0.0, 1.0),
            _ => unreachable!("conversion emits if and tmn"),
        };
        let y: Vec<f64> = w
            .iter()
            .zip(&cfg.bias)
            .map(|(r, &b)| {
                r.iter()
                    .zip(&a)
                    .fold(0.0, |acc, (&w, &x)| acc + w as f64 * x)
                    + b as f64 * bias_scale
            })
            .collect();
        a = if l < last {
            y.iter().map(|v| (v / vth).clamp(lo, 1.0)).collect()
        } else {
            y
        };
    }
    a
}
