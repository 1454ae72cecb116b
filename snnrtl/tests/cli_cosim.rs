//! `snnrtl cosim` as users call it. Fails under `CI` without Verilator.

use snn_tools::Tool;
use std::path::PathBuf;
use std::process::Command;

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/tmn_16x8.case.json")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-cli-cosim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn passes_on_the_example_and_random_samples() {
    if snn_tools::require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let o = snnrtl()
        .arg("cosim")
        .arg(example())
        .args(["--samples", "40", "--stall", "--illegal-percent", "5"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.starts_with("cosim PASS: 40 samples x 8 steps x 8 neurons bit-exact"),
        "{out}"
    );
}

#[test]
fn planted_fault_fails_names_the_divergence_and_writes_a_waveform() {
    if snn_tools::require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let d = tmp("fault");
    let rtl = d.join("rtl");
    assert!(snnrtl()
        .arg("generate")
        .arg(example())
        .arg("-o")
        .arg(&rtl)
        .status()
        .unwrap()
        .success());
    let f = rtl.join("snn_tmn.v");
    let text = std::fs::read_to_string(&f).unwrap();
    // Flip one comparison: -1 spikes now need m < -vth/2 (ties no longer
    // fire). The unit tests m <= -vth/2 for -vth <= m < 0 on the low q bits
    // of m + vth (`low`, at most vth/2); the fault excludes the tie.
    let case: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    let vth = case["layer"]["neuron"]["vth"].as_i64().unwrap();
    let q = vth.trailing_zeros();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("assign low_le_theta = "))
        .expect("snn_tmn assigns low_le_theta");
    let flipped = text.replace(
        line,
        &format!(
            "{} && (low != {q}'d{});",
            line.trim_end_matches(';'),
            vth / 2
        ),
    );
    assert_ne!(flipped, text);
    std::fs::write(&f, flipped).unwrap();
    let vcd = d.join("fail.vcd");
    let o = snnrtl()
        .arg("cosim")
        .arg(example())
        .arg("--rtl")
        .arg(&rtl)
        .args(["--samples", "300", "--zero-percent", "10", "--vcd"])
        .arg(&vcd)
        .output()
        .unwrap();
    assert!(!o.status.success(), "the planted fault was not reported");
    let err = String::from_utf8(o.stderr).unwrap();
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .expect("an error line");
    assert!(
        line.starts_with("error: cosim FAIL: first divergence at sample "),
        "{line}"
    );
    assert!(
        line.contains(", neuron ")
            && line.contains("field ")
            && line.contains("golden ")
            && line.contains("rtl "),
        "{line}"
    );
    assert!(line.contains("(cycle "), "{line}");
    let wave = std::fs::read_to_string(&vcd).expect("a waveform");
    assert!(wave.starts_with("$version"), "not a VCD");
    assert!(
        wave.contains("fire_neg"),
        "the waveform lacks the neuron signals"
    );
}

#[test]
fn missing_verilator_says_how_to_install() {
    let o = snnrtl()
        .arg("cosim")
        .arg(example())
        .env("VERILATOR", "/nonexistent/verilator")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("$VERILATOR is /nonexistent/verilator, which is not a file")
            && err.contains("install"),
        "{err}"
    );
}

/// An elm layer's case: its samples through the elm core, with stalls.
#[test]
fn passes_on_an_elm_case_with_stalls() {
    if snn_tools::require_for_test(Tool::Verilator).is_none() {
        return;
    }
    let case = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata/vectors/elm-lif/elm_005_T16_in9_b6_m4_h10.case.json");
    let o = snnrtl()
        .arg("cosim")
        .arg(&case)
        .arg("--stall")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.starts_with(
            "cosim PASS: 4 samples x 16 steps bit-exact (elm: 1 readouts, 4 memory units, flags)"
        ),
        "{out}"
    );
}
