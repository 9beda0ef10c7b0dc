//! The open documents, the files on disk beside them, and the programs they make up.
//!
//! A `.kp` file's program is, as for `keyplan check DIR`, every `.kp` file directly in
//! its directory: open buffers as the editor has them, the others as they are on disk.
//! With `"program": "file"` in the initialization options (or for a document that is not
//! a file, such as an unsaved buffer), a document is its own program.
//!
//! Changes only record text and mark the program stale; a program is analysed again when
//! something reads it (a request, or publishing once the server has no message waiting),
//! so a burst of changes costs one analysis, and the analysis reuses the previous one's
//! parse where the text did not change ([`kp_ide::Analysis::update`]).
//!
//! Files that are not open are read once and kept. When the client watches the file
//! system for the server (`workspace/didChangeWatchedFiles`), the kept copies are updated
//! from its events; otherwise each analysis looks at the directory again and reads the
//! files whose size or modification time changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kp_diag::{FileId, SourceFile, SourceMap};
use kp_ide::{Analysis, Retired, Target};

use crate::convert;

/// What makes up a document's program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramScope {
    /// Every `.kp` file in the document's directory (the CLI's rule for a directory).
    Directory,
    /// The document alone.
    File,
}

/// A document the editor has open.
struct Open {
    text: String,
    version: i32,
    path: Option<PathBuf>,
}

/// A `.kp` file read from disk, and what its metadata was then.
struct OnDisk {
    text: String,
    stamp: Stamp,
    /// Why its text could not be read (it is not UTF-8): the program holds it empty, and
    /// the file gets this error, as `keyplan check DIR` reports it.
    unreadable: Option<String>,
    /// The file its path resolves to: a program holds each file once, however many links
    /// in its directory lead to it (as `keyplan check DIR` reads it).
    canonical: PathBuf,
    /// Its path is a symbolic link: the file it leads to may be outside the directory,
    /// where no watched-file event names it, so its stamp is looked at again at each
    /// analysis.
    linked: bool,
}

/// Size and modification time: a file whose stamp did not change is not read again.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// One file of a program, in the order of its [`SourceMap`].
pub struct Member {
    pub uri: String,
    /// The editor's version of an open file; `None` for a file read from disk.
    pub version: Option<i32>,
    /// Why the file's text could not be read (it is in the program as empty text).
    pub unreadable: Option<String>,
}

/// One analysed program.
pub struct Program {
    pub members: Vec<Member>,
    pub analysis: Analysis,
}

impl Program {
    /// The member and source file of `uri`.
    pub fn file(&self, uri: &str) -> Option<(FileId, &SourceFile)> {
        let i = self.members.iter().position(|m| m.uri == uri)?;
        let id = FileId(u32::try_from(i).ok()?);
        Some((id, self.analysis.sources().get(id)?))
    }

    /// The URI and source file a global offset is in.
    pub fn locate(&self, offset: usize) -> Option<(&str, &SourceFile)> {
        let id = self.analysis.sources().file_id(offset)?;
        let member = self.members.get(id.0 as usize)?;
        Some((member.uri.as_str(), self.analysis.sources().get(id)?))
    }
}

/// What changed on disk, from a `workspace/didChangeWatchedFiles` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiskChange {
    /// Created or changed: read it again.
    Written,
    Deleted,
}

pub struct Documents {
    scope: ProgramScope,
    /// `None`: each program is checked for the target it implies.
    target: Option<Target>,
    open: BTreeMap<String, Open>,
    /// The `.kp` files of each directory a program was read from, except open ones'
    /// contents, which come from `open`.
    disk: BTreeMap<PathBuf, BTreeMap<PathBuf, OnDisk>>,
    /// The client reports changes on disk: `disk` is kept up to date by its events.
    watched: bool,
    /// Programs by key (a directory or a lone document's URI).
    programs: BTreeMap<String, Program>,
    /// Programs whose files changed since their analysis.
    stale: BTreeSet<String>,
    /// Programs analysed since their diagnostics were last published.
    unpublished: BTreeSet<String>,
    /// URIs no program holds any more, whose diagnostics must be cleared.
    cleared: BTreeSet<String>,
    /// What is left of replaced analyses, to drop once diagnostics are out.
    retired: Vec<Retired>,
}

impl Documents {
    pub fn new(scope: ProgramScope, target: Option<Target>) -> Documents {
        Documents {
            scope,
            target,
            open: BTreeMap::new(),
            disk: BTreeMap::new(),
            watched: false,
            programs: BTreeMap::new(),
            stale: BTreeSet::new(),
            unpublished: BTreeSet::new(),
            cleared: BTreeSet::new(),
            retired: Vec::new(),
        }
    }

