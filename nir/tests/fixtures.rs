//! Every fixture written by nir/fixtures/make_fixtures.py: what the good ones
//! map to (dt, its source, k, effective tau) and how the others are refused.

mod common;

use golden_model::{Neuron, Reset};
use snn_nir::timestep::DtSource;
use snn_nir::{ImportOptions, Integrator};

fn refused(name: &str, opts: &ImportOptions) -> String {
    let e = common::import(name, opts).unwrap_err().to_string();
    assert!(!e.contains('\n'), "one line: {e}");
    e
}

#[test]
fn snntorch_lif_recovers_dt_and_maps_beta_exactly() {
    let imp = common::import("snntorch_lif.nir", &ImportOptions::default()).unwrap();
    assert_eq!(imp.dt_source, DtSource::GainOne);
    assert!((imp.dt - 1e-4).abs() < 1e-15);
    let ks: Vec<u32> = imp.layers.iter().map(|m| m.leak.unwrap().k).collect();
    assert_eq!(ks, vec![2, 3]);
    for m in &imp.layers {
        let l = m.leak.unwrap();
        assert!(l.tau_rel_error.abs() < 1e-9, "{l:?}");
        assert!((m.gain.0 - 1.0).abs() < 1e-9 && (m.gain.1 - 1.0).abs() < 1e-9);
    }
    assert!(matches!(
        imp.network.layers[0].neuron,
        Neuron::Lif {
            leak_shift: 2,
            reset: Reset::Zero,
            ..
        }
    ));
}

#[test]
fn rockpool_lif_recovers_dt_from_the_exp_formula() {
    let imp = common::import("rockpool_lif.nir", &ImportOptions::default()).unwrap();
    assert_eq!(imp.dt_source, DtSource::Rockpool);
    assert!((imp.dt - 1e-3).abs() < 1e-12, "{}", imp.dt);
    // tau 20 ms and 5 ms at dt 1 ms: d = 1/20 and 1/5, k = 4 and 2, taus 16 and 4 ms.
    let l: Vec<_> = imp.layers.iter().map(|m| m.leak.unwrap()).collect();
    assert_eq!((l[0].k, l[1].k), (4, 2));
    assert!((l[0].tau_rel_error + 0.2).abs() < 1e-9 && (l[1].tau_rel_error + 0.2).abs() < 1e-9);
    assert_eq!(imp.layers[1].scale_node.as_deref(), Some("scale1"));
    // The exp integrator: d = 1 - exp(-dt/tau), tau_eff = -dt/ln(1 - 2^-k).
    let exp = ImportOptions {
        integrator: Integrator::Exp,
        ..ImportOptions::default()
    };
    let imp = common::import("rockpool_lif.nir", &exp).unwrap();
    let l = imp.layers[0].leak.unwrap();
    assert_eq!(l.k, 4);
    assert!((l.tau_effective - (-1e-3 / (1.0f64 - 1.0 / 16.0).ln())).abs() < 1e-12);
}

#[test]
fn norse_needs_dt_and_flatten_is_a_no_op() {
    let e = refused("norse_lif.nir", &ImportOptions::default());
    assert!(
        e.contains("/node/nodes/lif") && e.contains("pass --dt"),
        "{e}"
    );
    let opts = ImportOptions {
        dt: Some(1e-3),
        ..ImportOptions::default()
    };
    let imp = common::import("norse_lif.nir", &opts).unwrap();
    assert_eq!(imp.chain.flattens, vec!["flatten".to_string()]);
    let l = imp.layers[0].leak.unwrap();
    // d = 1e-3/1e-2 = 0.1: log2(10) = 3.32, k = 3, tau_eff = 8 ms (-20%).
    assert_eq!(l.k, 3);
    assert!((l.tau_rel_error + 0.2).abs() < 1e-9);
}

#[test]
fn if_only_takes_one_step_and_old_files_read() {
    let imp = common::import("affine_if.nir", &ImportOptions::default()).unwrap();
    assert_eq!((imp.dt, imp.dt_source.clone()), (1.0, DtSource::IfOnly));
    // Old layout: contiguous datasets, fixed-length type strings, no v_reset.
    let opts = ImportOptions {
        reset: Reset::Subtract,
        ..ImportOptions::default()
    };
    let imp = common::import("old_contiguous.nir", &opts).unwrap();
    assert_eq!(imp.version, "0.2.0");
    let l = &imp.network.layers[0];
    // Weights max 3: S = floor(127/3) = 42; threshold 2 -> floor(84) + 1.
    assert_eq!(imp.layers[0].scale, 42.0);
    assert_eq!(
        l.weights.as_ref().unwrap(),
        &vec![vec![42, 84, -42], vec![0, 42, 126]]
    );
    assert_eq!(l.bias, vec![0, 42]);
    assert_eq!(
        l.neuron,
        Neuron::If {
            vth: 85,
            reset: Reset::Subtract
        }
    );
}

#[test]
fn weight_bits_bound_the_scale() {
    let opts = ImportOptions {
        weight_bits: 4,
        ..ImportOptions::default()
    };
    let imp = common::import("old_contiguous.nir", &opts).unwrap();
    assert_eq!(imp.layers[0].scale, 2.0);
    assert!(imp.network.layers[0]
        .weights
        .as_ref()
        .unwrap()
        .iter()
        .flatten()
        .all(|w| (-8..=7).contains(w)));
}

#[test]
fn unsupported_graphs_are_refused_naming_node_and_type() {
    let o = ImportOptions::default();
    let e = refused("conv2d.nir", &o);
    assert!(
        e.starts_with("/node/nodes/conv: Conv2d is not supported; supported: Input, Affine"),
        "{e}"
    );
    let e = refused("cubalif_recurrent.nir", &o);
    assert!(
        e.starts_with("/node/nodes/cuba: CubaLIF is not supported"),
        "{e}"
    );
    let e = refused("recurrent_lif.nir", &o);
    assert!(e.contains("rec -> lif closes a cycle"), "{e}");
    let e = refused("v_reset_nonzero.nir", &o);
    assert!(
        e.starts_with("/node/nodes/if/v_reset: -0.5 is not supported"),
        "{e}"
    );
}

#[test]
fn bad_files_are_refused_with_one_line() {
    let o = ImportOptions::default();
    for (name, want) in [
        ("bad_not_hdf5.nir", "not an HDF5 file"),
        ("bad_no_node.nir", "/node: missing"),
        (
            "bad_edge_missing_node.nir",
            "/node/edges[4]: destination \"readout\" is not a node",
        ),
        (
            "bad_shapes.nir",
            "/node/nodes/fc1/weight: shape [2, 5] does not chain",
        ),
    ] {
        let e = refused(name, &o);
        assert!(e.starts_with(want), "{name}: {e}");
    }
}

#[test]
fn options_out_of_range_name_the_option() {
    let o = ImportOptions {
        weight_bits: 20,
        ..ImportOptions::default()
    };
    assert_eq!(
        refused("affine_if.nir", &o),
        "--weight-bits: 20 is not in 2..=16"
    );
    let o = ImportOptions {
        timesteps: 0,
        ..ImportOptions::default()
    };
    assert_eq!(
        refused("affine_if.nir", &o),
        "--timesteps: 0 is not in 1..=64"
    );
    let o = ImportOptions {
        dt: Some(-1.0),
        ..ImportOptions::default()
    };
    assert!(refused("snntorch_lif.nir", &o).starts_with("--dt: -1 is not accepted"));
}
