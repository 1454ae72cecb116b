//! Shared by the elm co-simulation tests (the array core and the folded
//! one): the shared `elm_*` reference cases, their samples as lanes,
//! random `elm` layers, and one core written and co-simulated.

use super::Rng;
use cosim::run::{self, Outcome};
use cosim::verilator::{Builder, Opt};
use golden_model::neuron::elm::Elm;
use golden_model::{vectors, Case, LaneVec, LayerConfig, Neuron, Sample};
use rtl_gen::arch::Architecture;
use std::path::{Path, PathBuf};

/// The layer's core as `arch` builds it (the array core: `Unrolled`; the
/// folded one: `FoldedElm`), written to a fresh folder named by `label`.
pub fn write_rtl(cfg: &LayerConfig, arch: &Architecture, label: &str) -> PathBuf {
    let tag = match arch {
        Architecture::FoldedElm => "elmfold",
        _ => "elm",
    };
    let d = std::env::temp_dir().join(format!("snnrtl-vl-{tag}-{}-{label}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    arch.layer_core(cfg).0.write(&d).unwrap();
    d
}

/// The core in `rtl` built by Verilator and co-simulated on `samples`
/// (with `stall`: random gaps and back-pressure from `seed`).
pub fn simulate(
    b: &Builder,
    cfg: &LayerConfig,
    rtl: &Path,
    samples: &[Vec<LaneVec>],
    stall: bool,
    seed: u64,
) -> Outcome {
    let lib = b.build(rtl, false, Opt::Rtl).unwrap();
    let mut sim = run::open(&lib, None).unwrap();
    run::cosim(sim.pin_mut(), cfg, samples, stall, seed).unwrap()
}

/// A case's samples as lane vectors (every elm case has weights).
pub fn lanes(samples: Vec<Sample>) -> Vec<Vec<LaneVec>> {
    samples
        .into_iter()
        .map(|s| match s {
            Sample::Lanes(l) => l,
            Sample::Currents(_) => panic!("an elm case with weights takes spikes"),
        })
        .collect()
}

/// Every shared `elm_*` reference case, with its name.
pub fn shared_elm_cases() -> Vec<(String, Case)> {
    vectors::files(".case.json")
        .into_iter()
        .filter(|p| vectors::name(p).starts_with("elm_"))
        .map(|p| {
            let c = Case::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (vectors::name(&p), c)
        })
        .collect()
}

/// A random `elm` layer: small sizes, every parameter drawn from its range.
pub fn random_layer(rng: &mut Rng) -> LayerConfig {
    let (inputs, branches) = (rng.range(1, 12) as usize, rng.range(1, 6) as usize);
    let (memory, hidden, outputs) = (
        rng.range(1, 4) as usize,
        rng.range(1, 6) as usize,
        rng.range(1, 5) as usize,
    );
    let mlp_bits = rng.range(2, 10) as u32;
    let lim = 1i64 << (mlp_bits - 1);
    let mut v = |n: usize| -> Vec<i64> { (0..n).map(|_| rng.range(-lim, lim - 1)).collect() };
    let mut m = |r: usize, c: usize| -> Vec<Vec<i64>> { (0..r).map(|_| v(c)).collect() };
    let (w_branch, w_memory, w_delta, readout) = (
        m(hidden, branches),
        m(hidden, memory),
        m(memory, hidden),
        m(outputs, memory),
    );
    let table_len = 1usize << rng.range(1, 7);
    let e = Elm {
        memory,
        hidden,
        mlp_bits,
        trace_shift: rng.range(1, 8) as u32,
        trace_frac_bits: rng.range(0, 4) as u32,
        memory_shifts: (0..memory).map(|_| rng.range(1, 12) as u32).collect(),
        lambda: rng.range(1, 16),
        w_branch,
        w_memory,
        b_hidden: (0..hidden).map(|_| rng.range(-lim, lim - 1)).collect(),
        hidden_shift: rng.range(0, 8) as u32,
        hidden_max: rng.range(1, 1000),
        w_delta,
        b_delta: (0..memory).map(|_| rng.range(-lim, lim - 1)).collect(),
        table_shift: rng.range(0, 8) as u32,
        table: (0..table_len).map(|_| rng.range(-lim, lim - 1)).collect(),
        readout,
        readout_bias: (0..outputs).map(|_| rng.range(-lim, lim - 1)).collect(),
    };
    let wb = rng.range(2, 8) as u32;
    let wl = 1i64 << (wb - 1);
    // The extremes mixed with small values.
    let weights = (0..branches)
        .map(|_| {
            (0..inputs)
                .map(|_| match rng.next() % 4 {
                    0 => -wl,
                    1 => wl - 1,
                    _ => rng.range(-wl, wl - 1),
                })
                .collect()
        })
        .collect();
    let t = rng.range(1, 10) as usize;
    LayerConfig::dense(weights, None, t, wb, Neuron::Elm(Box::new(e)), "layer").unwrap()
}
