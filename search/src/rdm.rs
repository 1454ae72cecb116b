//! The training-free score: how differently a network's hidden spikes
//! answer different samples (MSE-NAS's "representational dissimilarity
//! matrix" fitness, arXiv 2304.10749).
//!
//! For each sample, the spikes of every hidden layer at every step,
//! concatenated, are binarised (`s != 0`, so a TMN's -1 counts as a spike)
//! into a code of `N_A` bits. `D_H[i][j]` is the Hamming (Manhattan) distance
//! between samples i and j: the representational dissimilarity matrix.
//!
//! MSE-NAS's exact scoring of that matrix was not available to us (only the
//! paper's abstract and front matter were), so the score is NASWOT's
//! (Mellor et al. 2021, "Neural architecture search without training"),
//! which the SNN search literature (SNASNet, Kim et al. 2022) applies to
//! spike codes in the same way: the log-determinant of the kernel
//! `K = N_A - D_H` (`K[i][j]` counts the bits where samples i and j agree).
//! Larger is better: the samples' codes are further apart and less
//! linearly dependent. `K` is positive semi-definite (a sum of two Gram
//! matrices, of the codes and of their complements) and
//! `log det K <= n ln N_A` (Hadamard). Two samples with the same code make
//! `K` singular: the score is then minus infinity.

use convert::dataset::Dataset;
use convert::encode::Encoder;
use golden_model::{NetworkConfig, SampleResult};

/// One sample's binary spike code, packed 64 bits a word.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpikeCode {
    words: Vec<u64>,
    len: usize,
}

impl SpikeCode {
    pub fn from_bits(bits: impl IntoIterator<Item = bool>) -> SpikeCode {
        let mut words = vec![];
        let mut len = 0;
        for b in bits {
            if len % 64 == 0 {
                words.push(0);
            }
            if b {
                words[len / 64] |= 1 << (len % 64);
            }
            len += 1;
        }
        SpikeCode { words, len }
    }

    /// The hidden layers' spikes (every result but the last), layer by
    /// layer, step by step, neuron by neuron, as `s != 0`.
    pub fn from_hidden(results: &[SampleResult]) -> SpikeCode {
        let hidden = &results[..results.len().saturating_sub(1)];
        SpikeCode::from_bits(
            hidden
                .iter()
                .flat_map(|r| r.spikes.iter().flatten().map(|&s| s != 0)),
        )
    }

    /// `N_A`, the number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bits set.
    pub fn ones(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    pub fn hamming(&self, other: &SpikeCode) -> u32 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }
}

/// `D_H`: the Hamming distance between every two codes.
pub fn hamming_matrix(codes: &[SpikeCode]) -> Vec<Vec<u32>> {
    codes
        .iter()
        .map(|a| codes.iter().map(|b| a.hamming(b)).collect())
        .collect()
}

/// `K = N_A - D_H` (all codes must have the same length `N_A`).
pub fn kernel(codes: &[SpikeCode]) -> Vec<Vec<f64>> {
    let na = codes.first().map_or(0, SpikeCode::len) as f64;
    hamming_matrix(codes)
        .into_iter()
        .map(|row| row.into_iter().map(|d| na - f64::from(d)).collect())
        .collect()
}

/// `ln |det m|` by Gaussian elimination with partial pivoting; minus
/// infinity when `m` is singular (a pivot below `1e-9` of the largest entry).
pub fn log_det(mut m: Vec<Vec<f64>>) -> f64 {
    let n = m.len();
    let scale = m.iter().flatten().fold(0.0f64, |a, &x| a.max(x.abs()));
    if n == 0 {
        return 0.0;
    }
    if scale == 0.0 {
        return f64::NEG_INFINITY;
    }
    let mut acc = 0.0;
    for c in 0..n {
        let p = (c..n)
            .max_by(|&a, &b| m[a][c].abs().total_cmp(&m[b][c].abs()))
            .expect("a row");
        if m[p][c].abs() <= 1e-9 * scale {
            return f64::NEG_INFINITY;
        }
        m.swap(c, p);
        acc += m[c][c].abs().ln();
        let pivot = m[c].clone();
        for row in m.iter_mut().skip(c + 1) {
            let f = row[c] / pivot[c];
            if f != 0.0 {
                row.iter_mut()
                    .zip(&pivot)
                    .skip(c)
                    .for_each(|(x, &p)| *x -= f * p);
            }
        }
    }
    acc
}

/// The score of a batch of codes: `ln det (N_A - D_H)`.
pub fn score(codes: &[SpikeCode]) -> f64 {
    log_det(kernel(codes))
}

/// The codes of the images `idx` of `ds` through the golden model.
pub fn network_codes(
    net: &NetworkConfig,
    enc: Encoder,
    ds: &Dataset,
    idx: &[usize],
) -> Vec<SpikeCode> {
    let runner = net.runner();
    let t = net.timesteps();
    idx.iter()
        .map(|&i| {
            SpikeCode::from_hidden(&runner.run(&enc.lanes(&ds.images[i], ds.max_value, t, i)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> SpikeCode {
        SpikeCode::from_bits(s.chars().map(|c| c == '1'))
    }

    /// a = 1100, b = 1010, c = 0000: every pair differs in 2 of N_A = 4
    /// bits, so K = [[4,2,2],[2,4,2],[2,2,4]],
    /// det K = 4(16 - 4) - 2(8 - 4) + 2(4 - 8) = 48 - 8 - 8 = 32.
    #[test]
    fn hand_worked_kernel_and_score() {
        let codes = [code("1100"), code("1010"), code("0000")];
        assert_eq!(
            hamming_matrix(&codes),
            vec![vec![0, 2, 2], vec![2, 0, 2], vec![2, 2, 0]]
        );
        assert_eq!(kernel(&codes)[0], vec![4.0, 2.0, 2.0]);
        assert!(
            (score(&codes) - 32f64.ln()).abs() < 1e-12,
            "{}",
            score(&codes)
        );
    }

    #[test]
    fn a_repeated_code_scores_minus_infinity_and_spread_codes_score_more() {
        let same = [code("1100"), code("1100"), code("0011")];
        assert_eq!(score(&same), f64::NEG_INFINITY);
        // Orthogonal-ish codes beat codes that differ in one bit.
        let far = [code("11000000"), code("00110000"), code("00001100")];
        let near = [code("11000000"), code("11100000"), code("11010000")];
        assert!(
            score(&far) > score(&near),
            "{} {}",
            score(&far),
            score(&near)
        );
        assert!(score(&far) <= 3.0 * 8f64.ln());
    }

    #[test]
    fn codes_pack_past_one_word() {
        let a = SpikeCode::from_bits((0..130).map(|i| i % 3 == 0));
        let b = SpikeCode::from_bits((0..130).map(|_| false));
        assert_eq!(a.len(), 130);
        assert_eq!(a.ones(), 44);
        assert_eq!(a.hamming(&b), 44);
    }

    #[test]
    fn log_det_of_a_permuted_diagonal() {
        let m = vec![
            vec![0.0, 3.0, 0.0],
            vec![2.0, 0.0, 0.0],
            vec![0.0, 0.0, 5.0],
        ];
        assert!((log_det(m) - 30f64.ln()).abs() < 1e-12);
    }
}
