//! `snnrtl bench`: speed measured against a baseline in the same run.
//!
//! `golden`: a 256-input, 256-output layer, T = 8, ternary spikes with 50%
//! zeros; the golden model's packed lanes (event-driven add/subtract/skip of
//! weight columns) against a naive dense `i32` multiply-accumulate loop.
//! `generate`: time to build and print the Verilog of square TMN cores, 8x8
//! (the baseline) to 64x64, against the 1-second budget for 64x64.
//! `cosim`: one 16x16 TMN core (T = 8) run 10^6 cycles by Verilator, through
//! the cxx bridge (`run`: 65,536 cycles per call, input and output records)
//! and by a pure C++ loop inside the design library (no records), same run.

use anyhow::{ensure, Result};
use golden_model::config::limits;
use golden_model::rng::SplitMix64;
use golden_model::synapse::Synapses;
use golden_model::LaneVec;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// What to time
    #[arg(value_enum, default_value = "golden")]
    what: What,
    /// Minimum wall time per measured variant, in seconds (0.05..=60)
    #[arg(long, default_value_t = 1.0)]
    seconds: f64,
    #[arg(long, default_value_t = 256)]
    inputs: usize,
    #[arg(long, default_value_t = 256)]
    outputs: usize,
    #[arg(long, default_value_t = 8)]
    timesteps: usize,
    /// Percentage of zero spikes (0..=100)
    #[arg(long, default_value_t = 50)]
    zero_percent: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum What {
    /// Golden-model synapses: packed lanes vs naive i32 loop
    Golden,
    /// Verilog generation time for square TMN cores up to 64x64 (budget: 1 s)
    Generate,
    /// Verilator: a 16x16 TMN core for 10^6 cycles, cxx bridge vs pure C++ loop
    Cosim,
}

/// Repeats `f` until `min` has elapsed; returns calls and elapsed time.
fn time_it(min: Duration, mut f: impl FnMut()) -> (u64, Duration) {
    f(); // warm-up
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < min {
        f();
        calls += 1;
    }
    (calls, start.elapsed())
}

pub fn run(a: Args) -> Result<()> {
    ensure!(
        (0.05..=60.0).contains(&a.seconds),
        "--seconds: {} is not in 0.05..=60",
        a.seconds
    );
    ensure!(
        (limits::INPUTS.0..=limits::INPUTS.1).contains(&(a.inputs as i64)),
        "--inputs: {} is not in {}",
        a.inputs,
        limits::range_text(limits::INPUTS)
    );
    ensure!(
        (limits::OUTPUTS.0..=limits::OUTPUTS.1).contains(&(a.outputs as i64)),
        "--outputs: {} is not in {}",
        a.outputs,
        limits::range_text(limits::OUTPUTS)
    );
    ensure!(
        (limits::TIMESTEPS.0..=limits::TIMESTEPS.1).contains(&(a.timesteps as i64)),
        "--timesteps: {} is not in {}",
        a.timesteps,
        limits::range_text(limits::TIMESTEPS)
    );
    ensure!(
        a.zero_percent <= 100,
        "--zero-percent: {} is not in 0..=100",
        a.zero_percent
    );
    match a.what {
        What::Golden => bench_golden(&a),
        What::Generate => bench_generate(&a),
        What::Cosim => bench_cosim(&a),
    }
}

fn bench_golden(a: &Args) -> Result<()> {
    let mut rng = SplitMix64::new(1);
    let weights: Vec<Vec<i64>> = (0..a.outputs)
        .map(|_| (0..a.inputs).map(|_| rng.range(-128, 127)).collect())
        .collect();
    let syn = Synapses::new(&weights);
    // 16 samples of T steps, so the spikes do not sit in one cache line pattern.
    let steps: Vec<Vec<i64>> = (0..16 * a.timesteps)
        .map(|_| (0..a.inputs).map(|_| rng.spike(a.zero_percent)).collect())
        .collect();
    let lanes: Vec<LaneVec> = steps
        .iter()
        .map(|s| LaneVec::from_spikes(s).unwrap())
        .collect();
    let dense: Vec<Vec<i32>> = steps
        .iter()
        .map(|s| s.iter().map(|&x| x as i32).collect())
        .collect();

    // Both must agree before either is timed.
    let (mut p, mut n) = (vec![0i32; a.outputs], vec![0i32; a.outputs]);
    for (l, d) in lanes.iter().zip(&dense) {
        syn.currents_packed(l, &mut p);
        syn.currents_naive(d, &mut n);
        ensure!(
            p == n,
            "packed and naive synapses disagree: golden model bug"
        );
    }

    let min = Duration::from_secs_f64(a.seconds);
    let mut out = vec![0i32; a.outputs];
    let (naive_calls, naive_t) = time_it(min, || {
        for d in &dense {
            syn.currents_naive(black_box(d), &mut out);
            black_box(&out);
        }
    });
    let (packed_calls, packed_t) = time_it(min, || {
        for l in &lanes {
            syn.currents_packed(black_box(l), &mut out);
            black_box(&out);
        }
    });
    let per_call = (steps.len() * a.inputs * a.outputs) as f64;
    let naive_rate = naive_calls as f64 * per_call / naive_t.as_secs_f64();
    let packed_rate = packed_calls as f64 * per_call / packed_t.as_secs_f64();
    let nonzero = lanes.iter().map(LaneVec::count_nonzero).sum::<usize>() as f64
        / (steps.len() * a.inputs) as f64;
    println!(
        "golden synapses: {} inputs x {} outputs, T = {}, {:.1}% non-zero spikes{}",
        a.inputs,
        a.outputs,
        a.timesteps,
        100.0 * nonzero,
        if cfg!(debug_assertions) {
            " (DEBUG BUILD: use --release)"
        } else {
            ""
        }
    );
    println!("(a synaptic event = one synapse evaluated at one timestep, zeros included)");
    println!(
        "  naive i32 loop : {:>10.1} M synaptic events/s",
        naive_rate / 1e6
    );
    println!(
        "  packed lanes   : {:>10.1} M synaptic events/s",
        packed_rate / 1e6
    );
    println!("  packed / naive : {:>10.2}x", packed_rate / naive_rate);
    Ok(())
}

