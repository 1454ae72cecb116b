//! Ternary spike lanes (SPEC section 2).
//!
//! One lane is 2 bits, two's complement: `00` = 0, `01` = +1, `11` = -1.
//! `10` is illegal: it reads as 0 and raises a sticky `illegal_spike` flag.
//! A [`LaneVec`] packs many lanes with `bitvec`, 32 lanes per `u64` word:
//! lane `i` occupies bits `2i` (code bit 0) and `2i + 1` (code bit 1).

use bitvec::prelude::*;

/// Lane code of a zero spike.
pub const CODE_ZERO: u8 = 0b00;
/// Lane code of a +1 spike.
pub const CODE_POS: u8 = 0b01;
/// Lane code of a -1 spike.
pub const CODE_NEG: u8 = 0b11;
/// The illegal lane code: read as 0, raises `illegal_spike`.
pub const CODE_ILLEGAL: u8 = 0b10;

const LOW_BITS: u64 = 0x5555_5555_5555_5555;

/// Lane code of a spike value; `None` if `s` is not in {-1, 0, +1}.
pub fn encode(s: i64) -> Option<u8> {
    match s {
        0 => Some(CODE_ZERO),
        1 => Some(CODE_POS),
        -1 => Some(CODE_NEG),
        _ => None,
    }
}

/// Spike value of a lane code and whether the code is illegal. Only the low
/// two bits of `code` are read.
pub fn decode(code: u8) -> (i8, bool) {
    match code & 0b11 {
        CODE_ZERO => (0, false),
        CODE_POS => (1, false),
        CODE_NEG => (-1, false),
        _ => (0, true),
    }
}

/// A vector of ternary lanes, packed two bits per lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaneVec {
    bits: BitVec<u64, Lsb0>,
    len: usize,
}

impl LaneVec {
    /// `len` lanes, all zero.
    pub fn zeros(len: usize) -> Self {
        LaneVec {
            bits: BitVec::repeat(false, 2 * len),
            len,
        }
    }

    /// Lanes from spike values; `Err(index)` names the first value not in {-1, 0, +1}.
    pub fn from_spikes(spikes: &[i64]) -> Result<Self, usize> {
        let mut v = LaneVec::zeros(spikes.len());
        for (i, &s) in spikes.iter().enumerate() {
            v.set_code(i, encode(s).ok_or(i)?);
        }
        Ok(v)
    }

    /// Lanes from raw 2-bit codes; `Err(index)` names the first code above 3.
    pub fn from_codes(codes: &[u8]) -> Result<Self, usize> {
        let mut v = LaneVec::zeros(codes.len());
        for (i, &c) in codes.iter().enumerate() {
            if c > 3 {
                return Err(i);
            }
            v.set_code(i, c);
        }
        Ok(v)
    }

    /// Number of lanes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there are no lanes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The raw 2-bit code of lane `i`.
    pub fn code(&self, i: usize) -> u8 {
        (self.bits[2 * i] as u8) | ((self.bits[2 * i + 1] as u8) << 1)
    }

    /// Sets the raw 2-bit code of lane `i` (only the low two bits of `code` are used).
    pub fn set_code(&mut self, i: usize, code: u8) {
        self.bits.set(2 * i, code & 1 != 0);
        self.bits.set(2 * i + 1, code & 2 != 0);
    }

    /// The spike value of lane `i` (the illegal code reads as 0).
    pub fn get(&self, i: usize) -> i8 {
        decode(self.code(i)).0
    }

    /// All spike values (illegal codes read as 0).
    pub fn to_spikes(&self) -> Vec<i8> {
        (0..self.len).map(|i| self.get(i)).collect()
    }

    /// All raw codes.
    pub fn to_codes(&self) -> Vec<u8> {
        (0..self.len).map(|i| self.code(i)).collect()
    }

    /// The packed words with the bits past the last lane cleared.
    fn word(&self, w: usize) -> u64 {
        let raw = self.bits.as_raw_slice()[w];
        let used = 2 * self.len - 64 * w;
        if used >= 64 {
            raw
        } else {
            raw & ((1u64 << used) - 1)
        }
    }

    fn n_words(&self) -> usize {
        (2 * self.len).div_ceil(64)
    }

    /// True when any lane holds the illegal code `10`.
    pub fn has_illegal(&self) -> bool {
        (0..self.n_words()).any(|w| {
            let word = self.word(w);
            (word >> 1) & !word & LOW_BITS != 0
        })
    }

    /// Number of non-zero (legal) lanes.
    pub fn count_nonzero(&self) -> usize {
        (0..self.n_words())
            .map(|w| (self.word(w) & LOW_BITS).count_ones() as usize)
            .sum()
    }

    /// Calls `f(lane, negative)` for every non-zero lane in increasing lane
    /// order, reading 32 lanes per word. Zero and illegal lanes are skipped.
    #[inline]
    pub fn for_each_event(&self, mut f: impl FnMut(usize, bool)) {
        for w in 0..self.n_words() {
            let word = self.word(w);
            let high = (word >> 1) & LOW_BITS;
            let mut nonzero = word & LOW_BITS;
            while nonzero != 0 {
                let b = nonzero.trailing_zeros();
                f(32 * w + (b / 2) as usize, (high >> b) & 1 != 0);
                nonzero &= nonzero - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_spec_section_2() {
        assert_eq!(decode(0b00), (0, false));
        assert_eq!(decode(0b01), (1, false));
        assert_eq!(decode(0b11), (-1, false));
        assert_eq!(decode(0b10), (0, true));
        assert_eq!(encode(2), None);
    }

    #[test]
    fn illegal_code_is_detected_and_reads_zero() {
        let v = LaneVec::from_codes(&[1, 2, 3, 0]).unwrap();
        assert!(v.has_illegal());
        assert_eq!(v.to_spikes(), vec![1, 0, -1, 0]);
        assert!(!LaneVec::from_spikes(&[1, 0, -1, 0]).unwrap().has_illegal());
    }

    #[test]
    fn events_visit_nonzero_lanes_across_words() {
        let mut s = vec![0i64; 70];
        s[0] = 1;
        s[31] = -1;
        s[32] = 1;
        s[69] = -1;
        let v = LaneVec::from_spikes(&s).unwrap();
        let mut seen = vec![];
        v.for_each_event(|i, neg| seen.push((i, neg)));
        assert_eq!(seen, vec![(0, false), (31, true), (32, false), (69, true)]);
        assert_eq!(v.count_nonzero(), 4);
    }
}
