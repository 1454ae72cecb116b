//! `snnrtl flow [FLOW.json]`: the end-to-end job (see `flow`): a trained
//! network converted, generated, co-simulated and reported. Without FLOW.json
//! it runs the digits example shipped in examples/digits/. A flow file with
//! a `model` (a NIR file) runs `flow::nir_flow` instead: the spiking network
//! as it is, no conversion. A flow file with an `elm` case runs
//! `flow::elm_flow`: the integer ELM classified, generated, co-simulated and
//! synthesized.

use crate::flow::{self, Options};
use anyhow::{bail, Result};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Flow file (default: examples/digits/flow.json)
    flow: Option<PathBuf>,
    /// Output folder for report.md, report.json, accuracy.svg, network.json, rtl/
    #[arg(short, long, value_name = "DIR", default_value = "out")]
    output: PathBuf,
    /// Co-simulate this many test images (default: the flow file's hardware.cosim_images)
    #[arg(long, value_name = "N")]
    cosim_images: Option<usize>,
    /// Skip synthesis (the report says it was not run)
    #[arg(long)]
    no_synth: bool,
}

pub fn run(a: Args) -> Result<()> {
    let opts = Options {
        flow: a.flow.unwrap_or_else(flow::default_flow),
        out: a.output,
        cosim_images: a.cosim_images,
        synth: !a.no_synth,
    };
    if flow::elm_flow::is_elm_flow(&opts.flow)? {
        let r = flow::elm_flow::run(&opts)?;
        eprintln!(
            "wrote {}/report.md, report.json and rtl/ in {:.0} s",
            opts.out.display(),
            r.seconds
        );
        if r.cosim.verdict == "diverged" {
            bail!(
                "co-simulation diverged: {}",
                r.cosim.divergence.as_deref().unwrap_or("?")
            );
        }
        if !r.synth_errors.is_empty() {
            bail!("synthesis failed: {}", r.synth_errors.join("; "));
        }
        return Ok(());
    }
    if flow::nir_flow::is_nir_flow(&opts.flow)? {
        let r = flow::nir_flow::run(&opts)?;
        eprintln!(
            "wrote {}/report.md, report.json, network.json, import.md, import.json and rtl/ in {:.0} s",
            opts.out.display(),
            r.seconds
        );
        if r.cosim.verdict == "diverged" {
            bail!(
                "co-simulation diverged: {}",
                r.cosim.divergence.as_deref().unwrap_or("?")
            );
        }
        if !r.synth_errors.is_empty() {
            bail!("synthesis failed: {}", r.synth_errors.join("; "));
        }
        return Ok(());
    }
    let r = flow::run(&opts)?;
    let rtl: Vec<&str> = ["rtl/", "rtl-folded/"]
        .into_iter()
        .filter(|d| opts.out.join(d).is_dir())
        .collect();
    eprintln!(
        "wrote {}/report.md, report.json, accuracy.svg, network.json{} in {:.0} s",
        opts.out.display(),
        if rtl.is_empty() {
            String::new()
        } else {
            format!(" and {}", rtl.join(", "))
        },
        r.seconds
    );
    if r.hardware.cosim.verdict == "diverged" {
        bail!(
            "co-simulation diverged: {}",
            r.hardware.cosim.divergence.as_deref().unwrap_or("?")
        );
    }
    if !r.hardware.synth_errors.is_empty() {
        bail!("synthesis failed: {}", r.hardware.synth_errors.join("; "));
    }
    Ok(())
}
