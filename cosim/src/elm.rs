//! Co-simulation of an `elm` layer's core (`rtl_gen::elm_core`) against
//! the golden model: every step's readout `r[t]` and memory `m[t]`, the
//! step, the empty spike lane and the sticky flags. The core has
//! `snn_core`'s ports, so the shim and the record layout are those of
//! [`crate::run`]; only `out_state` carries `{m, r}` (see
//! `rtl_gen::elm_core`) and `out_spikes` is one lane held at 00.

use crate::bridge::ffi::{self, Sim};
use crate::run::{get_bits, load_config, pack_inputs, patterns, words, Divergence, Outcome};
use crate::CosimError;
use golden_model::{LaneVec, Layer, LayerConfig};
use rtl_gen::elm::ElmDims;
use std::pin::Pin;

/// The record layout of an elm core: 1 word of spikes (one lane),
/// `out_state` words, then step, flags and cycle.
pub fn layout(cfg: &LayerConfig) -> ffi::Layout {
    ffi::Layout {
        in_words: (words(2 * cfg.inputs) + 1) as u32,
        out_words: (words(2) + words(rtl_gen::elm_core::state_port_bits(cfg) as usize) + 4) as u32,
    }
}

/// One output record of an elm core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElmRecord {
    pub spike_code: u8,
    pub readout: Vec<i64>,
    pub memory: Vec<i64>,
    pub step: usize,
    pub overflow: bool,
    pub illegal_spike: bool,
    pub framing_error: bool,
    pub cycle: u64,
}

fn signed(raw: u64, n: usize) -> i64 {
    ((raw << (64 - n)) as i64) >> (64 - n)
}

/// Unpacks one output record (`rtl_gen::elm_core`'s `out_state` layout).
pub fn unpack(cfg: &LayerConfig, rec: &[u32]) -> ElmRecord {
    let d = ElmDims::of(cfg);
    let (rb, mb) = (d.readout_bits as usize, d.memory_bits as usize);
    let stw = words(rtl_gen::elm_core::state_port_bits(cfg) as usize);
    let st = &rec[1..1 + stw];
    let base = d.outputs * rb;
    let flags = rec[2 + stw];
    ElmRecord {
        spike_code: get_bits(rec, 0, 2) as u8,
        readout: (0..d.outputs)
            .map(|k| signed(get_bits(st, k * rb, rb), rb))
            .collect(),
        memory: (0..d.memory)
            .map(|u| signed(get_bits(st, base + u * mb, mb), mb))
            .collect(),
        step: rec[1 + stw] as usize,
        overflow: flags & 1 != 0,
        illegal_spike: flags & 2 != 0,
        framing_error: flags & 4 != 0,
        cycle: u64::from(rec[3 + stw]) | (u64::from(rec[4 + stw]) << 32),
    }
}

/// What [`stream`] leaves: the raw output records, `ow` words each, and
/// the run's counts.
struct Streamed {
    out: Vec<u32>,
    ow: usize,
    counts: ffi::RunCounts,
}

/// Checks the design's ports against `cfg`, loads its weights and streams
/// `samples` (with `stall`: random input gaps and output back-pressure from
/// `seed`), with a cycle budget that fits either elm core (the array's or
/// the folded one's).
fn stream(
    mut sim: Pin<&mut Sim>,
    cfg: &LayerConfig,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<Streamed, CosimError> {
    let (got, want) = (sim.layout(), layout(cfg));
    if got != want {
        return Err(CosimError::Protocol(format!(
            "the design's ports do not match the elm config ({} inputs, {} readouts, {} memory units): record words in/out {}/{} expected {}/{}",
            cfg.inputs, cfg.outputs, ElmDims::of(cfg).memory, got.in_words, got.out_words, want.in_words, want.out_words
        )));
    }
    load_config(sim.as_mut(), cfg);
    let n = samples.len() * cfg.timesteps;
    let inputs = pack_inputs(cfg, samples);
    let (valid, ready) = patterns(stall, seed);
    let ow = want.out_words as usize;
    let mut out = vec![0u32; n * ow];
    let per_step =
        rtl_gen::elm_core::step_latency(cfg).max(rtl_gen::elm_folded::step_latency(cfg)) + 16;
    let max_cycles = (n * per_step * if stall { 3 } else { 1 } + 1000) as u64;
    let counts = sim
        .as_mut()
        .run(
            max_cycles, &inputs, n as u64, &valid, &ready, &mut out, n as u64, false,
        )
        .map_err(|e| CosimError::Protocol(e.to_string()))?;
    Ok(Streamed { out, ow, counts })
}

/// Loads `cfg`'s weights, streams `samples` at full rate (input always
/// valid, output always ready) and returns every output record as the
/// core gave it, with its cycle stamp: for checking a timing model.
pub fn records(
    sim: Pin<&mut Sim>,
    cfg: &LayerConfig,
    samples: &[Vec<LaneVec>],
) -> Result<Vec<ElmRecord>, CosimError> {
    let Streamed { out, ow, counts } = stream(sim, cfg, samples, false, 0)?;
    Ok((0..counts.outputs_taken as usize)
        .map(|k| unpack(cfg, &out[k * ow..(k + 1) * ow]))
        .collect())
}

/// Loads `cfg`'s weights, streams `samples` (with `stall`: random input
/// gaps and output back-pressure from `seed`) and compares every step's
/// readout and memory, the step, the spike lane and, at each sample's last
/// step, the sticky flags with the golden model.
pub fn cosim(
    mut sim: Pin<&mut Sim>,
    cfg: &LayerConfig,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<Outcome, CosimError> {
    let Streamed { out, ow, counts } = stream(sim.as_mut(), cfg, samples, stall, seed)?;
    let t_n = cfg.timesteps;
    let n = samples.len() * t_n;
    let layer = Layer::new(cfg.clone());
    let mut ill = false;
    for (s, sample) in samples.iter().enumerate() {
        let g = layer.run_lanes(sample);
        let ro = g.readout.as_ref().expect("an elm layer gives a readout");
        ill |= g.flags.illegal_spike;
        for (t, (want_r, want_m)) in ro.iter().zip(&g.state).enumerate() {
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
                    "an output record".into(),
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
            if r.spike_code != 0 {
                return div(
                    None,
                    "spike",
                    "none (lane 00)".into(),
                    format!("lane {:02b}", r.spike_code),
                    r.cycle,
                );
            }
            for (kk, (&want, &got)) in want_r.iter().zip(&r.readout).enumerate() {
                if want != got {
                    return div(
                        Some(kk),
                        "readout",
                        want.to_string(),
                        got.to_string(),
                        r.cycle,
                    );
                }
            }
            for (u, (&want, &got)) in want_m.iter().zip(&r.memory).enumerate() {
                if want != got {
                    return div(
                        Some(u),
                        "memory",
                        want.to_string(),
                        got.to_string(),
                        r.cycle,
                    );
                }
            }
            if t + 1 == t_n {
                if r.overflow {
                    return div(
                        None,
                        "flags.overflow",
                        "false".into(),
                        "true".into(),
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
