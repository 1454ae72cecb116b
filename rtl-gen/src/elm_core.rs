//! The core of an `elm` layer: the top `snn_core`, with the same ports as
//! every other layer's core (so the co-simulation shim, the synthesis
//! wrapper and the FuseSoC core file take it unchanged), built from the
//! systolic array and one `snn_elm` unit (docs/core.md, "The elm core").
//!
//! - The array has `branches` columns: column j computes the branch current
//!   `I[t][j] = sum_i W[j][i] s[t][i]` (SPEC section 7), with the
//!   `W[branches][inputs]` weights loaded through the configuration port
//!   (region 0, `index = (j << row_bits) | i`). The MLP, table and readout
//!   are constants in `snn_elm`'s ROMs.
//! - At most one input vector is in flight between the input and the unit:
//!   `in_ready` is low from accepting a vector until the unit takes its
//!   currents. While the vector waits at the array's output for the unit
//!   (busy with the previous step, or its output not yet taken), the array
//!   holds (its `en` is low), so the currents need no extra register. The
//!   array's latency hides under the unit's program when
//!   `inputs + branches <= program words + 2`.
//! - The unit's `en` is `!out_valid || out_ready`: a step's output waits,
//!   frozen, until it is taken.
//! - Output record per step: `out_state = {m[M-1], ..., m[0], r[K-1], ...,
//!   r[0]}`, readout `r[k]` at `[k*RB +: RB]` and memory `m[u]` at
//!   `[K*RB + u*MB +: MB]`, both signed, with RB and MB the derived widths
//!   of `golden_model::neuron::elm::ElmWidths`. `out_spikes` is one lane
//!   held at 00 (an elm gives no spikes); `overflow` is always 0 (the
//!   widths are derived, nothing can overflow).

use crate::array;
use crate::cfg_map::CfgMap;
use crate::elm::ElmDims;
use crate::unit::step_bits;
use crate::verilog::ast::{Decl, Expr, Instance, Item, LValue, Module, Stmt};
use golden_model::widths::bits;
use golden_model::LayerConfig;

/// Rows x columns of the array: inputs x branches.
pub fn array_latency(cfg: &LayerConfig) -> usize {
    array::latency(cfg.inputs, cfg.branches())
}

/// Clock cycles per step at full rate (input always valid, output always
/// ready): the unit's program (`ElmDims::cycles_per_step`: its words plus 2)
/// or, when the array is deeper, the array latency plus 1.
pub fn cycles_per_step(cfg: &LayerConfig) -> usize {
    cycles_per_step_after(cfg, array_latency(cfg))
}

/// Cycles from accepting step t's input vector (the unit idle) to
/// presenting its output: the array, one cycle for the unit to take the
/// currents, then the unit's program.
pub fn step_latency(cfg: &LayerConfig) -> usize {
    step_latency_after(cfg, array_latency(cfg))
}

/// Cycles per step at full rate of an elm core whose synapse stage (the
/// array, or the folded pass) takes `front` cycles to offer a step's
/// currents: the unit's program, or the stage plus one when it is longer
/// (one step in flight: the unit's take frees the input, the next vector
/// enters a cycle later).
pub(crate) fn cycles_per_step_after(cfg: &LayerConfig, front: usize) -> usize {
    ElmDims::of(cfg).cycles_per_step().max(front + 1)
}

/// Cycles from an accepted input vector (the unit idle) to its output,
/// after a synapse stage of `front` cycles: the stage, then the unit's
/// program.
pub(crate) fn step_latency_after(cfg: &LayerConfig, front: usize) -> usize {
    front + ElmDims::of(cfg).cycles_per_step()
}

