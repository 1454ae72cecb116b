//! NIR's equations simulated in floats, one step per `dt`: the reference an
//! imported integer network is measured against (`snnrtl flow` with a NIR
//! model). Independent of the import's integer mapping; the same update as
//! `fixtures/make_fixtures.py`:
//!
//! - `I = s * (W x + b)` (`s` the `Scale` factor, ones without one);
//! - `IF`:  `v += dt * r * I`;
//! - `LIF`: `v += d * (v_leak - v + r * I)`, with `d` the integrator's decay;
//! - spike when `v > v_threshold` (strict), then `v = 0` (reset to zero,
//!   NIR 1.0.6+) or `v -= v_threshold` (reset by subtraction, older files).

use crate::chain::{Chain, NirNeuron};
use crate::import::Integrator;
use golden_model::Reset;

/// What the float network did with one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatRun {
    /// The last stage's spikes, `[T][outputs]` (0 or 1).
    pub spikes: Vec<Vec<u8>>,
    /// The last stage's membrane after the last step (after reset).
    pub v_final: Vec<f64>,
    /// The last stage's thresholds.
    pub v_threshold: Vec<f64>,
}

impl FloatRun {
    /// The class: the spike count weighted by the threshold plus the final
    /// membrane (the float analogue of `golden_model::readout` for `if`),
    /// argmax with the first index winning ties.
    pub fn class(&self) -> usize {
        let score: Vec<f64> = (0..self.v_final.len())
            .map(|o| {
                let n: f64 = self.spikes.iter().map(|row| f64::from(row[o])).sum();
                n * self.v_threshold[o] + self.v_final[o]
            })
            .collect();
        golden_model::argmax(&score)
    }
}

/// Runs `input` spikes (`[T][inputs]`, 0 or 1) through `chain` at `dt`.
pub fn run(
    chain: &Chain,
    dt: f64,
    integrator: Integrator,
    reset: Reset,
    input: &[Vec<u8>],
) -> FloatRun {
    let mut x: Vec<Vec<f64>> = input
        .iter()
        .map(|row| row.iter().map(|&s| f64::from(s)).collect())
        .collect();
    let mut last = None;
    for stage in &chain.stages {
        let n = stage.weight.len();
        let mut v = vec![0.0f64; n];
        let mut spikes = Vec::with_capacity(x.len());
        let theta = stage.neuron.v_threshold().to_vec();
        let r = stage.neuron.r().to_vec();
        for xt in &x {
            let mut s_row = vec![0u8; n];
            for o in 0..n {
                let dot: f64 = stage.weight[o].iter().zip(xt).map(|(w, x)| w * x).sum();
                let i = stage.scale[o] * (dot + stage.bias[o]);
                match &stage.neuron {
                    NirNeuron::If { .. } => v[o] += dt * r[o] * i,
                    NirNeuron::Lif { tau, v_leak, .. } => {
                        let d = integrator.decay(dt, tau[o]);
                        v[o] += d * (v_leak[o] - v[o] + r[o] * i);
                    }
                }
                if v[o] > theta[o] {
                    s_row[o] = 1;
                    v[o] = match reset {
                        Reset::Zero => 0.0,
                        Reset::Subtract => v[o] - theta[o],
                    };
                }
            }
            spikes.push(s_row);
        }
        x = spikes
            .iter()
            .map(|row| row.iter().map(|&s| f64::from(s)).collect())
            .collect();
        last = Some(FloatRun {
            spikes,
            v_final: v,
            v_threshold: theta,
        });
    }
    last.expect("a chain has at least one stage")
}
