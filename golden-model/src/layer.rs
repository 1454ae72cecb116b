//! One layer run over one sample: synapses (or neuron-only currents), bias as
//! the neuron kind applies it, then one neuron per output.

use crate::config::LayerConfig;
use crate::lanes::LaneVec;
use crate::neuron;
use crate::synapse::Synapses;
use serde::Serialize;

/// Sticky flags of one sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Flags {
    pub overflow: bool,
    pub illegal_spike: bool,
}

/// SPEC section 5's result for one sample; matrices are `[T][outputs]`
/// (elm: currents `[T][branches]`, state `[T][memory]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleResult {
    /// Empty for elm, which has no spikes (and then not serialized).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spikes: Vec<Vec<i8>>,
    /// `I[t][o]` including the bias as applied.
    pub currents: Vec<Vec<i64>>,
    /// `u` after reset (if, lif, tmn), `H` (psn family) or `m` (elm).
    pub state: Vec<Vec<i64>>,
    /// elm only: the readout `r[t][k]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readout: Option<Vec<Vec<i64>>>,
    pub flags: Flags,
}

/// A validated layer ready to run samples.
#[derive(Debug, Clone)]
pub struct Layer {
    pub cfg: LayerConfig,
    synapses: Option<Synapses>,
}

impl Layer {
    pub fn new(cfg: LayerConfig) -> Self {
        let synapses = cfg.weights.as_deref().map(Synapses::new);
        Layer { cfg, synapses }
    }

    /// Synaptic currents `I[t][o]` (no bias) for `T` vectors of input lanes.
    pub fn synaptic_currents(&self, lanes: &[LaneVec]) -> Vec<Vec<i64>> {
        let syn = self
            .synapses
            .as_ref()
            .expect("a neuron-only layer takes currents, not spikes");
        let mut buf = vec![0i32; syn.outputs()];
        lanes
            .iter()
            .map(|l| {
                syn.currents_packed(l, &mut buf);
                buf.iter().map(|&x| i64::from(x)).collect()
            })
            .collect()
    }

    /// Runs one sample given as `T` vectors of input lanes.
    pub fn run_lanes(&self, lanes: &[LaneVec]) -> SampleResult {
        assert_eq!(
            lanes.len(),
            self.cfg.timesteps,
            "one lane vector per timestep"
        );
        let illegal = lanes.iter().any(LaneVec::has_illegal);
        let mut r = self.run_currents(&self.synaptic_currents(lanes));
        r.flags.illegal_spike = illegal;
        r
    }

    /// Runs one sample given as synaptic currents `I[t][o]` (neuron-only mode,
    /// or the output of [`Layer::synaptic_currents`]).
    pub fn run_currents(&self, synaptic: &[Vec<i64>]) -> SampleResult {
        let (t_n, o_n) = (self.cfg.timesteps, self.cfg.outputs);
        assert_eq!(synaptic.len(), t_n, "one current vector per timestep");
        if let crate::Neuron::Elm(e) = &self.cfg.neuron {
            let tr = e.run(synaptic);
            return SampleResult {
                spikes: vec![],
                currents: synaptic.to_vec(),
                state: tr.state,
                readout: Some(tr.readout),
                flags: Flags::default(),
            };
        }
        let currents: Vec<Vec<i64>> = synaptic
            .iter()
            .enumerate()
            .map(|(t, row)| {
                assert_eq!(row.len(), o_n);
                let with_bias = neuron::bias_applies(&self.cfg.neuron, t);
                row.iter()
                    .zip(&self.cfg.bias)
                    .map(|(&i, &b)| if with_bias { i + b } else { i })
                    .collect()
            })
            .collect();
        let mut spikes = vec![vec![0i8; o_n]; t_n];
        let mut state = vec![vec![0i64; o_n]; t_n];
        let mut flags = Flags::default();
        for o in 0..o_n {
            let column: Vec<i64> = currents.iter().map(|row| row[o]).collect();
            let tr = neuron::run(&self.cfg, &column);
            flags.overflow |= tr.overflow;
            for t in 0..t_n {
                spikes[t][o] = tr.spikes[t];
                state[t][o] = tr.state[t];
            }
        }
        SampleResult {
            spikes,
            currents,
            state,
            readout: None,
            flags,
        }
    }
}
