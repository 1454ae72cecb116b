//! `snnrtl encode --timesteps 1..16`: the TMN paper's headline claim, measured.
//!
//! TMN (momentum) coding: a value `v` in [-vth, vth] enters once, at t = 0,
//! doubled (`I[0] = 2v`, then zeros); the spike train decodes as
//! `v' = vth * sum_t s[t] 2^(T-1-t) / 2^T`. By the TMN identity the error is
//! `u_final / 2^T`, at most `vth * 2^-(T+1)` while the value lies within the
//! codes' reach `|v| <= vth (1 - 2^-(T+1))`; at `v = +-vth` (one code step past
//! the largest code) it is `vth * 2^-T`.
//! IF rate coding: a value `v` in [0, vth] is a constant current for T steps;
//! `n` spikes decode as `v' = n vth / T`, error below `vth / T`.
//! Errors are exact rationals in the integers; floats appear only in the report.

use crate::out::write_atomic;
use anyhow::{bail, Result};
use golden_model::neuron::{if_neuron, tmn};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Timestep counts to measure: `A..B` (inclusive) or a single number, in 1..=30
    #[arg(long, default_value = "1..16", value_parser = parse_range)]
    timesteps: (usize, usize),
    /// Threshold vth (a power of two, 2..=2^30): values are integers in [-vth, vth]
    #[arg(long, default_value_t = 1 << 20)]
    vth: i64,
    /// How many evenly spaced values to encode per coding (the default spacing,
    /// 2*vth/10000, does not line up with the power-of-two TMN grid)
    #[arg(long, default_value_t = 10001)]
    values: usize,
    /// CSV output
    #[arg(long, default_value = "out/encode.csv")]
    csv: PathBuf,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let parse = |x: &str| x.trim().parse::<usize>().map_err(|e| format!("{x:?}: {e}"));
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (parse(a)?, parse(b.trim_start_matches('='))?),
        None => (parse(s)?, parse(s)?),
    };
    if a < 1 || b > 30 || a > b {
        return Err(format!("{s}: accepted range is within 1..30, low <= high"));
    }
    Ok((a, b))
}

/// One coding's errors at one T: exact numerators over a common denominator.
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    /// Largest |v - v'| times `denom`.
    pub max_num: i128,
    /// Sum of |v - v'| times `denom`.
    pub sum_num: i128,
    pub count: usize,
    pub denom: i128,
}

impl Errors {
    fn new(denom: i128) -> Self {
        Errors {
            max_num: 0,
            sum_num: 0,
            count: 0,
            denom,
        }
    }
    fn add(&mut self, num: i128) {
        self.max_num = self.max_num.max(num);
        self.sum_num += num;
        self.count += 1;
    }
    pub fn max(&self) -> f64 {
        self.max_num as f64 / self.denom as f64
    }
    pub fn mean(&self) -> f64 {
        self.sum_num as f64 / self.denom as f64 / self.count.max(1) as f64
    }
}

/// Measurements at one T.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub t: usize,
    /// TMN over all of [-vth, vth].
    pub tmn_all: Errors,
    /// TMN over the codes' reach, |v| <= vth (1 - 2^-(T+1)).
    pub tmn_reach: Errors,
    /// IF over [0, vth].
    pub if_rate: Errors,
}

/// `n` evenly spaced integers from `lo` to `hi` inclusive.
fn spaced(lo: i64, hi: i64, n: usize) -> impl Iterator<Item = i64> {
    let n = n.max(2) as i128;
    (0..n).map(move |k| (lo as i128 + (hi as i128 - lo as i128) * k / (n - 1)) as i64)
}

/// Encodes and decodes `n_values` values with both codings at `t` steps.
pub fn measure(vth: i64, t: usize, n_values: usize) -> Row {
    let pow_t = 1i128 << t;
    let mut tmn_all = Errors::new(pow_t);
    let mut tmn_reach = Errors::new(pow_t);
    for v in spaced(-vth, vth, n_values) {
        let mut currents = vec![0i64; t];
        currents[0] = 2 * v;
        let tr = tmn::run(vth, &currents, 62);
        // |v - vth*S/2^T| * 2^T
        let num = (pow_t * i128::from(v) - i128::from(vth) * tmn::spike_value(&tr.spikes)).abs();
        tmn_all.add(num);
        if 2 * pow_t * i128::from(v).abs() <= i128::from(vth) * (2 * pow_t - 1) {
            tmn_reach.add(num);
        }
    }
    let mut if_rate = Errors::new(t as i128);
    for v in spaced(0, vth, n_values) {
        let tr = if_neuron::run(vth, 0, golden_model::Reset::Subtract, &vec![v; t], 62);
        let n: i128 = tr.spikes.iter().map(|&s| i128::from(s)).sum();
        // |v - n*vth/T| * T
        if_rate.add((t as i128 * i128::from(v) - n * i128::from(vth)).abs());
    }
    Row {
        t,
        tmn_all,
        tmn_reach,
        if_rate,
    }
}

