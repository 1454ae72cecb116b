//! What a finished search writes: the final front, each design trained
//! again on all the split's training rows ([`score_front`]) and scored on
//! the test rows,
//! the hand-made reference design beside it, `pareto.json`, `pareto.csv`,
//! `pareto.svg`, and the chosen design as a flow file with its weights.
//!
//! The chosen design ([`choose`]): of the front designs that fit the
//! target (Yosys's verdict where it was confirmed, else the estimate's),
//! the one the search rates most accurate, by its validation accuracy
//! (never the test rows, which only report), ties broken by fewer logic
//! cells, then fewer µs per image; when no design fits, the same rule over
//! the whole front, marked `"fits": false`. Without validation accuracies
//! (fitness `rdm`) the test accuracy ranks.
//!
//! The reference ([`reference`]) is the flow file's own design as that
//! flow would build it for the target: its `hardware.architecture`
//! `unrolled` costs it unrolled; `folded` at its `parallelism` (else the
//! fastest P of its sweep that fits); `auto` the fastest design that fits
//! among unrolled and the folded sweep (unrolled when none fits), as
//! `snnrtl flow` chooses; folded only on a target with a folded Fmax.

use crate::config::SearchConfig;
use crate::error::SearchError;
use crate::evaluate::{self, Options};
use crate::genome::{Architecture, Candidate, NeuronKind};
use crate::hardware::{self, Cost};
use crate::objectives::{Evaluator, Record};
use convert::dataset::Split;
use convert::evaluate::{float_score, snn_score, Score};
use convert::flow_config::FlowConfig;
use convert::mlp::Mlp;
use convert::quantise::{normalise, quantise, Kind};
use convert::tensors::{write_safetensors, Tensor, TensorSource};
use golden_model::NetworkConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// 2: the front is trained again on all training rows (`training_rows`)
/// and the chosen design is picked by validation accuracy.
pub const FORMAT_VERSION: u32 = 2;

/// The Yosys measurement of a design (`synth::network::synthesize_network`
/// on its `snn_network`, hierarchy kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub luts: u64,
    pub carries: u64,
    pub ffs: u64,
    /// `max(LUTs, FFs, carries)`, synth's lower bound.
    pub logic_cells: u64,
    /// `LUTs + FFs + carries`.
    pub logic_cells_max: u64,
    /// synth's verdict: `fits`, `may not fit`, `does not fit` (folded:
    /// `fits` or `does not fit`, RAMs counted).
    pub verdict: String,
    /// Folded: the block RAMs and SPRAMs Yosys mapped.
    #[serde(default)]
    pub brams: Option<u64>,
    #[serde(default)]
    pub sprams: Option<u64>,
    /// `logic_cells <= available`, the rule of the estimate.
    pub fits: bool,
    pub seconds: f64,
}

/// One design of `pareto.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// `64-32-10 tmn T=4 w8 unrolled`, `64-32-10 tmn T=4 w8 folded P=8`.
    pub name: String,
    /// `unrolled` or `folded`.
    pub architecture: String,
    /// The folded P (`None` when unrolled).
    pub parallelism: Option<usize>,
    /// Golden-model SNN test accuracy, in [0, 1].
    pub accuracy: f64,
    /// The float MLP's test accuracy.
    pub float_accuracy: f64,
    /// Search objective 0 with fitness `trained`: the design trained on the
    /// search's training rows, on the held-out ones (`None` for the
    /// reference).
    pub validation_accuracy: Option<f64>,
    /// The rows the reported weights (and `accuracy`) were trained on: all
    /// the split's training rows.
    pub training_rows: usize,
    /// Estimated (the objective).
    pub logic_cells: u64,
    pub us_per_image: f64,
    /// Yosys's verdict when confirmed, else the estimate's.
    pub fits: bool,
    pub fits_estimate: bool,
    pub target: String,
    pub cost: Cost,
    pub yosys: Option<Measured>,
    pub chosen: bool,
    /// The search genome (`None` for the reference).
    pub genome: Option<Vec<i64>>,
    pub candidate: Option<Candidate>,
}

