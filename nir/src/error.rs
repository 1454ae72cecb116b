//! The one error of this crate: one line naming the node, field or file
//! at fault and what is accepted.

/// A NIR import or export error, displayed as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NirError(pub String);

impl NirError {
    pub fn new(msg: impl Into<String>) -> Self {
        NirError(msg.into())
    }
}

impl From<golden_model::ConfigError> for NirError {
    fn from(e: golden_model::ConfigError) -> Self {
        NirError(e.to_string())
    }
}