fn bench_generate(a: &Args) -> Result<()> {
    let min = Duration::from_secs_f64(a.seconds.min(2.0));
    let mut base = None;
    println!(
        "Verilog generation, TMN core, T = {}, 8-bit weights (build + print, no disk):",
        a.timesteps
    );
    for n in [8usize, 16, 32, 64] {
        let cfg = golden_model::LayerConfig::dense(
            vec![vec![1; n]; n],
            None,
            a.timesteps,
            8,
            golden_model::Neuron::Tmn { vth: 64 },
            "layer",
        )?;
        let mut bytes = 0;
        let (calls, t) = time_it(min, || {
            let d = rtl_gen::generate(black_box(&cfg));
            bytes = d.files.iter().map(|(_, s)| s.len()).sum();
        });
        let per = t.as_secs_f64() / calls.max(1) as f64;
        let ratio = per / *base.get_or_insert(per);
        println!(
            "  {n:>2}x{n:<2}: {:>9.2} ms per core ({:>6.1} KiB of Verilog), {ratio:>6.1}x the 8x8 time{}",
            per * 1e3,
            bytes as f64 / 1024.0,
            if n == 64 { format!(", {:.1}% of the 1 s budget", per * 100.0) } else { String::new() }
        );
    }
    Ok(())
}

fn bench_cosim(a: &Args) -> Result<()> {
    use cosim::run;
    use cosim::verilator::{Builder, Opt};
    const CYCLES: u64 = 1_000_000;
    const CHUNK: u64 = 65_536;
    let n = 16;
    let mut rng = SplitMix64::new(7);
    let weights = (0..n)
        .map(|_| (0..n).map(|_| rng.range(-128, 127)).collect())
        .collect();
    let cfg = golden_model::LayerConfig::dense(
        weights,
        None,
        a.timesteps,
        8,
        golden_model::Neuron::Tmn { vth: 64 },
        "layer",
    )?;
    let dir = std::env::temp_dir().join(format!("snnrtl-bench-cosim-{}", std::process::id()));
    crate::cmd_generate::write_design(&rtl_gen::generate(&cfg), &dir)?;
    let builder = Builder::new()?;
    let lib = builder.build(&dir, false, Opt::Rtl)?;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "cosim: 16x16 TMN core, T = {}, {} ({}), library {}",
        a.timesteps,
        builder.verilator.version,
        builder.cxx_version,
        if lib.built_now {
            format!("built in {:.1} s", lib.build_seconds)
        } else {
            "from the cache".into()
        }
    );
    let samples = cosim::samples::random_samples(
        n,
        a.timesteps,
        (CHUNK as usize).div_ceil(a.timesteps),
        Default::default(),
    );
    let inputs = run::pack_inputs(&cfg, &samples);
    let n_in = (samples.len() * a.timesteps) as u64;
    let ow = run::expected_layout(&cfg).out_words as usize;
    let mut out = vec![0u32; CHUNK as usize * ow];

    let mut sim = run::open(&lib, None)?;
    run::load_config(sim.pin_mut(), &cfg);
    let start = Instant::now();
    let mut done = 0u64;
    while done < CYCLES {
        let c = sim.pin_mut().run(
            CHUNK.min(CYCLES - done),
            &inputs,
            n_in,
            &[],
            &[],
            &mut out,
            CHUNK,
            false,
        )?;
        ensure!(c.cycles > 0, "the bridge ran no cycles");
        done += c.cycles;
        black_box(&out);
    }
    let bridge = done as f64 / start.elapsed().as_secs_f64();

    let mut sim = run::open(&lib, None)?;
    run::load_config(sim.pin_mut(), &cfg);
    let ns = sim.pin_mut().bench_pure(CYCLES, &inputs, n_in)?;
    let pure = CYCLES as f64 / (ns as f64 * 1e-9);
    println!("  pure C++ loop : {:>8.3} M cycles/s", pure / 1e6);
    println!(
        "  cxx bridge    : {:>8.3} M cycles/s (with input and output records)",
        bridge / 1e6
    );
    println!(
        "  pure / bridge : {:>8.2}x (target: within 1.5x)",
        pure / bridge
    );
    Ok(())
}
