//! Derived widths (SPEC section 6). The RTL generator reads these same
//! functions; nothing else computes a width.
//!
//! Every width is a two's-complement bit count chosen so that no value can
//! overflow for any weights, biases and inputs the config's widths allow.

/// Widths above this are refused: the golden model computes in `i64`.
pub const MAX_DERIVED_BITS: u32 = 62;

/// `bits(x)`: the bit length of the non-negative integer `x`, ceil(log2(x+1)).
pub fn bits(x: u128) -> u32 {
    128 - x.leading_zeros()
}

/// ceil(log2(n)) for n >= 1 (0 for n = 1).
pub fn clog2(n: u64) -> u32 {
    assert!(n >= 1, "clog2 of 0");
    64 - (n - 1).leading_zeros()
}

/// Largest magnitude of a signed `width`-bit value: 2^(width-1).
pub fn max_magnitude(width: u32) -> u128 {
    1u128 << (width - 1)
}

/// True when `v` fits a signed `width`-bit two's-complement register.
pub fn fits_signed(v: i64, width: u32) -> bool {
    if width >= 64 {
        return true;
    }
    let lim = 1i64 << (width - 1);
    (-lim..lim).contains(&v)
}

/// Saturates `v` into a signed `width`-bit range; the bool says whether it had to.
pub fn saturate(v: i64, width: u32) -> (i64, bool) {
    if fits_signed(v, width) {
        (v, false)
    } else {
        let lim = 1i64 << (width - 1);
        (if v < 0 { -lim } else { lim - 1 }, true)
    }
}

/// Synaptic current `I = sum W*s`: `weight_bits + ceil(log2(inputs)) + 1` bits.
/// Neuron-only currents must fit this width too.
pub fn synaptic_bits(weight_bits: u32, inputs: usize) -> u32 {
    weight_bits + clog2(inputs as u64) + 1
}

/// Current with the bias added (`I + b`, SPEC "(+ bias)"): one more bit than
/// the wider of the two.
pub fn current_bits(synaptic_bits: u32, weight_bits: u32) -> u32 {
    synaptic_bits.max(weight_bits) + 1
}

/// Width of neuron-only currents when the layer does not set `current_bits`:
/// with no synapses there is nothing to derive it from (SPEC section 3 asks
/// the currents to fit a width; the shared reference vectors use 12-bit
/// currents even for one input, so the default is a 16-bit current bus).
pub const NEURON_ONLY_DEFAULT_CURRENT_BITS: u32 = 16;

/// `if` membrane: `|u| <= T * (|I|max + |b|max) + vth`, width `bits(that) + 1`,
/// with `|I|max = 2^(synaptic_bits-1)` and `|b|max = 2^(weight_bits-1)`.
pub fn if_membrane_bits(timesteps: usize, synaptic_bits: u32, weight_bits: u32, vth: u64) -> u32 {
    let i_max = max_magnitude(synaptic_bits);
    let b_max = max_magnitude(weight_bits);
    bits(timesteps as u128 * (i_max + b_max) + vth as u128) + 1
}

/// `tmn` membrane: `|u| <= (2^T - 1) * (|I|max + |b|max + vth)`, width
/// `T + bits(|I|max + |b|max + vth) + 1`.
pub fn tmn_membrane_bits(timesteps: usize, synaptic_bits: u32, weight_bits: u32, vth: u64) -> u32 {
    let i_max = max_magnitude(synaptic_bits);
    let b_max = max_magnitude(weight_bits);
    timesteps as u32 + bits(i_max + b_max + vth as u128) + 1
}

/// PSN family `H`: `current_bits + psn_weight_bits + ceil(log2(n_terms)) + 1`,
/// with `current_bits` the biased current width and `n_terms` = T (psn) or k
/// (masked, sliding).
pub fn psn_state_bits(current_bits: u32, psn_weight_bits: u32, n_terms: usize) -> u32 {
    current_bits + psn_weight_bits + clog2(n_terms as u64) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bits(0), 0);
        assert_eq!(bits(1), 1);
        assert_eq!(bits(255), 8);
        assert_eq!(bits(256), 9);
        assert_eq!(clog2(1), 0);
        assert_eq!(clog2(2), 1);
        assert_eq!(clog2(7), 3);
        assert_eq!(clog2(8), 3);
        assert_eq!(clog2(256), 8);
    }

    #[test]
    fn spec_widths_for_an_8bit_256_input_layer() {
        assert_eq!(synaptic_bits(8, 256), 17);
        assert_eq!(current_bits(17, 8), 18);
        // |I|max = 2^16, |b|max = 128, vth = 16: T=8 -> bits(8*65664+16)+1
        assert_eq!(if_membrane_bits(8, 17, 8, 16), bits(8 * 65664 + 16) + 1);
        assert_eq!(
            tmn_membrane_bits(8, 17, 8, 16),
            8 + bits(65536 + 128 + 16) + 1
        );
        assert_eq!(psn_state_bits(18, 8, 8), 18 + 8 + 3 + 1);
    }

    #[test]
    fn saturation() {
        assert_eq!(saturate(127, 8), (127, false));
        assert_eq!(saturate(128, 8), (127, true));
        assert_eq!(saturate(-129, 8), (-128, true));
        assert!(fits_signed(-128, 8));
        assert!(!fits_signed(-129, 8));
    }
}
