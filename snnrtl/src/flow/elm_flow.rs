//! `snnrtl flow` with an `elm` case: an integer ELM neuron trained and
//! quantised elsewhere (`examples/elm-digits/train_elm.py`) and shipped as a
//! SPEC section 5 case whose `meta.labels` give each sample's class. No
//! conversion: the golden model classifies every sample (argmax of the
//! readout at the last step), the layer's core (`rtl_gen::elm_core`) is
//! generated, the first `cosim_images` samples are co-simulated in
//! Verilator against the golden model (every step's readout and memory, the
//! flags; the classes follow from bit-exact readouts), and the core is
//! synthesized for each target.
//!
//! The flow file:
//! ```json
//! {"format_version": 1, "name": "elm-digits",
//!  "elm": {"case": "test_case.json"},
//!  "hardware": {"cosim_images": 540, "stall": true, "targets": ["xilinx-7", "ice40-up5k"]}}
//! ```
//! `stall` (random input gaps and output back-pressure) is optional,
//! default true; `"architecture"` is optional: `"unrolled"` (default, the
//! array core) or `"folded"` (the folded elm core, `rtl_gen::elm_folded`:
//! one synapse accumulator over the weights in block RAM, which fits the
//! iCE40UP5K); paths are relative to the flow file.

use super::{say, CosimInfo, Options};
use crate::out::write_atomic;
use anyhow::{anyhow, bail, Context, Result};
use golden_model::json_path::{self, Obj};
use golden_model::{argmax, Case, LaneVec, Layer, LayerConfig, Neuron, Sample};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The elm flow report's format.
pub const FORMAT_VERSION: u32 = 1;

/// True when the flow file names an elm case (`elm.case`).
pub fn is_elm_flow(path: &Path) -> Result<bool> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", path.display()))?;
    Ok(v.get("elm").is_some())
}

/// An elm flow file, validated.
#[derive(Debug, Clone)]
pub struct ElmFlowConfig {
    pub name: String,
    pub case: PathBuf,
    pub cosim_images: usize,
    pub stall: bool,
    pub targets: Vec<synth::Target>,
    /// `Unrolled` or `FoldedElm`.
    pub architecture: rtl_gen::arch::Architecture,
}

impl ElmFlowConfig {
    pub fn from_json(v: &Value, path: &Path) -> Result<Self, golden_model::ConfigError> {
        let base = path.parent().unwrap_or(Path::new("."));
        let root = Obj::of(v, "")?;
        let fv = json_path::int(root.req("format_version")?, "format_version")?;
        if fv != 1 {
            return Err(golden_model::ConfigError::new(
                "format_version",
                format!("{fv} is not supported (accepted: 1)"),
            ));
        }
        let name = match v.get("name") {
            Some(n) => n
                .as_str()
                .ok_or_else(|| golden_model::ConfigError::new("name", "must be a string"))?
                .to_string(),
            None => "elm".into(),
        };
        let elm = Obj::of(root.req("elm")?, "elm")?;
        let case = elm
            .req("case")?
            .as_str()
            .ok_or_else(|| golden_model::ConfigError::new("elm.case", "must be a path string"))?;
        let hw = Obj::of(root.req("hardware")?, "hardware")?;
        let cosim_images = hw.int_in("cosim_images", 0, 1_000_000)? as usize;
        let stall = match v["hardware"].get("stall") {
            None => true,
            Some(s) => s.as_bool().ok_or_else(|| {
                golden_model::ConfigError::new("hardware.stall", "must be true or false")
            })?,
        };
        let targets = match v["hardware"].get("targets") {
            None => vec![],
            Some(t) => json_path::array(t, "hardware.targets")?
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let p = format!("hardware.targets[{i}]");
                    let s = x
                        .as_str()
                        .ok_or_else(|| golden_model::ConfigError::new(&p, "must be a string"))?;
                    synth::Target::parse(s).map_err(|e| golden_model::ConfigError::new(&p, e))
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let architecture = match v["hardware"].get("architecture") {
            None => rtl_gen::arch::Architecture::Unrolled,
            Some(a) => match a.as_str() {
                Some("unrolled") => rtl_gen::arch::Architecture::Unrolled,
                Some("folded") => rtl_gen::arch::Architecture::FoldedElm,
                _ => {
                    return Err(golden_model::ConfigError::new(
                        "hardware.architecture",
                        format!("{a} is not accepted: \"unrolled\" or \"folded\""),
                    ))
                }
            },
        };
        Ok(ElmFlowConfig {
            name,
            case: base.join(case),
            cosim_images,
            stall,
            targets,
            architecture,
        })
    }
}

/// One target's synthesis, as the report keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct ElmSynth {
    pub target: String,
    pub luts: u64,
    pub ffs: u64,
    pub fit: String,
    pub report: synth::Report,
}

