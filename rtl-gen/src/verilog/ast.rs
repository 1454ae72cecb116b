//! A small typed AST for synthesizable Verilog-2005.
//!
//! Modules are built as data ([`Module`], [`Item`], [`Stmt`], [`Expr`]) and
//! written by the single printer in [`super::print`]. The tree only models what
//! the snnrtl generator needs: ANSI-style modules with integer or sized
//! parameters, wire/reg/integer declarations (optionally arrays), continuous
//! assigns, clocked and combinational `always` blocks, named-port instances and
//! generate `for` / `if` blocks. There is no `initial` block on purpose.
//!
//! Widths are concrete numbers (computed in Rust from the golden model), so a
//! width `W` is stored as `W` and printed as `[W-1:0]` with the number already
//! computed. Names are not checked; the caller uses legal, non-keyword Verilog
//! identifiers.
//!
//! Builders panic on nonsense that can only come from a generator bug (a zero
//! width, a literal that does not fit its width); each says so under `# Panics`.

/// Direction of a module port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `input`
    Input,
    /// `output`
    Output,
}

/// Net kind of a port or declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetKind {
    /// `wire`: driven by `assign` or an instance output.
    Wire,
    /// `reg`: assigned inside `always` blocks.
    Reg,
}

/// A Verilog module: printed as one file (see [`super::print::module_to_string`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// Module name (also the file's base name, so Verilator's DECLFILENAME holds).
    pub name: String,
    /// Comment lines printed as `// ...` at the top of the file, before `module`.
    pub header: Vec<String>,
    /// `#(parameter ...)` list in the module header.
    pub params: Vec<Param>,
    /// ANSI port list, printed one per line in this order.
    pub ports: Vec<Port>,
    /// Module body, printed in this order.
    pub items: Vec<Item>,
}

/// A `parameter` (in the module header) or `localparam` (as [`Item::Localparam`]).
///
/// Printed as `parameter integer NAME = V` when `width` is `None`, else as
/// `parameter [W-1:0] NAME = W'dV` (the value as a sized literal of that width).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Parameter name (conventionally upper case).
    pub name: String,
    /// Value; with a `width` it is printed as a sized literal of that width.
    pub value: i64,
    /// `None` for `integer`, `Some(W)` for a `[W-1:0]` vector.
    pub width: Option<u32>,
    /// Trailing `// ...` comment; empty for none.
    pub comment: String,
}

/// One ANSI-style module port, e.g. `input wire signed [7:0] weight  // comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Port name.
    pub name: String,
    /// `input` or `output`.
    pub dir: Dir,
    /// `wire` or `reg` (`reg` only makes sense for outputs).
    pub kind: NetKind,
    /// Bit width, at least 1; width 1 prints no range.
    pub width: u32,
    /// `signed` keyword.
    pub signed: bool,
    /// Trailing `// ...` comment; empty for none.
    pub comment: String,
}

/// A `wire` / `reg` declaration, optionally an array:
/// `reg signed [7:0] mem [0:3];  // comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// `wire` or `reg`.
    pub kind: NetKind,
    /// Net name.
    pub name: String,
    /// Bit width of one element, at least 1; width 1 prints no range.
    pub width: u32,
    /// `signed` keyword.
    pub signed: bool,
    /// `Some(D)` declares an array `name [0:D-1]`.
    pub depth: Option<u32>,
    /// Trailing `// ...` comment; empty for none.
    pub comment: String,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// Bitwise not `~`.
    Not,
    /// Arithmetic negation `-`.
    Neg,
    /// Logical not `!`.
    LogNot,
    /// Reduction and `&`.
    RedAnd,
    /// Reduction or `|`.
    RedOr,
    /// Reduction xor `^`.
    RedXor,
}

impl UnOp {
    /// The operator's Verilog token.
    pub fn token(self) -> &'static str {
        match self {
            UnOp::Not => "~",
            UnOp::Neg => "-",
            UnOp::LogNot => "!",
            UnOp::RedAnd => "&",
            UnOp::RedOr => "|",
            UnOp::RedXor => "^",
        }
    }
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// Bitwise `&`
    And,
    /// Bitwise `|`
    Or,
    /// Bitwise `^`
    Xor,
    /// Logical shift left `<<`
    Shl,
    /// Logical shift right `>>`
    Shr,
    /// Arithmetic shift right `>>>` (sign-fills only for a signed left operand)
    AShr,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// Logical `&&`
    LogAnd,
    /// Logical `||`
    LogOr,
}

