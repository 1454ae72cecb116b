//! LUT and flip-flop predictions per module, from the layer config alone,
//! for iCE40 (`synth_ice40`, LUT4 + carry chain) and Xilinx 7-series
//! (`synth_xilinx`, LUT6 + CARRY4), hierarchy kept (`-noflatten`).
//!
//! The PE and the array are modelled from their structure. Checked against
//! Yosys 0.23 on 1x1 to 32x8 arrays with weight bits 2 to 12: the PE's LUTs
//! and flip-flops match exactly; so do the array's registers on iCE40
//! (within 6% on Xilinx, where chains become SRLs); the array's
//! write-enable decode is within 11% (72 of the 1,352 PE-array LUTs at
//! 8x8). `snnrtl synth` prints the gap on every run. Neuron units and the
//! control logic are first-order models fitted to Yosys 0.23 on 2x3 to 32x8
//! configs (every neuron kind): expect gaps of 10-30% there. Counts are per
//! instance; `instances` says how many.
//!
//! Names: `R` rows, `C` cols, `A` = synaptic bits (partial sum), `WB` weight
//! bits, `PWB` PSN weight bits, `CB` current bits, `SB` state bits, `TW`
//! timestep index bits, `k` PSN window.

use golden_model::{LayerConfig, Neuron};
use rtl_gen::array::index_bits;
use rtl_gen::core::unit_module;
use rtl_gen::unit::{psn_threshold_count, psn_weight_entries, step_bits};

/// The FPGA family a prediction is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Lattice iCE40: `SB_LUT4`, `SB_CARRY`, `SB_DFF*`.
    Ice40,
    /// Xilinx 7-series: `LUT1..LUT6`, `CARRY4`, `FD*`, `SRL16E/SRLC32E`, `DSP48E1`.
    Xilinx7,
}

/// Predicted cells of one module (per instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleEstimate {
    /// Module name as generated (`snn_pe`, `snn_array`, the unit, `snn_core`).
    pub module: String,
    /// Instances of this module in one core.
    pub instances: u64,
    /// LUTs per instance (iCE40 `SB_LUT4`; Xilinx `LUT1..LUT6` and `INV`).
    pub luts: u64,
    /// Flip-flops per instance.
    pub ffs: u64,
    /// Shift-register LUTs per instance (Xilinx `SRL16E`/`SRLC32E`; 0 on iCE40).
    pub srls: u64,
    /// DSP blocks per instance (Xilinx `DSP48E1` for PSN multipliers; 0 on iCE40,
    /// where the flow does not map to DSPs).
    pub dsps: u64,
    /// Which model produced it: `structural` or `fitted`.
    pub model: &'static str,
}

