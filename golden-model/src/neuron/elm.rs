//! `elm`: the Expressive Leaky Memory neuron (arXiv 2306.16922) in SPEC
//! section 7's integer form: the Branch-ELM with per-branch synaptic traces,
//! shift decays `1 - 2^-k`, a two-layer integer MLP with a table for
//! `1.7159 tanh(2x/3)`, and a linear readout. One `elm` layer is one neuron
//! model: its `weights` rows are the branches (`W[branches][inputs]`, the
//! synapses of SPEC section 3) and `outputs` is the readout size.
//!
//! Per step t, with `I[t][j]` the branch currents (every shift floors):
//! ```text
//! q[j]  = q[j] - (q[j] >> trace_shift) + (I[t][j] << trace_frac_bits)
//! md[u] = m[u] - (m[u] >> memory_shifts[u])
//! z[h]  = sum_j w_branch[h][j]*q[j] + sum_u w_memory[h][u]*md[u] + b_hidden[h]
//! a[h]  = min(max(z[h], 0) >> hidden_shift, hidden_max)
//! y[u]  = sum_h w_delta[u][h]*a[h] + b_delta[u]
//! dm[u] = table[clamp(y[u] >> table_shift, -L, L-1) + L]
//! m[u]  = md[u] + ((lambda * dm[u]) >> memory_shifts[u])
//! r[t][k] = sum_u readout[k][u]*m[u] + readout_bias[k]
//! ```

use crate::config::signed_range;
use crate::error::ConfigError;
use crate::json_path::{self, Obj};
use crate::widths::{bits, max_magnitude};

/// Accepted ranges of the ELM parameters (SPEC section 7).
pub mod limits {
    pub const BRANCHES: (i64, i64) = (1, 256);
    pub const MEMORY: (i64, i64) = (1, 64);
    pub const HIDDEN: (i64, i64) = (1, 256);
    pub const MLP_BITS: (i64, i64) = (2, 16);
    pub const SHIFT: (i64, i64) = (1, 16);
    pub const TRACE_FRAC_BITS: (i64, i64) = (0, 8);
    pub const LAMBDA: (i64, i64) = (1, 16);
    pub const HIDDEN_SHIFT: (i64, i64) = (0, 32);
    pub const HIDDEN_MAX: (i64, i64) = (1, 65535);
    pub const TABLE_SHIFT: (i64, i64) = (0, 32);
    pub const TABLE_LEN: (i64, i64) = (2, 1024);
    /// Every derived ELM width must fit this (the golden model computes in
    /// `i64`; products of two such values stay below 2^126 in `i128`).
    pub const MAX_BITS: u32 = 62;
}

/// The ELM neuron's parameters (the layer's `neuron` object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elm {
    pub memory: usize,
    pub hidden: usize,
    pub mlp_bits: u32,
    pub trace_shift: u32,
    pub trace_frac_bits: u32,
    pub memory_shifts: Vec<u32>,
    pub lambda: i64,
    /// `[hidden][branches]`.
    pub w_branch: Vec<Vec<i64>>,
    /// `[hidden][memory]`.
    pub w_memory: Vec<Vec<i64>>,
    pub b_hidden: Vec<i64>,
    pub hidden_shift: u32,
    pub hidden_max: i64,
    /// `[memory][hidden]`.
    pub w_delta: Vec<Vec<i64>>,
    pub b_delta: Vec<i64>,
    pub table_shift: u32,
    /// `2L` entries; index `y + L`.
    pub table: Vec<i64>,
    /// `[outputs][memory]`.
    pub readout: Vec<Vec<i64>>,
    pub readout_bias: Vec<i64>,
}

/// The widths SPEC section 7 derives (signed bits, nothing can overflow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElmWidths {
    /// Branch traces q.
    pub trace_bits: u32,
    /// Memory units m (and md).
    pub memory_bits: u32,
    /// Hidden pre-activation z.
    pub z_bits: u32,
    /// Hidden activation a (non-negative, <= hidden_max).
    pub a_bits: u32,
    /// MLP output y.
    pub y_bits: u32,
    /// Readout r.
    pub readout_bits: u32,
}

