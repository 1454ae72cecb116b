//! Place and route of the wrapped core with nextpnr-ice40: pack once (the
//! exact logic-cell count decides the fit, from the JSON), then place and
//! route what fits on every seed (`--seed S --seeds N`: seeds S..S+N-1), in
//! parallel with at most one nextpnr per core across the process. Fmax is
//! reported as the min, median and max over seeds; the median is the Fmax
//! every table and JSON field uses. The clock, utilisation and critical
//! path shown are those of the median run (for an even count, the lower of
//! the two middle runs).

use golden_model::LayerConfig;
use snn_tools::Found;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Condvar, Mutex, OnceLock};

use crate::error::{Result, SynthError};
use crate::flow::{Options, Top};
use crate::group::Group;
use crate::nextpnr::{self, Stage};
use crate::outcome::{PnrStatus, Verdict};
use crate::report::{Fit, FitLine, PathSummary, Pnr, SeedFmax, Usage};
use crate::yosys;

/// Accepted `--seeds` range.
pub const SEEDS_RANGE: (u32, u32) = (1, 16);
/// Seeds placed and routed unless `--seeds` says otherwise.
pub const DEFAULT_SEEDS: u32 = 3;
/// The largest placer seed (`--seed`).
pub const MAX_SEED: u64 = (1 << 31) - 1;

/// The seeds of a run: `first..first + count`, checked; one-line errors.
pub fn seeds(first: u64, count: u32) -> Result<Vec<u64>> {
    if !(SEEDS_RANGE.0..=SEEDS_RANGE.1).contains(&count) {
        return Err(SynthError::BadOption {
            option: "--seeds",
            problem: format!("{count} is not in {}..={}", SEEDS_RANGE.0, SEEDS_RANGE.1),
        });
    }
    let last = first + u64::from(count) - 1;
    if last > MAX_SEED {
        return Err(SynthError::BadOption {
            option: "--seeds",
            problem: format!("seeds {first}..={last} go past the largest seed {MAX_SEED}"),
        });
    }
    Ok((first..=last).collect())
}

/// Min, median and max of a set of Fmax figures, MHz.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub min: f64,
    /// The middle value; for an even count the mean of the two middle ones.
    pub median: f64,
    pub max: f64,
}

/// The spread of `values` (`None` when empty).
pub fn spread(values: &[f64]) -> Option<Spread> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = match n {
        0 => return None,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    Some(Spread {
        min: v[0],
        median,
        max: v[n - 1],
    })
}

/// Giga synaptic operations per second: one per PE per cycle,
/// `rows x cols x Fmax(MHz) / 1000`.
pub fn gsop_per_s(rows: usize, cols: usize, fmax_mhz: f64) -> f64 {
    (rows * cols) as f64 * fmax_mhz / 1000.0
}

/// At most one nextpnr per core at a time, across every thread of the
/// process (a sweep's grid points each route several seeds).
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

struct Slot(&'static Slots);

impl Slots {
    fn global() -> &'static Slots {
        static SLOTS: OnceLock<Slots> = OnceLock::new();
        SLOTS.get_or_init(|| Slots {
            free: Mutex::new(
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1),
            ),
            freed: Condvar::new(),
        })
    }

    fn take(&'static self) -> Slot {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

/// The fit lines of a nextpnr report's utilisation.
fn fit_lines(r: &nextpnr::Report) -> Vec<FitLine> {
    let mut lines = vec![];
    for (bel, name) in [
        ("ICESTORM_LC", "logic cells"),
        ("ICESTORM_RAM", "block RAMs"),
        ("ICESTORM_DSP", "DSPs"),
        ("SB_IO", "I/O"),
    ] {
        if let Some(u) = r.utilization.get(bel) {
            lines.push(FitLine {
                resource: name.into(),
                used: u.used,
                used_max: None,
                available: u.available,
            });
        }
    }
    lines
}

fn read_report(dir: &Path, stage: Stage) -> Result<nextpnr::Report> {
    let path = dir.join(stage.files().0);
    let text =
        std::fs::read_to_string(&path).map_err(SynthError::io(&path, "nextpnr wrote no report"))?;
    nextpnr::parse_report(&text)
}

/// A failed nextpnr run: its error and where its log is.
fn failure(e: &SynthError, dir: &Path, stage: Stage) -> String {
    format!("{e} (log: {})", dir.join(stage.files().1).display())
}

/// One seed's place and route: `Ok(Err(message))` when nextpnr failed.
fn route(
    np: &Found,
    dir: &Path,
    pcf: &str,
    opts: &Options,
    seed: u64,
) -> Result<Result<nextpnr::Report, String>> {
    let stage = Stage::Route { seed };
    let args = nextpnr::args(opts.target, yosys::NETLIST_FILE, pcf, stage)
        .ok_or_else(|| SynthError::Internal("no nextpnr device".into()))?;
    let _slot = Slots::global().take();
    if let Err(e) = nextpnr::run(np, dir, &args, stage) {
        return Ok(Err(failure(&e, dir, stage)));
    }
    read_report(dir, stage).map(Ok)
}

/// Routes every seed in parallel; results in seed order.
pub(crate) fn route_all(
    np: &Found,
    dir: &Path,
    pcf: &str,
    opts: &Options,
    seeds: &[u64],
) -> Result<Vec<Result<nextpnr::Report, String>>> {
    std::thread::scope(|s| {
        let runs: Vec<_> = seeds
            .iter()
            .map(|&seed| s.spawn(move || route(np, dir, pcf, opts, seed)))
            .collect();
        runs.into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(SynthError::Internal("a nextpnr thread panicked".into()))
                })
            })
            .collect()
    })
}

