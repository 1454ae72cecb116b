//! `SEARCH.json`: what `snnrtl search` searches, on what data, for which
//! target, with what budget. Paths are relative to the file's folder. Every
//! error is one line naming the field and the accepted values.
//!
//! ```json
//! {
//!   "format_version": 1,
//!   "dataset": {"flow": "flow.json"},
//!   "target": "ice40-up5k",
//!   "evaluations": 300,
//!   "population": 20,
//!   "fitness": "trained",
//!   "epochs": 150,
//!   "seed": 1,
//!   "validation_fraction": 0.2,
//!   "confirm": 3,
//!   "space": {"hidden_layers": [1, 2], "widths": [8, 16, 24, 32, 40, 48, 56, 64],
//!             "kinds": ["tmn", "if", "lif"], "timesteps": [1, 2, 3, 4, 6, 8],
//!             "weight_bits": [4, 5, 6, 7, 8], "architectures": ["unrolled"]}
//! }
//! ```
//!
//! `dataset` is either `{"flow": FLOW.json}` (its csv, max_value and split;
//! its weights and hardware section are the hand-made reference design) or
//! inline `{"csv": ..., "max_value": ..., "split": ...}`. Everything but
//! `format_version` and `dataset` is optional (defaults above; `space`
//! defaults to the whole [`crate::genome`] space, unrolled).
//!
//! The space is searched through its own genes ([`SearchSpace::space`]):
//! layers, an index into `widths` per layer, and indices into `kinds`,
//! `timesteps` and `weight_bits`. The folded architecture of
//! [`crate::genome`] is refused: there is no folded engine, every design is
//! unrolled (one core per layer, one PE per synapse).

use crate::error::SearchError;
use crate::genome::{Architecture, Candidate, NeuronKind, HIDDEN_LAYERS, TIMESTEPS, WEIGHT_BITS};
use crate::genome::{WIDTHS, WIDTH_STEP};
use crate::nsga2::{GeneRange, Space, POPULATION};
use convert::flow_config::{FlowConfig, MAX_VALUE};
use golden_model::json_path::{self, Obj};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use synth::target::Target;

pub const FORMAT_VERSION: i64 = 1;
/// Accepted `evaluations` (the budget of distinct candidates).
pub const EVALUATIONS: (usize, usize) = (2, 100_000);
pub const EPOCHS: (usize, usize) = (1, 10_000);
/// Accepted `confirm`: front members synthesized with Yosys.
pub const CONFIRM: (usize, usize) = (0, 20);
/// Accepted `validation_fraction` (exclusive bounds).
pub const VALIDATION: (f64, f64) = (0.0, 0.5);

/// What the search minimises besides the hardware cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fitness {
    /// The validation error of the candidate trained, converted and run on
    /// the golden model.
    Trained,
    /// Minus the untrained spike RDM score ([`crate::rdm`]); the final
    /// front is trained to report its accuracy.
    Rdm,
}

/// Where the data is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSpec {
    pub csv: PathBuf,
    pub max_value: u32,
    pub split: PathBuf,
    /// The flow file it came from, if any (the reference design).
    pub flow: Option<PathBuf>,
}

/// The designs searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchSpace {
    /// Fewest and most hidden layers.
    pub hidden_layers: (usize, usize),
    pub widths: Vec<usize>,
    pub kinds: Vec<NeuronKind>,
    pub timesteps: Vec<usize>,
    pub weight_bits: Vec<u32>,
}

impl Default for SearchSpace {
    fn default() -> Self {
        SearchSpace {
            hidden_layers: HIDDEN_LAYERS,
            widths: (1..=WIDTHS.1 / WIDTH_STEP)
                .map(|k| k * WIDTH_STEP)
                .collect(),
            kinds: vec![NeuronKind::Tmn, NeuronKind::If, NeuronKind::Lif],
            timesteps: TIMESTEPS.to_vec(),
            weight_bits: (WEIGHT_BITS.0..=WEIGHT_BITS.1).collect(),
        }
    }
}

/// A search genome's length: layers, two width indices, kind, T, bits.
pub const GENES: usize = 6;

/// Zeroes the second width index of a one-layer genome.
fn canonical(g: &mut [i64]) {
    if g.len() == GENES && g[0] == 1 {
        g[2] = 0;
    }
}

impl SearchSpace {
    /// The NSGA-II space: gene 0 the layer count, 1 and 2 indices into
    /// `widths`, 3 into `kinds`, 4 into `timesteps`, 5 into `weight_bits`.
    pub fn space(&self) -> Space {
        let idx = |n: usize| GeneRange::new(0, n as i64 - 1);
        Space {
            genes: vec![
                GeneRange::new(self.hidden_layers.0 as i64, self.hidden_layers.1 as i64),
                idx(self.widths.len()),
                idx(self.widths.len()),
                idx(self.kinds.len()),
                idx(self.timesteps.len()),
                idx(self.weight_bits.len()),
            ],
            canonical: Some(canonical),
        }
    }

