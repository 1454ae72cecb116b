//! Synthesis of the folded engine (`snn_folded`): Yosys for every target
//! (`synth_ice40 -spram -dsp` on the UP5K, so weights without contents go to
//! SPRAM), then, on iCE40, nextpnr on the out-of-context wrapper over
//! several seeds: logic cells, block RAMs, SPRAMs, DSPs and the median Fmax.
//!
//! The wrapper registers every port bit (one logic cell each); its cells are
//! counted apart and `logic_cells` is nextpnr's count minus them, so the
//! figure is the engine's. `fits` is decided with the wrapper included.

use crate::cells::Cells;
use crate::error::{Result, SynthError};
use crate::flow::{fit_from_counts, Options, Tools};
use crate::outcome::Verdict;
use crate::pnr::{route_all, spread};
use crate::target::{Family, Target};
use crate::{constraints, wrap, yosys};
use golden_model::NetworkConfig;
use rtl_gen::folded::{self, plan::FoldedPlan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Version of [`FoldedSynth`]'s JSON.
pub const FOLDED_FORMAT_VERSION: u32 = 1;

/// What synthesis (and, on iCE40, place and route) measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldedSynth {
    pub format_version: u32,
    pub target: String,
    pub parallelism: usize,
    /// Yosys cells of `snn_folded` (wrapper excluded).
    pub cells: Cells,
    pub cells_by_type: BTreeMap<String, u64>,
    /// iCE40 after place and route: nextpnr's logic cells minus the
    /// wrapper's (one per port bit). Xilinx: `None` (see `cells.luts`).
    pub logic_cells: Option<u64>,
    pub logic_cells_with_wrapper: Option<u64>,
    pub wrapper_logic_cells: Option<u64>,
    /// `SB_RAM40_4K` or `RAMB18E1` (a `RAMB36E1` counts 2).
    pub brams: u64,
    pub sprams: u64,
    pub dsps: u64,
    /// Median, min and max over seeds (iCE40 only).
    pub fmax_mhz: Option<f64>,
    pub fmax_mhz_min: Option<f64>,
    pub fmax_mhz_max: Option<f64>,
    pub seeds: Vec<u64>,
    pub fits: bool,
    /// Why it does not fit, or what was not measured.
    pub message: String,
    pub seconds: f64,
}

fn count(by_type: &BTreeMap<String, u64>, pred: impl Fn(&str) -> bool) -> u64 {
    by_type
        .iter()
        .filter(|(t, _)| pred(t))
        .map(|(_, n)| *n)
        .sum()
}

