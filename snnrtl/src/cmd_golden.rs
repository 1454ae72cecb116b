//! `snnrtl golden CASE.json [-o OUT.json]`: SPEC section 5, exactly.

use crate::out::write_atomic;
use anyhow::{Context, Result};
use golden_model::{results_to_json, Case};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Case file: a layer and its samples (SPEC section 5)
    case: PathBuf,
    /// Write the results here instead of standard output
    #[arg(short, long, value_name = "OUT.json")]
    output: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<()> {
    let text = std::fs::read_to_string(&a.case)
        .with_context(|| format!("{}: cannot read", a.case.display()))?;
    let case = Case::parse(&text).with_context(|| a.case.display().to_string())?;
    let doc = results_to_json(&case.run());
    match a.output {
        Some(path) => write_atomic(&path, doc.as_bytes()),
        None => {
            std::io::stdout().write_all(doc.as_bytes())?;
            Ok(())
        }
    }
}
