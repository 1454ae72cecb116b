//! `snn_if` and `snn_lif`: integrate-and-fire, binary, with an optional
//! shift leak and a choice of reset (SPEC section 4):
//! `u = u - (u >>> k) + I + b` (no leak term for `if`);
//! `s = (u >= vth)`; then `u = u - s*vth` (reset by subtraction) or
//! `u = s ? 0 : u` (reset to zero). Latency [`LATENCY`].
//!
//! Input stage `a` registers `c = I + b` and `cv = I + b - vth` (the bias
//! minus vth is a registered constant). The loop forms, from the stored
//! membrane `u` (0 at step 0), `u_new = u' + c` and `d = u' + cv` (`u'` = `u` or, for
//! `lif`, `u - (u >>> k)`) as two parallel carry chains: `d`'s sign is the
//! spike (`u_new >= vth` iff `d >= 0`) and `d` is the membrane after a
//! subtracting reset. For `lif` the three operands `u`, `~(u >>> k)` and `c`
//! (or `cv`) pass through one level of full adders (carry-save) and the `+1`
//! of the negation rides in the free low bit of the shifted carries, so each
//! chain is still one adder.

use crate::membrane::{
    self, bias_plus, ext, finish, internal_bits, plus_const_bits, start, Stage, StageA,
};
use crate::unit::StateSource;
use crate::verilog::ast::{Decl, Expr, Item, Module};
use golden_model::{LayerConfig, Neuron, Reset};

/// Latency of `snn_if`/`snn_lif` in `en` cycles: input stage `a`, the loop.
pub const LATENCY: usize = 2;

/// `{{k{x[n-1]}}, x[n-1:k]}`: `x >>> k` of the `n`-bit net `x`, unsigned
/// concatenation (the shift floors).
fn ashr(x: &str, n: u32, k: u32) -> Expr {
    if k >= n {
        Expr::repl(n, Expr::bit_at(x, n - 1))
    } else {
        Expr::concat(vec![
            Expr::repl(k, Expr::bit_at(x, n - 1)),
            Expr::part(x, n - 1, k),
        ])
    }
}

/// Carry-save form of `x - (x >>> k) + z` at `n` bits (nets `x`, `z` of `n`
/// bits): declares `<p>_s` and `<p>_k`, returns the two chain operands.
fn leak_csa(m: &mut Module, p: &str, x: &str, z: &str, n: u32, k: u32) -> (Expr, Expr) {
    let (y, s, c) = (format!("{p}_y"), format!("{p}_s"), format!("{p}_k"));
    m.push(Decl::wire(y.as_str(), n).comment(format!("{p}: ~(x >>> {k})")));
    m.push(Item::assign(y.as_str(), Expr::not(ashr(x, n, k))));
    m.push(Decl::wire(s.as_str(), n).comment(format!("{p}: sum bits of x + ~(x >>> {k}) + z")));
    m.push(
        Decl::wire(c.as_str(), n - 1).comment(format!("{p}: carry bits (the top one falls off)")),
    );
    m.push(Item::assign(
        s.as_str(),
        Expr::xor(Expr::xor(Expr::id(x), Expr::id(y.as_str())), Expr::id(z)),
    ));
    let lo = |name: &str| Expr::part(name, n - 2, 0);
    m.push(Item::assign(
        c.as_str(),
        Expr::or(
            Expr::or(Expr::and(lo(x), lo(&y)), Expr::and(lo(x), lo(z))),
            Expr::and(lo(&y), lo(z)),
        ),
    ));
    (
        Expr::id(s),
        Expr::concat(vec![Expr::id(c), Expr::lit(1, 1)]),
    )
}

/// The unit for an `if` or `lif` layer (`snn_if` / `snn_lif`) in the
/// unrolled core: one per column, its membrane in its own register.
pub fn snn_if(cfg: &LayerConfig) -> Module {
    snn_if_unit(cfg, StateSource::Loop)
}

