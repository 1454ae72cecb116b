//! `snnrtl search [SEARCH.json]`: hardware-aware evolutionary design search
//! (issue #13, in the spirit of MSE-NAS): NSGA-II over spiking MLPs
//! (hidden widths, neuron kind, T, weight bits, unrolled or folded with its
//! parallelism P), minimising the
//! error, the estimated logic cells on the target and the µs per image
//! (see `snn_search::{objectives, hardware}`). Without SEARCH.json it
//! searches the digits example (`examples/digits/search.json`) on
//! ice40-up5k.
//!
//! Every evaluation is appended to `DIR/evaluations.jsonl`; a rerun with
//! the same DIR and seed reuses them. `--export-jobs JOBS` stops at the
//! first generation with new evaluations and writes them as a job list with
//! a Slurm array script and a GNU parallel line; each job runs
//! `snnrtl search --evaluate-job JOBS/jobs.jsonl --index I --out JOBS/results/`;
//! `--collect JOBS` reads the results into the checkpoint and continues.
//!
//! At the end each design of the final front is trained again on all the
//! training rows and scored on the test rows; up to `confirm`
//! front designs that the estimate says fit (the one it would choose first,
//! then the most accurate; when none
//! fits, the smallest one) are synthesized whole with Yosys (an unrolled
//! `snn_network` about a minute; a folded `snn_folded` with
//! `synth_ice40 -spram -dsp`, no place and route) and their measured logic
//! cells and fit recorded beside the estimate. Outputs: `pareto.json`, `pareto.csv`, `pareto.svg`, and the
//! chosen design in `design/` (`flow.json`, `weights.safetensors`,
//! `split.json`), ready for `snnrtl flow DIR/design/flow.json`.

use crate::out::write_atomic;
use anyhow::{anyhow, Result};
use indicatif::{ProgressBar, ProgressStyle};
use snn_search::config::{check_range, SearchConfig, EVALUATIONS};
use snn_search::genome::Architecture;
use snn_search::jobs::{self, Checkpoint, Finished, Mode};
use snn_search::nsga2::JOBS;
use snn_search::objectives::{Evaluator, Record};
use snn_search::outputs::{self, Measured, Pareto, Scored};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use synth::target::Target;