impl BinOp {
    /// The operator's Verilog token.
    pub fn token(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::AShr => ">>>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::LogAnd => "&&",
            BinOp::LogOr => "||",
        }
    }
}

/// An expression. The printer parenthesizes every nested compound
/// subexpression, so the printed text always means exactly this tree.
///
/// Selects (`Index`, `Part`, `IndexedPart`) apply to a named net, as Verilog-2005
/// requires; `Index` serves both for a bit select `x[i]` and an array element
/// `mem[i]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// An identifier: net, port, parameter, genvar or integer name.
    Id(String),
    /// A sized literal. Non-negative values print in decimal (`8'd5`,
    /// `8'sd5` when signed); negative values print the two's-complement bit
    /// pattern in hex (`8'hFB`, `8'shFB` when signed). See [`Expr::lit`].
    Lit {
        /// Width in bits, 1..=64.
        width: u32,
        /// Value; negative values stand for their two's-complement pattern.
        value: i64,
        /// Adds the `s` (signed) base marker.
        signed: bool,
    },
    /// An unsized decimal integer constant (32-bit signed in Verilog), e.g. `5`.
    Int(i64),
    /// Bit select or array element: `base[index]`.
    Index {
        /// Net or array name.
        base: String,
        /// Index expression.
        index: Box<Expr>,
    },
    /// Constant part select `base[hi:lo]`.
    Part {
        /// Net name.
        base: String,
        /// Most significant bit (constant expression).
        hi: Box<Expr>,
        /// Least significant bit (constant expression).
        lo: Box<Expr>,
    },
    /// Indexed part select `base[start +: width]`.
    IndexedPart {
        /// Net name.
        base: String,
        /// Lowest bit index (may be variable).
        start: Box<Expr>,
        /// Number of bits (constant).
        width: u32,
    },
    /// Concatenation `{a, b, ...}` (the result is unsigned).
    Concat(Vec<Expr>),
    /// Replication `{count{e}}` (the result is unsigned).
    Repl(u32, Box<Expr>),
    /// Unary operation.
    Unary(UnOp, Box<Expr>),
    /// Binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// Conditional `cond ? then : else`.
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `$signed(e)`.
    Signed(Box<Expr>),
    /// `$unsigned(e)`.
    Unsigned(Box<Expr>),
}

/// Checks `value` fits a `width`-bit literal: as a signed value when `signed`,
/// else as an unsigned value or a negative two's-complement pattern.
fn check_lit(width: u32, value: i64, signed: bool) {
    assert!(
        (1..=64).contains(&width),
        "literal width {width} outside 1..=64"
    );
    let v = i128::from(value);
    let w = width as i128;
    let (lo, hi) = if signed {
        (-(1i128 << (w - 1)), (1i128 << (w - 1)) - 1)
    } else {
        (-(1i128 << (w - 1)), (1i128 << w) - 1)
    };
    assert!(
        (lo..=hi).contains(&v),
        "literal value {value} does not fit {width} bits (signed: {signed})"
    );
}

// `Expr::add(a, b)` and friends build Verilog operator nodes; they are
// constructors, not Rust arithmetic, and the operator traits are deliberately
// not overloaded so that building a tree stays explicit.
#[allow(clippy::should_implement_trait)]
impl Expr {
    /// Identifier `name`.
    pub fn id(name: impl Into<String>) -> Expr {
        Expr::Id(name.into())
    }

    /// Unsigned sized literal: `lit(8, 5)` prints `8'd5`, `lit(8, -5)` prints
    /// the bit pattern `8'hFB`.
    ///
    /// # Panics
    /// If `width` is not in 1..=64 or `value` is outside
    /// `-2^(width-1) ..= 2^width - 1`.
    pub fn lit(width: u32, value: i64) -> Expr {
        check_lit(width, value, false);
        Expr::Lit {
            width,
            value,
            signed: false,
        }
    }

