//! Running the search: NSGA-II over the configured space with a
//! checkpoint, locally (rayon) or by exporting each generation's
//! evaluations as a job list for a cluster.
//!
//! - The checkpoint `DIR/evaluations.jsonl` gets one [`Record`] per line as
//!   soon as an evaluation ends. A rerun with the same DIR and the same
//!   [`context`](crate::objectives::context) (seed, epochs, fitness, target,
//!   data) replays NSGA-II (seeded, so it asks for the same genomes) and
//!   takes every result it already has from the file.
//! - [`export_jobs`] writes the genomes of the first generation that has
//!   unevaluated ones: `jobs.jsonl` (one `{"index", "genome", "candidate"}`
//!   per line), `search-config.json` (the resolved search), `submit.sbatch`
//!   (a Slurm job array, one task per line) and `parallel.sh` (the GNU
//!   parallel command line). Each task runs [`evaluate_job`] and writes
//!   `results/INDEX.json`; [`collect`] appends those to the checkpoint.

use crate::config::SearchConfig;
use crate::error::SearchError;
use crate::genome::Candidate;
use crate::nsga2::{self, Outcome, Run, Settings};
use crate::objectives::{Evaluator, Record};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const CHECKPOINT: &str = "evaluations.jsonl";
pub const JOBS: &str = "jobs.jsonl";
pub const JOB_CONFIG: &str = "search-config.json";
pub const SBATCH: &str = "submit.sbatch";
pub const PARALLEL: &str = "parallel.sh";
pub const RESULTS: &str = "results";

fn io(path: &Path, what: &str, e: impl std::fmt::Display) -> SearchError {
    SearchError::field(path.display().to_string(), format!("{what}: {e}"))
}

/// The records of one search context, by candidate, and the file they
/// are appended to.
#[derive(Debug)]
pub struct Checkpoint {
    pub path: PathBuf,
    pub context: String,
    pub records: HashMap<Candidate, Record>,
    /// Lines of other contexts, or unreadable, left alone.
    pub skipped: usize,
}

impl Checkpoint {
    /// Reads `path` if it exists (the folder is created on the first append).
    pub fn open(path: &Path, context: &str) -> Result<Checkpoint, SearchError> {
        let mut c = Checkpoint {
            path: path.to_path_buf(),
            context: context.to_string(),
            records: HashMap::new(),
            skipped: 0,
        };
        if path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, "cannot read", e))?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                match serde_json::from_str::<Record>(line) {
                    Ok(r) if r.context == context => {
                        c.records.insert(r.candidate.clone(), r);
                    }
                    _ => c.skipped += 1,
                }
            }
        }
        Ok(c)
    }

    /// Appends `r` (one line, flushed) unless its candidate is known.
    pub fn append(&mut self, r: Record) -> Result<bool, SearchError> {
        if r.context != self.context || self.records.contains_key(&r.candidate) {
            return Ok(false);
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(dir, "cannot create", e))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| io(&self.path, "cannot open", e))?;
        let line = serde_json::to_string(&r).expect("a record serialises") + "\n";
        f.write_all(line.as_bytes())
            .map_err(|e| io(&self.path, "cannot append", e))?;
        self.records.insert(r.candidate.clone(), r);
        Ok(true)
    }
}

/// NSGA-II settings of a search: generations until `evaluations`
/// distinct candidates are evaluated (the last generation may be partial;
/// `evaluations` generations at most, for a space too small to spend it).
pub fn settings(cfg: &SearchConfig, jobs: usize) -> Settings {
    Settings {
        population: cfg.population,
        generations: cfg.evaluations,
        max_evaluations: Some(cfg.evaluations),
        seed: cfg.seed,
        jobs,
        ..Settings::default()
    }
}

/// How a search ended.
#[derive(Debug)]
pub enum Finished {
    /// The budget is spent.
    Done(Outcome),
    /// `jobs` evaluations of `generation` were exported to a job list.
    Exported { generation: usize, jobs: usize },
}

/// Where the new evaluations go.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// Evaluated here on `jobs` threads.
    Local { jobs: usize },
    /// Written as a job list into the folder.
    Export { dir: PathBuf },
}

