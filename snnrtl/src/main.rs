//! `snnrtl`: spiking neural networks to synthesizable, co-simulated, costed
//! Verilog. One file per subcommand (`cmd_*.rs`).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod cmd_bench;
mod cmd_cosim;
mod cmd_encode;
mod cmd_export;
mod cmd_flow;
mod cmd_generate;
mod cmd_golden;
mod cmd_import;
mod cmd_search;
mod cmd_sweep;
mod cmd_synth;
mod flow;
mod fusesoc;
mod hw_args;
mod out;

#[derive(Parser)]
#[command(
    name = "snnrtl",
    version,
    about = "Spiking neural networks to bit-exact, synthesizable Verilog"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The end-to-end job: convert a trained network, generate, co-simulate, synthesize, report
    Flow(cmd_flow::Args),
    /// Run a SPEC section 5 case file through the golden model
    Golden(cmd_golden::Args),
    /// Generate the core's synthesizable Verilog and manifest.json for a layer
    Generate(cmd_generate::Args),
    /// Co-simulate the Verilog with Verilator against the golden model
    Cosim(cmd_cosim::Args),
    /// Measure TMN momentum coding against IF rate coding, per timestep count
    Encode(cmd_encode::Args),
    /// Time the golden model's packed synapses against a naive loop
    Bench(cmd_bench::Args),
    /// Import a NIR graph (HDF5) as an integer network, with a mapping report
    Import(cmd_import::Args),
    /// Export an integer network as a NIR graph (HDF5)
    Export(cmd_export::Args),
    /// Synthesize the core for a target (Yosys, nextpnr with --pnr): cells, Fmax, fit
    Synth(cmd_synth::Args),
    /// Synthesize a grid of configs in parallel: CSV, JSON and an SVG chart
    Sweep(cmd_sweep::Args),
    /// Hardware-aware evolutionary design search (NSGA-II): error, logic cells, us per image
    Search(cmd_search::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Flow(a) => cmd_flow::run(a),
        Command::Golden(a) => cmd_golden::run(a),
        Command::Generate(a) => cmd_generate::run(a),
        Command::Cosim(a) => cmd_cosim::run(a),
        Command::Encode(a) => cmd_encode::run(a),
        Command::Bench(a) => cmd_bench::run(a),
        Command::Import(a) => cmd_import::run(a),
        Command::Export(a) => cmd_export::run(a),
        Command::Synth(a) => cmd_synth::run(a),
        Command::Sweep(a) => cmd_sweep::run(a),
        Command::Search(a) => cmd_search::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the chain of contexts joined with ": ".
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