/// Synthesizes the folded engine for `net` with `plan` on `target` in `dir`
/// (created, kept for inspection), placing and routing on iCE40 with each
/// placer seed of `seeds` (none when it is empty; see [`crate::pnr::seeds`]).
pub fn synthesize_folded(
    net: &NetworkConfig,
    plan: &FoldedPlan,
    target: Target,
    tools: &Tools,
    dir: &Path,
    seeds: &[u64],
) -> Result<FoldedSynth> {
    let start = Instant::now();
    std::fs::create_dir_all(dir).map_err(SynthError::io(dir, "cannot create"))?;
    let design = folded::generate(net, plan);
    design
        .write(dir)
        .map_err(|e| SynthError::Internal(format!("writing the design: {e}")))?;
    let mut files: Vec<String> = design
        .files
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| n.ends_with(".v"))
        .collect();
    let family = target.family();
    let pnr = family == Family::Ice40 && !seeds.is_empty();
    let top_module = folded::modules(net, plan)
        .pop()
        .ok_or_else(|| SynthError::Internal("no top module".into()))?;
    let (cname, ctext) = constraints::clock_file(target, 100.0, None);
    std::fs::write(dir.join(&cname), ctext)
        .map_err(SynthError::io(dir.join(&cname), "cannot write"))?;
    let mut synth_top = "snn_folded".to_string();
    let mut wrapper_lcs = None;
    if pnr {
        let w = wrap::wrapper(&top_module);
        let name = format!("{}.v", wrap::WRAPPER);
        std::fs::write(
            dir.join(&name),
            rtl_gen::verilog::print::module_to_string(&w),
        )
        .map_err(SynthError::io(dir.join(&name), "cannot write"))?;
        files.push(name);
        synth_top = wrap::WRAPPER.to_string();
        let (i, o) = wrap::io_bits(&top_module);
        wrapper_lcs = Some(u64::from(i + o));
    }
    let mut script = yosys::script(target, &files, &synth_top, "snn_folded", pnr);
    if target == Target::Ice40Up5k {
        script = script.replace(
            "synth_ice40 -noflatten",
            "synth_ice40 -noflatten -spram -dsp",
        );
    }
    yosys::run(&tools.yosys, dir, &script)?;
    let stat_path = dir.join(yosys::STAT_FILE);
    let stat_text = std::fs::read_to_string(&stat_path)
        .map_err(SynthError::io(&stat_path, "Yosys wrote no statistics"))?;
    let stat = yosys::parse_stat(&stat_text)?;
    let (_, expanded) = stat.hierarchy("snn_folded")?;
    let cells = Cells::of(family, &expanded);
    let sprams = count(&expanded, |t| t == "SB_SPRAM256KA");
    let brams = count(&expanded, |t| {
        t.starts_with("SB_RAM40_4K") || t.starts_with("RAMB18")
    }) + 2 * count(&expanded, |t| t.starts_with("RAMB36"));
    let fit = fit_from_counts(target, &cells, None);
    let mut out = FoldedSynth {
        format_version: FOLDED_FORMAT_VERSION,
        target: target.name().into(),
        parallelism: plan.p,
        cells: cells.clone(),
        cells_by_type: expanded,
        logic_cells: None,
        logic_cells_with_wrapper: None,
        wrapper_logic_cells: wrapper_lcs,
        brams,
        sprams,
        dsps: cells.dsps,
        fmax_mhz: None,
        fmax_mhz_min: None,
        fmax_mhz_max: None,
        seeds: vec![],
        fits: fit.verdict != Verdict::DoesNotFit,
        message: fit.message.clone(),
        seconds: 0.0,
    };
    if pnr {
        let np = tools
            .nextpnr
            .as_ref()
            .ok_or_else(|| SynthError::BadOption {
                option: "--pnr",
                problem: "nextpnr-ice40 was not looked up".into(),
            })?;
        let opts = Options::new(target);
        let runs = route_all(np, dir, &cname, &opts, seeds)?;
        let mut fmaxes = vec![];
        let mut lcs = vec![];
        for (seed, run) in seeds.iter().zip(runs) {
            match run {
                Ok(r) => {
                    if let Some((_, f)) = r.worst_clock() {
                        fmaxes.push(f.achieved);
                    }
                    if let Some(u) = r.utilization.get("ICESTORM_LC") {
                        lcs.push(u.used);
                        out.fits &= u.used <= u.available;
                    }
                }
                Err(m) => {
                    out.fits = false;
                    out.message = format!("seed {seed}: {m}");
                }
            }
        }
        out.seeds = seeds.to_vec();
        if let Some(&lc) = lcs.first() {
            out.logic_cells_with_wrapper = Some(lc);
            out.logic_cells = Some(lc.saturating_sub(wrapper_lcs.unwrap_or(0)));
        }
        if let Some(sp) = spread(&fmaxes) {
            out.fmax_mhz = Some(sp.median);
            out.fmax_mhz_min = Some(sp.min);
            out.fmax_mhz_max = Some(sp.max);
        }
    } else if family == Family::Ice40 {
        out.message = "no place and route: logic cells and Fmax not measured".into();
    }
    out.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// The iCE40 EBRs (4 kbit) a `width` x `depth` memory takes in the aspect
/// that needs the fewest: 256 x 16, 512 x 8, 1024 x 4 or 2048 x 2. A deep,
/// narrow memory (the weights at P = 1 or 2) packs into the narrow aspects:
/// 64-128-10 at 6 bits and P = 1 is 9,472 x 6, 15 EBRs at 2048 x 2, where
/// 256 x 16 blocks would count 37; Yosys placed that engine in 20 EBRs in
/// all (weights, bias, input buffers, readout), as this estimate says.
pub fn ebr_blocks(width: u32, depth: usize) -> u64 {
    [(16u32, 256u64), (8, 512), (4, 1024), (2, 2048)]
        .iter()
        .map(|&(w, d)| u64::from(width.div_ceil(w)) * (depth as u64).div_ceil(d))
        .min()
        .expect("four aspects")
}

