//! The one Verilog printer: turns an [`ast::Module`](super::ast::Module) into
//! Verilog-2005 text.
//!
//! Layout: optional `// header` lines, `` `default_nettype none ``, the module
//! with an ANSI port list (one port per line, trailing `// comment`), a body
//! indented by two spaces per level with `begin`/`end` on every `always`, `if`
//! branch and loop, `endmodule`, then `` `default_nettype wire ``. The text
//! ends with a newline.
//!
//! Expressions: every nested compound subexpression (binary, ternary, most
//! unary, negative integer) is parenthesized, so the printed text means
//! exactly the tree whatever Verilog's precedence rules are. The top level of
//! an expression, and anything already delimited (`[...]`, `{...}`,
//! `$signed(...)`, an `if (...)` condition, an instance `.port(...)`), is not.
//! The one exception is `~` and `!` as an operand of a binary or ternary
//! operator (`a & ~b`), which binds tighter than every binary operator.
//!
//! Sized literals: non-negative values print in decimal (`8'd5`, `8'sd5`),
//! negative signed ones as a reader writes them (`-8'sd5`, parenthesized when
//! nested), and the rest (negative unsigned values, the most negative signed
//! value) as the two's-complement bit pattern in hex (`8'hFB`, `8'sh80`).

use super::ast::{
    CaseArm, Decl, Dir, Expr, Generate, GenerateIf, Instance, Item, LValue, Module, NetKind, Param,
    Port, Stmt, UnOp,
};

/// Prints a whole module file (see the module docs for the layout).
pub fn module_to_string(m: &Module) -> String {
    let mut p = Printer::default();
    p.module(m);
    p.out
}

/// Prints one expression at top level (no outer parentheses).
pub fn expr_to_string(e: &Expr) -> String {
    expr(e)
}

/// Prints an assignment target.
pub fn lvalue_to_string(lv: &LValue) -> String {
    lvalue(lv)
}

/// Prints a sized literal: `W'dN` / `W'sdN` for `value >= 0`; a negative
/// signed value as a reader writes it, `-W'sdN` (unary minus on a signed
/// literal of the same width: the same bits), except the most negative
/// value `-2^(W-1)`, whose magnitude does not fit; otherwise the
/// two's-complement pattern `W'hX..` / `W'shX..` (the value is masked to
/// `width` bits; `width` is clamped to 1..=64).
pub fn lit_to_string(width: u32, value: i64, signed: bool) -> String {
    let width = width.clamp(1, 64);
    let s = if signed { "s" } else { "" };
    if value >= 0 {
        let mask = mask(width);
        format!("{width}'{s}d{}", (value as u64) & mask)
    } else if signed && (2..64).contains(&width) && value > -(1i64 << (width - 1)) {
        format!("-{width}'sd{}", value.unsigned_abs())
    } else {
        let bits = (value as u64) & mask(width);
        let digits = width.div_ceil(4) as usize;
        format!("{width}'{s}h{bits:0digits$X}")
    }
}

fn mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

/// `[W-1:0]` for `width > 1`, nothing for width 1.
fn range(width: u32) -> String {
    if width > 1 {
        format!("[{}:0]", width - 1)
    } else {
        String::new()
    }
}

/// `wire signed [7:0]`-style type text.
fn net_type(kind: NetKind, signed: bool, width: u32) -> String {
    let mut s = String::from(match kind {
        NetKind::Wire => "wire",
        NetKind::Reg => "reg",
    });
    if signed {
        s.push_str(" signed");
    }
    let r = range(width);
    if !r.is_empty() {
        s.push(' ');
        s.push_str(&r);
    }
    s
}

/// `  // text` for a non-empty trailing comment (newlines flattened).
fn trailing(comment: &str) -> String {
    if comment.is_empty() {
        String::new()
    } else {
        format!("  // {}", comment.replace(['\n', '\r'], " "))
    }
}

/// Comment lines for a (possibly multi-line) text; trailing newlines are dropped.
fn comment_lines(text: &str) -> Vec<String> {
    text.trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|l| {
            let l = l.trim_end();
            if l.is_empty() {
                "//".to_string()
            } else {
                format!("// {l}")
            }
        })
        .collect()
}

fn param_decl(keyword: &str, p: &Param) -> String {
    match p.width {
        None => format!("{keyword} integer {} = {}", p.name, p.value),
        Some(w) => {
            let value = lit_to_string(w, p.value, false);
            let r = range(w);
            if r.is_empty() {
                format!("{keyword} {} = {value}", p.name)
            } else {
                format!("{keyword} {r} {} = {value}", p.name)
            }
        }
    }
}

