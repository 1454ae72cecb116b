//! The network chain: validation errors name the field, layers chain spike
//! for spike, and the readout equals the integrated input exactly.

use golden_model::{argmax, readout, LaneVec, NetworkConfig};
use serde_json::{json, Value};

fn layer(inputs: usize, outputs: usize, t: usize, neuron: Value, seed: i64) -> Value {
    let w: Vec<Vec<i64>> = (0..outputs)
        .map(|o| {
            (0..inputs)
                .map(|i| ((o as i64 * 7 + i as i64 * 13 + seed) % 31) - 15)
                .collect()
        })
        .collect();
    let b: Vec<i64> = (0..outputs)
        .map(|o| (o as i64 * 5 + seed) % 9 - 4)
        .collect();
    json!({"inputs": inputs, "outputs": outputs, "timesteps": t, "weights": w, "bias": b, "neuron": neuron})
}

fn net(layers: Vec<Value>) -> Value {
    json!({"format_version": 1, "network": {"layers": layers}})
}

fn err(v: Value) -> String {
    NetworkConfig::from_json(&v).unwrap_err().to_string()
}

#[test]
fn errors_name_the_field() {
    let tmn = json!({"kind": "tmn", "vth": 16});
    assert_eq!(
        err(net(vec![layer(4, 3, 4, tmn.clone(), 1), layer(2, 2, 4, tmn.clone(), 2)])),
        "network.layers[1].inputs: 2 must equal layers[0].outputs (3): spikes stream from layer to layer"
    );
    assert_eq!(
        err(net(vec![layer(4, 3, 4, tmn.clone(), 1), layer(3, 2, 8, tmn.clone(), 2)])),
        "network.layers[1].timesteps: 8 differs from layers[0].timesteps (4); every layer of a network runs the same T"
    );
    assert_eq!(
        err(net(vec![])),
        "network.layers: 0 layers is not in 1..=16"
    );
    assert_eq!(
        err(net(vec![
            json!({"inputs": 3, "outputs": 3, "timesteps": 4, "neuron": tmn})
        ])),
        "network.layers[0].weights: required in a network (neuron-only layers cannot be chained)"
    );
    let mut bad = layer(4, 3, 4, json!({"kind": "tmn", "vth": 12}), 1);
    bad["weight_bits"] = json!(8);
    assert_eq!(
        err(net(vec![bad])).split(':').next().unwrap(),
        "network.layers[0].neuron.vth"
    );
}

#[test]
fn chain_and_readout_are_exact() {
    for (kind, t) in [("tmn", 1), ("tmn", 6), ("if", 5)] {
        let n = json!({"kind": kind, "vth": 16});
        let cfg = NetworkConfig::from_json(&net(vec![
            layer(5, 4, t, n.clone(), 1),
            layer(4, 3, t, n.clone(), 2),
        ]))
        .unwrap();
        assert_eq!(NetworkConfig::from_json(&cfg.to_json()).unwrap(), cfg);
        let input: Vec<LaneVec> = (0..t)
            .map(|s| {
                let v: Vec<i64> = (0..5).map(|i| ((i + s) % 3) as i64 - 1).collect();
                LaneVec::from_spikes(&v).unwrap()
            })
            .collect();
        let rs = cfg.run(&input);
        assert_eq!(rs.len(), 2);
        assert_eq!(rs, cfg.runner().run(&input));
        // Layer 1 saw layer 0's spikes: its currents are W1 * s0 (+ bias).
        let w1 = cfg.layers[1].weights.as_ref().unwrap();
        for step in 0..t {
            for (o, row) in w1.iter().enumerate() {
                let syn: i64 = row
                    .iter()
                    .zip(&rs[0].spikes[step])
                    .map(|(&w, &s)| w * i64::from(s))
                    .sum();
                let bias = if kind == "if" || step == 0 {
                    cfg.layers[1].bias[o]
                } else {
                    0
                };
                assert_eq!(rs[1].currents[step][o], syn + bias);
            }
        }
        // The readout is the integrated input, whatever the spikes did.
        let ro = readout(&cfg.layers[1], &rs[1]);
        for o in 0..3 {
            let want: i128 = if kind == "tmn" {
                rs[1]
                    .currents
                    .iter()
                    .fold(0i128, |a, row| 2 * a + i128::from(row[o]))
            } else {
                rs[1].currents.iter().map(|row| i128::from(row[o])).sum()
            };
            assert_eq!(ro[o], want, "{kind} T={t} neuron {o}");
        }
        assert_eq!(cfg.runner().classify(&input), argmax(&ro));
    }
    assert_eq!(argmax(&[3, 7, 7, 1]), 1);
}
