//! Writes the `snn_elm` unit for an `elm` case or layer file into a folder
//! and prints its sizes and cycles per step (development aid for costing
//! the unit alone; `snnrtl generate` refuses elm layers until the unit sits
//! under the array in a core):
//!     cargo run --release -p rtl-gen --example elm_unit -- CASE.json DIR
//!     yosys -p "read_verilog DIR/snn_elm.v; synth_ice40 -dsp -top snn_elm; stat"
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("read the case");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let layer = v.get("layer").unwrap_or(&v);
    let cfg = golden_model::LayerConfig::from_json(layer, "layer").expect("a valid layer");
    let d = rtl_gen::elm::ElmDims::of(&cfg);
    let m = rtl_gen::elm::snn_elm(&cfg);
    std::fs::create_dir_all(&args[2]).expect("create the folder");
    let path = std::path::Path::new(&args[2]).join("snn_elm.v");
    std::fs::write(&path, rtl_gen::verilog::print::module_to_string(&m)).expect("write");
    println!(
        "{}: branches {} memory {} hidden {} outputs {}; program {} words; {} cycles per step; accumulator {} bits, multiplier {}x{} bits",
        path.display(),
        d.branches,
        d.memory,
        d.hidden,
        d.outputs,
        d.program_words,
        d.cycles_per_step(),
        d.acc_bits,
        d.mlp_bits,
        d.operand_bits
    );
}
