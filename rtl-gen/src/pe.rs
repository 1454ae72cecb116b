//! `snn_pe`: one weight-stationary ternary processing element.
//!
//! The lane selects add (+1), subtract (-1) or skip (0, and the illegal `10`),
//! written as ONE adder with a conditional invert:
//! `psum_out <= psum_in + ((w_ext ^ {A{lane_in[1]}}) & {A{lane_in[0]}}) + (lane_in[1] & lane_in[0])`.
//! The `+1` of the subtraction (`-w = ~w + 1`) enters through one extra low
//! adder bit, `{psum_in, lane_in[1]} + {addend, lane_in[0]}`, whose carry out is
//! `lane_in[1] & lane_in[0]`: on iCE40 the carry chain computes it, so no LUT per
//! PE decodes "lane is -1" (measured: 20 instead of 21 `SB_LUT4` for a 12-bit
//! sum with 8-bit weights). The sum's low bit is dropped.
//! The weight register is configuration: `rst` does not clear it.

use crate::verilog::ast::{Decl, Expr, Item, LValue, Module, Stmt};

/// The addend of one ternary step: `(w_ext ^ {A{lane[1]}}) & {A{lane[0]}}`
/// (`w_ext` is `a` bits): `+w`, `~w` (lane -1, the `+1` comes from
/// [`ternary_sum`]'s low bit) or 0.
pub fn addend(w_ext: Expr, lane: &str, a: u32) -> Expr {
    Expr::and(
        Expr::xor(w_ext, Expr::repl(a, Expr::bit_at(lane, 1))),
        Expr::repl(a, Expr::bit_at(lane, 0)),
    )
}

/// `{psum, lane[1]} + {addend, lane[0]}`, one bit wider than `psum`: its bits
/// `[A:1]` are `psum + w * lane` (the low bit's carry out is the `+1` of a
/// subtraction); bit 0 is not a result.
pub fn ternary_sum(psum: Expr, addend: Expr, lane: &str) -> Expr {
    Expr::add(
        Expr::concat(vec![psum, Expr::bit_at(lane, 1)]),
        Expr::concat(vec![addend, Expr::bit_at(lane, 0)]),
    )
}

/// The PE for `weight_bits`-wide weights and `psum_bits`-wide partial sums.
pub fn snn_pe(weight_bits: u32, psum_bits: u32) -> Module {
    let (wb, a) = (weight_bits, psum_bits);
    assert!(a > wb, "partial sums are wider than weights");
    let nb = |l: &str, r: Expr| Stmt::nb(LValue::id(l), r);
    Module::new("snn_pe")
        .input("clk", 1, false, "clock, rising edge")
        .input(
            "en",
            1,
            false,
            "advance: lane and partial sum move only when 1",
        )
        .input("w_we", 1, false, "load w_data into the weight register")
        .input("w_data", wb, true, "weight W[c][r]")
        .input(
            "lane_in",
            2,
            false,
            "ternary lane from the left: 00 = 0, 01 = +1, 11 = -1, 10 = illegal (skip)",
        )
        .input("psum_in", a, true, "partial sum from above")
        .output_reg("lane_out", 2, false, "lane to the right, one cycle later")
        .output_reg("psum_out", a, true, "partial sum down, one cycle later")
        .item(
            Decl::reg("weight", wb)
                .signed()
                .comment("stationary weight"),
        )
        .item(Decl::wire("w_ext", a).comment("weight sign-extended to the partial-sum width"))
        .item(Decl::wire("addend", a).comment("+w, ~w (lane -1: the +1 is the low carry) or 0"))
        .item(Decl::wire("sum", a + 1).comment(
            "{psum_in, lane_in[1]} + {addend, lane_in[0]}: bit 0 carries lane_in[1] & lane_in[0]",
        ))
        .item(Decl::wire("unused_sum_lsb", 1).comment("the extra low bit is not a result"))
        .item(Item::assign("w_ext", Expr::sext("weight", wb, a)))
        .item(Item::assign(
            "addend",
            addend(Expr::id("w_ext"), "lane_in", a),
        ))
        .item(Item::assign(
            "sum",
            ternary_sum(Expr::id("psum_in"), Expr::id("addend"), "lane_in"),
        ))
        .item(Item::assign("unused_sum_lsb", Expr::bit_at("sum", 0)))
        .item(Item::always_ff(
            "clk",
            vec![
                Stmt::if_then(Expr::id("w_we"), vec![nb("weight", Expr::id("w_data"))]),
                Stmt::if_then(
                    Expr::id("en"),
                    vec![
                        nb("lane_out", Expr::id("lane_in")),
                        nb("psum_out", Expr::part("sum", a, 1)),
                    ],
                ),
            ],
        ))
}
