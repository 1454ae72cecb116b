//! The search's hardware objectives against Yosys on the shipped digits
//! result (`examples/digits/results/`: the hand-made 64-32-10 tmn T=4 w8
//! network and its flow report, Yosys on ice40-up5k), and the folded cost
//! of the same network against the engine's measured figures
//! (docs/folded.md).

use golden_model::NetworkConfig;
use serde_json::Value;
use snn_search::genome::Architecture;
use snn_search::hardware::{cost, fmax_mhz, folded_cost, folded_fmax_mhz};
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
    let cycles = rtl_gen::network::sample_latency(&net) as f64;
    assert_eq!(c.cycles_per_image, cycles);
    assert_eq!(c.us_per_image, cycles / 41.3);
    assert_eq!(c.architecture, Architecture::Unrolled);
    assert_eq!(fmax_mhz(Target::Ice40Hx8k), Some(99.7));
    assert_eq!(fmax_mhz(Target::Xilinx7), None);
}

fn digits_net() -> NetworkConfig {
    NetworkConfig::parse(&std::fs::read_to_string(results().join("network.json")).unwrap()).unwrap()
}

/// The first `n` test images of the digits split, TMN-encoded.
fn test_images(net: &NetworkConfig, n: usize) -> Vec<Vec<golden_model::LaneVec>> {
    use convert::dataset::{Dataset, Split};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/digits");
    let ds = Dataset::read_csv(&dir.join("digits.csv"), 16).unwrap();
    let split = Split::read(&dir.join("split.json"), ds.images.len()).unwrap();
    let t = net.timesteps();
    split.test[..n]
        .iter()
        .map(|&i| convert::encode::Encoder::Tmn.lanes(&ds.images[i], ds.max_value, t, i))
        .collect()
}

/// A folded candidate's cost: the estimate's cells and RAMs, and the
/// schedule model's cycles over real images, near Verilator's 676.6 cycles
/// per image (P = 8, all 540 test images, docs/folded.md) and 381.3 (P = 16).
#[test]
fn the_folded_cost_of_the_digits_network_matches_the_engine() {
    let net = digits_net();
    let images = test_images(&net, 200);
    let c8 = folded_cost(&net, 8, Target::Ice40Up5k, &images).unwrap();
    let c16 = folded_cost(&net, 16, Target::Ice40Up5k, &images).unwrap();
    for (c, p, measured) in [(&c8, 8, 676.6), (&c16, 16, 381.3)] {
        let plan = rtl_gen::folded::plan::FoldedPlan::new(&net, p, None);
        let est = synth::folded::estimate(&plan, Target::Ice40Up5k);
        assert_eq!(c.architecture, Architecture::Folded { parallelism: p });
        assert_eq!(
            (c.logic_cells, c.brams, c.sprams),
            (est.logic_cells, est.brams, est.sprams)
        );
        assert!(c.fits && c.logic_cells < 5280, "{c:?}");
        assert_eq!((c.luts, c.ffs), (None, None));
        eprintln!(
            "P {p}: {} cells, {} BRAM, {:.1} cycles/image (Verilator {measured}), {:.2} us",
            c.logic_cells, c.brams, c.cycles_per_image, c.us_per_image
        );
        let ratio = c.cycles_per_image / measured;
        assert!(
            (0.9..1.1).contains(&ratio),
            "P {p}: {} cycles vs {measured}",
            c.cycles_per_image
        );
        assert!(c.cycles_per_image_max.unwrap() as f64 >= c.cycles_per_image);
        assert_eq!(c.fmax_mhz, 39.3);
        assert_eq!(c.us_per_image, c.cycles_per_image / 39.3);
    }
    // More PEs: more cells, fewer cycles; both far below the unrolled 74k.
    assert!(c16.logic_cells > c8.logic_cells);
    assert!(c16.us_per_image < c8.us_per_image);
    assert!(c8.logic_cells * 20 < cost(&net, Target::Ice40Up5k).logic_cells);
    // The cycles depend on the spikes: an all-zero image costs fewer.
    let zeros = vec![vec![golden_model::LaneVec::zeros(64); net.timesteps()]];
    let z = folded_cost(&net, 8, Target::Ice40Up5k, &zeros).unwrap();
    assert!(
        z.cycles_per_image < 0.8 * c8.cycles_per_image,
        "{}",
        z.cycles_per_image
    );
}

#[test]
fn the_folded_cost_refuses_what_the_engine_or_the_table_lacks() {
    let net = digits_net();
    let images = test_images(&net, 2);
    assert_eq!(folded_fmax_mhz(Target::Ice40Hx8k), Some(95.0));
    assert_eq!(folded_fmax_mhz(Target::Xilinx7), None);
    let e = folded_cost(&net, 8, Target::Xilinx7, &images).unwrap_err();
    assert_eq!(e.to_string(), "target: xilinx-7 has no folded Fmax");
    let hx = folded_cost(&net, 8, Target::Ice40Hx8k, &images).unwrap();
    assert_eq!(hx.us_per_image, hx.cycles_per_image / 95.0);
    assert!(hx.fits);
    let e = folded_cost(&net, 64, Target::Ice40Up5k, &images).unwrap_err();
    assert_eq!(
        e.to_string(),
        "candidate.architecture.parallelism: 64 is not in 1..=32 (the widest layer's outputs)"
    );
    let e = folded_cost(&net, 8, Target::Ice40Up5k, &[]).unwrap_err();
    assert_eq!(e.field_path(), Some("images"));
}
