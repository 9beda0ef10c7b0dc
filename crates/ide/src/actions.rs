//! Quick fixes for diagnostics: apply a "did you mean", add missing required fields,
//! turn a literal secret into `env("...")`, rotate a connection's root password, remove a
//! repeated capability, grant on a narrower workload statement what it takes away.
//!
//! A fix leaves a program the checker accepts: every value it writes is one the check
//! takes (`user_claim = "sub"`, not `""`, which is as missing as no field), and a field
//! no value fits without knowing more (a token's role when the program declares none) is
//! left out rather than filled with a placeholder the check refuses. What it adds is
//! written as the block is: inside the braces of a one-line block (`{ a = 1, b = 2 }`),
//! else one attribute a line, `=` aligned with the attributes before it as `keyplan fmt`
//! aligns them (`tests/quick_fixes.rs` applies each fix, checks again and formats).

use kp_check::catalog::MountClass;
use kp_check::codes;
use kp_check::index::SymbolKey;
use kp_diag::{Diagnostic, Span};
use kp_schema::FieldType;
use kp_syntax::ast::{Attribute, Block, Entry, ExprKind};

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
            if d.code == codes::INVALID_VALUE {
                out.extend(self.pem_file_fix(i, d));
            }
            if d.code == codes::ROOT_NOT_ROTATED {
                out.extend(self.rotate_root_fix(i, d));
            }
            if d.code == codes::REPEATED_CAPABILITY {
                out.extend(self.repeat_fix(i, d));
            }
            if d.code == kp_access::lints::NARROWING_RULE {
                out.extend(self.narrowing_fix(i, d));
            }
        }
        // A title quotes the text it replaces, which can be a literal secret: hidden as
        // the diagnostics hide it.
        for action in &mut out {
            action.title = kp_diag::redact::text(&action.title, &self.secrets);
        }
        out
    }

    /// `did you mean `x`?` in the help: replace the diagnostic's span with `x`, written
    /// in the form of the value it replaces: a quoted string stays a quoted string
    /// (`token_type = "servce"` → `"service"`), so the fix changes the spelling only.
    fn did_you_mean_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let help = d.help.as_deref()?;
        let rest = help.split("did you mean `").nth(1)?;
        let suggestion = rest.split('`').next()?;
        let current = self.source.get(d.span.start..d.span.end)?;
        if suggestion.is_empty() || current.contains('\n') {
            return None;
        }
        let new_text = self.written_as(d.span, current, suggestion);
        if current == new_text {
            return None;
        }
        Some(CodeAction {
            title: format!("replace `{current}` with `{new_text}`"),
            edits: vec![TextEdit {
                span: d.span,
                new_text,
            }],
            diagnostic: i,
            preferred: true,
        })
    }

    /// `suggestion`, a name as the checker spells it (a mount by its path, `db/prod`),
    /// written in the form of `current`, the text at `span` it replaces: quoted if that
    /// is; in a dotted reference (`creds db.prd.readonly`, `creds dbprod.readonly`) with
    /// a `.` for each `/`; elsewhere (a `login` label) a path is quoted, a bare name
    /// holding no `/`.
    fn written_as(&self, span: Span, current: &str, suggestion: &str) -> String {
        if is_quoted(current) {
            return quote(suggestion);
        }
        if !suggestion.contains('/') {
            return suggestion.to_string();
        }
        let before = self.source.get(..span.start).unwrap_or_default();
        let after = self.source.get(span.end..).unwrap_or_default();
        if current.contains('.') || before.ends_with('.') || after.starts_with('.') {
            suggestion.replace('/', ".")
        } else {
            quote(suggestion)
        }
    }

    /// Adds every required field the block lacks, before its closing brace: the schema's
    /// required fields, keyplan's own ([`own_required`]) and what the checker's other
    /// `kp::missing-field` diagnostics on the block's head ask for in their help (`add
    /// `rotation_period = 24h``), each with a value the check accepts ([`Self::value_for`]).
    fn missing_field_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let (parents, block) = locate::block_at_head(&self.file, d.span.start)?;
        block.body.as_ref()?;
        let sc = scope::child(&self.file, scope::scope_of(&self.file, &parents), block);
        let present = attr_names(block);
        let mut missing: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, value: String| {
            if !present.contains(&name) && !missing.iter().any(|(n, _)| n == name) {
                missing.push((name.to_string(), value));
            }
        };
        for f in scope::fields(sc) {
            if f.field.required {
                if let Some(value) = self.value_for(sc, &parents, block, &f.field.name, f.field.ty)
                {
                    add(&f.field.name, value);
                }
            }
        }
        if let Some((name, value)) = own_required(sc, block, &present) {
            let value = match value {
                // Each user its own variable, as the literal-secret fix names them.
                Placeholder::Password => {
                    Some(format!("env(\"{}\")", self.password_var(block.span)))
                }
                Placeholder::TokenRole => self.token_role(),
                Placeholder::Namespaces => Some("[\"default\"]".to_string()),
            };
            if let Some(value) = value {
                add(&name, value);
            }
        }
        let head = block.head_span();
        for other in &self.diagnostics {
            if other.code == codes::MISSING_FIELD && locate::covers(head, other.span.start) {
                let Some((name, value)) = other.help.as_deref().and_then(help_addition) else {
                    continue;
                };
                let value = match name {
                    // An `oidc` role: the callback `vault login -method=oidc` (and
                    // `bao login`) listens on.
                    "allowed_redirect_uris" => Some("[\"http://localhost:8250/oidc/callback\"]"),
                    // A placeholder (`"..."`) the author fills in is no value.
                    _ => (!value.contains("...")).then_some(value),
                };
                if let Some(value) = value {
                    add(name, value.to_string());
                }
            }
        }
        // A `ca` role signs nothing until it allows user or host certificates.
        let ca = missing
            .iter()
            .any(|(n, v)| n == "key_type" && v == "\"ca\"");
        if ca
            && !present.contains(&"allow_user_certificates")
            && !present.contains(&"allow_host_certificates")
        {
            missing.push(("allow_user_certificates".to_string(), "true".to_string()));
        }
        if missing.is_empty() {
            return None;
        }
        let names: Vec<String> = missing.iter().map(|(n, _)| format!("`{n}`")).collect();
        Some(CodeAction {
            title: format!("add {}", names.join(", ")),
            edits: self.add_fields(block, &missing)?,
            diagnostic: i,
            preferred: false,
        })
    }

    /// The value the missing-field fix gives the required field `name` of `block` (in
    /// scope `sc`, inside `parents`): one the check accepts, or `None` when none fits
    /// without the author (the field is then left out, not filled with `""`).
    fn value_for(
        &self,
        sc: scope::Scope,
        parents: &[&Block],
        block: &Block,
        name: &str,
        ty: FieldType,
    ) -> Option<String> {
        let value = match name {
            // The JWT standard subject claim: who the token was issued to.
            "user_claim" => quote("sub"),
            // The service account of the role's (or the workload's) name.
            "bound_service_account_names" => {
                let owner = match sc {
                    scope::Scope::Login(_) => parents.first().and_then(|w| w.label_text(0)),
                    _ => block.label_text(0),
                };
                format!("[{}]", quote(owner?))
            }
            // A certificate role's CA (public, but a PEM block): from the environment,
            // named after the role (the workload's, for a login), as the docs write it.
            "certificate" => {
                let owner = match sc {
                    scope::Scope::Login(_) => parents.first().and_then(|w| w.label_text(0)),
                    _ => block.label_text(0),
                };
                let var: String = owner?
                    .chars()
                    .map(|c| {
                        if c == '-' {
                            '_'
                        } else {
                            c.to_ascii_uppercase()
                        }
                    })
                    .collect();
                // A quoted label may hold what no variable name can.
                if !var.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
                    return None;
                }
                format!("env(\"{var}_CA_PEM\")")
            }
            // Where a pod reaches the API server of its own cluster.
            "kubernetes_host" => quote("https://kubernetes.default.svc"),
            // A connection by host (Redis, Cassandra, ...): which plugin is the author's.
            "plugin_name" if ["host", "hosts", "url"].iter().any(|f| attr(block, f)) => {
                return None
            }
            "plugin_name" => quote(plugin_for(attr_str(block, "connection_url"))?),
            "db_name" => self.connection_for(parents, block)?,
            // The existing user a static role adopts: named as the role, until told.
            "username" => quote(block.label_text(0)?),
            "key_type" => quote(self.ssh_key_type(parents, block)),
            "credential_type" => quote("iam_user"),
            _ => match ty {
                FieldType::Duration => "1h".to_string(),
                _ => return None,
            },
        };
        Some(value)
    }

    /// The connection a database role's `db_name` names: the one whose `allowed_roles`
    /// lists the role, else the mount's first; `None` when the mount has none.
    fn connection_for(&self, parents: &[&Block], block: &Block) -> Option<String> {
        let mount = parents.first().and_then(|m| scope::mount_path(m))?;
        let own = self
            .index
            .definitions
            .iter()
            .find(|d| d.span == block.span)
            .map(|d| &d.key);
        let connections: Vec<_> = self
            .index
            .definitions
            .iter()
            .filter(|d| matches!(&d.key, SymbolKey::Connection(m, _) if *m == mount))
            .collect();
        let admitting = own.and_then(|key| {
            connections.iter().find(|c| {
                self.index
                    .references_to(key)
                    .any(|r| locate::covers(c.span, r.start))
            })
        });
        let conn = admitting.or(connections.first())?;
        Some(conn.key.name().to_string())
    }

    /// `otp` for an SSH role the program only reads one-time passwords from (`creds
    /// ssh.ROLE`), else `ca` (`sign ssh.ROLE`; signed certificates are the engine's
    /// recommended mode).
    fn ssh_key_type(&self, parents: &[&Block], block: &Block) -> &'static str {
        let (Some(mount), Some(name)) = (
            parents.first().and_then(|m| scope::mount_path(m)),
            block.label_text(0),
        ) else {
            return "ca";
        };
        let key = SymbolKey::Role(MountClass::Secrets, mount, name.to_string());
        let verbs: Vec<&str> = self
            .index
            .references_to(&key)
            .map(|r| locate::line_before(&self.source, r.start).trim_start())
            .collect();
        let uses = |verb: &str| verbs.iter().any(|v| v.starts_with(verb));
        if uses("creds") && !uses("sign") {
            "otp"
        } else {
            "ca"
        }
    }

    /// The program's first token role, for a token's `role`.
    fn token_role(&self) -> Option<String> {
        self.index.definitions.iter().find_map(|d| match &d.key {
            SymbolKey::TokenRole(name) => Some(name.clone()),
            _ => None,
        })
    }

    /// `rotate_root = true` in the connection whose password `kp::root-not-rotated` is
    /// about (docs/diagnostics.md names it as the fix). Not offered without `username`:
    /// the server rotates that user's password, and the check refuses the rotation
    /// without one (`kp::rotate-root-needs-credentials`). Not preferred: applying it
    /// changes what `apply` does to the database, which an editor should not do on save.
    fn rotate_root_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let chain = locate::enclosing_blocks(&self.file, d.span.start);
        let conn = chain.last()?;
        let present = attr_names(conn);
        if present.contains(&"rotate_root") || !present.contains(&"username") {
            return None;
        }
        Some(CodeAction {
            title: "add `rotate_root = true`".to_string(),
            edits: self.add_fields(conn, &[("rotate_root".to_string(), "true".to_string())])?,
            diagnostic: i,
            preferred: false,
        })
    }

    /// Removes a repeated capability with the comma before it (`[read, list, read]` →
    /// `[read, list]`), the repeat being never the first item. Nothing is offered when a
    /// comment stands between the two: removing it too would lose what it says.
    fn repeat_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let word = self.source.get(d.span.start..d.span.end)?;
        let before = self.source.get(..d.span.start)?;
        let comma = before.trim_end().strip_suffix(',')?.len();
        Some(CodeAction {
            title: format!("remove the repeated `{word}`"),
            edits: vec![TextEdit {
                span: Span::new(comma, d.span.end),
                new_text: String::new(),
            }],
            diagnostic: i,
            preferred: true,
        })
    }

    /// Grants the capabilities a narrower workload statement takes away on its pattern
    /// too: the statements the help names (`write `read "a/out/*"` too`), each on a line
    /// of its own after the statement's, its argument in the statement's column as
    /// `keyplan fmt` aligns a run of statements.
    fn narrowing_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        let help = d.help.as_deref()?;
        let named = help.split("; write ").nth(1)?.split(" too,").next()?;
        let statements: Vec<&str> = named.split(" and ").map(|s| s.trim_matches('`')).collect();
        let line = locate::line_before(&self.source, d.span.start);
        let indent = self.indent_of(d.span.start);
        let line_end = self
            .source
            .get(d.span.end..)?
            .find('\n')
            .map_or(self.source.len(), |n| d.span.end + n);
        let (line_end, newline) = match self.source.get(..line_end)?.strip_suffix('\r') {
            Some(before) => (before.len(), "\r\n"),
            None => (line_end, "\n"),
        };
        // Only where the statement ends its line (a one-line body has no line to add).
        let mut rest = self.source.get(d.span.end..line_end)?.trim_start();
        while let Some(quoted) = rest.strip_prefix('"') {
            rest = quoted.split_once('"')?.1.trim_start();
        }
        if !(rest.is_empty() || rest.starts_with('#') || rest.starts_with("//")) {
            return None;
        }
        let mut new_text = String::new();
        for statement in &statements {
            let (verb, argument) = statement.split_once(' ')?;
            let pad = line.len().saturating_sub(indent.len() + verb.len()).max(1);
            new_text.push_str(&format!("{newline}{indent}{verb}{:pad$}{argument}", ""));
        }
        Some(CodeAction {
            title: format!("also write {named}"),
            edits: vec![TextEdit {
                span: Span::new(line_end, line_end),
                new_text,
            }],
            diagnostic: i,
            preferred: false,
        })
    }

    /// The edits that add `fields` (`name`, `value`) at the end of `block`'s body, written
    /// as the body is: after the last entry of a one-line body (`, b = 2`, or `{ b = 2 }`
    /// in braces with nothing between them), else one attribute a line at the body's
    /// indentation, in the file's line ending, with `=` aligned as `keyplan fmt` aligns a
    /// run of attributes (the new ones join the run the body ends with, which is padded
    /// again when a new name is the widest). A written run that is not aligned stays so.
    fn add_fields(&self, block: &Block, fields: &[(String, String)]) -> Option<Vec<TextEdit>> {
        let src = self.source.as_str();
        let body = block.body.as_ref()?;
        let open = body.span.start;
        let close = body.span.end.checked_sub(1)?;
        let inside = src.get(open + 1..close)?;
        let line_start = |at: usize| {
            src.get(..at)
                .map_or(0, |s| s.rfind('\n').map_or(0, |i| i + 1))
        };
        let line_end = |at: usize| {
            src.get(at..)
                .and_then(|s| s.find('\n'))
                .map_or(src.len(), |i| at + i)
        };
        let starts_line = |at: usize| {
            src.get(line_start(at)..at)
                .is_some_and(|s| s.trim().is_empty())
        };
        let content = inside.trim_end();
        // After the `}`: nothing but a comment, so the body may grow lines.
        let after = src
            .get(close + 1..line_end(close))
            .unwrap_or("")
            .trim_start();
        let alone = starts_line(block.span.start)
            && (after.is_empty() || after.starts_with('#') || after.starts_with("//"));
        // An empty body on a line of its own opens as `keyplan fmt` writes one.
        let opens = content.trim().is_empty() && alone;
        let one_line = !(inside.contains('\n') || opens);
        if one_line {
            let list: Vec<String> = fields.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let list = list.join(", ");
            if content.trim().is_empty() {
                return Some(vec![TextEdit {
                    span: Span::new(open + 1, close),
                    new_text: format!(" {list} "),
                }]);
            }
            let sep = if content.ends_with(',') { " " } else { ", " };
            let at = open + 1 + content.len();
            return Some(vec![TextEdit {
                span: Span::new(at, at),
                new_text: format!("{sep}{list}"),
            }]);
        }
        let nl = if src.get(..line_end(open)).is_some_and(|s| s.ends_with('\r')) {
            "\r\n"
        } else {
            "\n"
        };
        let outer = self.indent_of(block.span.start);
        let entries = block.entries();
        let indent = entries
            .iter()
            .map(entry_span)
            .find(|s| starts_line(s.start))
            .map_or_else(|| format!("{outer}  "), |s| self.indent_of(s.start));
        // Where the lines go: the start of the `}`'s line when only blanks precede it
        // there, else just after the body's last text (its trailing blanks replaced).
        let (at, end, before, after) = if starts_line(close) && inside.contains('\n') {
            let at = line_start(close);
            (at, at, "", String::new())
        } else {
            let at = open + 1 + content.len();
            (at, close, nl, outer.clone())
        };
        // The run of attributes the body ends with, unless a blank line ends it.
        let mut run: Vec<&Attribute> = Vec::new();
        let mut next = at;
        for e in entries.iter().rev() {
            let Entry::Attribute(a) = e else { break };
            if has_blank_line(src, a.span.end, next) {
                break;
            }
            run.push(a);
            next = a.span.start;
        }
        let new_width = fields
            .iter()
            .map(|(n, _)| n.chars().count())
            .max()
            .unwrap_or(0);
        let mut edits = Vec::new();
        let width = match run_width(src, &run) {
            // No run, or one the author did not align: the new attributes as a run of
            // their own, or not padded.
            None if run.is_empty() => new_width,
            None => 0,
            Some(w) if w >= new_width => w,
            Some(_) => {
                // A new name is the widest: the run is padded to it.
                for a in run.iter().rev() {
                    let eq = equals_at(src, a)?;
                    let pad = new_width - a.name.name.chars().count() + 1;
                    edits.push(TextEdit {
                        span: Span::new(a.name.span.end, eq),
                        new_text: " ".repeat(pad),
                    });
                }
                new_width
            }
        };
        let mut text = String::from(before);
        for (name, value) in fields {
            let pad = width.saturating_sub(name.chars().count());
            let line = format!("{indent}{name}{} = {value}", " ".repeat(pad));
            match list_items(value).filter(|_| line.chars().count() > FMT_WIDTH) {
                // Too long for a line: one item a line, as `keyplan fmt` wraps a list.
                Some(items) => {
                    let key = line.get(..line.len() - value.len()).unwrap_or_default();
                    text.push_str(&format!("{key}[{nl}"));
                    for item in items {
                        text.push_str(&format!("{indent}  {item},{nl}"));
                    }
                    text.push_str(&format!("{indent}]{nl}"));
                }
                None => {
                    text.push_str(&line);
                    text.push_str(nl);
                }
            }
        }
        text.push_str(&after);
        edits.push(TextEdit {
            span: Span::new(at, end),
            new_text: text,
        });
        Some(edits)
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

    /// A file's name where a certificate or key belongs (`certificate = "certs/ca.pem"`):
    /// keyplan reads no files, so the fix reads the PEM from the environment variable the
    /// file's name spells (`CA_PEM`), which `apply` then needs set to the file's text.
    fn pem_file_fix(&self, i: usize, d: &Diagnostic) -> Option<CodeAction> {
        if !d.help.as_deref()?.starts_with(kp_check::PEM_FILE_HELP) {
            return None;
        }
        let written = self.source.get(d.span.start..d.span.end)?;
        let file = written.trim_matches('"').rsplit(['/', '\\']).next()?;
        let var = kp_diag::shell_word(file);
        let var = match var.chars().next() {
            None => return None,
            Some(c) if c.is_ascii_digit() => format!("PEM_{var}"),
            Some(_) => var,
        };
        Some(CodeAction {
            title: format!("read the PEM from the environment variable `{var}`"),
            edits: vec![TextEdit {
                span: d.span,
                new_text: format!("env(\"{var}\")"),
            }],
            diagnostic: i,
            preferred: true,
        })
    }

    /// The variable the "add `password`" fix reads for the userpass user `user` (its
    /// block's span): named as the literal-secret help names one (`ALICE_PASSWORD`, the
    /// mount's path first when it is not `userpass`), and distinct across the program:
    /// from every variable it reads, every one a help suggests, and the one each other
    /// user lacking a password gets (in source order), so applying every fix never feeds
    /// two users from one variable.
    fn password_var(&self, user: Span) -> String {
        let mut taken = Vec::new();
        self.file
            .blocks
            .iter()
            .for_each(|b| kp_check::env_vars(b, &mut taken));
        for env in self
            .diagnostics
            .iter()
            .filter_map(|d| d.help.as_deref().and_then(suggested_env))
        {
            kp_sort::insert_sorted(&mut taken, env.to_string());
        }
        let mut given = String::new();
        for (span, natural) in self.users_without_password() {
            given = (1..)
                .map(|n| match n {
                    1 => natural.clone(),
                    n => format!("{natural}_{n}"),
                })
                .find(|name| !kp_sort::contains_sorted(&taken, name.as_str()))
                .unwrap_or_default();
            kp_sort::insert_sorted(&mut taken, given.clone());
            if span == user {
                return given;
            }
        }
        // Not a user the walk knows (cannot happen for a fix it offers): the last name.
        if given.is_empty() {
            "PASSWORD".to_string()
        } else {
            given
        }
    }

    /// Every userpass user without `password` or `password_hash` (`user NAME` of a
    /// userpass mount, a workload's `login` on one), with the variable its name suggests.
    fn users_without_password(&self) -> Vec<(Span, String)> {
        let mut out = Vec::new();
        for top in &self.file.blocks {
            let outer = scope::child(&self.file, scope::Scope::TopLevel, top);
            for b in top.entries().iter().filter_map(|e| match e {
                Entry::Block(b) => Some(&**b),
                _ => None,
            }) {
                let spec = match scope::child(&self.file, outer, b) {
                    scope::Scope::Login(spec) | scope::Scope::Nested(spec) => spec,
                    _ => continue,
                };
                let present = attr_names(b);
                if spec.endpoint != "userpass-user"
                    || present.contains(&"password")
                    || present.contains(&"password_hash")
                {
                    continue;
                }
                let (mount, owner) = match outer {
                    scope::Scope::Workload => (
                        b.label_text(0).map(|p| p.trim_matches('/').to_string()),
                        top.label_text(0),
                    ),
                    _ => (scope::mount_path(top), b.label_text(0)),
                };
                // As the checker's helps name it; the mount is a userpass method.
                let mount = mount.as_deref().map(|m| (m, m == "userpass"));
                out.push((b.span, kp_check::secret_env_name(mount, owner, "password")));
            }
        }
        out
    }

    /// The whitespace that starts the line holding `offset`.
    fn indent_of(&self, offset: usize) -> String {
        let line = locate::line_before(&self.source, offset);
        line.chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }
}

