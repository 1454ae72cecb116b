//! `snn_core`: the top of one layer (docs/core.md): configuration registers,
//! the input stream with step counting and lane checks, the systolic array,
//! a control pipeline aligned with it, one neuron unit per column, the output
//! stream and the sticky flags.

use crate::array;
use crate::cfg_map::{self, CfgMap};
use crate::unit::{psn_threshold_count, psn_weight_entries, step_bits};
use crate::verilog::ast::{Decl, Expr, Instance, Item, LValue, Module, Stmt};
use golden_model::LayerConfig;

/// The neuron unit's module name for this layer.
pub fn unit_module(cfg: &LayerConfig) -> &'static str {
    match cfg.neuron.kind() {
        "if" => "snn_if",
        "lif" => "snn_lif",
        "tmn" => "snn_tmn",
        "psn" => "snn_psn",
        "masked_psn" => "snn_psn_masked",
        _ => "snn_psn_sliding",
    }
}

/// Latency in `en` cycles from accepting step t of a sample to presenting
/// its output step t (`psn`: to presenting output step 0, which waits for the
/// whole sample: add `T - 1` for the last input step to arrive).
pub fn step_latency(cfg: &LayerConfig) -> usize {
    if let golden_model::Neuron::Elm(_) = cfg.neuron {
        return crate::elm_core::step_latency(cfg);
    }
    array::latency(cfg.inputs, cfg.outputs) + crate::unit::latency(cfg)
}

/// `{a, b, ...}`, or the bare signal when there is one: Yosys 0.23 asserts on
/// a one-element concatenation of a signed reg in a port connection.
fn bus(mut parts: Vec<Expr>) -> Expr {
    if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Expr::concat(parts)
    }
}

fn nb(l: impl Into<String>, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l.into()), r)
}

