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
//!   "folds": 5,
//!   "confirm": 3,
//!   "space": {"hidden_layers": [1, 2], "widths": [8, 16, 24, 32, 40, 48, 56, 64],
//!             "kinds": ["tmn", "if", "lif"], "timesteps": [1, 2, 3, 4, 6, 8],
//!             "weight_bits": [4, 5, 6, 7, 8], "architectures": ["unrolled", "folded"],
//!             "parallelism": [1, 2, 4, 8, 16]}
//! }
//! ```
//!
//! Selection: with `"folds": 1` (the default) each candidate is trained on
//! the training rows less a `validation_fraction` (default 0.2) held out
//! per class, and its validation error is measured on those. With `"folds":
//! k` (2..=10) the training rows are cut into k stratified folds and each
//! candidate is trained k times, each fold held out once; its validation
//! error is the fraction of all training rows misclassified when held out
//! (k-fold cross-validation, k times the training, a far steadier ranking;
//! `validation_fraction` is then not used and giving both is refused).
//!
//! `dataset` is either `{"flow": FLOW.json}` (its csv, max_value and split;
//! its weights and hardware section are the hand-made reference design) or
//! inline `{"csv": ..., "max_value": ..., "split": ...}`. Everything but
//! `format_version` and `dataset` is optional (defaults above; `space`
//! defaults to the whole [`crate::genome`] space, both architectures on a
//! target with a folded Fmax ([`crate::hardware::FOLDED_FMAX_MHZ`]), else
//! unrolled only).
//!
//! The space is searched through its own genes ([`SearchSpace::space`]):
//! layers, an index into `widths` per layer, indices into `kinds`,
//! `timesteps` and `weight_bits`, an index into `architectures` and one into
//! `parallelism` (the folded engine's P, used only by folded candidates).
//!
//! - `architectures`: `"unrolled"` (one core per layer, one PE per synapse)
//!   and/or `"folded"` (`snn_folded`, docs/folded.md). `"folded"` is refused
//!   on a target without a folded Fmax (today every target the search takes
//!   has one).
//! - `parallelism`: a subset of 1, 2, 4, 8, 16. A candidate's P is at most
//!   its widest hidden layer: a larger P is mapped to the largest listed P
//!   not above it (see [`crate::genome::fit_parallelism`]). So that every
//!   candidate has a P, the smallest listed P must not exceed the smallest
//!   width; a list that breaks this is refused.

use crate::error::SearchError;
use crate::genome::{fit_parallelism, Architecture, Candidate, NeuronKind, Style};
use crate::genome::{HIDDEN_LAYERS, PARALLELISM, TIMESTEPS, WEIGHT_BITS, WIDTHS, WIDTH_STEP};
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
/// Accepted `folds` (1: one held-out part, `validation_fraction`).
pub const FOLDS: (usize, usize) = (1, 10);

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
    /// Unrolled first (older search files have no such field: unrolled).
    #[serde(default = "unrolled_only")]
    pub architectures: Vec<Style>,
    /// The folded P, ascending.
    #[serde(default = "all_parallelism")]
    pub parallelism: Vec<usize>,
}

fn unrolled_only() -> Vec<Style> {
    vec![Style::Unrolled]
}

fn all_parallelism() -> Vec<usize> {
    PARALLELISM.to_vec()
}

