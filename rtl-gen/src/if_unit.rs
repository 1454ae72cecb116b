//! `snn_if`: integrate-and-fire, binary, reset by subtraction (SPEC section 4):
//! `u = u + I + b; s = (u >= vth); u = u - s*vth`. Latency 1.

use crate::membrane::{finish, internal_bits, start};
use crate::verilog::ast::{Decl, Expr, Item, Module};
use golden_model::{LayerConfig, Neuron};

pub fn snn_if(cfg: &LayerConfig) -> Module {
    let Neuron::If { vth } = cfg.neuron else {
        panic!("snn_if needs an if layer")
    };
    let w = internal_bits(cfg);
    let m = start("snn_if", cfg)
        .item(Decl::wire("u_new", w).signed().comment("u + I + b"))
        .item(Decl::wire("fire", 1).comment("u_new >= vth (ties fire)"))
        .item(
            Decl::wire("u_after", w)
                .signed()
                .comment("after reset by subtraction"),
        )
        .item(Item::assign(
            "u_new",
            Expr::add(Expr::id("u_prev"), Expr::id("c_ext")),
        ))
        .item(Item::assign(
            "fire",
            Expr::ge(Expr::id("u_new"), Expr::slit(w, vth)),
        ))
        .item(Item::assign(
            "u_after",
            Expr::mux(
                Expr::id("fire"),
                Expr::sub(Expr::id("u_new"), Expr::slit(w, vth)),
                Expr::id("u_new"),
            ),
        ));
    finish(
        m,
        cfg,
        Expr::concat(vec![Expr::lit(1, 0), Expr::id("fire")]),
    )
}
