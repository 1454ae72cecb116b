//! The second simulator: Icarus Verilog runs `testbenches/tb_core.v` against
//! a generated design with golden-model stimulus and expected outputs.

use crate::stimulus::{Bits, Stimulus};
use golden_model::LayerConfig;
use rtl_gen::cfg_map::CfgMap;
use snn_tools::Tool;
use std::path::Path;

/// The self-checking testbench, compiled into the binary so it is always found.
pub const TB_CORE: &str = include_str!("../../testbenches/tb_core.v");

/// What Icarus said.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub pass: bool,
    /// The testbench's output (the PASS line or the first mismatch).
    pub log: String,
}

/// Writes stimulus and testbench into `work`, compiles with `iverilog -g2005`
/// against the `.v` files in `design_dir`, and runs `vvp`.
pub fn run(
    cfg: &LayerConfig,
    design_dir: &Path,
    work: &Path,
    stim: &Stimulus,
    stall: bool,
) -> Result<Verdict, String> {
    std::fs::create_dir_all(work).map_err(|e| format!("{}: {e}", work.display()))?;
    let write = |name: &str, text: &str| {
        std::fs::write(work.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("tb_core.v", TB_CORE)?;
    write("cfg.hex", &stim.cfg_hex)?;
    write("in.hex", &stim.in_hex)?;
    write("out.hex", &stim.out_hex)?;
    let map = CfgMap::of(cfg);
    let w = cfg.widths();
    let params = [
        ("R", cfg.inputs as u64),
        ("C", cfg.outputs as u64),
        ("T", cfg.timesteps as u64),
        ("SB", u64::from(w.state_bits)),
        ("TW", u64::from(rtl_gen::unit::step_bits(cfg.timesteps))),
        ("CAW", u64::from(map.addr_bits())),
        ("CDW", u64::from(map.data_bits)),
        ("N_CFG", stim.n_cfg as u64),
        ("N_IN", stim.n_in as u64),
        ("N_OUT", stim.n_out as u64),
        ("STALL", u64::from(stall)),
    ];
    simulate("tb_core", &params, design_dir, work)
}

/// Compiles testbench `top` (`top.v` in `work`) with `iverilog -g2005` and
/// its parameters against the other `.v` files in `design_dir`, runs `vvp`
/// in `work`, and reads the `TESTBENCH PASS`/`FAIL` line.
fn simulate(
    top: &str,
    params: &[(&str, u64)],
    design_dir: &Path,
    work: &Path,
) -> Result<Verdict, String> {
    let iverilog = snn_tools::find(Tool::Iverilog).map_err(|e| e.to_string())?;
    let vvp = snn_tools::find(Tool::Vvp).map_err(|e| e.to_string())?;
    let tb = format!("{top}.v");
    let mut args: Vec<String> = vec![
        "-g2005".into(),
        "-s".into(),
        top.into(),
        "-o".into(),
        "sim.vvp".into(),
    ];
    for (k, v) in params {
        args.push("-P".into());
        args.push(format!("{top}.{k}={v}"));
    }
    args.push(tb.clone());
    let mut sources: Vec<String> = std::fs::read_dir(design_dir)
        .map_err(|e| format!("{}: {e}", design_dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .filter(|p| p.file_name().is_some_and(|n| *n != *tb.as_str()))
        .map(|p| {
            std::fs::canonicalize(p)
                .expect("listed file")
                .display()
                .to_string()
        })
        .collect();
    sources.sort();
    args.extend(sources);
    let built = snn_tools::run(&iverilog, &args, work).map_err(|e| e.to_string())?;
    if !built.success {
        return Err(format!("iverilog failed:\n{}", built.text));
    }
    let ran =
        snn_tools::run(&vvp, &["-n".into(), "sim.vvp".into()], work).map_err(|e| e.to_string())?;
    let log: String = ran
        .text
        .lines()
        .filter(|l| l.starts_with("TESTBENCH"))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Verdict {
        pass: log.starts_with("TESTBENCH PASS"),
        log: if log.is_empty() { ran.text } else { log },
    })
}

/// The folded engine's self-checking testbench.
pub const TB_FOLDED: &str = include_str!("../../testbenches/tb_folded.v");

/// Icarus on the folded engine with its weights from the `$readmemh` files
/// (no configuration writes): the design, `tb_folded.v` and the stimulus
/// go into `work`, and every readout beat (value, index, class) is checked
/// against the golden model. `plan` must keep its weights in block RAM.
pub fn run_folded(
    net: &golden_model::NetworkConfig,
    plan: &rtl_gen::folded::plan::FoldedPlan,
    work: &Path,
    samples: &[Vec<golden_model::LaneVec>],
    stall: bool,
) -> Result<Verdict, String> {
    use rtl_gen::folded::plan::WeightStore;
    if plan.store != WeightStore::BlockRam {
        return Err("the Icarus bench reads the weights from $readmemh: block RAM only".into());
    }
    rtl_gen::folded::generate(net, plan)
        .write(work)
        .map_err(|e| e.to_string())?;
    let lw = 2 * plan.p;
    let mut recs = vec![];
    for s in samples {
        crate::folded::pack_sample(plan, s, &mut recs);
    }
    // One `$readmemh` record per input word: {in_last, in_lanes}.
    let iw = crate::run::words(lw) + 1;
    let mut in_hex = String::new();
    for rec in recs.chunks(iw) {
        let mut b = Bits::default();
        for (k, &word) in rec[..iw - 1].iter().enumerate() {
            b.push(i64::from(word), (lw - 32 * k).min(32) as u32);
        }
        b.push(i64::from(rec[iw - 1] & 1), 1);
        in_hex += &(b.hex() + "\n");
    }
    // One per readout beat: {out_class, out_index, out_readout}.
    let (rb, cb) = (plan.readout_bits, plan.class_bits());
    let runner = net.runner();
    let last = net.layers.last().expect("a layer");
    let mut out_hex = String::new();
    for s in samples {
        let g = runner.run(s);
        let ro = golden_model::readout(last, g.last().expect("a layer"));
        let class = golden_model::argmax(&ro);
        for (n, &v) in ro.iter().enumerate() {
            let mut b = Bits::default();
            b.push(i64::try_from(v).expect("a readout fits 64 bits"), rb);
            b.push(n as i64, cb);
            b.push(class as i64, cb);
            out_hex += &(b.hex() + "\n");
        }
    }
    let write = |name: &str, text: &str| {
        std::fs::write(work.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write("tb_folded.v", TB_FOLDED)?;
    write("in.hex", &in_hex)?;
    write("out.hex", &out_hex)?;
    let params = [
        ("LW", lw as u64),
        ("RB", rb as u64),
        ("CB", cb as u64),
        ("CAW", u64::from(plan.cfg_addr_bits())),
        ("CDW", u64::from(plan.weight_word_bits())),
        ("N_IN", (recs.len() / iw) as u64),
        ("N_OUT", (samples.len() * last.outputs) as u64),
        ("STALL", u64::from(stall)),
    ];
    simulate("tb_folded", &params, work, work)
}
