//! Verilator co-simulation of generated networks (`snn_network`) against the
//! golden model: every vector on every link between layers (through the
//! taps), every output vector, the flags and the class must match, for random
//! 2- and 3-layer networks (tmn, if, a sliding-PSN and a full-PSN middle
//! layer) with extreme weights, T in 1, 4, 8, with and without stalls; the
//! measured latency must be the manifest's; sticky flags raised in an early
//! layer must reach the output in data order; a planted fault must be named
//! with its layer; and a 64-32-10 TMN network is built and run, its build
//! time and simulation speed printed.
//! Fails under `CI` when Verilator is missing.

mod common;
use common::{builder, Rng};

use cosim::network::{self, NetworkOutcome};
use cosim::run::Divergence;
use cosim::samples::{random_samples, SampleSpec};
use cosim::verilator::{Builder, Opt};
use golden_model::{LaneVec, NetworkConfig};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

fn neuron(kind: &str, t: usize, rng: &mut Rng) -> Value {
    let p: Vec<Vec<i64>> = (0..t)
        .map(|_| (0..t).map(|_| rng.range(-3, 3)).collect())
        .collect();
    let thr: Vec<i64> = (0..t).map(|_| rng.range(-2, 2)).collect();
    match kind {
        "if" => json!({"kind": "if", "vth": 2}),
        "tmn" => json!({"kind": "tmn", "vth": 2}),
        "psn" => json!({"kind": "psn", "weights": p, "thresholds": thr}),
        _ => {
            let k = if t > 1 { 3 } else { 1 };
            json!({"kind": "sliding_psn", "k": k, "weights": (0..k).map(|_| rng.range(-3, 3)).collect::<Vec<_>>(), "threshold": 1})
        }
    }
}

/// A layer with weights at the extremes -2^(b-1), 2^(b-1)-1 mixed with small values.
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
    json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
           "weights": w, "bias": b, "neuron": neuron(kind, t, rng)})
}

fn network(layers: Vec<Value>) -> NetworkConfig {
    NetworkConfig::from_json(&json!({"format_version": 1, "network": {"layers": layers}})).unwrap()
}

fn random_net(kinds: &[&str], sizes: &[usize], t: usize, wb: u32, seed: u64) -> NetworkConfig {
    let mut rng = Rng(seed);
    network(
        kinds
            .iter()
            .enumerate()
            .map(|(k, kind)| layer(kind, sizes[k], sizes[k + 1], t, wb, &mut rng))
            .collect(),
    )
}

fn samples(net: &NetworkConfig, n: usize, seed: u64) -> Vec<Vec<LaneVec>> {
    let spec = SampleSpec {
        seed,
        zero_percent: 40,
        illegal_percent: 3,
        extremes: true,
    };
    random_samples(net.inputs(), net.timesteps(), n, spec)
}

fn must_match(o: NetworkOutcome, net: &NetworkConfig, n: usize, stall: bool, label: &str) {
    match o {
        NetworkOutcome::Match {
            samples,
            predictions,
            latency_cycles,
            ..
        } => {
            assert_eq!(samples, n, "{label}");
            assert_eq!(predictions.len(), n, "{label}");
            assert!(predictions.iter().all(|&p| p < net.outputs()), "{label}");
            if !stall {
                assert_eq!(
                    latency_cycles as usize,
                    rtl_gen::network::step_latency(net),
                    "{label}: measured latency vs the manifest's"
                );
            }
        }
        NetworkOutcome::Diverged(d) => panic!("{label} stall {stall}: {d}"),
    }
}

/// Builds `net` once and runs `n` samples with and without stalls.
fn matrix_case(b: &Builder, net: &NetworkConfig, n: usize, seed: u64, label: &str) {
    let lib = network::build_network_with(b, net, false).unwrap();
    let s = samples(net, n, seed);
    for stall in [false, true] {
        let o = network::cosim_network(&lib, net, &s, stall, seed + u64::from(stall)).unwrap();
        must_match(o, net, n, stall, label);
    }
}