/// What the elm flow did (`report.json`).
#[derive(Debug, Clone, Serialize)]
pub struct ElmFlowReport {
    pub format_version: u32,
    pub generator: String,
    pub name: String,
    pub case: String,
    pub samples: usize,
    pub golden_correct: usize,
    pub golden_test_accuracy: f64,
    pub rtl_dir: String,
    /// `unrolled` or `folded elm P=1`.
    pub architecture: String,
    pub cycles_per_step: usize,
    pub step_latency_cycles: usize,
    pub cosim: CosimInfo,
    pub synth: Vec<ElmSynth>,
    pub synth_errors: Vec<String>,
    pub seconds: f64,
}

fn labels(case_doc: &Value, n: usize, path: &Path) -> Result<Vec<usize>> {
    let l = case_doc
        .pointer("/meta/labels")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            anyhow!(
                "{}: meta.labels: required (one class per sample)",
                path.display()
            )
        })?;
    if l.len() != n {
        bail!(
            "{}: meta.labels: {} labels for {n} samples",
            path.display(),
            l.len()
        );
    }
    l.iter()
        .enumerate()
        .map(|(i, x)| {
            x.as_u64()
                .map(|x| x as usize)
                .ok_or_else(|| anyhow!("{}: meta.labels[{i}]: not a class index", path.display()))
        })
        .collect()
}

