//! Go to definition, find references and rename, over the checker's index.

use std::fmt;

use kp_check::catalog::BUILTIN_POLICIES;
use kp_check::index::{DefKind, Definition, Index, Reference, SymbolKey};
use kp_diag::Span;
use kp_syntax::ast::{File, Label};

use crate::actions::TextEdit;
use crate::Analysis;

/// Why a rename was refused, for the editor to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    /// Nothing renameable at the position.
    NoSymbol,
    /// The name is implied (a login role named after its workload).
    Implicit(String),
    /// The server would reject the new name (`kp::invalid-name`).
    InvalidName(String),
    /// Another declaration already has the new name.
    Taken(String),
}

impl fmt::Display for RenameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenameError::NoSymbol => f.write_str("there is no declared name here to rename"),
            RenameError::Implicit(m) | RenameError::InvalidName(m) | RenameError::Taken(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for RenameError {}

impl Analysis {
    /// The declaration of the name at `offset` (a reference or the declaration itself).
    pub fn definition(&self, offset: usize) -> Option<&Definition> {
        if !self.in_text(offset) {
            return None;
        }
        let key = self.index.key_at(offset)?;
        self.index.definition(key)
    }

    /// Every use of the name at `offset`, in source order; the declaration first when
    /// `include_declaration`.
    pub fn references(&self, offset: usize, include_declaration: bool) -> Vec<Span> {
        if !self.in_text(offset) {
            return Vec::new();
        }
        let Some(key) = self.index.key_at(offset) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if include_declaration {
            if let Some(d) = self.index.definition(key) {
                out.push(d.name_span);
            }
        }
        let mut uses: Vec<Span> = self.index.references_to(key).collect();
        uses.sort();
        out.extend(uses);
        out
    }

    /// The span of the name a rename at `offset` would change.
    pub fn prepare_rename(&self, offset: usize) -> Result<Span, RenameError> {
        if !self.in_text(offset) {
            return Err(RenameError::NoSymbol);
        }
        let key = self.index.key_at(offset).ok_or(RenameError::NoSymbol)?;
        let def = self.index.definition(key).ok_or(RenameError::NoSymbol)?;
        check_renameable(def)?;
        let covers = |s: Span| s.start <= offset && offset <= s.end;
        Ok(self
            .index
            .references_to(key)
            .find(|s| covers(*s))
            .unwrap_or(def.name_span))
    }

    /// The edits renaming the name at `offset` (declaration and every reference) to
    /// `new_name`, or why not.
    pub fn rename(&self, offset: usize, new_name: &str) -> Result<Vec<TextEdit>, RenameError> {
        self.prepare_rename(offset)?;
        let key = self.index.key_at(offset).ok_or(RenameError::NoSymbol)?;
        let def = self.index.definition(key).ok_or(RenameError::NoSymbol)?;
        validate(def, new_name)?;
        let renamed = with_name(key, new_name);
        if self.index.definition(&renamed).is_some() && renamed != *key {
            return Err(RenameError::Taken(format!(
                "`{new_name}` is already declared: a second declaration would be a `kp::duplicate`"
            )));
        }
        let mut edits = Vec::new();
        let written = self
            .source
            .get(def.name_span.start..def.name_span.end)
            .unwrap_or("");
        if def.implicit {
            // `auth jwt { }`: the path is the type label; write the path after it.
            edits.push(TextEdit {
                span: Span::new(def.name_span.end, def.name_span.end),
                new_text: format!(" {new_name}"),
            });
        } else if written.starts_with('"') {
            edits.push(TextEdit {
                span: def.name_span,
                new_text: format!("\"{new_name}\""),
            });
        } else {
            edits.push(TextEdit {
                span: def.name_span,
                new_text: new_name.to_string(),
            });
        }
        for span in self.index.references_to(key) {
            edits.push(TextEdit {
                span,
                new_text: new_name.to_string(),
            });
        }
        // A workload's login role takes its name: the role's uses (`role_id MOUNT.NAME`)
        // are renamed with it, or they would name a role that no longer exists.
        for role in self.login_roles_named_after(def) {
            let renamed = with_name(&role.key, new_name);
            if self.index.definition(&renamed).is_some() {
                return Err(RenameError::Taken(format!(
                    "`{new_name}` is already a role of the workload's login mount: its login role would be a `kp::duplicate`"
                )));
            }
            for span in self.index.references_to(&role.key) {
                edits.push(TextEdit {
                    span,
                    new_text: new_name.to_string(),
                });
            }
        }
        edits.sort_by_key(|e| e.span);
        edits.dedup();
        Ok(edits)
    }
}

impl Analysis {
    /// The login role of workload `def` when it takes the workload's name (no
    /// `role_name`): the implicit role declared inside the workload's block.
    fn login_roles_named_after<'a>(
        &'a self,
        def: &'a Definition,
    ) -> impl Iterator<Item = &'a Definition> + 'a {
        let inside =
            move |r: &Definition| def.span.start <= r.span.start && r.span.end <= def.span.end;
        self.index.definitions.iter().filter(move |r| {
            def.kind == DefKind::Workload
                && r.implicit
                && matches!(r.kind, DefKind::Role { .. })
                && r.key.name() == def.key.name()
                && inside(r)
        })
    }
}

