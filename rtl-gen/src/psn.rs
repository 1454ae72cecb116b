//! PSN-family neuron units (docs/core.md, "Neuron units"; SPEC section 4):
//! `snn_psn` (full, not causal), `snn_psn_masked` and `snn_psn_sliding`
//! (causal); latencies in [`latency`].
//!
//! Every unit computes `c = in_current + bias` at `CB` bits (registered:
//! stage `a`), multiplies it by PSN weights at `CB + PWB` bits (exact;
//! registered: stage `b`), sums at the derived `H` width (no overflow
//! possible), then, only when the layer forces a narrower
//! `state_bits`, saturates `H` to `SB` bits and raises `out_overflow`. The
//! spike compares the saturated `H` with the threshold (ties fire), exactly
//! as `golden_model::neuron::psn` does.
//!
//! Besides the shared unit ports ([`unit::with_unit_ports`]) each unit takes
//! two static configuration buses: `psn_weights` (entry `n` of
//! [`unit::psn_weight_entries`] at bits `[n*PWB +: PWB]`) and
//! `psn_thresholds` (threshold `n` at `[n*SB +: SB]`).

use std::collections::HashMap;

use crate::unit;
use crate::verilog::ast::{CaseArm, Decl, Expr, Item, Module, Stmt};
use golden_model::{LayerConfig, Neuron};

/// Unit latency in `en` cycles (see [`crate::unit::latency`]): 3 for the
/// causal units (stage `a`: `c = I + b` and the step's weights; stage `b`:
/// the products; then the sum, saturation and compare into the output
/// registers); 4 for full `psn`, from its last current to its first output
/// (stage `a`, stage `b`, the accumulators, then the output buffer).
pub fn latency(cfg: &LayerConfig) -> usize {
    if matches!(cfg.neuron, Neuron::Psn { .. }) {
        4
    } else {
        3
    }
}

/// The widths one PSN unit is built from.
#[derive(Debug, Clone, Copy)]
struct Dims {
    /// Timesteps T.
    t: usize,
    /// Timestep index bits.
    tw: u32,
    /// `in_current` (synaptic) bits.
    a: u32,
    /// `bias` bits.
    wb: u32,
    /// `c = I + b` bits.
    cb: u32,
    /// PSN weight bits.
    pwb: u32,
    /// One product `P * c`: `CB + PWB` bits, exact.
    pb: u32,
    /// The derived `H` width: sums of products never overflow it.
    db: u32,
    /// The state register width (`out_state`); `< db` only when forced.
    sb: u32,
}

impl Dims {
    fn of(cfg: &LayerConfig) -> Dims {
        let w = cfg.widths();
        let d = Dims {
            t: cfg.timesteps,
            tw: unit::step_bits(cfg.timesteps),
            a: w.synaptic_bits,
            wb: cfg.weight_bits,
            cb: w.current_bits,
            pwb: cfg.psn_weight_bits,
            pb: w.current_bits + cfg.psn_weight_bits,
            db: w.derived_state_bits,
            sb: w.state_bits,
        };
        assert!(
            d.cb > d.a && d.cb > d.wb && d.db > d.pb && d.sb <= d.db,
            "PSN unit widths out of order: {d:?}"
        );
        d
    }

    /// True when the state register is narrower than `H` (saturation logic).
    fn saturates(&self) -> bool {
        self.sb < self.db
    }

    /// `TW`-bit literal of a timestep index.
    fn step(&self, t: usize) -> Expr {
        Expr::lit(self.tw, t as i64)
    }
}

/// Constant part select of field `n` (each `width` bits) of bus `name`.
fn field(name: &str, n: usize, width: u32) -> Expr {
    let lo = n as u32 * width;
    Expr::part(name, lo + width - 1, lo)
}

