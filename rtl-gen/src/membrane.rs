//! What `snn_if`/`snn_lif` and `snn_tmn` share: input stages, then a
//! one-cycle membrane loop (docs/core.md, "Neuron units").
//!
//! The input stages register, on the `en` cycles a current moves, its step
//! and the kind's input-side values (the current plus the constants the loop
//! adds: `I + b - vth`, `c - vth`, `c + vth`), each one carry chain from a
//! register. The loop stage reads the last input stage and the stored
//! membrane `out_state` (gated to 0 at step 0: one LUT in front of the
//! adders) and writes the output registers: every candidate next membrane
//! and every threshold test is a carry chain fed by the same two operands,
//! in parallel, so the loop is one carry chain, a short select after it,
//! and (only when the layer forces a narrow `state_bits`) the saturation.
//!
//! Arithmetic is done at the derived state width `W`, where SPEC section 6
//! guarantees no overflow (threshold tests at `W + 1` bits, so that they
//! cannot wrap); the stored membrane is `SB` bits (`SB = W` unless forced).

use crate::unit::{step_bits, with_unit_ports, StateSource};
use crate::verilog::ast::{Decl, Expr, Item, LValue, Module, Stmt};
use golden_model::widths::bits;
use golden_model::LayerConfig;

/// `name` (a `from`-bit signal) sign-extended to `to` bits.
pub fn ext(name: &str, from: u32, to: u32) -> Expr {
    assert!(to >= from);
    if to == from {
        Expr::id(name)
    } else {
        Expr::sext(name, from, to)
    }
}

/// `name` (a `from`-bit signal) resized to `to` bits: sign-extended, or its
/// low `to` bits (the value is known to fit).
pub fn resize(name: &str, from: u32, to: u32) -> Expr {
    if to >= from {
        ext(name, from, to)
    } else {
        Expr::part(name, to - 1, 0)
    }
}

/// Internal width of membrane arithmetic: the derived state width.
pub fn internal_bits(cfg: &LayerConfig) -> u32 {
    cfg.widths().derived_state_bits
}

/// Bits of a signed value `x + k` with `x` a `from`-bit signed value and
/// `|k| <= kmax`, capped at `cap`.
pub fn plus_const_bits(from: u32, kmax: u64, cap: u32) -> u32 {
    (from.max(bits(u128::from(kmax)) + 1) + 1).min(cap)
}

/// A value registered in an input stage: `<prefix>_<name>` (`width` bits,
/// signed) takes `value` on the `en` cycle the stage loads.
pub struct StageA {
    pub name: String,
    pub width: u32,
    pub value: Expr,
    pub comment: String,
}

impl StageA {
    pub fn new(name: &str, width: u32, value: Expr, comment: impl Into<String>) -> StageA {
        StageA {
            name: name.into(),
            width,
            value,
            comment: comment.into(),
        }
    }
}

/// One input stage: its register prefix and values.
pub struct Stage {
    pub prefix: &'static str,
    pub regs: Vec<StageA>,
}

fn nb(l: &str, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l), r)
}

/// A unit module with its ports, the input `stages` in order (each with `<p>_valid`, `<p>_step` and its
/// values; the last also `<p>_first`, its step is 0), and `u_prev` (`W`
/// bits: `out_state` sign-extended, 0 when the loop's step is 0). With
/// [`StateSource::Port`] each stage also carries `<p>_u_in`, the `in_state`
/// that came with its current, and `u_prev` reads the last one instead.
pub fn start(name: &str, cfg: &LayerConfig, mut stages: Vec<Stage>, src: StateSource) -> Module {
    let wd = cfg.widths();
    let w = internal_bits(cfg);
    let tw = step_bits(cfg.timesteps);
    let mut m = with_unit_ports(Module::new(name), cfg, src);
    let n = stages.len();
    if src == StateSource::Port {
        let mut from = "in_state".to_string();
        for st in stages.iter_mut() {
            st.regs.push(StageA::new(
                "u_in",
                wd.state_bits,
                Expr::id(from.as_str()),
                "the membrane that came with this current",
            ));
            from = format!("{}_u_in", st.prefix);
        }
    }
    let last_prefix = stages.last().expect("an input stage").prefix;
    let mut prev = ("in_valid".to_string(), "in_step".to_string());
    for (k, st) in stages.into_iter().enumerate() {
        let p = st.prefix;
        let (v, stp) = (format!("{p}_valid"), format!("{p}_step"));
        m.push(Item::comment(format!(
            "Input stage {p}: one carry chain from a register to each value."
        )));
        m.push(Decl::reg(v.as_str(), 1).comment("the stage holds a current"));
        m.push(Decl::reg(stp.as_str(), tw).comment("its timestep"));
        let mut load = vec![nb(&stp, Expr::id(prev.1.as_str()))];
        if k + 1 == n {
            let f = format!("{p}_first");
            m.push(Decl::reg(f.as_str(), 1).comment("its timestep is 0: no previous membrane"));
            load.push(nb(
                &f,
                Expr::eq(Expr::id(prev.1.as_str()), Expr::lit(tw, 0)),
            ));
        }
        for r in st.regs {
            let reg = format!("{p}_{}", r.name);
            m.push(Decl::reg(reg.clone(), r.width).signed().comment(r.comment));
            load.push(nb(&reg, r.value));
        }
        m.push(Item::always_ff(
            "clk",
            vec![Stmt::if_else(
                Expr::id("rst"),
                vec![nb(&v, Expr::lit(1, 0))],
                vec![Stmt::if_then(
                    Expr::id("en"),
                    vec![
                        nb(&v, Expr::id(prev.0.as_str())),
                        Stmt::if_then(Expr::id(prev.0.as_str()), load),
                    ],
                )],
            )],
        ));
        prev = (v, stp);
    }
    m.push(Item::comment(
        "The membrane loop, from the last input stage and the stored membrane.",
    ));
    m.push(
        Decl::wire("u_prev", w)
            .signed()
            .comment("the previous step's membrane (out_state), 0 at step 0"),
    );
    m.push(Item::assign(
        "u_prev",
        Expr::mux(
            Expr::id(format!("{}_first", last_prefix)),
            Expr::slit(w, 0),
            match src {
                StateSource::Loop => ext("out_state", wd.state_bits, w),
                StateSource::Port => ext(&format!("{last_prefix}_u_in"), wd.state_bits, w),
            },
        ),
    ));
    m
}