/// What the ELM did over one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElmTrace {
    /// `m` after each step, `[T][memory]`.
    pub state: Vec<Vec<i64>>,
    /// `r[t][k]`, `[T][outputs]`.
    pub readout: Vec<Vec<i64>>,
}

fn signed_bits(max_abs: u128) -> u32 {
    bits(max_abs) + 1
}

impl Elm {
    /// Derived widths for `branches` branch currents of `current_bits` bits.
    pub fn widths(&self, branches: usize, current_bits: u32) -> ElmWidths {
        let wm = max_magnitude(self.mlp_bits);
        let i_max = max_magnitude(current_bits);
        let q_max = (1u128 << self.trace_shift) * ((i_max << self.trace_frac_bits) + 1);
        let max_shift = self.memory_shifts.iter().copied().max().unwrap_or(1);
        let m_max = self.lambda as u128 * wm + (1u128 << max_shift);
        let z_max = branches as u128 * wm * q_max + self.memory as u128 * wm * m_max + wm;
        let a_max = self.hidden_max as u128;
        let y_max = self.hidden as u128 * wm * a_max + wm;
        let r_max = self.memory as u128 * wm * m_max + wm;
        ElmWidths {
            trace_bits: signed_bits(q_max),
            memory_bits: signed_bits(m_max),
            z_bits: signed_bits(z_max),
            a_bits: bits(a_max) + 1,
            y_bits: signed_bits(y_max),
            readout_bits: signed_bits(r_max),
        }
    }

    /// Half the table's length, `L`.
    pub fn half_table(&self) -> i64 {
        self.table.len() as i64 / 2
    }

    /// Runs one sample of branch currents `I[t][j]`.
    pub fn run(&self, currents: &[Vec<i64>]) -> ElmTrace {
        let branches = currents.first().map_or(0, Vec::len);
        let l = self.half_table();
        let mut q = vec![0i64; branches];
        let mut m = vec![0i64; self.memory];
        let mut tr = ElmTrace {
            state: Vec::with_capacity(currents.len()),
            readout: Vec::with_capacity(currents.len()),
        };
        for row in currents {
            for (qj, &i) in q.iter_mut().zip(row) {
                *qj = *qj - (*qj >> self.trace_shift) + (i << self.trace_frac_bits);
            }
            let md: Vec<i64> = m
                .iter()
                .zip(&self.memory_shifts)
                .map(|(&mu, &k)| mu - (mu >> k))
                .collect();
            let a: Vec<i64> = (0..self.hidden)
                .map(|h| {
                    let z =
                        dot(&self.w_branch[h], &q) + dot(&self.w_memory[h], &md) + self.b_hidden[h];
                    (z.max(0) >> self.hidden_shift).min(self.hidden_max)
                })
                .collect();
            for (u, mu) in m.iter_mut().enumerate() {
                let y = dot(&self.w_delta[u], &a) + self.b_delta[u];
                let idx = (y >> self.table_shift).clamp(-l, l - 1) + l;
                let dm = self.table[idx as usize];
                *mu = md[u] + ((self.lambda * dm) >> self.memory_shifts[u]);
            }
            tr.readout.push(
                self.readout
                    .iter()
                    .zip(&self.readout_bias)
                    .map(|(w, &b)| dot(w, &m) + b)
                    .collect(),
            );
            tr.state.push(m.clone());
        }
        tr
    }

