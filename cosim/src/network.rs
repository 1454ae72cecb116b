//! Co-simulation of a generated network (`snn_network`) against the golden
//! model: every layer's configuration through the one configuration port,
//! every sample streamed, and then every vector on every link between layers
//! (from the taps) and every output vector compared with
//! [`NetworkConfig::runner`]'s results, plus the predicted class. The first
//! difference (earliest cycle) is a [`Divergence`] naming sample,
//! step, layer, neuron, field, both values and the cycle.

use crate::bridge::ffi::{self, Sim};
use crate::run::{self, get_bits, words, Divergence, OutputRecord};
use crate::verilator::{Builder, Library, Opt};
use crate::CosimError;
use golden_model::{argmax, lanes, readout, Flags, LaneVec, NetworkConfig, SampleResult};
use rtl_gen::network::{self, NetCfgMap};
use std::path::{Path, PathBuf};
use std::pin::Pin;

/// The input and output record layout of the network's top (as a core's:
/// layer 0's lanes in, the last layer's spikes and state out).
pub fn expected_layout(net: &NetworkConfig) -> ffi::Layout {
    run::stream_layout(net.inputs(), net.layers.last().expect("at least one layer"))
}

/// Words per tap record: link index, `tap_spikes`, cycle (2); 0 for one layer.
pub fn expected_tap_words(net: &NetworkConfig) -> u32 {
    match network::tap_bits(net) {
        0 => 0,
        b => (words(b) + 3) as u32,
    }
}

fn check_design(sim: &Sim, net: &NetworkConfig) -> Result<(), CosimError> {
    let (got, want) = (sim.layout(), expected_layout(net));
    let (tg, tw) = (sim.tap_words(), expected_tap_words(net));
    if got != want || tg != tw {
        return Err(CosimError::Protocol(format!(
            "the design's ports do not match the network ({} layers, {} inputs, {} outputs): record words in/out/tap {}/{}/{} expected {}/{}/{}",
            net.layers.len(), net.inputs(), net.outputs(), got.in_words, got.out_words, tg, want.in_words, want.out_words, tw
        )));
    }
    Ok(())
}

/// Writes the network's Verilog files and `manifest.json` into `dir`.
pub fn write_network_rtl(net: &NetworkConfig, dir: &Path) -> Result<(), CosimError> {
    rtl_gen::generate_network(net)
        .write(dir)
        .map_err(|e| CosimError::Io(e.to_string()))
}

fn temp_rtl_dir() -> PathBuf {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("snnrtl-network-{}-{n}", std::process::id()))
}

/// Generates the network into a temporary folder and builds it with
/// `builder` (generated RTL: [`Opt::Rtl`]); cached like any design.
pub fn build_network_with(
    builder: &Builder,
    net: &NetworkConfig,
    trace: bool,
) -> Result<Library, CosimError> {
    let dir = temp_rtl_dir();
    let _ = std::fs::remove_dir_all(&dir);
    let r = write_network_rtl(net, &dir).and_then(|()| builder.build(&dir, trace, Opt::Rtl));
    let _ = std::fs::remove_dir_all(&dir);
    r
}

/// [`build_network_with`] a new [`Builder`], without tracing.
pub fn build_network(net: &NetworkConfig) -> Result<Library, CosimError> {
    build_network_with(&Builder::new()?, net, false)
}

/// Resets the network and loads every layer's weights, biases and PSN
/// parameters through the configuration port, values masked to the port's
/// width (see [`run::load_config`]).
pub fn load_network_config(mut sim: Pin<&mut Sim>, net: &NetworkConfig) {
    sim.as_mut().reset(2);
    let map = NetCfgMap::of(net);
    let data_mask = (1u64 << map.data_bits) - 1;
    for (addr, value) in map.writes(net) {
        sim.as_mut()
            .config_write(addr, (value as u64 & data_mask) as i64);
    }
}

/// One vector seen on a link between layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapRecord {
    /// Link k: from layer k to layer k+1.
    pub link: usize,
    pub spike_codes: Vec<u8>,
    pub cycle: u64,
}

