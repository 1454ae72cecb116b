//! snn-tools: finding and running the HDL tools snnrtl drives: `$VAR`, then PATH, with the version
//! recorded. A missing tool is an error that says how to install it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A hardware tool snnrtl drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Verilator,
    Yosys,
    Iverilog,
    Vvp,
    NextpnrIce40,
}

impl Tool {
    /// The executable's name on PATH.
    pub fn program(self) -> &'static str {
        match self {
            Tool::Verilator => "verilator",
            Tool::Yosys => "yosys",
            Tool::Iverilog => "iverilog",
            Tool::Vvp => "vvp",
            Tool::NextpnrIce40 => "nextpnr-ice40",
        }
    }

    /// The environment variable that overrides PATH.
    pub fn env_var(self) -> &'static str {
        match self {
            Tool::Verilator => "VERILATOR",
            Tool::Yosys => "YOSYS",
            Tool::Iverilog => "IVERILOG",
            Tool::Vvp => "VVP",
            Tool::NextpnrIce40 => "NEXTPNR_ICE40",
        }
    }

    /// The Debian package that provides it.
    pub fn package(self) -> &'static str {
        match self {
            Tool::Iverilog | Tool::Vvp => "iverilog",
            other => other.program(),
        }
    }

    fn version_args(self) -> &'static [&'static str] {
        match self {
            Tool::Iverilog => &["-V"],
            Tool::Vvp => &["-V"],
            _ => &["--version"],
        }
    }
}

/// A tool found on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub tool: Tool,
    pub path: PathBuf,
    /// First line of its version output.
    pub version: String,
}

/// Why a tool could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    #[error("{program} not found (looked at ${var}, then PATH); install it with scripts/install-tools.sh or `apt-get install {package}`, or set ${var} to its path")]
    NotFound {
        program: &'static str,
        var: &'static str,
        package: &'static str,
    },
    #[error("${var} is {path}, which is not a file; point it at the {package} executable, or unset it to search PATH (install: scripts/install-tools.sh)")]
    EnvNotAFile {
        var: &'static str,
        path: String,
        package: &'static str,
    },
    #[error("{path}: does not run: {reason}")]
    DoesNotRun { path: String, reason: String },
}

fn on_path(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Finds `tool`: `$ENV_VAR` if set, else PATH; runs it once for its version.
pub fn find(tool: Tool) -> Result<Found, ToolError> {
    let path = match std::env::var_os(tool.env_var()) {
        Some(p) if !p.is_empty() => {
            let p = PathBuf::from(p);
            if !p.is_file() {
                return Err(ToolError::EnvNotAFile {
                    var: tool.env_var(),
                    path: p.display().to_string(),
                    package: tool.package(),
                });
            }
            p
        }
        _ => on_path(tool.program()).ok_or(ToolError::NotFound {
            program: tool.program(),
            var: tool.env_var(),
            package: tool.package(),
        })?,
    };
    let out = Command::new(&path)
        .args(tool.version_args())
        .output()
        .map_err(|e| ToolError::DoesNotRun {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let version = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("unknown")
        .trim()
        .to_string();
    Ok(Found {
        tool,
        path,
        version,
    })
}

/// For tests that need a tool: the tool, or, when it is missing, a failure
/// if `CI` is set and a plain message (and `None`) otherwise.
pub fn require_for_test(tool: Tool) -> Option<Found> {
    match find(tool) {
        Ok(f) => Some(f),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("CI is set and a test needs a tool: {e}")
        }
        Err(e) => {
            eprintln!("NOT RUN (tool missing): {e}");
            None
        }
    }
}

/// What a tool printed, and whether it exited 0.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub success: bool,
    pub text: String,
}

/// Runs `found` with `args` in `dir`, capturing stdout and stderr together.
pub fn run(found: &Found, args: &[String], dir: &Path) -> Result<RunOutput, ToolError> {
    let out = Command::new(&found.path)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| ToolError::DoesNotRun {
            path: found.path.display().to_string(),
            reason: e.to_string(),
        })?;
    Ok(RunOutput {
        success: out.status.success(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    })
}

/// `verilator --lint-only -Wall`: `Ok` only with exit 0 and no output at all.
pub fn verilator_lint(
    verilator: &Found,
    dir: &Path,
    files: &[String],
    top: &str,
) -> Result<(), String> {
    let mut args: Vec<String> = ["--lint-only", "-Wall", "--top-module", top]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(files.iter().cloned());
    let out = run(verilator, &args, dir).map_err(|e| e.to_string())?;
    if out.success && out.text.trim().is_empty() {
        Ok(())
    } else {
        Err(format!("verilator --lint-only -Wall {top}:\n{}", out.text))
    }
}

/// `yosys -p "read_verilog ...; synth -top TOP; check -assert"`: `Ok` only with
/// exit 0 and no warning (no latches, no multiple drivers).
pub fn yosys_synth_check(
    yosys: &Found,
    dir: &Path,
    files: &[String],
    top: &str,
) -> Result<(), String> {
    let script = format!(
        "read_verilog {}; synth -top {top}; check -assert",
        files.join(" ")
    );
    let out = run(yosys, &["-q".into(), "-p".into(), script], dir).map_err(|e| e.to_string())?;
    let lower = out.text.to_lowercase();
    if out.success && !lower.contains("warning") && !lower.contains("latch") {
        Ok(())
    } else {
        Err(format!("yosys synth -top {top}:\n{}", out.text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tool_message_says_how_to_fix() {
        let e = ToolError::NotFound {
            program: "verilator",
            var: "VERILATOR",
            package: "verilator",
        };
        assert_eq!(
            e.to_string(),
            "verilator not found (looked at $VERILATOR, then PATH); install it with scripts/install-tools.sh or `apt-get install verilator`, or set $VERILATOR to its path"
        );
    }
}
