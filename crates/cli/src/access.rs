//! `keyplan access`: the access matrix of a program.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::TargetArg;
use crate::{render, source};

#[derive(Debug, Args)]
pub struct AccessArgs {
    /// The program (`-` reads standard input)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// How to print the matrix
    #[arg(long, value_enum, default_value_t = AccessFormat::Text)]
    pub format: AccessFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AccessFormat {
    /// One block per identity: login conditions, policies, grants
    Text,
    /// The matrix as JSON (what the playground draws)
    Json,
    /// One row per identity and pattern
    Csv,
}

/// Compiles a program (a file, a directory of `.kp` files, or `-`) for `target`, or the
/// one it implies, as `check` and `build` do; on errors prints them and returns `None`.
pub fn compile(path: &std::path::Path, target: Option<TargetArg>) -> Option<keyplan::Compiled> {
    let sources = match source::read_program(&[path.to_path_buf()]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return None;
        }
    };
    compile_map(keyplan::SourceMap::clone(&sources), target)
}

/// Compiles a program already read (a `git:REV` revision, say).
pub fn compile_map(
    sources: keyplan::SourceMap,
    target: Option<TargetArg>,
) -> Option<keyplan::Compiled> {
    finish(crate::build::compile(sources, target))
}

fn finish(compiled: keyplan::Compiled) -> Option<keyplan::Compiled> {
    let stderr = &mut std::io::stderr();
    if compiled.has_errors() {
        render::human(stderr, &compiled, &compiled.diagnostics);
        render::summary(stderr, &compiled.diagnostics);
        return None;
    }
    Some(compiled)
}

pub fn run(args: &AccessArgs) -> u8 {
    let Some(matrix) = compile(&args.file, args.target).and_then(|c| keyplan::access_matrix(&c))
    else {
        return 1;
    };
    let out = match args.format {
        AccessFormat::Text => keyplan::access::render::matrix_text(&matrix),
        AccessFormat::Csv => keyplan::access::render::matrix_csv(&matrix),
        AccessFormat::Json => json(&matrix),
    };
    print!("{out}");
    0
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}