#[derive(clap::Args)]
pub struct Args {
    /// Search file (default: examples/digits/search.json)
    search: Option<PathBuf>,
    /// Distinct candidates to evaluate (overrides the file's `evaluations`;
    /// the population shrinks to it if larger)
    #[arg(long, value_name = "N")]
    evaluations: Option<usize>,
    /// Evaluation threads
    #[arg(long, value_name = "J", default_value_t = 1)]
    jobs: usize,
    /// Seed of NSGA-II and of training (overrides the file's `seed`)
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Output folder: checkpoint, pareto.json/.csv/.svg, design/
    #[arg(short, long, value_name = "DIR", default_value = "out/search")]
    output: PathBuf,
    /// Front designs to synthesize with Yosys (overrides the file's `confirm`; 0: none)
    #[arg(long, value_name = "N")]
    confirm: Option<usize>,
    /// Write the next generation's evaluations as a job list in DIR and stop
    #[arg(long, value_name = "DIR")]
    export_jobs: Option<PathBuf>,
    /// Read DIR/results/ into the checkpoint, then continue
    #[arg(long, value_name = "DIR")]
    collect: Option<PathBuf>,
    /// Evaluate one line of a job list (with --index and --out) and exit
    #[arg(long, value_name = "JOBS.jsonl", requires_all = ["index", "out"])]
    evaluate_job: Option<PathBuf>,
    /// The line of --evaluate-job, from 0
    #[arg(long, value_name = "I")]
    index: Option<usize>,
    /// Where --evaluate-job writes INDEX.json
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// `examples/digits/search.json` from the working folder or the source tree.
fn default_search() -> PathBuf {
    let local = Path::new("examples/digits/search.json");
    if local.exists() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/digits/search.json")
}

fn config(a: &Args) -> Result<SearchConfig> {
    let path = a.search.clone().unwrap_or_else(default_search);
    let mut cfg = SearchConfig::read(&path)?;
    if let Some(n) = a.evaluations {
        check_range("--evaluations", n, EVALUATIONS)?;
        cfg.evaluations = n;
        cfg.population = cfg.population.min(n);
    }
    if let Some(s) = a.seed {
        cfg.seed = s;
    }
    if let Some(c) = a.confirm {
        check_range("--confirm", c, snn_search::config::CONFIRM)?;
        cfg.confirm = c;
    }
    check_range("--jobs", a.jobs, JOBS)?;
    cfg.check()?;
    Ok(cfg)
}

pub fn run(a: Args) -> Result<()> {
    if let Some(jl) = &a.evaluate_job {
        let (index, out) = (a.index.expect("clap"), a.out.as_ref().expect("clap"));
        let r = jobs::evaluate_job(jl, index, out)?;
        eprintln!(
            "job {index}: {} {} in {:.1} s -> {}",
            r.candidate.to_json(),
            match &r.error {
                Some(e) => format!("refused ({e})"),
                None => format!("objectives {:?}", r.objective_values()),
            },
            r.seconds,
            out.join(format!("{index}.json")).display()
        );
        return Ok(());
    }
    let start = Instant::now();
    let cfg = config(&a)?;
    let ev = Evaluator::new(&cfg)?;
    let ckpt_path = a.output.join(jobs::CHECKPOINT);
    let mut ckpt = Checkpoint::open(&ckpt_path, &ev.context)?;
    if let Some(dir) = &a.collect {
        let c = jobs::collect(dir, &mut ckpt)?;
        eprintln!(
            "collected {} results from {} ({} already known or of another search{})",
            c.added,
            dir.join(jobs::RESULTS).display(),
            c.ignored,
            if c.missing.is_empty() {
                String::new()
            } else {
                format!("; no result for jobs {:?}: they run here", c.missing)
            }
        );
    }
    let reused = ckpt.records.len();
    let mode = match &a.export_jobs {
        Some(d) => Mode::Export { dir: d.clone() },
        None => Mode::Local { jobs: a.jobs },
    };
    let bar = ProgressBar::new(cfg.evaluations as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} evaluations, eta {eta} {msg}",
        )
        .expect("template")
        .progress_chars("=> "),
    );
    let best = Mutex::new(f64::INFINITY);
    let progress = |r: &Record, _reused: bool| {
        if let Some(e) = r.validation_error {
            let mut b = best.lock().expect("lock");
            if e < *b {
                *b = e;
                bar.set_message(format!(
                    "best validation accuracy {:.1}%",
                    100.0 * (1.0 - e)
                ));
            }
        }
        bar.inc(1);
    };
    let finished = jobs::search(&cfg, &ev, &mut ckpt, &mode, progress)?;
    bar.finish_and_clear();
    let outcome = match finished {
        Finished::Exported { generation, jobs } => {
            let d = a.export_jobs.as_ref().expect("export mode");
            eprintln!(
                "generation {generation}: {jobs} evaluations exported to {} ({} already in {}).\n\
                 Slurm:    sbatch {}\n\
                 parallel: {}\n\
                 then:     snnrtl search {} -o {} --seed {} --collect {}",
                d.join(jobs::JOBS).display(),
                ckpt.records.len(),
                ckpt_path.display(),
                d.join(jobs::SBATCH).display(),
                jobs::parallel_command(d, jobs),
                a.search.as_deref().unwrap_or(&default_search()).display(),
                a.output.display(),
                cfg.seed,
                d.display()
            );
            return Ok(());
        }
        Finished::Done(o) => o,
    };
    let front_records: Vec<&Record> = outcome
        .front()
        .iter()
        .filter_map(|i| {
            let c = cfg.space.decode(&i.genome).ok()?;
            ckpt.records.get(&c)
        })
        .collect();
    eprintln!(
        "{} evaluations ({} reused from {}), front of {}; training it on all {} training rows and scoring it on the test rows",
        outcome.evaluations,
        reused.min(outcome.evaluations),
        ckpt_path.display(),
        front_records.len(),
        ev.rows.all_train.len()
    );
    let (mut front, left_out) = outputs::score_front(&ev, &front_records);
    for l in &left_out {
        eprintln!("{l}");
    }
    let reference = match &cfg.dataset.flow {
        Some(f) => Some(outputs::reference(&ev, f)?),
        None => None,
    };
    confirm(&mut front, cfg.confirm, cfg.target, &a.output);
    let chosen = outputs::choose(&front.iter().map(|s| s.design.clone()).collect::<Vec<_>>());
    if let Some(i) = chosen {
        front[i].design.chosen = true;
    }
    let mut reference_design = reference.as_ref().map(|r| r.design.clone());
    let relation = |by_front: bool| -> Vec<String> {
        match &reference_design {
            Some(r) => front
                .iter()
                .filter(|s| {
                    if by_front {
                        outputs::dominates(&s.design, r)
                    } else {
                        outputs::dominates(r, &s.design)
                    }
                })
                .map(|s| s.design.name.clone())
                .collect(),
            None => vec![],
        }
    };
    let (dominated_by, dominates) = (relation(true), relation(false));
    if let Some(r) = reference_design.as_mut() {
        r.chosen = false;
    }
    let pareto = Pareto {
        format_version: outputs::FORMAT_VERSION,
        target: cfg.target.name().to_string(),
        fitness: format!("{:?}", cfg.fitness).to_lowercase(),
        seed: cfg.seed,
        evaluations: outcome.evaluations,
        seconds: start.elapsed().as_secs_f64(),
        notes: outputs::notes(&cfg).into_iter().chain(left_out).collect(),
        designs: front.iter().map(|s| s.design.clone()).collect(),
        reference: reference_design,
        reference_dominated_by: dominated_by,
        reference_dominates: dominates,
    };
    let evaluated: Vec<(f64, f64)> = ckpt
        .records
        .values()
        .filter_map(|r| {
            Some((
                r.cost.as_ref()?.logic_cells as f64,
                100.0 * (1.0 - r.validation_error?),
            ))
        })
        .collect();
    let o = &a.output;
    if let Some(i) = chosen {
        let f = outputs::write_design(&o.join("design"), &front[i], &ev, &cfg)?;
        eprintln!("chosen: {} -> {}", front[i].design.name, f.display());
    }
    write_atomic(
        &o.join("pareto.json"),
        (serde_json::to_string_pretty(&pareto)? + "\n").as_bytes(),
    )?;
    write_atomic(&o.join("pareto.csv"), outputs::csv(&pareto).as_bytes())?;
    let avail = snn_search::hardware::available_cells(cfg.target);
    write_atomic(
        &o.join("pareto.svg"),
        outputs::svg(&pareto, &evaluated, avail).as_bytes(),
    )?;
    print!("{}", summary(&pareto, avail));
    eprintln!(
        "wrote {}/pareto.json, pareto.csv, pareto.svg{} in {:.0} s",
        o.display(),
        if chosen.is_some() { " and design/" } else { "" },
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The front as a table, and where the reference stands.
fn summary(p: &Pareto, avail: u64) -> String {
    let mut s = format!(
        "front on {} ({} logic cells), most accurate first:\n  {:<34} {:>8} {:>8} {:>9} {:>8} {:>5} {:>12}\n",
        p.target, avail, "design", "test %", "val %", "cells", "us/img", "fits", "yosys cells"
    );
    let row = |d: &outputs::Design, mark: &str| {
        format!(
            "{mark} {:<34} {:>8.2} {:>8} {:>9} {:>8.2} {:>5} {:>12}\n",
            d.name.split(" (hand-made").next().unwrap_or(&d.name),
            100.0 * d.accuracy,
            d.validation_accuracy
                .map_or("-".into(), |v| format!("{:.2}", 100.0 * v)),
            d.logic_cells,
            d.us_per_image,
            if d.fits { "yes" } else { "no" },
            d.yosys
                .as_ref()
                .map_or("-".into(), |y| format!("{} {}", y.logic_cells, y.verdict))
        )
    };
    for d in &p.designs {
        s += &row(d, if d.chosen { "*" } else { " " });
    }
    if let Some(r) = &p.reference {
        s += &row(r, "R");
        s += &format!(
            "R = the hand-made design; dominated by {} front design(s){}; dominates {}{}\n",
            p.reference_dominated_by.len(),
            if p.reference_dominated_by.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.reference_dominated_by.join(", "))
            },
            p.reference_dominates.len(),
            if p.reference_dominates.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.reference_dominates.join(", "))
            }
        );
    }
    s += "* = chosen (of the designs that fit, the best validation accuracy; if none fits, of all)\n";
    s
}

