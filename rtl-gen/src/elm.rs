//! `snn_elm`: the ELM neuron unit (SPEC section 7), one per `elm` layer. It
//! takes one step's branch currents `I[t][j]` (from the systolic array) at a
//! time and runs the step on one time-multiplexed multiply-accumulate unit:
//!
//! 1. **accept** (1 cycle, `in_ready` high): the traces
//!    `q[j] = q[j] - (q[j] >>> trace_shift) + (I[j] <<< trace_frac_bits)` and
//!    the decayed memory `md[u] = m[u] - (m[u] >>> memory_shifts[u])`, all in
//!    parallel (state reads as 0 at step 0);
//! 2. **program** (one ROM word per cycle): the hidden layer
//!    `z[h] = b_hidden[h] + sum w_branch[h][j] q[j] + sum w_memory[h][u] md[u]`,
//!    `a[h] = min(max(z, 0) >>> hidden_shift, hidden_max)`; the MLP output
//!    `y[u] = b_delta[u] + sum w_delta[u][h] a[h]`, then
//!    `m[u] = md[u] + ((lambda * table[clamp(y >>> table_shift, -L, L-1) + L]) >>> memory_shifts[u])`;
//!    the readout `r[k] = readout_bias[k] + sum readout[k][u] m[u]`;
//! 3. **done**: `out_valid` for one cycle with `m` and `r` on the outputs.
//!
//! The program ROM holds, per cycle, the MLP value (a bias opens each dot
//! product, then one weight per term) and its control: which operand it
//! multiplies, whether it opens or closes the dot product, and where the
//! result goes. The datapath is a pipeline, one word per cycle: ROM word,
//! operand mux (registered, `opd_*`), multiplier (registered, `mul_*`),
//! accumulate and write back (a hidden pre-activation `z` is registered,
//! `z_value`, before its activation); an MLP output `y` is registered (`y_value`),
//! its table index too (`t_addr`), and the table entry updates `m` one
//! cycle after its read. Three empty words separate the phases (four after
//! the delta phase: exactly what the memory update needs before the
//! readout reads `m`), so a phase never reads a register the previous one
//! is still writing. Both ROMs are `case`
//! statements read into a register, which Yosys maps to block RAM. Every
//! value has its derived width (`golden_model::neuron::elm::ElmWidths`), so
//! nothing can overflow and the unit is bit-exact with the golden model.

use crate::unit::step_bits;
use crate::verilog::ast::{CaseArm, Decl, Expr, Item, LValue, Module, Stmt};
use golden_model::neuron::elm::Elm;
use golden_model::widths::{bits, clog2};
use golden_model::{LayerConfig, Neuron};

/// Empty program words between phases (and after the last one).
const DRAIN: usize = 3;

/// What one program word does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Nop = 0,
    Hidden = 1,
    Delta = 2,
    Readout = 3,
}

/// One program word.
#[derive(Debug, Clone, Copy)]
struct Word {
    value: i64,
    operand: usize,
    dest: usize,
    first: bool,
    last: bool,
    phase: Phase,
}

/// Sizes and widths of one unit.
#[derive(Debug, Clone, Copy)]
pub struct ElmDims {
    pub branches: usize,
    pub memory: usize,
    pub hidden: usize,
    pub outputs: usize,
    /// Branch current bits (the array's synaptic width).
    pub current_bits: u32,
    pub mlp_bits: u32,
    pub trace_bits: u32,
    pub memory_bits: u32,
    pub a_bits: u32,
    pub readout_bits: u32,
    /// One operand of the multiplier: the widest of q, md, a, m.
    pub operand_bits: u32,
    /// One product: `mlp_bits + operand_bits`.
    pub product_bits: u32,
    /// The accumulator: wide enough for every dot product.
    pub acc_bits: u32,
    /// `lambda * table` value.
    pub lambda_bits: u32,
    /// Words in the program ROM.
    pub program_words: usize,
}

