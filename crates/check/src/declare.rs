//! The first pass: classifies top-level blocks, checks their labels, and collects every
//! name the program declares into [`Symbols`].

use crate::body::one_of;
use kp_diag::{did_you_mean, Diagnostic, Span};
use kp_schema::Target;
use kp_sort::SortedMap;
use kp_syntax::ast::{Block, Expr, ExprKind, File, Label, Text};

use crate::body::{self, Parts, StatementsGo};
use crate::catalog::{self, MountClass, MountType, NestedSpec, TOP_LEVEL};
use crate::codes;
use crate::symbols::{
    Item, LoginDecl, MountDecl, MountSym, NamedSym, NestedDecl, PolicyOrigin, PolicySym, Symbols,
    Table, WorkloadDecl,
};

pub struct Declared<'a> {
    pub items: Vec<Item<'a>>,
    pub syms: Symbols<'a>,
    /// Whether an answer depended on the target ([`crate::probe`]).
    pub target_sensitive: bool,
}

/// How a mount is written: `` `secrets kv` `` when the path is the type, else
/// `` `secrets kv secret` ``.
pub fn mount_display(class: MountClass, ty: &str, path: &str) -> String {
    if path == ty {
        format!("`{} {ty}`", class.keyword())
    } else {
        format!("`{} {ty} {path}`", class.keyword())
    }
}

/// Secrets mount paths Vault reserves for itself.
const RESERVED_MOUNT_PATHS: [&str; 4] = ["sys", "auth", "identity", "cubbyhole"];

struct Declarer<'a, 'd> {
    target: Target,
    diags: &'d mut Vec<Diagnostic>,
    items: Vec<Item<'a>>,
    syms: Symbols<'a>,
    target_sensitive: bool,
}

pub fn declare<'a>(file: &'a File, target: Target, diags: &mut Vec<Diagnostic>) -> Declared<'a> {
    let mut d = Declarer {
        target,
        diags,
        // One item per top-level block at most.
        items: Vec::with_capacity(file.blocks.len()),
        syms: Symbols::default(),
        target_sensitive: false,
    };
    // Most blocks of a large program are workloads and policies.
    d.syms.policies.reserve(file.blocks.len());
    for block in &file.blocks {
        d.top_level(block);
    }
    d.register_login_roles();
    Declared {
        items: d.items,
        syms: d.syms,
        target_sensitive: d.target_sensitive,
    }
}