    /// Signed sized literal: `slit(8, 5)` prints `8'sd5`, `slit(8, -5)` prints
    /// `8'shFB`.
    ///
    /// # Panics
    /// If `width` is not in 1..=64 or `value` is outside
    /// `-2^(width-1) ..= 2^(width-1) - 1`.
    pub fn slit(width: u32, value: i64) -> Expr {
        check_lit(width, value, true);
        Expr::Lit {
            width,
            value,
            signed: true,
        }
    }

    /// Unsized integer constant, e.g. a loop bound or shift amount.
    pub fn int(value: i64) -> Expr {
        Expr::Int(value)
    }

    /// Bit select `base[index]`.
    pub fn bit(base: impl Into<String>, index: Expr) -> Expr {
        Expr::Index {
            base: base.into(),
            index: Box::new(index),
        }
    }

    /// Bit select with a constant index, `base[i]`.
    pub fn bit_at(base: impl Into<String>, index: u32) -> Expr {
        Expr::bit(base, Expr::Int(i64::from(index)))
    }

    /// Array element `array[index]` (same text as a bit select).
    pub fn elem(array: impl Into<String>, index: Expr) -> Expr {
        Expr::Index {
            base: array.into(),
            index: Box::new(index),
        }
    }

    /// Constant part select `base[hi:lo]`.
    ///
    /// # Panics
    /// If `hi < lo`.
    pub fn part(base: impl Into<String>, hi: u32, lo: u32) -> Expr {
        assert!(hi >= lo, "part select [{hi}:{lo}] is reversed");
        Expr::Part {
            base: base.into(),
            hi: Box::new(Expr::Int(i64::from(hi))),
            lo: Box::new(Expr::Int(i64::from(lo))),
        }
    }

    /// Indexed part select `base[start +: width]`.
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn part_up(base: impl Into<String>, start: Expr, width: u32) -> Expr {
        assert!(width >= 1, "indexed part select of width 0");
        Expr::IndexedPart {
            base: base.into(),
            start: Box::new(start),
            width,
        }
    }

    /// Concatenation `{a, b, ...}`.
    pub fn concat(parts: Vec<Expr>) -> Expr {
        Expr::Concat(parts)
    }

    /// Replication `{count{e}}`.
    ///
    /// # Panics
    /// If `count` is 0 (illegal in Verilog-2005).
    pub fn repl(count: u32, e: Expr) -> Expr {
        assert!(count >= 1, "replication count 0");
        Expr::Repl(count, Box::new(e))
    }

    /// Sign extension of the `from`-bit net `name` to `to` bits:
    /// `{{to-from{name[from-1]}}, name}` (unsigned, as every concatenation);
    /// just `name` when `to == from`.
    ///
    /// # Panics
    /// If `to < from` or `from` is 0.
    pub fn sext(name: impl Into<String>, from: u32, to: u32) -> Expr {
        assert!(from >= 1 && to >= from, "bad sign extension {from} -> {to}");
        let name = name.into();
        if to == from {
            return Expr::Id(name);
        }
        let sign = if from == 1 {
            Expr::Id(name.clone())
        } else {
            Expr::bit_at(name.clone(), from - 1)
        };
        Expr::concat(vec![Expr::repl(to - from, sign), Expr::Id(name)])
    }

    /// Unary operation.
    pub fn unary(op: UnOp, e: Expr) -> Expr {
        Expr::Unary(op, Box::new(e))
    }

    /// Bitwise not `~e`.
    pub fn not(e: Expr) -> Expr {
        Expr::unary(UnOp::Not, e)
    }

    /// Negation `-e`.
    pub fn neg(e: Expr) -> Expr {
        Expr::unary(UnOp::Neg, e)
    }

    /// Logical not `!e`.
    pub fn lnot(e: Expr) -> Expr {
        Expr::unary(UnOp::LogNot, e)
    }

    /// Reduction and `&e`.
    pub fn red_and(e: Expr) -> Expr {
        Expr::unary(UnOp::RedAnd, e)
    }

    /// Reduction or `|e`.
    pub fn red_or(e: Expr) -> Expr {
        Expr::unary(UnOp::RedOr, e)
    }

    /// Reduction xor `^e`.
    pub fn red_xor(e: Expr) -> Expr {
        Expr::unary(UnOp::RedXor, e)
    }

