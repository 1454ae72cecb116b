//! The `snn_elm` unit of an `elm` layer alone, placed and routed on the
//! iCE40UP5K out of context (issue 12: the whole elm core does not fit the
//! UP5K because of its 16 x 16 PE array, so this measures the part that
//! does, for comparison with the folded spiking MLPs):
//!
//!     cargo run --release -p synth --example elm_unit_pnr -- LAYER.json DIR [dsp]
//!
//! LAYER.json is a layer object or a case file with an `elm` layer. The unit
//! (`rtl_gen::elm::snn_elm`) sits in the out-of-context wrapper
//! (`synth::wrap`, one flip-flop per port bit), Yosys runs
//! `synth_ice40 -noflatten` (with `dsp`: `-dsp`, multipliers on SB_MAC16, as
//! the folded engine's flow does; without it, as `snnrtl synth --pnr` builds
//! a layer's core), and nextpnr-ice40 places and routes on seeds 1, 2 and 3,
//! one after another. Prints one JSON object: the unit's Yosys cells, the
//! logic cells after placement with and without the wrapper's (one per port
//! bit, subtracted as `synth::folded` does), block RAMs, DSPs, and Fmax per
//! seed with the median. Every file of the run stays in DIR.
use golden_model::LayerConfig;
use synth::nextpnr::{self, Stage};
use synth::{constraints, wrap, yosys, Target};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 3 || a.len() > 4 || (a.len() == 4 && a[3] != "dsp") {
        eprintln!("usage: elm_unit_pnr LAYER.json DIR [dsp]");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&a[1]).expect("a layer or case file");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let (layer, path) = match v.get("layer") {
        Some(l) => (l, "layer"),
        None => (&v, ""),
    };
    let cfg = LayerConfig::from_json(layer, path).unwrap_or_else(|e| panic!("{}: {e}", a[1]));
    assert!(
        matches!(cfg.neuron, golden_model::Neuron::Elm(_)),
        "{}: neuron.kind: must be elm",
        a[1]
    );
    let dsp = a.len() == 4;
    let dir = std::path::Path::new(&a[2]);
    std::fs::create_dir_all(dir).expect("create DIR");
    let target = Target::Ice40Up5k;

    let unit = rtl_gen::elm::snn_elm(&cfg);
    let w = wrap::wrapper(&unit);
    let (inputs, outputs) = wrap::io_bits(&unit);
    let files = [
        (
            "snn_elm.v",
            rtl_gen::verilog::print::module_to_string(&unit),
        ),
        (
            "snn_ooc_wrap.v",
            rtl_gen::verilog::print::module_to_string(&w),
        ),
    ];
    for (name, body) in &files {
        std::fs::write(dir.join(name), body).expect("write the Verilog");
    }
    let (pcf, pcf_text) = constraints::clock_file(target, 100.0, None);
    std::fs::write(dir.join(&pcf), pcf_text).expect("write the constraints");
    let names: Vec<String> = files.iter().map(|(n, _)| n.to_string()).collect();
    let mut script = yosys::script(target, &names, wrap::WRAPPER, "snn_elm", true);
    if dsp {
        script = script.replace("synth_ice40 -noflatten", "synth_ice40 -noflatten -dsp");
    }
    let tools = synth::find_tools(true).expect("yosys and nextpnr-ice40");
    yosys::run(&tools.yosys, dir, &script).expect("yosys");
    let stat_text = std::fs::read_to_string(dir.join(yosys::STAT_FILE)).expect("yosys stat");
    let stat = yosys::parse_stat(&stat_text).expect("yosys stat JSON");
    let (_, cells) = stat.hierarchy("snn_elm").expect("the unit's cells");

    let np = tools.nextpnr.as_ref().expect("nextpnr-ice40");
    let mut runs = vec![];
    for seed in synth::pnr::seeds(1, 3).expect("seeds 1..=3") {
        let stage = Stage::Route { seed };
        let args = nextpnr::args(target, yosys::NETLIST_FILE, &pcf, stage).expect("iCE40");
        nextpnr::run(np, dir, &args, stage).expect("nextpnr");
        let report = std::fs::read_to_string(dir.join(stage.files().0)).expect("report");
        let r = nextpnr::parse_report(&report).expect("report JSON");
        let fmax = r.worst_clock().map(|(_, f)| f.achieved).expect("a clock");
        let used = |bel: &str| r.utilization.get(bel).map_or(0, |u| u.used);
        runs.push((
            seed,
            fmax,
            used("ICESTORM_LC"),
            used("ICESTORM_RAM"),
            used("ICESTORM_DSP"),
        ));
    }
    let fmaxes: Vec<f64> = runs.iter().map(|r| r.1).collect();
    let spread = synth::pnr::spread(&fmaxes).expect("three seeds");
    let wrapper = u64::from(inputs + outputs);
    let out = serde_json::json!({
        "unit": "snn_elm",
        "layer": a[1],
        "yosys": if dsp { "synth_ice40 -noflatten -dsp" } else { "synth_ice40 -noflatten" },
        "yosys_cells": cells,
        "port_bits": {"inputs": inputs, "outputs": outputs},
        "logic_cells_with_wrapper": runs[0].2,
        "wrapper_logic_cells": wrapper,
        "logic_cells": runs[0].2.saturating_sub(wrapper),
        "brams": runs[0].3,
        "dsps": runs[0].4,
        "fmax_mhz_by_seed": runs.iter().map(|r| serde_json::json!({"seed": r.0, "fmax_mhz": r.1, "logic_cells_with_wrapper": r.2})).collect::<Vec<_>>(),
        "fmax_mhz_median": spread.median,
        "fmax_mhz_min": spread.min,
        "fmax_mhz_max": spread.max,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
