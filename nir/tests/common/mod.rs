//! Shared by the snn-nir tests: fixture paths and importing them.

#![allow(dead_code)]

use snn_nir::{ImportOptions, Imported, NirError};
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn import(name: &str, opts: &ImportOptions) -> Result<Imported, NirError> {
    let bytes = std::fs::read(fixture(name))
        .unwrap_or_else(|e| panic!("{name}: {e} (run nir/fixtures/make_fixtures.py)"));
    snn_nir::import_bytes(bytes, opts)
}