    /// The candidate of a search genome (always unrolled).
    pub fn decode(&self, g: &[i64]) -> Result<Candidate, SearchError> {
        let genes = self.space().genes;
        if g.len() != GENES {
            return Err(SearchError::field(
                "genome",
                format!("{} genes is not {GENES}", g.len()),
            ));
        }
        for (k, (v, r)) in g.iter().zip(&genes).enumerate() {
            if !r.contains(*v) {
                return Err(SearchError::field(
                    format!("genome[{k}]"),
                    format!("{v} is not in {}..={}", r.lo, r.hi),
                ));
            }
        }
        let c = Candidate {
            hidden: (0..g[0] as usize)
                .map(|l| self.widths[g[1 + l] as usize])
                .collect(),
            kind: self.kinds[g[3] as usize],
            timesteps: self.timesteps[g[4] as usize],
            weight_bits: self.weight_bits[g[5] as usize],
            architecture: Architecture::Unrolled,
        };
        c.check()?;
        Ok(c)
    }
}

/// A validated search file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchConfig {
    pub dataset: DataSpec,
    pub target: Target,
    pub evaluations: usize,
    pub population: usize,
    pub fitness: Fitness,
    pub epochs: usize,
    pub seed: u64,
    pub validation_fraction: f64,
    pub confirm: usize,
    pub space: SearchSpace,
}

fn field(path: impl Into<String>, msg: impl Into<String>) -> SearchError {
    SearchError::field(path, msg)
}

/// Checks `v` against an inclusive range, naming `path`.
pub fn check_range(path: &str, v: usize, (lo, hi): (usize, usize)) -> Result<usize, SearchError> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(field(path, format!("{v} is not in {lo}..={hi}")))
    }
}

/// The targets the search costs (those with a measured Fmax).
pub fn parse_target(path: &str, s: &str) -> Result<Target, SearchError> {
    let ok: Vec<&str> = crate::hardware::FMAX_MHZ
        .iter()
        .map(|(t, _)| t.name())
        .collect();
    Target::parse(s)
        .ok()
        .filter(|t| crate::hardware::fmax_mhz(*t).is_some())
        .ok_or_else(|| {
            field(
                path,
                format!(
                    "{s:?} is not accepted: {} (the targets with a measured Fmax)",
                    ok.join(", ")
                ),
            )
        })
}

fn kind_name(k: NeuronKind) -> &'static str {
    match k {
        NeuronKind::Tmn => "tmn",
        NeuronKind::If => "if",
        NeuronKind::Lif => "lif",
    }
}

impl SearchConfig {
    /// The digits example's search without a file: `flow` is its flow file.
    pub fn default_for_flow(flow: &Path) -> Result<SearchConfig, SearchError> {
        let v = serde_json::json!({"format_version": 1, "dataset": {"flow": flow}});
        SearchConfig::from_json(&v, Path::new("."))
    }

