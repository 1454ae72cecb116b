//! Writes the folded engine for a network file: `folded_gen NET.json P DIR`.
use golden_model::NetworkConfig;
use rtl_gen::folded::{self, plan::FoldedPlan};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&a[1]).unwrap()).unwrap();
    let net = NetworkConfig::from_json(&v).unwrap();
    let p: usize = a[2].parse().unwrap();
    let plan = FoldedPlan::new(&net, p, None);
    folded::generate(&net, &plan)
        .write(std::path::Path::new(&a[3]))
        .unwrap();
}