    /// What is left of the analyses replaced since the last call.
    pub fn take_retired(&mut self) -> Vec<Retired> {
        std::mem::take(&mut self.retired)
    }

    /// From now on, changes on disk arrive as [`Documents::disk_changed`] calls.
    pub fn set_watched(&mut self) {
        self.watched = true;
    }

    /// The text of a document the editor has open, as the editor holds it (the program's
    /// copy reads an old Mac file's `\r` line ends as `\n`).
    pub fn open_text(&self, uri: &str) -> Option<&str> {
        self.open.get(uri).map(|o| o.text.as_str())
    }

    /// Opens or changes a document; its program is stale until next read.
    pub fn set(&mut self, uri: &str, text: String, version: i32) {
        let path = convert::uri_path(uri);
        self.open.insert(
            uri.to_string(),
            Open {
                text,
                version,
                path,
            },
        );
        self.stale.insert(self.key(uri));
    }

    /// Closes a document. Its program is read again with the file from disk while another
    /// of its files is open, else dropped and its files' diagnostics cleared.
    pub fn close(&mut self, uri: &str) {
        let key = self.key(uri);
        if let Some(path) = self.open.remove(uri).and_then(|o| o.path) {
            // The editor may not have saved it, and no event said what is on disk now.
            self.reread(&path);
        }
        if self.open.keys().any(|u| self.key(u) == key) {
            self.stale.insert(key);
            return;
        }
        self.stale.remove(&key);
        self.unpublished.remove(&key);
        match self.programs.remove(&key) {
            Some(p) => self.cleared.extend(p.members.into_iter().map(|m| m.uri)),
            None => {
                self.cleared.insert(uri.to_string());
            }
        }
    }

    /// A file changed on disk: kept copies are updated and the program holding the file,
    /// if any, is stale.
    pub fn disk_changed(&mut self, uri: &str, change: DiskChange) {
        let Some(path) = convert::uri_path(uri) else {
            return;
        };
        if path.extension().is_none_or(|e| e != "kp") {
            return;
        }
        match change {
            DiskChange::Written => self.reread(&path),
            DiskChange::Deleted => {
                if let Some(files) = path.parent().and_then(|d| self.disk.get_mut(d)) {
                    files.remove(&path);
                }
            }
        }
        let key = self.key(uri);
        if self.programs.contains_key(&key) {
            self.stale.insert(key);
        }
    }

    /// Reads `path` again into the kept copies of its directory, if that is kept.
    fn reread(&mut self, path: &Path) {
        let Some(files) = path.parent().and_then(|d| self.disk.get_mut(d)) else {
            return;
        };
        match read(path) {
            Some(file) => {
                files.insert(path.to_path_buf(), file);
            }
            None => {
                files.remove(path);
            }
        }
    }

    /// Analyses `uri`'s program again if it is stale.
    pub fn refresh_for(&mut self, uri: &str) {
        let key = self.key(uri);
        if self.stale.remove(&key) {
            self.reanalyse(&key);
        }
    }

    /// Analyses every stale program again.
    pub fn refresh(&mut self) {
        for key in std::mem::take(&mut self.stale) {
            self.reanalyse(&key);
        }
    }

    /// What to publish: URIs to clear, then the programs analysed since last time.
    pub fn take_unpublished(&mut self) -> (Vec<String>, Vec<&Program>) {
        let cleared: Vec<String> = std::mem::take(&mut self.cleared).into_iter().collect();
        let keys = std::mem::take(&mut self.unpublished);
        let programs = keys.iter().filter_map(|k| self.programs.get(k)).collect();
        (cleared, programs)
    }

    /// The program `uri` belongs to, as last analysed.
    pub fn program(&self, uri: &str) -> Option<&Program> {
        self.programs.get(&self.key(uri))
    }

    fn key(&self, uri: &str) -> String {
        match (self.scope, convert::uri_path(uri)) {
            (ProgramScope::Directory, Some(path)) => match path.parent() {
                Some(dir) => format!("dir:{}", dir.display()),
                None => format!("doc:{uri}"),
            },
            _ => format!("doc:{uri}"),
        }
    }

