//! The open documents and the programs they belong to.
//!
//! A `.kp` file's program is, as for `keyplan check DIR`, every `.kp` file directly in
//! its directory: open buffers as the editor has them, the others as they are on disk.
//! Each program is analysed once per change of one of its open files; requests read the
//! analysis. With `"program": "file"` in the initialization options (or for a document
//! that is not a file, such as an unsaved buffer), a document is its own program.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kp_diag::{FileId, SourceFile, SourceMap};
use kp_ide::{Analysis, Target};

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

/// One file of a program, in the order of its [`SourceMap`].
pub struct Member {
    pub uri: String,
    /// The editor's version of an open file; `None` for a file read from disk.
    pub version: Option<i32>,
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

pub struct Documents {
    scope: ProgramScope,
    target: Target,
    open: BTreeMap<String, Open>,
    /// Programs by key (a directory or a lone document's URI).
    programs: BTreeMap<String, Program>,
}

impl Documents {
    pub fn new(scope: ProgramScope, target: Target) -> Documents {
        Documents {
            scope,
            target,
            open: BTreeMap::new(),
            programs: BTreeMap::new(),
        }
    }

    /// Opens or changes a document and re-analyses its program. Returns the URIs that
    /// were in the program before and are not any more (their diagnostics must be
    /// cleared).
    pub fn set(&mut self, uri: &str, text: &str, version: i32) -> Vec<String> {
        let path = convert::uri_path(uri);
        self.open.insert(
            uri.to_string(),
            Open {
                text: text.to_string(),
                version,
                path,
            },
        );
        self.reanalyse(&self.key(uri))
    }

    /// Closes a document. Its program is re-read with the file from disk while another
    /// of its files is open, else dropped. Returns the URIs whose diagnostics must be
    /// cleared.
    pub fn close(&mut self, uri: &str) -> Vec<String> {
        let key = self.key(uri);
        self.open.remove(uri);
        let still_open = self.open.keys().any(|u| self.key(u) == key);
        if still_open {
            return self.reanalyse(&key);
        }
        match self.programs.remove(&key) {
            Some(p) => p.members.into_iter().map(|m| m.uri).collect(),
            None => vec![uri.to_string()],
        }
    }

    /// The program `uri` belongs to.
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

    fn reanalyse(&mut self, key: &str) -> Vec<String> {
        let members = match key.strip_prefix("dir:") {
            Some(dir) => self.directory_members(Path::new(dir)),
            None => key
                .strip_prefix("doc:")
                .and_then(|uri| self.open.get(uri).map(|o| (uri, o)))
                .map(|(uri, o)| vec![(uri.to_string(), Some(o.version), o.text.clone())])
                .unwrap_or_default(),
        };
        let mut sources = SourceMap::new();
        let mut program_members = Vec::new();
        for (uri, version, text) in members {
            sources.add(uri.clone(), text);
            program_members.push(Member { uri, version });
        }
        let program = Program {
            members: program_members,
            analysis: Analysis::of_program(sources, self.target),
        };
        let gone = self
            .programs
            .insert(key.to_string(), program)
            .map(|old| old.members.into_iter().map(|m| m.uri).collect::<Vec<_>>())
            .unwrap_or_default();
        let now = self.programs.get(key);
        gone.into_iter()
            .filter(|u| now.is_none_or(|p| !p.members.iter().any(|m| &m.uri == u)))
            .collect()
    }

    /// `(uri, version, text)` of every `.kp` file in `dir`, sorted by path: open files
    /// as the editor has them (even unsaved new ones), the others from disk. A file that
    /// cannot be read is left out, as if absent.
    fn directory_members(&self, dir: &Path) -> Vec<(String, Option<i32>, String)> {
        let mut by_path: BTreeMap<PathBuf, (String, Option<i32>, String)> = BTreeMap::new();
        for (uri, o) in &self.open {
            if let Some(p) = o.path.as_ref().filter(|p| p.parent() == Some(dir)) {
                by_path.insert(p.clone(), (uri.clone(), Some(o.version), o.text.clone()));
            }
        }
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                let is_kp = path.extension().is_some_and(|e| e == "kp")
                    && entry.file_type().is_ok_and(|t| t.is_file());
                if !is_kp || by_path.contains_key(&path) {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(&path) {
                    by_path.insert(path.clone(), (convert::path_uri(&path), None, text));
                }
            }
        }
        by_path.into_values().collect()
    }
}