impl ElmDims {
    /// The dimensions of `cfg`'s unit (an `elm` layer).
    pub fn of(cfg: &LayerConfig) -> ElmDims {
        let e = elm(cfg);
        let branches = cfg.branches();
        let current_bits = cfg.widths().synaptic_bits;
        let w = e.widths(branches, current_bits);
        let operand_bits = w.trace_bits.max(w.memory_bits).max(w.a_bits);
        let product_bits = e.mlp_bits + operand_bits;
        // Also wide enough to compare y with the table's half length L.
        let acc_bits = w
            .z_bits
            .max(w.y_bits)
            .max(w.readout_bits)
            .max(product_bits + 1)
            .max(bits(e.table.len() as u128) + 1);
        let lambda_bits = bits(e.lambda as u128 * (1u128 << (e.mlp_bits - 1))) + 1;
        ElmDims {
            branches,
            memory: e.memory,
            hidden: e.hidden,
            outputs: cfg.outputs,
            current_bits,
            mlp_bits: e.mlp_bits,
            trace_bits: w.trace_bits,
            memory_bits: w.memory_bits,
            a_bits: w.a_bits,
            readout_bits: w.readout_bits,
            operand_bits,
            product_bits,
            acc_bits,
            lambda_bits,
            program_words: program(e, branches).len(),
        }
    }

    /// Clock cycles (with `en`) from accepting a step to its `out_valid`:
    /// the accept cycle, then one per program word, then the last result.
    pub fn cycles_per_step(&self) -> usize {
        self.program_words + 2
    }
}

fn elm(cfg: &LayerConfig) -> &Elm {
    match &cfg.neuron {
        Neuron::Elm(e) => e,
        _ => panic!("snn_elm needs an elm layer"),
    }
}

/// The operand file: `q[0..B]`, `md[0..M]`, `a[0..H]`, `m[0..M]`.
fn operand_names(d: &ElmDims) -> Vec<(String, u32)> {
    let mut v = vec![];
    v.extend((0..d.branches).map(|j| (format!("q{j}"), d.trace_bits)));
    v.extend((0..d.memory).map(|u| (format!("md{u}"), d.memory_bits)));
    v.extend((0..d.hidden).map(|h| (format!("a{h}"), d.a_bits)));
    v.extend((0..d.memory).map(|u| (format!("m{u}"), d.memory_bits)));
    v
}

/// The program: the three phases' dot products, each a bias word then one
/// weight per term, with [`DRAIN`] empty words after each phase.
fn program(e: &Elm, branches: usize) -> Vec<Word> {
    let (b, m, h) = (branches, e.memory, e.hidden);
    let (md0, a0, m0) = (b, b + m, b + m + h);
    let nop = Word {
        value: 0,
        operand: 0,
        dest: 0,
        first: false,
        last: false,
        phase: Phase::Nop,
    };
    let mut p = vec![];
    let dot = |p: &mut Vec<Word>, phase, dest, bias: i64, terms: Vec<(i64, usize)>| {
        p.push(Word {
            value: bias,
            operand: 0,
            dest,
            first: true,
            last: false,
            phase,
        });
        let n = terms.len();
        for (i, (value, operand)) in terms.into_iter().enumerate() {
            p.push(Word {
                value,
                operand,
                dest,
                first: false,
                last: i + 1 == n,
                phase,
            });
        }
    };
    for hh in 0..h {
        let mut terms: Vec<(i64, usize)> = (0..b).map(|j| (e.w_branch[hh][j], j)).collect();
        terms.extend((0..m).map(|u| (e.w_memory[hh][u], md0 + u)));
        dot(&mut p, Phase::Hidden, hh, e.b_hidden[hh], terms);
    }
    p.extend([nop; DRAIN]);
    for u in 0..m {
        let terms = (0..h).map(|hh| (e.w_delta[u][hh], a0 + hh)).collect();
        dot(&mut p, Phase::Delta, u, e.b_delta[u], terms);
    }
    // One more after the delta phase: the memory update runs two stages
    // (table address, table read) after the last MLP output.
    p.extend([nop; DRAIN + 1]);
    for k in 0..e.readout.len() {
        let terms = (0..m).map(|u| (e.readout[k][u], m0 + u)).collect();
        dot(&mut p, Phase::Readout, k, e.readout_bias[k], terms);
    }
    p.extend([nop; DRAIN]);
    p
}

fn nb(l: &str, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l), r)
}

/// `name` (`from` bits, signed) sign-extended to `to` bits, as a signed value.
fn sx(name: &str, from: u32, to: u32) -> Expr {
    Expr::signed(Expr::sext(name, from, to))
}

