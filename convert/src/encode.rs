//! Input encoders: integer pixels to `T` vectors of ternary lanes.
//!
//! - TMN (momentum coding): each pixel drives a TMN neuron with `vth = V`,
//!   the smallest power of two `>= max(max_value, 2)`, and currents
//!   `I[0] = 2p'`, `I[t>0] = 0`, where `p' = floor((p V + floor(max_value/2))
//!   / max_value)` is the pixel rescaled to `0..=V` (round half up; `p' = p`
//!   when `max_value` is itself a power of two >= 2). SPEC section 4's
//!   invariant gives `V*S + u = 2^T p'` with `S = sum_t s[t] 2^(T-1-t)`, so
//!   `S / 2^T` approximates `p' / V ~ p / max_value` to within `2^-(T+1)`
//!   inside the code's reach (plus at most `1/(2V)` from the rescaling).
//! - Rate (deterministic): each pixel drives an IF neuron with
//!   `vth = max_value` and current `p` on every step, so it fires
//!   `floor(T p / max_value)` times; the rate approximates `p / max_value`.
//! - Poisson (seeded): on each step a pixel fires with probability
//!   `p / max_value`, from a SplitMix64 stream seeded per image.

use crate::error::ConvertError;
use golden_model::neuron::{if_neuron, tmn};
use golden_model::rng::SplitMix64;
use golden_model::LaneVec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoder {
    Tmn,
    Rate,
    Poisson { seed: u64 },
}

impl Encoder {
    pub fn name(&self) -> &'static str {
        match self {
            Encoder::Tmn => "tmn momentum code",
            Encoder::Rate => "deterministic rate code",
            Encoder::Poisson { .. } => "seeded Poisson rate code",
        }
    }

    /// Checks that `max_value` suits this encoder: every encoder takes any
    /// `max_value` in 1..=65535 (the TMN encoder rescales, see the module).
    pub fn check(&self, max_value: u32) -> Result<(), ConvertError> {
        let (lo, hi) = crate::flow_config::MAX_VALUE;
        if !(lo..=hi).contains(&i64::from(max_value)) {
            return Err(ConvertError::field(
                "dataset.max_value",
                format!("{max_value} is not in {lo}..={hi}"),
            ));
        }
        Ok(())
    }

    /// Spikes `[T][pixels]` of one image (`index` seeds the Poisson stream).
    pub fn spikes(&self, pixels: &[u32], max_value: u32, t: usize, index: usize) -> Vec<Vec<i8>> {
        let mut out = vec![vec![0i8; pixels.len()]; t];
        let vth = i64::from(max_value);
        match self {
            Encoder::Tmn => {
                let v = tmn_vth(max_value);
                for (i, &p) in pixels.iter().enumerate() {
                    let mut c = vec![0i64; t];
                    c[0] = 2 * tmn_rescale(p, max_value);
                    let bits = 2 * t as u32 + 40;
                    let tr = tmn::run(v, &c, bits.min(62));
                    for (step, &s) in tr.spikes.iter().enumerate() {
                        out[step][i] = s;
                    }
                }
            }
            Encoder::Rate => {
                for (i, &p) in pixels.iter().enumerate() {
                    let tr = if_neuron::run(
                        vth,
                        0,
                        golden_model::Reset::Subtract,
                        &vec![i64::from(p); t],
                        48,
                    );
                    for (step, &s) in tr.spikes.iter().enumerate() {
                        out[step][i] = s;
                    }
                }
            }
            Encoder::Poisson { seed } => {
                let mut rng =
                    SplitMix64::new(seed ^ (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
                for row in out.iter_mut() {
                    for (i, &p) in pixels.iter().enumerate() {
                        let z = rng.next_u64();
                        row[i] = i8::from(z % u64::from(max_value) < u64::from(p));
                    }
                }
            }
        }
        out
    }

    /// The same as lanes.
    pub fn lanes(&self, pixels: &[u32], max_value: u32, t: usize, index: usize) -> Vec<LaneVec> {
        golden_model::network::spikes_to_lanes(&self.spikes(pixels, max_value, t, index))
    }
}

/// The TMN encoder's `vth`: the smallest power of two `>= max(max_value, 2)`.
pub fn tmn_vth(max_value: u32) -> i64 {
    i64::from(max_value.max(2).next_power_of_two())
}

/// A pixel rescaled to `0..=tmn_vth(max_value)`, rounding half up, in
/// integers: `floor((p V + floor(max_value/2)) / max_value)`.
pub fn tmn_rescale(p: u32, max_value: u32) -> i64 {
    let (p, m) = (i64::from(p), i64::from(max_value));
    (p * tmn_vth(max_value) + m / 2) / m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_unchanged() {
        assert_eq!(tmn_vth(16), 16);
        assert!((0..=16).all(|p| tmn_rescale(p, 16) == i64::from(p)));
        assert_eq!(tmn_vth(1), 2);
        assert_eq!(tmn_rescale(1, 1), 2);
    }

    #[test]
    fn any_max_value_rescales_to_the_next_power_of_two() {
        assert_eq!(tmn_vth(255), 256);
        assert_eq!(tmn_rescale(0, 255), 0);
        assert_eq!(tmn_rescale(255, 255), 256);
        // 128 * 256 / 255 = 128.50..., + 0.5 floors to 129.
        assert_eq!(tmn_rescale(128, 255), 129);
        assert_eq!(tmn_vth(10), 16);
        assert_eq!(tmn_rescale(5, 10), 8);
        // The code approximates p / max_value to within 2^-(T+1) + 1/(2V).
        let t = 8;
        for p in 0..=255u32 {
            let s = Encoder::Tmn.spikes(&[p], 255, t, 0);
            let code: i64 = (0..t).map(|k| i64::from(s[k][0]) << (t - 1 - k)).sum();
            let got = code as f64 / f64::from(1u32 << t);
            let want = f64::from(p) / 255.0;
            let bound = 2f64.powi(-(t as i32 + 1)) + 1.0 / 512.0;
            // Within reach of the code (|v| <= 1 - 2^-(T+1)).
            if want <= 1.0 - 2f64.powi(-(t as i32 + 1)) {
                assert!(
                    (got - want).abs() <= bound + 1e-12,
                    "p {p}: {got} vs {want}"
                );
            }
        }
    }
}
