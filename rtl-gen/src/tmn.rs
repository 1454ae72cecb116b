//! `snn_tmn`: the Ternary Momentum Neuron (SPEC section 4). The membrane is
//! doubled (shifted left), then integrates: `m = 2u + I + [t==0]b`;
//! `s = +1 if m >= vth/2, -1 if m <= -vth/2, else 0` (ties fire);
//! `u = m - s*vth`. Latency [`LATENCY`].
//!
//! Input stage `a` registers `c = I + [t==0]b` (the bias enters once);
//! stage `b` registers `c - vth` and `c + vth`. In the loop, with `u` the
//! loop register (0 at step 0) and `m = 2u + c`, two carry chains run in
//! parallel: `m - vth` and `m + vth` (W+1 bits, exact). With `vth = 2^q` and
//! `θ = vth/2` they decide everything: `m >= vth` gives +1 and `u = m - vth`;
//! `m < -vth` gives -1 and `u = m + vth`; otherwise `m + vth` is in
//! `[0, 2vth)`, its bit q is the sign of m and its low q bits are m's, so the
//! spike is +1 when `m >= 0` and bit q-1 is set, -1 when `m < 0` and the low
//! bits are at most θ, and `u` is in `(-θ, θ]`: its bits from q up are all
//! equal (ones when it is negative) and its low q bits are m's. A two-level
//! select follows the chains.

use crate::membrane::{
    ext, finish, internal_bits, plus_const_bits, sink, start, sum, Stage, StageA,
};
use crate::unit::StateSource;
use crate::verilog::ast::{Decl, Expr, Item, Module};
use golden_model::{LayerConfig, Neuron};

/// Latency of `snn_tmn` in `en` cycles: input stages `a` and `b`, the loop.
pub const LATENCY: usize = 3;

/// The `tmn` unit of the unrolled core: one per column, its membrane in its
/// own register.
pub fn snn_tmn(cfg: &LayerConfig) -> Module {
    snn_tmn_unit(cfg, StateSource::Loop)
}

