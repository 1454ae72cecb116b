//! `import.json` (versioned) and `import.md`: how each node was mapped and
//! with what error.

use crate::import::{Imported, LayerMapping};
use serde_json::{json, Value};

/// The `import.json` format this crate writes.
pub const REPORT_FORMAT_VERSION: i64 = 1;

fn layer_json(k: usize, m: &LayerMapping) -> Value {
    let mut v = json!({
        "layer": k,
        "synapse": {"node": m.synapse_node, "type": m.synapse_type},
        "scale_node": m.scale_node,
        "neuron": {"node": m.neuron_node, "type": m.neuron_type},
        "inputs": m.inputs,
        "outputs": m.outputs,
        "scale": m.scale,
        "integer_network_kept": m.exact_integers,
        "gain": {"min": m.gain.0, "max": m.gain.1},
        "v_threshold": {"min": m.theta.0, "max": m.theta.1},
        "thresholds_normalised": m.thresholds_normalised,
        "vth": m.vth,
        "max_rounding": m.rounding,
    });
    if let Some(l) = &m.leak {
        v["leak"] = json!({
            "leak_shift": l.k,
            "log2_inv_decay": l.log2_inv_decay,
            "clamped": l.clamped,
            "tau": {"min": l.tau.0, "max": l.tau.1},
            "tau_effective": l.tau_effective,
            "tau_rel_error": l.tau_rel_error,
        });
    }
    v
}

/// The `import.json` document; `source` names the NIR file.
pub fn json(imp: &Imported, source: &str) -> Value {
    json!({
        "format_version": REPORT_FORMAT_VERSION,
        "source": source,
        "nir_version": imp.version,
        "dt": imp.dt,
        "dt_source": imp.dt_source.key(),
        "integrator": imp.options.integrator.name(),
        "reset": imp.options.reset.name(),
        "weight_bits": imp.options.weight_bits,
        "timesteps": imp.options.timesteps,
        "input_node": imp.chain.input,
        "output_node": imp.chain.output,
        "flatten_nodes_ignored": imp.chain.flattens,
        "layers": imp.layers.iter().enumerate().map(|(k, m)| layer_json(k, m)).collect::<Vec<_>>(),
    })
}

/// The `meta` object written beside the network in `network.json`.
pub fn meta(imp: &Imported, source: &str) -> Value {
    json!({
        "nir": source, "nir_version": imp.version, "dt": imp.dt,
        "dt_source": imp.dt_source.key(), "integrator": imp.options.integrator.name(),
        "readout": "argmax of golden_model::network::readout of the last layer",
        "report": "import.json",
    })
}

fn g(x: f64) -> String {
    if x == 0.0 || (1e-3..1e6).contains(&x.abs()) {
        format!("{}", (x * 1e6).round() / 1e6)
    } else {
        format!("{x:.4e}")
    }
}

fn range(r: (f64, f64)) -> String {
    if r.0 == r.1 {
        g(r.0)
    } else {
        format!("{}..{}", g(r.0), g(r.1))
    }
}

/// `import.md`.
pub fn markdown(imp: &Imported, source: &str) -> String {
    let o = &imp.options;
    let mut s = format!(
        "# NIR import of `{source}`\n\n\
         - NIR version: {}\n- dt: {} ({})\n- integrator: {} (decay d = {})\n\
         - reset: {}\n- weight_bits: {}, timesteps: {}\n- chain: `{}` -> {} layer(s) -> `{}`{}\n\n",
        if imp.version.is_empty() {
            "(none)"
        } else {
            &imp.version
        },
        g(imp.dt),
        imp.dt_source.describe(),
        o.integrator.name(),
        match o.integrator {
            crate::import::Integrator::Euler => "dt/tau",
            crate::import::Integrator::Exp => "1 - exp(-dt/tau)",
        },
        o.reset.name(),
        o.weight_bits,
        o.timesteps,
        imp.chain.input,
        imp.layers.len(),
        imp.chain.output,
        if imp.chain.flattens.is_empty() {
            String::new()
        } else {
            format!("; Flatten as no-op: {}", imp.chain.flattens.join(", "))
        },
    );
    s += "| layer | nodes | kind | in x out | gain | S | v_threshold -> vth | k | tau -> tau_eff (rel. error) | max rounding |\n";
    s += "|---|---|---|---|---|---|---|---|---|---|\n";
    for (k, m) in imp.layers.iter().enumerate() {
        let nodes = match &m.scale_node {
            Some(sc) => format!(
                "`{}` ({}) -> `{sc}` (Scale) -> `{}` ({})",
                m.synapse_node, m.synapse_type, m.neuron_node, m.neuron_type
            ),
            None => format!(
                "`{}` ({}) -> `{}` ({})",
                m.synapse_node, m.synapse_type, m.neuron_node, m.neuron_type
            ),
        };
        let (kk, tau) = match &m.leak {
            None => ("-".to_string(), "-".to_string()),
            Some(l) => (
                format!(
                    "{}{}",
                    l.k,
                    if l.clamped {
                        format!(" (clamped from {:.2})", l.log2_inv_decay)
                    } else {
                        String::new()
                    }
                ),
                format!(
                    "{} -> {} ({:+.3}%)",
                    range(l.tau),
                    g(l.tau_effective),
                    100.0 * l.tau_rel_error
                ),
            ),
        };
        s += &format!(
            "| {k} | {nodes} | {} | {} x {} | {} | {}{} | {}{} -> {} | {kk} | {tau} | {} |\n",
            if m.leak.is_some() { "lif" } else { "if" },
            m.inputs,
            m.outputs,
            range(m.gain),
            g(m.scale),
            if m.exact_integers {
                " (integer network kept)"
            } else {
                ""
            },
            range(m.theta),
            if m.thresholds_normalised {
                " (rows normalised to 1)"
            } else {
                ""
            },
            m.vth,
            g(m.rounding),
        );
    }
    s += "\nRules: docs/nir.md. `vth = floor(S*theta) + 1` because NIR fires on v > theta and the golden model on u >= vth. \
          The shift leak floors (SPEC section 4), so a LIF membrane differs from NIR's by less than 2^k integer units.\n";
    s
}