fn matrix(kinds: &[&str], sizes: &[usize]) {
    let Some(b) = builder() else { return };
    for t in [1, 4, 8] {
        let label = format!("{}-T{t}", kinds.join("-"));
        let net = random_net(kinds, sizes, t, 3, t as u64 * 31 + kinds.len() as u64);
        matrix_case(&b, &net, 24, t as u64 + 5, &label);
    }
}

#[test]
fn two_layer_tmn() {
    matrix(&["tmn", "tmn"], &[6, 5, 4]);
}

#[test]
fn two_layer_if() {
    matrix(&["if", "if"], &[6, 5, 4]);
}

#[test]
fn three_layer_with_a_sliding_psn_middle() {
    matrix(&["tmn", "sliding_psn", "tmn"], &[4, 3, 3, 2]);
}

#[test]
fn one_layer_network_and_a_full_psn_middle() {
    let Some(b) = builder() else { return };
    let one = random_net(&["tmn"], &[5, 3], 4, 4, 2);
    matrix_case(&b, &one, 24, 3, "one-layer");
    let psn = random_net(&["if", "psn", "tmn"], &[4, 3, 3, 2], 4, 3, 8);
    matrix_case(&b, &psn, 24, 4, "if-psn-tmn");
}

/// Layer 0 saturates (forced narrow state) first at sample 6 and an illegal
/// lane arrives at sample 3: the output's flags must rise exactly with those
/// samples' last outputs, although layer 0 raises them samples earlier.
#[test]
fn flags_raised_early_reach_the_output_in_data_order() {
    let Some(b) = builder() else { return };
    let mut rng = Rng(12);
    let mut l0 = layer("tmn", 4, 3, 4, 3, &mut rng);
    l0["state_bits"] = json!(4);
    l0["bias"] = json!([0, 0, 0]);
    l0["weights"] = json!([[3, 3, 3, 3], [-4, -4, -4, -4], [1, -1, 2, 0]]);
    let net = network(vec![
        l0,
        layer("if", 3, 3, 4, 3, &mut rng),
        layer("tmn", 3, 2, 4, 3, &mut rng),
    ]);
    let zero = LaneVec::zeros(4);
    let mut s: Vec<Vec<LaneVec>> = (0..6).map(|_| vec![zero.clone(); 4]).collect();
    s[3][1] = LaneVec::from_codes(&[0, 0b10, 0, 0]).unwrap();
    s.extend(samples(&net, 20, 6));
    let runner = net.runner();
    let first = |f: &dyn Fn(&golden_model::Flags) -> bool| {
        s.iter()
            .position(|x| runner.run(x).iter().any(|r| f(&r.flags)))
            .unwrap()
    };
    assert_eq!(
        first(&|f| f.illegal_spike),
        3,
        "the test needs a late illegal lane"
    );
    assert_eq!(first(&|f| f.overflow), 6, "the test needs a late overflow");
    assert!(
        runner.run(&s[6])[0].flags.overflow,
        "the overflow must come from layer 0"
    );
    let lib = network::build_network_with(&b, &net, false).unwrap();
    for stall in [false, true] {
        let o = network::cosim_network(&lib, &net, &s, stall, 21).unwrap();
        must_match(o, &net, s.len(), stall, "flags");
    }
}

fn fault_dir(label: &str) -> PathBuf {
    std::env::temp_dir().join(format!("snnrtl-vlnet-{}-{label}", std::process::id()))
}

