//! Reading JSON values with errors that name the field and the accepted range.
//! The one JSON reader of the workspace: layer configs, case files and the
//! flow file (`convert::flow_config`) all go through it, so a range error
//! reads the same everywhere: `path: X is not in LO..=HI`.

use crate::error::ConfigError;
use serde_json::{Map, Value};

/// A JSON object together with its path in the document (e.g. `layer.neuron`).
pub struct Obj<'a> {
    pub path: String,
    pub map: &'a Map<String, Value>,
}

/// `path.key`, or `key` at the top level.
pub fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a non-integer number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Obj<'a> {
    /// `v` as an object at `path`.
    pub fn of(v: &'a Value, path: &str) -> Result<Self, ConfigError> {
        match v {
            Value::Object(map) => Ok(Obj {
                path: path.to_string(),
                map,
            }),
            other => Err(ConfigError::new(
                path,
                format!("expected an object, found {}", kind_of(other)),
            )),
        }
    }

    pub fn field_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    pub fn opt(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn req(&self, key: &str) -> Result<&'a Value, ConfigError> {
        self.opt(key)
            .ok_or_else(|| ConfigError::new(self.field_path(key), "required field is missing"))
    }

    pub fn obj(&self, key: &str) -> Result<Obj<'a>, ConfigError> {
        Obj::of(self.req(key)?, &self.field_path(key))
    }

    /// Required integer in `lo..=hi`.
    pub fn int_in(&self, key: &str, lo: i64, hi: i64) -> Result<i64, ConfigError> {
        int_in(self.req(key)?, &self.field_path(key), lo, hi)
    }

    /// The object at `key`, if present.
    pub fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, ConfigError> {
        self.opt(key)
            .map(|v| Obj::of(v, &self.field_path(key)))
            .transpose()
    }

    /// Required string.
    pub fn str(&self, key: &str) -> Result<&'a str, ConfigError> {
        string(self.req(key)?, &self.field_path(key))
    }

    /// Optional boolean, `default` when absent.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.opt(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| {
                ConfigError::new(
                    self.field_path(key),
                    format!("expected true or false, found {}", kind_of(v)),
                )
            }),
        }
    }

    /// Optional non-empty array of integers, each in `lo..=hi`.
    pub fn int_list_in(
        &self,
        key: &str,
        lo: i64,
        hi: i64,
    ) -> Result<Option<Vec<i64>>, ConfigError> {
        let Some(v) = self.opt(key) else {
            return Ok(None);
        };
        let p = self.field_path(key);
        let a = array(v, &p)?;
        if a.is_empty() {
            return Err(ConfigError::new(
                p,
                format!("needs at least one integer in {lo}..={hi}"),
            ));
        }
        a.iter()
            .enumerate()
            .map(|(i, x)| int_in(x, &format!("{p}[{i}]"), lo, hi))
            .collect::<Result<_, _>>()
            .map(Some)
    }

    /// Optional integer in `lo..=hi`, `default` when absent.
    pub fn int_in_or(&self, key: &str, lo: i64, hi: i64, default: i64) -> Result<i64, ConfigError> {
        match self.opt(key) {
            Some(v) => int_in(v, &self.field_path(key), lo, hi),
            None => Ok(default),
        }
    }
}

/// `v` as an integer; the error names `path`.
pub fn int(v: &Value, path: &str) -> Result<i64, ConfigError> {
    v.as_i64()
        .ok_or_else(|| ConfigError::new(path, format!("expected an integer, found {}", kind_of(v))))
}

/// `v` as an integer in `lo..=hi`.
pub fn int_in(v: &Value, path: &str, lo: i64, hi: i64) -> Result<i64, ConfigError> {
    let x = int(v, path)?;
    if (lo..=hi).contains(&x) {
        Ok(x)
    } else {
        Err(ConfigError::new(path, format!("{x} is not in {lo}..={hi}")))
    }
}

/// `v` as a string.
pub fn string<'a>(v: &'a Value, path: &str) -> Result<&'a str, ConfigError> {
    v.as_str()
        .ok_or_else(|| ConfigError::new(path, format!("expected a string, found {}", kind_of(v))))
}

/// `v` as a number in `(lo, hi]`.
pub fn number_in_left_open(v: &Value, path: &str, lo: f64, hi: f64) -> Result<f64, ConfigError> {
    v.as_f64()
        .filter(|x| *x > lo && *x <= hi)
        .ok_or_else(|| ConfigError::new(path, format!("{v} is not a number in ({lo}, {hi}]")))
}

