//! The conversion error: one line naming the file, tensor or field at fault
//! and what was expected.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConvertError(pub String);

impl ConvertError {
    pub fn new(msg: impl Into<String>) -> Self {
        ConvertError(msg.into())
    }
}

impl From<golden_model::ConfigError> for ConvertError {
    fn from(e: golden_model::ConfigError) -> Self {
        ConvertError(e.to_string())
    }
}
