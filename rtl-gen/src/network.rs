//! `snn_network`: one core per layer, chained (docs/core.md, "snn_network").
//!
//! Layer k's modules are the single-layer modules of [`generate::modules`]
//! renamed by [`rename_modules`] with the prefix `snn_l{k}_` (`snn_core` ->
//! `snn_l0_core`, `snn_pe` -> `snn_l0_pe`, ...), instances included, so the
//! layers of one design never share a module. The top has the same ports as
//! `snn_core` (so one simulation shim drives both), a configuration address
//! with a layer field in front, and taps on every link between layers.
//!
//! Sticky flags stay in data order across layers: a layer before the last
//! raises its flag as its own output is taken, which is ahead of the
//! network's output; the top holds that flag back until the network's output
//! has finished the sample that raised it (see [`snn_network`]).

use crate::cfg_map::CfgMap;
use crate::core;
use crate::generate::{self, config_hash, layer_header, port_json, port_lines, Design};
use crate::unit::step_bits;
use crate::verilog::ast::{Decl, Expr, Generate, Instance, Item, LValue, Module, Stmt};
use crate::verilog::print::module_to_string;
use golden_model::widths::clog2;
use golden_model::{LayerConfig, NetworkConfig, Neuron};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

/// The top module's name.
pub const TOP: &str = "snn_network";

/// Module-name prefix of layer `k`: `snn_l{k}_`.
pub fn layer_prefix(k: usize) -> String {
    format!("snn_l{k}_")
}

/// Layer `k`'s name for the single-layer module `base` (`snn_tmn` -> `snn_l{k}_tmn`).
pub fn layer_module_name(k: usize, base: &str) -> String {
    format!(
        "{}{}",
        layer_prefix(k),
        base.strip_prefix("snn_").unwrap_or(base)
    )
}

/// Renames every module of `mods` by `f`, and every instance of one of them
/// (in any module of `mods`, inside generate blocks too). Instances of modules
/// outside `mods` are left alone.
pub fn rename_modules(mods: &mut [Module], f: impl Fn(&str) -> String) {
    let names: HashSet<String> = mods.iter().map(|m| m.name.clone()).collect();
    for m in mods.iter_mut() {
        m.name = f(&m.name);
        rename_items(&mut m.items, &names, &f);
    }
}

fn rename_items(items: &mut [Item], names: &HashSet<String>, f: &impl Fn(&str) -> String) {
    for it in items {
        match it {
            Item::Instance(i) if names.contains(&i.module) => i.module = f(&i.module),
            Item::Generate(Generate { items, .. }) => rename_items(items, names, f),
            Item::GenerateIf(g) => {
                rename_items(&mut g.then_items, names, f);
                rename_items(&mut g.else_items, names, f);
            }
            _ => {}
        }
    }
}

/// The network's configuration address map: `cfg_addr = {layer, core
/// address}`, the layer field `layer_bits` wide (`max(1, ceil(log2 L))`), the
/// core address as wide as the widest layer's; each layer's core sees the low
/// bits of `cfg_addr` and `cfg_data` that its own map uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetCfgMap {
    pub layer_bits: u32,
    /// Bits of the core-address field (the widest layer's `addr_bits`).
    pub core_addr_bits: u32,
    /// Bits of `cfg_data` (the widest layer's).
    pub data_bits: u32,
    /// Each layer's own map.
    pub layers: Vec<CfgMap>,
}

impl NetCfgMap {
    pub fn of(net: &NetworkConfig) -> Self {
        let layers: Vec<CfgMap> = net.layers.iter().map(CfgMap::of).collect();
        NetCfgMap {
            layer_bits: clog2(net.layers.len() as u64).max(1),
            core_addr_bits: layers.iter().map(CfgMap::addr_bits).max().unwrap_or(1),
            data_bits: layers.iter().map(|m| m.data_bits).max().unwrap_or(1),
            layers,
        }
    }

    /// Bits of `cfg_addr`.
    pub fn addr_bits(&self) -> u32 {
        self.layer_bits + self.core_addr_bits
    }

