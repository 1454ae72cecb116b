//! Every reference vector in `testdata/vectors/` (produced by independent
//! implementations: SpikingJelly, an integer TMN reference, and an
//! exact-integer LIF/ELM reference in `elm-lif/`) must agree with the golden
//! model exactly. The folder missing is a failure, not a skip.

use golden_model::{vectors, Case};
use serde_json::Value;
use std::path::PathBuf;

#[test]
fn every_reference_vector_matches() {
    let cases: Vec<PathBuf> = vectors::files(".case.json")
        .into_iter()
        .filter(|p| !vectors::name(p).starts_with("bad_"))
        .collect();
    assert!(
        cases.len() >= 73,
        "expected the reference vectors (56 + 9 lif/reset + 8 elm), found {}",
        cases.len()
    );
    for kind in ["\"lif\"", "\"reset\": \"zero\"", "\"elm\""] {
        assert!(
            cases
                .iter()
                .any(|p| std::fs::read_to_string(p).unwrap().contains(kind)),
            "no reference vector uses {kind}"
        );
    }
    for path in &cases {
        let name = vectors::name(path);
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
            // Every list field of the expected result is compared.
            let fields: Vec<&String> = e
                .as_object()
                .unwrap()
                .iter()
                .filter(|(_, v)| v.is_array())
                .map(|(k, _)| k)
                .collect();
            assert!(fields.len() >= 3, "{name}: expected result has {fields:?}");
            for field in fields {
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
    let bad: Vec<PathBuf> = vectors::files(".bad.txt");
    assert!(bad.len() >= 11);
    for txt in bad {
        let want = std::fs::read_to_string(&txt).unwrap().trim().to_string();
        let case_path = txt.to_string_lossy().replace(".bad.txt", ".case.json");
        let err = Case::parse(&std::fs::read_to_string(&case_path).unwrap())
            .err()
            .unwrap_or_else(|| panic!("{case_path} was accepted"))
            .to_string();
        let in_sub = txt.parent() != Some(vectors::dir().as_path());
        if in_sub {
            // elm-lif/'s .bad.txt says what is wrong in its own words: the
            // error must name the same field, on one line.
            let field = |s: &str| s.split(": ").next().unwrap().to_string();
            assert_eq!(field(&err), field(&want), "{case_path}: {err}");
            assert!(!err.contains('\n'), "{case_path}: {err}");
        } else {
            assert_eq!(err, want, "{case_path}");
        }
    }
}
