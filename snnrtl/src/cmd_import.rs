//! `snnrtl import NET.nir -o DIR`: a NIR graph to the integer network
//! (`network.json`, as `snnrtl flow` writes it, with a `meta` object), plus
//! `import.md` and `import.json` saying how each node was mapped. The rules
//! are in docs/nir.md; everything is computed before anything is written,
//! and each file is written to a temporary name and renamed.

use crate::out::write_atomic;
use anyhow::{anyhow, Context, Result};
use golden_model::Reset;
use snn_nir::import::DEFAULT_TIMESTEPS;
use snn_nir::{ImportOptions, Integrator};
use std::path::PathBuf;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum IntegratorArg {
    /// Forward Euler: decay dt/tau (snnTorch, Norse)
    Euler,
    /// Exact exponential: decay 1 - exp(-dt/tau) (Rockpool)
    Exp,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ResetArg {
    /// u = 0 after a spike (NIR >= 1.0.6, v_reset = 0)
    Zero,
    /// u = u - vth after a spike (files older than NIR 1.0.6)
    Subtract,
}

#[derive(clap::Args)]
pub struct Args {
    /// The NIR file (HDF5)
    nir: PathBuf,
    /// Output folder for network.json, import.md and import.json
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// Time step in NIR's time unit (else recovered from the LIF nodes, or refused)
    #[arg(long)]
    dt: Option<f64>,
    /// How tau becomes a per-step decay
    #[arg(long, value_enum, default_value = "euler")]
    integrator: IntegratorArg,
    /// What a spike does to the membrane
    #[arg(long, value_enum, default_value = "zero")]
    reset: ResetArg,
    /// Width of the integer weights and biases (2..=16)
    #[arg(long, default_value_t = 8)]
    weight_bits: u32,
    /// Timesteps per sample of the integer network (1..=64; NIR fixes none)
    #[arg(long, default_value_t = DEFAULT_TIMESTEPS)]
    timesteps: usize,
}

pub fn run(a: Args) -> Result<()> {
    let name = a.nir.display().to_string();
    let bytes = std::fs::read(&a.nir).with_context(|| format!("{name}: cannot read"))?;
    let opts = ImportOptions {
        dt: a.dt,
        integrator: match a.integrator {
            IntegratorArg::Euler => Integrator::Euler,
            IntegratorArg::Exp => Integrator::Exp,
        },
        reset: match a.reset {
            ResetArg::Zero => Reset::Zero,
            ResetArg::Subtract => Reset::Subtract,
        },
        weight_bits: a.weight_bits,
        timesteps: a.timesteps,
    };
    let imp = snn_nir::import_bytes(bytes, &opts).map_err(|e| anyhow!("{name}: {e}"))?;
    let mut net = imp.network.to_json();
    net["meta"] = snn_nir::report::meta(&imp, &name);
    let files = [
        ("network.json", serde_json::to_string_pretty(&net)? + "\n"),
        (
            "import.json",
            serde_json::to_string_pretty(&snn_nir::report::json(&imp, &name))? + "\n",
        ),
        ("import.md", snn_nir::report::markdown(&imp, &name)),
    ];
    for (f, text) in &files {
        write_atomic(&a.output.join(f), text.as_bytes())?;
    }
    eprintln!(
        "wrote network.json, import.md and import.json to {} ({} layers, dt = {} ({}), T = {})",
        a.output.display(),
        imp.layers.len(),
        imp.dt,
        imp.dt_source.key(),
        opts.timesteps
    );
    Ok(())
}