    /// Reads and validates a search file.
    pub fn read(path: &Path) -> Result<SearchConfig, SearchError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| field(path.display().to_string(), format!("cannot read: {e}")))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| field(path.display().to_string(), format!("not valid JSON: {e}")))?;
        SearchConfig::from_json(&v, path).map_err(|e| match e {
            SearchError::Field { path: p, message } => {
                field(format!("{}: {p}", path.display()), message)
            }
            other => other,
        })
    }

    /// Validates a search file read as JSON; `path` resolves relative paths.
    pub fn from_json(v: &Value, path: &Path) -> Result<SearchConfig, SearchError> {
        let base = path.parent().unwrap_or(Path::new("."));
        let root = Obj::of(v, "")?;
        const KEYS: [&str; 11] = [
            "format_version",
            "dataset",
            "target",
            "evaluations",
            "population",
            "fitness",
            "epochs",
            "seed",
            "validation_fraction",
            "confirm",
            "space",
        ];
        for k in root.map.keys() {
            if !KEYS.contains(&k.as_str()) {
                return Err(field(
                    k.as_str(),
                    format!("unknown field; accepted: {}", KEYS.join(", ")),
                ));
            }
        }
        let fv = json_path::int(root.req("format_version")?, "format_version")?;
        if fv != FORMAT_VERSION {
            return Err(field(
                "format_version",
                format!("{fv} is not supported (accepted: {FORMAT_VERSION})"),
            ));
        }
        let ds = root.obj("dataset")?;
        let dataset = if let Some(f) = ds.opt("flow") {
            let p = base.join(json_path::string(f, "dataset.flow")?);
            let fc = FlowConfig::read(&p)?;
            DataSpec {
                csv: fc.dataset_csv,
                max_value: fc.max_value,
                split: fc.split,
                flow: Some(p),
            }
        } else {
            DataSpec {
                csv: base.join(ds.str("csv")?),
                max_value: ds.int_in("max_value", MAX_VALUE.0, MAX_VALUE.1)? as u32,
                split: base.join(ds.str("split")?),
                flow: None,
            }
        };
        let target = match root.opt("target") {
            Some(t) => parse_target("target", json_path::string(t, "target")?)?,
            None => Target::Ice40Up5k,
        };
        let usize_or = |key: &str, (lo, hi): (usize, usize), d: usize| {
            root.int_in_or(key, lo as i64, hi as i64, d as i64)
                .map(|x| x as usize)
        };
        let evaluations = usize_or("evaluations", EVALUATIONS, 300)?;
        let population = usize_or("population", POPULATION, 20.min(evaluations))?;
        let fitness = match root.opt("fitness").map(|f| f.as_str()) {
            None | Some(Some("trained")) => Fitness::Trained,
            Some(Some("rdm")) => Fitness::Rdm,
            Some(_) => {
                return Err(field(
                    "fitness",
                    format!(
                        "{} is not accepted: \"trained\" or \"rdm\"",
                        root.opt("fitness").expect("present")
                    ),
                ))
            }
        };
        let epochs = usize_or("epochs", EPOCHS, 150)?;
        let seed = root.int_in_or("seed", 0, i64::MAX, 1)? as u64;
        let validation_fraction = match root.opt("validation_fraction") {
            None => 0.2,
            Some(x) => {
                let f = x
                    .as_f64()
                    .filter(|f| *f > VALIDATION.0 && *f < VALIDATION.1);
                f.ok_or_else(|| {
                    field(
                        "validation_fraction",
                        format!("{x} is not in ({}, {})", VALIDATION.0, VALIDATION.1),
                    )
                })?
            }
        };
        let confirm = usize_or("confirm", CONFIRM, 3)?;
        let space = match root.opt_obj("space")? {
            None => SearchSpace::default(),
            Some(s) => read_space(&s)?,
        };
        let c = SearchConfig {
            dataset,
            target,
            evaluations,
            population,
            fitness,
            epochs,
            seed,
            validation_fraction,
            confirm,
            space,
        };
        c.check()?;
        Ok(c)
    }

    /// The cross-field rules (also after command-line overrides).
    pub fn check(&self) -> Result<(), SearchError> {
        check_range("evaluations", self.evaluations, EVALUATIONS)?;
        check_range("population", self.population, POPULATION)?;
        if self.population > self.evaluations {
            return Err(field(
                "population",
                format!(
                    "{} is not in {}..={} (at most the evaluations budget)",
                    self.population, POPULATION.0, self.evaluations
                ),
            ));
        }
        Ok(())
    }
}

