use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyplan::SourceMap;

/// A program's text and the name diagnostics use for it.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// A program that could not be read: the file at fault (or the path given, when no one
/// file is: a directory without `.kp` files), and why. Reports name the file, so that
/// an annotation lands on it and not on its directory.
#[derive(Debug)]
pub struct Unread {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for Unread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads a program from a path, or standard input for `-`.
pub fn read(path: &Path) -> Result<Source, Unread> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Unread {
                file: "<stdin>".into(),
                message: format!("cannot read standard input: {e}"),
            })?;
        return Ok(Source {
            name: "<stdin>".into(),
            text,
        });
    }
    let name = path.display().to_string();
    match kp_live::sources::read_text(path) {
        Ok(text) => Ok(Source { name, text }),
        Err(message) => Err(Unread {
            file: name,
            message,
        }),
    }
}

/// Reads one program from its paths: `.kp` files, directories of them (every `.kp`
/// file directly inside) or `-` for standard input, sorted by path. The first file that
/// cannot be read fails the whole program (a build of part of a program is not it).
pub fn read_program(paths: &[PathBuf]) -> Result<Arc<SourceMap>, Unread> {
    let (map, mut unread) = read_program_partial(paths)?;
    match unread.is_empty() {
        true => Ok(map),
        false => Err(unread.swap_remove(0)),
    }
}

/// Reads as much of one program as can be read: the files that could be read, and each
/// file that could not (in path order). `check` reports the unreadable files and checks
/// the rest, so one bad file in a directory does not hide the others' diagnostics. Only
/// a program whose files cannot be listed at all (a missing directory, one without
/// `.kp` files) is an error here.
pub fn read_program_partial(paths: &[PathBuf]) -> Result<(Arc<SourceMap>, Vec<Unread>), Unread> {
    let mut map = SourceMap::new();
    let mut unread = Vec::new();
    let (stdin, files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    let mut take = |read: Result<Source, Unread>| match read {
        Ok(src) => {
            map.add(src.name, src.text);
        }
        Err(e) => unread.push(e),
    };
    if !stdin.is_empty() {
        take(read(Path::new("-")));
    }
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    let listed = kp_live::sources::program_files(&files).map_err(|message| Unread {
        file: files
            .first()
            .map_or_else(String::new, |p| p.display().to_string()),
        message,
    })?;
    for path in &listed {
        take(read(path));
    }
    Ok((Arc::new(map), unread))
}
