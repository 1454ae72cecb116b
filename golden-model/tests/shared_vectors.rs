//! Every reference vector in `../shared/vectors/` (produced by independent
//! implementations: SpikingJelly and an integer TMN reference) must agree with
//! the golden model exactly. The folder missing is a failure, not a skip.

use golden_model::Case;
use serde_json::Value;
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    match std::env::var_os("SNNRTL_VECTORS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

fn files(suffix: &str) -> Vec<PathBuf> {
    let dir = vectors_dir();
    let rd = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "shared vectors folder {} is missing ({e}); it must sit beside the repository (or set SNNRTL_VECTORS)",
            dir.display()
        )
    });
    let mut v: Vec<PathBuf> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    v
}

#[test]
fn every_reference_vector_matches() {
    let cases: Vec<PathBuf> = files(".case.json")
        .into_iter()
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("bad_"))
        .collect();
    assert!(
        cases.len() >= 50,
        "expected the shared vectors, found {}",
        cases.len()
    );
    for path in &cases {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let case = Case::parse(&std::fs::read_to_string(path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: refused: {e}"));
        let expected_path = path
            .to_string_lossy()
            .replace(".case.json", ".expected.json");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        let exp = expected["results"].as_array().unwrap();
        let got = serde_json::to_value(case.run()).unwrap();
        let got = got.as_array().unwrap();
        assert_eq!(got.len(), exp.len(), "{name}: number of results");
        for (i, (g, e)) in got.iter().zip(exp).enumerate() {
            for field in ["spikes", "currents", "state"] {
                assert_eq!(
                    g[field], e[field],
                    "{name}: sample {i}: field {field} differs"
                );
            }
        }
    }
}

#[test]
fn every_bad_vector_is_refused_naming_its_field() {
    let bad = files(".bad.txt");
    assert!(bad.len() >= 4);
    for txt in bad {
        let want = std::fs::read_to_string(&txt).unwrap().trim().to_string();
        let case_path = txt.to_string_lossy().replace(".bad.txt", ".case.json");
        let err = Case::parse(&std::fs::read_to_string(&case_path).unwrap())
            .err()
            .unwrap_or_else(|| panic!("{case_path} was accepted"));
        assert_eq!(err.to_string(), want, "{case_path}");
    }
}
