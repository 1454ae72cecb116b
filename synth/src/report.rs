//! The synthesis report: JSON (`format_version` [`FORMAT_VERSION`]) and a
//! table a person reads.

use crate::cells::Cells;
use crate::group::Group;
use crate::outcome::{PnrStatus, Verdict};
use crate::target::Family;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Version of the report JSON. Bump on any change of meaning or shape.
///
/// 2: place and route runs on several seeds; `pnr.fmax_mhz` is their
/// median, `pnr.seed` the seed of the run whose details are shown; added
/// `pnr.seeds`, `fmax_mhz_min`, `fmax_mhz_median`, `fmax_mhz_max`,
/// `fmax_mhz_by_seed` and `gsop_per_s`.
pub const FORMAT_VERSION: u32 = 2;

/// The layer that was synthesized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSummary {
    pub kind: String,
    pub inputs: usize,
    pub outputs: usize,
    pub timesteps: usize,
    pub weight_bits: u32,
    /// `A`: partial sums and column currents.
    pub synaptic_bits: u32,
    pub state_bits: u32,
    pub config_sha256_16: String,
}

/// A tool as found and run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolVersion {
    pub tool: String,
    pub path: String,
    pub version: String,
}

/// The out-of-context wrapper used for place and route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapperInfo {
    pub module: String,
    pub input_bits: u32,
    pub output_bits: u32,
    /// The wrapper's own cells (not in the design's counts; in nextpnr's).
    pub cells: Cells,
}

/// How the numbers were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// How the hierarchy was treated and what the cells are.
    pub hierarchy: String,
    pub yosys_script: String,
    pub constraints_file: String,
    pub constraints_text: String,
    pub nextpnr_args: Option<Vec<String>>,
    pub wrapper: Option<WrapperInfo>,
}

/// An estimate from `crate::estimate` beside the measured count (totals
/// over all instances). Gaps are `(measured - estimate) / estimate`, percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateCmp {
    pub model: String,
    pub luts: u64,
    pub ffs: u64,
    pub lut_mem: u64,
    pub dsps: u64,
    pub luts_gap_pct: Option<f64>,
    pub ffs_gap_pct: Option<f64>,
}

/// One module of the hierarchy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleRow {
    pub module: String,
    /// `pe`, `array`, `neuron`, `control`.
    pub group: Group,
    pub instances: u64,
    /// Cells of one instance, submodules excluded.
    pub each: Cells,
    /// `each * instances`.
    pub total: Cells,
    pub estimate: Option<EstimateCmp>,
}

/// The efficiency target: the PE array's LUTs against one LUT per
/// accumulator bit per PE plus the 2-bit lane pass-through.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Efficiency {
    pub pes: u64,
    /// `A`, the accumulator (partial-sum) width of every PE.
    pub accumulator_bits: u64,
    /// `pes * (A + 2)`.
    pub floor_luts: u64,
    /// All PEs' LUTs.
    pub pe_luts: u64,
    /// The array's own LUTs (weight write-enable decode).
    pub array_own_luts: u64,
    /// `pe_luts + array_own_luts`.
    pub array_luts: u64,
    /// `array_luts / floor_luts`.
    pub ratio: f64,
    /// `pe_luts / floor_luts`.
    pub pe_only_ratio: f64,
    pub target_ratio: f64,
    /// Whether `ratio <= target_ratio`; `None` where the target does not
    /// apply (it is defined for iCE40).
    pub meets: Option<bool>,
    /// LUTs the PEs spend beyond one per accumulator bit.
    pub pe_luts_beyond_sum_bits: u64,
    /// Where the cells beyond the floor go, in words.
    pub explanation: String,
}

/// One resource of the fit check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FitLine {
    pub resource: String,
    /// Used (lower bound when `used_max` is set).
    pub used: u64,
    /// Upper bound when only a range is known before place and route.
    pub used_max: Option<u64>,
    pub available: u64,
}

/// Does the design fit the part?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// `fits`, `does not fit`, `may not fit` or `no part`.
    pub verdict: Verdict,
    /// `nextpnr placement` or `Yosys cell counts`.
    pub basis: String,
    pub part: String,
    pub lines: Vec<FitLine>,
    pub message: String,
}

/// The critical path, summarised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathSummary {
    pub start: String,
    pub start_group: Group,
    pub end: String,
    pub end_group: Group,
    pub delay_ns: f64,
    /// Logic elements (LUTs, carries) on the path.
    pub logic_levels: usize,
    /// Logic elements per group (by the hierarchy of the cell names).
    pub logic_by_group: BTreeMap<Group, usize>,
}

/// Used and available count of one bel type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub used: u64,
    pub available: u64,
}

/// Fmax of one seed's run, MHz (`None` when nextpnr timed no clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SeedFmax {
    pub seed: u64,
    pub fmax_mhz: Option<f64>,
}

