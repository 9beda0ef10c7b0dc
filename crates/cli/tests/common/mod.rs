//! The `keyplan` binary as the CLI tests run it: from the repository root (or a given
//! directory), without colours, with an optional standard input; and scratch folders.
// Each test binary uses part of this module.
#![allow(dead_code)]
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root: examples and fixtures are named relative to it.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `keyplan ARGS` run in the repository root.
pub fn keyplan(args: &[&str]) -> Output {
    keyplan_in(&root(), args, None)
}

/// `keyplan ARGS` run in `dir`, with `stdin` as its standard input (empty if `None`).
pub fn keyplan_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyplan"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyplan runs");
    let mut input = child.stdin.take().unwrap();
    // A command that does not read its input may exit before it is written.
    let _ = input.write_all(stdin.unwrap_or_default().as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty scratch folder for one test, removed with everything in it when the
/// value is dropped (the test passed or failed). It reads as its path.
pub struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A scratch folder named after the test (`name` unique within its binary).
pub fn temp_dir(name: &str) -> Scratch {
    let prefix = format!("keyplan-cli-{}-{name}-", env!("CARGO_CRATE_NAME"));
    Scratch(
        tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .expect("temp dir"),
    )
}

/// A file in a scratch folder of its own, removed with it when the value is dropped. It
/// reads as the file's path.
pub struct ScratchFile {
    _dir: Scratch,
    path: PathBuf,
}

impl std::ops::Deref for ScratchFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ScratchFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// A file holding `text` in a fresh scratch folder of its own (see [`temp_dir`]).
pub fn scratch_file(dir_name: &str, file_name: &str, text: &str) -> ScratchFile {
    let dir = temp_dir(dir_name);
    let path = dir.join(file_name);
    std::fs::write(&path, text).expect("scratch file");
    ScratchFile { _dir: dir, path }
}