/// A design with its weights and integer network.
#[derive(Debug, Clone)]
pub struct Scored {
    pub design: Design,
    pub mlp: Mlp,
    pub network: NetworkConfig,
}

fn acc(s: Score) -> f64 {
    s.correct as f64 / s.total as f64
}

fn encoder_for(kind: NeuronKind, o: &Options) -> convert::encode::Encoder {
    evaluate::encoder(kind, o)
}

/// The final front: its members (but refused candidates) trained again on
/// all the split's training rows and scored on the test rows, and, for a
/// member whose final weights the conversion refuses (say, they no longer
/// fit its weight_bits), a line naming it and why; it is left out.
pub fn score_front(ev: &Evaluator, front: &[&Record]) -> (Vec<Scored>, Vec<String>) {
    let (mut out, mut left_out) = (vec![], vec![]);
    for r in front {
        // A refused candidate has no cost (and +inf objectives).
        let Some(cost) = r.cost.clone() else { continue };
        let c = &r.candidate;
        let rows = &ev.rows.all_train;
        let (mlp, net) = match evaluate::train_and_convert(c, &ev.ds, rows, &ev.options) {
            Ok(x) => x,
            Err(e) => {
                left_out.push(format!(
                    "{}: left out of the front, its final training does not convert: {e}",
                    c.describe(ev.ds.pixels(), ev.ds.classes)
                ));
                continue;
            }
        };
        let snn = snn_score(
            &net,
            encoder_for(c.kind, &ev.options),
            &ev.ds,
            &ev.rows.test,
        );
        let float = float_score(&mlp, &ev.ds, &ev.rows.test);
        out.push(Scored {
            design: Design {
                name: c.describe(ev.ds.pixels(), ev.ds.classes),
                architecture: cost.architecture.name().into(),
                parallelism: cost.architecture.parallelism(),
                accuracy: acc(snn),
                float_accuracy: acc(float),
                validation_accuracy: r.validation_error.map(|e| 1.0 - e),
                training_rows: rows.len(),
                logic_cells: cost.logic_cells,
                us_per_image: cost.us_per_image,
                fits: cost.fits,
                fits_estimate: cost.fits,
                target: ev.target.name().to_string(),
                cost,
                yosys: None,
                chosen: false,
                genome: Some(r.genome.clone()),
                candidate: Some(c.clone()),
            },
            mlp,
            network: net,
        });
    }
    out.sort_by(|a, b| {
        b.design
            .accuracy
            .total_cmp(&a.design.accuracy)
            .then(a.design.logic_cells.cmp(&b.design.logic_cells))
    });
    (out, left_out)
}

/// The flow file's own design (its trained weights, its hardware neuron,
/// T and weight_bits), converted as the search converts, on the same test
/// rows.
pub fn reference(ev: &Evaluator, flow: &Path) -> Result<Scored, SearchError> {
    let fc = FlowConfig::read(flow)?;
    let mlp = Mlp::load(&TensorSource::open(&fc.weights)?, &fc.layers)?;
    let full = Split::read(&fc.split, ev.ds.images.len())?;
    let xs: Vec<Vec<f64>> = full.train.iter().map(|&i| ev.ds.float_image(i)).collect();
    let kind = match fc.hw_kind {
        Kind::Lif { leak_shift: 0 } => Kind::Lif {
            leak_shift: ev.options.lif_leak_shift,
        },
        k => k,
    };
    let n = normalise(&mlp, &xs, fc.norm)?;
    let net = quantise(&n, kind, fc.weight_bits, fc.hw_timesteps)?;
    let enc = match kind {
        Kind::Tmn => convert::encode::Encoder::Tmn,
        _ => fc.if_encoder,
    };
    let snn = snn_score(&net, enc, &ev.ds, &ev.rows.test);
    let float = float_score(&mlp, &ev.ds, &ev.rows.test);
    let cost = reference_cost(ev, &fc, &net, enc)?;
    let mut widths: Vec<String> = vec![fc.layers[0].inputs.to_string()];
    widths.extend(fc.layers.iter().map(|l| l.outputs.to_string()));
    let arch = match cost.architecture {
        Architecture::Unrolled => "unrolled".to_string(),
        Architecture::Folded { parallelism } => format!("folded P={parallelism}"),
    };
    Ok(Scored {
        design: Design {
            name: format!(
                "{} {} T={} w{} {arch} (hand-made: {})",
                widths.join("-"),
                kind.name(),
                fc.hw_timesteps,
                fc.weight_bits,
                flow.display()
            ),
            architecture: cost.architecture.name().into(),
            parallelism: cost.architecture.parallelism(),
            accuracy: acc(snn),
            float_accuracy: acc(float),
            validation_accuracy: None,
            training_rows: full.train.len(),
            logic_cells: cost.logic_cells,
            us_per_image: cost.us_per_image,
            fits: cost.fits,
            fits_estimate: cost.fits,
            target: ev.target.name().to_string(),
            cost,
            yosys: None,
            chosen: false,
            genome: None,
            candidate: None,
        },
        mlp,
        network: net,
    })
}