/// `v` as an array.
pub fn array<'a>(v: &'a Value, path: &str) -> Result<&'a Vec<Value>, ConfigError> {
    v.as_array()
        .ok_or_else(|| ConfigError::new(path, format!("expected an array, found {}", kind_of(v))))
}

/// A vector of `len` integers; `what` names the length (e.g. "outputs").
pub fn int_vec(v: &Value, path: &str, len: usize, what: &str) -> Result<Vec<i64>, ConfigError> {
    let a = array(v, path)?;
    if a.len() != len {
        return Err(ConfigError::new(
            path,
            format!("has {} entries but {what} is {len}", a.len()),
        ));
    }
    a.iter()
        .enumerate()
        .map(|(i, x)| int(x, &format!("{path}[{i}]")))
        .collect()
}

/// A `rows x cols` integer matrix; `rows_what`/`cols_what` name the expected sizes.
pub fn int_matrix(
    v: &Value,
    path: &str,
    rows: usize,
    rows_what: &str,
    cols: usize,
    cols_what: &str,
) -> Result<Vec<Vec<i64>>, ConfigError> {
    let a = array(v, path)?;
    if a.len() != rows {
        return Err(ConfigError::new(
            path,
            format!("has {} rows but {rows_what} is {rows}", a.len()),
        ));
    }
    a.iter()
        .enumerate()
        .map(|(r, row)| {
            let row_path = format!("{path}[{r}]");
            let cells = array(row, &row_path)?;
            if cells.len() != cols {
                return Err(ConfigError::new(
                    path,
                    format!(
                        "row {r} has {} entries but {cols_what} is {cols}",
                        cells.len()
                    ),
                ));
            }
            cells
                .iter()
                .enumerate()
                .map(|(c, x)| int(x, &format!("{path}[{r}][{c}]")))
                .collect()
        })
        .collect()
}

/// Checks a typed integer against `lo..=hi` with the reader's wording.
pub fn check_in(x: i64, path: &str, lo: i64, hi: i64) -> Result<i64, ConfigError> {
    if (lo..=hi).contains(&x) {
        Ok(x)
    } else {
        Err(ConfigError::new(path, format!("{x} is not in {lo}..={hi}")))
    }
}

/// Checks a typed vector's length, worded as [`int_vec`].
pub fn check_len(v: &[i64], path: &str, len: usize, what: &str) -> Result<(), ConfigError> {
    if v.len() == len {
        Ok(())
    } else {
        Err(ConfigError::new(
            path,
            format!("has {} entries but {what} is {len}", v.len()),
        ))
    }
}

/// Checks a typed matrix's shape, worded as [`int_matrix`].
pub fn check_shape(
    m: &[Vec<i64>],
    path: &str,
    rows: usize,
    rows_what: &str,
    cols: usize,
    cols_what: &str,
) -> Result<(), ConfigError> {
    if m.len() != rows {
        return Err(ConfigError::new(
            path,
            format!("has {} rows but {rows_what} is {rows}", m.len()),
        ));
    }
    match m.iter().position(|r| r.len() != cols) {
        Some(r) => Err(ConfigError::new(
            path,
            format!(
                "row {r} has {} entries but {cols_what} is {cols}",
                m[r].len()
            ),
        )),
        None => Ok(()),
    }
}

/// Checks every entry of a matrix lies in `lo..=hi`; `why` explains the range.
pub fn check_matrix_range(
    m: &[Vec<i64>],
    path: &str,
    lo: i64,
    hi: i64,
    why: &str,
) -> Result<(), ConfigError> {
    for (r, row) in m.iter().enumerate() {
        check_vec_range(row, &format!("{path}[{r}]"), lo, hi, why)?;
    }
    Ok(())
}

/// Checks every entry of a vector lies in `lo..=hi`; `why` explains the range.
pub fn check_vec_range(
    v: &[i64],
    path: &str,
    lo: i64,
    hi: i64,
    why: &str,
) -> Result<(), ConfigError> {
    for (i, &x) in v.iter().enumerate() {
        if !(lo..=hi).contains(&x) {
            return Err(ConfigError::new(
                format!("{path}[{i}]"),
                format!("{x} is not in {lo}..={hi} ({why})"),
            ));
        }
    }
    Ok(())
}
