//! `snnrtl flow`: a trained network converted, generated, co-simulated and
//! reported. Stages, in order:
//!
//! 1. read FLOW.json, the dataset, the split and the trained weights;
//! 2. normalise on the training images, then measure test accuracy of the
//!    float ANN, the quantised ANN and the golden-model SNN (TMN and IF, with
//!    and without L4) at every T;
//! 3. quantise the hardware network once and write `network.json`;
//! 4. generate `snn_network` into `rtl/` (with `hardware.architecture`
//!    `folded` or `auto`, only up to [`UNROLLED_BUILD_LIMIT_PES`]);
//! 5. co-simulate the first N test images with Verilator against the golden
//!    model (every layer's spikes, the last layer's state, the class);
//! 6. synthesize for each target with Yosys;
//! 7. with `folded` or `auto` ([`designs`]): the folded engine at every P of
//!    the sweep, co-simulated on every test image (cycles per image),
//!    synthesized (nextpnr on iCE40); per target the fastest design that
//!    fits is chosen, a chosen engine is written to `rtl-folded/` and
//!    co-simulated with stalls on the N images in place of stage 5;
//! 8. write `report.json`, `report.md` and `accuracy.svg`.
//!
//! Every file is written to a temporary name and renamed. Bad input stops
//! the flow in stage 1 or 3, before anything is written.

pub mod accuracy;
pub mod chart;
pub mod designs;
pub mod elm_flow;
pub mod nir_flow;
pub mod report;

use crate::out::write_atomic;
use accuracy::Table;
use anyhow::{anyhow, bail, Context, Result};
use convert::dataset::{Dataset, Split};
use convert::flow_config::FlowConfig;
use convert::mlp::Mlp;
use convert::quantise::{normalise, Kind};
use convert::tensors::TensorSource;
use golden_model::NetworkConfig;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use synth::network::NetworkReport;

