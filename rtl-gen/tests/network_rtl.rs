//! The generated network lints clean (`verilator --lint-only -Wall`, no
//! output at all) and synthesizes in Yosys (`synth -top snn_network; check
//! -assert`) for 1-, 2- and 3-layer networks of tmn, if and mixed kinds (one
//! with a PSN-family layer); every module name is unique, carries its layer's
//! prefix, and names its file. Fails under `CI` when the tools are missing.

use golden_model::NetworkConfig;
use rtl_gen::network::{self, NetCfgMap};
use serde_json::{json, Value};
use snn_tools::Tool;
use std::collections::HashSet;

fn neuron(kind: &str, t: usize) -> Value {
    let p: Vec<Vec<i64>> = (0..t)
        .map(|a| (0..t).map(|b| ((a * 7 + b * 3) % 9) as i64 - 4).collect())
        .collect();
    let thr: Vec<i64> = (0..t).map(|a| a as i64 - 2).collect();
    match kind {
        "if" => json!({"kind": "if", "vth": 5}),
        "tmn" => json!({"kind": "tmn", "vth": 16}),
        "psn" => json!({"kind": "psn", "weights": p, "thresholds": thr}),
        "masked_psn" => json!({"kind": "masked_psn", "k": 2, "weights": p, "thresholds": thr}),
        _ => json!({"kind": "sliding_psn", "k": 2, "weights": [1, -1], "threshold": 1}),
    }
}

/// A network of `kinds.len()` layers with widths `sizes` (`sizes.len() = layers + 1`).
fn net(kinds: &[&str], sizes: &[usize], t: usize, wb: u32) -> NetworkConfig {
    let layers: Vec<Value> = kinds
        .iter()
        .enumerate()
        .map(|(k, kind)| {
            let (i, o) = (sizes[k], sizes[k + 1]);
            let w: Vec<Vec<i64>> = (0..o)
                .map(|a| (0..i).map(|b| ((a + 2 * b) % 3) as i64 - 1).collect())
                .collect();
            json!({"inputs": i, "outputs": o, "timesteps": t, "weight_bits": wb,
                   "weights": w, "neuron": neuron(kind, t)})
        })
        .collect();
    NetworkConfig::from_json(&json!({"format_version": 1, "network": {"layers": layers}})).unwrap()
}

fn check_names(n: &NetworkConfig, label: &str) {
    let d = rtl_gen::generate_network(n);
    let mut seen = HashSet::new();
    for (file, text) in &d.files {
        let module = file.strip_suffix(".v").unwrap();
        assert!(seen.insert(module.to_string()), "{label}: {module} twice");
        assert!(
            text.contains(&format!("\nmodule {module} ("))
                || text.contains(&format!("\nmodule {module} #(")),
            "{label}: {file} does not hold module {module}"
        );
        assert!(
            module == network::TOP
                || (0..n.layers.len()).any(|k| module.starts_with(&network::layer_prefix(k))),
            "{label}: {module} has no layer prefix"
        );
        assert!(
            !text.contains("initial"),
            "{label}: {file} has an initial block"
        );
        // Every instantiated module of a layer belongs to the same layer.
        for line in text.lines() {
            let l = line.trim_start();
            if let Some(rest) = l.strip_prefix("snn_") {
                let inst = format!("snn_{}", rest.split_whitespace().next().unwrap());
                assert!(
                    d.files.iter().any(|(f, _)| f == &format!("{inst}.v")),
                    "{label}: {file} instantiates {inst}, which is not generated"
                );
                if module != network::TOP {
                    assert_eq!(inst[..7], module[..7], "{label}: {file} crosses layers");
                }
            }
        }
    }
    for k in 0..n.layers.len() {
        assert!(
            seen.contains(&format!("snn_l{k}_core")),
            "{label}: layer {k} has no core"
        );
    }
    assert_eq!(seen.len(), 4 * n.layers.len() + 1, "{label}: module count");
    assert_eq!(d.manifest["top"], "snn_network");
    assert_eq!(
        d.manifest["latency"]["step_to_output_cycles"],
        network::step_latency(n)
    );
    assert_eq!(
        d.manifest["config_port"]["addr_bits"],
        NetCfgMap::of(n).addr_bits()
    );
    assert_eq!(
        d.manifest["layers"].as_array().unwrap().len(),
        n.layers.len()
    );
    let ports: Vec<&str> = d.manifest["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let mut want = vec![
        "clk",
        "rst",
        "cfg_we",
        "cfg_addr",
        "cfg_data",
        "in_valid",
        "in_ready",
        "in_lanes",
        "in_last",
        "out_valid",
        "out_ready",
        "out_spikes",
        "out_state",
        "out_step",
        "out_last",
        "overflow",
        "illegal_spike",
        "framing_error",
    ];
    if n.layers.len() > 1 {
        want.extend(["tap_fire", "tap_spikes"]);
    }
    assert_eq!(ports, want, "{label}: ports");
    let top = &d.files.last().unwrap().1;
    for p in &want {
        assert!(
            top.lines()
                .take_while(|l| l.starts_with("//"))
                .any(|l| l.contains(&format!(" {p} "))),
            "{label}: the header does not document {p}"
        );
    }
}

fn check_tools(n: &NetworkConfig, v: &snn_tools::Found, y: &snn_tools::Found, label: &str) {
    let dir = std::env::temp_dir().join(format!("snnrtl-net-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = rtl_gen::generate_network(n);
    d.write(&dir).unwrap();
    let files: Vec<String> = d.files.iter().map(|(n, _)| n.clone()).collect();
    snn_tools::verilator_lint(v, &dir, &files, "snn_network")
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    snn_tools::yosys_synth_check(y, &dir, &files, "snn_network")
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn cases() -> Vec<(String, NetworkConfig)> {
    let specs: Vec<(&[&str], &[usize], usize, u32)> = vec![
        (&["tmn"], &[4, 3], 4, 3),
        (&["tmn", "tmn"], &[6, 5, 4], 4, 3),
        (&["if", "if"], &[6, 5, 4], 1, 8),
        (&["tmn", "tmn", "tmn"], &[4, 3, 3, 2], 8, 4),
        (&["if", "sliding_psn", "tmn"], &[4, 3, 3, 2], 4, 3),
        (&["tmn", "psn", "if"], &[5, 2, 9, 3], 4, 6),
        (&["masked_psn", "tmn"], &[3, 17, 2], 8, 2),
    ];
    specs
        .into_iter()
        .map(|(kinds, sizes, t, wb)| {
            let label = format!(
                "{}-{}-T{t}",
                kinds.join("_"),
                sizes
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join("x")
            );
            (label, net(kinds, sizes, t, wb))
        })
        .collect()
}

#[test]
fn names_are_unique_prefixed_and_documented() {
    for (label, n) in cases() {
        check_names(&n, &label);
    }
}

#[test]
fn networks_lint_and_synthesize_clean() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    for (label, n) in cases() {
        check_tools(&n, &v, &y, &label);
    }
}

#[test]
fn forced_narrow_state_in_a_middle_layer_is_clean_too() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    let mut j = net(&["tmn", "if", "tmn"], &[4, 3, 3, 2], 4, 5).to_json();
    j["network"]["layers"][1]["state_bits"] = json!(4);
    let n = NetworkConfig::from_json(&j).unwrap();
    check_tools(&n, &v, &y, "narrow-middle");
}
