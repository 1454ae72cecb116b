//! Streams samples through a Verilated core and compares every output vector
//! with the golden model: spikes, state readout, step, and the sticky flags
//! after each sample's last output. The first difference is a [`Divergence`]
//! naming sample, step, neuron, field, both values and the cycle.

use crate::bridge::ffi::{self, Sim};
use crate::verilator::Library;
use crate::CosimError;
use cxx::UniquePtr;
use golden_model::{lanes, LaneVec, Layer, LayerConfig};
use rtl_gen::cfg_map::CfgMap;
use std::fmt;
use std::path::Path;
use std::pin::Pin;

/// Opens a built library; `vcd` needs a library built with tracing.
pub fn open(lib: &Library, vcd: Option<&Path>) -> Result<UniquePtr<Sim>, CosimError> {
    let vcd = vcd.map(|p| p.display().to_string()).unwrap_or_default();
    if !vcd.is_empty() && !lib.traced {
        return Err(CosimError::Load(
            "a waveform needs a library built with tracing".into(),
        ));
    }
    ffi::open_sim(&lib.path.display().to_string(), &vcd)
        .map_err(|e| CosimError::Load(e.to_string()))
}

/// 32-bit record words for `bits` bits.
pub(crate) fn words(bits: usize) -> usize {
    bits.div_ceil(32)
}

/// The record layout the Rust side expects for `cfg` (checked against the model's).
pub fn expected_layout(cfg: &LayerConfig) -> ffi::Layout {
    if let golden_model::Neuron::Elm(_) = cfg.neuron {
        return crate::elm::layout(cfg);
    }
    stream_layout(cfg.inputs, cfg)
}

/// The record layout of any top with `snn_core`'s stream ports: `inputs`
/// lanes in, `last`'s spikes, state, step, flags and cycle out (a core is
/// its own last layer; a network streams layer 0's inputs and its last
/// layer's outputs).
pub(crate) fn stream_layout(inputs: usize, last: &LayerConfig) -> ffi::Layout {
    let sb = last.widths().state_bits as usize;
    ffi::Layout {
        in_words: (words(2 * inputs) + 1) as u32,
        out_words: (words(2 * last.outputs) + words(last.outputs * sb) + 4) as u32,
    }
}

fn check_layout(sim: &Sim, cfg: &LayerConfig) -> Result<(), CosimError> {
    let (got, want) = (sim.layout(), expected_layout(cfg));
    if got != want {
        return Err(CosimError::Protocol(format!(
            "the design's ports do not match the config ({} inputs, {} outputs, {}-bit state): record words in/out {}/{} expected {}/{}",
            cfg.inputs, cfg.outputs, cfg.widths().state_bits, got.in_words, got.out_words, want.in_words, want.out_words
        )));
    }
    Ok(())
}

/// Resets the core and loads weights, biases and PSN parameters through its
/// configuration port.
/// Values are masked to the port widths: Verilator requires the bits above a
/// port's width to be zero (a sign-extended `-1` in a 17-bit `cfg_data` made
/// a threshold compare wrong; the property test found it).
pub fn load_config(mut sim: Pin<&mut Sim>, cfg: &LayerConfig) {
    sim.as_mut().reset(2);
    let map = CfgMap::of(cfg);
    let data_mask = (1u64 << map.data_bits) - 1;
    let addr_mask = (1u64 << map.addr_bits()) - 1;
    for (addr, value) in map.writes(cfg) {
        sim.as_mut()
            .config_write(addr & addr_mask, (value as u64 & data_mask) as i64);
    }
}

/// Bits `lo..lo+n` of a record, LSB first.
pub(crate) fn get_bits(w: &[u32], lo: usize, n: usize) -> u64 {
    (0..n).fold(0u64, |acc, b| {
        let bit = lo + b;
        acc | (u64::from((w[bit / 32] >> (bit % 32)) & 1) << b)
    })
}

/// One output vector as the core presented it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRecord {
    pub spike_codes: Vec<u8>,
    pub state: Vec<i64>,
    pub step: usize,
    pub overflow: bool,
    pub illegal_spike: bool,
    pub framing_error: bool,
    pub cycle: u64,
}

/// One output record (the layout of `cpp/shim.cpp`) of a top whose last layer is `cfg`.
pub(crate) fn unpack(cfg: &LayerConfig, rec: &[u32]) -> OutputRecord {
    let c_n = cfg.outputs;
    let sb = cfg.widths().state_bits as usize;
    let sw = words(2 * c_n);
    let stw = words(c_n * sb);
    let st = &rec[sw..sw + stw];
    let flags = rec[sw + stw + 1];
    OutputRecord {
        spike_codes: (0..c_n).map(|c| get_bits(rec, 2 * c, 2) as u8).collect(),
        state: (0..c_n)
            .map(|c| {
                let raw = get_bits(st, c * sb, sb);
                ((raw << (64 - sb)) as i64) >> (64 - sb)
            })
            .collect(),
        step: rec[sw + stw] as usize,
        overflow: flags & 1 != 0,
        illegal_spike: flags & 2 != 0,
        framing_error: flags & 4 != 0,
        cycle: u64::from(rec[sw + stw + 2]) | (u64::from(rec[sw + stw + 3]) << 32),
    }
}

