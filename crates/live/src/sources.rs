//! Reading a program from the file system: a `.kp` file, several, or a directory of
//! them (the Terraform convention: every `.kp` file directly in it, one program).

use std::path::{Path, PathBuf};

use keyplan::SourceMap;

/// The files of a program: directories expanded to the `.kp` files directly in them;
/// all sorted by path and deduplicated, so outputs do not depend on directory order or
/// on the order of the arguments. A file named twice (`a.kp ./a.kp`, a directory and a
/// file in it, a symbolic link) is read once, under the name it was first given.
pub fn program_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    // Each file with the key it is deduplicated by: its canonical path. A directory's
    // regular files are keyed by the directory's canonical path and their name (the
    // same path, without resolving every file: a split program has hundreds).
    let mut files: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let unreadable =
                |e: std::io::Error| format!("cannot read directory `{}`: {e}", path.display());
            let entries = std::fs::read_dir(path).map_err(unreadable)?;
            let canonical_dir = std::fs::canonicalize(path).ok();
            let before = files.len();
            for entry in entries {
                let entry = entry.map_err(unreadable)?;
                let file = entry.path();
                if file.extension().is_none_or(|e| e != "kp") {
                    continue;
                }
                // The entry's type comes with the listing; only a link is followed.
                let regular = entry.file_type().is_ok_and(|t| t.is_file());
                if !regular && file.is_dir() {
                    continue;
                }
                let key = match &canonical_dir {
                    Some(dir) if regular => dir.join(entry.file_name()),
                    _ => canonical(&file),
                };
                files.push((file, key));
            }
            if files.len() == before {
                return Err(format!("`{}` holds no `.kp` file", path.display()));
            }
        } else {
            files.push((path.clone(), canonical(path)));
        }
    }
    // In path order before the duplicates go, so that of several paths to one file the
    // first is kept, whatever order the directory lists them in.
    files.sort();
    let mut seen = std::collections::HashSet::new();
    Ok(files
        .into_iter()
        .filter_map(|(file, key)| seen.insert(key).then_some(file))
        .collect())
}

/// The key a file is deduplicated by: its canonical path, or (a missing file, which
/// reading then reports) the path itself.
fn canonical(file: &Path) -> PathBuf {
    std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf())
}

/// Reads the files of a program into one source map, each named by its path.
pub fn read_program(paths: &[PathBuf]) -> Result<SourceMap, String> {
    let mut map = SourceMap::new();
    for file in program_files(paths)? {
        let text = read_text(&file)?;
        map.add(file.display().to_string(), text);
    }
    Ok(map)
}

/// A file's text; a file that is not UTF-8 is named with the offset of its first bad byte.
pub fn read_text(path: &Path) -> Result<String, String> {
    let name = path.display();
    let bytes = read_bytes(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{name}` is not UTF-8 text (invalid byte at offset {}): save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// A file's bytes, read without asking for its size first as `std::fs::read` does: one
/// system call less per file (open, read, the read that finds the end, close), which a
/// program split over hundreds of files pays hundreds of times. A file larger than
/// [`SMALL_FILE`] is then read as `std::fs::read` reads it, in one read of its size.
fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(SMALL_FILE);
    // Through `take`: `File`'s own `read_to_end` asks for the size (and the position).
    (&mut file)
        .take(SMALL_FILE as u64)
        .read_to_end(&mut bytes)?;
    if bytes.len() == SMALL_FILE {
        file.read_to_end(&mut bytes)?;
    }
    // The buffer's rest back to the allocator, for the next file's: a program of many
    // files held in buffers of this size would touch twice the memory.
    bytes.shrink_to_fit();
    Ok(bytes)
}

/// The size of most program files, read without asking for the size.
const SMALL_FILE: usize = 16 * 1024;

/// The previous version of a program, for `keyplan diff OLD NEW` and `--previous OLD`:
/// `OLD` is a `.kp` file or a directory of them, or `git:REV` for NEW's own path (a
/// file, or a directory's `.kp` files) at a git revision. Each file is named
/// `PATH@REV`. This edge and the CLI's are the only places that run git.
pub fn read_previous(old: &str, new: &Path) -> Result<SourceMap, String> {
    read_previous_of(old, std::slice::from_ref(&new.to_path_buf()))
}

/// [`read_previous`] for a program given as several paths: with `git:REV`, each of
/// them at the revision, as one program.
pub fn read_previous_of(old: &str, news: &[PathBuf]) -> Result<SourceMap, String> {
    let Some(rev) = old.strip_prefix("git:") else {
        return read_program(&[PathBuf::from(old)]);
    };
    let mut map = SourceMap::new();
    for new in news {
        for file in read_at_revision(rev, new)?.files() {
            map.add(file.name(), file.text());
        }
    }
    Ok(map)
}

fn read_at_revision(rev: &str, new: &Path) -> Result<SourceMap, String> {
    if rev.is_empty() {
        return Err("`git:` needs a revision, e.g. `git:HEAD` or `git:origin/main`".into());
    }
    let mut map = SourceMap::new();
    if new.is_dir() {
        // The directory's entries at REV (named relative to it), whatever the work tree
        // holds now: a file deleted since is part of the previous program.
        let listing = git(new, &["ls-tree", rev, "--", "."])?;
        let mut names: Vec<&str> = listing
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(meta, name)| meta.contains(" blob ") && name.ends_with(".kp"))
            .map(|(_, name)| name)
            .collect();
        names.sort_unstable();
        if names.is_empty() {
            return Err(format!(
                "`{}` holds no `.kp` file at `{rev}`",
                new.display()
            ));
        }
        for name in names {
            let text = git(new, &["show", &format!("{rev}:./{name}")])?;
            map.add(format!("{}@{rev}", new.join(name).display()), text);
        }
        return Ok(map);
    }
    let dir = match new.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = new
        .file_name()
        .ok_or_else(|| format!("`{}` names no file", new.display()))?
        .to_string_lossy();
    let text = git(&dir, &["show", &format!("{rev}:./{name}")])?;
    map.add(format!("{}@{rev}", new.display()), text);
    Ok(map)
}

/// `git -C DIR ARGS...`'s standard output as text.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let shown = args.join(" ");
    if !out.status.success() {
        return Err(format!(
            "`git {shown}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`git {shown}` is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Several links in a directory to one file: the file is read once, under the first
    /// of its paths (the name diagnostics give), not the first the listing returns.
    #[test]
    fn a_file_linked_several_times_is_read_under_its_first_path() {
        let dir = std::env::temp_dir().join(format!("kp-links-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("t.kp"), "extern policy p\n").unwrap();
        for i in 0..20 {
            std::os::unix::fs::symlink(dir.join("t.kp"), dir.join(format!("l{i:02}.kp"))).unwrap();
        }
        let files = program_files(std::slice::from_ref(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(files, [dir.join("l00.kp")]);
    }

    /// Every size reads whole: below, at and above the size read without asking for it.
    #[test]
    fn files_of_every_size_read_whole() {
        let dir = std::env::temp_dir().join(format!("kp-read-bytes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for size in [
            0,
            1,
            100,
            SMALL_FILE - 1,
            SMALL_FILE,
            SMALL_FILE + 1,
            3 * SMALL_FILE + 7,
        ] {
            let text: String = (0..size)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let path = dir.join(format!("f{size}.kp"));
            std::fs::write(&path, &text).unwrap();
            assert_eq!(read_text(&path).unwrap(), text, "{size} bytes");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
