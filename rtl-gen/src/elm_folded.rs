//! The folded elm core: the `snn_core` top of an `elm` layer with the
//! systolic array replaced by ONE time-multiplexed ternary accumulator
//! (`--architecture folded`; docs/core.md, "The folded elm core").
//!
//! Same ports, configuration address map (region 0,
//! `index = (j << row_bits) | i`) and output record as the array core
//! (`crate::elm_core`, whose port list, configuration decode, unit and flag
//! logic it shares), so the co-simulation shim, `cosim::elm`, the synthesis
//! wrapper and the FuseSoC core file take either.
//!
//! - `snn_elm_weights`: the `W[branches][inputs]` weights in one RAM
//!   (`{j, i}` addressed, `2^(row_bits + col_bits)` words of `weight_bits`),
//!   written by the configuration port, read by the sequencer; registered
//!   read, no reset, no initial contents, so Yosys infers block RAM
//!   (`crate::folded::memory::dual_port`).
//! - `snn_elm_synapses`: takes an accepted vector's lanes into a register
//!   and walks `(j, i)`, `j < branches` outer, `i < inputs` inner, one
//!   weight per cycle: `acc += W[j][i] * s[i]` with the PE's one-adder
//!   add/subtract/skip (`crate::pe::{addend, ternary_sum}`); at `i =
//!   inputs - 1` the branch current `I[j]` is shifted into the current
//!   register vector (branch 0 ends in the low bits) and `acc` restarts at
//!   0. After the last branch `done` rises and the currents hold until the
//!   unit takes them (`take`).
//! - The top: one vector in flight between the input and the unit, as in
//!   the array core: `in_ready` is low from accepting a vector until
//!   `snn_elm` takes its currents. `snn_elm` registers its traces from the
//!   currents in the cycle it takes them, so the next vector's synapse pass
//!   runs while the unit works on the previous step: at full rate a step
//!   costs `max(program words + 2, inputs * branches + 3)` cycles
//!   ([`cycles_per_step`]), the unit's program when the pass is shorter
//!   (elm-digits: 256 + 3 under 1,166).
//! - Only one accumulator exists (P = 1); the walk does not depend on
//!   `out_ready`: a finished pass waits in the current registers.

use crate::cfg_map::CfgMap;
use crate::elm::ElmDims;
use crate::elm_core::{core_ports, in_illegal, push_cfg_decode, push_unit_and_flags, step_next};
use crate::folded::memory;
use crate::pe;
use crate::unit::step_bits;
use crate::verilog::ast::{Decl, Expr, Instance, Item, LValue, Module, Stmt};
use golden_model::LayerConfig;

/// The synapse stage's module.
pub const SYNAPSES: &str = "snn_elm_synapses";
/// The weight RAM's module.
pub const WEIGHTS: &str = "snn_elm_weights";

/// Cycles of one synapse pass: from the cycle a vector is accepted to the
/// first cycle its currents are offered to the unit (`inputs * branches`
/// reads, one cycle to the first read, one for the last accumulate).
pub fn synapse_cycles(cfg: &LayerConfig) -> usize {
    cfg.inputs * cfg.branches() + 2
}

/// Clock cycles per step at full rate (input always valid, output always
/// ready): the unit's program (`ElmDims::cycles_per_step`, its words plus
/// 2), or, when the synapse pass is longer, the pass plus one cycle (the
/// unit's take frees the input, the next vector enters a cycle later).
pub fn cycles_per_step(cfg: &LayerConfig) -> usize {
    crate::elm_core::cycles_per_step_after(cfg, synapse_cycles(cfg))
}

/// Cycles from accepting step t's input vector (the unit idle) to
/// presenting its output: the synapse pass, then the unit's program.
pub fn step_latency(cfg: &LayerConfig) -> usize {
    crate::elm_core::step_latency_after(cfg, synapse_cycles(cfg))
}

/// `--parallelism` for an elm layer: one accumulator (P = 1) only. One
/// line naming the field and the accepted range.
pub fn check_parallelism(p: usize, path: &str) -> Result<(), String> {
    if p == 1 {
        return Ok(());
    }
    Err(format!(
        "{}: {p} is not in 1..=1 (the folded elm core has one synapse accumulator)",
        golden_model::json_path::join(path, "parallelism")
    ))
}

fn nb(l: &str, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l), r)
}

fn id(n: &str) -> Expr {
    Expr::id(n)
}

/// Words of the weight RAM: every `{j, i}` address.
pub fn weight_words(cfg: &LayerConfig) -> usize {
    let map = CfgMap::of(cfg);
    1 << (map.row_bits + map.col_bits)
}

