//! One resource's fields, read back from the server, as keyplan attributes: only the
//! endpoint schema's writable fields, only what differs from the default, references
//! as bare names where the program declares the name, secrets as `env("...")`.

use std::collections::{BTreeMap, BTreeSet};

use kp_check::catalog::{BUILTIN_POLICIES, POLICY_REF_FIELDS};
use kp_schema::{Field, FieldType, Target};
use serde_json::Value as Json;

use crate::text::{env_name, is_ident, quote};
use crate::values::{self, is_default, is_empty};
use crate::{EnvVar, Warning};

/// Names the imported program declares, for writing references as bare names.
#[derive(Debug, Default)]
pub struct Names {
    /// `policy` and `extern policy` names.
    pub policies: BTreeSet<String>,
    /// Database connections by mount API prefix (`database/`).
    pub connections: BTreeMap<String, BTreeSet<String>>,
    /// Database roles and static roles by mount API prefix.
    pub db_roles: BTreeMap<String, BTreeSet<String>>,
    /// Database roles (by API path) written commented out, with why: their connection
    /// does not allow them.
    pub not_allowed: BTreeMap<String, String>,
}

/// Where a resource is, for references, messages and variable names.
pub struct Ctx<'a> {
    pub target: Target,
    /// The resource's API path (`auth/jwt/role/ci`), for messages.
    pub subject: &'a str,
    /// The mount's API prefix (`database/`), for same-mount references.
    pub prefix: &'a str,
    /// The mount's type (`jwt`), for values the checker infers from it.
    pub mount_type: &'a str,
    /// Words a secret's variable name is made of (`["userpass", "ci"]`).
    pub env_parts: &'a [&'a str],
    pub names: &'a Names,
    /// Fields written elsewhere (a workload's `token_policies` without its own policy).
    pub skip: &'a [&'a str],
}

pub struct Sink<'a> {
    pub warnings: &'a mut Vec<Warning>,
    pub env: &'a mut Vec<EnvVar>,
    /// For each field of [`UNREAD`], the resources whose read leaves it out, and where
    /// in `warnings` the first of them ended.
    pub unread: &'a mut [(usize, Vec<String>); 2],
}

/// Fields a write uses but OpenBao (2.7.2) does not keep: (field, its default, what a
/// write with the default connects to). Vault keeps `verify_connection` and reads it
/// back (a `false` is imported as any other value); where a read leaves one out, whether
/// the resource was written without connecting is not known.
pub const UNREAD: [(&str, bool, &str); 2] = [
    ("verify_connection", true, "database"),
    ("skip_jwks_validation", false, "JWKS or discovery URL"),
];

/// The value the server reads back for `name`: at the top, under
/// `connection_details` (database connections), or under the name it reads back as.
pub(crate) fn lookup<'a>(data: &'a Json, name: &str) -> Option<&'a Json> {
    let alias = match name {
        "root_rotation_statements" => "root_credentials_rotate_statements",
        other => other,
    };
    data.get(alias)
        .or_else(|| data.get("connection_details").and_then(|d| d.get(alias)))
}

/// Secrets the server never returns but the resource cannot be created again without:
/// a userpass user's password, a database connection's password when it has a username,
/// any secret the server says is set.
fn needs_secret(endpoint: &str, field: &str, data: &Json) -> bool {
    // Servers that hide a secret often say it is set (`token_reviewer_jwt_set`).
    if data.get(format!("{field}_set")) == Some(&Json::Bool(true)) {
        return true;
    }
    match (endpoint, field) {
        ("userpass-user", "password") => true,
        // A confidential OIDC client has a secret the server never shows.
        ("jwt-config", "oidc_client_secret") => lookup(data, "oidc_client_id")
            .and_then(Json::as_str)
            .is_some_and(|id| !id.is_empty()),
        ("ssh-ca", "private_key") => lookup(data, "public_key").is_some_and(|k| !is_empty(k)),
        // The URL logs in with the password (`{{password}}`), or the server rotates
        // the password of `username`.
        ("database-connection", "password") => {
            lookup(data, "username")
                .and_then(Json::as_str)
                .is_some_and(|u| !u.is_empty())
                || lookup(data, "connection_url")
                    .and_then(Json::as_str)
                    .is_some_and(|u| u.contains("{{password}}"))
        }
        _ => false,
    }
}

