//! Compiling a design with Verilator into a shared library the loader opens.
//!
//! - The Verilator runtime (`verilated.cpp`, `verilated_threads.cpp`,
//!   `verilated_vcd_c.cpp`) is compiled once per Verilator version and flags
//!   into the cache and reused (Debian's 5.006 `--build` without `--exe` makes
//!   no `libverilated.a`).
//! - A design is verilated, its C++ and `cpp/shim.cpp` are compiled as one
//!   unity file, and linked with the runtime into `lib<top>.so`, cached by
//!   the SHA-256 of the Verilog, the top, the Verilator and compiler
//!   versions, the flags and the shim, so a second run of the same design
//!   starts at once.
//! - The top is `manifest.json`'s `"top"` in the RTL folder (`snn_core`
//!   without one); the shim gets it as `-DSNN_TOP=V<top>` (with its header
//!   and name), and `-DSNN_TAPS` when the manifest lists a `tap_fire` port
//!   (a network of two or more layers), `-DSNN_FOLDED` for `snn_folded`
//!   (whose memories Verilator leaves empty: `-DSNN_NO_WEIGHT_INIT`).
//! - Everything is `-fPIC` (a shared library needs it; hardware-facts.md
//!   measured it ~25% slower than a static build: the price of loading any
//!   design at run time into this process).
//! - Builds happen in a temporary folder renamed into place, so concurrent
//!   builders never see half a build.
//!
//! The cache is `$SNNRTL_CACHE`, else `$XDG_CACHE_HOME/snnrtl`, else
//! `~/.cache/snnrtl`.

use crate::CosimError;
use rtl_gen::generate::{read_rtl_top, RtlTop};
use sha2::{Digest, Sha256};
use snn_tools::{Found, Tool};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The per-design C ABI compiled into every library.
pub const SHIM_CPP: &str = include_str!("../cpp/shim.cpp");

/// How hard Verilator optimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    /// For the generator's own RTL: `-O3 -fno-dfg`. (Verilator 5.006's DFG
    /// optimizer miscompiled a Yosys netlist here; it is off everywhere.)
    Rtl,
    /// For Verilog from elsewhere (`--rtl`: hand edits, Yosys netlists):
    /// `-O0`. A gate-level netlist has vectors whose bits feed each other
    /// (UNOPTFLAT), which 5.006 mis-schedules at `-O3` (a synthesized TMN core
    /// diverged; Icarus ran the same netlist bit-exact).
    Careful,
}

impl Opt {
    pub fn flags(self) -> &'static [&'static str] {
        match self {
            Opt::Rtl => &["-O3", "-fno-dfg"],
            Opt::Careful => &["-O0"],
        }
    }
}

/// Verilator's flags besides [`Opt`] and `--top-module`; part of the cache key.
pub const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--x-assign",
    "fast",
    "--x-initial",
    "fast",
    "--noassert",
    "-Wno-fatal",
    "-Wno-lint",
    "-Wno-style",
];

/// C++ flags for runtime and design; part of the cache key.
pub const CXX_FLAGS: &[&str] = &["-std=c++17", "-O2", "-fPIC"];

/// A built design library.
#[derive(Debug, Clone)]
pub struct Library {
    pub path: PathBuf,
    pub traced: bool,
    /// The top module (`snn_core`, `snn_network`).
    pub top: String,
    /// Built with the network taps (`snn_sim_take_taps` returns records).
    pub taps: bool,
    /// False when it came from the cache.
    pub built_now: bool,
    /// Seconds spent building (0 from the cache).
    pub build_seconds: f64,
}

/// Finds Verilator and the C++ compiler, and knows the cache.
#[derive(Debug, Clone)]
pub struct Builder {
    pub verilator: Found,
    pub include_dir: PathBuf,
    pub cxx: String,
    pub cxx_version: String,
    pub cache: PathBuf,
}

