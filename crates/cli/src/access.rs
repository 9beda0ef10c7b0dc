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
    let Some(compiled) = compile(&args.file, args.target) else {
        return 1;
    };
    let Some(matrix) = keyplan::access_matrix(&compiled) else {
        return 1;
    };
    let out = match args.format {
        AccessFormat::Text => keyplan::access::render::matrix_text(&matrix),
        AccessFormat::Csv => keyplan::access::render::matrix_csv(&matrix),
        AccessFormat::Json => located_json(&matrix, &compiled.sources),
    };
    print!("{out}");
    0
}

/// The matrix as JSON with each identity's `span` located as graph.json locates one:
/// the file it is in (`file`) and offsets into that file. Left as the compiler's
/// offsets, a span in a program of several files was a position in no file (the second
/// file's first identity started after the first file's length).
fn located_json(matrix: &keyplan::access::matrix::Matrix, sources: &keyplan::SourceMap) -> String {
    let Ok(mut value) = serde_json::to_value(matrix) else {
        return json(matrix);
    };
    let identities = value
        .get_mut("identities")
        .and_then(serde_json::Value::as_array_mut);
    for identity in identities.into_iter().flatten() {
        let Some(span) = identity.get_mut("span") else {
            continue;
        };
        let offset = |k: &str| span.get(k).and_then(serde_json::Value::as_u64);
        let (Some(start), Some(end)) = (offset("start"), offset("end")) else {
            continue;
        };
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(end)) else {
            continue;
        };
        let global = keyplan::Span::new(start, end);
        if let Some(at) = sources.locate(global) {
            *span = serde_json::json!({
                "file": at.name,
                "start": at.local.start,
                "end": at.local.end,
            });
        }
    }
    json(&value)
}

pub fn json<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}