pub fn run(a: Args) -> Result<()> {
    if !golden_model::config::limits::is_tmn_vth(a.vth) {
        let q = golden_model::config::limits::TMN_Q;
        bail!(
            "--vth: {} is not a power of two in 2^{}..=2^{} (TMN needs vth = 2^q)",
            a.vth,
            q.0,
            q.1
        );
    }
    if a.values < 2 {
        bail!("--values: {} is below the accepted minimum of 2", a.values);
    }
    let vth = a.vth as f64;
    let rows: Vec<Row> = (a.timesteps.0..=a.timesteps.1)
        .map(|t| measure(a.vth, t, a.values))
        .collect();
    let mut csv = String::from(
        "timesteps,vth,values,tmn_max_abs_err,tmn_mean_abs_err,tmn_max_abs_err_within_reach,tmn_bound,if_max_abs_err,if_mean_abs_err,if_bound\n",
    );
    println!(
        "Encoding {} values, vth = {}: TMN over [-vth, vth] (I[0] = 2v), IF rate coding over [0, vth].",
        a.values, a.vth
    );
    println!(
        "Errors are absolute, in units of the value (vth = {}).",
        a.vth
    );
    println!(
        "{:>3} | {:>12} {:>12} {:>14} {:>14} | {:>12} {:>12} {:>12} | {:>8}",
        "T",
        "TMN max",
        "TMN mean",
        "TMN max reach",
        "vth*2^-(T+1)",
        "IF max",
        "IF mean",
        "vth/T",
        "IF/TMN"
    );
    for r in &rows {
        let tmn_bound = vth / 2f64.powi(r.t as i32 + 1);
        let if_bound = vth / r.t as f64;
        println!(
            "{:>3} | {:>12.4} {:>12.4} {:>14.4} {:>14.4} | {:>12.4} {:>12.4} {:>12.4} | {:>8.1}",
            r.t,
            r.tmn_all.max(),
            r.tmn_all.mean(),
            r.tmn_reach.max(),
            tmn_bound,
            r.if_rate.max(),
            r.if_rate.mean(),
            if_bound,
            r.if_rate.mean() / r.tmn_all.mean().max(f64::MIN_POSITIVE),
        );
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{}",
            r.t,
            a.vth,
            a.values,
            r.tmn_all.max(),
            r.tmn_all.mean(),
            r.tmn_reach.max(),
            tmn_bound,
            r.if_rate.max(),
            r.if_rate.mean(),
            if_bound
        )?;
    }
    println!(
        "TMN max reach: values with |v| <= vth(1 - 2^-(T+1)); at v = +-vth the TMN error is vth*2^-T (one code step past the largest code)."
    );
    write_atomic(&a.csv, csv.as_bytes())?;
    println!("wrote {}", a.csv.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The TMN headline claim: within the codes' reach, T steps give an error of
    /// at most vth * 2^-(T+1); at the ends of [-vth, vth] exactly vth * 2^-T.
    #[test]
    fn tmn_bound_holds_for_t_1_to_12() {
        let vth = 1i64 << 16;
        for t in 1..=12 {
            let r = measure(vth, t, 4097);
            // max_num / 2^T <= vth / 2^(T+1)  <=>  2 * max_num <= vth
            assert!(
                2 * r.tmn_reach.max_num <= i128::from(vth),
                "T = {t}: TMN error {} exceeds vth*2^-(T+1)",
                r.tmn_reach.max()
            );
            assert_eq!(
                r.tmn_all.max_num,
                i128::from(vth),
                "T = {t}: error at v = +-vth"
            );
            // The reach covers a fraction 1 - 2^-(T+1) of the evenly spaced values.
            let want = 4097.0 * (1.0 - 0.5f64.powi(t as i32 + 1));
            assert!(
                r.tmn_reach.count as f64 >= want - 2.0,
                "T = {t}: too few values in reach"
            );
        }
    }

    #[test]
    fn if_rate_coding_error_is_below_vth_over_t() {
        let vth = 1i64 << 16;
        for t in [1, 2, 5, 12] {
            let r = measure(vth, t, 2049);
            assert!(r.if_rate.max_num < i128::from(vth), "T = {t}");
        }
    }

    #[test]
    fn tmn_beats_rate_coding_from_t_3() {
        for t in 3..=12 {
            let r = measure(1 << 16, t, 1025);
            assert!(r.tmn_all.mean() < r.if_rate.mean(), "T = {t}");
        }
    }

    #[test]
    fn range_argument() {
        assert_eq!(parse_range("1..16"), Ok((1, 16)));
        assert_eq!(parse_range("4"), Ok((4, 4)));
        assert_eq!(parse_range("2..=5"), Ok((2, 5)));
        assert!(parse_range("0..3").is_err());
        assert!(parse_range("5..2").is_err());
    }
}