/// Values servers read back for fields nobody set, where the schema states another
/// default or none: writing them would make the imported program say what its author
/// never said. (`token_type` reads back `default`, which token-role writes reject; a JWT role's
/// leeways and a KV mount's `max_versions` read back `0`, "the server's default"; an
/// SSH role's signer and issuer read back `default`.)
fn server_default(endpoint: &str, field: &str, v: &Json) -> bool {
    let zero = values::seconds(v) == Some(0);
    match (endpoint, field) {
        (_, "token_type") => v.as_str() == Some("default"),
        (_, "namespace_in_state") => v == &Json::Bool(true),
        ("jwt-role", "clock_skew_leeway" | "expiration_leeway" | "not_before_leeway") => zero,
        ("kv-config", "max_versions") => zero,
        // A cert method never configured reads back 0, which no write may set (2 to 100,000).
        ("cert-config", "ocsp_cache_size") => zero,
        ("ssh-role", "algorithm_signer" | "issuer_ref") => v.as_str() == Some("default"),
        _ => false,
    }
}

/// Whether an import leaves this value of `endpoint`'s `field` out: it is what the
/// resource says when nobody set the field (the schema's default, an empty or zero
/// value, what the server reads back for "unset", or what the checker infers from the
/// mount type `mount_type`). Public so the round-trip test accepts exactly these.
pub fn omitted(endpoint: &str, field: &str, value: &Json, mount_type: &str) -> bool {
    // The server reads back `true` when nobody set it, and `false` only when set.
    if field == "namespace_in_state" {
        return value == &Json::Bool(true);
    }
    let Some(f) = kp_schema::endpoint(endpoint).and_then(|ep| ep.fields.get(field)) else {
        return false;
    };
    // A default that depends on the mount type is the checker's, not the schema's:
    // the schema's `oidc` for `role_type` would drop an oidc role's type on a jwt mount.
    if let Some(omit) = inferred(endpoint, field, value, mount_type) {
        return omit;
    }
    // The server fills some maps with keys of empty values nobody wrote (a database
    // role's `credential_config` reads back `{"password_policy": ""}`), except where
    // the keys are the setting.
    is_default(f, value)
        || server_default(endpoint, field, value)
        || value.as_object().is_some_and(|m| {
            m.is_empty() || !keys_matter(endpoint, field) && m.values().all(values::is_empty)
        })
}

/// Whether a key of this map field is a setting even with an empty value: an SSH role's
/// extensions and critical options (`default_extensions = { permit-pty = "" }` lets a
/// certificate open a terminal). Elsewhere a key with an empty value is one the server
/// filled in, as unset as a missing key (`plan` compares maps by this rule too).
pub fn keys_matter(endpoint: &str, field: &str) -> bool {
    matches!(
        (endpoint, field),
        (
            "ssh-role",
            "default_extensions" | "default_critical_options"
        )
    )
}

/// A read-back value in the shape the language writes: a PEM the server stripped of
/// its final newline gets it back (heredocs end with one), and an SSH role's key
/// lengths, read back as one-element lists, are numbers again.
fn reshape(endpoint: &str, field: &str, value: &Json) -> Json {
    fn pem(v: &Json) -> Json {
        match v {
            Json::String(s) if s.starts_with("-----BEGIN") && s.ends_with("-----") => {
                Json::String(format!("{s}\n"))
            }
            Json::Array(items) => Json::Array(items.iter().map(pem).collect()),
            other => other.clone(),
        }
    }
    match (endpoint, field, value) {
        ("ssh-role", "allowed_user_key_lengths", Json::Object(m)) => Json::Object(
            m.iter()
                .map(|(k, v)| match v.as_array().map(Vec::as_slice) {
                    Some([one]) => (k.clone(), one.clone()),
                    _ => (k.clone(), v.clone()),
                })
                .collect(),
        ),
        _ => pem(value),
    }
}

/// For a field whose default the checker derives from the mount type, whether `v` is
/// that default (`None` for the other fields): a JWT role's `role_type` is `jwt` on a
/// `jwt` mount and `oidc` on an `oidc` mount unless the program says.
fn inferred(endpoint: &str, field: &str, v: &Json, mount_type: &str) -> Option<bool> {
    match (endpoint, field) {
        ("jwt-role", "role_type") => Some(v.as_str() == Some(mount_type)),
        _ => None,
    }
}

