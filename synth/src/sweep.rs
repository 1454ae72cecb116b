//! `snnrtl sweep`: synthesis over a grid of rows, cols, timesteps,
//! weight_bits and neuron kinds, in parallel (std threads, at most
//! `available_parallelism`), with a progress bar; results as CSV, JSON and
//! an SVG chart (LUTs, flip-flops and Fmax against array size, one line per
//! neuron kind, or per kind and T and weight_bits when those vary too).
//!
//! Each grid point is a layer with all-one weights and zero biases (the
//! hardware does not depend on their values: weights are loaded through
//! the configuration port) and these neuron parameters: `if` vth 16, `tmn`
//! vth 16, `psn` causal all-one P with thresholds 1, `masked_psn` k =
//! min(2, T) with the same P, `sliding_psn` k = min(2, T) with weights 1
//! and threshold 1.

use golden_model::config::limits;
use golden_model::LayerConfig;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::flow::{synthesize, Options, Tools};
use crate::group::Group;
use crate::outcome::{PnrStatus, Verdict};
use crate::report::Report;
use crate::svg::{chart, Panel, Series};

/// Version of `sweep.json`.
///
/// 2: place and route runs on several seeds; `fmax_mhz` is their median;
/// added `fmax_mhz_min`, `fmax_mhz_max`, `gsop_per_s` per row and `seeds`.
pub const SWEEP_FORMAT_VERSION: u32 = 2;

/// Neuron kinds a sweep accepts.
pub const KINDS: [&str; 5] = ["if", "tmn", "psn", "masked_psn", "sliding_psn"];

/// The grid: every combination is one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub rows: Vec<usize>,
    pub cols: Vec<usize>,
    pub timesteps: Vec<usize>,
    pub weight_bits: Vec<u32>,
    pub kinds: Vec<String>,
    /// Square arrays only: `n x n` for every `n` in `rows` (`cols` unused).
    pub square: bool,
}

/// Parses a comma-separated list of integers in `lo..=hi` for `field`;
/// errors are one line naming the field and the range.
pub fn parse_ints(field: &str, s: &str, lo: i64, hi: i64) -> Result<Vec<i64>, String> {
    let mut v = vec![];
    for part in s.split(',') {
        let p = part.trim();
        let n: i64 = p.parse().map_err(|_| {
            format!("{field}: {p:?} is not an integer (a comma-separated list of integers in {lo}..={hi})")
        })?;
        if !(lo..=hi).contains(&n) {
            return Err(format!("{field}: {n} is not in {lo}..={hi}"));
        }
        if !v.contains(&n) {
            v.push(n);
        }
    }
    Ok(v)
}

/// Parses `--kinds`.
pub fn parse_kinds(s: &str) -> Result<Vec<String>, String> {
    let mut v = vec![];
    for part in s.split(',') {
        let p = part.trim();
        if !KINDS.contains(&p) {
            return Err(format!("--kinds: {p:?} is not one of {}", KINDS.join(", ")));
        }
        if !v.iter().any(|k: &String| k == p) {
            v.push(p.to_string());
        }
    }
    Ok(v)
}

impl Grid {
    /// Parses the five list options; errors are one line.
    pub fn parse(
        rows: &str,
        cols: &str,
        timesteps: &str,
        weight_bits: &str,
        kinds: &str,
    ) -> Result<Grid, String> {
        let us = |v: Vec<i64>| v.into_iter().map(|x| x as usize).collect();
        Ok(Grid {
            rows: us(parse_ints(
                "--rows",
                rows,
                limits::INPUTS.0,
                limits::INPUTS.1,
            )?),
            cols: us(parse_ints(
                "--cols",
                cols,
                limits::OUTPUTS.0,
                limits::OUTPUTS.1,
            )?),
            timesteps: us(parse_ints(
                "--timesteps",
                timesteps,
                limits::TIMESTEPS.0,
                limits::TIMESTEPS.1,
            )?),
            weight_bits: parse_ints(
                "--weight-bits",
                weight_bits,
                limits::WEIGHT_BITS.0,
                limits::WEIGHT_BITS.1,
            )?
            .into_iter()
            .map(|x| x as u32)
            .collect(),
            kinds: parse_kinds(kinds)?,
            square: false,
        })
    }