/// Packs, then places and routes what fits on every seed of `opts`.
pub(crate) fn place_and_route(
    np: &Found,
    dir: &Path,
    pcf: &str,
    cfg: &LayerConfig,
    opts: &Options,
    fit: &mut Fit,
) -> Result<Pnr> {
    let seeds = seeds(opts.seed, opts.seeds)?;
    let (device, package) = opts
        .target
        .nextpnr_device()
        .ok_or_else(|| SynthError::Internal("no nextpnr device".into()))?;
    let mut pnr = Pnr {
        status: PnrStatus::Skipped,
        message: String::new(),
        device: device.trim_start_matches("--").into(),
        package: package.into(),
        seed: seeds[0],
        seeds: seeds.clone(),
        freq_target_mhz: opts.freq_mhz,
        clock: None,
        fmax_mhz: None,
        fmax_mhz_min: None,
        fmax_mhz_median: None,
        fmax_mhz_max: None,
        fmax_mhz_by_seed: vec![],
        gsop_per_s: None,
        meets_target: None,
        utilization: BTreeMap::new(),
        critical_path: None,
    };
    if fit.verdict == Verdict::DoesNotFit {
        pnr.message = fit.message.clone();
        return Ok(pnr);
    }
    let pack_args = nextpnr::args(opts.target, yosys::NETLIST_FILE, pcf, Stage::Pack)
        .ok_or_else(|| SynthError::Internal("no nextpnr device".into()))?;
    if let Err(e) = nextpnr::run(np, dir, &pack_args, Stage::Pack) {
        pnr.status = PnrStatus::Failed;
        pnr.message = failure(&e, dir, Stage::Pack);
        return Ok(pnr);
    }
    let packed = read_report(dir, Stage::Pack)?;
    let over: Vec<String> = fit_lines(&packed)
        .iter()
        .filter(|l| l.used > l.available)
        .map(|l| {
            format!(
                "{}: {} after packing, {} available",
                l.resource, l.used, l.available
            )
        })
        .collect();
    if !over.is_empty() {
        let name = fit.part.split(' ').next().unwrap_or("").to_string();
        *fit = Fit {
            verdict: Verdict::DoesNotFit,
            basis: "nextpnr packing".into(),
            part: fit.part.clone(),
            lines: fit_lines(&packed),
            message: format!(
                "does not fit the {name}: {} (the out-of-context wrapper included)",
                over.join("; ")
            ),
        };
        pnr.message = fit.message.clone();
        return Ok(pnr);
    }

    let runs = route_all(np, dir, pcf, opts, &seeds)?;
    let mut routed = vec![];
    for (&seed, run) in seeds.iter().zip(runs) {
        match run {
            Ok(r) => routed.push((seed, r)),
            Err(message) => {
                pnr.status = PnrStatus::Failed;
                pnr.seed = seed;
                pnr.message = format!("seed {seed}: {message}");
                return Ok(pnr);
            }
        }
    }
    pnr.status = PnrStatus::Routed;
    let fmax = |r: &nextpnr::Report| r.worst_clock().map(|(_, f)| f.achieved);
    pnr.fmax_mhz_by_seed = routed
        .iter()
        .map(|(seed, r)| SeedFmax {
            seed: *seed,
            fmax_mhz: fmax(r),
        })
        .collect();
    // The median run: the middle one by Fmax (runs without a timed clock last).
    let mut order: Vec<usize> = (0..routed.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| fmax(&routed[i].1).unwrap_or(f64::INFINITY);
        key(a).total_cmp(&key(b))
    });
    let (seed, shown) = &routed[order[(order.len() - 1) / 2]];
    pnr.seed = *seed;
    pnr.utilization = shown
        .utilization
        .iter()
        .map(|(k, u)| {
            (
                k.clone(),
                Usage {
                    used: u.used,
                    available: u.available,
                },
            )
        })
        .collect();
    let timed: Vec<f64> = routed.iter().filter_map(|(_, r)| fmax(r)).collect();
    match (spread(&timed), shown.worst_clock()) {
        (Some(sp), Some((clk, _))) if timed.len() == routed.len() => {
            pnr.clock = Some(clk.clone());
            pnr.fmax_mhz = Some(sp.median);
            pnr.fmax_mhz_min = Some(sp.min);
            pnr.fmax_mhz_median = Some(sp.median);
            pnr.fmax_mhz_max = Some(sp.max);
            // An elm core takes one vector per many cycles: no per-cycle rate.
            if !matches!(cfg.neuron, golden_model::Neuron::Elm(_)) {
                pnr.gsop_per_s = Some(gsop_per_s(cfg.inputs, cfg.outputs, sp.median));
            }
            pnr.meets_target = Some(sp.median >= opts.freq_mhz);
        }
        _ => pnr.message = "nextpnr timed no clock".into(),
    }
    if let Some(p) = shown.reg_to_reg_path() {
        pnr.critical_path = Some(summarize_path(p, opts.top));
    }
    // The exact fit: what nextpnr placed (wrapper included).
    *fit = Fit {
        verdict: Verdict::Fits,
        basis: "nextpnr placement".into(),
        part: fit.part.clone(),
        lines: fit_lines(shown),
        message: "placed and routed; counts include the out-of-context wrapper".into(),
    };
    Ok(pnr)
}

