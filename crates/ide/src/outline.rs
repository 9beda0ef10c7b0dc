//! The document outline: mounts with their roles and connections, policies, token
//! roles, tokens and workloads, in source order.

use kp_check::index::{DefKind, SymbolKey};
use kp_diag::Span;

use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutlineItem {
    pub name: String,
    #[serde(skip)]
    pub kind: DefKind,
    /// "JWT role", "secrets mount", ...
    pub detail: String,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<OutlineItem>,
}

pub fn kind_noun(kind: DefKind) -> &'static str {
    match kind {
        DefKind::Policy => "policy",
        DefKind::ExternPolicy => "extern policy",
        DefKind::Workload => "workload",
        DefKind::AuthMount => "auth mount",
        DefKind::SecretsMount => "secrets mount",
        DefKind::Role { what } => what,
        DefKind::Connection => "database connection",
        DefKind::TokenRole => "token role",
        DefKind::Token => "token",
    }
}

impl Analysis {
    /// The outline of the one file whose global extent is `file` (a multi-file program's
    /// file shows its own blocks).
    pub fn outline_in(&self, file: Span) -> Vec<OutlineItem> {
        let mut items = self.outline();
        items.retain(|it| file.start <= it.span.start && it.span.end <= file.end);
        items
    }

    pub fn outline(&self) -> Vec<OutlineItem> {
        let item = |d: &kp_check::index::Definition| OutlineItem {
            name: d.key.name().to_string(),
            kind: d.kind,
            detail: kind_noun(d.kind).to_string(),
            span: d.span,
            name_span: d.name_span,
            children: Vec::new(),
        };
        let mut top: Vec<(SymbolKey, OutlineItem)> = Vec::new();
        for d in self.index.definitions.iter().filter(|d| d.parent.is_none()) {
            top.push((d.key.clone(), item(d)));
        }
        for d in self.index.definitions.iter() {
            let Some(parent) = &d.parent else { continue };
            // A workload's login role lives in the workload block, not in its mount.
            if d.span.start < self.source.len()
                && !top.iter().any(|(k, it)| {
                    k == parent && it.span.start <= d.span.start && d.span.end <= it.span.end
                })
            {
                if let Some((_, w)) = top.iter_mut().find(|(_, it)| {
                    it.kind == DefKind::Workload
                        && it.span.start <= d.span.start
                        && d.span.end <= it.span.end
                }) {
                    w.children.push(item(d));
                    continue;
                }
            }
            if let Some((_, p)) = top.iter_mut().find(|(k, _)| k == parent) {
                p.children.push(item(d));
            }
        }
        let mut out: Vec<OutlineItem> = top.into_iter().map(|(_, it)| it).collect();
        for it in &mut out {
            it.children.sort_by_key(|c| c.span.start);
        }
        out.sort_by_key(|it| it.span.start);
        out
    }
}
