//! The design genes and the typed candidate they decode to.
//!
//! | gene | range | meaning |
//! |---|---|---|
//! | 0 | 1..=2 | hidden layers |
//! | 1, 2 | 0..=15 | hidden widths `8 (i + 1)`, 8..=128 (gene 2 unused with one layer) |
//! | 3 | 0..=2 | neuron kind, `tmn`, `if`, `lif`, one for the whole network |
//! | 4 | 0..=5 | T from `1, 2, 3, 4, 6, 8` |
//! | 5 | 4..=8 | weight_bits |
//! | 6 | 0..=1 | architecture, `unrolled` or `folded` (`snn_folded`, docs/folded.md) |
//! | 7 | 0..=4 | folded parallelism P from `1, 2, 4, 8, 16` (unused when unrolled) |
//!
//! One kind per network because the conversion
//! (`convert::quantise::quantise`) takes one `Kind` for every layer.
//! [`canonicalise`] zeroes the unused genes, so two genomes that decode to
//! the same candidate are equal.
//!
//! **P and the widest layer.** The folded engine takes `P` up to its widest
//! layer's outputs. A candidate's P is at most its widest *hidden* layer
//! ([`fit_parallelism`]): a larger P gene decodes (and canonicalises) to the
//! largest allowed P not above it, e.g. P 16 with one hidden layer of 8 is
//! P 8. The output layer is left out because its width is the dataset's
//! class count, which the genome does not know; hidden widths are multiples
//! of 8, so P 1..8 always fits and only P 16 is ever mapped down.

use crate::error::SearchError;
use crate::nsga2::{GeneRange, Space};
use convert::quantise::Kind;
use serde::{Deserialize, Serialize};

pub const HIDDEN_LAYERS: (usize, usize) = (1, 2);
/// Hidden widths: `WIDTH_STEP * k` for k in 1..=16.
pub const WIDTH_STEP: usize = 8;
pub const WIDTHS: (usize, usize) = (8, 128);
pub const TIMESTEPS: [usize; 6] = [1, 2, 3, 4, 6, 8];
pub const WEIGHT_BITS: (u32, u32) = (4, 8);
pub const PARALLELISM: [usize; 5] = [1, 2, 4, 8, 16];
/// Genes per genome.
pub const GENES: usize = 8;

/// The neuron kind of every layer (lif: hidden layers lif, the last if).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NeuronKind {
    Tmn,
    If,
    Lif,
}

const KINDS: [NeuronKind; 3] = [NeuronKind::Tmn, NeuronKind::If, NeuronKind::Lif];

impl NeuronKind {
    /// The conversion's kind; lif takes its leak shift from the evaluator.
    pub fn convert_kind(self, lif_leak_shift: u32) -> Kind {
        match self {
            NeuronKind::Tmn => Kind::Tmn,
            NeuronKind::If => Kind::If,
            NeuronKind::Lif => Kind::Lif {
                leak_shift: lif_leak_shift,
            },
        }
    }
}

/// How the hardware is laid out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "lowercase")]
pub enum Architecture {
    /// One processing element per synapse column, every layer its own core
    /// (`snn_network`).
    #[default]
    Unrolled,
    /// The folded engine (`snn_folded`): every layer in turn on one row of
    /// `parallelism` PEs, weights in block RAM or SPRAM.
    Folded { parallelism: usize },
}

/// An architecture without its parameters (`space.architectures`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    Unrolled,
    Folded,
}

impl Style {
    pub fn name(self) -> &'static str {
        match self {
            Style::Unrolled => "unrolled",
            Style::Folded => "folded",
        }
    }
}

impl Architecture {
    pub fn style(self) -> Style {
        match self {
            Architecture::Unrolled => Style::Unrolled,
            Architecture::Folded { .. } => Style::Folded,
        }
    }

    /// `unrolled` or `folded`.
    pub fn name(self) -> &'static str {
        self.style().name()
    }

    /// The folded P, `None` when unrolled.
    pub fn parallelism(self) -> Option<usize> {
        match self {
            Architecture::Unrolled => None,
            Architecture::Folded { parallelism } => Some(parallelism),
        }
    }
}

/// The index into `allowed` (ascending) of the P a candidate whose widest
/// hidden layer is `widest` gets for the index `i`: `i` itself when
/// `allowed[i] <= widest`, else the largest allowed P not above `widest`
/// (index 0 when none is; configurations refuse that case).
pub fn fit_parallelism(i: usize, widest: usize, allowed: &[usize]) -> usize {
    let mut i = i.min(allowed.len().saturating_sub(1));
    while i > 0 && allowed[i] > widest {
        i -= 1;
    }
    i
}