/// Whether a value is written as a one-line quoted string.
fn is_quoted(text: &str) -> bool {
    text.len() >= 2 && text.starts_with('"') && text.ends_with('"')
}

/// `text` as a string literal.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
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
) -> Option<(String, Placeholder)> {
    let endpoint = match sc {
        scope::Scope::Login(spec) | scope::Scope::Nested(spec) => spec.endpoint,
        _ => "",
    };
    let lacks = |names: &[&str]| !names.iter().any(|n| present.contains(n));
    let (name, value) = if block.keyword.name == "token" && lacks(&["role"]) {
        ("role", Placeholder::TokenRole)
    } else if endpoint == "userpass-user" && lacks(&["password", "password_hash"]) {
        ("password", Placeholder::Password)
    } else if endpoint == "kubernetes-role"
        && lacks(&[
            "bound_service_account_namespaces",
            "bound_service_account_namespace_selector",
        ])
    {
        ("bound_service_account_namespaces", Placeholder::Namespaces)
    } else {
        return None;
    };
    Some((name.to_string(), value))
}

/// The value a missing field of [`own_required`] gets.
enum Placeholder {
    /// `env("...")`, its variable named after the user ([`Analysis::password_var`]).
    Password,
    /// The program's first token role ([`Analysis::token_role`]); none without one.
    TokenRole,
    /// `["default"]`: the namespace every cluster has.
    Namespaces,
}