    /// Reads the `neuron` object of an `elm` layer (types, scalar ranges and
    /// shapes), for `branches` rows of the layer's weights and `outputs`
    /// readout values; [`Elm::check`] checks the rest.
    pub fn parse(o: &Obj, branches: usize, outputs: usize) -> Result<Elm, ConfigError> {
        use limits::*;
        let memory = o.int_in("memory", MEMORY.0, MEMORY.1)? as usize;
        let hidden = o.int_in("hidden", HIDDEN.0, HIDDEN.1)? as usize;
        let vec = |k: &str, len: usize, what: &str| -> Result<Vec<i64>, ConfigError> {
            let p = o.field_path(k);
            let a = json_path::array(o.req(k)?, &p)?;
            if a.len() != len {
                return Err(ConfigError::new(
                    p,
                    format!("needs one entry per {what} ({len}), found {}", a.len()),
                ));
            }
            a.iter()
                .enumerate()
                .map(|(i, x)| json_path::int(x, &format!("{p}[{i}]")))
                .collect()
        };
        // Rows are named by their own path, so a short row points at itself.
        let matrix = |k: &str, rows: usize, rows_what: &str, cols: usize, cols_what: &str| {
            let p = o.field_path(k);
            let a = json_path::array(o.req(k)?, &p)?;
            if a.len() != rows {
                return Err(ConfigError::new(
                    p,
                    format!("needs one row per {rows_what} ({rows}), found {}", a.len()),
                ));
            }
            a.iter()
                .enumerate()
                .map(|(r, row)| {
                    let rp = format!("{p}[{r}]");
                    let cells = json_path::array(row, &rp)?;
                    if cells.len() != cols {
                        return Err(ConfigError::new(
                            rp,
                            format!(
                                "row length must equal the number of {cols_what} ({cols}), found {}",
                                cells.len()
                            ),
                        ));
                    }
                    cells
                        .iter()
                        .enumerate()
                        .map(|(c, x)| json_path::int(x, &format!("{rp}[{c}]")))
                        .collect()
                })
                .collect::<Result<Vec<Vec<i64>>, ConfigError>>()
        };
        let shifts = {
            let p = o.field_path("memory_shifts");
            let a = json_path::array(o.req("memory_shifts")?, &p)?;
            if a.len() != memory {
                return Err(ConfigError::new(
                    p,
                    format!(
                        "needs one shift per memory unit ({memory}), found {}",
                        a.len()
                    ),
                ));
            }
            a.iter()
                .enumerate()
                .map(|(i, x)| json_path::int_in(x, &format!("{p}[{i}]"), SHIFT.0, SHIFT.1))
                .map(|r| r.map(|x| x as u32))
                .collect::<Result<Vec<u32>, ConfigError>>()?
        };
        let table = {
            let p = o.field_path("table");
            let a = json_path::array(o.req("table")?, &p)?;
            a.iter()
                .enumerate()
                .map(|(i, x)| json_path::int(x, &format!("{p}[{i}]")))
                .collect::<Result<Vec<i64>, ConfigError>>()?
        };
        Ok(Elm {
            memory,
            hidden,
            mlp_bits: o.int_in("mlp_bits", MLP_BITS.0, MLP_BITS.1)? as u32,
            trace_shift: o.int_in("trace_shift", SHIFT.0, SHIFT.1)? as u32,
            trace_frac_bits: o.int_in("trace_frac_bits", TRACE_FRAC_BITS.0, TRACE_FRAC_BITS.1)?
                as u32,
            memory_shifts: shifts,
            lambda: o.int_in("lambda", LAMBDA.0, LAMBDA.1)?,
            w_branch: matrix(
                "w_branch",
                hidden,
                "hidden unit",
                branches,
                "branches (rows of layer.weights)",
            )?,
            w_memory: matrix("w_memory", hidden, "hidden unit", memory, "memory units")?,
            b_hidden: vec("b_hidden", hidden, "hidden unit")?,
            hidden_shift: o.int_in("hidden_shift", HIDDEN_SHIFT.0, HIDDEN_SHIFT.1)? as u32,
            hidden_max: o.int_in("hidden_max", HIDDEN_MAX.0, HIDDEN_MAX.1)?,
            w_delta: matrix("w_delta", memory, "memory unit", hidden, "hidden units")?,
            b_delta: vec("b_delta", memory, "memory unit")?,
            table_shift: o.int_in("table_shift", TABLE_SHIFT.0, TABLE_SHIFT.1)? as u32,
            table,
            readout: matrix("readout", outputs, "output", memory, "memory units")?,
            readout_bias: vec("readout_bias", outputs, "output")?,
        })
    }

