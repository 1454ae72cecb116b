//! Golden files pin the emitted Verilog of two small configs (a TMN and a
//! sliding-PSN layer) and their manifests, byte for byte.
//! Regenerate after an intended change with:
//!     SNNRTL_BLESS=1 cargo test -p rtl-gen --test golden_files
//! and review the diff.

use golden_model::LayerConfig;
use serde_json::json;
use std::path::PathBuf;

fn golden_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn check(name: &str, cfg: &LayerConfig) {
    let dir = golden_dir(name);
    let design = rtl_gen::generate(cfg);
    let mut files = design.files.clone();
    files.push((
        "manifest.json".into(),
        serde_json::to_string_pretty(&design.manifest).unwrap() + "\n",
    ));
    if std::env::var_os("SNNRTL_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (n, text) in &files {
            std::fs::write(dir.join(n), text).unwrap();
        }
        return;
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run SNNRTL_BLESS=1 cargo test -p rtl-gen --test golden_files",
                dir.display()
            )
        })
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    on_disk.sort();
    let mut names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    assert_eq!(on_disk, names, "{name}: set of files");
    for (n, text) in &files {
        let want = std::fs::read_to_string(dir.join(n)).unwrap();
        if *text != want {
            let line = text
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{name}/{n} differs from the golden file at line {}:\n  golden:    {}\n  generated: {}\nIf intended: SNNRTL_BLESS=1 cargo test -p rtl-gen --test golden_files",
                line + 1,
                want.lines().nth(line).unwrap_or(""),
                text.lines().nth(line).unwrap_or("")
            );
        }
    }
}

#[test]
fn tmn_2x3_t4() {
    let v = json!({"inputs": 2, "outputs": 3, "timesteps": 4, "weight_bits": 4,
                   "weights": [[1, -2], [3, 4], [-8, 7]], "bias": [0, 1, -1],
                   "neuron": {"kind": "tmn", "vth": 8}});
    check("tmn_2x3_t4", &LayerConfig::from_json(&v, "layer").unwrap());
}

#[test]
fn sliding_psn_2x2_t4_k2() {
    let v = json!({"inputs": 2, "outputs": 2, "timesteps": 4, "weight_bits": 3, "psn_weight_bits": 4,
                   "weights": [[1, -2], [3, 2]],
                   "neuron": {"kind": "sliding_psn", "k": 2, "weights": [2, -3], "threshold": 1}});
    check(
        "sliding_psn_2x2_t4_k2",
        &LayerConfig::from_json(&v, "layer").unwrap(),
    );
}