/// The manifest's `"latency"` object of an elm core whose synapse stage
/// (`front_key`: `array_cycles` or `synapse_cycles`) takes `front` cycles.
pub(crate) fn latency_json(
    cfg: &LayerConfig,
    front_key: &str,
    front: usize,
    note: &str,
) -> serde_json::Value {
    let (step, per_step) = (
        step_latency_after(cfg, front),
        cycles_per_step_after(cfg, front),
    );
    serde_json::json!({
        front_key: front,
        "unit_cycles": ElmDims::of(cfg).cycles_per_step(),
        "step_to_output_cycles": step,
        "cycles_per_step": per_step,
        "sample_first_input_to_last_output_cycles": step + (cfg.timesteps - 1) * per_step,
        "note": note,
    })
}

/// Bits of `out_state`: outputs x readout bits + memory x memory bits.
pub fn state_port_bits(cfg: &LayerConfig) -> u32 {
    let d = ElmDims::of(cfg);
    d.outputs as u32 * d.readout_bits + d.memory as u32 * d.memory_bits
}

fn nb(l: impl Into<String>, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l.into()), r)
}

/// The `snn_core` top of an `elm` layer.
pub fn snn_elm_core(cfg: &LayerConfig) -> Module {
    let d = ElmDims::of(cfg);
    let (rows, cols, t_n) = (cfg.inputs, cfg.branches(), cfg.timesteps);
    let (wb, a) = (cfg.weight_bits, d.current_bits);
    let tw = step_bits(t_n);
    let map = CfgMap::of(cfg);
    let (rw, cw) = (map.row_bits, map.col_bits);
    let lat = array_latency(cfg);
    let waitw = bits((lat - 1) as u128).max(1);

    let mut m = core_ports(cfg);
    m.header = vec![
        format!(
            "ELM: {} branches, {} memory units, {} hidden units, {} readouts; program {} words.",
            d.branches, d.memory, d.hidden, d.outputs, d.program_words
        ),
        format!(
            "Timing: {} cycles per step at full rate; input step t to output step t, {} cycles \
             (array {lat}, unit {}); in_ready is low while a step is in flight.",
            cycles_per_step(cfg),
            step_latency(cfg),
            d.cycles_per_step()
        ),
    ];

    m.push(Item::comment(
        "Stream control: one vector in flight between the input and the unit.",
    ));
    m.push(Decl::wire("en", 1).comment("the unit advances (its output is not waiting)"));
    m.push(Decl::wire("accept", 1).comment("an input vector enters the array"));
    m.push(Decl::reg("inflight", 1).comment("a vector is in the array or waits at its output"));
    m.push(Decl::reg("flight_wait", waitw).comment("array cycles until it reaches the output"));
    m.push(Decl::reg("flight_step", tw).comment("its timestep"));
    m.push(Decl::reg("flight_illegal", 1).comment("it held an illegal lane"));
    m.push(Decl::wire("at_output", 1).comment("its currents are on the array's output"));
    m.push(Decl::wire("unit_ready", 1).comment("the unit is idle"));
    m.push(Decl::wire("unit_take", 1).comment("the unit takes the currents this cycle"));
    m.push(Decl::wire("array_en", 1).comment("the array advances"));
    m.push(Item::assign(
        "en",
        Expr::lor(Expr::lnot(Expr::id("out_valid")), Expr::id("out_ready")),
    ));
    m.push(Item::assign("in_ready", Expr::lnot(Expr::id("inflight"))));
    m.push(Item::assign(
        "accept",
        Expr::land(Expr::id("in_valid"), Expr::lnot(Expr::id("inflight"))),
    ));
    m.push(Item::assign(
        "at_output",
        Expr::land(
            Expr::id("inflight"),
            Expr::eq(Expr::id("flight_wait"), Expr::lit(waitw, 0)),
        ),
    ));
    m.push(Item::assign(
        "unit_take",
        Expr::land(
            Expr::land(Expr::id("at_output"), Expr::id("unit_ready")),
            Expr::id("en"),
        ),
    ));
    m.push(Item::assign(
        "array_en",
        Expr::lor(Expr::lnot(Expr::id("at_output")), Expr::id("unit_take")),
    ));

    push_cfg_decode(&mut m, cfg);

    m.push(Item::comment(
        "Input: step count, framing check, illegal-lane check.",
    ));
    m.push(Decl::reg("step", tw).comment("timestep of the next accepted vector"));
    m.push(Decl::wire("step_is_last", 1));
    m.push(Decl::wire("in_illegal", 1).comment("some lane holds 10"));
    m.push(Decl::wire("lanes_in", 2 * rows as u32).comment("accepted lanes, zeros in a bubble"));
    m.push(Item::assign(
        "step_is_last",
        Expr::eq(Expr::id("step"), Expr::lit(tw, t_n as i64 - 1)),
    ));
    m.push(Item::assign("in_illegal", in_illegal(rows)));
    m.push(Item::assign(
        "lanes_in",
        Expr::and(
            Expr::repl(2 * rows as u32, Expr::id("accept")),
            Expr::id("in_lanes"),
        ),
    ));
    let step_next = step_next(t_n);
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![
                nb("step", Expr::lit(tw, 0)),
                nb("framing_error", Expr::lit(1, 0)),
                nb("inflight", Expr::lit(1, 0)),
            ],
            vec![
                Stmt::if_then(
                    Expr::id("accept"),
                    vec![
                        nb("step", step_next),
                        Stmt::if_then(
                            Expr::ne(Expr::id("in_last"), Expr::id("step_is_last")),
                            vec![nb("framing_error", Expr::lit(1, 1))],
                        ),
                        nb("inflight", Expr::lit(1, 1)),
                        nb("flight_wait", Expr::lit(waitw, lat as i64 - 1)),
                        nb("flight_step", Expr::id("step")),
                        nb("flight_illegal", Expr::id("in_illegal")),
                    ],
                ),
                Stmt::if_then(
                    Expr::land(Expr::id("inflight"), Expr::lnot(Expr::id("at_output"))),
                    vec![nb(
                        "flight_wait",
                        Expr::sub(Expr::id("flight_wait"), Expr::lit(waitw, 1)),
                    )],
                ),
                Stmt::if_then(Expr::id("unit_take"), vec![nb("inflight", Expr::lit(1, 0))]),
            ],
        )],
    ));

    m.push(Item::comment(
        "The systolic array: one column per branch; it holds while the currents wait.",
    ));
    m.push(Decl::wire("currents", cols as u32 * a).comment("branch currents I[t][j]"));
    m.push(
        Instance::new("snn_array", "array")
            .conn("clk", Expr::id("clk"))
            .conn("en", Expr::id("array_en"))
            .conn("w_we", Expr::id("weight_we"))
            .conn("w_row", Expr::part("cfg_index", rw - 1, 0))
            .conn("w_col", Expr::part("cfg_index", rw + cw - 1, rw))
            .conn(
                "w_data",
                if wb == map.data_bits {
                    Expr::id("cfg_data")
                } else {
                    Expr::part("cfg_data", wb - 1, 0)
                },
            )
            .conn("lanes_in", Expr::id("lanes_in"))
            .conn("currents_out", Expr::id("currents")),
    );

    push_unit_and_flags(&mut m, cfg);
    m
}