    /// Binary operation `a op b`.
    pub fn binary(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b))
    }

    /// `a + b`
    pub fn add(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Add, a, b)
    }

    /// `a - b`
    pub fn sub(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Sub, a, b)
    }

    /// `a * b`
    pub fn mul(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Mul, a, b)
    }

    /// `a & b`
    pub fn and(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::And, a, b)
    }

    /// `a | b`
    pub fn or(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Or, a, b)
    }

    /// `a ^ b`
    pub fn xor(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Xor, a, b)
    }

    /// `a << b`
    pub fn shl(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Shl, a, b)
    }

    /// `a >> b`
    pub fn shr(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Shr, a, b)
    }

    /// `a >>> b`
    pub fn ashr(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::AShr, a, b)
    }

    /// `a == b`
    pub fn eq(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Eq, a, b)
    }

    /// `a != b`
    pub fn ne(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Ne, a, b)
    }

    /// `a < b`
    pub fn lt(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Lt, a, b)
    }

    /// `a <= b`
    pub fn le(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Le, a, b)
    }

    /// `a > b`
    pub fn gt(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Gt, a, b)
    }

    /// `a >= b`
    pub fn ge(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::Ge, a, b)
    }

    /// `a && b`
    pub fn land(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::LogAnd, a, b)
    }

    /// `a || b`
    pub fn lor(a: Expr, b: Expr) -> Expr {
        Expr::binary(BinOp::LogOr, a, b)
    }

    /// Conditional `cond ? then : else`.
    pub fn mux(cond: Expr, then: Expr, otherwise: Expr) -> Expr {
        Expr::Ternary(Box::new(cond), Box::new(then), Box::new(otherwise))
    }

    /// `$signed(e)`.
    pub fn signed(e: Expr) -> Expr {
        Expr::Signed(Box::new(e))
    }

    /// `$unsigned(e)`.
    pub fn unsigned(e: Expr) -> Expr {
        Expr::Unsigned(Box::new(e))
    }
}

impl From<&str> for Expr {
    /// An identifier.
    fn from(name: &str) -> Expr {
        Expr::Id(name.to_string())
    }
}

impl From<String> for Expr {
    /// An identifier.
    fn from(name: String) -> Expr {
        Expr::Id(name)
    }
}

/// The target of an assignment (`assign`, `=` or `<=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LValue {
    /// Whole net `x`.
    Id(String),
    /// Bit select or array element `x[i]`.
    Index {
        /// Net or array name.
        base: String,
        /// Index expression.
        index: Expr,
    },
    /// Constant part select `x[hi:lo]`.
    Part {
        /// Net name.
        base: String,
        /// Most significant bit.
        hi: Expr,
        /// Least significant bit.
        lo: Expr,
    },
    /// Indexed part select `x[start +: width]`.
    IndexedPart {
        /// Net name.
        base: String,
        /// Lowest bit index.
        start: Expr,
        /// Number of bits.
        width: u32,
    },
    /// Concatenation of targets `{a, b}`.
    Concat(Vec<LValue>),
}

impl LValue {
    /// Whole net `name`.
    pub fn id(name: impl Into<String>) -> LValue {
        LValue::Id(name.into())
    }

    /// Bit select / array element `base[index]`.
    pub fn index(base: impl Into<String>, index: Expr) -> LValue {
        LValue::Index {
            base: base.into(),
            index,
        }
    }

    /// Constant part select `base[hi:lo]`.
    ///
    /// # Panics
    /// If `hi < lo`.
    pub fn part(base: impl Into<String>, hi: u32, lo: u32) -> LValue {
        assert!(hi >= lo, "part select [{hi}:{lo}] is reversed");
        LValue::Part {
            base: base.into(),
            hi: Expr::Int(i64::from(hi)),
            lo: Expr::Int(i64::from(lo)),
        }
    }

    /// Indexed part select `base[start +: width]`.
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn part_up(base: impl Into<String>, start: Expr, width: u32) -> LValue {
        assert!(width >= 1, "indexed part select of width 0");
        LValue::IndexedPart {
            base: base.into(),
            start,
            width,
        }
    }
}

impl From<&str> for LValue {
    /// Whole net `name`.
    fn from(name: &str) -> LValue {
        LValue::Id(name.to_string())
    }
}

impl From<String> for LValue {
    /// Whole net `name`.
    fn from(name: String) -> LValue {
        LValue::Id(name)
    }
}

