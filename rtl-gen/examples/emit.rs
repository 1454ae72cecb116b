//! Writes the core for a layer JSON file into a folder (development aid;
//! users run `snnrtl generate`).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let layer = v.get("layer").unwrap_or(&v);
    let cfg = golden_model::LayerConfig::from_json(layer, "layer").unwrap();
    let d = rtl_gen::generate(&cfg);
    std::fs::create_dir_all(&args[2]).unwrap();
    for (n, t) in &d.files {
        std::fs::write(std::path::Path::new(&args[2]).join(n), t).unwrap();
    }
}
