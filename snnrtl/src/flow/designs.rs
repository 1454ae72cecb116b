//! The flow's hardware designs (`hardware.architecture`): the unrolled
//! network and the folded engine at each P of `hardware.parallelism_sweep`,
//! each measured (co-simulation for cycles per image; Yosys, and nextpnr on
//! iCE40, for cost and Fmax) or, without synthesis, estimated; then, per
//! target, the fastest design that fits is chosen.

use anyhow::{Context, Result};
use convert::dataset::Dataset;
use convert::encode::Encoder;
use convert::flow_config::{Architecture, FlowConfig};
use golden_model::{LaneVec, NetworkConfig};
use rtl_gen::folded::plan::{self, FoldedPlan};
use serde::Serialize;
use std::path::Path;
use synth::network::NetworkReport;
use synth::Target;

/// One design built for one target (`report.json` `hardware.designs`).
#[derive(Debug, Clone, Serialize)]
pub struct DesignRow {
    pub architecture: String,
    /// The folded engine's P (`None`: unrolled).
    pub parallelism: Option<usize>,
    pub target: String,
    pub fits: bool,
    /// iCE40 logic cells (after place and route when `measured`), Xilinx
    /// LUTs.
    pub logic_cells: Option<u64>,
    pub brams: Option<u64>,
    pub sprams: Option<u64>,
    /// Median over seeds; for the unrolled network and without place and
    /// route, the search's per-target estimate.
    pub fmax_mhz: Option<f64>,
    pub cycles_per_image_mean: f64,
    pub cycles_per_image_max: u64,
    pub us_per_image: Option<f64>,
    pub images_per_second: Option<f64>,
    pub chosen: bool,
    /// How each figure was obtained.
    pub basis: String,
}

/// The choice for one target.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub target: String,
    /// `unrolled` or `folded P=8`; `none` when nothing fits.
    pub design: String,
    pub reason: String,
}

/// A folded design's measured cycles (all test images, bit-exact).
#[derive(Debug, Clone, Serialize)]
pub struct FoldedRun {
    pub parallelism: usize,
    pub images: usize,
    pub verdict: String,
    pub cycles_mean: f64,
    pub cycles_max: u64,
    pub build_seconds: f64,
    pub run_seconds: f64,
}

/// Everything the designs stage found.
#[derive(Debug, Clone, Serialize)]
pub struct Designs {
    pub architecture: String,
    pub rows: Vec<DesignRow>,
    pub choices: Vec<Choice>,
    pub folded_runs: Vec<FoldedRun>,
    pub errors: Vec<String>,
}

/// The P values built: the sweep and `hardware.parallelism`, sorted.
pub fn parallelisms(fc: &FlowConfig) -> Vec<usize> {
    let mut v = fc.parallelism_sweep.clone();
    v.extend(fc.parallelism);
    v.sort_unstable();
    v.dedup();
    v
}

/// One folded engine built with Verilator and run on samples.
pub struct FoldedCosim {
    pub outcome: cosim::run::Outcome,
    pub stats: Option<cosim::folded::FoldedStats>,
    pub build_seconds: f64,
    /// False when the library came from the cache.
    pub built_now: bool,
    pub run_seconds: f64,
}

