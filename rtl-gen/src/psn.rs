//! PSN-family neuron units (docs/core.md, "Neuron units"; SPEC section 4):
//! `snn_psn` (full, not causal), `snn_psn_masked` and `snn_psn_sliding`
//! (causal, latency 1).
//!
//! Every unit computes `c = in_current + bias` at `CB` bits, multiplies it by
//! PSN weights at `CB + PWB` bits (exact), sums at the derived `H` width (no
//! overflow possible), then, only when the layer forces a narrower
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
    let mut m = unit::with_unit_ports(Module::new(name), cfg)
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

/// History registers `hist_1 .. hist_{depth-1}` (`hist_d` = c of d valid
/// steps ago), declared; returns the shift statements.
fn history(m: &mut Module, d: Dims, depth: usize) -> Vec<Stmt> {
    let mut shift = Vec::new();
    for h in 1..depth {
        m.push(
            Decl::reg(format!("hist_{h}"), d.cb)
                .signed()
                .comment(format!("c of {h} valid step(s) ago")),
        );
        let src = if h == 1 {
            "cur".to_string()
        } else {
            format!("hist_{}", h - 1)
        };
        shift.push(Stmt::nb(format!("hist_{h}"), Expr::id(src)));
    }
    shift
}

/// Sum of the terms' products at the `H` width: `assign h = ...`.
fn sum_terms(m: &mut Module, d: Dims, terms: usize) {
    m.push(Decl::wire("h", d.db).signed().comment("H[t], exact"));
    let sum = (1..terms).fold(widened(d, "prod_0"), |acc, j| {
        Expr::add(acc, widened(d, &format!("prod_{j}")))
    });
    m.push(Item::assign("h", sum));
}

/// The clocked block of a causal (latency-1) unit.
fn causal_regs(state: Expr, ovf: Expr, shift: Vec<Stmt>, reset_history: Vec<Stmt>) -> Item {
    let mut on_valid = emit(Expr::id("in_step"), state, ovf);
    on_valid.extend(shift);
    let mut on_rst = vec![Stmt::nb("out_valid", Expr::lit(1, 0))];
    on_rst.extend(reset_history);
    Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            on_rst,
            vec![Stmt::if_then(
                Expr::id("en"),
                vec![
                    Stmt::nb("out_valid", Expr::id("in_valid")),
                    Stmt::if_then(Expr::id("in_valid"), on_valid),
                ],
            )],
        )],
    )
}

