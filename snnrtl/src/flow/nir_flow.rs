//! `snnrtl flow` with a NIR model: a spiking network trained elsewhere
//! (snnTorch, Norse, Sinabs, Rockpool, or `snnrtl export`) is taken as it is,
//! with no ANN conversion. For every T of `evaluate.timesteps` it is imported
//! (`snn_nir`, docs/nir.md) and both the float NIR simulation
//! (`snn_nir::simulate`) and the integer golden model classify the test
//! images from the same input spikes; then the network at
//! `hardware.timesteps` is generated, co-simulated against the golden model
//! and synthesized, exactly as for a converted ANN.
//!
//! The flow file: `model` replaces `weights`, `layers` and `conversion`:
//! ```json
//! {"format_version": 1, "name": "...",
//!  "dataset": {"csv": "...", "max_value": 16, "split": "..."},
//!  "model": {"nir": "net.nir", "dt": 1.0, "integrator": "euler", "reset": "zero", "weight_bits": 8},
//!  "evaluate": {"timesteps": [4, 8, 16], "if_encoder": "rate"},
//!  "hardware": {"timesteps": 8, "cosim_images": 100, "targets": ["ice40-up5k"]}}
//! ```
//! `dt`, `integrator` (euler), `reset` (zero) and `weight_bits` (8) are
//! optional, as for `snnrtl import`. Inputs are the rate (or Poisson) code
//! of the pixels: NIR networks take binary spikes.

use super::{cosim_stage, say, synth_stage, CosimInfo, Options};
use crate::out::write_atomic;
use anyhow::{anyhow, bail, Context, Result};
use convert::dataset::{Dataset, Split};
use convert::encode::Encoder;
use golden_model::config::limits::{TIMESTEPS, WEIGHT_BITS};
use golden_model::json_path::{self, Obj};
use golden_model::{NetworkConfig, Reset};
use serde::Serialize;
use serde_json::Value;
use snn_nir::chain::Chain;
use snn_nir::{ImportOptions, Integrator};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use synth::network::NetworkReport;

/// The NIR flow report's format.
pub const FORMAT_VERSION: u32 = 1;

/// True when the flow file names a NIR model (`model.nir`).
pub fn is_nir_flow(path: &Path) -> Result<bool> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", path.display()))?;
    Ok(v.get("model").is_some())
}

/// A flow file with a NIR model, validated.
#[derive(Debug, Clone)]
pub struct NirFlowConfig {
    pub name: String,
    pub dataset_csv: PathBuf,
    pub max_value: u32,
    pub split: PathBuf,
    pub nir: PathBuf,
    pub dt: Option<f64>,
    pub integrator: Integrator,
    pub reset: Reset,
    pub weight_bits: u32,
    pub timesteps: Vec<usize>,
    pub encoder: Encoder,
    pub hw_timesteps: usize,
    pub cosim_images: usize,
    pub targets: Vec<String>,
}

