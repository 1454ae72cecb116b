//! `snnrtl synth CONFIG.json --target T [--pnr [--seeds N]] [--freq MHZ] [--json OUT]`:
//! what the generated core costs on a target (Yosys, and nextpnr-ice40 with
//! `--pnr`). The table goes to stdout; `--json` writes the report
//! (`format_version` 2) atomically. Options are checked before any tool
//! runs; every invalid value is one line naming the option and its range.
//! A design that does not fit, or misses the clock target, is a result
//! (exit 0) stated plainly in the table and the JSON.

use crate::cmd_generate::{load_input, Input};
use crate::out::write_atomic;
use anyhow::{anyhow, Result};
use std::path::PathBuf;
use synth::constraints::{check_freq, Board};
use synth::{Options, Target, Top};

#[derive(clap::Args)]
pub struct Args {
    /// A case file (SPEC section 5) or a layer object
    config: PathBuf,
    /// ice40-up5k, ice40-hx8k, xilinx-7 or generic
    #[arg(long)]
    target: String,
    /// Place and route with nextpnr-ice40 (iCE40 targets): Fmax, utilisation, exact fit
    #[arg(long)]
    pnr: bool,
    /// Clock target in MHz, 1..=1000: written into the constraints, timed by nextpnr
    #[arg(long, default_value = "100")]
    freq: String,
    /// Write the report JSON to OUT
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,
    /// A board whose pins the constraints assign (icebreaker, with --target ice40-up5k)
    #[arg(long)]
    board: Option<String>,
    /// What to synthesize: core (the whole layer) or array (the PE array alone)
    #[arg(long, default_value = "core")]
    top: String,
    /// First nextpnr placer seed, 0..=2^31-1
    #[arg(long, default_value = "1")]
    seed: String,
    /// Place and route on this many seeds (--seed, --seed + 1, ...), 1..=16, in parallel; Fmax is their median (min and max beside it)
    #[arg(long, default_value = "3")]
    seeds: String,
    /// Keep every file of the run (Verilog, constraints, scripts, logs, tool JSON) in DIR
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    #[command(flatten)]
    hw: crate::hw_args::HwArgs,
}

/// Parses `--freq`; one-line error.
pub fn parse_freq(s: &str) -> Result<f64> {
    let f: f64 = s
        .trim()
        .parse()
        .map_err(|_| anyhow!("--freq: {s:?} is not a number of MHz in 1..=1000"))?;
    check_freq(f)?;
    Ok(f)
}

/// Parses `--seed`; one-line error.
pub fn parse_seed(s: &str) -> Result<u64> {
    s.trim()
        .parse::<u64>()
        .ok()
        .filter(|v| *v < (1 << 31))
        .ok_or_else(|| anyhow!("--seed: {s:?} is not an integer in 0..=2147483647"))
}

/// Parses `--seeds` (with the first seed `seed`); one-line error.
pub fn parse_seeds(s: &str, seed: u64) -> Result<u32> {
    let (lo, hi) = synth::pnr::SEEDS_RANGE;
    let n = s
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (lo..=hi).contains(n))
        .ok_or_else(|| anyhow!("--seeds: {s:?} is not an integer in {lo}..={hi}"))?;
    synth::pnr::seeds(seed, n)?;
    Ok(n)
}

pub fn run(a: Args) -> Result<()> {
    let target = Target::parse(&a.target).map_err(|e| anyhow!(e))?;
    let freq_mhz = parse_freq(&a.freq)?;
    let seed = parse_seed(&a.seed)?;
    let seeds = parse_seeds(&a.seeds, seed)?;
    let top = Top::parse(&a.top).map_err(|e| anyhow!(e))?;
    let board = match &a.board {
        Some(b) => Some(Board::parse(b, target).map_err(|e| anyhow!(e))?),
        None => None,
    };
    if a.pnr && !target.can_pnr() {
        return Err(anyhow!(
            "--pnr: place and route is available for ice40-up5k and ice40-hx8k only (nextpnr-ice40), not {target}"
        ));
    }
    let input = load_input(&a.config)?;
    let hw = a.hw.resolve(&input)?;
    let architecture = hw
        .layer_architecture()
        .unwrap_or(rtl_gen::arch::Architecture::Unrolled);
    if let crate::hw_args::Hardware::Folded(net, plan) = hw {
        return run_folded(&a, &net, &plan, target, seed, seeds);
    }
    if architecture == rtl_gen::arch::Architecture::FoldedElm && top != Top::Core {
        return Err(anyhow!(
            "--top: {:?} is not accepted with --architecture folded: the folded elm core has no snn_array (core only)",
            a.top
        ));
    }
    let cfg = match input {
        Input::Layer(_, cfg) => cfg,
        Input::Network(net) => return run_network(&a, &net, target),
    };
    let tools = synth::find_tools(a.pnr)?;
    let opts = Options {
        target,
        pnr: a.pnr,
        freq_mhz,
        board,
        seed,
        seeds,
        top,
        keep_dir: a.keep.clone(),
        architecture,
    };
    let report = synth::synthesize(&cfg, &opts, &tools)?;
    let text = report.to_text();
    if let Some(path) = &a.json {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        write_atomic(path, json.as_bytes())?;
    }
    if let Some(dir) = &a.keep {
        write_atomic(&dir.join("report.txt"), text.as_bytes())?;
        let json = serde_json::to_string_pretty(&report)? + "\n";
        write_atomic(&dir.join("report.json"), json.as_bytes())?;
    }
    print!("{text}");
    Ok(())
}

