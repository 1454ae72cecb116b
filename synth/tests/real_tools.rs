//! Real Yosys (and nextpnr-ice40) on small configs: every target reports,
//! the parsed numbers are consistent (each module's cells times its
//! instances sum to the design total Yosys reports), the PE array's
//! estimate is within 15% of Yosys on the test configs, place and route
//! gives Fmax and utilisation, and a design too big for the part says so.
//! Fails under `CI` when a tool is missing; prints NOT RUN otherwise.

use golden_model::LayerConfig;
use serde_json::json;
use snn_tools::{require_for_test, Tool};
use synth::cells::Cells;
use synth::constraints::Board;
use synth::{synthesize, Options, PnrStatus, Report, Target, Tools, Top, Verdict};

fn tmn(rows: usize, cols: usize, t: usize, wb: u32) -> LayerConfig {
    let v = json!({"inputs": rows, "outputs": cols, "timesteps": t, "weight_bits": wb,
                   "weights": vec![vec![1; rows]; cols], "neuron": {"kind": "tmn", "vth": 16}});
    LayerConfig::from_json(&v, "layer").unwrap()
}

fn yosys_only() -> Option<Tools> {
    let yosys = require_for_test(Tool::Yosys)?;
    Some(Tools {
        yosys,
        nextpnr: None,
    })
}

/// The modules' totals add up to the report's totals, and each total is
/// its per-instance count times the instances.
fn check_consistent(r: &Report) {
    let mut sum = Cells::default();
    for m in &r.modules {
        assert_eq!(m.total, m.each.times(m.instances), "{}", m.module);
        sum = sum.plus(&m.total);
    }
    assert_eq!(
        sum, r.cells,
        "{}: modules do not sum to the total",
        r.target
    );
    let by_type: u64 = r.cells_by_type.values().sum();
    assert_eq!(by_type, r.cells.total(), "{}: cells_by_type", r.target);
    let groups = r.groups.values().fold(Cells::default(), |a, c| a.plus(c));
    assert_eq!(groups, r.cells, "{}: groups", r.target);
}

#[test]
fn every_target_reports_a_small_core() {
    let Some(tools) = yosys_only() else { return };
    let cfg = tmn(2, 3, 4, 8);
    for target in Target::ALL {
        let r = synthesize(&cfg, &Options::new(target), &tools).unwrap();
        assert_eq!(r.format_version, synth::FORMAT_VERSION);
        assert_eq!(r.target, target.name());
        assert!(r.tools[0].version.starts_with("Yosys"), "{:?}", r.tools);
        check_consistent(&r);
        let names: Vec<&str> = r.modules.iter().map(|m| m.module.as_str()).collect();
        assert_eq!(
            names,
            ["snn_pe", "snn_array", "snn_tmn", "snn_core"],
            "{target}"
        );
        let inst: Vec<u64> = r.modules.iter().map(|m| m.instances).collect();
        assert_eq!(inst, [6, 1, 3, 1], "{target}");
        assert!(r.cells.ffs > 0, "{target}: no flip-flops");
        match target {
            Target::Generic => {
                assert!(r.cells.gates > 0);
                assert_eq!(r.cells.luts, 0);
                assert!(r.transistors.is_some());
                assert_eq!(r.fit.verdict, Verdict::NoPart);
            }
            _ => {
                assert!(r.cells.luts > 0 && r.cells.carries > 0, "{target}");
                assert_eq!(r.fit.verdict, Verdict::Fits, "{target}");
                let e = r.efficiency.as_ref().unwrap();
                assert_eq!(e.floor_luts, 6 * (10 + 2));
                assert_eq!(
                    e.meets.is_some(),
                    target.family() == synth::target::Family::Ice40
                );
                assert!(r.modules.iter().all(|m| m.estimate.is_some()));
            }
        }
        let text = r.to_text();
        assert!(text.contains("total (snn_core)"), "{text}");
    }
}

#[test]
fn pe_array_estimate_is_within_15_percent() {
    let Some(tools) = yosys_only() else { return };
    for (rows, cols, wb) in [(8, 8, 8), (16, 4, 8), (4, 4, 2), (2, 3, 12)] {
        let cfg = tmn(rows, cols, 4, wb);
        for target in [Target::Ice40Hx8k, Target::Xilinx7] {
            let mut o = Options::new(target);
            o.top = Top::Array;
            let r = synthesize(&cfg, &o, &tools).unwrap();
            check_consistent(&r);
            let (mut meas, mut est) = ((0, 0), (0, 0));
            for m in &r.modules {
                let e = m.estimate.as_ref().unwrap();
                meas.0 += m.total.luts;
                meas.1 += m.total.ffs + m.total.lut_mem;
                est.0 += e.luts;
                est.1 += e.ffs + e.lut_mem;
            }
            let label = format!("{rows}x{cols} w{wb} {target}");
            for (what, m, e) in [("LUTs", meas.0, est.0), ("FFs", meas.1, est.1)] {
                let gap = (m as f64 - e as f64).abs() / e as f64;
                assert!(gap <= 0.15, "{label}: {what} measured {m}, estimated {e}");
            }
        }
    }
}

