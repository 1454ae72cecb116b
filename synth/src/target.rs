//! Synthesis targets, the parts they stand for, and the capacities the fit
//! check uses.
//!
//! Capacities (vendor data sheets):
//! - iCE40UP5K (package SG48): 5,280 logic cells (LUT4 + carry + DFF each),
//!   30 EBR blocks (4 Kbit), 8 DSP blocks (SB_MAC16), 4 SPRAM blocks, 39 I/O.
//! - iCE40HX8K (package CT256): 7,680 logic cells, 32 EBR blocks, no DSP,
//!   206 I/O.
//! - `xilinx-7` has no place and route here; its fit check is against the
//!   Artix-7 XC7A35T (5,200 slices): 20,800 LUTs, 41,600 flip-flops,
//!   5,200 CARRY4, 90 DSP48E1, 50 RAMB36 (100 RAMB18).
//! - `generic` is a gate-level count with no part.
//!
//! After place and route the report uses nextpnr's own `available` numbers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The cell-library family a target maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    #[serde(rename = "ice40")]
    Ice40,
    #[serde(rename = "xilinx-7")]
    Xilinx7,
    #[serde(rename = "generic")]
    Generic,
}

impl Family {
    /// The matching estimate family in `crate::estimate`, if there is one.
    pub fn estimate(self) -> Option<crate::estimate::Family> {
        match self {
            Family::Ice40 => Some(crate::estimate::Family::Ice40),
            Family::Xilinx7 => Some(crate::estimate::Family::Xilinx7),
            Family::Generic => None,
        }
    }
}

/// A synthesis target (`--target`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    #[serde(rename = "ice40-up5k")]
    Ice40Up5k,
    #[serde(rename = "ice40-hx8k")]
    Ice40Hx8k,
    #[serde(rename = "xilinx-7")]
    Xilinx7,
    #[serde(rename = "generic")]
    Generic,
}

/// One resource of a part and how many it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// Report name of the resource (`logic cells`, `LUTs`, `DSPs`, ...).
    pub resource: &'static str,
    pub available: u64,
}

/// The part a target's fit check uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub name: &'static str,
    pub package: &'static str,
    pub capacities: Vec<Capacity>,
}

impl Target {
    pub const ALL: [Target; 4] = [
        Target::Ice40Up5k,
        Target::Ice40Hx8k,
        Target::Xilinx7,
        Target::Generic,
    ];

    /// The `--target` spelling.
    pub fn name(self) -> &'static str {
        match self {
            Target::Ice40Up5k => "ice40-up5k",
            Target::Ice40Hx8k => "ice40-hx8k",
            Target::Xilinx7 => "xilinx-7",
            Target::Generic => "generic",
        }
    }

    /// Parses a `--target` value; the error is one line naming the accepted values.
    pub fn parse(s: &str) -> Result<Target, String> {
        Target::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| {
                format!(
                    "--target: {s:?} is not one of {}",
                    Target::ALL.map(Target::name).join(", ")
                )
            })
    }

    pub fn family(self) -> Family {
        match self {
            Target::Ice40Up5k | Target::Ice40Hx8k => Family::Ice40,
            Target::Xilinx7 => Family::Xilinx7,
            Target::Generic => Family::Generic,
        }
    }

    /// True when `--pnr` is available (nextpnr-ice40).
    pub fn can_pnr(self) -> bool {
        self.family() == Family::Ice40
    }

    /// nextpnr-ice40's device flag and package.
    pub fn nextpnr_device(self) -> Option<(&'static str, &'static str)> {
        match self {
            Target::Ice40Up5k => Some(("--up5k", "sg48")),
            Target::Ice40Hx8k => Some(("--hx8k", "ct256")),
            _ => None,
        }
    }

    /// The part the fit check uses (`None` for `generic`).
    pub fn part(self) -> Option<Part> {
        let cap = |resource, available| Capacity {
            resource,
            available,
        };
        match self {
            Target::Ice40Up5k => Some(Part {
                name: "iCE40UP5K",
                package: "SG48",
                capacities: vec![
                    cap("logic cells", 5280),
                    cap("block RAMs", 30),
                    cap("DSPs", 8),
                    cap("I/O", 39),
                ],
            }),
            Target::Ice40Hx8k => Some(Part {
                name: "iCE40HX8K",
                package: "CT256",
                capacities: vec![
                    cap("logic cells", 7680),
                    cap("block RAMs", 32),
                    cap("DSPs", 0),
                    cap("I/O", 206),
                ],
            }),
            Target::Xilinx7 => Some(Part {
                name: "XC7A35T (reference part for xilinx-7)",
                package: "",
                capacities: vec![
                    cap("LUTs", 20800),
                    cap("flip-flops", 41600),
                    cap("carry cells", 5200),
                    cap("DSPs", 90),
                    cap("block RAMs", 100),
                ],
            }),
            Target::Generic => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_errors_are_one_line() {
        for t in Target::ALL {
            assert_eq!(Target::parse(t.name()), Ok(t));
        }
        let e = Target::parse("ice40").unwrap_err();
        assert_eq!(
            e,
            "--target: \"ice40\" is not one of ice40-up5k, ice40-hx8k, xilinx-7, generic"
        );
    }
}
