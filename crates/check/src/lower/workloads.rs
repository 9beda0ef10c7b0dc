//! `workload NAME { login MOUNT { ... } VERB ARG... }`: the derived policy, the login
//! role carrying it, and the workload's entry in the program.

use std::borrow::Cow;

use crate::body::one_of;
use kp_diag::{did_you_mean, Diagnostic};
use kp_schema::FieldType;
use kp_syntax::ast::{ExprKind, Ident, Statement, Text};

use super::fields::unknown_field;
use super::{add_dep, resource, Lowerer};
use crate::body::{self, StatementsGo};
use crate::catalog::{self, MountClass, CAPABILITY_VERBS, SHORTHAND_VERBS};
use crate::codes;
use crate::index::SymbolKey;
use crate::ir::{PolicyDoc, ResourceId, ResourceKind, Value, Workload, CAPABILITIES};
use crate::lints;
use crate::rules::{self, RuleSet};
use crate::schemas;
use crate::symbols::MountSym;
use crate::symbols::{policy_id, LoginDecl, WorkloadDecl};
use crate::typing;

impl<'s> Lowerer<'s> {
    pub(super) fn lower_workload(&mut self, decl: &WorkloadDecl<'s>) {
        let name = decl.name;
        // Messages only: built when a diagnostic needs it, not once per workload.
        let what = || format!("workload `{name}`");
        let label_span = decl
            .block
            .labels
            .first()
            .map_or(decl.block.keyword.span, |l| l.span());
        let mut description = None;
        for attr in &decl.parts.attrs {
            if attr.name.name == "description" {
                lints::placeholder::check(&attr.value, &mut self.diags);
                // Made once: a workload per few lines of a program has a description.
                static FIELD: std::sync::OnceLock<kp_schema::Field> = std::sync::OnceLock::new();
                let field =
                    FIELD.get_or_init(|| schemas::synthetic("description", FieldType::String, &[]));
                if let Some(Value::Str(s)) = typing::known(&attr.value, field, &mut self.diags) {
                    description = Some(s);
                }
                continue;
            }
            let is_role_field =
                schemas::endpoint("jwt-role").is_some_and(|e| e.field(&attr.name.name).is_some());
            let field = attr.name.name.as_str();
            // `read = "secret/data/x"`, `creds = db.ro`: a statement written as a field.
            let arg = match &attr.value.kind {
                ExprKind::Str { value, .. } if CAPABILITY_VERBS.contains(&field) => {
                    Some(kp_diag::quoted(value))
                }
                ExprKind::Path(segs) if SHORTHAND_VERBS.contains(&field) => Some(
                    segs.iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join("."),
                ),
                _ => None,
            };
            let hint = match arg {
                Some(arg) => Some(format!("statements have no `=`: `{field} {arg}`")),
                None => is_role_field.then(|| {
                    format!(
                        "`{field}` is a field of the login role: put it in `login MOUNT {{ ... }}`"
                    )
                }),
            };
            self.diags.push(unknown_field(
                &attr.name.name,
                attr.name.span,
                &what(),
                &["description"],
                &policy_id(name),
                hint,
            ));
        }

        let mut set = RuleSet::with_capacity(decl.statements.len());
        let mut deps = Vec::new();
        for st in &decl.statements {
            self.statement(st, &mut set, &mut deps);
        }
        lints::kv::finish(&mut self.kv2_pending, &set, &mut self.diags);
        let has_rules = !set.is_empty();
        let rules = set.into_rules();
        let policy = policy_id(name);
        if has_rules {
            let doc = PolicyDoc {
                rules: rules.clone(),
            };
            let mut r = resource(
                policy.clone(),
                ResourceKind::Policy,
                name.clone(),
                "policy",
                decl.block.span,
            );
            r.body.insert("policy", Value::Policy(doc.clone()));
            r.policy = Some(doc);
            r.depends_on = deps;
            r.workload = Some(name.clone());
            self.push(r);
        } else if decl.statements.is_empty()
            // Blocks and fields written in place of statements (`path "..." { ... }`,
            // `read = "..."`) have their own error; "grants nothing" would repeat it.
            && decl.parts.blocks.iter().all(|b| b.keyword.name == "login")
            && decl.parts.attrs.iter().all(|a| a.name.name == "description")
            // Statements written inside the login have their own error; the policies the
            // login attaches (`token_policies = [reader]`) are what the workload grants.
            && !decl.login.as_ref().is_some_and(|l| {
                l.block.entries().iter().any(|e| match e {
                    kp_syntax::ast::Entry::Statement(_) => true,
                    kp_syntax::ast::Entry::Attribute(a) => {
                        matches!(a.name.name.as_str(), "token_policies" | "policies")
                    }
                    _ => false,
                })
            })
        {
            self.diags.push(
                Diagnostic::warning(
                    codes::EMPTY_WORKLOAD,
                    label_span,
                    format!("{} grants nothing", what()),
                )
                .with_label("no statements")
                .with_help("say what it may do, e.g. `read \"secret/data/app/*\"`"),
            );
        }

        let role = match &decl.login {
            Some(login) => self.lower_login(name, &policy, login, has_rules),
            None => {
                // A login written wrong (`login ci` with no body, or `lgin ci { ... }`:
                // any block but `login` is unknown here) has its own error; "no login"
                // would repeat it.
                let tried = !decl.parts.blocks.is_empty()
                    || decl
                        .statements
                        .iter()
                        .any(|s| s.verb.name.as_str() == "login");
                if has_rules && !tried {
                    self.pending_unattached.push((name, label_span));
                }
                None
            }
        };
        self.program.workloads.push(Workload {
            name: name.clone(),
            description,
            role,
            policy: name.clone(),
            rules,
            span: decl.block.span,
        });
    }