impl<'a> Declarer<'a, '_> {
    fn top_level(&mut self, block: &'a Block) {
        match block.keyword.name.as_str() {
            "auth" => self.mount(block, MountClass::Auth),
            "secrets" => self.mount(block, MountClass::Secrets),
            "policy" => self.policy(block),
            "extern" => self.extern_policy(block),
            "owns" => {
                let (scope, owned) = crate::owns::declare(block, self.diags);
                let into = match scope {
                    crate::owns::Scope::Policies => &mut self.syms.owned_policies,
                    crate::owns::Scope::TokenRoles => &mut self.syms.owned_token_roles,
                };
                crate::owns::add_patterns(into, owned, self.diags);
            }
            "token" => self.token(block),
            "workload" => self.workload(block),
            other => self.unknown_top_level(block, other),
        }
    }

    fn unknown_top_level(&mut self, block: &Block, kw: &str) {
        let list = format!("top-level blocks are {}", one_of(&TOP_LEVEL));
        let hint = match kw {
            "role" | "connection" | "ca" | "root" | "lease" => Some(format!(
                "`{kw}` blocks live inside their mount, e.g. `auth jwt {{ role NAME {{ ... }} }}`"
            )),
            "path" => Some("`path` blocks live inside a `policy NAME { ... }`".to_string()),
            "login" => Some("`login` blocks live inside a `workload NAME { ... }`".to_string()),
            _ => did_you_mean(kw, TOP_LEVEL).map(|s| format!("did you mean `{s}`?")),
        };
        let help = match hint {
            Some(h) => crate::body::join_help([h, list]),
            None => list,
        };
        self.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_BLOCK,
                block.keyword.span,
                format!("unknown block `{kw}`"),
            )
            .with_label("not a top-level block")
            .with_help(help),
        );
    }

    fn missing_label(&mut self, block: &Block, message: String, help: String) {
        self.diags.push(
            Diagnostic::error(codes::MISSING_LABEL, block.head_span(), message)
                .with_label("name missing")
                .with_help(help),
        );
    }

    /// Reports labels from index `from` on.
    fn extra_labels(&mut self, block: &Block, from: usize, form: &str) {
        let extra = block.labels.get(from..).unwrap_or(&[]);
        if let (Some(first), Some(last)) = (extra.first(), extra.last()) {
            self.diags.push(
                Diagnostic::error(
                    codes::UNEXPECTED_LABEL,
                    first.span().to(last.span()),
                    format!("unexpected label `{}`", first.text()),
                )
                .with_label("one label too many")
                .with_help(format!("write `{form}`")),
            );
        }
    }

    /// Reports a missing body; true when the block has one.
    fn require_body(&mut self, block: &Block, form: &str) -> bool {
        if block.body.is_some() {
            return true;
        }
        self.diags.push(
            Diagnostic::error(
                codes::MISSING_BODY,
                block.head_span(),
                format!("`{}` needs a body", block.keyword.name),
            )
            .with_label("`{ ... }` expected after this")
            .with_help(format!("write `{form}`")),
        );
        false
    }

    fn split(&mut self, block: &'a Block) -> Parts<'a> {
        body::split(block.entries(), self.diags)
    }

    fn duplicate(&mut self, span: Span, first: Span, message: String) {
        self.diags.push(
            Diagnostic::error(codes::DUPLICATE, span, message)
                .with_label("defined again here")
                .with_related(first, "first defined here")
                .with_help(
                    "remove or rename one of the two: a name is declared once in a program, whichever of its files the declarations are in",
                ),
        );
    }

    // ---- mounts -------------------------------------------------------------------

    fn mount(&mut self, block: &'a Block, class: MountClass) {
        let kw = class.keyword();
        let types: Vec<&str> = catalog::mount_types(class).iter().map(|t| t.name).collect();
        let Some(type_label) = block.labels.first() else {
            self.missing_label(
                block,
                format!("`{kw}` needs a type"),
                format!(
                    "write `{kw} TYPE [PATH] {{ ... }}`; types: {}",
                    one_of(&types)
                ),
            );
            return;
        };
        let Some(ty) = catalog::mount_type(class, type_label.text()) else {
            let list = format!("{} types: {}", class.noun(), one_of(&types));
            let help = if class == MountClass::Secrets && is_kv_cli_name(type_label.text()) {
                KV_CLI_NAME_HELP.to_string()
            } else {
                match did_you_mean(type_label.text(), types.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? {list}"),
                    None => list,
                }
            };
            self.diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_TYPE,
                    type_label.span(),
                    format!("unknown {} `{}`", class.noun(), type_label.text()),
                )
                .with_label(format!("not a known {} type", class.noun()))
                .with_help(help),
            );
            // The path it would be mounted at (the type's name when no path is given),
            // so that logins and shorthands naming it are not reported as external too.
            let path = block.labels.get(1).unwrap_or(type_label).text();
            self.syms.untyped_mounts.push((kw, path.trim_matches('/')));
            return;
        };
        if class == MountClass::Auth && ty.name == "token" {
            self.token_auth(block);
            return;
        }
        let (path, path_span) = match block.labels.get(1) {
            Some(l) => (l.text().trim_matches('/'), l.span()),
            None => (ty.name, type_label.span()),
        };
        self.extra_labels(block, 2, &format!("{kw} {} PATH {{ ... }}", ty.name));
        if !self.check_mount_path(class, path, path_span) {
            return;
        }
        if !self.require_body(block, &format!("{kw} {} {{ ... }}", ty.name)) {
            return;
        }
        let parts = self.split(block);
        body::reject_statements(
            &parts.statements,
            &format!("`{kw} {}`", ty.name),
            StatementsGo::InAWorkload,
            self.diags,
        );
        let kv_version = if ty.versioned {
            parts.get("version").and_then(|a| match a.value.kind {
                ExprKind::Int(v) => Some(v),
                _ => None,
            })
        } else {
            None
        };
        let available = self.mount_available(ty, block);
        let prefix = class.api_prefix(path);
        let nested = self.nested_blocks(ty, &parts, &prefix, kv_version, path);

        let mut sym = MountSym {
            ty,
            path,
            id: class.mount_id_shared(path),
            head: block.head_span(),
            path_span,
            path_implicit: block.labels.get(1).is_none(),
            block_span: block.span,
            kv_version,
            max_lease_ttl: parts
                .get("max_lease_ttl")
                .and_then(|a| Some((crate::durations::literal_seconds(&a.value)?, a.value.span))),
            available,
            roles: Table::default(),
            connections: Table::default(),
        };
        for decl in nested.iter().filter(|d| !d.duplicate) {
            let (Some(name), Some(label)) = (decl.name, decl.block.labels.first()) else {
                continue;
            };
            let named = NamedSym {
                id: decl.id.clone(),
                span: label.span(),
                block: decl.block,
            };
            match decl.spec.keyword {
                "connection" => {
                    sym.connections.insert(name, named);
                }
                _ => {
                    sym.roles.insert(name, named);
                }
            }
        }
        let inside = |a: &str, b: &str| a.strip_prefix(b).is_some_and(|r| r.starts_with('/'));
        let overlap = self
            .syms
            .mounts(class)
            .values()
            .find(|m| inside(path, m.path) || inside(m.path, path))
            .map(|m| (m.path, m.head));
        if let Some(first) = self.syms.mounts_mut(class).get_mut(path) {
            // The same method or engine split over two blocks (often two files): its
            // roles and connections still resolve, so the duplicate is the one error.
            if first.ty.name == ty.name {
                for (name, r) in sym.roles.unordered() {
                    first.roles.insert(name, r.clone());
                }
                for (name, c) in sym.connections.unordered() {
                    first.connections.insert(name, c.clone());
                }
            }
            // Path against path: both spans are the label (or the type standing for it).
            let first = first.path_span;
            self.diags.push(
                Diagnostic::error(
                    codes::DUPLICATE,
                    path_span,
                    format!("{} path `{path}` is already in use", class.noun()),
                )
                .with_label("defined again here")
                .with_related(first, "first defined here")
                .with_help(format!(
                    "merge the two blocks, or mount this one at another path: `{kw} {} PATH {{ ... }}`",
                    ty.name
                )),
            );
        } else if let Some((other, other_head)) = overlap {
            self.diags.push(
                Diagnostic::error(
                    codes::OVERLAPPING_MOUNT,
                    path_span,
                    format!(
                        "{} path `{path}` overlaps the mount at `{other}`",
                        class.noun()
                    ),
                )
                .with_label("one mount inside another")
                .with_related(other_head, "mounted here")
                .with_help(
                    "the server refuses a mount under another mount's path: pick a sibling path",
                ),
            );
        } else {
            self.syms.mounts_mut(class).insert(path, sym);
        }
        self.items.push(Item::Mount(MountDecl {
            class,
            path,
            block,
            parts,
            nested,
        }));
    }

    fn check_mount_path(&mut self, class: MountClass, path: &str, span: Span) -> bool {
        let bad = if path.is_empty() {
            Some("a mount path cannot be empty")
        } else if path.contains("//") || path.chars().any(|c| c.is_whitespace() || c == '*') {
            Some("a mount path is `/`-separated segments without spaces or `*`")
        } else if path.split('/').any(|seg| seg == "." || seg == "..") {
            Some("a mount path cannot hold `.` or `..` segments")
        } else {
            None
        };
        if let Some(why) = bad {
            self.diags.push(
                Diagnostic::error(
                    codes::INVALID_PATH,
                    span,
                    format!("invalid mount path `{path}`"),
                )
                .with_label(why)
                .with_help("write `/`-separated names, e.g. `team-a/kv`, or leave the path out to mount at the type's name"),
            );
            return false;
        }
        if class == MountClass::Auth && path == "token" {
            self.diags.push(
                Diagnostic::error(
                    codes::TOKEN_AUTH_NOT_MOUNTABLE,
                    span,
                    "the path `token` belongs to the built-in token auth method",
                )
                .with_label("already taken by `auth/token`")
                .with_help("mount this auth method at another path"),
            );
            return false;
        }
        let first = path.split('/').next().unwrap_or("");
        if class == MountClass::Secrets && RESERVED_MOUNT_PATHS.contains(&first) {
            self.diags.push(
                Diagnostic::error(
                    codes::RESERVED_NAME,
                    span,
                    format!("the mount path `{path}` is reserved by the server"),
                )
                .with_label("reserved")
                .with_help(format!(
                    "secrets engines cannot be mounted under {}",
                    one_of(&RESERVED_MOUNT_PATHS)
                )),
            );
            return false;
        }
        true
    }

    /// Whether the engine exists on the target; reports it once on the block head if not.
    fn mount_available(&mut self, ty: &MountType, block: &Block) -> bool {
        if ty.endpoints().next().is_none() {
            return true;
        }
        let available = crate::probe::ask(self.target, &mut self.target_sensitive, |t| {
            ty.available_on(t)
        });
        if available {
            return true;
        }
        let here = catalog::target_name(self.target);
        let other = match self.target {
            Target::Vault => "openbao",
            Target::Openbao => "vault",
        };
        self.diags.push(
            Diagnostic::error(
                codes::UNSUPPORTED_ON_TARGET,
                block.head_span(),
                format!("{here} has no {}", ty.display),
            )
            .with_label(format!("not available on {here}"))
            .with_help(format!(
                "compile with `--target {other}`, or remove this block"
            )),
        );
        false
    }

    fn nested_blocks(
        &mut self,
        ty: &'static MountType,
        parts: &Parts<'a>,
        prefix: &str,
        kv_version: Option<i64>,
        path: &str,
    ) -> Vec<NestedDecl<'a>> {
        let what = mount_display(ty.class, ty.name, path);
        // Only what this mount takes: KV v2's blocks are themselves an error on v1.
        let valid: Vec<&str> = ty
            .nested
            .iter()
            .filter(|n| !n.requires_kv2 || kv_version == Some(2))
            .map(|n| n.keyword)
            .collect();
        let mut out: Vec<NestedDecl<'a>> = Vec::new();
        let mut seen: SortedMap<(&str, &str), Span> = SortedMap::new();
        for &block in &parts.blocks {
            let Some(spec) = ty.nested(&block.keyword.name) else {
                body::reject_block(block, &what, &valid, self.diags);
                // `confg {}` on KV v1: no "did you mean" a block v1 lacks, but why not.
                let near = did_you_mean(&block.keyword.name, ty.nested.iter().map(|n| n.keyword));
                if let (true, Some(s), Some(d)) = (valid.is_empty(), near, self.diags.last_mut()) {
                    d.help = Some(format!(
                        "{what} takes no nested blocks: `{s}` needs a KV version 2 mount (`version = 2`)"
                    ));
                }
                continue;
            };
            // A `version` written in another form is reported as such, not as a v1 mount.
            let mistyped = kv_version.is_none() && parts.get("version").is_some();
            if spec.requires_kv2 && kv_version != Some(2) && !mistyped {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNKNOWN_BLOCK,
                        block.keyword.span,
                        format!("`{}` needs a KV version 2 mount", spec.keyword),
                    )
                    .with_label("only KV v2 has this")
                    .with_help(format!(
                        "set `version = 2` on {}",
                        mount_display(MountClass::Secrets, "kv", path)
                    )),
                );
                continue;
            }
            let Some(name) = self.nested_labels(spec, block) else {
                continue;
            };
            if !self.require_body(block, &spec.example()) {
                continue;
            }
            // A role and a static role share their names: the server refuses the second
            // ("Role and Static Role names must be unique"), and `creds MOUNT.NAME` names
            // either.
            let keyword = match spec.keyword {
                "static-role" => "role",
                k => k,
            };
            let key = (keyword, name.map_or("", |n| n.as_str()));
            let span = block
                .labels
                .first()
                .map_or(block.keyword.span, |l| l.span());
            let duplicate = match seen.get(&key) {
                Some(&first) => {
                    let message = match name {
                        Some(n) => format!("{} `{n}` is already defined in {what}", spec.what),
                        None => format!("{what} already has a `{}` block", spec.keyword),
                    };
                    self.duplicate(span, first, message);
                    true
                }
                None => {
                    seen.insert(key, span);
                    false
                }
            };
            out.push(NestedDecl {
                spec,
                id: spec.shared_api_path(&[prefix], name.map(|n| n.as_str())),
                name,
                block,
                duplicate,
            });
        }
        out
    }

    /// Checks a nested block's labels: `Some(name)` (None for unnamed blocks) when usable.
    fn nested_labels(&mut self, spec: &NestedSpec, block: &'a Block) -> Option<Option<&'a Text>> {
        if spec.named {
            let Some(label) = block.labels.first() else {
                self.missing_label(
                    block,
                    format!("{} needs a name", spec.what),
                    format!("write `{}`", spec.example()),
                );
                return None;
            };
            self.extra_labels(block, 1, &spec.example());
            if !self.valid_name(label, spec.what) {
                return None;
            }
            if spec.server_lowercases_name() {
                self.lowercase(label.text(), label.span(), spec.what);
            }
            Some(Some(label.value()))
        } else {
            if let Some(label) = block.labels.first() {
                self.diags.push(
                    Diagnostic::error(
                        codes::UNEXPECTED_LABEL,
                        label.span(),
                        format!("`{}` takes no name", spec.keyword),
                    )
                    .with_label("unexpected label")
                    .with_help(format!(
                        "a mount has one {}: write `{}`",
                        spec.what,
                        spec.example()
                    )),
                );
            }
            Some(None)
        }
    }

    fn token_auth(&mut self, block: &'a Block) {
        if let Some(label) = block.labels.get(1) {
            self.diags.push(
                Diagnostic::error(
                    codes::TOKEN_AUTH_NOT_MOUNTABLE,
                    label.span(),
                    "the token auth method cannot be mounted at a path",
                )
                .with_label("no path here")
                .with_help(
                    "the token method is built in at `auth/token`: write `auth token { role NAME { ... } }`",
                ),
            );
        }
        if !self.require_body(block, "auth token { role NAME { ... } }") {
            return;
        }
        let parts = self.split(block);
        for attr in &parts.attrs {
            self.diags.push(
                Diagnostic::error(
                    codes::TOKEN_AUTH_NOT_MOUNTABLE,
                    attr.name.span,
                    format!("`auth token` takes no attribute `{}`", attr.name.name),
                )
                .with_label("nothing to configure")
                .with_help(
                    "the token method is built in at `auth/token` and enables nothing; it only holds `role NAME { ... }` blocks",
                ),
            );
        }
        body::reject_statements(
            &parts.statements,
            &"`auth token`",
            StatementsGo::InAWorkload,
            self.diags,
        );
        let mut nested = Vec::new();
        for &b in &parts.blocks {
            if b.keyword.name != "role" {
                body::reject_block(b, &"`auth token`", &["role"], self.diags);
                continue;
            }
            let spec = &catalog::TOKEN_ROLE;
            let Some(Some(name)) = self.nested_labels(spec, b) else {
                continue;
            };
            if !self.require_body(b, &spec.example()) {
                continue;
            }
            let span = b.labels.first().map_or(b.keyword.span, |l| l.span());
            let id = spec.shared_api_path(&[catalog::TOKEN_PREFIX], Some(name));
            let first = self.syms.token_roles.get(name).map(|r| r.span);
            if let Some(first) = first {
                self.duplicate(
                    span,
                    first,
                    format!("token role `{name}` is already defined"),
                );
            } else {
                self.syms.token_roles.insert(
                    name,
                    NamedSym {
                        id: id.clone(),
                        span,
                        block: b,
                    },
                );
            }
            nested.push(NestedDecl {
                spec,
                name: Some(name),
                block: b,
                id,
                duplicate: first.is_some(),
            });
        }
        self.items.push(Item::TokenAuth(nested));
    }

    // ---- policies, tokens, workloads ---------------------------------------------

    /// The block's single name label, reporting missing and extra labels.
    fn single_name(&mut self, block: &'a Block, what: &str, form: &str) -> Option<&'a Text> {
        let Some(label) = block.labels.first() else {
            self.missing_label(
                block,
                format!("a {what} needs a name"),
                format!("write `{form}`"),
            );
            return None;
        };
        self.extra_labels(block, 1, form);
        self.valid_name(label, what).then_some(label.value())
    }

    /// A label's name, checked as [`invalid_name`] does.
    fn valid_name(&mut self, label: &Label, what: &str) -> bool {
        let problem = invalid_name(label.text(), label.span(), what);
        let valid = problem.is_none();
        self.diags.extend(problem);
        valid
    }

    /// Reports a name the server would store lowercased ([`uppercase_name`]); the
    /// declaration goes on, so that references to it resolve.
    fn lowercase(&mut self, name: &str, span: Span, what: &str) {
        self.diags.extend(uppercase_name(name, span, what));
    }

    /// A `KEYWORD NAME { ... }` block's name and the span of its label, or `None` once
    /// the missing name or body is reported.
    fn named_block(
        &mut self,
        block: &'a Block,
        what: &str,
        form: &str,
    ) -> Option<(&'a Text, Span)> {
        let name = self.single_name(block, what, form)?;
        if !self.require_body(block, form) {
            return None;
        }
        let span = block
            .labels
            .first()
            .map_or(block.keyword.span, |l| l.span());
        Some((name, span))
    }

    fn register_policy(
        &mut self,
        name: &'a str,
        span: Span,
        block_span: Span,
        origin: PolicyOrigin,
    ) -> bool {
        if let Some(first) = self.syms.policies.get(name) {
            let first_span = first.span;
            let message = match (first.origin, origin) {
                (PolicyOrigin::Workload { .. }, PolicyOrigin::Workload { .. }) => {
                    format!("workload `{name}` is already defined")
                }
                (_, PolicyOrigin::Workload { .. }) => format!(
                    "workload `{name}` derives a policy named like the policy defined earlier"
                ),
                (PolicyOrigin::Workload { .. }, _) => {
                    format!("policy `{name}` is already the policy of workload `{name}`")
                }
                _ => format!("policy `{name}` is already defined"),
            };
            self.duplicate(span, first_span, message);
            return false;
        }
        self.syms.policies.insert(
            name,
            PolicySym {
                span,
                block_span,
                origin,
            },
        );
        true
    }

    fn policy(&mut self, block: &'a Block) {
        let form = "policy NAME { path \"GLOB\" { capabilities = [read] } }";
        let Some(name) = self.single_name(block, "policy", form) else {
            return;
        };
        let span = block
            .labels
            .first()
            .map_or(block.keyword.span, |l| l.span());
        self.lowercase(name, span, "policy");
        if name == "root" {
            self.diags.push(
                Diagnostic::error(
                    codes::RESERVED_NAME,
                    span,
                    "the `root` policy is built in and cannot be written",
                )
                .with_label("reserved")
                .with_help("choose another name"),
            );
            return;
        }
        if !self.require_body(block, form) {
            return;
        }
        // A second definition is still checked (its mistakes are reported now, not once
        // the name is fixed), and lowered to nothing.
        let duplicate = !self.register_policy(name, span, block.span, PolicyOrigin::Policy);
        self.items.push(Item::Policy {
            name,
            block,
            duplicate,
        });
    }

    fn extern_policy(&mut self, block: &'a Block) {
        let form = "extern policy NAME";
        let Some(kind) = block.labels.first() else {
            self.missing_label(
                block,
                "`extern` needs what it declares".to_string(),
                format!("write `{form}`"),
            );
            return;
        };
        if kind.text() != "policy" {
            self.diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_BLOCK,
                    kind.span(),
                    format!("`extern {}` is not a declaration", kind.text()),
                )
                .with_label("only policies can be extern")
                .with_help(format!("write `{form}`")),
            );
            return;
        }
        let Some(name) = block.labels.get(1) else {
            self.missing_label(
                block,
                "an extern policy needs a name".to_string(),
                format!("write `{form}`"),
            );
            return;
        };
        self.extra_labels(block, 2, form);
        if !self.valid_name(name, "an extern policy") {
            return;
        }
        self.lowercase(name.text(), name.span(), "extern policy");
        if let Some(body) = &block.body {
            self.diags.push(
                Diagnostic::error(
                    codes::UNEXPECTED_BODY,
                    body.span,
                    "an `extern policy` has no body",
                )
                .with_label("unexpected body")
                .with_help(
                    "it names a policy managed outside this program; to write the policy here, use `policy NAME { ... }`",
                ),
            );
        }
        self.register_policy(name.text(), name.span(), block.span, PolicyOrigin::Extern);
    }

    fn token(&mut self, block: &'a Block) {
        let Some((name, span)) = self.named_block(block, "token", "token NAME { role = ROLE }")
        else {
            return;
        };
        let duplicate = self.syms.tokens.get(name).copied();
        match duplicate {
            Some(first) => {
                self.duplicate(span, first, format!("token `{name}` is already defined"));
            }
            None => {
                self.syms.tokens.insert(name, span);
                self.syms.token_blocks.insert(name, block);
            }
        }
        self.items.push(Item::Token {
            name,
            block,
            duplicate: duplicate.is_some(),
        });
    }

    fn workload(&mut self, block: &'a Block) {
        let Some((name, span)) = self.named_block(block, "workload", "workload NAME { ... }")
        else {
            return;
        };
        // It names the workload's policy and login role, both lowercased by the server.
        self.lowercase(name, span, "workload");
        // Its derived policy would be a built-in one: `root` cannot be written (OpenBao
        // 2.7.2: "cannot update \"root\" policy"), and writing `default` replaces the
        // policy every token carries, handing the workload's grants to all of them.
        let reserved = match name.as_str() {
            "root" => Some((
                "workload `root` would write the policy `root`, which is built in and cannot be written",
                "rename the workload",
            )),
            "default" => Some((
                "workload `default` would overwrite the built-in policy `default`, which every token carries",
                "rename the workload: its rules would reach every token of the server, and the rules every token needs (`auth/token/lookup-self`, ...) would be gone",
            )),
            _ => None,
        };
        if let Some((message, help)) = reserved {
            self.diags.push(
                Diagnostic::error(codes::RESERVED_NAME, span, message)
                    .with_label("reserved policy name")
                    .with_help(format!(
                        "{help}; its login role can keep the name with `login MOUNT {{ role_name = \"{name}\" }}`"
                    )),
            );
            return;
        }
        let mut parts = self.split(block);
        let has_rules = !parts.statements.is_empty();
        // A second workload of the name is still checked, and lowered to nothing.
        let duplicate =
            !self.register_policy(name, span, block.span, PolicyOrigin::Workload { has_rules });
        let mut login: Option<LoginDecl<'a>> = None;
        let mut first_login: Option<Span> = None;
        for &b in &parts.blocks {
            if b.keyword.name != "login" {
                body::reject_block(b, &format!("workload `{name}`"), &["login"], self.diags);
                continue;
            }
            if let Some(first) = first_login {
                self.duplicate(
                    b.keyword.span,
                    first,
                    format!("workload `{name}` already has a `login`"),
                );
                if let Some(d) = self.diags.last_mut() {
                    d.help = Some("a workload logs in one way: keep one `login`, and give the other its own workload".into());
                }
                continue;
            }
            first_login = Some(b.keyword.span);
            let login_form = "login MOUNT { ... }";
            let Some(mount) = b.labels.first() else {
                self.missing_label(
                    b,
                    "`login` needs the path of an auth mount (JWT, OIDC, Kubernetes, AppRole, userpass)".to_string(),
                    format!("write `{login_form}`, e.g. `login jwt {{ ... }}`"),
                );
                continue;
            };
            self.extra_labels(b, 1, login_form);
            if !self.require_body(b, login_form) {
                continue;
            }
            let role_name = match body::find_attr(b.entries(), "role_name").map(|a| &a.value) {
                Some(
                    value @ Expr {
                        kind: ExprKind::Str { value: role, .. },
                        ..
                    },
                ) => {
                    // Every method a workload logs in with lowercases its role names.
                    // An invalid name has its own error (`lower_login`): no second one
                    // suggesting its lowercase, as invalid.
                    if is_valid_name(role) {
                        self.lowercase(role, value.span, "login role");
                    }
                    role
                }
                _ => name,
            };
            login = Some(LoginDecl {
                mount: mount.text().trim_matches('/'),
                mount_span: mount.span(),
                block: b,
                role_name,
            });
        }
        // The statements move to the declaration; `parts` keeps the attributes.
        let statements = std::mem::take(&mut parts.statements);
        self.items.push(Item::Workload(WorkloadDecl {
            name,
            block,
            parts,
            login,
            statements,
            duplicate,
        }));
    }

    /// Workloads' login roles join their mount's roles, so that duplicates with `role`
    /// blocks are caught and `sign`/`creds`-style lookups see them.
    fn register_login_roles(&mut self) {
        // Each mount's table sized once for the logins it will take.
        let mut logins: SortedMap<&str, usize> = SortedMap::new();
        for item in &self.items {
            if let Item::Workload(WorkloadDecl {
                login: Some(login), ..
            }) = item
            {
                *logins.get_or_default(login.mount) += 1;
            }
        }
        for (mount, &n) in &logins {
            if let Some(m) = self.syms.auth_mounts.get_mut(mount) {
                m.roles.reserve(n);
            }
        }
        let mut dups = Vec::new();
        for item in &self.items {
            let Item::Workload(w) = item else { continue };
            // A duplicate workload's login role is not the role of that name.
            let Some(login) = w.login.as_ref().filter(|_| !w.duplicate) else {
                continue;
            };
            let Some(mount) = self.syms.auth_mounts.get_mut(login.mount) else {
                continue;
            };
            let Some(spec) = mount.ty.login_spec() else {
                continue;
            };
            let span = body::find_attr(login.block.entries(), "role_name")
                .map_or(login.block.head_span(), |a| a.value.span);
            if let Some(first) = mount.roles.get(login.role_name) {
                dups.push((
                    span,
                    first.span,
                    format!(
                        "{} `{}` is already defined on auth mount `{}`",
                        spec.what, login.role_name, login.mount
                    ),
                ));
                continue;
            }
            let id = spec.shared_api_path(
                &MountClass::Auth.api_prefix_parts(login.mount),
                Some(login.role_name),
            );
            mount.roles.insert(
                login.role_name,
                NamedSym {
                    id,
                    span,
                    block: login.block,
                },
            );
        }
        for (span, first, message) in dups {
            self.diags.push(
                Diagnostic::error(codes::DUPLICATE, span, message)
                    .with_label("defined again here")
                    .with_related(first, "first defined here")
                    .with_help("give the login role another name with `role_name = \"...\"`"),
            );
        }
    }
}

