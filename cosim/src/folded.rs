//! Co-simulation of the folded engine (`snn_folded`) against the golden
//! model: every weight and bias through the configuration port (as SPRAM
//! needs and as a board would), every sample streamed as words of `P`
//! lanes, then every neuron's spike on every step of every layer (from the
//! tap), every readout and the class compared with
//! [`NetworkConfig::runner`]. The first difference is a [`Divergence`].
//! The engine's cycles per image are measured on the way.

use crate::bridge::ffi::Sim;
use crate::run::{get_bits, patterns, words, Divergence, Outcome};
use crate::verilator::{Builder, Library, Opt};
use crate::CosimError;
use golden_model::{argmax, lanes, readout, LaneVec, NetworkConfig};
use rtl_gen::folded::{self, plan::FoldedPlan};
use std::path::PathBuf;
use std::pin::Pin;

/// Generates the folded engine into a temporary folder and builds it.
pub fn build_folded_with(
    builder: &Builder,
    net: &NetworkConfig,
    plan: &FoldedPlan,
    trace: bool,
) -> Result<Library, CosimError> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("snnrtl-folded-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let r = folded::generate(net, plan)
        .write(&dir)
        .map_err(|e| CosimError::Io(e.to_string()))
        .and_then(|()| builder.build(&dir, trace, Opt::Rtl));
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// Resets the engine and writes every weight word and bias.
pub fn load_folded(mut sim: Pin<&mut Sim>, net: &NetworkConfig, plan: &FoldedPlan) {
    sim.as_mut().reset(2);
    for (addr, data) in folded::config_writes(net, plan) {
        sim.as_mut().config_write_words(addr, &data);
    }
}

/// A sample as input records: words `(t, w)` of `P` lanes, then `in_last`.
pub fn pack_sample(plan: &FoldedPlan, sample: &[LaneVec], out: &mut Vec<u32>) {
    let p = plan.p;
    let lw = words(2 * p);
    let n_in = plan.layers[0].inputs;
    let n_words = plan.layers[0].words;
    for (t, step) in sample.iter().enumerate() {
        for w in 0..n_words {
            let mut rec = vec![0u32; lw + 1];
            for k in 0..p {
                let i = w * p + k;
                if i < n_in {
                    let code = u32::from(step.code(i));
                    let at = 2 * k;
                    rec[at / 32] |= code << (at % 32);
                }
            }
            rec[lw] = u32::from(t + 1 == sample.len() && w + 1 == n_words);
            out.extend(rec);
        }
    }
}

/// What a matching folded co-simulation measured.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldedStats {
    pub samples: usize,
    /// Cycles from one sample's last readout taken to the next's (the first
    /// from the start of the run): load, layers, readouts.
    pub cycles_per_image: Vec<u64>,
    pub cycles: u64,
}

impl FoldedStats {
    pub fn mean(&self) -> f64 {
        self.cycles_per_image.iter().sum::<u64>() as f64 / self.cycles_per_image.len().max(1) as f64
    }
    pub fn max(&self) -> u64 {
        self.cycles_per_image.iter().copied().max().unwrap_or(0)
    }
}