    /// The network address of `layer`'s core address `core_addr` (masked to
    /// that layer's address width).
    pub fn address(&self, layer: usize, core_addr: u64) -> u64 {
        let mask = (1u64 << self.layers[layer].addr_bits()) - 1;
        ((layer as u64) << self.core_addr_bits) | (core_addr & mask)
    }

    /// Every configuration write that loads the network, layer 0 first, as
    /// `(network address, value)`.
    pub fn writes(&self, net: &NetworkConfig) -> Vec<(u64, i64)> {
        net.layers
            .iter()
            .enumerate()
            .flat_map(|(k, cfg)| {
                self.layers[k]
                    .writes(cfg)
                    .into_iter()
                    .map(move |(a, v)| (self.address(k, a), v))
            })
            .collect()
    }
}

/// Cycles from a layer accepting input step t to presenting output step t
/// while the stream runs one vector per cycle: the core's step latency, plus
/// `T - 1` for full PSN (it waits for the whole sample).
pub fn layer_step_latency(cfg: &LayerConfig) -> usize {
    let extra = if matches!(cfg.neuron, Neuron::Psn { .. }) {
        cfg.timesteps - 1
    } else {
        0
    };
    core::step_latency(cfg) + extra
}

/// Cycles from the network accepting input step t to presenting output step
/// t, one vector per cycle: the sum over layers, plus one per link (its
/// register slice).
pub fn step_latency(net: &NetworkConfig) -> usize {
    net.layers.iter().map(layer_step_latency).sum::<usize>() + net.layers.len() - 1
}

/// Cycles from a sample's first input to its last output, one vector per cycle.
pub fn sample_latency(net: &NetworkConfig) -> usize {
    step_latency(net) + net.timesteps() - 1
}

/// Bits of `tap_spikes` below link `k` (link 0 is lowest).
pub fn tap_offset(net: &NetworkConfig, k: usize) -> usize {
    net.layers[..k].iter().map(|l| 2 * l.outputs).sum()
}

/// Bits of `tap_spikes`: `2 * outputs` of every layer but the last (0 for one layer).
pub fn tap_bits(net: &NetworkConfig) -> usize {
    tap_offset(net, net.layers.len() - 1)
}

