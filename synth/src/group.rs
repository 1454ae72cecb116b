//! The groups a cost is booked to: the PEs, the array around them, the
//! neuron units, the core's control, and the place-and-route wrapper. A
//! module's group comes from its name; a placed cell's from its
//! hierarchical name. JSON and text use the same lower-case names as
//! always (`"pe"`, `"carry feed-in"`, ...), and maps keyed by group keep
//! the alphabetical order of those names.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

use crate::flow::Top;
use crate::wrap;

/// A group of the core (or the wrapper around it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Group {
    #[serde(rename = "pe")]
    Pe,
    #[serde(rename = "array")]
    Array,
    #[serde(rename = "neuron")]
    Neuron,
    #[serde(rename = "control")]
    Control,
    #[serde(rename = "wrapper")]
    Wrapper,
    /// nextpnr's own logic cells feeding a carry chain (`$nextpnr_...`).
    #[serde(rename = "carry feed-in")]
    CarryFeedIn,
    #[serde(rename = "other")]
    Other,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Pe => "pe",
            Group::Array => "array",
            Group::Neuron => "neuron",
            Group::Control => "control",
            Group::Wrapper => "wrapper",
            Group::CarryFeedIn => "carry feed-in",
            Group::Other => "other",
        }
    }

    /// Position in the per-module table: PE, array, neuron units, control,
    /// then the rest.
    pub fn rank(self) -> u8 {
        match self {
            Group::Pe => 0,
            Group::Array => 1,
            Group::Neuron => 2,
            Group::Control => 3,
            _ => 4,
        }
    }

    /// The group of a module of the core.
    pub fn of_module(module: &str) -> Group {
        match module {
            "snn_pe" => Group::Pe,
            // The folded elm core's synapse stage stands where the array was.
            "snn_array" | "snn_elm_synapses" | "snn_elm_weights" => Group::Array,
            "snn_core" => Group::Control,
            wrap::WRAPPER => Group::Wrapper,
            m if m.starts_with("snn_") => Group::Neuron,
            _ => Group::Other,
        }
    }

    /// The group a place-and-route cell or net belongs to, from its
    /// hierarchical name (`dut.array.pe_r0_c1.x`, `dut.neuron_c2.y`, `dut.z`).
    pub fn of_path(name: &str, top: Top) -> Group {
        if name.starts_with("$nextpnr") {
            return Group::CarryFeedIn;
        }
        let segs: Vec<&str> = name.split('.').collect();
        if segs.len() < 2 || segs[0] != wrap::DUT {
            return Group::Wrapper;
        }
        let inner = &segs[1..segs.len() - 1];
        if inner.iter().any(|s| s.starts_with("pe_r")) {
            Group::Pe
        } else if inner.iter().any(|s| s.starts_with("neuron_c")) {
            Group::Neuron
        } else if matches!(inner.first(), Some(&"array") | Some(&"synapses")) || top == Top::Array {
            Group::Array
        } else {
            Group::Control
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// By name, so JSON maps keyed by group come out as they did with strings.
impl Ord for Group {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Group {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn path_names_map_to_groups() {
        let g = Group::of_path;
        assert_eq!(g("dut.array.pe_r3_c4.psum_LC", Top::Core), Group::Pe);
        assert_eq!(g("dut.array.deskew_c0_d1_DFFLC", Top::Core), Group::Array);
        assert_eq!(
            g("dut.neuron_c0.m_SB_LUT4_O_7_LC", Top::Core),
            Group::Neuron
        );
        assert_eq!(
            g("dut.ctl_step_d14_SB_DFFE_Q_2_DFFLC", Top::Core),
            Group::Control
        );
        assert_eq!(g("out_sr_SB_DFFSR_Q_DFFLC", Top::Core), Group::Wrapper);
        assert_eq!(g("$nextpnr_ICESTORM_LC_68", Top::Core), Group::CarryFeedIn);
        assert_eq!(g("dut.skew_r1_d0_DFFLC", Top::Array), Group::Array);
        assert_eq!(g("dut.pe_r0_c0.sum_LC", Top::Array), Group::Pe);
    }

    #[test]
    fn module_names_map_to_groups() {
        assert_eq!(Group::of_module("snn_pe"), Group::Pe);
        assert_eq!(Group::of_module("snn_array"), Group::Array);
        assert_eq!(Group::of_module("snn_tmn"), Group::Neuron);
        assert_eq!(Group::of_module("snn_core"), Group::Control);
        assert_eq!(Group::of_module(wrap::WRAPPER), Group::Wrapper);
        assert_eq!(Group::of_module("tern_acc"), Group::Other);
    }

    #[test]
    fn json_keeps_the_names_and_their_order() {
        let m: BTreeMap<Group, u32> = [(Group::Pe, 1), (Group::Array, 2), (Group::Control, 3)]
            .into_iter()
            .collect();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"array":2,"control":3,"pe":1}"#
        );
        assert_eq!(
            serde_json::to_value(Group::CarryFeedIn).unwrap(),
            "carry feed-in"
        );
    }
}
