//! `tmn`: the Ternary Momentum Neuron (arXiv 2408.17245), `vth = 2^q`.
//!
//! `m = 2*u + c[t]` (momentum: shift left, then integrate);
//! `s = +1 if m >= vth/2, -1 if m <= -vth/2, else 0` (ties fire);
//! `u = m - s*vth`, saturated to the state width.
//!
//! On every sample that raised no overflow the identity
//! `vth * sum_t s[t]*2^(T-1-t) + u_final == sum_t 2^(T-1-t) * c[t]`
//! is checked (a panic here is a golden-model bug).

use super::Trace;
use crate::widths::saturate;

/// `sum_t s[t] * 2^(T-1-t)`: the spike train read as a signed-digit number.
pub fn spike_value(spikes: &[i8]) -> i128 {
    spikes.iter().fold(0i128, |acc, &s| 2 * acc + i128::from(s))
}

/// `sum_t c[t] * 2^(T-1-t)`: what the spike train encodes, times vth.
pub fn current_value(currents: &[i64]) -> i128 {
    currents
        .iter()
        .fold(0i128, |acc, &c| 2 * acc + i128::from(c))
}

pub fn run(vth: i64, currents: &[i64], state_bits: u32) -> Trace {
    let theta = vth / 2;
    let mut u = 0i64;
    let mut tr = Trace {
        spikes: Vec::with_capacity(currents.len()),
        state: Vec::with_capacity(currents.len()),
        overflow: false,
    };
    for &c in currents {
        let m = 2 * u + c;
        let s: i64 = if m >= theta {
            1
        } else if m <= -theta {
            -1
        } else {
            0
        };
        let (sat, ovf) = saturate(m - s * vth, state_bits);
        u = sat;
        tr.overflow |= ovf;
        tr.spikes.push(s as i8);
        tr.state.push(u);
    }
    if !tr.overflow && !currents.is_empty() {
        let lhs = i128::from(vth) * spike_value(&tr.spikes) + i128::from(u);
        let rhs = current_value(currents);
        assert_eq!(
            lhs, rhs,
            "golden model bug: TMN identity broken for {currents:?}"
        );
    }
    tr
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_hand_computation() {
        // vth 16, theta 8: m0 = 7 -> 0, u 7; m1 = 14-25 = -11 -> -1, u 5;
        // m2 = 10+21 = 31 -> +1, u 15; m3 = 30+5 = 35 -> +1, u 19.
        let tr = super::run(16, &[7, -25, 21, 5], 32);
        assert_eq!(tr.spikes, vec![0, -1, 1, 1]);
        assert_eq!(tr.state, vec![7, 5, 15, 19]);
    }

    #[test]
    fn ties_fire_both_ways() {
        assert_eq!(super::run(16, &[8], 32).spikes, vec![1]);
        assert_eq!(super::run(16, &[-8], 32).spikes, vec![-1]);
        assert_eq!(super::run(16, &[7], 32).spikes, vec![0]);
        assert_eq!(super::run(16, &[-7], 32).spikes, vec![0]);
    }
}
