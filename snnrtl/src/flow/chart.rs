//! The accuracy chart (SVG): test accuracy against T for every SNN variant,
//! with the float ANN as a flat line; a second panel zooms on the top.

use super::accuracy::Table;
use synth::svg::{chart, Panel, Series};

pub fn accuracy_svg(title: &str, t: &Table) -> String {
    let x = |steps: usize| (steps as f64).log2();
    let series = |lo: f64| -> Vec<Series> {
        let pick = |label: &str, f: &dyn Fn(&super::accuracy::Row) -> f64| Series {
            label: label.to_string(),
            points: t
                .rows
                .iter()
                .map(|r| (x(r.timesteps), f(r)))
                .filter(|p| p.1 >= lo)
                .collect(),
        };
        let first = t.rows.first().map_or(0, |r| r.timesteps);
        let last = t.rows.last().map_or(1, |r| r.timesteps);
        vec![
            Series {
                label: format!("float ANN ({:.2}%)", t.float_test),
                points: vec![(x(first), t.float_test), (x(last), t.float_test)],
            },
            pick("TMN", &|r| r.tmn.plain),
            pick("TMN + L4", &|r| r.tmn.l4),
            pick("IF (rate)", &|r| r.if_.plain),
            pick("IF (rate) + L4", &|r| r.if_.l4),
            pick("LIF (rate)", &|r| r.lif.test),
        ]
    };
    let lo = (t.float_test - 5.0).floor();
    let panels = [
        Panel {
            title: "all T".into(),
            y_label: "test accuracy (%)".into(),
            series: series(0.0),
            y_from: None,
            empty_note: "no rows".into(),
        },
        Panel {
            title: format!("zoom: points at or above {lo}%"),
            y_label: "test accuracy (%)".into(),
            series: series(lo),
            y_from: Some(lo),
            empty_note: "no point in this range".into(),
        },
    ];
    let ts: Vec<String> = t.rows.iter().map(|r| r.timesteps.to_string()).collect();
    chart(
        title,
        "log2(T)",
        &panels,
        &[format!(
            "T evaluated: {}; {} test images; golden model (bit-exact with the RTL)",
            ts.join(", "),
            t.test_images
        )],
    )
}