/// Index of each PSN weight entry `(t, i)` on the `psn_weights` bus.
fn entry_index(cfg: &LayerConfig) -> HashMap<(usize, usize), usize> {
    unit::psn_weight_entries(cfg)
        .into_iter()
        .enumerate()
        .map(|(n, e)| (e, n))
        .collect()
}

/// The shared ports, the two PSN buses and `c = in_current + bias`.
fn unit_head(name: &str, cfg: &LayerConfig, d: Dims) -> Module {
    let n_w = unit::psn_weight_entries(cfg).len() as u32;
    let n_b = unit::psn_threshold_count(cfg) as u32;
    let mut m = unit::with_unit_ports(Module::new(name), cfg, unit::StateSource::Loop)
        .input(
            "psn_weights",
            n_w * d.pwb,
            false,
            format!(
                "{n_w} signed {}-bit PSN weights, entry n at [n*{} +: {}]",
                d.pwb, d.pwb, d.pwb
            ),
        )
        .input(
            "psn_thresholds",
            n_b * d.sb,
            false,
            format!(
                "{n_b} signed {}-bit thresholds, threshold n at [n*{} +: {}]",
                d.sb, d.sb, d.sb
            ),
        );
    m.push(
        Decl::wire("cur", d.cb)
            .signed()
            .comment("c = in_current + bias, exact"),
    );
    m.push(Item::assign(
        "cur",
        Expr::add(
            Expr::signed(Expr::sext("in_current", d.a, d.cb)),
            Expr::signed(Expr::sext("bias", d.wb, d.cb)),
        ),
    ));
    m
}

/// Declares `wire signed [PB-1:0] name = weight * value` (both signed,
/// `weight` PWB bits, `value` CB bits; sign-extended so the product is exact).
fn product(m: &mut Module, d: Dims, name: &str, weight: &str, value: &str, comment: &str) {
    m.push(Decl::wire(name, d.pb).signed().comment(comment));
    m.push(Item::assign(
        name,
        Expr::mul(
            Expr::signed(Expr::sext(weight, d.pwb, d.pb)),
            Expr::signed(Expr::sext(value, d.cb, d.pb)),
        ),
    ));
}

/// A product sign-extended to the `H` width.
fn widened(d: Dims, prod: &str) -> Expr {
    Expr::signed(Expr::sext(prod, d.pb, d.db))
}

/// From the exact `H` (net `h`, DB bits) and the selected threshold (net
/// `thr`, SB bits): declares `h_sat` (when saturating), `h_ovf` and `fire`.
/// Returns `(state, overflow)` expressions for the output registers.
fn saturate_and_fire(m: &mut Module, d: Dims) -> (Expr, Expr) {
    let (state, ovf) = if d.saturates() {
        let top = || Expr::part("h", d.db - 1, d.sb - 1);
        m.push(
            Decl::wire("h_ovf", 1).comment(format!("H does not fit the forced {}-bit state", d.sb)),
        );
        m.push(Item::assign(
            "h_ovf",
            Expr::and(Expr::red_or(top()), Expr::not(Expr::red_and(top()))),
        ));
        m.push(
            Decl::wire("h_sat", d.sb)
                .signed()
                .comment("H saturated to the state width"),
        );
        let lim = 1i64 << (d.sb - 1);
        m.push(Item::assign(
            "h_sat",
            Expr::mux(
                Expr::id("h_ovf"),
                Expr::mux(
                    Expr::bit_at("h", d.db - 1),
                    Expr::slit(d.sb, -lim),
                    Expr::slit(d.sb, lim - 1),
                ),
                Expr::signed(Expr::part("h", d.sb - 1, 0)),
            ),
        ));
        (Expr::id("h_sat"), Expr::id("h_ovf"))
    } else {
        (Expr::id("h"), Expr::lit(1, 0))
    };
    m.push(Decl::wire("fire", 1).comment("H >= threshold (ties fire)"));
    m.push(Item::assign(
        "fire",
        Expr::ge(state.clone(), Expr::id("thr")),
    ));
    (state, ovf)
}