/// The field and value a `kp::missing-field` help asks for (`add `rotation_period = 24h``,
/// the last such quote).
fn help_addition(help: &str) -> Option<(&str, &str)> {
    let rest = help
        .rsplit("add `")
        .next()
        .filter(|_| help.contains("add `"))?;
    let quoted = rest.split('`').next()?;
    let (name, value) = quoted.split_once(" = ")?;
    let is_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    is_name.then_some((name, value))
}

/// The built-in plugin a connection URL is written for (`postgresql://`, MySQL's
/// `@tcp(...)`, `mongodb://`, `sqlserver://`); PostgreSQL without a URL, the engine's
/// commonest; `None` for a URL of another form, whose plugin only the author knows.
fn plugin_for(url: Option<&str>) -> Option<&'static str> {
    let Some(url) = url else {
        return Some("postgresql-database-plugin");
    };
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("postgres" | "postgresql") => Some("postgresql-database-plugin"),
        Some("mongodb" | "mongodb+srv") => Some("mongodb-database-plugin"),
        Some("sqlserver") => Some("mssql-database-plugin"),
        None if url.contains("@tcp(") || url.contains("@unix(") => Some("mysql-database-plugin"),
        _ => None,
    }
}

/// Whether `block` sets the attribute `name`.
fn attr(block: &Block, name: &str) -> bool {
    block
        .entries()
        .iter()
        .any(|e| matches!(e, Entry::Attribute(a) if a.name.name == name))
}

