//! The ELM unit (`snn_elm`, SPEC section 7): Verilator lint and Yosys
//! synthesis clean, and bit-exact in Icarus against the golden model
//! (`golden_model::neuron::elm`) on every independent `elm_*` reference
//! vector and on random configurations, with input gaps and `en` stalls;
//! a planted fault in the datapath must be caught. Fails under `CI` when
//! the tools are missing.

use golden_model::{vectors, Case, Layer, LayerConfig, Neuron, Sample};
use rtl_gen::elm::{snn_elm, ElmDims};
use rtl_gen::verilog::print::module_to_string;
use snn_tools::Tool;
use std::fmt::Write as _;
use std::path::PathBuf;

/// xorshift64*, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-elm-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Branch currents per sample, as the array gives them.
fn currents(cfg: &LayerConfig, samples: &[Sample]) -> Vec<Vec<Vec<i64>>> {
    let layer = Layer::new(cfg.clone());
    samples
        .iter()
        .map(|s| match s {
            Sample::Lanes(l) => layer.synaptic_currents(l),
            Sample::Currents(c) => c.clone(),
        })
        .collect()
}

fn hex(width: u32, fields: &[i64]) -> String {
    let mut v: u128 = 0;
    for (i, &x) in fields.iter().enumerate() {
        let mask = (1u128 << width) - 1;
        v |= ((x as i128 as u128) & mask) << (i as u32 * width);
    }
    let bits = width as usize * fields.len();
    format!("{bits}'h{v:x}")
}

fn unhex(text: &str, width: u32, n: usize) -> Vec<i64> {
    let v = u128::from_str_radix(text, 16).unwrap();
    (0..n)
        .map(|i| {
            let raw = (v >> (i as u32 * width)) & ((1u128 << width) - 1);
            let sign = 1u128 << (width - 1);
            if raw & sign != 0 {
                (raw as i128 - (1i128 << width)) as i64
            } else {
                raw as i64
            }
        })
        .collect()
}

/// One output of the unit: step, memory m, readout r.
type Output = (usize, Vec<i64>, Vec<i64>);