fn port_decl(p: &Port) -> String {
    let dir = match p.dir {
        Dir::Input => "input ",
        Dir::Output => "output",
    };
    format!("{dir} {} {}", net_type(p.kind, p.signed, p.width), p.name)
}

fn decl(d: &Decl) -> String {
    let depth = match d.depth {
        Some(n) => format!(" [0:{}]", n.saturating_sub(1)),
        None => String::new(),
    };
    format!(
        "{} {}{depth};{}",
        net_type(d.kind, d.signed, d.width),
        d.name,
        trailing(&d.comment)
    )
}

// ---------------------------------------------------------------- expressions

fn expr(e: &Expr) -> String {
    match e {
        Expr::Id(n) => n.clone(),
        Expr::Lit {
            width,
            value,
            signed,
        } => lit_to_string(*width, *value, *signed),
        Expr::Int(v) => v.to_string(),
        Expr::Index { base, index } => format!("{base}[{}]", expr(index)),
        Expr::Part { base, hi, lo } => format!("{base}[{}:{}]", expr(hi), expr(lo)),
        Expr::IndexedPart { base, start, width } => {
            format!("{base}[{} +: {width}]", expr(start))
        }
        Expr::Concat(parts) => format!("{{{}}}", join(parts)),
        Expr::Repl(n, inner) => match inner.as_ref() {
            Expr::Concat(parts) => format!("{{{n}{{{}}}}}", join(parts)),
            other => format!("{{{n}{{{}}}}}", expr(other)),
        },
        Expr::Unary(op, inner) => format!("{}{}", op.token(), nested(inner)),
        Expr::Binary(op, a, b) => {
            format!("{} {} {}", operand(a), op.token(), operand(b))
        }
        Expr::Ternary(c, a, b) => format!("{} ? {} : {}", operand(c), operand(a), operand(b)),
        Expr::Signed(inner) => format!("$signed({})", expr(inner)),
        Expr::Unsigned(inner) => format!("$unsigned({})", expr(inner)),
    }
}

fn join(parts: &[Expr]) -> String {
    parts.iter().map(expr).collect::<Vec<_>>().join(", ")
}

/// True for expressions that never need parentheses when nested.
fn is_atomic(e: &Expr) -> bool {
    match e {
        Expr::Int(v) => *v >= 0,
        // `-W'sdN` carries a sign: parenthesized when nested, like `-7`.
        Expr::Lit {
            width,
            value,
            signed,
        } => !lit_to_string(*width, *value, *signed).starts_with('-'),
        Expr::Id(_)
        | Expr::Index { .. }
        | Expr::Part { .. }
        | Expr::IndexedPart { .. }
        | Expr::Concat(_)
        | Expr::Repl(..)
        | Expr::Signed(_)
        | Expr::Unsigned(_) => true,
        Expr::Unary(..) | Expr::Binary(..) | Expr::Ternary(..) => false,
    }
}

/// A nested subexpression: parenthesized unless atomic.
fn nested(e: &Expr) -> String {
    if is_atomic(e) {
        expr(e)
    } else {
        format!("({})", expr(e))
    }
}

/// An operand of a binary or ternary operator: like [`nested`], but `~x` and
/// `!x` stay bare (they bind tighter than any binary operator).
fn operand(e: &Expr) -> String {
    match e {
        Expr::Unary(UnOp::Not | UnOp::LogNot, _) => expr(e),
        _ => nested(e),
    }
}

fn lvalue(lv: &LValue) -> String {
    match lv {
        LValue::Id(n) => n.clone(),
        LValue::Index { base, index } => format!("{base}[{}]", expr(index)),
        LValue::Part { base, hi, lo } => format!("{base}[{}:{}]", expr(hi), expr(lo)),
        LValue::IndexedPart { base, start, width } => {
            format!("{base}[{} +: {width}]", expr(start))
        }
        LValue::Concat(parts) => format!(
            "{{{}}}",
            parts.iter().map(lvalue).collect::<Vec<_>>().join(", ")
        ),
    }
}

// ---------------------------------------------------------------- printer

#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
    /// Genvars already declared in this module.
    genvars: Vec<String>,
}

