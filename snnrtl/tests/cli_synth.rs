//! `snnrtl synth` and `snnrtl sweep`: one-line errors naming the option and
//! its range, non-zero exit and no output file for invalid input; a real
//! run writes the report JSON; a tiny sweep writes CSV, JSON and an SVG
//! chart (with Fmax when placed and routed). Tool runs fail under `CI` when
//! the tools are missing.

use serde_json::{json, Value};
use snn_tools::{require_for_test, Tool};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-synth-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn layer_file(dir: &Path) -> PathBuf {
    let p = dir.join("layer.json");
    let v = json!({"inputs": 2, "outputs": 3, "timesteps": 4, "weight_bits": 8,
                   "weights": [[1, -2], [3, 4], [-5, 6]], "neuron": {"kind": "tmn", "vth": 16}});
    std::fs::write(&p, v.to_string()).unwrap();
    p
}

fn stderr_line(o: &Output) -> String {
    let e = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(e.trim_end().lines().count(), 1, "not one line: {e:?}");
    e.trim_end().to_string()
}

#[test]
fn invalid_options_are_one_line_and_write_nothing() {
    let d = tmp("bad");
    let cfg = layer_file(&d);
    let out = d.join("r.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--target", "ice40"], "error: --target: \"ice40\" is not one of ice40-up5k, ice40-hx8k, xilinx-7, generic"),
        (vec!["--target", "generic", "--freq", "0"], "error: --freq: 0 is not in 1..=1000 (MHz)"),
        (vec!["--target", "generic", "--freq", "fast"], "error: --freq: \"fast\" is not a number of MHz in 1..=1000"),
        (vec!["--target", "ice40-hx8k", "--board", "icebreaker"], "error: --board: icebreaker carries the part of --target ice40-up5k, not ice40-hx8k"),
        (vec!["--target", "xilinx-7", "--pnr"], "error: --pnr: place and route is available for ice40-up5k and ice40-hx8k only (nextpnr-ice40), not xilinx-7"),
        (vec!["--target", "generic", "--top", "pe"], "error: --top: \"pe\" is not one of core, array"),
        (vec!["--target", "generic", "--seed", "2147483648"], "error: --seed: \"2147483648\" is not an integer in 0..=2147483647"),
        (vec!["--target", "ice40-hx8k", "--pnr", "--seeds", "0"], "error: --seeds: \"0\" is not an integer in 1..=16"),
        (vec!["--target", "ice40-hx8k", "--pnr", "--seeds", "17"], "error: --seeds: \"17\" is not an integer in 1..=16"),
        (vec!["--target", "ice40-hx8k", "--pnr", "--seeds", "three"], "error: --seeds: \"three\" is not an integer in 1..=16"),
        (vec!["--target", "ice40-hx8k", "--pnr", "--seed", "2147483647", "--seeds", "2"], "error: --seeds: seeds 2147483647..=2147483648 go past the largest seed 2147483647"),
    ];
    for (args, want) in cases {
        let o = snnrtl()
            .arg("synth")
            .arg(&cfg)
            .args(&args)
            .arg("--json")
            .arg(&out)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?} succeeded");
        assert_eq!(stderr_line(&o), want);
        assert!(!out.exists(), "{args:?} wrote a report");
    }
    // A bad layer field is named by its path.
    let bad = d.join("bad.json");
    std::fs::write(
        &bad,
        json!({"inputs": 0, "outputs": 1, "timesteps": 1, "weights": [[]],
                                 "neuron": {"kind": "if", "vth": 1}})
        .to_string(),
    )
    .unwrap();
    let o = snnrtl()
        .arg("synth")
        .arg(&bad)
        .args(["--target", "generic"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(stderr_line(&o).contains("inputs"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn sweep_options_are_checked_before_any_run() {
    let d = tmp("sweepbad");
    for (args, want) in [
        (vec!["--rows", "0,4"], "error: --rows: 0 is not in 1..=4096"),
        (
            vec!["--kinds", "tmn,lif"],
            "error: --kinds: \"lif\" is not one of if, tmn, psn, masked_psn, sliding_psn",
        ),
        (
            vec!["--jobs", "0"],
            "error: --jobs: \"0\" is not an integer in 1..=64",
        ),
        (
            vec!["--weight-bits", "1"],
            "error: --weight-bits: 1 is not in 2..=16",
        ),
    ] {
        let o = snnrtl()
            .args(["sweep", "--target", "generic", "-o"])
            .arg(d.join("out"))
            .args(&args)
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert_eq!(stderr_line(&o), want);
        assert!(!d.join("out").exists());
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn missing_yosys_is_a_clear_message() {
    let d = tmp("noyosys");
    let o = snnrtl()
        .arg("synth")
        .arg(layer_file(&d))
        .args(["--target", "generic"])
        .env("YOSYS", d.join("no-such-yosys"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let line = stderr_line(&o);
    assert!(
        line.contains("$YOSYS") && line.contains("no-such-yosys"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn synth_writes_the_report_json() {
    if require_for_test(Tool::Yosys).is_none() {
        return;
    }
    let d = tmp("ok");
    let out = d.join("reports/r.json");
    let o = snnrtl()
        .arg("synth")
        .arg(layer_file(&d))
        .args(["--target", "ice40-hx8k", "--json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("snn_pe (pe)") && text.contains("PE array efficiency"),
        "{text}"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["format_version"], 2);
    assert_eq!(v["target"], "ice40-hx8k");
    assert_eq!(v["layer"]["inputs"], 2);
    assert_eq!(v["modules"].as_array().unwrap().len(), 4);
    let leftovers: Vec<_> = std::fs::read_dir(d.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&d);
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn tiny_sweep_writes_csv_json_and_chart() {
    if require_for_test(Tool::Yosys).is_none() {
        return;
    }
    let d = tmp("sweep");
    let o = snnrtl()
        .args([
            "sweep",
            "--target",
            "generic",
            "--rows",
            "1,2",
            "--cols",
            "2",
            "--timesteps",
            "2",
            "--kinds",
            "if,tmn",
            "--quiet",
            "-o",
        ])
        .arg(&d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = read(&d.join("sweep.csv"));
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains(",ok,")), "{csv}");
    let v: Value = serde_json::from_str(&read(&d.join("sweep.json"))).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 4);
    assert_eq!(v["format_version"], 2);
    let svg = read(&d.join("sweep.svg"));
    // Gates and flip-flops: one line per kind in each; no Fmax without --pnr.
    assert_eq!(svg.matches("<polyline").count(), 4, "{svg}");
    assert!(svg.contains("not measured: run the sweep with --pnr"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn sweep_with_place_and_route_charts_fmax() {
    let (Some(_), Some(_)) = (
        require_for_test(Tool::Yosys),
        require_for_test(Tool::NextpnrIce40),
    ) else {
        return;
    };
    let d = tmp("sweeppnr");
    let o = snnrtl()
        .args([
            "sweep",
            "--target",
            "ice40-hx8k",
            "--pnr",
            "--rows",
            "1,2",
            "--cols",
            "2",
            "--timesteps",
            "2",
            "--kinds",
            "tmn",
            "--quiet",
            "-o",
        ])
        .arg(&d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_str(&read(&d.join("sweep.json"))).unwrap();
    assert_eq!(v["seeds"], 3);
    for row in v["rows"].as_array().unwrap() {
        let f = |k: &str| row[k].as_f64().unwrap();
        assert!(f("fmax_mhz") > 1.0, "{row}");
        // The median over the three seeds lies between their min and max.
        assert!(
            f("fmax_mhz_min") <= f("fmax_mhz") && f("fmax_mhz") <= f("fmax_mhz_max"),
            "{row}"
        );
        let pes = row["pes"].as_f64().unwrap();
        assert!((f("gsop_per_s") - pes * f("fmax_mhz") / 1000.0).abs() < 1e-9);
        assert!(row["lcs_used"].as_u64().unwrap() > 0);
    }
    // LUTs, flip-flops and Fmax: one tmn line in each panel.
    assert_eq!(read(&d.join("sweep.svg")).matches("<polyline").count(), 3);
    let _ = std::fs::remove_dir_all(&d);
}