/// One design point.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// Hidden widths, input side first.
    pub hidden: Vec<usize>,
    pub kind: NeuronKind,
    pub timesteps: usize,
    pub weight_bits: u32,
    pub architecture: Architecture,
}

/// The gene ranges, in the order of the module's table.
pub fn genes() -> Vec<GeneRange> {
    let widths = (WIDTHS.1 / WIDTH_STEP - 1) as i64;
    vec![
        GeneRange::new(HIDDEN_LAYERS.0 as i64, HIDDEN_LAYERS.1 as i64),
        GeneRange::new(0, widths),
        GeneRange::new(0, widths),
        GeneRange::new(0, KINDS.len() as i64 - 1),
        GeneRange::new(0, TIMESTEPS.len() as i64 - 1),
        GeneRange::new(i64::from(WEIGHT_BITS.0), i64::from(WEIGHT_BITS.1)),
        GeneRange::new(0, 1),
        GeneRange::new(0, PARALLELISM.len() as i64 - 1),
    ]
}

/// The search space for [`crate::nsga2::run`], with [`canonicalise`].
pub fn space() -> Space {
    Space {
        genes: genes(),
        canonical: Some(std::sync::Arc::new(canonicalise)),
    }
}

/// Zeroes the genes a genome does not use (the second width with one
/// hidden layer, the parallelism when unrolled) and maps a P above the
/// widest hidden layer down ([`fit_parallelism`]).
pub fn canonicalise(g: &mut [i64]) {
    if g.len() != GENES || genes().iter().zip(g.iter()).any(|(r, v)| !r.contains(*v)) {
        return;
    }
    if g[0] == 1 {
        g[2] = 0;
    }
    if g[6] == 0 {
        g[7] = 0;
    } else {
        let widest = (0..g[0] as usize)
            .map(|l| WIDTH_STEP * (g[1 + l] as usize + 1))
            .max()
            .unwrap_or(0);
        g[7] = fit_parallelism(g[7] as usize, widest, &PARALLELISM) as i64;
    }
}

/// A genome's candidate; a wrong length or a gene out of its range is a
/// one-line error naming the gene (`genome[4]: 9 is not in 0..=5`).
pub fn decode(g: &[i64]) -> Result<Candidate, SearchError> {
    if g.len() != GENES {
        return Err(SearchError::field(
            "genome",
            format!("{} genes is not {GENES}", g.len()),
        ));
    }
    for (k, (v, r)) in g.iter().zip(genes()).enumerate() {
        if !r.contains(*v) {
            return Err(SearchError::field(
                format!("genome[{k}]"),
                format!("{v} is not in {}..={}", r.lo, r.hi),
            ));
        }
    }
    let mut g = g.to_vec();
    canonicalise(&mut g);
    let width = |v: i64| WIDTH_STEP * (v as usize + 1);
    let hidden = (0..g[0] as usize).map(|l| width(g[1 + l])).collect();
    Ok(Candidate {
        hidden,
        kind: KINDS[g[3] as usize],
        timesteps: TIMESTEPS[g[4] as usize],
        weight_bits: g[5] as u32,
        architecture: if g[6] == 0 {
            Architecture::Unrolled
        } else {
            Architecture::Folded {
                parallelism: PARALLELISM[g[7] as usize],
            }
        },
    })
}

/// The canonical genome of a candidate (checked first).
pub fn encode(c: &Candidate) -> Result<Vec<i64>, SearchError> {
    c.check()?;
    let mut g = vec![0i64; GENES];
    g[0] = c.hidden.len() as i64;
    for (l, &w) in c.hidden.iter().enumerate() {
        g[1 + l] = (w / WIDTH_STEP - 1) as i64;
    }
    let index = |v: usize, set: &[usize]| set.iter().position(|&x| x == v).unwrap_or(0) as i64;
    g[3] = KINDS.iter().position(|&k| k == c.kind).unwrap_or(0) as i64;
    g[4] = index(c.timesteps, &TIMESTEPS);
    g[5] = i64::from(c.weight_bits);
    if let Architecture::Folded { parallelism } = c.architecture {
        g[6] = 1;
        g[7] = index(parallelism, &PARALLELISM);
    }
    Ok(g)
}

