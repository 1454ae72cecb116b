//! The trained float network: fully connected layers, ReLU between them,
//! none after the last (its outputs are logits).

use crate::error::ConvertError;
use crate::tensors::TensorSource;

/// One `Linear` layer: `w[out][in]`, `b[out]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

impl Dense {
    pub fn inputs(&self) -> usize {
        self.w[0].len()
    }

    pub fn outputs(&self) -> usize {
        self.w.len()
    }

    /// `W x + b`, summed in input order.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        self.w
            .iter()
            .zip(&self.b)
            .map(|(row, &b)| row.iter().zip(x).fold(0.0, |acc, (w, x)| acc + w * x) + b)
            .collect()
    }
}

/// Names of one layer's tensors in the weight source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerTensors {
    pub inputs: usize,
    pub outputs: usize,
    pub weight: String,
    /// `None`: no bias (zeros).
    pub bias: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub layers: Vec<Dense>,
}

impl Mlp {
    /// Reads every layer's tensors, checking their shapes.
    pub fn load(src: &TensorSource, layers: &[LayerTensors]) -> Result<Mlp, ConvertError> {
        let layers = layers
            .iter()
            .map(|l| {
                let w = src.get(&l.weight, &[l.outputs, l.inputs])?.rows();
                let b = match &l.bias {
                    Some(name) => src.get(name, &[l.outputs])?.data,
                    None => vec![0.0; l.outputs],
                };
                Ok(Dense { w, b })
            })
            .collect::<Result<_, ConvertError>>()?;
        Ok(Mlp { layers })
    }

    /// Post-ReLU activations of every hidden layer, then the logits.
    pub fn activations(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(self.layers.len());
        let mut a = x.to_vec();
        for (k, l) in self.layers.iter().enumerate() {
            a = l.apply(&a);
            if k + 1 < self.layers.len() {
                a.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            out.push(a.clone());
        }
        out
    }

    pub fn logits(&self, x: &[f64]) -> Vec<f64> {
        self.activations(x).pop().expect("at least one layer")
    }

    pub fn predict(&self, x: &[f64]) -> usize {
        golden_model::argmax(&self.logits(x))
    }
}