impl Printer {
    fn line(&mut self, text: &str) {
        if text.is_empty() {
            self.out.push('\n');
            return;
        }
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn comment(&mut self, text: &str) {
        for l in comment_lines(text) {
            self.line(&l);
        }
    }

    fn module(&mut self, m: &Module) {
        for h in &m.header {
            self.comment(h);
        }
        if !m.header.is_empty() {
            self.line("");
        }
        self.line("`default_nettype none");
        self.line("");
        self.module_head(m);
        if !m.items.is_empty() {
            self.line("");
            self.indent += 1;
            for it in &m.items {
                self.item(it, false);
            }
            self.indent -= 1;
            self.line("");
        }
        self.line("endmodule");
        self.line("");
        self.line("`default_nettype wire");
    }

    fn module_head(&mut self, m: &Module) {
        let name = &m.name;
        match (m.params.is_empty(), m.ports.is_empty()) {
            (true, true) => {
                self.line(&format!("module {name};"));
                return;
            }
            (true, false) => self.line(&format!("module {name} (")),
            (false, _) => {
                self.line(&format!("module {name} #("));
                self.indent += 1;
                let n = m.params.len();
                for (i, p) in m.params.iter().enumerate() {
                    let comma = if i + 1 < n { "," } else { "" };
                    self.line(&format!(
                        "{}{comma}{}",
                        param_decl("parameter", p),
                        trailing(&p.comment)
                    ));
                }
                self.indent -= 1;
                if m.ports.is_empty() {
                    self.line(");");
                    return;
                }
                self.line(") (");
            }
        }
        self.indent += 1;
        let n = m.ports.len();
        for (i, p) in m.ports.iter().enumerate() {
            let comma = if i + 1 < n { "," } else { "" };
            self.line(&format!("{}{comma}{}", port_decl(p), trailing(&p.comment)));
        }
        self.indent -= 1;
        self.line(");");
    }

    fn item(&mut self, it: &Item, in_generate: bool) {
        match it {
            Item::Decl(d) => self.line(&decl(d)),
            Item::Integer(n) => self.line(&format!("integer {n};")),
            Item::Localparam(p) => self.line(&format!(
                "{};{}",
                param_decl("localparam", p),
                trailing(&p.comment)
            )),
            Item::Assign { lhs, rhs } => {
                self.line(&format!("assign {} = {};", lvalue(lhs), expr(rhs)))
            }
            Item::AlwaysFf { clock, body } => {
                self.line(&format!("always @(posedge {clock}) begin"));
                self.block_body(body);
                self.line("end");
            }
            Item::AlwaysComb { body } => {
                self.line("always @(*) begin");
                self.block_body(body);
                self.line("end");
            }
            Item::Instance(inst) => self.instance(inst),
            Item::Generate(_) | Item::GenerateIf(_) => {
                if in_generate {
                    self.generate_construct(it);
                } else {
                    let mut names = Vec::new();
                    collect_genvars(it, &mut names);
                    for g in names {
                        if !self.genvars.contains(&g) {
                            self.line(&format!("genvar {g};"));
                            self.genvars.push(g);
                        }
                    }
                    self.line("generate");
                    self.indent += 1;
                    self.generate_construct(it);
                    self.indent -= 1;
                    self.line("endgenerate");
                }
            }
            Item::Comment(t) => self.comment(t),
            Item::ReadMemH {
                file,
                memory,
                guard,
            } => {
                self.line(&format!("`ifndef {guard}"));
                self.line(&format!("initial $readmemh(\"{file}\", {memory});"));
                self.line("`endif");
            }
            Item::Blank => self.line(""),
        }
    }

    /// A generate loop or if, without `generate`/`endgenerate`.
    fn generate_construct(&mut self, it: &Item) {
        match it {
            Item::Generate(g) => self.generate_for(g),
            Item::GenerateIf(g) => self.generate_if(g),
            other => self.item(other, true),
        }
    }

    fn generate_for(&mut self, g: &Generate) {
        let v = &g.genvar;
        self.line(&format!(
            "for ({v} = {}; {v} < {}; {v} = {v} + 1) begin : {}",
            expr(&g.from),
            expr(&g.to),
            g.label
        ));
        self.gen_items(&g.items);
        self.line("end");
    }

    fn generate_if(&mut self, g: &GenerateIf) {
        self.line(&format!("if ({}) begin : {}", expr(&g.cond), g.label));
        self.gen_items(&g.then_items);
        if g.else_items.is_empty() {
            self.line("end");
        } else {
            self.line(&format!("end else begin : {}", g.label));
            self.gen_items(&g.else_items);
            self.line("end");
        }
    }

    fn gen_items(&mut self, items: &[Item]) {
        self.indent += 1;
        for it in items {
            self.item(it, true);
        }
        self.indent -= 1;
    }

    fn instance(&mut self, inst: &Instance) {
        let head = if inst.params.is_empty() {
            format!("{} {}", inst.module, inst.name)
        } else {
            self.line(&format!("{} #(", inst.module));
            self.named_list(&inst.params);
            format!(") {}", inst.name)
        };
        if inst.connections.is_empty() {
            self.line(&format!("{head} ();"));
        } else {
            self.line(&format!("{head} ("));
            self.named_list(&inst.connections);
            self.line(");");
        }
    }

    /// `.name(expr),` lines, one level deeper.
    fn named_list(&mut self, list: &[(String, Expr)]) {
        self.indent += 1;
        let n = list.len();
        for (i, (name, e)) in list.iter().enumerate() {
            let comma = if i + 1 < n { "," } else { "" };
            self.line(&format!(".{name}({}){comma}", expr(e)));
        }
        self.indent -= 1;
    }

    fn block_body(&mut self, body: &[Stmt]) {
        self.indent += 1;
        for s in body {
            self.stmt(s);
        }
        self.indent -= 1;
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Blocking { lhs, rhs } => self.line(&assignment(lhs, "=", rhs)),
            Stmt::NonBlocking { lhs, rhs } => self.line(&assignment(lhs, "<=", rhs)),
            Stmt::If { cond, then_, else_ } => self.if_chain(cond, then_, else_),
            Stmt::Case {
                expr: sel,
                arms,
                default,
            } => {
                self.line(&format!("case ({})", expr(sel)));
                self.indent += 1;
                for CaseArm { labels, body } in arms {
                    self.case_arm(&join(labels), body);
                }
                if let Some(body) = default {
                    self.case_arm("default", body);
                }
                self.indent -= 1;
                self.line("endcase");
            }
            Stmt::Block(body) => {
                self.line("begin");
                self.block_body(body);
                self.line("end");
            }
            Stmt::For {
                var,
                from,
                to,
                body,
            } => {
                self.line(&format!(
                    "for ({var} = {}; {var} < {}; {var} = {var} + 1) begin",
                    expr(from),
                    expr(to)
                ));
                self.block_body(body);
                self.line("end");
            }
            Stmt::Comment(t) => self.comment(t),
        }
    }

