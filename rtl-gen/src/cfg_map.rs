//! The core's configuration address map. `cfg_addr = {region, index}`, with
//! `region` the top 2 bits:
//! - 0: synaptic weight `W[o][i]`, index `{o, i}` (`i` in the low `RW` bits);
//! - 1: bias `b[o]`, index `o`;
//! - 2: PSN weight: `P[t][i]`, index `{t, i}` (`TW` bits each), or the
//!   sliding weight `w[j]`, index `j`;
//! - 3: PSN threshold `B[t]`, index `t` (the one sliding threshold: 0).
//!
//! A write whose index matches no register is ignored. Values are signed and
//! taken from the low bits of `cfg_data`.

use crate::array::index_bits;
use crate::unit::{psn_threshold_count, psn_weight_entries, step_bits};
use golden_model::{LayerConfig, Neuron};

pub const REGION_WEIGHT: u64 = 0;
pub const REGION_BIAS: u64 = 1;
pub const REGION_PSN_WEIGHT: u64 = 2;
pub const REGION_PSN_THRESHOLD: u64 = 3;

/// The address map of one layer's core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfgMap {
    /// Bits of a row index (input `i`).
    pub row_bits: u32,
    /// Bits of a column index (output `o`).
    pub col_bits: u32,
    /// Bits of the index field.
    pub index_bits: u32,
    /// Bits of `cfg_data`.
    pub data_bits: u32,
}

impl CfgMap {
    pub fn of(cfg: &LayerConfig) -> Self {
        // Columns of the array: outputs, or an elm's branches.
        let (rw, cw) = (index_bits(cfg.inputs), index_bits(cfg.branches()));
        let tw = step_bits(cfg.timesteps);
        let psn = cfg.neuron.is_psn_family();
        let psn_index = match &cfg.neuron {
            Neuron::SlidingPsn { k, .. } => index_bits(*k),
            _ => 2 * tw,
        };
        let mut index = (rw + cw).max(cw);
        let mut data = cfg.weight_bits;
        if psn {
            index = index.max(psn_index).max(tw);
            data = data.max(cfg.psn_weight_bits).max(cfg.widths().state_bits);
        }
        CfgMap {
            row_bits: rw,
            col_bits: cw,
            index_bits: index,
            data_bits: data,
        }
    }

    /// Bits of `cfg_addr`.
    pub fn addr_bits(&self) -> u32 {
        self.index_bits + 2
    }

    fn at(&self, region: u64, index: u64) -> u64 {
        (region << self.index_bits) | index
    }

    /// Address of `W[o][i]`.
    pub fn weight(&self, o: usize, i: usize) -> u64 {
        self.at(REGION_WEIGHT, ((o as u64) << self.row_bits) | i as u64)
    }

    /// Address of `b[o]`.
    pub fn bias(&self, o: usize) -> u64 {
        self.at(REGION_BIAS, o as u64)
    }

    /// Address of PSN weight entry `(t, i)` (sliding: `(0, j)`), see
    /// [`psn_weight_entries`].
    pub fn psn_weight(&self, cfg: &LayerConfig, t: usize, i: usize) -> u64 {
        let idx = match cfg.neuron {
            Neuron::SlidingPsn { .. } => i as u64,
            _ => ((t as u64) << step_bits(cfg.timesteps)) | i as u64,
        };
        self.at(REGION_PSN_WEIGHT, idx)
    }

    /// Address of threshold `n`.
    pub fn psn_threshold(&self, n: usize) -> u64 {
        self.at(REGION_PSN_THRESHOLD, n as u64)
    }

    /// Every configuration write that loads `cfg` (weights, biases, PSN
    /// weights and thresholds), as `(address, value)`.
    pub fn writes(&self, cfg: &LayerConfig) -> Vec<(u64, i64)> {
        let mut v = vec![];
        if let Some(w) = &cfg.weights {
            for (o, row) in w.iter().enumerate() {
                for (i, &x) in row.iter().enumerate() {
                    v.push((self.weight(o, i), x));
                }
            }
        }
        // An elm layer has no bias (its biases are ROM constants).
        if !matches!(cfg.neuron, Neuron::Elm(_)) {
            for (o, &b) in cfg.bias.iter().enumerate() {
                v.push((self.bias(o), b));
            }
        }
        for (t, i) in psn_weight_entries(cfg) {
            let x = match &cfg.neuron {
                Neuron::Psn { weights, .. } | Neuron::MaskedPsn { weights, .. } => weights[t][i],
                Neuron::SlidingPsn { weights, .. } => weights[i],
                _ => unreachable!("entries exist only for the PSN family"),
            };
            v.push((self.psn_weight(cfg, t, i), x));
        }
        for n in 0..psn_threshold_count(cfg) {
            let x = match &cfg.neuron {
                Neuron::Psn { thresholds, .. } | Neuron::MaskedPsn { thresholds, .. } => {
                    thresholds[n]
                }
                Neuron::SlidingPsn { threshold, .. } => *threshold,
                _ => unreachable!("thresholds exist only for the PSN family"),
            };
            v.push((self.psn_threshold(n), x));
        }
        v
    }
}
