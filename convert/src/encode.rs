//! Input encoders: integer pixels to `T` vectors of ternary lanes.
//!
//! - TMN (momentum coding): each pixel `p` drives a TMN neuron with
//!   `vth = max_value` (a power of two) and currents `I[0] = 2p`, `I[t>0] = 0`.
//!   SPEC section 4's invariant gives `vth*S + u = 2^T p` with
//!   `S = sum_t s[t] 2^(T-1-t)`, so `S / 2^T` approximates `p / max_value`
//!   to within `2^-(T+1)` inside the code's reach.
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

    /// Checks that `max_value` suits this encoder.
    pub fn check(&self, max_value: u32) -> Result<(), ConvertError> {
        if *self == Encoder::Tmn && (max_value < 2 || !max_value.is_power_of_two()) {
            return Err(ConvertError::new(format!(
                "dataset.max_value: {max_value} must be a power of two >= 2 for the TMN encoder (it is the encoder's vth)"
            )));
        }
        Ok(())
    }

    /// Spikes `[T][pixels]` of one image (`index` seeds the Poisson stream).
    pub fn spikes(&self, pixels: &[u32], max_value: u32, t: usize, index: usize) -> Vec<Vec<i8>> {
        let mut out = vec![vec![0i8; pixels.len()]; t];
        let vth = i64::from(max_value);
        match self {
            Encoder::Tmn => {
                for (i, &p) in pixels.iter().enumerate() {
                    let mut c = vec![0i64; t];
                    c[0] = 2 * i64::from(p);
                    let bits = 2 * t as u32 + 40;
                    let tr = tmn::run(vth, &c, bits.min(62));
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