    /// `if ... end else if ... end else ... end`, flattening `else if` chains.
    fn if_chain(&mut self, cond: &Expr, then_: &[Stmt], else_: &[Stmt]) {
        let (mut cond, mut then_, mut else_) = (cond, then_, else_);
        let mut prefix = "";
        loop {
            self.line(&format!("{prefix}if ({}) begin", expr(cond)));
            self.block_body(then_);
            match else_ {
                [] => {
                    self.line("end");
                    return;
                }
                [Stmt::If {
                    cond: c,
                    then_: t,
                    else_: e,
                }] => {
                    (cond, then_, else_) = (c, t, e);
                    prefix = "end else ";
                }
                rest => {
                    self.line("end else begin");
                    self.block_body(rest);
                    self.line("end");
                    return;
                }
            }
        }
    }

    fn case_arm(&mut self, label: &str, body: &[Stmt]) {
        match body {
            [] => self.line(&format!("{label}: ;")),
            [Stmt::Blocking { lhs, rhs }] => {
                self.line(&format!("{label}: {}", assignment(lhs, "=", rhs)))
            }
            [Stmt::NonBlocking { lhs, rhs }] => {
                self.line(&format!("{label}: {}", assignment(lhs, "<=", rhs)))
            }
            _ => {
                self.line(&format!("{label}: begin"));
                self.block_body(body);
                self.line("end");
            }
        }
    }
}

/// `lhs = rhs;` or `lhs <= rhs;`.
fn assignment(lhs: &LValue, op: &str, rhs: &Expr) -> String {
    format!("{} {op} {};", lvalue(lhs), expr(rhs))
}

