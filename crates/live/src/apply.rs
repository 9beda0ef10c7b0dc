//! Applying a plan: only what changes, in dependency order, each level's calls
//! concurrently (bounded), stopping after the first level with a failure, with an exact
//! account of what was and was not applied. A level's calls are independent of each
//! other: a refused request lets the others of its level finish (what a failed apply
//! wrote must not depend on which call came back first); a failure of the server itself
//! (unreachable, sealed, refused token) stops starting calls at once. Reapplying converges because every write is a full write of
//! the declared object and unchanged resources are skipped.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use keyplan::ir::{Program, Resource, ResourceKind, Value, LITERAL_SECRET};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::client::{Client, Retry};
use crate::diff::{keeps_rotated_password, Action, Plan, ResourcePlan};
use crate::error::{LiveError, Result};
use crate::removals::{self, Removal};
use crate::state::mount_path;
use crate::{normalize, pool, tokens};

/// Reads one environment variable; `None` when unset or empty.
pub type EnvLookup<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

pub struct ApplyOptions<'a> {
    pub token_out: Option<&'a Path>,
    pub prune: bool,
    pub env: EnvLookup<'a>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    pub id: String,
    /// `create`, `update`, `replace` or `delete`.
    pub action: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failed {
    pub id: String,
    pub error: String,
    /// What to change when the server's error is one keyplan knows the cause of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'static str>,
}

impl Failed {
    pub fn new(id: &str, error: String) -> Failed {
        Failed {
            id: id.to_string(),
            help: help_for(&error),
            error,
        }
    }
}

/// Server errors whose cause is a setting of the program, and what to change: each was
/// met on OpenBao 2.7.2 (Vault words them alike). The server reaches out when such a
/// config is written, so the error comes from apply, never from the compiler.
const HELPS: [(&str, &str); 5] = [
    (
        "error checking jwks URL",
        "the server fetches `jwks_url` when the config is written: make the URL reachable \
         from the server, or give the keys as `jwt_validation_pubkeys` (OpenBao: \
         `skip_jwks_validation = true` skips the fetch)",
    ),
    (
        "error checking oidc discovery URL",
        "the server fetches `oidc_discovery_url` when the config is written: make the URL \
         reachable from the server (OpenBao: `skip_jwks_validation = true` skips the fetch)",
    ),
    // PostgreSQL's plugin; MySQL's says `error verifying - ping`.
    ("error verifying connection", UNVERIFIED_CONNECTION),
    ("error verifying - ping", UNVERIFIED_CONNECTION),
    (
        "serviceaccount/ca.crt",
        "outside a Kubernetes pod the server has no CA to trust: give the API server's CA \
         as `kubernetes_ca_cert`",
    ),
];

const UNVERIFIED_CONNECTION: &str = "the server connects to the database when the \
    connection is written: check `connection_url`, the credentials and that the database \
    is reachable from the server, or set `verify_connection = false` to write it without \
    connecting";

fn help_for(error: &str) -> Option<&'static str> {
    HELPS
        .iter()
        .find(|(needle, _)| error.contains(needle))
        .map(|(_, help)| *help)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplyReport {
    pub applied: Vec<Done>,
    pub failed: Vec<Failed>,
    /// Changes the plan had that were not made because an earlier call failed.
    pub not_applied: Vec<String>,
    /// Root rotations (their paths) that failed after this run wrote their connection:
    /// no later plan shows them, so they must be run by hand.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unrotated: Vec<String>,
    /// What the server warned of in its answers to the calls that succeeded (a TTL over
    /// the mount's maximum, which the server accepts and caps): it changes nothing the
    /// program asked for only in this answer, so it is shown, never dropped.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warned>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warned {
    pub id: String,
    pub warning: String,
}

