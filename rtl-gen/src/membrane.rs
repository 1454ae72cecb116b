//! What `snn_if` and `snn_tmn` share: bias-added current, the previous
//! membrane (0 at step 0), saturation at the state register, and the output
//! registers. Arithmetic is done at the derived state width `W`, where SPEC
//! section 6 guarantees no overflow; the stored membrane is `SB` bits
//! (`SB = W` unless the layer forces a narrower `state_bits`).

use crate::unit::{step_bits, with_unit_ports};
use crate::verilog::ast::{Decl, Expr, Item, LValue, Module, Stmt};
use golden_model::{LayerConfig, Neuron};

/// `name` (a `from`-bit signal) sign-extended to `to` bits.
pub fn ext(name: &str, from: u32, to: u32) -> Expr {
    assert!(to >= from);
    if to == from {
        Expr::id(name)
    } else {
        Expr::sext(name, from, to)
    }
}

/// Internal width of membrane arithmetic: the derived state width.
pub fn internal_bits(cfg: &LayerConfig) -> u32 {
    cfg.widths().derived_state_bits
}

/// A unit module with its ports, `c_ext = I + b` (the bias as the kind
/// applies it) and `u_prev` (both `W` bits).
pub fn start(name: &str, cfg: &LayerConfig) -> Module {
    let wd = cfg.widths();
    let w = internal_bits(cfg);
    let tw = step_bits(cfg.timesteps);
    let step0 = Expr::eq(Expr::id("in_step"), Expr::lit(tw, 0));
    // TMN takes the bias once, at t = 0 (SPEC section 4); `if` every step.
    let bias = match cfg.neuron {
        Neuron::Tmn { .. } => Expr::mux(
            step0.clone(),
            ext("bias", cfg.weight_bits, w),
            Expr::slit(w, 0),
        ),
        _ => ext("bias", cfg.weight_bits, w),
    };
    with_unit_ports(Module::new(name), cfg)
        .item(Decl::wire("c_ext", w).signed().comment("I[t] + b"))
        .item(
            Decl::wire("u_prev", w)
                .signed()
                .comment("membrane before this step: 0 at step 0"),
        )
        .item(Item::assign(
            "c_ext",
            Expr::add(ext("in_current", wd.synaptic_bits, w), bias),
        ))
        .item(Item::assign(
            "u_prev",
            Expr::mux(step0, Expr::slit(w, 0), ext("out_state", wd.state_bits, w)),
        ))
}

/// Adds saturation of `u_after` (W bits) into the state register and the
/// output registers, with `spike` (a 2-bit lane code expression).
pub fn finish(mut m: Module, cfg: &LayerConfig, spike: Expr) -> Module {
    let w = internal_bits(cfg);
    let sb = cfg.widths().state_bits;
    let (u_next, overflow) = if sb < w {
        let (lo, hi) = golden_model::config::signed_range(sb);
        m.push(Item::comment(format!(
            "The layer forces a {sb}-bit state (derived: {w}): saturate and flag."
        )));
        m.push(Decl::wire("sat_hi", 1));
        m.push(Decl::wire("sat_lo", 1));
        m.push(Decl::wire("u_next", sb).signed());
        m.push(Item::assign(
            "sat_hi",
            Expr::gt(Expr::id("u_after"), Expr::slit(w, hi)),
        ));
        m.push(Item::assign(
            "sat_lo",
            Expr::lt(Expr::id("u_after"), Expr::slit(w, lo)),
        ));
        m.push(Item::assign(
            "u_next",
            Expr::mux(
                Expr::id("sat_hi"),
                Expr::slit(sb, hi),
                Expr::mux(
                    Expr::id("sat_lo"),
                    Expr::slit(sb, lo),
                    Expr::part("u_after", sb - 1, 0),
                ),
            ),
        ));
        (
            Expr::id("u_next"),
            Expr::lor(Expr::id("sat_hi"), Expr::id("sat_lo")),
        )
    } else {
        (Expr::id("u_after"), Expr::lit(1, 0))
    };
    let nb = |l: &str, r: Expr| Stmt::nb(LValue::id(l), r);
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![nb("out_valid", Expr::lit(1, 0))],
            vec![Stmt::if_then(
                Expr::id("en"),
                vec![
                    nb("out_valid", Expr::id("in_valid")),
                    Stmt::if_then(
                        Expr::id("in_valid"),
                        vec![
                            nb("out_step", Expr::id("in_step")),
                            nb("out_spike", spike),
                            nb("out_state", u_next),
                            nb("out_overflow", overflow),
                        ],
                    ),
                ],
            )],
        )],
    ));
    m
}