    fn lower_login(
        &mut self,
        workload: &'s Text,
        policy: &ResourceId,
        login: &LoginDecl<'s>,
        has_rules: bool,
    ) -> Option<ResourceId> {
        if login.mount == catalog::TOKEN_METHOD {
            self.token_method_misuse(
                "login",
                login.mount_span,
                &format!(
                    "tokens are issued with a `token NAME {{ role = ROLE, policies = [...] }}` block, not a `login`; `login` names a mount of type {}",
                    one_of(&catalog::LOGIN_TYPES)
                ),
            );
            return None;
        }
        let syms = self.syms;
        // Listed only when the mount is not declared (suggestions).
        let declared = || syms.auth_mounts.keys().copied();
        let mount = match syms.auth_mounts.get(login.mount) {
            Some(mount) => {
                self.reference(login.mount_span, || {
                    SymbolKey::AuthMount(login.mount.to_string())
                });
                Some(mount)
            }
            // Not declared and no typo of a declared mount: a mount managed elsewhere,
            // of the login type its path names, else JWT. The role is written all the
            // same.
            None if did_you_mean(login.mount, declared()).is_none() => {
                // A near-typo of a login method (`kubernete`) is no path a mount was
                // given; a longer one (`jwt2`, `oidc-ci`) may be.
                let typo = did_you_mean(login.mount, catalog::LOGIN_TYPES.iter().copied())
                    .filter(|ty| *ty != login.mount && login.mount.len() <= ty.len());
                if typo.is_some() {
                    self.unknown_login_mount(login, typo);
                    return None;
                }
                // The declaration suggested is of the type the login is taken to be.
                let mut types = catalog::LOGIN_TYPES;
                let ty = catalog::external_login_type(login.mount, login.block.entries());
                if let Some(i) = ty.and_then(|t| types.iter().position(|n| *n == t.name)) {
                    types.swap(0, i);
                }
                self.warn_external(login.mount, login.mount_span, "auth", &types);
                None
            }
            None => {
                self.unknown_login_mount(login, None);
                return None;
            }
        };
        let spec = match mount {
            Some(mount) => match mount.ty.login_spec() {
                Some(spec) => spec,
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            codes::WRONG_MOUNT_TYPE,
                            login.mount_span,
                            format!(
                                "`login` needs an auth mount workloads log in with, and `{}` is the {}",
                                login.mount, mount.ty.display
                            ),
                        )
                        .with_label("no login roles on this mount")
                        .with_related(mount.head, "mounted here")
                        .with_help(format!(
                            "`login` names a mount of type {}",
                            one_of(&catalog::LOGIN_TYPES)
                        )),
                    );
                    return None;
                }
            },
            None => {
                catalog::external_login_type(login.mount, login.block.entries())?.login_spec()?
            }
        };
        let parts = body::split(login.block.entries(), &mut self.diags);
        if let Some(attr) = parts.get("role_name") {
            match &attr.value.kind {
                ExprKind::Str { value, .. } => self.diags.extend(crate::declare::invalid_name(
                    value,
                    attr.value.span,
                    "login role",
                )),
                _ => self.diags.push(typing::mismatch(
                    &attr.value,
                    FieldType::String,
                    "role_name",
                )),
            }
        }
        // The id the declaration pass gave this login's role, when it registered it.
        let registered = mount
            .and_then(|m| m.roles.get(login.role_name))
            .filter(|r| std::ptr::eq(r.block, login.block));
        let id = match registered {
            Some(role) => role.id.clone(),
            None => spec.shared_api_path(
                &MountClass::Auth.api_prefix_parts(login.mount),
                Some(login.role_name),
            ),
        };
        let mut r = self.lower_endpoint_block(
            mount,
            super::mounts::EndpointBlock {
                spec,
                name: Some(login.role_name),
                id: id.clone(),
                block: login.block,
                skip: &["role_name"],
                external_type: mount
                    .is_none()
                    .then(|| catalog::external_login_type(login.mount, login.block.entries()))
                    .flatten()
                    .map(|t| t.name),
                statements_go: StatementsGo::BesideTheLogin,
            },
            &parts,
        );
        r.workload = Some(workload.clone());
        if has_rules {
            let comma = self.schema(spec.endpoint).is_some_and(|ep| {
                // The endpoint's table, just built to type the role: a hash, not a
                // search of the schema's sorted fields.
                let table = self.field_table(ep);
                self.field_in(table, "token_policies")
                    .is_some_and(|f| f.field.ty == FieldType::CommaList)
            });
            append_policy(&mut r.body, workload, comma);
            // The old field beside the `token_policies` just derived: its policies lost.
            if let Some(attr) = parts.get("policies") {
                let span = attr.name.span;
                if let Some(d) =
                    self.diags.iter_mut().rev().find(|d| {
                        d.code == codes::DEPRECATED_FIELD && d.span == span && !d.is_error()
                    })
                {
                    *d = super::fields::ignored_beside(attr, "token_policies")
                        .with_help("its policies are lost: move them to `token_policies`");
                }
            }
            if !r.depends_on.iter().any(|d| d == policy) {
                r.depends_on.push(policy.clone());
            }
            self.refer_policy(workload);
        }
        self.push(r);
        Some(id)
    }

    /// `login` names no declared mount but a near-typo of one, or (`typo_of`) of a login
    /// method's name.
    fn unknown_login_mount(&mut self, login: &LoginDecl<'s>, typo_of: Option<&str>) {
        let syms = self.syms;
        let jwt_mounts: Vec<&str> = syms
            .auth_mounts
            .values()
            .filter(|m| m.ty.login_spec().is_some())
            .map(|m| m.path)
            .collect();
        let mut help = Vec::new();
        if let Some(s) = did_you_mean(login.mount, jwt_mounts.iter().copied()) {
            help.push(format!("did you mean `{s}`?"));
        } else if !jwt_mounts.is_empty() {
            help.push(format!("login mounts: {}", one_of(&jwt_mounts)));
        }
        help.push(format!(
            "`login` names the path of an auth mount, e.g. `auth {} {} {{ ... }}`",
            typo_of.unwrap_or("jwt"),
            catalog::label(typo_of.unwrap_or(login.mount))
        ));
        self.diags.push(
            Diagnostic::error(
                codes::UNRESOLVED_REFERENCE,
                login.mount_span,
                format!("unknown auth mount `{}`", login.mount),
            )
            .with_label("no login auth mount at this path")
            .with_help(crate::body::join_help(help)),
        );
    }

    /// A shorthand or `login` names `token`: the built-in token method, never a mount of
    /// the type the statement needs, and a path no other auth method can be mounted at.
    pub(super) fn token_method_misuse(&mut self, verb: &str, span: kp_diag::Span, help: &str) {
        self.diags.push(
            Diagnostic::error(
                codes::WRONG_MOUNT_TYPE,
                span,
                format!("`{verb}` cannot use `token`, the built-in token auth method"),
            )
            .with_label("the token auth method")
            .with_help(help.to_string()),
        );
    }

    pub(super) fn warn_external(
        &mut self,
        path: &str,
        span: kp_diag::Span,
        class: &str,
        types: &[&str],
    ) {
        self.external_touched = true;
        // Declared with a misspelt type: that error is the one mistake to report.
        if self
            .syms
            .untyped_mounts
            .iter()
            .any(|&(c, p)| c == class && p == path)
        {
            return;
        }
        let mounts = if class == "auth" {
            &self.syms.auth_mounts
        } else {
            &self.syms.secret_mounts
        };
        // `ssh.r.x` with `ssh` declared: no mount can sit inside another
        // (kp::overlapping-mount), so the reference has a segment too many.
        let inside = mounts.values().find_map(|m| {
            let rest = path.strip_prefix(m.path)?.strip_prefix('/')?;
            Some((m, rest.split('/').next().unwrap_or_default()))
        });
        if let Some((m, next)) = inside {
            self.diags.push(
                Diagnostic::error(
                    codes::OVERLAPPING_MOUNT,
                    span,
                    format!("`{path}` would be a mount inside mount `{}`", m.path),
                )
                .with_label("no mount exists inside another")
                .with_related(m.head, "declared here")
                .with_help(format!(
                    "a reference is `MOUNT.ROLE`: write `{}.{next}`",
                    m.path.replace('/', ".")
                )),
            );
            return;
        }
        let at_login = types.len() == catalog::LOGIN_TYPES.len()
            && kp_sort::insert_sorted(&mut self.external_logins, path.to_string());
        if !kp_sort::insert_sorted(&mut self.external_mounts, path.to_string()) {
            // Reported at a statement first: a `login` is where the mount is used as
            // one (and where its role is written), so the warning moves to the first.
            if at_login {
                let quoted = format!("`{path}` is not");
                if let Some(d) = self.diags.iter_mut().find(|d| {
                    d.code == codes::EXTERNAL_MOUNT
                        && d.message.contains(&quoted)
                        && d.help.as_deref().is_some_and(|h| h.contains("`auth "))
                }) {
                    d.span = span;
                }
            }
            return;
        }
        // A declaration that compiles: a path that is not a bare name is quoted.
        let declare = match types.iter().find(|t| **t == path) {
            Some(ty) => format!("{class} {ty}"),
            None => format!(
                "{class} {} {}",
                types.first().copied().unwrap_or_default(),
                catalog::label(path)
            ),
        };
        // Auth and secrets mounts are two namespaces (`auth/approle/` and `approle/`): a
        // mount of the other class at this path is not this one, but likely what was meant.
        let (other_class, other) = if class == "auth" {
            ("secrets", self.syms.secret_mounts.get(path))
        } else {
            ("auth", self.syms.auth_mounts.get(path))
        };
        // Beside a declared mount of the other class, "not declared" reads as wrong.
        let what = match (other.is_some(), class) {
            (false, _) => "mount",
            (true, "auth") => "auth method",
            (true, _) => "secrets engine",
        };
        let mut d = Diagnostic::warning(
            codes::EXTERNAL_MOUNT,
            span,
            format!("{what} `{path}` is not declared in this program"),
        )
        .with_label("assumed to exist on the server, managed elsewhere");
        d = match other {
            Some(m) => d
                .with_related(m.head, format!("`{other_class} {}` is declared here", m.ty.name))
                .with_help(if class == "auth" {
                    format!("`{path}` is a secrets engine, mounted at `{path}/`, not the auth method this names (at `auth/{path}/`): name an auth method, or declare one with `{declare} {{ ... }}`")
                } else {
                    format!("`{path}` is an auth method, mounted at `auth/{path}/`, not the secrets engine this names (at `{path}/`): name a secrets engine, or declare one with `{declare} {{ ... }}`")
                }),
            None => d.with_help(format!(
                "declare it with `{declare} {{ ... }}` to manage it with keyplan"
            )),
        };
        self.diags.push(d);
    }

    fn statement(&mut self, st: &Statement, set: &mut RuleSet, deps: &mut Vec<ResourceId>) {
        let verb = st.verb.name.as_str();
        if let Some(cap) = CAPABILITY_VERBS.iter().position(|c| *c == verb) {
            for arg in &st.args {
                match &arg.kind {
                    ExprKind::Str { value, .. } => {
                        if rules::check_glob(value, arg.span, &mut self.diags) {
                            lints::kv::check(
                                &self.kv2_mounts,
                                value,
                                crate::ir::Capabilities::from_indices([cap]),
                                arg.span,
                                &mut self.diags,
                                &mut self.kv2_pending,
                            );
                            set.add(value, &[cap]);
                        }
                    }
                    _ => {
                        let help = match &arg.kind {
                            ExprKind::Ident(n) if CAPABILITY_VERBS.contains(&n.as_str()) => {
                                Some(format!("`{n}` is a statement of its own: `{n} \"PATH\"`"))
                            }
                            ExprKind::Ident(n) => Some(format!("write `\"{n}\"`")),
                            _ => Some(format!("write `{verb} \"secret/data/app/*\"`")),
                        };
                        self.diags.push(typing::mismatch_expected(
                            arg,
                            "a path glob string",
                            verb,
                            help,
                        ));
                    }
                }
            }
            return;
        }
        if catalog::APPROLE_VERBS.iter().any(|(v, _, _)| *v == verb) {
            self.approle_shorthand(st, set);
            return;
        }
        if SHORTHAND_VERBS.contains(&verb) {
            self.shorthand(st, set, deps);
            return;
        }
        let verbs: Vec<&str> = CAPABILITY_VERBS
            .iter()
            .chain(SHORTHAND_VERBS.iter())
            .copied()
            .collect();
        let hint = match verb {
            "write" => {
                Some("Vault has no `write` capability: use `create` and `update`".to_string())
            }
            "login" => Some("`login` takes a block: `login MOUNT { ... }`".to_string()),
            "owns" => Some(crate::owns::NESTED_HELP.to_string()),
            _ if st.args.len() == 1
                && !matches!(
                    st.args.first().map(|a| &a.kind),
                    Some(ExprKind::Str { .. } | ExprKind::Path(_))
                ) =>
            {
                Some(format!("attributes are written `{verb} = ...`"))
            }
            _ => did_you_mean(verb, verbs.iter().copied()).map(|s| format!("did you mean `{s}`?")),
        };
        let list = format!("verbs: {}", one_of(&verbs));
        self.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_VERB,
                st.verb.span,
                format!("unknown statement `{verb}`"),
            )
            .with_label("not a capability or shorthand")
            .with_help(match hint {
                Some(h) => crate::body::join_help([h, list]),
                None => list,
            }),
        );
    }

    /// `sign MOUNT.ROLE` (update on `MOUNT/sign/ROLE`), `creds MOUNT.ROLE` (read on
    /// `MOUNT/creds/ROLE`, or `MOUNT/static-creds/ROLE` for a static role; update on
    /// `MOUNT/creds/ROLE` for an SSH OTP role).
    fn shorthand(&mut self, st: &Statement, set: &mut RuleSet, deps: &mut Vec<ResourceId>) {
        let verb = st.verb.name.as_str();
        let (engines, example): (&[&str], &str) = if verb == "sign" {
            (&["ssh"], "sign ssh.training-environment")
        } else {
            (&["database", "aws", "ssh"], "creds database.readonly")
        };
        let Some((mount_path, mount_span, role_seg)) = self.mount_role_arg(st, verb, example)
        else {
            return;
        };
        let syms = self.syms;
        if !syms.secret_mounts.contains_key(&*mount_path)
            && did_you_mean(&mount_path, syms.secret_mounts.keys().copied()).is_none()
        {
            self.warn_external(&mount_path, mount_span, "secrets", engines);
            // Assumed of the engine its path names, as the help says.
            let cap = shorthand_capability(verb, &*mount_path == "ssh");
            let cap_idx = CAPABILITIES.iter().position(|c| *c == cap).unwrap_or(0);
            let path = [&*mount_path, "/", verb, "/", &role_seg.name].concat();
            set.add_owned(path, &[cap_idx]);
            return;
        }
        let Some(mount) = syms.secret_mounts.get(&*mount_path) else {
            let eligible: Vec<&str> = syms
                .secret_mounts
                .values()
                .filter(|m| engines.contains(&m.ty.name))
                .map(|m| m.path)
                .collect();
            let help = match did_you_mean(&mount_path, eligible.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None if eligible.is_empty() => format!(
                    "declare it with `secrets {} {{ ... }}`",
                    engines.first().copied().unwrap_or("ssh")
                ),
                None => format!("mounts that fit: {}", one_of(&eligible)),
            };
            self.diags.push(
                Diagnostic::error(
                    codes::UNRESOLVED_REFERENCE,
                    mount_span,
                    format!("unknown secrets mount `{mount_path}`"),
                )
                .with_label("no secrets engine at this path")
                .with_help(help),
            );
            return;
        };
        self.reference(mount_span, || {
            SymbolKey::SecretsMount(mount_path.to_string())
        });
        if !engines.contains(&mount.ty.name) {
            self.diags.push(
                Diagnostic::error(
                    codes::WRONG_MOUNT_TYPE,
                    mount_span,
                    format!(
                        "`{verb}` needs {} mount, and `{mount_path}` is the {}",
                        if verb == "sign" {
                            "an SSH"
                        } else {
                            "a database, AWS or SSH (OTP)"
                        },
                        mount.ty.display
                    ),
                )
                .with_label(format!("not a mount of type {}", one_of(engines)))
                .with_related(mount.head, "mounted here")
                .with_help(other_engine_help(mount, &role_seg.name)),
            );
            return;
        }
        let role = role_seg.name.as_str();
        let Some(sym) = mount.roles.get(role) else {
            self.diags.push(super::resolve::unknown_role(
                mount,
                role,
                role_seg.span,
                &format!("add `role {role} {{ ... }}`"),
            ));
            return;
        };
        self.reference(role_seg.span, || {
            SymbolKey::Role(
                MountClass::Secrets,
                mount_path.to_string(),
                role.to_string(),
            )
        });
        let is_ssh = mount.ty.name == "ssh";
        if is_ssh && !self.ssh_verb_fits(verb, &mount_path, role_seg, sym.block) {
            return;
        }
        add_dep(deps, sym.id.clone());
        let cap = shorthand_capability(verb, is_ssh);
        let cap_idx = CAPABILITIES.iter().position(|c| *c == cap).unwrap_or(0);
        // A static role's current password is read at MOUNT/static-creds/ROLE.
        let segment = if verb == "creds" && sym.block.keyword.name == "static-role" {
            "static-creds"
        } else {
            verb
        };
        set.add_owned([&*mount_path, "/", segment, "/", role].concat(), &[cap_idx]);
    }
}