/// The attributes of one resource, `(name, literal)` in the schema's field order.
pub fn attrs(endpoint: &str, data: &Json, cx: &Ctx, sink: &mut Sink) -> Vec<(String, String)> {
    let Some(ep) = kp_schema::endpoint(endpoint) else {
        return Vec::new();
    };
    // A connection URL holding a password (masked or in clear) is written templated,
    // its user and password moved to `username` and `password`.
    let lifted = match endpoint {
        "database-connection" => crate::dsn::lift_connection(data, cx, sink),
        _ => None,
    };
    let data = lifted.as_ref().unwrap_or(data);
    if endpoint == "ssh-ca" {
        if let Some(attrs) = crate::ssh::ca_attrs(data) {
            return attrs;
        }
    }
    let mut out = Vec::new();
    for (name, field) in &ep.fields {
        if field.deprecated || !field.supports(cx.target) || cx.skip.contains(&name.as_str()) {
            continue;
        }
        let value = lookup(data, name);
        if field.sensitive {
            let returned = value.is_some_and(|v| !is_empty(v) && v != "********");
            if returned || needs_secret(endpoint, name, data) {
                let mut parts: Vec<&str> = cx.env_parts.to_vec();
                parts.push(name);
                let var = secret_var(sink.env, &parts, format!("{} {name}", cx.subject));
                out.push((name.clone(), format!("env({})", quote(&var))));
            }
            continue;
        }
        let Some(value) = value else { continue };
        if !field.required && omitted(endpoint, name, value, cx.mount_type) {
            continue;
        }
        // A certificate role without a display name reads back its own name.
        if (endpoint, name.as_str()) == ("cert-role", "display_name")
            && value.as_str() == cx.subject.rsplit('/').next()
        {
            continue;
        }
        if field.ty == FieldType::Duration {
            if let Some(secs) = values::seconds(value).filter(|s| *s < 0) {
                if let Some(lit) = negative_duration(name, value, secs, cx, sink) {
                    out.push((name.clone(), lit));
                }
                continue;
            }
        }
        if endpoint == "database-connection" && name == "connection_url" {
            if let Some(url) = value.as_str().filter(|u| crate::dsn::other_secret(u)) {
                out.push((name.clone(), whole_url_secret(url, cx, sink)));
                continue;
            }
        }
        let value = &reshape(endpoint, name, value);
        match literal(field, value, cx) {
            Some(lit) => out.push((name.clone(), lit)),
            None => sink.warnings.push(Warning {
                subject: cx.subject.to_string(),
                message: format!(
                    "`{name}` = {value} cannot be written as a {} in keyplan: left out",
                    field.ty
                ),
            }),
        }
    }
    // A JWT config without a key URL connects nowhere: its setting changes nothing.
    let url = |f: &str| {
        lookup(data, f)
            .and_then(Json::as_str)
            .is_some_and(|u| !u.is_empty())
    };
    let unread = match endpoint {
        "database-connection" => Some(0),
        "jwt-config" if url("jwks_url") || url("oidc_discovery_url") => Some(1),
        _ => None,
    };
    if let Some(i) = unread {
        let name = UNREAD[i].0;
        if ep.field(name).is_some_and(|f| f.supports(cx.target)) && lookup(data, name).is_none() {
            let (at, subjects) = &mut sink.unread[i];
            if subjects.is_empty() {
                *at = sink.warnings.len();
            }
            subjects.push(cx.subject.to_string());
        }
    }
    out
}

/// The resources whose read left out field `i` of [`UNREAD`], in one warning, not one
/// each (an import of many connections would repeat it for every one). The field is
/// left out (its default), so a write of each connects, and fails where the server
/// cannot reach what it connects to.
pub fn unread(i: usize, subjects: &[String]) -> Warning {
    let (name, default, what) = UNREAD[i];
    Warning {
        subject: subjects.join(", "),
        message: format!(
            "`{name}` is not read back (OpenBao does not keep it): imported as the default, \
             `{default}`, so writing each connects to its {what}; add `{name} = {}` where \
             the server cannot reach it",
            !default
        ),
    }
}