/// One arm of a `case`: `label, label: body`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseArm {
    /// Labels (at least one), usually sized literals.
    pub labels: Vec<Expr>,
    /// Statements; one assignment prints inline, more get `begin ... end`,
    /// none prints a null statement `;`.
    pub body: Vec<Stmt>,
}

impl CaseArm {
    /// Arm with one label.
    pub fn new(label: Expr, body: Vec<Stmt>) -> CaseArm {
        CaseArm {
            labels: vec![label],
            body,
        }
    }
}

/// A procedural statement inside an `always` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// Blocking assignment `lhs = rhs;` (combinational blocks, loop temporaries).
    Blocking {
        /// Target.
        lhs: LValue,
        /// Value.
        rhs: Expr,
    },
    /// Non-blocking assignment `lhs <= rhs;` (clocked blocks).
    NonBlocking {
        /// Target.
        lhs: LValue,
        /// Value.
        rhs: Expr,
    },
    /// `if (cond) begin ... end else begin ... end`. An `else_` that is exactly
    /// one `If` prints as `end else if (...) begin`; an empty `else_` prints no
    /// `else`.
    If {
        /// Condition.
        cond: Expr,
        /// Statements when true.
        then_: Vec<Stmt>,
        /// Statements when false (may be empty).
        else_: Vec<Stmt>,
    },
    /// `case (expr) ... default: ... endcase`.
    Case {
        /// Selector.
        expr: Expr,
        /// Arms in order.
        arms: Vec<CaseArm>,
        /// `default:` arm; `None` prints none (Verilator wants one unless
        /// the arms are complete).
        default: Option<Vec<Stmt>>,
    },
    /// `begin ... end`.
    Block(Vec<Stmt>),
    /// `for (var = from; var < to; var = var + 1) begin ... end`; `var` must be
    /// declared with [`Item::Integer`].
    For {
        /// Loop variable (an `integer`).
        var: String,
        /// First value.
        from: Expr,
        /// Exclusive bound.
        to: Expr,
        /// Loop body.
        body: Vec<Stmt>,
    },
    /// `// text` line(s).
    Comment(String),
}

impl Stmt {
    /// Blocking assignment `lhs = rhs;`.
    pub fn set(lhs: impl Into<LValue>, rhs: Expr) -> Stmt {
        Stmt::Blocking {
            lhs: lhs.into(),
            rhs,
        }
    }

    /// Non-blocking assignment `lhs <= rhs;`.
    pub fn nb(lhs: impl Into<LValue>, rhs: Expr) -> Stmt {
        Stmt::NonBlocking {
            lhs: lhs.into(),
            rhs,
        }
    }

    /// `if (cond) begin then_ end`.
    pub fn if_then(cond: Expr, then_: Vec<Stmt>) -> Stmt {
        Stmt::If {
            cond,
            then_,
            else_: Vec::new(),
        }
    }

    /// `if (cond) begin then_ end else begin else_ end`; pass
    /// `vec![Stmt::if_else(..)]` as `else_` for an `else if` chain.
    pub fn if_else(cond: Expr, then_: Vec<Stmt>, else_: Vec<Stmt>) -> Stmt {
        Stmt::If { cond, then_, else_ }
    }

    /// `case (expr) arms default: ... endcase`.
    pub fn case(expr: Expr, arms: Vec<CaseArm>, default: Option<Vec<Stmt>>) -> Stmt {
        Stmt::Case {
            expr,
            arms,
            default,
        }
    }

    /// `for (var = from; var < to; var = var + 1)` over integer variable `var`.
    pub fn for_loop(var: impl Into<String>, from: Expr, to: Expr, body: Vec<Stmt>) -> Stmt {
        Stmt::For {
            var: var.into(),
            from,
            to,
            body,
        }
    }

    /// `// text`.
    pub fn comment(text: impl Into<String>) -> Stmt {
        Stmt::Comment(text.into())
    }
}

/// A module instance with named parameter overrides and named port connections:
///
/// ```text
/// module #(
///   .P(v)
/// ) name (
///   .port(expr)
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Instantiated module's name.
    pub module: String,
    /// Instance name.
    pub name: String,
    /// `#(.P(v))` overrides; empty prints no `#(...)`.
    pub params: Vec<(String, Expr)>,
    /// `.port(expr)` connections, one per line.
    pub connections: Vec<(String, Expr)>,
}