impl NirFlowConfig {
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
        for k in ["weights", "layers", "conversion"] {
            if root.opt(k).is_some() {
                return Err(golden_model::ConfigError::new(
                    k,
                    "a flow with a NIR model takes no ANN fields (weights, layers, conversion)",
                ));
            }
        }
        let name = match root.opt("name") {
            Some(n) => json_path::string(n, "name")?.to_string(),
            None => "nir network".into(),
        };
        let ds = root.obj("dataset")?;
        let model = root.obj("model")?;
        let dt = match model.opt("dt") {
            Some(v) => Some(json_path::number_in_left_open(
                v,
                &model.field_path("dt"),
                0.0,
                1e6,
            )?),
            None => None,
        };
        let integrator = match model.opt("integrator").map(|v| (v, v.as_str())) {
            None => Integrator::Euler,
            Some((_, Some("euler"))) => Integrator::Euler,
            Some((_, Some("exp"))) => Integrator::Exp,
            Some((v, _)) => {
                return Err(golden_model::ConfigError::new(
                    model.field_path("integrator"),
                    format!("{v} is not accepted: \"euler\" or \"exp\""),
                ))
            }
        };
        let reset = match model.opt("reset").map(|v| (v, v.as_str())) {
            None => Reset::Zero,
            Some((_, Some("zero"))) => Reset::Zero,
            Some((_, Some("subtract"))) => Reset::Subtract,
            Some((v, _)) => {
                return Err(golden_model::ConfigError::new(
                    model.field_path("reset"),
                    format!("{v} is not accepted: \"zero\" or \"subtract\""),
                ))
            }
        };
        let mut timesteps = vec![4, 8, 16];
        let mut encoder = Encoder::Rate;
        if let Some(e) = root.opt_obj("evaluate")? {
            if let Some(t) = e.int_list_in("timesteps", TIMESTEPS.0, TIMESTEPS.1)? {
                timesteps = t.into_iter().map(|x| x as usize).collect();
            }
            if let Some(enc) = convert::flow_config::rate_encoder(&e)? {
                encoder = enc;
            }
        }
        let (mut hw_timesteps, mut cosim_images) = (timesteps[0], 100);
        let mut targets = vec!["ice40-up5k".to_string()];
        if let Some(h) = root.opt_obj("hardware")? {
            hw_timesteps =
                h.int_in_or("timesteps", TIMESTEPS.0, TIMESTEPS.1, hw_timesteps as i64)? as usize;
            cosim_images = h.int_in_or("cosim_images", 0, 100_000, 100)? as usize;
            if let Some(t) = h.opt("targets") {
                let p = h.field_path("targets");
                targets = json_path::array(t, &p)?
                    .iter()
                    .enumerate()
                    .map(|(i, x)| json_path::string(x, &format!("{p}[{i}]")).map(str::to_string))
                    .collect::<Result<_, _>>()?;
            }
        }
        Ok(NirFlowConfig {
            name,
            dataset_csv: base.join(ds.str("csv")?),
            max_value: ds.int_in("max_value", 1, 65535)? as u32,
            split: base.join(ds.str("split")?),
            nir: base.join(model.str("nir")?),
            dt,
            integrator,
            reset,
            weight_bits: model.int_in_or(
                "weight_bits",
                WEIGHT_BITS.0,
                WEIGHT_BITS.1,
                golden_model::config::limits::DEFAULT_WEIGHT_BITS,
            )? as u32,
            timesteps,
            encoder,
            hw_timesteps,
            cosim_images,
            targets,
        })
    }
}

