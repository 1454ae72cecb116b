//! `snnrtl search` as users call it, on a tiny budget of the digits example
//! (small widths, few epochs, no Yosys): the outputs and the chosen flow
//! that `snnrtl flow` reads, resuming from the checkpoint, the cluster path
//! (export, one job evaluated by index, collect) and bad input rejected
//! with one line and nothing written.

use convert::flow_config::FlowConfig;
use convert::mlp::Mlp;
use convert::tensors::TensorSource;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn snnrtl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_snnrtl"))
}

fn digits() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/digits")
        .canonicalize()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("snnrtl-cli-search-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A tiny search of the digits flow, edited by `edit`.
fn search_file(dir: &Path, edit: impl Fn(&mut Value)) -> PathBuf {
    let mut v = json!({
        "format_version": 1,
        "dataset": {"flow": digits().join("flow.json")},
        "target": "ice40-up5k",
        "evaluations": 6,
        "population": 3,
        "epochs": 4,
        "seed": 7,
        "confirm": 0,
        "space": {"hidden_layers": [1, 1], "widths": [8, 16, 24],
                  "kinds": ["tmn", "if"], "timesteps": [1, 2], "weight_bits": [6, 8]}
    });
    edit(&mut v);
    let p = dir.join("search.json");
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
    p
}

fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let mut c = snnrtl();
    c.arg("search");
    for a in args {
        c.arg(a);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn lines(p: &Path) -> usize {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[test]
fn a_tiny_search_writes_the_front_and_a_flow_that_loads_and_resumes() {
    let d = tmp("tiny");
    let s = search_file(&d, |_| {});
    let out = d.join("out");
    run(&[&s, &"-o", &out, &"--jobs", &"2"]);
    let ck = out.join("evaluations.jsonl");
    assert_eq!(lines(&ck), 6);
    let p: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pareto.json")).unwrap()).unwrap();
    assert_eq!(p["format_version"], 2);
    let designs = p["designs"].as_array().unwrap();
    assert!(!designs.is_empty());
    for d in designs {
        for k in ["accuracy", "logic_cells", "us_per_image", "fits", "target"] {
            assert!(!d[k].is_null(), "{k} in {d}");
        }
        assert!(d["candidate"]["hidden"].is_array());
        assert_eq!(d["target"], "ice40-up5k");
        // The final training: all 1257 training rows of digits' split, not
        // the search's 80%.
        assert_eq!(d["training_rows"], 1257, "{d}");
    }
    assert_eq!(designs.iter().filter(|d| d["chosen"] == true).count(), 1);
    // The choice is by validation accuracy among the designs that fit (or
    // all, when none fits), never by the test rows.
    let fitting: Vec<&Value> = designs.iter().filter(|d| d["fits"] == true).collect();
    let pool = if fitting.is_empty() {
        designs.iter().collect()
    } else {
        fitting
    };
    let best = pool
        .iter()
        .map(|d| d["validation_accuracy"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    let chosen = designs.iter().find(|d| d["chosen"] == true).unwrap();
    assert_eq!(chosen["validation_accuracy"].as_f64().unwrap(), best);
    // The hand-made 64-32-10 tmn T=4 w8 is the reference.
    assert!(p["reference"]["name"]
        .as_str()
        .unwrap()
        .starts_with("64-32-10 tmn T=4 w8"));
    let csv = std::fs::read_to_string(out.join("pareto.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + designs.len() + 1);
    let svg = std::fs::read_to_string(out.join("pareto.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("hand-made"));

    // The chosen design's flow loads, with its weights.
    let fc = FlowConfig::read(&out.join("design/flow.json")).unwrap();
    let mlp = Mlp::load(&TensorSource::open(&fc.weights).unwrap(), &fc.layers).unwrap();
    let chosen = designs.iter().find(|d| d["chosen"] == true).unwrap();
    let hidden = chosen["candidate"]["hidden"][0].as_u64().unwrap() as usize;
    assert_eq!(mlp.layers.len(), 2);
    assert_eq!(mlp.layers[0].outputs(), hidden);
    assert_eq!(fc.hw_timesteps as u64, chosen["candidate"]["timesteps"]);
    assert_eq!(fc.weight_bits as u64, chosen["candidate"]["weight_bits"]);

    // Same DIR and seed: every evaluation is reused, nothing appended.
    let o = run(&[&s, &"-o", &out]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("6 evaluations (6 reused"), "{err}");
    assert_eq!(lines(&ck), 6);
    let again: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pareto.json")).unwrap()).unwrap();
    assert_eq!(again["designs"], p["designs"]);
    let _ = std::fs::remove_dir_all(&d);
}

/// A folded-only search: every front design is folded with a P of the list
/// and at most its widest hidden layer, the rows say so, and the chosen
/// design's flow asks for the folded engine at its P.
#[test]
fn a_folded_search_writes_folded_designs_and_a_folded_flow() {
    let d = tmp("folded");
    let s = search_file(&d, |v| {
        v["space"]["architectures"] = json!(["folded"]);
        v["space"]["parallelism"] = json!([2, 16]);
        v["space"]["widths"] = json!([8, 16]);
    });
    let out = d.join("out");
    run(&[&s, &"-o", &out]);
    let p: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pareto.json")).unwrap()).unwrap();
    let designs = p["designs"].as_array().unwrap();
    assert!(!designs.is_empty());
    for d in designs {
        assert_eq!(d["architecture"], "folded", "{d}");
        let pp = d["parallelism"].as_u64().unwrap();
        let hidden = d["candidate"]["hidden"][0].as_u64().unwrap();
        assert!(pp == 2 || pp == 16, "{d}");
        assert!(pp <= hidden, "P {pp} above the hidden width {hidden}");
        assert_eq!(d["candidate"]["architecture"]["parallelism"], pp);
        assert!(d["name"]
            .as_str()
            .unwrap()
            .ends_with(&format!("folded P={pp}")));
        // Folded: a few thousand cells at most, so it fits the UP5K.
        assert!(
            d["logic_cells"].as_u64().unwrap() < 5280 && d["fits"] == true,
            "{d}"
        );
        assert!(d["cost"]["cycles_per_image_max"].as_u64().unwrap() > 0);
    }
    let csv = std::fs::read_to_string(out.join("pareto.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let (ai, pi) = (
        header.iter().position(|h| *h == "architecture").unwrap(),
        header.iter().position(|h| *h == "parallelism").unwrap(),
    );
    for (line, d) in csv.lines().skip(1).zip(designs) {
        // The name is quoted and holds no comma.
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[ai], "folded");
        assert_eq!(f[pi], d["parallelism"].to_string());
    }
    let chosen = designs.iter().find(|d| d["chosen"] == true).unwrap();
    let flow: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("design/flow.json")).unwrap())
            .unwrap();
    assert_eq!(flow["hardware"]["architecture"], "folded");
    assert_eq!(flow["hardware"]["parallelism"], chosen["parallelism"]);
    let fc = FlowConfig::read(&out.join("design/flow.json")).unwrap();
    assert_eq!(fc.architecture, convert::flow_config::Architecture::Folded);
    assert_eq!(
        fc.parallelism.map(|x| x as u64),
        chosen["parallelism"].as_u64()
    );
    assert_eq!(fc.parallelism_sweep, vec![fc.parallelism.unwrap()]);
    let _ = std::fs::remove_dir_all(&d);
}

/// The training-free fitness: the search ranks on the spike RDM score,
/// and the front is still trained and reported with its test accuracy.
#[test]
fn the_rdm_fitness_searches_untrained_and_reports_the_front_trained() {
    let d = tmp("rdm");
    let s = search_file(&d, |v| v["fitness"] = json!("rdm"));
    let out = d.join("out");
    run(&[&s, &"-o", &out]);
    let p: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pareto.json")).unwrap()).unwrap();
    assert_eq!(p["fitness"], "rdm");
    for d in p["designs"].as_array().unwrap() {
        assert!(d["accuracy"].as_f64().unwrap() > 0.0);
        assert!(d["validation_accuracy"].is_null());
    }
    let first = std::fs::read_to_string(out.join("evaluations.jsonl")).unwrap();
    let r: Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert!(r["validation_error"].is_null());
    assert!(r["context"].as_str().unwrap().contains("fitness=Rdm"));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn export_evaluate_one_job_and_collect() {
    let d = tmp("jobs");
    let s = search_file(&d, |_| {});
    let (out, jobs) = (d.join("out"), d.join("jobs"));
    run(&[&s, &"-o", &out, &"--export-jobs", &jobs]);
    // The first population: 3 jobs, nothing evaluated yet.
    assert_eq!(lines(&jobs.join("jobs.jsonl")), 3);
    assert!(!out.join("pareto.json").exists());
    let sbatch = std::fs::read_to_string(jobs.join("submit.sbatch")).unwrap();
    assert!(sbatch.contains("#SBATCH --array=0-2"), "{sbatch}");
    assert!(sbatch.contains("--evaluate-job") && sbatch.contains("$SLURM_ARRAY_TASK_ID"));
    let par = std::fs::read_to_string(jobs.join("parallel.sh")).unwrap();
    assert!(par.contains("seq 0 2 | parallel"), "{par}");

    // One job by index, as an array task would.
    let jl = jobs.join("jobs.jsonl");
    let results = jobs.join("results");
    run(&[&"--evaluate-job", &jl, &"--index", &"1", &"--out", &results]);
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(results.join("1.json")).unwrap()).unwrap();
    let job1: Value = serde_json::from_str(
        std::fs::read_to_string(&jl)
            .unwrap()
            .lines()
            .nth(1)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(r["candidate"], job1["candidate"]);

    // Collect, and export again: the collected job is not exported twice.
    let o = run(&[
        &s,
        &"-o",
        &out,
        &"--collect",
        &jobs,
        &"--export-jobs",
        &jobs,
    ]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("collected 1 results"), "{err}");
    assert_eq!(lines(&out.join("evaluations.jsonl")), 1);
    assert_eq!(lines(&jobs.join("jobs.jsonl")), 2);

    // Collect nothing new and finish here: the result file of job 1 is
    // stale now (the list changed), and the checkpoint already has it.
    run(&[&s, &"-o", &out, &"--collect", &jobs]);
    assert_eq!(lines(&out.join("evaluations.jsonl")), 6);
    assert!(out.join("pareto.json").exists());
    let _ = std::fs::remove_dir_all(&d);
}

fn fails_with(args: &[&dyn AsRef<std::ffi::OsStr>], out: &Path, want: &str) {
    let mut c = snnrtl();
    c.arg("search");
    for a in args {
        c.arg(a);
    }
    let o = c.arg("-o").arg(out).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.trim_end().ends_with(want), "{err}");
    assert!(!out.exists(), "nothing is written on bad input");
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let d = tmp("bad");
    let out = d.join("out");
    let s = search_file(&d, |_| {});
    fails_with(
        &[&s, &"--evaluations", &"0"],
        &out,
        "--evaluations: 0 is not in 2..=100000",
    );
    let s = search_file(&d, |v| v["evaluations"] = json!(0));
    fails_with(&[&s], &out, "evaluations: 0 is not in 2..=100000");
    let s = search_file(&d, |v| v["space"]["kinds"] = json!([]));
    fails_with(
        &[&s],
        &out,
        "space.kinds: an empty search space: needs at least one of \"tmn\", \"if\", \"lif\"",
    );
    let s = search_file(&d, |v| v["space"]["kinds"] = json!(["tmn", "elm"]));
    fails_with(
        &[&s],
        &out,
        "space.kinds[1]: \"elm\" is not accepted: \"tmn\", \"if\" or \"lif\"",
    );
    let s = search_file(&d, |v| v["space"]["widths"] = json!([]));
    fails_with(
        &[&s],
        &out,
        "space.widths: needs at least one integer in 8..=128",
    );
    let s = search_file(&d, |v| v["space"]["parallelism"] = json!([4, 5]));
    fails_with(
        &[&s],
        &out,
        "space.parallelism[1]: 5 is not one of 1, 2, 4, 8, 16",
    );
    let s = search_file(&d, |v| {
        v["space"]["architectures"] = json!(["folded", "tiled"])
    });
    fails_with(
        &[&s],
        &out,
        "space.architectures[1]: \"tiled\" is not accepted: \"unrolled\" or \"folded\"",
    );
    let s = search_file(&d, |v| v["folds"] = json!(11));
    fails_with(&[&s], &out, "folds: 11 is not in 1..=10");
    let s = search_file(&d, |v| {
        v["folds"] = json!(5);
        v["validation_fraction"] = json!(0.2);
    });
    fails_with(
        &[&s],
        &out,
        "validation_fraction: is not used with folds 5 (each fold is held out in turn); give one of them",
    );
    let _ = std::fs::remove_dir_all(&d);
}
