//! `keyplan diff`: what a change grants or takes away. `OLD` may be `git:REV`: NEW's
//! path (a file or a directory) at that revision, read by the resolver `plan
//! --previous` shares ([`kp_live::sources::read_previous`]).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::access::{compile, compile_map, json};
use crate::cli::TargetArg;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The program before the change, or `git:REV` for NEW's path at a git revision
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The program after the change
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// How to print the changes
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One line per change
    Text,
    /// `{"changed", "summary": {...}, "identities": [...]}`
    Json,
    /// A pull-request comment
    Markdown,
}

/// Exit codes: 0 unchanged, 2 changed, 1 errors.
pub fn run(args: &DiffArgs) -> u8 {
    // Both sides are compiled for one server: NEW's (given or implied), so that a
    // change of implied target is not reported as a change of access.
    let Some(new) = compile(&args.new, args.target) else {
        return 1;
    };
    let old = match kp_live::sources::read_previous(&args.old, &args.new) {
        Ok(sources) => compile_map(sources, Some(new.target.into())),
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let Some(old) = old else {
        return 1;
    };
    let Some(diff) = keyplan::access_diff(&old, &new) else {
        return 1;
    };
    let out = match args.format {
        DiffFormat::Text => keyplan::access::render::diff_text(&diff),
        DiffFormat::Markdown => keyplan::access::render::diff_markdown(&diff),
        DiffFormat::Json => json(&diff),
    };
    print!("{out}");
    if diff.changed {
        2
    } else {
        0
    }
}
