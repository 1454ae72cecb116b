//! One synthesis run: generate the core, write it with its constraints (and
//! the wrapper for place and route), run Yosys (and nextpnr), and assemble
//! the [`Report`].

use golden_model::LayerConfig;
use snn_tools::{Found, Tool};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cells::Cells;
use crate::constraints::{self, Board};
use crate::error::{Result, SynthError};
use crate::group::Group;
use crate::outcome::Verdict;
use crate::report::{
    Efficiency, EstimateCmp, Fit, FitLine, Flow, LayerSummary, ModuleRow, Report, ToolVersion,
    Transistors, WrapperInfo, FORMAT_VERSION,
};
use crate::target::{Family, Target};
use crate::{nextpnr, pnr, wrap, yosys};

/// What to synthesize: the whole core, or the PE array alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Top {
    Core,
    Array,
}

impl Top {
    pub fn module(self) -> &'static str {
        match self {
            Top::Core => "snn_core",
            Top::Array => "snn_array",
        }
    }

    /// Parses `--top`; errors are one line.
    pub fn parse(s: &str) -> Result<Top, String> {
        match s {
            "core" => Ok(Top::Core),
            "array" => Ok(Top::Array),
            _ => Err(format!("--top: {s:?} is not one of core, array")),
        }
    }
}

/// Options of one run.
#[derive(Debug, Clone)]
pub struct Options {
    pub target: Target,
    pub pnr: bool,
    pub freq_mhz: f64,
    pub board: Option<Board>,
    /// The first nextpnr placer seed.
    pub seed: u64,
    /// How many seeds to place and route (`seed`, `seed + 1`, ...), 1..=16;
    /// Fmax is reported as min, median and max over them.
    pub seeds: u32,
    pub top: Top,
    /// Keep every file of the run in this folder (otherwise a temporary
    /// folder is used and removed after a successful run).
    pub keep_dir: Option<PathBuf>,
    /// Which core the layer becomes: `Unrolled` (the array core) or, for
    /// an elm layer, `FoldedElm` (`rtl_gen::elm_folded`). Not `Folded`:
    /// the folded engine has its own flow (`crate::folded`).
    pub architecture: rtl_gen::arch::Architecture,
}

impl Options {
    pub fn new(target: Target) -> Options {
        Options {
            target,
            pnr: false,
            freq_mhz: 100.0,
            board: None,
            seed: 1,
            seeds: pnr::DEFAULT_SEEDS,
            top: Top::Core,
            keep_dir: None,
            architecture: rtl_gen::arch::Architecture::Unrolled,
        }
    }
}

/// The tools a run needs.
#[derive(Debug, Clone)]
pub struct Tools {
    pub yosys: Found,
    pub nextpnr: Option<Found>,
}

/// Finds Yosys (and nextpnr-ice40 when `pnr`): `$YOSYS`/`$NEXTPNR_ICE40`, then PATH.
pub fn find_tools(pnr: bool) -> Result<Tools> {
    let yosys = snn_tools::find(Tool::Yosys)?;
    let nextpnr = if pnr {
        Some(snn_tools::find(Tool::NextpnrIce40)?)
    } else {
        None
    };
    Ok(Tools { yosys, nextpnr })
}

static RUN: AtomicU64 = AtomicU64::new(0);