/// The `snn_core` ports of an `elm` layer, shared by the array core and the
/// folded one (`crate::elm_folded`): the co-simulation shim, the synthesis
/// wrapper and the FuseSoC file take either.
pub(crate) fn core_ports(cfg: &LayerConfig) -> Module {
    let d = ElmDims::of(cfg);
    let rows = cfg.inputs;
    let tw = step_bits(cfg.timesteps);
    let map = CfgMap::of(cfg);
    let caw = map.addr_bits();
    let (rb, mb) = (d.readout_bits, d.memory_bits);
    let k_n = d.outputs as u32;
    let m = Module::new("snn_core")
        .input("clk", 1, false, "clock, rising edge")
        .input(
            "rst",
            1,
            false,
            "synchronous reset, active high (configuration registers keep their values)",
        )
        .input("cfg_we", 1, false, "write cfg_data to cfg_addr")
        .input(
            "cfg_addr",
            caw,
            false,
            "{region[1:0], index}: region 0 weight {branch j, input i}; other regions ignored",
        )
        .input("cfg_data", map.data_bits, true, "signed weight W[j][i]")
        .input("in_valid", 1, false, "input vector offered")
        .output(
            "in_ready",
            1,
            false,
            "input vector accepted when in_valid && in_ready (low while a step is in flight)",
        )
        .input(
            "in_lanes",
            2 * rows as u32,
            false,
            "input spikes: lane r at [2r+1:2r] (00 = 0, 01 = +1, 11 = -1)",
        )
        .input("in_last", 1, false, "this vector is step T-1 of its sample")
        .output("out_valid", 1, false, "output record offered")
        .input(
            "out_ready",
            1,
            false,
            "output record taken when out_valid && out_ready",
        )
        .output(
            "out_spikes",
            2,
            false,
            "an elm gives no spikes: one lane, always 00",
        )
        .output(
            "out_state",
            k_n * rb + d.memory as u32 * mb,
            false,
            format!(
                "readout r[k] at [k*{rb} +: {rb}], then memory m[u] at [{} + u*{mb} +: {mb}], signed",
                k_n * rb
            ),
        )
        .output("out_step", tw, false, "timestep of this output record")
        .output("out_last", 1, false, "out_step == T-1")
        .output(
            "overflow",
            1,
            false,
            "always 0: the elm widths are derived, nothing can overflow",
        )
        .output_reg(
            "illegal_spike",
            1,
            false,
            "sticky: an accepted input lane held the illegal code 10",
        )
        .output_reg(
            "framing_error",
            1,
            false,
            "sticky: in_last disagreed with the core's step count",
        );
    m
}