/// The string value of `block`'s attribute `name`.
fn attr_str<'b>(block: &'b Block, name: &str) -> Option<&'b str> {
    block.entries().iter().find_map(|e| match e {
        Entry::Attribute(a) if a.name.name == name => match &a.value.kind {
            ExprKind::Str { value, .. } => Some(value.as_str()),
            _ => None,
        },
        _ => None,
    })
}

/// The line width `keyplan fmt` wraps lists at (its default).
const FMT_WIDTH: usize = 100;

/// The items of a list value as written (`["a", "b"]` → `"a"`, `"b"`).
fn list_items(value: &str) -> Option<Vec<&str>> {
    if !value.starts_with('[') {
        return None;
    }
    const HEAD: &str = "x {\n  v = ";
    let parsed = kp_syntax::parse(&format!("{HEAD}{value}\n}}\n"));
    if !parsed.diagnostics.is_empty() {
        return None;
    }
    let block = parsed.file.blocks.first()?;
    let Some(Entry::Attribute(a)) = block.entries().first() else {
        return None;
    };
    let ExprKind::List(items) = &a.value.kind else {
        return None;
    };
    items
        .iter()
        .map(|i| value.get(i.span.start - HEAD.len()..i.span.end - HEAD.len()))
        .collect()
}

fn entry_span(e: &Entry) -> Span {
    match e {
        Entry::Attribute(a) => a.span,
        Entry::Statement(s) => s.span,
        Entry::Block(b) => b.span,
    }
}