/// The `snn_elm` unit for an `elm` layer.
pub fn snn_elm(cfg: &LayerConfig) -> Module {
    let e = elm(cfg);
    let d = ElmDims::of(cfg);
    let prog = program(e, d.branches);
    let n_ops = d.branches + 2 * d.memory + d.hidden;
    let opw = clog2(n_ops as u64).max(1);
    let dstw = clog2(d.hidden.max(d.memory).max(d.outputs) as u64).max(1);
    let pcw = bits(prog.len() as u128).max(1);
    let tw = step_bits(cfg.timesteps);
    let mlp = d.mlp_bits;
    let (ob, pb, acc) = (d.operand_bits, d.product_bits, d.acc_bits);
    let l = e.half_table();
    let iw = clog2(e.table.len() as u64).max(1);
    // Program word fields, LSB first: value, operand, dest, first, last, phase.
    let f_op = mlp;
    let f_dst = f_op + opw;
    let f_first = f_dst + dstw;
    let f_last = f_first + 1;
    let f_phase = f_last + 1;
    let ww = f_phase + 2;

    let mut m = Module::new("snn_elm")
        .input("clk", 1, false, "clock, rising edge")
        .input("rst", 1, false, "synchronous reset, active high")
        .input("en", 1, false, "advance: registers update only when 1")
        .input("in_valid", 1, false, "a step's branch currents arrive")
        .output(
            "in_ready",
            1,
            false,
            "the unit takes a step this cycle (idle)",
        )
        .input("in_step", tw, false, "its timestep t (0 clears q and m)")
        .input(
            "in_currents",
            (d.branches as u32) * d.current_bits,
            false,
            "branch currents I[t][j] at [j*A +: A], signed",
        )
        .output_reg(
            "out_valid",
            1,
            false,
            "m and r of step out_step are on the outputs",
        )
        .output_reg("out_step", tw, false, "timestep of this output")
        .output(
            "out_memory",
            (d.memory as u32) * d.memory_bits,
            false,
            "memory m[u] after the step at [u*MB +: MB], signed",
        )
        .output(
            "out_readout",
            (d.outputs as u32) * d.readout_bits,
            false,
            "readout r[k] at [k*RB +: RB], signed",
        );

    // State registers.
    for j in 0..d.branches {
        m.push(
            Decl::reg(format!("q{j}"), d.trace_bits)
                .signed()
                .comment(format!("trace of branch {j}")),
        );
    }
    for u in 0..d.memory {
        m.push(
            Decl::reg(format!("m{u}"), d.memory_bits)
                .signed()
                .comment(format!("memory unit {u}")),
        );
        m.push(
            Decl::reg(format!("md{u}"), d.memory_bits)
                .signed()
                .comment(format!("memory unit {u} after its decay")),
        );
    }
    for h in 0..d.hidden {
        m.push(
            Decl::reg(format!("a{h}"), d.a_bits)
                .signed()
                .comment(format!("hidden activation {h}")),
        );
    }
    for k in 0..d.outputs {
        m.push(
            Decl::reg(format!("r{k}"), d.readout_bits)
                .signed()
                .comment(format!("readout {k}")),
        );
    }
    m.push(Decl::reg("busy", 1).comment("a step is in the program"));
    m.push(Decl::reg("pc", pcw).comment("next program word"));
    m.push(Decl::reg("step", tw).comment("timestep of the step in the program"));
    m.push(Decl::reg("x_valid", 1).comment("word holds the program word of pc - 1"));
    m.push(Decl::reg("word", ww).comment("program ROM output (registered read)"));
    m.push(
        Decl::reg("acc", acc)
            .signed()
            .comment("dot-product accumulator"),
    );
    m.push(Decl::reg("w_valid", 1).comment("table_q holds the table entry for memory unit w_u"));
    m.push(Decl::reg("w_u", dstw).comment("memory unit the table entry updates"));
    m.push(
        Decl::reg("table_q", mlp)
            .signed()
            .comment("table ROM output (registered read)"),
    );

    // Accept: traces and decayed memory, all in parallel.
    let step0 = Expr::eq(Expr::id("in_step"), Expr::lit(tw, 0));
    m.push(Decl::wire("take", 1).comment("accept a step this cycle"));
    m.push(Item::assign("in_ready", Expr::lnot(Expr::id("busy"))));
    m.push(Item::assign(
        "take",
        Expr::land(Expr::id("in_valid"), Expr::lnot(Expr::id("busy"))),
    ));
    let mut accept = vec![];
    for j in 0..d.branches {
        let (qp, ij, qn) = (format!("q{j}_prev"), format!("i{j}"), format!("q{j}_next"));
        m.push(
            Decl::wire(&ij, d.current_bits)
                .signed()
                .comment(format!("I[t][{j}]")),
        );
        m.push(Decl::wire(&qp, d.trace_bits).signed());
        m.push(Decl::wire(&qn, d.trace_bits).signed());
        let lo = j as u32 * d.current_bits;
        m.push(Item::assign(
            ij.as_str(),
            Expr::signed(Expr::part("in_currents", lo + d.current_bits - 1, lo)),
        ));
        m.push(Item::assign(
            qp.as_str(),
            Expr::mux(
                step0.clone(),
                Expr::slit(d.trace_bits, 0),
                Expr::id(format!("q{j}")),
            ),
        ));
        m.push(Item::assign(
            qn.as_str(),
            Expr::add(
                Expr::sub(
                    Expr::id(&qp),
                    Expr::ashr(Expr::id(&qp), Expr::int(i64::from(e.trace_shift))),
                ),
                Expr::shl(
                    sx(&ij, d.current_bits, d.trace_bits),
                    Expr::int(i64::from(e.trace_frac_bits)),
                ),
            ),
        ));
        accept.push(nb(&format!("q{j}"), Expr::id(&qn)));
    }
    for u in 0..d.memory {
        let (mp, mdn) = (format!("m{u}_prev"), format!("md{u}_next"));
        m.push(Decl::wire(&mp, d.memory_bits).signed());
        m.push(Decl::wire(&mdn, d.memory_bits).signed());
        m.push(Item::assign(
            mp.as_str(),
            Expr::mux(
                step0.clone(),
                Expr::slit(d.memory_bits, 0),
                Expr::id(format!("m{u}")),
            ),
        ));
        m.push(Item::assign(
            mdn.as_str(),
            Expr::sub(
                Expr::id(&mp),
                Expr::ashr(Expr::id(&mp), Expr::int(i64::from(e.memory_shifts[u]))),
            ),
        ));
        accept.push(nb(&format!("md{u}"), Expr::id(&mdn)));
    }

    // Program word fields.
    let field = |name: &str, lo: u32, w: u32, signed: bool| -> Vec<Item> {
        let mut decl = Decl::wire(name, w);
        if signed {
            decl = decl.signed();
        }
        let part = if w == 1 {
            Expr::bit_at("word", lo)
        } else {
            Expr::part("word", lo + w - 1, lo)
        };
        vec![
            decl.into(),
            Item::assign(name, if signed { Expr::signed(part) } else { part }),
        ]
    };
    for it in field("x_value", 0, mlp, true)
        .into_iter()
        .chain(field("x_operand", f_op, opw, false))
        .chain(field("x_dest", f_dst, dstw, false))
        .chain(field("x_first", f_first, 1, false))
        .chain(field("x_last", f_last, 1, false))
        .chain(field("x_phase", f_phase, 2, false))
    {
        m.push(it);
    }

    // The operand mux.
    m.push(
        Decl::reg("operand", ob)
            .signed()
            .comment("the value x_value multiplies"),
    );
    let arms: Vec<CaseArm> = operand_names(&d)
        .iter()
        .enumerate()
        .map(|(i, (name, w))| {
            CaseArm::new(
                Expr::lit(opw, i as i64),
                vec![Stmt::set(LValue::id("operand"), sx(name, *w, ob))],
            )
        })
        .collect();
    m.push(Item::always_comb(vec![Stmt::case(
        Expr::id("x_operand"),
        arms,
        Some(vec![Stmt::set(LValue::id("operand"), Expr::slit(ob, 0))]),
    )]));

    // Pipeline registers: the program word's control travels with its
    // operand (opd_*, after the operand mux) and its product (mul_*, after
    // the multiplier); the accumulator adds mul_product.
    let stage = |m: &mut Module, pre: &str| {
        m.push(Decl::reg(format!("{pre}_valid"), 1));
        m.push(Decl::reg(format!("{pre}_dest"), dstw));
        m.push(Decl::reg(format!("{pre}_first"), 1));
        m.push(Decl::reg(format!("{pre}_last"), 1));
        m.push(Decl::reg(format!("{pre}_phase"), 2));
    };
    stage(&mut m, "opd");
    m.push(
        Decl::reg("opd_value", mlp)
            .signed()
            .comment("x_value, one cycle later"),
    );
    m.push(
        Decl::reg("opd_operand", ob)
            .signed()
            .comment("the operand it multiplies"),
    );
    stage(&mut m, "mul");
    m.push(
        Decl::reg("mul_value", mlp)
            .signed()
            .comment("opd_value (a dot product's bias), one cycle later"),
    );
    m.push(
        Decl::reg("mul_product", pb)
            .signed()
            .comment("opd_value * opd_operand, registered"),
    );
    m.push(Decl::reg("y_valid", 1).comment("y_value holds the MLP output y of memory unit y_u"));
    m.push(Decl::reg("y_u", dstw));
    m.push(
        Decl::reg("y_value", acc)
            .signed()
            .comment("MLP output y, registered before the table index"),
    );

    // Multiply-accumulate.
    m.push(Decl::wire("value_ext", pb).signed());
    m.push(Decl::wire("operand_ext", pb).signed());
    m.push(
        Decl::wire("product", pb)
            .signed()
            .comment("x_value * operand, exact"),
    );
    m.push(
        Decl::wire("sum", acc)
            .signed()
            .comment("acc + product: the dot product when x_last"),
    );
    m.push(Item::assign("value_ext", sx("opd_value", mlp, pb)));
    m.push(Item::assign("operand_ext", sx("opd_operand", ob, pb)));
    m.push(Item::assign(
        "product",
        Expr::mul(Expr::id("value_ext"), Expr::id("operand_ext")),
    ));
    m.push(Item::assign(
        "sum",
        Expr::add(Expr::id("acc"), sx("mul_product", pb, acc)),
    ));

    // Hidden activation: min(max(z, 0) >>> hidden_shift, hidden_max), from
    // the registered pre-activation z.
    m.push(Decl::reg("z_valid", 1).comment("z_value holds hidden unit z_dest's pre-activation"));
    m.push(Decl::reg("z_dest", dstw));
    m.push(
        Decl::reg("z_value", acc)
            .signed()
            .comment("pre-activation z, registered"),
    );
    m.push(Decl::wire("z_pos", acc).signed());
    m.push(Decl::wire("z_shift", acc).signed());
    m.push(Decl::wire("a_next", d.a_bits).signed());
    m.push(Item::assign(
        "z_pos",
        Expr::mux(
            Expr::bit_at("z_value", acc - 1),
            Expr::slit(acc, 0),
            Expr::id("z_value"),
        ),
    ));
    m.push(Item::assign(
        "z_shift",
        Expr::ashr(Expr::id("z_pos"), Expr::int(i64::from(e.hidden_shift))),
    ));
    let a_part = if d.a_bits == acc {
        Expr::id("z_shift")
    } else {
        Expr::signed(Expr::part("z_shift", d.a_bits - 1, 0))
    };
    m.push(Item::assign(
        "a_next",
        Expr::mux(
            Expr::gt(Expr::id("z_shift"), Expr::slit(acc, e.hidden_max)),
            Expr::slit(d.a_bits, e.hidden_max),
            a_part,
        ),
    ));

    // Table index: clamp(y >>> table_shift, -L, L-1) + L.
    m.push(
        Decl::wire("y_shift", acc)
            .signed()
            .comment("y >>> table_shift"),
    );
    m.push(Decl::wire("y_low", iw).comment("its low bits: + L gives the index inside the table"));
    m.push(Decl::wire("t_index", iw).comment("table address"));
    m.push(Decl::reg("t_valid", 1).comment("t_addr holds the table address for memory unit t_u"));
    m.push(Decl::reg("t_u", dstw));
    m.push(Decl::reg("t_addr", iw).comment("t_index, registered: the table ROM's address"));
    m.push(Item::assign(
        "y_shift",
        Expr::ashr(Expr::id("y_value"), Expr::int(i64::from(e.table_shift))),
    ));
    m.push(Item::assign("y_low", Expr::part("y_shift", iw - 1, 0)));
    m.push(Item::assign(
        "t_index",
        Expr::mux(
            Expr::lt(Expr::id("y_shift"), Expr::slit(acc, -l)),
            Expr::lit(iw, 0),
            Expr::mux(
                Expr::gt(Expr::id("y_shift"), Expr::slit(acc, l - 1)),
                Expr::lit(iw, 2 * l - 1),
                Expr::add(Expr::id("y_low"), Expr::lit(iw, l)),
            ),
        ),
    ));

    // lambda * table entry.
    let lw = d.lambda_bits.max(mlp + 1);
    assert!(
        lw <= d.memory_bits,
        "lambda * table fits the memory width (SPEC section 7)"
    );
    m.push(Decl::wire("table_ext", lw).signed());
    m.push(
        Decl::wire("lambda_dm", lw)
            .signed()
            .comment("lambda * dm, exact"),
    );
    m.push(Item::assign("table_ext", sx("table_q", mlp, lw)));
    m.push(Item::assign(
        "lambda_dm",
        Expr::mul(Expr::id("table_ext"), Expr::slit(lw, e.lambda)),
    ));

    // The program ROM and the table ROM: registered reads.
    let word_bits = |w: &Word| -> i64 {
        let mask = |v: i64, n: u32| (v as u64) & ((1u64 << n) - 1);
        let bitsv = mask(w.value, mlp)
            | (w.operand as u64) << f_op
            | (w.dest as u64) << f_dst
            | u64::from(w.first) << f_first
            | u64::from(w.last) << f_last
            | (w.phase as u64) << f_phase;
        bitsv as i64
    };
    assert!(ww <= 63, "program word too wide");
    let rom_arms: Vec<CaseArm> = prog
        .iter()
        .enumerate()
        .filter(|(_, w)| w.phase != Phase::Nop)
        .map(|(i, w)| {
            CaseArm::new(
                Expr::lit(pcw, i as i64),
                vec![nb("word", Expr::lit(ww, word_bits(w)))],
            )
        })
        .collect();
    let rom = Stmt::case(
        Expr::id("pc"),
        rom_arms,
        Some(vec![nb("word", Expr::lit(ww, 0))]),
    );
    let table_arms: Vec<CaseArm> = e
        .table
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            CaseArm::new(
                Expr::lit(iw, i as i64),
                vec![nb("table_q", Expr::slit(mlp, v))],
            )
        })
        .collect();
    let table = Stmt::case(Expr::id("t_addr"), table_arms, None);
    m.push(Item::comment(
        "Program ROM (block RAM): word pc, read into `word`.",
    ));
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_then(Expr::id("en"), vec![rom])],
    ));
    m.push(Item::comment(
        "Table ROM (block RAM): the MLP's activation table.",
    ));
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_then(Expr::id("en"), vec![table])],
    ));

    // Execute: accumulate, and write each dot product's result back.
    let is = |p: Phase| Expr::eq(Expr::id("mul_phase"), Expr::lit(2, p as i64));
    let dest_is = |i: usize| Expr::eq(Expr::id("mul_dest"), Expr::lit(dstw, i as i64));
    let mut exec = vec![Stmt::if_else(
        Expr::id("mul_first"),
        vec![nb("acc", sx("mul_value", mlp, acc))],
        vec![nb("acc", Expr::id("sum"))],
    )];
    let act: Vec<Stmt> = (0..d.hidden)
        .map(|h| {
            Stmt::if_then(
                Expr::eq(Expr::id("z_dest"), Expr::lit(dstw, h as i64)),
                vec![nb(&format!("a{h}"), Expr::id("a_next"))],
            )
        })
        .collect();
    for k in 0..d.outputs {
        let part = if d.readout_bits == acc {
            Expr::id("sum")
        } else {
            Expr::signed(Expr::part("sum", d.readout_bits - 1, 0))
        };
        exec.push(Stmt::if_then(
            Expr::land(
                Expr::land(Expr::id("mul_last"), is(Phase::Readout)),
                dest_is(k),
            ),
            vec![nb(&format!("r{k}"), part)],
        ));
    }
    // Memory update, one cycle after the table read.
    let mut mem = vec![];
    for u in 0..d.memory {
        let sh = format!("dm{u}_scaled");
        m.push(
            Decl::wire(&sh, lw)
                .signed()
                .comment(format!("(lambda * dm) >>> {}", e.memory_shifts[u])),
        );
        m.push(Item::assign(
            sh.as_str(),
            Expr::ashr(
                Expr::id("lambda_dm"),
                Expr::int(i64::from(e.memory_shifts[u])),
            ),
        ));
        let term = sx(&sh, lw, d.memory_bits);
        mem.push(Stmt::if_then(
            Expr::eq(Expr::id("w_u"), Expr::lit(dstw, u as i64)),
            vec![nb(
                &format!("m{u}"),
                Expr::add(Expr::id(format!("md{u}")), term),
            )],
        ));
    }

    let done = Expr::eq(Expr::id("pc"), Expr::lit(pcw, prog.len() as i64));
    let body = vec![Stmt::if_else(
        Expr::id("rst"),
        vec![
            nb("busy", Expr::lit(1, 0)),
            nb("pc", Expr::lit(pcw, 0)),
            nb("x_valid", Expr::lit(1, 0)),
            nb("opd_valid", Expr::lit(1, 0)),
            nb("mul_valid", Expr::lit(1, 0)),
            nb("y_valid", Expr::lit(1, 0)),
            nb("z_valid", Expr::lit(1, 0)),
            nb("t_valid", Expr::lit(1, 0)),
            nb("w_valid", Expr::lit(1, 0)),
            nb("out_valid", Expr::lit(1, 0)),
        ],
        vec![Stmt::if_then(
            Expr::id("en"),
            vec![
                nb("out_valid", Expr::land(Expr::id("busy"), done.clone())),
                Stmt::if_then(
                    Expr::id("take"),
                    [
                        vec![
                            nb("busy", Expr::lit(1, 1)),
                            nb("pc", Expr::lit(pcw, 0)),
                            nb("step", Expr::id("in_step")),
                        ],
                        accept,
                    ]
                    .concat(),
                ),
                Stmt::if_then(
                    Expr::id("busy"),
                    vec![Stmt::if_else(
                        done,
                        vec![
                            nb("busy", Expr::lit(1, 0)),
                            nb("out_step", Expr::id("step")),
                        ],
                        vec![nb("pc", Expr::add(Expr::id("pc"), Expr::lit(pcw, 1)))],
                    )],
                ),
                nb(
                    "x_valid",
                    Expr::land(
                        Expr::id("busy"),
                        Expr::lnot(Expr::eq(Expr::id("pc"), Expr::lit(pcw, prog.len() as i64))),
                    ),
                ),
                nb(
                    "opd_valid",
                    Expr::land(
                        Expr::id("x_valid"),
                        Expr::ne(Expr::id("x_phase"), Expr::lit(2, 0)),
                    ),
                ),
                nb("opd_dest", Expr::id("x_dest")),
                nb("opd_first", Expr::id("x_first")),
                nb("opd_last", Expr::id("x_last")),
                nb("opd_phase", Expr::id("x_phase")),
                nb("opd_value", Expr::id("x_value")),
                nb("opd_operand", Expr::id("operand")),
                nb("mul_valid", Expr::id("opd_valid")),
                nb("mul_dest", Expr::id("opd_dest")),
                nb("mul_first", Expr::id("opd_first")),
                nb("mul_last", Expr::id("opd_last")),
                nb("mul_phase", Expr::id("opd_phase")),
                nb("mul_value", Expr::id("opd_value")),
                nb("mul_product", Expr::id("product")),
                Stmt::if_then(Expr::id("mul_valid"), exec),
                nb(
                    "z_valid",
                    Expr::land(
                        Expr::land(Expr::id("mul_valid"), Expr::id("mul_last")),
                        is(Phase::Hidden),
                    ),
                ),
                nb("z_dest", Expr::id("mul_dest")),
                nb("z_value", Expr::id("sum")),
                Stmt::if_then(Expr::id("z_valid"), act),
                nb(
                    "y_valid",
                    Expr::land(
                        Expr::land(Expr::id("mul_valid"), Expr::id("mul_last")),
                        is(Phase::Delta),
                    ),
                ),
                nb("y_u", Expr::id("mul_dest")),
                nb("y_value", Expr::id("sum")),
                nb("t_valid", Expr::id("y_valid")),
                nb("t_u", Expr::id("y_u")),
                nb("t_addr", Expr::id("t_index")),
                nb("w_valid", Expr::id("t_valid")),
                nb("w_u", Expr::id("t_u")),
                Stmt::if_then(Expr::id("w_valid"), mem),
            ],
        )],
    )];
    m.push(Item::always_ff("clk", body));

    // Outputs.
    let cat = |names: Vec<String>| {
        let mut v: Vec<Expr> = names.into_iter().rev().map(Expr::id).collect();
        if v.len() == 1 {
            v.pop().expect("one")
        } else {
            Expr::concat(v)
        }
    };
    m.push(Item::assign(
        "out_memory",
        cat((0..d.memory).map(|u| format!("m{u}")).collect()),
    ));
    m.push(Item::assign(
        "out_readout",
        cat((0..d.outputs).map(|k| format!("r{k}")).collect()),
    ));
    m
}
