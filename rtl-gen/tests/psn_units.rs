//! The PSN-family neuron units: Verilator lint and Yosys synthesis over a
//! matrix of layer shapes, and bit-exact Icarus simulation against the
//! golden model (`golden_model::neuron::psn`).

use std::path::PathBuf;

use golden_model::neuron::{psn, Trace};
use golden_model::widths::saturate;
use golden_model::{LayerConfig, Neuron};
use rtl_gen::psn::{snn_psn, snn_psn_masked, snn_psn_sliding};
use rtl_gen::unit;
use rtl_gen::verilog::ast::Module;
use rtl_gen::verilog::print::module_to_string;
use serde_json::json;
use snn_tools::Tool;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % ((hi - lo + 1) as u64)) as i64
    }

    /// Uniform over a signed `bits`-bit value.
    fn signed(&mut self, bits: u32) -> i64 {
        let lim = 1i64 << (bits - 1);
        self.range(-lim, lim - 1)
    }

    /// True with probability 1/n.
    fn one_in(&mut self, n: u64) -> bool {
        self.range(1, n as i64) == 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Full,
    Masked,
    Sliding,
}

impl Kind {
    fn generate(self, cfg: &LayerConfig) -> Module {
        match self {
            Kind::Full => snn_psn(cfg),
            Kind::Masked => snn_psn_masked(cfg),
            Kind::Sliding => snn_psn_sliding(cfg),
        }
    }
}

/// The shape of one test layer (neuron-only: one column, currents given).
#[derive(Debug, Clone, Copy)]
struct Shape {
    kind: Kind,
    t: usize,
    k: usize,
    current_bits: u32,
    weight_bits: u32,
    psn_weight_bits: u32,
    /// Forced `state_bits` as an offset below the derived width.
    narrower_by: Option<u32>,
}

impl Shape {
    fn new(kind: Kind, t: usize, k: usize, bits: (u32, u32, u32)) -> Shape {
        Shape {
            kind,
            t,
            k,
            current_bits: bits.0,
            weight_bits: bits.1,
            psn_weight_bits: bits.2,
            narrower_by: None,
        }
    }

    fn narrower(mut self, by: u32) -> Shape {
        self.narrower_by = Some(by);
        self
    }

    fn tag(&self) -> String {
        format!(
            "{:?}-t{}-k{}-cb{}-wb{}-pwb{}-n{}",
            self.kind,
            self.t,
            self.k,
            self.current_bits,
            self.weight_bits,
            self.psn_weight_bits,
            self.narrower_by.unwrap_or(0)
        )
        .to_lowercase()
    }

    /// A layer of this shape with random PSN weights, a random nonzero
    /// bias, and thresholds drawn by `threshold(rng, state_bits)`.
    fn layer(&self, rng: &mut Rng, threshold: fn(&mut Rng, u32) -> i64) -> LayerConfig {
        let pwb = self.psn_weight_bits;
        let matrix = |rng: &mut Rng| -> Vec<Vec<i64>> {
            (0..self.t)
                .map(|_| (0..self.t).map(|_| rng.signed(pwb)).collect())
                .collect()
        };
        let neuron = match self.kind {
            Kind::Full => {
                json!({"kind": "psn", "weights": matrix(rng), "thresholds": vec![0; self.t]})
            }
            Kind::Masked => {
                json!({"kind": "masked_psn", "k": self.k, "weights": matrix(rng), "thresholds": vec![0; self.t]})
            }
            Kind::Sliding => json!({"kind": "sliding_psn", "k": self.k,
                "weights": (0..self.k).map(|_| rng.signed(pwb)).collect::<Vec<_>>(), "threshold": 0}),
        };
        let bias = loop {
            let b = rng.signed(self.weight_bits);
            if b != 0 {
                break b;
            }
        };
        let mut v = json!({
            "inputs": 1, "outputs": 1, "timesteps": self.t,
            "weight_bits": self.weight_bits, "psn_weight_bits": pwb,
            "current_bits": self.current_bits, "bias": [bias], "neuron": neuron,
        });
        let derived = LayerConfig::from_json(&v, "layer")
            .expect("valid test layer")
            .widths()
            .derived_state_bits;
        let sb = derived - self.narrower_by.unwrap_or(0);
        if self.narrower_by.is_some() {
            v["state_bits"] = json!(sb);
        }
        let n_b = if self.kind == Kind::Sliding {
            1
        } else {
            self.t
        };
        let b: Vec<i64> = (0..n_b).map(|_| threshold(rng, sb)).collect();
        match self.kind {
            Kind::Sliding => v["neuron"]["threshold"] = json!(b[0]),
            _ => v["neuron"]["thresholds"] = json!(b),
        }
        LayerConfig::from_json(&v, "layer").expect("valid test layer")
    }
}