/// The first 16 hex digits of the SHA-256 of the network's canonical JSON.
pub fn network_hash(net: &NetworkConfig) -> String {
    let text = serde_json::to_string(&net.to_json()).expect("network serializes");
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Bits of the counter that holds back an upstream layer's flag: it counts
/// samples between link `k` and the network output, at most one per register
/// stage of the layers after `k` (plus two samples in a full PSN unit), the
/// one on the link and two per link slice from link `k` on.
fn hold_bits(net: &NetworkConfig, k: usize) -> u32 {
    let t = net.timesteps();
    let bound: usize = 1
        + net.layers[k + 1..]
            .iter()
            .map(|l| core::step_latency(l) + 2 * t + 2)
            .sum::<usize>()
        + 2 * (net.layers.len() - 1 - k);
    clog2(bound as u64 + 1).max(1)
}

fn nb(l: impl Into<String>, r: Expr) -> Stmt {
    Stmt::nb(LValue::id(l.into()), r)
}

/// `{a, b, ...}` or the bare signal when there is one.
fn bus(mut parts: Vec<Expr>) -> Expr {
    if parts.len() == 1 {
        parts.pop().expect("one part")
    } else {
        Expr::concat(parts)
    }
}

/// OR of 1-bit signals.
fn any(parts: Vec<Expr>) -> Expr {
    if parts.len() == 1 {
        bus(parts)
    } else {
        Expr::red_or(Expr::concat(parts))
    }
}

/// `name`, or its low `bits` when it is wider.
fn low(name: &str, bits: u32, width: u32) -> Expr {
    if bits == width {
        Expr::id(name)
    } else {
        Expr::part(name, bits - 1, 0)
    }
}

/// The top module.
///
/// Flags: `framing_error` is the OR of every layer's (raised when the bad
/// `in_last` is accepted, as in the core). `overflow` and `illegal_spike` are
/// the last layer's flag OR, for each layer k before it, layer k's flag held
/// back until the network's output has taken the last vector of the sample
/// during which layer k raised it: when it rises, the top copies the count of
/// samples started on link k and not yet finished at the output, and counts
/// it down on each `out_last` taken. So after the last output of sample n,
/// the flags are the OR over every layer and samples 0..n, as for one core.
pub fn snn_network(net: &NetworkConfig) -> Module {
    let l_n = net.layers.len();
    let last = net.layers.last().expect("at least one layer");
    let t_n = net.timesteps();
    let tw = step_bits(t_n);
    let map = NetCfgMap::of(net);
    let (lb, caw, cdw, aw) = (
        map.layer_bits,
        map.core_addr_bits,
        map.data_bits,
        map.addr_bits(),
    );
    let sb_last = last.widths().state_bits;

    let mut m = Module::new(TOP)
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
            aw,
            false,
            format!("{{layer[{}:0], core address[{}:0]}}: the core address of that layer's map in the low bits", lb - 1, caw - 1),
        )
        .input(
            "cfg_data",
            cdw,
            true,
            "signed value, low bits used by the addressed layer",
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
            2 * net.inputs() as u32,
            false,
            "layer 0 input spikes: lane r at [2r+1:2r] (00 = 0, 01 = +1, 11 = -1)",
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
            2 * last.outputs as u32,
            false,
            "last layer output spikes: column c at [2c+1:2c]",
        )
        .output(
            "out_state",
            last.outputs as u32 * sb_last,
            false,
            format!("last layer state readout: column c at [(c+1)*{sb_last}-1:c*{sb_last}], signed"),
        )
        .output("out_step", tw, false, "timestep of this output vector")
        .output("out_last", 1, false, "out_step == T-1")
        .output(
            "overflow",
            1,
            false,
            "sticky: a state register of some layer saturated (in data order)",
        )
        .output(
            "illegal_spike",
            1,
            false,
            "sticky: an accepted input lane held the illegal code 10 (in data order)",
        )
        .output(
            "framing_error",
            1,
            false,
            "sticky: some layer's in_last disagreed with its step count",
        );
    if l_n > 1 {
        m = m
            .output(
                "tap_fire",
                (l_n - 1) as u32,
                false,
                "bit k: link k (layer k -> layer k+1) moved a vector this cycle",
            )
            .output(
                "tap_spikes",
                tap_bits(net) as u32,
                false,
                "link k's spikes (layer k's out_spikes), link 0 in the low bits",
            );
    }

    m.push(Item::comment(
        "Configuration: cfg_addr = {layer, core address}; a layer's core takes the\n\
         low bits of cfg_addr and cfg_data its own map uses.",
    ));
    m.push(Decl::wire("cfg_layer", lb));
    m.push(Item::assign(
        "cfg_layer",
        Expr::part("cfg_addr", aw - 1, caw),
    ));
    for k in 0..l_n {
        let w = format!("cfg_we_l{k}");
        m.push(Decl::wire(w.clone(), 1));
        m.push(Item::assign(
            w,
            Expr::land(
                Expr::id("cfg_we"),
                Expr::eq(Expr::id("cfg_layer"), Expr::lit(lb, k as i64)),
            ),
        ));
    }

    m.push(Item::comment(
        "The layers: layer k's output stream is layer k+1's input stream.",
    ));
    for (k, cfg) in net.layers.iter().enumerate() {
        let is_last = k + 1 == l_n;
        let c = cfg.outputs as u32;
        let sb = cfg.widths().state_bits;
        if k > 0 {
            m.push(Decl::wire(format!("l{k}_in_ready"), 1));
        }
        if !is_last {
            m.push(Decl::wire(format!("link{k}_ready"), 1).comment(
                "link k's register slice can take a vector (registered: no ready chain across layers)",
            ));
            m.push(
                Decl::reg(format!("sk{k}_valid"), 1)
                    .comment("link k's slice offers a vector to layer k+1"),
            );
            m.push(Decl::reg(format!("sk{k}_spikes"), 2 * c));
            m.push(Decl::reg(format!("sk{k}_last"), 1));
            m.push(
                Decl::reg(format!("sk{k}_spare_valid"), 1)
                    .comment("the slice's second entry is full"),
            );
            m.push(Decl::reg(format!("sk{k}_spare_spikes"), 2 * c));
            m.push(Decl::reg(format!("sk{k}_spare_last"), 1));
            m.push(Decl::wire(format!("l{k}_out_valid"), 1));
            m.push(Decl::wire(format!("l{k}_out_spikes"), 2 * c));
            m.push(Decl::wire(format!("l{k}_out_step"), tw));
            m.push(Decl::wire(format!("l{k}_out_last"), 1));
            m.push(Decl::wire(format!("unused_l{k}_state"), c * sb));
        }
        for f in ["overflow", "illegal_spike", "framing_error"] {
            m.push(Decl::wire(format!("l{k}_{f}"), 1));
        }
    }
    for k in 0..l_n {
        let is_last = k + 1 == l_n;
        let lm = &map.layers[k];
        let own = |port: &str, inner: String| {
            if is_last {
                Expr::id(port)
            } else {
                Expr::id(inner)
            }
        };
        let (in_valid, in_ready, in_lanes, in_last) = if k == 0 {
            (
                Expr::id("in_valid"),
                Expr::id("in_ready"),
                Expr::id("in_lanes"),
                Expr::id("in_last"),
            )
        } else {
            (
                Expr::id(format!("sk{}_valid", k - 1)),
                Expr::id(format!("l{k}_in_ready")),
                Expr::id(format!("sk{}_spikes", k - 1)),
                Expr::id(format!("sk{}_last", k - 1)),
            )
        };
        let out_ready = if is_last {
            Expr::id("out_ready")
        } else {
            Expr::id(format!("link{k}_ready"))
        };
        m.push(
            Instance::new(layer_module_name(k, "snn_core"), format!("layer{k}"))
                .conn("clk", Expr::id("clk"))
                .conn("rst", Expr::id("rst"))
                .conn("cfg_we", Expr::id(format!("cfg_we_l{k}")))
                .conn("cfg_addr", Expr::part("cfg_addr", lm.addr_bits() - 1, 0))
                .conn("cfg_data", low("cfg_data", lm.data_bits, cdw))
                .conn("in_valid", in_valid)
                .conn("in_ready", in_ready)
                .conn("in_lanes", in_lanes)
                .conn("in_last", in_last)
                .conn("out_valid", own("out_valid", format!("l{k}_out_valid")))
                .conn("out_ready", out_ready)
                .conn("out_spikes", own("out_spikes", format!("l{k}_out_spikes")))
                .conn("out_state", own("out_state", format!("unused_l{k}_state")))
                .conn("out_step", own("out_step", format!("l{k}_out_step")))
                .conn("out_last", own("out_last", format!("l{k}_out_last")))
                .conn("overflow", Expr::id(format!("l{k}_overflow")))
                .conn("illegal_spike", Expr::id(format!("l{k}_illegal_spike")))
                .conn("framing_error", Expr::id(format!("l{k}_framing_error"))),
        );
    }

    let mut overflow = vec![Expr::id(format!("l{}_overflow", l_n - 1))];
    let mut illegal = vec![Expr::id(format!("l{}_illegal_spike", l_n - 1))];
    if l_n > 1 {
        m.push(Item::comment(
            "Link slices: a two-entry register slice between layer k and layer k+1, so\n\
             layer k's out_ready is a flip-flop (the stall of one layer reaches the one\n\
             before it a cycle later, into the spare entry) and no combinational ready\n\
             path runs across layers. One cycle of latency per link, one vector per cycle.",
        ));
        for k in 0..l_n - 1 {
            let sk = |f: &str| format!("sk{k}_{f}");
            let (lv, ls, ll) = (
                format!("l{k}_out_valid"),
                format!("l{k}_out_spikes"),
                format!("l{k}_out_last"),
            );
            m.push(Item::assign(
                format!("link{k}_ready"),
                Expr::lnot(Expr::id(sk("spare_valid"))),
            ));
            let take = Expr::land(Expr::id(lv.clone()), Expr::id(format!("link{k}_ready")));
            let main_free = Expr::lor(
                Expr::lnot(Expr::id(sk("valid"))),
                Expr::id(format!("l{}_in_ready", k + 1)),
            );
            m.push(Item::always_ff(
                "clk",
                vec![Stmt::if_else(
                    Expr::id("rst"),
                    vec![
                        nb(sk("valid"), Expr::lit(1, 0)),
                        nb(sk("spare_valid"), Expr::lit(1, 0)),
                    ],
                    vec![Stmt::if_else(
                        main_free,
                        vec![Stmt::if_else(
                            Expr::id(sk("spare_valid")),
                            vec![
                                nb(sk("valid"), Expr::lit(1, 1)),
                                nb(sk("spikes"), Expr::id(sk("spare_spikes"))),
                                nb(sk("last"), Expr::id(sk("spare_last"))),
                                nb(sk("spare_valid"), Expr::lit(1, 0)),
                            ],
                            vec![
                                nb(sk("valid"), Expr::id(lv.clone())),
                                nb(sk("spikes"), Expr::id(ls.clone())),
                                nb(sk("last"), Expr::id(ll.clone())),
                            ],
                        )],
                        vec![Stmt::if_then(
                            take,
                            vec![
                                nb(sk("spare_valid"), Expr::lit(1, 1)),
                                nb(sk("spare_spikes"), Expr::id(ls)),
                                nb(sk("spare_last"), Expr::id(ll)),
                            ],
                        )],
                    )],
                )],
            ));
        }

        m.push(Item::comment(
            "Taps: link k moves a vector when layer k offers one and its slice takes it.",
        ));
        let mut fires = vec![];
        let mut spikes = vec![];
        for k in 0..l_n - 1 {
            let f = format!("link{k}_fire");
            m.push(Decl::wire(f.clone(), 1));
            m.push(Item::assign(
                f.clone(),
                Expr::land(
                    Expr::id(format!("l{k}_out_valid")),
                    Expr::id(format!("link{k}_ready")),
                ),
            ));
            fires.push(Expr::id(f));
            spikes.push(Expr::id(format!("l{k}_out_spikes")));
        }
        fires.reverse();
        spikes.reverse();
        m.push(Item::assign("tap_fire", bus(fires)));
        m.push(Item::assign("tap_spikes", bus(spikes)));

        m.push(Item::comment(
            "Flags in data order: layer k < L-1 raises a flag as its own output is taken,\n\
             ahead of the network output. When it rises, hold it back for the samples\n\
             started on link k and not yet finished at the output (the one that raised\n\
             it included), counting down on each out_last taken.",
        ));
        m.push(Decl::wire("out_done", 1).comment("the output finished a sample"));
        m.push(Item::assign(
            "out_done",
            Expr::land(
                Expr::land(Expr::id("out_valid"), Expr::id("out_ready")),
                Expr::id("out_last"),
            ),
        ));
        for k in 0..l_n - 1 {
            let hb = hold_bits(net, k);
            let inflight = format!("l{k}_inflight");
            let start = format!("link{k}_start");
            m.push(Decl::wire(start.clone(), 1).comment("link k moves step 0 of a sample"));
            m.push(Item::assign(
                start.clone(),
                Expr::land(
                    Expr::id(format!("link{k}_fire")),
                    Expr::eq(Expr::id(format!("l{k}_out_step")), Expr::lit(tw, 0)),
                ),
            ));
            m.push(
                Decl::reg(inflight.clone(), hb)
                    .comment("samples started on link k, not yet finished at the output"),
            );
            let mut body = vec![Stmt::if_else(
                Expr::land(Expr::id(start.clone()), Expr::lnot(Expr::id("out_done"))),
                vec![nb(
                    inflight.clone(),
                    Expr::add(Expr::id(inflight.clone()), Expr::lit(hb, 1)),
                )],
                vec![Stmt::if_then(
                    Expr::land(Expr::lnot(Expr::id(start.clone())), Expr::id("out_done")),
                    vec![nb(
                        inflight.clone(),
                        Expr::sub(Expr::id(inflight.clone()), Expr::lit(hb, 1)),
                    )],
                )],
            )];
            let mut reset = vec![nb(inflight.clone(), Expr::lit(hb, 0))];
            for (f, shown_list) in [("overflow", &mut overflow), ("illegal_spike", &mut illegal)] {
                let flag = format!("l{k}_{f}");
                let armed = format!("l{k}_{f}_seen");
                let hold = format!("l{k}_{f}_hold");
                let shown = format!("l{k}_{f}_shown");
                m.push(Decl::reg(armed.clone(), 1).comment("the flag as of the last cycle"));
                m.push(
                    Decl::reg(hold.clone(), hb)
                        .comment("output sample ends still to wait for before showing it"),
                );
                m.push(Decl::wire(shown.clone(), 1));
                m.push(Item::assign(
                    shown.clone(),
                    Expr::land(
                        Expr::id(armed.clone()),
                        Expr::eq(Expr::id(hold.clone()), Expr::lit(hb, 0)),
                    ),
                ));
                reset.push(nb(armed.clone(), Expr::lit(1, 0)));
                reset.push(nb(hold.clone(), Expr::lit(hb, 0)));
                body.push(nb(armed.clone(), Expr::id(flag.clone())));
                body.push(Stmt::if_else(
                    Expr::land(Expr::id(flag), Expr::lnot(Expr::id(armed.clone()))),
                    vec![nb(
                        hold.clone(),
                        Expr::mux(
                            Expr::id("out_done"),
                            Expr::sub(Expr::id(inflight.clone()), Expr::lit(hb, 1)),
                            Expr::id(inflight.clone()),
                        ),
                    )],
                    vec![Stmt::if_then(
                        Expr::land(
                            Expr::id("out_done"),
                            Expr::ne(Expr::id(hold.clone()), Expr::lit(hb, 0)),
                        ),
                        vec![nb(
                            hold.clone(),
                            Expr::sub(Expr::id(hold.clone()), Expr::lit(hb, 1)),
                        )],
                    )],
                ));
                shown_list.push(Expr::id(shown));
            }
            m.push(Item::always_ff(
                "clk",
                vec![Stmt::if_else(Expr::id("rst"), reset, body)],
            ));
        }
    }
    m.push(Item::comment("Network flags."));
    m.push(Item::assign("overflow", any(overflow)));
    m.push(Item::assign("illegal_spike", any(illegal)));
    m.push(Item::assign(
        "framing_error",
        any((0..l_n)
            .map(|k| Expr::id(format!("l{k}_framing_error")))
            .collect()),
    ));
    m
}