fn work_dir(opts: &Options) -> Result<(PathBuf, bool)> {
    match &opts.keep_dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(SynthError::io(d, "cannot create folder"))?;
            Ok((d.clone(), false))
        }
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let d = std::env::temp_dir().join(format!(
                "snnrtl-synth-{}-{}-{nanos}",
                std::process::id(),
                RUN.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&d).map_err(SynthError::io(&d, "cannot create folder"))?;
            Ok((d, true))
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> Result<()> {
    std::fs::write(dir.join(name), text).map_err(SynthError::io(dir.join(name), "cannot write"))
}

fn gap_pct(measured: u64, estimate: u64) -> Option<f64> {
    (estimate > 0).then(|| 100.0 * (measured as f64 - estimate as f64) / estimate as f64)
}

/// Synthesizes `cfg` as `opts` says, with `tools`.
pub fn synthesize(cfg: &LayerConfig, opts: &Options, tools: &Tools) -> Result<Report> {
    constraints::check_freq(opts.freq_mhz)?;
    if opts.pnr && !opts.target.can_pnr() {
        return Err(SynthError::BadOption {
            option: "--pnr",
            problem: format!(
                "place and route is available for ice40-up5k and ice40-hx8k only (nextpnr-ice40), not {}",
                opts.target
            ),
        });
    }
    let (dir, temporary) = work_dir(opts)?;
    let result = run_in(cfg, opts, tools, &dir);
    match (result, temporary) {
        (Ok(r), true) => {
            let _ = std::fs::remove_dir_all(&dir);
            Ok(r)
        }
        (Err(e), true) => Err(SynthError::Kept {
            error: Box::new(e),
            dir,
        }),
        (result, false) => result,
    }
}

fn run_in(cfg: &LayerConfig, opts: &Options, tools: &Tools, dir: &Path) -> Result<Report> {
    let family = opts.target.family();
    let (design, modules) = opts.architecture.layer_core(cfg);
    let top_name = opts.top.module();
    let top_module = modules
        .iter()
        .find(|m| m.name == top_name)
        .ok_or_else(|| SynthError::Internal(format!("no module {top_name}")))?;
    let wanted: Vec<&str> = match opts.top {
        Top::Core => design.files.iter().map(|(n, _)| n.as_str()).collect(),
        Top::Array => vec!["snn_pe.v", "snn_array.v"],
    };
    let mut files = vec![];
    for (name, text) in &design.files {
        if wanted.contains(&name.as_str()) {
            write(dir, name, text)?;
            files.push(name.clone());
        }
    }
    let (cname, ctext) = constraints::clock_file(opts.target, opts.freq_mhz, opts.board);
    write(dir, &cname, &ctext)?;
    let mut synth_top = top_name.to_string();
    let mut wrapper_info = None;
    if opts.pnr {
        let w = wrap::wrapper(top_module);
        let text = rtl_gen::verilog::print::module_to_string(&w);
        let name = format!("{}.v", wrap::WRAPPER);
        write(dir, &name, &text)?;
        files.push(name);
        synth_top = wrap::WRAPPER.to_string();
        let (i, o) = wrap::io_bits(top_module);
        wrapper_info = Some((i, o));
    }
    let script = yosys::script(opts.target, &files, &synth_top, top_name, opts.pnr);
    yosys::run(&tools.yosys, dir, &script)?;
    let stat_path = dir.join(yosys::STAT_FILE);
    let stat_text = std::fs::read_to_string(&stat_path)
        .map_err(SynthError::io(&stat_path, "Yosys wrote no statistics"))?;
    let stat = yosys::parse_stat(&stat_text)?;

    // Per-module rows and totals, checked against Yosys's own expansion.
    let (instances, expanded) = stat.hierarchy(top_name)?;
    let estimates: BTreeMap<String, crate::estimate::ModuleEstimate> = family
        .estimate()
        .map(|f| crate::estimate::estimate(cfg, f))
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.module.clone(), e))
        .collect();
    let mut rows = vec![];
    let mut names: Vec<&String> = instances.keys().collect();
    names.sort_by_key(|m| (Group::of_module(m).rank(), (*m).clone()));
    let mut groups: BTreeMap<Group, Cells> = BTreeMap::new();
    for m in names {
        let n = instances[m];
        let each = Cells::of(family, &stat.own_cells(m));
        let total = each.times(n);
        let group = Group::of_module(m);
        let estimate = estimates.get(m).map(|e| {
            let (luts, ffs) = (e.luts * e.instances, e.ffs * e.instances);
            EstimateCmp {
                model: e.model.to_string(),
                luts,
                ffs,
                lut_mem: e.srls * e.instances,
                dsps: e.dsps * e.instances,
                luts_gap_pct: gap_pct(total.luts, luts),
                ffs_gap_pct: gap_pct(total.ffs, ffs),
            }
        });
        let g = groups.entry(group).or_default();
        *g = g.plus(&total);
        rows.push(ModuleRow {
            module: m.clone(),
            group,
            instances: n,
            each,
            total,
            estimate,
        });
    }
    let cells = Cells::of(family, &expanded);
    let transistors =
        stat.design
            .as_ref()
            .and_then(|d| d.transistors)
            .map(|(estimate, lower_bound)| Transistors {
                estimate,
                lower_bound,
            });

    let w = cfg.widths();
    let efficiency = efficiency(cfg, family, &groups);
    let wrapper = wrapper_info.map(|(i, o)| WrapperInfo {
        module: wrap::WRAPPER.into(),
        input_bits: i,
        output_bits: o,
        cells: Cells::of(family, &stat.own_cells(wrap::WRAPPER)),
    });
    let mut fit = fit_from_counts(opts.target, &cells, wrapper.as_ref().map(|w| &w.cells));
    let mut tool_list = vec![ToolVersion {
        tool: "yosys".into(),
        path: tools.yosys.path.display().to_string(),
        version: tools.yosys.version.clone(),
    }];
    let mut notes = vec![];
    let mut nextpnr_args = None;
    let pnr = if opts.pnr {
        let np = tools
            .nextpnr
            .as_ref()
            .ok_or_else(|| SynthError::BadOption {
                option: "--pnr",
                problem: "nextpnr-ice40 was not looked up".into(),
            })?;
        tool_list.push(ToolVersion {
            tool: "nextpnr-ice40".into(),
            path: np.path.display().to_string(),
            version: np.version.clone(),
        });
        let p = pnr::place_and_route(np, dir, &cname, cfg, opts, &mut fit)?;
        let args = nextpnr::args(
            opts.target,
            yosys::NETLIST_FILE,
            &cname,
            nextpnr::Stage::Route { seed: p.seed },
        )
        .ok_or_else(|| SynthError::Internal(format!("no nextpnr device for {}", opts.target)))?;
        nextpnr_args = Some(args);
        Some(p)
    } else {
        None
    };
    if opts.top == Top::Array {
        notes.push("synthesized snn_array alone (--top array): no neuron units or control".into());
    }
    if family == Family::Ice40 && !opts.pnr {
        notes.push("logic cells are a range until place and route packs LUTs and flip-flops together: add --pnr for the exact count and Fmax".into());
    }

    Ok(Report {
        format_version: FORMAT_VERSION,
        generator: format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        target: opts.target.name().into(),
        family,
        top: top_name.into(),
        layer: LayerSummary {
            kind: cfg.neuron.kind().into(),
            inputs: cfg.inputs,
            outputs: cfg.outputs,
            timesteps: cfg.timesteps,
            weight_bits: cfg.weight_bits,
            synaptic_bits: w.synaptic_bits,
            state_bits: w.state_bits,
            config_sha256_16: rtl_gen::generate::config_hash(cfg),
        },
        tools: tool_list,
        flow: Flow {
            hierarchy: format!(
                "{}; per-module counts are per instance times instances and sum to the total",
                yosys::family_note(family)
            ),
            yosys_script: script,
            constraints_file: cname,
            constraints_text: ctext,
            nextpnr_args,
            wrapper,
        },
        cells,
        cells_by_type: expanded,
        transistors,
        modules: rows,
        groups,
        efficiency,
        fit,
        pnr,
        notes,
    })
}