/// Predictions for every module of the core for `cfg`, in generation order
/// (PE, array, neuron unit, core).
pub fn estimate(cfg: &LayerConfig, family: Family) -> Vec<ModuleEstimate> {
    // The elm core (rtl_gen::elm_core) has no fitted model yet: Yosys's
    // counts stand alone.
    if let Neuron::Elm(_) = cfg.neuron {
        return vec![];
    }
    let w = cfg.widths();
    let (r, c) = (cfg.inputs as u64, cfg.outputs as u64);
    let (a, wb, sb) = (
        w.synaptic_bits as u64,
        cfg.weight_bits as u64,
        w.state_bits as u64,
    );
    let (cb, pwb) = (w.current_bits as u64, cfg.psn_weight_bits as u64);
    let tw = step_bits(cfg.timesteps) as u64;
    let t = cfg.timesteps as u64;
    let lat = r + c - 1;
    let ice = family == Family::Ice40;

    // PE: one adder of A bits (one LUT per sum bit on iCE40, since the carry
    // chain takes its operands from LUT inputs; LUT6 + CARRY4 absorb the
    // operand logic on Xilinx, plus one LUT), WB LUTs on iCE40 to form the
    // gated, conditionally inverted weight; WB + 2 + A flip-flops.
    let pe = ModuleEstimate {
        module: "snn_pe".into(),
        instances: r * c,
        luts: if ice { a + wb } else { a + 1 },
        ffs: wb + 2 + a,
        srls: 0,
        dsps: 0,
        model: "structural",
    };

    // Array: weight write-enable decode (one LUT per PE when the enable's
    // inputs fit one LUT, plus a pre-decode of about max(R, C) otherwise),
    // skew (R(R-1) lane bits) and deskew (A * C(C-1)/2 bits) registers; on
    // Xilinx chains of 3 or more stages become SRLs (32 stages each).
    let inputs = 1 + index_bits(r as usize) as u64 + index_bits(c as usize) as u64;
    let lut_inputs = if ice { 4 } else { 6 };
    // Xilinx maps a 7-input enable to one LUT6 + MUXF7 per PE (the MUXF7
    // is not a LUT).
    let one_lut = inputs <= lut_inputs || (!ice && inputs == 7);
    let decode = if one_lut { r * c } else { r * c + r.max(c) };
    let mut chains: Vec<(u64, u64)> = (1..r).map(|row| (row, 2)).collect(); // (length, bits)
    chains.extend((0..c).map(|col| (c - 1 - col, a)));
    let (mut ffs, mut srls) = (0, 0);
    for (len, bits) in chains {
        if !ice && len >= 3 {
            srls += bits * len.div_ceil(32);
        } else {
            ffs += bits * len;
        }
    }
    let array = ModuleEstimate {
        module: "snn_array".into(),
        instances: 1,
        luts: decode,
        ffs,
        srls,
        dsps: 0,
        model: "structural",
    };

    // Neuron unit: fitted per kind.
    let k = match &cfg.neuron {
        Neuron::MaskedPsn { k, .. } | Neuron::SlidingPsn { k, .. } => (*k as u64).min(t),
        _ => 0,
    };
    let overflow_ff = u64::from(w.state_bits < w.derived_state_bits);
    // Flip-flops of the pipelined units (docs/core.md, "Neuron units"):
    // if/lif: out_state, c, c - vth (about CB + 1), b - vth (about WB + 1),
    // steps of stage a and the output, valid and first flags; tmn: c in
    // stage a, c -+ vth in stage b (their low bits shared), three steps;
    // psn family: c, the step's weights, the registered products
    // (PB = CB + PWB bits each) and thresholds on top of the history or
    // accumulators.
    let pb = cb + pwb;
    let if_ffs = sb + 2 * tw + 2 * cb + wb + 6 + overflow_ff;
    let tmn_ffs = sb + 3 * tw + 3 * cb + 3 + overflow_ff;
    let psn_ffs = 2 * t * sb + 2 * tw + 3 + cb + t * pwb + t * pb + 2 * tw + 2 + sb;
    let masked_ffs =
        sb + tw + 1 + (k.max(1) - 1) * cb + k * pb + k * pwb + cb + 2 * sb + 2 * tw + 2;
    let sliding_ffs = sb + tw + 1 + (k.max(1) - 1) * cb + k * pb + cb + 2 * tw + 2;
    let (luts, ffs, dsps) = match (&cfg.neuron, ice) {
        (Neuron::If { .. }, true) => (4 * sb + 2 * cb + 10, if_ffs, 0),
        (Neuron::If { .. }, false) => ((11 * sb) / 2, if_ffs, 0),
        // lif: the if unit plus a level of full adders (carry-save) for the leak.
        (Neuron::Lif { .. }, true) => (7 * sb + 2 * cb + 5, if_ffs, 0),
        (Neuron::Lif { .. }, false) => ((13 * sb) / 2, if_ffs, 0),
        (Neuron::Tmn { .. }, true) => (4 * sb + 2 * cb + 17, tmn_ffs, 0),
        (Neuron::Tmn { .. }, false) => ((11 * sb) / 2, tmn_ffs, 0),
        (Neuron::Psn { .. }, true) => (t * (4 * pwb * cb + 2 * sb), psn_ffs, 0),
        (Neuron::Psn { .. }, false) => (14 * t * t, psn_ffs, t),
        (Neuron::MaskedPsn { .. }, true) => (4 * k * pwb * cb, masked_ffs, 0),
        (Neuron::MaskedPsn { .. }, false) => (18 * t, masked_ffs, k),
        (Neuron::SlidingPsn { .. }, true) => ((10 * k * pwb * cb) / 3, sliding_ffs, 0),
        (Neuron::SlidingPsn { .. }, false) => (2 * sb, sliding_ffs, k),
        (Neuron::Elm(_), _) => unreachable!("elm returned above"),
    };
    let unit = ModuleEstimate {
        module: unit_module(cfg).into(),
        instances: c,
        luts,
        ffs,
        srls: 0,
        dsps,
        model: "fitted",
    };

    // Control (snn_core's own logic): lane gating and the illegal-lane check
    // (about 3 LUTs per row), bias decode (2 per column), step counter, and
    // about 1.3 LUTs per PSN configuration register; flip-flops: bias and PSN
    // registers, the control pipeline (valid, step, illegal per stage), step
    // counter and flags. On Xilinx the pipeline's step and illegal bits
    // become SRLs.
    let psn_regs = psn_weight_entries(cfg).len() as u64;
    let thr_regs = psn_threshold_count(cfg) as u64;
    let base_luts = if ice {
        3 * r + 2 * c + 2 * tw + 12
    } else {
        3 * r + 2 * c + 2 * tw + 4
    };
    let cfg_ffs = c * wb + psn_regs * pwb + thr_regs * sb;
    // The control pipeline runs to one stage before the unit's output.
    let ctl = lat + rtl_gen::unit::latency(cfg) as u64 - 1;
    let (ctl_ffs, ctl_srls) = if ice || ctl < 3 {
        ((2 + tw) * ctl, 0)
    } else {
        (ctl, (tw + 1) * ctl.div_ceil(32))
    };
    let core = ModuleEstimate {
        module: "snn_core".into(),
        instances: 1,
        luts: base_luts + (13 * (psn_regs + thr_regs)).div_ceil(10),
        ffs: cfg_ffs + ctl_ffs + tw + 5,
        srls: ctl_srls,
        dsps: 0,
        model: "fitted",
    };
    vec![pe, array, unit, core]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tmn(rows: usize, cols: usize, t: usize, wb: u32) -> LayerConfig {
        let v = json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
                       "weights": vec![vec![1; rows]; cols], "neuron": {"kind": "tmn", "vth": 16}});
        LayerConfig::from_json(&v, "layer").unwrap()
    }

    // Yosys 0.23 `synth_ice40 -noflatten`, 8x8 TMN, 8-bit weights (A = 12):
    // snn_pe 20 SB_LUT4 + 22 FFs, snn_array 72 SB_LUT4 + 392 FFs.
    #[test]
    fn pe_and_array_match_yosys_on_ice40_8x8() {
        let e = estimate(&tmn(8, 8, 8, 8), Family::Ice40);
        assert_eq!((e[0].module.as_str(), e[0].instances), ("snn_pe", 64));
        assert_eq!((e[0].luts, e[0].ffs), (20, 22));
        assert_eq!((e[1].luts, e[1].ffs), (72, 392));
        assert_eq!(e[2].module, "snn_tmn");
        assert_eq!(e[2].instances, 8);
    }

    // Yosys 0.23 `synth_xilinx -noflatten`, 8x8 TMN: snn_pe 13 LUTs; the array
    // keeps 42 FFs and maps 70 shift-register bits to SRL16E.
    #[test]
    fn pe_and_array_match_yosys_on_xilinx_8x8() {
        let e = estimate(&tmn(8, 8, 8, 8), Family::Xilinx7);
        assert_eq!((e[0].luts, e[0].ffs), (13, 22));
        assert_eq!((e[1].ffs, e[1].srls), (42, 70));
    }

    #[test]
    fn one_by_one_has_no_skew_or_deskew() {
        let e = estimate(&tmn(1, 1, 1, 2), Family::Ice40);
        assert_eq!((e[1].luts, e[1].ffs), (1, 0));
        assert_eq!((e[0].luts, e[0].ffs), (5, 7));
    }
}
