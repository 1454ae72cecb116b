//! `snn_tmn`: the Ternary Momentum Neuron (SPEC section 4). The membrane is
//! doubled (shifted left), then integrates: `m = 2u + I + [t==0]b`;
//! `s = +1 if m >= vth/2, -1 if m <= -vth/2, else 0` (ties fire);
//! `u = m - s*vth`. Latency [`LATENCY`].
//!
//! Input stage `a` registers `c = I + [t==0]b` (the bias enters once);
//! stage `b` registers `c`, `c - vth` and `c + vth`. In the loop,
//! `m = 2u + c` with `u` the loop register (0 at step 0). Three carry chains
//! run in parallel from `2u` and stage `b`: `m`, `m - vth` and `m + vth`
//! (W bits: `m - vth` is exact when `m >= 0`, `m + vth` when `m < 0`, the
//! only cases that read them, as `|m| < 2^(W-1)` and `vth < 2^(W-1)`). The spike needs no chain
//! of its own (`vth = 2^q`, `θ = 2^(q-1)`): for `m >= 0` it is +1 when
//! `m - vth >= 0` or bit q-1 of `m` is set (`0 <= m < vth`: `m >= θ`); for
//! `m < 0` it is -1 when `m + vth < 0` or the low q bits of `m` (those of
//! `m + vth` in `[0, vth)`) are at most θ. The sign of each side chain and
//! its condition fit the chain's top LUT, so a two-level select follows the
//! chains; the low q bits of all three candidates are those of `m`.

use crate::membrane::{
    ext, finish, internal_bits, plus_const_bits, sink, start, sum, Stage, StageA,
};
use crate::verilog::ast::{Decl, Expr, Item, Module};
use golden_model::{LayerConfig, Neuron};

/// Latency of `snn_tmn` in `en` cycles: input stages `a` and `b`, the loop.
pub const LATENCY: usize = 3;

pub fn snn_tmn(cfg: &LayerConfig) -> Module {
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
        StageA::new("c", cb, Expr::id("a_c"), "c"),
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
    );
    let q = vth.trailing_zeros();
    m.push(
        Decl::wire("op_w", w)
            .signed()
            .comment("2u at W bits (exact wherever the result is read)"),
    );
    m.push(Item::assign(
        "op_w",
        Expr::concat(vec![Expr::part("u_prev", w - 2, 0), Expr::lit(1, 0)]),
    ));
    sum(
        &mut m,
        "m",
        w,
        Expr::id("op_w"),
        ext("b_c", cb, w),
        "momentum: 2u + c",
    );
    sum(
        &mut m,
        "m_minus_vth",
        w,
        Expr::id("op_w"),
        ext("b_c_mv", sa, w),
        "m - vth: u after a +1 spike; exact when m >= 0",
    );
    sum(
        &mut m,
        "m_plus_vth",
        w,
        Expr::id("op_w"),
        ext("b_c_pv", sa, w),
        "m + vth: u after a -1 spike; exact when m < 0",
    );
    m.push(Decl::wire("m_neg", 1).comment("m < 0"));
    m.push(Item::assign("m_neg", Expr::bit_at("m", w - 1)));
    m.push(Decl::wire("low_le_theta", 1).comment(format!(
        "m[{}:0] <= vth/2 (ties fire): m <= -vth/2 when -vth <= m < 0",
        q - 1
    )));
    let low_le = if q == 1 {
        Expr::lit(1, 1)
    } else {
        Expr::lor(
            Expr::lnot(Expr::bit_at("m", q - 1)),
            Expr::lnot(Expr::red_or(Expr::part("m", q - 2, 0))),
        )
    };
    m.push(Item::assign("low_le_theta", low_le));
    m.push(Decl::wire("go_pos", 1).comment("if m >= 0: m >= vth/2"));
    m.push(Decl::wire("go_neg", 1).comment("if m < 0: m <= -vth/2"));
    m.push(Item::assign(
        "go_pos",
        Expr::lor(
            Expr::lnot(Expr::bit_at("m_minus_vth", w - 1)),
            Expr::bit_at("m", q - 1),
        ),
    ));
    m.push(Item::assign(
        "go_neg",
        Expr::lor(Expr::bit_at("m_plus_vth", w - 1), Expr::id("low_le_theta")),
    ));
    m.push(Decl::wire("fire_pos", 1).comment("m >= vth/2"));
    m.push(Decl::wire("fire_neg", 1).comment("m <= -vth/2"));
    m.push(Item::assign(
        "fire_pos",
        Expr::land(Expr::lnot(Expr::id("m_neg")), Expr::id("go_pos")),
    ));
    m.push(Item::assign(
        "fire_neg",
        Expr::land(Expr::id("m_neg"), Expr::id("go_neg")),
    ));
    sink(
        &mut m,
        "low",
        Expr::concat(vec![
            Expr::bit_at("u_prev", w - 1),
            Expr::part("m_minus_vth", q - 1, 0),
            Expr::part("m_plus_vth", q - 1, 0),
        ]),
        "2u drops u's top bit (m fits W bits); the low q bits of m -+ vth are m's",
    );
    m.push(Decl::wire("u_after", w).signed().comment("m - s*vth"));
    let hi = |n: &str| Expr::part(n, w - 1, q);
    let upper = Expr::mux(
        Expr::id("m_neg"),
        Expr::mux(Expr::id("go_neg"), hi("m_plus_vth"), hi("m")),
        Expr::mux(Expr::id("go_pos"), hi("m_minus_vth"), hi("m")),
    );
    m.push(Item::assign(
        "u_after",
        Expr::concat(vec![upper, Expr::part("m", q - 1, 0)]),
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
