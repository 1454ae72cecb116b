//! Synthesis of a whole network (`snn_network`, one core per layer): Yosys
//! only, hierarchy kept, cells per layer and in total, and the fit verdict
//! from cell counts. No place and route: a network that fits is wrapped and
//! placed per layer with `snnrtl synth`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use crate::cells::Cells;
use crate::error::{Result, SynthError};
use crate::flow::{fit_from_counts, Tools};
use crate::report::{Fit, ToolVersion};
use crate::target::Target;
use crate::{constraints, yosys};

/// Version of [`NetworkReport`]'s JSON.
pub const NETWORK_FORMAT_VERSION: u32 = 1;

/// Cells of one part of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartCells {
    /// `layer 0`, ..., or `network glue` (the top's own cells).
    pub part: String,
    pub cells: Cells,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkReport {
    pub format_version: u32,
    pub target: String,
    pub top: String,
    pub cells: Cells,
    pub cells_by_type: BTreeMap<String, u64>,
    pub parts: Vec<PartCells>,
    pub fit: Fit,
    pub tools: Vec<ToolVersion>,
    pub seconds: f64,
}

/// The part a module belongs to: `snn_l3_pe` -> `layer 3`.
fn part_of(module: &str) -> String {
    module
        .strip_prefix("snn_l")
        .and_then(|r| r.split('_').next())
        .and_then(|k| k.parse::<usize>().ok())
        .map_or_else(|| "network glue".to_string(), |k| format!("layer {k}"))
}

/// Synthesizes the Verilog `files` (name, text) with top `top` for `target`
/// in `dir` (created; kept for inspection).
pub fn synthesize_network(
    files: &[(String, String)],
    top: &str,
    target: Target,
    tools: &Tools,
    dir: &Path,
) -> Result<NetworkReport> {
    let start = Instant::now();
    std::fs::create_dir_all(dir).map_err(SynthError::io(dir, "cannot create"))?;
    let mut names = vec![];
    for (name, text) in files {
        if name.ends_with(".v") {
            std::fs::write(dir.join(name), text)
                .map_err(SynthError::io(dir.join(name), "cannot write"))?;
            names.push(name.clone());
        }
    }
    let (cname, ctext) = constraints::clock_file(target, 100.0, None);
    std::fs::write(dir.join(&cname), ctext)
        .map_err(SynthError::io(dir.join(&cname), "cannot write"))?;
    let script = yosys::script(target, &names, top, top, false);
    yosys::run(&tools.yosys, dir, &script)?;
    let stat_path = dir.join(yosys::STAT_FILE);
    let stat_text = std::fs::read_to_string(&stat_path)
        .map_err(SynthError::io(&stat_path, "Yosys wrote no statistics"))?;
    let stat = yosys::parse_stat(&stat_text)?;
    let (instances, expanded) = stat.hierarchy(top)?;
    let family = target.family();
    let mut parts: BTreeMap<String, Cells> = BTreeMap::new();
    for (m, n) in &instances {
        let c = Cells::of(family, &stat.own_cells(m)).times(*n);
        let e = parts.entry(part_of(m)).or_default();
        *e = e.plus(&c);
    }
    let mut parts: Vec<PartCells> = parts
        .into_iter()
        .map(|(part, cells)| PartCells { part, cells })
        .collect();
    parts.sort_by_key(|p| {
        p.part
            .strip_prefix("layer ")
            .and_then(|k| k.parse::<usize>().ok())
            .unwrap_or(usize::MAX)
    });
    let cells = Cells::of(family, &expanded);
    if cells.total() == 0 {
        return Err(SynthError::NoCells {
            top: top.to_string(),
        });
    }
    let fit = fit_from_counts(target, &cells, None);
    Ok(NetworkReport {
        format_version: NETWORK_FORMAT_VERSION,
        target: target.name().to_string(),
        top: top.to_string(),
        cells,
        cells_by_type: expanded,
        parts,
        fit,
        tools: vec![ToolVersion {
            tool: "yosys".into(),
            path: tools.yosys.path.display().to_string(),
            version: tools.yosys.version.clone(),
        }],
        seconds: start.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::part_of;

    #[test]
    fn modules_group_by_layer_prefix() {
        assert_eq!(part_of("snn_l0_pe"), "layer 0");
        assert_eq!(part_of("snn_l12_core"), "layer 12");
        assert_eq!(part_of("snn_network"), "network glue");
    }
}