impl Default for SearchSpace {
    /// The whole genome space, both architectures.
    fn default() -> Self {
        SearchSpace {
            architectures: vec![Style::Unrolled, Style::Folded],
            parallelism: all_parallelism(),
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

/// A search genome's length: layers, two width indices, kind, T, bits,
/// architecture, parallelism.
pub const GENES: usize = 8;

impl SearchSpace {
    fn folded(&self) -> bool {
        self.architectures.contains(&Style::Folded)
    }

    /// The gene ranges: gene 0 the layer count, 1 and 2 indices into
    /// `widths`, 3 into `kinds`, 4 into `timesteps`, 5 into `weight_bits`,
    /// 6 into `architectures`, 7 into `parallelism` (0..=0 without folded).
    pub fn genes(&self) -> Vec<GeneRange> {
        let idx = |n: usize| GeneRange::new(0, n.max(1) as i64 - 1);
        vec![
            GeneRange::new(self.hidden_layers.0 as i64, self.hidden_layers.1 as i64),
            idx(self.widths.len()),
            idx(self.widths.len()),
            idx(self.kinds.len()),
            idx(self.timesteps.len()),
            idx(self.weight_bits.len()),
            idx(self.architectures.len()),
            idx(if self.folded() {
                self.parallelism.len()
            } else {
                1
            }),
        ]
    }

    /// Zeroes the genes a genome does not use (the second width index with
    /// one hidden layer, the P index when unrolled) and maps a P above the
    /// widest hidden layer to the largest listed P not above it. Genomes
    /// of the wrong length or out of range are left alone.
    pub fn canonicalise(&self, g: &mut [i64]) {
        let genes = self.genes();
        if g.len() != GENES || genes.iter().zip(g.iter()).any(|(r, v)| !r.contains(*v)) {
            return;
        }
        if g[0] == 1 {
            g[2] = 0;
        }
        if self.architectures[g[6] as usize] == Style::Folded {
            let widest = (0..g[0] as usize)
                .map(|l| self.widths[g[1 + l] as usize])
                .max()
                .unwrap_or(0);
            g[7] = fit_parallelism(g[7] as usize, widest, &self.parallelism) as i64;
        } else {
            g[7] = 0;
        }
    }

    /// The NSGA-II space: [`SearchSpace::genes`] with
    /// [`SearchSpace::canonicalise`].
    pub fn space(&self) -> Space {
        let me = self.clone();
        Space {
            genes: self.genes(),
            canonical: Some(std::sync::Arc::new(move |g: &mut [i64]| me.canonicalise(g))),
        }
    }

    /// The candidate of a search genome (canonicalised first, so every
    /// genome of one candidate decodes to it).
    pub fn decode(&self, g: &[i64]) -> Result<Candidate, SearchError> {
        let genes = self.genes();
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
        let mut g = g.to_vec();
        self.canonicalise(&mut g);
        let c = Candidate {
            hidden: (0..g[0] as usize)
                .map(|l| self.widths[g[1 + l] as usize])
                .collect(),
            kind: self.kinds[g[3] as usize],
            timesteps: self.timesteps[g[4] as usize],
            weight_bits: self.weight_bits[g[5] as usize],
            architecture: match self.architectures[g[6] as usize] {
                Style::Unrolled => Architecture::Unrolled,
                Style::Folded => Architecture::Folded {
                    parallelism: self.parallelism[g[7] as usize],
                },
            },
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
    /// Cross-validation folds; 1 holds out `validation_fraction` once.
    #[serde(default = "one_fold")]
    pub folds: usize,
    pub confirm: usize,
    pub space: SearchSpace,
}

fn one_fold() -> usize {
    1
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
        const KEYS: [&str; 12] = [
            "format_version",
            "dataset",
            "target",
            "evaluations",
            "population",
            "fitness",
            "epochs",
            "seed",
            "validation_fraction",
            "folds",
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
        let folds = usize_or("folds", FOLDS, 1)?;
        if folds > 1 && root.opt("validation_fraction").is_some() {
            return Err(field(
                "validation_fraction",
                format!("is not used with folds {folds} (each fold is held out in turn); give one of them"),
            ));
        }
        let confirm = usize_or("confirm", CONFIRM, 3)?;
        let space = match root.opt_obj("space")? {
            None => default_space(target),
            Some(s) => read_space(&s, target)?,
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
            folds,
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

/// The whole genome space; unrolled only on a target without a folded Fmax.
fn default_space(target: Target) -> SearchSpace {
    let mut sp = SearchSpace::default();
    if crate::hardware::folded_fmax_mhz(target).is_none() {
        sp.architectures = unrolled_only();
    }
    sp
}

fn read_space(s: &Obj, target: Target) -> Result<SearchSpace, SearchError> {
    const KEYS: [&str; 7] = [
        "hidden_layers",
        "widths",
        "kinds",
        "timesteps",
        "weight_bits",
        "architectures",
        "parallelism",
    ];
    for k in s.map.keys() {
        if !KEYS.contains(&k.as_str()) {
            return Err(field(
                s.field_path(k),
                format!("unknown field; accepted: {}", KEYS.join(", ")),
            ));
        }
    }
    let mut sp = default_space(target);
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
            return Err(field(
                &p,
                "an empty search space: needs at least one of \"unrolled\", \"folded\"",
            ));
        }
        let mut styles = vec![];
        for (i, x) in a.iter().enumerate() {
            let style = [Style::Unrolled, Style::Folded]
                .into_iter()
                .find(|k| x.as_str() == Some(k.name()))
                .ok_or_else(|| {
                    field(
                        format!("{p}[{i}]"),
                        format!("{x} is not accepted: \"unrolled\" or \"folded\""),
                    )
                })?;
            if style == Style::Folded && crate::hardware::folded_fmax_mhz(target).is_none() {
                let ok: Vec<&str> = crate::hardware::FOLDED_FMAX_MHZ
                    .iter()
                    .map(|(t, _)| t.name())
                    .collect();
                return Err(field(
                    format!("{p}[{i}]"),
                    format!(
                        "\"folded\" is not accepted on {}: no measured folded Fmax (folded targets: {})",
                        target.name(),
                        ok.join(", ")
                    ),
                ));
            }
            styles.push(style);
        }
        styles.sort_unstable();
        styles.dedup();
        sp.architectures = styles;
    }
    let last = *PARALLELISM.last().expect("P") as i64;
    if let Some(v) = s.int_list_in("parallelism", 1, last)? {
        let p = s.field_path("parallelism");
        for (i, &x) in v.iter().enumerate() {
            if !PARALLELISM.contains(&(x as usize)) {
                return Err(field(
                    format!("{p}[{i}]"),
                    format!(
                        "{x} is not one of {}",
                        PARALLELISM.map(|t| t.to_string()).join(", ")
                    ),
                ));
            }
        }
        sp.parallelism = dedup(v.into_iter().map(|x| x as usize).collect());
    }
    if sp.architectures.contains(&Style::Folded) {
        let (pmin, wmin) = (sp.parallelism[0], sp.widths[0]);
        if pmin > wmin {
            return Err(field(
                s.field_path("parallelism"),
                format!(
                    "the smallest P {pmin} is above the narrowest width {wmin}: a folded candidate's P is at most its widest hidden layer; list a P <= {wmin}"
                ),
            ));
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
        assert_eq!(
            msg(json!({"space": {"architectures": ["unrolled", "systolic"]}})),
            "space.architectures[1]: \"systolic\" is not accepted: \"unrolled\" or \"folded\""
        );
        assert_eq!(
            msg(json!({"space": {"architectures": []}})),
            "space.architectures: an empty search space: needs at least one of \"unrolled\", \"folded\""
        );
        assert_eq!(
            msg(json!({"space": {"parallelism": [2, 3]}})),
            "space.parallelism[1]: 3 is not one of 1, 2, 4, 8, 16"
        );
        assert_eq!(
            msg(json!({"space": {"parallelism": [32]}})),
            "space.parallelism[0]: 32 is not in 1..=16"
        );
        assert_eq!(
            msg(json!({"space": {"parallelism": []}})),
            "space.parallelism: needs at least one integer in 1..=16"
        );
        assert_eq!(
            msg(json!({"space": {"widths": [8, 32], "parallelism": [16]}})),
            "space.parallelism: the smallest P 16 is above the narrowest width 8: a folded candidate's P is at most its widest hidden layer; list a P <= 8"
        );
        // Without folded, P is not used and not checked against the widths.
        assert!(inline(json!({"space": {"widths": [8], "parallelism": [16],
            "architectures": ["unrolled"]}}))
        .is_ok());
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
        let cand = s.decode(&[2, 1, 0, 0, 1, 0, 0, 0]).unwrap();
        assert_eq!(cand.describe(64, 10), "64-32-16-10 lif T=4 w6 unrolled");
        // The default: both architectures on the UP5K, P 1..16; the
        // architecture and P genes are fixed without "folded".
        assert_eq!(s.architectures, vec![Style::Unrolled, Style::Folded]);
        assert_eq!(g[6], GeneRange::new(0, 1));
        assert_eq!(g[7], GeneRange::new(0, 4));
        let mut one = vec![1, 1, 1, 0, 0, 0, 0, 3];
        s.canonicalise(&mut one);
        assert_eq!(one, vec![1, 1, 0, 0, 0, 0, 0, 0]);
        let u = inline(json!({"space": {"architectures": ["unrolled"]}})).unwrap();
        assert_eq!(u.space.genes()[6], GeneRange::new(0, 0));
        assert_eq!(u.space.genes()[7], GeneRange::new(0, 0));
        // Every target the search accepts has a folded Fmax: both by default.
        let hx = inline(json!({"target": "ice40-hx8k"})).unwrap();
        assert_eq!(hx.space.architectures, vec![Style::Unrolled, Style::Folded]);
        for (t, _) in crate::hardware::FMAX_MHZ {
            assert!(
                crate::hardware::folded_fmax_mhz(t).is_some(),
                "{}",
                t.name()
            );
        }
    }

    #[test]
    fn folded_genomes_decode_with_their_p_fitted_to_the_widest_hidden_layer() {
        let c = inline(json!({"space": {"widths": [8, 16, 32], "kinds": ["tmn"],
            "timesteps": [4], "weight_bits": [8], "architectures": ["folded", "unrolled"],
            "parallelism": [16, 4, 4, 1]}}))
        .unwrap();
        let s = &c.space;
        // Sorted and deduplicated: unrolled first, P ascending.
        assert_eq!(s.architectures, vec![Style::Unrolled, Style::Folded]);
        assert_eq!(s.parallelism, vec![1, 4, 16]);
        let arch = |g: &[i64]| s.decode(g).unwrap().architecture;
        // Widest hidden 32: P 16 stays.
        assert_eq!(
            arch(&[2, 0, 2, 0, 0, 0, 1, 2]),
            Architecture::Folded { parallelism: 16 }
        );
        // Widest hidden 8 (one layer; the second width gene is unused):
        // P 16 becomes 4, the largest listed P not above 8.
        let mut g = vec![1, 0, 2, 0, 0, 0, 1, 2];
        assert_eq!(arch(&g), Architecture::Folded { parallelism: 4 });
        s.canonicalise(&mut g);
        assert_eq!(g, vec![1, 0, 0, 0, 0, 0, 1, 1]);
        assert_eq!(
            s.decode(&g).unwrap().describe(64, 10),
            "64-8-10 tmn T=4 w8 folded P=4"
        );
        // Widest hidden 16 (two layers 16 and 8): 16 stays.
        assert_eq!(
            arch(&[2, 1, 0, 0, 0, 0, 1, 2]),
            Architecture::Folded { parallelism: 16 }
        );
        // P 1 is never moved; unrolled zeroes the P gene.
        assert_eq!(
            arch(&[1, 0, 0, 0, 0, 0, 1, 0]),
            Architecture::Folded { parallelism: 1 }
        );
        let mut u = vec![2, 2, 2, 0, 0, 0, 0, 2];
        s.canonicalise(&mut u);
        assert_eq!(u, vec![2, 2, 2, 0, 0, 0, 0, 0]);
        assert_eq!(s.decode(&u).unwrap().architecture, Architecture::Unrolled);
        // Out of range: a one-line error naming the gene.
        assert_eq!(
            s.decode(&[1, 0, 0, 0, 0, 0, 1, 3]).unwrap_err().to_string(),
            "genome[7]: 3 is not in 0..=2"
        );
        // The NSGA-II space repairs with the same rule.
        let sp = s.space();
        let mut h = vec![1, 0, 1, 0, 0, 0, 1, 2];
        (sp.canonical.as_ref().unwrap())(&mut h);
        assert_eq!(h, vec![1, 0, 0, 0, 0, 0, 1, 1]);
    }

    #[test]
    fn a_resolved_config_without_the_new_fields_reads_as_unrolled() {
        // search-config.json of an export made before the folded genes.
        let c = inline(json!({})).unwrap();
        let mut v = serde_json::to_value(&c).unwrap();
        let sp = v["space"].as_object_mut().unwrap();
        sp.remove("architectures");
        sp.remove("parallelism");
        let back: SearchConfig = serde_json::from_value(v).unwrap();
        assert_eq!(back.space.architectures, vec![Style::Unrolled]);
        assert_eq!(back.space.parallelism, vec![1, 2, 4, 8, 16]);
    }
}
