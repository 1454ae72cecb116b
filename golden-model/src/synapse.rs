//! The synaptic layer (SPEC section 3): `I[o] = sum_in W[o][in] * s[in]`,
//! computed with adds, subtracts and skips, never a multiply.
//!
//! Widths are derived so the sum cannot overflow (`widths::synaptic_bits` is at
//! most 29 bits for the accepted ranges), so `i32` holds every partial sum and
//! the summation order cannot change a result.

use crate::lanes::LaneVec;

/// Outputs per tile of the packed path: 64 `i16` accumulators stay in registers.
const TILE: usize = 64;

/// Weights of one layer, stored transposed and tiled (`[tile][in][TILE]` as
/// `i16`, for the packed event-driven path) and as given (`[out][in]`, for the
/// naive reference).
#[derive(Debug, Clone)]
pub struct Synapses {
    inputs: usize,
    outputs: usize,
    /// `tiles[(tile * inputs + in) * TILE + k]` = `W[tile*TILE + k][in]` (0 past the last output).
    tiles: Vec<i16>,
    /// How many events an `i16` partial sum can take without overflow:
    /// `32767 / max|W|` (the partial sum is widened to `i32` after each block).
    block: usize,
    by_output: Vec<i32>,
}

impl Synapses {
    /// From `W[out][in]` (already validated to fit `weight_bits <= 16`).
    pub fn new(weights: &[Vec<i64>]) -> Self {
        let outputs = weights.len();
        let inputs = weights.first().map_or(0, Vec::len);
        let n_tiles = outputs.div_ceil(TILE);
        let mut tiles = vec![0i16; n_tiles * inputs * TILE];
        let mut by_output = Vec::with_capacity(inputs * outputs);
        let mut max_abs = 1i64;
        for (o, row) in weights.iter().enumerate() {
            assert_eq!(row.len(), inputs, "ragged weight matrix");
            for (i, &w) in row.iter().enumerate() {
                let w16 = i16::try_from(w).expect("weight exceeds 16 bits");
                tiles[((o / TILE) * inputs + i) * TILE + o % TILE] = w16;
                by_output.push(i32::from(w16));
                max_abs = max_abs.max(w.abs());
            }
        }
        Synapses {
            inputs,
            outputs,
            tiles,
            // 0 when a weight is -2^15: its negation does not fit i16, so
            // that layer accumulates in i32 directly.
            block: (i64::from(i16::MAX) / max_abs) as usize,
            by_output,
        }
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The packed implementation: reads the non-zero lanes of `lanes` (32
    /// lanes per word), then for each tile of 64 outputs adds (+1) or
    /// subtracts (-1) each event's weight column. Zero and illegal lanes are
    /// skipped. Partial sums are `i16` for at most [`Self::block`] events, so
    /// they cannot overflow, and are widened into `i32` after every block.
    pub fn currents_packed(&self, lanes: &LaneVec, out: &mut [i32]) {
        assert_eq!(lanes.len(), self.inputs);
        assert_eq!(out.len(), self.outputs);
        // Events as signed column offsets: +i for +1, !i for -1.
        let mut events: Vec<isize> = Vec::with_capacity(self.inputs);
        lanes.for_each_event(|i, negative| {
            events.push(if negative { !(i as isize) } else { i as isize })
        });
        for (tile, out_tile) in out.chunks_mut(TILE).enumerate() {
            let base = &self.tiles[tile * self.inputs * TILE..(tile + 1) * self.inputs * TILE];
            let mut wide = [0i32; TILE];
            let col =
                |i: usize| -> &[i16; TILE] { base[i * TILE..(i + 1) * TILE].try_into().unwrap() };
            if self.block == 0 {
                for &e in &events {
                    let (i, sign) = if e < 0 {
                        (!e as usize, -1)
                    } else {
                        (e as usize, 1)
                    };
                    for (w, &c) in wide.iter_mut().zip(col(i)) {
                        *w += sign * i32::from(c);
                    }
                }
            }
            for block in events.chunks(self.block.max(1)).filter(|_| self.block > 0) {
                let mut acc = [0i16; TILE];
                for &e in block {
                    let (i, neg) = if e < 0 {
                        (!e as usize, true)
                    } else {
                        (e as usize, false)
                    };
                    let col = col(i);
                    if neg {
                        for k in 0..TILE {
                            acc[k] = acc[k].wrapping_sub(col[k]);
                        }
                    } else {
                        for k in 0..TILE {
                            acc[k] = acc[k].wrapping_add(col[k]);
                        }
                    }
                }
                for k in 0..TILE {
                    wide[k] += i32::from(acc[k]);
                }
            }
            out_tile.copy_from_slice(&wide[..out_tile.len()]);
        }
    }

    /// How many events an `i16` partial sum takes before it is widened (0:
    /// the layer has a weight of -2^15 and accumulates in `i32`).
    pub fn block(&self) -> usize {
        self.block
    }

    /// The naive reference: a dense `i32` multiply-accumulate over spike
    /// values in {-1, 0, +1}.
    pub fn currents_naive(&self, spikes: &[i32], out: &mut [i32]) {
        assert_eq!(spikes.len(), self.inputs);
        assert_eq!(out.len(), self.outputs);
        for (o, acc) in out.iter_mut().enumerate() {
            let row = &self.by_output[o * self.inputs..(o + 1) * self.inputs];
            *acc = row.iter().zip(spikes).map(|(&w, &s)| w * s).sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_adds_subtracts_and_skips() {
        let syn = Synapses::new(&[vec![3, -5, 7], vec![-128, 127, 1]]);
        let lanes = LaneVec::from_spikes(&[1, -1, 0]).unwrap();
        let mut out = vec![0; 2];
        syn.currents_packed(&lanes, &mut out);
        assert_eq!(out, vec![3 + 5, -128 - 127]);
        let mut naive = vec![0; 2];
        syn.currents_naive(&[1, -1, 0], &mut naive);
        assert_eq!(out, naive);
    }

    #[test]
    fn extreme_16bit_weights_stay_exact() {
        let w = vec![vec![-32768, 32767, -32768], vec![32767, -32768, 1]];
        let syn = Synapses::new(&w);
        assert_eq!(syn.block(), 0);
        let lanes = LaneVec::from_spikes(&[-1, 1, -1]).unwrap();
        let mut out = vec![0; 2];
        syn.currents_packed(&lanes, &mut out);
        assert_eq!(out, vec![32768 + 32767 + 32768, -32767 - 32768 - 1]);
    }

    #[test]
    fn i16_blocks_widen_before_overflow() {
        // 300 events of -128 * -1 = +128 each: 38400 does not fit i16.
        let syn = Synapses::new(&[vec![-128; 300]]);
        assert_eq!(syn.block(), 255);
        let lanes = LaneVec::from_spikes(&[-1; 300]).unwrap();
        let mut out = vec![0; 1];
        syn.currents_packed(&lanes, &mut out);
        assert_eq!(out, vec![38400]);
    }

    #[test]
    fn illegal_lane_is_skipped() {
        let syn = Synapses::new(&[vec![10, 20]]);
        let lanes = LaneVec::from_codes(&[0b10, 0b01]).unwrap();
        let mut out = vec![0; 1];
        syn.currents_packed(&lanes, &mut out);
        assert_eq!(out, vec![20]);
    }
}
