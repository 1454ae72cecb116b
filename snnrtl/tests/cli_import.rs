//! `snnrtl import` and `snnrtl export` as users call them: the three files
//! written and readable, export -> import the same network, and every bad
//! or unsupported file refused with one line, a non-zero exit and nothing
//! written.

use golden_model::NetworkConfig;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn snnrtl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
        .args(args)
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../nir/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn import_writes_network_and_report() {
    let out = tmp_dir("import");
    let o = snnrtl(&[
        "import",
        &fixture("snntorch_lif.nir"),
        "-o",
        out.to_str().unwrap(),
        "--timesteps",
        "12",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("network.json")).unwrap();
    let net = NetworkConfig::parse(&text).unwrap();
    assert_eq!((net.inputs(), net.outputs(), net.timesteps()), (5, 3, 12));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["meta"]["dt_source"], "gain_one");
    let rep = read_json(&out.join("import.json"));
    assert_eq!(rep["format_version"], 1);
    assert_eq!(rep["layers"][1]["leak"]["leak_shift"], 3);
    assert_eq!(rep["layers"][0]["neuron"]["node"], "lif1");
    let md = std::fs::read_to_string(out.join("import.md")).unwrap();
    assert!(
        md.contains("| 1 | `fc2` (Affine) -> `lif2` (LIF) | lif | 6 x 3 |"),
        "{md}"
    );
}

#[test]
fn export_then_import_round_trips_through_the_binary() {
    let dir = tmp_dir("export");
    let first = dir.join("a");
    let o = snnrtl(&[
        "import",
        &fixture("affine_if.nir"),
        "-o",
        first.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let nir = dir.join("net.nir");
    let o = snnrtl(&[
        "export",
        first.join("network.json").to_str().unwrap(),
        "-o",
        nir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // IF with reset to zero: NIR expresses it exactly, no warning.
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"));
    let second = dir.join("b");
    let o = snnrtl(&[
        "import",
        nir.to_str().unwrap(),
        "-o",
        second.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let a = NetworkConfig::parse(&std::fs::read_to_string(first.join("network.json")).unwrap())
        .unwrap();
    let b = NetworkConfig::parse(&std::fs::read_to_string(second.join("network.json")).unwrap())
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn export_warns_for_lif_and_refuses_tmn() {
    let dir = tmp_dir("export-lif");
    let o = snnrtl(&[
        "import",
        &fixture("snntorch_lif.nir"),
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let nir = dir.join("lif.nir");
    let o = snnrtl(&[
        "export",
        dir.join("network.json").to_str().unwrap(),
        "-o",
        nir.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 2, "{err}");
    assert!(
        warnings[0].contains("network.layers[0] (lif)") && warnings[0].contains("floors u >> 2")
    );
    // A tmn network is refused, naming layer and kind, and writes nothing.
    let tmn = dir.join("tmn.json");
    let net = serde_json::json!({"format_version": 1, "network": {"layers": [
        {"inputs": 2, "outputs": 1, "timesteps": 4, "weights": [[1, -1]], "neuron": {"kind": "tmn", "vth": 16}}]}});
    std::fs::write(&tmn, net.to_string()).unwrap();
    let target = dir.join("tmn.nir");
    let o = snnrtl(&[
        "export",
        tmn.to_str().unwrap(),
        "-o",
        target.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("network.layers[0].neuron.kind: tmn has no NIR form"),
        "{err}"
    );
    assert!(!target.exists());
}

#[test]
fn bad_and_unsupported_files_are_refused_with_one_line_and_nothing_written() {
    let cases: &[(&str, &[&str], &str)] = &[
        ("bad_not_hdf5.nir", &[], "not an HDF5 file"),
        ("bad_no_node.nir", &[], "/node: missing"),
        (
            "bad_edge_missing_node.nir",
            &[],
            "/node/edges[4]: destination \"readout\"",
        ),
        (
            "bad_shapes.nir",
            &[],
            "/node/nodes/fc1/weight: shape [2, 5] does not chain",
        ),
        (
            "conv2d.nir",
            &[],
            "/node/nodes/conv: Conv2d is not supported",
        ),
        (
            "cubalif_recurrent.nir",
            &[],
            "/node/nodes/cuba: CubaLIF is not supported",
        ),
        ("recurrent_lif.nir", &[], "rec -> lif closes a cycle"),
        (
            "v_reset_nonzero.nir",
            &[],
            "/node/nodes/if/v_reset: -0.5 is not supported",
        ),
        ("norse_lif.nir", &[], "pass --dt"),
        (
            "affine_if.nir",
            &["--weight-bits", "17"],
            "--weight-bits: 17 is not in 2..=16",
        ),
        (
            "affine_if.nir",
            &["--timesteps", "65"],
            "--timesteps: 65 is not in 1..=64",
        ),
    ];
    for (i, (name, extra, want)) in cases.iter().enumerate() {
        let out = tmp_dir(&format!("bad{i}"));
        let (f, o_str) = (fixture(name), out.to_str().unwrap().to_string());
        let mut args = vec!["import", f.as_str(), "-o", o_str.as_str()];
        args.extend(extra.iter());
        let o = snnrtl(&args);
        assert!(!o.status.success(), "{name} was accepted");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(
            err.starts_with("error: ") && err.contains(want),
            "{name}: {err}"
        );
        assert!(!out.exists(), "{name}: wrote {}", out.display());
    }
}
