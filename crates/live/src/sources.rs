//! Reading a program from the file system: a `.kp` file, several, or a directory of
//! them (the Terraform convention: every `.kp` file directly in it, one program).

use std::path::{Path, PathBuf};

use keyplan::SourceMap;

/// The files of a program: directories expanded to the `.kp` files directly in them;
/// all sorted by path and deduplicated, so outputs do not depend on directory order or
/// on the order of the arguments.
pub fn program_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path)
                .map_err(|e| format!("cannot read directory `{}`: {e}", path.display()))?;
            let before = files.len();
            for entry in entries {
                let entry = entry
                    .map_err(|e| format!("cannot read directory `{}`: {e}", path.display()))?;
                let file = entry.path();
                if file.extension().is_some_and(|e| e == "kp") && !file.is_dir() {
                    files.push(file);
                }
            }
            if files.len() == before {
                return Err(format!("`{}` holds no `.kp` file", path.display()));
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
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
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{name}` is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}
