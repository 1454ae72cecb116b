use cosim::run::{self, Outcome};
use cosim::samples::{random_samples, SampleSpec};
use cosim::verilator::Builder;
use golden_model::LayerConfig;

#[test]
fn tmn_smoke() {
    let v = serde_json::json!({"inputs": 5, "outputs": 3, "timesteps": 4, "weights": [[1,2,3,4,5],[-1,-2,-3,-4,-5],[7,0,-7,1,1]], "bias": [1, 2, 3],
        "neuron": {"kind": "tmn", "vth": 16}});
    let cfg = LayerConfig::from_json(&v, "layer").unwrap();
    let dir = std::env::temp_dir().join(format!("vsmoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (n, t) in rtl_gen::generate(&cfg).files {
        std::fs::write(dir.join(n), t).unwrap();
    }
    let b = Builder::new().unwrap();
    let lib = b.build(&dir, false).unwrap();
    eprintln!("built {:?} in {:.2}s", lib.path, lib.build_seconds);
    let mut sim = run::open(&lib, None).unwrap();
    let s = random_samples(
        5,
        4,
        20,
        SampleSpec {
            illegal_percent: 5,
            ..Default::default()
        },
    );
    let o = run::cosim(sim.pin_mut(), &cfg, &s, true, 3).unwrap();
    assert!(matches!(o, Outcome::Match { .. }), "{o:?}");
}
