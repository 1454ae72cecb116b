//! `snnrtl export NETWORK.json -o NET.nir`: the integer network as a NIR
//! graph at dt = 1 (docs/nir.md). Kinds NIR cannot express (tmn, the psn
//! family) are refused; where NIR reads a layer differently (the floor of
//! the shift leak, reset by subtraction) the file is written and one
//! warning line per layer names the difference.

use crate::out::write_atomic;
use anyhow::{anyhow, Context, Result};
use golden_model::NetworkConfig;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The integer network file (`network.json`, as `snnrtl flow` or `snnrtl import` writes it)
    network: PathBuf,
    /// The NIR file to write
    #[arg(short, long, value_name = "NET.nir")]
    output: PathBuf,
}

pub fn run(a: Args) -> Result<()> {
    let name = a.network.display().to_string();
    let text =
        std::fs::read_to_string(&a.network).with_context(|| format!("{name}: cannot read"))?;
    let net = NetworkConfig::parse(&text).map_err(|e| anyhow!("{name}: {e}"))?;
    let (bytes, warnings) = snn_nir::export_bytes(&net).map_err(|e| anyhow!("{name}: {e}"))?;
    write_atomic(&a.output, &bytes)?;
    for w in &warnings {
        eprintln!("{w}");
    }
    eprintln!(
        "wrote {} ({} layers, NIR {}, dt = 1)",
        a.output.display(),
        net.layers.len(),
        snn_nir::hdf5_io::WRITTEN_VERSION
    );
    Ok(())
}
