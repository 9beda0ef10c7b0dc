//! One output file of `build -o DIR`, written so that a reader never sees half of it and
//! an output whose bytes did not change is left untouched.
//!
//! Leaving an unchanged file alone keeps its modification time (make-style tools see
//! nothing to redo) and costs no write at all. It also spares the rename over the old
//! file, which on ext4 (`auto_da_alloc`) starts a flush of the new file's data: 1–4 ms
//! off the CPU for a plan of megabytes.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// How much of the old file is read per comparison: a few pages, below the emitter's
/// 128 KiB writes, so that the buffer is a small block of the allocator's rather than
/// fresh pages of its own (about 60 page faults for a buffer of the write's size).
const COMPARE_WINDOW: usize = 32 * 1024;

/// A sink that reads the existing file alongside what is written. At the first byte
/// that differs it starts a temporary file beside the target, copies the identical
/// prefix into it from the old file, and writes everything else there.
pub struct StagedFile {
    path: PathBuf,
    /// The file being replaced, read as far as the bytes written so far; `None` once a
    /// difference was found (or when there is no readable old file).
    old: Option<File>,
    /// How many bytes were written, all identical to the old file's so far.
    same: u64,
    /// The temporary file, once the output differs from the old one.
    staged: Option<(PathBuf, File)>,
    /// Reused for the old file's bytes, read a window at a time.
    buf: Vec<u8>,
}

/// What a finished [`StagedFile`] leaves: the output's bytes equal the file already at
/// its path, or a temporary file holds them, to be renamed over it.
pub enum Outcome {
    Unchanged,
    Replace(PathBuf),
}

impl StagedFile {
    /// A sink for `path`; nothing is created until the output differs from its file.
    pub fn new(path: PathBuf) -> Self {
        // Only a regular file can be compared; anything else (a directory, a missing or
        // unreadable file) is replaced, and the rename reports what is wrong with it.
        let old = File::open(&path)
            .ok()
            .filter(|f| f.metadata().is_ok_and(|m| m.is_file()));
        Self {
            path,
            old,
            same: 0,
            staged: None,
            buf: Vec::new(),
        }
    }

    /// The output is complete: is it the old file's bytes, or what replaces them?
    pub fn finish(mut self) -> io::Result<Outcome> {
        if let Some(old) = self.old.as_mut() {
            // Identical so far: the same file only if the old one ends here too.
            if old.read(&mut [0u8])? == 0 {
                return Ok(Outcome::Unchanged);
            }
        }
        self.diverge()?;
        match self.staged.take() {
            Some((tmp, _)) => Ok(Outcome::Replace(tmp)),
            None => Err(io::Error::other("no staged file")),
        }
    }

    /// The temporary file, started (if it was not yet) with the prefix the output
    /// shares with the old file.
    fn diverge(&mut self) -> io::Result<&mut File> {
        if self.staged.is_none() {
            let tmp = self.path.with_extension("keyplan-tmp");
            let file = File::create(&tmp)?;
            // Held before the copy, so that a failed copy still removes it (`Drop`).
            let (_, file) = self.staged.insert((tmp, file));
            if let Some(old) = self.old.take() {
                copy_prefix(old, self.same, file)?;
            }
        }
        match self.staged.as_mut() {
            Some((_, file)) => Ok(file),
            None => Err(io::Error::other("no staged file")),
        }
    }

    /// Whether `data` equals the old file's next bytes (`false` once there is no old
    /// file to compare with, or where it ends first).
    fn matches_old(&mut self, data: &[u8]) -> io::Result<bool> {
        let Some(old) = self.old.as_mut() else {
            return Ok(false);
        };
        self.buf.resize(COMPARE_WINDOW.min(data.len()), 0);
        for piece in data.chunks(COMPARE_WINDOW) {
            let window = &mut self.buf[..piece.len()];
            match old.read_exact(window) {
                Ok(()) if window == piece => {}
                Ok(()) => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

/// The old file's first `len` bytes (all identical to the output's) into `out`.
fn copy_prefix(mut old: File, len: u64, out: &mut File) -> io::Result<()> {
    old.seek(SeekFrom::Start(0))?;
    if io::copy(&mut old.take(len), out)? == len {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the old file shrank while it was compared",
        ))
    }
}

impl Write for StagedFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.staged.is_none() && self.matches_old(data)? {
            self.same += data.len() as u64;
            return Ok(data.len());
        }
        self.diverge()?.write(data)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.staged.as_mut() {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

/// A sink dropped before `finish` (an emitter or a write failed) removes its temporary
/// file: a failed build leaves the old outputs as they were.
impl Drop for StagedFile {
    fn drop(&mut self) {
        if let Some((tmp, file)) = self.staged.take() {
            drop(file);
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A scratch folder of its own for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("keyplan-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes `new` over a file holding `old` (none if `None`), in `chunk`-byte writes,
    /// as the build does; returns whether the file was left unchanged, and its bytes
    /// after the rename.
    fn stage(name: &str, old: Option<&[u8]>, new: &[u8], chunk: usize) -> (bool, Vec<u8>) {
        let dir = scratch(name);
        let path = dir.join("calls.json");
        if let Some(old) = old {
            std::fs::write(&path, old).unwrap();
        }
        let mut sink = StagedFile::new(path.clone());
        for part in new.chunks(chunk) {
            sink.write_all(part).unwrap();
        }
        let unchanged = match sink.finish().unwrap() {
            Outcome::Unchanged => true,
            Outcome::Replace(tmp) => {
                std::fs::rename(tmp, &path).unwrap();
                false
            }
        };
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "only the output is left: {left:?}");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        (unchanged, bytes)
    }

    /// 300 KB that is not periodic, so that a shifted copy would not compare equal.
    fn plan() -> Vec<u8> {
        (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    #[test]
    fn identical_bytes_leave_the_file_unchanged() {
        let new = plan();
        for chunk in [1, 4096, 128 * 1024, new.len()] {
            assert_eq!(stage("same", Some(&new), &new, chunk), (true, new.clone()));
        }
        assert_eq!(stage("empty", Some(b""), b"", 1), (true, Vec::new()));
    }

    #[test]
    fn any_difference_replaces_the_file_with_the_new_bytes() {
        let new = plan();
        let mut middle = new.clone();
        middle[200_000] ^= 1;
        let mut last = new.clone();
        last[new.len() - 1] ^= 1;
        let longer = [new.as_slice(), b"\n"].concat();
        let olds: [(&str, &[u8]); 6] = [
            ("middle", &middle),
            ("last", &last),
            ("first", b"x"),
            ("prefix", &new[..150_000]),
            ("longer", &longer),
            ("empty", b""),
        ];
        for (name, old) in olds {
            for chunk in [1000, 128 * 1024] {
                assert_eq!(
                    stage(name, Some(old), &new, chunk),
                    (false, new.clone()),
                    "{name}"
                );
            }
        }
        assert_eq!(stage("none", None, &new, 4096), (false, new.clone()));
        assert_eq!(stage("emptied", Some(&new), b"", 1), (false, Vec::new()));
    }

    #[test]
    fn an_unfinished_output_leaves_the_old_file_and_no_temporary_one() {
        let dir = scratch("unfinished");
        let path = dir.join("calls.json");
        std::fs::write(&path, b"old plan").unwrap();
        let mut sink = StagedFile::new(path.clone());
        sink.write_all(b"new plan, cut short").unwrap();
        drop(sink);
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old plan");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
