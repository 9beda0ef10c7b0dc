//! `keyplan`: the command-line edge of the compiler. All file and terminal I/O of the
//! compile path lives here; the compiler itself is the pure `keyplan` crate.

mod build;
mod check;
mod cli;
mod render;
mod source;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Build(args) => build::run(&args),
    };
    ExitCode::from(code)
}