impl Instance {
    /// Instance `name` of `module` with no parameters or connections yet.
    pub fn new(module: impl Into<String>, name: impl Into<String>) -> Instance {
        Instance {
            module: module.into(),
            name: name.into(),
            params: Vec::new(),
            connections: Vec::new(),
        }
    }

    /// Adds a parameter override `.name(value)`.
    pub fn param(mut self, name: impl Into<String>, value: Expr) -> Instance {
        self.params.push((name.into(), value));
        self
    }

    /// Adds a port connection `.port(expr)`.
    pub fn conn(mut self, port: impl Into<String>, expr: Expr) -> Instance {
        self.connections.push((port.into(), expr));
        self
    }
}

/// A generate `for` loop:
///
/// ```text
/// genvar g;
/// generate
///   for (g = from; g < to; g = g + 1) begin : label
///     items
///   end
/// endgenerate
/// ```
///
/// The printer declares each genvar once, just before the top-level
/// `generate` that first uses it (nested loops' genvars included), and prints
/// nested generate constructs without another `generate`/`endgenerate`
/// (Verilog-2005 forbids nested generate regions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generate {
    /// Loop variable.
    pub genvar: String,
    /// First value.
    pub from: Expr,
    /// Exclusive bound.
    pub to: Expr,
    /// Block label; instances inside are named `label[g].inst`.
    pub label: String,
    /// Items generated per iteration.
    pub items: Vec<Item>,
}

/// A generate `if`: `if (cond) begin : label ... end else begin : label ... end`
/// (both branches carry the same label, which Verilog-2005 allows because only
/// one is elaborated). An empty `else_items` prints no `else`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateIf {
    /// Constant condition (parameters, genvars).
    pub cond: Expr,
    /// Block label.
    pub label: String,
    /// Items when true.
    pub then_items: Vec<Item>,
    /// Items when false.
    pub else_items: Vec<Item>,
}

/// A module body item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `wire` / `reg` declaration.
    Decl(Decl),
    /// `integer name;` (for procedural `for` loops).
    Integer(String),
    /// `localparam integer NAME = V;` or `localparam [W-1:0] NAME = W'dV;`.
    Localparam(Param),
    /// Continuous `assign lhs = rhs;`.
    Assign {
        /// Target (a wire).
        lhs: LValue,
        /// Value.
        rhs: Expr,
    },
    /// `always @(posedge clock) begin body end`; a synchronous reset is an
    /// `if` written by the caller in `body`.
    AlwaysFf {
        /// Clock signal name.
        clock: String,
        /// Statements (normally non-blocking assignments).
        body: Vec<Stmt>,
    },
    /// `always @(*) begin body end`.
    AlwaysComb {
        /// Statements (normally blocking assignments).
        body: Vec<Stmt>,
    },
    /// Module instance.
    Instance(Instance),
    /// Generate `for` loop.
    Generate(Generate),
    /// Generate `if`.
    GenerateIf(GenerateIf),
    /// `// text` line(s) (a `\n` in the text starts another comment line).
    Comment(String),
    /// Memory contents from a hex file, unless the macro `guard` is defined:
    /// `` `ifndef guard `` / `initial $readmemh("file", memory);` / `` `endif ``.
    /// The only `initial` the generator writes (contents, not logic).
    ReadMemH {
        /// File name, relative to where the simulator or Yosys runs.
        file: String,
        /// The memory array.
        memory: String,
        /// Macro that leaves the memory uninitialised (loaded by a port).
        guard: String,
    },
    /// An empty line.
    Blank,
}

impl Item {
    /// `integer name;`.
    pub fn integer(name: impl Into<String>) -> Item {
        Item::Integer(name.into())
    }

    /// `localparam integer name = value;`.
    pub fn localparam(name: impl Into<String>, value: i64) -> Item {
        Item::Localparam(Param::integer(name, value))
    }

    /// `assign lhs = rhs;`.
    pub fn assign(lhs: impl Into<LValue>, rhs: Expr) -> Item {
        Item::Assign {
            lhs: lhs.into(),
            rhs,
        }
    }

