//! The second simulator: Icarus Verilog runs `testbenches/tb_core.v` against
//! a generated design with golden-model stimulus and expected outputs.

use crate::stimulus::Stimulus;
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
    let iverilog = snn_tools::find(Tool::Iverilog).map_err(|e| e.to_string())?;
    let vvp = snn_tools::find(Tool::Vvp).map_err(|e| e.to_string())?;
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
    let mut args: Vec<String> = vec![
        "-g2005".into(),
        "-s".into(),
        "tb_core".into(),
        "-o".into(),
        "sim.vvp".into(),
    ];
    for (k, v) in params {
        args.push("-P".into());
        args.push(format!("tb_core.{k}={v}"));
    }
    args.push("tb_core.v".into());
    let mut sources: Vec<String> = std::fs::read_dir(design_dir)
        .map_err(|e| format!("{}: {e}", design_dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
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

/// `value` (`bits` wide, two's complement) as hex digits.
fn hex_bits(words: &[u32], bits: usize) -> String {
    (0..bits.div_ceil(4))
        .rev()
        .map(|d| {
            let nib = (0..4).fold(0u32, |a, b| {
                let at = d * 4 + b;
                if at < bits && (words[at / 32] >> (at % 32)) & 1 == 1 {
                    a | (1 << b)
                } else {
                    a
                }
            });
            char::from_digit(nib, 16).expect("a nibble")
        })
        .collect()
}

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
    let iverilog = snn_tools::find(Tool::Iverilog).map_err(|e| e.to_string())?;
    let vvp = snn_tools::find(Tool::Vvp).map_err(|e| e.to_string())?;
    rtl_gen::folded::generate(net, plan)
        .write(work)
        .map_err(|e| e.to_string())?;
    let lw = 2 * plan.p;
    let mut recs = vec![];
    for s in samples {
        crate::folded::pack_sample(plan, s, &mut recs);
    }
    let iw = crate::run::words(lw) + 1;
    let mut in_hex = String::new();
    for rec in recs.chunks(iw) {
        let mut w = rec[..iw - 1].to_vec();
        w.push(0);
        if rec[iw - 1] & 1 == 1 {
            w[lw / 32] |= 1 << (lw % 32);
        }
        in_hex += &hex_bits(&w, lw + 1);
        in_hex.push('\n');
    }
    let (rb, cb) = (plan.readout_bits as usize, plan.class_bits() as usize);
    let runner = net.runner();
    let last = net.layers.last().expect("a layer");
    let mut out_hex = String::new();
    for s in samples {
        let g = runner.run(s);
        let ro = golden_model::readout(last, g.last().expect("a layer"));
        let class = golden_model::argmax(&ro);
        for (n, &v) in ro.iter().enumerate() {
            let total = rb + 2 * cb;
            let mut w = vec![0u32; total.div_ceil(32)];
            let mut put = |value: u128, at: usize, bits: usize| {
                for b in 0..bits {
                    if (value >> b) & 1 == 1 {
                        w[(at + b) / 32] |= 1 << ((at + b) % 32);
                    }
                }
            };
            put(v as u128, 0, rb);
            put(n as u128, rb, cb);
            put(class as u128, rb + cb, cb);
            out_hex += &hex_bits(&w, total);
            out_hex.push('\n');
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
    let mut args: Vec<String> = vec![
        "-g2005".into(),
        "-s".into(),
        "tb_folded".into(),
        "-o".into(),
        "sim.vvp".into(),
    ];
    for (k, v) in params {
        args.push("-P".into());
        args.push(format!("tb_folded.{k}={v}"));
    }
    let mut files: Vec<String> = std::fs::read_dir(work)
        .map_err(|e| format!("{}: {e}", work.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".v"))
        .collect();
    files.sort();
    args.extend(files);
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
