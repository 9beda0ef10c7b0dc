//! Hover: a field's schema entry, a keyword's meaning, a name's declaration (with a
//! policy's rules as HCL).

use kp_check::catalog::{target_name, MountType};
use kp_check::index::{DefKind, Definition, SymbolKey};
use kp_check::ir::{Program, ResourceKind};
use kp_diag::Span;
use kp_schema::{Field, Target};
use kp_syntax::ast::{Entry, ExprKind, File, Statement};

use crate::locate::{self, covers};
use crate::scope::{self, FieldInfo, Origin};
use crate::{docs, Analysis};

/// Markdown to show over `span`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

impl Analysis {
    pub fn hover(&self, offset: usize) -> Option<Hover> {
        if !self.in_text(offset) {
            return None;
        }
        self.hover_symbol(offset)
            .or_else(|| self.hover_field(offset))
            .or_else(|| self.hover_rule_path(offset))
            .or_else(|| self.hover_keyword(offset))
    }

    fn hover_symbol(&self, offset: usize) -> Option<Hover> {
        let index = &self.index;
        let span = index
            .references
            .iter()
            .find(|r| covers(r.span, offset))
            .map(|r| r.span)
            .or_else(|| {
                index
                    .definitions
                    .iter()
                    .find(|d| !d.implicit && covers(d.name_span, offset))
                    .map(|d| d.name_span)
            })?;
        let key = index.key_at(offset)?;
        let def = index.definition(key)?;
        Some(Hover {
            span,
            markdown: describe(def, &self.program, &self.file),
        })
    }

    fn hover_field(&self, offset: usize) -> Option<Hover> {
        let chain = locate::enclosing_blocks(&self.file, offset);
        let attr = locate::attribute_at(&chain, offset)?;
        if !covers(attr.name.span, offset) {
            return None;
        }
        let info = scope::field(scope::scope_of(&self.file, &chain), &attr.name.name)?;
        Some(Hover {
            span: attr.name.span,
            markdown: field_markdown(&info, self.pinned),
        })
    }

    fn hover_keyword(&self, offset: usize) -> Option<Hover> {
        if let Some((parents, b)) = locate::block_at_head(&self.file, offset) {
            if covers(b.keyword.span, offset) {
                let labels: Vec<&str> = b.labels.iter().map(|l| l.text()).collect();
                let parent = scope::scope_of(&self.file, &parents);
                let mut text = docs::block_keyword(parent, &b.keyword.name, &labels)?;
                match scope::child(&self.file, parent, b) {
                    // Which role a `login` is depends on its mount's method.
                    scope::Scope::Login(spec) => {
                        text.push_str(&format!("\n\nHere: the workload's {}.", spec.what));
                    }
                    scope::Scope::Mount(ty) => text.push_str(&mount_targets_note(ty, self.pinned)),
                    _ => {}
                }
                return Some(Hover {
                    span: b.keyword.span,
                    markdown: text,
                });
            }
        }
        let chain = locate::enclosing_blocks(&self.file, offset);
        let st = chain.last()?.entries().iter().find_map(|e| match e {
            Entry::Statement(s) if covers(s.verb.span, offset) => Some(s),
            _ => None,
        });
        let st: &Statement = st?;
        Some(Hover {
            span: st.verb.span,
            markdown: docs::verb(&st.verb.name)?,
        })
    }
}

/// A field's schema entry; with the program `pinned` to one target, whether that target
/// has the field, and what it does with it.
pub fn field_markdown(info: &FieldInfo, pinned: Option<Target>) -> String {
    let f = &info.field;
    let mut out = format!("**{}** · {}", f.name, f.ty);
    if let Some(d) = &f.default {
        out.push_str(&format!(" · default `{d}`"));
    }
    if f.required {
        out.push_str(" · required");
    }
    out.push('\n');
    if !f.description.is_empty() {
        out.push_str(&format!("\n{}\n", f.description));
    }
    if !f.allowed.is_empty() {
        let list: Vec<String> = f.allowed.iter().map(|a| format!("`{a}`")).collect();
        out.push_str(&format!("\nOne of: {}\n", list.join(", ")));
    }
    if f.sensitive {
        out.push_str("\nSensitive: write `env(\"NAME\")`, not a literal.\n");
    }
    if f.deprecated {
        out.push_str("\nDeprecated.\n");
    }
    out.push_str(&targets_note(f, pinned));
    match &info.origin {
        Origin::Endpoint(path) => out.push_str(&format!("\nWritten to `{path}`")),
        Origin::Placed(place) => out.push_str(&format!("\nWritten to {place}")),
        Origin::Keyplan(what) => out.push_str(&format!(
            "\nkeyplan syntax, not a field of any endpoint: {what}"
        )),
    }
    out
}