/// The reference's cost as its flow file would build it (module doc).
fn reference_cost(
    ev: &Evaluator,
    fc: &FlowConfig,
    net: &NetworkConfig,
    enc: convert::encode::Encoder,
) -> Result<Cost, SearchError> {
    use convert::flow_config::Architecture as Flow;
    let unrolled = hardware::cost(net, ev.target);
    if fc.architecture == Flow::Unrolled || hardware::folded_fmax_mhz(ev.target).is_none() {
        return Ok(unrolled);
    }
    let widest = net.layers.iter().map(|l| l.outputs).max().unwrap_or(1);
    let mut ps: Vec<usize> = match (fc.architecture, fc.parallelism) {
        (Flow::Folded, Some(p)) => vec![p],
        _ => fc
            .parallelism_sweep
            .iter()
            .copied()
            .chain(fc.parallelism)
            .collect(),
    };
    ps.retain(|&p| (1..=widest).contains(&p));
    ps.sort_unstable();
    ps.dedup();
    let images = ev.validation_lanes(enc, net.timesteps());
    let mut designs = vec![];
    if fc.architecture == Flow::Auto {
        designs.push(unrolled.clone());
    }
    // A P (or neuron kind) the engine refuses is not a design the flow
    // could build: left out.
    designs.extend(
        ps.into_iter()
            .filter_map(|p| hardware::folded_cost(net, p, ev.target, &images).ok()),
    );
    let fastest = |fits_only: bool| {
        designs
            .iter()
            .filter(|c| !fits_only || c.fits)
            .min_by(|a, b| a.us_per_image.total_cmp(&b.us_per_image))
            .cloned()
    };
    Ok(fastest(true)
        .or_else(|| match fc.architecture {
            Flow::Auto => Some(unrolled.clone()),
            _ => fastest(false),
        })
        .unwrap_or(unrolled))
}

/// The index of the chosen design (see the module doc), `None` for an
/// empty front.
pub fn choose(front: &[Design]) -> Option<usize> {
    let best = |fits_only: bool| {
        front
            .iter()
            .enumerate()
            .filter(|(_, d)| !fits_only || d.fits)
            .max_by(|(_, a), (_, b)| {
                let rated = |d: &Design| d.validation_accuracy.unwrap_or(d.accuracy);
                rated(a)
                    .total_cmp(&rated(b))
                    .then(b.logic_cells.cmp(&a.logic_cells))
                    .then(b.us_per_image.total_cmp(&a.us_per_image))
            })
            .map(|(i, _)| i)
    };
    best(true).or_else(|| best(false))
}

/// `pareto.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pareto {
    pub format_version: u32,
    pub target: String,
    pub fitness: String,
    pub seed: u64,
    pub evaluations: usize,
    pub seconds: f64,
    /// How the figures were made, in words.
    pub notes: Vec<String>,
    /// The final front, most accurate first.
    pub designs: Vec<Design>,
    pub reference: Option<Design>,
    /// Front designs that dominate the reference (test accuracy, cells, µs).
    pub reference_dominated_by: Vec<String>,
    /// Front designs the reference dominates.
    pub reference_dominates: Vec<String>,
}