fn network_header(mut m: Module, net: &NetworkConfig, hash: &str) -> Module {
    let map = NetCfgMap::of(net);
    let l_n = net.layers.len();
    let mut h = vec![
        format!("{TOP}.v: generated by snnrtl; do not edit (manifest.json names the version)."),
        format!("A network of {l_n} spiking layers, one core per layer (snn_l<k>_core), chained: layer k's output stream is layer k+1's input stream."),
        format!("Network JSON sha256 {hash}; T = {}; layers:", net.timesteps()),
    ];
    for (k, l) in net.layers.iter().enumerate() {
        h.push(format!(
            "  {k}: {} {} inputs x {} outputs, weight_bits {}, config address {} bits, data {} bits, step latency {} cycles",
            l.neuron.kind(),
            l.inputs,
            l.outputs,
            l.weight_bits,
            map.layers[k].addr_bits(),
            map.layers[k].data_bits,
            layer_step_latency(l)
        ));
    }
    h.push("Ports:".into());
    h.extend(port_lines(&m));
    if l_n > 1 {
        for k in 0..l_n - 1 {
            let lo = tap_offset(net, k);
            h.push(format!(
                "  tap_spikes[{}:{lo}] = link {k} (layer {k} -> {})",
                lo + 2 * net.layers[k].outputs - 1,
                k + 1
            ));
        }
    }
    h.push(format!(
        "Configuration: cfg_addr = {{layer[{}:0], core address[{}:0]}}; a write to layer k reaches snn_l<k>_core with the low bits of cfg_addr and cfg_data its map uses (bits above them are ignored); a layer index >= {l_n} writes nothing.",
        map.layer_bits - 1,
        map.core_addr_bits - 1
    ));
    h.push(format!(
        "Latency: input step t to output step t, {} cycles; a sample's first input to its last output {} cycles; one input vector per cycle when out_ready is high.",
        step_latency(net),
        sample_latency(net)
    ));
    h.push("Flags: overflow and illegal_spike are in data order (after the last output of sample n: the OR over every layer and samples 0..n); framing_error is raised as the bad in_last is accepted.".into());
    h.append(&mut m.header);
    m.header = h;
    m
}

