//! Where created tokens go: `DIR/NAME` holds the token (mode 0600), `DIR/NAME.accessor`
//! its accessor. The accessor is not a secret by itself and lets `plan` look the token
//! up (`auth/token/lookup-accessor`) to recognise a token it created before. Once apply
//! revokes a token, `DIR/NAME.revoked` keeps the dead accessor instead.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::error::{LiveError, Result};

/// The accessor of token `name` recorded under `dir`: the live token's, else the one
/// apply revoked. Without the revoked one, a token apply revoked would look like one
/// never recorded here, whose fate is unknown; with it, its lookup fails and the token
/// is known to be gone.
pub fn recorded_accessor(dir: &Path, name: &str) -> Option<String> {
    read_accessor(&accessor_file(dir, name)).or_else(|| read_accessor(&revoked_file(dir, name)))
}

/// The token recorded under `dir` for `name`, looked up by itself when it has no
/// accessor (a batch token).
pub fn recorded_token(dir: &Path, name: &str) -> Option<String> {
    read_accessor(&token_file(dir, name))
}

fn read_accessor(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let accessor = text.trim();
    (!accessor.is_empty()).then(|| accessor.to_string())
}

pub fn token_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

fn accessor_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.accessor"))
}

fn revoked_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.revoked"))
}

/// Writes the token and its accessor, each through a temporary file renamed into place,
/// so a reader never sees half a token and no other user can ever read it.
pub fn record(dir: &Path, name: &str, token: &str, accessor: &str) -> Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| file_error(dir, e))?;
    write_private(&token_file(dir, name), token)?;
    write_private(&accessor_file(dir, name), accessor)?;
    remove(&revoked_file(dir, name))
}

/// After token `name` was revoked: removes its files and keeps `accessor` as revoked.
/// The record is written first, so a failure leaves the token recorded as before.
pub fn forget(dir: &Path, name: &str, accessor: &str) -> Result<()> {
    write_private(&revoked_file(dir, name), accessor)?;
    remove(&token_file(dir, name))?;
    remove(&accessor_file(dir, name))
}

/// Removes a file; one already gone is fine.
fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(file_error(path, e)),
    }
}

fn write_private(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp-keyplan");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| file_error(&tmp, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.write_all(b"\n"))
        .and_then(|()| f.sync_all())
        .map_err(|e| file_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| file_error(path, e))
}

fn file_error(path: &Path, e: std::io::Error) -> LiveError {
    LiveError::TokenFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn files_are_private_and_readable_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("tokens");
        record(&out, "t", "s.secret", "acc").unwrap();
        let mode = std::fs::metadata(out.join("t"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(recorded_accessor(&out, "t").as_deref(), Some("acc"));
        assert_eq!(recorded_accessor(&out, "u"), None);
    }

    /// A revoked token's files go; its accessor stays known, as revoked, until a token
    /// of that name is recorded again.
    #[test]
    fn a_revoked_token_keeps_its_accessor_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("tokens");
        record(&out, "t", "s.secret", "acc").unwrap();
        forget(&out, "t", "acc").unwrap();
        assert!(!out.join("t").exists() && !out.join("t.accessor").exists());
        assert_eq!(recorded_accessor(&out, "t").as_deref(), Some("acc"));
        record(&out, "t", "s.other", "acc2").unwrap();
        assert!(!out.join("t.revoked").exists());
        assert_eq!(recorded_accessor(&out, "t").as_deref(), Some("acc2"));
    }
}