fn literal(field: &Field, value: &Json, cx: &Ctx) -> Option<String> {
    let name = field.name.as_str();
    let declared: Option<&BTreeSet<String>> = if POLICY_REF_FIELDS.contains(&name) {
        Some(&cx.names.policies)
    } else if name == "allowed_roles" {
        cx.names.db_roles.get(cx.prefix)
    } else {
        None
    };
    if let Some(declared) = declared {
        let items = values::items(value)?;
        let builtin = POLICY_REF_FIELDS.contains(&name);
        return Some(values::list(items.iter().map(|i| {
            let known = declared.contains(i) || (builtin && BUILTIN_POLICIES.contains(&i.as_str()));
            if known && is_ident(i) {
                i.clone()
            } else {
                quote(i)
            }
        })));
    }
    if name == "db_name" {
        let s = value.as_str()?;
        let known = cx
            .names
            .connections
            .get(cx.prefix)
            .is_some_and(|c| c.contains(s));
        return Some(if known && is_ident(s) {
            s.to_string()
        } else {
            quote(s)
        });
    }
    values::literal(value, field.ty)
}

/// A negative duration read back (`secs`, from `value`): the language writes only `-1`,
/// on a JWT role's leeways ([`values::negative_allowed`]), where any negative means
/// "no leeway"; elsewhere the value is left out and said so. A `-1s` would not parse.
fn negative_duration(
    name: &str,
    value: &Json,
    secs: i64,
    cx: &Ctx,
    sink: &mut Sink,
) -> Option<String> {
    if values::negative_allowed(name) {
        if secs != -1 {
            sink.warnings.push(Warning {
                subject: cx.subject.to_string(),
                message: format!(
                    "`{name}` = {value}: any negative leeway means \"no leeway\", and keyplan \
                     writes it `-1`, the only negative it takes; `keyplan plan` shows the \
                     change to -1, which `apply` makes without changing what the role accepts"
                ),
            });
        }
        return Some("-1".into());
    }
    sink.warnings
        .push(negative_left_out(cx.subject, name, value));
    None
}

/// The warning for a negative duration the server holds and the language cannot write
/// (the checker refuses a negative there): left out, so a plan shows it.
pub(crate) fn negative_left_out(subject: &str, name: &str, value: &Json) -> Warning {
    Warning {
        subject: subject.to_string(),
        message: format!(
            "`{name}` = {value} is a negative duration, which the server took but keyplan \
             cannot write: left out, so `keyplan plan` shows it and `apply` would set it back \
             to the default"
        ),
    }
}

/// The variable holding the secret of `for_field` (`auth/team/users/a-b password`): its
/// [`env_name`], or that name with `_2`, `_3`, ... when another secret has it already
/// (`team/users/a-b`, `team/users/a_b` and `team-a/users/b` all make `TEAM_A_B_PASSWORD`):
/// one variable per secret, or apply would write one password to every user sharing it.
/// Asked again for the same field, the same variable.
pub(crate) fn secret_var(env: &mut Vec<EnvVar>, parts: &[&str], for_field: String) -> String {
    if let Some(v) = env.iter().find(|v| v.for_field == for_field) {
        return v.name.clone();
    }
    let base = env_name(parts);
    let mut name = base.clone();
    let mut n = 1;
    while env.iter().any(|v| v.name == name) {
        n += 1;
        name = format!("{base}_{n}");
    }
    env.push(EnvVar {
        name: name.clone(),
        for_field,
    });
    name
}

/// A connection URL that still holds a secret keyplan cannot template (a parameter such
/// as `sslpassword`, besides the password `{{password}}` stands for): the whole URL
/// is read from the environment, as any secret is.
fn whole_url_secret(url: &str, cx: &Ctx, sink: &mut Sink) -> String {
    let mut parts: Vec<&str> = cx.env_parts.to_vec();
    parts.push("connection_url");
    let var = secret_var(sink.env, &parts, format!("{} connection_url", cx.subject));
    let shape = crate::dsn::without_secrets(url);
    sink.warnings.push(Warning {
        subject: cx.subject.to_string(),
        message: format!(
            "`connection_url` holds a secret keyplan cannot template ({shape}): imported as \
             `env(\"{var}\")`; set the variable to the whole URL"
        ),
    });
    format!("env({})", quote(&var))
}
