//! The open documents. Each is analysed once per change; requests read the analysis.
//!
//! Keyed by URI so that several files can later form one program (a program spanning
//! files would be analysed per program and its answers mapped back per file); today
//! every document is its own program.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

use kp_diag::LineIndex;
use kp_ide::{Analysis, Target};

pub struct Document {
    pub version: i32,
    pub index: LineIndex,
    pub analysis: Analysis,
}

impl Document {
    pub fn new(text: &str, version: i32, target: Target) -> Document {
        Document {
            version,
            index: LineIndex::new(text),
            analysis: Analysis::new(text, target),
        }
    }

    pub fn text(&self) -> &str {
        self.analysis.source()
    }
}

#[derive(Default)]
pub struct Documents {
    docs: BTreeMap<String, Document>,
}

impl Documents {
    pub fn set(&mut self, uri: &str, text: &str, version: i32, target: Target) -> &Document {
        let doc = Document::new(text, version, target);
        match self.docs.entry(uri.to_string()) {
            Entry::Occupied(mut o) => {
                o.insert(doc);
                o.into_mut()
            }
            Entry::Vacant(v) => v.insert(doc),
        }
    }

    pub fn get(&self, uri: &str) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn close(&mut self, uri: &str) {
        self.docs.remove(uri);
    }
}