#[test]
fn place_and_route_gives_fmax_and_utilisation() {
    let (Some(yosys), Some(np)) = (
        require_for_test(Tool::Yosys),
        require_for_test(Tool::NextpnrIce40),
    ) else {
        return;
    };
    let tools = Tools {
        yosys,
        nextpnr: Some(np),
    };
    let mut o = Options::new(Target::Ice40Up5k);
    o.pnr = true;
    o.board = Some(Board::Icebreaker);
    o.freq_mhz = 20.0;
    let r = synthesize(&tmn(2, 2, 2, 4), &o, &tools).unwrap();
    check_consistent(&r);
    let p = r.pnr.as_ref().unwrap();
    assert_eq!(p.status, PnrStatus::Routed, "{}", p.message);
    let f = p.fmax_mhz.unwrap();
    assert!(f > 1.0 && f < 1000.0, "Fmax {f}");
    assert_eq!(p.meets_target, Some(f >= 20.0));
    // Three seeds by default; Fmax is their median, with min and max.
    assert_eq!(p.seeds, [1, 2, 3]);
    let by_seed: Vec<f64> = p
        .fmax_mhz_by_seed
        .iter()
        .map(|s| s.fmax_mhz.unwrap())
        .collect();
    assert_eq!(by_seed.len(), 3);
    let mut sorted = by_seed.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(
        (p.fmax_mhz_min, p.fmax_mhz_median, p.fmax_mhz_max),
        (Some(sorted[0]), Some(sorted[1]), Some(sorted[2]))
    );
    assert_eq!(p.fmax_mhz, p.fmax_mhz_median);
    assert!(p.seeds.contains(&p.seed));
    assert_eq!(p.gsop_per_s, Some(2.0 * 2.0 * f / 1000.0));
    assert!(r.to_text().contains("GSOP/s"), "{}", r.to_text());
    let args = r.flow.nextpnr_args.as_ref().unwrap().join(" ");
    assert!(args.contains(&format!("--seed {} ", p.seed)), "{args}");
    let lc = p.utilization["ICESTORM_LC"];
    assert_eq!(lc.available, 5280);
    let w = r.flow.wrapper.as_ref().unwrap();
    // Every LUT needs a logic cell; so does every flip-flop.
    let luts = r.cells.luts + w.cells.luts;
    let ffs = r.cells.ffs + w.cells.ffs;
    assert!(
        lc.used >= luts.max(ffs) && lc.used <= luts + ffs + r.cells.carries + 16,
        "{lc:?}"
    );
    assert_eq!(p.utilization["SB_IO"].used, 4);
    assert_eq!(r.fit.basis, "nextpnr placement");
    assert_eq!(r.tools.len(), 2);
    assert!(r.flow.constraints_text.contains("set_io -nowarn clk 35"));
    let c = p.critical_path.as_ref().unwrap();
    assert!(c.delay_ns > 0.0 && c.logic_levels > 0);
}

#[test]
fn too_big_for_the_part_says_so_with_numbers() {
    let Some(tools) = yosys_only() else { return };
    let mut o = Options::new(Target::Ice40Up5k);
    o.top = Top::Array;
    let r = synthesize(&tmn(16, 16, 2, 8), &o, &tools).unwrap();
    assert_eq!(r.fit.verdict, Verdict::DoesNotFit);
    let lc = &r.fit.lines[0];
    assert_eq!((lc.resource.as_str(), lc.available), ("logic cells", 5280));
    assert!(lc.used > 5280);
    assert!(
        r.fit.message.starts_with(&format!(
            "does not fit the iCE40UP5K: logic cells: at least {} needed, 5280 available",
            lc.used
        )),
        "{}",
        r.fit.message
    );
    assert!(r.to_text().contains("DOES NOT FIT"));
}

#[test]
fn packing_decides_the_fit_when_yosys_counts_cannot() {
    let (Some(yosys), Some(np)) = (
        require_for_test(Tool::Yosys),
        require_for_test(Tool::NextpnrIce40),
    ) else {
        return;
    };
    let tools = Tools {
        yosys,
        nextpnr: Some(np),
    };
    let v = json!({"inputs": 12, "outputs": 12, "timesteps": 2, "weight_bits": 8,
                   "weights": vec![vec![1; 12]; 12], "neuron": {"kind": "if", "vth": 16}});
    let cfg = LayerConfig::from_json(&v, "layer").unwrap();
    let mut o = Options::new(Target::Ice40Up5k);
    o.pnr = true;
    let r = synthesize(&cfg, &o, &tools).unwrap();
    // Yosys's counts leave it open (at least max(LUTs, FFs) <= 5280) ...
    assert!(r.cells.luts.max(r.cells.ffs) <= 5280, "{:?}", r.cells);
    // ... packing settles it, from nextpnr's JSON.
    assert_eq!(r.fit.verdict, Verdict::DoesNotFit);
    assert_eq!(r.fit.basis, "nextpnr packing");
    let lc = &r.fit.lines[0];
    assert!(lc.used > 5280 && lc.available == 5280, "{lc:?}");
    let p = r.pnr.as_ref().unwrap();
    assert_eq!(p.status, PnrStatus::Skipped);
    assert!(p.fmax_mhz.is_none());
    assert!(p.message.starts_with(&format!(
        "does not fit the iCE40UP5K: logic cells: {} after packing, 5280 available",
        lc.used
    )));
}