/// Runs `samples` through the unit in Icarus with gaps and stalls drawn from
/// `seed`; returns the (step, memory, readout) of every output, in order.
/// `fault` edits the generated Verilog first.
fn simulate(
    cfg: &LayerConfig,
    samples: &[Vec<Vec<i64>>],
    seed: u64,
    tag: &str,
    fault: Option<(&str, &str)>,
) -> Option<Vec<Output>> {
    let iverilog = snn_tools::require_for_test(Tool::Iverilog)?;
    let vvp = snn_tools::require_for_test(Tool::Vvp)?;
    let d = ElmDims::of(cfg);
    let tw = rtl_gen::unit::step_bits(cfg.timesteps);
    let dir = scratch(tag);
    let mut text = module_to_string(&snn_elm(cfg));
    if let Some((from, to)) = fault {
        assert!(text.contains(from), "fault site {from:?} not in snn_elm.v");
        text = text.replacen(from, to, 1);
    }
    std::fs::write(dir.join("snn_elm.v"), text).unwrap();
    let mut rng = Rng(seed | 1);
    let cw = d.branches as u32 * d.current_bits;
    let mut tb = String::new();
    let _ = writeln!(tb, "`timescale 1ns/1ns\nmodule tb;");
    let _ = writeln!(
        tb,
        "reg clk = 0, rst = 1, en = 1, in_valid = 0;\nreg [{}:0] in_step = 0;\nreg [{}:0] in_currents = 0;",
        tw - 1,
        cw - 1
    );
    let _ = writeln!(
        tb,
        "wire in_ready, out_valid;\nwire [{}:0] out_step;\nwire [{}:0] out_memory;\nwire [{}:0] out_readout;",
        tw - 1,
        d.memory as u32 * d.memory_bits - 1,
        d.outputs as u32 * d.readout_bits - 1
    );
    let _ = writeln!(tb, "snn_elm dut(.clk(clk), .rst(rst), .en(en), .in_valid(in_valid), .in_ready(in_ready), .in_step(in_step), .in_currents(in_currents), .out_valid(out_valid), .out_step(out_step), .out_memory(out_memory), .out_readout(out_readout));");
    let _ = writeln!(tb, "always #5 clk = ~clk;");
    let _ = writeln!(
        tb,
        "always @(posedge clk) if (!rst && en && out_valid) $display(\"OUT %0d %h %h\", out_step, out_memory, out_readout);"
    );
    // en follows a seeded pattern for the whole run (stalls anywhere).
    let _ = writeln!(tb, "reg [15:0] lfsr = 16'h{:04x};", (seed as u16) | 1);
    let stall = seed % 2 == 1;
    if stall {
        let _ = writeln!(tb, "always @(negedge clk) begin lfsr <= {{lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]}}; en <= (lfsr[2:0] != 3'd0); end");
    }
    let _ = writeln!(
        tb,
        "task give(input [{}:0] s, input [{}:0] c); begin",
        tw - 1,
        cw - 1
    );
    let _ = writeln!(
        tb,
        "  @(negedge clk); in_valid = 1; in_step = s; in_currents = c;"
    );
    let _ = writeln!(
        tb,
        "  @(posedge clk); while (!(en && in_ready)) @(posedge clk);"
    );
    let _ = writeln!(tb, "  #1 in_valid = 0; in_currents = 0;\nend endtask");
    let _ = writeln!(
        tb,
        "initial begin\n  repeat (3) @(posedge clk); #1 rst = 0;"
    );
    for sample in samples {
        for (t, row) in sample.iter().enumerate() {
            let gap = rng.range(0, 3);
            if gap > 0 {
                let _ = writeln!(tb, "  repeat ({gap}) @(posedge clk);");
            }
            let _ = writeln!(tb, "  give({t}, {});", hex(d.current_bits, row));
        }
    }
    let steps: usize = samples.iter().map(Vec::len).sum();
    let _ = writeln!(
        tb,
        "  repeat ({}) @(posedge clk);\n  $display(\"DONE\");\n  $finish;\nend\nendmodule",
        4 * d.cycles_per_step() + 64
    );
    std::fs::write(dir.join("tb.v"), tb).unwrap();
    let args: Vec<String> = ["-g2005", "-o", "sim.vvp", "tb.v", "snn_elm.v"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = snn_tools::run(&iverilog, &args, &dir).unwrap();
    assert!(out.success, "iverilog in {}:\n{}", dir.display(), out.text);
    let out = snn_tools::run(&vvp, &["-n".into(), "sim.vvp".into()], &dir).unwrap();
    assert!(out.success && out.text.contains("DONE"), "{}", out.text);
    let got: Vec<Output> = out
        .text
        .lines()
        .filter_map(|l| l.strip_prefix("OUT "))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (
                f[0].parse().unwrap(),
                unhex(f[1], d.memory_bits, d.memory),
                unhex(f[2], d.readout_bits, d.outputs),
            )
        })
        .collect();
    assert_eq!(got.len(), steps, "one output per step ({tag})");
    let _ = std::fs::remove_dir_all(&dir);
    Some(got)
}

/// Compares every step's memory and readout with the golden model.
fn check(cfg: &LayerConfig, samples: &[Vec<Vec<i64>>], seed: u64, tag: &str) -> bool {
    let Some(got) = simulate(cfg, samples, seed, tag, None) else {
        return false;
    };
    let layer = Layer::new(cfg.clone());
    let mut k = 0;
    for (s, c) in samples.iter().enumerate() {
        let r = layer.run_currents(c);
        let ro = r.readout.as_ref().unwrap();
        for (t, (state, readout)) in r.state.iter().zip(ro).enumerate() {
            let (step, mem, rd) = &got[k];
            assert_eq!(*step, t, "{tag}: sample {s} output {k} step");
            assert_eq!(mem, state, "{tag}: sample {s} step {t}: memory m");
            assert_eq!(rd, readout, "{tag}: sample {s} step {t}: readout r");
            k += 1;
        }
    }
    true
}

fn shared_elm_cases() -> Vec<(String, Case)> {
    vectors::files(".case.json")
        .into_iter()
        .filter(|p| vectors::name(p).starts_with("elm_"))
        .map(|p| {
            let c = Case::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (vectors::name(&p), c)
        })
        .collect()
}