fn list(v: &[usize]) -> String {
    v.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Candidate {
    /// Every field inside the search space, or a one-line error naming it.
    pub fn check(&self) -> Result<(), SearchError> {
        let (lo, hi) = HIDDEN_LAYERS;
        if !(lo..=hi).contains(&self.hidden.len()) {
            return Err(SearchError::field(
                "candidate.hidden",
                format!("{} layers is not in {lo}..={hi}", self.hidden.len()),
            ));
        }
        for (l, &w) in self.hidden.iter().enumerate() {
            if !(WIDTHS.0..=WIDTHS.1).contains(&w) || w % WIDTH_STEP != 0 {
                return Err(SearchError::field(
                    format!("candidate.hidden[{l}]"),
                    format!(
                        "{w} is not in {}..={} in steps of {WIDTH_STEP}",
                        WIDTHS.0, WIDTHS.1
                    ),
                ));
            }
        }
        if !TIMESTEPS.contains(&self.timesteps) {
            return Err(SearchError::field(
                "candidate.timesteps",
                format!("{} is not one of {}", self.timesteps, list(&TIMESTEPS)),
            ));
        }
        let (lo, hi) = WEIGHT_BITS;
        if !(lo..=hi).contains(&self.weight_bits) {
            return Err(SearchError::field(
                "candidate.weight_bits",
                format!("{} is not in {lo}..={hi}", self.weight_bits),
            ));
        }
        if let Architecture::Folded { parallelism } = self.architecture {
            if !PARALLELISM.contains(&parallelism) {
                return Err(SearchError::field(
                    "candidate.architecture.parallelism",
                    format!("{parallelism} is not one of {}", list(&PARALLELISM)),
                ));
            }
            let widest = self.widest_hidden();
            if parallelism > widest {
                return Err(SearchError::field(
                    "candidate.architecture.parallelism",
                    format!("{parallelism} is above the widest hidden layer ({widest})"),
                ));
            }
        }
        Ok(())
    }

    /// The widest hidden layer (0 without one).
    pub fn widest_hidden(&self) -> usize {
        self.hidden.iter().copied().max().unwrap_or(0)
    }

    /// The JSON form, e.g.
    /// `{"hidden":[32],"kind":"tmn","timesteps":4,"weight_bits":8,"architecture":{"style":"unrolled"}}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a candidate serialises")
    }

    /// Reads and checks the JSON form.
    pub fn from_json(text: &str) -> Result<Candidate, SearchError> {
        let c: Candidate = serde_json::from_str(text)
            .map_err(|e| SearchError::field("candidate", format!("not a candidate: {e}")))?;
        c.check()?;
        Ok(c)
    }

    /// `64-32-10 tmn T=4 w8 unrolled`, given the input and output widths.
    pub fn describe(&self, inputs: usize, outputs: usize) -> String {
        let mut widths = vec![inputs];
        widths.extend(&self.hidden);
        widths.push(outputs);
        let arch = match self.architecture {
            Architecture::Unrolled => "unrolled".to_string(),
            Architecture::Folded { parallelism } => format!("folded P={parallelism}"),
        };
        format!(
            "{} {} T={} w{} {arch}",
            widths
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("-"),
            match self.kind {
                NeuronKind::Tmn => "tmn",
                NeuronKind::If => "if",
                NeuronKind::Lif => "lif",
            },
            self.timesteps,
            self.weight_bits
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_gene() {
        let c = decode(&[2, 3, 0, 2, 5, 6, 1, 4]).unwrap();
        assert_eq!(
            c,
            Candidate {
                hidden: vec![32, 8],
                kind: NeuronKind::Lif,
                timesteps: 8,
                weight_bits: 6,
                architecture: Architecture::Folded { parallelism: 16 },
            }
        );
        assert_eq!(c.describe(64, 10), "64-32-8-10 lif T=8 w6 folded P=16");
        let one = decode(&[1, 7, 5, 0, 3, 8, 0, 2]).unwrap();
        assert_eq!(one.hidden, vec![64]);
        assert_eq!(one.architecture, Architecture::Unrolled);
        assert_eq!(one.kind, NeuronKind::Tmn);
    }

    #[test]
    fn encode_inverts_decode_on_canonical_genomes() {
        // Every canonical genome of the space round-trips.
        let r = genes();
        let mut n = 0;
        for a in r[0].lo..=r[0].hi {
            for w in 0..=7 {
                for k in 0..=2 {
                    for t in 0..=5 {
                        for arch in 0..=1 {
                            for p in 0..=4 {
                                let mut g = vec![a, w, 7 - w, k, t, 4 + (w % 5), arch, p];
                                canonicalise(&mut g);
                                let c = decode(&g).unwrap();
                                assert_eq!(encode(&c).unwrap(), g);
                                assert_eq!(Candidate::from_json(&c.to_json()).unwrap(), c);
                                n += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 2 * 8 * 3 * 6 * 2 * 5);
    }

    #[test]
    fn a_p_above_the_widest_hidden_layer_is_mapped_down() {
        // One hidden layer of 8: P 16 (index 4) is P 8 (index 3).
        let mut g = vec![1, 0, 6, 0, 3, 8, 1, 4];
        assert_eq!(
            decode(&g).unwrap().architecture,
            Architecture::Folded { parallelism: 8 }
        );
        canonicalise(&mut g);
        assert_eq!(g, vec![1, 0, 0, 0, 3, 8, 1, 3]);
        // Two layers, 8 and 16: the widest is 16, P 16 stays.
        let mut h = vec![2, 0, 1, 0, 3, 8, 1, 4];
        canonicalise(&mut h);
        assert_eq!(h[7], 4);
        assert_eq!(fit_parallelism(4, 8, &PARALLELISM), 3);
        assert_eq!(fit_parallelism(4, 64, &PARALLELISM), 4);
        assert_eq!(fit_parallelism(2, 1, &[4, 8, 16]), 0);
        // A candidate written by hand with such a P is refused.
        let e = Candidate::from_json(
            r#"{"hidden":[8],"kind":"tmn","timesteps":4,"weight_bits":8,"architecture":{"style":"folded","parallelism":16}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "candidate.architecture.parallelism: 16 is above the widest hidden layer (8)"
        );
    }

    #[test]
    fn canonical_genomes_of_one_candidate_are_equal() {
        let mut a = vec![1, 2, 5, 0, 0, 8, 0, 3];
        let mut b = vec![1, 2, 1, 0, 0, 8, 0, 0];
        assert_eq!(decode(&a).unwrap(), decode(&b).unwrap());
        canonicalise(&mut a);
        canonicalise(&mut b);
        assert_eq!(a, b);
    }

    /// NSGA-II over the space with a cheap stand-in cost (neurons, steps)
    /// against a stand-in error (falls with both): survivors are canonical,
    /// decode, and are distinct candidates.
    #[test]
    fn nsga2_over_the_space_keeps_canonical_distinct_candidates() {
        use crate::nsga2::{run, Settings};
        let objectives = |g: &[i64]| {
            let c = decode(g).expect("genomes stay in range");
            let neurons = c.hidden.iter().sum::<usize>() as f64;
            let cost = neurons * c.timesteps as f64 * f64::from(c.weight_bits);
            vec![cost, 1.0 / (neurons * c.timesteps as f64)]
        };
        let s = Settings {
            population: 16,
            generations: 40,
            ..Settings::default()
        };
        let out = run(&space(), &s, objectives).unwrap();
        let mut seen = std::collections::HashSet::new();
        for i in &out.population {
            let mut g = i.genome.clone();
            canonicalise(&mut g);
            assert_eq!(g, i.genome);
            assert!(seen.insert(decode(&g).unwrap()), "{g:?} twice");
        }
        assert_eq!(seen.len(), 16);
        // The cheapest design (one layer of 8, T = 1, 4 bits) is found.
        assert!(out.front().iter().any(|i| i.objectives[0] == 8.0 * 4.0));
    }

    #[test]
    fn errors_name_the_gene_or_field_and_its_range() {
        let e = decode(&[1, 0, 0, 0, 9, 8, 0, 0]).unwrap_err();
        assert_eq!(e.to_string(), "genome[4]: 9 is not in 0..=5");
        let e = decode(&[1, 0]).unwrap_err();
        assert_eq!(e.to_string(), "genome: 2 genes is not 8");
        let e = Candidate::from_json(
            r#"{"hidden":[30],"kind":"if","timesteps":4,"weight_bits":8,"architecture":{"style":"unrolled"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "candidate.hidden[0]: 30 is not in 8..=128 in steps of 8"
        );
        let e = Candidate::from_json(
            r#"{"hidden":[32],"kind":"if","timesteps":5,"weight_bits":8,"architecture":{"style":"unrolled"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "candidate.timesteps: 5 is not one of 1, 2, 3, 4, 6, 8"
        );
        let e = Candidate::from_json(
            r#"{"hidden":[32],"kind":"if","timesteps":4,"weight_bits":8,"architecture":{"style":"folded","parallelism":3}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field_path(), Some("candidate.architecture.parallelism"));
        let e = Candidate::from_json(r#"{"hidden":[32],"kind":"psn"}"#).unwrap_err();
        assert_eq!(e.field_path(), Some("candidate"));
    }
}
