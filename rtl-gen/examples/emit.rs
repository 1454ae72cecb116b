//! Writes the core for a layer JSON file into a folder (development aid;
//! users run `snnrtl generate`).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let layer = v.get("layer").unwrap_or(&v);
    let cfg = golden_model::LayerConfig::from_json(layer, "layer").unwrap();
    rtl_gen::generate(&cfg)
        .write(std::path::Path::new(&args[2]))
        .unwrap();
}