/// Which servers have the field, when not both, and whether the one the program is
/// checked for has it or ignores it.
fn targets_note(f: &Field, pinned: Option<Target>) -> String {
    let mut out = String::new();
    if f.targets.len() < Target::ALL.len() {
        let names: Vec<&str> = f.targets.iter().map(|t| target_name(*t)).collect();
        out.push_str(&format!("\nOnly on {}.", names.join(" and ")));
        match pinned {
            Some(t) if !f.supports(t) => out.push_str(&format!(
                " Not on {}, which this program is checked for.",
                target_name(t)
            )),
            None => out.push_str(" Using it makes the program one for that server."),
            Some(_) => {}
        }
        out.push('\n');
    }
    for (t, why) in &f.ignored {
        if pinned.is_none_or(|p| p == *t) {
            out.push_str(&format!(
                "\n{} accepts it and ignores it: {why}\n",
                target_name(*t)
            ));
        }
    }
    out
}

/// Which servers have an engine or method, when not both, and whether the one the
/// program is checked for has it.
fn mount_targets_note(ty: &MountType, pinned: Option<Target>) -> String {
    let on: Vec<&str> = Target::ALL
        .into_iter()
        .filter(|t| ty.available_on(*t))
        .map(target_name)
        .collect();
    if on.len() == Target::ALL.len() {
        return String::new();
    }
    let mut out = format!("\n\nOnly on {}.", on.join(" and "));
    if let Some(t) = pinned.filter(|t| !ty.available_on(*t)) {
        out.push_str(&format!(
            " Not on {}, which this program is checked for.",
            target_name(t)
        ));
    }
    out
}

fn describe(def: &Definition, program: &Program, file: &File) -> String {
    let name = def.key.name();
    let mut out = match (&def.kind, &def.key) {
        (DefKind::Policy, _) => format!("**policy** `{name}`"),
        (DefKind::ExternPolicy, _) => {
            format!("**extern policy** `{name}`: exists on the server, managed elsewhere")
        }
        (DefKind::Workload, _) => format!("**workload** `{name}`"),
        (DefKind::AuthMount, _) => format!("**auth mount** `{name}`"),
        (DefKind::SecretsMount, _) => format!("**secrets mount** `{name}`"),
        (DefKind::Role { what }, SymbolKey::Role(_, mount, _)) => {
            format!("**{what}** `{name}` on mount `{mount}`")
        }
        (DefKind::Role { what }, _) => format!("**{what}** `{name}`"),
        (DefKind::Connection, SymbolKey::Connection(mount, _)) => {
            format!("**database connection** `{name}` on mount `{mount}`")
        }
        (DefKind::Connection, _) => format!("**database connection** `{name}`"),
        (DefKind::TokenRole, _) => format!("**token role** `{name}`"),
        (DefKind::Token, _) => format!("**token** `{name}`"),
    };
    if let Some(d) = block_description(def, file) {
        out.push_str(&format!(": {d}"));
    }
    out.push_str(&format!("\n\n`{}`", def.api_path));
    if matches!(def.kind, DefKind::Policy | DefKind::Workload) {
        match policy_hcl(program, name) {
            Some(hcl) => out.push_str(&format!("\n\n```hcl\n{hcl}```")),
            None if def.kind == DefKind::Workload => {
                out.push_str("\n\nDerives no policy: it has no statements.")
            }
            // Every rule was refused (an unknown capability, a bad glob): its errors say
            // why, and an empty `hcl` block would look like a policy granting nothing.
            None => out.push_str("\n\nNo valid rule yet: see its errors."),
        }
    }
    out
}

/// The declaration block's `description`.
fn block_description(def: &Definition, file: &File) -> Option<String> {
    let block = locate::block_with_span(file, def.span)?;
    block.entries().iter().find_map(|e| match e {
        Entry::Attribute(a) if a.name.name == "description" => match &a.value.kind {
            ExprKind::Str { value, .. } => Some(value.to_string()),
            _ => None,
        },
        _ => None,
    })
}

/// The policy's HCL document as `keyplan build --emit hcl` writes it.
fn policy_hcl(program: &Program, name: &str) -> Option<String> {
    let r = program
        .resources
        .iter()
        .find(|r| r.kind == ResourceKind::Policy && r.name == name)?;
    let one = Program {
        resources: vec![r.clone()],
        ..Program::default()
    };
    kp_emit::hcl(&one)
        .into_iter()
        .next()
        .map(|f| f.contents)
        .filter(|hcl| !hcl.trim().is_empty())
}