fn unpack_tap(net: &NetworkConfig, rec: &[u32]) -> Result<TapRecord, CosimError> {
    let link = rec[0] as usize;
    if link + 1 >= net.layers.len() {
        return Err(CosimError::Protocol(format!(
            "tap record names link {link}; the network has {} links",
            net.layers.len() - 1
        )));
    }
    let tw = words(network::tap_bits(net));
    let bits = &rec[1..1 + tw];
    let lo = network::tap_offset(net, link);
    Ok(TapRecord {
        link,
        spike_codes: (0..net.layers[link].outputs)
            .map(|c| get_bits(bits, lo + 2 * c, 2) as u8)
            .collect(),
        cycle: u64::from(rec[1 + tw]) | (u64::from(rec[2 + tw]) << 32),
    })
}

/// Takes every tap record the simulation holds, oldest first.
pub fn take_taps(
    mut sim: Pin<&mut Sim>,
    net: &NetworkConfig,
) -> Result<Vec<TapRecord>, CosimError> {
    let w = sim.tap_words() as usize;
    let mut out = vec![];
    if w == 0 {
        return Ok(out);
    }
    let mut buf = vec![0u32; w * 4096];
    loop {
        let n = sim.as_mut().take_taps(&mut buf) as usize;
        for r in 0..n {
            out.push(unpack_tap(net, &buf[r * w..(r + 1) * w])?);
        }
        if n == 0 {
            return Ok(out);
        }
    }
}

/// What a network co-simulation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkOutcome {
    /// Every link vector, output vector and class matched.
    Match {
        samples: usize,
        /// Cycles the stream ran.
        cycles: u64,
        /// The class of each sample (argmax of the readout of the RTL's last layer).
        predictions: Vec<usize>,
        /// Cycles from the stream's first cycle to the first output taken:
        /// the network's step latency when nothing stalls.
        latency_cycles: u64,
    },
    Diverged(Divergence),
}

fn show_spike(code: u8) -> String {
    format!("{} (lane {code:02b})", lanes::decode(code).0)
}

/// Compares one vector of spike codes with golden spikes.
fn spikes_differ(codes: &[u8], golden: &[i8]) -> Option<(usize, String, String)> {
    codes
        .iter()
        .zip(golden)
        .enumerate()
        .find_map(|(c, (&got, &g))| {
            let want = lanes::encode(i64::from(g)).expect("ternary");
            (got != want).then(|| (c, show_spike(want), show_spike(got)))
        })
}

/// The first tap divergence (in cycle order).
fn check_taps(
    net: &NetworkConfig,
    golden: &[Vec<SampleResult>],
    taps: &[TapRecord],
    end_cycle: u64,
) -> Option<Divergence> {
    let t_n = net.timesteps();
    let n = golden.len() * t_n;
    let mut seen = vec![0usize; net.layers.len() - 1];
    for r in taps {
        let i = seen[r.link];
        seen[r.link] += 1;
        let (s, t) = (i / t_n, i % t_n);
        let div = |neuron, field, golden, rtl| Divergence {
            sample: s,
            step: t,
            layer: Some(r.link),
            neuron,
            field,
            golden,
            rtl,
            cycle: r.cycle,
        };
        if i >= n {
            return Some(div(
                None,
                "tap",
                format!("{n} vectors on link {}", r.link),
                "one more".into(),
            ));
        }
        if let Some((c, g, got)) = spikes_differ(&r.spike_codes, &golden[s][r.link].spikes[t]) {
            return Some(div(Some(c), "spike", g, got));
        }
    }
    seen.iter()
        .enumerate()
        .find(|(_, &k)| k < n)
        .map(|(link, &k)| Divergence {
            sample: k / t_n,
            step: k % t_n,
            layer: Some(link),
            neuron: None,
            field: "tap",
            golden: format!("{n} vectors on link {link}"),
            rtl: format!("{k} in {end_cycle} cycles"),
            cycle: end_cycle,
        })
}