/// The efficiency target's numbers (iCE40 and Xilinx; needs the array).
fn efficiency(
    cfg: &LayerConfig,
    family: Family,
    groups: &BTreeMap<Group, Cells>,
) -> Option<Efficiency> {
    if family == Family::Generic {
        return None;
    }
    let pes = (cfg.inputs * cfg.branches()) as u64;
    let a = cfg.widths().synaptic_bits as u64;
    let wb = cfg.weight_bits as u64;
    let pe_luts = groups.get(&Group::Pe)?.luts;
    let array_own_luts = groups.get(&Group::Array).map(|c| c.luts).unwrap_or(0);
    let floor = pes * (a + 2);
    let array_luts = pe_luts + array_own_luts;
    let ratio = array_luts as f64 / floor as f64;
    let target_ratio = 1.25;
    let beyond = pe_luts.saturating_sub(pes * a);
    let per_pe = beyond as f64 / pes as f64;
    let explanation = match family {
        Family::Ice40 => format!(
            "floor = {pes} PEs x ({a} accumulator bits + 2 lane bits) = {floor}. The PEs spend {beyond} LUTs ({per_pe:.1} per PE) beyond one per accumulator bit: \
             the gated, conditionally inverted weight ((w ^ lane[1]) & lane[0], {wb} bits, sign bits shared), one LUT per weight bit, \
             because iCE40's SB_CARRY takes its operands from the LUT's I1/I2 inputs, so the operand cannot be formed inside the sum LUT. \
             The array adds {array_own_luts} LUTs of weight write-enable decode (one per PE). The lane bits are flip-flops with no LUT in Yosys's count."
        ),
        _ => format!(
            "floor = {pes} PEs x ({a} accumulator bits + 2 lane bits) = {floor}. On LUT6 the operand logic fits in the sum LUT: \
             the PEs spend {beyond} LUTs beyond one per accumulator bit; the array adds {array_own_luts} LUTs of weight write-enable decode. \
             (The 1.25x target is defined for iCE40; shown here for comparison.)"
        ),
    };
    Some(Efficiency {
        pes,
        accumulator_bits: a,
        floor_luts: floor,
        pe_luts,
        array_own_luts,
        array_luts,
        ratio,
        pe_only_ratio: pe_luts as f64 / floor as f64,
        target_ratio,
        meets: (family == Family::Ice40).then_some(ratio <= target_ratio),
        pe_luts_beyond_sum_bits: beyond,
        explanation,
    })
}

