//! `snnrtl sweep --target T -o DIR [--rows ..] [--cols ..] [--timesteps ..]
//! [--weight-bits ..] [--kinds ..] [--pnr [--seeds N]] [--freq MHZ] [--jobs N]`:
//! synthesis over a grid, in parallel, with a progress bar on stderr.
//! Writes `DIR/sweep.csv`, `DIR/sweep.json` and `DIR/sweep.svg` (each
//! atomically, after every run has finished). Options are checked before
//! any tool runs. A grid point whose synthesis fails is an `error` row in
//! the outputs, and the command then exits non-zero after writing them.

use crate::cmd_synth::{parse_freq, parse_seed, parse_seeds};
use crate::out::write_atomic;
use anyhow::{anyhow, bail, Result};
use std::path::PathBuf;
use synth::sweep::{self, Grid};
use synth::{Options, Target, Top};

#[derive(clap::Args)]
pub struct Args {
    /// ice40-up5k, ice40-hx8k, xilinx-7 or generic
    #[arg(long)]
    target: String,
    /// Output folder for sweep.csv, sweep.json and sweep.svg
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Rows (layer inputs), comma-separated, each 1..=4096
    #[arg(long, default_value = "2,4,8")]
    rows: String,
    /// Columns (layer outputs), comma-separated, each 1..=4096
    #[arg(long, default_value = "2,4,8")]
    cols: String,
    /// Square arrays only: n x n for each n in --rows (--cols is not used)
    #[arg(long)]
    square: bool,
    /// Timesteps, comma-separated, each 1..=64
    #[arg(long, default_value = "4")]
    timesteps: String,
    /// Weight bits, comma-separated, each 2..=16
    #[arg(long, default_value = "8")]
    weight_bits: String,
    /// Neuron kinds, comma-separated: if, tmn, psn, masked_psn, sliding_psn
    #[arg(long, default_value = "if,tmn")]
    kinds: String,
    /// Place and route every point (iCE40 targets): Fmax and logic cells
    #[arg(long)]
    pnr: bool,
    /// Clock target in MHz, 1..=1000
    #[arg(long, default_value = "100")]
    freq: String,
    /// Parallel runs, 1..=64 (capped at the machine's available parallelism); default: all cores
    #[arg(long)]
    jobs: Option<String>,
    /// First nextpnr placer seed, 0..=2^31-1
    #[arg(long, default_value = "1")]
    seed: String,
    /// Place and route every point on this many seeds (--seed, --seed + 1, ...), 1..=16; Fmax is their median
    #[arg(long, default_value = "3")]
    seeds: String,
    /// No progress bar
    #[arg(long)]
    quiet: bool,
}

pub fn run(a: Args) -> Result<()> {
    let target = Target::parse(&a.target).map_err(|e| anyhow!(e))?;
    let mut grid = Grid::parse(&a.rows, &a.cols, &a.timesteps, &a.weight_bits, &a.kinds)
        .map_err(|e| anyhow!(e))?;
    grid.square = a.square;
    let freq_mhz = parse_freq(&a.freq)?;
    let seed = parse_seed(&a.seed)?;
    let seeds = parse_seeds(&a.seeds, seed)?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let jobs = match &a.jobs {
        None => cores,
        Some(j) => j
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| anyhow!("--jobs: {j:?} is not an integer in 1..=64"))?,
    };
    if a.pnr && !target.can_pnr() {
        bail!(
            "--pnr: place and route is available for ice40-up5k and ice40-hx8k only (nextpnr-ice40), not {target}"
        );
    }
    let points = grid.points();
    // Every point's layer is validated before any tool runs.
    for p in &points {
        p.config().map_err(|e| anyhow!(e))?;
    }
    let tools = synth::find_tools(a.pnr)?;
    let opts = Options {
        target,
        pnr: a.pnr,
        freq_mhz,
        board: None,
        seed,
        seeds,
        top: Top::Core,
        keep_dir: None,
        architecture: rtl_gen::arch::Architecture::Unrolled,
    };
    eprintln!(
        "sweep: {} runs on {target}{}, {} at a time",
        points.len(),
        if a.pnr { " with place and route" } else { "" },
        jobs.min(cores)
    );
    let rows = sweep::run(&points, &opts, &tools, jobs, !a.quiet);
    let csv = sweep::csv(&rows);
    let json = serde_json::to_string_pretty(&sweep::json_doc(&rows, &opts, &tools))? + "\n";
    let svg = sweep::chart_svg(&rows, &opts);
    write_atomic(&a.output.join("sweep.csv"), csv.as_bytes())?;
    write_atomic(&a.output.join("sweep.json"), json.as_bytes())?;
    write_atomic(&a.output.join("sweep.svg"), svg.as_bytes())?;
    print!("{csv}");
    let failed: Vec<&sweep::Row> = rows
        .iter()
        .filter(|r| r.status != sweep::RowStatus::Ok)
        .collect();
    eprintln!(
        "wrote sweep.csv, sweep.json and sweep.svg to {} ({} ok, {} failed)",
        a.output.display(),
        rows.len() - failed.len(),
        failed.len()
    );
    if let Some(f) = failed.first() {
        bail!(
            "{} of {} runs failed; first: {}: {}",
            failed.len(),
            rows.len(),
            f.point.label(),
            f.error.as_deref().unwrap_or("unknown")
        );
    }
    Ok(())
}
