//! The snapshot to blocks, blocks to files: one file per mount (its roles and the
//! workloads logging in through it), `auth-token.kp` for token roles, `policies.kp`.

use std::collections::BTreeSet;

use kp_check::catalog::{MountClass, NestedSpec, BUILTIN_POLICIES, TOKEN_PREFIX, TOKEN_ROLE};
use serde_json::Value as Json;

use crate::fields::{self, Ctx, Names, Sink};
use crate::policy::{self, Inexpressible, Parsed};
use crate::read::{self, Mount, POLICY_LIST};
use crate::text::{self, label, quote, Block, Entry};
use crate::values;
use crate::workloads::{self, Login};
use crate::{EnvVar, Fetched, File, Imported, Options, Snapshot, Warning};

/// One policy read from the server, and whether keyplan can write it.
pub struct PolicyIn {
    pub name: String,
    pub text: String,
    pub parsed: Result<Parsed, Inexpressible>,
}

struct State {
    warnings: Vec<Warning>,
    env: Vec<EnvVar>,
    unread: [(usize, Vec<String>); 2],
    resources: usize,
}

impl State {
    fn sink(&mut self) -> Sink<'_> {
        Sink {
            warnings: &mut self.warnings,
            env: &mut self.env,
            unread: &mut self.unread,
        }
    }
}

pub fn build(snap: &Snapshot, opts: &Options) -> Imported {
    let mut st = State {
        warnings: Vec::new(),
        env: Vec::new(),
        unread: Default::default(),
        resources: 0,
    };
    let unreadable = unreadable(snap);
    let (mounts, unknown) = read::mounts(snap, opts);
    for (class, path, ty) in unknown {
        st.warnings.push(Warning {
            subject: class.mount_id(&path),
            message: format!(
                "{} type `{ty}` is not one keyplan knows: skipped",
                class.noun()
            ),
        });
    }
    let policies = policies(snap, opts, &mut st);
    let mut names = Names {
        policies: policies.iter().map(|p| p.name.clone()).collect(),
        ..Names::default()
    };
    for m in &mounts {
        if m.ty.name == "database" {
            database_names(m, snap, &mut names);
        }
    }
    let found = workloads::recognise(snap, &mounts, &policies, opts);

    let mut files: Vec<(String, Vec<Block>)> = Vec::new();
    for m in mounts.iter().filter(|m| m.class == MountClass::Auth) {
        let mut blocks = vec![mount_block(m, snap, opts, &names, &found, &mut st)];
        for login in found.iter().filter(|l| l.mount == m.path) {
            blocks.push(workload_block(
                login, m, &mounts, snap, opts, &names, &policies, &mut st,
            ));
        }
        files.push((file_name(m.class, &m.path), blocks));
    }
    if read::wants_token_roles(opts) {
        if let Some(b) = token_block(snap, opts, &names, &mut st) {
            files.push(("auth-token.kp".into(), vec![b]));
        }
    }
    for m in mounts.iter().filter(|m| m.class == MountClass::Secrets) {
        let blocks = vec![mount_block(m, snap, opts, &names, &found, &mut st)];
        files.push((file_name(m.class, &m.path), blocks));
    }
    let used: BTreeSet<&str> = found.iter().map(|l| l.policy.as_str()).collect();
    let policy_blocks: Vec<Block> = policies
        .iter()
        .filter(|p| !used.contains(p.name.as_str()))
        .map(|p| policy_block(p, &mut st))
        .collect();
    if !policy_blocks.is_empty() {
        files.push(("policies.kp".into(), policy_blocks));
    }
    // Each where its first resource's other warnings end, as a warning of that resource
    // alone would be: the later first, so that the earlier position still holds.
    let mut unread: Vec<(usize, Warning)> = st
        .unread
        .iter()
        .enumerate()
        .filter(|(_, (_, subjects))| !subjects.is_empty())
        .map(|(i, (at, subjects))| (*at, fields::unread(i, subjects)))
        .collect();
    unread.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    for (at, w) in unread {
        st.warnings.insert(at, w);
    }

    let header = header(opts);
    let all: Vec<Block> = files.iter().flat_map(|(_, b)| b.iter().cloned()).collect();
    let program = match all.is_empty() {
        true => String::new(),
        false => format(
            &(header.clone() + &text::print(&all)),
            "the program",
            &mut st,
        ),
    };
    unchecked(&program, opts, &mut st);
    let files = files
        .into_iter()
        .map(|(name, blocks)| {
            let text = format(&(header.clone() + &text::print(&blocks)), &name, &mut st);
            File { name, text }
        })
        .collect();
    st.env.sort_by(|a, b| a.name.cmp(&b.name));
    st.env.dedup_by(|a, b| a.name == b.name);
    Imported {
        program,
        files,
        warnings: st.warnings,
        unreadable,
        env: st.env,
        resources: st.resources,
    }
}