    /// Every combination, kinds outermost, then rows, cols, T, weight_bits.
    pub fn points(&self) -> Vec<Point> {
        let mut v = vec![];
        for kind in &self.kinds {
            for &rows in &self.rows {
                let cols_list = if self.square {
                    vec![rows]
                } else {
                    self.cols.clone()
                };
                for cols in cols_list {
                    for &timesteps in &self.timesteps {
                        for &weight_bits in &self.weight_bits {
                            v.push(Point {
                                kind: kind.clone(),
                                rows,
                                cols,
                                timesteps,
                                weight_bits,
                            });
                        }
                    }
                }
            }
        }
        v
    }
}

/// One grid point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub kind: String,
    pub rows: usize,
    pub cols: usize,
    pub timesteps: usize,
    pub weight_bits: u32,
}

impl Point {
    /// The layer object for this point (see the module doc for parameters).
    pub fn layer_json(&self) -> Value {
        let t = self.timesteps;
        let k = t.min(2);
        let causal: Vec<Vec<i64>> = (0..t)
            .map(|a| (0..t).map(|b| i64::from(b <= a)).collect())
            .collect();
        let neuron = match self.kind.as_str() {
            "if" => json!({"kind": "if", "vth": 16}),
            "tmn" => json!({"kind": "tmn", "vth": 16}),
            "psn" => json!({"kind": "psn", "weights": causal, "thresholds": vec![1; t]}),
            "masked_psn" => {
                json!({"kind": "masked_psn", "k": k, "weights": causal, "thresholds": vec![1; t]})
            }
            _ => json!({"kind": "sliding_psn", "k": k, "weights": vec![1; k], "threshold": 1}),
        };
        json!({"inputs": self.rows, "outputs": self.cols, "timesteps": t,
               "weight_bits": self.weight_bits,
               "weights": vec![vec![1; self.rows]; self.cols], "neuron": neuron})
    }

    /// The validated config.
    pub fn config(&self) -> Result<LayerConfig, String> {
        LayerConfig::from_json(&self.layer_json(), "layer")
            .map_err(|e| format!("{}: {e}", self.label()))
    }

    /// `tmn 8x8 T8 w8`.
    pub fn label(&self) -> String {
        format!(
            "{} {}x{} T{} w{}",
            self.kind, self.rows, self.cols, self.timesteps, self.weight_bits
        )
    }
}

/// Whether a grid point was synthesized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowStatus {
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "error")]
    Error,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Ok => "ok",
            RowStatus::Error => "error",
        }
    }
}

/// The result of one grid point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    #[serde(flatten)]
    pub point: Point,
    pub pes: usize,
    /// `ok` or `error`.
    pub status: RowStatus,
    pub error: Option<String>,
    pub luts: Option<u64>,
    /// Generic target: simple gates.
    pub gates: Option<u64>,
    pub carries: Option<u64>,
    pub ffs: Option<u64>,
    pub lut_mem: Option<u64>,
    pub dsps: Option<u64>,
    pub brams: Option<u64>,
    pub pe_luts: Option<u64>,
    pub array_luts: Option<u64>,
    pub neuron_luts: Option<u64>,
    pub control_luts: Option<u64>,
    pub efficiency_ratio: Option<f64>,
    pub fit: Option<Verdict>,
    pub lcs_used: Option<u64>,
    pub lcs_available: Option<u64>,
    /// The median over seeds.
    pub fmax_mhz: Option<f64>,
    pub fmax_mhz_min: Option<f64>,
    pub fmax_mhz_max: Option<f64>,
    /// rows x cols x median Fmax / 1000.
    pub gsop_per_s: Option<f64>,
    pub pnr_status: Option<PnrStatus>,
    /// Why place and route did not route (does not fit, nextpnr error).
    pub pnr_message: Option<String>,
}