/// Input records for `samples`, one per timestep, `in_last` on step T-1.
pub fn pack_inputs(cfg: &LayerConfig, samples: &[Vec<LaneVec>]) -> Vec<u32> {
    let lw = words(2 * cfg.inputs);
    let mut v = vec![];
    for s in samples {
        for (t, lanes) in s.iter().enumerate() {
            let mut rec = vec![0u32; lw + 1];
            for (r, code) in lanes.to_codes().into_iter().enumerate() {
                rec[(2 * r) / 32] |= u32::from(code) << ((2 * r) % 32);
            }
            rec[lw] = u32::from(t + 1 == cfg.timesteps);
            v.extend(rec);
        }
    }
    v
}

/// Handshake patterns: empty (always valid/ready), or with `stall`, 1009
/// cycles of pseudo-random gaps and back-pressure (each ~25%).
pub fn patterns(stall: bool, seed: u64) -> (Vec<u8>, Vec<u8>) {
    if !stall {
        return (vec![], vec![]);
    }
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        u8::from(!x.is_multiple_of(4))
    };
    let valid = (0..1009).map(|_| next()).collect();
    let ready = (0..1009).map(|_| next()).collect();
    (valid, ready)
}

/// The first difference between the design (a core or a network) and the
/// golden model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    pub sample: usize,
    pub step: usize,
    /// In a network: the layer whose output differed (a link's source layer
    /// for a tap; the last layer for the output, flags and class). `None`
    /// for a single core.
    pub layer: Option<usize>,
    pub neuron: Option<usize>,
    /// `spike`, `state`, `step`, `output` (missing), `tap` (missing or
    /// extra), `flags.overflow`, `flags.illegal_spike`, `framing_error`,
    /// `class`; for an elm core `readout` and `memory` (`neuron` is then
    /// the readout or memory index).
    pub field: &'static str,
    pub golden: String,
    pub rtl: String,
    pub cycle: u64,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sample {}, step {}, ", self.sample, self.step)?;
        if let Some(k) = self.layer {
            write!(f, "layer {k}, ")?;
        }
        match self.neuron {
            Some(n) => write!(f, "neuron {n}, ")?,
            None => write!(f, "all neurons, ")?,
        }
        write!(
            f,
            "field {}: golden {}, rtl {} (cycle {})",
            self.field, self.golden, self.rtl, self.cycle
        )
    }
}

/// What a co-simulation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every output matched: samples, output vectors and cycles run.
    Match {
        samples: usize,
        outputs: usize,
        cycles: u64,
    },
    Diverged(Divergence),
}

