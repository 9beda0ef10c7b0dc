//! Adapts [`Diagnostic`] to miette so any miette handler renders it with its snippet.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::{Diagnostic, Severity};

/// A diagnostic bundled with the named source it points into.
#[derive(Debug)]
pub struct Report {
    diagnostic: Diagnostic,
    source: NamedSource<Arc<str>>,
}

impl Report {
    /// `text` is shared, not copied: a file with thousands of diagnostics renders each
    /// against the same source.
    pub fn new(diagnostic: Diagnostic, file: &str, text: Arc<str>) -> Self {
        Report {
            diagnostic,
            source: NamedSource::new(file, text),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = &self.diagnostic;
        let primary = LabeledSpan::new_primary_with_span(
            (!d.label.is_empty()).then(|| d.label.clone()),
            d.span,
        );
        let related = d
            .related
            .iter()
            .map(|r| LabeledSpan::new_with_span(Some(r.label.clone()), r.span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}