/// Version of `report.json`.
pub const REPORT_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct Options {
    pub flow: PathBuf,
    pub out: PathBuf,
    pub cosim_images: Option<usize>,
    pub synth: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct DatasetInfo {
    pub csv: String,
    pub images: usize,
    pub pixels: usize,
    pub classes: usize,
    pub max_value: u32,
    pub split: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConversionInfo {
    pub weights: String,
    pub weight_bits: u32,
    pub normalisation: String,
    pub calibration: String,
    pub lambdas: Vec<f64>,
    pub l4_rule: String,
    pub l4_kappas: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    pub float_test: f64,
    pub tmn_t4: Option<f64>,
    /// TMN at T = 4 minus the float ANN, percentage points.
    pub tmn_t4_minus_float_pp: Option<f64>,
    /// Issue 6's target: within 0.5 points.
    pub tmn_t4_within_half_point: Option<bool>,
    pub if_steps_within_1pt: Option<usize>,
    pub l4_helps: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LayerInfo {
    pub inputs: usize,
    pub outputs: usize,
    pub neuron: String,
    pub vth: i64,
    pub weight_bits: u32,
    pub synaptic_bits: u32,
    pub state_bits: u32,
    pub nonzero_weights: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CosimInfo {
    pub images: usize,
    /// `bit-exact`, `diverged`, or `not run`.
    pub verdict: String,
    pub golden_correct: usize,
    pub rtl_correct: usize,
    pub cycles: u64,
    pub build_seconds: f64,
    /// False when the Verilator library came from the cache.
    pub built_now: bool,
    pub run_seconds: f64,
    pub divergence: Option<String>,
    pub checked: String,
}

impl CosimInfo {
    /// No images were co-simulated (`cosim_images` = 0).
    pub fn not_run(checked: String) -> CosimInfo {
        CosimInfo {
            images: 0,
            verdict: "not run (cosim_images = 0)".into(),
            golden_correct: 0,
            rtl_correct: 0,
            cycles: 0,
            build_seconds: 0.0,
            built_now: false,
            run_seconds: 0.0,
            divergence: None,
            checked,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hardware {
    pub neuron: String,
    pub timesteps: usize,
    pub l4_kappa: Option<f64>,
    pub golden_test_accuracy: f64,
    pub network_file: String,
    pub rtl_dir: String,
    pub top: String,
    pub processing_elements: usize,
    pub layers: Vec<LayerInfo>,
    pub cosim: CosimInfo,
    pub synth: Vec<NetworkReport>,
    pub synth_errors: Vec<String>,
    /// `hardware.architecture` of the flow file.
    pub architecture: String,
    /// Every design built, per target (`hardware.designs`).
    pub designs: Vec<designs::DesignRow>,
    /// The design chosen per target, and why.
    pub choices: Vec<designs::Choice>,
    /// The folded engines' co-simulations on every test image.
    pub folded_runs: Vec<designs::FoldedRun>,
}

/// Above this many PEs the flow does not write or synthesize the unrolled
/// network when it may choose the folded engine (784-64-10 has 50,816 PEs
/// and 36 MB of Verilog); its row then holds the estimate.
pub const UNROLLED_BUILD_LIMIT_PES: usize = 10_000;

#[derive(Debug, Clone, Serialize)]
pub struct FlowReport {
    pub format_version: u32,
    pub generator: String,
    pub name: String,
    pub flow_file: String,
    pub dataset: DatasetInfo,
    pub conversion: ConversionInfo,
    pub accuracy: Table,
    pub findings: Findings,
    pub hardware: Hardware,
    pub seconds: f64,
}

pub const L4_RULE: &str = "hidden neuron o: gamma_o = 1 + kappa * ||W~_o||_4 (W~: its normalised weights); its weights and bias are divided by gamma_o (threshold raised by gamma_o) and the next layer's column o is multiplied by gamma_o; kappa is chosen per neuron kind and T as the candidate with the best training-set accuracy (smaller kappa on ties)";

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
            .expect("template")
            .progress_chars("=> "),
    );
    pb.set_prefix(what.to_string());
    pb
}

/// `hardware.targets` of a flow file, each one line naming its index.
pub(super) fn parse_targets(flow: &Path, names: &[String]) -> Result<Vec<synth::Target>> {
    names
        .iter()
        .enumerate()
        .map(|(i, t)| {
            synth::Target::parse(t).map_err(|e| {
                anyhow!(
                    "{}: hardware.targets[{i}]: {}",
                    flow.display(),
                    e.trim_start_matches("--target: ")
                )
            })
        })
        .collect()
}

pub(super) fn say(msg: &str) {
    eprintln!("{msg}");
}

/// The default flow: the digits example shipped with the repository.
pub fn default_flow() -> PathBuf {
    let local = Path::new("examples/digits/flow.json");
    if local.exists() {
        return local.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/digits/flow.json")
}

pub fn run(opts: &Options) -> Result<FlowReport> {
    let start = Instant::now();
    // Stage 1: inputs, all validated before anything is written.
    let fc = FlowConfig::read(&opts.flow)?;
    let ds = Dataset::read_csv(&fc.dataset_csv, fc.max_value)?;
    if ds.pixels() != fc.layers[0].inputs {
        bail!(
            "{}: layers[0].inputs: {} but {} has {} pixels per image",
            opts.flow.display(),
            fc.layers[0].inputs,
            fc.dataset_csv.display(),
            ds.pixels()
        );
    }
    let last_out = fc.layers.last().expect("a layer").outputs;
    if ds.classes > last_out {
        bail!(
            "{}: layers[{}].outputs: {last_out} but the dataset has {} classes",
            opts.flow.display(),
            fc.layers.len() - 1,
            ds.classes
        );
    }
    let split = Split::read(&fc.split, ds.images.len())?;
    if split.test.is_empty() || split.train.is_empty() {
        bail!(
            "{}: train and test must both hold images",
            fc.split.display()
        );
    }
    let src = TensorSource::open(&fc.weights)?;
    let mlp = Mlp::load(&src, &fc.layers)?;
    convert::encode::Encoder::Tmn.check(fc.max_value)?;
    let cosim_images = opts.cosim_images.unwrap_or(fc.cosim_images);
    if cosim_images > split.test.len() {
        bail!(
            "hardware.cosim_images: {cosim_images} is not in 0..={} (the test images)",
            split.test.len()
        );
    }
    let targets = parse_targets(&opts.flow, &fc.targets)?;
    // The tools, before anything is written: the not-found message says how
    // to install them.
    if cosim_images > 0 {
        snn_tools::find(snn_tools::Tool::Verilator)?;
    }
    if opts.synth && !targets.is_empty() {
        synth::find_tools(false)?;
    }
    say(&format!(
        "flow {}: {} images ({}), weights {}",
        fc.name,
        ds.images.len(),
        split.description,
        src.describe()
    ));

    // Stage 2: accuracy.
    let calib: Vec<Vec<f64>> = split.train.iter().map(|&i| ds.float_image(i)).collect();
    let n = normalise(&mlp, &calib, fc.norm)?;
    let pb = bar(3 * fc.timesteps.len() as u64, "accuracy");
    let table = accuracy::table(&fc, &mlp, &n, &ds, &split, |m| {
        pb.set_message(m.to_string());
        pb.inc(1);
    })?;
    pb.finish_and_clear();
    say(&format!(
        "accuracy: float ANN {:.2}%, quantised TMN {:.2}%, quantised IF {:.2}% ({} test images)",
        table.float_test, table.quantised_tmn, table.quantised_if, table.test_images
    ));

    // Stage 3: the hardware network.
    let hw_t = fc.hw_timesteps;
    // A lif network without hardware.leak_shift takes the table's choice.
    let hw_kind = match fc.hw_kind {
        Kind::Lif { leak_shift: 0 } => Kind::Lif {
            leak_shift: match table.row(hw_t) {
                Some(r) => r.lif.leak_shift,
                None => accuracy::choose_leak_shift(&n, hw_t, &fc, &ds, &split.train)?.0,
            },
        },
        k => k,
    };
    let kappa = if fc.hw_l4 {
        let from_table = table.row(hw_t).and_then(|r| match hw_kind {
            Kind::Tmn => Some(r.tmn.l4_kappa),
            Kind::If => Some(r.if_.l4_kappa),
            Kind::Lif { .. } => None,
        });
        Some(match from_table {
            Some(k) => k,
            None => accuracy::choose_kappa(&n, hw_kind, hw_t, &fc, &ds, &split.train)?.0,
        })
    } else {
        None
    };
    let net = accuracy::network(&n, hw_kind, hw_t, kappa, &fc)?;
    let enc = accuracy::encoder(hw_kind, &fc);
    // The golden model's class for every test image, computed once: the
    // hardware network's accuracy, and the classes co-simulation must match.
    let hw_preds = convert::evaluate::snn_predictions(&net, enc, &ds, &split.test);
    let hw_correct = hw_preds
        .iter()
        .zip(&split.test)
        .filter(|(&p, &i)| p == ds.labels[i])
        .count();
    let hw_score = 100.0 * hw_correct as f64 / split.test.len() as f64;
    designs::check(&fc, &net)?;
    let out = &opts.out;
    let mut net_json = net.to_json();
    net_json["meta"] = serde_json::json!({
        "flow": fc.name, "encoder": enc.name(), "input_max_value": fc.max_value,
        "readout": "argmax of golden_model::network::readout of the last layer",
        "l4_kappa": kappa, "weights": src.describe(),
    });
    write_atomic(
        &out.join("network.json"),
        (serde_json::to_string_pretty(&net_json)? + "\n").as_bytes(),
    )?;

    // Stage 4: RTL.
    let pes: usize = net.layers.iter().map(|l| l.inputs * l.outputs).sum();
    let unrolled_only = fc.architecture == convert::flow_config::Architecture::Unrolled;
    let build_unrolled = unrolled_only || pes <= UNROLLED_BUILD_LIMIT_PES;
    let design = if build_unrolled {
        rtl_gen::generate_network(&net)
    } else {
        rtl_gen::Design {
            files: vec![],
            manifest: serde_json::json!({"top": "snn_network"}),
        }
    };
    let rtl_dir = out.join("rtl");
    let mut top = design.manifest["top"]
        .as_str()
        .unwrap_or("snn_network")
        .to_string();
    if build_unrolled {
        crate::cmd_generate::write_design(&design, &rtl_dir)?;
        say(&format!(
            "network: {} {} T={} -> {} ({} files, top {top})",
            hw_kind.name(),
            net.layers
                .iter()
                .map(|l| l.outputs.to_string())
                .fold(net.inputs().to_string(), |a, b| format!("{a}-{b}")),
            hw_t,
            rtl_dir.display(),
            design.files.len()
        ));
    } else {
        say(&format!(
            "network: unrolled would need {pes} PEs: not written or synthesized (its row holds the estimate)"
        ));
    }

    // Stages 5 and 6 run side by side: Verilator's C++ build and Yosys each
    // keep one core busy.
    let unrolled_cosim = if unrolled_only { cosim_images } else { 0 };
    let (cosim, synth_out) = std::thread::scope(|sc| {
        let synth_job = sc.spawn(|| {
            if build_unrolled {
                synth_stage(opts, &targets, &design.files, &top, out)
            } else {
                Ok((vec![], vec![]))
            }
        });
        let cosim = cosim_stage(&net, enc, &ds, &split.test[..unrolled_cosim], &hw_preds);
        let synth_out = synth_job.join().expect("synthesis thread");
        (cosim, synth_out)
    });
    let mut cosim = cosim?;
    let (synth_reports, synth_errors) = synth_out?;
    // The designs: the unrolled network and the folded engine over P.
    let designs = designs::designs_stage(
        &fc,
        &net,
        enc,
        &ds,
        &split.test,
        &targets,
        &synth_reports,
        opts.synth,
        out,
    )?;
    for c in &designs.choices {
        say(&format!("choice {}: {} ({})", c.target, c.design, c.reason));
    }
    let mut rtl_name = "rtl".to_string();
    if let Some(p) = designs::chosen_folded(&designs) {
        let plan = rtl_gen::folded::plan::FoldedPlan::new(&net, p, None);
        let folded_dir = out.join("rtl-folded");
        crate::cmd_generate::write_design(
            &rtl_gen::arch::Architecture::Folded(plan.clone()).design(&net),
            &folded_dir,
        )?;
        rtl_name = "rtl-folded".into();
        top = "snn_folded".into();
        cosim = folded_cosim_stage(
            &net,
            &plan,
            enc,
            &ds,
            &split.test[..cosim_images],
            &hw_preds,
        )?;
    }
    say(&format!(
        "cosim: {} on {} images (RTL {} / golden {} correct)",
        cosim.verdict, cosim.images, cosim.rtl_correct, cosim.golden_correct
    ));
    for r in &synth_reports {
        say(&format!(
            "synth {}: {} LUTs, {} carry, {} FFs, {} BRAM, {} DSP: {}",
            r.target,
            r.cells.luts + r.cells.lut_mem,
            r.cells.carries,
            r.cells.ffs,
            r.cells.brams,
            r.cells.dsps,
            r.fit.message
        ));
    }

    let layers = net
        .layers
        .iter()
        .map(|l| {
            let w = l.widths();
            LayerInfo {
                inputs: l.inputs,
                outputs: l.outputs,
                neuron: l.neuron.kind().to_string(),
                vth: match l.neuron {
                    golden_model::Neuron::If { vth, .. }
                    | golden_model::Neuron::Lif { vth, .. }
                    | golden_model::Neuron::Tmn { vth } => vth,
                    _ => 0,
                },
                weight_bits: l.weight_bits,
                synaptic_bits: w.synaptic_bits,
                state_bits: w.state_bits,
                nonzero_weights: l
                    .weights
                    .as_ref()
                    .map_or(0, |w| w.iter().flatten().filter(|&&x| x != 0).count()),
            }
        })
        .collect::<Vec<_>>();
    let t4 = table.row(4).map(|r| r.tmn.plain);
    let mut l4_helps = vec![];
    for r in &table.rows {
        for (k, c) in [("TMN", &r.tmn), ("IF", &r.if_)] {
            let d = c.l4 - c.plain;
            l4_helps.push(format!(
                "{k} T={}: {:+.2} points (kappa {})",
                r.timesteps, d, c.l4_kappa
            ));
        }
    }
    let report = FlowReport {
        format_version: REPORT_FORMAT_VERSION,
        generator: format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        name: fc.name.clone(),
        flow_file: opts.flow.display().to_string(),
        dataset: DatasetInfo {
            csv: fc.dataset_csv.display().to_string(),
            images: ds.images.len(),
            pixels: ds.pixels(),
            classes: ds.classes,
            max_value: fc.max_value,
            split: split.description.clone(),
        },
        conversion: ConversionInfo {
            weights: src.describe(),
            weight_bits: fc.weight_bits,
            normalisation: fc.norm.describe(),
            calibration: format!("the {} training images", split.train.len()),
            lambdas: n.lambdas.clone(),
            l4_rule: L4_RULE.into(),
            l4_kappas: fc.l4_kappas.clone(),
        },
        findings: Findings {
            float_test: table.float_test,
            tmn_t4: t4,
            tmn_t4_minus_float_pp: t4.map(|a| a - table.float_test),
            tmn_t4_within_half_point: t4.map(|a| a >= table.float_test - 0.5),
            if_steps_within_1pt: table.if_steps_within_1pt(),
            l4_helps,
        },
        accuracy: table,
        hardware: Hardware {
            neuron: hw_kind.name().into(),
            timesteps: hw_t,
            l4_kappa: kappa,
            golden_test_accuracy: hw_score,
            network_file: "network.json".into(),
            rtl_dir: rtl_name,
            top,
            processing_elements: pes,
            layers,
            cosim,
            synth: synth_reports,
            synth_errors: synth_errors.into_iter().chain(designs.errors).collect(),
            architecture: designs.architecture,
            designs: designs.rows,
            choices: designs.choices,
            folded_runs: designs.folded_runs,
        },
        seconds: start.elapsed().as_secs_f64(),
    };
    write_atomic(
        &out.join("accuracy.svg"),
        chart::accuracy_svg(
            &format!("{}: test accuracy against timesteps", fc.name),
            &report.accuracy,
        )
        .as_bytes(),
    )?;
    write_atomic(
        &out.join("report.json"),
        (serde_json::to_string_pretty(&report)? + "\n").as_bytes(),
    )?;
    write_atomic(&out.join("report.md"), report::markdown(&report).as_bytes())?;
    Ok(report)
}

type SynthOut = (Vec<NetworkReport>, Vec<String>);

/// Synthesizes the network for every target, one after the other.
pub(super) fn synth_stage(
    opts: &Options,
    targets: &[synth::Target],
    files: &[(String, String)],
    top: &str,
    out: &Path,
) -> Result<SynthOut> {
    let (mut reports, mut errors) = (vec![], vec![]);
    if !opts.synth || targets.is_empty() {
        return Ok((reports, errors));
    }
    let tools = synth::find_tools(false)?;
    for t in targets {
        say(&format!("synth {}: running Yosys", t.name()));
        let dir = out.join("synth").join(t.name());
        match synth::network::synthesize_network(files, top, *t, &tools, &dir) {
            Ok(r) => reports.push(r),
            Err(e) => errors.push(format!("{}: {e:#}", t.name())),
        }
    }
    Ok((reports, errors))
}

/// Co-simulation of the chosen folded engine on the first test images, with
/// random input stalls and output back-pressure.
pub(super) fn folded_cosim_stage(
    net: &NetworkConfig,
    plan: &rtl_gen::folded::plan::FoldedPlan,
    enc: convert::encode::Encoder,
    ds: &Dataset,
    idx: &[usize],
    golden_all: &[usize],
) -> Result<CosimInfo> {
    let images = idx.len();
    let checked = format!(
        "the folded engine (P = {}) with random input stalls and output back-pressure: every layer's spike at every step, every readout, the class and the flags",
        plan.p
    );
    let golden_correct = golden_all[..images]
        .iter()
        .zip(idx)
        .filter(|(&p, &i)| p == ds.labels[i])
        .count();
    if images == 0 {
        return Ok(CosimInfo::not_run(checked));
    }
    let t = net.timesteps();
    let samples: Vec<Vec<golden_model::LaneVec>> = idx
        .iter()
        .map(|&i| enc.lanes(&ds.images[i], ds.max_value, t, i))
        .collect();
    let designs::FoldedCosim {
        outcome,
        stats,
        build_seconds,
        built_now,
        run_seconds,
    } = designs::cosim_folded(net, plan, &samples, true, 7)?;
    Ok(match (outcome, stats) {
        (cosim::run::Outcome::Match { cycles, .. }, Some(_)) => CosimInfo {
            images,
            verdict: "bit-exact".into(),
            golden_correct,
            // Every class matched the golden model's.
            rtl_correct: golden_correct,
            cycles,
            build_seconds,
            built_now,
            run_seconds,
            divergence: None,
            checked,
        },
        (o, _) => CosimInfo {
            images,
            verdict: "diverged".into(),
            golden_correct,
            rtl_correct: 0,
            cycles: 0,
            build_seconds,
            built_now,
            run_seconds,
            divergence: Some(match o {
                cosim::run::Outcome::Diverged(d) => d.to_string(),
                o => format!("{o:?}"),
            }),
            checked,
        },
    })
}

pub(super) fn cosim_stage(
    net: &NetworkConfig,
    enc: convert::encode::Encoder,
    ds: &Dataset,
    idx: &[usize],
    golden_all: &[usize],
) -> Result<CosimInfo> {
    let images = idx.len();
    let checked = "every layer's spikes at every step, the last layer's state and flags, and the class (argmax of the readout)".to_string();
    if images == 0 {
        return Ok(CosimInfo::not_run(checked));
    }
    let t = net.timesteps();
    let samples: Vec<Vec<golden_model::LaneVec>> = idx
        .iter()
        .map(|&i| enc.lanes(&ds.images[i], ds.max_value, t, i))
        .collect();
    let golden = &golden_all[..images];
    let golden_correct = golden
        .iter()
        .zip(idx)
        .filter(|(&p, &i)| p == ds.labels[i])
        .count();
    let pb = ProgressBar::new_spinner();
    pb.set_message(format!(
        "verilating the network ({} PEs)",
        net.layers
            .iter()
            .map(|l| l.inputs * l.outputs)
            .sum::<usize>()
    ));
    pb.enable_steady_tick(std::time::Duration::from_millis(200));
    let b0 = Instant::now();
    let lib = cosim::network::build_network(net).context("cosim: building the network")?;
    let build_seconds = b0.elapsed().as_secs_f64();
    pb.set_message(format!("co-simulating {images} images"));
    let r0 = Instant::now();
    let outcome = cosim::network::cosim_network(&lib, net, &samples, false, 1)
        .context("cosim: running the network")?;
    let run_seconds = r0.elapsed().as_secs_f64();
    pb.finish_and_clear();
    Ok(match outcome {
        cosim::network::NetworkOutcome::Match {
            cycles,
            predictions,
            ..
        } => {
            if predictions != golden {
                bail!("cosim: internal: the co-simulation matched but its predictions differ from the flow's golden run");
            }
            let rtl_correct = predictions
                .iter()
                .zip(idx)
                .filter(|(&p, &i)| p == ds.labels[i])
                .count();
            CosimInfo {
                images,
                verdict: "bit-exact".into(),
                golden_correct,
                rtl_correct,
                cycles,
                build_seconds,
                built_now: lib.built_now,
                run_seconds,
                divergence: None,
                checked,
            }
        }
        cosim::network::NetworkOutcome::Diverged(d) => CosimInfo {
            images,
            verdict: "diverged".into(),
            golden_correct,
            rtl_correct: 0,
            cycles: 0,
            build_seconds,
            built_now: lib.built_now,
            run_seconds,
            divergence: Some(d.to_string()),
            checked,
        },
    })
}
