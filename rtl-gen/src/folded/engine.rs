//! `snn_folded`: a whole network on one row of `P` ternary PEs
//! (docs/folded.md). Layers run one after another. For each layer, group
//! `g` of `P` output neurons and step `t`, the fetch walks the step's input
//! spike words and skips zero lanes (one cycle per non-zero spike, one per
//! all-zero word); each non-zero spike reads one weight word (`P` weights)
//! and the PE row adds or subtracts it into `P` accumulators. At the step's
//! end the `P` currents move to a shift register and the issuer feeds them,
//! one per cycle, to the layer's neuron unit (the unrolled core's unit with
//! its membrane from a port), whose spikes are packed into the next layer's
//! spike buffer. The last layer's readouts and their argmax (first index
//! wins ties) are computed as they leave the unit.

use super::memory::{dual_port, single_port};
use super::plan::{vth_of, FoldedPlan};
use crate::unit::step_bits;
use crate::verilog::ast::{Decl, Expr, Instance, Item, LValue, Module, Stmt};
use golden_model::{NetworkConfig, Neuron};

/// Phases of the engine.
const LOAD: i64 = 0;
const RUN: i64 = 1;
const OUT: i64 = 2;

fn nb(l: &str, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l), r)
}

fn id(n: &str) -> Expr {
    Expr::id(n)
}

fn lit(w: u32, v: usize) -> Expr {
    Expr::lit(w, v as i64)
}

/// `e` (`from` bits, unsigned) zero-extended to `to` bits.
fn zx(e: Expr, from: u32, to: u32) -> Expr {
    assert!(to >= from);
    if to == from {
        e
    } else {
        Expr::concat(vec![Expr::lit(to - from, 0), e])
    }
}

/// The `from`-bit net `name` at `to` bits: zero-extended or its low bits.
fn fit(name: &str, from: u32, to: u32) -> Expr {
    if to >= from {
        zx(id(name), from, to)
    } else {
        Expr::part(name, to - 1, 0)
    }
}

/// The low `to` bits of the `from`-bit net `name`.
fn low(name: &str, from: u32, to: u32) -> Expr {
    if to == from {
        id(name)
    } else {
        Expr::part(name, to - 1, 0)
    }
}

struct Builder {
    m: Module,
}

impl Builder {
    fn reg(&mut self, name: &str, w: u32, comment: &str) {
        self.m.push(Decl::reg(name, w).comment(comment));
    }
    fn sreg(&mut self, name: &str, w: u32, comment: &str) {
        self.m.push(Decl::reg(name, w).signed().comment(comment));
    }
    fn wire(&mut self, name: &str, w: u32, value: Expr, comment: &str) {
        self.m.push(Decl::wire(name, w).comment(comment));
        self.m.push(Item::assign(name, value));
    }
    fn swire(&mut self, name: &str, w: u32, value: Expr, comment: &str) {
        self.m.push(Decl::wire(name, w).signed().comment(comment));
        self.m.push(Item::assign(name, value));
    }
    fn ff(&mut self, body: Vec<Stmt>) {
        self.m.push(Item::always_ff("clk", body));
    }
    /// `if (rst) reset else body`.
    fn ff_rst(&mut self, reset: Vec<Stmt>, body: Vec<Stmt>) {
        self.ff(vec![Stmt::if_else(id("rst"), reset, body)]);
    }
    fn comment(&mut self, text: &str) {
        self.m.push(Item::comment(text));
    }
}

/// A per-layer constant selected by `lay`: `vals[l]` at `w` bits.
fn by_layer(vals: &[usize], w: u32, lb: u32) -> Expr {
    let mut e = lit(w, *vals.last().unwrap());
    for (l, &v) in vals.iter().enumerate().rev().skip(1) {
        e = Expr::mux(Expr::eq(id("lay"), lit(lb, l)), lit(w, v), e);
    }
    e
}

/// The unit module name of layer `l`.
pub fn unit_name(net: &NetworkConfig, l: usize) -> String {
    format!("snn_fold_l{l}_{}", net.layers[l].neuron.kind())
}

