//! The conversion error: one line naming the file, tensor or field at fault
//! and what was expected.

use golden_model::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    /// A field of a flow or network file: its JSON path and what is wrong
    /// (the golden model's contract error, as `path: message`).
    #[error(transparent)]
    Field(#[from] ConfigError),
    /// An error inside a named file: `file: error`.
    #[error("{file}: {error}")]
    InFile {
        file: String,
        error: Box<ConvertError>,
    },
    /// Anything else (a tensor, a data row, a conversion limit), one line.
    #[error("{0}")]
    Other(String),
}

impl ConvertError {
    /// A one-line error that is not a field of a JSON file.
    pub fn new(msg: impl Into<String>) -> Self {
        ConvertError::Other(msg.into())
    }

    /// A field error: `path: message`.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        ConvertError::Field(ConfigError::new(path, message))
    }

    /// This error, inside `file`.
    pub fn in_file(self, file: impl Into<String>) -> Self {
        ConvertError::InFile {
            file: file.into(),
            error: Box::new(self),
        }
    }

    /// The JSON path of the field at fault, if the error names one.
    pub fn field_path(&self) -> Option<&str> {
        match self {
            ConvertError::Field(e) => Some(&e.path),
            ConvertError::InFile { error, .. } => error.field_path(),
            ConvertError::Other(_) => None,
        }
    }
}