/// The `tmn` unit with its membrane from `src`.
pub fn snn_tmn_unit(cfg: &LayerConfig, src: StateSource) -> Module {
    let Neuron::Tmn { vth } = cfg.neuron else {
        panic!("snn_tmn needs a tmn layer")
    };
    let w = internal_bits(cfg);
    let wd = cfg.widths();
    let (a, cb, wb) = (wd.synaptic_bits, wd.current_bits, cfg.weight_bits);
    let sa = plus_const_bits(cb, vth as u64, w);
    let plus = |k: i64| Expr::add(ext("a_c", cb, sa), Expr::slit(sa, k));
    let stage_a = vec![StageA::new(
        "c",
        cb,
        Expr::add(
            ext("in_current", a, cb),
            Expr::mux(
                Expr::eq(
                    Expr::id("in_step"),
                    Expr::lit(crate::unit::step_bits(cfg.timesteps), 0),
                ),
                ext("bias", wb, cb),
                Expr::slit(cb, 0),
            ),
        ),
        "c = I + b at step 0, I after",
    )];
    let stage_b = vec![
        StageA::new("c_mv", sa, plus(-vth), format!("c - vth = c - {vth}")),
        StageA::new("c_pv", sa, plus(vth), format!("c + vth = c + {vth}")),
    ];
    let mut m = start(
        "snn_tmn",
        cfg,
        vec![
            Stage {
                prefix: "a",
                regs: stage_a,
            },
            Stage {
                prefix: "b",
                regs: stage_b,
            },
        ],
        src,
    );
    let q = vth.trailing_zeros();
    m.push(Decl::wire("op", w + 1).signed().comment("2u"));
    m.push(Item::assign(
        "op",
        Expr::concat(vec![Expr::id("u_prev"), Expr::lit(1, 0)]),
    ));
    sum(
        &mut m,
        "m_minus_vth",
        w + 1,
        Expr::id("op"),
        ext("b_c_mv", sa, w + 1),
        "m - vth, exact (m = 2u + c)",
    );
    sum(
        &mut m,
        "m_plus_vth",
        w + 1,
        Expr::id("op"),
        ext("b_c_pv", sa, w + 1),
        "m + vth, exact",
    );
    m.push(Decl::wire("big_pos", 1).comment("m >= vth"));
    m.push(Decl::wire("big_neg", 1).comment("m < -vth"));
    m.push(Item::assign(
        "big_pos",
        Expr::lnot(Expr::bit_at("m_minus_vth", w)),
    ));
    m.push(Item::assign("big_neg", Expr::bit_at("m_plus_vth", w)));
    m.push(Decl::wire("low", q).comment(format!(
        "m[{}:0]: the low q bits of m, m - vth and m + vth",
        q - 1
    )));
    m.push(Item::assign("low", Expr::part("m_plus_vth", q - 1, 0)));
    sink(
        &mut m,
        "low",
        Expr::part("m_minus_vth", q - 1, 0),
        "the low q bits of m - vth are those of m + vth",
    );
    m.push(
        Decl::wire("mid_nonneg", 1).comment("for -vth <= m < vth (m + vth in [0, 2vth)): m >= 0"),
    );
    m.push(Item::assign("mid_nonneg", Expr::bit_at("m_plus_vth", q)));
    m.push(Decl::wire("low_ge_theta", 1).comment("for 0 <= m < vth: m >= vth/2 (ties fire)"));
    // A one-bit net has no bit select in Verilog.
    let low_top = if q == 1 {
        Expr::id("low")
    } else {
        Expr::bit_at("low", q - 1)
    };
    m.push(Item::assign("low_ge_theta", low_top.clone()));
    m.push(
        Decl::wire("low_le_theta", 1)
            .comment("for -vth <= m < 0: m <= -vth/2 (ties fire), i.e. m + vth <= vth/2"),
    );
    let low_le = if q == 1 {
        Expr::lit(1, 1)
    } else {
        Expr::lor(
            Expr::lnot(low_top),
            Expr::lnot(Expr::red_or(Expr::part("low", q - 2, 0))),
        )
    };
    m.push(Item::assign("low_le_theta", low_le));
    m.push(Decl::wire("mid_ones", 1).comment(
        "for -vth <= m < vth: u is in (-vth/2, vth/2]; its bits from q up are all ones (u < 0)",
    ));
    m.push(Item::assign(
        "mid_ones",
        Expr::mux(
            Expr::id("mid_nonneg"),
            Expr::id("low_ge_theta"),
            Expr::lnot(Expr::id("low_le_theta")),
        ),
    ));
    m.push(Decl::wire("fire_pos", 1).comment("m >= vth/2"));
    m.push(Decl::wire("fire_neg", 1).comment("m <= -vth/2"));
    m.push(Item::assign(
        "fire_pos",
        Expr::lor(
            Expr::id("big_pos"),
            Expr::land(
                Expr::land(Expr::lnot(Expr::id("big_neg")), Expr::id("mid_nonneg")),
                Expr::id("low_ge_theta"),
            ),
        ),
    ));
    m.push(Item::assign(
        "fire_neg",
        Expr::lor(
            Expr::id("big_neg"),
            Expr::land(
                Expr::land(
                    Expr::lnot(Expr::id("big_pos")),
                    Expr::lnot(Expr::id("mid_nonneg")),
                ),
                Expr::id("low_le_theta"),
            ),
        ),
    ));
    m.push(Decl::wire("u_after", w).signed().comment("m - s*vth"));
    let hi = |n: &str| Expr::part(n, w - 1, q);
    m.push(Item::assign(
        "u_after",
        Expr::concat(vec![
            Expr::mux(
                Expr::id("big_pos"),
                hi("m_minus_vth"),
                Expr::mux(
                    Expr::id("big_neg"),
                    hi("m_plus_vth"),
                    Expr::repl(w - q, Expr::id("mid_ones")),
                ),
            ),
            Expr::id("low"),
        ]),
    ));
    // +1 = 01, -1 = 11, 0 = 00: bit 1 is fire_neg, bit 0 is either.
    finish(
        m,
        cfg,
        "b",
        Expr::concat(vec![
            Expr::id("fire_neg"),
            Expr::lor(Expr::id("fire_pos"), Expr::id("fire_neg")),
        ]),
    )
}