/// Whether a blank line lies between offsets `a` and `b` (as `keyplan fmt` ends a run).
fn has_blank_line(src: &str, a: usize, b: usize) -> bool {
    let between = src.get(a..b).unwrap_or_default();
    let mut lines = between.split('\n').skip(1).peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_some() && line.trim().is_empty() {
            return true;
        }
    }
    false
}

/// The offset of the `=` of `a`, when one space or more and nothing else lie between its
/// name and it.
fn equals_at(src: &str, a: &Attribute) -> Option<usize> {
    let gap = src.get(a.name.span.end..a.value.span.start)?;
    let eq = gap.find('=')?;
    let spaces = gap.get(..eq)?;
    (!spaces.is_empty() && spaces.chars().all(|c| c == ' ')).then_some(a.name.span.end + eq)
}

/// The width the names of `run` are padded to, when it is aligned: every attribute on a
/// line of its own, every `=` in one column (`keyplan fmt` puts it one space after the
/// widest name; an author may have put it further).
fn run_width(src: &str, run: &[&Attribute]) -> Option<usize> {
    let mut widths = Vec::new();
    for a in run {
        let eq = equals_at(src, a)?;
        let line = locate::line_before(src, a.name.span.start);
        if !line.trim().is_empty() {
            return None;
        }
        widths.push((
            line.chars().count(),
            src.get(a.name.span.start..eq)?.chars().count() - 1,
        ));
    }
    let first = *widths.first()?;
    widths.iter().all(|w| *w == first).then_some(first.1)
}
