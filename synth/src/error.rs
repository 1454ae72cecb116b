//! [`SynthError`]: why a synthesis run stopped. Each message is one whole
//! line naming the option, the file or folder, or the tool output and field
//! it is about; causes (an I/O or JSON error) are part of that line rather
//! than a separate chain, so `{}` and `{:#}` print the same text.

use std::fmt;
use std::path::PathBuf;

/// The tool output a parse error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Yosys's `stat -json` file.
    YosysStat,
    /// nextpnr's `--report` file.
    NextpnrReport,
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Output::YosysStat => "stat -json",
            Output::NextpnrReport => "nextpnr report",
        })
    }
}

/// Why a synthesis run stopped.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A tool is missing or does not run.
    #[error(transparent)]
    Tool(#[from] snn_tools::ToolError),
    /// An option out of range or not available for the target.
    #[error("{option}: {problem}")]
    BadOption {
        option: &'static str,
        problem: String,
    },
    /// A file or folder could not be created, written or read; `what` says
    /// which (`cannot write`, `Yosys wrote no statistics`, ...).
    #[error("{}: {what}: {err}", path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        err: std::io::Error,
    },
    /// Yosys exited with an error: the first `ERROR` line of its log.
    #[error("yosys failed: {line} (log: {})", log.display())]
    YosysFailed { line: String, log: PathBuf },
    /// nextpnr exited with an error: the first `ERROR` line of its log.
    #[error("nextpnr-ice40 failed: {line}")]
    NextpnrFailed { line: String },
    /// A tool's JSON is not JSON.
    #[error("{output}: {what}: {err}")]
    NotJson {
        output: Output,
        what: &'static str,
        err: serde_json::Error,
    },
    /// One field of a tool's JSON is missing or of the wrong kind.
    #[error("{output}: {field}: {problem}")]
    Field {
        output: Output,
        field: String,
        problem: String,
    },
    /// A tool's JSON is inconsistent as a whole.
    #[error("{output}: {problem}")]
    Malformed { output: Output, problem: String },
    /// Yosys synthesized the design to nothing.
    #[error("Yosys reported no cells for {top}")]
    NoCells { top: String },
    /// A failure inside a temporary folder, which is kept for inspection.
    #[error("{error} (the run's files are kept in {})", dir.display())]
    Kept {
        error: Box<SynthError>,
        dir: PathBuf,
    },
    /// A broken invariant of this crate.
    #[error("internal: {0}")]
    Internal(String),
}

/// `Result` with [`SynthError`].
pub type Result<T, E = SynthError> = std::result::Result<T, E>;

impl SynthError {
    /// `Io` for `path`, as a closure for `map_err`.
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        what: &'static str,
    ) -> impl FnOnce(std::io::Error) -> SynthError {
        let path = path.into();
        move |err| SynthError::Io { path, what, err }
    }

    pub(crate) fn field(
        output: Output,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> SynthError {
        SynthError::Field {
            output,
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub(crate) fn malformed(output: Output, problem: impl Into<String>) -> SynthError {
        SynthError::Malformed {
            output,
            problem: problem.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_field_and_cause() {
        let io = SynthError::io("/x/stat.json", "Yosys wrote no statistics")(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "No such file or directory (os error 2)",
        ));
        assert_eq!(
            io.to_string(),
            "/x/stat.json: Yosys wrote no statistics: No such file or directory (os error 2)"
        );
        let f = SynthError::field(
            Output::NextpnrReport,
            "utilization.SB_IO.used",
            "not a count",
        );
        assert_eq!(
            f.to_string(),
            "nextpnr report: utilization.SB_IO.used: not a count"
        );
        let kept = SynthError::Kept {
            error: Box::new(SynthError::NextpnrFailed {
                line: "ERROR: x".into(),
            }),
            dir: "/tmp/d".into(),
        };
        assert_eq!(
            kept.to_string(),
            "nextpnr-ice40 failed: ERROR: x (the run's files are kept in /tmp/d)"
        );
        // One line, and no chain for `{:#}` renderers to append a second time.
        assert!(std::error::Error::source(&kept).is_none());
        assert!(std::error::Error::source(&io).is_none());
    }
}
