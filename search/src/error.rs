//! The search's error: one line naming the field at fault and its accepted
//! range, or a conversion error passed through.

use convert::ConvertError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SearchError {
    /// `path: message`, e.g. `genome[4]: 9 is not in 0..=5`.
    #[error("{path}: {message}")]
    Field { path: String, message: String },
    /// Training, conversion or a data file.
    #[error(transparent)]
    Convert(#[from] ConvertError),
}

impl SearchError {
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        SearchError::Field {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The path of the field at fault, if the error names one.
    pub fn field_path(&self) -> Option<&str> {
        match self {
            SearchError::Field { path, .. } => Some(path),
            SearchError::Convert(e) => e.field_path(),
        }
    }
}

impl From<golden_model::ConfigError> for SearchError {
    fn from(e: golden_model::ConfigError) -> Self {
        SearchError::Convert(ConvertError::from(e))
    }
}
