//! The repository's keyplan programs on disk, for tests that run on all of them (kp-ide's
//! and, by `#[path]`, kp-lsp's).

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `.kp` files directly in `dir`, sorted.
pub fn kp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "kp"))
        .collect();
    out.sort();
    out
}
