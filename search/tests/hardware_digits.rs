//! The search's hardware objectives against Yosys on the shipped digits
//! result (`examples/digits/results/`: the hand-made 64-32-10 tmn T=4 w8
//! network and its flow report, Yosys on ice40-up5k).

use golden_model::NetworkConfig;
use serde_json::Value;
use snn_search::hardware::{cost, fmax_mhz};
use std::path::{Path, PathBuf};
use synth::target::Target;

fn results() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/digits/results")
}

#[test]
fn the_estimate_is_within_one_percent_of_yosys_on_the_digits_network() {
    let net =
        NetworkConfig::parse(&std::fs::read_to_string(results().join("network.json")).unwrap())
            .unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(results().join("report.json")).unwrap())
            .unwrap();
    let up5k = report["hardware"]["synth"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["target"] == "ice40-up5k")
        .expect("the flow synthesized ice40-up5k");
    let line = &up5k["fit"]["lines"][0];
    assert_eq!(line["resource"], "logic cells");
    let measured = line["used"].as_f64().unwrap();
    let c = cost(&net, Target::Ice40Up5k);
    let gap = (c.logic_cells as f64 - measured).abs() / measured;
    assert!(gap < 0.01, "estimate {} vs Yosys {measured}", c.logic_cells);
    assert_eq!(c.available, 5280);
    assert!(!c.fits);
    let cycles = rtl_gen::network::sample_latency(&net) as u64;
    assert_eq!(c.cycles_per_image, cycles);
    assert_eq!(c.us_per_image, cycles as f64 / 41.3);
    assert_eq!(fmax_mhz(Target::Ice40Hx8k), Some(99.7));
    assert_eq!(fmax_mhz(Target::Xilinx7), None);
}
