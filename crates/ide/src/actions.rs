//! Quick fixes for diagnostics: apply a "did you mean", add missing required fields,
//! turn a literal secret into `env("...")`.

use kp_check::codes;
use kp_diag::{Diagnostic, Span};
use kp_schema::FieldType;
use kp_syntax::ast::{Block, Entry};

use crate::locate;
use crate::scope;
use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeAction {
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// The index in [`Analysis::diagnostics`] of the diagnostic it fixes.
    pub diagnostic: usize,
    /// Whether it is the obvious fix (editors may apply it on save).
    pub preferred: bool,
}

impl Analysis {
    /// Fixes for the diagnostics that overlap `range`.
    pub fn code_actions(&self, range: Span) -> Vec<CodeAction> {
        let mut out = Vec::new();
        for (i, d) in self.diagnostics.iter().enumerate() {
            let overlaps = d.span.start <= range.end && range.start <= d.span.end;
            if !overlaps {
                continue;
            }
            if let Some(a) = self.did_you_mean_fix(i, d) {
                out.push(a);
            }
            if d.code == codes::MISSING_FIELD {
                out.extend(self.missing_field_fix(i, d));
            }
            if d.code == codes::LITERAL_SECRET {
                out.extend(self.env_fix(i, d));
            }
        }
        out
    }

    /// `did you mean `x`?` in the help: replace the diagnostic's span with `x`.
    fn did_you_mean_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let help = d.help.as_deref()?;
        let rest = help.split("did you mean `").nth(1)?;
        let suggestion = rest.split('`').next()?;
        let current = self.source.get(d.span.start..d.span.end)?;
        if suggestion.is_empty() || current == suggestion || current.contains('\n') {
            return None;
        }
        Some(CodeAction {
            title: format!("replace `{current}` with `{suggestion}`"),
            edits: vec![TextEdit {
                span: d.span,
                new_text: suggestion.to_string(),
            }],
            diagnostic: i,
            preferred: true,
        })
    }

    /// Adds every required field the block lacks, before its closing brace.
    fn missing_field_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let (parents, block) = locate::block_at_head(&self.file, d.span.start)?;
        let body = block.body.as_ref()?;
        let sc = scope::child(scope::scope_of(&parents), block);
        let present = attr_names(block);
        let missing: Vec<_> = scope::fields(sc)
            .into_iter()
            .filter(|f| f.field.required && !present.contains(&f.field.name.as_str()))
            .collect();
        let missing: Vec<(String, FieldType)> = if missing.is_empty() {
            // `token NAME` needs `role`, which keyplan checks itself.
            if block.keyword.name == "token" && !present.contains(&"role") {
                vec![("role".to_string(), FieldType::String)]
            } else {
                return None;
            }
        } else {
            missing
                .iter()
                .map(|f| (f.field.name.clone(), f.field.ty))
                .collect()
        };
        let indent = format!("{}  ", self.indent_of(block.span.start));
        let close = body.span.end.saturating_sub(1);
        let line_start = self
            .source
            .get(..close)
            .map_or(0, |s| s.rfind('\n').map_or(0, |i| i + 1));
        let only_space_before = self
            .source
            .get(line_start..close)
            .is_some_and(|s| s.trim().is_empty());
        let mut text = String::new();
        if !only_space_before {
            text.push('\n');
        }
        for (name, ty) in &missing {
            text.push_str(&format!("{indent}{name} = {}\n", placeholder(*ty)));
        }
        let at = if only_space_before { line_start } else { close };
        if !only_space_before {
            text.push_str(&self.indent_of(block.span.start));
        }
        let names: Vec<String> = missing.iter().map(|(n, _)| format!("`{n}`")).collect();
        Some(CodeAction {
            title: format!("add {}", names.join(", ")),
            edits: vec![TextEdit {
                span: Span::new(at, at),
                new_text: text,
            }],
            diagnostic: i,
            preferred: false,
        })
    }

    /// `password = "hunter2"` → `password = env("MYSQL_DATABASE_PASSWORD")`.
    fn env_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let chain = locate::enclosing_blocks(&self.file, d.span.start);
        let attr = locate::attribute_at(&chain, d.span.start)?;
        let owner = chain.last().and_then(|b| b.label_text(0)).unwrap_or("");
        let var: String = format!("{owner}_{}", attr.name.name)
            .trim_start_matches('_')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        Some(CodeAction {
            title: format!(
                "read `{}` from the environment variable `{var}`",
                attr.name.name
            ),
            edits: vec![TextEdit {
                span: attr.value.span,
                new_text: format!("env(\"{var}\")"),
            }],
            diagnostic: i,
            preferred: true,
        })
    }

    /// The whitespace that starts the line holding `offset`.
    fn indent_of(&self, offset: usize) -> String {
        let line = locate::line_before(&self.source, offset);
        line.chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }
}

fn attr_names(block: &Block) -> Vec<&str> {
    block
        .entries()
        .iter()
        .filter_map(|e| match e {
            Entry::Attribute(a) => Some(a.name.name.as_str()),
            _ => None,
        })
        .collect()
}

fn placeholder(ty: FieldType) -> &'static str {
    match ty {
        FieldType::String | FieldType::Any => "\"\"",
        FieldType::Int => "0",
        FieldType::Bool => "false",
        FieldType::Duration => "1h",
        FieldType::List | FieldType::CommaList => "[]",
        FieldType::Map => "{}",
    }
}