/// `snn_folded` for `net` laid out by `plan`.
pub fn snn_folded(net: &NetworkConfig, plan: &FoldedPlan) -> Module {
    let p = plan.p;
    let t_n = plan.timesteps;
    let n_layers = plan.layers.len();
    let last = &net.layers[n_layers - 1];
    let lp_last = &plan.layers[n_layers - 1];
    let tw = step_bits(t_n);
    let (lb, jb, nbits, gb) = (
        plan.layer_bits(),
        plan.lane_bits(),
        plan.neuron_bits(),
        plan.group_bits(),
    );
    let (wab, bab, xab) = (
        plan.weight_addr_bits(),
        plan.bias_addr_bits(),
        plan.buffer_addr_bits(),
    );
    let (cib, cab) = (plan.cfg_index_bits(), plan.cfg_addr_bits());
    let (wbm, a, sbm) = (plan.weight_bits, plan.acc_bits, plan.state_bits);
    let (rb, svb) = (plan.readout_bits, plan.spike_value_bits);
    let cb = plan.class_bits();
    let wwb = super::plan::index_bits(plan.layers.iter().map(|l| l.words).max().unwrap());
    let period = plan.issue_period;
    let icb = super::plan::index_bits(period);
    let lanes = 2 * p as u32;
    let w0 = plan.layers[0].words;

    let m = Module::new("snn_folded")
        .input("clk", 1, false, "clock, rising edge")
        .input(
            "rst",
            1,
            false,
            "synchronous reset, active high (memories keep their contents)",
        )
        .input(
            "cfg_we",
            1,
            false,
            "write cfg_data at cfg_addr (only between samples, while in_ready is high)",
        )
        .input(
            "cfg_addr",
            cab,
            false,
            "{sel, index}: sel 0 weight word (index = word address), 1 bias (index = entry)",
        )
        .input(
            "cfg_data",
            plan.weight_word_bits(),
            false,
            "weight word: lane k at [k*WB +: WB]; a bias in the low WB bits",
        )
        .input("in_valid", 1, false, "input spike word offered")
        .output(
            "in_ready",
            1,
            false,
            "input word taken when in_valid && in_ready (high between samples)",
        )
        .input(
            "in_lanes",
            lanes,
            false,
            "input spikes w*P .. w*P+P-1 of step t, lane k at [2k+1:2k]; words in order t, then w",
        )
        .input("in_last", 1, false, "this is the sample's last input word")
        .output_reg("out_valid", 1, false, "a readout offered")
        .input(
            "out_ready",
            1,
            false,
            "readout taken when out_valid && out_ready",
        )
        .output(
            "out_readout",
            rb,
            true,
            "readout of output neuron out_index (golden_model::readout)",
        )
        .output_reg("out_index", cb, false, "the output neuron of this readout")
        .output(
            "out_class",
            cb,
            false,
            "argmax of the sample's readouts (first index wins ties)",
        )
        .output("out_last", 1, false, "this is the sample's last readout")
        .output(
            "tap_fire",
            1,
            false,
            "a neuron's spike for one step is on tap_event (monitor, no handshake)",
        )
        .output(
            "tap_event",
            plan.tap_bits(),
            false,
            "{layer, step, neuron, spike lane code}",
        )
        .output_reg(
            "overflow",
            1,
            false,
            "sticky: a membrane saturated (forced narrow state_bits only)",
        )
        .output_reg(
            "illegal_spike",
            1,
            false,
            "sticky: an input lane held the illegal code 10 (read as 0)",
        )
        .output_reg(
            "framing_error",
            1,
            false,
            "sticky: in_last did not mark the sample's last word",
        );
    let mut b = Builder { m };

    // ---- control -------------------------------------------------------
    b.comment("Phase: 0 load the input words, 1 run the layers, 2 give the readouts.");
    b.reg("phase", 2, "0 load, 1 run, 2 out");
    b.reg("lay", lb, "the layer running");
    b.reg(
        "init_pending",
        1,
        "the layer just started: set up its fetch next cycle",
    );
    let words_m1: Vec<usize> = plan.layers.iter().map(|l| l.words - 1).collect();
    let groups_m1: Vec<usize> = plan.layers.iter().map(|l| l.groups - 1).collect();
    let inputs: Vec<usize> = plan.layers.iter().map(|l| l.inputs).collect();
    let wbase0: Vec<usize> = plan.layers.iter().map(|l| l.weight_base).collect();
    let bbase: Vec<usize> = plan.layers.iter().map(|l| l.bias_base).collect();
    let outs: Vec<usize> = plan.layers.iter().map(|l| l.outputs).collect();
    let lastv: Vec<usize> = (0..n_layers)
        .map(|l| usize::from(l + 1 == n_layers))
        .collect();
    b.wire(
        "l_words_m1",
        wwb,
        by_layer(&words_m1, wwb, lb),
        "this layer's input words per step, minus 1",
    );
    b.wire(
        "l_groups_m1",
        gb,
        by_layer(&groups_m1, gb, lb),
        "this layer's groups of P neurons, minus 1",
    );
    b.wire(
        "l_inputs",
        wab,
        by_layer(&inputs, wab, lb),
        "this layer's inputs (weight words per group)",
    );
    b.wire(
        "l_wbase",
        wab,
        by_layer(&wbase0, wab, lb),
        "this layer's first weight word",
    );
    b.wire(
        "l_bbase",
        bab,
        by_layer(&bbase, bab, lb),
        "this layer's first bias entry",
    );
    b.wire(
        "l_outputs",
        nbits,
        by_layer(&outs, nbits, lb),
        "this layer's output neurons",
    );
    b.wire(
        "l_last",
        1,
        by_layer(&lastv, 1, lb),
        "this is the last layer",
    );
    b.wire(
        "running",
        1,
        Expr::eq(id("phase"), lit(2, RUN as usize)),
        "phase is run",
    );

    // ---- input loader --------------------------------------------------
    b.comment("Input loader: words (t, w) into X0 at w*T + t; illegal lanes and lanes past the inputs read 0.");
    b.reg("ld_w", wwb, "word within the step");
    b.reg("ld_t", tw, "step");
    b.reg("ld_addr", xab, "X0 address of the word: ld_w*T + ld_t");
    b.m.push(Item::assign(
        "in_ready",
        Expr::eq(id("phase"), lit(2, LOAD as usize)),
    ));
    b.wire(
        "in_fire",
        1,
        Expr::land(id("in_valid"), id("in_ready")),
        "an input word is taken",
    );
    b.wire(
        "ld_step_end",
        1,
        Expr::eq(id("ld_w"), lit(wwb, w0 - 1)),
        "the step's last word",
    );
    b.wire(
        "ld_end",
        1,
        Expr::land(id("ld_step_end"), Expr::eq(id("ld_t"), lit(tw, t_n - 1))),
        "the sample's last word",
    );
    let tail = plan.layers[0].inputs - (w0 - 1) * p;
    b.wire(
        "in_keep",
        p as u32,
        Expr::concat(
            (0..p)
                .rev()
                .map(|k| {
                    if k < tail {
                        Expr::lit(1, 1)
                    } else {
                        Expr::lnot(id("ld_step_end"))
                    }
                })
                .collect(),
        ),
        "lanes that are inputs of the network (the step's last word may be short)",
    );
    let lane_bad = |k: u32| {
        Expr::land(
            Expr::bit_at("in_lanes", 2 * k + 1),
            Expr::lnot(Expr::bit_at("in_lanes", 2 * k)),
        )
    };
    b.wire(
        "in_bad",
        p as u32,
        Expr::concat((0..p as u32).rev().map(lane_bad).collect()),
        "lanes holding the illegal code 10",
    );
    b.wire(
        "in_clean",
        lanes,
        Expr::concat(
            (0..p as u32)
                .rev()
                .map(|k| {
                    let keep = if p == 1 {
                        Expr::land(id("in_keep"), Expr::lnot(id("in_bad")))
                    } else {
                        Expr::land(
                            Expr::bit_at("in_keep", k),
                            Expr::lnot(Expr::bit_at("in_bad", k)),
                        )
                    };
                    Expr::mux(
                        keep,
                        Expr::part("in_lanes", 2 * k + 1, 2 * k),
                        Expr::lit(2, 0),
                    )
                })
                .collect(),
        ),
        "the word as stored",
    );

    // ---- spike buffers ---------------------------------------------------
    b.comment("Spike buffers: layer l reads X[l % 2] and writes X[(l + 1) % 2].");
    b.m.push(Decl::wire("wr_we", 1).comment("the unit side writes a finished spike word"));
    b.m.push(Decl::wire("wr_addr", xab).comment("its address: g*T + t"));
    b.m.push(Decl::wire("wr_data", lanes).comment("its lanes"));
    b.m.push(Decl::wire("rd_go", 1).comment("the fetch reads the next input word"));
    b.m.push(Decl::reg("f_addr", xab).comment("its address: w*T + t"));
    let x_inst = |name: &str, we: Expr, waddr: Expr, wdata: Expr| {
        Instance::new(format!("snn_fold_{name}"), format!("u_{name}"))
            .conn("clk", id("clk"))
            .conn("we", we)
            .conn("waddr", waddr)
            .conn("wdata", wdata)
            .conn("re", id("rd_go"))
            .conn("raddr", id("f_addr"))
            .conn("rdata", id(&format!("{name}_q")))
    };
    b.m.push(Decl::wire("x0_q", lanes).comment("X0 read data"));
    let lay0 = if lb == 1 {
        id("lay")
    } else {
        Expr::bit_at("lay", 0)
    };
    b.m.push(x_inst(
        "x0",
        Expr::lor(id("in_fire"), Expr::land(id("wr_we"), lay0.clone())),
        Expr::mux(id("in_ready"), id("ld_addr"), id("wr_addr")),
        Expr::mux(id("in_ready"), id("in_clean"), id("wr_data")),
    ));
    if n_layers > 1 {
        b.m.push(Decl::wire("x1_q", lanes).comment("X1 read data"));
        b.m.push(x_inst(
            "x1",
            Expr::land(id("wr_we"), Expr::lnot(lay0.clone())),
            id("wr_addr"),
            id("wr_data"),
        ));
        b.wire(
            "x_q",
            lanes,
            Expr::mux(lay0.clone(), id("x1_q"), id("x0_q")),
            "the word read for the running layer",
        );
    } else {
        b.wire(
            "x_q",
            lanes,
            id("x0_q"),
            "the word read for the running layer",
        );
    }

    // ---- fetch -------------------------------------------------------
    b.comment("Fetch: (g, t, w) in order; a word is read one cycle before it is needed (pf), then its non-zero lanes are taken lowest first (wd).");
    b.reg("f_more", 1, "words left to read in this layer");
    b.reg("f_w", wwb, "word");
    b.reg("f_t", tw, "step");
    b.reg("f_g", gb, "group");
    b.reg("f_ibase", wab, "first input of the word: w*P");
    b.reg("f_wbase", wab, "first weight word of the group");
    b.reg("pf_v", 1, "x_q holds a word not yet taken");
    b.reg("pf_abase", wab, "its weight address for lane 0");
    b.reg("pf_last", 1, "it is its step's last word");
    b.reg("pf_t", tw, "its step");
    b.reg("pf_g", gb, "its group");
    b.reg("wd_v", 1, "wd holds a word");
    b.reg(
        "wd_nz",
        p as u32,
        "its lanes not yet taken that are non-zero",
    );
    b.reg("wd_sg", p as u32, "its lanes' signs (1: -1)");
    b.reg("wd_abase", wab, "its weight address for lane 0");
    b.reg("wd_last", 1, "it is its step's last word");
    b.reg("wd_t", tw, "its step");
    b.reg("wd_g", gb, "its group");
    b.reg(
        "iss_busy",
        1,
        "the issuer is feeding a step's currents to the unit",
    );
    b.reg("end1_v", 1, "a step's last spike has its weight address");
    b.reg(
        "end2_v",
        1,
        "a step's last spike is one cycle into the PE row",
    );
    b.reg(
        "end3_v",
        1,
        "a step's currents are complete: hand them to the issuer",
    );
    // Prefix ORs, not carry chains: the picker is LUT logic of the word
    // register alone (its loop limits Fmax).
    b.wire(
        "wd_below",
        p as u32,
        prefix_or("wd_nz", p as u32),
        "lane k: a non-zero lane below k",
    );
    b.wire(
        "wd_one",
        p as u32,
        Expr::and(id("wd_nz"), Expr::not(id("wd_below"))),
        "the lowest non-zero lane, one-hot",
    );
    b.wire(
        "wd_rest",
        p as u32,
        Expr::and(id("wd_nz"), id("wd_below")),
        "the lanes left after it",
    );
    b.wire(
        "wd_has",
        1,
        Expr::red_or(id("wd_nz")),
        "a non-zero lane is left",
    );
    b.reg(
        "wd_fin",
        1,
        "wd has at most one non-zero lane left: the word is done after this cycle",
    );
    let at_most_one = |v: &str| Expr::lnot(Expr::red_or(Expr::and(id(v), prefix_or(v, p as u32))));
    b.wire(
        "rest_fin",
        1,
        at_most_one("wd_rest"),
        "wd_fin after taking a lane",
    );
    let j_bits: Vec<Expr> = (0..jb)
        .rev()
        .map(|bit| {
            let sel: Vec<Expr> = (0..p as u32)
                .filter(|k| (k >> bit) & 1 == 1)
                .map(|k| {
                    if p == 1 {
                        id("wd_one")
                    } else {
                        Expr::bit_at("wd_one", k)
                    }
                })
                .collect();
            match sel.len() {
                0 => Expr::lit(1, 0),
                1 => sel.into_iter().next().unwrap(),
                _ => Expr::red_or(Expr::concat(sel)),
            }
        })
        .collect();
    b.wire(
        "wd_j",
        jb,
        Expr::concat(j_bits),
        "the lowest non-zero lane's index",
    );
    b.wire(
        "wd_neg",
        1,
        Expr::red_or(Expr::and(id("wd_one"), id("wd_sg"))),
        "its spike is -1",
    );
    b.wire(
        "blocked",
        1,
        Expr::lor(
            Expr::lor(id("iss_busy"), id("end1_v")),
            Expr::lor(id("end2_v"), id("end3_v")),
        ),
        "a step's currents are still on their way to the unit",
    );
    let fin_last = Expr::land(Expr::land(id("wd_v"), id("wd_fin")), id("wd_last"));
    b.wire(
        "stall",
        1,
        Expr::land(fin_last.clone(), id("blocked")),
        "the step would end while the last one is still being issued: wait",
    );
    b.wire(
        "pf_take",
        1,
        Expr::land(
            Expr::land(id("pf_v"), Expr::lor(Expr::lnot(id("wd_v")), id("wd_fin"))),
            Expr::lnot(id("stall")),
        ),
        "move the read word into wd",
    );
    b.wire(
        "emit",
        1,
        Expr::land(
            Expr::land(id("wd_v"), id("wd_has")),
            Expr::lnot(id("stall")),
        ),
        "read the weight word of one non-zero spike",
    );
    b.wire(
        "end0",
        1,
        Expr::land(fin_last, Expr::lnot(id("stall"))),
        "the step's last spike (or empty last word) goes now",
    );
    b.m.push(Item::assign(
        "rd_go",
        Expr::land(
            Expr::land(
                Expr::land(id("running"), Expr::lnot(id("init_pending"))),
                id("f_more"),
            ),
            Expr::lor(Expr::lnot(id("pf_v")), id("pf_take")),
        ),
    ));
    b.wire(
        "w_addr",
        wab,
        Expr::add(id("wd_abase"), zx(id("wd_j"), jb, wab)),
        "weight word of the spike taken",
    );
    b.wire(
        "x_nz",
        p as u32,
        Expr::concat(
            (0..p as u32)
                .rev()
                .map(|k| Expr::bit_at("x_q", 2 * k))
                .collect(),
        ),
        "the read word's non-zero lanes",
    );
    b.wire("x_fin", 1, at_most_one("x_nz"), "wd_fin of the read word");
    let x_sg = Expr::concat(
        (0..p as u32)
            .rev()
            .map(|k| Expr::bit_at("x_q", 2 * k + 1))
            .collect(),
    );
    let at_wend = Expr::eq(id("f_w"), id("l_words_m1"));
    let at_tend = Expr::eq(id("f_t"), lit(tw, t_n - 1));
    b.ff_rst(
        vec![
            nb("f_more", lit(1, 0)),
            nb("pf_v", lit(1, 0)),
            nb("wd_v", lit(1, 0)),
        ],
        vec![
            Stmt::if_then(
                id("init_pending"),
                vec![
                    nb("f_more", lit(1, 1)),
                    nb("f_addr", lit(xab, 0)),
                    nb("f_w", lit(wwb, 0)),
                    nb("f_t", lit(tw, 0)),
                    nb("f_g", lit(gb, 0)),
                    nb("f_ibase", lit(wab, 0)),
                    nb("f_wbase", id("l_wbase")),
                ],
            ),
            Stmt::if_then(
                id("rd_go"),
                vec![
                    nb("pf_abase", Expr::add(id("f_wbase"), id("f_ibase"))),
                    nb("pf_last", at_wend.clone()),
                    nb("pf_t", id("f_t")),
                    nb("pf_g", id("f_g")),
                    Stmt::if_else(
                        at_wend,
                        vec![
                            nb("f_w", lit(wwb, 0)),
                            nb("f_ibase", lit(wab, 0)),
                            Stmt::if_else(
                                at_tend,
                                vec![
                                    nb("f_t", lit(tw, 0)),
                                    nb("f_addr", lit(xab, 0)),
                                    nb("f_g", Expr::add(id("f_g"), lit(gb, 1))),
                                    nb("f_wbase", Expr::add(id("f_wbase"), id("l_inputs"))),
                                    Stmt::if_then(
                                        Expr::eq(id("f_g"), id("l_groups_m1")),
                                        vec![nb("f_more", lit(1, 0))],
                                    ),
                                ],
                                vec![
                                    nb("f_t", Expr::add(id("f_t"), lit(tw, 1))),
                                    nb("f_addr", zx(Expr::add(id("f_t"), lit(tw, 1)), tw, xab)),
                                ],
                            ),
                        ],
                        vec![
                            nb("f_w", Expr::add(id("f_w"), lit(wwb, 1))),
                            nb("f_ibase", Expr::add(id("f_ibase"), lit(wab, p))),
                            nb("f_addr", Expr::add(id("f_addr"), lit(xab, t_n))),
                        ],
                    ),
                ],
            ),
            Stmt::if_else(
                id("rd_go"),
                vec![nb("pf_v", lit(1, 1))],
                vec![Stmt::if_then(id("pf_take"), vec![nb("pf_v", lit(1, 0))])],
            ),
            Stmt::if_else(
                id("pf_take"),
                vec![
                    nb("wd_v", lit(1, 1)),
                    nb("wd_nz", id("x_nz")),
                    nb("wd_fin", id("x_fin")),
                    nb("wd_sg", x_sg),
                    nb("wd_abase", id("pf_abase")),
                    nb("wd_last", id("pf_last")),
                    nb("wd_t", id("pf_t")),
                    nb("wd_g", id("pf_g")),
                ],
                vec![Stmt::if_then(
                    Expr::lnot(id("stall")),
                    vec![Stmt::if_else(
                        id("wd_fin"),
                        vec![nb("wd_v", lit(1, 0))],
                        vec![nb("wd_nz", id("wd_rest")), nb("wd_fin", id("rest_fin"))],
                    )],
                )],
            ),
        ],
    );

    // ---- weight and bias memories -------------------------------------------
    b.comment("Weight memory: one word of P weights per (layer, group, input); the configuration port shares its one port.");
    let wsel = Expr::bit_at("cfg_addr", cib);
    b.m.push(Decl::wire("w_q", plan.weight_word_bits()).comment("the weight word read last cycle"));
    b.m.push(
        Instance::new("snn_fold_weights", "u_weights")
            .conn("clk", id("clk"))
            .conn("we", Expr::land(id("cfg_we"), Expr::lnot(wsel.clone())))
            .conn(
                "addr",
                Expr::mux(id("cfg_we"), low("cfg_addr", cab, wab), id("e0_addr")),
            )
            .conn("wdata", id("cfg_data"))
            .conn("rdata", id("w_q")),
    );
    b.reg("iss_n", nbits, "the neuron being issued");
    b.m.push(Decl::wire("iss_go", 1).comment("issue one neuron's current this cycle"));
    b.m.push(Decl::wire("bias_q", wbm).comment("the issued neuron's bias, read last cycle"));
    b.m.push(
        Instance::new("snn_fold_bias", "u_bias")
            .conn("clk", id("clk"))
            .conn("we", Expr::land(id("cfg_we"), wsel))
            .conn("waddr", low("cfg_addr", cab, bab))
            .conn("wdata", low("cfg_data", plan.weight_word_bits(), wbm))
            .conn("re", id("iss_go"))
            .conn("raddr", Expr::add(id("l_bbase"), fit("iss_n", nbits, bab)))
            .conn("rdata", id("bias_q")),
    );

    // ---- PE row ------------------------------------------------------------
    b.comment(
        "The PE row: P accumulators; each adds, subtracts or skips its lane of the weight word.",
    );
    b.reg("e0_v", 1, "a spike's weight word is being read");
    b.reg("e0_neg", 1, "that spike is -1");
    b.reg("e0_addr", wab, "its address");
    b.reg("end1_t", tw, "");
    b.reg("end1_g", gb, "");
    b.reg("e1_v", 1, "w_q holds a spike's weight word");
    b.reg("e1_neg", 1, "that spike is -1");
    b.reg("end2_t", tw, "");
    b.reg("end2_g", gb, "");
    b.reg("end3_t", tw, "step of the currents handed over");
    b.reg("end3_g", gb, "group of the currents handed over");
    b.ff_rst(
        vec![
            nb("e0_v", lit(1, 0)),
            nb("e1_v", lit(1, 0)),
            nb("end1_v", lit(1, 0)),
            nb("end2_v", lit(1, 0)),
            nb("end3_v", lit(1, 0)),
        ],
        vec![
            nb("e0_v", id("emit")),
            nb("e0_neg", id("wd_neg")),
            nb("e0_addr", id("w_addr")),
            nb("e1_v", id("e0_v")),
            nb("e1_neg", id("e0_neg")),
            nb("end1_v", id("end0")),
            nb("end1_t", id("wd_t")),
            nb("end1_g", id("wd_g")),
            nb("end2_v", id("end1_v")),
            nb("end2_t", id("end1_t")),
            nb("end2_g", id("end1_g")),
            nb("end3_v", id("end2_v")),
            nb("end3_t", id("end2_t")),
            nb("end3_g", id("end2_g")),
        ],
    );
    for k in 0..p as u32 {
        let wk = format!("w_{k}");
        b.swire(
            &wk,
            a,
            sext_part("w_q", k * wbm + wbm - 1, k * wbm, a),
            &format!("lane {k}'s weight"),
        );
        let acc = format!("acc_{k}");
        b.sreg(&acc, a, &format!("lane {k}'s current for the step"));
        let addend = Expr::and(
            Expr::xor(id(&wk), Expr::repl(a, id("e1_neg"))),
            Expr::repl(a, id("e1_v")),
        );
        let carry = zx(Expr::land(id("e1_v"), id("e1_neg")), 1, a);
        b.ff_rst(
            vec![nb(&acc, Expr::slit(a, 0))],
            vec![nb(
                &acc,
                Expr::add(
                    Expr::add(
                        Expr::mux(id("end3_v"), Expr::slit(a, 0), id(&acc)),
                        Expr::signed(addend),
                    ),
                    Expr::signed(carry),
                ),
            )],
        );
    }

    // ---- issuer --------------------------------------------------------------
    b.comment("Issuer: the step's P currents, one per cycle, with the neuron's bias and membrane, into the layer's unit.");
    b.reg("iss_c", icb, "cycle within the issue period");
    b.reg("iss_t", tw, "step being issued");
    b.reg("iss_g", gb, "group being issued");
    for k in 0..p as u32 {
        b.sreg(
            &format!("cur_{k}"),
            a,
            &format!("current {k} waiting to issue"),
        );
    }
    let go = if period == p {
        id("iss_busy")
    } else {
        Expr::land(id("iss_busy"), Expr::lt(id("iss_c"), lit(icb, p)))
    };
    b.m.push(Item::assign("iss_go", go));
    let mut hand = vec![
        nb("iss_busy", lit(1, 1)),
        nb("iss_c", lit(icb, 0)),
        nb("iss_t", id("end3_t")),
        nb("iss_g", id("end3_g")),
        nb(
            "iss_n",
            Expr::mul(zx(id("end3_g"), gb, nbits), lit(nbits, p)),
        ),
    ];
    let mut shift = vec![nb("iss_n", Expr::add(id("iss_n"), lit(nbits, 1)))];
    for k in 0..p as u32 {
        hand.push(nb(&format!("cur_{k}"), id(&format!("acc_{k}"))));
        shift.push(nb(
            &format!("cur_{k}"),
            if k + 1 < p as u32 {
                id(&format!("cur_{}", k + 1))
            } else {
                Expr::slit(a, 0)
            },
        ));
    }
    b.ff_rst(
        vec![nb("iss_busy", lit(1, 0))],
        vec![Stmt::if_else(
            id("end3_v"),
            hand,
            vec![Stmt::if_then(
                id("iss_busy"),
                vec![
                    nb("iss_c", Expr::add(id("iss_c"), lit(icb, 1))),
                    Stmt::if_then(
                        Expr::eq(id("iss_c"), lit(icb, period - 1)),
                        vec![nb("iss_busy", lit(1, 0))],
                    ),
                    Stmt::if_then(id("iss_go"), shift),
                ],
            )],
        )],
    );
    b.reg("i1_v", 1, "the unit gets a current this cycle");
    b.reg("i1_k", jb, "its lane");
    b.reg("i1_n", nbits, "its neuron");
    b.reg("i1_t", tw, "its step");
    b.reg("i1_g", gb, "its group");
    b.sreg("i1_cur", a, "the current");
    b.ff_rst(
        vec![nb("i1_v", lit(1, 0))],
        vec![
            nb("i1_v", id("iss_go")),
            nb("i1_k", low("iss_c", icb, jb)),
            nb("i1_n", id("iss_n")),
            nb("i1_t", id("iss_t")),
            nb("i1_g", id("iss_g")),
            nb("i1_cur", id("cur_0")),
        ],
    );
    b.m.push(
        Decl::reg("ms", sbm)
            .signed()
            .array(p as u32)
            .comment("membrane of each lane's neuron after its last step"),
    );
    b.swire(
        "ms_rd",
        sbm,
        Expr::elem("ms", id("i1_k")),
        "the issued neuron's membrane",
    );

    // ---- units ---------------------------------------------------------------
    b.comment("One neuron unit per layer (the unrolled core's units, membrane from a port).");
    for (l, (lc, lp)) in net.layers.iter().zip(&plan.layers).enumerate() {
        let u = |s: &str| format!("u{l}_{s}");
        b.m.push(Decl::wire(u("valid").as_str(), 1).comment(format!("layer {l}'s unit: a spike")));
        b.m.push(Decl::wire(u("step").as_str(), tw));
        b.m.push(Decl::wire(u("spike").as_str(), 2));
        b.m.push(Decl::wire(u("state").as_str(), lp.state_bits).signed());
        b.m.push(Decl::wire(u("overflow").as_str(), 1));
        let mine = Expr::eq(id("lay"), lit(lb, l));
        b.m.push(
            Instance::new(unit_name(net, l), format!("u_unit{l}"))
                .conn("clk", id("clk"))
                .conn("rst", id("rst"))
                .conn("en", Expr::lit(1, 1))
                .conn("in_valid", Expr::land(id("i1_v"), mine))
                .conn("in_step", id("i1_t"))
                .conn("in_current", low("i1_cur", a, lp.current_bits))
                .conn("bias", low("bias_q", wbm, lc.weight_bits))
                .conn("in_state", low("ms_rd", sbm, lp.state_bits))
                .conn("out_valid", id(&u("valid")))
                .conn("out_step", id(&u("step")))
                .conn("out_spike", id(&u("spike")))
                .conn("out_state", id(&u("state")))
                .conn("out_overflow", id(&u("overflow"))),
        );
    }
    // Delay line of (g, n, k) to meet each unit's output.
    let mw = gb + nbits + jb;
    let lu_max = plan.layers.iter().map(|l| l.unit_latency).max().unwrap();
    for d in 1..=lu_max {
        b.reg(
            &format!("dl_{d}"),
            mw,
            &format!("{{g, n, k}} issued {d} cycles ago"),
        );
    }
    let mut dl = vec![nb(
        "dl_1",
        Expr::concat(vec![id("i1_g"), id("i1_n"), id("i1_k")]),
    )];
    for d in 2..=lu_max {
        dl.push(nb(&format!("dl_{d}"), id(&format!("dl_{}", d - 1))));
    }
    b.ff(dl);
    let lat: Vec<usize> = plan.layers.iter().map(|l| l.unit_latency).collect();
    let pick = |f: &dyn Fn(usize) -> Expr| -> Expr {
        let mut e = f(n_layers - 1);
        for l in (0..n_layers - 1).rev() {
            e = Expr::mux(Expr::eq(id("lay"), lit(lb, l)), f(l), e);
        }
        e
    };
    b.wire(
        "m_meta",
        mw,
        pick(&|l| id(&format!("dl_{}", lat[l]))),
        "{g, n, k} of the unit's output",
    );
    b.wire("m_k", jb, Expr::part("m_meta", jb - 1, 0), "its lane");
    b.wire(
        "m_n",
        nbits,
        Expr::part("m_meta", jb + nbits - 1, jb),
        "its neuron",
    );
    b.wire(
        "m_g",
        gb,
        Expr::part("m_meta", mw - 1, jb + nbits),
        "its group",
    );
    b.wire(
        "m_v",
        1,
        pick(&|l| id(&format!("u{l}_valid"))),
        "the running unit gives a spike",
    );
    b.wire(
        "m_step",
        tw,
        pick(&|l| id(&format!("u{l}_step"))),
        "its step",
    );
    b.wire(
        "m_spike",
        2,
        pick(&|l| id(&format!("u{l}_spike"))),
        "the spike",
    );
    b.swire(
        "m_state",
        sbm,
        pick(&|l| crate::membrane::ext(&format!("u{l}_state"), plan.layers[l].state_bits, sbm)),
        "the membrane after the step",
    );
    b.wire(
        "m_overflow",
        1,
        pick(&|l| id(&format!("u{l}_overflow"))),
        "it saturated",
    );
    b.comment("The unit side, registered (the membrane goes back, spikes are packed and read out from here).");
    b.reg("o_v", 1, "a spike from the running unit");
    b.reg("o_k", jb, "its lane");
    b.reg("o_n", nbits, "its neuron");
    b.reg("o_g", gb, "its group");
    b.reg("o_step", tw, "its step");
    b.reg("o_keep", 1, "a real neuron (not padding of the last group)");
    b.reg("o_lane", 2, "its spike's lane code (0 for padding)");
    b.wire(
        "m_keep",
        1,
        Expr::lt(id("m_n"), id("l_outputs")),
        "o_keep, before its register",
    );
    b.sreg("o_state", sbm, "the membrane after the step");
    b.reg("o_overflow", 1, "it saturated");
    b.sreg(
        "o_lstate",
        lp_last.state_bits,
        "the last layer's unit's membrane",
    );
    b.ff_rst(
        vec![nb("o_v", lit(1, 0))],
        vec![
            nb("o_v", id("m_v")),
            nb("o_k", id("m_k")),
            nb("o_n", id("m_n")),
            nb("o_g", id("m_g")),
            nb("o_step", id("m_step")),
            nb("o_keep", id("m_keep")),
            nb(
                "o_lane",
                Expr::mux(id("m_keep"), id("m_spike"), Expr::lit(2, 0)),
            ),
            nb("o_state", id("m_state")),
            nb("o_overflow", id("m_overflow")),
            nb("o_lstate", id(&format!("u{}_state", n_layers - 1))),
        ],
    );

    // ---- writer, taps, flags -----------------------------------------------
    b.comment(
        "The unit's spikes: packed into the next layer's words, tapped, and (last layer) read out.",
    );

    b.wire(
        "o_group_end",
        1,
        Expr::eq(id("o_k"), lit(jb, p - 1)),
        "the group's last lane",
    );
    if p > 1 {
        let sw_w = 2 * (p as u32 - 1);
        b.reg(
            "sw",
            sw_w,
            "lanes 0..k-1 of the word being packed, at the top",
        );
        let next = if p == 2 {
            id("o_lane")
        } else {
            Expr::concat(vec![id("o_lane"), Expr::part("sw", sw_w - 1, 2)])
        };
        b.ff(vec![Stmt::if_then(id("o_v"), vec![nb("sw", next)])]);
        b.m.push(Item::assign(
            "wr_data",
            Expr::concat(vec![id("o_lane"), id("sw")]),
        ));
    } else {
        b.m.push(Item::assign("wr_data", id("o_lane")));
    }
    b.m.push(Item::assign(
        "wr_we",
        Expr::land(
            Expr::land(id("o_v"), id("o_group_end")),
            Expr::lnot(id("l_last")),
        ),
    ));
    b.m.push(Item::assign(
        "wr_addr",
        Expr::add(
            Expr::mul(fit("o_g", gb, xab), lit(xab, t_n)),
            zx(id("o_step"), tw, xab),
        ),
    ));
    b.m.push(Item::assign(
        "tap_fire",
        Expr::land(id("o_v"), id("o_keep")),
    ));
    b.m.push(Item::assign(
        "tap_event",
        Expr::concat(vec![id("lay"), id("o_step"), id("o_n"), id("o_lane")]),
    ));
    b.ff(vec![Stmt::if_then(
        id("o_v"),
        vec![nb_idx("ms", id("o_k"), id("o_state"))],
    )]);

    // ---- readout and class ---------------------------------------------------
    b.comment("Readout of the last layer: r = vth * (spike value) + u after step T-1; argmax as they come, first index wins.");
    b.m.push(
        Decl::reg("sv", svb)
            .signed()
            .array(p as u32)
            .comment("each lane's spike value so far (tmn: sum s*2^(t'...); if/lif: spike count)"),
    );
    b.swire(
        "sv_rd",
        svb,
        Expr::elem("sv", id("o_k")),
        "this lane's so far",
    );
    let tmn = matches!(last.neuron, Neuron::Tmn { .. });
    if tmn {
        crate::membrane::sink(
            &mut b.m,
            "sv_top",
            Expr::bit_at("sv_rd", svb - 1),
            "2 * sv fits: its top bit equals the next one",
        );
    }
    let prev = if tmn {
        Expr::concat(vec![Expr::part("sv_rd", svb - 2, 0), Expr::lit(1, 0)])
    } else {
        id("sv_rd")
    };
    b.swire(
        "sv_new",
        svb,
        Expr::add(
            Expr::mux(
                Expr::eq(id("o_step"), lit(tw, 0)),
                Expr::slit(svb, 0),
                Expr::signed(prev),
            ),
            Expr::signed(Expr::concat(vec![
                Expr::repl(svb - 1, Expr::bit_at("o_lane", 1)),
                Expr::bit_at("o_lane", 0),
            ])),
        ),
        if tmn {
            "2 * so far + s (tmn)"
        } else {
            "so far + s (if, lif)"
        },
    );
    b.ff(vec![Stmt::if_then(
        Expr::land(id("o_v"), id("l_last")),
        vec![nb_idx("sv", id("o_k"), id("sv_new"))],
    )]);
    let vth = vth_of(last);
    let sv_ext = crate::membrane::ext("sv_new", svb, rb);
    let scaled = if tmn {
        Expr::shl(id("sv_new_rb"), Expr::int(i64::from(vth.trailing_zeros())))
    } else {
        Expr::mul(id("sv_new_rb"), Expr::slit(rb, vth))
    };
    b.swire("sv_new_rb", rb, sv_ext, "");
    b.swire(
        "ro",
        rb,
        Expr::add(
            scaled,
            crate::membrane::ext("o_lstate", lp_last.state_bits, rb),
        ),
        &format!("vth * spike value + u (vth = {vth})"),
    );
    b.wire(
        "ro_we",
        1,
        Expr::land(
            Expr::land(Expr::land(id("o_v"), id("l_last")), id("o_keep")),
            Expr::eq(id("o_step"), lit(tw, t_n - 1)),
        ),
        "a readout is complete",
    );
    b.reg("rr_v", 1, "a readout, registered");
    b.reg("rr_n", cb, "its neuron");
    b.sreg("rr", rb, "its value");
    b.ff_rst(
        vec![nb("rr_v", lit(1, 0))],
        vec![
            nb("rr_v", id("ro_we")),
            nb("rr_n", low("o_n", nbits, cb)),
            nb("rr", id("ro")),
        ],
    );
    b.sreg("best", rb, "the largest readout so far");
    b.reg("best_n", cb, "its neuron");
    b.ff(vec![Stmt::if_then(
        Expr::land(
            id("rr_v"),
            Expr::lor(
                Expr::eq(id("rr_n"), lit(cb, 0)),
                Expr::gt(id("rr"), id("best")),
            ),
        ),
        vec![nb("best", id("rr")), nb("best_n", id("rr_n"))],
    )]);
    b.m.push(Item::assign("out_class", id("best_n")));
    b.reg("out_started", 1, "the first readout was read");
    b.reg(
        "out_go",
        1,
        "the last readout is on its way into the readout memory: give them next",
    );
    b.wire(
        "out_take",
        1,
        Expr::land(id("out_valid"), id("out_ready")),
        "a readout is taken",
    );
    b.m.push(Item::assign(
        "out_last",
        Expr::eq(id("out_index"), lit(cb, lp_last.outputs - 1)),
    ));
    b.wire(
        "ro_re",
        1,
        Expr::lor(
            Expr::land(
                Expr::eq(id("phase"), lit(2, OUT as usize)),
                Expr::lnot(id("out_started")),
            ),
            Expr::land(id("out_take"), Expr::lnot(id("out_last"))),
        ),
        "read the next readout",
    );
    b.m.push(
        Instance::new("snn_fold_readout", "u_readout")
            .conn("clk", id("clk"))
            .conn("we", id("rr_v"))
            .conn("waddr", id("rr_n"))
            .conn("wdata", id("rr"))
            .conn("re", id("ro_re"))
            .conn(
                "raddr",
                Expr::mux(
                    id("out_take"),
                    Expr::add(id("out_index"), lit(cb, 1)),
                    id("out_index"),
                ),
            )
            .conn("rdata", id("out_readout")),
    );
    b.m.push(Decl::wire("lay_done", 1).comment("the running layer's last spike"));
    b.m.push(Item::assign(
        "lay_done",
        Expr::land(
            Expr::land(
                Expr::land(id("o_v"), id("o_group_end")),
                Expr::eq(id("o_step"), lit(tw, t_n - 1)),
            ),
            Expr::eq(id("o_g"), id("l_groups_m1")),
        ),
    ));

    // ---- phase, loader and flags -------------------------------------------
    let ld_adv = vec![Stmt::if_else(
        id("ld_end"),
        vec![
            nb("ld_w", lit(wwb, 0)),
            nb("ld_t", lit(tw, 0)),
            nb("ld_addr", lit(xab, 0)),
            nb("phase", lit(2, RUN as usize)),
            nb("lay", lit(lb, 0)),
            nb("init_pending", lit(1, 1)),
        ],
        vec![Stmt::if_else(
            id("ld_step_end"),
            vec![
                nb("ld_w", lit(wwb, 0)),
                nb("ld_t", Expr::add(id("ld_t"), lit(tw, 1))),
                nb("ld_addr", zx(Expr::add(id("ld_t"), lit(tw, 1)), tw, xab)),
            ],
            vec![
                nb("ld_w", Expr::add(id("ld_w"), lit(wwb, 1))),
                nb("ld_addr", Expr::add(id("ld_addr"), lit(xab, t_n))),
            ],
        )],
    )];
    b.ff_rst(
        vec![
            nb("phase", lit(2, LOAD as usize)),
            nb("lay", lit(lb, 0)),
            nb("init_pending", lit(1, 0)),
            nb("ld_w", lit(wwb, 0)),
            nb("ld_t", lit(tw, 0)),
            nb("ld_addr", lit(xab, 0)),
            nb("out_valid", lit(1, 0)),
            nb("out_started", lit(1, 0)),
            nb("out_go", lit(1, 0)),
            nb("out_index", lit(cb, 0)),
            nb("overflow", lit(1, 0)),
            nb("illegal_spike", lit(1, 0)),
            nb("framing_error", lit(1, 0)),
        ],
        vec![
            nb("init_pending", lit(1, 0)),
            nb("out_go", lit(1, 0)),
            Stmt::if_then(
                id("out_go"),
                vec![
                    nb("phase", lit(2, OUT as usize)),
                    nb("out_index", lit(cb, 0)),
                ],
            ),
            Stmt::if_then(id("in_fire"), ld_adv),
            Stmt::if_then(
                Expr::land(id("in_fire"), Expr::ne(id("in_last"), id("ld_end"))),
                vec![nb("framing_error", lit(1, 1))],
            ),
            Stmt::if_then(
                Expr::land(
                    id("in_fire"),
                    Expr::red_or(Expr::and(id("in_bad"), id("in_keep"))),
                ),
                vec![nb("illegal_spike", lit(1, 1))],
            ),
            Stmt::if_then(
                Expr::land(id("o_v"), id("o_overflow")),
                vec![nb("overflow", lit(1, 1))],
            ),
            Stmt::if_then(
                id("lay_done"),
                vec![Stmt::if_else(
                    id("l_last"),
                    vec![
                        nb("phase", lit(2, OUT as usize)),
                        nb("out_index", lit(cb, 0)),
                    ],
                    vec![
                        nb("lay", Expr::add(id("lay"), lit(lb, 1))),
                        nb("init_pending", lit(1, 1)),
                    ],
                )],
            ),
            Stmt::if_then(
                Expr::eq(id("phase"), lit(2, OUT as usize)),
                vec![Stmt::if_else(
                    Expr::lnot(id("out_started")),
                    vec![nb("out_started", lit(1, 1)), nb("out_valid", lit(1, 1))],
                    vec![Stmt::if_then(
                        id("out_take"),
                        vec![Stmt::if_else(
                            id("out_last"),
                            vec![
                                nb("out_valid", lit(1, 0)),
                                nb("out_started", lit(1, 0)),
                                nb("phase", lit(2, LOAD as usize)),
                            ],
                            vec![nb("out_index", Expr::add(id("out_index"), lit(cb, 1)))],
                        )],
                    )],
                )],
            ),
        ],
    );
    b.m
}