/// The comment heading every file: which server it was read from and the target to
/// check it with (the language has no target declaration; the flag carries it).
fn header(opts: &Options) -> String {
    match &opts.server {
        Some(server) => format!(
            "# Imported from {} by `keyplan import`: check, plan and apply with \
             `--target {}`.\n\n",
            server.describe(),
            server.target.keyword()
        ),
        None => String::new(),
    }
}

/// Each error the checker finds in the imported program, as a warning. Import writes what
/// it cannot make check (a role its connection does not allow, a negative duration) in a
/// form that does, and says so; this says what is left (a connection URL the server took
/// unverified that no driver reads, say), so a program that fails `keyplan check` is never
/// written silently.
fn unchecked(program: &str, opts: &Options, st: &mut State) {
    let parsed = kp_syntax::parse(program);
    let checked = kp_check::check(
        &parsed.file,
        &kp_check::Options {
            target: opts.target,
        },
    );
    for d in parsed
        .diagnostics
        .iter()
        .chain(&checked.diagnostics)
        .filter(|d| d.is_error())
    {
        let line = program
            .get(..d.span.start)
            .map_or(0, |before| before.matches('\n').count() + 1);
        st.warnings.push(Warning {
            subject: "the program".into(),
            message: format!(
                "`keyplan check` will refuse it: {}: {} (line {line} of the whole program), \
                 as read from the server; correct it before `keyplan apply`",
                d.code, d.message
            ),
        });
    }
}

/// Lays the text out with kp-fmt; a refusal (a bug) keeps the text and says so.
fn format(source: &str, what: &str, st: &mut State) -> String {
    match kp_fmt::format(source) {
        Ok(s) => s,
        Err(diags) => {
            let why = diags.first().map(|d| d.message.clone()).unwrap_or_default();
            st.warnings.push(Warning {
                subject: what.to_string(),
                message: format!("not formatted: {why}"),
            });
            source.to_string()
        }
    }
}

/// `auth-jwt.kp`, `secrets-team-a-kv.kp`.
fn file_name(class: MountClass, path: &str) -> String {
    let slug: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{}-{slug}.kp", class.keyword())
}

fn unreadable(snap: &Snapshot) -> Vec<Warning> {
    let reads = snap.reads.iter().map(|(p, f)| ("GET", p, f));
    let lists = snap.lists.iter().map(|(p, f)| ("LIST", p, f));
    reads
        .chain(lists)
        .filter_map(|(method, path, f)| match f {
            Fetched::Unreadable { status, message } => Some(Warning {
                subject: path.clone(),
                message: format!("{method} refused ({status}): {message}"),
            }),
            _ => None,
        })
        .collect()
}