/// Opens `lib` (the engine for `net` with `plan`), loads its weights and
/// runs [`cosim_folded`]: what every caller with a built library does.
pub fn cosim_folded_lib(
    lib: &Library,
    net: &NetworkConfig,
    plan: &FoldedPlan,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<(Outcome, Option<FoldedStats>), CosimError> {
    let mut sim = crate::run::open(lib, None)?;
    load_folded(sim.pin_mut(), net, plan);
    cosim_folded(sim.pin_mut(), net, plan, samples, stall, seed)
}

/// Streams `samples` through a loaded engine and compares everything.
/// `stall` adds random input gaps and output back-pressure (then the
/// cycle counts include the stalls).
pub fn cosim_folded(
    mut sim: Pin<&mut Sim>,
    net: &NetworkConfig,
    plan: &FoldedPlan,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<(Outcome, Option<FoldedStats>), CosimError> {
    let outs = plan.layers.last().unwrap().outputs;
    let rb = plan.readout_bits as usize;
    let cb = plan.class_bits() as usize;
    let ow = words(rb) + 5;
    let layout = sim.layout();
    let tw = sim.tap_words() as usize;
    let want_tw = words(plan.tap_bits() as usize) + 3;
    if layout.out_words as usize != ow || tw != want_tw {
        return Err(CosimError::Protocol(format!(
            "the design is not this network's folded engine: output/tap record words {}/{tw}, expected {ow}/{want_tw}",
            layout.out_words
        )));
    }
    let mut inputs = vec![];
    for s in samples {
        pack_sample(plan, s, &mut inputs);
    }
    let n_in = samples.len() * plan.input_words();
    let n_out = samples.len() * outs;
    let (valid, ready) = patterns(stall, seed);
    let mut out = vec![0u32; n_out * ow];
    let start = sim.cycle();
    // Generous: every input lane of every layer a spike, every step, plus the
    // issue periods, per sample; stalls at most quadruple it.
    let per_sample: usize = plan
        .layers
        .iter()
        .map(|l| l.groups * plan.timesteps * (l.inputs + l.words + plan.issue_period + 8))
        .sum::<usize>()
        + plan.input_words()
        + 4 * outs
        + 64;
    let max_cycles = (samples.len() * per_sample * if stall { 4 } else { 1 } + 1000) as u64;
    let counts = sim
        .as_mut()
        .run(
            max_cycles,
            &inputs,
            n_in as u64,
            &valid,
            &ready,
            &mut out,
            n_out as u64,
            false,
        )
        .map_err(|e| CosimError::Protocol(e.to_string()))?;
    let per_sample_taps: usize = plan.layers.iter().map(|l| plan.timesteps * l.outputs).sum();
    let mut taps = vec![0u32; tw * (samples.len() * per_sample_taps + 16)];
    let n_taps = sim.as_mut().take_taps(&mut taps) as usize;
    let runner = net.runner();
    let t_n = plan.timesteps;
    let (lb, nb) = (plan.layer_bits() as usize, plan.neuron_bits() as usize);
    let stb = rtl_gen::unit::step_bits(t_n) as usize;
    let mut tap_i = 0;
    let mut cycles_per_image = vec![];
    let mut prev_end = start;
    let (mut flags_ovf, mut flags_ill) = (false, false);
    let div = |sample, step, layer, neuron, field, golden: String, rtl: String, cycle| {
        Ok((
            Outcome::Diverged(Divergence {
                sample,
                step,
                layer,
                neuron,
                field,
                golden,
                rtl,
                cycle,
            }),
            None,
        ))
    };
    for (s, sample) in samples.iter().enumerate() {
        let g = runner.run(sample);
        // Every layer's spikes, in the engine's order: layer, group, step, lane.
        for (l, (lc, lp)) in net.layers.iter().zip(&plan.layers).enumerate() {
            for grp in 0..lp.groups {
                for t in 0..t_n {
                    for k in 0..plan.p {
                        let n = grp * plan.p + k;
                        if n >= lc.outputs {
                            continue;
                        }
                        let want = lanes::encode(i64::from(g[l].spikes[t][n])).expect("ternary");
                        if tap_i >= n_taps {
                            return div(
                                s,
                                t,
                                Some(l),
                                Some(n),
                                "tap",
                                "a spike".into(),
                                format!("none ({n_taps} tap records in {} cycles)", counts.cycles),
                                sim.cycle(),
                            );
                        }
                        let rec = &taps[tap_i * tw..(tap_i + 1) * tw];
                        tap_i += 1;
                        let ev = &rec[1..1 + words(plan.tap_bits() as usize)];
                        let code = get_bits(ev, 0, 2) as u8;
                        let rn = get_bits(ev, 2, nb) as usize;
                        let rt = get_bits(ev, 2 + nb, stb) as usize;
                        let rl = get_bits(ev, 2 + nb + stb, lb) as usize;
                        let cyc = u64::from(rec[tw - 2]) | (u64::from(rec[tw - 1]) << 32);
                        if (rl, rt, rn) != (l, t, n) {
                            return div(
                                s,
                                t,
                                Some(l),
                                Some(n),
                                "tap",
                                format!("layer {l} step {t} neuron {n}"),
                                format!("layer {rl} step {rt} neuron {rn}"),
                                cyc,
                            );
                        }
                        if code != want {
                            let show = |c: u8| format!("{} (lane {c:02b})", lanes::decode(c).0);
                            return div(
                                s,
                                t,
                                Some(l),
                                Some(n),
                                "spike",
                                show(want),
                                show(code),
                                cyc,
                            );
                        }
                    }
                }
            }
        }
        let last_l = net.layers.len() - 1;
        let ro = readout(&net.layers[last_l], &g[last_l]);
        let class = argmax(&ro);
        // The flags are sticky: raised by this sample or an earlier one.
        flags_ovf |= g.iter().any(|r| r.flags.overflow);
        flags_ill |= g[0].flags.illegal_spike;
        for (n, want) in ro.iter().enumerate() {
            let k = s * outs + n;
            if k as u64 >= counts.outputs_taken {
                return div(
                    s,
                    t_n - 1,
                    Some(last_l),
                    Some(n),
                    "output",
                    "a readout".into(),
                    format!(
                        "none ({} of {n_out} readouts in {} cycles)",
                        counts.outputs_taken, counts.cycles
                    ),
                    sim.cycle(),
                );
            }
            let rec = &out[k * ow..(k + 1) * ow];
            let rw = words(rb);
            let raw = (0..rb).fold(0i128, |a, b| {
                a | (i128::from((rec[b / 32] >> (b % 32)) & 1) << b)
            });
            let value = (raw << (128 - rb)) >> (128 - rb);
            let index = rec[rw] as usize;
            let rclass = rec[rw + 1] as usize & ((1 << cb) - 1);
            let flags = rec[rw + 2];
            let cyc = u64::from(rec[rw + 3]) | (u64::from(rec[rw + 4]) << 32);
            let fields: [(&'static str, String, String); 6] = [
                ("index", n.to_string(), index.to_string()),
                ("readout", want.to_string(), value.to_string()),
                ("class", class.to_string(), rclass.to_string()),
                (
                    "out_last",
                    (n + 1 == outs).to_string(),
                    (flags & 8 != 0).to_string(),
                ),
                (
                    "flags.overflow",
                    flags_ovf.to_string(),
                    (flags & 1 != 0).to_string(),
                ),
                (
                    "flags.illegal_spike",
                    flags_ill.to_string(),
                    (flags & 2 != 0).to_string(),
                ),
            ];
            for (field, gv, rv) in fields {
                if gv != rv {
                    return div(s, t_n - 1, Some(last_l), Some(n), field, gv, rv, cyc);
                }
            }
            if flags & 4 != 0 {
                return div(
                    s,
                    t_n - 1,
                    None,
                    None,
                    "framing_error",
                    "false".into(),
                    "true".into(),
                    cyc,
                );
            }
            if n + 1 == outs {
                cycles_per_image.push(cyc + 1 - prev_end);
                prev_end = cyc + 1;
            }
        }
    }
    if tap_i != n_taps {
        return div(
            samples.len(),
            0,
            None,
            None,
            "tap",
            "no more spikes".into(),
            format!("{} extra tap records", n_taps - tap_i),
            sim.cycle(),
        );
    }
    Ok((
        Outcome::Match {
            samples: samples.len(),
            outputs: n_out,
            cycles: counts.cycles,
        },
        Some(FoldedStats {
            samples: samples.len(),
            cycles_per_image,
            cycles: counts.cycles,
        }),
    ))
}