fn hex(d: impl AsRef<[u8]>) -> String {
    d.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn run_cmd(cmd: &mut Command, step: &str) -> Result<(), CosimError> {
    let out = cmd.output().map_err(|e| CosimError::Build {
        step: step.into(),
        log: format!("cannot run {:?}: {e}", cmd.get_program()),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(CosimError::Build {
            step: step.into(),
            log: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }
}

/// The cache folder (see the module docs).
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SNNRTL_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("snnrtl");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".cache/snnrtl"),
        None => std::env::temp_dir().join("snnrtl-cache"),
    }
}

/// Renames a finished temporary build folder into place; if another builder
/// got there first, its result is kept and ours is dropped.
fn publish(tmp: &Path, dst: &Path) -> Result<(), CosimError> {
    match std::fs::rename(tmp, dst) {
        Ok(()) => Ok(()),
        Err(_) if dst.exists() => {
            let _ = std::fs::remove_dir_all(tmp);
            Ok(())
        }
        Err(e) => Err(CosimError::Io(format!("{}: {e}", dst.display()))),
    }
}

fn tmp_dir(cache: &Path, name: &str) -> Result<PathBuf, CosimError> {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = cache.join(format!(".tmp-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).map_err(|e| CosimError::Io(format!("{}: {e}", d.display())))?;
    Ok(d)
}

impl Builder {
    /// Finds Verilator (`$VERILATOR`, then PATH) and the C++ compiler
    /// (`$CXX`, else `c++`).
    pub fn new() -> Result<Self, CosimError> {
        let verilator = snn_tools::find(Tool::Verilator)?;
        let out = Command::new(&verilator.path)
            .args(["--getenv", "VERILATOR_ROOT"])
            .output()
            .map_err(|e| CosimError::Io(format!("verilator --getenv: {e}")))?;
        let root = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let include_dir = root.join("include");
        if !include_dir.join("verilated.cpp").is_file() {
            return Err(CosimError::Io(format!(
                "{}: verilated.cpp not found under VERILATOR_ROOT; is the Verilator installation complete?",
                include_dir.display()
            )));
        }
        let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
        let v = Command::new(&cxx).arg("--version").output().map_err(|e| {
            CosimError::Io(format!(
                "{cxx}: C++ compiler not found ({e}); install g++ or set $CXX"
            ))
        })?;
        let cxx_version = String::from_utf8_lossy(&v.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        Ok(Builder {
            verilator,
            include_dir,
            cxx,
            cxx_version,
            cache: cache_dir(),
        })
    }

    fn includes(&self) -> Vec<String> {
        vec![
            format!("-I{}", self.include_dir.display()),
            format!("-I{}", self.include_dir.join("vltstd").display()),
        ]
    }

    /// The runtime objects, compiled on first use (two compiler processes).
    fn runtime(&self) -> Result<PathBuf, CosimError> {
        let key = hex(Sha256::digest(format!(
            "{}|{}|{:?}",
            self.verilator.version, self.cxx_version, CXX_FLAGS
        )));
        let dst = self.cache.join(format!("runtime-{}", &key[..16]));
        if dst.join("done").is_file() {
            return Ok(dst);
        }
        let tmp = tmp_dir(&self.cache, "runtime")?;
        let srcs = [
            "verilated.cpp",
            "verilated_threads.cpp",
            "verilated_vcd_c.cpp",
        ];
        let mut children = vec![];
        for s in srcs {
            let mut c = Command::new(&self.cxx);
            c.args(CXX_FLAGS)
                .args(self.includes())
                .arg("-c")
                .arg(self.include_dir.join(s));
            c.arg("-o").arg(tmp.join(s.replace(".cpp", ".o")));
            c.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            let child = c
                .spawn()
                .map_err(|e| CosimError::Io(format!("{}: {e}", self.cxx)))?;
            children.push((s, child));
        }
        for (s, child) in children {
            let out = child
                .wait_with_output()
                .map_err(|e| CosimError::Io(format!("{}: {e}", self.cxx)))?;
            if !out.status.success() {
                return Err(CosimError::Build {
                    step: format!("compiling the Verilator runtime ({s})"),
                    log: String::from_utf8_lossy(&out.stderr).into(),
                });
            }
        }
        std::fs::write(tmp.join("done"), "").map_err(|e| CosimError::Io(e.to_string()))?;
        publish(&tmp, &dst)?;
        Ok(dst)
    }

    /// The cache key of a design: its sources (name and text), the top and
    /// whether it has taps, the Verilator and compiler versions, every flag,
    /// the optimization level, tracing and the shim.
    pub fn design_key(
        &self,
        sources: &[(String, Vec<u8>)],
        top: &RtlTop,
        trace: bool,
        opt: Opt,
    ) -> String {
        let mut h = Sha256::new();
        for (name, text) in sources {
            h.update((name.len() as u64).to_le_bytes());
            h.update(name.as_bytes());
            h.update((text.len() as u64).to_le_bytes());
            h.update(text);
        }
        h.update(format!(
            "{}|{}|{}|{}|{:?}|{:?}|{:?}|{trace}",
            top.top,
            top.taps,
            self.verilator.version,
            self.cxx_version,
            VERILATOR_FLAGS,
            opt.flags(),
            CXX_FLAGS
        ));
        h.update(SHIM_CPP);
        hex(h.finalize())
    }

    /// Builds (or finds in the cache) the library for the Verilog files in
    /// `rtl_dir`, top from its `manifest.json` (else `snn_core`); with
    /// `trace`, a library that can write VCD.
    pub fn build(&self, rtl_dir: &Path, trace: bool, opt: Opt) -> Result<Library, CosimError> {
        let top = read_rtl_top(rtl_dir).map_err(CosimError::Io)?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(rtl_dir)
            .map_err(|e| CosimError::Io(format!("{}: {e}", rtl_dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "v"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(CosimError::Io(format!(
                "{}: no .v files",
                rtl_dir.display()
            )));
        }
        let mut sources = vec![];
        for f in &files {
            let text =
                std::fs::read(f).map_err(|e| CosimError::Io(format!("{}: {e}", f.display())))?;
            sources.push((f.file_name().unwrap().to_string_lossy().to_string(), text));
        }
        let key = self.design_key(&sources, &top, trace, opt);
        let dst = self.cache.join(format!("design-{}", &key[..24]));
        let lib_name = format!("lib{}.so", top.top);
        let lib = dst.join(&lib_name);
        if lib.is_file() {
            return Ok(Library {
                path: lib,
                traced: trace,
                top: top.top,
                taps: top.taps,
                built_now: false,
                build_seconds: 0.0,
            });
        }
        let start = Instant::now();
        let runtime = self.runtime()?;
        let tmp = tmp_dir(&self.cache, "design")?;
        let obj = tmp.join("obj");
        let mut v = Command::new(&self.verilator.path);
        v.args(VERILATOR_FLAGS)
            .arg("--top-module")
            .arg(&top.top)
            .args(opt.flags())
            .arg("--Mdir")
            .arg(&obj);
        if trace {
            v.arg("--trace");
        }
        let folded = top.top == "snn_folded";
        if folded {
            // Co-simulation loads the weights through the configuration
            // port (the process's working folder has no hex files).
            v.arg(format!("-D{}", rtl_gen::folded::memory::NO_INIT_MACRO));
        }
        v.args(&files);
        run_cmd(&mut v, "verilating the design")?;
        let mut unity = String::new();
        let mut cpps: Vec<PathBuf> = std::fs::read_dir(&obj)
            .map_err(|e| CosimError::Io(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
            .collect();
        cpps.sort();
        for c in &cpps {
            unity += &format!("#include \"{}\"\n", c.display());
        }
        std::fs::write(tmp.join("shim.cpp"), SHIM_CPP)
            .map_err(|e| CosimError::Io(e.to_string()))?;
        unity += "#include \"shim.cpp\"\n";
        std::fs::write(tmp.join("unity.cpp"), unity).map_err(|e| CosimError::Io(e.to_string()))?;
        let mut c = Command::new(&self.cxx);
        c.args(CXX_FLAGS)
            .args(self.includes())
            .arg(format!("-I{}", obj.display()))
            .arg(format!("-DVM_TRACE={}", u8::from(trace)))
            .arg(format!("-DSNN_TOP=V{}", top.top))
            .arg(format!("-DSNN_TOP_HEADER=\"V{}.h\"", top.top))
            .arg(format!("-DSNN_TOP_NAME=\"{}\"", top.top));
        if top.taps {
            c.arg("-DSNN_TAPS=1");
        }
        if folded {
            c.arg("-DSNN_FOLDED=1");
        }
        c.arg("-shared")
            .arg(tmp.join("unity.cpp"))
            .arg(runtime.join("verilated.o"))
            .arg(runtime.join("verilated_threads.o"));
        if trace {
            c.arg(runtime.join("verilated_vcd_c.o"));
        }
        c.arg("-o").arg(tmp.join(&lib_name)).arg("-pthread");
        run_cmd(&mut c, "compiling the verilated design")?;
        let _ = std::fs::remove_dir_all(&obj);
        publish(&tmp, &dst)?;
        Ok(Library {
            path: lib,
            traced: trace,
            top: top.top,
            taps: top.taps,
            built_now: true,
            build_seconds: start.elapsed().as_secs_f64(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_key_depends_on_every_input() {
        let b = Builder {
            verilator: Found {
                tool: Tool::Verilator,
                path: "verilator".into(),
                version: "Verilator 5.006".into(),
            },
            include_dir: PathBuf::new(),
            cxx: "c++".into(),
            cxx_version: "g++ 12".into(),
            cache: PathBuf::new(),
        };
        let src = vec![(
            "snn_core.v".to_string(),
            b"module snn_core; endmodule".to_vec(),
        )];
        let core = RtlTop {
            top: "snn_core".into(),
            taps: false,
        };
        let base = b.design_key(&src, &core, false, Opt::Rtl);
        let network = RtlTop {
            top: "snn_network".into(),
            taps: true,
        };
        assert_ne!(base, b.design_key(&src, &network, false, Opt::Rtl), "top");
        let untapped = RtlTop {
            taps: false,
            ..network.clone()
        };
        assert_ne!(
            b.design_key(&src, &network, false, Opt::Rtl),
            b.design_key(&src, &untapped, false, Opt::Rtl),
            "taps"
        );
        assert_ne!(base, b.design_key(&src, &core, true, Opt::Rtl), "tracing");
        assert_ne!(
            base,
            b.design_key(&src, &core, false, Opt::Careful),
            "optimization level"
        );
        let edited = vec![(
            "snn_core.v".to_string(),
            b"module snn_core;  endmodule".to_vec(),
        )];
        assert_ne!(
            base,
            b.design_key(&edited, &core, false, Opt::Rtl),
            "source text"
        );
        let renamed = vec![("snn_top.v".to_string(), src[0].1.clone())];
        assert_ne!(
            base,
            b.design_key(&renamed, &core, false, Opt::Rtl),
            "file name"
        );
        let mut other = b.clone();
        other.verilator.version = "Verilator 5.020".into();
        assert_ne!(
            base,
            other.design_key(&src, &core, false, Opt::Rtl),
            "Verilator version"
        );
        assert_eq!(base, b.design_key(&src, &core, false, Opt::Rtl), "stable");
    }
}
