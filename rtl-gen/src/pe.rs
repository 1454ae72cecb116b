//! `snn_pe`: one weight-stationary ternary processing element.
//!
//! The lane selects add (+1), subtract (-1) or skip (0, and the illegal `10`),
//! written as ONE adder with a conditional invert:
//! `psum_out <= psum_in + ((w_ext ^ {A{neg}}) & {A{nz}}) + neg`.
//! The weight register is configuration: `rst` does not clear it.

use crate::verilog::ast::{Decl, Expr, Item, LValue, Module, Stmt};

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
        .item(Decl::wire("nz", 1).comment("lane is +1 or -1"))
        .item(Decl::wire("neg", 1).comment("lane is -1"))
        .item(Decl::wire("w_ext", a).comment("weight sign-extended to the partial-sum width"))
        .item(Decl::wire("addend", a).comment("+w, ~w (with neg as carry-in: -w) or 0"))
        .item(Item::assign("nz", Expr::bit_at("lane_in", 0)))
        .item(Item::assign(
            "neg",
            Expr::and(Expr::bit_at("lane_in", 1), Expr::bit_at("lane_in", 0)),
        ))
        .item(Item::assign("w_ext", Expr::sext("weight", wb, a)))
        .item(Item::assign(
            "addend",
            Expr::and(
                Expr::xor(Expr::id("w_ext"), Expr::repl(a, Expr::id("neg"))),
                Expr::repl(a, Expr::id("nz")),
            ),
        ))
        .item(Item::always_ff(
            "clk",
            vec![
                Stmt::if_then(Expr::id("w_we"), vec![nb("weight", Expr::id("w_data"))]),
                Stmt::if_then(
                    Expr::id("en"),
                    vec![
                        nb("lane_out", Expr::id("lane_in")),
                        nb(
                            "psum_out",
                            Expr::add(
                                Expr::add(Expr::id("psum_in"), Expr::id("addend")),
                                Expr::concat(vec![Expr::lit(a - 1, 0), Expr::id("neg")]),
                            ),
                        ),
                    ],
                ),
            ],
        ))
}
