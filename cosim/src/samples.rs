//! Random input samples for co-simulation: ternary lanes with a settable
//! zero probability, an optional share of the illegal code, and the extremes
//! (every lane +1, every lane -1) as the first samples.

use golden_model::LaneVec;

/// How to draw samples.
#[derive(Debug, Clone, Copy)]
pub struct SampleSpec {
    pub seed: u64,
    /// Percent of lanes that are 0 (0..=100).
    pub zero_percent: u32,
    /// Percent of lanes holding the illegal code `10` (0..=100, taken first).
    pub illegal_percent: u32,
    /// Start with an all-+1 and an all--1 sample (when `n >= 2`).
    pub extremes: bool,
}

impl Default for SampleSpec {
    fn default() -> Self {
        SampleSpec {
            seed: 1,
            zero_percent: 50,
            illegal_percent: 0,
            extremes: true,
        }
    }
}

/// `n` samples of `timesteps` lane vectors of `inputs` lanes.
pub fn random_samples(
    inputs: usize,
    timesteps: usize,
    n: usize,
    spec: SampleSpec,
) -> Vec<Vec<LaneVec>> {
    let mut x = spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|s| {
            (0..timesteps)
                .map(|_| {
                    let codes: Vec<u8> = (0..inputs)
                        .map(|_| {
                            if spec.extremes && n >= 2 && s < 2 {
                                return if s == 0 { 0b01 } else { 0b11 };
                            }
                            let r = (next() % 10_000) as u32;
                            if r < spec.illegal_percent * 100 {
                                0b10
                            } else if r < (spec.illegal_percent + spec.zero_percent) * 100 {
                                0b00
                            } else if next() % 2 == 0 {
                                0b01
                            } else {
                                0b11
                            }
                        })
                        .collect();
                    LaneVec::from_codes(&codes).expect("2-bit codes")
                })
                .collect()
        })
        .collect()
}
