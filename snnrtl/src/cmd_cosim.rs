//! `snnrtl cosim CASE.json [--rtl DIR] [--samples N] [--seed S] [--vcd FILE]`:
//! the Verilog, run by Verilator, against the golden model.
//!
//! The case's samples are used unless `--samples` asks for N random ones. A
//! network file may carry them too: a `samples` array of SPEC section 5
//! sample objects for its first layer (`{"spikes": [[T x inputs]]}`), beside
//! `network`, so that a data set's images run through `snn_network` or the
//! folded engine.
//! Without `--rtl` the core is generated from the case; with it, the `.v`
//! files in DIR are simulated instead (a hand-edited design, or Yosys's
//! netlist from `write_verilog`), built with Verilator's careful `-O0`
//! (see `cosim::verilator::Opt`). Exit 0 only if every sample, step and neuron
//! matches: spikes, state readout and sticky flags (an elm layer: every
//! step's readout and memory, and the flags).

use crate::cmd_generate::{load_input, Input};
use anyhow::{bail, ensure, Context, Result};
use cosim::run::{self, Outcome};
use cosim::samples::{random_samples, SampleSpec};
use cosim::verilator::{Builder, Opt};
use golden_model::{Case, LaneVec, Sample};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Case file (SPEC section 5) or layer file
    case: PathBuf,
    /// Simulate the .v files in this folder (top snn_core) instead of generating
    #[arg(long, value_name = "DIR")]
    rtl: Option<PathBuf>,
    /// Use N random samples instead of the case's (1..=1000000)
    #[arg(long, value_name = "N")]
    samples: Option<usize>,
    /// Seed for random samples and stalls
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Percent of zero lanes in random samples (0..=100)
    #[arg(long, default_value_t = 50)]
    zero_percent: u32,
    /// Percent of illegal lanes (code 10) in random samples (0..=100)
    #[arg(long, default_value_t = 0)]
    illegal_percent: u32,
    /// Random input gaps and output back-pressure
    #[arg(long)]
    stall: bool,
    /// On a divergence, write a waveform of that sample here (VCD)
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    #[command(flatten)]
    hw: crate::hw_args::HwArgs,
}

/// The case's samples, if the document has any (as lane vectors: a layer
/// with weights takes spikes or lanes).
fn case_samples(path: &Path, doc: &serde_json::Value) -> Result<Option<Vec<Vec<LaneVec>>>> {
    if doc.get("samples").is_none() {
        return Ok(None);
    }
    let case = Case::from_json(doc).with_context(|| path.display().to_string())?;
    Ok(Some(
        case.samples
            .into_iter()
            .map(|s| match s {
                Sample::Lanes(l) => l,
                Sample::Currents(_) => unreachable!("a layer with weights takes spikes"),
            })
            .collect(),
    ))
}

/// A network file's own samples, if it has a `samples` array: SPEC section 5
/// sample objects for its first layer, checked as a case of that layer.
fn network_samples(
    path: &Path,
    net: &golden_model::NetworkConfig,
) -> Result<Option<Vec<Vec<LaneVec>>>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| format!("{name}: cannot read"))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{name}: not valid JSON"))?;
    let Some(samples) = doc.get("samples") else {
        return Ok(None);
    };
    let case = serde_json::json!({
        "format_version": golden_model::case::FORMAT_VERSION,
        "layer": net.layers[0].to_json(),
        "samples": samples,
    });
    case_samples(path, &case)
}

/// The percentages and `--samples`, checked before anything runs.
fn check_options(a: &Args) -> Result<()> {
    ensure!(
        a.zero_percent <= 100,
        "--zero-percent: {} is not in 0..=100",
        a.zero_percent
    );
    ensure!(
        a.illegal_percent <= 100,
        "--illegal-percent: {} is not in 0..=100",
        a.illegal_percent
    );
    ensure!(
        a.zero_percent + a.illegal_percent <= 100,
        "--illegal-percent: {} plus --zero-percent {} exceeds 100",
        a.illegal_percent,
        a.zero_percent
    );
    if let Some(n) = a.samples {
        ensure!(
            (1..=1_000_000).contains(&n),
            "--samples: {n} is not in 1..=1000000"
        );
    }
    Ok(())
}