/// Synthesizes up to `n` front designs with Yosys (see the module doc) and
/// records the measurement; a missing Yosys or a failed run is reported and
/// leaves the estimate alone.
fn confirm(front: &mut [Scored], n: usize, target: Target, out: &Path) {
    if n == 0 || front.is_empty() {
        return;
    }
    // The design the estimate would choose first, then the most accurate
    // (the front is sorted so) that the estimate says fit.
    let designs: Vec<outputs::Design> = front.iter().map(|s| s.design.clone()).collect();
    let chosen = outputs::choose(&designs).filter(|&i| front[i].design.fits_estimate);
    let mut pick: Vec<usize> = chosen
        .into_iter()
        .chain((0..front.len()).filter(|&i| front[i].design.fits_estimate && Some(i) != chosen))
        .take(n)
        .collect();
    if pick.is_empty() {
        let smallest = (0..front.len())
            .min_by_key(|&i| front[i].design.logic_cells)
            .expect("non-empty");
        pick.push(smallest);
    }
    let tools = match synth::find_tools(false) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("not confirmed with Yosys: {e}");
            return;
        }
    };
    for i in pick {
        let name = front[i].design.name.clone();
        eprintln!("Yosys: synthesizing {name} for {} ...", target.name());
        let arch = front[i]
            .design
            .candidate
            .as_ref()
            .map_or(Architecture::Unrolled, |c| c.architecture);
        match measure(&front[i].network, arch, target, &tools, out) {
            Ok(m) => {
                eprintln!(
                    "Yosys: {name}: {} logic cells ({}..{} measured, {} estimated), {} in {:.0} s",
                    m.logic_cells,
                    m.logic_cells,
                    m.logic_cells_max,
                    front[i].design.logic_cells,
                    m.verdict,
                    m.seconds
                );
                front[i].design.fits = m.fits;
                front[i].design.yosys = Some(m);
            }
            Err(e) => eprintln!("Yosys: {name}: not confirmed: {e:#}"),
        }
    }
}