/// `a` is at least as good as `b` in accuracy, cells and µs, and better in one.
pub fn dominates(a: &Design, b: &Design) -> bool {
    let (x, y) = (
        [-a.accuracy, a.logic_cells as f64, a.us_per_image],
        [-b.accuracy, b.logic_cells as f64, b.us_per_image],
    );
    crate::nsga2::dominates(&x, &y)
}

pub fn notes(cfg: &SearchConfig) -> Vec<String> {
    let mut v = vec![
        format!(
            "accuracy: golden-model SNN on the split's test rows, each front design trained again on all the split's training rows (training_rows; the same seed and epochs); the search selected on {} (validation_accuracy), and the chosen design is the fitting one with the best validation_accuracy",
            match cfg.folds {
                1 => format!("{:.0}% of the training rows held out per class (the design trained on the rest)", 100.0 * cfg.validation_fraction),
                k => format!("{k}-fold cross-validation over the training rows (each row held out once, by the design trained on the other folds)"),
            }
        ),
        "logic_cells (unrolled): synth::estimate summed over the layers' modules, max(LUTs, FFs) (synth's lower bound before place and route); yosys: measured on snn_network, hierarchy kept".into(),
        format!(
            "us_per_image (unrolled): sample latency in cycles / {:.1} MHz (the 8x8 TMN core's median Fmax on {}, nextpnr, 3 seeds)",
            cfg.target_fmax(),
            cfg.target.name()
        ),
    ];
    if cfg
        .space
        .architectures
        .contains(&crate::genome::Style::Folded)
    {
        v.push("logic_cells, brams, sprams (folded): synth::folded::estimate of the snn_folded engine at P (fitted to place and route of the digits engine on the UP5K); yosys: synth_ice40 -spram -dsp on snn_folded, no place and route".into());
        v.push(format!(
            "us_per_image (folded): mean over the validation images of FoldedPlan::cycles_model (the engine's schedule with the golden model's spikes, within 0.1-5% of Verilator on digits) / {:.1} MHz (the folded engine's measured median Fmax on {}, median over P 2, 4, 8, 16)",
            hardware::folded_fmax_mhz(cfg.target).unwrap_or(f64::NAN),
            cfg.target.name()
        ));
    } else {
        v.push("every design is unrolled: one core per layer, one PE per synapse".into());
    }
    v
}

impl SearchConfig {
    pub fn target_fmax(&self) -> f64 {
        hardware::fmax_mhz(self.target).unwrap_or(f64::NAN)
    }
}

/// `pareto.csv`: one line per design, the reference last.
pub fn csv(p: &Pareto) -> String {
    let mut s = String::from(
        "name,hidden,kind,timesteps,weight_bits,architecture,parallelism,accuracy,float_accuracy,validation_accuracy,training_rows,logic_cells,logic_cells_max,luts,ffs,brams,sprams,us_per_image,cycles_per_image,fits,fits_estimate,yosys_logic_cells,yosys_verdict,chosen,reference\n",
    );
    let opt = |v: Option<String>| v.unwrap_or_default();
    let rows = p
        .designs
        .iter()
        .map(|d| (d, false))
        .chain(p.reference.iter().map(|d| (d, true)));
    for (d, is_ref) in rows {
        let c = d.candidate.as_ref();
        let _ = writeln!(
            s,
            "\"{}\",{},{},{},{},{},{},{:.4},{:.4},{},{},{},{},{},{},{},{},{:.3},{:.1},{},{},{},{},{},{}",
            d.name,
            opt(c.map(|c| c
                .hidden
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(";"))),
            opt(c.map(|c| format!("{:?}", c.kind).to_lowercase())),
            opt(c.map(|c| c.timesteps.to_string())),
            opt(c.map(|c| c.weight_bits.to_string())),
            d.architecture,
            opt(d.parallelism.map(|p| p.to_string())),
            d.accuracy,
            d.float_accuracy,
            opt(d.validation_accuracy.map(|v| format!("{v:.4}"))),
            d.training_rows,
            d.logic_cells,
            d.cost.logic_cells_max,
            opt(d.cost.luts.map(|v| v.to_string())),
            opt(d.cost.ffs.map(|v| v.to_string())),
            d.cost.brams,
            d.cost.sprams,
            d.us_per_image,
            d.cost.cycles_per_image,
            d.fits,
            d.fits_estimate,
            opt(d.yosys.as_ref().map(|y| y.logic_cells.to_string())),
            opt(d.yosys.as_ref().map(|y| y.verdict.clone())),
            d.chosen,
            is_ref
        );
    }
    s
}

