//! The one error type for a config or case that breaks the contract.

/// A contract error: the field (a JSON path such as `layer.neuron.vth`) and
/// what is wrong with it, including the accepted range. Displays as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.into(),
            message: message.into(),
        }
    }
}
