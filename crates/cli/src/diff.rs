//! `keyplan diff`: what a change grants or takes away. `OLD` may be `git:REV`: the
//! NEW file's path at that revision, read with `git show` (this edge is the only place
//! that runs git).

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::{Args, ValueEnum};

use crate::access::{compile, compile_text, json};
use crate::cli::TargetArg;
use crate::source::Source;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The program before the change, or `git:REV` for NEW's path at a git revision
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The program after the change
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// The server the program is for
    #[arg(long, value_enum, default_value_t = TargetArg::Vault)]
    pub target: TargetArg,
    /// How to print the changes
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One line per change
    Text,
    /// `{"changed", "identities": [...]}`
    Json,
    /// A pull-request comment
    Markdown,
}

/// Exit codes: 0 unchanged, 2 changed, 1 errors.
pub fn run(args: &DiffArgs) -> u8 {
    let old = match args.old.strip_prefix("git:") {
        Some(rev) => match git_show(rev, &args.new) {
            Ok(src) => compile_text(&src, args.target),
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        },
        None => compile(Path::new(&args.old), args.target),
    };
    let new = compile(&args.new, args.target);
    let (Some(old), Some(new)) = (old, new) else {
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

/// `git show REV:./NAME` run in NEW's directory, so any path inside a work tree works.
fn git_show(rev: &str, new: &Path) -> Result<Source, String> {
    if rev.is_empty() {
        return Err("`git:` needs a revision, e.g. `git:HEAD` or `git:origin/main`".into());
    }
    let dir = match new.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = new
        .file_name()
        .ok_or_else(|| format!("`{}` names no file", new.display()))?
        .to_string_lossy();
    let spec = format!("{rev}:./{name}");
    let out = Command::new("git")
        .arg("-C")
        .arg(&dir)
        .args(["show", &spec])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`git show {spec}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|_| format!("`{spec}` is not UTF-8 text"))?;
    Ok(Source {
        name: format!("{}@{rev}", new.display()),
        text,
    })
}