/// The `warnings` of a server's answer (strings; anything else is left).
fn warnings_of(answer: &Json) -> Vec<String> {
    answer
        .get("warnings")
        .and_then(Json::as_array)
        .map(|w| {
            w.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl ApplyReport {
    pub fn ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Everything that can be known to fail before the first call: a missing environment
/// variable, a token with nowhere to go, a change that cannot be made in place.
pub fn check_ready(program: &Program, plan: &Plan, opts: &ApplyOptions<'_>) -> Result<()> {
    let mut tokens_needed = Vec::new();
    for rp in plan
        .resources
        .iter()
        .filter(|p| p.action != Action::Unchanged)
    {
        if let Some(reason) = &rp.blocked {
            let (id, reason) = (rp.id.clone(), reason.clone());
            return Err(match rp.action {
                Action::Create => LiveError::CannotCreate { id, reason },
                _ => LiveError::Immutable { id, reason },
            });
        }
        let Some(r) = program.resources.iter().find(|r| r.id == rp.id) else {
            continue;
        };
        let mut body = r.body.clone();
        if keeps_rotated_password(program, r, rp) {
            body.remove("password");
        }
        for name in normalize::env_names(&body) {
            if (opts.env)(&name).is_none() {
                return Err(LiveError::MissingEnv {
                    name,
                    resource: r.id.to_string(),
                });
            }
        }
        if r.kind == ResourceKind::Token {
            tokens_needed.push(r.name.clone());
        }
    }
    if !tokens_needed.is_empty() && opts.token_out.is_none() {
        return Err(LiveError::NoTokenOut {
            names: tokens_needed.join(", "),
        });
    }
    Ok(())
}

/// Applies `plan` (computed just before against the same server). Call [`check_ready`]
/// first; this function reports failures rather than returning early.
pub fn apply(
    client: &Client,
    program: &Program,
    plan: &Plan,
    opts: &ApplyOptions<'_>,
) -> ApplyReport {
    let mut report = ApplyReport::default();
    let by_id: HashMap<&str, &Resource> = program
        .resources
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let levels = levels(program);
    let mut todo: BTreeMap<usize, Vec<(&Resource, &ResourcePlan, bool)>> = BTreeMap::new();
    for rp in plan
        .resources
        .iter()
        .filter(|p| !matches!(p.action, Action::Unchanged | Action::Delete))
    {
        if let Some(r) = by_id.get(rp.id.as_str()) {
            let keep = keeps_rotated_password(program, r, rp);
            todo.entry(levels.get(rp.id.as_str()).copied().unwrap_or(0))
                .or_default()
                .push((r, rp, keep));
        }
    }
    let workers = client.connection().concurrency;
    let mut stopped = false;
    for (_, level) in todo {
        if stopped {
            report
                .not_applied
                .extend(level.iter().map(|(r, _, _)| r.id.to_string()));
            continue;
        }
        let (results, _) = pool::map_until(&level, workers, |(r, rp, keep)| {
            let outcome = write(client, program, r, rp, *keep, opts);
            let fatal = outcome.as_ref().is_err_and(LiveError::concerns_server);
            (outcome, fatal)
        });
        let failed = results.iter().any(|o| !matches!(o, Some(Ok(_))));
        for ((r, rp, _), outcome) in level.iter().zip(results) {
            match outcome {
                Some(Ok(warnings)) => {
                    report.applied.push(Done {
                        id: r.id.to_string(),
                        action: action_name(rp.action),
                    });
                    record_warnings(&mut report, r, warnings, opts);
                }
                Some(Err(e)) => report.failed.push(Failed::new(
                    r.id.as_str(),
                    redacted(&e.to_string(), r, opts),
                )),
                None => report.not_applied.push(r.id.to_string()),
            }
        }
        stopped = failed;
    }
    if stopped {
        catch_up_rotations(client, program, plan, opts, &mut report);
    }
    // Deletions after every other change, deepest level first (plan order), one
    // level at a time.
    let mut by_level: BTreeMap<std::cmp::Reverse<usize>, Vec<&Removal>> = BTreeMap::new();
    for r in &plan.removals {
        by_level
            .entry(std::cmp::Reverse(r.level))
            .or_default()
            .push(r);
    }
    for (_, level) in by_level {
        if stopped {
            report
                .not_applied
                .extend(level.iter().map(|r| r.resource.id.to_string()));
            continue;
        }
        let (results, _) = pool::map_until(&level, workers, |r| {
            let outcome = removals::delete(client, r, opts.token_out);
            let fatal = outcome.as_ref().is_err_and(LiveError::concerns_server);
            (outcome, fatal)
        });
        let failed = results.iter().any(|o| !matches!(o, Some(Ok(_))));
        record_deletes(
            &mut report,
            level.iter().map(|r| r.resource.id.as_str()),
            results,
        );
        stopped = failed;
    }
    if opts.prune {
        // Roles name connections and policies: delete them first, policies last.
        let rank = |id: &str| {
            if id.starts_with("sys/policies/") {
                2
            } else if id.contains("/config/") {
                1
            } else {
                0
            }
        };
        let mut ranks: BTreeMap<u8, Vec<&String>> = BTreeMap::new();
        for id in &plan.unmanaged {
            ranks.entry(rank(id)).or_default().push(id);
        }
        for (_, doomed) in ranks {
            if stopped {
                report.not_applied.extend(doomed.into_iter().cloned());
                continue;
            }
            let (results, _) = pool::map_until(&doomed, workers, |id| {
                let outcome = client.delete(id);
                let fatal = outcome.as_ref().is_err_and(LiveError::concerns_server);
                (outcome, fatal)
            });
            let failed = results.iter().any(|o| !matches!(o, Some(Ok(_))));
            record_deletes(&mut report, doomed.iter().map(|id| id.as_str()), results);
            stopped = failed;
        }
    }
    report
}

/// Runs the rotations that a failure elsewhere left behind although this run wrote their
/// connection: the next plan could not tell they never ran (the server's root password
/// is never read), so the password in the environment would stay live for good. Each
/// depends on its connection alone, which was written; the roles written after a
/// rotation belong to later levels, which the failure stopped. A rotation that fails
/// here is listed in [`ApplyReport::unrotated`].
fn catch_up_rotations(
    client: &Client,
    program: &Program,
    plan: &Plan,
    opts: &ApplyOptions<'_>,
    report: &mut ApplyReport,
) {
    let rotations: Vec<&Resource> = program
        .resources
        .iter()
        .filter(|r| {
            r.acts_on()
                .is_some_and(|on| report.applied.iter().any(|d| d.id == on.as_str()))
        })
        .collect();
    for r in &rotations {
        let Some(at) = report.not_applied.iter().position(|id| id == r.id.as_str()) else {
            continue;
        };
        let Some(rp) = plan.resources.iter().find(|p| p.id == r.id.as_str()) else {
            continue;
        };
        report.not_applied.remove(at);
        match write(client, program, r, rp, false, opts) {
            Ok(warnings) => {
                report.applied.push(Done {
                    id: r.id.to_string(),
                    action: action_name(rp.action),
                });
                record_warnings(report, r, warnings, opts);
            }
            Err(e) => report.failed.push(Failed::new(
                r.id.as_str(),
                redacted(&e.to_string(), r, opts),
            )),
        }
    }
    report.unrotated = rotations
        .iter()
        .filter(|r| report.failed.iter().any(|f| f.id == r.id.as_str()))
        .map(|r| r.id.to_string())
        .collect();
}

/// A server's error about a write of `r`, without the secrets the write sent: servers
/// quote a value they refuse (`time: invalid duration "..."`, `error parsing address
/// "..."`), and an `env()` value or a literal secret must never reach an output. Each
/// is shown as the placeholder plans use (`${NAME}`, or [`LITERAL_SECRET`]); so is each
/// line of a secret of several lines (a PEM key), which a server may quote alone.
/// Secrets shorter than 4 characters are left: replacing them would garble the message
/// (`status 400`) more than it hides.
///
/// [`LITERAL_SECRET`]: keyplan::ir::LITERAL_SECRET
pub fn redacted(error: &str, r: &Resource, opts: &ApplyOptions<'_>) -> String {
    fn walk(v: &Value, opts: &ApplyOptions<'_>, out: &mut Vec<(String, String)>) {
        match v {
            Value::Env(e) => {
                if let Some(value) = (opts.env)(&e.env) {
                    out.push((value, format!("${{{}}}", e.env)));
                }
            }
            Value::Secret(s) => {
                out.push((s.expose().to_string(), LITERAL_SECRET.to_string()));
            }
            Value::List(l) => l.iter().for_each(|v| walk(v, opts, out)),
            Value::Map(m) => m.values().for_each(|v| walk(v, opts, out)),
            _ => {}
        }
    }
    let mut secrets = Vec::new();
    r.body.values().for_each(|v| walk(v, opts, &mut secrets));
    let lines: Vec<(String, String)> = secrets
        .iter()
        .filter(|(value, _)| value.contains('\n'))
        .flat_map(|(value, shown)| {
            value
                .lines()
                .map(str::trim)
                .filter(|l| l.chars().count() >= 8)
                .map(move |l| (l.to_string(), shown.clone()))
        })
        .collect();
    secrets.extend(lines);
    // Longest first: a secret that holds another is replaced whole.
    secrets.sort_by_key(|(value, _)| std::cmp::Reverse(value.len()));
    let mut out = error.to_string();
    for (value, shown) in secrets {
        if value.chars().count() >= 4 {
            out = out.replace(&value, &shown);
        }
    }
    out
}

/// The server's warnings about a write of `r`, without its secrets (as [`redacted`]).
fn record_warnings(
    report: &mut ApplyReport,
    r: &Resource,
    warnings: Vec<String>,
    opts: &ApplyOptions<'_>,
) {
    report.warnings.extend(warnings.iter().map(|w| Warned {
        id: r.id.to_string(),
        warning: redacted(w, r, opts),
    }));
}

fn record_deletes<'a>(
    report: &mut ApplyReport,
    ids: impl Iterator<Item = &'a str>,
    results: Vec<Option<Result<()>>>,
) {
    for (id, outcome) in ids.zip(results) {
        match outcome {
            Some(Ok(())) => report.applied.push(Done {
                id: id.to_string(),
                action: "delete",
            }),
            Some(Err(e)) => report.failed.push(Failed::new(id, e.to_string())),
            None => report.not_applied.push(id.to_string()),
        }
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "replace",
        Action::Run => "run",
        Action::Delete => "delete",
        Action::Unchanged => "unchanged",
    }
}

/// Each resource's level: 0 without dependencies, else one more than its deepest one.
pub fn levels(program: &Program) -> HashMap<&str, usize> {
    let deps: HashMap<&str, &Vec<keyplan::ir::ResourceId>> = program
        .resources
        .iter()
        .map(|r| (r.id.as_str(), &r.depends_on))
        .collect();
    let mut memo: HashMap<&str, usize> = HashMap::new();
    fn level<'a>(
        id: &'a str,
        deps: &HashMap<&'a str, &'a Vec<keyplan::ir::ResourceId>>,
        memo: &mut HashMap<&'a str, usize>,
        depth: usize,
    ) -> usize {
        if let Some(l) = memo.get(id) {
            return *l;
        }
        // The graph crate rejects cycles; the depth bound only keeps a bad input finite.
        if depth > deps.len() {
            return 0;
        }
        let l = deps
            .get(id)
            .map(|ds| {
                ds.iter()
                    .filter_map(|d| deps.get_key_value(d.as_str()).map(|(k, _)| *k))
                    .map(|d| level(d, deps, memo, depth + 1) + 1)
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0);
        memo.insert(id, l);
        l
    }
    for r in &program.resources {
        level(r.id.as_str(), &deps, &mut memo, 0);
    }
    memo
}

fn body_json(r: &Resource, opts: &ApplyOptions<'_>) -> Result<Map<String, Json>> {
    r.body
        .iter()
        .map(|(k, v)| {
            let json = normalize::to_json(v, opts.env).ok_or_else(|| LiveError::MissingEnv {
                name: normalize::env_refs(v).join(", "),
                resource: r.id.to_string(),
            })?;
            Ok((k.to_string(), json))
        })
        .collect()
}

/// `keep_password`: leave the connection's password out (see [`keeps_rotated_password`]).
/// Returns the warnings of the server's answer.
fn write(
    client: &Client,
    program: &Program,
    r: &Resource,
    rp: &ResourcePlan,
    keep_password: bool,
    opts: &ApplyOptions<'_>,
) -> Result<Vec<String>> {
    let mut body = body_json(r, opts)?;
    if keep_password {
        body.remove("password");
    }
    // A field the program leaves out goes back to its default (see `diff::dropped`).
    body.extend(crate::diff::reset_body(program, r, rp));
    if rp.action == Action::Update {
        body.retain(|field, _| !crate::diff::is_create_only(r, field));
    }
    match (r.kind, rp.action) {
        (ResourceKind::AuthMount | ResourceKind::SecretsMount, Action::Update) => {
            let prefix = if r.kind == ResourceKind::AuthMount {
                "sys/auth"
            } else {
                "sys/mounts"
            };
            let tune = tune_body(body);
            let answer = client.write(
                &format!("{prefix}/{}/tune", mount_path(r)),
                &Json::Object(tune),
                Retry::Idempotent,
            )?;
            Ok(warnings_of(&answer))
        }
        (ResourceKind::Token, _) => create_token(client, r, rp, Json::Object(body), opts),
        _ => {
            let answer = client.write(&r.path, &Json::Object(body), Retry::Idempotent)?;
            Ok(warnings_of(&answer))
        }
    }
}

/// `sys/mounts/PATH/tune` takes the config fields at the top level.
fn tune_body(body: Map<String, Json>) -> Map<String, Json> {
    let mut tune = Map::new();
    for (k, v) in body {
        match (k.as_str(), v) {
            ("type" | "local" | "seal_wrap" | "external_entropy_access" | "plugin_name", _) => {}
            ("config", Json::Object(config)) => tune.extend(config),
            (_, v) => {
                tune.insert(k, v);
            }
        }
    }
    tune
}

fn create_token(
    client: &Client,
    r: &Resource,
    rp: &ResourcePlan,
    body: Json,
    opts: &ApplyOptions<'_>,
) -> Result<Vec<String>> {
    let dir = opts.token_out.ok_or_else(|| LiveError::NoTokenOut {
        names: r.name.to_string(),
    })?;
    let old = tokens::recorded_accessor(dir, &r.name);
    // Creating a token is not idempotent: never resend a request that may have arrived.
    let answer = client.write(&r.path, &body, Retry::OnlyIfNotSent)?;
    let auth = answer.get("auth").cloned().unwrap_or(Json::Null);
    let (Some(token), Some(accessor)) = (
        auth.get("client_token").and_then(Json::as_str),
        auth.get("accessor").and_then(Json::as_str),
    ) else {
        return Err(LiveError::BadResponse {
            method: "POST",
            path: r.path.to_string(),
            reason: "no token in the answer".into(),
        });
    };
    if let Err(e) = tokens::record(dir, &r.name, token, accessor) {
        // A token nobody can read is a liability: revoke it.
        let _ = client.write(
            "auth/token/revoke-accessor",
            &serde_json::json!({ "accessor": accessor }),
            Retry::Idempotent,
        );
        return Err(e);
    }
    if rp.action == Action::Replace {
        if let Some(old) = old.filter(|o| o != accessor) {
            client.write(
                "auth/token/revoke-accessor",
                &serde_json::json!({ "accessor": old }),
                Retry::Idempotent,
            )?;
        }
    }
    Ok(warnings_of(&answer))
}

#[cfg(test)]
mod redaction_tests {
    // A program that does not compile fails the test with its diagnostics.
    #![allow(clippy::expect_used)]

    use super::*;

    /// A literal secret, an `env()` value and each line of a secret of several lines are
    /// replaced in a server's error; short secrets and other text are left.
    #[test]
    fn server_errors_lose_the_secrets_of_the_write() {
        let source = "auth userpass {\n  user u {\n    password  = \"Literal-pw-7f3e\"\n    token_ttl = env(\"TTL\")\n  }\n}\n\nsecrets ssh {\n  ca {\n    private_key = env(\"KEY\")\n    public_key  = \"ssh-ed25519 AAAA ca\"\n  }\n}\n";
        let program = keyplan::compile(
            source,
            &keyplan::Options {
                target: kp_schema::Target::Openbao,
            },
        )
        .program
        .expect("the program compiles");
        let env = |name: &str| match name {
            "TTL" => Some("ttl-secret-5e6f".to_string()),
            "KEY" => Some("-----BEGIN KEY-----\nline-of-the-key-0123\n-----END KEY-----\n".into()),
            _ => None,
        };
        let opts = ApplyOptions {
            token_out: None,
            prune: false,
            env: &env,
        };
        let find = |id: &str| {
            program
                .resources
                .iter()
                .find(|r| r.id == id)
                .expect("declared")
        };
        let user = find("auth/userpass/users/u");
        assert_eq!(
            redacted(
                "status 400: \"Literal-pw-7f3e\" and \"ttl-secret-5e6f\" refused",
                user,
                &opts
            ),
            "status 400: \"(literal secret, not shown)\" and \"${TTL}\" refused"
        );
        let ca = find("ssh/config/ca");
        assert_eq!(
            redacted("cannot parse \"line-of-the-key-0123\"", ca, &opts),
            "cannot parse \"${KEY}\""
        );
    }
}

#[cfg(test)]
mod help_tests {
    use super::help_for;

    /// The errors as OpenBao 2.7.2 words them (a Kubernetes config written outside a pod;
    /// a MySQL connection, whose plugin says `error verifying - ping`).
    #[test]
    fn known_server_errors_get_help() {
        let k8s = "failed with status 400: open /var/run/secrets/kubernetes.io/serviceaccount/ca.crt: no such file or directory";
        assert!(help_for(k8s).is_some_and(|h| h.contains("kubernetes_ca_cert")));
        let mysql = "error creating database object: error verifying - ping: dial tcp 127.0.0.1:1: connect: connection refused";
        assert!(help_for(mysql).is_some_and(|h| h.contains("verify_connection")));
        assert_eq!(help_for("path is already in use at ssh/"), None);
    }
}