fn measure(
    net: &golden_model::NetworkConfig,
    arch: Architecture,
    target: Target,
    tools: &synth::Tools,
    out: &Path,
) -> Result<Measured> {
    let dir = out.join(format!(".yosys-{}", std::process::id()));
    let avail = snn_search::hardware::available_cells(target);
    if let Architecture::Folded { parallelism } = arch {
        let plan = rtl_gen::folded::plan::FoldedPlan::new(net, parallelism, None);
        let r = synth::folded::synthesize_folded(net, &plan, target, tools, &dir, &[]);
        let _ = std::fs::remove_dir_all(&dir);
        let r = r.map_err(|e| anyhow!("{e}"))?;
        let c = &r.cells;
        let lo = c.luts.max(c.ffs).max(c.carries);
        let fits = r.fits && lo <= avail;
        return Ok(Measured {
            luts: c.luts,
            carries: c.carries,
            ffs: c.ffs,
            logic_cells: lo,
            logic_cells_max: c.luts + c.ffs + c.carries,
            verdict: if fits { "fits" } else { "does not fit" }.into(),
            brams: Some(r.brams),
            sprams: Some(r.sprams),
            fits,
            seconds: r.seconds,
        });
    }
    let design = rtl_gen::generate_network(net);
    let r = synth::network::synthesize_network(
        &design.files,
        rtl_gen::network::TOP,
        target,
        tools,
        &dir,
    );
    let _ = std::fs::remove_dir_all(&dir);
    let r = r.map_err(|e| anyhow!("{e}"))?;
    let c = &r.cells;
    let lo = c.luts.max(c.ffs).max(c.carries);
    Ok(Measured {
        luts: c.luts,
        carries: c.carries,
        ffs: c.ffs,
        logic_cells: lo,
        logic_cells_max: c.luts + c.ffs + c.carries,
        verdict: r.fit.verdict.to_string(),
        brams: None,
        sprams: None,
        fits: lo <= avail,
        seconds: r.seconds,
    })
}