/// Output register updates for one emitted step.
fn emit(step: Expr, state: Expr, ovf: Expr) -> Vec<Stmt> {
    vec![
        Stmt::nb("out_step", step),
        Stmt::nb(
            "out_spike",
            Expr::concat(vec![Expr::lit(1, 0), Expr::id("fire")]),
        ),
        Stmt::nb("out_state", state),
        Stmt::nb("out_overflow", ovf),
    ]
}

/// `name <= value` statements.
fn loads(pairs: Vec<(String, Expr)>) -> Vec<Stmt> {
    pairs.into_iter().map(|(n, e)| Stmt::nb(n, e)).collect()
}

/// A pipeline stage `p`: `<p>_valid` follows `from_valid` on every `en`
/// cycle; when `from_valid`, `<p>_step` takes `from_step` and each
/// `(register, value)` of `regs` (declared by the caller) loads.
fn stage(m: &mut Module, d: Dims, p: &str, from: (&str, &str), regs: Vec<(String, Expr)>) {
    let (v, st) = (format!("{p}_valid"), format!("{p}_step"));
    m.push(Decl::reg(v.as_str(), 1).comment(format!("stage {p} holds a step")));
    m.push(Decl::reg(st.as_str(), d.tw).comment("its timestep"));
    let mut load = vec![Stmt::nb(st.as_str(), Expr::id(from.1))];
    load.extend(loads(regs));
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![Stmt::nb(v.as_str(), Expr::lit(1, 0))],
            vec![Stmt::if_then(
                Expr::id("en"),
                vec![
                    Stmt::nb(v.as_str(), Expr::id(from.0)),
                    Stmt::if_then(Expr::id(from.0), load),
                ],
            )],
        )],
    ));
}

/// History registers `hist_1 .. hist_{depth-1}` (`hist_j` = the `c` of the
/// step j valid steps before the one in stage `a`), shifted as stage `a`'s
/// step moves on; `clear` also clears them on `rst`.
fn history(m: &mut Module, d: Dims, depth: usize, clear: bool) {
    if depth < 2 {
        return;
    }
    let mut shift = Vec::new();
    let mut on_rst = Vec::new();
    for h in 1..depth {
        let name = format!("hist_{h}");
        m.push(
            Decl::reg(name.as_str(), d.cb)
                .signed()
                .comment(format!("c of {h} valid step(s) before stage a's")),
        );
        let src = if h == 1 {
            "a_cur".to_string()
        } else {
            format!("hist_{}", h - 1)
        };
        shift.push(Stmt::nb(name.as_str(), Expr::id(src)));
        on_rst.push(Stmt::nb(name.as_str(), Expr::slit(d.cb, 0)));
    }
    let advance = Stmt::if_then(Expr::land(Expr::id("en"), Expr::id("a_valid")), shift);
    let body = if clear {
        vec![Stmt::if_else(Expr::id("rst"), on_rst, vec![advance])]
    } else {
        vec![advance]
    };
    m.push(Item::always_ff("clk", body));
}

/// Sum of the registered products `b_prod_0..` at the `H` width: `assign h = ...`.
fn sum_terms(m: &mut Module, d: Dims, terms: usize) {
    m.push(Decl::wire("h", d.db).signed().comment("H[t], exact"));
    let sum = (1..terms).fold(widened(d, "b_prod_0"), |acc, j| {
        Expr::add(acc, widened(d, &format!("b_prod_{j}")))
    });
    m.push(Item::assign("h", sum));
}

/// Registers of stage `b` for `terms` products `prod_j` (declared).
fn product_regs(m: &mut Module, d: Dims, terms: usize) -> Vec<(String, Expr)> {
    (0..terms)
        .map(|j| {
            let r = format!("b_prod_{j}");
            m.push(
                Decl::reg(r.as_str(), d.pb)
                    .signed()
                    .comment(format!("prod_{j}, registered")),
            );
            (r, Expr::id(format!("prod_{j}")))
        })
        .collect()
}

