//! `snnrtl flow` as users call it: the digits example end to end (convert,
//! accuracy table, generate, the unrolled network and the folded engine
//! synthesized, the folded engine chosen on both targets and co-simulated on
//! 540 + 200 images, reported), and bad flow files rejected with one line
//! and no output.
//! Fails under `CI` without Verilator or Yosys.

use golden_model::NetworkConfig;
use serde_json::Value;
use snn_tools::Tool;
use std::path::{Path, PathBuf};
use std::process::Command;

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn digits() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/digits")
        .canonicalize()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-cli-flow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The digits flow with absolute paths, edited by `edit`, written to `dir`.
fn flow_file(dir: &Path, edit: impl Fn(&mut Value)) -> PathBuf {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(digits().join("flow.json")).unwrap())
            .unwrap();
    let abs = |s: &Value| Value::from(digits().join(s.as_str().unwrap()).display().to_string());
    v["dataset"]["csv"] = abs(&v["dataset"]["csv"]);
    v["dataset"]["split"] = abs(&v["dataset"]["split"]);
    v["weights"] = abs(&v["weights"]);
    edit(&mut v);
    let p = dir.join("flow.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

fn fails_with(flow: &Path, out: &Path, want: &str) {
    let o = snnrtl()
        .arg("flow")
        .arg(flow)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.trim_end().ends_with(want), "{err}");
    assert!(!out.exists(), "nothing is written on bad input");
}

