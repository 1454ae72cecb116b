//! Trained weights as PyTorch users export them: a `safetensors` file, or a
//! folder of `.npy` files named after the tensors (`fc1.weight.npy`).
//! Tensors are float32 or float64; every missing or misshaped tensor is
//! reported by name with the shape that was expected.

use crate::error::ConvertError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A dense row-major tensor, values widened to f64 exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

impl Tensor {
    /// Row `r` of a 2-D tensor.
    pub fn row(&self, r: usize) -> &[f64] {
        let cols = self.shape[1];
        &self.data[r * cols..(r + 1) * cols]
    }

    /// A 2-D tensor as rows.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        (0..self.shape[0]).map(|r| self.row(r).to_vec()).collect()
    }
}

fn shape_str(s: &[usize]) -> String {
    format!(
        "[{}]",
        s.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Where the tensors live.
#[derive(Debug, Clone)]
pub enum TensorSource {
    /// One `.safetensors` file, read whole.
    Safetensors {
        path: PathBuf,
        tensors: BTreeMap<String, Tensor>,
    },
    /// A folder with one `NAME.npy` per tensor.
    NpyDir(PathBuf),
}

impl TensorSource {
    /// Opens `path`: a `.safetensors` file, or a folder of `.npy` files.
    pub fn open(path: &Path) -> Result<Self, ConvertError> {
        if path.is_dir() {
            return Ok(TensorSource::NpyDir(path.to_path_buf()));
        }
        let bytes = std::fs::read(path)
            .map_err(|e| ConvertError::new(format!("{}: cannot read: {e}", path.display())))?;
        let tensors = parse_safetensors(&bytes)
            .map_err(|e| ConvertError::new(format!("{}: {e}", path.display())))?;
        Ok(TensorSource::Safetensors {
            path: path.to_path_buf(),
            tensors,
        })
    }

    /// Where the tensors come from, for reports.
    pub fn describe(&self) -> String {
        match self {
            TensorSource::Safetensors { path, .. } => path.display().to_string(),
            TensorSource::NpyDir(d) => format!("{}/*.npy", d.display()),
        }
    }

    /// Tensor `name`, which must have exactly `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor, ConvertError> {
        let (t, from) = match self {
            TensorSource::Safetensors { path, tensors } => {
                let t = tensors.get(name).cloned().ok_or_else(|| {
                    ConvertError::new(format!(
                        "{}: tensor {name:?} is missing (the file has: {})",
                        path.display(),
                        tensors.keys().cloned().collect::<Vec<_>>().join(", ")
                    ))
                })?;
                (t, path.display().to_string())
            }
            TensorSource::NpyDir(dir) => {
                let p = dir.join(format!("{name}.npy"));
                if !p.exists() {
                    return Err(ConvertError::new(format!(
                        "{}: tensor {name:?} is missing (no such file)",
                        p.display()
                    )));
                }
                let bytes = std::fs::read(&p)
                    .map_err(|e| ConvertError::new(format!("{}: cannot read: {e}", p.display())))?;
                let t = parse_npy(&bytes)
                    .map_err(|e| ConvertError::new(format!("{}: {e}", p.display())))?;
                (t, p.display().to_string())
            }
        };
        if t.shape != shape {
            return Err(ConvertError::new(format!(
                "{from}: tensor {name:?} has shape {}, expected {} ([out][in] for a Linear weight)",
                shape_str(&t.shape),
                shape_str(shape)
            )));
        }
        if let Some(i) = t.data.iter().position(|x| !x.is_finite()) {
            return Err(ConvertError::new(format!(
                "{from}: tensor {name:?} holds a non-finite value at flat index {i}"
            )));
        }
        Ok(t)
    }
}

/// Parses a whole safetensors file (float32 and float64 tensors).
pub fn parse_safetensors(bytes: &[u8]) -> Result<BTreeMap<String, Tensor>, String> {
    use safetensors::{Dtype, SafeTensors};
    let st = SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file: {e}"))?;
    let mut out = BTreeMap::new();
    for (name, view) in st.tensors() {
        let data = match view.dtype() {
            Dtype::F32 => view
                .data()
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
            Dtype::F64 => view
                .data()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect(),
            other => {
                return Err(format!(
                    "tensor {name:?} is {other:?}; accepted dtypes are F32 and F64"
                ))
            }
        };
        out.insert(
            name.clone(),
            Tensor {
                shape: view.shape().to_vec(),
                data,
            },
        );
    }
    Ok(out)
}

/// A safetensors file of `tensors` as F64 (so trained f64 weights are
/// stored exactly), with optional string `metadata`; [`parse_safetensors`]
/// and [`TensorSource::open`] read it back.
pub fn write_safetensors(
    tensors: &BTreeMap<String, Tensor>,
    metadata: &[(&str, &str)],
) -> Result<Vec<u8>, String> {
    use safetensors::tensor::TensorView;
    use safetensors::Dtype;
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, t)| {
            let data = t.data.iter().flat_map(|x| x.to_le_bytes()).collect();
            (name.clone(), t.shape.clone(), data)
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, data)| {
            TensorView::new(Dtype::F64, shape.clone(), data)
                .map(|v| (name.clone(), v))
                .map_err(|e| format!("tensor {name:?}: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let meta = (!metadata.is_empty()).then(|| {
        metadata
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    });
    safetensors::serialize(views, meta).map_err(|e| format!("cannot serialise: {e}"))
}

/// Parses a `.npy` file (format 1.0-3.0, `<f4` or `<f8`, C order).
pub fn parse_npy(bytes: &[u8]) -> Result<Tensor, String> {
    const MAGIC: &[u8] = b"\x93NUMPY";
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file (bad magic)".into());
    }
    let (hlen, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!(".npy format version {v} is not supported (1-3)")),
    };
    let header = bytes
        .get(start..start + hlen)
        .ok_or("truncated .npy header")?;
    let header = std::str::from_utf8(header).map_err(|_| "the .npy header is not text")?;
    let field = |key: &str| -> Result<&str, String> {
        let at = header
            .find(&format!("'{key}'"))
            .ok_or_else(|| format!("the .npy header has no {key:?}"))?;
        let rest = &header[at + key.len() + 2..];
        let colon = rest.find(':').ok_or("malformed .npy header")?;
        Ok(rest[colon + 1..].trim_start())
    };
    let descr = field("descr")?;
    let width = if descr.starts_with("'<f4'") {
        4
    } else if descr.starts_with("'<f8'") {
        8
    } else {
        let d: String = descr.chars().take_while(|&c| c != ',').collect();
        return Err(format!(
            "dtype {d} is not supported; accepted: '<f4' (float32), '<f8' (float64)"
        ));
    };
    if !field("fortran_order")?.starts_with("False") {
        return Err("fortran_order arrays are not supported; save in C order".into());
    }
    let shape_text = field("shape")?;
    let close = shape_text
        .find(')')
        .ok_or("malformed shape in .npy header")?;
    let shape: Vec<usize> = shape_text[1..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("bad shape entry {s:?}"))
        })
        .collect::<Result<_, _>>()?;
    let n: usize = shape.iter().product();
    let body = &bytes[start + hlen..];
    if body.len() != n * width {
        return Err(format!(
            "data holds {} bytes, shape {} needs {}",
            body.len(),
            shape_str(&shape),
            n * width
        ));
    }
    let data = if width == 4 {
        body.chunks_exact(4)
            .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
            .collect()
    } else {
        body.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()
    };
    Ok(Tensor { shape, data })
}

#[cfg(test)]
mod write_tests {
    use super::*;

    #[test]
    fn written_safetensors_read_back_exactly() {
        let mut t = BTreeMap::new();
        t.insert(
            "fc1.weight".to_string(),
            Tensor {
                shape: vec![2, 3],
                data: vec![0.1, -2.5, 1e-300, 3.0, f64::MIN_POSITIVE, -0.0],
            },
        );
        t.insert(
            "fc1.bias".to_string(),
            Tensor {
                shape: vec![2],
                data: vec![1.0 / 3.0, -7.0],
            },
        );
        let bytes = write_safetensors(&t, &[("format", "pt")]).unwrap();
        assert_eq!(parse_safetensors(&bytes).unwrap(), t);
    }
}
