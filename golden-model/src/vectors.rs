//! Where the reference vectors live: `testdata/vectors/` in this repository
//! (copied from independent implementations, see its README), or the folder
//! named by `SNNRTL_VECTORS`. Every test that reads them goes through here.

use std::path::{Path, PathBuf};

/// The reference-vector folder: `$SNNRTL_VECTORS`, else the repository's
/// `testdata/vectors`.
pub fn dir() -> PathBuf {
    match std::env::var_os("SNNRTL_VECTORS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/vectors"),
    }
}

/// Every file under [`dir`] (one level of sub-folders, e.g. `elm-lif/`)
/// whose name ends with `suffix`, sorted. Panics with the folder's name if it
/// is missing: a missing folder is a failure, never a skip.
pub fn files(suffix: &str) -> Vec<PathBuf> {
    let root = dir();
    let mut out = Vec::new();
    let mut dirs = vec![root.clone()];
    let read = |d: &Path| {
        std::fs::read_dir(d).unwrap_or_else(|e| {
            panic!(
                "reference vectors folder {} is missing ({e}); it ships in testdata/vectors (or set SNNRTL_VECTORS)",
                d.display()
            )
        })
    };
    for e in read(&root) {
        let p = e.expect("read the vectors folder").path();
        if p.is_dir() {
            dirs.push(p);
        }
    }
    for d in &dirs {
        for e in read(d) {
            let p = e.expect("read the vectors folder").path();
            if p.is_file() && p.to_string_lossy().ends_with(suffix) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The file name of `p` as a string.
pub fn name(p: &Path) -> String {
    p.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}
