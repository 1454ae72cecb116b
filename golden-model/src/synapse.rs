//! The synaptic layer (SPEC section 3): `I[o] = sum_in W[o][in] * s[in]`,
//! computed with adds, subtracts and skips, never a multiply.
//!
//! Widths are derived so the sum cannot overflow (`widths::synaptic_bits` is at
//! most 29 bits for the accepted ranges), so `i32` holds every partial sum and
//! the summation order cannot change a result.

use crate::lanes::LaneVec;

/// Weights of one layer, stored both transposed (`[in][out]`, for the packed
/// event-driven path) and as given (`[out][in]`, for the naive reference).
#[derive(Debug, Clone)]
pub struct Synapses {
    inputs: usize,
    outputs: usize,
    by_input: Vec<i32>,
    by_output: Vec<i32>,
}

impl Synapses {
    /// From `W[out][in]` (already validated to fit `weight_bits <= 16`).
    pub fn new(weights: &[Vec<i64>]) -> Self {
        let outputs = weights.len();
        let inputs = weights.first().map_or(0, Vec::len);
        let mut by_input = vec![0i32; inputs * outputs];
        let mut by_output = Vec::with_capacity(inputs * outputs);
        for (o, row) in weights.iter().enumerate() {
            assert_eq!(row.len(), inputs, "ragged weight matrix");
            for (i, &w) in row.iter().enumerate() {
                let w = i32::try_from(w).expect("weight exceeds 16 bits");
                by_input[i * outputs + o] = w;
                by_output.push(w);
            }
        }
        Synapses {
            inputs,
            outputs,
            by_input,
            by_output,
        }
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    pub fn outputs(&self) -> usize {
        self.outputs
    }

    /// The packed implementation: walks the non-zero lanes of `lanes` (32 lanes
    /// per word) and adds or subtracts that input's weight column into `out`.
    /// Zero and illegal lanes are skipped.
    pub fn currents_packed(&self, lanes: &LaneVec, out: &mut [i32]) {
        assert_eq!(lanes.len(), self.inputs);
        assert_eq!(out.len(), self.outputs);
        out.fill(0);
        let n = self.outputs;
        lanes.for_each_event(|i, negative| {
            let col = &self.by_input[i * n..(i + 1) * n];
            if negative {
                for (acc, &w) in out.iter_mut().zip(col) {
                    *acc -= w;
                }
            } else {
                for (acc, &w) in out.iter_mut().zip(col) {
                    *acc += w;
                }
            }
        });
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
    fn illegal_lane_is_skipped() {
        let syn = Synapses::new(&[vec![10, 20]]);
        let lanes = LaneVec::from_codes(&[0b10, 0b01]).unwrap();
        let mut out = vec![0; 1];
        syn.currents_packed(&lanes, &mut out);
        assert_eq!(out, vec![20]);
    }
}
