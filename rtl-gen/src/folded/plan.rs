//! The folded engine's dimensions, widths and memory layout, derived once
//! from the network and the parallelism `P`, so the Verilog, the hex files,
//! the configuration words and co-simulation all read the same numbers.
//!
//! Layout (docs/folded.md):
//! - weight memory: one word of `P` weights (`weight_bits` each, the widest
//!   layer's) per (layer, group, input): word `weight_base[l] + g*N_l + i`
//!   holds `W_l[g*P + k][i]` at lane `k` (0 past the layer's outputs);
//! - bias memory: `bias_base[l] + n` holds `b_l[n]` (0 past the outputs);
//! - spike buffers X0, X1: layer `l` reads `X[l % 2]` and writes
//!   `X[(l + 1) % 2]`; word `(t, w)` (lanes `w*P .. w*P + P - 1` of step
//!   `t`) sits at address `w*T + t`; the input stream fills X0.

use golden_model::widths::{bits, clog2};
use golden_model::{LayerConfig, NetworkConfig, Neuron};

/// Where the weights live and how they get there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightStore {
    /// Block RAM with `$readmemh` contents (the bitstream carries them);
    /// the configuration port can still overwrite them.
    BlockRam,
    /// No initial contents (so `synth_ice40 -spram` can use SPRAM): the
    /// configuration port loads every weight and bias after reset.
    Loaded,
}

/// Block-RAM bits the engine may use for weights before it asks for
/// [`WeightStore::Loaded`]: three quarters of the UP5K's 30 x 4 kbit EBR,
/// leaving the rest for the spike buffers, biases and readouts.
pub const BLOCK_RAM_WEIGHT_BITS: usize = 92_160;

/// One layer's share of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerPlan {
    pub inputs: usize,
    pub outputs: usize,
    /// Spike-buffer words per step of its input: `ceil(inputs / P)`.
    pub words: usize,
    /// Groups of `P` output neurons: `ceil(outputs / P)`.
    pub groups: usize,
    pub weight_base: usize,
    pub bias_base: usize,
    /// Its neuron unit's latency (cycles from current to spike).
    pub unit_latency: usize,
    /// Synaptic (current) bits of the layer.
    pub current_bits: u32,
    pub state_bits: u32,
    pub weight_bits: u32,
}

/// The whole engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedPlan {
    pub p: usize,
    pub timesteps: usize,
    pub store: WeightStore,
    pub layers: Vec<LayerPlan>,
    /// Lane width in the weight memory: the widest layer's `weight_bits`.
    pub weight_bits: u32,
    /// Accumulator width: the widest layer's synaptic current.
    pub acc_bits: u32,
    /// Membrane register width: the widest layer's state.
    pub state_bits: u32,
    pub weight_depth: usize,
    pub bias_depth: usize,
    /// Depths of X0 and X1.
    pub buffer_depth: [usize; 2],
    /// Cycles the issuer spends on one step of one group: `max(P, Lu + 2)`
    /// (a neuron's membrane is back in its register `Lu + 1` cycles after
    /// it was issued).
    pub issue_period: usize,
    /// Readout register width (signed) and the spike-value width.
    pub readout_bits: u32,
    pub spike_value_bits: u32,
}

/// The neuron kinds the folded engine has units for.
pub const FOLDED_KINDS: &str = "if, lif and tmn";

/// Why a network cannot be folded with `p`: one line naming the field.
pub fn check(net: &NetworkConfig, p: usize, path: &str) -> Result<(), String> {
    let widest = net.layers.iter().map(|l| l.outputs).max().unwrap_or(1);
    if p == 0 || p > widest {
        return Err(format!(
            "{}: {p} is not in 1..={widest} (the widest layer's outputs)",
            golden_model::json_path::join(path, "parallelism")
        ));
    }
    for (k, l) in net.layers.iter().enumerate() {
        if !matches!(
            l.neuron,
            Neuron::If { .. } | Neuron::Lif { .. } | Neuron::Tmn { .. }
        ) {
            return Err(format!(
                "{}: the folded engine has units for {FOLDED_KINDS}, not {}",
                golden_model::json_path::join(path, &format!("layers[{k}].neuron.kind")),
                l.neuron.kind()
            ));
        }
    }
    Ok(())
}

fn ceil_div(a: usize, b: usize) -> usize {
    a.div_ceil(b)
}

/// `ceil(log2 n)`, at least 1: the bits of an index below `n`.
pub fn index_bits(n: usize) -> u32 {
    clog2(n as u64).max(1)
}