/// `owns policies ci-deploy "team-*"`: a plain name (no `*`) in an `owns` scope that
/// names a declared policy (or, under `owns token-roles`, token role) is a use of it, so
/// that a rename keeps the declaration in the owned scope and find-references lists it.
/// The checker matches `owns` patterns against names rather than resolving them, so the
/// index has no reference for them: added here. A quoted name's reference is its text
/// inside the quotes (a rename keeps the quotes); a pattern with `*` is not a reference.
pub(crate) fn add_owns_references(file: &File, index: &mut Index) {
    let mut found = Vec::new();
    for block in file.blocks.iter().filter(|b| b.keyword.name == "owns") {
        let scope: fn(String) -> SymbolKey = match block.label_text(0) {
            Some("policies") => SymbolKey::Policy,
            Some("token-roles") => SymbolKey::TokenRole,
            _ => continue,
        };
        for label in block.labels.iter().skip(1) {
            let name = label.text();
            if name.is_empty() || name.contains('*') {
                continue;
            }
            let key = scope(name.to_string());
            if index.definition(&key).is_none() {
                continue;
            }
            let Some(span) = name_span(label) else {
                continue;
            };
            if !index.references.iter().any(|r| r.span == span) {
                found.push(Reference { span, key });
            }
        }
    }
    index.references.extend(found);
}

/// Where a label's name is written: a bare word's span, or a string's text inside its
/// quotes (`None` when escapes make the text differ from the value).
fn name_span(label: &Label) -> Option<Span> {
    match label {
        Label::Ident(i) => Some(i.span),
        Label::Str(s) => {
            let inner = Span::new(s.span.start + 1, s.span.end.checked_sub(1)?);
            (inner.end >= inner.start && inner.end - inner.start == s.value.len()).then_some(inner)
        }
    }
}

fn check_renameable(def: &Definition) -> Result<(), RenameError> {
    if def.implicit && !matches!(def.kind, DefKind::AuthMount | DefKind::SecretsMount) {
        return Err(RenameError::Implicit(
            "this login role takes its workload's name: rename the workload, or set `role_name = \"...\"`".to_string(),
        ));
    }
    Ok(())
}

fn with_name(key: &SymbolKey, name: &str) -> SymbolKey {
    let n = name.to_string();
    match key {
        SymbolKey::Policy(_) => SymbolKey::Policy(n),
        SymbolKey::AuthMount(_) => SymbolKey::AuthMount(n),
        SymbolKey::SecretsMount(_) => SymbolKey::SecretsMount(n),
        SymbolKey::Role(c, m, _) => SymbolKey::Role(*c, m.clone(), n),
        SymbolKey::Connection(m, _) => SymbolKey::Connection(m.clone(), n),
        SymbolKey::TokenRole(_) => SymbolKey::TokenRole(n),
        SymbolKey::Token(_) => SymbolKey::Token(n),
    }
}

/// A new name must read back as the same name wherever it is written: references are
/// bare words, so it is an identifier as the lexer reads it (`kp_syntax::is_name`). The
/// checker's `kp::invalid-name` rule adds that a name which becomes one segment of an API
/// path (all but mount paths) ends with a letter, digit or `_`; mounts and policies add
/// their reserved names.
fn validate(def: &Definition, name: &str) -> Result<(), RenameError> {
    if !kp_syntax::is_name(name) {
        return Err(RenameError::InvalidName(format!(
            "`{name}` is not a valid name: a name is an identifier, a letter or `_` then letters, digits, `_` or `-` (e.g. `ci-deploy`), and not `true` or `false`"
        )));
    }
    if def.kind.server_lowercases_name() && name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(RenameError::InvalidName(format!(
            "`{name}` has capitals, which the server drops: it would store `{}` (`kp::uppercase-name`)",
            name.to_ascii_lowercase()
        )));
    }
    let mount = matches!(def.kind, DefKind::AuthMount | DefKind::SecretsMount);
    if !mount && !name.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return Err(RenameError::InvalidName(format!(
            "`{name}` is not a valid name here: it becomes one segment of an API path, so it ends with a letter, digit or `_` (`kp::invalid-name`)"
        )));
    }
    match def.kind {
        DefKind::AuthMount if name == "token" => Err(RenameError::InvalidName(
            "the path `token` belongs to the built-in token auth method".to_string(),
        )),
        DefKind::SecretsMount if ["sys", "auth", "identity", "cubbyhole"].contains(&name) => Err(
            RenameError::InvalidName(format!("the mount path `{name}` is reserved by the server")),
        ),
        DefKind::Policy | DefKind::ExternPolicy | DefKind::Workload
            if BUILTIN_POLICIES.contains(&name) =>
        {
            Err(RenameError::InvalidName(format!(
                "`{name}` is a built-in policy of every server"
            )))
        }
        _ => Ok(()),
    }
}