    /// `always @(posedge clock) begin body end`.
    pub fn always_ff(clock: impl Into<String>, body: Vec<Stmt>) -> Item {
        Item::AlwaysFf {
            clock: clock.into(),
            body,
        }
    }

    /// `always @(*) begin body end`.
    pub fn always_comb(body: Vec<Stmt>) -> Item {
        Item::AlwaysComb { body }
    }

    /// Generate loop `for (genvar = from; genvar < to; ...) begin : label items end`.
    pub fn generate(
        genvar: impl Into<String>,
        from: Expr,
        to: Expr,
        label: impl Into<String>,
        items: Vec<Item>,
    ) -> Item {
        Item::Generate(Generate {
            genvar: genvar.into(),
            from,
            to,
            label: label.into(),
            items,
        })
    }

    /// Generate `if (cond) begin : label then_items end else begin : label else_items end`.
    pub fn generate_if(
        cond: Expr,
        label: impl Into<String>,
        then_items: Vec<Item>,
        else_items: Vec<Item>,
    ) -> Item {
        Item::GenerateIf(GenerateIf {
            cond,
            label: label.into(),
            then_items,
            else_items,
        })
    }

    /// `// text`.
    pub fn comment(text: impl Into<String>) -> Item {
        Item::Comment(text.into())
    }
}

impl From<Decl> for Item {
    fn from(d: Decl) -> Item {
        Item::Decl(d)
    }
}

impl From<Instance> for Item {
    fn from(i: Instance) -> Item {
        Item::Instance(i)
    }
}

impl From<Generate> for Item {
    fn from(g: Generate) -> Item {
        Item::Generate(g)
    }
}

impl From<GenerateIf> for Item {
    fn from(g: GenerateIf) -> Item {
        Item::GenerateIf(g)
    }
}

impl Param {
    /// `integer` parameter with no comment.
    ///
    /// # Panics
    /// If `value` does not fit a 32-bit Verilog `integer`.
    pub fn integer(name: impl Into<String>, value: i64) -> Param {
        assert!(
            i32::try_from(value).is_ok(),
            "integer parameter {value} does not fit 32 bits"
        );
        Param {
            name: name.into(),
            value,
            width: None,
            comment: String::new(),
        }
    }

    /// `[width-1:0]` parameter with no comment.
    ///
    /// # Panics
    /// If `value` does not fit `width` bits as an unsigned literal (see [`Expr::lit`]).
    pub fn sized(name: impl Into<String>, width: u32, value: i64) -> Param {
        check_lit(width, value, false);
        Param {
            name: name.into(),
            value,
            width: Some(width),
            comment: String::new(),
        }
    }

    /// Sets the trailing comment.
    pub fn comment(mut self, text: impl Into<String>) -> Param {
        self.comment = text.into();
        self
    }
}

impl Decl {
    fn new(kind: NetKind, name: impl Into<String>, width: u32) -> Decl {
        assert!(width >= 1, "declaration of width 0");
        Decl {
            kind,
            name: name.into(),
            width,
            signed: false,
            depth: None,
            comment: String::new(),
        }
    }

    /// Unsigned `wire [width-1:0] name;`.
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn wire(name: impl Into<String>, width: u32) -> Decl {
        Decl::new(NetKind::Wire, name, width)
    }

    /// Unsigned `reg [width-1:0] name;`.
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn reg(name: impl Into<String>, width: u32) -> Decl {
        Decl::new(NetKind::Reg, name, width)
    }

    /// Makes it `signed`.
    pub fn signed(mut self) -> Decl {
        self.signed = true;
        self
    }

    /// Makes it an array `name [0:depth-1]`.
    ///
    /// # Panics
    /// If `depth` is 0.
    pub fn array(mut self, depth: u32) -> Decl {
        assert!(depth >= 1, "array of depth 0");
        self.depth = Some(depth);
        self
    }

    /// Sets the trailing comment.
    pub fn comment(mut self, text: impl Into<String>) -> Decl {
        self.comment = text.into();
        self
    }
}

