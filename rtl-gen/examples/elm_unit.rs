//! The cost of an `elm` layer's whole core (`snn_elm` under the systolic
//! array, `rtl_gen::elm_core`): writes the design for a case or layer file
//! into a folder, prints its sizes, widths and cycles per step, then, when
//! `yosys` is on PATH, synthesizes the `snn_core` top for iCE40
//! (`synth_ice40 -dsp`, multipliers on SB_MAC16) and Xilinx 7-series
//! (`synth_xilinx`) and prints the cell counts:
//!     cargo run --release -p rtl-gen --example elm_unit -- CASE.json DIR
//! Place and route on the UP5K (through the I/O wrapper, no `-dsp`):
//!     snnrtl synth CASE.json --target ice40-up5k --pnr
use std::process::Command;

/// Yosys's `stat` cell counts of the flattened top whose names start with
/// one of `prefixes`, summed per prefix.
fn cells(stat: &str, prefixes: &[&str]) -> Vec<(String, u64)> {
    // The last "=== design hierarchy ===" block (or the only module) lists
    // the totals; take the last count seen for every cell type.
    let mut last = std::collections::BTreeMap::new();
    for line in stat.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 2 {
            if let Ok(n) = f[1].parse::<u64>() {
                last.insert(f[0].to_string(), n);
            }
        }
    }
    prefixes
        .iter()
        .map(|p| {
            let n = last
                .iter()
                .filter(|(k, _)| k.starts_with(p))
                .map(|(_, v)| v)
                .sum();
            (p.to_string(), n)
        })
        .collect()
}

fn synth(dir: &std::path::Path, files: &[String], command: &str) -> Option<String> {
    let script = format!(
        "read_verilog {}; {command} -top snn_core; tee -o stat.txt stat",
        files.join(" ")
    );
    let out = Command::new("yosys")
        .args(["-q", "-p", &script])
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "yosys {command} failed:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        return None;
    }
    std::fs::read_to_string(dir.join("stat.txt")).ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("read the case");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let layer = v.get("layer").unwrap_or(&v);
    let cfg = golden_model::LayerConfig::from_json(layer, "layer").expect("a valid layer");
    let d = rtl_gen::elm::ElmDims::of(&cfg);
    let design = rtl_gen::generate(&cfg);
    let dir = std::path::Path::new(&args[2]);
    design.write(dir).expect("write the design");
    let files: Vec<String> = design.files.iter().map(|(n, _)| n.clone()).collect();
    println!(
        "{}: elm core, {} inputs x {} branches (array latency {}); memory {} hidden {} outputs {}; program {} words",
        dir.display(),
        cfg.inputs,
        d.branches,
        rtl_gen::elm_core::array_latency(&cfg),
        d.memory,
        d.hidden,
        d.outputs,
        d.program_words,
    );
    println!(
        "  {} cycles per step at full rate ({} per sample of T = {}); step latency {} cycles",
        rtl_gen::elm_core::cycles_per_step(&cfg),
        rtl_gen::elm_core::cycles_per_step(&cfg) * cfg.timesteps,
        cfg.timesteps,
        rtl_gen::elm_core::step_latency(&cfg)
    );
    println!(
        "  widths: currents {} traces {} memory {} activations {} readout {} accumulator {}; multiplier {}x{} bits",
        d.current_bits,
        d.trace_bits,
        d.memory_bits,
        d.a_bits,
        d.readout_bits,
        d.acc_bits,
        d.mlp_bits,
        d.operand_bits
    );
    if Command::new("yosys").arg("-V").output().is_err() {
        println!("  (yosys not on PATH: no cell counts)");
        return;
    }
    if let Some(stat) = synth(dir, &files, "synth_ice40 -dsp") {
        let c = cells(
            &stat,
            &["SB_LUT4", "SB_CARRY", "SB_DFF", "SB_RAM40_4K", "SB_MAC16"],
        );
        println!("  ice40 (yosys synth_ice40 -dsp, flattened): {c:?}");
    }
    if let Some(stat) = synth(dir, &files, "synth_xilinx -noiopad -noclkbuf") {
        let c = cells(
            &stat,
            &[
                "LUT", "INV", "CARRY4", "FD", "SRL", "MUXF", "RAMB", "DSP48E1",
            ],
        );
        println!("  xilinx-7 (yosys synth_xilinx -noiopad -noclkbuf, hierarchy kept): {c:?}");
    }
}
