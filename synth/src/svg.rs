//! A small hand-written SVG line chart: side-by-side panels sharing an x
//! axis, one polyline (with point markers) per series, one legend.

use std::fmt::Write as _;

/// One line of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// `(x, y)` points, drawn in x order.
    pub points: Vec<(f64, f64)>,
}

/// One chart panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// Shown instead of the plot when no series has points.
    pub empty_note: String,
    /// The y axis starts here (`None`: at 0).
    pub y_from: Option<f64>,
}

const COLORS: [&str; 8] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
];

/// XML-escapes `s`.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Round tick positions from `lo` rounded down to the first tick at or
/// above `hi`: steps of 1, 2 or 5 times a power of ten.
pub fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let mut v = vec![];
    let mut t = first;
    while v.len() < 20 {
        v.push(t);
        if t >= hi - step * 1e-9 {
            break;
        }
        t += step;
    }
    v
}

fn fmt_tick(v: f64) -> String {
    if v.abs() >= 10000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The chart as an SVG document; `notes` are printed under the legend.
pub fn chart(title: &str, x_label: &str, panels: &[Panel], notes: &[String]) -> String {
    let (pw, ph) = (360.0, 280.0);
    let (ml, mr, mt, mb) = (64.0, 16.0, 60.0, 52.0);
    let labels: Vec<&String> = {
        let mut l: Vec<&String> = vec![];
        for p in panels {
            for s in &p.series {
                if !l.contains(&&s.label) {
                    l.push(&s.label);
                }
            }
        }
        l
    };
    let legend_h = 20.0 * (labels.len() + notes.len()) as f64 + 10.0;
    let width = panels.len().max(1) as f64 * (pw + ml + mr) + 20.0;
    let height = mt + ph + mb + legend_h;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="24" text-anchor="middle" font-size="15" font-weight="bold">{}</text>"#,
        width / 2.0,
        esc(title)
    );
    for (i, p) in panels.iter().enumerate() {
        let x0 = 10.0 + i as f64 * (pw + ml + mr) + ml;
        let y0 = mt;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            x0 + pw / 2.0,
            y0 - 12.0,
            esc(&p.title)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##
        );
        let pts: Vec<(f64, f64)> = p.series.iter().flat_map(|s| s.points.clone()).collect();
        if pts.is_empty() {
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{}" text-anchor="middle" fill="#666">{}</text>"##,
                x0 + pw / 2.0,
                y0 + ph / 2.0,
                esc(&p.empty_note)
            );
            continue;
        }
        let (xmin, xmax) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let ymax = pts.iter().fold(f64::MIN, |a, p| a.max(p.1));
        let xt: Vec<f64> = ticks(xmin, xmax)
            .into_iter()
            .filter(|t| *t <= xmax)
            .collect();
        let y_from = p.y_from.unwrap_or(0.0);
        let yt = ticks(y_from, ymax);
        let (xlo, xhi) = (xt[0].min(xmin), xmax.max(xt[0] + 1.0));
        let (ylo, yhi) = (yt[0].min(y_from), yt[yt.len() - 1].max(ymax));
        let sx = |x: f64| x0 + (x - xlo) / (xhi - xlo).max(1e-9) * pw;
        let sy = |y: f64| y0 + ph - (y - ylo) / (yhi - ylo).max(1e-9) * ph;
        for t in &xt {
            let x = sx(*t);
            let _ = writeln!(
                s,
                r##"<line x1="{x:.1}" y1="{y0}" x2="{x:.1}" y2="{}" stroke="#ddd"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
                y0 + ph,
                y0 + ph + 16.0,
                fmt_tick(*t)
            );
        }
        for t in &yt {
            let y = sy(*t);
            let _ = writeln!(
                s,
                r##"<line x1="{x0}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
                x0 + pw,
                x0 - 6.0,
                y + 4.0,
                fmt_tick(*t)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x0 + pw / 2.0,
            y0 + ph + 36.0,
            esc(x_label)
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">{}</text>"#,
            x0 - 48.0,
            y0 + ph / 2.0,
            x0 - 48.0,
            y0 + ph / 2.0,
            esc(&p.y_label)
        );
        for se in &p.series {
            let color =
                COLORS[labels.iter().position(|l| **l == se.label).unwrap_or(0) % COLORS.len()];
            let mut pts = se.points.clone();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let line: Vec<String> = pts
                .iter()
                .map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y)))
                .collect();
            let _ = writeln!(
                s,
                r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"><title>{}</title></polyline>"#,
                line.join(" "),
                esc(&se.label)
            );
            for (x, y) in &pts {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{}: {} at {}</title></circle>"#,
                    sx(*x),
                    sy(*y),
                    esc(&se.label),
                    fmt_tick(*y),
                    fmt_tick(*x)
                );
            }
        }
    }
    let ly = mt + ph + mb;
    for (i, l) in labels.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let y = ly + 20.0 * i as f64 + 10.0;
        let _ = writeln!(
            s,
            r#"<line x1="20" y1="{y}" x2="44" y2="{y}" stroke="{color}" stroke-width="3"/><text x="50" y="{}">{}</text>"#,
            y + 4.0,
            esc(l)
        );
    }
    for (i, n) in notes.iter().enumerate() {
        let y = ly + 20.0 * (labels.len() + i) as f64 + 14.0;
        let _ = writeln!(s, r##"<text x="20" y="{y}" fill="#444">{}</text>"##, esc(n));
    }
    s += "</svg>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            ticks(0.0, 1000.0),
            vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]
        );
        assert_eq!(ticks(0.0, 6836.0).last(), Some(&8000.0));
        assert_eq!(ticks(4.0, 64.0)[0], 0.0);
        assert!(ticks(5.0, 5.0).len() >= 2);
    }

    #[test]
    fn chart_has_a_line_per_series_and_escapes_text() {
        let p = Panel {
            title: "LUTs <all>".into(),
            y_label: "LUTs".into(),
            series: vec![
                Series {
                    label: "tmn".into(),
                    points: vec![(16.0, 300.0), (4.0, 100.0)],
                },
                Series {
                    label: "if".into(),
                    points: vec![(4.0, 90.0)],
                },
            ],
            y_from: None,
            empty_note: String::new(),
        };
        let empty = Panel {
            title: "Fmax".into(),
            y_label: "MHz".into(),
            series: vec![],
            y_from: None,
            empty_note: "not measured".into(),
        };
        let svg = chart("t", "PEs", &[p, empty], &["a note".to_string()]);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("LUTs &lt;all&gt;"));
        assert!(svg.contains("not measured"));
        assert!(svg.contains(">a note</text>"));
    }
}
