//! `snnrtl flow` with a NIR model (`model.nir`): the spiking network is taken
//! as it is, the float NIR simulation and the integer golden model are
//! tabulated over T, and the network is generated and co-simulated
//! bit-exact. Uses the 5-5-3 IF fixture of snn-nir and a small data set
//! written here, so the Verilator build stays small. Fails under `CI` when
//! Verilator is missing.

use serde_json::{json, Value};
use snn_tools::{require_for_test, Tool};
use std::path::PathBuf;
use std::process::Command;

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn setup(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-nirflow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    // 60 images of 5 pixels in 0..=15, three classes, a fixed split.
    let mut csv = String::from("p0,p1,p2,p3,p4,label\n");
    let mut x = 12345u64;
    for i in 0..60 {
        let mut row = vec![];
        for _ in 0..5 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            row.push(((x >> 33) % 16).to_string());
        }
        row.push((i % 3).to_string());
        csv += &(row.join(",") + "\n");
    }
    std::fs::write(d.join("data.csv"), csv).unwrap();
    let test: Vec<usize> = (0..60).filter(|i| i % 4 == 0).collect();
    let train: Vec<usize> = (0..60).filter(|i| i % 4 != 0).collect();
    std::fs::write(
        d.join("split.json"),
        json!({"seed": 0, "test_fraction": 0.25, "stratified": false, "train": train, "test": test}).to_string(),
    )
    .unwrap();
    let nir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../nir/fixtures/affine_if.nir");
    std::fs::write(
        d.join("flow.json"),
        json!({"format_version": 1, "name": "fixture",
               "dataset": {"csv": "data.csv", "max_value": 15, "split": "split.json"},
               "model": {"nir": nir, "reset": "zero"},
               "evaluate": {"timesteps": [4, 8], "if_encoder": "rate"},
               "hardware": {"timesteps": 8, "cosim_images": 15, "targets": []}})
        .to_string(),
    )
    .unwrap();
    d
}

#[test]
fn a_nir_model_runs_through_the_flow_bit_exact() {
    if require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let d = setup("ok");
    let out = d.join("out");
    let o = snnrtl()
        .arg("flow")
        .arg(d.join("flow.json"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["kind"], "nir");
    assert_eq!(r["format_version"], 1);
    let rows = r["accuracy"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["timesteps"], 8);
    // The hardware network is the T = 8 import: its golden accuracy is the
    // table's integer column at T = 8.
    assert_eq!(rows[1]["integer"], r["golden_test_accuracy"]);
    assert_eq!(r["cosim"]["verdict"], "bit-exact");
    assert_eq!(r["cosim"]["images"], 15);
    assert_eq!(r["cosim"]["rtl_correct"], r["cosim"]["golden_correct"]);
    for f in [
        "network.json",
        "import.json",
        "import.md",
        "report.md",
        "rtl/snn_network.v",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let imp: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("import.json")).unwrap()).unwrap();
    assert_eq!(imp["timesteps"], 8);
}

#[test]
fn a_nir_flow_refuses_ann_fields_and_writes_nothing() {
    let d = setup("bad");
    let mut f: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("flow.json")).unwrap()).unwrap();
    f["weights"] = json!("mlp.safetensors");
    std::fs::write(d.join("flow.json"), f.to_string()).unwrap();
    let out = d.join("out");
    let o = snnrtl()
        .arg("flow")
        .arg(d.join("flow.json"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        format!(
            "error: {}: weights: a flow with a NIR model takes no ANN fields (weights, layers, conversion)",
            d.join("flow.json").display()
        )
    );
    assert!(!out.exists());
}
