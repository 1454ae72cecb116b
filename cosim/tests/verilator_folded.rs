//! Verilator co-simulation of the folded engine (`snn_folded`) against the
//! golden model: every neuron's spike on every step of every layer, every
//! readout, the class and the flags must match
//! - on all 540 digits test images (the example's 64-32-10 TMN network at
//!   T = 4), with random input stalls and output back-pressure;
//! - on random 1-, 2- and 3-layer if/lif/tmn networks with extreme weights,
//!   several P (including P that divides nothing), T 1/4/8, with stalls;
//!
//! a fault planted in the folded datapath must be caught and named; and
//! Icarus must agree with the weights from the `$readmemh` files. Fails
//! under `CI` when Verilator (or Icarus) is missing.

mod common;
use common::{builder, Rng};

use cosim::folded::{self, FoldedStats};
use cosim::run::Outcome;
use cosim::samples::{random_samples, SampleSpec};
use cosim::verilator::{Builder, Opt};
use golden_model::{LaneVec, NetworkConfig};
use rtl_gen::folded::plan::FoldedPlan;
use serde_json::{json, Value};
use std::path::PathBuf;

fn layer(kind: &str, rows: usize, cols: usize, t: usize, wb: u32, rng: &mut Rng) -> Value {
    let lim = 1i64 << (wb - 1);
    let w: Vec<Vec<i64>> = (0..cols)
        .map(|_| {
            (0..rows)
                .map(|_| match rng.next() % 4 {
                    0 => -lim,
                    1 => lim - 1,
                    _ => rng.range((-2i64).max(-lim), 2i64.min(lim - 1)),
                })
                .collect()
        })
        .collect();
    let b: Vec<i64> = (0..cols).map(|_| rng.range(-lim, lim - 1)).collect();
    let neuron = match kind {
        "if" => json!({"kind": "if", "vth": 3}),
        "if0" => json!({"kind": "if", "vth": 2, "reset": "zero"}),
        "lif" => json!({"kind": "lif", "vth": 3, "leak_shift": 1}),
        _ => json!({"kind": "tmn", "vth": 4}),
    };
    json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
           "weights": w, "bias": b, "neuron": neuron})
}

fn random_net(kinds: &[&str], sizes: &[usize], t: usize, wb: u32, seed: u64) -> NetworkConfig {
    let mut rng = Rng(seed);
    let layers: Vec<Value> = kinds
        .iter()
        .enumerate()
        .map(|(k, kind)| layer(kind, sizes[k], sizes[k + 1], t, wb, &mut rng))
        .collect();
    NetworkConfig::from_json(&json!({"format_version": 1, "network": {"layers": layers}})).unwrap()
}

fn samples(net: &NetworkConfig, n: usize, seed: u64, illegal: u32) -> Vec<Vec<LaneVec>> {
    let spec = SampleSpec {
        seed,
        zero_percent: 40,
        illegal_percent: illegal,
        extremes: true,
    };
    random_samples(net.inputs(), net.timesteps(), n, spec)
}

