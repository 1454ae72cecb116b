//! `snn_tmn`: the Ternary Momentum Neuron (SPEC section 4). The membrane is
//! doubled (shifted left), then integrates: `m = 2u + I + [t==0]b`;
//! `s = +1 if m >= vth/2, -1 if m <= -vth/2, else 0` (ties fire);
//! `u = m - s*vth`. Latency 1.
//!
//! The bias enters once, at t = 0 (`membrane::start` adds it only at step 0).

use crate::membrane::{finish, internal_bits, start};
use crate::verilog::ast::{Decl, Expr, Item, Module};
use golden_model::{LayerConfig, Neuron};

pub fn snn_tmn(cfg: &LayerConfig) -> Module {
    let Neuron::Tmn { vth } = cfg.neuron else {
        panic!("snn_tmn needs a tmn layer")
    };
    let w = internal_bits(cfg);
    let theta = vth / 2;
    let m = start("snn_tmn", cfg)
        .item(
            Decl::wire("m", w)
                .signed()
                .comment("momentum: 2u + I (+ b at t = 0)"),
        )
        .item(Decl::wire("fire_pos", 1).comment("m >= vth/2"))
        .item(Decl::wire("fire_neg", 1).comment("m <= -vth/2"))
        .item(Decl::wire("u_after", w).signed().comment("m - s*vth"))
        .item(Item::assign(
            "m",
            Expr::add(
                Expr::add(Expr::id("u_prev"), Expr::id("u_prev")),
                Expr::id("c_ext"),
            ),
        ))
        .item(Item::assign(
            "fire_pos",
            Expr::ge(Expr::id("m"), Expr::slit(w, theta)),
        ))
        .item(Item::assign(
            "fire_neg",
            Expr::le(Expr::id("m"), Expr::slit(w, -theta)),
        ))
        .item(Item::assign(
            "u_after",
            Expr::mux(
                Expr::id("fire_pos"),
                Expr::sub(Expr::id("m"), Expr::slit(w, vth)),
                Expr::mux(
                    Expr::id("fire_neg"),
                    Expr::add(Expr::id("m"), Expr::slit(w, vth)),
                    Expr::id("m"),
                ),
            ),
        ));
    // +1 = 01, -1 = 11, 0 = 00: bit 1 is fire_neg, bit 0 is either.
    finish(
        m,
        cfg,
        Expr::concat(vec![
            Expr::id("fire_neg"),
            Expr::lor(Expr::id("fire_pos"), Expr::id("fire_neg")),
        ]),
    )
}
