//! The float NIR simulation (`snn_nir::simulate`) against the independent
//! numpy run of the same equations (`fixtures/*.sim.json`, written by
//! make_fixtures.py): the last layer's spikes are equal at every step of
//! every sample, for IF and for LIF.

mod common;

use golden_model::Reset;
use serde_json::Value;
use snn_nir::{chain, hdf5_io, simulate, Integrator};

fn check(name: &str) -> usize {
    let bytes = std::fs::read(common::fixture(&format!("{name}.nir"))).unwrap();
    let raw = hdf5_io::read(bytes).unwrap();
    let ch = chain::extract(&raw).unwrap();
    let sim: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture(&format!("{name}.sim.json"))).unwrap(),
    )
    .unwrap();
    let dt = sim["dt"].as_f64().unwrap();
    let mut steps = 0;
    for (i, s) in sim["samples"].as_array().unwrap().iter().enumerate() {
        let layers = s["layers"].as_array().unwrap();
        let to_u8 = |v: &Value| -> Vec<Vec<u8>> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_u64().unwrap() as u8)
                        .collect()
                })
                .collect()
        };
        let input = to_u8(&layers[0]["input"]);
        let want = to_u8(&layers.last().unwrap()["spikes"]);
        let got = simulate::run(&ch, dt, Integrator::Euler, Reset::Zero, &input);
        assert_eq!(got.spikes, want, "{name}: sample {i}");
        steps += want.len();
    }
    steps
}

#[test]
fn float_simulation_matches_the_numpy_run() {
    assert!(check("affine_if") >= 8);
    assert!(check("snntorch_lif") >= 8);
}
