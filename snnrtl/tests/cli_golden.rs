//! `snnrtl golden` as users call it: every shared vector through the binary,
//! bad cases refused with one line, a non-zero exit and no output.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn vector_files(suffix: &str) -> Vec<PathBuf> {
    golden_model::vectors::files(suffix)
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn golden_binary_agrees_with_every_shared_vector() {
    let out_dir = tmp_dir("golden");
    let cases: Vec<PathBuf> = vector_files(".case.json")
        .into_iter()
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with("bad_"))
        .collect();
    assert!(cases.len() >= 73);
    for (i, case) in cases.iter().enumerate() {
        // Alternate stdout and -o so both paths are covered on real vectors.
        let (stdout, via_file) = if i % 2 == 0 {
            let o = snnrtl().arg("golden").arg(case).output().unwrap();
            assert!(
                o.status.success(),
                "{}: {}",
                case.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            (String::from_utf8(o.stdout).unwrap(), false)
        } else {
            let path = out_dir.join("r.json");
            let o = snnrtl()
                .arg("golden")
                .arg(case)
                .arg("-o")
                .arg(&path)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", case.display());
            assert!(o.stdout.is_empty());
            (std::fs::read_to_string(&path).unwrap(), true)
        };
        let got: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(got["format_version"], 1);
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(
                case.to_string_lossy()
                    .replace(".case.json", ".expected.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let (g, e) = (
            got["results"].as_array().unwrap(),
            exp["results"].as_array().unwrap(),
        );
        assert_eq!(g.len(), e.len());
        for (s, (gr, er)) in g.iter().zip(e).enumerate() {
            let listed = er.as_object().unwrap().iter().filter(|(_, v)| v.is_array());
            for (f, _) in listed {
                assert_eq!(
                    gr[f],
                    er[f],
                    "{} sample {s} field {f} (via file: {via_file})",
                    case.display()
                );
            }
            assert_eq!(gr["flags"]["overflow"], false);
            assert_eq!(gr["flags"]["illegal_spike"], false);
        }
    }
}

#[test]
fn bad_cases_give_one_line_nonzero_exit_and_no_output() {
    let out_dir = tmp_dir("bad");
    for txt in vector_files(".bad.txt") {
        let want = std::fs::read_to_string(&txt).unwrap().trim().to_string();
        let case = PathBuf::from(txt.to_string_lossy().replace(".bad.txt", ".case.json"));
        let out_file = out_dir.join("never.json");
        let o = snnrtl()
            .arg("golden")
            .arg(&case)
            .arg("-o")
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{} accepted", case.display());
        let stderr = String::from_utf8(o.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        if txt.parent() == Some(golden_model::vectors::dir().as_path()) {
            assert_eq!(
                stderr.trim_end(),
                format!("error: {}: {want}", case.display())
            );
        } else {
            // elm-lif/'s .bad.txt words the fault its own way: the line must
            // name the same field.
            let field = want.split(": ").next().unwrap();
            assert!(
                stderr.starts_with(&format!("error: {}: {field}: ", case.display())),
                "{stderr}"
            );
        }
        assert!(o.stdout.is_empty());
        assert!(
            !out_file.exists(),
            "partial output written for {}",
            case.display()
        );
        assert_eq!(
            std::fs::read_dir(&out_dir).unwrap().count(),
            0,
            "temporary file left behind"
        );
    }
}

#[test]
fn missing_and_malformed_files_are_one_line_errors() {
    let dir = tmp_dir("malformed");
    let o = snnrtl()
        .args(["golden", "/nonexistent/case.json"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(
        e.starts_with("error: /nonexistent/case.json: cannot read"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1);

    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"format_version\": 1,").unwrap();
    let o = snnrtl().arg("golden").arg(&bad).output().unwrap();
    assert!(!o.status.success());
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(e.contains("case: not valid JSON"), "{e}");
    assert_eq!(e.lines().count(), 1);
}

#[test]
fn encode_writes_csv_and_table() {
    let dir = tmp_dir("encode");
    let csv = dir.join("e.csv");
    let o = snnrtl()
        .args(["encode", "--timesteps", "1..4", "--values", "513", "--csv"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "header + T = 1..4");
    assert!(lines[0].starts_with("timesteps,vth,values,tmn_max_abs_err"));
    assert!(lines[4].starts_with("4,1048576,513,"));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.contains("vth*2^-(T+1)"));
}

#[test]
fn encode_refuses_bad_vth_without_writing() {
    let dir = tmp_dir("encode-bad");
    let csv = dir.join("e.csv");
    let o = snnrtl()
        .args(["encode", "--vth", "12", "--csv"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert_eq!(
        String::from_utf8(o.stderr).unwrap().trim_end(),
        "error: --vth: 12 is not a power of two in 2^1..=2^30 (TMN needs vth = 2^q)"
    );
    assert!(!Path::new(&csv).exists());
}