fn spec(a: &Args) -> SampleSpec {
    SampleSpec {
        seed: a.seed,
        zero_percent: a.zero_percent,
        illegal_percent: a.illegal_percent,
        extremes: true,
    }
}

pub fn run(a: Args) -> Result<()> {
    check_options(&a)?;
    let input = load_input(&a.case)?;
    let hw = a.hw.resolve(&input)?;
    let arch = hw
        .layer_architecture()
        .unwrap_or(rtl_gen::arch::Architecture::Unrolled);
    if let crate::hw_args::Hardware::Folded(net, plan) = hw {
        let given = match &input {
            Input::Layer(doc, _) => case_samples(&a.case, doc)?,
            Input::Network(_) => network_samples(&a.case, &net)?,
        };
        return run_folded(&a, &net, &plan, given);
    }
    let (doc, cfg) = match input {
        Input::Layer(doc, cfg) => (doc, cfg),
        Input::Network(net) => return run_network(&a, &net),
    };
    let samples = match (a.samples, case_samples(&a.case, &doc)?) {
        (Some(n), _) => random_samples(cfg.inputs, cfg.timesteps, n, spec(&a)),
        (None, Some(s)) => s,
        (None, None) => bail!(
            "{}: has no samples; give --samples N for random ones",
            a.case.display()
        ),
    };
    let generated;
    let rtl_dir = match &a.rtl {
        Some(d) => d.clone(),
        None => {
            let d = std::env::temp_dir().join(format!("snnrtl-cosim-{}", std::process::id()));
            crate::cmd_generate::write_design(&arch.layer_core(&cfg).0, &d)?;
            generated = d;
            generated.clone()
        }
    };
    let builder = Builder::new()?;
    // Foreign Verilog (hand edits, netlists) gets Verilator's careful level.
    let opt = if a.rtl.is_some() {
        Opt::Careful
    } else {
        Opt::Rtl
    };
    let lib = builder
        .build(&rtl_dir, false, opt)
        .context("building the simulation")?;
    say_build(&builder, &lib);
    let mut sim = run::open(&lib, None)?;
    let outcome = run::cosim(sim.pin_mut(), &cfg, &samples, a.stall, a.seed)?;
    drop(sim);
    if a.rtl.is_none() {
        let _ = std::fs::remove_dir_all(&rtl_dir);
    }
    match outcome {
        Outcome::Match {
            samples,
            outputs,
            cycles,
        } => {
            if let golden_model::Neuron::Elm(e) = &cfg.neuron {
                println!(
                    "cosim PASS: {samples} samples x {} steps bit-exact (elm{}: {} readouts, {} memory units, flags); {outputs} output records in {cycles} cycles, {:.1} per sample{}",
                    cfg.timesteps,
                    if arch == rtl_gen::arch::Architecture::FoldedElm { ", folded synapses" } else { "" },
                    cfg.outputs,
                    e.memory,
                    cycles as f64 / samples.max(1) as f64,
                    if a.stall { ", stalls included" } else { "" }
                );
            } else {
                println!(
                    "cosim PASS: {samples} samples x {} steps x {} neurons bit-exact (spikes, state, flags); {outputs} output vectors in {cycles} cycles",
                    cfg.timesteps, cfg.outputs
                );
            }
            Ok(())
        }
        Outcome::Diverged(d) => {
            let mut msg = format!("cosim FAIL: first divergence at {d}");
            if let Some(vcd) = &a.vcd {
                let traced = builder
                    .build(&rtl_dir, true, opt)
                    .context("building the traced simulation")?;
                let tmp = vcd.with_extension("vcd.tmp");
                {
                    let mut sim = run::open(&traced, Some(&tmp))?;
                    run::trace_sample(sim.pin_mut(), &cfg, &samples, d.sample, a.stall, a.seed)?;
                }
                std::fs::rename(&tmp, vcd)
                    .with_context(|| format!("{}: cannot write", vcd.display()))?;
                msg += &format!("; waveform of sample {} in {}", d.sample, vcd.display());
            }
            bail!(msg)
        }
    }
}