pub fn run(opts: &Options) -> Result<ElmFlowReport> {
    let start = Instant::now();
    // Stage 1: inputs, validated before anything is written.
    let text = std::fs::read_to_string(&opts.flow)
        .with_context(|| format!("{}: cannot read", opts.flow.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", opts.flow.display()))?;
    let fc = ElmFlowConfig::from_json(&v, &opts.flow)
        .map_err(|e| anyhow!("{}: {e}", opts.flow.display()))?;
    let case_text = std::fs::read_to_string(&fc.case)
        .with_context(|| format!("{}: cannot read", fc.case.display()))?;
    let case_doc: Value = serde_json::from_str(&case_text)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", fc.case.display()))?;
    let case = Case::from_json(&case_doc).with_context(|| fc.case.display().to_string())?;
    let cfg: LayerConfig = case.layer.clone();
    if !matches!(cfg.neuron, Neuron::Elm(_)) {
        bail!(
            "{}: layer.neuron.kind: {} but the elm flow needs an elm layer",
            fc.case.display(),
            cfg.neuron.kind()
        );
    }
    let samples: Vec<Vec<LaneVec>> = case
        .samples
        .into_iter()
        .map(|s| match s {
            Sample::Lanes(l) => Ok(l),
            Sample::Currents(_) => Err(anyhow!(
                "{}: samples: an elm layer with weights takes spikes",
                fc.case.display()
            )),
        })
        .collect::<Result<_>>()?;
    let labels = labels(&case_doc, samples.len(), &fc.case)?;
    let images = opts
        .cosim_images
        .unwrap_or(fc.cosim_images)
        .min(samples.len());

    // Stage 2: the golden model classifies every sample.
    say(&format!(
        "golden model: {} samples of {}",
        samples.len(),
        fc.case.display()
    ));
    let layer = Layer::new(cfg.clone());
    let golden: Vec<usize> = samples
        .iter()
        .map(|s| {
            let r = layer.run_lanes(s);
            let ro = r.readout.expect("an elm layer gives a readout");
            argmax(ro.last().expect("T >= 1"))
        })
        .collect();
    let golden_correct = golden.iter().zip(&labels).filter(|(p, l)| p == l).count();

    // Stage 3: the core.
    std::fs::create_dir_all(&opts.out)
        .with_context(|| format!("{}: cannot create", opts.out.display()))?;
    let rtl = opts.out.join("rtl");
    let arch = fc.architecture.clone();
    crate::cmd_generate::write_design(&arch.layer_core(&cfg).0, &rtl)?;

    // Stage 4: co-simulation of the first `images` samples.
    let checked = "every step's readout r and memory m, the spike lane (00), the step and the sticky flags; the class is the argmax of the bit-exact readout".to_string();
    let cosim = if images == 0 {
        CosimInfo::not_run(checked)
    } else {
        say(&format!("cosim: verilating the elm core, {images} samples"));
        let builder = cosim::verilator::Builder::new()?;
        let lib = builder
            .build(&rtl, false, cosim::verilator::Opt::Rtl)
            .context("cosim: building the elm core")?;
        let mut sim = cosim::run::open(&lib, None)?;
        let r0 = Instant::now();
        let outcome = cosim::run::cosim(sim.pin_mut(), &cfg, &samples[..images], fc.stall, 1)?;
        let run_seconds = r0.elapsed().as_secs_f64();
        let gc = golden[..images]
            .iter()
            .zip(&labels)
            .filter(|(p, l)| p == l)
            .count();
        let (verdict, cycles, divergence, rtl_correct) = match outcome {
            cosim::run::Outcome::Match { cycles, .. } => {
                ("bit-exact".to_string(), cycles, None, gc)
            }
            cosim::run::Outcome::Diverged(d) => ("diverged".to_string(), 0, Some(d.to_string()), 0),
        };
        CosimInfo {
            images,
            verdict,
            golden_correct: gc,
            rtl_correct,
            cycles,
            build_seconds: lib.build_seconds,
            built_now: lib.built_now,
            run_seconds,
            divergence,
            checked,
        }
    };

    // Stage 5: synthesis.
    let (mut synth_reports, mut synth_errors) = (vec![], vec![]);
    if opts.synth && !fc.targets.is_empty() {
        let tools = synth::find_tools(false)?;
        for &t in &fc.targets {
            say(&format!("synth {}: running Yosys", t.name()));
            let o = synth::Options {
                architecture: arch.clone(),
                ..synth::Options::new(t)
            };
            match synth::synthesize(&cfg, &o, &tools) {
                Ok(r) => synth_reports.push(ElmSynth {
                    target: t.name().into(),
                    luts: r.cells.luts,
                    ffs: r.cells.ffs,
                    fit: format!("{}: {}", r.fit.part, r.fit.verdict),
                    report: r,
                }),
                Err(e) => synth_errors.push(format!("{}: {e:#}", t.name())),
            }
        }
    }

    let report = ElmFlowReport {
        format_version: FORMAT_VERSION,
        generator: format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        name: fc.name.clone(),
        case: fc.case.display().to_string(),
        samples: samples.len(),
        golden_correct,
        golden_test_accuracy: golden_correct as f64 / samples.len().max(1) as f64,
        rtl_dir: "rtl".into(),
        architecture: arch.name(),
        cycles_per_step: if arch == rtl_gen::arch::Architecture::FoldedElm {
            rtl_gen::elm_folded::cycles_per_step(&cfg)
        } else {
            rtl_gen::elm_core::cycles_per_step(&cfg)
        },
        step_latency_cycles: if arch == rtl_gen::arch::Architecture::FoldedElm {
            rtl_gen::elm_folded::step_latency(&cfg)
        } else {
            rtl_gen::elm_core::step_latency(&cfg)
        },
        cosim,
        synth: synth_reports,
        synth_errors,
        seconds: start.elapsed().as_secs_f64(),
    };
    write_atomic(
        &opts.out.join("report.json"),
        (serde_json::to_string_pretty(&report)? + "\n").as_bytes(),
    )?;
    write_atomic(
        &opts.out.join("report.md"),
        markdown(&report, &cfg).as_bytes(),
    )?;
    Ok(report)
}

fn markdown(r: &ElmFlowReport, cfg: &LayerConfig) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}: elm flow report\n", r.name);
    let _ = writeln!(
        s,
        "Case `{}`: an elm layer, {} inputs, {} branches, {} readouts, T = {}.\n",
        r.case,
        cfg.inputs,
        cfg.branches(),
        cfg.outputs,
        cfg.timesteps
    );
    let _ = writeln!(
        s,
        "Golden model: {}/{} correct ({:.2}%), class = argmax of the readout at the last step.\n",
        r.golden_correct,
        r.samples,
        100.0 * r.golden_test_accuracy
    );
    let _ = writeln!(
        s,
        "Core (`{}/`, {}): {} cycles per step at full rate, {} cycles from input step to output step.\n",
        r.rtl_dir, r.architecture, r.cycles_per_step, r.step_latency_cycles
    );
    let c = &r.cosim;
    let _ = writeln!(
        s,
        "Co-simulation (Verilator): {} on {} samples ({} cycles); checked: {}.{}\n",
        c.verdict,
        c.images,
        c.cycles,
        c.checked,
        c.divergence
            .as_ref()
            .map(|d| format!(" First divergence: {d}."))
            .unwrap_or_default()
    );
    if !r.synth.is_empty() {
        let _ = writeln!(
            s,
            "| target | LUTs | flip-flops | fit |\n| --- | --- | --- | --- |"
        );
        for t in &r.synth {
            let _ = writeln!(s, "| {} | {} | {} | {} |", t.target, t.luts, t.ffs, t.fit);
        }
        s.push('\n');
    }
    for e in &r.synth_errors {
        let _ = writeln!(s, "Synthesis error: {e}\n");
    }
    s
}
