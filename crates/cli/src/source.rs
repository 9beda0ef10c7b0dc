use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyplan::SourceMap;

/// A program's text and the name diagnostics use for it.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// Reads a program from a path, or standard input for `-`.
pub fn read(path: &Path) -> Result<Source, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(Source {
            name: "<stdin>".into(),
            text,
        });
    }
    let name = path.display().to_string();
    let text = kp_live::sources::read_text(path)?;
    Ok(Source { name, text })
}

/// Reads one program from its paths: `.kp` files, directories of them (every `.kp`
/// file directly inside) or `-` for standard input, sorted by path.
pub fn read_program(paths: &[PathBuf]) -> Result<Arc<SourceMap>, String> {
    let mut map = SourceMap::new();
    let (stdin, files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() {
        let src = read(Path::new("-"))?;
        map.add(src.name, src.text);
    }
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    for path in kp_live::sources::program_files(&files)? {
        let src = read(&path)?;
        map.add(src.name, src.text);
    }
    Ok(Arc::new(map))
}