/// The output registers of a causal unit, written from stage `b`.
fn causal_out(state: Expr, ovf: Expr) -> Item {
    Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![Stmt::nb("out_valid", Expr::lit(1, 0))],
            vec![Stmt::if_then(
                Expr::id("en"),
                vec![
                    Stmt::nb("out_valid", Expr::id("b_valid")),
                    Stmt::if_then(Expr::id("b_valid"), emit(Expr::id("b_step"), state, ovf)),
                ],
            )],
        )],
    )
}

/// Full PSN: `H[t] = sum_i P[t][i] * c[i]` over all T steps (not causal).
///
/// Stage `a` registers `c` and column `in_step` of `P`; stage `b` the T
/// products; then one accumulator per step `t` (`acc_t<t>`) adds its
/// product (restarting at step 0). The cycle step T-1 is accumulated, the
/// complete `H[0..T-1]` is copied to `buf_t<t>`, which the unit emits as
/// steps 0..T-1 on the next T `en` cycles while the next sample
/// accumulates.
pub fn snn_psn(cfg: &LayerConfig) -> Module {
    assert!(
        matches!(cfg.neuron, Neuron::Psn { .. }),
        "snn_psn needs a psn layer, not {}",
        cfg.neuron.kind()
    );
    let d = Dims::of(cfg);
    let t_n = d.t;
    let idx = entry_index(cfg);
    let mut m = unit_head("snn_psn", cfg, d);

    // Column in_step of P: wcol_t<t> = P[t][in_step].
    m.push(Item::Blank);
    for t in 0..t_n {
        m.push(
            Decl::reg(format!("wcol_t{t}"), d.pwb)
                .signed()
                .comment(format!("P[{t}][in_step]")),
        );
    }
    let mut body: Vec<Stmt> = (0..t_n)
        .map(|t| Stmt::set(format!("wcol_t{t}"), Expr::slit(d.pwb, 0)))
        .collect();
    body.push(Stmt::case(
        Expr::id("in_step"),
        (0..t_n)
            .map(|i| {
                CaseArm::new(
                    d.step(i),
                    (0..t_n)
                        .map(|t| {
                            Stmt::set(
                                format!("wcol_t{t}"),
                                Expr::signed(field("psn_weights", idx[&(t, i)], d.pwb)),
                            )
                        })
                        .collect(),
                )
            })
            .collect(),
        Some(vec![]),
    ));
    m.push(Item::always_comb(body));

    // Stage a: c and the column.
    m.push(Item::Blank);
    m.push(Decl::reg("a_cur", d.cb).signed().comment("c, registered"));
    let mut regs = vec![("a_cur".to_string(), Expr::id("cur"))];
    for t in 0..t_n {
        let r = format!("a_wcol_t{t}");
        m.push(
            Decl::reg(r.as_str(), d.pwb)
                .signed()
                .comment(format!("P[{t}][step], registered")),
        );
        regs.push((r, Expr::id(format!("wcol_t{t}"))));
    }
    stage(&mut m, d, "a", ("in_valid", "in_step"), regs);

    // Stage b: the products.
    m.push(Item::Blank);
    for t in 0..t_n {
        product(
            &mut m,
            d,
            &format!("prod_{t}"),
            &format!("a_wcol_t{t}"),
            "a_cur",
            &format!("P[{t}][step] * c"),
        );
    }
    let regs = product_regs(&mut m, d, t_n);
    stage(&mut m, d, "b", ("a_valid", "a_step"), regs);

    // The running sums, this step included.
    m.push(Item::Blank);
    if t_n > 1 {
        m.push(Decl::wire("first_b", 1).comment("stage b holds step 0: a new sample starts"));
        m.push(Item::assign(
            "first_b",
            Expr::eq(Expr::id("b_step"), d.step(0)),
        ));
    }
    for t in 0..t_n {
        let name = format!("fin_t{t}");
        m.push(
            Decl::wire(name.as_str(), d.db)
                .signed()
                .comment(format!("H[{t}] over the steps so far, stage b's included")),
        );
        let prod = widened(d, &format!("b_prod_{t}"));
        let rhs = if t_n == 1 {
            prod
        } else {
            m.push(
                Decl::reg(format!("acc_t{t}"), d.db)
                    .signed()
                    .comment(format!("H[{t}] over the steps before stage b's")),
            );
            Expr::add(
                Expr::mux(
                    Expr::id("first_b"),
                    Expr::slit(d.db, 0),
                    Expr::id(format!("acc_t{t}")),
                ),
                prod,
            )
        };
        m.push(Item::assign(name.as_str(), rhs));
    }

    // Output side: the buffer of H[0..T-1] and which step is emitted.
    m.push(Item::Blank);
    for t in 0..t_n {
        m.push(
            Decl::reg(format!("buf_t{t}"), d.db)
                .signed()
                .comment(format!("H[{t}] of the sample being emitted")),
        );
    }
    m.push(Decl::reg("busy", 1).comment("buffered steps remain to be emitted"));
    m.push(Decl::reg("emit_step", d.tw).comment("the buffered step emitted next"));
    m.push(Decl::wire("last_b", 1).comment("stage b holds step T-1: H is complete"));
    m.push(Item::assign(
        "last_b",
        Expr::land(
            Expr::id("b_valid"),
            Expr::eq(Expr::id("b_step"), d.step(t_n - 1)),
        ),
    ));
    m.push(Decl::reg("h", d.db).signed().comment("H[emit_step], exact"));
    m.push(Decl::reg("thr", d.sb).signed().comment("B[emit_step]"));
    let mut body = vec![
        Stmt::set("h", Expr::id("buf_t0")),
        Stmt::set("thr", Expr::signed(field("psn_thresholds", 0, d.sb))),
    ];
    if t_n > 1 {
        body.push(Stmt::case(
            Expr::id("emit_step"),
            (1..t_n)
                .map(|t| {
                    CaseArm::new(
                        d.step(t),
                        vec![
                            Stmt::set("h", Expr::id(format!("buf_t{t}"))),
                            Stmt::set("thr", Expr::signed(field("psn_thresholds", t, d.sb))),
                        ],
                    )
                })
                .collect(),
            Some(vec![]),
        ));
    }
    m.push(Item::always_comb(body));
    let (state, ovf) = saturate_and_fire(&mut m, d);

    // Registers.
    m.push(Item::Blank);
    let accumulate: Vec<Stmt> = if t_n == 1 {
        vec![]
    } else {
        (0..t_n)
            .map(|t| Stmt::nb(format!("acc_t{t}"), Expr::id(format!("fin_t{t}"))))
            .collect()
    };
    let mut load: Vec<Stmt> = (0..t_n)
        .map(|t| Stmt::nb(format!("buf_t{t}"), Expr::id(format!("fin_t{t}"))))
        .collect();
    load.push(Stmt::nb("emit_step", d.step(0)));
    load.push(Stmt::nb("busy", Expr::lit(1, 1)));
    let advance = if t_n == 1 {
        vec![Stmt::nb("busy", Expr::lit(1, 0))]
    } else {
        vec![
            Stmt::nb(
                "emit_step",
                Expr::add(Expr::id("emit_step"), Expr::lit(d.tw, 1)),
            ),
            Stmt::nb("busy", Expr::ne(Expr::id("emit_step"), d.step(t_n - 1))),
        ]
    };
    let mut on_en = vec![
        Stmt::nb("out_valid", Expr::id("busy")),
        Stmt::if_then(Expr::id("busy"), emit(Expr::id("emit_step"), state, ovf)),
    ];
    if !accumulate.is_empty() {
        on_en.push(Stmt::if_then(Expr::id("b_valid"), accumulate));
    }
    on_en.push(Stmt::if_else(
        Expr::id("last_b"),
        load,
        vec![Stmt::if_then(Expr::id("busy"), advance)],
    ));
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![
                Stmt::nb("out_valid", Expr::lit(1, 0)),
                Stmt::nb("busy", Expr::lit(1, 0)),
            ],
            vec![Stmt::if_then(Expr::id("en"), on_en)],
        )],
    ));
    m
}