fn summarize_path(p: &nextpnr::CriticalPath, top: Top) -> PathSummary {
    let start = p
        .path
        .first()
        .map(|e| {
            if e.kind == "clk-to-q" {
                e.to_cell.clone()
            } else {
                e.from_cell.clone()
            }
        })
        .unwrap_or_default();
    let end = p.path.last().map(|e| e.to_cell.clone()).unwrap_or_default();
    let mut by = BTreeMap::new();
    let mut levels = 0;
    for e in p.path.iter().filter(|e| e.kind == "logic") {
        levels += 1;
        *by.entry(Group::of_path(&e.to_cell, top)).or_insert(0) += 1;
    }
    PathSummary {
        start_group: Group::of_path(&start, top),
        end_group: Group::of_path(&end, top),
        start,
        end,
        delay_ns: p.path.iter().map(|e| e.delay).sum(),
        logic_levels: levels,
        logic_by_group: by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_is_min_median_max() {
        let s = spread(&[50.0, 40.0, 45.0]).unwrap();
        assert_eq!((s.min, s.median, s.max), (40.0, 45.0, 50.0));
        let s = spread(&[40.0, 50.0, 44.0, 46.0]).unwrap();
        assert_eq!((s.min, s.median, s.max), (40.0, 45.0, 50.0));
        let s = spread(&[42.5]).unwrap();
        assert_eq!((s.min, s.median, s.max), (42.5, 42.5, 42.5));
        assert!(spread(&[]).is_none());
    }

    #[test]
    fn seeds_count_from_the_first_within_range() {
        assert_eq!(seeds(1, 3).unwrap(), vec![1, 2, 3]);
        assert_eq!(seeds(7, 1).unwrap(), vec![7]);
        assert_eq!(seeds(1, 16).unwrap().len(), 16);
        assert_eq!(
            seeds(1, 0).unwrap_err().to_string(),
            "--seeds: 0 is not in 1..=16"
        );
        assert_eq!(
            seeds(1, 17).unwrap_err().to_string(),
            "--seeds: 17 is not in 1..=16"
        );
        assert_eq!(
            seeds(MAX_SEED, 2).unwrap_err().to_string(),
            "--seeds: seeds 2147483647..=2147483648 go past the largest seed 2147483647"
        );
    }

    #[test]
    fn gsops_are_pes_times_fmax() {
        assert_eq!(gsop_per_s(8, 8, 50.0), 3.2);
        assert_eq!(gsop_per_s(16, 4, 125.0), 8.0);
    }
}