/// The `if`/`lif` unit with its membrane from `src`.
pub fn snn_if_unit(cfg: &LayerConfig, src: StateSource) -> Module {
    let (name, vth, leak_shift, reset) = match cfg.neuron {
        Neuron::If { vth, reset } => ("snn_if", vth, 0, reset),
        Neuron::Lif {
            vth,
            leak_shift,
            reset,
        } => ("snn_lif", vth, leak_shift, reset),
        _ => panic!("snn_if needs an if or lif layer"),
    };
    let wd = cfg.widths();
    let (w, a, wb, cb) = (
        internal_bits(cfg),
        wd.synaptic_bits,
        cfg.weight_bits,
        wd.current_bits,
    );
    let vth_i = vth;
    let vth = vth as u64;
    // bias - vth, I + b - vth: widths that hold them exactly.
    let bvb = plus_const_bits(wb, vth, 64);
    let cvb = plus_const_bits(cb, vth, w + 1);
    let regs = vec![
        StageA::new(
            "c",
            cb,
            Expr::add(ext("in_current", a, cb), ext("bias", wb, cb)),
            "c = I + b",
        ),
        StageA::new(
            "cv",
            cvb,
            Expr::add(
                ext("in_current", a, cvb),
                membrane::resize("bias_mv", bvb, cvb),
            ),
            format!("c - vth = I + (b - {vth})"),
        ),
    ];
    let mut m = start(name, cfg, vec![Stage { prefix: "a", regs }], src);
    // The registered constant is declared after stage A's block reads it;
    // Verilog allows any order of module items.
    bias_plus(&mut m, cfg, "bias_mv", bvb, -vth_i, src);
    let (vx, vz, dx, dz) = if leak_shift > 0 {
        m.push(Decl::wire("c_w", w).signed().comment("c at W bits"));
        m.push(Item::assign("c_w", ext("a_c", cb, w)));
        m.push(
            Decl::wire("u_prev1", w + 1)
                .signed()
                .comment("u_prev at W+1 bits"),
        );
        m.push(Item::assign("u_prev1", ext("u_prev", w, w + 1)));
        m.push(
            Decl::wire("cv_w1", w + 1)
                .signed()
                .comment("cv at W+1 bits"),
        );
        m.push(Item::assign("cv_w1", ext("a_cv", cvb, w + 1)));
        let (vx, vz) = leak_csa(&mut m, "lv", "u_prev", "c_w", w, leak_shift);
        let (dx, dz) = leak_csa(&mut m, "ld", "u_prev1", "cv_w1", w + 1, leak_shift);
        (vx, vz, dx, dz)
    } else {
        (
            Expr::id("u_prev"),
            ext("a_c", cb, w),
            ext("u_prev", w, w + 1),
            ext("a_cv", cvb, w + 1),
        )
    };
    let leaky = if leak_shift > 0 {
        format!("u - (u >>> {leak_shift})")
    } else {
        "u".to_string()
    };
    membrane::sum(&mut m, "u_new", w, vx, vz, &format!("{leaky} + I + b"));
    membrane::sum(
        &mut m,
        "d",
        w + 1,
        dx,
        dz,
        &format!("{leaky} + I + b - vth: u_new - vth, exact"),
    );
    m.push(Decl::wire("fire", 1).comment("u_new >= vth (ties fire): d >= 0"));
    m.push(Item::assign("fire", Expr::lnot(Expr::bit_at("d", w))));
    m.push(Decl::wire("u_after", w).signed().comment(match reset {
        Reset::Subtract => "after reset by subtraction",
        Reset::Zero => "after reset to zero",
    }));
    let reset_value = match reset {
        Reset::Subtract => Expr::part("d", w - 1, 0),
        Reset::Zero => {
            membrane::sink(
                &mut m,
                "d_low",
                Expr::part("d", w - 1, 0),
                "reset to zero reads only the sign of d",
            );
            Expr::slit(w, 0)
        }
    };
    m.push(Item::assign(
        "u_after",
        Expr::mux(Expr::id("fire"), reset_value, Expr::id("u_new")),
    ));
    finish(
        m,
        cfg,
        "a",
        Expr::concat(vec![Expr::lit(1, 0), Expr::id("fire")]),
    )
}