/// Genvars of a generate construct and the loops nested in it, in order.
fn collect_genvars(it: &Item, out: &mut Vec<String>) {
    let push_all = |items: &[Item], out: &mut Vec<String>| {
        for i in items {
            collect_genvars(i, out);
        }
    };
    match it {
        Item::Generate(g) => {
            if !out.contains(&g.genvar) {
                out.push(g.genvar.clone());
            }
            push_all(&g.items, out);
        }
        Item::GenerateIf(g) => {
            push_all(&g.then_items, out);
            push_all(&g.else_items, out);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verilog::ast::{BinOp, Decl, Param};

    fn id(n: &str) -> Expr {
        Expr::id(n)
    }

    /// Registered ternary add/subtract accumulator with a synchronous reset.
    fn tern_acc() -> Module {
        Module::new("tern_acc")
            .header_line("Ternary accumulator: acc += w, acc -= w or hold, per lane code.")
            .input("clk", 1, false, "clock")
            .input("rst", 1, false, "synchronous reset, active high")
            .input("lane", 2, false, "ternary code: 01 = +1, 10 = -1, else 0")
            .input("weight", 8, true, "signed weight")
            .output_reg("acc", 12, true, "running sum")
            .item(
                Decl::wire("weight_ext", 12)
                    .signed()
                    .comment("weight sign-extended to 12 bits"),
            )
            .item(Item::assign(
                "weight_ext",
                Expr::signed(Expr::sext("weight", 8, 12)),
            ))
            .item(Item::Blank)
            .item(Item::always_ff(
                "clk",
                vec![Stmt::if_else(
                    id("rst"),
                    vec![Stmt::nb("acc", Expr::slit(12, 0))],
                    vec![Stmt::case(
                        id("lane"),
                        vec![
                            CaseArm::new(
                                Expr::lit(2, 1),
                                vec![Stmt::nb("acc", Expr::add(id("acc"), id("weight_ext")))],
                            ),
                            CaseArm::new(
                                Expr::lit(2, 2),
                                vec![Stmt::nb("acc", Expr::sub(id("acc"), id("weight_ext")))],
                            ),
                        ],
                        Some(vec![Stmt::nb("acc", id("acc"))]),
                    )],
                )],
            ))
    }

    const TERN_ACC_V: &str = "\
// Ternary accumulator: acc += w, acc -= w or hold, per lane code.

`default_nettype none

module tern_acc (
  input  wire clk,  // clock
  input  wire rst,  // synchronous reset, active high
  input  wire [1:0] lane,  // ternary code: 01 = +1, 10 = -1, else 0
  input  wire signed [7:0] weight,  // signed weight
  output reg signed [11:0] acc  // running sum
);

  wire signed [11:0] weight_ext;  // weight sign-extended to 12 bits
  assign weight_ext = $signed({{4{weight[7]}}, weight});

  always @(posedge clk) begin
    if (rst) begin
      acc <= 12'sd0;
    end else begin
      case (lane)
        2'd1: acc <= acc + weight_ext;
        2'd2: acc <= acc - weight_ext;
        default: acc <= acc;
      endcase
    end
  end

endmodule

`default_nettype wire
";

    #[test]
    fn tern_acc_exact_text() {
        assert_eq!(module_to_string(&tern_acc()), TERN_ACC_V);
    }

    /// A row of `tern_acc` units: weight memory loaded by a `for` loop, a
    /// generate loop of instances with a generate `if` for the first stage,
    /// and a combinational sum. Exercises most of the AST.
    fn pe_row() -> Module {
        let lanes = 4u32;
        let g = || id("g");
        let j = || id("j");
        Module::new("pe_row")
            .header_line("Row of ternary accumulators (printer lint example).")
            .param(Param::integer("N", i64::from(lanes)).comment("number of lanes"))
            .param(Param::sized("MODE", 2, 1).comment("1: registered output"))
            .input("clk", 1, false, "clock")
            .input("rst", 1, false, "synchronous reset")
            .input("load", 1, false, "load the weight memory")
            .input("waddr", 2, false, "weight memory address")
            .input("wdata", 8, true, "signed weight to store")
            .input("in_valid", 1, false, "input stream valid")
            .output("in_ready", 1, false, "input stream ready")
            .input("in_lanes", 2 * lanes, false, "packed ternary lane codes")
            .output_reg("out_valid", 1, false, "output valid")
            .output_reg("out_sum", 14, true, "sum of all lanes")
            .output("out_any", 1, false, "some accumulator bit set")
            .item(Item::Localparam(
                Param::integer("ACC_W", 12).comment("accumulator width"),
            ))
            .item(
                Decl::reg("wmem", 8)
                    .signed()
                    .array(lanes)
                    .comment("weights"),
            )
            .item(Decl::wire("accs", 12 * lanes))
            .item(Decl::wire("exts", 14 * lanes))
            .item(Decl::wire("chain", lanes).comment("valid pipeline"))
            .item(Decl::reg("vpipe", lanes).comment("registered chain"))
            .item(Decl::reg("total", 14).signed())
            .item(Item::integer("i"))
            .item(Item::integer("j"))
            .item(Item::Blank)
            .item(Item::assign("in_ready", Expr::not(id("load"))))
            .item(Item::assign(
                "out_any",
                Expr::land(
                    Expr::red_or(id("accs")),
                    Expr::ne(id("MODE"), Expr::lit(2, 0)),
                ),
            ))
            .item(Item::Blank)
            .item(Item::comment("weight memory"))
            .item(Item::always_ff(
                "clk",
                vec![Stmt::if_then(
                    id("load"),
                    vec![Stmt::nb(LValue::index("wmem", id("waddr")), id("wdata"))],
                )],
            ))
            .item(Item::comment("valid pipeline, one stage per lane"))
            .item(Item::always_ff(
                "clk",
                vec![Stmt::for_loop(
                    "i",
                    Expr::int(0),
                    id("N"),
                    vec![Stmt::nb(
                        LValue::index("vpipe", Expr::part("i", 1, 0)),
                        Expr::bit("chain", id("i")),
                    )],
                )],
            ))
            .item(Item::Blank)
            .item(Item::generate(
                "g",
                Expr::int(0),
                id("N"),
                "gen_lane",
                vec![
                    Item::Decl(Decl::wire("acc", 12).signed()),
                    Instance::new("tern_acc", "u_acc")
                        .conn("clk", id("clk"))
                        .conn("rst", id("rst"))
                        .conn(
                            "lane",
                            Expr::part_up("in_lanes", Expr::mul(g(), Expr::int(2)), 2),
                        )
                        .conn("weight", Expr::elem("wmem", g()))
                        .conn("acc", id("acc"))
                        .into(),
                    Item::assign(
                        LValue::part_up("accs", Expr::mul(g(), id("ACC_W")), 12),
                        id("acc"),
                    ),
                    Item::assign(
                        LValue::part_up("exts", Expr::mul(g(), Expr::int(14)), 14),
                        Expr::sext("acc", 12, 14),
                    ),
                    Item::generate_if(
                        Expr::eq(g(), Expr::int(0)),
                        "first",
                        vec![Item::assign(
                            LValue::index("chain", g()),
                            Expr::land(id("in_valid"), Expr::lnot(id("load"))),
                        )],
                        vec![Item::assign(
                            LValue::index("chain", g()),
                            Expr::bit("vpipe", Expr::sub(g(), Expr::int(1))),
                        )],
                    ),
                ],
            ))
            .item(Item::Blank)
            .item(Item::always_comb(vec![
                Stmt::set("total", Expr::slit(14, 0)),
                Stmt::for_loop(
                    "j",
                    Expr::int(0),
                    id("N"),
                    vec![Stmt::set(
                        "total",
                        Expr::add(
                            id("total"),
                            Expr::signed(Expr::part_up("exts", Expr::mul(j(), Expr::int(14)), 14)),
                        ),
                    )],
                ),
            ]))
            .item(Item::Blank)
            .item(Item::always_ff(
                "clk",
                vec![Stmt::if_else(
                    id("rst"),
                    vec![
                        Stmt::nb("out_valid", Expr::lit(1, 0)),
                        Stmt::nb("out_sum", Expr::slit(14, 0)),
                    ],
                    vec![Stmt::if_else(
                        Expr::eq(id("MODE"), Expr::lit(2, 1)),
                        vec![
                            Stmt::nb("out_valid", Expr::bit_at("vpipe", lanes - 1)),
                            Stmt::nb(
                                "out_sum",
                                Expr::mux(
                                    Expr::red_and(id("chain")),
                                    Expr::ashr(id("total"), Expr::int(0)),
                                    Expr::slit(14, -1),
                                ),
                            ),
                        ],
                        vec![Stmt::Block(vec![
                            Stmt::comment("pass-through mode"),
                            Stmt::nb("out_valid", Expr::red_xor(id("chain"))),
                            Stmt::nb("out_sum", id("total")),
                        ])],
                    )],
                )],
            ))
    }

    /// Top level: instantiates `pe_row` with a parameter override.
    fn core_top() -> Module {
        let pass = |n: &str| (n.to_string(), id(n));
        let mut inst = Instance::new("pe_row", "u_row")
            .param("N", Expr::int(4))
            .param("MODE", Expr::lit(2, 1));
        inst.connections = [
            "clk",
            "rst",
            "load",
            "waddr",
            "wdata",
            "in_valid",
            "in_ready",
            "in_lanes",
            "out_valid",
            "out_sum",
            "out_any",
        ]
        .iter()
        .map(|n| pass(n))
        .collect();
        Module::new("core_top")
            .input("clk", 1, false, "")
            .input("rst", 1, false, "")
            .input("load", 1, false, "")
            .input("waddr", 2, false, "")
            .input("wdata", 8, true, "")
            .input("in_valid", 1, false, "")
            .output("in_ready", 1, false, "")
            .input("in_lanes", 8, false, "")
            .output("out_valid", 1, false, "")
            .output("out_sum", 14, true, "")
            .output("out_any", 1, false, "")
            .item(inst)
    }

    #[test]
    fn nested_expressions_are_parenthesized() {
        // (a + b) * (c - d) >>> 2, then compared and muxed.
        let e = Expr::ashr(
            Expr::mul(Expr::add(id("a"), id("b")), Expr::sub(id("c"), id("d"))),
            Expr::int(2),
        );
        assert_eq!(expr_to_string(&e), "((a + b) * (c - d)) >>> 2");
        let m = Expr::mux(
            Expr::land(Expr::lt(id("x"), id("y")), Expr::lnot(id("en"))),
            Expr::mux(id("s"), id("p"), id("q")),
            Expr::neg(Expr::xor(id("p"), id("q"))),
        );
        assert_eq!(
            expr_to_string(&m),
            "((x < y) && !en) ? (s ? p : q) : (-(p ^ q))"
        );
        // Left-nested vs right-nested subtraction print differently.
        let left = Expr::sub(Expr::sub(id("a"), id("b")), id("c"));
        let right = Expr::sub(id("a"), Expr::sub(id("b"), id("c")));
        assert_eq!(expr_to_string(&left), "(a - b) - c");
        assert_eq!(expr_to_string(&right), "a - (b - c)");
        // Unary operands: ~/! stay bare next to binary operators, others not.
        let u = Expr::and(
            Expr::not(id("a")),
            Expr::or(Expr::red_and(id("b")), Expr::neg(id("c"))),
        );
        assert_eq!(expr_to_string(&u), "~a & ((&b) | (-c))");
        assert_eq!(expr_to_string(&Expr::not(Expr::not(id("a")))), "~(~a)");
        assert_eq!(
            expr_to_string(&Expr::neg(Expr::int(-5))),
            "-(-5)",
            "negative integers are parenthesized when nested"
        );
        assert_eq!(
            expr_to_string(&Expr::add(id("a"), Expr::int(-1))),
            "a + (-1)"
        );
        // Delimited contexts need no parentheses.
        let sel = Expr::concat(vec![
            Expr::bit("v", Expr::add(id("i"), Expr::int(1))),
            Expr::part_up("w", Expr::mul(id("g"), Expr::int(8)), 8),
            Expr::repl(3, Expr::concat(vec![id("a"), id("b")])),
            Expr::signed(Expr::add(id("a"), id("b"))),
            Expr::unsigned(Expr::part("w", 7, 4)),
            Expr::elem("mem", Expr::int(3)),
        ]);
        assert_eq!(
            expr_to_string(&sel),
            "{v[i + 1], w[g * 8 +: 8], {3{a, b}}, $signed(a + b), $unsigned(w[7:4]), mem[3]}"
        );
        let all = [
            (BinOp::Shl, "<<"),
            (BinOp::Shr, ">>"),
            (BinOp::Eq, "=="),
            (BinOp::Ne, "!="),
            (BinOp::Le, "<="),
            (BinOp::Gt, ">"),
            (BinOp::Ge, ">="),
            (BinOp::LogOr, "||"),
        ];
        for (op, tok) in all {
            let e = Expr::binary(op, Expr::and(id("a"), id("b")), id("c"));
            assert_eq!(expr_to_string(&e), format!("(a & b) {tok} c"));
        }
        assert_eq!(
            lvalue_to_string(&LValue::Concat(vec![
                LValue::id("c"),
                LValue::part("s", 3, 0),
                LValue::index("m", id("k")),
                LValue::part_up("w", Expr::int(8), 4),
            ])),
            "{c, s[3:0], m[k], w[8 +: 4]}"
        );
    }

    #[test]
    fn literals_print_two_complement_patterns() {
        assert_eq!(expr_to_string(&Expr::lit(8, 5)), "8'd5");
        assert_eq!(expr_to_string(&Expr::slit(8, 5)), "8'sd5");
        assert_eq!(expr_to_string(&Expr::slit(8, -5)), "-8'sd5");
        assert_eq!(expr_to_string(&Expr::slit(15, -4)), "-15'sd4");
        assert_eq!(expr_to_string(&Expr::lit(8, -5)), "8'hFB");
        assert_eq!(expr_to_string(&Expr::slit(12, -1)), "-12'sd1");
        assert_eq!(expr_to_string(&Expr::slit(12, -2048)), "12'sh800");
        assert_eq!(expr_to_string(&Expr::slit(10, -3)), "-10'sd3");
        assert_eq!(expr_to_string(&Expr::slit(5, -16)), "5'sh10");
        assert_eq!(expr_to_string(&Expr::slit(2, -1)), "-2'sd1");
        assert_eq!(expr_to_string(&Expr::slit(1, -1)), "1'sh1");
        assert_eq!(expr_to_string(&Expr::lit(1, 1)), "1'd1");
        assert_eq!(expr_to_string(&Expr::slit(14, 0)), "14'sd0");
        assert_eq!(expr_to_string(&Expr::lit(8, 255)), "8'd255");
        assert_eq!(
            expr_to_string(&Expr::slit(64, i64::MIN)),
            "64'sh8000000000000000"
        );
        assert_eq!(expr_to_string(&Expr::slit(64, -1)), "64'shFFFFFFFFFFFFFFFF");
        // A signed negative literal is parenthesized when nested.
        assert_eq!(
            expr_to_string(&Expr::sub(id("m"), Expr::slit(8, -5))),
            "m - (-8'sd5)"
        );
        assert_eq!(expr_to_string(&Expr::neg(Expr::slit(8, -5))), "-(-8'sd5)");
        assert_eq!(expr_to_string(&Expr::int(-7)), "-7");
        assert_eq!(expr_to_string(&Expr::int(42)), "42");
        // The most negative value prints as its bit pattern: atomic.
        assert_eq!(
            expr_to_string(&Expr::sub(id("acc"), Expr::slit(8, -128))),
            "acc - 8'sh80"
        );
        assert_eq!(lit_to_string(4, 0x1F, false), "4'd15", "masked to width");
    }

    #[test]
    fn params_statements_and_generate_layout() {
        let m = Module::new("lay")
            .param(Param::integer("N", -3))
            .param(Param::sized("K", 4, 9).comment("k"))
            .param(Param::sized("B", 1, 1))
            .item(Item::Localparam(Param::sized("L", 3, -1)))
            .item(Item::localparam("M", 7))
            .item(Item::comment("two\nlines\n"))
            .item(Item::always_comb(vec![
                Stmt::if_else(
                    id("a"),
                    vec![Stmt::set("x", Expr::lit(1, 1))],
                    vec![Stmt::if_else(
                        id("b"),
                        vec![],
                        vec![Stmt::if_then(id("c"), vec![Stmt::set("x", id("d"))])],
                    )],
                ),
                Stmt::case(
                    id("s"),
                    vec![
                        CaseArm {
                            labels: vec![Expr::lit(2, 0), Expr::lit(2, 3)],
                            body: vec![],
                        },
                        CaseArm::new(
                            Expr::lit(2, 1),
                            vec![Stmt::comment("c"), Stmt::set("y", id("e"))],
                        ),
                    ],
                    None,
                ),
            ]))
            .item(Instance::new("sub", "u_sub"))
            .item(Item::generate(
                "r",
                Expr::int(0),
                id("N"),
                "rows",
                vec![Item::generate(
                    "c",
                    Expr::int(1),
                    Expr::int(3),
                    "cols",
                    vec![Item::assign(LValue::index("z", id("c")), id("r"))],
                )],
            ))
            .item(Item::generate_if(
                Expr::gt(id("N"), Expr::int(0)),
                "has_n",
                vec![Item::generate(
                    "r",
                    Expr::int(0),
                    Expr::int(2),
                    "again",
                    vec![],
                )],
                vec![],
            ));
        let expected = "\
`default_nettype none

module lay #(
  parameter integer N = -3,
  parameter [3:0] K = 4'd9,  // k
  parameter B = 1'd1
);

  localparam [2:0] L = 3'h7;
  localparam integer M = 7;
  // two
  // lines
  always @(*) begin
    if (a) begin
      x = 1'd1;
    end else if (b) begin
    end else if (c) begin
      x = d;
    end
    case (s)
      2'd0, 2'd3: ;
      2'd1: begin
        // c
        y = e;
      end
    endcase
  end
  sub u_sub ();
  genvar r;
  genvar c;
  generate
    for (r = 0; r < N; r = r + 1) begin : rows
      for (c = 1; c < 3; c = c + 1) begin : cols
        assign z[c] = r;
      end
    end
  endgenerate
  generate
    if (N > 0) begin : has_n
      for (r = 0; r < 2; r = r + 1) begin : again
      end
    end
  endgenerate

endmodule

`default_nettype wire
";
        assert_eq!(module_to_string(&m), expected);
        let empty = Module::new("e");
        assert_eq!(
            module_to_string(&empty),
            "`default_nettype none\n\nmodule e;\nendmodule\n\n`default_nettype wire\n"
        );
    }

    /// Writes the example modules and runs Verilator's lint and Yosys'
    /// synthesis check on each top (fails under `CI` if a tool is missing).
    #[test]
    fn examples_pass_verilator_and_yosys() {
        use snn_tools::Tool;
        let (Some(verilator), Some(yosys)) = (
            snn_tools::require_for_test(Tool::Verilator),
            snn_tools::require_for_test(Tool::Yosys),
        ) else {
            return;
        };
        let dir = std::env::temp_dir().join(format!("rtl-gen-print-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let modules = [tern_acc(), pe_row(), core_top()];
        let mut files = Vec::new();
        for m in &modules {
            let name = format!("{}.v", m.name);
            std::fs::write(dir.join(&name), module_to_string(m)).unwrap();
            files.push(name);
        }
        for (k, m) in modules.iter().enumerate() {
            // Each top with the files it needs (all earlier modules).
            let needed = &files[..=k];
            snn_tools::verilator_lint(&verilator, &dir, needed, &m.name).unwrap();
            snn_tools::yosys_synth_check(&yosys, &dir, needed, &m.name).unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