/// A register `name` (`width` bits, signed) that follows the static `bias`
/// port plus `k`: a constant of the layer once configured, registered so
/// that no path adds it and a current in one cycle. It is valid from the
/// second clock after `bias` changes; a current reaches the unit at least
/// `R + C - 1 >= 1` clocks after the configuration write before it. With
/// [`StateSource::Port`] the bias changes with every current, so `name` is
/// a wire instead.
pub fn bias_plus(
    m: &mut Module,
    cfg: &LayerConfig,
    name: &str,
    width: u32,
    k: i64,
    src: StateSource,
) {
    let value = Expr::add(ext("bias", cfg.weight_bits, width), Expr::slit(width, k));
    if src == StateSource::Port {
        m.push(Decl::wire(name, width).signed().comment(format!(
            "bias {} {} (with each current)",
            if k < 0 { "-" } else { "+" },
            k.abs()
        )));
        m.push(Item::assign(name, value));
        return;
    }
    m.push(Decl::reg(name, width).signed().comment(format!(
        "bias {} {} (static)",
        if k < 0 { "-" } else { "+" },
        k.abs()
    )));
    m.push(Item::always_ff("clk", vec![nb(name, value)]));
}

/// `wire unused_<name> = ^(bits)`: reads bits that the logic does not need
/// (Verilator's `unused` naming convention; synthesis removes it).
pub fn sink(m: &mut Module, name: &str, bits: Expr, comment: &str) {
    let n = format!("unused_{name}");
    m.push(Decl::wire(n.as_str(), 1).comment(comment));
    m.push(Item::assign(n.as_str(), Expr::red_xor(bits)));
}

/// A `width`-bit wire `name = a + b` (both already `width` bits).
pub fn sum(m: &mut Module, name: &str, width: u32, a: Expr, b: Expr, comment: &str) {
    m.push(Decl::wire(name, width).signed().comment(comment));
    m.push(Item::assign(name, Expr::add(a, b)));
}

/// Saturation of `u_after` (W bits) into the state register and the output
/// registers, written from input stage `p` with `spike` (a 2-bit lane code).
/// The narrow case tests the bits above the state width (all equal: the
/// value fits), which is LUT logic, not a comparator chain.
pub fn finish(mut m: Module, cfg: &LayerConfig, p: &str, spike: Expr) -> Module {
    let w = internal_bits(cfg);
    let sb = cfg.widths().state_bits;
    let (u_next, overflow) = if sb < w {
        let (lo, hi) = golden_model::config::signed_range(sb);
        m.push(Item::comment(format!(
            "The layer forces a {sb}-bit state (derived: {w}): saturate and flag."
        )));
        m.push(Decl::wire("sat", 1).comment("u_after does not fit the state width"));
        m.push(Decl::wire("u_next", sb).signed());
        let top = || Expr::part("u_after", w - 1, sb - 1);
        m.push(Item::assign(
            "sat",
            Expr::and(Expr::red_or(top()), Expr::not(Expr::red_and(top()))),
        ));
        m.push(Item::assign(
            "u_next",
            Expr::mux(
                Expr::id("sat"),
                Expr::mux(
                    Expr::bit_at("u_after", w - 1),
                    Expr::slit(sb, lo),
                    Expr::slit(sb, hi),
                ),
                Expr::part("u_after", sb - 1, 0),
            ),
        ));
        (Expr::id("u_next"), Expr::id("sat"))
    } else {
        (Expr::id("u_after"), Expr::lit(1, 0))
    };
    let (v, stp) = (format!("{p}_valid"), format!("{p}_step"));
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![nb("out_valid", Expr::lit(1, 0))],
            vec![Stmt::if_then(
                Expr::id("en"),
                vec![
                    nb("out_valid", Expr::id(v.as_str())),
                    Stmt::if_then(
                        Expr::id(v.as_str()),
                        vec![
                            nb("out_step", Expr::id(stp)),
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