/// Every module of the network, layer 0's first, the top last.
pub fn modules(net: &NetworkConfig) -> Vec<Module> {
    let l_n = net.layers.len();
    let mut out = vec![];
    for (k, cfg) in net.layers.iter().enumerate() {
        let hash = config_hash(cfg);
        let mut mods = generate::modules(cfg);
        let bases: Vec<String> = mods.iter().map(|m| m.name.clone()).collect();
        rename_modules(&mut mods, |n| layer_module_name(k, n));
        for (m, base) in mods.into_iter().zip(bases) {
            out.push(layer_header(
                m,
                &base,
                cfg,
                &hash,
                Some(format!(
                    "Layer {k} of {l_n} in {TOP} (its modules carry the prefix {}).",
                    layer_prefix(k)
                )),
            ));
        }
    }
    out.push(network_header(snn_network(net), net, &network_hash(net)));
    out
}

/// Generates the network: every layer's core (modules prefixed `snn_l{k}_`)
/// and the top `snn_network`, one file per module, and the manifest.
pub fn generate_network(net: &NetworkConfig) -> Design {
    let mods = modules(net);
    let files: Vec<(String, String)> = mods
        .iter()
        .map(|m| (format!("{}.v", m.name), module_to_string(m)))
        .collect();
    let top = mods.last().expect("a top module");
    let map = NetCfgMap::of(net);
    let layers: Vec<Value> = net
        .layers
        .iter()
        .enumerate()
        .map(|(k, cfg)| {
            let single = generate::generate(cfg).manifest;
            json!({
                "index": k,
                "prefix": layer_prefix(k),
                "core": layer_module_name(k, "snn_core"),
                "modules": generate::modules(cfg).iter().map(|m| layer_module_name(k, &m.name)).collect::<Vec<_>>(),
                "config_sha256_16": single["config_sha256_16"],
                "kind": cfg.neuron.kind(),
                "inputs": cfg.inputs,
                "outputs": cfg.outputs,
                "widths": single["widths"],
                "latency": {
                    "core": single["latency"],
                    "step_to_output_cycles_in_network": layer_step_latency(cfg),
                },
                "config_port": single["config_port"],
                "config_address_base": map.address(k, 0),
            })
        })
        .collect();
    let taps: Vec<Value> = (0..net.layers.len() - 1)
        .map(|k| {
            json!({"link": k, "from_layer": k, "to_layer": k + 1,
                   "tap_spikes_lo": tap_offset(net, k), "bits": 2 * net.layers[k].outputs})
        })
        .collect();
    let manifest = json!({
        "format_version": generate::MANIFEST_FORMAT_VERSION,
        "generator": format!("snnrtl {}", env!("CARGO_PKG_VERSION")),
        "network_sha256_16": network_hash(net),
        "top": TOP,
        "files": files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "ports": port_json(top),
        "network": net.to_json(),
        "layers": layers,
        "latency": {
            "step_to_output_cycles": step_latency(net),
            "sample_first_input_to_last_output_cycles": sample_latency(net),
            "note": "cycles with every out_ready high, one input vector per cycle; full psn layers add T-1 (they wait for the whole sample)",
        },
        "config_port": {
            "addr_bits": map.addr_bits(),
            "layer_bits": map.layer_bits,
            "core_addr_bits": map.core_addr_bits,
            "data_bits": map.data_bits,
            "layout": "cfg_addr = {layer, core address}: network address = (layer << core_addr_bits) | the layer's own core address (see layers[k].config_port); cfg_data low bits",
        },
        "taps": {
            "tap_fire": "bit k: link k moved a vector (layer k's out_valid && out_ready) this cycle",
            "links": taps,
        },
    });
    Design { files, manifest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn layer(kind: &str, i: usize, o: usize) -> Value {
        let neuron = match kind {
            "if" => json!({"kind": "if", "vth": 3}),
            "psn" => json!({"kind": "psn", "weights": [[1, 0], [1, 1]], "thresholds": [0, 1]}),
            _ => json!({"kind": "tmn", "vth": 4}),
        };
        json!({"inputs": i, "outputs": o, "timesteps": 2, "weight_bits": 3,
               "weights": vec![vec![1; i]; o], "neuron": neuron})
    }

    fn net(layers: Vec<Value>) -> NetworkConfig {
        NetworkConfig::from_json(&json!({"format_version": 1, "network": {"layers": layers}}))
            .unwrap()
    }

    #[test]
    fn rename_reaches_every_instance() {
        let n = net(vec![layer("tmn", 3, 2), layer("if", 2, 2)]);
        let mods = modules(&n);
        let names: Vec<&str> = mods.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "snn_l0_pe",
                "snn_l0_array",
                "snn_l0_tmn",
                "snn_l0_core",
                "snn_l1_pe",
                "snn_l1_array",
                "snn_l1_if",
                "snn_l1_core",
                "snn_network"
            ]
        );
        let all: HashSet<&str> = names.iter().copied().collect();
        for m in &mods {
            for it in &m.items {
                if let Item::Instance(i) = it {
                    assert!(
                        all.contains(i.module.as_str()),
                        "{} in {}",
                        i.module,
                        m.name
                    );
                    if m.name != TOP {
                        assert_eq!(&i.module[..7], &m.name[..7], "layer prefix");
                    }
                }
            }
        }
    }

    #[test]
    fn address_map_puts_the_layer_on_top() {
        let n = net(vec![
            layer("tmn", 3, 2),
            layer("if", 2, 9),
            layer("psn", 9, 2),
        ]);
        let map = NetCfgMap::of(&n);
        assert_eq!(map.layer_bits, 2);
        let widest = map.layers.iter().map(CfgMap::addr_bits).max().unwrap();
        assert_eq!(map.core_addr_bits, widest);
        assert_eq!(map.address(2, 5), (2 << widest) | 5);
        assert_eq!(
            map.writes(&n).len(),
            n.layers
                .iter()
                .map(|l| CfgMap::of(l).writes(l).len())
                .sum::<usize>()
        );
        let one = net(vec![layer("tmn", 3, 2)]);
        assert_eq!(NetCfgMap::of(&one).layer_bits, 1);
    }

    #[test]
    fn latency_adds_up_and_full_psn_waits() {
        let n = net(vec![layer("tmn", 3, 2), layer("psn", 2, 2)]);
        // Layer 0: array 3 + 2 - 1, TMN unit 3. The link's slice: 1. Layer 1:
        // array 2 + 2 - 1, full PSN unit 4 after its last current, which
        // comes T - 1 = 1 later.
        assert_eq!(step_latency(&n), (3 + 2 - 1 + 3) + 1 + (2 + 2 - 1 + 4 + 1));
        assert_eq!(sample_latency(&n), step_latency(&n) + 1);
    }

    #[test]
    fn one_layer_has_no_taps() {
        let d = generate_network(&net(vec![layer("tmn", 3, 2)]));
        let top = &d.files.last().unwrap().1;
        assert!(!top.contains("tap_fire"));
        assert_eq!(d.manifest["top"], TOP);
        let d2 = generate_network(&net(vec![layer("tmn", 3, 2), layer("if", 2, 4)]));
        let ports: Vec<&str> = d2.manifest["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(ports.contains(&"tap_fire") && ports.contains(&"tap_spikes"));
    }
}
