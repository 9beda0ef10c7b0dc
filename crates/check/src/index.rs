//! The program's names for editors: every declaration and every resolved reference, as
//! owned data (no borrow of the tree), taken from the checker's own symbol table and
//! resolution so that an editor agrees with `keyplan check` on what a name means.

use kp_diag::Span;
use kp_syntax::ast::ExprKind;

use crate::catalog::MountClass;
use crate::symbols::{PolicyOrigin, Symbols};

/// The namespace a name lives in: two declarations are the same symbol exactly when their
/// keys are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolKey {
    /// Policies, extern policies and workloads (a workload derives the policy of its name).
    Policy(String),
    AuthMount(String),
    SecretsMount(String),
    /// A role (or user) under a mount: `(mount class, mount path, name)`.
    Role(MountClass, String, String),
    /// A database connection: `(mount path, name)`.
    Connection(String, String),
    TokenRole(String),
    Token(String),
}

impl SymbolKey {
    pub fn name(&self) -> &str {
        match self {
            SymbolKey::Policy(n)
            | SymbolKey::AuthMount(n)
            | SymbolKey::SecretsMount(n)
            | SymbolKey::Role(_, _, n)
            | SymbolKey::Connection(_, n)
            | SymbolKey::TokenRole(n)
            | SymbolKey::Token(n) => n,
        }
    }
}

/// What kind of thing a declaration is, for outlines and hover texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefKind {
    Policy,
    ExternPolicy,
    Workload,
    AuthMount,
    SecretsMount,
    /// A role or user of a mount; `what` names it ("JWT role").
    Role {
        what: &'static str,
    },
    Connection,
    TokenRole,
    Token,
}

impl DefKind {
    /// Whether the server stores names of this kind lowercased, so that the checker
    /// refuses capitals in them (`kp::uppercase-name`): policies, workloads (their policy
    /// and login role) and the login roles and users of every method.
    pub fn server_lowercases_name(&self) -> bool {
        match self {
            DefKind::Policy | DefKind::ExternPolicy | DefKind::Workload => true,
            DefKind::Role { what } => crate::catalog::lowercases_role_named(what),
            _ => false,
        }
    }
}

/// One declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub key: SymbolKey,
    pub kind: DefKind,
    /// Where the name is written: a label, or `role_name`'s value for a login role.
    pub name_span: Span,
    /// Whether the name is implied rather than written: a mount whose path is its type
    /// (`auth jwt`, `name_span` is the type label), a login role named after its workload.
    pub implicit: bool,
    /// The whole block.
    pub span: Span,
    /// The Vault resource it becomes, e.g. `auth/jwt/role/trainer`.
    pub api_path: crate::ir::ResourceId,
    /// The enclosing declaration (a role's mount).
    pub parent: Option<SymbolKey>,
}

/// A use of a name that the checker resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub span: Span,
    pub key: SymbolKey,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
}

impl Index {
    pub fn definition(&self, key: &SymbolKey) -> Option<&Definition> {
        self.definitions.iter().find(|d| &d.key == key)
    }

    /// The symbol whose name (declared or referenced) covers `offset`.
    pub fn key_at(&self, offset: usize) -> Option<&SymbolKey> {
        let covers = |s: Span| s.start <= offset && offset <= s.end;
        self.references
            .iter()
            .find(|r| covers(r.span))
            .map(|r| &r.key)
            .or_else(|| {
                self.definitions
                    .iter()
                    .filter(|d| !d.implicit || d.kind_is_mount())
                    .find(|d| covers(d.name_span))
                    .map(|d| &d.key)
            })
    }

    pub fn references_to<'a>(&'a self, key: &'a SymbolKey) -> impl Iterator<Item = Span> + 'a {
        self.references
            .iter()
            .filter(move |r| &r.key == key)
            .map(|r| r.span)
    }
}

impl Definition {
    fn kind_is_mount(&self) -> bool {
        matches!(self.kind, DefKind::AuthMount | DefKind::SecretsMount)
    }
}

/// The declarations of the symbol table, in source order.
pub(crate) fn definitions(syms: &Symbols<'_>) -> Vec<Definition> {
    let mut defs = Vec::new();
    for (name, p) in syms.policies.iter() {
        let kind = match p.origin {
            PolicyOrigin::Policy => DefKind::Policy,
            PolicyOrigin::Extern => DefKind::ExternPolicy,
            PolicyOrigin::Workload { .. } => DefKind::Workload,
        };
        defs.push(Definition {
            key: SymbolKey::Policy(name.to_string()),
            kind,
            name_span: p.span,
            implicit: false,
            span: p.block_span,
            api_path: crate::symbols::policy_id(name),
            parent: None,
        });
    }
    for class in [MountClass::Auth, MountClass::Secrets] {
        for (path, m) in syms.mounts(class) {
            let (key, kind) = match class {
                MountClass::Auth => (SymbolKey::AuthMount(path.to_string()), DefKind::AuthMount),
                MountClass::Secrets => (
                    SymbolKey::SecretsMount(path.to_string()),
                    DefKind::SecretsMount,
                ),
            };
            defs.push(Definition {
                key: key.clone(),
                kind,
                name_span: m.path_span,
                implicit: m.path_implicit,
                span: m.block_span,
                api_path: m.id.clone(),
                parent: None,
            });
            for (name, r) in m.roles.iter() {
                let what =
                    m.ty.nested(&r.block.keyword.name)
                        .or_else(|| m.ty.nested("role"))
                        .map_or("role", |s| s.what);
                defs.push(Definition {
                    key: SymbolKey::Role(class, path.to_string(), name.to_string()),
                    kind: DefKind::Role { what },
                    name_span: r.span,
                    implicit: r.block.keyword.name == "login" && r.span == r.block.head_span(),
                    span: r.block.span,
                    api_path: r.id.clone(),
                    parent: Some(key.clone()),
                });
            }
            for (name, c) in m.connections.iter() {
                defs.push(Definition {
                    key: SymbolKey::Connection(path.to_string(), name.to_string()),
                    kind: DefKind::Connection,
                    name_span: c.span,
                    implicit: false,
                    span: c.block.span,
                    api_path: c.id.clone(),
                    parent: Some(key.clone()),
                });
            }
        }
    }
    for (name, r) in syms.token_roles.iter() {
        defs.push(Definition {
            key: SymbolKey::TokenRole(name.to_string()),
            kind: DefKind::TokenRole,
            name_span: r.span,
            implicit: false,
            span: r.block.span,
            api_path: r.id.clone(),
            parent: None,
        });
    }
    for (name, &span) in syms.tokens.iter() {
        let block = syms.token_blocks.get(name).copied();
        // Created at `auth/token/create/ROLE`, after its `role` (as lowered).
        let role = block
            .and_then(|b| crate::body::find_attr(b.entries(), "role"))
            .and_then(|a| match &a.value.kind {
                ExprKind::Ident(n) | ExprKind::Str { value: n, .. } => Some(n.as_str()),
                _ => None,
            });
        defs.push(Definition {
            key: SymbolKey::Token(name.to_string()),
            kind: DefKind::Token,
            name_span: span,
            implicit: false,
            span: block.map_or(span, |b| b.span),
            api_path: crate::ir::ResourceId::concat(&["auth/token/create/", role.unwrap_or("")]),
            parent: None,
        });
    }
    kp_sort::by_key(&mut defs, |d| (d.span.start, d.name_span.start));
    defs
}