fn policies(snap: &Snapshot, opts: &Options, st: &mut State) -> Vec<PolicyIn> {
    if !opts.wants_policies() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let listed: BTreeSet<String> = snap.keys(POLICY_LIST).into_iter().collect();
    for name in &opts.policies {
        if !listed.contains(&name.to_lowercase()) && snap.lists.contains_key(POLICY_LIST) {
            st.warnings.push(Warning {
                subject: format!("{POLICY_LIST}/{name}"),
                message: "no such policy on the server".into(),
            });
        }
    }
    for name in listed {
        if !opts.wants_policy(&name) || name == "root" {
            continue;
        }
        let Some(text) = snap
            .data(&format!("{POLICY_LIST}/{name}"))
            .and_then(|d| d["policy"].as_str())
        else {
            continue;
        };
        // The built-in `default` is the product's stock text unless an operator edited
        // it; edited, it is what every token carries, so the program holds it too.
        if BUILTIN_POLICIES.contains(&name.as_str()) && policy::is_stock_default(text, opts.target)
        {
            continue;
        }
        let parsed = policy::parse(text)
            .map_err(Inexpressible::Unparsable)
            .and_then(|p| policy::expressible(&p).map(|()| p));
        out.push(PolicyIn {
            name,
            text: text.to_string(),
            parsed,
        });
    }
    out
}

fn policy_block(p: &PolicyIn, st: &mut State) -> Block {
    match &p.parsed {
        Ok(parsed) => {
            // An `extern policy` is not one: the program leaves it alone (QA: the count
            // said 43 resources where the plan of the import counts 40).
            st.resources += 1;
            let comments = crate::policy_comments::comments(&p.text);
            let mut b = Block::new(format!("policy {}", label(&p.name)));
            b.comments = comments.header.clone();
            for r in &parsed.rules {
                let mut rule = Block::new(format!("path {}", quote(&r.path)));
                rule.comments = comments.of(&r.path).to_vec();
                rule.attr("capabilities", values::list(r.capabilities.iter().cloned()));
                b.entries.push(Entry::Block(rule));
            }
            b
        }
        Err(why) => {
            let why = why.describe();
            st.warnings.push(Warning {
                subject: format!("policy {}", p.name),
                message: format!(
                    "{why}: imported as `extern policy` (left as it is on the server), its \
                     text kept in a comment"
                ),
            });
            let mut b = Block::new(format!("extern policy {}", label(&p.name)));
            b.body = false;
            b.comments
                .push(format!("kept as it is on the server: {why}"));
            b.comments.push(String::new());
            b.comments
                .extend(p.text.trim_end().lines().map(|l| l.trim_end().to_string()));
            b
        }
    }
}

/// Mount attributes from the mount table entry: only what differs from a fresh mount.
fn mount_attrs(m: &Mount, b: &mut Block, st: &mut State) {
    let e = m.entry;
    if let Some(d) = e["description"].as_str().filter(|d| !d.is_empty()) {
        b.attr("description", crate::text::string(d, true));
    }
    for flag in ["local", "seal_wrap"] {
        if e[flag] == Json::Bool(true) {
            b.attr(flag, "true".into());
        }
    }
    for ttl in ["default_lease_ttl", "max_lease_ttl"] {
        match values::seconds(&e["config"][ttl]) {
            // The server tunes a mount to a negative TTL; the language has none.
            Some(s) if s < 0 => st.warnings.push(fields::negative_left_out(
                &m.class.mount_id(&m.path),
                ttl,
                &e["config"][ttl],
            )),
            Some(s) if s != 0 => b.attr(ttl, values::duration(s)),
            _ => {}
        }
    }
    if m.ty.versioned {
        if let Some(v) = e["options"]["version"].as_str() {
            b.attr("version", v.to_string());
        }
    }
    let unwritable = unwritable_settings(e, m.ty.versioned);
    if !unwritable.is_empty() {
        st.warnings.push(Warning {
            subject: m.class.mount_id(&m.path),
            message: format!(
                "keyplan cannot write these mount settings yet: {}: left out of the program \
                 (`plan` does not compare them, so the server keeps them; a mount the program \
                 creates on another server will not have them)",
                unwritable.join(", ")
            ),
        });
    }
}

