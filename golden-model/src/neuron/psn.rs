//! The Parallel Spiking Neuron family (arXiv 2304.12760; SpikingJelly's `PSN`,
//! `MaskedPSN` at lambda = 1, `SlidingPSN`): no reset, all T steps at once.
//!
//! `H[t] = sum_i P[t][i] * c[i]`, saturated to the state width (a no-op at the
//! derived width); `s[t] = (H[t] >= B[t]) ? 1 : 0` (ties fire).

use super::Trace;
use crate::widths::saturate;

fn fire(h: impl Iterator<Item = (i64, i64)>, state_bits: u32) -> Trace {
    let mut tr = Trace {
        spikes: vec![],
        state: vec![],
        overflow: false,
    };
    for (h, b) in h {
        let (h, ovf) = saturate(h, state_bits);
        tr.overflow |= ovf;
        tr.spikes.push(i8::from(h >= b));
        tr.state.push(h);
    }
    tr
}

/// Full PSN: every step sees every step (not causal).
pub fn run_full(p: &[Vec<i64>], b: &[i64], c: &[i64], state_bits: u32) -> Trace {
    let h = p
        .iter()
        .zip(b)
        .map(|(row, &bt)| (row.iter().zip(c).map(|(w, x)| w * x).sum(), bt));
    fire(h, state_bits)
}

/// Masked PSN of order k: `P[t][i]` counts only for `t-k < i <= t` (causal).
pub fn run_masked(k: usize, p: &[Vec<i64>], b: &[i64], c: &[i64], state_bits: u32) -> Trace {
    let h = p.iter().zip(b).enumerate().map(|(t, (row, &bt))| {
        let lo = (t + 1).saturating_sub(k);
        ((lo..=t).map(|i| row[i] * c[i]).sum(), bt)
    });
    fire(h, state_bits)
}

/// Sliding PSN of order k: `H[t] = sum_j w[j] * c[t-k+1+j]`, `c[<0] = 0`;
/// `w[k-1]` multiplies the current step. k may exceed T.
pub fn run_sliding(k: usize, w: &[i64], threshold: i64, c: &[i64], state_bits: u32) -> Trace {
    let h = (0..c.len()).map(|t| {
        let sum = (0..k)
            .filter_map(|j| (t + 1 + j).checked_sub(k).map(|i| w[j] * c[i]))
            .sum();
        (sum, threshold)
    });
    fire(h, state_bits)
}

/// The full-PSN matrix a masked PSN of order k is equivalent to: `P` with
/// every entry outside the causal band `t-k < i <= t` set to 0.
pub fn masked_matrix(k: usize, p: &[Vec<i64>]) -> Vec<Vec<i64>> {
    p.iter()
        .enumerate()
        .map(|(t, row)| {
            row.iter()
                .enumerate()
                .map(|(i, &x)| if i <= t && i + k > t { x } else { 0 })
                .collect()
        })
        .collect()
}

/// The `T x T` Toeplitz matrix a sliding PSN of order k is equivalent to:
/// `M[t][i] = w[i - t + k - 1]` inside the band, 0 outside.
pub fn sliding_matrix(k: usize, w: &[i64], timesteps: usize) -> Vec<Vec<i64>> {
    (0..timesteps)
        .map(|t| {
            (0..timesteps)
                .map(|i| match (i + k).checked_sub(t + 1) {
                    Some(j) if i <= t && j < k => w[j],
                    _ => 0,
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_by_hand() {
        // k = 2, w = [6, -6], B = 4: H[t] = 6*c[t-1] - 6*c[t]
        let tr = run_sliding(2, &[6, -6], 4, &[1, 0, 1], 32);
        assert_eq!(tr.state, vec![-6, 6, -6]);
        assert_eq!(tr.spikes, vec![0, 1, 0]);
    }

    #[test]
    fn toeplitz_layout() {
        assert_eq!(
            sliding_matrix(2, &[5, 7], 3),
            vec![vec![7, 0, 0], vec![5, 7, 0], vec![0, 5, 7]]
        );
        assert_eq!(
            masked_matrix(1, &[vec![1, 2], vec![3, 4]]),
            vec![vec![1, 0], vec![0, 4]]
        );
    }
}