/// The first output divergence, or the predicted classes.
fn check_outputs(
    net: &NetworkConfig,
    golden: &[Vec<SampleResult>],
    outs: &[OutputRecord],
    end_cycle: u64,
) -> Result<Vec<usize>, Divergence> {
    let t_n = net.timesteps();
    let last = net.layers.last().expect("at least one layer");
    let lk = net.layers.len() - 1;
    let n = golden.len() * t_n;
    let mut flags = Flags::default();
    let mut predictions = vec![];
    for (s, g) in golden.iter().enumerate() {
        for r in g {
            flags.overflow |= r.flags.overflow;
            flags.illegal_spike |= r.flags.illegal_spike;
        }
        let gl = &g[lk];
        for t in 0..t_n {
            let k = s * t_n + t;
            let div = |neuron, field, golden: String, rtl: String, cycle| Divergence {
                sample: s,
                step: t,
                layer: Some(lk),
                neuron,
                field,
                golden,
                rtl,
                cycle,
            };
            let Some(r) = outs.get(k) else {
                return Err(div(
                    None,
                    "output",
                    "an output vector".into(),
                    format!("none ({} of {n} outputs in {end_cycle} cycles)", outs.len()),
                    end_cycle,
                ));
            };
            if r.step != t {
                return Err(div(
                    None,
                    "step",
                    t.to_string(),
                    r.step.to_string(),
                    r.cycle,
                ));
            }
            if r.framing_error {
                return Err(div(
                    None,
                    "framing_error",
                    "false".into(),
                    "true".into(),
                    r.cycle,
                ));
            }
            if let Some((c, g, got)) = spikes_differ(&r.spike_codes, &gl.spikes[t]) {
                return Err(div(Some(c), "spike", g, got, r.cycle));
            }
            for c in 0..last.outputs {
                if r.state[c] != gl.state[t][c] {
                    return Err(div(
                        Some(c),
                        "state",
                        gl.state[t][c].to_string(),
                        r.state[c].to_string(),
                        r.cycle,
                    ));
                }
            }
            if t + 1 == t_n {
                if r.overflow != flags.overflow {
                    let (g, got) = (flags.overflow.to_string(), r.overflow.to_string());
                    return Err(div(None, "flags.overflow", g, got, r.cycle));
                }
                if r.illegal_spike != flags.illegal_spike {
                    let (g, got) = (flags.illegal_spike.to_string(), r.illegal_spike.to_string());
                    return Err(div(None, "flags.illegal_spike", g, got, r.cycle));
                }
            }
        }
        let recs = &outs[s * t_n..(s + 1) * t_n];
        let rtl = SampleResult {
            spikes: recs
                .iter()
                .map(|r| r.spike_codes.iter().map(|&c| lanes::decode(c).0).collect())
                .collect(),
            currents: vec![],
            state: recs.iter().map(|r| r.state.clone()).collect(),
            readout: None,
            flags: Flags::default(),
        };
        let (want, got) = (argmax(&readout(last, gl)), argmax(&readout(last, &rtl)));
        if want != got {
            return Err(Divergence {
                sample: s,
                step: t_n - 1,
                layer: Some(lk),
                neuron: None,
                field: "class",
                golden: want.to_string(),
                rtl: got.to_string(),
                cycle: recs[t_n - 1].cycle,
            });
        }
        predictions.push(got);
    }
    Ok(predictions)
}

