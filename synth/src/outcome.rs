//! The typed outcomes of a run: the fit verdict and the place-and-route
//! status. They serialize to the same strings the report JSON has always
//! carried (`"fits"`, `"routed"`, ...), and print the same way.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Does the design fit the part?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    #[serde(rename = "fits")]
    Fits,
    /// Yosys's counts leave it open (iCE40 logic cells before packing).
    #[serde(rename = "may not fit")]
    MayNotFit,
    #[serde(rename = "does not fit")]
    DoesNotFit,
    /// The `generic` target: no device to fit.
    #[serde(rename = "no part")]
    NoPart,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fits => "fits",
            Verdict::MayNotFit => "may not fit",
            Verdict::DoesNotFit => "does not fit",
            Verdict::NoPart => "no part",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What became of place and route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PnrStatus {
    #[serde(rename = "routed")]
    Routed,
    /// nextpnr exited with an error.
    #[serde(rename = "failed")]
    Failed,
    /// Not attempted: the design does not fit the part.
    #[serde(rename = "skipped")]
    Skipped,
}

impl PnrStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PnrStatus::Routed => "routed",
            PnrStatus::Failed => "failed",
            PnrStatus::Skipped => "skipped",
        }
    }
}

impl fmt::Display for PnrStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_display_keep_the_old_strings() {
        for (v, s) in [
            (Verdict::Fits, "fits"),
            (Verdict::MayNotFit, "may not fit"),
            (Verdict::DoesNotFit, "does not fit"),
            (Verdict::NoPart, "no part"),
        ] {
            assert_eq!(serde_json::to_value(v).unwrap(), s);
            assert_eq!(v.to_string(), s);
            assert_eq!(serde_json::from_value::<Verdict>(s.into()).unwrap(), v);
        }
        for (p, s) in [
            (PnrStatus::Routed, "routed"),
            (PnrStatus::Failed, "failed"),
            (PnrStatus::Skipped, "skipped"),
        ] {
            assert_eq!(serde_json::to_value(p).unwrap(), s);
            assert_eq!(p.to_string(), s);
            assert_eq!(serde_json::from_value::<PnrStatus>(s.into()).unwrap(), p);
        }
    }
}
