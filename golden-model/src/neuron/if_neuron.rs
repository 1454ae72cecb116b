//! `if`: the integrate-and-fire rate-coding baseline (binary, reset by subtraction).
//!
//! `u = u + c[t]`; `s = (u >= vth) ? 1 : 0`; `u = u - s*vth`; then `u` is
//! saturated to the state width (a no-op at the derived width).

use super::Trace;
use crate::widths::saturate;

pub fn run(vth: i64, currents: &[i64], state_bits: u32) -> Trace {
    let mut u = 0i64;
    let mut tr = Trace {
        spikes: Vec::with_capacity(currents.len()),
        state: Vec::with_capacity(currents.len()),
        overflow: false,
    };
    for &c in currents {
        u += c;
        let s = i64::from(u >= vth);
        let (sat, ovf) = saturate(u - s * vth, state_bits);
        u = sat;
        tr.overflow |= ovf;
        tr.spikes.push(s as i8);
        tr.state.push(u);
    }
    tr
}

#[cfg(test)]
mod tests {
    #[test]
    fn fires_on_tie_and_subtracts() {
        let tr = super::run(4, &[4, 3, 3, -10], 16);
        assert_eq!(tr.spikes, vec![1, 0, 1, 0]);
        assert_eq!(tr.state, vec![0, 3, 2, -8]);
        assert!(!tr.overflow);
    }

    #[test]
    fn saturates_at_forced_width() {
        let tr = super::run(100, &[50, 50], 6);
        assert_eq!(tr.state, vec![31, 31]);
        assert!(tr.overflow);
    }
}
