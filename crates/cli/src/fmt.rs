//! `keyplan fmt`: rewrites programs in the canonical layout (the pure `kp-fmt` crate);
//! this module only finds files, reads them and writes them back atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::{render, source};

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files, directories (searched for `*.kp`) or `-` (standard input to standard
    /// output); the current directory if none
    #[arg(value_name = "FILE|DIR|-")]
    pub paths: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted and exit 1 if there is any
    #[arg(long)]
    pub check: bool,
    /// Wrap lists and maps that would make a line longer than this
    #[arg(long, default_value_t = kp_fmt::Options::default().width, value_name = "COLUMNS")]
    pub width: usize,
}

pub const AFTER_HELP: &str = "Examples:
  keyplan fmt                         # every .kp file under the current directory
  keyplan fmt --check examples/       # in CI: list unformatted files, exit 1 if any
  cat main.kp | keyplan fmt -         # standard input to standard output

Files are replaced atomically (a temporary file renamed over the original); a symbolic
link is written through: its target is formatted and the link is kept.
A file with syntax errors is left untouched and its errors are shown.
Exit codes: 0 formatted (or, with --check, already formatted), 1 errors or unformatted files.";

pub fn run(args: &FmtArgs) -> u8 {
    let options = kp_fmt::Options { width: args.width };
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    let default = [PathBuf::from(".")];
    let roots = if args.paths.is_empty() {
        &default[..]
    } else {
        &args.paths[..]
    };
    for root in roots {
        let files = if root.as_os_str() == "-" {
            vec![root.clone()]
        } else if root.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = find_programs(root, &mut found) {
                eprintln!("error: cannot list `{}`: {e}", root.display());
                failed = true;
            }
            found.sort();
            found
        } else {
            vec![root.clone()]
        };
        for file in files {
            failed |= !format_one(&file, args.check, &options, &mut stdout);
        }
    }
    u8::from(failed)
}

/// Formats one file (or standard input). Returns false when it failed or, with
/// `--check`, is not formatted.
fn format_one(path: &Path, check: bool, options: &kp_fmt::Options, out: &mut dyn Write) -> bool {
    let src = match source::read(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return false;
        }
    };
    let formatted = match kp_fmt::format_with(&src.text, options) {
        Ok(f) => f,
        Err(diagnostics) => {
            let stderr = &mut std::io::stderr();
            // Compiled only to find its literal secrets: the snippets star them out
            // as `check`'s do.
            let sources = keyplan::SourceMap::single(src.name.as_str(), src.text.as_str());
            let program = crate::build::compile(sources, None);
            render::human(stderr, &program, &diagnostics);
            render::summary(stderr, &diagnostics);
            eprintln!("error: `{}` was not formatted", src.name);
            return false;
        }
    };
    let stdin = path.as_os_str() == "-";
    if check {
        if formatted == src.text {
            return true;
        }
        let _ = writeln!(out, "{}", src.name);
        return false;
    }
    if stdin {
        let _ = out.write_all(formatted.as_bytes());
        return true;
    }
    if formatted == src.text {
        return true;
    }
    match write_atomically(path, &formatted) {
        Ok(()) => {
            let _ = writeln!(out, "{}", src.name);
            true
        }
        Err(e) => {
            eprintln!("error: cannot write `{}`: {e}", src.name);
            false
        }
    }
}

/// `*.kp` files under `dir`, skipping hidden directories and build output; symbolic
/// links to directories are not followed (no cycles).
fn find_programs(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                find_programs(&path, found)?;
            }
        } else if name.ends_with(".kp") && !name.starts_with('.') {
            found.push(path);
        }
    }
    Ok(())
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`, so a
/// reader (or a crash) never sees half a file. Keeps the original's permissions. A
/// symbolic link is written through: the file it resolves to is replaced (the temporary
/// file goes in that file's directory) and the link stays a link.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let path = &std::fs::canonicalize(path)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "program".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.keyplan-fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let permissions = std::fs::metadata(path)?.permissions();
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        std::fs::set_permissions(&temp, permissions)?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
