//! Shared by the cosim integration tests: a seeded generator for random
//! configs and the Verilator builder that fails under `CI` when Verilator is
//! missing.

#![allow(dead_code)] // each test file uses its own subset

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
