//! NSGA-II (Deb et al. 2002) on integer genomes, every objective minimised.
//!
//! One generation: binary tournaments on (rank, then crowding distance)
//! pick parents; two-point crossover and polynomial mutation make children;
//! a child equal to a genome already in the population (or already made
//! this generation) is mutated again, and dropped if it stays a duplicate;
//! parents and children together are sorted into non-dominated fronts and
//! the best `population` survive, front by front, the last front cut by
//! crowding distance (elitist (mu + lambda)).
//!
//! A genome is evaluated once: results are remembered by genome, so a
//! genome that comes back later costs nothing. With `jobs > 1` the new
//! genomes of a generation are evaluated on a rayon pool of that many
//! threads; the results, and so the whole run, do not depend on `jobs`.

use crate::error::SearchError;
use golden_model::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// One gene's inclusive integer range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneRange {
    pub lo: i64,
    pub hi: i64,
}

impl GeneRange {
    pub fn new(lo: i64, hi: i64) -> GeneRange {
        GeneRange { lo, hi }
    }

    pub fn contains(&self, v: i64) -> bool {
        (self.lo..=self.hi).contains(&v)
    }
}

/// A repair that maps genomes meaning the same design onto one; a closure,
/// so it can depend on the configured space (e.g. the widths a width gene
/// indexes).
pub type Canonical = std::sync::Arc<dyn Fn(&mut [i64]) + Send + Sync>;

/// The genes, and optionally a repair that maps genomes meaning the same
/// design onto one (so duplicates are seen as duplicates).
#[derive(Clone)]
pub struct Space {
    pub genes: Vec<GeneRange>,
    pub canonical: Option<Canonical>,
}

impl std::fmt::Debug for Space {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Space")
            .field("genes", &self.genes)
            .field("canonical", &self.canonical.is_some())
            .finish()
    }
}

impl Space {
    pub fn new(genes: Vec<GeneRange>) -> Space {
        Space {
            genes,
            canonical: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Population size (mu = lambda), 2 or more.
    pub population: usize,
    pub generations: usize,
    /// Probability that a pair of parents is crossed (else copied).
    pub crossover_probability: f64,
    /// Per-gene mutation probability; `None`: 1 / genes.
    pub mutation_probability: Option<f64>,
    /// Polynomial mutation's distribution index (larger: smaller steps).
    pub eta_mutation: f64,
    pub seed: u64,
    /// Threads evaluating genomes; 1 evaluates in the calling thread.
    pub jobs: usize,
    /// A budget of distinct genomes evaluated: a generation makes only as
    /// many new children as the budget has left (children already
    /// evaluated cost nothing), and the run stops when it is spent (or
    /// after `generations`). `None`: `generations` alone.
    pub max_evaluations: Option<usize>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            population: 40,
            generations: 50,
            crossover_probability: 0.9,
            mutation_probability: None,
            eta_mutation: 20.0,
            seed: 0,
            jobs: 1,
            max_evaluations: None,
        }
    }
}

/// Accepted `population`.
pub const POPULATION: (usize, usize) = (2, 100_000);
/// Accepted `jobs`.
pub const JOBS: (usize, usize) = (1, 1024);