/// A name with capitals where the server keeps a lowercased copy (policies, the login
/// roles of every method, userpass users): the server's `team-reader` is then another
/// name than the program's `Team-Reader`, so every plan finds it undeclared and `apply
/// --prune` deletes it. `what` says what the name is ("policy", "AppRole role").
/// Names become one segment of an API path (`auth/jwt/role/NAME`): the server takes
/// letters, digits and `_`, with `-` and `.` inside (its `GenericNameRegex`). A name given
/// as a string (a login's `role_name`, a token's `role`) is checked the same way: `/` in
/// it would write another path, an empty one the collection itself.
pub(crate) fn invalid_name(name: &str, span: Span, what: &str) -> Option<Diagnostic> {
    (!is_valid_name(name)).then(|| {
        Diagnostic::error(
            codes::INVALID_NAME,
            span,
            format!(
                "`{}` is not a valid {what} name",
                kp_diag::escape_controls(name)
            ),
        )
        .with_label(if name.is_empty() {
            "an empty name"
        } else {
            "becomes one segment of an API path"
        })
        .with_help("use letters, digits and `_`, with `-` or `.` between them (e.g. `ci-deploy`)")
    })
}

/// Whether the server takes `name` as one segment of an API path ([`invalid_name`]).
fn is_valid_name(name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    name.starts_with(word)
        && name.ends_with(word)
        && name.chars().all(|c| word(c) || c == '-' || c == '.')
        && !name.contains("..")
}