fn read_space(s: &Obj) -> Result<SearchSpace, SearchError> {
    const KEYS: [&str; 6] = [
        "hidden_layers",
        "widths",
        "kinds",
        "timesteps",
        "weight_bits",
        "architectures",
    ];
    for k in s.map.keys() {
        if !KEYS.contains(&k.as_str()) {
            return Err(field(
                s.field_path(k),
                format!("unknown field; accepted: {}", KEYS.join(", ")),
            ));
        }
    }
    let mut sp = SearchSpace::default();
    let (lo, hi) = HIDDEN_LAYERS;
    if let Some(l) = s.int_list_in("hidden_layers", lo as i64, hi as i64)? {
        if l.len() != 2 || l[0] > l[1] {
            return Err(field(
                s.field_path("hidden_layers"),
                format!("expected [fewest, most] with {lo} <= fewest <= most <= {hi}"),
            ));
        }
        sp.hidden_layers = (l[0] as usize, l[1] as usize);
    }
    if let Some(w) = s.int_list_in("widths", WIDTHS.0 as i64, WIDTHS.1 as i64)? {
        for (i, &x) in w.iter().enumerate() {
            if !(x as usize).is_multiple_of(WIDTH_STEP) {
                return Err(field(
                    format!("{}[{i}]", s.field_path("widths")),
                    format!(
                        "{x} is not in {}..={} in steps of {WIDTH_STEP}",
                        WIDTHS.0, WIDTHS.1
                    ),
                ));
            }
        }
        sp.widths = dedup(w.into_iter().map(|x| x as usize).collect());
    }
    if let Some(k) = s.opt("kinds") {
        let p = s.field_path("kinds");
        let a = json_path::array(k, &p)?;
        if a.is_empty() {
            return Err(field(
                &p,
                "an empty search space: needs at least one of \"tmn\", \"if\", \"lif\"",
            ));
        }
        let mut kinds = vec![];
        for (i, x) in a.iter().enumerate() {
            let kind = [NeuronKind::Tmn, NeuronKind::If, NeuronKind::Lif]
                .into_iter()
                .find(|k| x.as_str() == Some(kind_name(*k)))
                .ok_or_else(|| {
                    field(
                        format!("{p}[{i}]"),
                        format!("{x} is not accepted: \"tmn\", \"if\" or \"lif\""),
                    )
                })?;
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        sp.kinds = kinds;
    }
    if let Some(t) = s.int_list_in("timesteps", 1, *TIMESTEPS.last().expect("T") as i64)? {
        for (i, &x) in t.iter().enumerate() {
            if !TIMESTEPS.contains(&(x as usize)) {
                return Err(field(
                    format!("{}[{i}]", s.field_path("timesteps")),
                    format!(
                        "{x} is not one of {}",
                        TIMESTEPS.map(|t| t.to_string()).join(", ")
                    ),
                ));
            }
        }
        sp.timesteps = dedup(t.into_iter().map(|x| x as usize).collect());
    }
    let (lo, hi) = WEIGHT_BITS;
    if let Some(b) = s.int_list_in("weight_bits", i64::from(lo), i64::from(hi))? {
        let mut b: Vec<u32> = b.into_iter().map(|x| x as u32).collect();
        b.sort_unstable();
        b.dedup();
        sp.weight_bits = b;
    }
    if let Some(a) = s.opt("architectures") {
        let p = s.field_path("architectures");
        let a = json_path::array(a, &p)?;
        if a.is_empty() {
            return Err(field(&p, "an empty search space: accepted: [\"unrolled\"]"));
        }
        for (i, x) in a.iter().enumerate() {
            if x.as_str() != Some("unrolled") {
                return Err(field(
                    format!("{p}[{i}]"),
                    format!(
                        "{x} is not accepted: \"unrolled\" (no folded engine exists; every design is unrolled)"
                    ),
                ));
            }
        }
    }
    Ok(sp)
}

fn dedup(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inline(extra: Value) -> Result<SearchConfig, SearchError> {
        let mut v = json!({"format_version": 1,
            "dataset": {"csv": "d.csv", "max_value": 16, "split": "s.json"}});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        SearchConfig::from_json(&v, Path::new("dir/search.json"))
    }

    #[test]
    fn defaults() {
        let c = inline(json!({})).unwrap();
        assert_eq!(c.dataset.csv, Path::new("dir/d.csv"));
        assert_eq!((c.evaluations, c.population), (300, 20));
        assert_eq!(c.fitness, Fitness::Trained);
        assert_eq!(c.target, Target::Ice40Up5k);
        let c = inline(json!({"evaluations": 5})).unwrap();
        assert_eq!(c.population, 5);
    }

    #[test]
    fn bad_input_names_the_field_and_range() {
        let msg = |v: Value| inline(v).unwrap_err().to_string();
        assert_eq!(
            msg(json!({"evaluations": 0})),
            "evaluations: 0 is not in 2..=100000"
        );
        assert_eq!(
            msg(json!({"space": {"kinds": []}})),
            "space.kinds: an empty search space: needs at least one of \"tmn\", \"if\", \"lif\""
        );
        assert_eq!(
            msg(json!({"space": {"kinds": ["tmn", "psn"]}})),
            "space.kinds[1]: \"psn\" is not accepted: \"tmn\", \"if\" or \"lif\""
        );
        assert_eq!(
            msg(json!({"space": {"timesteps": []}})),
            "space.timesteps: needs at least one integer in 1..=8"
        );
        assert!(msg(json!({"space": {"architectures": ["folded"]}}))
            .starts_with("space.architectures[0]: \"folded\" is not accepted"));
        assert!(msg(json!({"target": "xilinx-7"})).starts_with("target: \"xilinx-7\""));
        assert!(msg(json!({"fitness": "magic"})).starts_with("fitness: \"magic\""));
        assert!(msg(json!({"evaluatons": 3})).starts_with("evaluatons: unknown field"));
    }

    #[test]
    fn genomes_decode_into_the_configured_space() {
        let c = inline(json!({"space": {"widths": [16, 32], "kinds": ["lif"],
            "timesteps": [2, 4], "weight_bits": [6]}}))
        .unwrap();
        let s = &c.space;
        let g = s.space().genes;
        assert_eq!(g[1], GeneRange::new(0, 1));
        assert_eq!(g[5], GeneRange::new(0, 0));
        let cand = s.decode(&[2, 1, 0, 0, 1, 0]).unwrap();
        assert_eq!(cand.describe(64, 10), "64-32-16-10 lif T=4 w6 unrolled");
        let mut one = vec![1, 1, 1, 0, 0, 0];
        canonical(&mut one);
        assert_eq!(one, vec![1, 1, 0, 0, 0, 0]);
    }
}