/// Configuration decode (`cfg_region`, `cfg_index`, `weight_we`): region 0,
/// index bits above `{j, i}` zero.
pub(crate) fn push_cfg_decode(m: &mut Module, cfg: &LayerConfig) {
    let map = CfgMap::of(cfg);
    let (iw, caw) = (map.index_bits, map.addr_bits());
    let (rw, cw) = (map.row_bits, map.col_bits);
    m.push(Item::comment("Configuration decode: weights only."));
    m.push(Decl::wire("cfg_region", 2));
    m.push(Decl::wire("cfg_index", iw));
    m.push(Decl::wire("weight_we", 1));
    m.push(Item::assign(
        "cfg_region",
        Expr::part("cfg_addr", caw - 1, caw - 2),
    ));
    m.push(Item::assign("cfg_index", Expr::part("cfg_addr", iw - 1, 0)));
    let mut weight_we = Expr::land(
        Expr::id("cfg_we"),
        Expr::eq(Expr::id("cfg_region"), Expr::lit(2, 0)),
    );
    if iw > rw + cw {
        weight_we = Expr::land(
            weight_we,
            Expr::eq(
                Expr::part("cfg_index", iw - 1, rw + cw),
                Expr::lit(iw - rw - cw, 0),
            ),
        );
    }
    m.push(Item::assign("weight_we", weight_we));
}

/// `in_illegal`: some lane of `in_lanes` holds the illegal code 10.
pub(crate) fn in_illegal(rows: usize) -> Expr {
    let illegal_terms: Vec<Expr> = (0..rows as u32)
        .map(|r| {
            Expr::and(
                Expr::bit_at("in_lanes", 2 * r + 1),
                Expr::not(Expr::bit_at("in_lanes", 2 * r)),
            )
        })
        .collect();
    Expr::red_or(Expr::concat(illegal_terms))
}

/// The step counter's next value after an accepted vector.
pub(crate) fn step_next(t_n: usize) -> Expr {
    let tw = step_bits(t_n);
    if t_n == 1 {
        Expr::lit(tw, 0)
    } else {
        Expr::mux(
            Expr::id("step_is_last"),
            Expr::lit(tw, 0),
            Expr::add(Expr::id("step"), Expr::lit(tw, 1)),
        )
    }
}

