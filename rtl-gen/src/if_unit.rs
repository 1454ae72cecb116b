//! `snn_if` and `snn_lif`: integrate-and-fire, binary, with an optional
//! shift leak and a choice of reset (SPEC section 4):
//! `u = u - (u >>> k) + I + b` (no leak term for `if`);
//! `s = (u >= vth)`; then `u = u - s*vth` (reset by subtraction) or
//! `u = s ? 0 : u` (reset to zero). Latency 1.

use crate::membrane::{finish, internal_bits, start};
use crate::verilog::ast::{Decl, Expr, Item, Module};
use golden_model::{LayerConfig, Neuron, Reset};

/// The unit for an `if` or `lif` layer (`snn_if` / `snn_lif`).
pub fn snn_if(cfg: &LayerConfig) -> Module {
    let (name, vth, leak_shift, reset) = match cfg.neuron {
        Neuron::If { vth, reset } => ("snn_if", vth, 0, reset),
        Neuron::Lif {
            vth,
            leak_shift,
            reset,
        } => ("snn_lif", vth, leak_shift, reset),
        _ => panic!("snn_if needs an if or lif layer"),
    };
    let w = internal_bits(cfg);
    let mut m = start(name, cfg);
    let leaked = if leak_shift > 0 {
        m = m
            .item(
                Decl::wire("u_leak", w)
                    .signed()
                    .comment(format!("u - (u >>> {leak_shift}): the shift floors")),
            )
            .item(Item::assign(
                "u_leak",
                Expr::sub(
                    Expr::id("u_prev"),
                    Expr::ashr(Expr::id("u_prev"), Expr::int(i64::from(leak_shift))),
                ),
            ));
        Expr::id("u_leak")
    } else {
        Expr::id("u_prev")
    };
    let after = match reset {
        Reset::Subtract => Expr::mux(
            Expr::id("fire"),
            Expr::sub(Expr::id("u_new"), Expr::slit(w, vth)),
            Expr::id("u_new"),
        ),
        Reset::Zero => Expr::mux(Expr::id("fire"), Expr::slit(w, 0), Expr::id("u_new")),
    };
    let m = m
        .item(Decl::wire("u_new", w).signed().comment(if leak_shift > 0 {
            "leaked u + I + b"
        } else {
            "u + I + b"
        }))
        .item(Decl::wire("fire", 1).comment("u_new >= vth (ties fire)"))
        .item(Decl::wire("u_after", w).signed().comment(match reset {
            Reset::Subtract => "after reset by subtraction",
            Reset::Zero => "after reset to zero",
        }))
        .item(Item::assign("u_new", Expr::add(leaked, Expr::id("c_ext"))))
        .item(Item::assign(
            "fire",
            Expr::ge(Expr::id("u_new"), Expr::slit(w, vth)),
        ))
        .item(Item::assign("u_after", after));
    finish(
        m,
        cfg,
        Expr::concat(vec![Expr::lit(1, 0), Expr::id("fire")]),
    )
}
