//! Whole-network synthesis with real Yosys: per-layer parts add up to the
//! total, every layer has PEs' worth of LUTs, and the fit verdict follows the
//! counts. Fails under `CI` when Yosys is missing; prints NOT RUN otherwise.

use golden_model::NetworkConfig;
use serde_json::json;
use snn_tools::{require_for_test, Tool};
use synth::network::synthesize_network;
use synth::{Target, Tools, Verdict};

fn net() -> NetworkConfig {
    let layer = |i: usize, o: usize, vth: i64| {
        let w: Vec<Vec<i64>> = (0..o)
            .map(|r| (0..i).map(|c| ((r * 5 + c * 3) % 15) as i64 - 7).collect())
            .collect();
        json!({"inputs": i, "outputs": o, "timesteps": 4, "weight_bits": 4,
               "weights": w, "neuron": {"kind": "tmn", "vth": vth}})
    };
    NetworkConfig::from_json(&json!({"format_version": 1,
        "network": {"layers": [layer(6, 5, 8), layer(5, 3, 4)]}}))
    .unwrap()
}

#[test]
fn network_parts_add_up_and_fit_is_judged() {
    let Some(yosys) = require_for_test(Tool::Yosys) else {
        return;
    };
    let tools = Tools {
        yosys,
        nextpnr: None,
    };
    let design = rtl_gen::generate_network(&net());
    for target in [Target::Ice40Up5k, Target::Xilinx7] {
        let dir = std::env::temp_dir().join(format!(
            "snnrtl-netsynth-{}-{}",
            std::process::id(),
            target.name()
        ));
        let r = synthesize_network(&design.files, "snn_network", target, &tools, &dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let parts: Vec<&str> = r.parts.iter().map(|p| p.part.as_str()).collect();
        assert_eq!(parts, ["layer 0", "layer 1", "network glue"], "{target:?}");
        let sum_luts: u64 = r.parts.iter().map(|p| p.cells.luts).sum();
        let sum_ffs: u64 = r.parts.iter().map(|p| p.cells.ffs).sum();
        assert_eq!((sum_luts, sum_ffs), (r.cells.luts, r.cells.ffs));
        // Layer 0 has 30 PEs, layer 1 has 15: layer 0 costs more.
        assert!(
            r.parts[0].cells.luts > r.parts[1].cells.luts,
            "{:?}",
            r.parts
        );
        // Each PE holds a 4-bit weight register: at least 4 FFs per PE.
        assert!(r.parts[0].cells.ffs >= 30 * 4);
        assert_eq!(r.fit.verdict, Verdict::Fits, "{}", r.fit.message);
    }
}