/// Masked PSN of order k: `H[t] = sum_{t-k < i <= t} P[t][i] * c[i]`, causal.
///
/// Term `j` (`j = 0..min(k,T)-1` steps back) multiplies `P[t][t-j]`,
/// selected by a case on `in_step` into stage `a` and 0 when `j > t`, so
/// history older than step 0 of this sample never counts. `rst` also clears
/// the history so a 4-state simulation never multiplies 0 by X.
pub fn snn_psn_masked(cfg: &LayerConfig) -> Module {
    let Neuron::MaskedPsn { k, .. } = cfg.neuron else {
        panic!(
            "snn_psn_masked needs a masked_psn layer, not {}",
            cfg.neuron.kind()
        );
    };
    let d = Dims::of(cfg);
    let t_n = d.t;
    let depth = k.min(t_n);
    let idx = entry_index(cfg);
    let mut m = unit_head("snn_psn_masked", cfg, d);

    // Weights of the arriving step's terms and its threshold, by in_step.
    m.push(Item::Blank);
    for j in 0..depth {
        m.push(
            Decl::reg(format!("w_{j}"), d.pwb)
                .signed()
                .comment(format!("P[in_step][in_step-{j}], 0 before step 0")),
        );
    }
    m.push(Decl::reg("thr_in", d.sb).signed().comment("B[in_step]"));
    let mut body: Vec<Stmt> = (0..depth)
        .map(|j| Stmt::set(format!("w_{j}"), Expr::slit(d.pwb, 0)))
        .collect();
    body.push(Stmt::set(
        "thr_in",
        Expr::signed(field("psn_thresholds", 0, d.sb)),
    ));
    body.push(Stmt::case(
        Expr::id("in_step"),
        (0..t_n)
            .map(|t| {
                let mut arm: Vec<Stmt> = (0..depth.min(t + 1))
                    .map(|j| {
                        Stmt::set(
                            format!("w_{j}"),
                            Expr::signed(field("psn_weights", idx[&(t, t - j)], d.pwb)),
                        )
                    })
                    .collect();
                if t > 0 {
                    arm.push(Stmt::set(
                        "thr_in",
                        Expr::signed(field("psn_thresholds", t, d.sb)),
                    ));
                }
                CaseArm::new(d.step(t), arm)
            })
            .collect(),
        Some(vec![]),
    ));
    m.push(Item::always_comb(body));

    // Stage a: c, the weights and the threshold.
    m.push(Item::Blank);
    m.push(Decl::reg("a_cur", d.cb).signed().comment("c, registered"));
    m.push(
        Decl::reg("a_thr", d.sb)
            .signed()
            .comment("B[step], registered"),
    );
    let mut regs = vec![
        ("a_cur".to_string(), Expr::id("cur")),
        ("a_thr".to_string(), Expr::id("thr_in")),
    ];
    for j in 0..depth {
        let r = format!("a_w_{j}");
        m.push(
            Decl::reg(r.as_str(), d.pwb)
                .signed()
                .comment(format!("w_{j}, registered")),
        );
        regs.push((r, Expr::id(format!("w_{j}"))));
    }
    stage(&mut m, d, "a", ("in_valid", "in_step"), regs);
    history(&mut m, d, depth, true);

    // Stage b: the products and the threshold.
    m.push(Item::Blank);
    for j in 0..depth {
        let value = if j == 0 {
            "a_cur".to_string()
        } else {
            format!("hist_{j}")
        };
        product(
            &mut m,
            d,
            &format!("prod_{j}"),
            &format!("a_w_{j}"),
            &value,
            &format!("term of step t-{j}"),
        );
    }
    let mut regs = product_regs(&mut m, d, depth);
    m.push(
        Decl::reg("b_thr", d.sb)
            .signed()
            .comment("B[step], registered"),
    );
    regs.push(("b_thr".to_string(), Expr::id("a_thr")));
    stage(&mut m, d, "b", ("a_valid", "a_step"), regs);

    // Output: the sum, saturation and compare.
    m.push(Item::Blank);
    sum_terms(&mut m, d, depth);
    m.push(Decl::wire("thr", d.sb).signed().comment("B[step]"));
    m.push(Item::assign("thr", Expr::id("b_thr")));
    let (state, ovf) = saturate_and_fire(&mut m, d);
    m.push(Item::Blank);
    m.push(causal_out(state, ovf));
    m
}