/// Runs the search. `progress(record, reused)` is called once per distinct
/// candidate, from evaluation threads.
pub fn search<P>(
    cfg: &SearchConfig,
    ev: &Evaluator,
    ckpt: &mut Checkpoint,
    mode: &Mode,
    progress: P,
) -> Result<Finished, SearchError>
where
    P: Fn(&Record, bool) + Sync,
{
    let space = cfg.space.space();
    let jobs = match mode {
        Mode::Local { jobs } => *jobs,
        Mode::Export { .. } => 1,
    };
    let s = settings(cfg, jobs);
    s.check(&space.genes)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| SearchError::field("jobs", format!("no thread pool: {e}")))?;
    let mut failure: Option<SearchError> = None;
    let ck = Mutex::new(ckpt);
    let batch = |genomes: &[Vec<i64>]| -> Option<Vec<Vec<f64>>> {
        let cands: Vec<Candidate> = genomes
            .iter()
            .map(|g| cfg.space.decode(g).expect("NSGA-II keeps genomes in range"))
            .collect();
        let missing: Vec<usize> = {
            let c = ck.lock().expect("checkpoint lock");
            (0..genomes.len())
                .filter(|&i| !c.records.contains_key(&cands[i]))
                .collect()
        };
        if let Mode::Export { dir } = mode {
            if !missing.is_empty() {
                let list: Vec<(Vec<i64>, Candidate)> = missing
                    .iter()
                    .map(|&i| (genomes[i].clone(), cands[i].clone()))
                    .collect();
                if let Err(e) = write_jobs(cfg, dir, &list) {
                    failure = Some(e);
                }
                return None;
            }
        }
        {
            let c = ck.lock().expect("checkpoint lock");
            for (i, cand) in cands.iter().enumerate() {
                if !missing.contains(&i) {
                    progress(&c.records[cand], true);
                }
            }
        }
        let errors = Mutex::new(vec![]);
        pool.install(|| {
            use rayon::prelude::*;
            missing.par_iter().for_each(|&i| {
                let r = ev.evaluate(&genomes[i], &cands[i]);
                progress(&r, false);
                if let Err(e) = ck.lock().expect("checkpoint lock").append(r) {
                    errors.lock().expect("errors lock").push(e);
                }
            });
        });
        if let Some(e) = errors.into_inner().expect("errors").into_iter().next() {
            failure = Some(e);
            return None;
        }
        let c = ck.lock().expect("checkpoint lock");
        Some(
            cands
                .iter()
                .map(|cand| c.records[cand].objective_values())
                .collect(),
        )
    };
    let run = nsga2::run_batched(&space, &s, batch, |_, _| {})?;
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(match run {
        Run::Done(o) => Finished::Done(o),
        Run::Halted {
            generation,
            pending,
        } => Finished::Exported {
            generation,
            jobs: pending.len(),
        },
    })
}

/// One line of `jobs.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub index: usize,
    pub genome: Vec<i64>,
    pub candidate: Candidate,
}

fn write_file(path: &Path, text: &str) -> Result<(), SearchError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| io(&tmp, "cannot write", e))?;
    std::fs::rename(&tmp, path).map_err(|e| io(path, "cannot write", e))
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The binary the job scripts run: this one.
fn snnrtl_binary() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "snnrtl".into())
}

/// The GNU parallel command line of a job list with `n` jobs in `dir`.
pub fn parallel_command(dir: &Path, n: usize) -> String {
    let d = absolute(dir);
    format!(
        "seq 0 {} | parallel --jobs 0 --halt now,fail=1 \"{}\" search --evaluate-job \"{}\" --index {{}} --out \"{}/\"",
        n.saturating_sub(1),
        snnrtl_binary(),
        d.join(JOBS).display(),
        d.join(RESULTS).display()
    )
}

