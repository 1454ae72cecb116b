//! Cell types grouped into what a hardware engineer budgets: LUTs, carry
//! cells, flip-flops, DSPs, block RAMs (and, per family, shift-register LUTs,
//! wide-function muxes, gates, I/O buffers).

use crate::target::Family;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cell counts by category. Categories a family does not have stay 0.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cells {
    /// iCE40 `SB_LUT4`; Xilinx `LUT1..LUT6` and `INV` (a LUT1).
    pub luts: u64,
    /// iCE40 `SB_CARRY`; Xilinx `CARRY4`/`CARRY8`.
    pub carries: u64,
    /// Every flip-flop type (`SB_DFF*`, `FD*`, `$_DFF*`, `$_SDFF*`, ...).
    pub ffs: u64,
    /// `SB_MAC16`, `DSP48E1`.
    pub dsps: u64,
    /// `SB_RAM40_4K*`, `SB_SPRAM256KA`, `RAMB18E1`, `RAMB36E1`.
    pub brams: u64,
    /// Xilinx LUTs used as shift registers or RAM (`SRL16E`, `SRLC32E`, `RAM*`).
    pub lut_mem: u64,
    /// Xilinx `MUXF7`/`MUXF8` (inside slices, not LUTs).
    pub muxes: u64,
    /// Generic flow: simple gates (`$_AND_`, `$_XOR_`, `$_MUX_`, ...).
    pub gates: u64,
    /// I/O and clock buffers (`SB_IO`, `SB_GB`, `IBUF`, `BUFG`, ...).
    pub io: u64,
    /// Anything else (listed by type in `cells_by_type`).
    pub other: u64,
}

/// The category of one cell type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Lut,
    Carry,
    Ff,
    Dsp,
    Bram,
    LutMem,
    Mux,
    Gate,
    Io,
    Other,
}

/// The category of `cell_type` in `family`.
pub fn classify(family: Family, cell_type: &str) -> Category {
    let t = cell_type;
    match family {
        Family::Ice40 => match t {
            "SB_LUT4" => Category::Lut,
            "SB_CARRY" => Category::Carry,
            "SB_MAC16" => Category::Dsp,
            "SB_SPRAM256KA" => Category::Bram,
            "SB_IO" | "SB_GB" | "SB_GB_IO" | "SB_IO_OD" => Category::Io,
            _ if t.starts_with("SB_DFF") => Category::Ff,
            _ if t.starts_with("SB_RAM40_4K") => Category::Bram,
            _ => Category::Other,
        },
        Family::Xilinx7 => match t {
            "INV" | "LUT1" | "LUT2" | "LUT3" | "LUT4" | "LUT5" | "LUT6" | "LUT6_2" => Category::Lut,
            "CARRY4" | "CARRY8" => Category::Carry,
            "FDRE" | "FDSE" | "FDCE" | "FDPE" | "FDRE_1" | "FDSE_1" | "FDCE_1" | "FDPE_1" => {
                Category::Ff
            }
            "MUXF7" | "MUXF8" | "MUXF9" => Category::Mux,
            "RAMB18E1" | "RAMB36E1" | "RAMB18E2" | "RAMB36E2" => Category::Bram,
            _ if t.starts_with("DSP48") => Category::Dsp,
            _ if t.starts_with("SRL") || t.starts_with("RAM") => Category::LutMem,
            _ if t.starts_with("IBUF")
                || t.starts_with("OBUF")
                || t.starts_with("BUFG")
                || t.starts_with("IOBUF") =>
            {
                Category::Io
            }
            _ => Category::Other,
        },
        Family::Generic => {
            let ff = [
                "$_DFF", "$_SDFF", "$_DFFE", "$_SDFFE", "$_SDFFCE", "$_DFFSR", "$_ALDFF",
            ];
            if ff.iter().any(|p| t.starts_with(p)) || t.starts_with("$_DLATCH") {
                Category::Ff
            } else if t.starts_with("$_") {
                Category::Gate
            } else if t.starts_with("$mem") {
                Category::Bram
            } else {
                Category::Other
            }
        }
    }
}

impl Cells {
    /// Counts `by_type` (leaf cells only) by category.
    pub fn of(family: Family, by_type: &BTreeMap<String, u64>) -> Cells {
        let mut c = Cells::default();
        for (t, &n) in by_type {
            c.add(classify(family, t), n);
        }
        c
    }

    fn add(&mut self, cat: Category, n: u64) {
        let slot = match cat {
            Category::Lut => &mut self.luts,
            Category::Carry => &mut self.carries,
            Category::Ff => &mut self.ffs,
            Category::Dsp => &mut self.dsps,
            Category::Bram => &mut self.brams,
            Category::LutMem => &mut self.lut_mem,
            Category::Mux => &mut self.muxes,
            Category::Gate => &mut self.gates,
            Category::Io => &mut self.io,
            Category::Other => &mut self.other,
        };
        *slot += n;
    }

    /// `self * n`.
    pub fn times(&self, n: u64) -> Cells {
        Cells {
            luts: self.luts * n,
            carries: self.carries * n,
            ffs: self.ffs * n,
            dsps: self.dsps * n,
            brams: self.brams * n,
            lut_mem: self.lut_mem * n,
            muxes: self.muxes * n,
            gates: self.gates * n,
            io: self.io * n,
            other: self.other * n,
        }
    }

    /// `self + o`.
    pub fn plus(&self, o: &Cells) -> Cells {
        Cells {
            luts: self.luts + o.luts,
            carries: self.carries + o.carries,
            ffs: self.ffs + o.ffs,
            dsps: self.dsps + o.dsps,
            brams: self.brams + o.brams,
            lut_mem: self.lut_mem + o.lut_mem,
            muxes: self.muxes + o.muxes,
            gates: self.gates + o.gates,
            io: self.io + o.io,
            other: self.other + o.other,
        }
    }

    /// Every cell counted once.
    pub fn total(&self) -> u64 {
        self.luts
            + self.carries
            + self.ffs
            + self.dsps
            + self.brams
            + self.lut_mem
            + self.muxes
            + self.gates
            + self.io
            + self.other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_classify_their_cells() {
        assert_eq!(classify(Family::Ice40, "SB_DFFESR"), Category::Ff);
        assert_eq!(classify(Family::Ice40, "SB_RAM40_4KNR"), Category::Bram);
        assert_eq!(classify(Family::Xilinx7, "SRLC32E"), Category::LutMem);
        assert_eq!(classify(Family::Xilinx7, "DSP48E1"), Category::Dsp);
        assert_eq!(classify(Family::Xilinx7, "INV"), Category::Lut);
        assert_eq!(classify(Family::Generic, "$_SDFFE_PP0P_"), Category::Ff);
        assert_eq!(classify(Family::Generic, "$_XNOR_"), Category::Gate);
        let m: BTreeMap<String, u64> = [("SB_LUT4", 5), ("SB_CARRY", 3), ("SB_DFFE", 7)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let c = Cells::of(Family::Ice40, &m);
        assert_eq!((c.luts, c.carries, c.ffs, c.total()), (5, 3, 7, 15));
    }
}