/// The capability a shorthand grants: `sign` and SSH's `creds` (an OTP is generated by
/// an update on `MOUNT/creds/ROLE`) update; database and AWS credentials are read.
fn shorthand_capability(verb: &str, ssh: bool) -> &'static str {
    if verb == "sign" || ssh {
        "update"
    } else {
        "read"
    }
}

/// The `key_type` an SSH role's block writes, when it is a literal string.
fn ssh_key_type(block: &kp_syntax::ast::Block) -> Option<&str> {
    crate::lints::ssh::literal(block, "key_type")
}

impl Lowerer<'_> {
    /// Whether `verb` is how the SSH role is used, as the server serves it: a `ca` role
    /// signs keys (`sign`), an `otp` role issues one-time passwords (`creds`); the
    /// other is reported. A role without a literal key type is the role check's concern.
    fn ssh_verb_fits(
        &mut self,
        verb: &str,
        mount: &str,
        role: &Ident,
        block: &kp_syntax::ast::Block,
    ) -> bool {
        let Some(key_type) = ssh_key_type(block) else {
            return true;
        };
        let (fits, other, served) = match key_type {
            "otp" => (verb == "creds", "creds", "issues one-time passwords"),
            "ca" => (verb == "sign", "sign", "signs keys"),
            _ => return true,
        };
        if fits {
            return true;
        }
        self.diags.push(
            Diagnostic::error(
                codes::WRONG_MOUNT_TYPE,
                role.span,
                format!(
                    "`{verb}` cannot use the SSH role `{}`, whose key type `{key_type}` {served}",
                    role.name
                ),
            )
            .with_label(format!("key type `{key_type}`"))
            .with_related(block.head_span(), "declared here")
            .with_help(format!("write `{other} {mount}.{}`", role.name)),
        );
        false
    }
}