/// Bit k: the OR of bits `0..k` of the `n`-bit net `name` (bit 0: 0).
fn prefix_or(name: &str, n: u32) -> Expr {
    if n == 1 {
        return Expr::lit(1, 0);
    }
    let bit = |k: u32| Expr::bit_at(name, k);
    Expr::concat(
        (0..n)
            .rev()
            .map(|k| match k {
                0 => Expr::lit(1, 0),
                1 => bit(0),
                _ => Expr::red_or(Expr::part(name, k - 1, 0)),
            })
            .collect(),
    )
}

/// `name[hi:lo]` sign-extended to `to` bits.
fn sext_part(name: &str, hi: u32, lo: u32, to: u32) -> Expr {
    let n = hi - lo + 1;
    if to == n {
        Expr::signed(Expr::part(name, hi, lo))
    } else {
        Expr::signed(Expr::concat(vec![
            Expr::repl(to - n, Expr::bit_at(name, hi)),
            Expr::part(name, hi, lo),
        ]))
    }
}

fn nb_idx(mem: &str, idx: Expr, v: Expr) -> Stmt {
    Stmt::nb(LValue::index(mem, idx), v)
}

/// Every memory module of the engine.
pub fn memories(plan: &FoldedPlan) -> Vec<Module> {
    let init = plan.store == super::plan::WeightStore::BlockRam;
    let mut v = vec![
        single_port(
            "snn_fold_weights",
            plan.weight_word_bits(),
            // Without contents the memory may go to SPRAM, which Yosys
            // 0.23 infers only for a power-of-two depth (a 6,400-word memory
            // became 104 block RAMs; 8,192 words, 4 SPRAMs).
            if init {
                plan.weight_depth
            } else {
                1 << super::plan::index_bits(plan.weight_depth)
            },
            plan.weight_addr_bits(),
            init.then_some(super::WEIGHTS_HEX),
        ),
        dual_port(
            "snn_fold_bias",
            plan.weight_bits,
            plan.bias_depth,
            plan.bias_addr_bits(),
            init.then_some(super::BIAS_HEX),
        ),
        dual_port(
            "snn_fold_x0",
            2 * plan.p as u32,
            plan.buffer_depth[0],
            plan.buffer_addr_bits(),
            None,
        ),
    ];
    if plan.layers.len() > 1 {
        v.push(dual_port(
            "snn_fold_x1",
            2 * plan.p as u32,
            plan.buffer_depth[1],
            plan.buffer_addr_bits(),
            None,
        ));
    }
    v.push(dual_port(
        "snn_fold_readout",
        plan.readout_bits,
        plan.layers.last().unwrap().outputs,
        plan.class_bits(),
        None,
    ));
    v
}