/// Writes the job list, its search config and the two launch scripts.
pub fn write_jobs(
    cfg: &SearchConfig,
    dir: &Path,
    list: &[(Vec<i64>, Candidate)],
) -> Result<(), SearchError> {
    std::fs::create_dir_all(dir.join(RESULTS)).map_err(|e| io(dir, "cannot create", e))?;
    let mut jobs = String::new();
    for (index, (genome, candidate)) in list.iter().enumerate() {
        let j = Job {
            index,
            genome: genome.clone(),
            candidate: candidate.clone(),
        };
        jobs += &(serde_json::to_string(&j).expect("a job serialises") + "\n");
    }
    let mut resolved = cfg.clone();
    resolved.dataset.csv = absolute(&cfg.dataset.csv);
    resolved.dataset.split = absolute(&cfg.dataset.split);
    resolved.dataset.flow = cfg.dataset.flow.as_deref().map(absolute);
    write_file(
        &dir.join(JOB_CONFIG),
        &(serde_json::to_string_pretty(&resolved).expect("a config serialises") + "\n"),
    )?;
    write_file(&dir.join(JOBS), &jobs)?;
    let d = absolute(dir);
    let n = list.len();
    let sbatch = format!(
        "#!/bin/bash\n\
         # snnrtl search: one candidate per array task; then\n\
         #   snnrtl search --collect {dir} (with the same -o and seed as the export)\n\
         #SBATCH --job-name=snnrtl-search\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --output={dir}/logs/%A_%a.out\n\
         set -euo pipefail\n\
         SNNRTL=\"${{SNNRTL:-{bin}}}\"\n\
         \"$SNNRTL\" search --evaluate-job \"{jobs}\" --index \"$SLURM_ARRAY_TASK_ID\" --out \"{results}/\"\n",
        dir = d.display(),
        last = n.saturating_sub(1),
        bin = snnrtl_binary(),
        jobs = d.join(JOBS).display(),
        results = d.join(RESULTS).display(),
    );
    std::fs::create_dir_all(dir.join("logs")).map_err(|e| io(dir, "cannot create", e))?;
    write_file(&dir.join(SBATCH), &sbatch)?;
    write_file(
        &dir.join(PARALLEL),
        &format!(
            "#!/bin/sh\n# snnrtl search: the job list on this machine with GNU parallel\n{}\n",
            parallel_command(dir, n)
        ),
    )?;
    Ok(())
}

/// Evaluates line `index` of a job list (its folder holds
/// `search-config.json`) and writes `out/INDEX.json`.
pub fn evaluate_job(jobs: &Path, index: usize, out: &Path) -> Result<Record, SearchError> {
    let dir = jobs.parent().unwrap_or(Path::new("."));
    let cpath = dir.join(JOB_CONFIG);
    let text = std::fs::read_to_string(&cpath).map_err(|e| io(&cpath, "cannot read", e))?;
    let cfg: SearchConfig =
        serde_json::from_str(&text).map_err(|e| io(&cpath, "not a search config", e))?;
    let list = std::fs::read_to_string(jobs).map_err(|e| io(jobs, "cannot read", e))?;
    let lines: Vec<&str> = list.lines().filter(|l| !l.trim().is_empty()).collect();
    let line = lines.get(index).ok_or_else(|| {
        SearchError::field(
            "--index",
            format!(
                "{index} is not in 0..={} ({} jobs)",
                lines.len().saturating_sub(1),
                lines.len()
            ),
        )
    })?;
    let job: Job =
        serde_json::from_str(line).map_err(|e| io(jobs, &format!("line {}", index + 1), e))?;
    job.candidate.check()?;
    let ev = Evaluator::new(&cfg)?;
    let r = ev.evaluate(&job.genome, &job.candidate);
    std::fs::create_dir_all(out).map_err(|e| io(out, "cannot create", e))?;
    write_file(
        &out.join(format!("{index}.json")),
        &(serde_json::to_string(&r).expect("a record serialises") + "\n"),
    )?;
    Ok(r)
}

/// What [`collect`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    /// Results appended to the checkpoint.
    pub added: usize,
    /// Results already there, or of another search context.
    pub ignored: usize,
    /// Indices of the job list whose candidate is still not evaluated.
    pub missing: Vec<usize>,
}

/// Appends every result in `dir/results/` to the checkpoint. A result
/// holds its candidate and context, so results of an earlier job list
/// (or of another search) are harmless: known or foreign ones are ignored.
pub fn collect(dir: &Path, ckpt: &mut Checkpoint) -> Result<Collected, SearchError> {
    let jobs_path = dir.join(JOBS);
    let jobs = std::fs::read_to_string(&jobs_path).map_err(|e| io(&jobs_path, "cannot read", e))?;
    let mut c = Collected {
        added: 0,
        ignored: 0,
        missing: vec![],
    };
    let rdir = dir.join(RESULTS);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&rdir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => vec![],
    };
    files.sort();
    for p in files {
        let text = std::fs::read_to_string(&p).map_err(|e| io(&p, "cannot read", e))?;
        let r: Record = serde_json::from_str(text.trim()).map_err(|e| io(&p, "not a result", e))?;
        if ckpt.append(r)? {
            c.added += 1;
        } else {
            c.ignored += 1;
        }
    }
    for (i, line) in jobs.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let job: Job = serde_json::from_str(line)
            .map_err(|e| io(&jobs_path, &format!("line {}", i + 1), e))?;
        if !ckpt.records.contains_key(&job.candidate) {
            c.missing.push(i);
        }
    }
    Ok(c)
}