/// A fresh scratch directory for one test case.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("snnrtl-psn-units-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes the unit to `<dir>/<module>.v` and returns the file name.
fn write_module(dir: &std::path::Path, m: &Module) -> String {
    let file = format!("{}.v", m.name);
    std::fs::write(dir.join(&file), module_to_string(m)).expect("write module");
    file
}

// ------------------------------------------------------------ lint + synth

fn lint_and_synth(shapes: &[Shape]) {
    let (Some(verilator), Some(yosys)) = (
        snn_tools::require_for_test(Tool::Verilator),
        snn_tools::require_for_test(Tool::Yosys),
    ) else {
        return;
    };
    let mut rng = Rng::new(7);
    let mut failures = Vec::new();
    for s in shapes {
        let cfg = s.layer(&mut rng, |_, _| 0);
        let m = s.kind.generate(&cfg);
        let dir = scratch(&s.tag());
        let file = write_module(&dir, &m);
        let files = [file];
        let lint = snn_tools::verilator_lint(&verilator, &dir, &files, &m.name);
        let synth = snn_tools::yosys_synth_check(&yosys, &dir, &files, &m.name);
        match (lint, synth) {
            (Ok(()), Ok(())) => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            (l, y) => failures.push(format!(
                "{} (kept in {}):\n{}\n{}",
                s.tag(),
                dir.display(),
                l.err().unwrap_or_default(),
                y.err().unwrap_or_default()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// T in {1, 4, 8, 16}, k in {1, 2, T} (and k > T for the causal kinds),
/// weight widths {2, 8, 12}, one forced narrow state: a subset that keeps
/// Yosys fast (wide multipliers only at small T).
fn matrix(kind: Kind) -> Vec<Shape> {
    let mut v = vec![
        Shape::new(kind, 1, 1, (4, 2, 2)),
        Shape::new(kind, 4, 2, (8, 8, 8)),
        Shape::new(kind, 4, 4, (6, 12, 12)),
        Shape::new(kind, 8, 2, (6, 2, 8)),
        Shape::new(kind, 8, 3, (6, 4, 4)).narrower(5),
        Shape::new(kind, 16, 2, (4, 2, 2)),
        Shape::new(kind, 5, 3, (5, 4, 4)),
    ];
    if kind != Kind::Full {
        v.push(Shape::new(kind, 8, 1, (6, 8, 2)));
        v.push(Shape::new(kind, 8, 8, (5, 2, 4)));
        v.push(Shape::new(kind, 16, 16, (3, 2, 2)));
        v.push(Shape::new(kind, 4, 7, (6, 8, 8)));
        v.push(Shape::new(kind, 1, 3, (4, 2, 2)));
    }
    v
}

#[test]
fn psn_full_lints_and_synthesizes() {
    lint_and_synth(&matrix(Kind::Full));
}

#[test]
fn psn_masked_lints_and_synthesizes() {
    lint_and_synth(&matrix(Kind::Masked));
}

#[test]
fn psn_sliding_lints_and_synthesizes() {
    lint_and_synth(&matrix(Kind::Sliding));
}

// ------------------------------------------------------------ simulation

/// One clock cycle of stimulus.
struct Cycle {
    en: bool,
    valid: bool,
    step: usize,
    current: i64,
}

/// One expected output.
struct Expected {
    step: usize,
    spike: i8,
    state: i64,
    overflow: bool,
}

/// `W'h...` literal of `value`'s low `width` bits.
fn vlit(width: u32, value: i64) -> String {
    let bits = if width >= 64 {
        value as u64
    } else {
        (value as u64) & ((1u64 << width) - 1)
    };
    format!("{width}'h{bits:x}")
}

/// A bus literal with field `n` at `[n*width +: width]`.
fn vbus(width: u32, fields: &[i64]) -> String {
    let parts: Vec<String> = fields.iter().rev().map(|&f| vlit(width, f)).collect();
    format!("{{{}}}", parts.join(", "))
}

/// The golden model's answer for one sample of currents `c = I + b`:
/// (trace at the state width, exact H).
fn golden(cfg: &LayerConfig, c: &[i64]) -> (Trace, Vec<i64>) {
    let w = cfg.widths();
    let run = |bits: u32| match &cfg.neuron {
        Neuron::Psn {
            weights,
            thresholds,
        } => psn::run_full(weights, thresholds, c, bits),
        Neuron::MaskedPsn {
            k,
            weights,
            thresholds,
        } => psn::run_masked(*k, weights, thresholds, c, bits),
        Neuron::SlidingPsn {
            k,
            weights,
            threshold,
        } => psn::run_sliding(*k, weights, *threshold, c, bits),
        other => panic!("not a PSN neuron: {}", other.kind()),
    };
    (run(w.state_bits), run(w.derived_state_bits).state)
}

/// The unit's `psn_weights` entries and `psn_thresholds`, in bus order.
fn buses(cfg: &LayerConfig) -> (Vec<i64>, Vec<i64>) {
    let entries = unit::psn_weight_entries(cfg);
    match &cfg.neuron {
        Neuron::Psn {
            weights,
            thresholds,
        }
        | Neuron::MaskedPsn {
            weights,
            thresholds,
            ..
        } => (
            entries.iter().map(|&(t, i)| weights[t][i]).collect(),
            thresholds.clone(),
        ),
        Neuron::SlidingPsn {
            weights, threshold, ..
        } => (
            entries.iter().map(|&(_, j)| weights[j]).collect(),
            vec![*threshold],
        ),
        other => panic!("not a PSN neuron: {}", other.kind()),
    }
}

/// What one simulation run saw, to check it exercised what it meant to.
#[derive(Default)]
struct Coverage {
    spikes: usize,
    silent: usize,
    overflows: usize,
    /// Steps where the state equals the threshold (ties fire).
    ties: usize,
}

/// Simulates `n_samples` random samples back to back through the unit of
/// `shape` with Icarus and checks every output against the golden model.
fn simulate(
    shape: Shape,
    seed: u64,
    n_samples: usize,
    threshold: fn(&mut Rng, u32) -> i64,
) -> Option<Coverage> {
    let iverilog = snn_tools::require_for_test(Tool::Iverilog)?;
    let vvp = snn_tools::require_for_test(Tool::Vvp)?;
    let mut rng = Rng::new(seed);
    let cfg = shape.layer(&mut rng, threshold);
    let w = cfg.widths();
    let (t_n, a, sb) = (cfg.timesteps, w.synaptic_bits, w.state_bits);
    let tw = unit::step_bits(t_n);
    let bias = cfg.bias[0];

    // Stimulus: samples back to back; the first two tight, the rest with
    // bubbles (en = 1, valid = 0) and stalls (en = 0, junk on the inputs).
    let mut cycles = Vec::new();
    let mut expected = Vec::new();
    let mut cov = Coverage::default();
    let (pw, pb) = buses(&cfg);
    for s in 0..n_samples {
        let currents: Vec<i64> = (0..t_n).map(|_| rng.signed(a)).collect();
        for (t, &current) in currents.iter().enumerate() {
            while s >= 2 && rng.one_in(3) {
                let en = !rng.one_in(2);
                cycles.push(Cycle {
                    en,
                    valid: !en,
                    step: rng.range(0, t_n as i64 - 1) as usize,
                    current: rng.signed(a),
                });
            }
            cycles.push(Cycle {
                en: true,
                valid: true,
                step: t,
                current,
            });
        }
        let c: Vec<i64> = currents.iter().map(|i| i + bias).collect();
        let (trace, exact) = golden(&cfg, &c);
        let mut any = false;
        for t in 0..t_n {
            let (sat, overflow) = saturate(exact[t], sb);
            assert_eq!(sat, trace.state[t], "golden state is H saturated");
            any |= overflow;
            cov.spikes += usize::from(trace.spikes[t] != 0);
            cov.silent += usize::from(trace.spikes[t] == 0);
            cov.overflows += usize::from(overflow);
            cov.ties += usize::from(trace.state[t] == pb[t.min(pb.len() - 1)]);
            expected.push(Expected {
                step: t,
                spike: trace.spikes[t],
                state: trace.state[t],
                overflow,
            });
        }
        assert_eq!(any, trace.overflow, "per-step overflow ORs to the flag");
    }
    // A stall while the last outputs are pending, then a drain.
    cycles.push(Cycle {
        en: false,
        valid: true,
        step: 0,
        current: 0,
    });

    let m = shape.kind.generate(&cfg);
    let dir = scratch(&format!("sim-{}-{seed}", shape.tag()));
    let dut = write_module(&dir, &m);
    let tb = testbench(&m.name, &cfg, &pw, &pb, &cycles, &expected, tw, sb);
    std::fs::write(dir.join("tb.v"), tb).expect("write testbench");

    let args: Vec<String> = ["-g2005", "-Wall", "-o", "sim.vvp", "tb.v", &dut]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let out = snn_tools::run(&iverilog, &args, &dir).expect("run iverilog");
    assert!(
        out.success,
        "iverilog failed in {}:\n{}",
        dir.display(),
        out.text
    );
    let out =
        snn_tools::run(&vvp, &["-n".to_string(), "sim.vvp".to_string()], &dir).expect("run vvp");
    assert!(
        out.success && out.text.contains("TESTBENCH PASS") && !out.text.contains("MISMATCH"),
        "{} (seed {seed}, files in {}):\n{}",
        shape.tag(),
        dir.display(),
        out.text
    );
    let _ = std::fs::remove_dir_all(&dir);
    Some(cov)
}

#[allow(clippy::too_many_arguments)]
fn testbench(
    dut: &str,
    cfg: &LayerConfig,
    pw: &[i64],
    pb: &[i64],
    cycles: &[Cycle],
    expected: &[Expected],
    tw: u32,
    sb: u32,
) -> String {
    let w = cfg.widths();
    let a = w.synaptic_bits;
    let t_n = cfg.timesteps;
    let n = expected.len();
    let mut s = String::new();
    let mut line = |text: String| {
        s.push_str(&text);
        s.push('\n');
    };
    line("`timescale 1ns/1ps".into());
    line("`default_nettype none".into());
    line("module tb;".into());
    line("  reg clk = 1'b0;".into());
    line("  reg rst = 1'b1;".into());
    line("  reg en = 1'b1;".into());
    line("  reg in_valid = 1'b0;".into());
    line(format!("  reg [{}:0] in_step = {};", tw - 1, vlit(tw, 0)));
    line(format!("  reg [{}:0] in_current = {};", a - 1, vlit(a, 0)));
    line("  wire out_valid;".into());
    line(format!("  wire [{}:0] out_step;", tw - 1));
    line("  wire [1:0] out_spike;".into());
    line(format!("  wire [{}:0] out_state;", sb - 1));
    line("  wire out_overflow;".into());
    line(format!("  reg [{}:0] e_step [0:{}];", tw - 1, n - 1));
    line(format!("  reg [1:0] e_spike [0:{}];", n - 1));
    line(format!("  reg [{}:0] e_state [0:{}];", sb - 1, n - 1));
    line(format!("  reg e_ovf [0:{}];", n - 1));
    line("  integer n_out = 0;".into());
    line(format!("  {dut} dut ("));
    line("    .clk(clk), .rst(rst), .en(en), .in_valid(in_valid),".into());
    line("    .in_step(in_step), .in_current(in_current),".into());
    line(format!(
        "    .bias({}),",
        vlit(cfg.weight_bits, cfg.bias[0])
    ));
    line("    .out_valid(out_valid), .out_step(out_step), .out_spike(out_spike),".into());
    line("    .out_state(out_state), .out_overflow(out_overflow),".into());
    line(format!(
        "    .psn_weights({}),",
        vbus(cfg.psn_weight_bits, pw)
    ));
    line(format!("    .psn_thresholds({})", vbus(sb, pb)));
    line("  );".into());
    line("  always #5 clk = ~clk;".into());
    line("  always @(posedge clk) begin".into());
    line("    if (!rst && en && out_valid) begin".into());
    line(format!("      if (n_out >= {n}) begin"));
    line(
        "        $display(\"MISMATCH: unexpected output %0d (step %0d)\", n_out, out_step);".into(),
    );
    line("        $finish;".into());
    line("      end".into());
    line("      if (out_step !== e_step[n_out] || out_spike !== e_spike[n_out] ||".into());
    line("          out_state !== e_state[n_out] || out_overflow !== e_ovf[n_out]) begin".into());
    line("        $display(\"MISMATCH at output %0d: got step %0d spike %b state %h ovf %b, expected step %0d spike %b state %h ovf %b\",".into());
    line("          n_out, out_step, out_spike, out_state, out_overflow,".into());
    line("          e_step[n_out], e_spike[n_out], e_state[n_out], e_ovf[n_out]);".into());
    line("        $finish;".into());
    line("      end".into());
    line("      n_out = n_out + 1;".into());
    line("    end".into());
    line("  end".into());
    line("  initial begin".into());
    for (i, e) in expected.iter().enumerate() {
        let lane = match e.spike {
            0 => "2'b00",
            1 => "2'b01",
            _ => "2'b11",
        };
        line(format!(
            "    e_step[{i}] = {}; e_spike[{i}] = {lane}; e_state[{i}] = {}; e_ovf[{i}] = 1'b{};",
            vlit(tw, e.step as i64),
            vlit(sb, e.state),
            u8::from(e.overflow)
        ));
    }
    line("    repeat (2) @(negedge clk);".into());
    line("    rst = 1'b0;".into());
    for c in cycles {
        line(format!(
            "    en = 1'b{}; in_valid = 1'b{}; in_step = {}; in_current = {}; @(negedge clk);",
            u8::from(c.en),
            u8::from(c.valid),
            vlit(tw, c.step as i64),
            vlit(a, c.current)
        ));
    }
    line("    en = 1'b1; in_valid = 1'b0;".into());
    line(format!("    repeat ({}) @(negedge clk);", t_n + 3));
    line(format!("    if (n_out != {n})"));
    line(format!(
        "      $display(\"MISMATCH: %0d outputs, expected {n}\", n_out);"
    ));
    line("    else".into());
    line("      $display(\"TESTBENCH PASS\");".into());
    line("    $finish;".into());
    line("  end".into());
    line("endmodule".into());
    line("`default_nettype wire".into());
    s
}

/// Thresholds near the typical |H| of random data, so both outcomes occur.
fn spread_threshold(rng: &mut Rng, state_bits: u32) -> i64 {
    let lim = 1i64 << (state_bits - 1);
    let r = (lim >> 8).clamp(4, lim - 1);
    rng.range(-r, r)
}

/// Thresholds anywhere in the (narrow) state range.
fn any_threshold(rng: &mut Rng, state_bits: u32) -> i64 {
    rng.signed(state_bits)
}

fn check_exact(shape: Shape) {
    for seed in [1, 2] {
        if let Some(cov) = simulate(shape, seed, 6, spread_threshold) {
            assert!(
                cov.spikes > 0 && cov.silent > 0,
                "{}: weak test, {} spikes and {} silent steps",
                shape.tag(),
                cov.spikes,
                cov.silent
            );
            assert_eq!(cov.overflows, 0, "derived width cannot overflow");
        }
    }
}

/// Thresholds in a few units around 0, for tiny widths where ties are common.
fn small_threshold(rng: &mut Rng, _state_bits: u32) -> i64 {
    rng.range(-2, 2)
}

fn check_ties(shape: Shape) {
    let mut ties = 0;
    for seed in [4, 5, 6] {
        match simulate(shape, seed, 8, small_threshold) {
            Some(cov) => ties += cov.ties,
            None => return,
        }
    }
    assert!(
        ties > 0,
        "{}: weak tie test, no step had H == B",
        shape.tag()
    );
}

fn check_saturation(shape: Shape) {
    if let Some(cov) = simulate(shape, 3, 6, any_threshold) {
        assert!(
            cov.overflows > 0 && cov.spikes + cov.silent > cov.overflows,
            "{}: weak saturation test, {} of {} steps overflowed",
            shape.tag(),
            cov.overflows,
            cov.spikes + cov.silent
        );
    }
}

#[test]
fn psn_full_matches_golden_model() {
    check_exact(Shape::new(Kind::Full, 4, 4, (8, 6, 6)));
    check_exact(Shape::new(Kind::Full, 8, 8, (6, 4, 5)));
    check_exact(Shape::new(Kind::Full, 1, 1, (6, 4, 5)));
    check_exact(Shape::new(Kind::Full, 5, 5, (6, 4, 5)));
    check_ties(Shape::new(Kind::Full, 4, 4, (2, 2, 2)));
    check_saturation(Shape::new(Kind::Full, 4, 4, (8, 6, 6)).narrower(7));
}

#[test]
fn psn_masked_matches_golden_model() {
    check_exact(Shape::new(Kind::Masked, 8, 3, (8, 6, 6)));
    check_exact(Shape::new(Kind::Masked, 4, 6, (6, 4, 5)));
    check_exact(Shape::new(Kind::Masked, 5, 1, (6, 4, 5)));
    check_ties(Shape::new(Kind::Masked, 4, 2, (2, 2, 2)));
    check_saturation(Shape::new(Kind::Masked, 8, 3, (8, 6, 6)).narrower(7));
}

#[test]
fn psn_sliding_matches_golden_model() {
    check_exact(Shape::new(Kind::Sliding, 8, 3, (8, 6, 6)));
    check_exact(Shape::new(Kind::Sliding, 4, 6, (6, 4, 5)));
    check_exact(Shape::new(Kind::Sliding, 1, 2, (6, 4, 5)));
    check_ties(Shape::new(Kind::Sliding, 4, 2, (2, 2, 2)));
    check_saturation(Shape::new(Kind::Sliding, 8, 3, (8, 6, 6)).narrower(7));
}