pub(crate) fn uppercase_name(name: &str, span: Span, what: &str) -> Option<Diagnostic> {
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let stored = if what == "workload" {
        "its policy and login role"
    } else {
        "it"
    };
    Some(
        Diagnostic::error(
            codes::UPPERCASE_NAME,
            span,
            format!("{what} `{name}` has capitals, which the server drops"),
        )
        .with_label(format!("the server stores {stored} as `{lower}`"))
        .with_help(format!(
            "write `{lower}`: `{name}` never matches the server's `{lower}`, so every plan would report that one as not declared and `apply --prune` would delete it"
        )),
    )
}

/// Vault's CLI names the KV versions as mount types: `vault secrets enable kv-v2`.
const KV_CLI_NAME_HELP: &str =
    "keyplan writes Vault's `kv-v1` and `kv-v2` as `kv` with its `version`: `secrets kv PATH { version = 2 }` (or 1)";

/// A type written as `vault secrets enable` names a KV version (`kv-v2`, `kv-v1`, and
/// the spellings `kv2`, `kvv2`, `kv_v2`).
fn is_kv_cli_name(ty: &str) -> bool {
    ty.strip_prefix("kv").is_some_and(|rest| {
        let rest = rest.trim_start_matches(['-', '_']);
        matches!(rest.strip_prefix('v').unwrap_or(rest), "1" | "2")
    })
}
