//! `snn_array`: `R x C` PEs, input skew and output deskew.
//!
//! Row `r`'s lane waits `r` skew registers, then moves right one PE per
//! cycle; partial sums move down one PE per cycle; column `c`'s current
//! waits `C-1-c` deskew registers. All `C` currents of one input vector leave
//! together [`latency`] `= R + C - 1` cycles after it entered. Wires are one
//! per PE link (not one flat bus: Verilator simulates that far faster).

use crate::verilog::ast::{Decl, Expr, Instance, Item, LValue, Module, Stmt};

/// Cycles from `lanes_in` to `currents_out`.
pub fn latency(rows: usize, cols: usize) -> usize {
    rows + cols - 1
}

/// Bits of a row (or column) index: max(1, ceil(log2 n)).
pub fn index_bits(n: usize) -> u32 {
    golden_model::widths::clog2(n as u64).max(1)
}

/// The lane entering PE (r, c); lanes leaving the last column are read by
/// nobody and carry Verilator's `unused` name convention.
fn lane(r: usize, c: usize, cols: usize) -> String {
    if c == cols {
        format!("unused_lane_r{r}")
    } else {
        format!("lane_r{r}_c{c}")
    }
}
fn psum(r: usize, c: usize) -> String {
    format!("psum_r{r}_c{c}")
}

/// The array for `rows x cols` PEs with `weight_bits` weights and `psum_bits` sums.
pub fn snn_array(rows: usize, cols: usize, weight_bits: u32, psum_bits: u32) -> Module {
    let (rw, cw, a) = (index_bits(rows), index_bits(cols), psum_bits);
    let mut m = Module::new("snn_array")
        .input("clk", 1, false, "clock, rising edge")
        .input("en", 1, false, "advance")
        .input("w_we", 1, false, "write w_data to the PE at (w_row, w_col)")
        .input(
            "w_row",
            rw,
            false,
            "row (input index i) of the weight to write",
        )
        .input(
            "w_col",
            cw,
            false,
            "column (output index o) of the weight to write",
        )
        .input("w_data", weight_bits, true, "weight W[o][i]")
        .input(
            "lanes_in",
            2 * rows as u32,
            false,
            "one input vector: lane r at [2r+1:2r]",
        )
        .output(
            "currents_out",
            cols as u32 * a,
            true,
            "column currents, aligned: column c at [(c+1)A-1:cA]",
        );
    let nb = |l: String, r: Expr| Stmt::nb(LValue::id(l), r);

    m.push(Item::comment(
        "Write-enable decode: one compare per row and per column.",
    ));
    for r in 0..rows {
        m.push(Decl::wire(format!("row_sel_r{r}"), 1));
        m.push(Item::assign(
            format!("row_sel_r{r}"),
            Expr::land(
                Expr::id("w_we"),
                Expr::eq(Expr::id("w_row"), Expr::lit(rw, r as i64)),
            ),
        ));
    }
    for c in 0..cols {
        m.push(Decl::wire(format!("col_sel_c{c}"), 1));
        m.push(Item::assign(
            format!("col_sel_c{c}"),
            Expr::eq(Expr::id("w_col"), Expr::lit(cw, c as i64)),
        ));
    }

    m.push(Item::comment("Input skew: row r waits r cycles."));
    let mut skew_body = vec![];
    for r in 0..rows {
        let src = Expr::part("lanes_in", 2 * r as u32 + 1, 2 * r as u32);
        if r == 0 {
            m.push(Decl::wire(lane(0, 0, cols), 2));
            m.push(Item::assign(lane(0, 0, cols), src));
            continue;
        }
        for d in 0..r {
            m.push(Decl::reg(format!("skew_r{r}_d{d}"), 2));
            let from = if d == 0 {
                src.clone()
            } else {
                Expr::id(format!("skew_r{r}_d{}", d - 1))
            };
            skew_body.push(nb(format!("skew_r{r}_d{d}"), from));
        }
        m.push(Decl::wire(lane(r, 0, cols), 2));
        m.push(Item::assign(
            lane(r, 0, cols),
            Expr::id(format!("skew_r{r}_d{}", r - 1)),
        ));
    }
    if !skew_body.is_empty() {
        m.push(Item::always_ff(
            "clk",
            vec![Stmt::if_then(Expr::id("en"), skew_body)],
        ));
    }

    m.push(Item::comment(
        "The PE grid: lanes move right, partial sums move down.",
    ));
    for r in 0..rows {
        for c in 0..cols {
            m.push(Decl::wire(lane(r, c + 1, cols), 2));
            m.push(Decl::wire(psum(r + 1, c), a).signed());
        }
    }
    for r in 0..rows {
        for c in 0..cols {
            let psum_in = if r == 0 {
                Expr::slit(a, 0)
            } else {
                Expr::id(psum(r, c))
            };
            m.push(
                Instance::new("snn_pe", format!("pe_r{r}_c{c}"))
                    .conn("clk", Expr::id("clk"))
                    .conn("en", Expr::id("en"))
                    .conn(
                        "w_we",
                        Expr::land(
                            Expr::id(format!("row_sel_r{r}")),
                            Expr::id(format!("col_sel_c{c}")),
                        ),
                    )
                    .conn("w_data", Expr::id("w_data"))
                    .conn("lane_in", Expr::id(lane(r, c, cols)))
                    .conn("psum_in", psum_in)
                    .conn("lane_out", Expr::id(lane(r, c + 1, cols)))
                    .conn("psum_out", Expr::id(psum(r + 1, c))),
            );
        }
    }
    m.push(Item::comment("Output deskew: column c waits C-1-c cycles."));
    let mut deskew_body = vec![];
    let mut outs = vec![];
    for c in 0..cols {
        let delay = cols - 1 - c;
        let mut src = Expr::id(psum(rows, c));
        for d in 0..delay {
            let name = format!("deskew_c{c}_d{d}");
            m.push(Decl::reg(name.clone(), a).signed());
            deskew_body.push(nb(name.clone(), src));
            src = Expr::id(name);
        }
        outs.push(src);
    }
    if !deskew_body.is_empty() {
        m.push(Item::always_ff(
            "clk",
            vec![Stmt::if_then(Expr::id("en"), deskew_body)],
        ));
    }
    outs.reverse();
    m.push(Item::assign("currents_out", Expr::concat(outs)));
    m
}