/// Builds the folded engine for `plan` and co-simulates `samples` on it
/// (`stall`: random input gaps and output back-pressure), timing both.
pub fn cosim_folded(
    net: &NetworkConfig,
    plan: &FoldedPlan,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Result<FoldedCosim> {
    let b0 = std::time::Instant::now();
    let builder = cosim::verilator::Builder::new()?;
    let lib = cosim::folded::build_folded_with(&builder, net, plan, false)
        .context("cosim: building the folded engine")?;
    let build_seconds = b0.elapsed().as_secs_f64();
    let r0 = std::time::Instant::now();
    let (outcome, stats) = cosim::folded::cosim_folded_lib(&lib, net, plan, samples, stall, seed)
        .context("cosim: running the folded engine")?;
    Ok(FoldedCosim {
        outcome,
        stats,
        build_seconds,
        built_now: lib.built_now,
        run_seconds: r0.elapsed().as_secs_f64(),
    })
}

/// Co-simulates the folded engine with parallelism `p` on `samples`
/// (Verilator, no stalls: the cycles are the engine's own).
pub fn run_folded(net: &NetworkConfig, p: usize, samples: &[Vec<LaneVec>]) -> Result<FoldedRun> {
    let plan = FoldedPlan::new(net, p, None);
    let c = cosim_folded(net, &plan, samples, false, 1)?;
    let (verdict, mean, max) = match (&c.outcome, c.stats) {
        (cosim::run::Outcome::Match { .. }, Some(s)) => {
            ("bit-exact".to_string(), s.mean(), s.max())
        }
        (cosim::run::Outcome::Diverged(d), _) => (format!("diverged: {d}"), 0.0, 0),
        _ => ("not run".to_string(), 0.0, 0),
    };
    Ok(FoldedRun {
        parallelism: p,
        images: samples.len(),
        verdict,
        cycles_mean: mean,
        cycles_max: max,
        build_seconds: c.build_seconds,
        run_seconds: c.run_seconds,
    })
}

fn rate(cycles: f64, fmax: Option<f64>) -> (Option<f64>, Option<f64>) {
    match fmax {
        Some(f) if f > 0.0 && cycles > 0.0 => (Some(cycles / f), Some(f * 1e6 / cycles)),
        _ => (None, None),
    }
}

/// The designs stage. `unrolled` holds the unrolled network's Yosys reports
/// (empty when it was not synthesized); `synth_on` runs Yosys and nextpnr
/// on the folded designs.
#[allow(clippy::too_many_arguments)]
pub fn designs_stage(
    fc: &FlowConfig,
    net: &NetworkConfig,
    enc: Encoder,
    ds: &Dataset,
    test: &[usize],
    targets: &[Target],
    unrolled: &[NetworkReport],
    synth_on: bool,
    out: &Path,
) -> Result<Designs> {
    let mut rows = vec![];
    let mut errors = vec![];
    let mut runs = vec![];
    let t = net.timesteps();
    // The unrolled network, per target.
    for &target in targets {
        let est = snn_search::hardware::cost(net, target);
        let measured = unrolled.iter().find(|r| r.target == target.name());
        let (cells, fits, basis) = match measured {
            Some(r) => (
                Some(if target.family() == synth::target::Family::Ice40 {
                    r.cells.luts.max(r.cells.ffs).max(r.cells.carries)
                } else {
                    r.cells.luts + r.cells.lut_mem
                }),
                r.fit.verdict != synth::Verdict::DoesNotFit,
                "cost: Yosys cell counts (no place and route); cycles: sample latency; Fmax: the search's per-target estimate".to_string(),
            ),
            None => (
                Some(est.logic_cells),
                est.fits,
                "cost: estimate (synth::estimate); cycles: sample latency; Fmax: the search's per-target estimate".to_string(),
            ),
        };
        let fmax = snn_search::hardware::fmax_mhz(target);
        let cycles = rtl_gen::network::sample_latency(net) as f64;
        let (us, ips) = rate(cycles, fmax);
        rows.push(DesignRow {
            architecture: "unrolled".into(),
            parallelism: None,
            target: target.name().into(),
            fits,
            logic_cells: cells,
            brams: measured.map(|r| r.cells.brams),
            sprams: None,
            fmax_mhz: fmax,
            cycles_per_image_mean: cycles,
            cycles_per_image_max: cycles as u64,
            us_per_image: us,
            images_per_second: ips,
            chosen: false,
            basis,
        });
    }
    if fc.architecture != Architecture::Unrolled {
        let samples: Vec<Vec<LaneVec>> = test
            .iter()
            .map(|&i| enc.lanes(&ds.images[i], ds.max_value, t, i))
            .collect();
        let seeds = synth::pnr::seeds(1, 3)?;
        let tools = if synth_on {
            Some(synth::find_tools(targets.iter().any(|t| t.can_pnr()))?)
        } else {
            None
        };
        for p in parallelisms(fc) {
            super::say(&format!(
                "folded P={p}: co-simulating {} test images",
                samples.len()
            ));
            let run = run_folded(net, p, &samples)?;
            if run.verdict != "bit-exact" {
                errors.push(format!("folded P={p}: {}", run.verdict));
            }
            let plan = FoldedPlan::new(net, p, None);
            for &target in targets {
                let est = synth::folded::estimate(&plan, target);
                let mut row = DesignRow {
                    architecture: "folded".into(),
                    parallelism: Some(p),
                    target: target.name().into(),
                    fits: est.fits,
                    logic_cells: Some(est.logic_cells),
                    brams: Some(est.brams),
                    sprams: Some(est.sprams),
                    // Until place and route measures it: the folded
                    // engine's table (the median of the measured P).
                    fmax_mhz: snn_search::hardware::folded_fmax_mhz(target),
                    cycles_per_image_mean: run.cycles_mean,
                    cycles_per_image_max: run.cycles_max,
                    us_per_image: None,
                    images_per_second: None,
                    chosen: false,
                    basis: format!(
                        "cycles: Verilator co-simulation of {} test images; cost: synth::folded::estimate; Fmax: the search's folded-engine estimate",
                        run.images
                    ),
                };
                if let Some(tools) = &tools {
                    super::say(&format!("folded P={p}: synthesizing for {}", target.name()));
                    let dir = out
                        .join("synth")
                        .join(format!("folded-p{p}-{}", target.name()));
                    match synth::folded::synthesize_folded(net, &plan, target, tools, &dir, &seeds)
                    {
                        Ok(r) => {
                            row.fits = r.fits;
                            row.logic_cells =
                                r.logic_cells.or(Some(r.cells.luts + r.cells.lut_mem));
                            row.brams = Some(r.brams);
                            row.sprams = Some(r.sprams);
                            if r.fmax_mhz.is_some() {
                                row.fmax_mhz = r.fmax_mhz;
                            }
                            row.basis = format!(
                                "cycles: Verilator co-simulation of {} test images; cost: {}; Fmax: {}",
                                run.images,
                                if r.logic_cells.is_some() {
                                    "nextpnr placement (engine only, out-of-context wrapper subtracted)"
                                } else {
                                    "Yosys cell counts"
                                },
                                if r.fmax_mhz.is_some() {
                                    "nextpnr, median of 3 seeds"
                                } else {
                                    "the search's folded-engine estimate"
                                }
                            );
                            if !r.fits && !r.message.is_empty() {
                                row.basis += &format!("; {}", r.message);
                            }
                        }
                        Err(e) => errors.push(format!("folded P={p} {}: {e}", target.name())),
                    }
                }
                let (us, ips) = rate(row.cycles_per_image_mean, row.fmax_mhz);
                row.us_per_image = us;
                row.images_per_second = ips;
                rows.push(row);
            }
            runs.push(run);
        }
    }
    // The choice: per target, the fastest fitting design the architecture allows.
    let mut choices = vec![];
    for &target in targets {
        let best = choose(&rows, target.name(), fc.architecture, fc.parallelism);
        let allowed = |r: &DesignRow| allowed(r, fc.architecture, fc.parallelism);
        let considered = rows
            .iter()
            .filter(|r| r.target == target.name() && allowed(r))
            .count();
        match best {
            Some(i) => {
                rows[i].chosen = true;
                let r = &rows[i];
                choices.push(Choice {
                    target: target.name().into(),
                    design: name(r),
                    reason: format!(
                        "the fastest of the {considered} designs considered ({}) that fits: {}, {} logic cells{}",
                        fc.architecture.name(),
                        r.us_per_image.map_or(
                            format!(
                                "{:.0} cycles per image (no Fmax for this target: ranked by cycles)",
                                r.cycles_per_image_mean
                            ),
                            |u| format!("{u:.1} µs per image")
                        ),
                        r.logic_cells.map_or("?".into(), |c| c.to_string()),
                        if synth_on { "" } else { " (estimated: run with synthesis to confirm)" }
                    ),
                });
            }
            None => choices.push(Choice {
                target: target.name().into(),
                design: "none".into(),
                reason: format!("none of the {considered} designs considered fits"),
            }),
        }
    }
    Ok(Designs {
        architecture: fc.architecture.name().into(),
        rows,
        choices,
        folded_runs: runs,
        errors,
    })
}

/// Whether `architecture` (with `hardware.parallelism`) lets the flow
/// choose `r`.
fn allowed(r: &DesignRow, architecture: Architecture, parallelism: Option<usize>) -> bool {
    match architecture {
        Architecture::Unrolled => r.architecture == "unrolled",
        Architecture::Folded => {
            r.architecture == "folded" && parallelism.is_none_or(|p| r.parallelism == Some(p))
        }
        Architecture::Auto => true,
    }
}

/// The index of the fastest design for `target` that fits and is allowed;
/// ties go to fewer logic cells.
pub fn choose(
    rows: &[DesignRow],
    target: &str,
    architecture: Architecture,
    parallelism: Option<usize>,
) -> Option<usize> {
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.target == target && r.fits && allowed(r, architecture, parallelism))
        .min_by(|(_, a), (_, b)| {
            speed(a)
                .total_cmp(&speed(b))
                .then(a.logic_cells.cmp(&b.logic_cells))
        })
        .map(|(i, _)| i)
}

