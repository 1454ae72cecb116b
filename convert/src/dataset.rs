//! An image dataset as integer pixels (CSV: `p0,...,pN-1,label`, one header
//! line) and its fixed train/test split (`split.json`).

use crate::error::ConvertError;
use serde_json::Value;
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Dataset {
    /// Pixels per image, integers in `0..=max_value`.
    pub images: Vec<Vec<u32>>,
    pub labels: Vec<usize>,
    /// Largest pixel value the encoding maps to 1.0.
    pub max_value: u32,
    pub classes: usize,
}

impl Dataset {
    /// Reads a CSV of integer pixels with the label last.
    pub fn read_csv(path: &Path, max_value: u32) -> Result<Dataset, ConvertError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConvertError::new(format!("{}: cannot read: {e}", path.display())))?;
        let mut lines = text.lines().enumerate();
        let header = lines
            .next()
            .ok_or_else(|| ConvertError::new(format!("{}: empty file", path.display())))?
            .1;
        let cols = header.split(',').count();
        if cols < 2 {
            return Err(ConvertError::new(format!(
                "{}:1: the header needs pixel columns and a label column",
                path.display()
            )));
        }
        let (mut images, mut labels) = (vec![], vec![]);
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let at = |m: String| ConvertError::new(format!("{}:{}: {m}", path.display(), i + 1));
            let vals: Vec<&str> = line.split(',').collect();
            if vals.len() != cols {
                return Err(at(format!(
                    "{} values, the header has {cols} columns",
                    vals.len()
                )));
            }
            let mut px = Vec::with_capacity(cols - 1);
            for (c, v) in vals[..cols - 1].iter().enumerate() {
                let p: u32 = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|&p| p <= max_value)
                    .ok_or_else(|| {
                        at(format!(
                            "pixel {c} is {v:?}, accepted: an integer in 0..={max_value}"
                        ))
                    })?;
                px.push(p);
            }
            let label: usize = vals[cols - 1]
                .trim()
                .parse()
                .map_err(|_| at(format!("label {:?} is not an integer", vals[cols - 1])))?;
            images.push(px);
            labels.push(label);
        }
        if images.is_empty() {
            return Err(ConvertError::new(format!(
                "{}: no images after the header",
                path.display()
            )));
        }
        let classes = labels.iter().max().map_or(0, |m| m + 1);
        Ok(Dataset {
            images,
            labels,
            max_value,
            classes,
        })
    }

    pub fn pixels(&self) -> usize {
        self.images[0].len()
    }

    /// Image `i` scaled to `[0, 1]` (pixel / max_value), the ANN's input.
    pub fn float_image(&self, i: usize) -> Vec<f64> {
        let m = f64::from(self.max_value);
        self.images[i].iter().map(|&p| f64::from(p) / m).collect()
    }
}

/// The fixed split: row indices of the training and test images.
#[derive(Debug, Clone)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
    pub description: String,
}

impl Split {
    /// Reads `split.json` (`{"train": [...], "test": [...]}`, plus optional
    /// `seed`, `test_fraction`, `stratified`) and checks it against `n` images.
    pub fn read(path: &Path, n: usize) -> Result<Split, ConvertError> {
        let p = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConvertError::new(format!("{p}: cannot read: {e}")))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| ConvertError::new(format!("{p}: not valid JSON: {e}")))?;
        let list = |key: &str| -> Result<Vec<usize>, ConvertError> {
            let a = v.get(key).and_then(Value::as_array).ok_or_else(|| {
                ConvertError::new(format!("{p}: {key}: required array of image indices"))
            })?;
            a.iter()
                .enumerate()
                .map(|(i, x)| {
                    x.as_u64()
                        .map(|x| x as usize)
                        .filter(|&x| x < n)
                        .ok_or_else(|| {
                            ConvertError::new(format!(
                                "{p}: {key}[{i}]: {x} is not an image index in 0..={}",
                                n - 1
                            ))
                        })
                })
                .collect()
        };
        let (train, test) = (list("train")?, list("test")?);
        let mut seen = vec![false; n];
        for &i in train.iter().chain(&test) {
            if seen[i] {
                return Err(ConvertError::new(format!(
                    "{p}: image {i} appears twice (train and test must be disjoint)"
                )));
            }
            seen[i] = true;
        }
        let description = format!(
            "{} train / {} test images{}{}{}",
            train.len(),
            test.len(),
            v.get("stratified")
                .and_then(Value::as_bool)
                .filter(|&s| s)
                .map_or(String::new(), |_| ", stratified".into()),
            v.get("test_fraction")
                .and_then(Value::as_f64)
                .map_or(String::new(), |f| format!(", test fraction {f}")),
            v.get("seed")
                .and_then(Value::as_u64)
                .map_or(String::new(), |s| format!(", seed {s}")),
        );
        Ok(Split {
            train,
            test,
            description,
        })
    }
}