impl Module {
    /// Empty module `name`.
    pub fn new(name: impl Into<String>) -> Module {
        Module {
            name: name.into(),
            header: Vec::new(),
            params: Vec::new(),
            ports: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Adds a header comment line (printed `// line` above `module`).
    pub fn header_line(mut self, line: impl Into<String>) -> Module {
        self.header.push(line.into());
        self
    }

    /// Adds a header parameter.
    pub fn param(mut self, p: Param) -> Module {
        self.params.push(p);
        self
    }

    fn port(
        mut self,
        dir: Dir,
        kind: NetKind,
        name: impl Into<String>,
        width: u32,
        signed: bool,
        comment: impl Into<String>,
    ) -> Module {
        assert!(width >= 1, "port of width 0");
        self.ports.push(Port {
            name: name.into(),
            dir,
            kind,
            width,
            signed,
            comment: comment.into(),
        });
        self
    }

    /// Adds `input wire [signed] [width-1:0] name  // comment`.
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn input(
        self,
        name: impl Into<String>,
        width: u32,
        signed: bool,
        comment: impl Into<String>,
    ) -> Module {
        self.port(Dir::Input, NetKind::Wire, name, width, signed, comment)
    }

    /// Adds `output wire [signed] [width-1:0] name  // comment` (drive it with `assign`).
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn output(
        self,
        name: impl Into<String>,
        width: u32,
        signed: bool,
        comment: impl Into<String>,
    ) -> Module {
        self.port(Dir::Output, NetKind::Wire, name, width, signed, comment)
    }

    /// Adds `output reg [signed] [width-1:0] name  // comment` (drive it in `always`).
    ///
    /// # Panics
    /// If `width` is 0.
    pub fn output_reg(
        self,
        name: impl Into<String>,
        width: u32,
        signed: bool,
        comment: impl Into<String>,
    ) -> Module {
        self.port(Dir::Output, NetKind::Reg, name, width, signed, comment)
    }

    /// Adds a body item (chaining form).
    pub fn item(mut self, item: impl Into<Item>) -> Module {
        self.items.push(item.into());
        self
    }

    /// Adds a body item (in-place form).
    pub fn push(&mut self, item: impl Into<Item>) {
        self.items.push(item.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_range_checks() {
        assert!(std::panic::catch_unwind(|| Expr::lit(8, 256)).is_err());
        assert!(std::panic::catch_unwind(|| Expr::lit(8, -129)).is_err());
        assert!(std::panic::catch_unwind(|| Expr::slit(8, 128)).is_err());
        assert!(std::panic::catch_unwind(|| Expr::slit(8, -129)).is_err());
        assert!(std::panic::catch_unwind(|| Expr::lit(0, 0)).is_err());
        assert!(std::panic::catch_unwind(|| Expr::lit(65, 0)).is_err());
        assert_eq!(
            Expr::slit(64, i64::MIN),
            Expr::Lit {
                width: 64,
                value: i64::MIN,
                signed: true
            }
        );
        let _ = Expr::lit(8, 255);
        let _ = Expr::lit(8, -128);
        let _ = Expr::slit(8, 127);
        let _ = Expr::slit(1, -1);
        let _ = Expr::lit(64, i64::MAX);
    }

    #[test]
    fn sign_extension_shape() {
        assert_eq!(Expr::sext("w", 8, 8), Expr::id("w"));
        assert_eq!(
            Expr::sext("w", 8, 12),
            Expr::concat(vec![Expr::repl(4, Expr::bit_at("w", 7)), Expr::id("w")])
        );
        assert_eq!(
            Expr::sext("b", 1, 3),
            Expr::concat(vec![Expr::repl(2, Expr::id("b")), Expr::id("b")])
        );
    }

    #[test]
    fn builders_fill_fields() {
        let m = Module::new("m")
            .header_line("hello")
            .param(Param::integer("N", 4).comment("count"))
            .input("clk", 1, false, "")
            .output_reg("q", 8, true, "out")
            .item(Decl::reg("mem", 8).signed().array(4).comment("c"));
        assert_eq!(m.header, vec!["hello".to_string()]);
        assert_eq!(m.params[0].comment, "count");
        assert_eq!(m.ports[1].dir, Dir::Output);
        assert_eq!(m.ports[1].kind, NetKind::Reg);
        assert!(m.ports[1].signed);
        match &m.items[0] {
            Item::Decl(d) => {
                assert_eq!(d.depth, Some(4));
                assert!(d.signed);
                assert_eq!(d.kind, NetKind::Reg);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
