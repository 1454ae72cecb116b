//! Stimulus and expected outputs for a generated core, computed by the golden
//! model, in the word layout `testbenches/tb_core.v` reads with `$readmemh`.

use golden_model::{LaneVec, Layer, LayerConfig};
use rtl_gen::cfg_map::CfgMap;
use rtl_gen::unit::step_bits;

/// A little-endian bit vector printed as one hex word (the `$readmemh`
/// records of both testbenches).
#[derive(Default)]
pub(crate) struct Bits(Vec<bool>);

impl Bits {
    /// Appends the low `width` bits of `value` (sign-extended past 64).
    pub(crate) fn push(&mut self, value: i64, width: u32) {
        for b in 0..width {
            self.0.push(if b >= 64 {
                value < 0
            } else {
                (value >> b) & 1 == 1
            });
        }
    }
    /// The bits as hex digits, most significant first.
    pub(crate) fn hex(&self) -> String {
        let nibbles = self.0.len().div_ceil(4).max(1);
        (0..nibbles)
            .rev()
            .map(|n| {
                let v = (0..4).fold(0u8, |acc, b| {
                    acc | (u8::from(*self.0.get(4 * n + b).unwrap_or(&false)) << b)
                });
                char::from_digit(u32::from(v), 16).expect("nibble")
            })
            .collect()
    }
}

/// The three hex files' contents and their word counts.
#[derive(Debug, Clone)]
pub struct Stimulus {
    pub cfg_hex: String,
    pub in_hex: String,
    pub out_hex: String,
    pub n_cfg: usize,
    pub n_in: usize,
    pub n_out: usize,
}

/// Builds the stimulus for `samples` (each `T` lane vectors) on `cfg`.
pub fn build(cfg: &LayerConfig, samples: &[Vec<LaneVec>]) -> Stimulus {
    let map = CfgMap::of(cfg);
    let wd = cfg.widths();
    let tw = step_bits(cfg.timesteps);
    let mut cfg_hex = String::new();
    let writes = map.writes(cfg);
    for &(addr, value) in &writes {
        let mut b = Bits::default();
        b.push(value, map.data_bits);
        b.push(addr as i64, map.addr_bits());
        cfg_hex += &(b.hex() + "\n");
    }
    let layer = Layer::new(cfg.clone());
    let (mut in_hex, mut out_hex) = (String::new(), String::new());
    let (mut ovf, mut ill) = (false, false);
    for sample in samples {
        let r = layer.run_lanes(sample);
        ovf |= r.flags.overflow;
        ill |= r.flags.illegal_spike;
        for (t, lanes) in sample.iter().enumerate() {
            let mut b = Bits::default();
            for code in lanes.to_codes() {
                b.push(i64::from(code), 2);
            }
            b.push(i64::from(t + 1 == cfg.timesteps), 1);
            in_hex += &(b.hex() + "\n");

            let mut o = Bits::default();
            for &s in &r.spikes[t] {
                o.push(
                    i64::from(golden_model::lanes::encode(i64::from(s)).expect("ternary")),
                    2,
                );
            }
            for &u in &r.state[t] {
                o.push(u, wd.state_bits);
            }
            o.push(t as i64, tw);
            o.push(i64::from(ovf), 1);
            o.push(i64::from(ill), 1);
            out_hex += &(o.hex() + "\n");
        }
    }
    Stimulus {
        cfg_hex,
        in_hex,
        out_hex,
        n_cfg: writes.len().max(1),
        n_in: samples.len() * cfg.timesteps,
        n_out: samples.len() * cfg.timesteps,
    }
}

#[cfg(test)]
mod tests {
    use super::Bits;

    #[test]
    fn hex_packs_lsb_first() {
        let mut b = Bits::default();
        b.push(-1, 2);
        b.push(1, 2);
        b.push(-2, 5);
        assert_eq!(b.hex(), "1e7");
    }
}
