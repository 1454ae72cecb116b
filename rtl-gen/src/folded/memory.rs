//! The folded engine's memories, written so that Yosys infers block RAM
//! (hardware-facts.md): registered reads, no reset, contents only from
//! `$readmemh`.
//! - [`single_port`]: the weight memory. Its one port is shared by the
//!   configuration writes and the engine's reads, with the read in the
//!   `else` of the write: the form `synth_ice40 -spram` maps to
//!   `SB_SPRAM256KA` when it has no initial contents.
//! - [`dual_port`]: one write port and one read port with a read enable
//!   (the output holds between reads): spike buffers, biases, readouts.

use crate::folded::plan::index_bits;
use crate::verilog::ast::{Decl, Expr, Item, LValue, Module, Stmt};

/// The macro that leaves block RAM without `$readmemh` contents (for a
/// simulator that loads them through the configuration port instead).
pub const NO_INIT_MACRO: &str = "SNN_NO_WEIGHT_INIT";

fn nb(l: LValue, r: Expr) -> Stmt {
    Stmt::nb(l, r)
}

/// The address `port` (`ab` bits) as the index of a `depth`-entry array:
/// its low bits, the rest read by a sink (they are 0 on valid addresses).
fn index(m: &mut Module, port: &str, ab: u32, depth: usize) -> Expr {
    let need = index_bits(depth);
    if need == ab {
        return Expr::id(port);
    }
    crate::membrane::sink(
        m,
        &format!("{port}_high"),
        Expr::part(port, ab - 1, need),
        "above the depth: 0 on every address the engine uses",
    );
    Expr::part(port, need - 1, 0)
}

fn init(m: &mut Module, file: Option<&str>) {
    if let Some(f) = file {
        m.push(Item::ReadMemH {
            file: f.to_string(),
            memory: "mem".into(),
            guard: NO_INIT_MACRO.into(),
        });
    }
}

/// A `depth` x `width` single-port RAM (read in the write's `else`) with
/// `ab` address bits (at least `index_bits(depth)`).
pub fn single_port(name: &str, width: u32, depth: usize, ab: u32, file: Option<&str>) -> Module {
    assert!(ab >= index_bits(depth));
    let mut m = Module::new(name)
        .input("clk", 1, false, "clock, rising edge")
        .input("we", 1, false, "write wdata to addr (no read this cycle)")
        .input("addr", ab, false, "word address")
        .input("wdata", width, false, "word to write")
        .output_reg(
            "rdata",
            width,
            false,
            "the word at addr, one cycle after a cycle without we",
        );
    m.push(
        Decl::reg("mem", width)
            .array(depth as u32)
            .comment(match file {
                Some(f) => format!("{depth} words; contents from {f}"),
                None => format!("{depth} words; loaded through we (no contents in the bitstream)"),
            }),
    );
    init(&mut m, file);
    let a = index(&mut m, "addr", ab, depth);
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("we"),
            vec![nb(LValue::index("mem", a.clone()), Expr::id("wdata"))],
            vec![nb(LValue::id("rdata"), Expr::elem("mem", a))],
        )],
    ));
    m
}

/// A `depth` x `width` RAM with one write and one enabled read port, `ab`
/// address bits (at least `index_bits(depth)`).
pub fn dual_port(name: &str, width: u32, depth: usize, ab: u32, file: Option<&str>) -> Module {
    assert!(ab >= index_bits(depth));
    let mut m = Module::new(name)
        .input("clk", 1, false, "clock, rising edge")
        .input("we", 1, false, "write wdata to waddr")
        .input("waddr", ab, false, "write address")
        .input("wdata", width, false, "word to write")
        .input("re", 1, false, "read raddr into rdata")
        .input("raddr", ab, false, "read address")
        .output_reg(
            "rdata",
            width,
            false,
            "the word read on the last cycle with re (held otherwise)",
        );
    m.push(
        Decl::reg("mem", width)
            .array(depth as u32)
            .comment(match file {
                Some(f) => format!("{depth} words; contents from {f}"),
                None => format!("{depth} words"),
            }),
    );
    init(&mut m, file);
    let (wa, ra) = (
        index(&mut m, "waddr", ab, depth),
        index(&mut m, "raddr", ab, depth),
    );
    m.push(Item::always_ff(
        "clk",
        vec![
            Stmt::if_then(
                Expr::id("we"),
                vec![nb(LValue::index("mem", wa), Expr::id("wdata"))],
            ),
            Stmt::if_then(
                Expr::id("re"),
                vec![nb(LValue::id("rdata"), Expr::elem("mem", ra))],
            ),
        ],
    ));
    m
}