#[test]
fn lints_and_synthesizes_clean() {
    let (Some(v), Some(y)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    for (name, case) in shared_elm_cases().into_iter().take(4) {
        let dir = scratch(&format!("lint-{name}"));
        let text = module_to_string(&snn_elm(&case.layer));
        assert!(!text.contains("initial"), "{name}: initial block");
        std::fs::write(dir.join("snn_elm.v"), text).unwrap();
        let files = vec!["snn_elm.v".to_string()];
        snn_tools::verilator_lint(&v, &dir, &files, "snn_elm")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        snn_tools::yosys_synth_check(&y, &dir, &files, "snn_elm")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn matches_every_shared_elm_vector_with_stalls() {
    let cases = shared_elm_cases();
    assert!(cases.len() >= 8);
    for (i, (name, case)) in cases.iter().enumerate() {
        let c = currents(&case.layer, &case.samples);
        // Alternate: no stalls (even seeds) and en stalls (odd seeds).
        if !check(&case.layer, &c, 10 + i as u64, name) {
            return;
        }
        if !check(&case.layer, &c, 11 + 2 * i as u64, &format!("{name}-stall")) {
            return;
        }
    }
}

/// A random `elm` layer: small sizes, every parameter drawn from its range.
fn random_layer(rng: &mut Rng) -> LayerConfig {
    use golden_model::neuron::elm::Elm;
    let (inputs, branches) = (rng.range(1, 12) as usize, rng.range(1, 6) as usize);
    let (memory, hidden, outputs) = (
        rng.range(1, 4) as usize,
        rng.range(1, 6) as usize,
        rng.range(1, 5) as usize,
    );
    let mlp_bits = rng.range(3, 8) as u32;
    let lim = 1i64 << (mlp_bits - 1);
    let mut v = |n: usize| -> Vec<i64> { (0..n).map(|_| rng.range(-lim, lim - 1)).collect() };
    let mut m = |r: usize, c: usize| -> Vec<Vec<i64>> { (0..r).map(|_| v(c)).collect() };
    let (w_branch, w_memory, w_delta, readout) = (
        m(hidden, branches),
        m(hidden, memory),
        m(memory, hidden),
        m(outputs, memory),
    );
    let table_len = 1usize << rng.range(1, 6);
    let e = Elm {
        memory,
        hidden,
        mlp_bits,
        trace_shift: rng.range(1, 6) as u32,
        trace_frac_bits: rng.range(0, 3) as u32,
        memory_shifts: (0..memory).map(|_| rng.range(1, 9) as u32).collect(),
        lambda: rng.range(1, 16),
        w_branch,
        w_memory,
        b_hidden: (0..hidden).map(|_| rng.range(-lim, lim - 1)).collect(),
        hidden_shift: rng.range(0, 6) as u32,
        hidden_max: rng.range(1, 300),
        w_delta,
        b_delta: (0..memory).map(|_| rng.range(-lim, lim - 1)).collect(),
        table_shift: rng.range(0, 6) as u32,
        table: (0..table_len).map(|_| rng.range(-lim, lim - 1)).collect(),
        readout,
        readout_bias: (0..outputs).map(|_| rng.range(-lim, lim - 1)).collect(),
    };
    let wb = rng.range(2, 8) as u32;
    let wl = 1i64 << (wb - 1);
    let weights = (0..branches)
        .map(|_| (0..inputs).map(|_| rng.range(-wl, wl - 1)).collect())
        .collect();
    let t = rng.range(1, 8) as usize;
    LayerConfig::dense(weights, None, t, wb, Neuron::Elm(Box::new(e)), "layer").unwrap()
}

#[test]
fn matches_random_configurations_with_stalls() {
    let mut rng = Rng(0x5EED_E1E1);
    for i in 0..6 {
        let cfg = random_layer(&mut rng);
        let samples: Vec<Vec<Vec<i64>>> = (0..4)
            .map(|_| {
                let spikes: Vec<Vec<i8>> = (0..cfg.timesteps)
                    .map(|_| (0..cfg.inputs).map(|_| rng.range(-1, 1) as i8).collect())
                    .collect();
                Layer::new(cfg.clone())
                    .synaptic_currents(&golden_model::network::spikes_to_lanes(&spikes))
            })
            .collect();
        if !check(&cfg, &samples, 100 + i, &format!("random-{i}")) {
            return;
        }
    }
}

#[test]
fn a_planted_fault_is_caught() {
    let (name, case) = shared_elm_cases().into_iter().nth(2).unwrap();
    let c = currents(&case.layer, &case.samples);
    let Neuron::Elm(e) = &case.layer.neuron else {
        unreachable!()
    };
    // Branch 0's trace decays one shift too slowly.
    let from = format!("(q0_prev >>> {})", e.trace_shift);
    let to = format!("(q0_prev >>> {})", e.trace_shift + 1);
    let Some(good) = simulate(&case.layer, &c, 3, &format!("{name}-good"), None) else {
        return;
    };
    assert!(check(&case.layer, &c, 3, &format!("{name}-good")), "{name}");
    let bad = simulate(
        &case.layer,
        &c,
        3,
        &format!("{name}-fault"),
        Some((&from, &to)),
    )
    .unwrap();
    assert_ne!(good, bad, "{name}: the planted fault was masked");
}
