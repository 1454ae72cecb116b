//! Shared by the cosim integration tests: a seeded generator for random
//! configs and the Verilator builder that fails under `CI` when Verilator is
//! missing.

#![allow(dead_code)] // each test file uses its own subset

pub mod elm;

use cosim::verilator::Builder;
use snn_tools::Tool;

/// A 64-bit LCG (Knuth's MMIX constants), upper bits out.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// A Verilator builder, or `None` (test not run, said plainly) when
/// Verilator is missing outside CI.
pub fn builder() -> Option<Builder> {
    snn_tools::require_for_test(Tool::Verilator)?;
    Some(Builder::new().expect("verilator and a C++ compiler"))
}

/// The planted fault of the fault tests, in the text of a `snn_tmn` unit
/// (or a network layer's copy) for `cfg`: ties at `+vth/2` no longer fire
/// (`m >= vth/2` becomes `m > vth/2`, in the spike and the membrane), the
/// classic off-by-one of a threshold compare. It edits the unit's test for
/// `0 <= m < vth` (`low_ge_theta`, bit q-1 of m) so that `m == vth/2`
/// fails it. Panics if the unit no longer has the line it edits.
pub fn plant_tie_fault(cfg: &golden_model::LayerConfig, text: &str) -> String {
    let golden_model::Neuron::Tmn { vth } = cfg.neuron else {
        panic!("the tie fault needs a tmn layer");
    };
    let q = vth.trailing_zeros();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("assign low_ge_theta = "))
        .expect("snn_tmn assigns low_ge_theta (for 0 <= m < vth: m >= vth/2)");
    assert!(line.ends_with(';'), "{line}");
    let faulty = format!(
        "{} && (low != {q}'d{});",
        line.trim_end_matches(';'),
        vth / 2
    );
    text.replace(line, &faulty)
}