    /// Checks the values of a typed ELM (SPEC section 7's ranges) for a
    /// layer with `branches` branches of `current_bits`-bit currents and
    /// `outputs` readout values; `path` is the neuron object's path.
    pub fn check(
        &self,
        branches: usize,
        outputs: usize,
        current_bits: u32,
        path: &str,
    ) -> Result<(), ConfigError> {
        use json_path::{check_in, check_len, check_shape};
        use limits::*;
        let f = |k: &str| json_path::join(path, k);
        check_in(self.memory as i64, &f("memory"), MEMORY.0, MEMORY.1)?;
        check_in(self.hidden as i64, &f("hidden"), HIDDEN.0, HIDDEN.1)?;
        check_in(
            i64::from(self.mlp_bits),
            &f("mlp_bits"),
            MLP_BITS.0,
            MLP_BITS.1,
        )?;
        check_in(
            i64::from(self.trace_shift),
            &f("trace_shift"),
            SHIFT.0,
            SHIFT.1,
        )?;
        check_in(
            i64::from(self.trace_frac_bits),
            &f("trace_frac_bits"),
            TRACE_FRAC_BITS.0,
            TRACE_FRAC_BITS.1,
        )?;
        if self.memory_shifts.len() != self.memory {
            return Err(ConfigError::new(
                f("memory_shifts"),
                format!(
                    "needs one shift per memory unit ({}), found {}",
                    self.memory,
                    self.memory_shifts.len()
                ),
            ));
        }
        for (i, &k) in self.memory_shifts.iter().enumerate() {
            check_in(
                i64::from(k),
                &format!("{}[{i}]", f("memory_shifts")),
                SHIFT.0,
                SHIFT.1,
            )?;
        }
        check_in(self.lambda, &f("lambda"), LAMBDA.0, LAMBDA.1)?;
        check_in(
            i64::from(self.hidden_shift),
            &f("hidden_shift"),
            HIDDEN_SHIFT.0,
            HIDDEN_SHIFT.1,
        )?;
        check_in(
            self.hidden_max,
            &f("hidden_max"),
            HIDDEN_MAX.0,
            HIDDEN_MAX.1,
        )?;
        check_in(
            i64::from(self.table_shift),
            &f("table_shift"),
            TABLE_SHIFT.0,
            TABLE_SHIFT.1,
        )?;
        let n = self.table.len() as i64;
        if !(TABLE_LEN.0..=TABLE_LEN.1).contains(&n) || !(n as u64).is_power_of_two() {
            return Err(ConfigError::new(
                f("table"),
                format!(
                    "length {n} must be a power of two in {}..={}",
                    TABLE_LEN.0, TABLE_LEN.1
                ),
            ));
        }
        let (h, m) = (self.hidden, self.memory);
        check_shape(
            &self.w_branch,
            &f("w_branch"),
            h,
            "hidden",
            branches,
            "branches",
        )?;
        check_shape(&self.w_memory, &f("w_memory"), h, "hidden", m, "memory")?;
        check_len(&self.b_hidden, &f("b_hidden"), h, "hidden")?;
        check_shape(&self.w_delta, &f("w_delta"), m, "memory", h, "hidden")?;
        check_len(&self.b_delta, &f("b_delta"), m, "memory")?;
        check_shape(
            &self.readout,
            &f("readout"),
            outputs,
            "outputs",
            m,
            "memory",
        )?;
        check_len(&self.readout_bias, &f("readout_bias"), outputs, "outputs")?;
        // Every MLP weight, bias, readout value and table entry: mlp_bits.
        let (lo, hi) = signed_range(self.mlp_bits);
        let why = format!("the signed mlp_bits {} range", self.mlp_bits);
        for (name, m) in [
            ("w_branch", &self.w_branch),
            ("w_memory", &self.w_memory),
            ("w_delta", &self.w_delta),
            ("readout", &self.readout),
        ] {
            json_path::check_matrix_range(m, &f(name), lo, hi, &why)?;
        }
        for (name, v) in [
            ("b_hidden", &self.b_hidden),
            ("b_delta", &self.b_delta),
            ("table", &self.table),
            ("readout_bias", &self.readout_bias),
        ] {
            json_path::check_vec_range(v, &f(name), lo, hi, &why)?;
        }
        let w = self.widths(branches, current_bits);
        let widest = [
            ("trace", w.trace_bits),
            ("memory", w.memory_bits),
            ("hidden pre-activation", w.z_bits),
            ("MLP output", w.y_bits),
            ("readout", w.readout_bits),
        ]
        .into_iter()
        .max_by_key(|x| x.1)
        .expect("five widths");
        if widest.1 > MAX_BITS {
            return Err(ConfigError::new(
                path,
                format!(
                    "the derived elm {} width is {} bits, above the supported {MAX_BITS}; reduce inputs, weight_bits, mlp_bits, trace_shift, trace_frac_bits or hidden_max",
                    widest.0, widest.1
                ),
            ));
        }
        Ok(())
    }