/// The folded engine (`--architecture folded`): Yosys, and with `--pnr`
/// nextpnr on the out-of-context wrapper over `--seeds` seeds.
fn run_folded(
    a: &Args,
    net: &golden_model::NetworkConfig,
    plan: &rtl_gen::folded::plan::FoldedPlan,
    target: Target,
    seed: u64,
    seeds: u32,
) -> Result<()> {
    if a.top != "core" {
        return Err(anyhow!(
            "--top: {:?} applies to a layer's core; the folded engine's top is snn_folded",
            a.top
        ));
    }
    if a.pnr && !target.can_pnr() {
        return Err(anyhow!("--pnr: place and route is available for ice40-up5k and ice40-hx8k only (nextpnr-ice40), not {target}"));
    }
    // `--seed` and `--seeds`, already checked by `run`, as the seed list.
    let seeds = if a.pnr {
        synth::pnr::seeds(seed, seeds)?
    } else {
        vec![]
    };
    let tools = synth::find_tools(a.pnr)?;
    let tmp = std::env::temp_dir().join(format!("snnrtl-synth-folded-{}", std::process::id()));
    let dir = a.keep.clone().unwrap_or_else(|| tmp.clone());
    let r = synth::folded::synthesize_folded(net, plan, target, &tools, &dir, &seeds)?;
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let est = synth::folded::estimate(plan, target);
    let mut text = format!(
        "snn_folded (P = {}) on {}: {} LUTs, {} carries, {} FFs, {} block RAMs, {} SPRAMs, {} DSPs (Yosys)\n",
        plan.p, r.target, r.cells.luts, r.cells.carries, r.cells.ffs, r.brams, r.sprams, r.dsps
    );
    if let (Some(lc), Some(w)) = (r.logic_cells, r.wrapper_logic_cells) {
        text += &format!(
            "logic cells: {lc} after place and route ({} with the out-of-context wrapper's {w}); estimate {}\n",
            lc + w,
            est.logic_cells
        );
    }
    if let Some(f) = r.fmax_mhz {
        text += &format!(
            "Fmax: {f:.1} MHz median of {} seeds ({:.1}..{:.1})\n",
            r.seeds.len(),
            r.fmax_mhz_min.unwrap_or(f),
            r.fmax_mhz_max.unwrap_or(f)
        );
    }
    text += &format!(
        "fits: {}{}\n",
        if r.fits { "yes" } else { "no" },
        if r.message.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.message)
        }
    );
    print!("{text}");
    if let Some(path) = &a.json {
        write_atomic(path, (serde_json::to_string_pretty(&r)? + "\n").as_bytes())?;
    }
    Ok(())
}

/// A network file: Yosys on `snn_network` (hierarchy kept), cells per layer
/// and the fit verdict against the target's part. Place and route takes a
/// layer's core (`--pnr` is refused here).
fn run_network(a: &Args, net: &golden_model::NetworkConfig, target: Target) -> Result<()> {
    if a.pnr {
        return Err(anyhow!(
            "--pnr: place and route takes one layer's core; a network file is synthesized with Yosys only"
        ));
    }
    if a.top != "core" {
        return Err(anyhow!(
            "--top: {:?} applies to a layer's core; a network's top is snn_network",
            a.top
        ));
    }
    let tools = synth::find_tools(false)?;
    let design = rtl_gen::generate_network(net);
    let tmp;
    let dir = match &a.keep {
        Some(d) => d.clone(),
        None => {
            tmp = std::env::temp_dir().join(format!("snnrtl-synth-net-{}", std::process::id()));
            tmp.clone()
        }
    };
    let top = rtl_gen::network::TOP;
    let r = synth::network::synthesize_network(&design.files, top, target, &tools, &dir)?;
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let mut text = format!(
        "{top} on {} (Yosys, hierarchy kept): {} LUTs, {} carries, {} FFs, {} BRAM, {} DSP ({} cells)\n",
        r.target,
        r.cells.luts,
        r.cells.carries,
        r.cells.ffs,
        r.cells.brams,
        r.cells.dsps,
        r.cells.total()
    );
    for p in &r.parts {
        text += &format!(
            "  {:<13} {:>7} LUTs {:>7} carries {:>7} FFs\n",
            p.part, p.cells.luts, p.cells.carries, p.cells.ffs
        );
    }
    text += &format!("fit: {} on {} ({})", r.fit.verdict, r.fit.part, r.fit.basis);
    if !r.fit.message.is_empty() {
        text += &format!(": {}", r.fit.message);
    }
    text += "\n";
    for l in &r.fit.lines {
        let used = match l.used_max {
            Some(max) => format!("{}..{}", l.used, max),
            None => l.used.to_string(),
        };
        text += &format!("  {:<13} {used} of {}\n", l.resource, l.available);
    }
    if let Some(path) = &a.json {
        write_atomic(path, (serde_json::to_string_pretty(&r)? + "\n").as_bytes())?;
    }
    print!("{text}");
    Ok(())
}