/// What "fastest" ranks by: µs per image when the target has an Fmax,
/// else cycles per image (the same clock for every design of the target).
pub fn speed(r: &DesignRow) -> f64 {
    match r.fmax_mhz {
        Some(_) => r.us_per_image.unwrap_or(f64::INFINITY),
        None => r.cycles_per_image_mean,
    }
}

/// `unrolled` or `folded P=8`.
pub fn name(r: &DesignRow) -> String {
    match r.parallelism {
        Some(p) => format!("folded P={p}"),
        None => "unrolled".into(),
    }
}

/// The folded P chosen for the first target that chose a folded design.
pub fn chosen_folded(d: &Designs) -> Option<usize> {
    d.rows
        .iter()
        .find(|r| r.chosen && r.parallelism.is_some())
        .and_then(|r| r.parallelism)
}

/// Checks `hardware.parallelism` and the sweep against the network.
pub fn check(fc: &FlowConfig, net: &NetworkConfig) -> Result<()> {
    if fc.architecture == Architecture::Unrolled {
        return Ok(());
    }
    for p in parallelisms(fc) {
        plan::check(net, p, "hardware")
            .map_err(|e| anyhow::anyhow!("{}: {e}", fc.path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(p: Option<usize>, fits: bool, cycles: f64, fmax: Option<f64>, cells: u64) -> DesignRow {
        DesignRow {
            architecture: if p.is_some() { "folded" } else { "unrolled" }.into(),
            parallelism: p,
            target: "t".into(),
            fits,
            logic_cells: Some(cells),
            brams: None,
            sprams: None,
            fmax_mhz: fmax,
            cycles_per_image_mean: cycles,
            cycles_per_image_max: cycles as u64,
            us_per_image: fmax.map(|f| cycles / f),
            images_per_second: None,
            chosen: false,
            basis: String::new(),
        }
    }

    #[test]
    fn the_fastest_design_that_fits_and_is_allowed() {
        let rows = vec![
            row(None, false, 146.0, Some(41.3), 76_000),
            row(Some(8), true, 676.0, Some(40.7), 1651),
            row(Some(16), true, 381.0, Some(36.4), 2172),
            row(Some(32), false, 300.0, Some(35.0), 6000),
        ];
        // The unrolled design is fastest but does not fit; P = 32 neither.
        assert_eq!(choose(&rows, "t", Architecture::Auto, None), Some(2));
        assert_eq!(choose(&rows, "t", Architecture::Folded, Some(8)), Some(1));
        assert_eq!(choose(&rows, "t", Architecture::Unrolled, None), None);
        assert_eq!(choose(&rows, "other", Architecture::Auto, None), None);
        // Without an Fmax the cycles rank.
        let slow = vec![
            row(Some(2), true, 3000.0, None, 700),
            row(Some(4), true, 1200.0, None, 900),
        ];
        assert_eq!(choose(&slow, "t", Architecture::Auto, None), Some(1));
    }
}
