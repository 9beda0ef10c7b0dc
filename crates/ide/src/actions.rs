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
                // A block missing several things has a diagnostic for each, and one fix
                // adding every required field: offered once.
                let fix = self.missing_field_fix(i, d);
                out.extend(fix.filter(|f| !out.iter().any(|o| o.edits == f.edits)));
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
        let sc = scope::child(&self.file, scope::scope_of(&self.file, &parents), block);
        let present = attr_names(block);
        let mut missing: Vec<(String, &str)> = scope::fields(sc)
            .into_iter()
            .filter(|f| f.field.required && !present.contains(&f.field.name.as_str()))
            .map(|f| (f.field.name.clone(), placeholder(f.field.ty)))
            .collect();
        missing.extend(own_required(sc, block, &present));
        if missing.is_empty() {
            return None;
        }
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
        for (name, value) in &missing {
            text.push_str(&format!("{indent}{name} = {value}\n"));
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

    /// `password = "hunter2"` → `password = env("CAROL_PASSWORD")`: the variable the
    /// diagnostic's help suggests, so the fix does what the help says. The checker makes
    /// those names distinct across the program (`kp_check::lints::secrets`), so applying
    /// every fix never feeds two secrets from one variable.
    fn env_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let chain = locate::enclosing_blocks(&self.file, d.span.start);
        let attr = locate::attribute_at(&chain, d.span.start)?;
        let var = d.help.as_deref().and_then(suggested_env)?;
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

/// The variable of the `env("NAME")` in a literal secret's help.
fn suggested_env(help: &str) -> Option<&str> {
    let rest = help.split("env(\"").nth(1)?;
    let name = rest.split('"').next()?;
    (!name.is_empty()).then_some(name)
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

/// A field keyplan requires beyond the schema (the checker's own rules, each with its
/// `kp::missing-field`): `token NAME` needs `role`; a userpass user needs a password (or
/// its hash), a secret read from the environment; a Kubernetes role binds namespaces,
/// by name or by selector. One fix adds these with the schema's required fields, so
/// applying it leaves no missing field behind.
fn own_required(
    sc: scope::Scope,
    block: &Block,
    present: &[&str],
) -> Option<(String, &'static str)> {
    let endpoint = match sc {
        scope::Scope::Login(spec) | scope::Scope::Nested(spec) => spec.endpoint,
        _ => "",
    };
    let lacks = |names: &[&str]| !names.iter().any(|n| present.contains(n));
    let (name, value) = if block.keyword.name == "token" && lacks(&["role"]) {
        ("role", placeholder(FieldType::String))
    } else if endpoint == "userpass-user" && lacks(&["password", "password_hash"]) {
        ("password", "env(\"PASSWORD\")")
    } else if endpoint == "kubernetes-role"
        && lacks(&[
            "bound_service_account_namespaces",
            "bound_service_account_namespace_selector",
        ])
    {
        (
            "bound_service_account_namespaces",
            placeholder(FieldType::List),
        )
    } else {
        return None;
    };
    Some((name.to_string(), value))
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