/// Adds the workload's policy to the login role's `token_policies`, in the field's API
/// form (`comma`: the field is a comma-separated string).
fn append_policy(body: &mut crate::ir::Body, policy: &str, comma: bool) {
    match body.get_mut("token_policies") {
        Some(Value::List(list)) => {
            if !list
                .iter()
                .any(|v| matches!(v, Value::Str(s) if s == policy))
            {
                list.push(Value::Str(policy.to_string()));
            }
        }
        Some(Value::Str(joined)) => {
            if !joined.split(',').any(|p| p.trim() == policy) {
                if !joined.is_empty() {
                    joined.push(',');
                }
                joined.push_str(policy);
            }
        }
        _ => {
            let value = if comma {
                Value::Str(policy.to_string())
            } else {
                Value::List(vec![Value::Str(policy.to_string())])
            };
            body.reserve(1);
            body.insert("token_policies", value);
        }
    }
}

impl Lowerer<'_> {
    /// The one `MOUNT.ROLE` argument of a shorthand statement (`sign`, `creds`,
    /// `role_id`, `secret_id`): the mount path, its span and the role segment. A
    /// malformed argument is reported and gives `None`.
    pub(super) fn mount_role_arg<'a>(
        &mut self,
        st: &'a Statement,
        verb: &str,
        example: &str,
    ) -> Option<(Cow<'a, str>, kp_diag::Span, &'a Ident)> {
        let segs = match st.args.as_slice() {
            [arg] => match &arg.kind {
                ExprKind::Path(segs) if segs.len() >= 2 => segs,
                _ => {
                    // A quoted reference (`"db/prod.ro"`): as a name, a nested mount's `/`
                    // written as `.`.
                    let help = match &arg.kind {
                        ExprKind::Str { value, .. } if value.contains('.') => {
                            format!("write `{verb} {}` without quotes", value.replace('/', "."))
                        }
                        _ => format!("write `{example}`"),
                    };
                    self.diags.push(typing::mismatch_expected(
                        arg,
                        "`MOUNT.ROLE`",
                        verb,
                        Some(help),
                    ));
                    return None;
                }
            },
            _ => {
                self.diags.push(
                    Diagnostic::error(
                        codes::TYPE_MISMATCH,
                        st.span,
                        format!("`{verb}` takes one `MOUNT.ROLE`"),
                    )
                    .with_label("expected one argument")
                    .with_help(format!("write one statement per role: `{example}`")),
                );
                return None;
            }
        };
        let (role_seg, first) = (segs.last()?, segs.first()?);
        let mount_segs = segs.get(..segs.len() - 1).unwrap_or(&[]);
        let mount_path = match mount_segs {
            // Borrowed: a mount path is one segment but for nested mounts (`a/b`).
            [one] => Cow::Borrowed(one.name.as_str()),
            _ => Cow::Owned(
                mount_segs
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
        };
        let mount_span = mount_segs
            .last()
            .map_or(first.span, |last| first.span.to(last.span));
        Some((mount_path, mount_span, role_seg))
    }
}

/// What a workload writes for what it wanted from `mount`, an engine `creds` and `sign`
/// do not serve: the paths of that engine's own API, granted with a verb.
fn other_engine_help(mount: &MountSym<'_>, role: &str) -> String {
    let path = mount.path;
    match mount.ty.name {
        "pki" => format!(
            "a certificate from the PKI engine is issued by `update \"{path}/issue/{role}\"` (or signed by `update \"{path}/sign/{role}\"`)"
        ),
        "kv" if mount.is_kv2() => {
            format!("KV secrets are read with `read \"{path}/data/{role}\"` and listed with `list \"{path}/metadata/...\"`")
        }
        "kv" => format!("KV secrets are read with `read \"{path}/{role}\"`"),
        "transit" => format!(
            "the transit engine is used through `update \"{path}/encrypt/{role}\"` and `update \"{path}/decrypt/{role}\"` (`{role}` the key's name)"
        ),
        _ => format!("grant the paths of its API instead, e.g. `read \"{path}/...\"`"),
    }
}