/// The fit check from Yosys's counts (before place and route). iCE40 logic
/// cells are a range: at least max(LUTs, FFs, carries) (everything packed
/// together), at most LUTs + FFs + carries (nothing packed).
pub(crate) fn fit_from_counts(target: Target, c: &Cells, wrapper: Option<&Cells>) -> Fit {
    let Some(part) = target.part() else {
        return Fit {
            verdict: Verdict::NoPart,
            basis: "Yosys cell counts".into(),
            part: "none (gate-level count)".into(),
            lines: vec![],
            message: "generic target: gates and flip-flops, no device to fit".into(),
        };
    };
    let part_name = if part.package.is_empty() {
        part.name.to_string()
    } else {
        format!("{} {}", part.name, part.package)
    };
    let avail = |r: &str| {
        part.capacities
            .iter()
            .find(|c| c.resource == r)
            .map(|c| c.available)
            .unwrap_or(0)
    };
    let mut lines = vec![];
    match target.family() {
        Family::Ice40 => {
            let lo = c.luts.max(c.ffs).max(c.carries);
            let hi = c.luts + c.ffs + c.carries;
            lines.push(FitLine {
                resource: "logic cells".into(),
                used: lo,
                used_max: Some(hi),
                available: avail("logic cells"),
            });
            lines.push(FitLine {
                resource: "block RAMs".into(),
                used: c.brams,
                used_max: None,
                available: avail("block RAMs"),
            });
            lines.push(FitLine {
                resource: "DSPs".into(),
                used: c.dsps,
                used_max: None,
                available: avail("DSPs"),
            });
        }
        _ => {
            for (r, used) in [
                ("LUTs", c.luts + c.lut_mem),
                ("flip-flops", c.ffs),
                ("carry cells", c.carries),
                ("DSPs", c.dsps),
                ("block RAMs", c.brams),
            ] {
                lines.push(FitLine {
                    resource: r.into(),
                    used,
                    used_max: None,
                    available: avail(r),
                });
            }
        }
    }
    let over: Vec<&FitLine> = lines.iter().filter(|l| l.used > l.available).collect();
    let maybe: Vec<&FitLine> = lines
        .iter()
        .filter(|l| l.used <= l.available && l.used_max.unwrap_or(l.used) > l.available)
        .collect();
    let (verdict, message) = if !over.is_empty() {
        let what: Vec<String> = over
            .iter()
            .map(|l| {
                format!(
                    "{}: at least {} needed, {} available",
                    l.resource, l.used, l.available
                )
            })
            .collect();
        (
            Verdict::DoesNotFit,
            format!("does not fit the {}: {}", part.name, what.join("; ")),
        )
    } else if !maybe.is_empty() {
        let what: Vec<String> = maybe
            .iter()
            .map(|l| {
                format!(
                    "{}: {}..{} needed depending on packing, {} available",
                    l.resource,
                    l.used,
                    l.used_max.unwrap_or(l.used),
                    l.available
                )
            })
            .collect();
        (
            Verdict::MayNotFit,
            format!("{}; run with --pnr to know", what.join("; ")),
        )
    } else {
        (Verdict::Fits, String::new())
    };
    let mut message = message;
    if let Some(w) = wrapper {
        if target.family() == Family::Ice40 {
            message = format!(
                "{message}{}the place-and-route wrapper adds {} LUTs and {} FFs on top",
                if message.is_empty() { "" } else { "; " },
                w.luts,
                w.ffs
            );
        }
    }
    Fit {
        verdict,
        basis: "Yosys cell counts".into(),
        part: part_name,
        lines,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_range_before_pnr() {
        let c = Cells {
            luts: 3000,
            ffs: 2500,
            carries: 1000,
            ..Cells::default()
        };
        let f = fit_from_counts(Target::Ice40Up5k, &c, None);
        assert_eq!(f.verdict, Verdict::MayNotFit);
        assert_eq!(
            f.message,
            "logic cells: 3000..6500 needed depending on packing, 5280 available; run with --pnr to know"
        );
        let big = Cells {
            luts: 6000,
            ..Cells::default()
        };
        let f = fit_from_counts(Target::Ice40Up5k, &big, None);
        assert_eq!(f.verdict, Verdict::DoesNotFit);
        assert_eq!(
            f.message,
            "does not fit the iCE40UP5K: logic cells: at least 6000 needed, 5280 available"
        );
        let small = Cells {
            luts: 100,
            ffs: 50,
            ..Cells::default()
        };
        assert_eq!(
            fit_from_counts(Target::Ice40Hx8k, &small, None).verdict,
            Verdict::Fits
        );
        assert_eq!(
            fit_from_counts(Target::Generic, &small, None).verdict,
            Verdict::NoPart
        );
    }
}