impl Row {
    fn new(point: Point) -> Row {
        Row {
            pes: point.rows * point.cols,
            point,
            status: RowStatus::Error,
            error: None,
            luts: None,
            gates: None,
            carries: None,
            ffs: None,
            lut_mem: None,
            dsps: None,
            brams: None,
            pe_luts: None,
            array_luts: None,
            neuron_luts: None,
            control_luts: None,
            efficiency_ratio: None,
            fit: None,
            lcs_used: None,
            lcs_available: None,
            fmax_mhz: None,
            fmax_mhz_min: None,
            fmax_mhz_max: None,
            gsop_per_s: None,
            pnr_status: None,
            pnr_message: None,
        }
    }

    /// The row of a finished synthesis.
    pub fn from_report(point: Point, r: &Report) -> Row {
        let mut row = Row::new(point);
        let g = |group: Group| r.groups.get(&group).map(|c| c.luts);
        row.status = RowStatus::Ok;
        row.luts = Some(r.cells.luts);
        row.gates = Some(r.cells.gates);
        row.carries = Some(r.cells.carries);
        row.ffs = Some(r.cells.ffs);
        row.lut_mem = Some(r.cells.lut_mem);
        row.dsps = Some(r.cells.dsps);
        row.brams = Some(r.cells.brams);
        row.pe_luts = g(Group::Pe);
        row.array_luts = g(Group::Array);
        row.neuron_luts = g(Group::Neuron);
        row.control_luts = g(Group::Control);
        row.efficiency_ratio = r.efficiency.as_ref().map(|e| e.ratio);
        row.fit = Some(r.fit.verdict);
        if let Some(p) = &r.pnr {
            row.pnr_status = Some(p.status);
            if p.status != PnrStatus::Routed {
                row.pnr_message = Some(p.message.clone());
            }
            row.fmax_mhz = p.fmax_mhz;
            row.fmax_mhz_min = p.fmax_mhz_min;
            row.fmax_mhz_max = p.fmax_mhz_max;
            row.gsop_per_s = p.gsop_per_s;
            if let Some(u) = p.utilization.get("ICESTORM_LC") {
                row.lcs_used = Some(u.used);
                row.lcs_available = Some(u.available);
            }
        }
        row
    }
}