impl Settings {
    pub fn check(&self, genes: &[GeneRange]) -> Result<(), SearchError> {
        let range = |path: &str, v: usize, (lo, hi): (usize, usize)| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(SearchError::field(
                    path,
                    format!("{v} is not in {lo}..={hi}"),
                ))
            }
        };
        range("search.population", self.population, POPULATION)?;
        range("search.jobs", self.jobs, JOBS)?;
        let prob = |path: &str, p: f64| {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(SearchError::field(path, format!("{p} is not in [0, 1]")))
            }
        };
        prob("search.crossover_probability", self.crossover_probability)?;
        if let Some(p) = self.mutation_probability {
            prob("search.mutation_probability", p)?;
        }
        if !(self.eta_mutation.is_finite() && self.eta_mutation >= 0.0) {
            return Err(SearchError::field(
                "search.eta_mutation",
                format!("{} is not >= 0", self.eta_mutation),
            ));
        }
        if genes.is_empty() {
            return Err(SearchError::field("search.genes", "0 genes is not in 1.."));
        }
        for (k, g) in genes.iter().enumerate() {
            if g.lo > g.hi {
                return Err(SearchError::field(
                    format!("search.genes[{k}]"),
                    format!("lo {} is above hi {}", g.lo, g.hi),
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Individual {
    pub genome: Vec<i64>,
    /// All minimised; NaN from the evaluator is stored as +infinity.
    pub objectives: Vec<f64>,
    /// 0: the population's non-dominated front.
    pub rank: usize,
    /// Within its front; infinite at the front's extremes.
    pub crowding: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The last population, best front first.
    pub population: Vec<Individual>,
    /// Distinct genomes evaluated.
    pub evaluations: usize,
}

impl Outcome {
    /// The non-dominated front of the last population.
    pub fn front(&self) -> Vec<&Individual> {
        self.population.iter().filter(|i| i.rank == 0).collect()
    }
}

/// `a` dominates `b`: no worse in every objective, better in one.
pub fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if x > y {
            return false;
        }
        better |= x < y;
    }
    better
}

/// Deb's fast non-dominated sort: the fronts as indices into `objs`,
/// best first, each in increasing index order.
pub fn non_dominated_sort(objs: &[Vec<f64>]) -> Vec<Vec<usize>> {
    let n = objs.len();
    let mut dominated_by = vec![0usize; n];
    let mut dominates_list: Vec<Vec<usize>> = vec![vec![]; n];
    for p in 0..n {
        for q in p + 1..n {
            if dominates(&objs[p], &objs[q]) {
                dominates_list[p].push(q);
                dominated_by[q] += 1;
            } else if dominates(&objs[q], &objs[p]) {
                dominates_list[q].push(p);
                dominated_by[p] += 1;
            }
        }
    }
    let mut fronts = vec![];
    let mut current: Vec<usize> = (0..n).filter(|&p| dominated_by[p] == 0).collect();
    while !current.is_empty() {
        let mut next = vec![];
        for &p in &current {
            for &q in &dominates_list[p] {
                dominated_by[q] -= 1;
                if dominated_by[q] == 0 {
                    next.push(q);
                }
            }
        }
        next.sort_unstable();
        fronts.push(current);
        current = next;
    }
    fronts
}

/// Crowding distance of each member of `front` (same order): per
/// objective, the members sorted by it (ties by position in `front`), the
/// two ends get infinity and each other member adds the gap between its
/// neighbours divided by the objective's span over the front. An objective
/// with zero span adds nothing.
pub fn crowding_distance(objs: &[Vec<f64>], front: &[usize]) -> Vec<f64> {
    let n = front.len();
    let mut d = vec![0.0; n];
    if n == 0 {
        return d;
    }
    // Objective k of front member a.
    let value = |a: usize, k: usize| objs[front[a]][k];
    for k in 0..objs[front[0]].len() {
        let key = |a: usize| value(a, k);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
        let (first, last) = (order[0], order[n - 1]);
        let span = key(last) - key(first);
        d[first] = f64::INFINITY;
        d[last] = f64::INFINITY;
        if span.is_finite() && span > 0.0 {
            for w in order.windows(3) {
                d[w[1]] += (key(w[2]) - key(w[0])) / span;
            }
        }
    }
    d
}

/// Ranks and crowding of `objs`, by index.
fn assign(objs: &[Vec<f64>]) -> (Vec<usize>, Vec<f64>) {
    let mut rank = vec![0; objs.len()];
    let mut crowd = vec![0.0; objs.len()];
    for (r, front) in non_dominated_sort(objs).iter().enumerate() {
        for (&i, c) in front.iter().zip(crowding_distance(objs, front)) {
            rank[i] = r;
            crowd[i] = c;
        }
    }
    (rank, crowd)
}

/// The crowded-comparison order: lower rank, then larger crowding.
fn crowded_cmp(a: (usize, f64), b: (usize, f64)) -> Ordering {
    a.0.cmp(&b.0).then(b.1.total_cmp(&a.1))
}

/// NSGA-II survival: the indices of the `keep` best of `objs`, front by
/// front, the last front cut by crowding distance (ties by index).
pub fn survivors(objs: &[Vec<f64>], keep: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(keep);
    for front in non_dominated_sort(objs) {
        if out.len() + front.len() <= keep {
            out.extend_from_slice(&front);
            continue;
        }
        let d = crowding_distance(objs, &front);
        let mut order: Vec<usize> = (0..front.len()).collect();
        order.sort_by(|&a, &b| d[b].total_cmp(&d[a]));
        let room = keep - out.len();
        out.extend(order[..room].iter().map(|&k| front[k]));
        break;
    }
    out
}

/// Uniform in `[0, 1)`.
fn unit(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn below(rng: &mut SplitMix64, n: usize) -> usize {
    (rng.next_u64() % n as u64) as usize
}

fn random_genome(genes: &[GeneRange], rng: &mut SplitMix64) -> Vec<i64> {
    genes.iter().map(|g| rng.range(g.lo, g.hi)).collect()
}

/// Two-point crossover: the genes in `[a, b)` are swapped, `a < b` drawn
/// from `0..=len`.
pub fn two_point_crossover(x: &mut [i64], y: &mut [i64], rng: &mut SplitMix64) {
    let n = x.len();
    if n < 2 {
        return;
    }
    let a = below(rng, n);
    let b = a + 1 + below(rng, n - a);
    x[a..b].swap_with_slice(&mut y[a..b]);
}

/// Polynomial mutation (Deb's bounded form) of each gene with probability
/// `p`, on the gene as a real in `[lo, hi]`, rounded back to an integer;
/// a step that rounds to no change moves by 1 in its own direction, or
/// inwards at a bound (else small integer ranges would never mutate).
pub fn polynomial_mutation(
    genome: &mut [i64],
    genes: &[GeneRange],
    p: f64,
    eta: f64,
    rng: &mut SplitMix64,
) {
    for (x, g) in genome.iter_mut().zip(genes) {
        if g.lo == g.hi || unit(rng) >= p {
            continue;
        }
        let (lo, hi) = (g.lo as f64, g.hi as f64);
        let y = *x as f64;
        let span = hi - lo;
        let (d1, d2) = ((y - lo) / span, (hi - y) / span);
        let r = unit(rng);
        let pow = 1.0 / (eta + 1.0);
        let dq = if r < 0.5 {
            let v = 2.0 * r + (1.0 - 2.0 * r) * (1.0 - d1).powf(eta + 1.0);
            v.powf(pow) - 1.0
        } else {
            let v = 2.0 * (1.0 - r) + 2.0 * (r - 0.5) * (1.0 - d2).powf(eta + 1.0);
            1.0 - v.powf(pow)
        };
        let mut z = (y + dq * span).round() as i64;
        if z == *x {
            z = if *x == g.hi || (dq < 0.0 && *x > g.lo) {
                *x - 1
            } else {
                *x + 1
            };
        }
        *x = z.clamp(g.lo, g.hi);
    }
}

/// Evaluates genomes in order, on `pool` when given.
fn evaluate_all<F>(
    genomes: &[Vec<i64>],
    eval: &F,
    pool: Option<&rayon::ThreadPool>,
) -> Vec<Vec<f64>>
where
    F: Fn(&[i64]) -> Vec<f64> + Sync,
{
    let one = |g: &Vec<i64>| -> Vec<f64> {
        eval(g)
            .into_iter()
            .map(|v| if v.is_nan() { f64::INFINITY } else { v })
            .collect()
    };
    match pool {
        Some(pool) => {
            use rayon::prelude::*;
            pool.install(|| genomes.par_iter().map(one).collect())
        }
        None => genomes.iter().map(one).collect(),
    }
}

/// Runs NSGA-II. `eval` returns the objectives of a genome (all minimised,
/// the same count for every genome).
pub fn run<F>(space: &Space, settings: &Settings, eval: F) -> Result<Outcome, SearchError>
where
    F: Fn(&[i64]) -> Vec<f64> + Sync,
{
    run_observed(space, settings, eval, |_, _| {})
}

/// [`run`], calling `observe(generation, population)` after the first
/// population (generation 0) and after every generation.
pub fn run_observed<F, O>(
    space: &Space,
    settings: &Settings,
    eval: F,
    observe: O,
) -> Result<Outcome, SearchError>
where
    F: Fn(&[i64]) -> Vec<f64> + Sync,
    O: FnMut(usize, &[Individual]),
{
    let pool = if settings.jobs > 1 {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(settings.jobs)
                .build()
                .map_err(|e| SearchError::field("search.jobs", format!("no thread pool: {e}")))?,
        )
    } else {
        None
    };
    let batch = |genomes: &[Vec<i64>]| Some(evaluate_all(genomes, &eval, pool.as_ref()));
    match run_batched(space, settings, batch, observe)? {
        Run::Done(outcome) => Ok(outcome),
        Run::Halted { .. } => unreachable!("the batch never halts"),
    }
}

/// Genomes with their objectives.
type Evaluated = Vec<(Vec<i64>, Vec<f64>)>;

/// How a batched run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Run {
    /// Every generation ran.
    Done(Outcome),
    /// The batch evaluator declined `pending`, the new genomes of
    /// `generation` (0: the first population), in the order it was given
    /// them.
    Halted {
        generation: usize,
        pending: Vec<Vec<i64>>,
    },
}

/// NSGA-II with a batch evaluator: `batch` gets the genomes of a
/// generation that were never evaluated (in a fixed order, possibly none)
/// and returns their objectives in the same order, or `None` to stop the
/// run there (e.g. to hand those genomes to a cluster). `settings.jobs` is
/// the caller's business here. The run, given the same results, is the
/// same as [`run`]'s.
pub fn run_batched<B, O>(
    space: &Space,
    settings: &Settings,
    mut batch: B,
    mut observe: O,
) -> Result<Run, SearchError>
where
    B: FnMut(&[Vec<i64>]) -> Option<Vec<Vec<f64>>>,
    O: FnMut(usize, &[Individual]),
{
    let genes = &space.genes;
    settings.check(genes)?;
    let mut rng = SplitMix64::new(settings.seed);
    let fix = |g: &mut Vec<i64>| {
        if let Some(c) = &space.canonical {
            c(g);
        }
    };
    let mu = settings.population;
    let pm = settings
        .mutation_probability
        .unwrap_or(1.0 / genes.len() as f64);
    let patience = 20 * mu;
    let mut memo: HashMap<Vec<i64>, Vec<f64>> = HashMap::new();
    // The genomes with their objectives, or the new ones when `batch` stops.
    let mut evaluate = |genomes: Vec<Vec<i64>>,
                        memo: &mut HashMap<Vec<i64>, Vec<f64>>|
     -> Result<Evaluated, Vec<Vec<i64>>> {
        let new: Vec<Vec<i64>> = genomes
            .iter()
            .filter(|g| !memo.contains_key(*g))
            .cloned()
            .collect();
        if !new.is_empty() {
            let Some(objs) = batch(&new) else {
                return Err(new);
            };
            assert_eq!(objs.len(), new.len(), "one result per genome");
            for (g, o) in new.iter().zip(objs) {
                let o = o
                    .into_iter()
                    .map(|v| if v.is_nan() { f64::INFINITY } else { v })
                    .collect();
                memo.insert(g.clone(), o);
            }
        }
        Ok(genomes
            .into_iter()
            .map(|g| {
                let o = memo[&g].clone();
                (g, o)
            })
            .collect())
    };

    // The first population: distinct random genomes.
    let mut seen = HashSet::new();
    let mut first = vec![];
    let mut tries = 0;
    let first_size = mu.min(settings.max_evaluations.unwrap_or(usize::MAX));
    while first.len() < first_size && tries < patience {
        tries += 1;
        let mut g = random_genome(genes, &mut rng);
        fix(&mut g);
        if seen.insert(g.clone()) {
            first.push(g);
        }
    }
    let mut pop = match evaluate(first, &mut memo) {
        Ok(p) => p,
        Err(pending) => {
            return Ok(Run::Halted {
                generation: 0,
                pending,
            })
        }
    };
    let to_individuals = |pop: &[(Vec<i64>, Vec<f64>)]| -> Vec<Individual> {
        let objs: Vec<Vec<f64>> = pop.iter().map(|p| p.1.clone()).collect();
        let (rank, crowd) = assign(&objs);
        let mut out: Vec<Individual> = pop
            .iter()
            .enumerate()
            .map(|(i, (g, o))| Individual {
                genome: g.clone(),
                objectives: o.clone(),
                rank: rank[i],
                crowding: crowd[i],
            })
            .collect();
        out.sort_by(|a, b| crowded_cmp((a.rank, a.crowding), (b.rank, b.crowding)));
        out
    };
    let mut inds = to_individuals(&pop);
    observe(0, &inds);

    for generation in 1..=settings.generations {
        let left = settings
            .max_evaluations
            .map_or(usize::MAX, |m| m.saturating_sub(memo.len()));
        if left == 0 {
            break;
        }
        let n = inds.len();
        let tournament = |rng: &mut SplitMix64| -> usize {
            let (a, b) = (below(rng, n), below(rng, n));
            let (x, y) = (&inds[a], &inds[b]);
            if crowded_cmp((y.rank, y.crowding), (x.rank, x.crowding)) == Ordering::Less {
                b
            } else {
                a
            }
        };
        let mut seen: HashSet<Vec<i64>> = inds.iter().map(|i| i.genome.clone()).collect();
        let mut children: Vec<Vec<i64>> = vec![];
        let mut new_children = 0;
        let mut tries = 0;
        while children.len() < mu && new_children < left && tries < patience {
            tries += 1;
            let (p, q) = (tournament(&mut rng), tournament(&mut rng));
            let (mut x, mut y) = (inds[p].genome.clone(), inds[q].genome.clone());
            if unit(&mut rng) < settings.crossover_probability {
                two_point_crossover(&mut x, &mut y, &mut rng);
            }
            for mut c in [x, y] {
                polynomial_mutation(&mut c, genes, pm, settings.eta_mutation, &mut rng);
                fix(&mut c);
                if seen.contains(&c) {
                    // A duplicate: one more, certain, mutation.
                    polynomial_mutation(&mut c, genes, 1.0, settings.eta_mutation, &mut rng);
                    fix(&mut c);
                }
                if children.len() < mu && new_children < left && seen.insert(c.clone()) {
                    new_children += usize::from(!memo.contains_key(&c));
                    children.push(c);
                }
            }
        }
        match evaluate(children, &mut memo) {
            Ok(c) => pop.extend(c),
            Err(pending) => {
                return Ok(Run::Halted {
                    generation,
                    pending,
                })
            }
        }
        let objs: Vec<Vec<f64>> = pop.iter().map(|p| p.1.clone()).collect();
        let keep = survivors(&objs, mu);
        pop = keep.into_iter().map(|i| pop[i].clone()).collect();
        inds = to_individuals(&pop);
        observe(generation, &inds);
    }
    Ok(Run::Done(Outcome {
        population: inds,
        evaluations: memo.len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seven points, two objectives, worked by hand:
    ///
    /// ```text
    /// 0 (1, 5)   1 (2, 3)   2 (4, 1)   3 (3, 4)   4 (5, 2)   5 (5, 5)   6 (1.5, 4)
    /// ```
    /// - 0, 1, 2, 6: nothing dominates them (each pair trades f1 for f2);
    /// - 3 is dominated by 1 (2 < 3, 3 < 4) and by 6; 4 by 2 (4 < 5, 1 < 2);
    ///   3 and 4 trade, so they are front 1;
    /// - 5 is dominated by 3 and 4 (and 0): front 2.
    fn points() -> Vec<Vec<f64>> {
        [
            (1.0, 5.0),
            (2.0, 3.0),
            (4.0, 1.0),
            (3.0, 4.0),
            (5.0, 2.0),
            (5.0, 5.0),
            (1.5, 4.0),
        ]
        .iter()
        .map(|&(a, b)| vec![a, b])
        .collect()
    }

    #[test]
    fn fronts_of_the_hand_example() {
        assert_eq!(
            non_dominated_sort(&points()),
            vec![vec![0, 1, 2, 6], vec![3, 4], vec![5]]
        );
    }

    /// Front 0 = [0, 1, 2, 6].
    /// f1 sorted: 0 (1), 6 (1.5), 1 (2), 2 (4); span 3. 0 and 2 are ends (inf);
    ///   6 gets (2 - 1) / 3 = 1/3, 1 gets (4 - 1.5) / 3 = 5/6.
    /// f2 sorted: 2 (1), 1 (3), 6 (4), 0 (5); span 4. 2 and 0 are ends (inf);
    ///   1 gets (4 - 1) / 4 = 3/4, 6 gets (5 - 3) / 4 = 1/2.
    /// So 0: inf, 1: 5/6 + 3/4 = 19/12, 2: inf, 6: 1/3 + 1/2 = 5/6.
    #[test]
    fn crowding_of_the_hand_example() {
        let p = points();
        let d = crowding_distance(&p, &[0, 1, 2, 6]);
        assert_eq!(d[0], f64::INFINITY);
        assert_eq!(d[2], f64::INFINITY);
        assert!((d[1] - 19.0 / 12.0).abs() < 1e-12, "{}", d[1]);
        assert!((d[3] - 5.0 / 6.0).abs() < 1e-12, "{}", d[3]);
        // Two or fewer members are all ends.
        assert_eq!(crowding_distance(&p, &[3, 4]), vec![f64::INFINITY; 2]);
    }

    /// Keep 5: front 0 whole, then front 1's first (both are ends, inf;
    /// the tie goes by index). Keep 3: front 0 cut by crowding: 0, 2 (inf),
    /// then 1 (19/12 beats 6's 5/6).
    #[test]
    fn survival_by_rank_then_crowding() {
        let p = points();
        assert_eq!(survivors(&p, 5), vec![0, 1, 2, 6, 3]);
        assert_eq!(survivors(&p, 3), vec![0, 2, 1]);
    }

    #[test]
    fn domination_needs_one_strictly_better() {
        assert!(dominates(&[1.0, 2.0], &[1.0, 3.0]));
        assert!(!dominates(&[1.0, 2.0], &[1.0, 2.0]));
        assert!(!dominates(&[0.0, 3.0], &[1.0, 2.0]));
    }

    #[test]
    fn operators_stay_in_range_and_move() {
        let genes = vec![
            GeneRange::new(0, 2),
            GeneRange::new(-5, 5),
            GeneRange::new(7, 7),
        ];
        let mut rng = SplitMix64::new(1);
        let mut changed = 0;
        for _ in 0..200 {
            let mut g = random_genome(&genes, &mut rng);
            let before = g.clone();
            polynomial_mutation(&mut g, &genes, 1.0, 20.0, &mut rng);
            assert!(g.iter().zip(&genes).all(|(&v, r)| r.contains(v)), "{g:?}");
            // Every gene with room moves under a certain mutation.
            assert_ne!(g[0], before[0]);
            assert_ne!(g[1], before[1]);
            changed += 1;
        }
        assert_eq!(changed, 200);
        let (mut x, mut y) = (vec![0; 6], vec![1; 6]);
        two_point_crossover(&mut x, &mut y, &mut rng);
        // The swapped segment is one run of ones in x, mirrored in y.
        let ones: Vec<usize> = (0..6).filter(|&i| x[i] == 1).collect();
        assert!(!ones.is_empty());
        assert_eq!(ones.last().unwrap() - ones[0] + 1, ones.len());
        assert!((0..6).all(|i| x[i] + y[i] == 1));
    }

    #[test]
    fn bad_settings_name_their_field() {
        let genes = vec![GeneRange::new(0, 1)];
        let s = Settings {
            population: 1,
            ..Settings::default()
        };
        let e = run(&Space::new(genes.clone()), &s, |_| vec![0.0]).unwrap_err();
        assert_eq!(e.to_string(), "search.population: 1 is not in 2..=100000");
        let e = run(
            &Space::new(vec![GeneRange::new(3, 2)]),
            &Settings::default(),
            |_| vec![0.0],
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "search.genes[0]: lo 3 is above hi 2");
    }

    /// A budget of 50 distinct evaluations is spent exactly; a batched run
    /// halted at its third batch and resumed with those results (as from a
    /// cluster) ends where the uninterrupted run does.
    #[test]
    fn a_budget_caps_evaluations_and_a_halted_run_resumes_alike() {
        use std::sync::atomic::{AtomicUsize, Ordering as AO};
        let space = Space::new(vec![GeneRange::new(0, 20); 3]);
        let f = |g: &[i64]| vec![g[0] as f64, (20 - g[0] + g[1] + g[2]) as f64];
        let s = Settings {
            population: 8,
            generations: 1000,
            max_evaluations: Some(50),
            seed: 3,
            ..Settings::default()
        };
        let calls = AtomicUsize::new(0);
        let whole = run(&space, &s, |g| {
            calls.fetch_add(1, AO::Relaxed);
            f(g)
        })
        .unwrap();
        assert_eq!(whole.evaluations, 50);
        assert_eq!(calls.load(AO::Relaxed), 50);

        let mut known: HashMap<Vec<i64>, Vec<f64>> = HashMap::new();
        let mut batches = 0;
        let halted = run_batched(
            &space,
            &s,
            |gs| {
                batches += 1;
                if batches == 3 {
                    return None;
                }
                let o: Vec<Vec<f64>> = gs.iter().map(|g| f(g)).collect();
                for (g, o) in gs.iter().zip(&o) {
                    known.insert(g.clone(), o.clone());
                }
                Some(o)
            },
            |_, _| {},
        )
        .unwrap();
        let Run::Halted {
            generation,
            pending,
        } = halted
        else {
            panic!("the batch halted")
        };
        assert_eq!(generation, 2);
        assert!(pending.iter().all(|g| !known.contains_key(g)));
        for g in pending {
            let o = f(&g);
            known.insert(g, o);
        }
        let resumed = run_batched(
            &space,
            &s,
            |gs| {
                Some(
                    gs.iter()
                        .map(|g| known.get(g).cloned().unwrap_or_else(|| f(g)))
                        .collect(),
                )
            },
            |_, _| {},
        )
        .unwrap();
        assert_eq!(resumed, Run::Done(whole));
    }
}