#[test]
fn bad_flow_files_name_the_field_and_write_nothing() {
    let d = tmp("bad");
    let out = d.join("out");
    let f = flow_file(&d, |v| v["layers"][0]["weight"] = "fc1.wieght".into());
    fails_with(
        &f,
        &out,
        "mlp.safetensors: tensor \"fc1.wieght\" is missing (the file has: fc1.bias, fc1.weight, fc2.bias, fc2.weight)",
    );
    let f = flow_file(&d, |v| v["hardware"]["cosim_images"] = 541.into());
    fails_with(
        &f,
        &out,
        "hardware.cosim_images: 541 is not in 0..=540 (the test images)",
    );
    let f = flow_file(&d, |v| v["layers"][1]["outputs"] = 11.into());
    fails_with(&f, &out, "tensor \"fc2.weight\" has shape [10, 32], expected [11, 32] ([out][in] for a Linear weight)");
    let f = flow_file(&d, |v| v["hardware"]["targets"][1] = "ecp5".into());
    fails_with(
        &f,
        &out,
        "hardware.targets[1]: \"ecp5\" is not one of ice40-up5k, ice40-hx8k, xilinx-7, generic",
    );
    let f = flow_file(&d, |v| v["hardware"]["architecture"] = "systolic".into());
    fails_with(
        &f,
        &out,
        "hardware.architecture: \"systolic\" is not accepted: \"unrolled\", \"folded\" or \"auto\"",
    );
    let f = flow_file(&d, |v| v["hardware"]["parallelism"] = 0.into());
    fails_with(
        &f,
        &out,
        "hardware.parallelism: 0 is not in 1..=32 (the widest layer's outputs)",
    );
    let f = flow_file(&d, |v| {
        v["hardware"]["parallelism_sweep"] = serde_json::json!([4, 33])
    });
    fails_with(
        &f,
        &out,
        "hardware.parallelism_sweep[1]: 33 is not in 1..=32",
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn digits_end_to_end() {
    if snn_tools::require_for_test(Tool::Verilator).is_none()
        || snn_tools::require_for_test(Tool::Yosys).is_none()
    {
        return;
    }
    let d = tmp("digits");
    let out = d.join("out");
    // The shipped flow file, with the folded sweep cut to P = 8 (the full
    // sweep is the demo's and the example's results).
    let flow = flow_file(&d, |v| {
        v["hardware"]["parallelism_sweep"] = serde_json::json!([8]);
    });
    let o = snnrtl()
        .arg("flow")
        .arg(&flow)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["format_version"], 1);
    // The accuracy table: every T, the float reference, the TMN target.
    let ts: Vec<u64> = r["accuracy"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["timesteps"].as_u64().unwrap())
        .collect();
    assert_eq!(ts, [1, 2, 3, 4, 6, 8, 12, 16, 32]);
    let float = r["accuracy"]["float_test"].as_f64().unwrap();
    assert!((float - 97.2222).abs() < 0.01, "{float}");
    assert_eq!(r["findings"]["tmn_t4_within_half_point"], true);
    assert!(r["findings"]["if_steps_within_1pt"].as_u64().is_some());
    // auto: per target, the fastest design that fits. On both targets that
    // is the folded engine: the unrolled network is 14x the UP5K and 2.2x
    // the XC7A35T.
    let choices = r["hardware"]["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 2);
    for c in choices {
        assert_eq!(c["design"], "folded P=8", "{c}");
    }
    let designs = r["hardware"]["designs"].as_array().unwrap();
    assert_eq!(designs.len(), 4, "unrolled and folded P=8 for two targets");
    let up5k_folded = designs
        .iter()
        .find(|d| d["target"] == "ice40-up5k" && d["parallelism"] == 8)
        .unwrap();
    assert_eq!(up5k_folded["chosen"], true);
    assert_eq!(up5k_folded["fits"], true);
    assert_eq!(up5k_folded["architecture"], "folded");
    for key in [
        "logic_cells",
        "brams",
        "sprams",
        "fmax_mhz",
        "cycles_per_image_mean",
        "cycles_per_image_max",
        "us_per_image",
    ] {
        assert!(up5k_folded[key].is_number(), "{key}: {up5k_folded}");
    }
    assert!(up5k_folded["logic_cells"].as_u64().unwrap() < 5280);
    let unrolled_up5k = designs
        .iter()
        .find(|d| d["target"] == "ice40-up5k" && d["architecture"] == "unrolled")
        .unwrap();
    assert_eq!(unrolled_up5k["fits"], false);
    assert_eq!(r["hardware"]["top"], "snn_folded");
    assert!(out.join("rtl-folded/snn_folded.v").exists());
    let runs = r["hardware"]["folded_runs"].as_array().unwrap();
    assert_eq!(runs[0]["verdict"], "bit-exact");
    assert_eq!(runs[0]["images"], 540);
    // 200 test images through Verilator (the chosen folded engine, with
    // stalls), bit-exact, same accuracy.
    let c = &r["hardware"]["cosim"];
    assert_eq!(c["verdict"], "bit-exact", "{c}");
    assert_eq!(c["images"], 200);
    assert_eq!(c["rtl_correct"], c["golden_correct"]);
    assert!(c["rtl_correct"].as_u64().unwrap() >= 190);
    // Synthesized for both targets; the network is far too big for the UP5K.
    let synth = r["hardware"]["synth"].as_array().unwrap();
    let targets: Vec<&str> = synth
        .iter()
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["xilinx-7", "ice40-up5k"]);
    let up5k = &synth[1];
    assert_eq!(up5k["fit"]["verdict"], "does not fit");
    assert!(up5k["cells"]["luts"].as_u64().unwrap() > 5280);
    // The integer network the RTL was built from reads back.
    let net =
        NetworkConfig::parse(&std::fs::read_to_string(out.join("network.json")).unwrap()).unwrap();
    assert_eq!(net.layers.len(), 2);
    assert_eq!(net.timesteps(), 4);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| T | TMN | TMN + L4 | IF | IF + L4 |"));
    assert!(md.contains("**bit-exact** on 200 test images"));
    let svg = std::fs::read_to_string(out.join("accuracy.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("TMN + L4"));
    assert!(out.join("rtl/snn_network.v").exists());
    let _ = std::fs::remove_dir_all(&d);
}

/// MNIST (784-64-10, 1,500 test images, `max_value` 255) with
/// `architecture: auto` and no synthesis: the unrolled network (50,816
/// PEs) is not built, the folded engine is co-simulated on every test image
/// and chosen on the UP5K by the estimate, and its accuracy is the golden
/// model's.
#[test]
fn mnist_chooses_the_folded_engine_by_estimate() {
    if snn_tools::require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/mnist")
        .canonicalize()
        .unwrap();
    let d = tmp("mnist");
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("flow.json")).unwrap()).unwrap();
    for k in ["csv", "split"] {
        v["dataset"][k] = dir
            .join(v["dataset"][k].as_str().unwrap())
            .display()
            .to_string()
            .into();
    }
    v["weights"] = dir
        .join(v["weights"].as_str().unwrap())
        .display()
        .to_string()
        .into();
    v["evaluate"]["timesteps"] = serde_json::json!([4]);
    v["hardware"]["parallelism_sweep"] = serde_json::json!([8]);
    v["hardware"]["cosim_images"] = 20.into();
    let flow = d.join("flow.json");
    std::fs::write(&flow, serde_json::to_string(&v).unwrap()).unwrap();
    let out = d.join("out");
    let o = snnrtl()
        .arg("flow")
        .arg(&flow)
        .arg("--no-synth")
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let h = &r["hardware"];
    assert_eq!(h["choices"][0]["design"], "folded P=8", "{}", h["choices"]);
    assert!(
        !out.join("rtl").exists(),
        "the unrolled network is not written"
    );
    assert_eq!(h["folded_runs"][0]["verdict"], "bit-exact");
    assert_eq!(h["folded_runs"][0]["images"], 1500);
    assert_eq!(h["cosim"]["verdict"], "bit-exact");
    assert!(h["golden_test_accuracy"].as_f64().unwrap() >= 92.0);
    let folded = h["designs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["parallelism"] == 8)
        .unwrap();
    assert_eq!(folded["fits"], true);
    assert_eq!(folded["sprams"], 4, "the weights go to SPRAM");
    let _ = std::fs::remove_dir_all(&d);
}

/// The elm-digits flow (an `elm` case): the golden model classifies all 540
/// test images (the 90.93% that `train_report.json` records), the elm core
/// is generated and 12 images are co-simulated bit-exact with stalls;
/// synthesis is skipped here (`--no-synth`).
#[test]
fn the_elm_digits_flow_runs_end_to_end() {
    if snn_tools::require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let d = tmp("elm");
    let case = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/elm-digits/test_case.json")
        .canonicalize()
        .unwrap();
    let flow = d.join("flow.json");
    std::fs::write(
        &flow,
        serde_json::json!({"format_version": 1, "name": "elm-digits",
            "elm": {"case": case.display().to_string()},
            "hardware": {"cosim_images": 12, "stall": true, "targets": ["xilinx-7"]}})
        .to_string(),
    )
    .unwrap();
    let out = d.join("out");
    let o = snnrtl()
        .arg("flow")
        .arg(&flow)
        .arg("-o")
        .arg(&out)
        .arg("--no-synth")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["samples"], 540);
    assert_eq!(r["golden_correct"], 491);
    assert_eq!(r["cosim"]["verdict"], "bit-exact");
    assert_eq!(r["cosim"]["images"], 12);
    assert_eq!(r["cycles_per_step"], 1166);
    assert!(out.join("rtl/snn_elm.v").is_file());
    assert!(std::fs::read_to_string(out.join("report.md"))
        .unwrap()
        .contains("bit-exact on 12 samples"));
}

/// The same flow with `"architecture": "folded"`: the folded elm core
/// (synapse stage, no array) is generated and co-simulated bit-exact; an
/// unknown architecture is refused with one line naming the field.
#[test]
fn the_elm_digits_flow_folded() {
    if snn_tools::require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let d = tmp("elm-folded");
    let case = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/elm-digits/test_case.json")
        .canonicalize()
        .unwrap();
    let write = |arch: &str| {
        let flow = d.join(format!("flow-{arch}.json"));
        std::fs::write(
            &flow,
            serde_json::json!({"format_version": 1, "name": "elm-digits",
                "elm": {"case": case.display().to_string()},
                "hardware": {"cosim_images": 12, "stall": true, "architecture": arch}})
            .to_string(),
        )
        .unwrap();
        flow
    };
    let out = d.join("out");
    let o = snnrtl()
        .arg("flow")
        .arg(write("folded"))
        .arg("-o")
        .arg(&out)
        .arg("--no-synth")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["cosim"]["verdict"], "bit-exact");
    assert_eq!(r["architecture"], "folded elm P=1");
    assert_eq!(r["cycles_per_step"], 1166);
    assert_eq!(r["step_latency_cycles"], 16 * 16 + 2 + 1166);
    assert!(out.join("rtl/snn_elm_synapses.v").is_file());
    assert!(!out.join("rtl/snn_array.v").exists());
    let o = snnrtl()
        .arg("flow")
        .arg(write("sideways"))
        .arg("-o")
        .arg(d.join("bad"))
        .arg("--no-synth")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "error: {}: hardware.architecture: \"sideways\" is not accepted: \"unrolled\" or \"folded\"\n",
            write("sideways").display()
        )
    );
    assert!(!d.join("bad").exists(), "nothing is written on bad input");
}
