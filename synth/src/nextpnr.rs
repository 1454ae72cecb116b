//! nextpnr-ice40: arguments, running it, and reading its `--report` JSON
//! (Fmax per clock, utilisation per bel type, critical paths). Numbers come
//! from the report only, never from nextpnr's log.

use crate::error::{Output, Result, SynthError};
use serde_json::Value;
use snn_tools::Found;
use std::collections::BTreeMap;
use std::path::Path;

use crate::target::Target;

/// Which nextpnr run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `--pack-only`: the exact logic-cell count after packing, in a second
    /// or so, so a design that does not fit is reported from the JSON
    /// (nextpnr's placer otherwise fails with only a log message).
    Pack,
    /// Place and route with one placer seed; runs on several seeds share
    /// the folder, each with its own report and log.
    Route { seed: u64 },
}

impl Stage {
    /// `(report file, log file)`.
    pub fn files(self) -> (String, String) {
        match self {
            Stage::Pack => ("nextpnr-pack-report.json".into(), "nextpnr-pack.log".into()),
            Stage::Route { seed } => (
                format!("nextpnr-report-seed{seed}.json"),
                format!("nextpnr-seed{seed}.log"),
            ),
        }
    }

    /// The placer seed (packing does not place: seed 1).
    pub fn seed(self) -> u64 {
        match self {
            Stage::Pack => 1,
            Stage::Route { seed } => seed,
        }
    }
}

/// Arguments for placing and routing `netlist` for `target`: the package's
/// pins are left to nextpnr unless `pcf` assigns them (`--pcf-allow-unconstrained`),
/// the clock constraint is in `pcf` (`set_frequency`), and timing failure
/// still writes a report (`--timing-allow-fail`), so a slow design reports
/// its Fmax instead of failing.
pub fn args(target: Target, netlist: &str, pcf: &str, stage: Stage) -> Option<Vec<String>> {
    let (device, package) = target.nextpnr_device()?;
    let (report, log) = stage.files();
    let seed = stage.seed().to_string();
    let mut v: Vec<String> = [
        device,
        "--package",
        package,
        "--json",
        netlist,
        "--pcf",
        pcf,
        "--pcf-allow-unconstrained",
        "--timing-allow-fail",
        "--seed",
        &seed,
        "--report",
        &report,
        "--log",
        &log,
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if stage == Stage::Pack {
        v.push("--pack-only".into());
    }
    Some(v)
}

/// Runs nextpnr; `Err` carries the first `ERROR` line of its log.
pub fn run(nextpnr: &Found, dir: &Path, args: &[String], stage: Stage) -> Result<()> {
    let out = snn_tools::run(nextpnr, args, dir)?;
    if !out.success {
        let log = std::fs::read_to_string(dir.join(stage.files().1)).unwrap_or_default();
        let line = log
            .lines()
            .chain(out.text.lines())
            .find(|l| l.starts_with("ERROR"))
            .unwrap_or("no ERROR line in the log")
            .trim()
            .to_string();
        return Err(SynthError::NextpnrFailed { line });
    }
    Ok(())
}

/// Achieved and constrained frequency of one clock, MHz.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockFmax {
    pub achieved: f64,
    pub constraint: f64,
}

/// Used and available count of one bel type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    pub used: u64,
    pub available: u64,
}

/// One element of a critical path.
#[derive(Debug, Clone, PartialEq)]
pub struct PathElem {
    /// `clk-to-q`, `routing`, `logic`, `setup`, `source`, ...
    pub kind: String,
    pub from_cell: String,
    pub to_cell: String,
    /// The routed net (routing elements).
    pub net: Option<String>,
    /// Nanoseconds.
    pub delay: f64,
}

/// A critical path between two clock events.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPath {
    pub from: String,
    pub to: String,
    pub path: Vec<PathElem>,
}

/// The parsed `--report` file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub fmax: BTreeMap<String, ClockFmax>,
    pub utilization: BTreeMap<String, Usage>,
    pub critical_paths: Vec<CriticalPath>,
}

fn num(v: &Value, what: &str) -> Result<f64> {
    v.as_f64()
        .ok_or_else(|| SynthError::field(Output::NextpnrReport, what, "not a number"))
}