/// Opens `lib` (built from [`rtl_gen::generate_network`] for `net`) and runs
/// [`cosim_network_sim`].
pub fn cosim_network(
    lib: &Library,
    net: &NetworkConfig,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<NetworkOutcome, CosimError> {
    if lib.top != network::TOP || lib.taps != (net.layers.len() > 1) {
        return Err(CosimError::Protocol(format!(
            "{}: top {} with{} taps is not a {}-layer {}",
            lib.path.display(),
            lib.top,
            if lib.taps { "" } else { "out" },
            net.layers.len(),
            network::TOP
        )));
    }
    let mut sim = run::open(lib, None)?;
    cosim_network_sim(sim.pin_mut(), net, samples, stall, seed)
}

/// Loads `net`, streams `samples` (T input vectors each, `in_last` on step
/// T-1) and compares every link vector and output vector with the golden
/// model, and the class. `stall` adds random input gaps and output
/// back-pressure. Any sample may hold illegal lane codes.
pub fn cosim_network_sim(
    mut sim: Pin<&mut Sim>,
    net: &NetworkConfig,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<NetworkOutcome, CosimError> {
    check_design(&sim, net)?;
    load_network_config(sim.as_mut(), net);
    let _ = take_taps(sim.as_mut(), net)?;
    let t_n = net.timesteps();
    let n = samples.len() * t_n;
    let first = &net.layers[0];
    let inputs = run::pack_inputs(first, samples);
    let (valid, ready) = run::patterns(stall, seed);
    let ow = expected_layout(net).out_words as usize;
    let mut out = vec![0u32; n * ow];
    let slack = network::sample_latency(net) + 2 * t_n * net.layers.len() + 16;
    let max_cycles = ((n + slack) * if stall { 8 } else { 1 } + 1000) as u64;
    let start = sim.cycle();
    let counts = sim
        .as_mut()
        .run(
            max_cycles, &inputs, n as u64, &valid, &ready, &mut out, n as u64, false,
        )
        .map_err(|e| CosimError::Protocol(e.to_string()))?;
    let end = sim.cycle();
    let taps = take_taps(sim.as_mut(), net)?;
    let last = net.layers.last().expect("at least one layer");
    let outs: Vec<OutputRecord> = (0..counts.outputs_taken as usize)
        .map(|k| crate::run::unpack(last, &out[k * ow..(k + 1) * ow]))
        .collect();
    let runner = net.runner();
    let golden: Vec<Vec<SampleResult>> = samples.iter().map(|s| runner.run(s)).collect();
    debug_assert!(golden.iter().all(|g| g.len() == net.layers.len()));
    let tap_div = check_taps(net, &golden, &taps, end);
    let out_res = check_outputs(net, &golden, &outs, end);
    let first_div = match (tap_div, out_res) {
        (None, Ok(predictions)) => {
            return Ok(NetworkOutcome::Match {
                samples: samples.len(),
                cycles: counts.cycles,
                predictions,
                latency_cycles: outs.first().map_or(0, |r| r.cycle - start),
            })
        }
        (Some(d), Ok(_)) | (None, Err(d)) => d,
        (Some(a), Err(b)) => {
            if b.cycle < a.cycle {
                b
            } else {
                a
            }
        }
    };
    Ok(NetworkOutcome::Diverged(first_div))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn net() -> NetworkConfig {
        let l = |i: usize, o: usize| {
            json!({"inputs": i, "outputs": o, "timesteps": 2, "weight_bits": 3,
                   "weights": vec![vec![1; i]; o], "neuron": {"kind": "tmn", "vth": 2}})
        };
        NetworkConfig::from_json(
            &json!({"format_version": 1, "network": {"layers": [l(3, 20), l(20, 2), l(2, 5)]}}),
        )
        .unwrap()
    }

    #[test]
    fn tap_records_unpack_each_link_from_its_offset() {
        let n = net();
        // tap_spikes: link 0 = 40 bits at 0, link 1 = 4 bits at 40.
        assert_eq!(expected_tap_words(&n), 2 + 3);
        let mut rec = vec![0u32; 5];
        rec[0] = 1;
        rec[1] = 0xFFFF_FFFF;
        rec[2] = 0b1101 << 8 | 0xFF;
        rec[3] = 7;
        rec[4] = 1;
        let r = unpack_tap(&n, &rec).unwrap();
        assert_eq!(r.link, 1);
        assert_eq!(r.spike_codes, vec![0b01, 0b11]);
        assert_eq!(r.cycle, 7 | (1 << 32));
        rec[0] = 2;
        assert!(unpack_tap(&n, &rec).is_err());
    }

    #[test]
    fn divergence_is_one_line() {
        let d = Divergence {
            sample: 3,
            step: 1,
            layer: Some(0),
            neuron: Some(2),
            field: "spike",
            golden: show_spike(1),
            rtl: show_spike(0),
            cycle: 99,
        };
        assert_eq!(
            d.to_string(),
            "sample 3, step 1, layer 0, neuron 2, field spike: golden 1 (lane 01), rtl 0 (lane 00) (cycle 99)"
        );
    }
}