    /// The SPEC section 5 `neuron` object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": "elm", "memory": self.memory, "hidden": self.hidden,
            "mlp_bits": self.mlp_bits, "trace_shift": self.trace_shift,
            "trace_frac_bits": self.trace_frac_bits, "memory_shifts": self.memory_shifts,
            "lambda": self.lambda, "w_branch": self.w_branch, "w_memory": self.w_memory,
            "b_hidden": self.b_hidden, "hidden_shift": self.hidden_shift,
            "hidden_max": self.hidden_max, "w_delta": self.w_delta, "b_delta": self.b_delta,
            "table_shift": self.table_shift, "table": self.table,
            "readout": self.readout, "readout_bias": self.readout_bias,
        })
    }
}

/// `sum a[i]*b[i]` (exact: the derived widths keep it below 2^62).
fn dot(a: &[i64], b: &[i64]) -> i64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Elm {
        Elm {
            memory: 1,
            hidden: 1,
            mlp_bits: 8,
            trace_shift: 1,
            trace_frac_bits: 1,
            memory_shifts: vec![2],
            lambda: 4,
            w_branch: vec![vec![1]],
            w_memory: vec![vec![0]],
            b_hidden: vec![0],
            hidden_shift: 0,
            hidden_max: 100,
            w_delta: vec![vec![1]],
            b_delta: vec![0],
            table_shift: 0,
            table: vec![-2, -1, 0, 1, 2, 3, 4, 5],
            readout: vec![vec![2]],
            readout_bias: vec![1],
        }
    }

    #[test]
    fn one_branch_worked_by_hand() {
        // t0: q = 0 - 0 + (3 << 1) = 6; md = 0; z = 6, a = 6; y = 6;
        //     idx = clamp(6, -4, 3) + 4 = 7 -> dm = 5; m = 0 + (4*5 >> 2) = 5; r = 11.
        // t1: q = 6 - 3 + 0 = 3; md = 5 - 1 = 4; z = 3, a = 3, y = 3 -> idx 7,
        //     dm = 5; m = 4 + 5 = 9; r = 19.
        // t2: q = 3 - 1 + (-8 << 1) = -14; md = 9 - 2 = 7; z = -14, a = 0; y = 0
        //     -> idx 4, dm = 2; m = 7 + (8 >> 2) = 9; r = 19.
        let tr = tiny().run(&[vec![3], vec![0], vec![-8]]);
        assert_eq!(tr.state, vec![vec![5], vec![9], vec![9]]);
        assert_eq!(tr.readout, vec![vec![11], vec![19], vec![19]]);
    }

    #[test]
    fn negative_values_floor() {
        let mut e = tiny();
        e.b_delta = vec![-100];
        // y = a - 100 clamps to -4 -> table[0] = -2; m = 0 + (4*-2 >> 2) = -2.
        // Next: md = -2 - (-2 >> 2 = -1) = -1.
        let tr = e.run(&[vec![0], vec![0]]);
        assert_eq!(tr.state[0], vec![-2]);
        assert_eq!(tr.state[1], vec![-1 + ((4 * -2) >> 2)]);
    }
}