/// The settings of a mount table entry that differ from a fresh mount's and that the
/// language has no attribute for, as `name = value`: tuning such as a method's
/// `token_type = "batch"` (every login then gets a batch token), `listing_visibility`,
/// headers passed through, audit keys left unhashed; `external_entropy_access`, a pinned
/// `plugin_version`, options other than a KV mount's `version`. A fresh mount (OpenBao
/// 2.7.2) reads back `config` with `default_lease_ttl`, `max_lease_ttl`,
/// `force_no_cache = false` and, for an auth method, `token_type = "default-service"`.
fn unwritable_settings(e: &Json, versioned: bool) -> Vec<String> {
    let unset = |name: &str, v: &Json| match v {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::String(s) => {
            s.is_empty()
                || (name == "token_type" && s == "default-service")
                || (name == "listing_visibility" && s == "hidden")
        }
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        Json::Number(n) => n.as_f64() == Some(0.0),
    };
    let mut out = Vec::new();
    if let Some(config) = e["config"].as_object() {
        for (name, v) in config {
            if matches!(name.as_str(), "default_lease_ttl" | "max_lease_ttl") || unset(name, v) {
                continue;
            }
            out.push(format!("`{name}` = {v}"));
        }
    }
    for name in ["external_entropy_access", "plugin_version"] {
        let v = &e[name];
        if !unset(name, v) {
            out.push(format!("`{name}` = {v}"));
        }
    }
    if let Some(options) = e["options"].as_object() {
        for (name, v) in options {
            if (versioned && name == "version") || unset(name, v) {
                continue;
            }
            out.push(format!("option `{name}` = {v}"));
        }
    }
    out
}

fn mount_block(
    m: &Mount,
    snap: &Snapshot,
    opts: &Options,
    names: &Names,
    workloads: &[Login],
    st: &mut State,
) -> Block {
    st.resources += 1;
    let mut head = format!("{} {}", m.class.keyword(), m.ty.name);
    if m.path != m.ty.name {
        head.push(' ');
        head.push_str(&label(&m.path));
    }
    let mut b = Block::new(head);
    mount_attrs(m, &mut b, st);
    let prefix = m.prefix();
    if let Some(ep) = m.ty.config {
        let path = format!("{prefix}config");
        if let Some(data) = snap.data(&path) {
            let cx = Ctx {
                target: opts.target,
                subject: &path,
                prefix: &prefix,
                mount_type: m.ty.name,
                env_parts: &[&m.path],
                names,
                skip: &[],
            };
            let attrs = fields::attrs(ep, data, &cx, &mut st.sink());
            if !attrs.is_empty() {
                st.resources += 1;
            }
            for (n, v) in attrs {
                b.attr(&n, v);
            }
        }
    }
    for spec in m.ty.nested {
        if spec.requires_kv2 && !m.kv2() {
            continue;
        }
        match read::collection(spec.path).filter(|_| spec.named) {
            Some(c) => {
                let list = format!("{prefix}{c}");
                for key in snap.keys(&list) {
                    let path = format!("{list}/{key}");
                    if workloads.iter().any(|l| l.role_path == path) {
                        continue;
                    }
                    if let Some(data) = snap.data(&path) {
                        let nb = nested_block(spec, Some(&key), &path, data, m, opts, names, st);
                        match names.not_allowed.get(&path) {
                            Some(why) => b.entries.push(not_allowed(nb, &path, why, st)),
                            None => b.entries.push(Entry::Block(nb)),
                        }
                    }
                }
            }
            None => {
                let path = spec.api_path(&prefix, None);
                if let Some(data) = snap.data(&path) {
                    let nb = nested_block(spec, None, &path, data, m, opts, names, st);
                    if !nb.entries.is_empty() {
                        b.entries.push(Entry::Block(nb));
                    }
                }
            }
        }
    }
    b
}