/// Sliding PSN of order k: `H[t] = sum_j w[j] * c[t-k+1+j]` with `c[<0] = 0`,
/// causal.
///
/// Term `j` (`j = 0..min(k,T)-1` steps back) multiplies the fixed weight
/// `w[k-1-j]` by `hist_j`, masked to 0 unless `j <= t`.
pub fn snn_psn_sliding(cfg: &LayerConfig) -> Module {
    let Neuron::SlidingPsn { k, .. } = cfg.neuron else {
        panic!(
            "snn_psn_sliding needs a sliding_psn layer, not {}",
            cfg.neuron.kind()
        );
    };
    let d = Dims::of(cfg);
    let depth = k.min(d.t);
    let idx = entry_index(cfg);
    let mut m = unit_head("snn_psn_sliding", cfg, d);

    // Stage a: c.
    m.push(Item::Blank);
    m.push(Decl::reg("a_cur", d.cb).signed().comment("c, registered"));
    stage(
        &mut m,
        d,
        "a",
        ("in_valid", "in_step"),
        vec![("a_cur".to_string(), Expr::id("cur"))],
    );
    history(&mut m, d, depth, false);

    // Stage b: the products.
    m.push(Item::Blank);
    for j in 0..depth {
        let w = format!("w_{j}");
        m.push(
            Decl::wire(w.as_str(), d.pwb)
                .signed()
                .comment(format!("w[{}]", k - 1 - j)),
        );
        m.push(Item::assign(
            w.as_str(),
            Expr::signed(field("psn_weights", idx[&(0, k - 1 - j)], d.pwb)),
        ));
        let value = if j == 0 {
            "a_cur".to_string()
        } else {
            let x = format!("x_{j}");
            m.push(
                Decl::wire(x.as_str(), d.cb)
                    .signed()
                    .comment(format!("c[t-{j}], 0 before step 0")),
            );
            m.push(Item::assign(
                x.as_str(),
                Expr::mux(
                    Expr::ge(Expr::id("a_step"), d.step(j)),
                    Expr::id(format!("hist_{j}")),
                    Expr::slit(d.cb, 0),
                ),
            ));
            x
        };
        product(
            &mut m,
            d,
            &format!("prod_{j}"),
            &w,
            &value,
            &format!("term of step t-{j}"),
        );
    }
    let regs = product_regs(&mut m, d, depth);
    stage(&mut m, d, "b", ("a_valid", "a_step"), regs);

    // Output: the sum, saturation and compare.
    m.push(Item::Blank);
    sum_terms(&mut m, d, depth);
    m.push(Decl::wire("thr", d.sb).signed().comment("B"));
    m.push(Item::assign(
        "thr",
        Expr::signed(field("psn_thresholds", 0, d.sb)),
    ));
    let (state, ovf) = saturate_and_fire(&mut m, d);
    m.push(Item::Blank);
    m.push(causal_out(state, ovf));
    m
}
