//! `if` and `lif`: integrate-and-fire, binary, with an optional shift leak
//! (SPEC section 4).
//!
//! `u = u - (u >> k) + c[t]` (`k = 0`: no leak, the `if` neuron);
//! `s = (u >= vth) ? 1 : 0`; then reset: `u = u - s*vth` (subtract) or
//! `u = s ? 0 : u` (zero); then `u` is saturated to the state width (a no-op
//! at the derived width). The shift floors, so a negative membrane leaks
//! toward 0 and a positive one below `2^k` does not leak.

use super::Trace;
use crate::config::Reset;
use crate::widths::saturate;

/// Runs one neuron; `leak_shift` 0 means no leak (`if`).
pub fn run(vth: i64, leak_shift: u32, reset: Reset, currents: &[i64], state_bits: u32) -> Trace {
    let mut u = 0i64;
    let mut tr = Trace {
        spikes: Vec::with_capacity(currents.len()),
        state: Vec::with_capacity(currents.len()),
        overflow: false,
    };
    for &c in currents {
        if leak_shift > 0 {
            u -= u >> leak_shift;
        }
        u += c;
        let s = i64::from(u >= vth);
        let after = match reset {
            Reset::Subtract => u - s * vth,
            Reset::Zero if s == 1 => 0,
            Reset::Zero => u,
        };
        let (sat, ovf) = saturate(after, state_bits);
        u = sat;
        tr.overflow |= ovf;
        tr.spikes.push(s as i8);
        tr.state.push(u);
    }
    tr
}

#[cfg(test)]
mod tests {
    use super::Reset::{Subtract, Zero};

    #[test]
    fn fires_on_tie_and_subtracts() {
        let tr = super::run(4, 0, Subtract, &[4, 3, 3, -10], 16);
        assert_eq!(tr.spikes, vec![1, 0, 1, 0]);
        assert_eq!(tr.state, vec![0, 3, 2, -8]);
        assert!(!tr.overflow);
    }

    #[test]
    fn saturates_at_forced_width() {
        let tr = super::run(100, 0, Subtract, &[50, 50], 6);
        assert_eq!(tr.state, vec![31, 31]);
        assert!(tr.overflow);
    }

    #[test]
    fn leak_floors_toward_minus_infinity() {
        // k = 2: 40 -> 40 - 10 = 30 (+0); -5 -> -5 - (-2) = -3; 3 < 4 does not leak.
        let tr = super::run(1000, 2, Subtract, &[40, 0, -35, 0, 8, 0], 16);
        assert_eq!(tr.state, vec![40, 30, -12, -9, 2, 2]);
        assert_eq!(tr.spikes, vec![0; 6]);
    }

    #[test]
    fn reset_to_zero_drops_the_excess() {
        let tr = super::run(4, 0, Zero, &[6, 3, 1, -2], 16);
        assert_eq!(tr.spikes, vec![1, 0, 1, 0]);
        assert_eq!(tr.state, vec![0, 3, 0, -2]);
        let tr = super::run(4, 1, Zero, &[3, 3], 16);
        // 3 -> leak to 2, +3 = 5 >= 4: fires, resets to 0.
        assert_eq!(tr.spikes, vec![0, 1]);
        assert_eq!(tr.state, vec![3, 0]);
    }
}
