//! A small seeded generator (SplitMix64) for reproducible stimuli: the
//! bench's random spikes and the seeded Poisson input encoder. Not part of
//! the arithmetic.

pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    /// A ternary spike: 0 with probability `zero_percent`/100, else +-1 evenly.
    pub fn spike(&mut self, zero_percent: u64) -> i64 {
        let r = self.next_u64() % 200;
        if r < 2 * zero_percent {
            0
        } else if r.is_multiple_of(2) {
            1
        } else {
            -1
        }
    }
}
