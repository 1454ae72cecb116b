//! export -> import gives back the same integer network, through the bytes
//! of a NIR file; kinds NIR cannot express are refused by layer and kind.

use golden_model::rng::SplitMix64;
use golden_model::{LayerConfig, NetworkConfig, Neuron, Reset};
use snn_nir::{ImportOptions, Integrator};

fn layer(
    rng: &mut SplitMix64,
    inputs: usize,
    outputs: usize,
    t: usize,
    bits: u32,
    neuron: Neuron,
) -> LayerConfig {
    let lim = (1i64 << (bits - 1)) - 1;
    let weights = (0..outputs)
        .map(|_| (0..inputs).map(|_| rng.range(-lim - 1, lim)).collect())
        .collect();
    let bias = (0..outputs).map(|_| rng.range(-lim - 1, lim)).collect();
    LayerConfig::dense(weights, Some(bias), t, bits, neuron, "l").unwrap()
}

fn network(seed: u64, reset: Reset, bits: u32, t: usize) -> NetworkConfig {
    let mut rng = SplitMix64::new(seed);
    let sizes = [
        1 + rng.range(0, 9) as usize,
        1 + rng.range(0, 9) as usize,
        1 + rng.range(0, 9) as usize,
        1 + rng.range(0, 5) as usize,
    ];
    let layers = (0..3)
        .map(|k| {
            let vth = rng.range(1, 1000);
            let neuron = if rng.range(0, 1) == 0 {
                Neuron::If { vth, reset }
            } else {
                Neuron::Lif {
                    vth,
                    leak_shift: rng.range(1, 16) as u32,
                    reset,
                }
            };
            layer(&mut rng, sizes[k], sizes[k + 1], t, bits, neuron)
        })
        .collect();
    NetworkConfig::new(layers, "network").unwrap()
}

#[test]
fn export_then_import_gives_the_same_network() {
    for seed in 0..40u64 {
        let reset = if seed % 3 == 0 {
            Reset::Subtract
        } else {
            Reset::Zero
        };
        let bits = [4, 8, 12, 16][(seed % 4) as usize];
        let t = 1 + (seed as usize * 7) % 64;
        let net = network(seed, reset, bits, t);
        let (bytes, warnings) = snn_nir::export_bytes(&net).unwrap();
        let lif_or_subtract = net
            .layers
            .iter()
            .filter(|l| matches!(l.neuron, Neuron::Lif { .. }) || reset == Reset::Subtract);
        assert_eq!(
            warnings.len(),
            lif_or_subtract.count(),
            "seed {seed}: one warning per layer NIR reads differently"
        );
        let opts = ImportOptions {
            dt: None,
            integrator: Integrator::Euler,
            reset,
            weight_bits: bits,
            timesteps: t,
        };
        let imp = snn_nir::import_bytes(bytes, &opts).unwrap();
        assert_eq!(imp.network, net, "seed {seed}");
        assert!(imp.layers.iter().all(|m| m.exact_integers));
        // Every LIF layer's tau is mapped without error at dt = 1.
        for m in &imp.layers {
            if let Some(l) = m.leak {
                assert_eq!(l.tau_rel_error, 0.0);
                assert!(!l.clamped);
            }
        }
    }
}

#[test]
fn if_only_export_is_exact_and_warns_nothing() {
    let mut rng = SplitMix64::new(7);
    let l = layer(
        &mut rng,
        5,
        3,
        8,
        8,
        Neuron::If {
            vth: 9,
            reset: Reset::Zero,
        },
    );
    let net = NetworkConfig::new(vec![l], "network").unwrap();
    let (_, warnings) = snn_nir::export_bytes(&net).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn tmn_and_psn_are_refused_by_layer_and_kind() {
    let mut rng = SplitMix64::new(3);
    let a = layer(
        &mut rng,
        4,
        4,
        4,
        8,
        Neuron::If {
            vth: 5,
            reset: Reset::Zero,
        },
    );
    let b = layer(&mut rng, 4, 2, 4, 8, Neuron::Tmn { vth: 16 });
    let net = NetworkConfig::new(vec![a.clone(), b], "network").unwrap();
    let e = snn_nir::export(&net).unwrap_err().to_string();
    assert!(
        e.starts_with("network.layers[1].neuron.kind: tmn has no NIR form"),
        "{e}"
    );
    let p = layer(
        &mut rng,
        4,
        2,
        4,
        8,
        Neuron::SlidingPsn {
            k: 2,
            weights: vec![1, 1],
            threshold: 1,
        },
    );
    let net = NetworkConfig::new(vec![a, p], "network").unwrap();
    let e = snn_nir::export(&net).unwrap_err().to_string();
    assert!(e.contains("layers[1]") && e.contains("sliding_psn"), "{e}");
}