/// The `snn_elm` unit, the outputs and the sticky illegal-lane flag. Reads
/// `en`, `at_output` (the currents are ready), `flight_step`,
/// `flight_illegal`, `currents` and `unit_take`; drives `unit_ready`.
pub(crate) fn push_unit_and_flags(m: &mut Module, cfg: &LayerConfig) {
    let d = ElmDims::of(cfg);
    let t_n = cfg.timesteps;
    let tw = step_bits(t_n);
    let (rb, mb) = (d.readout_bits, d.memory_bits);
    let k_n = d.outputs as u32;
    m.push(Item::comment("The ELM unit."));
    m.push(Decl::wire("unit_step", tw));
    m.push(Decl::wire("memory", d.memory as u32 * mb).comment("m[u] after the step"));
    m.push(Decl::wire("readout", k_n * rb).comment("r[k]"));
    m.push(
        Instance::new("snn_elm", "elm")
            .conn("clk", Expr::id("clk"))
            .conn("rst", Expr::id("rst"))
            .conn("en", Expr::id("en"))
            .conn("in_valid", Expr::id("at_output"))
            .conn("in_ready", Expr::id("unit_ready"))
            .conn("in_step", Expr::id("flight_step"))
            .conn("in_currents", Expr::id("currents"))
            .conn("out_valid", Expr::id("out_valid"))
            .conn("out_step", Expr::id("unit_step"))
            .conn("out_memory", Expr::id("memory"))
            .conn("out_readout", Expr::id("readout")),
    );
    m.push(Item::assign("out_step", Expr::id("unit_step")));
    m.push(Item::assign(
        "out_last",
        Expr::eq(Expr::id("unit_step"), Expr::lit(tw, t_n as i64 - 1)),
    ));
    m.push(Item::assign("out_spikes", Expr::lit(2, 0)));
    m.push(Item::assign(
        "out_state",
        Expr::concat(vec![Expr::id("memory"), Expr::id("readout")]),
    ));
    m.push(Item::assign("overflow", Expr::lit(1, 0)));

    m.push(Item::comment(
        "Sticky illegal-lane flag, raised as the last output of a sample is taken:\n\
         after the last output of sample n it holds the OR of samples 0..n. A\n\
         sample's flag is gathered as the unit takes its steps.",
    ));
    m.push(
        Decl::reg("sample_illegal", 1)
            .comment("illegal lanes seen so far in the sample the unit works on"),
    );
    m.push(
        Decl::reg("last_illegal", 1)
            .comment("the whole sample's illegal flag, for its last output"),
    );
    let so_far = Expr::lor(
        Expr::land(
            Expr::ne(Expr::id("flight_step"), Expr::lit(tw, 0)),
            Expr::id("sample_illegal"),
        ),
        Expr::id("flight_illegal"),
    );
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![
                nb("illegal_spike", Expr::lit(1, 0)),
                nb("sample_illegal", Expr::lit(1, 0)),
                nb("last_illegal", Expr::lit(1, 0)),
            ],
            vec![
                Stmt::if_then(
                    Expr::land(
                        Expr::land(
                            Expr::land(Expr::id("out_valid"), Expr::id("out_ready")),
                            Expr::id("out_last"),
                        ),
                        Expr::id("last_illegal"),
                    ),
                    vec![nb("illegal_spike", Expr::lit(1, 1))],
                ),
                Stmt::if_then(
                    Expr::id("unit_take"),
                    vec![
                        nb("sample_illegal", so_far.clone()),
                        Stmt::if_then(
                            Expr::eq(Expr::id("flight_step"), Expr::lit(tw, t_n as i64 - 1)),
                            vec![nb("last_illegal", so_far)],
                        ),
                    ],
                ),
            ],
        )],
    ));
}