#[test]
fn planted_fault_is_named_with_its_layer() {
    let Some(b) = builder() else { return };
    let net = random_net(&["tmn", "tmn", "tmn"], &[4, 3, 3, 2], 4, 3, 77);
    let s = samples(&net, 40, 1);
    for faulty in [1, 2] {
        let dir = fault_dir(&format!("fault{faulty}"));
        let _ = std::fs::remove_dir_all(&dir);
        network::write_network_rtl(&net, &dir).unwrap();
        if faulty == 1 {
            let lib = b.build(&dir, false, Opt::Rtl).unwrap();
            let o = network::cosim_network(&lib, &net, &s, false, 1).unwrap();
            must_match(o, &net, s.len(), false, "before the fault");
        }
        let f = dir.join(format!("snn_l{faulty}_tmn.v"));
        let text = std::fs::read_to_string(&f).unwrap();
        std::fs::write(&f, common::plant_tie_fault(&net.layers[faulty], &text)).unwrap();
        let lib = b.build(&dir, false, Opt::Rtl).unwrap();
        match network::cosim_network(&lib, &net, &s, true, 1).unwrap() {
            NetworkOutcome::Diverged(d) => {
                let Divergence {
                    layer,
                    field,
                    neuron,
                    ref golden,
                    ref rtl,
                    ..
                } = d;
                println!("planted fault in layer {faulty}: {d}");
                assert_eq!(layer, Some(faulty), "{d}");
                assert!(field == "spike" || field == "state", "{d}");
                assert!(neuron.is_some(), "{d}");
                assert_ne!(golden, rtl);
            }
            o => panic!("the planted fault in layer {faulty} was masked: {o:?}"),
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The digits example's hardware network (64-32-10 TMN, T = 4, 8-bit
/// weights), converted exactly as `snnrtl flow` converts it, so the two
/// share one cached Verilator build.
fn digits_tmn_t4() -> NetworkConfig {
    use convert::{dataset, flow_config, mlp, quantise, tensors};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/digits");
    let fc = flow_config::FlowConfig::read(&dir.join("flow.json")).unwrap();
    let ds = dataset::Dataset::read_csv(&fc.dataset_csv, fc.max_value).unwrap();
    let split = dataset::Split::read(&fc.split, ds.images.len()).unwrap();
    let src = tensors::TensorSource::open(&fc.weights).unwrap();
    let m = mlp::Mlp::load(&src, &fc.layers).unwrap();
    let calib: Vec<Vec<f64>> = split.train.iter().map(|&i| ds.float_image(i)).collect();
    let n = quantise::normalise(&m, &calib, fc.norm).unwrap();
    quantise::quantise(&n, quantise::Kind::Tmn, fc.weight_bits, 4).unwrap()
}

/// An MNIST-sized TMN network: the digits example's 64-32-10, T = 4, 8-bit
/// weights, on random input lanes.
#[test]
fn tmn_64_32_10_builds_and_matches() {
    let Some(b) = builder() else { return };
    let net = digits_tmn_t4();
    let start = Instant::now();
    let lib = network::build_network_with(&b, &net, false).unwrap();
    println!(
        "64-32-10 TMN T=4: {} in {:.1} s wall ({:.1} s building)",
        if lib.built_now { "built" } else { "cached" },
        start.elapsed().as_secs_f64(),
        lib.build_seconds
    );
    let s = samples(&net, 20, 9);
    for stall in [false, true] {
        let o = network::cosim_network(&lib, &net, &s, stall, 5).unwrap();
        must_match(o, &net, s.len(), stall, "64-32-10");
    }
    let long = samples(&net, 10_000, 10);
    let t0 = Instant::now();
    let o = network::cosim_network(&lib, &net, &long, false, 5).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    let NetworkOutcome::Match { cycles, .. } = o else {
        panic!("{o:?}")
    };
    let t1 = Instant::now();
    let runner = net.runner();
    let golden: usize = long.iter().map(|x| runner.run(x).len()).sum();
    let golden_secs = t1.elapsed().as_secs_f64();
    assert_eq!(golden, 2 * long.len());
    println!(
        "64-32-10 TMN T=4: {} samples, {cycles} cycles in {secs:.2} s with configuration, golden model ({golden_secs:.2} s of it) and every comparison: {:.0} cycles/s, {:.0} samples/s",
        long.len(),
        cycles as f64 / secs,
        long.len() as f64 / secs
    );
}