/// Place and route results over seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pnr {
    /// `routed`, `failed` or `skipped`.
    pub status: PnrStatus,
    pub message: String,
    pub device: String,
    pub package: String,
    /// The seed of the run whose clock, utilisation and critical path are
    /// shown: the median run (the failed one when `status` is `failed`).
    pub seed: u64,
    /// Every seed placed and routed.
    pub seeds: Vec<u64>,
    pub freq_target_mhz: f64,
    pub clock: Option<String>,
    /// The median Fmax over seeds (the same as `fmax_mhz_median`).
    pub fmax_mhz: Option<f64>,
    pub fmax_mhz_min: Option<f64>,
    pub fmax_mhz_median: Option<f64>,
    pub fmax_mhz_max: Option<f64>,
    pub fmax_mhz_by_seed: Vec<SeedFmax>,
    /// Giga synaptic operations per second at the median Fmax: one per PE
    /// per cycle, `inputs x outputs x Fmax(MHz) / 1000`.
    pub gsop_per_s: Option<f64>,
    /// Whether the median Fmax meets `freq_target_mhz`.
    pub meets_target: Option<bool>,
    pub utilization: BTreeMap<String, Usage>,
    pub critical_path: Option<PathSummary>,
}

/// Transistor estimate of `stat -tech cmos` (generic target).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transistors {
    pub estimate: u64,
    /// Yosys marks the number `+` when some cells have no estimate.
    pub lower_bound: bool,
}

/// The synthesis report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub format_version: u32,
    pub generator: String,
    pub target: String,
    pub family: Family,
    /// The module synthesized and counted (`snn_core`, or `snn_array` alone).
    pub top: String,
    pub layer: LayerSummary,
    pub tools: Vec<ToolVersion>,
    pub flow: Flow,
    /// Totals of the `top` hierarchy.
    pub cells: Cells,
    pub cells_by_type: BTreeMap<String, u64>,
    pub transistors: Option<Transistors>,
    pub modules: Vec<ModuleRow>,
    /// Totals per group: `pe`, `array`, `neuron`, `control`.
    pub groups: BTreeMap<Group, Cells>,
    pub efficiency: Option<Efficiency>,
    pub fit: Fit,
    pub pnr: Option<Pnr>,
    pub notes: Vec<String>,
}

fn gap(g: Option<f64>) -> String {
    match g {
        Some(g) => format!("{g:+.1}%"),
        None => "-".into(),
    }
}

/// Percent of `a` in `b`, one decimal.
fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * a as f64 / b as f64)
    }
}