fn cell(v: &Value, side: &str) -> String {
    v.get(side)
        .and_then(|e| e.get("cell"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Parses nextpnr's `--report` JSON.
pub fn parse_report(text: &str) -> Result<Report> {
    let v: Value = serde_json::from_str(text).map_err(|err| SynthError::NotJson {
        output: Output::NextpnrReport,
        what: "not valid JSON",
        err,
    })?;
    let mut r = Report::default();
    if let Some(f) = v.get("fmax").and_then(Value::as_object) {
        for (clk, e) in f {
            r.fmax.insert(
                clk.clone(),
                ClockFmax {
                    achieved: num(&e["achieved"], &format!("fmax.{clk}.achieved"))?,
                    constraint: num(&e["constraint"], &format!("fmax.{clk}.constraint"))?,
                },
            );
        }
    }
    let util = v
        .get("utilization")
        .and_then(Value::as_object)
        .ok_or_else(|| SynthError::malformed(Output::NextpnrReport, "no utilization object"))?;
    for (bel, u) in util {
        let get = |k: &str| {
            u.get(k).and_then(Value::as_u64).ok_or_else(|| {
                SynthError::field(
                    Output::NextpnrReport,
                    format!("utilization.{bel}.{k}"),
                    "not a count",
                )
            })
        };
        r.utilization.insert(
            bel.clone(),
            Usage {
                used: get("used")?,
                available: get("available")?,
            },
        );
    }
    for p in v
        .get("critical_paths")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let path = p
            .get("path")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| PathElem {
                kind: e.get("type").and_then(Value::as_str).unwrap_or("").into(),
                from_cell: cell(e, "from"),
                to_cell: cell(e, "to"),
                net: e.get("net").and_then(Value::as_str).map(str::to_string),
                delay: e.get("delay").and_then(Value::as_f64).unwrap_or(0.0),
            })
            .collect();
        r.critical_paths.push(CriticalPath {
            from: p.get("from").and_then(Value::as_str).unwrap_or("").into(),
            to: p.get("to").and_then(Value::as_str).unwrap_or("").into(),
            path,
        });
    }
    Ok(r)
}

impl Report {
    /// The slowest clock (lowest achieved Fmax), if any clock was timed.
    pub fn worst_clock(&self) -> Option<(&String, &ClockFmax)> {
        self.fmax
            .iter()
            .min_by(|a, b| a.1.achieved.total_cmp(&b.1.achieved))
    }

    /// The register-to-register critical path of the clock (both ends on a
    /// clock edge, not `<async>` I/O).
    pub fn reg_to_reg_path(&self) -> Option<&CriticalPath> {
        self.critical_paths
            .iter()
            .find(|p| p.from.starts_with("posedge") && p.to.starts_with("posedge"))
            .or_else(|| {
                self.critical_paths
                    .iter()
                    .find(|p| !p.from.contains("async") && !p.to.contains("async"))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Trimmed from a real nextpnr-ice40 0.4 `--report`.
    const REPORT: &str = r#"{
 "critical_paths": [
  {"from": "posedge clk$SB_IO_IN_$glb_clk", "to": "posedge clk$SB_IO_IN_$glb_clk",
   "path": [
    {"delay": 0.54, "from": {"cell": "dut.a_LC", "loc": [2, 27], "port": "CLK"},
     "to": {"cell": "dut.ctl_DFFLC", "loc": [7, 29], "port": "O"}, "type": "clk-to-q"},
    {"budget": 0, "delay": 1.64, "from": {"cell": "dut.ctl_DFFLC", "loc": [7, 29], "port": "O"},
     "net": "dut.ctl[0]", "to": {"cell": "dut.neuron_c0.m_LC", "loc": [2, 27], "port": "I1"}, "type": "routing"},
    {"delay": 0.40, "from": {"cell": "dut.neuron_c0.m_LC", "port": "I1"},
     "to": {"cell": "dut.neuron_c0.m_LC", "port": "O"}, "type": "logic"},
    {"delay": 0.47, "from": {"cell": "dut.neuron_c0.u_LC", "port": "I0"},
     "to": {"cell": "dut.neuron_c0.u_LC", "port": "I0"}, "type": "setup"}
   ]},
  {"from": "<async>", "to": "posedge clk$SB_IO_IN_$glb_clk", "path": []}
 ],
 "fmax": {"clk$SB_IO_IN_$glb_clk": {"achieved": 57.03, "constraint": 80}},
 "utilization": {"ICESTORM_LC": {"available": 7680, "used": 4445},
                 "SB_IO": {"available": 256, "used": 4}}
}"#;

    #[test]
    fn parses_fmax_utilisation_and_paths() {
        let r = parse_report(REPORT).unwrap();
        let (clk, f) = r.worst_clock().unwrap();
        assert_eq!(clk, "clk$SB_IO_IN_$glb_clk");
        assert_eq!((f.achieved, f.constraint), (57.03, 80.0));
        assert_eq!(
            r.utilization["ICESTORM_LC"],
            Usage {
                used: 4445,
                available: 7680
            }
        );
        let p = r.reg_to_reg_path().unwrap();
        assert_eq!(p.path.len(), 4);
        assert_eq!(p.path[1].net.as_deref(), Some("dut.ctl[0]"));
        assert_eq!(p.path[2].kind, "logic");
    }

    #[test]
    fn args_name_device_package_constraints_and_report() {
        let a = args(
            Target::Ice40Up5k,
            "n.json",
            "c.pcf",
            Stage::Route { seed: 3 },
        )
        .unwrap();
        assert_eq!(
            a.join(" "),
            "--up5k --package sg48 --json n.json --pcf c.pcf --pcf-allow-unconstrained --timing-allow-fail --seed 3 --report nextpnr-report-seed3.json --log nextpnr-seed3.log -q"
        );
        assert!(args(Target::Xilinx7, "n", "c", Stage::Route { seed: 1 }).is_none());
        let p = args(Target::Ice40Hx8k, "n.json", "c.pcf", Stage::Pack).unwrap();
        assert!(p
            .join(" ")
            .ends_with("--report nextpnr-pack-report.json --log nextpnr-pack.log -q --pack-only"));
    }
}