impl FoldedPlan {
    /// The plan for `net` with parallelism `p` (checked by [`check`]).
    /// `store: None` picks block RAM when the weights fit
    /// [`BLOCK_RAM_WEIGHT_BITS`], else [`WeightStore::Loaded`].
    pub fn new(net: &NetworkConfig, p: usize, store: Option<WeightStore>) -> FoldedPlan {
        check(net, p, "hardware").expect("a checked network");
        let t = net.layers[0].timesteps;
        let weight_bits = net.layers.iter().map(|l| l.weight_bits).max().unwrap();
        let (mut wbase, mut bbase) = (0, 0);
        let mut layers = Vec::new();
        for l in &net.layers {
            let wd = l.widths();
            let (words, groups) = (ceil_div(l.inputs, p), ceil_div(l.outputs, p));
            layers.push(LayerPlan {
                inputs: l.inputs,
                outputs: l.outputs,
                words,
                groups,
                weight_base: wbase,
                bias_base: bbase,
                unit_latency: crate::unit::latency(l),
                current_bits: wd.synaptic_bits,
                state_bits: wd.state_bits,
                weight_bits: l.weight_bits,
            });
            wbase += groups * l.inputs;
            bbase += groups * p;
        }
        // Both buffers get the deeper one's depth: one read address for both.
        let depth = layers.iter().map(|l| t * l.words).max().unwrap();
        let buffer_depth = [depth, depth];
        let store = store.unwrap_or(
            if wbase * p * weight_bits as usize <= BLOCK_RAM_WEIGHT_BITS {
                WeightStore::BlockRam
            } else {
                WeightStore::Loaded
            },
        );
        let last = net.layers.last().unwrap();
        let sv_max = spike_value_max(last);
        let vth = vth_of(last);
        let readout_bits =
            (bits(u128::from(sv_max) * vth as u128) + 1).max(last.widths().state_bits) + 1;
        FoldedPlan {
            p,
            timesteps: t,
            store,
            weight_bits,
            acc_bits: layers.iter().map(|l| l.current_bits).max().unwrap(),
            state_bits: layers.iter().map(|l| l.state_bits).max().unwrap(),
            issue_period: p.max(layers.iter().map(|l| l.unit_latency).max().unwrap() + 2),
            weight_depth: wbase,
            bias_depth: bbase,
            buffer_depth,
            readout_bits,
            spike_value_bits: bits(u128::from(sv_max)) + 1,
            layers,
        }
    }

    pub fn weight_word_bits(&self) -> u32 {
        self.p as u32 * self.weight_bits
    }
    pub fn weight_addr_bits(&self) -> u32 {
        // Holds the depth itself and the word step P (dead constants of
        // small layers must still fit).
        index_bits(self.weight_depth + self.p + 1)
    }
    pub fn bias_addr_bits(&self) -> u32 {
        index_bits(self.bias_depth)
    }
    pub fn buffer_addr_bits(&self) -> u32 {
        index_bits(
            self.buffer_depth[0]
                .max(self.buffer_depth[1])
                .max(self.timesteps + 1),
        )
    }
    /// Bits of a neuron index within a layer (`n < groups * P`).
    pub fn neuron_bits(&self) -> u32 {
        index_bits(self.layers.iter().map(|l| l.groups * self.p).max().unwrap() + 1)
    }
    pub fn group_bits(&self) -> u32 {
        index_bits(self.layers.iter().map(|l| l.groups).max().unwrap() + 1)
    }
    pub fn layer_bits(&self) -> u32 {
        index_bits(self.layers.len())
    }
    pub fn lane_bits(&self) -> u32 {
        index_bits(self.p)
    }
    /// `{sel, index}`: sel 0 is a weight word, 1 a bias.
    pub fn cfg_index_bits(&self) -> u32 {
        self.weight_addr_bits().max(self.bias_addr_bits())
    }
    pub fn cfg_addr_bits(&self) -> u32 {
        self.cfg_index_bits() + 1
    }
    /// Input words per sample: `T * ceil(inputs / P)`.
    pub fn input_words(&self) -> usize {
        self.timesteps * self.layers[0].words
    }
    /// Bits of the class and readout index on the output port.
    pub fn class_bits(&self) -> u32 {
        index_bits(self.layers.last().unwrap().outputs)
    }
    /// Bits of the tap record: `{layer, step, neuron, spike}`.
    pub fn tap_bits(&self) -> u32 {
        self.layer_bits() + crate::unit::step_bits(self.timesteps) + self.neuron_bits() + 2
    }