/// The generated design of an `elm` layer: `snn_pe`, `snn_array` (inputs x
/// branches), `snn_elm` and the `snn_core` top, with headers and the
/// manifest (`"elm"` holds the unit's sizes, widths and timing, and the
/// `out_state` record).
pub fn design(cfg: &LayerConfig) -> crate::generate::Design {
    let latency = latency_json(
        cfg,
        "array_cycles",
        array_latency(cfg),
        "cycles with out_ready high and the input always valid; one step in flight: in_ready is low until the unit takes the step's currents",
    );
    design_of(cfg, crate::generate::modules(cfg), "snn_elm_core", latency)
}

/// An elm core's design from its modules (top last, named `snn_core`, whose
/// header names it `top_base`): headers, files and the manifest with its
/// `"latency"` object.
pub(crate) fn design_of(
    cfg: &LayerConfig,
    modules: Vec<Module>,
    top_base: &str,
    latency: serde_json::Value,
) -> crate::generate::Design {
    use crate::generate::{config_hash, layer_header};
    use crate::verilog::print::module_to_string;
    let hash = config_hash(cfg);
    let mods: Vec<Module> = modules
        .into_iter()
        .map(|m| {
            let base = if m.name == "snn_core" {
                top_base.to_string()
            } else {
                m.name.clone()
            };
            layer_header(m, &base, cfg, &hash, None)
        })
        .collect();
    let files: Vec<(String, String)> = mods
        .iter()
        .map(|m| (format!("{}.v", m.name), module_to_string(m)))
        .collect();
    let top = mods.last().expect("a top module");
    let manifest = manifest(cfg, &hash, &files, top, latency);
    crate::generate::Design { files, manifest }
}

/// The manifest of an elm core (array or folded, its `"latency"` given):
/// sizes, widths, the `out_state` record, the address map.
fn manifest(
    cfg: &LayerConfig,
    hash: &str,
    files: &[(String, String)],
    top: &Module,
    latency: serde_json::Value,
) -> serde_json::Value {
    use crate::generate::{port_json, MANIFEST_FORMAT_VERSION};
    use serde_json::json;
    let d = ElmDims::of(cfg);
    let w = cfg.widths();
    let map = CfgMap::of(cfg);
    let t = cfg.timesteps;
    json!({
        "format_version": MANIFEST_FORMAT_VERSION,
        "generator": format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        "config_sha256_16": hash,
        "top": "snn_core",
        "files": files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "ports": port_json(top),
        "layer": cfg.to_json(),
        "widths": {
            "synaptic_bits": w.synaptic_bits,
            "trace_bits": d.trace_bits,
            "memory_bits": d.memory_bits,
            "hidden_activation_bits": d.a_bits,
            "readout_bits": d.readout_bits,
            "accumulator_bits": d.acc_bits,
            "multiplier_bits": [d.mlp_bits, d.operand_bits],
            "step_bits": step_bits(t),
        },
        "elm": {
            "branches": d.branches,
            "memory": d.memory,
            "hidden": d.hidden,
            "outputs": d.outputs,
            "program_words": d.program_words,
            "out_state": format!(
                "readout r[k] at [k*{rb} +: {rb}] (k < {}), then memory m[u] at [{} + u*{mb} +: {mb}] (u < {}), signed",
                d.outputs,
                d.outputs as u32 * d.readout_bits,
                d.memory,
                rb = d.readout_bits,
                mb = d.memory_bits
            ),
        },
        "latency": latency,
        "config_port": {
            "addr_bits": map.addr_bits(),
            "index_bits": map.index_bits,
            "data_bits": map.data_bits,
            "row_bits": map.row_bits,
            "col_bits": map.col_bits,
            "regions": {
                "0": "weight W[j][i] of branch j: index = (j << row_bits) | i",
                "1": "unused (an elm layer has no bias; the MLP and readout are ROM constants)",
                "2": "unused",
                "3": "unused",
            },
        },
    })
}