/// `snn_elm_weights`: the weight RAM.
pub fn snn_elm_weights(cfg: &LayerConfig) -> Module {
    let map = CfgMap::of(cfg);
    memory::dual_port(
        WEIGHTS,
        cfg.weight_bits,
        weight_words(cfg),
        map.row_bits + map.col_bits,
        None,
    )
}

/// `snn_elm_synapses`: the sequencer, the accumulator and the current
/// registers.
pub fn snn_elm_synapses(cfg: &LayerConfig) -> Module {
    let d = ElmDims::of(cfg);
    let (rows, cols) = (cfg.inputs, cfg.branches());
    let (wb, a) = (cfg.weight_bits, d.current_bits);
    let map = CfgMap::of(cfg);
    let (rw, cw) = (map.row_bits, map.col_bits);
    let cur_bits = cols as u32 * a;
    let mut m = Module::new(SYNAPSES)
        .input("clk", 1, false, "clock, rising edge")
        .input(
            "rst",
            1,
            false,
            "synchronous reset, active high (the weights stay)",
        )
        .input("w_we", 1, false, "write w_data to weight address w_addr")
        .input(
            "w_addr",
            rw + cw,
            false,
            "weight address {branch j, input i}",
        )
        .input("w_data", wb, true, "weight W[j][i]")
        .input(
            "start",
            1,
            false,
            "take lanes and walk every weight (only while done and the walk are idle)",
        )
        .input(
            "lanes",
            2 * rows as u32,
            false,
            "input spikes: lane i at [2i+1:2i]",
        )
        .input("take", 1, false, "the unit takes the currents: done falls")
        .output_reg(
            "done",
            1,
            false,
            "currents hold every branch current of the last walk",
        )
        .output_reg(
            "currents",
            cur_bits,
            false,
            format!("branch current I[j] at [j*{a} +: {a}], signed"),
        );
    m.header = vec![format!(
        "One ternary accumulator walks {cols} branches x {rows} inputs, one weight per cycle: \
         {} cycles per pass from start to done.",
        synapse_cycles(cfg)
    )];

    m.push(Item::comment(
        "The walk: (wj, wi) is the weight read this cycle, i inner.",
    ));
    m.push(Decl::reg("walking", 1).comment("a pass is reading weights"));
    m.push(Decl::reg("wi", rw).comment("input i of the weight read"));
    m.push(Decl::reg("wj", cw).comment("branch j of the weight read"));
    m.push(Decl::reg("lanes_q", 2 * rows as u32).comment("the vector of this pass"));
    m.push(Decl::wire("wi_last", 1).comment("i == inputs - 1: a branch ends"));
    m.push(Decl::wire("wj_last", 1).comment("j == branches - 1: the pass ends"));
    m.push(Decl::wire("lane_sel", 2).comment("lane i of the vector"));
    m.push(Decl::wire("weight", wb).comment("W[j][i] of the previous cycle's read"));
    m.push(Item::assign(
        "wi_last",
        Expr::eq(id("wi"), Expr::lit(rw, rows as i64 - 1)),
    ));
    m.push(Item::assign(
        "wj_last",
        Expr::eq(id("wj"), Expr::lit(cw, cols as i64 - 1)),
    ));
    m.push(Item::assign(
        "lane_sel",
        if rows == 1 {
            id("lanes_q")
        } else {
            Expr::part_up("lanes_q", Expr::concat(vec![id("wi"), Expr::lit(1, 0)]), 2)
        },
    ));
    m.push(
        Instance::new(WEIGHTS, "weights")
            .conn("clk", id("clk"))
            .conn("we", id("w_we"))
            .conn("waddr", id("w_addr"))
            .conn("wdata", id("w_data"))
            .conn("re", id("walking"))
            .conn("raddr", Expr::concat(vec![id("wj"), id("wi")]))
            .conn("rdata", id("weight")),
    );

    m.push(Item::comment(
        "Accumulate: the weight read last cycle with its lane, one adder:\n\
         {acc, lane[1]} + {addend, lane[0]}, the subtraction's +1 from the low bit.",
    ));
    m.push(Decl::reg("p1_valid", 1).comment("weight holds a term"));
    m.push(Decl::reg("p1_lane", 2).comment("its lane"));
    m.push(Decl::reg("p1_last", 1).comment("it is the branch's last term"));
    m.push(Decl::reg("p1_done", 1).comment("it is the pass's last term"));
    m.push(
        Decl::reg("acc", a)
            .signed()
            .comment("the branch's partial sum"),
    );
    m.push(Decl::wire("w_ext", a).comment("weight sign-extended"));
    m.push(Decl::wire("addend", a).comment("+w, ~w (lane -1: the +1 is the low carry) or 0"));
    m.push(Decl::wire("sum", a + 1).comment(
        "{acc, p1_lane[1]} + {addend, p1_lane[0]}: bit 0 carries p1_lane[1] & p1_lane[0]",
    ));
    m.push(
        Decl::wire("acc_next", a)
            .signed()
            .comment("acc + W[j][i] * s[i]"),
    );
    m.push(Decl::wire("unused_sum_lsb", 1).comment("the extra low bit is not a result"));
    m.push(Item::assign("w_ext", Expr::sext("weight", wb, a)));
    m.push(Item::assign(
        "addend",
        pe::addend(id("w_ext"), "p1_lane", a),
    ));
    m.push(Item::assign(
        "sum",
        pe::ternary_sum(id("acc"), id("addend"), "p1_lane"),
    ));
    m.push(Item::assign("acc_next", Expr::part("sum", a, 1)));
    m.push(Item::assign("unused_sum_lsb", Expr::bit_at("sum", 0)));

    let shifted = if cols == 1 {
        id("acc_next")
    } else {
        Expr::concat(vec![
            id("acc_next"),
            Expr::part("currents", cur_bits - 1, a),
        ])
    };
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            id("rst"),
            vec![
                nb("walking", Expr::lit(1, 0)),
                nb("wi", Expr::lit(rw, 0)),
                nb("wj", Expr::lit(cw, 0)),
                nb("p1_valid", Expr::lit(1, 0)),
                nb("acc", Expr::slit(a, 0)),
                nb("done", Expr::lit(1, 0)),
            ],
            vec![
                Stmt::if_then(id("start"), vec![nb("walking", Expr::lit(1, 1))]),
                Stmt::if_then(
                    id("walking"),
                    vec![Stmt::if_else(
                        id("wi_last"),
                        vec![
                            nb("wi", Expr::lit(rw, 0)),
                            Stmt::if_else(
                                id("wj_last"),
                                vec![nb("walking", Expr::lit(1, 0)), nb("wj", Expr::lit(cw, 0))],
                                vec![nb("wj", Expr::add(id("wj"), Expr::lit(cw, 1)))],
                            ),
                        ],
                        vec![nb("wi", Expr::add(id("wi"), Expr::lit(rw, 1)))],
                    )],
                ),
                nb("p1_valid", id("walking")),
                Stmt::if_then(
                    id("p1_valid"),
                    vec![Stmt::if_else(
                        id("p1_last"),
                        vec![nb("acc", Expr::slit(a, 0))],
                        vec![nb("acc", id("acc_next"))],
                    )],
                ),
                Stmt::if_then(
                    Expr::land(id("p1_valid"), id("p1_done")),
                    vec![nb("done", Expr::lit(1, 1))],
                ),
                Stmt::if_then(id("take"), vec![nb("done", Expr::lit(1, 0))]),
            ],
        )],
    ));
    m.push(Item::comment(
        "Data registers (no reset): the pass's lanes, the read's lane and position,\n\
         and the currents, shifted in as each branch ends (branch 0 ends lowest).",
    ));
    m.push(Item::always_ff(
        "clk",
        vec![
            Stmt::if_then(id("start"), vec![nb("lanes_q", id("lanes"))]),
            nb("p1_lane", id("lane_sel")),
            nb("p1_last", id("wi_last")),
            nb("p1_done", Expr::land(id("wi_last"), id("wj_last"))),
            Stmt::if_then(
                Expr::land(id("p1_valid"), id("p1_last")),
                vec![nb("currents", shifted)],
            ),
        ],
    ));
    m
}

