//! The folded engine lints clean (`verilator --lint-only -Wall`, no output)
//! and synthesizes in Yosys (`synth; check -assert`: no latches, no multiple
//! drivers, no warnings) over a matrix of parallelism P, layer shapes, layer
//! counts, T and neuron kinds, with its weights in block RAM (`$readmemh`
//! contents, read by Yosys) and loaded through the port. Its only `initial`
//! lines read memory contents. Fails under `CI` when the tools are missing.

use golden_model::NetworkConfig;
use rtl_gen::folded::{self, plan::FoldedPlan, plan::WeightStore};
use serde_json::{json, Value};
use snn_tools::Tool;

fn layer(kind: &str, rows: usize, cols: usize, t: usize, wb: u32) -> Value {
    let neuron = match kind {
        "if" => json!({"kind": "if", "vth": 5}),
        "if_zero" => json!({"kind": "if", "vth": 5, "reset": "zero"}),
        "lif" => json!({"kind": "lif", "vth": 5, "leak_shift": 3}),
        "tmn_q1" => json!({"kind": "tmn", "vth": 2}),
        _ => json!({"kind": "tmn", "vth": 16}),
    };
    let w: Vec<Vec<i64>> = (0..cols)
        .map(|o| {
            (0..rows)
                .map(|i| ((o * 5 + i * 3) % 3) as i64 - 1)
                .collect()
        })
        .collect();
    json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
           "weights": w, "bias": vec![1; cols], "neuron": neuron})
}

fn net(kinds: &[&str], sizes: &[usize], t: usize, wb: u32) -> NetworkConfig {
    let layers: Vec<Value> = kinds
        .iter()
        .enumerate()
        .map(|(k, kind)| layer(kind, sizes[k], sizes[k + 1], t, wb))
        .collect();
    NetworkConfig::from_json(&json!({"format_version": 1, "network": {"layers": layers}})).unwrap()
}

#[test]
fn lint_and_synthesis_matrix() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    // (kinds, sizes, T, P, weight_bits, where the weights live)
    type Case = (
        Vec<&'static str>,
        Vec<usize>,
        usize,
        usize,
        u32,
        WeightStore,
    );
    let cases: Vec<Case> = vec![
        (vec!["tmn"], vec![1, 1], 1, 1, 2, WeightStore::BlockRam),
        (vec!["if"], vec![5, 3], 4, 2, 8, WeightStore::Loaded),
        (
            vec!["tmn", "tmn"],
            vec![64, 32, 10],
            4,
            8,
            8,
            WeightStore::BlockRam,
        ),
        (
            vec!["tmn", "tmn"],
            vec![64, 32, 10],
            4,
            16,
            8,
            WeightStore::Loaded,
        ),
        (
            vec!["lif", "if_zero"],
            vec![13, 16, 3],
            8,
            3,
            4,
            WeightStore::BlockRam,
        ),
        (
            vec!["tmn_q1", "if", "tmn"],
            vec![9, 7, 12, 2],
            16,
            5,
            12,
            WeightStore::BlockRam,
        ),
        (vec!["tmn"], vec![70, 33], 2, 33, 8, WeightStore::BlockRam),
    ];
    for (kinds, sizes, t, p, wb, store) in cases {
        let label = format!("{}-{:?}-T{t}-P{p}-w{wb}-{store:?}", kinds.join("-"), sizes);
        let n = net(&kinds, &sizes, t, wb);
        let plan = FoldedPlan::new(&n, p, Some(store));
        let d = folded::generate(&n, &plan);
        let dir = std::env::temp_dir().join(format!(
            "snnrtl-folded-matrix-{}-{}",
            std::process::id(),
            label.replace(['[', ']', ',', ' '], "_")
        ));
        let _ = std::fs::remove_dir_all(&dir);
        d.write(&dir).unwrap();
        let files: Vec<String> = d
            .files
            .iter()
            .map(|(f, _)| f.clone())
            .filter(|f| f.ends_with(".v"))
            .collect();
        for (name, text) in &d.files {
            for line in text.lines().filter(|l| l.contains("initial")) {
                assert!(
                    line.trim_start().starts_with("initial $readmemh(")
                        && store == WeightStore::BlockRam,
                    "{label}: {name}: {line}"
                );
            }
        }
        snn_tools::verilator_lint(&v, &dir, &files, "snn_folded")
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        snn_tools::yosys_synth_check(&y, &dir, &files, "snn_folded")
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn bad_parallelism_and_kinds_are_one_line() {
    let n = net(&["tmn", "tmn"], &[8, 6, 4], 4, 8);
    assert_eq!(
        folded::plan::check(&n, 0, "hardware").unwrap_err(),
        "hardware.parallelism: 0 is not in 1..=6 (the widest layer's outputs)"
    );
    assert_eq!(
        folded::plan::check(&n, 7, "hardware").unwrap_err(),
        "hardware.parallelism: 7 is not in 1..=6 (the widest layer's outputs)"
    );
    let v = json!({"format_version": 1, "network": {"layers": [
        {"inputs": 2, "outputs": 2, "timesteps": 2, "weights": [[1, 0], [0, 1]],
         "neuron": {"kind": "sliding_psn", "k": 1, "weights": [1], "threshold": 1}}]}});
    let psn = NetworkConfig::from_json(&v).unwrap();
    assert_eq!(
        folded::plan::check(&psn, 1, "hardware").unwrap_err(),
        "hardware.layers[0].neuron.kind: the folded engine has units for if, lif and tmn, not sliding_psn"
    );
}

#[test]
fn hex_files_hold_the_configuration_words() {
    let n = net(&["tmn", "if"], &[5, 4, 3], 4, 8);
    let plan = FoldedPlan::new(&n, 3, None);
    let d = folded::generate(&n, &plan);
    let hex = |name: &str| -> Vec<String> {
        d.files
            .iter()
            .find(|(f, _)| f == name)
            .unwrap()
            .1
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (w, b) = (hex(folded::WEIGHTS_HEX), hex(folded::BIAS_HEX));
    let writes = folded::config_writes(&n, &plan);
    assert_eq!(writes.len(), w.len() + b.len());
    for (k, (addr, data)) in writes.iter().enumerate() {
        let line = if k < w.len() { &w[k] } else { &b[k - w.len()] };
        let mut value = 0u128;
        for (i, word) in data.iter().enumerate() {
            value |= u128::from(*word) << (32 * i);
        }
        assert_eq!(
            u128::from_str_radix(line, 16).unwrap(),
            value,
            "entry {k} (cfg_addr {addr:#x})"
        );
    }
    // Layer 0 group 1 input 2, lane 0 is neuron 3: W0[3][2].
    let words = plan.weight_words(&n);
    assert_eq!(words[5 + 2][0], n.layers[0].weights.as_ref().unwrap()[3][2]);
    assert_eq!(words[5 + 2][1], 0, "padding neuron 4 of 4");
}
