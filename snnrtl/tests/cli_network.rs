//! `generate`, `cosim` and `synth` take the integer network file that
//! `snnrtl flow` and `snnrtl import` write, as well as a layer: the whole
//! `snn_network` is generated (with its FuseSoC core file), co-simulated
//! bit-exact against the golden model, and costed. Fails under `CI` when a
//! tool is missing.

use serde_json::json;
use snn_tools::{require_for_test, Tool};
use std::path::PathBuf;
use std::process::Command;

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-net-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A 5-4-3 network: lif (reset to zero) then if, T = 4.
fn network_file(dir: &std::path::Path) -> PathBuf {
    let l0 = json!({"inputs": 5, "outputs": 4, "timesteps": 4, "weight_bits": 4,
        "weights": [[1, -2, 3, 0, 7], [-8, 5, 0, 2, 1], [3, 3, -3, 1, 0], [0, 1, 2, -1, -4]],
        "bias": [1, 0, -1, 2],
        "neuron": {"kind": "lif", "vth": 3, "leak_shift": 2, "reset": "zero"}});
    let l1 = json!({"inputs": 4, "outputs": 3, "timesteps": 4, "weight_bits": 4,
        "weights": [[2, -1, 0, 3], [-3, 4, 1, 0], [1, 1, -2, 2]],
        "neuron": {"kind": "if", "vth": 2}});
    let p = dir.join("network.json");
    let doc =
        json!({"format_version": 1, "network": {"layers": [l0, l1]}, "meta": {"made_by": "test"}});
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

#[test]
fn generate_writes_the_network_and_its_core_file() {
    let d = tmp("gen");
    let net = network_file(&d);
    let out = d.join("rtl");
    let o = snnrtl()
        .arg("generate")
        .arg(&net)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["top"], "snn_network");
    for f in m["files"].as_array().unwrap() {
        assert!(out.join(f.as_str().unwrap()).is_file(), "{f}");
    }
    assert!(out.join("snn_l0_lif.v").is_file() && out.join("snn_l1_if.v").is_file());
    let core = std::fs::read_to_string(out.join("snn_network.core")).unwrap();
    assert!(core.contains("name: snnrtl:generated:snn_network:"));
    assert!(core.contains("network 5-4-3 (lif, if), T = 4"));
    assert!(core.contains("      - snn_network.v\n    file_type: verilogSource"));
}

#[test]
fn cosim_runs_a_network_file_bit_exact() {
    if require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let d = tmp("cosim");
    let net = network_file(&d);
    let o = snnrtl()
        .args(["cosim", "--samples", "40", "--stall", "--seed", "3"])
        .arg(&net)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.starts_with("cosim PASS: 40 samples x 4 steps through 2 layers bit-exact"),
        "{stdout}"
    );
    // A network file has no samples of its own.
    let o = snnrtl().arg("cosim").arg(&net).output().unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        format!(
            "error: {}: a network file has no samples; give --samples N for random ones",
            net.display()
        )
    );
}

/// A network file that carries `samples` (SPEC section 5 sample objects for
/// its first layer): `cosim` runs exactly those through `snn_network` and
/// through the folded engine, and a bad one is refused by its field.
#[test]
fn cosim_runs_a_network_file_own_samples() {
    if require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let d = tmp("samples");
    let net = network_file(&d);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net).unwrap()).unwrap();
    let row = |k: i64| -> Vec<i64> { (0..5).map(|i| (i + k) % 3 - 1).collect() };
    let samples: Vec<serde_json::Value> = (0..3)
        .map(|s| json!({"spikes": (0..4).map(|t| row(s + t)).collect::<Vec<_>>()}))
        .collect();
    doc["samples"] = json!(samples);
    let with = d.join("with_samples.json");
    std::fs::write(&with, doc.to_string()).unwrap();
    for (extra, want) in [
        (
            vec![],
            "cosim PASS: 3 samples x 4 steps through 2 layers bit-exact",
        ),
        (
            vec!["--architecture", "folded", "--parallelism", "2"],
            "cosim PASS: 3 samples through the folded engine (P = 2, 2 layers) bit-exact",
        ),
    ] {
        let o = snnrtl()
            .arg("cosim")
            .args(&extra)
            .arg(&with)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(stdout.starts_with(want), "{stdout}");
    }
    // --samples N still asks for random ones.
    let o = snnrtl()
        .args(["cosim", "--samples", "5", "--architecture", "folded"])
        .arg(&with)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("cosim PASS: 5 samples through"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A spike out of range names its sample and field; nothing is run.
    doc["samples"][1]["spikes"][2][3] = json!(2);
    let bad = d.join("bad_samples.json");
    std::fs::write(&bad, doc.to_string()).unwrap();
    for extra in [vec![], vec!["--architecture", "folded"]] {
        let o = snnrtl()
            .arg("cosim")
            .args(&extra)
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!o.status.success());
        assert_eq!(
            String::from_utf8_lossy(&o.stderr).trim_end(),
            format!(
                "error: {}: samples[1].spikes: spikes[2][3] = 2 is not in {{-1, 0, 1}}",
                bad.display()
            )
        );
    }
    // The folded engine without samples of either kind says how to get some.
    let o = snnrtl()
        .args(["cosim", "--architecture", "folded"])
        .arg(&net)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        format!(
            "error: {}: has no samples; give --samples N for random ones",
            net.display()
        )
    );
}

#[test]
fn synth_costs_a_network_file_per_layer() {
    if require_for_test(Tool::Yosys).is_none() {
        return;
    }
    let d = tmp("synth");
    let net = network_file(&d);
    let json_out = d.join("r.json");
    let o = snnrtl()
        .args(["synth", "--target", "ice40-up5k", "--json"])
        .arg(&json_out)
        .arg(&net)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.starts_with("snn_network on ice40-up5k (Yosys, hierarchy kept): "),
        "{stdout}"
    );
    assert!(
        stdout.contains("  layer 0 ") && stdout.contains("  layer 1 "),
        "{stdout}"
    );
    assert!(stdout.contains("fit: fits on "), "{stdout}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_out).unwrap()).unwrap();
    assert_eq!(r["top"], "snn_network");
    let o = snnrtl()
        .args(["synth", "--target", "ice40-up5k", "--pnr"])
        .arg(&net)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        "error: --pnr: place and route takes one layer's core; a network file is synthesized with Yosys only"
    );
}

#[test]
fn an_elm_layer_in_a_network_is_refused_by_name() {
    let d = tmp("elm");
    let case: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            golden_model::vectors::dir().join("elm-lif/elm_000_T2_in10_b2_m6_h7.case.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let p = d.join("net.json");
    std::fs::write(
        &p,
        json!({"format_version": 1, "network": {"layers": [case["layer"]]}}).to_string(),
    )
    .unwrap();
    let o = snnrtl()
        .arg("generate")
        .arg(&p)
        .arg("-o")
        .arg(d.join("rtl"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        format!("error: {}: network.layers[0].neuron.kind: elm is generated as a single-layer core only: snn_network does not chain an elm layer yet; generate, cosim or synth the elm layer by itself", p.display())
    );
    assert!(!d.join("rtl").exists());
}