#[allow(clippy::too_many_arguments)]
fn nested_block(
    spec: &NestedSpec,
    name: Option<&str>,
    path: &str,
    data: &Json,
    m: &Mount,
    opts: &Options,
    names: &Names,
    st: &mut State,
) -> Block {
    let head = match name {
        Some(n) => format!("{} {}", spec.keyword, label(n)),
        None => spec.keyword.to_string(),
    };
    let mut b = Block::new(head);
    let prefix = m.prefix();
    let mut parts = vec![m.path.as_str()];
    parts.extend(name);
    let cx = Ctx {
        target: opts.target,
        subject: path,
        prefix: &prefix,
        mount_type: m.ty.name,
        env_parts: &parts,
        names,
        skip: &[],
    };
    for (n, v) in fields::attrs(spec.endpoint, data, &cx, &mut st.sink()) {
        b.attr(&n, v);
    }
    if name.is_some() || !b.entries.is_empty() {
        st.resources += 1;
    }
    b
}

fn token_block(snap: &Snapshot, opts: &Options, names: &Names, st: &mut State) -> Option<Block> {
    let list = format!(
        "{TOKEN_PREFIX}{}",
        read::collection(TOKEN_ROLE.path).unwrap_or("roles")
    );
    let keys = snap.keys(&list);
    let mut b = Block::new("auth token");
    for key in keys {
        let path = format!("{list}/{key}");
        if let Some(data) = snap.data(&path) {
            let cx = Ctx {
                target: opts.target,
                subject: &path,
                prefix: TOKEN_PREFIX,
                mount_type: "token",
                env_parts: &["token", &key],
                names,
                skip: &[],
            };
            let mut role = Block::new(format!("role {}", label(&key)));
            for (n, v) in fields::attrs(TOKEN_ROLE.endpoint, data, &cx, &mut st.sink()) {
                role.attr(&n, v);
            }
            st.resources += 1;
            b.entries.push(Entry::Block(role));
        }
    }
    (!b.entries.is_empty()).then_some(b)
}

#[allow(clippy::too_many_arguments)]
fn workload_block(
    login: &Login,
    m: &Mount,
    mounts: &[Mount],
    snap: &Snapshot,
    opts: &Options,
    names: &Names,
    policies: &[PolicyIn],
    st: &mut State,
) -> Block {
    st.resources += 2;
    let mut b = Block::new(format!("workload {}", label(&login.policy)));
    let mut l = Block::new(format!("login {}", label(&m.path)));
    if login.role != login.policy {
        l.attr("role_name", quote(&login.role));
    }
    let data = snap
        .data(&login.role_path)
        .map(|d| workloads::without_policy(d, &login.policy))
        .unwrap_or(Json::Null);
    let prefix = m.prefix();
    let cx = Ctx {
        target: opts.target,
        subject: &login.role_path,
        prefix: &prefix,
        mount_type: m.ty.name,
        env_parts: &[&m.path, &login.role],
        names,
        skip: &[],
    };
    if let Some(spec) = m.ty.login_spec() {
        for (n, v) in fields::attrs(spec.endpoint, &data, &cx, &mut st.sink()) {
            l.attr(&n, v);
        }
    }
    b.entries.push(Entry::Block(l));
    if let Some((text, Ok(parsed))) = policies
        .iter()
        .find(|p| p.name == login.policy)
        .map(|p| (&p.text, &p.parsed))
    {
        let comments = crate::policy_comments::comments(text);
        if !comments.header.is_empty() {
            b.entries.push(Entry::Comment(comments.header.clone()));
        }
        for r in &parsed.rules {
            if !comments.of(&r.path).is_empty() {
                b.entries
                    .push(Entry::Comment(comments.of(&r.path).to_vec()));
            }
            for c in &r.capabilities {
                let stmt = workloads::shorthand(c, &r.path, mounts, snap, names)
                    .unwrap_or_else(|| format!("{c} {}", quote(&r.path)));
                b.entries.push(Entry::Stmt(stmt));
            }
        }
    }
    b
}

