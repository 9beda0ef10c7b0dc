//! What `build -o DIR` wrote into DIR, listed in `DIR/.keyplan-outputs`, so that a later
//! build removes the outputs it no longer writes (a policy dropped from the program
//! leaves no `policies/NAME.hcl` behind) and only those: a file keyplan did not write
//! there is never touched.
//!
//! One line per file: the format that wrote it, a space, its path under DIR with `/`
//! separators. A run removes only the stale files of the formats it emits: `--emit hcl`
//! after `--emit all` leaves `calls.json` (and its line) alone.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The list's name in DIR.
pub const FILE: &str = ".keyplan-outputs";

const HEADER: &str = "# Written by `keyplan build -o`: the files it wrote in this directory.\n\
                      # A later build removes those it no longer writes, and no others.\n";

/// One output: its format's name and its path relative to DIR, `/`-separated.
pub type Entry = (String, String);

/// The entries of the list in `dir`; none when there is no list. A line that is not an
/// entry, or whose path could leave DIR (absolute, `..`), is ignored: the list is only
/// trusted to name files under DIR.
pub fn read(dir: &Path) -> BTreeSet<Entry> {
    let Ok(text) = std::fs::read_to_string(dir.join(FILE)) else {
        return BTreeSet::new();
    };
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once(' '))
        .filter(|(_, path)| is_inside(path))
        .map(|(format, path)| (format.to_string(), path.to_string()))
        .collect()
}

/// Whether `path` names a file strictly under the directory it is relative to.
fn is_inside(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// `path` (under `dir`) as a list entry's path; `None` if it is not under `dir`.
pub fn relative(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?;
    let parts: Option<Vec<&str>> = rel
        .components()
        .map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    parts.map(|p| p.join("/")).filter(|p| is_inside(p))
}

/// The file of an entry.
pub fn path(dir: &Path, entry: &Entry) -> PathBuf {
    dir.join(&entry.1)
}

/// Replaces the list in `dir` with `entries`, atomically (a temporary file renamed).
pub fn write(dir: &Path, entries: &BTreeSet<Entry>) -> std::io::Result<()> {
    let mut text = String::from(HEADER);
    for (format, path) in entries {
        text.push_str(&format!("{format} {path}\n"));
    }
    let target = dir.join(FILE);
    // Unchanged, it is left alone, as the outputs are (make-style tools see nothing new).
    if std::fs::read_to_string(&target).is_ok_and(|old| old == text) {
        return Ok(());
    }
    let tmp = dir.join(format!("{FILE}.keyplan-tmp"));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, &target));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_strictly_under_the_directory_are_entries() {
        for ok in ["calls.json", "policies/a.hcl"] {
            assert!(is_inside(ok), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "policies/../../x", "./a"] {
            assert!(!is_inside(bad), "{bad}");
        }
        let dir = Path::new("out");
        assert_eq!(
            relative(dir, &dir.join("policies").join("a.hcl")).as_deref(),
            Some("policies/a.hcl")
        );
        assert_eq!(relative(dir, Path::new("elsewhere/a.hcl")), None);
    }
}