    fn reanalyse(&mut self, key: &str) {
        let members = match key.strip_prefix("dir:") {
            Some(dir) => self.directory_members(Path::new(dir)),
            None => key
                .strip_prefix("doc:")
                .and_then(|uri| self.open.get(uri).map(|o| (uri, o)))
                .map(|(uri, o)| {
                    vec![Read {
                        uri: uri.to_string(),
                        version: Some(o.version),
                        text: o.text.clone(),
                        unreadable: None,
                    }]
                })
                .unwrap_or_default(),
        };
        let old = self.programs.remove(key);
        if members.is_empty() {
            self.unpublished.remove(key);
            self.cleared
                .extend(old.into_iter().flat_map(|p| p.members).map(|m| m.uri));
            return;
        }
        let mut sources = SourceMap::new();
        let mut program_members = Vec::with_capacity(members.len());
        for m in members {
            sources.add(m.uri.clone(), m.text);
            program_members.push(Member {
                uri: m.uri,
                version: m.version,
                unreadable: m.unreadable,
            });
        }
        let analysis = match old {
            Some(old) => {
                for m in old.members {
                    if !program_members.iter().any(|n| n.uri == m.uri) {
                        self.cleared.insert(m.uri);
                    }
                }
                let (analysis, _, retired) = old.analysis.update_retiring(sources);
                self.retired.push(retired);
                analysis
            }
            None => Analysis::of_program_for(sources, self.target),
        };
        for m in &program_members {
            self.cleared.remove(&m.uri);
        }
        self.programs.insert(
            key.to_string(),
            Program {
                members: program_members,
                analysis,
            },
        );
        self.unpublished.insert(key.to_string());
    }

    /// Every `.kp` file in `dir`, sorted by path: open files as the editor has them
    /// (even unsaved new ones), the others from disk. A file that cannot be read is left
    /// out, as if absent; one that is not UTF-8 is in, empty, with its error. A link is
    /// read through; a file several paths lead to is in once (the open one, else the
    /// first path).
    fn directory_members(&mut self, dir: &Path) -> Vec<Read> {
        if !self.watched || !self.disk.contains_key(dir) {
            self.scan(dir);
        } else {
            self.reread_links(dir);
        }
        let mut by_path: BTreeMap<&Path, Read> = BTreeMap::new();
        // The files already in, by the file each path resolves to.
        let mut files: BTreeSet<PathBuf> = BTreeSet::new();
        for (uri, o) in &self.open {
            if let Some(p) = o.path.as_deref().filter(|p| p.parent() == Some(dir)) {
                let read = Read {
                    uri: uri.clone(),
                    version: Some(o.version),
                    text: o.text.clone(),
                    unreadable: None,
                };
                files.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()));
                by_path.insert(p, read);
            }
        }
        if let Some(disk) = self.disk.get(dir) {
            for (path, file) in disk {
                if by_path.contains_key(path.as_path()) || !files.insert(file.canonical.clone()) {
                    continue;
                }
                by_path.insert(
                    path,
                    Read {
                        uri: convert::path_uri(path),
                        version: None,
                        text: file.text.clone(),
                        unreadable: file.unreadable.clone(),
                    },
                );
            }
        }
        by_path.into_values().collect()
    }

    /// Reads again the kept files of `dir` that are links whose target changed.
    fn reread_links(&mut self, dir: &Path) {
        let Some(files) = self.disk.get(dir) else {
            return;
        };
        let changed: Vec<PathBuf> = files
            .iter()
            .filter(|(path, f)| {
                f.linked && std::fs::metadata(path).map_or(true, |m| Stamp::of(&m) != f.stamp)
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in changed {
            self.reread(&path);
        }
    }

    /// Lists `dir` again, reading the `.kp` files that are new or whose stamp changed.
    fn scan(&mut self, dir: &Path) {
        let mut kept = self.disk.remove(dir).unwrap_or_default();
        let mut now = BTreeMap::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            // Through a link, as `keyplan check DIR` reads it.
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if path.extension().is_none_or(|e| e != "kp") || !meta.is_file() {
                continue;
            }
            let file = match kept.remove(&path) {
                Some(f) if f.stamp == Stamp::of(&meta) => Some(f),
                _ => read(&path),
            };
            if let Some(f) = file {
                now.insert(path, f);
            }
        }
        self.disk.insert(dir.to_path_buf(), now);
    }
}

/// One file of a program as it is read: its URI, the editor's version of an open file,
/// its text, and why its text could not be read.
struct Read {
    uri: String,
    version: Option<i32>,
    text: String,
    unreadable: Option<String>,
}

/// A `.kp` file's text and stamp; `None` if it cannot be read (as if absent). A file
/// that is not UTF-8 is read as empty, with the error `keyplan check` gives for it: it
/// is part of the program; the rest is checked without it, as `keyplan check` does.
fn read(path: &Path) -> Option<OnDisk> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    let bytes = std::fs::read(path).ok()?;
    let (text, unreadable) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => (
            String::new(),
            Some(format!(
                "`{}` is not UTF-8 text (invalid byte at offset {}): save it as UTF-8; the rest of the program is checked without it, as `keyplan check` does",
                path.display(),
                e.utf8_error().valid_up_to()
            )),
        ),
    };
    Some(OnDisk {
        text,
        stamp: Stamp::of(&meta),
        unreadable,
        canonical: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        linked: std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()),
    })
}
