//! The hardware objectives of a candidate network on a target, from the
//! layer configs alone (no tools run).
//!
//! - **Logic cells** (iCE40): [`synth::estimate::estimate`] of every
//!   layer's core, summed over modules and instances into LUTs and
//!   flip-flops; the logic cells are `max(LUTs, FFs)`, the lower bound of
//!   the "logic cells" line of synth's fit check (an iCE40 logic cell holds
//!   one LUT4, one carry and one DFF; synth reports
//!   `max(LUTs, FFs, carries)..LUTs + FFs + carries` before place and
//!   route). The estimate has no carry count; in these cores every adder
//!   bit's carry sits beside the LUT computing it, so carries never exceed
//!   LUTs. The `snn_network` glue (a few registers per link) is left out.
//!   `logic_cells_max` is `LUTs + FFs`, synth's upper bound.
//! - **Fits**: the lower bound is within the part's logic cells (synth's
//!   verdict is then "fits" or "may not fit", depending on packing).
//! - **µs per image**: cycles per image / Fmax. The cycles of the unrolled
//!   network (every layer its own core, one vector per cycle) are its
//!   sample latency, `rtl_gen::network::sample_latency` (the network
//!   manifest's latency): the sum of the layers' step latencies plus T - 1.
//! - **Fmax**: the constant [`FMAX_MHZ`] per target.
//!
//! Checked against Yosys 0.23 on whole `snn_network`s for ice40-up5k: the
//! hand-made digits 64-32-10 tmn T=4 w8 is estimated at 73,908 logic cells,
//! measured 73,928 (`examples/digits/results/report.json`, pinned by
//! `tests/hardware_digits.rs`); 64-8-10 tmn T=4 w4 at 15,366, measured
//! 15,383 (`snnrtl search` confirmation).

use golden_model::NetworkConfig;
use serde::{Deserialize, Serialize};
use synth::estimate::{estimate, Family};
use synth::target::Target;

/// Estimated Fmax per target, MHz: the 8x8 TMN core (T = 8, 8-bit weights)
/// with the pipelined neuron units, placed and routed on this project's
/// machine, `snnrtl synth CFG --target T --pnr` (nextpnr-ice40, median of
/// seeds 1-3): iCE40HX8K 99.7 MHz (90.1..100.8), iCE40UP5K 41.3 MHz
/// (40.2..41.5); before the pipelining they were 59.8 and 22.3. Larger
/// arrays are slower; the figure ranks designs and gives an order of
/// magnitude, it is not a timing sign-off. Targets without place and route
/// here (xilinx-7, generic) have no entry, so the search refuses them.
pub const FMAX_MHZ: [(Target, f64); 2] = [(Target::Ice40Up5k, 41.3), (Target::Ice40Hx8k, 99.7)];

/// The target's estimated Fmax, if the table has it.
pub fn fmax_mhz(target: Target) -> Option<f64> {
    FMAX_MHZ.iter().find(|(t, _)| *t == target).map(|&(_, f)| f)
}

/// The part's logic cells (0 when the target has no part).
pub fn available_cells(target: Target) -> u64 {
    target
        .part()
        .and_then(|p| {
            p.capacities
                .iter()
                .find(|c| c.resource == "logic cells")
                .map(|c| c.available)
        })
        .unwrap_or(0)
}

/// A network's estimated cost on a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub luts: u64,
    pub ffs: u64,
    /// `max(luts, ffs)`: the objective.
    pub logic_cells: u64,
    /// `luts + ffs`.
    pub logic_cells_max: u64,
    /// The part's logic cells.
    pub available: u64,
    /// `logic_cells <= available`.
    pub fits: bool,
    pub cycles_per_image: u64,
    pub fmax_mhz: f64,
    pub us_per_image: f64,
}

/// The estimate of `net` on `target` (an iCE40 target with an Fmax entry).
pub fn cost(net: &NetworkConfig, target: Target) -> Cost {
    let family = target.family().estimate().unwrap_or(Family::Ice40);
    let (mut luts, mut ffs) = (0, 0);
    for layer in &net.layers {
        for m in estimate(layer, family) {
            luts += m.luts * m.instances;
            ffs += m.ffs * m.instances;
        }
    }
    let logic_cells = luts.max(ffs);
    let available = available_cells(target);
    let cycles = rtl_gen::network::sample_latency(net) as u64;
    let fmax = fmax_mhz(target).unwrap_or(f64::NAN);
    Cost {
        luts,
        ffs,
        logic_cells,
        logic_cells_max: luts + ffs,
        available,
        fits: logic_cells <= available,
        cycles_per_image: cycles,
        fmax_mhz: fmax,
        us_per_image: cycles as f64 / fmax,
    }
}