/// `pareto.svg`: accuracy against logic cells (log axis); every evaluated
/// design at its validation accuracy (grey), the front at its test
/// accuracy, the reference marked, the part's capacity as a line.
pub fn svg(p: &Pareto, evaluated: &[(f64, f64)], available: u64) -> String {
    let (w, h) = (760.0, 480.0);
    let (l, r, t, b) = (70.0, 200.0, 40.0, 60.0);
    let mut pts: Vec<(f64, f64)> = evaluated.to_vec();
    pts.extend(
        p.designs
            .iter()
            .chain(p.reference.iter())
            .map(|d| (d.logic_cells as f64, 100.0 * d.accuracy)),
    );
    pts.retain(|(x, y)| x.is_finite() && *x > 0.0 && y.is_finite());
    let xs = pts.iter().map(|p| p.0).chain([available as f64]);
    let xmin = xs.clone().fold(f64::INFINITY, f64::min).max(1.0);
    let xmax = xs.fold(0.0, f64::max).max(xmin);
    let lx0 = xmin.log10().floor();
    let lx1 = xmax.log10().ceil().max(lx0 + 1.0);
    let ymin = pts.iter().map(|p| p.1).fold(100.0, f64::min);
    let y0 = (ymin / 10.0).floor() * 10.0;
    let (y0, y1) = (y0.min(90.0), 100.0);
    let px = |x: f64| l + (x.log10() - lx0) / (lx1 - lx0) * (w - l - r);
    let py = |y: f64| t + (y1 - y) / (y1 - y0) * (h - t - b);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"22\" font-size=\"15\">snnrtl search on {}: accuracy against logic cells</text>",
        l,
        synth::svg::esc(&p.target)
    );
    // Axes, ticks and grid.
    let _ = writeln!(
        s,
        "<rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>",
        w - l - r,
        h - t - b
    );
    let mut e = lx0;
    while e <= lx1 {
        let x = px(10f64.powf(e));
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{t}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#ddd\"/><text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            h - b,
            h - b + 16.0,
            10f64.powf(e)
        );
        e += 1.0;
    }
    for y in synth::svg::ticks(y0, y1)
        .into_iter()
        .filter(|y| (y0..=y1).contains(y))
    {
        let yy = py(y);
        let _ = writeln!(
            s,
            "<line x1=\"{l}\" y1=\"{yy:.1}\" x2=\"{}\" y2=\"{yy:.1}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{y}</text>",
            w - r,
            l - 6.0,
            yy + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">estimated logic cells (log scale)</text>",
        l + (w - l - r) / 2.0,
        h - 18.0
    );
    let _ = writeln!(
        s,
        "<text transform=\"translate(18,{}) rotate(-90)\" text-anchor=\"middle\">accuracy (%)</text>",
        t + (h - t - b) / 2.0
    );
    if available > 0 {
        let x = px(available as f64);
        let _ = writeln!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{t}\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#2ca02c\" stroke-dasharray=\"5,4\"/><text x=\"{:.1}\" y=\"{}\" fill=\"#2ca02c\">{} cells</text>",
            h - b,
            x + 4.0,
            t + 14.0,
            available
        );
    }
    for &(x, y) in evaluated {
        if x.is_finite() && x > 0.0 && y.is_finite() && y >= y0 {
            let _ = writeln!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#bbb\"/>",
                px(x),
                py(y)
            );
        }
    }
    let mut front: Vec<&Design> = p.designs.iter().collect();
    front.sort_by_key(|d| d.logic_cells);
    let line: Vec<String> = front
        .iter()
        .filter(|d| 100.0 * d.accuracy >= y0)
        .map(|d| {
            format!(
                "{:.1},{:.1}",
                px(d.logic_cells as f64),
                py(100.0 * d.accuracy)
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1\" stroke-dasharray=\"3,3\"/>",
        line.join(" ")
    );
    for d in &front {
        if 100.0 * d.accuracy < y0 {
            continue;
        }
        let (x, y) = (px(d.logic_cells as f64), py(100.0 * d.accuracy));
        let stroke = if d.chosen { "black" } else { "none" };
        let _ = writeln!(
            s,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"#1f77b4\" stroke=\"{stroke}\" stroke-width=\"2\"><title>{}</title></circle>",
            synth::svg::esc(&d.name)
        );
    }
    if let Some(d) = &p.reference {
        let (x, y) = (px(d.logic_cells as f64), py((100.0 * d.accuracy).max(y0)));
        let _ = writeln!(
            s,
            "<path d=\"M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z\" fill=\"#d62728\"><title>{}</title></path>",
            y - 7.0,
            x + 7.0,
            y + 7.0,
            x - 7.0,
            synth::svg::esc(&d.name)
        );
    }
    let lx = w - r + 12.0;
    let legend = [
        ("#bbb", "evaluated (validation acc.)"),
        ("#1f77b4", "final front (test acc.)"),
        ("#d62728", "hand-made design (test acc.)"),
        ("#2ca02c", "part capacity"),
    ];
    for (i, (c, txt)) in legend.iter().enumerate() {
        let y = t + 10.0 + 20.0 * i as f64;
        let _ = writeln!(
            s,
            "<rect x=\"{lx}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{c}\"/><text x=\"{}\" y=\"{}\">{}</text>",
            y - 9.0,
            lx + 14.0,
            y,
            txt
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{lx}\" y=\"{}\">black ring: chosen design</text>",
        t + 95.0
    );
    s += "</svg>\n";
    s
}

/// The chosen design as a flow: `flow.json`, `weights.safetensors` (F64,
/// tensors `fc1.weight`, `fc1.bias`, ...) and `split.json` (the search's
/// training rows, so the flow normalises on the rows the search did, and
/// the split's test rows) in `dir`. Returns the flow path.
pub fn write_design(
    dir: &Path,
    s: &Scored,
    ev: &Evaluator,
    cfg: &SearchConfig,
) -> Result<std::path::PathBuf, SearchError> {
    let io = |p: &Path, e: std::io::Error| {
        SearchError::field(p.display().to_string(), format!("cannot write: {e}"))
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let c = s
        .design
        .candidate
        .as_ref()
        .ok_or_else(|| SearchError::field("design", "the reference is not a search design"))?;
    let mut tensors = BTreeMap::new();
    let mut layers = vec![];
    for (k, d) in s.mlp.layers.iter().enumerate() {
        let (wn, bn) = (format!("fc{}.weight", k + 1), format!("fc{}.bias", k + 1));
        tensors.insert(
            wn.clone(),
            Tensor {
                shape: vec![d.outputs(), d.inputs()],
                data: d.w.iter().flatten().copied().collect(),
            },
        );
        tensors.insert(
            bn.clone(),
            Tensor {
                shape: vec![d.outputs()],
                data: d.b.clone(),
            },
        );
        layers.push(
            serde_json::json!({"inputs": d.inputs(), "outputs": d.outputs(),
            "weight": wn, "bias": bn}),
        );
    }
    let arch = s.design.name.clone();
    let bytes = write_safetensors(&tensors, &[("format", "pt"), ("arch", &arch)])
        .map_err(|e| SearchError::field("weights.safetensors", e))?;
    let wpath = dir.join("weights.safetensors");
    std::fs::write(&wpath, bytes).map_err(|e| io(&wpath, e))?;
    let split = serde_json::json!({
        "description": "snnrtl search: all the split's training rows (the design's final training and normalisation) and its test rows",
        "train": ev.rows.all_train, "test": ev.rows.test});
    let spath = dir.join("split.json");
    std::fs::write(&spath, serde_json::to_string(&split).expect("json") + "\n")
        .map_err(|e| io(&spath, e))?;
    let mut timesteps = vec![1, 2, 3, 4, 6, 8];
    if !timesteps.contains(&c.timesteps) {
        timesteps.push(c.timesteps);
        timesteps.sort_unstable();
    }
    let mut hw = serde_json::json!({"neuron": format!("{:?}", c.kind).to_lowercase(),
        "timesteps": c.timesteps, "l4": false, "cosim_images": 200,
        "architecture": c.architecture.name(),
        "targets": [cfg.target.name()]});
    if let Architecture::Folded { parallelism } = c.architecture {
        // Only the chosen P: the flow builds, co-simulates and places every
        // P of its sweep.
        hw["parallelism"] = parallelism.into();
        hw["parallelism_sweep"] = serde_json::json!([parallelism]);
    }
    if c.kind == NeuronKind::Lif {
        hw["leak_shift"] = ev.options.lif_leak_shift.into();
    }
    let csv = std::path::absolute(&cfg.dataset.csv).unwrap_or(cfg.dataset.csv.clone());
    let flow = serde_json::json!({
        "format_version": 1,
        "name": format!("snnrtl search: {}", s.design.name),
        "dataset": {"csv": csv, "max_value": cfg.dataset.max_value, "split": "split.json"},
        "weights": "weights.safetensors",
        "layers": layers,
        "conversion": {"weight_bits": c.weight_bits, "normalisation": {"percentile": 99.9}},
        "evaluate": {"timesteps": timesteps, "if_encoder": "rate"},
        "hardware": hw,
    });
    let fpath = dir.join("flow.json");
    std::fs::write(
        &fpath,
        serde_json::to_string_pretty(&flow).expect("json") + "\n",
    )
    .map_err(|e| io(&fpath, e))?;
    Ok(fpath)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(accuracy: f64, logic_cells: u64, fits: bool) -> Design {
        let cost = Cost {
            architecture: Architecture::Unrolled,
            luts: Some(logic_cells),
            ffs: Some(0),
            logic_cells,
            logic_cells_max: logic_cells,
            brams: 0,
            sprams: 0,
            available: 5280,
            fits,
            cycles_per_image: 100.0,
            cycles_per_image_max: None,
            fmax_mhz: 22.3,
            us_per_image: 100.0 / 22.3,
        };
        Design {
            name: format!("{accuracy} {logic_cells}"),
            architecture: "unrolled".into(),
            parallelism: None,
            accuracy,
            float_accuracy: accuracy,
            validation_accuracy: None,
            training_rows: 100,
            logic_cells,
            us_per_image: cost.us_per_image,
            fits,
            fits_estimate: fits,
            target: "ice40-up5k".into(),
            cost,
            yosys: None,
            chosen: false,
            genome: None,
            candidate: None,
        }
    }

    #[test]
    fn the_most_accurate_fitting_design_is_chosen() {
        // 0.99 does not fit; of the fitting ones, 0.95 twice: fewer cells wins.
        let f = vec![
            design(0.99, 9000, false),
            design(0.95, 5000, true),
            design(0.95, 4000, true),
            design(0.90, 1000, true),
        ];
        assert_eq!(choose(&f), Some(2));
        // Nothing fits: the most accurate.
        let g = vec![design(0.9, 9000, false), design(0.97, 20000, false)];
        assert_eq!(choose(&g), Some(1));
        assert_eq!(choose(&[]), None);
    }

    #[test]
    fn the_choice_follows_validation_not_test_accuracy() {
        // The test rows only report: the better validation accuracy wins
        // although its test accuracy is lower.
        let mut a = design(0.97, 2000, true);
        a.validation_accuracy = Some(0.93);
        let mut b = design(0.95, 2000, true);
        b.validation_accuracy = Some(0.96);
        assert_eq!(choose(&[a.clone(), b.clone()]), Some(1));
        b.validation_accuracy = Some(0.93);
        // A tie on validation: fewer cells, then (here equal) fewer µs.
        b.logic_cells = 1500;
        assert_eq!(choose(&[a, b]), Some(1));
    }

    #[test]
    fn domination_counts_accuracy_up_and_cost_down() {
        let (a, b) = (design(0.97, 70000, false), design(0.96, 100000, false));
        assert!(dominates(&a, &b));
        assert!(!dominates(&b, &a));
        assert!(!dominates(&a, &design(0.95, 10000, false)));
    }
}