/// The `snn_core` top of a folded elm layer.
pub fn snn_elm_folded_core(cfg: &LayerConfig) -> Module {
    let d = ElmDims::of(cfg);
    let (rows, cols, t_n) = (cfg.inputs, cfg.branches(), cfg.timesteps);
    let (wb, a) = (cfg.weight_bits, d.current_bits);
    let tw = step_bits(t_n);
    let map = CfgMap::of(cfg);
    let (rw, cw) = (map.row_bits, map.col_bits);

    let mut m = core_ports(cfg);
    m.header = vec![
        format!(
            "ELM: {} branches, {} memory units, {} hidden units, {} readouts; program {} words.",
            d.branches, d.memory, d.hidden, d.outputs, d.program_words
        ),
        format!(
            "Folded synapses: one accumulator, {cols} x {rows} weights in block RAM; \
             {} cycles per step at full rate; input step t to output step t, {} cycles \
             (synapse pass {}, unit {}); in_ready is low while a step is in flight.",
            cycles_per_step(cfg),
            step_latency(cfg),
            synapse_cycles(cfg),
            d.cycles_per_step()
        ),
    ];

    m.push(Item::comment(
        "Stream control: one vector in flight between the input and the unit.",
    ));
    m.push(Decl::wire("en", 1).comment("the unit advances (its output is not waiting)"));
    m.push(Decl::wire("accept", 1).comment("an input vector enters the synapse stage"));
    m.push(
        Decl::reg("inflight", 1).comment("a vector is in the synapse pass or waits for the unit"),
    );
    m.push(Decl::reg("flight_step", tw).comment("its timestep"));
    m.push(Decl::reg("flight_illegal", 1).comment("it held an illegal lane"));
    m.push(Decl::wire("at_output", 1).comment("its currents are ready"));
    m.push(Decl::wire("unit_ready", 1).comment("the unit is idle"));
    m.push(Decl::wire("unit_take", 1).comment("the unit takes the currents this cycle"));
    m.push(Item::assign(
        "en",
        Expr::lor(Expr::lnot(id("out_valid")), id("out_ready")),
    ));
    m.push(Item::assign("in_ready", Expr::lnot(id("inflight"))));
    m.push(Item::assign(
        "accept",
        Expr::land(id("in_valid"), Expr::lnot(id("inflight"))),
    ));
    m.push(Item::assign(
        "unit_take",
        Expr::land(Expr::land(id("at_output"), id("unit_ready")), id("en")),
    ));

    push_cfg_decode(&mut m, cfg);

    m.push(Item::comment(
        "Input: step count, framing check, illegal-lane check.",
    ));
    m.push(Decl::reg("step", tw).comment("timestep of the next accepted vector"));
    m.push(Decl::wire("step_is_last", 1));
    m.push(Decl::wire("in_illegal", 1).comment("some lane holds 10"));
    m.push(Item::assign(
        "step_is_last",
        Expr::eq(id("step"), Expr::lit(tw, t_n as i64 - 1)),
    ));
    m.push(Item::assign("in_illegal", in_illegal(rows)));
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            id("rst"),
            vec![
                nb("step", Expr::lit(tw, 0)),
                nb("framing_error", Expr::lit(1, 0)),
                nb("inflight", Expr::lit(1, 0)),
            ],
            vec![
                Stmt::if_then(
                    id("accept"),
                    vec![
                        nb("step", step_next(t_n)),
                        Stmt::if_then(
                            Expr::ne(id("in_last"), id("step_is_last")),
                            vec![nb("framing_error", Expr::lit(1, 1))],
                        ),
                        nb("inflight", Expr::lit(1, 1)),
                        nb("flight_step", id("step")),
                        nb("flight_illegal", id("in_illegal")),
                    ],
                ),
                Stmt::if_then(id("unit_take"), vec![nb("inflight", Expr::lit(1, 0))]),
            ],
        )],
    ));

    m.push(Item::comment(
        "The folded synapse stage: one accumulator walks the weight RAM.",
    ));
    m.push(Decl::wire("currents", cols as u32 * a).comment("branch currents I[t][j]"));
    m.push(
        Instance::new(SYNAPSES, "synapses")
            .conn("clk", id("clk"))
            .conn("rst", id("rst"))
            .conn("w_we", id("weight_we"))
            .conn("w_addr", Expr::part("cfg_index", rw + cw - 1, 0))
            .conn(
                "w_data",
                if wb == map.data_bits {
                    id("cfg_data")
                } else {
                    Expr::part("cfg_data", wb - 1, 0)
                },
            )
            .conn("start", id("accept"))
            .conn("lanes", id("in_lanes"))
            .conn("take", id("unit_take"))
            .conn("done", id("at_output"))
            .conn("currents", id("currents")),
    );

    push_unit_and_flags(&mut m, cfg);
    m
}

/// Every module of the folded elm core, top last.
pub fn modules(cfg: &LayerConfig) -> Vec<Module> {
    vec![
        snn_elm_weights(cfg),
        snn_elm_synapses(cfg),
        crate::elm::snn_elm(cfg),
        snn_elm_folded_core(cfg),
    ]
}

/// The generated design of a folded `elm` layer, with headers and the
/// manifest (as [`crate::elm_core::design`], `"architecture": "folded"`).
pub fn design(cfg: &LayerConfig) -> crate::generate::Design {
    use serde_json::json;
    let latency = crate::elm_core::latency_json(
        cfg,
        "synapse_cycles",
        synapse_cycles(cfg),
        "cycles with out_ready high and the input always valid; one step in flight: in_ready is low until the unit takes the step's currents; the next step's synapse pass runs during the unit's program",
    );
    let mut design = crate::elm_core::design_of(cfg, modules(cfg), "snn_elm_folded_core", latency);
    design.manifest["architecture"] = json!("folded");
    design.manifest["synapses"] = json!({
        "accumulators": 1,
        "weight_words": weight_words(cfg),
        "weight_bits": cfg.weight_bits,
        "pass_cycles": synapse_cycles(cfg),
    });
    design
}