/// Full PSN: `H[t] = sum_i P[t][i] * c[i]` over all T steps (not causal).
///
/// One accumulator per step `t` (`acc_t<t>`), all updated as each current
/// arrives with column `in_step` of `P`. The cycle step T-1 arrives, the unit
/// registers the output of step 0 and copies `H[1..T-1]` to `buf_t<t>`,
/// which it emits as steps 1..T-1 on the next T-1 `en` cycles while the next
/// sample accumulates. With T = 1 each current gives its output next cycle.
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

    // Products and the running sums including this step.
    m.push(Item::Blank);
    for t in 0..t_n {
        product(
            &mut m,
            d,
            &format!("prod_t{t}"),
            &format!("wcol_t{t}"),
            "cur",
            &format!("P[{t}][in_step] * c"),
        );
    }
    if t_n > 1 {
        m.push(Decl::wire("first_in", 1).comment("in_step == 0: a new sample starts"));
        m.push(Item::assign(
            "first_in",
            Expr::eq(Expr::id("in_step"), d.step(0)),
        ));
    }
    for t in 0..t_n {
        let name = format!("fin_t{t}");
        m.push(
            Decl::wire(name.as_str(), d.db)
                .signed()
                .comment(format!("H[{t}] over the steps so far, this one included")),
        );
        let prod = widened(d, &format!("prod_t{t}"));
        let rhs = if t_n == 1 {
            prod
        } else {
            m.push(
                Decl::reg(format!("acc_t{t}"), d.db)
                    .signed()
                    .comment(format!("H[{t}] over the steps before this one")),
            );
            Expr::add(
                Expr::mux(
                    Expr::id("first_in"),
                    Expr::slit(d.db, 0),
                    Expr::id(format!("acc_t{t}")),
                ),
                prod,
            )
        };
        m.push(Item::assign(name.as_str(), rhs));
    }

    if t_n == 1 {
        m.push(Item::Blank);
        m.push(Decl::wire("h", d.db).signed().comment("H[0], exact"));
        m.push(Item::assign("h", Expr::id("fin_t0")));
        m.push(Decl::wire("thr", d.sb).signed().comment("B[0]"));
        m.push(Item::assign(
            "thr",
            Expr::signed(field("psn_thresholds", 0, d.sb)),
        ));
        let (state, ovf) = saturate_and_fire(&mut m, d);
        m.push(Item::Blank);
        m.push(causal_regs(state, ovf, vec![], vec![]));
        return m;
    }

    // Output side: the buffer of H[1..T-1] and which step is emitted.
    m.push(Item::Blank);
    for t in 1..t_n {
        m.push(
            Decl::reg(format!("buf_t{t}"), d.db)
                .signed()
                .comment(format!("H[{t}] of the sample being emitted")),
        );
    }
    m.push(Decl::reg("busy", 1).comment("buffered steps remain to be emitted"));
    m.push(Decl::reg("emit_step", d.tw).comment("next buffered step to emit"));
    m.push(Decl::wire("last_in", 1).comment("step T-1 arrives: H is complete"));
    m.push(Item::assign(
        "last_in",
        Expr::land(
            Expr::id("in_valid"),
            Expr::eq(Expr::id("in_step"), d.step(t_n - 1)),
        ),
    ));
    m.push(Decl::wire("out_go", 1).comment("a step is emitted this cycle"));
    m.push(Item::assign(
        "out_go",
        Expr::lor(Expr::id("last_in"), Expr::id("busy")),
    ));
    m.push(Decl::wire("sel", d.tw).comment("the step emitted this cycle"));
    m.push(Item::assign(
        "sel",
        Expr::mux(Expr::id("last_in"), d.step(0), Expr::id("emit_step")),
    ));
    m.push(Decl::reg("h", d.db).signed().comment("H[sel], exact"));
    m.push(Decl::reg("thr", d.sb).signed().comment("B[sel]"));
    let mut body = vec![
        Stmt::set("h", Expr::id("fin_t0")),
        Stmt::set("thr", Expr::signed(field("psn_thresholds", 0, d.sb))),
    ];
    body.push(Stmt::case(
        Expr::id("sel"),
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
    m.push(Item::always_comb(body));
    let (state, ovf) = saturate_and_fire(&mut m, d);

    // Registers.
    m.push(Item::Blank);
    let accumulate: Vec<Stmt> = (0..t_n)
        .map(|t| Stmt::nb(format!("acc_t{t}"), Expr::id(format!("fin_t{t}"))))
        .collect();
    let mut load: Vec<Stmt> = (1..t_n)
        .map(|t| Stmt::nb(format!("buf_t{t}"), Expr::id(format!("fin_t{t}"))))
        .collect();
    load.push(Stmt::nb("emit_step", d.step(1)));
    load.push(Stmt::nb("busy", Expr::lit(1, 1)));
    let advance = vec![
        Stmt::nb(
            "emit_step",
            Expr::add(Expr::id("emit_step"), Expr::lit(d.tw, 1)),
        ),
        Stmt::nb("busy", Expr::ne(Expr::id("emit_step"), d.step(t_n - 1))),
    ];
    let on_en = vec![
        Stmt::nb("out_valid", Expr::id("out_go")),
        Stmt::if_then(Expr::id("out_go"), emit(Expr::id("sel"), state, ovf)),
        Stmt::if_then(Expr::id("in_valid"), accumulate),
        Stmt::if_else(
            Expr::id("last_in"),
            load,
            vec![Stmt::if_then(Expr::id("busy"), advance)],
        ),
    ];
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

/// Masked PSN of order k: `H[t] = sum_{t-k < i <= t} P[t][i] * c[i]`, causal,
/// latency 1.
///
/// Term `d` (`d = 0..min(k,T)-1` steps back) multiplies `P[in_step][in_step-d]`,
/// selected by a case on `in_step` and 0 when `d > in_step`, so history older
/// than step 0 of this sample never counts. `rst` also clears the history so
/// a 4-state simulation never multiplies 0 by X.
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

    m.push(Item::Blank);
    let shift = history(&mut m, d, depth);

    // Weights of this step's terms and its threshold, by in_step.
    m.push(Item::Blank);
    for j in 0..depth {
        m.push(
            Decl::reg(format!("w_{j}"), d.pwb)
                .signed()
                .comment(format!("P[in_step][in_step-{j}], 0 before step 0")),
        );
    }
    m.push(Decl::reg("thr", d.sb).signed().comment("B[in_step]"));
    let mut body: Vec<Stmt> = (0..depth)
        .map(|j| Stmt::set(format!("w_{j}"), Expr::slit(d.pwb, 0)))
        .collect();
    body.push(Stmt::set(
        "thr",
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
                        "thr",
                        Expr::signed(field("psn_thresholds", t, d.sb)),
                    ));
                }
                CaseArm::new(d.step(t), arm)
            })
            .collect(),
        Some(vec![]),
    ));
    m.push(Item::always_comb(body));

    m.push(Item::Blank);
    for j in 0..depth {
        let value = if j == 0 {
            "cur".to_string()
        } else {
            format!("hist_{j}")
        };
        product(
            &mut m,
            d,
            &format!("prod_{j}"),
            &format!("w_{j}"),
            &value,
            &format!("term of step in_step-{j}"),
        );
    }
    sum_terms(&mut m, d, depth);
    let (state, ovf) = saturate_and_fire(&mut m, d);

    m.push(Item::Blank);
    let reset_history = (1..depth)
        .map(|j| Stmt::nb(format!("hist_{j}"), Expr::slit(d.cb, 0)))
        .collect();
    m.push(causal_regs(state, ovf, shift, reset_history));
    m
}

/// Sliding PSN of order k: `H[t] = sum_j w[j] * c[t-k+1+j]` with `c[<0] = 0`,
/// causal, latency 1.
///
/// Term `d` (`d = 0..min(k,T)-1` steps back) multiplies the fixed weight
/// `w[k-1-d]` by `hist_d`, masked to 0 unless `d <= in_step`.
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

    m.push(Item::Blank);
    let shift = history(&mut m, d, depth);

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
            "cur".to_string()
        } else {
            let x = format!("x_{j}");
            m.push(
                Decl::wire(x.as_str(), d.cb)
                    .signed()
                    .comment(format!("c[in_step-{j}], 0 before step 0")),
            );
            m.push(Item::assign(
                x.as_str(),
                Expr::mux(
                    Expr::ge(Expr::id("in_step"), d.step(j)),
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
            &format!("term of step in_step-{j}"),
        );
    }
    sum_terms(&mut m, d, depth);
    m.push(Decl::wire("thr", d.sb).signed().comment("B"));
    m.push(Item::assign(
        "thr",
        Expr::signed(field("psn_thresholds", 0, d.sb)),
    ));
    let (state, ovf) = saturate_and_fire(&mut m, d);

    m.push(Item::Blank);
    m.push(causal_regs(state, ovf, shift, vec![]));
    m
}
