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