    /// The weight memory's words, lane `k` of a word at bits
    /// `[k*weight_bits +: weight_bits]`, two's complement.
    pub fn weight_words(&self, net: &NetworkConfig) -> Vec<Vec<i64>> {
        let mut words = Vec::with_capacity(self.weight_depth);
        for (l, lp) in net.layers.iter().zip(&self.layers) {
            let w = l.weights.as_ref().expect("a network layer has weights");
            for g in 0..lp.groups {
                words.extend((0..lp.inputs).map(|i| {
                    (0..self.p)
                        .map(|k| w.get(g * self.p + k).map_or(0, |row| row[i]))
                        .collect::<Vec<i64>>()
                }));
            }
        }
        words
    }

    /// The bias memory's entries.
    pub fn biases(&self, net: &NetworkConfig) -> Vec<i64> {
        let mut out = Vec::with_capacity(self.bias_depth);
        for (l, lp) in net.layers.iter().zip(&self.layers) {
            for n in 0..lp.groups * self.p {
                out.push(if n < lp.outputs { l.bias[n] } else { 0 });
            }
        }
        out
    }
}

/// The largest `|sum_t s[t] * 2^(T-1-t)|` (tmn) or spike count (if, lif).
pub fn spike_value_max(l: &LayerConfig) -> u64 {
    match l.neuron {
        Neuron::Tmn { .. } => (1u64 << l.timesteps) - 1,
        _ => l.timesteps as u64,
    }
}

/// The layer's threshold (if, lif, tmn).
pub fn vth_of(l: &LayerConfig) -> i64 {
    match l.neuron {
        Neuron::If { vth, .. } | Neuron::Lif { vth, .. } | Neuron::Tmn { vth } => vth,
        _ => panic!("folded layers are if, lif or tmn"),
    }
}

/// `value` as `width` bits of two's complement, masked.
pub fn twos(value: i64, width: u32) -> u128 {
    (value as i128 as u128) & ((1u128 << width) - 1)
}

/// Lanes packed into one unsigned word (lane `k` at `[k*width +: width]`),
/// as little-endian 32-bit words of `ceil(lanes*width/32)`.
pub fn pack_words(lanes: &[i64], width: u32) -> Vec<u32> {
    let total = lanes.len() * width as usize;
    let mut out = vec![0u32; total.div_ceil(32).max(1)];
    for (k, &v) in lanes.iter().enumerate() {
        let x = twos(v, width);
        for b in 0..width as usize {
            if (x >> b) & 1 == 1 {
                let at = k * width as usize + b;
                out[at / 32] |= 1 << (at % 32);
            }
        }
    }
    out
}

/// One line of `$readmemh`: the packed lanes in hex, most significant first.
pub fn hex_line(lanes: &[i64], width: u32) -> String {
    let total = lanes.len() * width as usize;
    let digits = total.div_ceil(4);
    let words = pack_words(lanes, width);
    (0..digits)
        .rev()
        .map(|d| {
            let at = d * 4;
            let nib = (words[at / 32] >> (at % 32)) & 0xf;
            char::from_digit(nib, 16).unwrap()
        })
        .collect()
}

impl FoldedPlan {
    /// The cycles one sample takes, from its first input word to its last
    /// readout beat, with no stalls: a model of the engine's schedule, for
    /// ranking designs before co-simulation measures them (`inputs[l][t]`:
    /// layer `l`'s input spikes at step `t`). Each step of each group ends
    /// no sooner than its fetch (one cycle per non-zero spike, one per
    /// all-zero word) and no sooner than the issue of the step before
    /// (`issue_period + 4`); each layer adds its drain, the last the
    /// readout beats. Checked against Verilator in
    /// `cosim/tests/verilator_folded.rs`.
    pub fn cycles_model(&self, inputs: &[Vec<Vec<i8>>]) -> u64 {
        let p = self.p;
        let mut cycles = self.input_words() as u64 + 2;
        for (l, lp) in self.layers.iter().enumerate() {
            let steps: u64 = inputs[l]
                .iter()
                .map(|step| {
                    let fetch: usize = step
                        .chunks(p)
                        .map(|w| w.iter().filter(|&&s| s != 0).count().max(1))
                        .sum();
                    fetch.max(self.issue_period + 4) as u64
                })
                .sum();
            cycles += lp.groups as u64 * steps + (p + lp.unit_latency + 8) as u64;
        }
        cycles + self.layers.last().map_or(0, |l| l.outputs) as u64 + 2
    }
}
