//! The accuracy table: the float ANN, the quantised ANN, and the golden-model
//! SNN for TMN and IF, with and without the L4 adjustment, and LIF hidden
//! layers at the leak shift chosen on the training images, at every T.

use anyhow::Result;
use convert::dataset::{Dataset, Split};
use convert::encode::Encoder;
use convert::evaluate::{float_score, quantised_score, snn_score, Score};
use convert::flow_config::FlowConfig;
use convert::mlp::Mlp;
use convert::quantise::{l4_adjust, quantise, Kind, Normalised};
use golden_model::NetworkConfig;
use serde::Serialize;

/// One neuron kind at one T.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// Test accuracy, percent, without the L4 adjustment.
    pub plain: f64,
    /// Test accuracy with the L4 adjustment at the kappa chosen on the
    /// training images.
    pub l4: f64,
    pub l4_kappa: f64,
    /// Training accuracy at each candidate kappa (the choice's evidence).
    pub l4_train_by_kappa: Vec<(f64, f64)>,
    pub plain_train: f64,
}

/// LIF hidden layers (last layer IF) at one T.
#[derive(Debug, Clone, Serialize)]
pub struct LifCell {
    /// Test accuracy, percent, at the chosen leak shift.
    pub test: f64,
    /// The leak shift k chosen on the training images (best training
    /// accuracy; the larger k, i.e. the weaker leak, on a tie).
    pub leak_shift: u32,
    /// Training accuracy at each candidate k (the choice's evidence).
    pub train_by_leak_shift: Vec<(u32, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub timesteps: usize,
    pub tmn: Cell,
    #[serde(rename = "if")]
    pub if_: Cell,
    pub lif: LifCell,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub float_test: f64,
    pub float_train: f64,
    pub test_images: usize,
    pub train_images: usize,
    /// The quantised network evaluated in floats with the SNN's clipping
    /// (its T -> infinity limit), per kind, without L4.
    pub quantised_tmn: f64,
    pub quantised_if: f64,
    pub if_encoder: String,
    pub rows: Vec<Row>,
}

impl Table {
    /// The smallest T (of those evaluated) where plain IF comes within 1
    /// point of the float ANN.
    pub fn if_steps_within_1pt(&self) -> Option<usize> {
        self.rows
            .iter()
            .find(|r| r.if_.plain >= self.float_test - 1.0)
            .map(|r| r.timesteps)
    }

    pub fn row(&self, t: usize) -> Option<&Row> {
        self.rows.iter().find(|r| r.timesteps == t)
    }
}

pub fn encoder(kind: Kind, fc: &FlowConfig) -> Encoder {
    match kind {
        Kind::Tmn => Encoder::Tmn,
        Kind::If | Kind::Lif { .. } => fc.if_encoder,
    }
}

/// Picks the LIF leak shift on the training images: the best training
/// accuracy, the larger shift (weaker leak) on a tie.
pub fn choose_leak_shift(
    n: &Normalised,
    t: usize,
    fc: &FlowConfig,
    ds: &Dataset,
    train: &[usize],
) -> Result<(u32, Vec<(u32, f64)>)> {
    let mut evidence = vec![];
    let mut best = (f64::MIN, 0);
    for &k in &fc.lif_leak_shifts {
        let kind = Kind::Lif { leak_shift: k };
        let net = quantise(n, kind, fc.weight_bits, t)?;
        let acc = snn_score(&net, encoder(kind, fc), ds, train).percent();
        evidence.push((k, acc));
        if acc > best.0 || (acc == best.0 && k > best.1) {
            best = (acc, k);
        }
    }
    Ok((best.1, evidence))
}

/// Picks kappa on the training images: the best training accuracy, the
/// smaller kappa on a tie. Returns (kappa, evidence).
pub fn choose_kappa(
    n: &Normalised,
    kind: Kind,
    t: usize,
    fc: &FlowConfig,
    ds: &Dataset,
    train: &[usize],
) -> Result<(f64, Vec<(f64, f64)>)> {
    let mut evidence = vec![];
    let mut best = (f64::MIN, 0.0);
    for &k in &fc.l4_kappas {
        let net = quantise(&l4_adjust(n, k), kind, fc.weight_bits, t)?;
        let acc = snn_score(&net, encoder(kind, fc), ds, train).percent();
        evidence.push((k, acc));
        if acc > best.0 {
            best = (acc, k);
        }
    }
    Ok((best.1, evidence))
}

/// The integer network for `kind` at `t`, L4-adjusted with `kappa` if given.
pub fn network(
    n: &Normalised,
    kind: Kind,
    t: usize,
    kappa: Option<f64>,
    fc: &FlowConfig,
) -> Result<NetworkConfig> {
    let adjusted;
    let n = match kappa {
        Some(k) => {
            adjusted = l4_adjust(n, k);
            &adjusted
        }
        None => n,
    };
    Ok(quantise(n, kind, fc.weight_bits, t)?)
}

/// Builds the whole table; `tick` is called once per (T, kind).
pub fn table(
    fc: &FlowConfig,
    mlp: &Mlp,
    n: &Normalised,
    ds: &Dataset,
    split: &Split,
    mut tick: impl FnMut(&str),
) -> Result<Table> {
    let score = |net: &NetworkConfig, kind: Kind, idx: &[usize]| -> Score {
        snn_score(net, encoder(kind, fc), ds, idx)
    };
    let mut rows = vec![];
    for &t in &fc.timesteps {
        let mut cells = vec![];
        for kind in [Kind::Tmn, Kind::If] {
            tick(&format!("{} T={t}", kind.name()));
            let plain_net = network(n, kind, t, None, fc)?;
            let plain = score(&plain_net, kind, &split.test).percent();
            let plain_train = score(&plain_net, kind, &split.train).percent();
            let (kappa, evidence) = choose_kappa(n, kind, t, fc, ds, &split.train)?;
            let l4 = score(&network(n, kind, t, Some(kappa), fc)?, kind, &split.test).percent();
            cells.push(Cell {
                plain,
                l4,
                l4_kappa: kappa,
                l4_train_by_kappa: evidence,
                plain_train,
            });
        }
        let if_ = cells.pop().expect("if cell");
        let tmn = cells.pop().expect("tmn cell");
        tick(&format!("lif T={t}"));
        let (leak_shift, evidence) = choose_leak_shift(n, t, fc, ds, &split.train)?;
        let lif_kind = Kind::Lif { leak_shift };
        let lif = LifCell {
            test: score(&network(n, lif_kind, t, None, fc)?, lif_kind, &split.test).percent(),
            leak_shift,
            train_by_leak_shift: evidence,
        };
        rows.push(Row {
            timesteps: t,
            tmn,
            if_,
            lif,
        });
    }
    let t0 = fc.timesteps[0];
    Ok(Table {
        float_test: float_score(mlp, ds, &split.test).percent(),
        float_train: float_score(mlp, ds, &split.train).percent(),
        test_images: split.test.len(),
        train_images: split.train.len(),
        quantised_tmn: quantised_score(&network(n, Kind::Tmn, t0, None, fc)?, ds, &split.test)
            .percent(),
        quantised_if: quantised_score(&network(n, Kind::If, t0, None, fc)?, ds, &split.test)
            .percent(),
        if_encoder: fc.if_encoder.name().to_string(),
        rows,
    })
}
