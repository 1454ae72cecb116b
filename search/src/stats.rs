//! Rank agreement between two scores of the same candidates.

/// Kendall's tau-b of paired samples: `(C - D) / sqrt((P - Tx)(P - Ty))`,
/// where C and D count concordant and discordant pairs, P all pairs, Tx
/// and Ty the pairs tied in x and in y. NaN with fewer than two pairs or a
/// constant x or y. Infinities order as usual (`-inf` below every number).
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> f64 {
    assert_eq!(x.len(), y.len(), "paired samples");
    let (mut c, mut d, mut tx, mut ty, mut p) = (0i64, 0i64, 0i64, 0i64, 0i64);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            p += 1;
            let sx = x[i].total_cmp(&x[j]) as i64;
            let sy = y[i].total_cmp(&y[j]) as i64;
            if sx == 0 {
                tx += 1;
            }
            if sy == 0 {
                ty += 1;
            }
            match sx * sy {
                1 => c += 1,
                -1 => d += 1,
                _ => {}
            }
        }
    }
    (c - d) as f64 / (((p - tx) * (p - ty)) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_worked_taus() {
        // One swapped pair out of 6: (5 - 1) / 6.
        let t = kendall_tau_b(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((t - 4.0 / 6.0).abs() < 1e-12, "{t}");
        // x = 1 2 2 3, y = 1 2 3 3: C = 4, D = 0, one tie in each of 6
        // pairs: 4 / sqrt(5 * 5) = 0.8.
        let t = kendall_tau_b(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 3.0]);
        assert!((t - 0.8).abs() < 1e-12, "{t}");
        let t = kendall_tau_b(&[f64::NEG_INFINITY, 0.0, 1.0], &[3.0, 2.0, 1.0]);
        assert_eq!(t, -1.0);
        assert!(kendall_tau_b(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }
}