/// A network file: its own samples, or random ones (`--samples N`), through
/// `snn_network` (generated, or the `.v` files in `--rtl`), every link's
/// spikes, the last layer's state and flags, and the class compared with the
/// golden model.
fn run_network(a: &Args, net: &golden_model::NetworkConfig) -> Result<()> {
    ensure!(
        a.vcd.is_none(),
        "--vcd: waveforms are written for a layer's core; run the layer's case to trace it"
    );
    let samples = match (a.samples, network_samples(&a.case, net)?) {
        (Some(n), _) => random_samples(net.inputs(), net.timesteps(), n, spec(a)),
        (None, Some(s)) => s,
        (None, None) => bail!(
            "{}: a network file has no samples; give --samples N for random ones",
            a.case.display()
        ),
    };
    let n = samples.len();
    let builder = Builder::new()?;
    let lib = match &a.rtl {
        Some(dir) => builder.build(dir, false, Opt::Careful),
        None => cosim::network::build_network_with(&builder, net, false),
    }
    .context("building the simulation")?;
    say_build(&builder, &lib);
    match cosim::network::cosim_network(&lib, net, &samples, a.stall, a.seed)? {
        cosim::network::NetworkOutcome::Match { cycles, .. } => {
            println!(
                "cosim PASS: {n} samples x {} steps through {} layers bit-exact (every link's spikes, the last layer's state and flags, the class); {cycles} cycles",
                net.timesteps(),
                net.layers.len()
            );
            Ok(())
        }
        cosim::network::NetworkOutcome::Diverged(d) => {
            bail!("cosim FAIL: first divergence at {d}")
        }
    }
}

/// The folded engine (`--architecture folded`): the file's samples (`given`)
/// or random ones (`--samples N`) through `snn_folded`, weights loaded
/// through its configuration port, every layer's spikes, the readouts, the
/// class and the flags compared.
fn run_folded(
    a: &Args,
    net: &golden_model::NetworkConfig,
    plan: &rtl_gen::folded::plan::FoldedPlan,
    given: Option<Vec<Vec<LaneVec>>>,
) -> Result<()> {
    ensure!(
        a.vcd.is_none() && a.rtl.is_none(),
        "--architecture folded: --vcd and --rtl take the unrolled core"
    );
    let samples = match (a.samples, given) {
        (Some(n), _) => random_samples(net.inputs(), net.timesteps(), n, spec(a)),
        (None, Some(s)) => s,
        (None, None) => bail!(
            "{}: has no samples; give --samples N for random ones",
            a.case.display()
        ),
    };
    let n = samples.len();
    let builder = Builder::new()?;
    let lib = cosim::folded::build_folded_with(&builder, net, plan, false)
        .context("building the simulation")?;
    say_build(&builder, &lib);
    match cosim::folded::cosim_folded_lib(&lib, net, plan, &samples, a.stall, a.seed)? {
        (Outcome::Match { cycles, .. }, Some(st)) => {
            println!(
                "cosim PASS: {n} samples through the folded engine (P = {}, {} layers) bit-exact (every layer's spikes, the readouts, the class, the flags); {cycles} cycles, {:.1} per image (max {}){}",
                plan.p,
                net.layers.len(),
                st.mean(),
                st.max(),
                if a.stall { ", stalls included" } else { "" }
            );
            Ok(())
        }
        (Outcome::Diverged(d), _) => bail!("cosim FAIL: first divergence at {d}"),
        (o, None) => bail!("cosim FAIL: {o:?}"),
    }
}

/// One line on stderr: the Verilator version and the build time, or that
/// the library came from the cache.
fn say_build(builder: &Builder, lib: &cosim::verilator::Library) {
    eprintln!(
        "{}: {}",
        builder.verilator.version,
        if lib.built_now {
            format!("built in {:.1} s", lib.build_seconds)
        } else {
            "cached build".into()
        }
    );
}