impl Report {
    /// The table a person reads.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let l = &self.layer;
        let _ = writeln!(
            s,
            "snnrtl synth: {} layer {}x{}, T = {}, weight_bits {} (partial sums {} bits, state {} bits) on {} [{}]",
            l.kind, l.inputs, l.outputs, l.timesteps, l.weight_bits, l.synaptic_bits, l.state_bits,
            self.target, self.fit.part
        );
        for t in &self.tools {
            let _ = writeln!(s, "  {}: {} ({})", t.tool, t.version, t.path);
        }
        let _ = writeln!(s, "  flow: {}", self.flow.hierarchy);
        let _ = writeln!(s);
        let ice = self.family == Family::Ice40;
        let xil = self.family == Family::Xilinx7;
        let head: Vec<&str> = match self.family {
            Family::Ice40 => vec!["LUTs", "carry", "FFs", "DSP", "BRAM"],
            Family::Xilinx7 => vec!["LUTs", "SRL", "carry", "MUXF", "FFs", "DSP", "BRAM"],
            Family::Generic => vec!["gates", "FFs", "other"],
        };
        let cols = |c: &Cells| -> Vec<u64> {
            match self.family {
                Family::Ice40 => vec![c.luts, c.carries, c.ffs, c.dsps, c.brams],
                Family::Xilinx7 => vec![
                    c.luts, c.lut_mem, c.carries, c.muxes, c.ffs, c.dsps, c.brams,
                ],
                Family::Generic => vec![c.gates, c.ffs, c.other],
            }
        };
        let _ = write!(s, "{:<18} {:>5} ", "module (group)", "inst");
        for h in &head {
            let _ = write!(s, "{h:>7}");
        }
        if ice || xil {
            let _ = write!(
                s,
                " | {:>8} {:>7} {:>8} {:>7}",
                "est LUTs", "gap", "est FFs", "gap"
            );
        }
        let _ = writeln!(s);
        for m in &self.modules {
            let name = format!("{} ({})", m.module, m.group);
            let _ = write!(s, "{name:<18} {:>5} ", m.instances);
            for v in cols(&m.total) {
                let _ = write!(s, "{v:>7}");
            }
            if let Some(e) = &m.estimate {
                let _ = write!(
                    s,
                    " | {:>8} {:>7} {:>8} {:>7}",
                    e.luts,
                    gap(e.luts_gap_pct),
                    e.ffs,
                    gap(e.ffs_gap_pct)
                );
            }
            let _ = writeln!(s);
        }
        let _ = write!(s, "{:<18} {:>5} ", format!("total ({})", self.top), "");
        for v in cols(&self.cells) {
            let _ = write!(s, "{v:>7}");
        }
        let _ = writeln!(s);
        if let Some(t) = self.transistors {
            let _ = writeln!(
                s,
                "estimated transistors (stat -tech cmos): {}{}",
                t.estimate,
                if t.lower_bound { "+ (lower bound)" } else { "" }
            );
        }
        if let Some(w) = &self.flow.wrapper {
            let _ = writeln!(
                s,
                "place-and-route wrapper {} (not in the totals above): {} LUTs, {} FFs ({} input and {} output bits behind shift registers)",
                w.module, w.cells.luts, w.cells.ffs, w.input_bits, w.output_bits
            );
        }
        if let Some(e) = &self.efficiency {
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "PE array efficiency: {} LUTs (PEs {} + write decode {}) / floor {} = {:.2}x ({}); PEs alone {:.2}x",
                e.array_luts,
                e.pe_luts,
                e.array_own_luts,
                e.floor_luts,
                e.ratio,
                match e.meets {
                    Some(true) => format!("target <= {:.2}x: met", e.target_ratio),
                    Some(false) => format!("target <= {:.2}x: MISSED", e.target_ratio),
                    None => format!("the {:.2}x target is defined for iCE40", e.target_ratio),
                },
                e.pe_only_ratio
            );
            let _ = writeln!(s, "  {}", e.explanation);
        }
        let _ = writeln!(s);
        let f = &self.fit;
        if f.lines.is_empty() {
            let _ = writeln!(s, "Fit: {} ({})", f.verdict, f.message);
        } else {
            let _ = writeln!(
                s,
                "Fit on {} ({}): {}",
                f.part,
                f.basis,
                f.verdict.as_str().to_uppercase()
            );
        }
        for line in &f.lines {
            let used = match line.used_max {
                Some(hi) if hi != line.used => format!("{}..{}", line.used, hi),
                _ => line.used.to_string(),
            };
            let share = match line.used_max {
                Some(hi) if hi != line.used => format!(
                    "{}..{}",
                    pct(line.used, line.available),
                    pct(hi, line.available)
                ),
                _ => pct(line.used, line.available),
            };
            let _ = writeln!(
                s,
                "  {:<12} {:>11} of {:>6} ({share})",
                line.resource, used, line.available
            );
        }
        if !f.message.is_empty() && !f.lines.is_empty() {
            let _ = writeln!(s, "  {}", f.message);
        }
        if let Some(p) = &self.pnr {
            let _ = writeln!(s);
            match p.status {
                PnrStatus::Routed => {
                    let fmax = p.fmax_mhz.unwrap_or(0.0);
                    let verdict = match p.meets_target {
                        Some(true) => "met".to_string(),
                        _ => format!("MISSED by {:.1} MHz", p.freq_target_mhz - fmax),
                    };
                    let seeds = match (p.seeds.first(), p.seeds.last()) {
                        (Some(a), Some(b)) if a != b => format!("seeds {a}..{b}"),
                        _ => format!("seed {}", p.seed),
                    };
                    let gsops = p.gsop_per_s.map_or(String::new(), |g| {
                        format!(
                            "; {g:.2} GSOP/s ({} x {} PEs at the median Fmax)",
                            self.layer.inputs, self.layer.outputs
                        )
                    });
                    let _ = writeln!(
                        s,
                        "Timing (nextpnr-ice40 --{} --package {}, {seeds}): Fmax {:.1} MHz median (min {:.1}, max {:.1}) against {:.1} MHz: {verdict}{gsops}",
                        p.device,
                        p.package,
                        fmax,
                        p.fmax_mhz_min.unwrap_or(fmax),
                        p.fmax_mhz_max.unwrap_or(fmax),
                        p.freq_target_mhz
                    );
                    if let Some(c) = &p.critical_path {
                        let groups: Vec<String> = c
                            .logic_by_group
                            .iter()
                            .map(|(g, n)| format!("{n} in {g}"))
                            .collect();
                        let _ = writeln!(
                            s,
                            "  critical path (seed {}) {:.2} ns, {} logic levels ({}): {} ({}) -> {} ({})",
                            p.seed,
                            c.delay_ns,
                            c.logic_levels,
                            groups.join(", "),
                            c.start,
                            c.start_group,
                            c.end,
                            c.end_group
                        );
                    }
                }
                other => {
                    let _ = writeln!(s, "Place and route {other}: {}", p.message);
                }
            }
        }
        for n in &self.notes {
            let _ = writeln!(s, "note: {n}");
        }
        s
    }
}