/// A database mount's connections and roles, as the program declares them: only those
/// read (a reference to one the token could list but not read would name nothing), and
/// not the roles their connection does not allow ([`Names::not_allowed`]).
fn database_names(m: &Mount, snap: &Snapshot, names: &mut Names) {
    let prefix = m.prefix();
    let read = |list: String| -> Vec<(String, String)> {
        snap.keys(&list)
            .into_iter()
            .map(|k| (format!("{list}/{k}"), k))
            .filter(|(path, _)| snap.data(path).is_some())
            .collect()
    };
    let connections: BTreeSet<String> = read(format!("{prefix}config"))
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    let mut roles = BTreeSet::new();
    for (kind, list) in [("role", "roles"), ("static role", "static-roles")] {
        for (path, key) in read(format!("{prefix}{list}")) {
            match refused_by(&path, &key, kind, snap, &prefix, &connections) {
                Some(why) => {
                    names.not_allowed.insert(path, why);
                }
                None => {
                    roles.insert(key);
                }
            }
        }
    }
    names.connections.insert(prefix.clone(), connections);
    names.db_roles.insert(prefix, roles);
}

/// Why the role at `path` cannot be written as it is: its connection, which the program
/// declares, does not list it in `allowed_roles` (nor a glob matching it). The server
/// keeps such a role but refuses its credentials; the checker refuses it
/// (`kp::role-not-allowed`).
fn refused_by(
    path: &str,
    role: &str,
    kind: &str,
    snap: &Snapshot,
    prefix: &str,
    connections: &BTreeSet<String>,
) -> Option<String> {
    let conn = snap.data(path)?.get("db_name")?.as_str()?;
    if !connections.contains(conn) {
        // Not declared: the role names it as a string, and nothing is checked.
        return None;
    }
    let allowed = snap
        .data(&format!("{prefix}config/{conn}"))
        .and_then(|d| d.get("allowed_roles"))
        .and_then(values::items)
        .unwrap_or_default();
    if allowed.iter().any(|p| kp_check::ir::glob_match(p, role)) {
        return None;
    }
    let listed = match allowed.is_empty() {
        true => "has no `allowed_roles`".to_string(),
        false => format!(
            "allows {}",
            allowed
                .iter()
                .map(|a| quote(a))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(format!(
        "connection `{conn}` does not allow {kind} `{role}` (it {listed}): the server \
         refuses the {kind}'s credentials, and `keyplan check` refuses the {kind} \
         (`kp::role-not-allowed`)"
    ))
}

/// A role its connection does not allow, written commented out under a note, and a
/// warning: the program then checks, and keeps the role's settings for whoever adds it
/// to `allowed_roles` (which would let it issue credentials: not for an import to do).
fn not_allowed(role: Block, path: &str, why: &str, st: &mut State) -> Entry {
    // `nested_block` counted it; a comment is not a resource.
    st.resources = st.resources.saturating_sub(1);
    st.warnings.push(Warning {
        subject: path.to_string(),
        message: format!(
            "{why}, so it is imported commented out; to manage it, add it to the \
             connection's `allowed_roles` (which lets it issue credentials) and uncomment \
             it. Until then `keyplan plan` lists it as unmanaged, and `apply --prune` would \
             delete it"
        ),
    });
    let text = text::print(std::slice::from_ref(&role));
    let text = kp_fmt::format(&text).unwrap_or(text);
    // Comment lines fit the width people read code at (kp-fmt leaves comments as they are).
    let mut lines = text::wrap(
        &format!(
            "Not imported: {why}. To manage it, add it to the connection's `allowed_roles` \
             and uncomment it."
        ),
        86,
    );
    lines.push(String::new());
    lines.extend(text.lines().map(str::to_string));
    Entry::Comment(lines)
}
