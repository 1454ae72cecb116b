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
//! A folded candidate (`snn_folded` with P PEs, docs/folded.md) is costed by
//! [`folded_cost`]:
//!
//! - **Logic cells, block RAMs, SPRAMs and fit**:
//!   [`synth::folded::estimate`] of its [`FoldedPlan`] (a linear model
//!   fitted to place and route of the digits engine on the UP5K; the fit
//!   also counts the RAMs).
//! - **µs per image**: the mean over the given images of
//!   [`FoldedPlan::cycles_model`] (the engine's schedule, within 0.1-5% of
//!   Verilator on digits; it depends on the spikes: each non-zero input
//!   spike costs a cycle), divided by [`FOLDED_FMAX_MHZ`]. The search gives
//!   it the validation images, with layer `l > 0`'s input the golden
//!   model's spikes of layer `l - 1`.
//!
//! Checked against Yosys 0.23 on whole `snn_network`s for ice40-up5k: the
//! hand-made digits 64-32-10 tmn T=4 w8 is estimated at 73,908 logic cells,
//! measured 73,928 (`examples/digits/results/report.json`, pinned by
//! `tests/hardware_digits.rs`); 64-8-10 tmn T=4 w4 at 15,366, measured
//! 15,383 (`snnrtl search` confirmation).

use crate::error::SearchError;
use crate::genome::Architecture;
use golden_model::{LaneVec, NetworkConfig};
use rtl_gen::folded::plan::{self, FoldedPlan};
use serde::{Deserialize, Serialize};
use synth::estimate::{estimate, Family};
use synth::target::Target;

/// The version of the cost estimates a checkpoint's records hold; a record
/// of another version is not reused. 2: iCE40 memories in the EBR aspect
/// that needs the fewest blocks (`synth::folded::ebr_blocks`).
pub const COST_MODEL: u32 = 2;

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

/// Fmax of the folded engine per target, MHz: the median over the four
/// measured P of the digits 64-32-10 tmn T=4 engine (`snn_folded` behind
/// the out-of-context wrapper, nextpnr-ice40, median of seeds 1-3 each;
/// `cargo run --release -p synth --example folded_cost -- NET.json TARGET P...`):
/// - iCE40UP5K 39.3: 37.9 at P = 2, 41.1 at 4, 40.7 at 8, 36.4 at 16
///   (docs/folded.md);
/// - iCE40HX8K 95.0: 94.6 at P = 2, 95.4 at 4, 97.2 at 8, 81.5 at 16
///   (measured 2026-12-02 for this table, 1,283..2,183 logic cells).
///
/// One constant for every P and network: it ranks designs, it is not a
/// timing sign-off (P = 16 is 7% below it on the UP5K and 14% on the
/// HX8K). A target without an entry refuses `"folded"`.
pub const FOLDED_FMAX_MHZ: [(Target, f64); 2] =
    [(Target::Ice40Up5k, 39.3), (Target::Ice40Hx8k, 95.0)];

/// The target's folded Fmax, if the table has it.
pub fn folded_fmax_mhz(target: Target) -> Option<f64> {
    FOLDED_FMAX_MHZ
        .iter()
        .find(|(t, _)| *t == target)
        .map(|&(_, f)| f)
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
    /// Unrolled, or folded with its P (older checkpoints: unrolled).
    #[serde(default)]
    pub architecture: Architecture,
    /// Unrolled only (the folded estimate has no LUT/FF split).
    pub luts: Option<u64>,
    pub ffs: Option<u64>,
    /// The objective: unrolled `max(luts, ffs)`; folded the estimate.
    pub logic_cells: u64,
    /// Unrolled `luts + ffs`; folded the estimate again.
    pub logic_cells_max: u64,
    /// Folded: block RAMs (4 kbit) and SPRAMs of the estimate.
    #[serde(default)]
    pub brams: u64,
    #[serde(default)]
    pub sprams: u64,
    /// The part's logic cells.
    pub available: u64,
    /// Unrolled `logic_cells <= available`; folded also the RAMs fit.
    pub fits: bool,
    /// Unrolled: the sample latency; folded: the mean of the schedule model
    /// over the images costed.
    pub cycles_per_image: f64,
    /// Folded: the most cycles of one image.
    #[serde(default)]
    pub cycles_per_image_max: Option<u64>,
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
    let cycles = rtl_gen::network::sample_latency(net) as f64;
    let fmax = fmax_mhz(target).unwrap_or(f64::NAN);
    Cost {
        architecture: Architecture::Unrolled,
        luts: Some(luts),
        ffs: Some(ffs),
        logic_cells,
        logic_cells_max: luts + ffs,
        brams: 0,
        sprams: 0,
        available,
        fits: logic_cells <= available,
        cycles_per_image: cycles,
        cycles_per_image_max: None,
        fmax_mhz: fmax,
        us_per_image: cycles / fmax,
    }
}

/// Each layer's input spikes for one image (`inputs[l][t]`, what
/// [`FoldedPlan::cycles_model`] takes): the encoded image, then the golden
/// model's spikes of every layer but the last.
pub fn layer_inputs(runner: &golden_model::NetworkRunner, lanes: &[LaneVec]) -> Vec<Vec<Vec<i8>>> {
    let results = runner.run(lanes);
    let mut inputs = vec![lanes.iter().map(|v| v.to_spikes()).collect::<Vec<_>>()];
    for r in &results[..results.len().saturating_sub(1)] {
        inputs.push(r.spikes.clone());
    }
    inputs
}

/// The folded engine's estimated cost of `net` with parallelism `p` on
/// `target`, its cycles averaged over `images` (each one encoded image's
/// lanes; at least one). Errors (one line): a P or a neuron kind the
/// engine refuses, no images, a target without a folded Fmax.
pub fn folded_cost(
    net: &NetworkConfig,
    p: usize,
    target: Target,
    images: &[Vec<LaneVec>],
) -> Result<Cost, SearchError> {
    plan::check(net, p, "candidate.architecture").map_err(|e| match e.split_once(": ") {
        Some((path, msg)) => SearchError::field(path, msg),
        None => SearchError::field("candidate.architecture", e),
    })?;
    let fmax = folded_fmax_mhz(target).ok_or_else(|| {
        SearchError::field("target", format!("{} has no folded Fmax", target.name()))
    })?;
    if images.is_empty() {
        return Err(SearchError::field("images", "0 images is not in 1.."));
    }
    let plan = FoldedPlan::new(net, p, None);
    let est = synth::folded::estimate(&plan, target);
    let runner = net.runner();
    let (mut sum, mut max) = (0u64, 0u64);
    for lanes in images {
        let c = plan.cycles_model(&layer_inputs(&runner, lanes));
        sum += c;
        max = max.max(c);
    }
    let cycles = sum as f64 / images.len() as f64;
    Ok(Cost {
        architecture: Architecture::Folded { parallelism: p },
        luts: None,
        ffs: None,
        logic_cells: est.logic_cells,
        logic_cells_max: est.logic_cells,
        brams: est.brams,
        sprams: est.sprams,
        available: available_cells(target),
        fits: est.fits,
        cycles_per_image: cycles,
        cycles_per_image_max: Some(max),
        fmax_mhz: fmax,
        us_per_image: cycles / fmax,
    })
}
