//! `keyplan`: the command-line edge of the compiler. All file and terminal I/O of the
//! compile path lives here; the compiler itself is the pure `keyplan` crate.

mod access;
mod build;
mod check;
mod cli;
mod diff;
mod explain;
mod explain_code;
mod fmt;
mod lsp;
mod manifest;
mod output;
mod render;
mod simulate;
mod source;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

// The compiler allocates many small nodes; mimalloc serves them markedly faster than the
// system allocator. Only the native binary uses it: the library stays allocator-neutral.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => i32::from(check::run(&args)),
        Command::Build(args) => i32::from(build::run(&args)),
        Command::Plan(args) => {
            kp_live::run_plan(&args, &mut std::io::stdout(), &mut std::io::stderr())
        }
        Command::Apply(args) => {
            kp_live::run_apply(&args, &mut std::io::stdout(), &mut std::io::stderr())
        }
        Command::Fmt(args) => i32::from(fmt::run(&args)),
        Command::Explain(args) => i32::from(explain::run(&args)),
        Command::Access(args) => i32::from(access::run(&args)),
        Command::Diff(args) => i32::from(diff::run(&args)),
        Command::Simulate(args) => i32::from(simulate::run(&args)),
        Command::Lsp => lsp::run(),
        Command::Import(args) => {
            kp_live::run_import(&args, &mut std::io::stdout(), &mut std::io::stderr())
        }
        Command::ExplainCode(args) => i32::from(explain_code::run(&args.code)),
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