pub fn snn_core(cfg: &LayerConfig) -> Module {
    let wd = cfg.widths();
    let (rows, cols, t_n) = (cfg.inputs, cfg.outputs, cfg.timesteps);
    let (wb, a, sb) = (cfg.weight_bits, wd.synaptic_bits, wd.state_bits);
    let tw = step_bits(t_n);
    let map = CfgMap::of(cfg);
    let (iw, caw) = (map.index_bits, map.addr_bits());
    let lat = array::latency(rows, cols);
    let psn = cfg.neuron.is_psn_family();

    let mut m = Module::new("snn_core")
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
            "{region[1:0], index}: 0 weight {o,i}, 1 bias o, 2 PSN weight, 3 PSN threshold",
        )
        .input(
            "cfg_data",
            map.data_bits,
            true,
            "signed value, low bits used",
        )
        .input("in_valid", 1, false, "input vector offered")
        .output(
            "in_ready",
            1,
            false,
            "input vector accepted when in_valid && in_ready",
        )
        .input(
            "in_lanes",
            2 * rows as u32,
            false,
            "input spikes: lane r at [2r+1:2r] (00 = 0, 01 = +1, 11 = -1)",
        )
        .input("in_last", 1, false, "this vector is step T-1 of its sample")
        .output("out_valid", 1, false, "output vector offered")
        .input(
            "out_ready",
            1,
            false,
            "output vector taken when out_valid && out_ready",
        )
        .output(
            "out_spikes",
            2 * cols as u32,
            false,
            "output spikes: column c at [2c+1:2c]",
        )
        .output(
            "out_state",
            cols as u32 * sb,
            false,
            "state readout: column c at [(c+1)SB-1:c*SB], signed",
        )
        .output("out_step", tw, false, "timestep of this output vector")
        .output("out_last", 1, false, "out_step == T-1")
        .output_reg(
            "overflow",
            1,
            false,
            "sticky: a state register saturated (forced narrow state_bits only)",
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

    m.push(Item::comment(
        "Stream control: one global advance; bubbles flow when nothing is offered.",
    ));
    m.push(Decl::wire("en", 1).comment("advance every pipeline register"));
    m.push(Decl::wire("accept", 1));
    m.push(Item::assign(
        "en",
        Expr::lor(Expr::lnot(Expr::id("out_valid")), Expr::id("out_ready")),
    ));
    m.push(Item::assign("in_ready", Expr::id("en")));
    m.push(Item::assign(
        "accept",
        Expr::land(Expr::id("in_valid"), Expr::id("en")),
    ));

    m.push(Item::comment("Configuration decode."));
    m.push(Decl::wire("cfg_region", 2));
    m.push(Decl::wire("cfg_index", iw));
    m.push(Item::assign(
        "cfg_region",
        Expr::part("cfg_addr", caw - 1, caw - 2),
    ));
    m.push(Item::assign("cfg_index", Expr::part("cfg_addr", iw - 1, 0)));
    let region_is = |r: u64| {
        Expr::land(
            Expr::id("cfg_we"),
            Expr::eq(Expr::id("cfg_region"), Expr::lit(2, r as i64)),
        )
    };
    let index_is = |n: u64| Expr::eq(Expr::id("cfg_index"), Expr::lit(iw, n as i64));
    let (rw, cw) = (map.row_bits, map.col_bits);
    let mut weight_we = region_is(cfg_map::REGION_WEIGHT);
    if iw > rw + cw {
        weight_we = Expr::land(
            weight_we,
            Expr::eq(
                Expr::part("cfg_index", iw - 1, rw + cw),
                Expr::lit(iw - rw - cw, 0),
            ),
        );
    }
    m.push(Decl::wire("weight_we", 1));
    m.push(Item::assign("weight_we", weight_we));
    let data = |bits: u32| {
        if bits == map.data_bits {
            Expr::id("cfg_data")
        } else {
            Expr::part("cfg_data", bits - 1, 0)
        }
    };
    let mut cfg_body = vec![];
    for c in 0..cols {
        m.push(Decl::reg(format!("bias_c{c}"), wb).signed());
        cfg_body.push(Stmt::if_then(
            Expr::land(region_is(cfg_map::REGION_BIAS), index_is(c as u64)),
            vec![nb(format!("bias_c{c}"), data(wb))],
        ));
    }
    let entries = psn_weight_entries(cfg);
    for (n, &(t, i)) in entries.iter().enumerate() {
        m.push(
            Decl::reg(format!("psn_w{n}"), cfg.psn_weight_bits)
                .signed()
                .comment(format!("entry ({t}, {i})")),
        );
        let idx = map.psn_weight(cfg, t, i) & ((1 << iw) - 1);
        cfg_body.push(Stmt::if_then(
            Expr::land(region_is(cfg_map::REGION_PSN_WEIGHT), index_is(idx)),
            vec![nb(format!("psn_w{n}"), data(cfg.psn_weight_bits))],
        ));
    }
    let n_thr = psn_threshold_count(cfg);
    for n in 0..n_thr {
        m.push(Decl::reg(format!("psn_b{n}"), sb).signed());
        cfg_body.push(Stmt::if_then(
            Expr::land(region_is(cfg_map::REGION_PSN_THRESHOLD), index_is(n as u64)),
            vec![nb(format!("psn_b{n}"), data(sb))],
        ));
    }
    m.push(Item::always_ff("clk", cfg_body));

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
    let illegal_terms: Vec<Expr> = (0..rows as u32)
        .map(|r| {
            Expr::and(
                Expr::bit_at("in_lanes", 2 * r + 1),
                Expr::not(Expr::bit_at("in_lanes", 2 * r)),
            )
        })
        .collect();
    m.push(Item::assign(
        "in_illegal",
        Expr::red_or(Expr::concat(illegal_terms)),
    ));
    m.push(Item::assign(
        "lanes_in",
        Expr::and(
            Expr::repl(2 * rows as u32, Expr::id("accept")),
            Expr::id("in_lanes"),
        ),
    ));
    let step_next = if t_n == 1 {
        Expr::lit(tw, 0)
    } else {
        Expr::mux(
            Expr::id("step_is_last"),
            Expr::lit(tw, 0),
            Expr::add(Expr::id("step"), Expr::lit(tw, 1)),
        )
    };
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![
                nb("step", Expr::lit(tw, 0)),
                nb("framing_error", Expr::lit(1, 0)),
            ],
            vec![Stmt::if_then(
                Expr::id("accept"),
                vec![
                    nb("step", step_next),
                    Stmt::if_then(
                        Expr::ne(Expr::id("in_last"), Expr::id("step_is_last")),
                        vec![nb("framing_error", Expr::lit(1, 1))],
                    ),
                ],
            )],
        )],
    ));

    let unit_lat = crate::unit::latency(cfg);
    let stages = lat + unit_lat - 1;
    m.push(Item::comment(format!(
        "Control pipeline: {lat} stages aligned with the array's currents (the unit's\n\
         inputs), then {} more aligned with the unit's outputs (for the flags).",
        unit_lat - 1
    )));
    let mut ctl_body = vec![];
    for d in 0..stages {
        m.push(Decl::reg(format!("ctl_valid_d{d}"), 1));
        m.push(Decl::reg(format!("ctl_step_d{d}"), tw));
        m.push(Decl::reg(format!("ctl_illegal_d{d}"), 1));
    }
    let mut reset_body = vec![];
    for d in 0..stages {
        let (v, s, il) = if d == 0 {
            (
                Expr::id("accept"),
                Expr::id("step"),
                Expr::land(Expr::id("accept"), Expr::id("in_illegal")),
            )
        } else {
            (
                Expr::id(format!("ctl_valid_d{}", d - 1)),
                Expr::id(format!("ctl_step_d{}", d - 1)),
                Expr::id(format!("ctl_illegal_d{}", d - 1)),
            )
        };
        reset_body.push(nb(format!("ctl_valid_d{d}"), Expr::lit(1, 0)));
        ctl_body.push(nb(format!("ctl_valid_d{d}"), v));
        ctl_body.push(nb(format!("ctl_step_d{d}"), s));
        ctl_body.push(nb(format!("ctl_illegal_d{d}"), il));
    }
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            reset_body,
            vec![Stmt::if_then(Expr::id("en"), ctl_body)],
        )],
    ));
    let (unit_valid, unit_step) = (
        format!("ctl_valid_d{}", lat - 1),
        format!("ctl_step_d{}", lat - 1),
    );
    // The flag logic sees each vector one cycle before the unit presents it,
    // as it did with a one-cycle unit.
    let last = stages - 1;
    let (flag_valid, flag_step, unit_illegal) = (
        format!("ctl_valid_d{last}"),
        format!("ctl_step_d{last}"),
        format!("ctl_illegal_d{last}"),
    );

    m.push(Item::comment("The systolic array."));
    m.push(Decl::wire("currents", cols as u32 * a).comment("aligned column currents"));
    m.push(
        Instance::new("snn_array", "array")
            .conn("clk", Expr::id("clk"))
            .conn("en", Expr::id("en"))
            .conn("w_we", Expr::id("weight_we"))
            .conn("w_row", Expr::part("cfg_index", rw - 1, 0))
            .conn("w_col", Expr::part("cfg_index", rw + cw - 1, rw))
            .conn("w_data", data(wb))
            .conn("lanes_in", Expr::id("lanes_in"))
            .conn("currents_out", Expr::id("currents")),
    );

    m.push(Item::comment(
        "One neuron unit per column; column 0's control outputs drive the stream.",
    ));
    let unit = unit_module(cfg);
    let mut spikes = vec![];
    let mut states = vec![];
    let mut overflows = vec![];
    for c in 0..cols {
        let (vname, sname) = if c == 0 {
            ("unit_valid".to_string(), "unit_step".to_string())
        } else {
            (format!("unused_valid_c{c}"), format!("unused_step_c{c}"))
        };
        m.push(Decl::wire(vname.clone(), 1));
        m.push(Decl::wire(sname.clone(), tw));
        m.push(Decl::wire(format!("spike_c{c}"), 2));
        m.push(Decl::wire(format!("state_c{c}"), sb).signed());
        m.push(Decl::wire(format!("overflow_c{c}"), 1));
        let mut inst = Instance::new(unit, format!("neuron_c{c}"))
            .conn("clk", Expr::id("clk"))
            .conn("rst", Expr::id("rst"))
            .conn("en", Expr::id("en"))
            .conn("in_valid", Expr::id(unit_valid.clone()))
            .conn("in_step", Expr::id(unit_step.clone()))
            .conn(
                "in_current",
                Expr::part("currents", (c as u32 + 1) * a - 1, c as u32 * a),
            )
            .conn("bias", Expr::id(format!("bias_c{c}")))
            .conn("out_valid", Expr::id(vname))
            .conn("out_step", Expr::id(sname))
            .conn("out_spike", Expr::id(format!("spike_c{c}")))
            .conn("out_state", Expr::id(format!("state_c{c}")))
            .conn("out_overflow", Expr::id(format!("overflow_c{c}")));
        if psn {
            let ws: Vec<Expr> = (0..entries.len())
                .rev()
                .map(|n| Expr::id(format!("psn_w{n}")))
                .collect();
            let bs: Vec<Expr> = (0..n_thr)
                .rev()
                .map(|n| Expr::id(format!("psn_b{n}")))
                .collect();
            inst = inst
                .conn("psn_weights", bus(ws))
                .conn("psn_thresholds", bus(bs));
        }
        m.push(inst);
        spikes.push(Expr::id(format!("spike_c{c}")));
        states.push(Expr::id(format!("state_c{c}")));
        overflows.push(Expr::id(format!("overflow_c{c}")));
    }
    spikes.reverse();
    states.reverse();
    overflows.reverse();
    m.push(Item::assign("out_valid", Expr::id("unit_valid")));
    m.push(Item::assign("out_step", Expr::id("unit_step")));
    m.push(Item::assign(
        "out_last",
        Expr::eq(Expr::id("unit_step"), Expr::lit(tw, t_n as i64 - 1)),
    ));
    m.push(Item::assign("out_spikes", Expr::concat(spikes)));
    m.push(Item::assign("out_state", Expr::concat(states)));

    m.push(Item::comment(
        "Sticky flags, raised as outputs are taken (in data order): after the last\n\
         output of sample n they hold the OR of samples 0..n. The illegal-lane flag\n\
         of a sample is gathered at the unit input and delivered with its last output.",
    ));
    m.push(
        Decl::reg("sample_illegal", 1)
            .comment("illegal lanes seen so far in the sample at the unit input"),
    );
    m.push(
        Decl::reg("last_illegal", 1)
            .comment("the whole sample's illegal flag, for its last output"),
    );
    m.push(Decl::wire("taken", 1));
    m.push(Item::assign(
        "taken",
        Expr::land(Expr::id("out_valid"), Expr::id("out_ready")),
    ));
    let at_step0 = Expr::eq(Expr::id(flag_step.clone()), Expr::lit(tw, 0));
    let so_far = Expr::lor(
        Expr::land(Expr::lnot(at_step0), Expr::id("sample_illegal")),
        Expr::id(unit_illegal.clone()),
    );
    m.push(Item::always_ff(
        "clk",
        vec![Stmt::if_else(
            Expr::id("rst"),
            vec![
                nb("overflow", Expr::lit(1, 0)),
                nb("illegal_spike", Expr::lit(1, 0)),
                nb("sample_illegal", Expr::lit(1, 0)),
                nb("last_illegal", Expr::lit(1, 0)),
            ],
            vec![
                Stmt::if_then(
                    Expr::land(Expr::id("taken"), Expr::red_or(Expr::concat(overflows))),
                    vec![nb("overflow", Expr::lit(1, 1))],
                ),
                Stmt::if_then(
                    Expr::land(
                        Expr::land(Expr::id("taken"), Expr::id("out_last")),
                        Expr::id("last_illegal"),
                    ),
                    vec![nb("illegal_spike", Expr::lit(1, 1))],
                ),
                Stmt::if_then(
                    Expr::land(Expr::id("en"), Expr::id(flag_valid.clone())),
                    vec![
                        nb("sample_illegal", so_far.clone()),
                        Stmt::if_then(
                            Expr::eq(Expr::id(flag_step.clone()), Expr::lit(tw, t_n as i64 - 1)),
                            vec![nb("last_illegal", so_far)],
                        ),
                    ],
                ),
            ],
        )],
    ));
    m
}
