//! The time step dt, which NIR does not fix: given (`--dt`), or recovered
//! from the LIF nodes where the exporter is recognisable, else refused.
//!
//! - gain 1 (snnTorch, which writes dt = 1e-4, and snnrtl's own export, dt = 1):
//!   every LIF has `r = tau/dt` with one dt, and `dt <= tau/2`: `dt = tau/r`;
//! - Rockpool: `r = (tau/dt) * exp(-dt/tau)`, solved per node for
//!   `x = dt/tau <= 1/2` (so `dt ~ tau/(1+r)`), one dt for every LIF;
//! - no LIF (IF only): dt = 1 step, Sinabs' convention (IF's gain is `R*dt`).
//!
//! Norse writes `r = 1`, which carries no dt: pass `--dt`.

use crate::chain::{Chain, NirNeuron};
use crate::error::NirError;
use crate::graph::node_path;

/// Where dt came from.
#[derive(Debug, Clone, PartialEq)]
pub enum DtSource {
    Given,
    GainOne,
    Rockpool,
    IfOnly,
}

impl DtSource {
    pub fn describe(&self) -> &'static str {
        match self {
            DtSource::Given => "--dt",
            DtSource::GainOne => "recovered: every LIF has r = tau/dt (snnTorch, snnrtl export)",
            DtSource::Rockpool => "recovered: every LIF has r = (tau/dt) exp(-dt/tau) (Rockpool)",
            DtSource::IfOnly => "IF only: dt = 1 step (Sinabs' convention)",
        }
    }
    pub fn key(&self) -> &'static str {
        match self {
            DtSource::Given => "given",
            DtSource::GainOne => "gain_one",
            DtSource::Rockpool => "rockpool",
            DtSource::IfOnly => "if_only",
        }
    }
}

/// Relative agreement of the recovered dt across nodes and neurons.
const AGREE: f64 = 1e-6;

fn agree(v: &[f64]) -> Option<f64> {
    let first = *v.first()?;
    v.iter()
        .all(|&x| (x - first).abs() <= AGREE * first.abs())
        .then_some(first)
}

/// Solves `exp(-x)/x = r` for x in (0, 1/2] (Newton on `ln r + x + ln x`).
fn rockpool_x(r: f64) -> Option<f64> {
    // exp(-x)/x is decreasing; at x = 1/2 it is 2 exp(-1/2) ~ 1.213.
    if !(r.is_finite() && r >= 2.0 * (-0.5f64).exp()) {
        return None;
    }
    let mut x = 1.0 / (1.0 + r);
    for _ in 0..60 {
        let f = r.ln() + x + x.ln();
        x -= f / (1.0 + 1.0 / x);
        x = x.clamp(1e-300, 0.5);
    }
    ((r.ln() + x + x.ln()).abs() < 1e-12).then_some(x)
}

/// The time step, and where it came from.
pub fn resolve(chain: &Chain, given: Option<f64>) -> Result<(f64, DtSource), NirError> {
    if let Some(dt) = given {
        if !(dt.is_finite() && dt > 0.0) {
            return Err(NirError::new(format!("--dt: {dt} is not accepted: dt > 0")));
        }
        return Ok((dt, DtSource::Given));
    }
    let lifs: Vec<(&str, &[f64], &[f64])> = chain
        .stages
        .iter()
        .filter_map(|s| match &s.neuron {
            NirNeuron::Lif { tau, r, .. } => Some((s.neuron_node.as_str(), &tau[..], &r[..])),
            NirNeuron::If { .. } => None,
        })
        .collect();
    if lifs.is_empty() {
        return Ok((1.0, DtSource::IfOnly));
    }
    let pairs = || lifs.iter().flat_map(|(_, t, r)| t.iter().zip(r.iter()));
    let gain_one: Vec<f64> = pairs().map(|(t, r)| t / r).collect();
    if let Some(dt) = agree(&gain_one) {
        if dt > 0.0 && pairs().all(|(t, _)| dt <= t / 2.0) {
            return Ok((dt, DtSource::GainOne));
        }
    }
    let rock: Option<Vec<f64>> = pairs()
        .map(|(t, r)| rockpool_x(*r).map(|x| x * t))
        .collect();
    if let Some(dt) = rock.as_deref().and_then(agree) {
        return Ok((dt, DtSource::Rockpool));
    }
    Err(NirError::new(format!(
        "{}: cannot recover the time step dt (NIR fixes none; no LIF parameters match snnTorch's r = tau/dt or Rockpool's r = (tau/dt) exp(-dt/tau) with one dt); pass --dt (e.g. --dt 1e-3)",
        node_path(lifs[0].0)
    )))
}

#[cfg(test)]
mod tests {
    #[test]
    fn rockpool_solution_inverts_the_exporters_formula() {
        for &(tau, dt) in &[(0.02f64, 1e-3f64), (0.005, 1e-3), (1.0, 0.01)] {
            let r: f64 = tau / dt * (-dt / tau).exp();
            let x = super::rockpool_x(r).unwrap();
            assert!((x * tau - dt).abs() < 1e-12 * tau, "{tau} {dt}");
        }
        // r = 1 (Norse) would need x ~ 0.567 > 1/2: not Rockpool.
        assert_eq!(super::rockpool_x(1.0), None);
    }
}