fn run(
    b: &Builder,
    net: &NetworkConfig,
    plan: &FoldedPlan,
    s: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> (Outcome, Option<FoldedStats>) {
    let lib = folded::build_folded_with(b, net, plan, false).unwrap();
    folded::cosim_folded_lib(&lib, net, plan, s, stall, seed).unwrap()
}

fn must_match(o: (Outcome, Option<FoldedStats>), n: usize, label: &str) -> FoldedStats {
    match o {
        (Outcome::Match { samples, .. }, Some(st)) => {
            assert_eq!(samples, n, "{label}");
            assert_eq!(st.cycles_per_image.len(), n, "{label}");
            st
        }
        (o, _) => panic!("{label}: {o:?}"),
    }
}

fn matrix(kinds: &[&str], sizes: &[usize], ps: &[usize]) {
    let Some(b) = builder() else { return };
    for t in [1, 4, 8] {
        let net = random_net(kinds, sizes, t, 3, t as u64 * 17 + kinds.len() as u64);
        let s = samples(&net, 12, t as u64 + 3, 3);
        for &p in ps {
            let plan = FoldedPlan::new(&net, p, None);
            for stall in [false, true] {
                let label = format!("{}-T{t}-P{p}-stall{stall}", kinds.join("-"));
                must_match(run(&b, &net, &plan, &s, stall, p as u64), s.len(), &label);
            }
        }
    }
}

#[test]
fn one_layer_tmn_and_if() {
    matrix(&["tmn"], &[7, 5], &[1, 2, 5]);
    matrix(&["if0"], &[9, 3], &[3]);
}

#[test]
fn two_layers_mixed_kinds() {
    matrix(&["tmn", "if"], &[10, 6, 4], &[3, 4]);
    matrix(&["lif", "tmn"], &[5, 9, 3], &[2, 9]);
}

#[test]
fn three_layers() {
    matrix(&["if", "tmn", "lif"], &[6, 4, 5, 3], &[4]);
}

/// The digits example's hardware network (64-32-10 TMN, T = 4), converted
/// as `snnrtl flow` converts it, and its 540 test images encoded as the flow
/// encodes them.
fn digits() -> (NetworkConfig, Vec<Vec<LaneVec>>) {
    use convert::{dataset, encode::Encoder, flow_config, mlp, quantise, tensors};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/digits");
    let fc = flow_config::FlowConfig::read(&dir.join("flow.json")).unwrap();
    let ds = dataset::Dataset::read_csv(&fc.dataset_csv, fc.max_value).unwrap();
    let split = dataset::Split::read(&fc.split, ds.images.len()).unwrap();
    let src = tensors::TensorSource::open(&fc.weights).unwrap();
    let m = mlp::Mlp::load(&src, &fc.layers).unwrap();
    let calib: Vec<Vec<f64>> = split.train.iter().map(|&i| ds.float_image(i)).collect();
    let n = quantise::normalise(&m, &calib, fc.norm).unwrap();
    let net = quantise::quantise(&n, quantise::Kind::Tmn, fc.weight_bits, 4).unwrap();
    let s = split
        .test
        .iter()
        .map(|&i| Encoder::Tmn.lanes(&ds.images[i], ds.max_value, 4, i))
        .collect();
    (net, s)
}

#[test]
fn digits_540_test_images_bit_exact_with_stalls() {
    let Some(b) = builder() else { return };
    let (net, s) = digits();
    assert_eq!(s.len(), 540);
    for p in [8, 16] {
        let plan = FoldedPlan::new(&net, p, None);
        let free = must_match(run(&b, &net, &plan, &s, false, 1), 540, "digits");
        must_match(run(&b, &net, &plan, &s, true, 2), 540, "digits stalled");
        println!(
            "digits 64-32-10 TMN T=4, P = {p}: 540 images bit-exact; cycles per image mean {:.1}, max {}",
            free.mean(),
            free.max()
        );
        assert!(free.max() >= free.cycles_per_image.iter().copied().min().unwrap());
    }
}

/// A fault in the folded datapath: the PE row's subtract loses its carry-in
/// (`-w` becomes `~w`, off by one for every -1 spike). It must be caught
/// and named as a spike or readout of a layer.
#[test]
fn planted_fault_in_the_pe_row_is_named() {
    let Some(b) = builder() else { return };
    let net = random_net(&["tmn", "tmn"], &[8, 6, 4], 4, 3, 5);
    let plan = FoldedPlan::new(&net, 3, None);
    let dir = std::env::temp_dir().join(format!("snnrtl-folded-fault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    rtl_gen::folded::generate(&net, &plan).write(&dir).unwrap();
    let top = dir.join("snn_folded.v");
    let text = std::fs::read_to_string(&top).unwrap();
    assert!(text.contains("e1_v && e1_neg"), "the PE row's carry-in");
    let faulty = text.replacen("e1_v && e1_neg", "1'b0", 1);
    std::fs::write(&top, faulty).unwrap();
    let lib = b.build(&dir, false, Opt::Rtl).unwrap();
    let s = samples(&net, 20, 7, 0);
    let (o, _) = folded::cosim_folded_lib(&lib, &net, &plan, &s, false, 1).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    match o {
        Outcome::Diverged(d) => {
            assert!(d.layer.is_some(), "{d}");
            assert!(["spike", "readout", "class"].contains(&d.field), "{d}");
            println!("planted fault caught: {d}");
        }
        o => panic!("the planted fault was masked: {o:?}"),
    }
}

/// Icarus agrees on a small network, with the weights from the `$readmemh`
/// files (the bitstream's contents, no configuration writes), with and
/// without stalls.
#[test]
fn icarus_agrees_with_weights_from_readmemh() {
    if snn_tools::require_for_test(snn_tools::Tool::Iverilog).is_none() {
        return;
    }
    let net = random_net(&["tmn", "if"], &[7, 5, 3], 4, 4, 11);
    let plan = FoldedPlan::new(&net, 2, None);
    let s = samples(&net, 6, 3, 0);
    let work = std::env::temp_dir().join(format!("snnrtl-icarus-folded-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    for stall in [false, true] {
        let v = cosim::icarus::run_folded(&net, &plan, &work, &s, stall).unwrap();
        assert!(v.pass, "stall {stall}: {}", v.log);
        println!("icarus stall {stall}: {}", v.log);
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// The schedule model (`FoldedPlan::cycles_model`) against the cycles
/// Verilator measures on the digits test images: within 10% per image on
/// average, for P = 2, 8, 32 (the model ranks designs before they are
/// co-simulated; the flow reports the measurement).
#[test]
fn cycles_model_tracks_the_measurement() {
    let Some(b) = builder() else { return };
    let (net, s) = digits();
    let s = &s[..60];
    let runner = net.runner();
    for p in [2, 8, 32] {
        let plan = FoldedPlan::new(&net, p, None);
        let st = must_match(run(&b, &net, &plan, s, false, 1), s.len(), "model");
        let mut model = 0.0;
        for x in s {
            let g = runner.run(x);
            let mut inputs = vec![x.iter().map(|v| v.to_spikes()).collect::<Vec<_>>()];
            for r in &g[..g.len() - 1] {
                inputs.push(r.spikes.clone());
            }
            model += plan.cycles_model(&inputs) as f64;
        }
        model /= s.len() as f64;
        let ratio = model / st.mean();
        println!(
            "P = {p}: model {model:.1} cycles per image, measured {:.1} ({ratio:.3})",
            st.mean()
        );
        assert!(
            (0.9..1.1).contains(&ratio),
            "P = {p}: model {model:.1}, measured {:.1}",
            st.mean()
        );
    }
}