/// Loads `cfg`, streams `samples` and compares every output with the golden
/// model. `stall` adds random input gaps and output back-pressure. An elm
/// layer's core is compared by [`crate::elm::cosim`] (readout and memory).
pub fn cosim(
    mut sim: Pin<&mut Sim>,
    cfg: &LayerConfig,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<Outcome, CosimError> {
    if let golden_model::Neuron::Elm(_) = cfg.neuron {
        return crate::elm::cosim(sim, cfg, samples, stall, seed);
    }
    check_layout(&sim, cfg)?;
    load_config(sim.as_mut(), cfg);
    let t_n = cfg.timesteps;
    let n = samples.len() * t_n;
    let inputs = pack_inputs(cfg, samples);
    let (valid, ready) = patterns(stall, seed);
    let ow = expected_layout(cfg).out_words as usize;
    let mut out = vec![0u32; n * ow];
    let slack = rtl_gen::core::step_latency(cfg) + 2 * t_n + 16;
    let max_cycles = ((n + slack) * if stall { 8 } else { 1 } + 1000) as u64;
    let counts = sim
        .as_mut()
        .run(
            max_cycles, &inputs, n as u64, &valid, &ready, &mut out, n as u64, false,
        )
        .map_err(|e| CosimError::Protocol(e.to_string()))?;
    let layer = Layer::new(cfg.clone());
    let (mut ovf, mut ill) = (false, false);
    for (s, sample) in samples.iter().enumerate() {
        let g = layer.run_lanes(sample);
        ovf |= g.flags.overflow;
        ill |= g.flags.illegal_spike;
        for t in 0..t_n {
            let k = s * t_n + t;
            let div = |neuron, field, golden: String, rtl: String, cycle| {
                Ok(Outcome::Diverged(Divergence {
                    layer: None,
                    sample: s,
                    step: t,
                    neuron,
                    field,
                    golden,
                    rtl,
                    cycle,
                }))
            };
            if k as u64 >= counts.outputs_taken {
                return div(
                    None,
                    "output",
                    "an output vector".into(),
                    format!(
                        "none ({} of {n} outputs in {} cycles)",
                        counts.outputs_taken, counts.cycles
                    ),
                    sim.cycle(),
                );
            }
            let r = unpack(cfg, &out[k * ow..(k + 1) * ow]);
            if r.step != t {
                return div(None, "step", t.to_string(), r.step.to_string(), r.cycle);
            }
            if r.framing_error {
                return div(
                    None,
                    "framing_error",
                    "false".into(),
                    "true".into(),
                    r.cycle,
                );
            }
            for c in 0..cfg.outputs {
                let want = lanes::encode(i64::from(g.spikes[t][c])).expect("ternary");
                if r.spike_codes[c] != want {
                    let show = |code: u8| format!("{} (lane {code:02b})", lanes::decode(code).0);
                    return div(
                        Some(c),
                        "spike",
                        show(want),
                        show(r.spike_codes[c]),
                        r.cycle,
                    );
                }
                if r.state[c] != g.state[t][c] {
                    return div(
                        Some(c),
                        "state",
                        g.state[t][c].to_string(),
                        r.state[c].to_string(),
                        r.cycle,
                    );
                }
            }
            if t + 1 == t_n {
                if r.overflow != ovf {
                    return div(
                        None,
                        "flags.overflow",
                        ovf.to_string(),
                        r.overflow.to_string(),
                        r.cycle,
                    );
                }
                if r.illegal_spike != ill {
                    return div(
                        None,
                        "flags.illegal_spike",
                        ill.to_string(),
                        r.illegal_spike.to_string(),
                        r.cycle,
                    );
                }
            }
        }
    }
    Ok(Outcome::Match {
        samples: samples.len(),
        outputs: n,
        cycles: counts.cycles,
    })
}

/// Runs samples `0..upto` with tracing off, then sample `upto` with tracing
/// on, so the waveform holds that sample from its first input to its last
/// output. The library must be built with tracing and opened with a VCD path.
pub fn trace_sample(
    mut sim: Pin<&mut Sim>,
    cfg: &LayerConfig,
    samples: &[Vec<LaneVec>],
    upto: usize,
    stall: bool,
    seed: u64,
) -> Result<(), CosimError> {
    check_layout(&sim, cfg)?;
    load_config(sim.as_mut(), cfg);
    let t_n = cfg.timesteps;
    let before = pack_inputs(cfg, &samples[..upto]);
    let this = pack_inputs(cfg, &samples[upto..=upto]);
    let (valid, ready) = patterns(stall, seed);
    let ow = expected_layout(cfg).out_words as usize;
    let mut out = vec![0u32; (upto + 1) * t_n * ow];
    let big = 1_000_000u64;
    let e = |e: cxx::Exception| CosimError::Protocol(e.to_string());
    let first = sim
        .as_mut()
        .run(
            big,
            &before,
            (upto * t_n) as u64,
            &valid,
            &ready,
            &mut out,
            (upto * t_n) as u64,
            true,
        )
        .map_err(e)?;
    sim.as_mut().set_trace(true);
    let left = (upto + 1) * t_n - first.outputs_taken as usize;
    sim.as_mut()
        .run(
            big,
            &this,
            t_n as u64,
            &valid,
            &ready,
            &mut out,
            left as u64,
            false,
        )
        .map_err(e)?;
    sim.as_mut().set_trace(false);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpack_sign_extends_state_across_words() {
        let v = serde_json::json!({"inputs": 1, "outputs": 3, "timesteps": 64, "weight_bits": 16, "weights": [[1], [1], [1]],
                                   "state_bits": 20, "neuron": {"kind": "if", "vth": 3}});
        let cfg = LayerConfig::from_json(&v, "layer").unwrap();
        let sb = cfg.widths().state_bits as usize;
        assert_eq!(sb, 20);
        // spikes: 01, 11, 00; states: -1, 5, -524288 packed 20 bits each.
        let mut rec = vec![0u32; expected_layout(&cfg).out_words as usize];
        rec[0] = 0b00_11_01;
        let states: [i64; 3] = [-1, 5, -524288];
        for (c, s) in states.iter().enumerate() {
            for b in 0..sb {
                if (s >> b) & 1 == 1 {
                    let bit = c * sb + b;
                    rec[1 + bit / 32] |= 1 << (bit % 32);
                }
            }
        }
        let sw = 1 + (3 * sb).div_ceil(32);
        rec[sw] = 1;
        rec[sw + 1] = 0b110;
        let r = unpack(&cfg, &rec);
        assert_eq!(r.spike_codes, vec![1, 3, 0]);
        assert_eq!(r.state, states.to_vec());
        assert_eq!(r.step, 1);
        assert!(!r.overflow && r.illegal_spike && r.framing_error);
    }
}