/// Runs every point with up to `jobs` threads (capped at the machine's
/// available parallelism); a failed point becomes an `error` row.
pub fn run(
    points: &[Point],
    opts: &Options,
    tools: &Tools,
    jobs: usize,
    progress: bool,
) -> Vec<Row> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let jobs = jobs.clamp(1, cores).min(points.len().max(1));
    let bar = if progress {
        let b = ProgressBar::new(points.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; points.len()]);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = points.get(i) else { break };
                bar.set_message(p.label());
                let row = match p.config() {
                    Err(e) => {
                        let mut r = Row::new(p.clone());
                        r.error = Some(e);
                        r
                    }
                    Ok(cfg) => match synthesize(&cfg, opts, tools) {
                        Ok(rep) => Row::from_report(p.clone(), &rep),
                        Err(e) => {
                            let mut r = Row::new(p.clone());
                            r.error = Some(format!("{e:#}"));
                            r
                        }
                    },
                };
                if let Ok(mut v) = results.lock() {
                    v[i] = Some(row);
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .zip(points)
        .map(|(r, p)| {
            r.unwrap_or_else(|| {
                let mut r = Row::new(p.clone());
                r.error = Some("not run".into());
                r
            })
        })
        .collect()
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

/// CSV quoting: fields with a comma, quote or newline are quoted.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The CSV text: a header and one line per row.
pub fn csv(rows: &[Row]) -> String {
    let mut s = String::from(
        "kind,rows,cols,timesteps,weight_bits,pes,status,luts,gates,carries,ffs,lut_mem,dsps,brams,pe_luts,array_luts,neuron_luts,control_luts,efficiency_ratio,fit,lcs_used,lcs_available,fmax_mhz,fmax_mhz_min,fmax_mhz_max,gsop_per_s,pnr_status,pnr_message,error\n",
    );
    for r in rows {
        let p = &r.point;
        let fields = [
            p.kind.clone(),
            p.rows.to_string(),
            p.cols.to_string(),
            p.timesteps.to_string(),
            p.weight_bits.to_string(),
            r.pes.to_string(),
            r.status.as_str().to_string(),
            opt(&r.luts),
            opt(&r.gates),
            opt(&r.carries),
            opt(&r.ffs),
            opt(&r.lut_mem),
            opt(&r.dsps),
            opt(&r.brams),
            opt(&r.pe_luts),
            opt(&r.array_luts),
            opt(&r.neuron_luts),
            opt(&r.control_luts),
            r.efficiency_ratio
                .map(|x| format!("{x:.3}"))
                .unwrap_or_default(),
            opt(&r.fit),
            opt(&r.lcs_used),
            opt(&r.lcs_available),
            r.fmax_mhz.map(|x| format!("{x:.2}")).unwrap_or_default(),
            r.fmax_mhz_min
                .map(|x| format!("{x:.2}"))
                .unwrap_or_default(),
            r.fmax_mhz_max
                .map(|x| format!("{x:.2}"))
                .unwrap_or_default(),
            r.gsop_per_s.map(|x| format!("{x:.3}")).unwrap_or_default(),
            opt(&r.pnr_status),
            opt(&r.pnr_message),
            opt(&r.error),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        let _ = writeln!(s, "{}", line.join(","));
    }
    s
}

/// The JSON document: settings, tools and rows.
pub fn json_doc(rows: &[Row], opts: &Options, tools: &Tools) -> Value {
    let mut tool_list = vec![
        json!({"tool": "yosys", "path": tools.yosys.path.display().to_string(),
                                    "version": tools.yosys.version}),
    ];
    if let Some(n) = &tools.nextpnr {
        tool_list.push(
            json!({"tool": "nextpnr-ice40", "path": n.path.display().to_string(),
                              "version": n.version}),
        );
    }
    json!({
        "format_version": SWEEP_FORMAT_VERSION,
        "generator": format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        "target": opts.target.name(),
        "pnr": opts.pnr,
        "freq_mhz": opts.freq_mhz,
        "seed": opts.seed,
        "seeds": opts.seeds,
        "tools": tool_list,
        "rows": rows,
    })
}

/// The SVG chart: LUTs (gates on `generic`), flip-flops and Fmax against
/// PEs (rows x cols). One line per neuron kind; when T or weight_bits vary
/// they are in the line's label too, and so are the rows when both rows and
/// cols vary on a non-square grid (otherwise two shapes with the same PE
/// count would share a line).
pub fn chart_svg(rows: &[Row], opts: &Options) -> String {
    let distinct = |f: &dyn Fn(&Point) -> usize| {
        rows.iter()
            .map(|r| f(&r.point))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 1
    };
    let vary_t = distinct(&|p| p.timesteps);
    let vary_w = distinct(&|p| p.weight_bits as usize);
    let square = rows.iter().all(|r| r.point.rows == r.point.cols);
    let vary_shape = !square && distinct(&|p| p.rows) && distinct(&|p| p.cols);
    let label = |p: &Point| {
        let mut l = p.kind.clone();
        if vary_shape {
            l += &format!(" {} rows", p.rows);
        }
        if vary_t {
            l += &format!(" T{}", p.timesteps);
        }
        if vary_w {
            l += &format!(" w{}", p.weight_bits);
        }
        l
    };
    let series = |f: &dyn Fn(&Row) -> Option<f64>| -> Vec<Series> {
        let mut m: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
        let mut order: Vec<String> = vec![];
        for r in rows {
            if let Some(y) = f(r) {
                let l = label(&r.point);
                if !order.contains(&l) {
                    order.push(l.clone());
                }
                m.entry(l).or_default().push((r.pes as f64, y));
            }
        }
        order
            .into_iter()
            .map(|l| Series {
                points: m.remove(&l).unwrap_or_default(),
                label: l,
            })
            .collect()
    };
    let generic = opts.target.family() == crate::target::Family::Generic;
    let lut_name = if generic { "gates" } else { "LUTs" };
    let luts = Panel {
        title: format!("{lut_name} (whole core)"),
        y_label: lut_name.into(),
        series: series(&|r| {
            if generic {
                r.gates.map(|x| x as f64)
            } else {
                r.luts.map(|x| x as f64)
            }
        }),
        y_from: None,
        empty_note: "no results".into(),
    };
    let ffs = Panel {
        title: "Flip-flops (whole core)".into(),
        y_label: "flip-flops".into(),
        series: series(&|r| r.ffs.map(|x| x as f64)),
        y_from: None,
        empty_note: "no results".into(),
    };
    let fmax = Panel {
        title: format!(
            "Fmax after place and route, median of {} seeds (target {} MHz)",
            opts.seeds, opts.freq_mhz
        ),
        y_label: "MHz".into(),
        series: series(&|r| r.fmax_mhz),
        y_from: None,
        empty_note: if opts.pnr {
            "no design was routed".into()
        } else {
            "not measured: run the sweep with --pnr".into()
        },
    };
    let mut notes = vec![];
    for r in rows {
        if r.status != RowStatus::Ok {
            notes.push(format!(
                "{}: not synthesized: {}",
                r.point.label(),
                r.error.as_deref().unwrap_or("")
            ));
        } else if opts.pnr && r.fmax_mhz.is_none() {
            notes.push(format!(
                "{}: no Fmax: {}",
                r.point.label(),
                r.pnr_message.as_deref().unwrap_or("not routed")
            ));
        }
    }
    chart(
        &format!("snnrtl sweep on {}: cost against array size", opts.target),
        "PEs (rows x cols)",
        &[luts, ffs, fmax],
        &notes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_with_one_line_errors() {
        assert_eq!(parse_ints("--rows", "4, 8,4", 1, 4096), Ok(vec![4, 8]));
        assert_eq!(
            parse_ints("--rows", "0", 1, 4096).unwrap_err(),
            "--rows: 0 is not in 1..=4096"
        );
        assert_eq!(
            parse_ints("--cols", "x", 1, 4096).unwrap_err(),
            "--cols: \"x\" is not an integer (a comma-separated list of integers in 1..=4096)"
        );
        assert_eq!(
            parse_kinds("tmn,lif").unwrap_err(),
            "--kinds: \"lif\" is not one of if, tmn, psn, masked_psn, sliding_psn"
        );
    }

    #[test]
    fn every_kind_makes_a_valid_layer() {
        let mut g = Grid::parse(
            "1,3",
            "2",
            "1,4",
            "2,8",
            "if,tmn,psn,masked_psn,sliding_psn",
        )
        .unwrap();
        let pts = g.points();
        assert_eq!(pts.len(), 5 * 2 * 2 * 2);
        for p in pts {
            p.config().unwrap();
        }
        g.square = true;
        let shapes: Vec<(usize, usize)> = g.points().iter().map(|p| (p.rows, p.cols)).collect();
        assert!(shapes.iter().all(|&(r, c)| r == c) && shapes.contains(&(3, 3)));
    }

    #[test]
    fn csv_quotes_errors() {
        let mut r = Row::new(Point {
            kind: "tmn".into(),
            rows: 2,
            cols: 3,
            timesteps: 4,
            weight_bits: 8,
        });
        r.error = Some("yosys failed: ERROR: a, b".into());
        let text = csv(&[r]);
        assert_eq!(text.lines().count(), 2);
        assert!(text
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("tmn,2,3,4,8,6,error,"));
        assert!(text.ends_with(",\"yosys failed: ERROR: a, b\"\n"));
    }
}
