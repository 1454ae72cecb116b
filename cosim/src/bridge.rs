//! The `cxx` bridge to the C++ loader (`cpp/loader.{h,cpp}`), which drives a
//! Verilated core (or network, whose taps it also reads) compiled into a
//! per-design shared library.

#[cxx::bridge(namespace = "snnrtl")]
pub mod ffi {
    /// What one `run` call did.
    #[derive(Debug, Clone, Copy, Default)]
    struct RunCounts {
        cycles: u64,
        inputs_taken: u64,
        outputs_taken: u64,
    }

    /// Words per input and output record (see `cpp/shim.cpp`).
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    struct Layout {
        in_words: u32,
        out_words: u32,
    }

    unsafe extern "C++" {
        include!("cosim/cpp/loader.h");

        type Sim;

        /// Loads a design library and instantiates its model; `vcd_path`
        /// empty for no waveform (it needs a library built with tracing).
        fn open_sim(library: &str, vcd_path: &str) -> Result<UniquePtr<Sim>>;
        fn layout(self: &Sim) -> Layout;
        fn can_trace(self: &Sim) -> bool;
        fn set_trace(self: Pin<&mut Sim>, on: bool);
        fn cycle(self: &Sim) -> u64;
        fn reset(self: Pin<&mut Sim>, cycles: u32);
        fn config_write(self: Pin<&mut Sim>, addr: u64, data: i64);
        /// A configuration write of `data` (little-endian words; the
        /// folded engine's weight words are wider than 64 bits).
        fn config_write_words(self: Pin<&mut Sim>, addr: u64, data: &[u32]);
        #[allow(clippy::too_many_arguments)]
        fn run(
            self: Pin<&mut Sim>,
            max_cycles: u64,
            inputs: &[u32],
            n_inputs: u64,
            valid_pattern: &[u8],
            ready_pattern: &[u8],
            outputs: &mut [u32],
            max_outputs: u64,
            stop_when_inputs_taken: bool,
        ) -> Result<RunCounts>;
        fn bench_pure(
            self: Pin<&mut Sim>,
            cycles: u64,
            inputs: &[u32],
            n_inputs: u64,
        ) -> Result<u64>;
        /// Words per tap record (0: the design has no taps).
        fn tap_words(self: &Sim) -> u32;
        /// Moves the oldest tap records that fit into `out` (whole records);
        /// returns how many.
        fn take_taps(self: Pin<&mut Sim>, out: &mut [u32]) -> u64;
    }
}