/// What the folded engine is expected to cost before any tool runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldedEstimate {
    /// iCE40 logic cells, or Xilinx LUTs.
    pub logic_cells: u64,
    pub brams: u64,
    pub sprams: u64,
    pub fits: bool,
}

/// The estimate of the folded engine on `target`. A linear model fitted to
/// place and route of the digits 64-32-10 TMN engine on the UP5K (P = 8:
/// 1,651 logic cells; P = 16: 2,172): a fixed part for control and the
/// output side, six cells per state bit of each layer's unit, and per lane
/// two accumulator-wide registers (accumulator and waiting current), the
/// membrane register and a few control cells. Xilinx LUT6 need about 0.7 of
/// that. Block RAMs: each memory in the fewest iCE40 EBRs of one aspect
/// (256 x 16, 512 x 8, 1024 x 4 or 2048 x 2, [`ebr_blocks`]; other
/// families in 256 x 16 blocks), SPRAM 16K x 16 for weights without
/// contents on the UP5K. It ranks designs; synthesis decides.
pub fn estimate(plan: &FoldedPlan, target: Target) -> FoldedEstimate {
    let p = plan.p as u64;
    let units: u64 = plan
        .layers
        .iter()
        .map(|l| 6 * u64::from(l.state_bits))
        .sum();
    let lanes = p * (2 * u64::from(plan.acc_bits) + u64::from(plan.state_bits) + 8);
    let ice40 = 900 + units + lanes;
    let logic_cells = match target.family() {
        Family::Ice40 => ice40,
        _ => ice40 * 7 / 10,
    };
    let family = target.family();
    let blocks = |w: u32, d: usize| match family {
        Family::Ice40 => ebr_blocks(w, d),
        _ => u64::from(w.div_ceil(16)) * (d as u64).div_ceil(256),
    };
    let weights_in_spram =
        plan.store == rtl_gen::folded::plan::WeightStore::Loaded && target == Target::Ice40Up5k;
    let mut brams = blocks(plan.weight_bits, plan.bias_depth)
        + 2 * blocks(2 * plan.p as u32, plan.buffer_depth[0])
        + blocks(
            plan.readout_bits,
            plan.layers.last().map_or(1, |l| l.outputs),
        );
    let mut sprams = 0;
    if weights_in_spram {
        sprams = u64::from(plan.weight_word_bits().div_ceil(16))
            * (plan.weight_depth as u64).div_ceil(16384);
    } else {
        brams += blocks(plan.weight_word_bits(), plan.weight_depth);
    }
    let fits = match target.part() {
        Some(part) => {
            let cap = |r: &str| {
                part.capacities
                    .iter()
                    .find(|c| c.resource == r)
                    .map_or(u64::MAX, |c| c.available)
            };
            let lc_name = if target.family() == Family::Ice40 {
                "logic cells"
            } else {
                "LUTs"
            };
            let spram_cap = if target == Target::Ice40Up5k { 4 } else { 0 };
            logic_cells <= cap(lc_name) && brams <= cap("block RAMs") && sprams <= spram_cap
        }
        None => true,
    };
    FoldedEstimate {
        logic_cells,
        brams,
        sprams,
        fits,
    }
}

#[cfg(test)]
mod tests {
    use super::ebr_blocks;

    #[test]
    fn a_memory_takes_the_fewest_ebrs_of_one_aspect() {
        // Deep and narrow: 2048 x 2, three wide and five deep.
        assert_eq!(ebr_blocks(6, 9472), 15);
        // 12 x 4736: 1024 x 4, three wide and five deep.
        assert_eq!(ebr_blocks(12, 4736), 15);
        // Wide and shallow: 256 x 16 (the digits weights at P = 8 and 2).
        assert_eq!(ebr_blocks(64, 320), 8);
        assert_eq!(ebr_blocks(16, 1184), 5);
        // Anything up to 4 kbit that fits one aspect is one block.
        assert_eq!(ebr_blocks(2, 1024), 1);
        assert_eq!(ebr_blocks(19, 10), 2);
        assert_eq!(ebr_blocks(1, 1), 1);
    }
}