/// One row of the accuracy table.
#[derive(Debug, Clone, Serialize)]
pub struct NirRow {
    pub timesteps: usize,
    /// Test accuracy (%) of NIR's float equations at the file's dt.
    pub float_nir: f64,
    /// Test accuracy (%) of the imported integer network (golden model, and
    /// the RTL bit for bit).
    pub integer: f64,
    /// Test images (%) on which both give the same class.
    pub same_class: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct NirFlowReport {
    pub format_version: u32,
    pub kind: &'static str,
    pub generator: String,
    pub name: String,
    pub flow_file: String,
    pub nir_file: String,
    pub test_images: usize,
    pub encoder: String,
    /// `import.json` of the hardware network.
    pub import: Value,
    pub accuracy: Vec<NirRow>,
    pub hardware_timesteps: usize,
    pub golden_test_accuracy: f64,
    pub network_file: String,
    pub rtl_dir: String,
    pub top: String,
    pub cosim: CosimInfo,
    pub synth: Vec<NetworkReport>,
    pub synth_errors: Vec<String>,
    pub seconds: f64,
}

fn percent(n: usize, of: usize) -> f64 {
    100.0 * n as f64 / of.max(1) as f64
}

fn import_at(
    chain: &Chain,
    version: &str,
    fc: &NirFlowConfig,
    t: usize,
) -> Result<snn_nir::Imported> {
    let opts = ImportOptions {
        dt: fc.dt,
        integrator: fc.integrator,
        reset: fc.reset,
        weight_bits: fc.weight_bits,
        timesteps: t,
    };
    snn_nir::import::import_chain(chain, version, &opts)
        .map_err(|e| anyhow!("{}: {e}", fc.nir.display()))
}

/// Runs the NIR flow (see the module).
pub fn run(opts: &Options) -> Result<NirFlowReport> {
    let start = Instant::now();
    let text = std::fs::read_to_string(&opts.flow)
        .with_context(|| format!("{}: cannot read", opts.flow.display()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not valid JSON: {e}", opts.flow.display()))?;
    let fc = NirFlowConfig::from_json(&v, &opts.flow)
        .map_err(|e| anyhow!("{}: {e}", opts.flow.display()))?;
    let ds = Dataset::read_csv(&fc.dataset_csv, fc.max_value)?;
    let split = Split::read(&fc.split, ds.images.len())?;
    let bytes =
        std::fs::read(&fc.nir).with_context(|| format!("{}: cannot read", fc.nir.display()))?;
    let raw = snn_nir::hdf5_io::read(bytes).map_err(|e| anyhow!("{}: {e}", fc.nir.display()))?;
    let chain = snn_nir::chain::extract(&raw).map_err(|e| anyhow!("{}: {e}", fc.nir.display()))?;
    if chain.inputs != ds.pixels() {
        bail!(
            "{}: the network takes {} inputs but {} has {} pixels per image",
            fc.nir.display(),
            chain.inputs,
            fc.dataset_csv.display(),
            ds.pixels()
        );
    }
    let cosim_images = opts.cosim_images.unwrap_or(fc.cosim_images);
    if cosim_images > split.test.len() {
        bail!(
            "hardware.cosim_images: {cosim_images} is not in 0..={} (the test images)",
            split.test.len()
        );
    }
    let targets = super::parse_targets(&opts.flow, &fc.targets)?;
    // Every T imports before anything is written (a refusal is one line).
    let mut nets: Vec<(usize, snn_nir::Imported)> = vec![];
    for &t in fc.timesteps.iter().chain(std::iter::once(&fc.hw_timesteps)) {
        if !nets.iter().any(|(tt, _)| *tt == t) {
            nets.push((t, import_at(&chain, &raw.version, &fc, t)?));
        }
    }
    if cosim_images > 0 {
        snn_tools::find(snn_tools::Tool::Verilator)?;
    }
    if opts.synth && !targets.is_empty() {
        synth::find_tools(false)?;
    }
    say(&format!(
        "flow {} (NIR {}): {} test images, {}",
        fc.name,
        fc.nir.display(),
        split.test.len(),
        fc.encoder.name()
    ));

    // The accuracy table: float NIR against the integer network.
    let mut rows = vec![];
    for &t in &fc.timesteps {
        let imp = &nets.iter().find(|(tt, _)| *tt == t).expect("imported").1;
        let golden = convert::evaluate::snn_predictions(&imp.network, fc.encoder, &ds, &split.test);
        let (mut f_ok, mut g_ok, mut same) = (0, 0, 0);
        for (k, &i) in split.test.iter().enumerate() {
            let spikes: Vec<Vec<u8>> = fc
                .encoder
                .spikes(&ds.images[i], ds.max_value, t, i)
                .into_iter()
                .map(|row| row.into_iter().map(|s| u8::from(s != 0)).collect())
                .collect();
            let fl = snn_nir::simulate::run(&chain, imp.dt, fc.integrator, fc.reset, &spikes);
            let fc_class = fl.class();
            f_ok += usize::from(fc_class == ds.labels[i]);
            g_ok += usize::from(golden[k] == ds.labels[i]);
            same += usize::from(fc_class == golden[k]);
        }
        let n = split.test.len();
        let row = NirRow {
            timesteps: t,
            float_nir: percent(f_ok, n),
            integer: percent(g_ok, n),
            same_class: percent(same, n),
        };
        say(&format!(
            "T={t}: float NIR {:.2}%, integer {:.2}%, same class on {:.2}%",
            row.float_nir, row.integer, row.same_class
        ));
        rows.push(row);
    }

    // The hardware network.
    let imp = &nets
        .iter()
        .find(|(t, _)| *t == fc.hw_timesteps)
        .expect("imported")
        .1;
    let net: &NetworkConfig = &imp.network;
    let out = &opts.out;
    let source = fc.nir.display().to_string();
    let mut net_json = net.to_json();
    net_json["meta"] = snn_nir::report::meta(imp, &source);
    write_atomic(
        &out.join("network.json"),
        (serde_json::to_string_pretty(&net_json)? + "\n").as_bytes(),
    )?;
    let import_json = snn_nir::report::json(imp, &source);
    write_atomic(
        &out.join("import.json"),
        (serde_json::to_string_pretty(&import_json)? + "\n").as_bytes(),
    )?;
    write_atomic(
        &out.join("import.md"),
        snn_nir::report::markdown(imp, &source).as_bytes(),
    )?;
    let design = rtl_gen::generate_network(net);
    let rtl_dir = out.join("rtl");
    crate::cmd_generate::write_design(&design, &rtl_dir)?;
    let top = rtl_gen::network::TOP.to_string();
    let hw_preds = convert::evaluate::snn_predictions(net, fc.encoder, &ds, &split.test);
    let hw_correct = hw_preds
        .iter()
        .zip(&split.test)
        .filter(|(&p, &i)| p == ds.labels[i])
        .count();
    let (cosim, synth_out) = std::thread::scope(|sc| {
        let synth_job = sc.spawn(|| synth_stage(opts, &targets, &design.files, &top, out));
        let cosim = cosim_stage(net, fc.encoder, &ds, &split.test[..cosim_images], &hw_preds);
        (cosim, synth_job.join().expect("synthesis thread"))
    });
    let cosim = cosim?;
    let (synth, synth_errors) = synth_out?;
    say(&format!(
        "cosim: {} on {} images (RTL {} / golden {} correct)",
        cosim.verdict, cosim.images, cosim.rtl_correct, cosim.golden_correct
    ));
    let report = NirFlowReport {
        format_version: FORMAT_VERSION,
        kind: "nir",
        generator: format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        name: fc.name.clone(),
        flow_file: opts.flow.display().to_string(),
        nir_file: source,
        test_images: split.test.len(),
        encoder: fc.encoder.name().into(),
        import: import_json,
        accuracy: rows,
        hardware_timesteps: fc.hw_timesteps,
        golden_test_accuracy: percent(hw_correct, split.test.len()),
        network_file: "network.json".into(),
        rtl_dir: "rtl".into(),
        top,
        cosim,
        synth,
        synth_errors,
        seconds: start.elapsed().as_secs_f64(),
    };
    write_atomic(
        &out.join("report.json"),
        (serde_json::to_string_pretty(&report)? + "\n").as_bytes(),
    )?;
    write_atomic(&out.join("report.md"), markdown(&report).as_bytes())?;
    Ok(report)
}

/// `report.md` of a NIR flow.
pub fn markdown(r: &NirFlowReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {}: NIR network to hardware\n", r.name);
    let _ = writeln!(
        s,
        "Model `{}` taken as it is (no ANN conversion; mapping in `import.md`). Inputs: {} of the pixels, {} test images.\n",
        r.nir_file, r.encoder, r.test_images
    );
    let _ = writeln!(s, "## Accuracy\n");
    let _ = writeln!(
        s,
        "| T | float NIR (%) | integer network (%) | same class (%) |\n|---:|---:|---:|---:|"
    );
    for row in &r.accuracy {
        let _ = writeln!(
            s,
            "| {} | {:.2} | {:.2} | {:.2} |",
            row.timesteps, row.float_nir, row.integer, row.same_class
        );
    }
    let _ = writeln!(
        s,
        "\nThe float column simulates NIR's equations at the file's dt; the integer column is the golden model, which the RTL reproduces bit for bit.\n"
    );
    let _ = writeln!(s, "## Hardware (T = {})\n", r.hardware_timesteps);
    let _ = writeln!(
        s,
        "- Golden-model test accuracy: {:.2}%; network in `{}`, RTL in `{}/` (top `{}`).",
        r.golden_test_accuracy, r.network_file, r.rtl_dir, r.top
    );
    let _ = writeln!(
        s,
        "- Co-simulation: {} on {} images ({}); RTL {} / golden {} correct.",
        r.cosim.verdict,
        r.cosim.images,
        r.cosim.checked,
        r.cosim.rtl_correct,
        r.cosim.golden_correct
    );
    for n in &r.synth {
        let _ = writeln!(
            s,
            "- {}: {} LUTs, {} carries, {} FFs, {} BRAM, {} DSP; {}.",
            n.target,
            n.cells.luts + n.cells.lut_mem,
            n.cells.carries,
            n.cells.ffs,
            n.cells.brams,
            n.cells.dsps,
            if n.fit.message.is_empty() {
                n.fit.verdict.to_string()
            } else {
                format!("{}: {}", n.fit.verdict, n.fit.message)
            }
        );
    }
    for e in &r.synth_errors {
        let _ = writeln!(s, "- Synthesis failed: {e}");
    }
    let _ = writeln!(s, "\nWall time: {:.0} s.", r.seconds);
    s
}
