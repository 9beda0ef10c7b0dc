//! The plan: each resource of the program compared with the live state, field by field.
//!
//! Rules (documented in the crate's README):
//! - Only fields the program sets are compared; what the server fills in is not a change.
//! - A field the server never reads back (`password`, `generate_signing_key`: secrets and
//!   [`WRITE_ONLY`]) is not compared: it is written whenever the resource is created or
//!   updated. With the program's previous version (`--previous`), one whose value changed
//!   since is a change; without it, the plan lists the secrets it could not compare. A
//!   field the read leaves out only because it was never set (a database connection's
//!   `max_open_connections`) is compared as the server's default.
//! - `env("X")` values are never read here and never shown: `(secret from env X)`.
//! - For endpoints whose write replaces the whole object, an update also lists the
//!   fields it will reset (set on the server, absent from the program).

use keyplan::ir::{Program, Resource, ResourceKind, Value, ROOT_CREDENTIAL_FIELDS};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::normalize::{self, MapRule};
use crate::state::{Live, LiveState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    /// A token whose recorded one differs: a new token is created, the old one revoked.
    Replace,
    /// An action (a connection's root rotation) that runs this time: what it acts on is
    /// created, or its root credentials change.
    Run,
    /// Declared by the previous version of the program (`--previous`), not by this one.
    Delete,
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// The live value, `None` when the field is not set on the server.
    pub old: Option<Json>,
    /// The program's value, secrets shown as `(secret from env X)`.
    pub new: Json,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourcePlan {
    pub id: String,
    pub kind: ResourceKind,
    pub action: Action,
    /// For updates: the fields that change; for creates: every field.
    pub changes: Vec<FieldChange>,
    /// Fields an update resets to their default (whole-object writes only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resets: Vec<String>,
    /// Fields that cannot be compared (write-only on the server).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_compared: Vec<String>,
    /// Set when the change cannot be made in place (a mount's type, `local`, `seal_wrap`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
    /// For a mount's deletion: the data it holds (applying needs `--allow-destroy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destroys: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub resources: Vec<ResourcePlan>,
    /// Resources under the program's mounts that it does not declare.
    pub unmanaged: Vec<String>,
    /// Collections of the program's roles on mounts it does not enable (the built-in
    /// `auth/token/roles`): `--prune` leaves what is undeclared there alone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_pruned: Vec<String>,
    /// Secrets of resources on the server that the plan could not compare: the server
    /// never returns them, and no previous version says whether they changed
    /// (`password of auth/userpass/users/u`).
    pub unverified_secrets: Vec<String>,
    /// Planned knowing the previous version (`--previous`): its unverified secrets are
    /// `env()` values whose name stayed, or of resources it did not declare.
    #[serde(skip)]
    pub since_previous: bool,
    /// Tokens the previous version declared and the program does not, whose accessor
    /// is not recorded under `--token-out`: whether each still exists is not known, and
    /// it cannot be revoked. Names, sorted.
    #[serde(skip)]
    pub unrevoked_tokens: Vec<String>,
    /// Batch tokens the previous version declared and the program does not: recorded
    /// under `--token-out` without an accessor, they cannot be revoked and end at their
    /// TTL. Names, sorted.
    #[serde(skip)]
    pub batch_tokens: Vec<String>,
    /// The deletions among `resources`, with what apply needs to make them.
    #[serde(skip)]
    pub removals: Vec<crate::removals::Removal>,
    /// Catch-all `owns` patterns (`owns policies "*"`) and how many of `unmanaged` only
    /// they put in `--prune`'s scope: warned about, never blocked.
    #[serde(skip)]
    pub catch_all: Vec<CatchAll>,
    /// Tokens planned as creations because no `--token-out` says where their accessors
    /// were recorded: whether each exists is not known. Names, in program order.
    #[serde(skip)]
    pub untracked_tokens: Vec<String>,
}

/// A catch-all `owns` pattern that puts undeclared resources in `--prune`'s scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatchAll {
    /// `policies` or `token-roles`, as written after `owns`.
    pub owns: &'static str,
    pub pattern: String,
    /// The undeclared resources no narrower pattern of the program names.
    pub count: usize,
}

/// Whether an `owns` pattern matches every name (`"*"`, `"**"`).
pub fn is_catch_all(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.chars().all(|c| c == '*')
}

/// The catch-all `owns` patterns of `program` that put some of `unmanaged` (ids, as the
/// plan lists them) in `--prune`'s scope, counting only what no other pattern of the
/// same scope names.
pub fn catch_all(program: &Program, unmanaged: &[String]) -> Vec<CatchAll> {
    let scopes = [
        ("policies", &program.owned_policies, "sys/policies/acl/"),
        (
            "token-roles",
            &program.owned_token_roles,
            "auth/token/roles/",
        ),
    ];
    let mut out = Vec::new();
    for (owns, patterns, collection) in scopes {
        let Some(broad) = patterns.iter().find(|p| is_catch_all(p)) else {
            continue;
        };
        let count = unmanaged
            .iter()
            .filter_map(|id| id.strip_prefix(collection))
            .filter(|name| {
                !patterns
                    .iter()
                    .any(|p| !is_catch_all(p) && keyplan::ir::glob_match(p, name))
            })
            .count();
        if count > 0 {
            out.push(CatchAll {
                owns,
                pattern: broad.clone(),
                count,
            });
        }
    }
    out
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    #[serde(skip_serializing_if = "is_zero")]
    pub run: usize,
    pub delete: usize,
    pub unchanged: usize,
    pub unmanaged: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            unmanaged: self.unmanaged.len(),
            ..Summary::default()
        };
        for r in &self.resources {
            match r.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Replace => s.replace += 1,
                Action::Run => s.run += 1,
                Action::Delete => s.delete += 1,
                Action::Unchanged => s.unchanged += 1,
            }
        }
        s
    }

    /// Whether applying would change anything (undeclared resources are not changes:
    /// they are only deleted with `--prune`).
    pub fn has_changes(&self) -> bool {
        self.resources.iter().any(|r| r.action != Action::Unchanged)
    }

    pub fn get(&self, id: &str) -> Option<&ResourcePlan> {
        self.resources.iter().find(|r| r.id == id)
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

pub fn plan(program: &Program, live: &LiveState) -> Plan {
    plan_since(program, live, None)
}

/// [`plan`], knowing the program's previous version (`--previous`): a field the server
/// does not return (a literal secret, an `env()` name, a write-only field) that changed
/// since is a change of its resource, shown without either value.
pub fn plan_since(program: &Program, live: &LiveState, previous: Option<&Program>) -> Plan {
    plan_with_env(program, live, previous, &|_| None)
}

/// The environment variables a plan may read: `env("NAME")` values, compared with what
/// the server holds (never shown).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// [`plan_since`], with the values of the program's `env("NAME")` fields where `env`
/// has them: a field the server reads back is compared with the variable's value, so a
/// changed value (a rotated CA certificate) is planned as an update. Neither value is
/// shown; a variable `env` lacks leaves its field not compared, as before.
pub fn plan_with_env(
    program: &Program,
    live: &LiveState,
    previous: Option<&Program>,
    env: Env<'_>,
) -> Plan {
    let previous: Option<Declared<'_>> =
        previous.map(|old| old.resources.iter().map(|r| (r.id.as_str(), r)).collect());
    let mut resources: Vec<ResourcePlan> = program
        .resources
        .iter()
        .map(|r| {
            let mut p = resource_plan(
                program,
                r,
                live.resources.get(r.id.as_str()).unwrap_or(&Live::Absent),
                env,
            );
            if let Some(before) = previous.as_ref().and_then(|old| old.get(r.id.as_str())) {
                changed_since(r, before, &mut p);
            }
            p
        })
        .collect();
    let unverified_secrets = unverified_secrets(program, &resources, previous.as_ref());
    // An action has no state of its own: it runs when what it acts on is created or its
    // root credentials change, and is unchanged otherwise. The server's rotated password
    // is never read, so a rotated connection plans clean. One the previous version did not
    // declare (`rotate_root` just added to a connection) has never run: it runs now.
    for (i, r) in program.resources.iter().enumerate() {
        let Some(on) = r.acts_on() else { continue };
        let added = previous
            .as_ref()
            .is_some_and(|old| !old.contains_key(r.id.as_str()));
        let due = added || resources.iter().any(|p| &p.id == on && rotation_due(p));
        if let Some(p) = resources.get_mut(i) {
            p.action = if due { Action::Run } else { Action::Unchanged };
            p.changes.clear();
        }
    }
    nested_mounts(program, &live.mounts, &mut resources);
    Plan {
        resources,
        unmanaged: live.unmanaged.clone(),
        not_pruned: live.not_owned.clone(),
        unverified_secrets,
        since_previous: previous.is_some(),
        unrevoked_tokens: Vec::new(),
        batch_tokens: Vec::new(),
        removals: Vec::new(),
        catch_all: catch_all(program, &live.unmanaged),
        untracked_tokens: Vec::new(),
    }
}

/// Blocks the creation of a mount whose path is nested in a mount of its class on the
/// server (`ssh/prod` under `ssh/`) or contains one (`ssh` over `ssh/prod/`): the server
/// refuses it ("path is already in use at ssh/", OpenBao 2.7.2), and apply would fail
/// half-way. Paths are compared as the server does, segment by segment (`kv` and `kvx`
/// do not clash); an auth method and a secrets engine never clash (`auth/ssh` is another
/// path than `ssh`). Two mounts of the program that overlap are a compile error
/// (`kp::overlapping-mount`). Also run on a saved plan when it is applied: a mount made
/// on the server since it was saved is not in its fingerprints.
pub fn nested_mounts(
    program: &Program,
    tables: &crate::state::MountTables,
    plans: &mut [ResourcePlan],
) {
    let slashed = |p: &str| format!("{}/", p.trim_end_matches('/'));
    for p in plans.iter_mut() {
        if p.action != Action::Create || p.blocked.is_some() {
            continue;
        }
        let Some(r) = program.resources.iter().find(|r| r.id == p.id) else {
            continue;
        };
        if !is_mount(r) {
            continue;
        }
        let (table, class, prefix) = match r.kind {
            ResourceKind::AuthMount => (&tables.auth, "auth method", "auth/"),
            _ => (&tables.secrets, "secrets engine", ""),
        };
        let path = slashed(crate::state::mount_path(r));
        let clash = table.iter().find_map(|(at, ty)| {
            let at = slashed(at);
            (at != path && (path.starts_with(&at) || at.starts_with(&path))).then_some((at, ty))
        });
        let Some((at, ty)) = clash else {
            continue;
        };
        let relation = match path.starts_with(&at) {
            true => "a mount cannot be nested in another",
            false => "a mount cannot contain another",
        };
        p.blocked = Some(format!(
            "the path `{prefix}{path}` is already in use: the server has the {ty} {class} \
             `{prefix}{at}`, and {relation} (the server answers \"path is already in use\"); \
             choose another path for it, or disable `{prefix}{at}` first (its data is lost)"
        ));
    }
}

/// The resources a version of the program declares, by id.
type Declared<'a> = std::collections::HashMap<&'a str, &'a Resource>;

/// What the previous version had in place of a secret: never its value.
const PREVIOUS_SECRET: &str = "(previous literal secret, not shown)";

/// Adds to `p` the fields the server does not return whose value the program changed
/// since `before` (its previous declaration): a new literal password is written only
/// this way. A token's fields are left out: they are compared with the token itself.
fn changed_since(r: &Resource, before: &Resource, p: &mut ResourcePlan) {
    if !matches!(p.action, Action::Unchanged | Action::Update) || r.kind == ResourceKind::Token {
        return;
    }
    for field in &p.not_compared {
        let Some(want) = r.body.get(field) else {
            continue;
        };
        let had = before.body.get(field);
        if had == Some(want) {
            continue;
        }
        p.changes.push(FieldChange {
            field: field.clone(),
            old: had.map(|v| match v {
                Value::Secret(_) => Json::String(PREVIOUS_SECRET.to_string()),
                other => shown(other),
            }),
            new: shown(want),
        });
        p.action = Action::Update;
    }
}

/// The secrets (`env()` values and literals) of resources already on the server that
/// the plan cannot tell changed: every one without a previous version; with one, an
/// `env()` whose name stayed (its value is outside both programs) and the secrets of
/// resources the previous version did not declare. A connection's root credentials are
/// left out when the server rotates them: the program's are dead after the rotation.
fn unverified_secrets(
    program: &Program,
    plans: &[ResourcePlan],
    previous: Option<&Declared<'_>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (r, p) in program.resources.iter().zip(plans) {
        if p.action == Action::Create || r.kind == ResourceKind::Token {
            continue;
        }
        let before = previous.and_then(|old| old.get(r.id.as_str()));
        let rotated = program.root_rotation_of(&r.id).is_some();
        for (field, value) in &r.body {
            let known = if holds_literal_secret(value) {
                before.is_some()
            } else if !normalize::env_refs(value).is_empty() {
                // Compared with the variables' values when the plan had them.
                !p.not_compared.iter().any(|f| f == field)
            } else {
                continue;
            };
            let changing = p.changes.iter().any(|c| c.field == field);
            let dead = rotated && ROOT_CREDENTIAL_FIELDS.contains(&field);
            if !known && !changing && !dead {
                out.push(format!("{field} of {}", r.id));
            }
        }
    }
    out
}

/// Whether a connection's root rotation runs with this plan of the connection: on its
/// creation, or when its username or password changes (a password is not read back, so
/// that is when the program's password expression changes, e.g. a new `env()` name).
pub fn rotation_due(conn: &ResourcePlan) -> bool {
    conn.action == Action::Create
        || conn
            .changes
            .iter()
            .any(|c| ROOT_CREDENTIAL_FIELDS.contains(&c.field.as_str()))
}

/// Whether an update of this connection must leave out its `password`: the server holds
/// the rotated one, and the program's (dead since the rotation) would replace it. The
/// write merges, so the server keeps its own.
pub fn keeps_rotated_password(program: &Program, r: &Resource, rp: &ResourcePlan) -> bool {
    r.kind == ResourceKind::Connection
        && rp.action == Action::Update
        && program.root_rotation_of(&r.id).is_some()
        && !rotation_due(rp)
}

/// How a value is shown: secrets as their source, everything else in API form.
pub fn shown(v: &Value) -> Json {
    match v {
        Value::Env(e) => Json::String(format!("(secret from env {})", e.env)),
        Value::List(l) => Json::Array(l.iter().map(shown).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.to_string(), shown(v))).collect()),
        other => other.redacted(),
    }
}

fn resource_plan(program: &Program, r: &Resource, live: &Live, env: Env<'_>) -> ResourcePlan {
    let mut p = ResourcePlan {
        id: r.id.to_string(),
        kind: r.kind,
        action: Action::Unchanged,
        changes: Vec::new(),
        resets: Vec::new(),
        not_compared: Vec::new(),
        blocked: None,
        destroys: None,
    };
    let data = match live {
        Live::Absent => {
            p.action = Action::Create;
            p.changes = r
                .body
                .iter()
                .map(|(k, v)| FieldChange {
                    field: k.to_string(),
                    old: None,
                    new: shown(v),
                })
                .collect();
            return p;
        }
        Live::Present(d) | Live::Token { data: d, .. } => d,
    };
    let ttl_cap = match live {
        Live::Token { ttl_cap, .. } => *ttl_cap,
        _ => None,
    };
    let is_mount = is_mount(r);
    for (field, want) in &r.body {
        // An `env()` value known here is compared as the literal it stands for, and a
        // difference is shown without either value: the variable's may be a secret, and
        // so may the server's copy of it. So is one inside a list or a map (a JWT
        // mount's `jwt_validation_pubkeys`, a role's `bound_claims`; QA: those were
        // taken as equal to whatever the server held, and not listed as unverified).
        // A value holding a literal secret, or a variable not set, is not compared.
        let names = normalize::env_refs(want);
        if !names.is_empty() || holds_literal_secret(want) {
            let known = match want {
                // A scalar as the server reads it: a duration's seconds, a number, a bool.
                Value::Env(e) => env(&e.env).and_then(|raw| env_scalar(r, field, &raw)),
                _ => comparable_env_field(r, field, want)
                    .then(|| with_env_values(want, env))
                    .flatten(),
            };
            match (known, lookup(r.kind, data, field)) {
                (Some(value), Some(old)) => {
                    let stored = stored_form(r.kind, field, &value);
                    let value = stored.as_ref().unwrap_or(&value);
                    if !same_value(r, field, value, old, is_mount) {
                        p.changes.push(FieldChange {
                            field: field.to_string(),
                            old: Some(Json::String(format!(
                                "(not the value of env {}, not shown)",
                                names.join(", ")
                            ))),
                            new: shown(want),
                        });
                    }
                }
                _ => p.not_compared.push(field.to_string()),
            }
            continue;
        }
        // A token from a periodic role has the period as its TTL, whatever `ttl` asked
        // for (and the accessor lookup does not show the period).
        if r.kind == ResourceKind::Token && field == "ttl" && from_periodic_role(program, r) {
            p.not_compared.push(field.to_string());
            continue;
        }
        // A TTL over the token store's maximum is capped when the token is created
        // (OpenBao 2.7.2: `ttl = 1000h` reads back as `creation_ttl` 2764800, with the
        // warning "TTL value is capped accordingly"); `kp::ttl-over-system-max` says so
        // at compile time. The token is the one asked for: not replaced on every plan.
        if r.kind == ResourceKind::Token && field == "ttl" {
            let have = lookup(r.kind, data, field).and_then(Json::as_i64);
            if let (Value::Int(want), Some(have), Some(cap)) = (want, have, ttl_cap) {
                if have == cap && *want > cap {
                    continue;
                }
            }
        }
        // A token's `num_uses` reads back as the uses it has left: each request with it
        // takes one (OpenBao 2.7.2: 10, then 9 after one read), and at none left the
        // server revokes it. A token with uses left, no more than the program gives,
        // is the one the program asked for, only used.
        if r.kind == ResourceKind::Token && field == "num_uses" {
            let left = lookup(r.kind, data, field).and_then(Json::as_i64);
            if let (Value::Int(n), Some(left)) = (want, left) {
                if (1..=*n).contains(&left) {
                    continue;
                }
            }
        }
        // An SSH CA reads back only its public key, whose type says the key's.
        if let ("ssh-ca", "key_type", Value::Str(kind), Some(Json::String(key))) =
            (r.schema, field, want, data.get("public_key"))
        {
            let have = key.split(' ').next().unwrap_or_default();
            let same = match kind.as_str() {
                "rsa" => have == "ssh-rsa",
                "ed25519" => have == "ssh-ed25519",
                "ec" => have.starts_with("ecdsa-sha2-"),
                _ => have == kind.as_str(),
            };
            if !same {
                p.changes.push(FieldChange {
                    field: field.to_string(),
                    old: Some(Json::from(have)),
                    new: shown(want),
                });
            }
            continue;
        }
        // A field the read leaves out was never set (a database connection reads back
        // only the settings it was written with): the server holds its default, and the
        // program's value is compared with that. Only a field the server never returns
        // cannot be compared.
        let unset;
        let old = match lookup(r.kind, data, field) {
            Some(old) => old,
            None if reads_back(r, field) => {
                unset = server_default(r, field).unwrap_or(Json::Null);
                &unset
            }
            None => {
                p.not_compared.push(field.to_string());
                continue;
            }
        };
        let stored = stored_form(r.kind, field, want);
        let want = stored.as_ref().unwrap_or(want);
        if !same_value(r, field, want, old, is_mount) {
            p.changes.push(FieldChange {
                field: field.to_string(),
                old: Some(old.clone()),
                new: shown(want),
            });
        }
    }
    let live = live_fields(r, data);
    let dropped = dropped(r, &live);
    if p.changes.is_empty() && dropped.is_empty() {
        return p;
    }
    p.action = if r.kind == ResourceKind::Token {
        Action::Replace
    } else {
        Action::Update
    };
    // Shown as changes to the value the server will hold: what a merging write sends
    // back, or for a whole-object write (which leaves the field out) the server's default,
    // `null` (shown `(default)`) when neither the schema nor a measurement knows it. The
    // resets of an endpoint without a schema (below) are only named.
    let whole = !is_mount && replaces_whole(program, r);
    for &(f, old) in &dropped {
        let new = if whole {
            Some(server_default(r, f).unwrap_or(Json::Null))
        } else {
            reset_value(r, f)
        };
        if let Some(new) = new {
            p.changes.push(FieldChange {
                field: f.to_string(),
                old: Some(old.clone()),
                new,
            });
        }
    }
    p.resets = dropped.iter().map(|(f, _)| f.to_string()).collect();
    // After the resets: a field that cannot change in place blocks the update whether
    // the program writes its default or leaves it out (`local = true` removed).
    p.blocked = blocked(r, &p.changes, data);
    // A whole-object write resets every field it leaves out, not only those with a known
    // default: listed when the resource is written anyway.
    if !is_mount && replaces_whole(program, r) && kp_schema::endpoint(r.schema).is_none() {
        if let Json::Object(fields) = data {
            p.resets = fields
                .iter()
                .filter(|(k, v)| !r.body.contains_key(k) && !normalize::is_empty(v))
                .filter(|(k, v)| !is_server_default(r, k, v) && !is_generated(r, k))
                .map(|(k, _)| k.clone())
                .collect();
        }
    }
    p
}

/// The fields the server holds at other than their default that the program leaves out:
/// a field absent from the program means the server's default, so each is drift that
/// apply resets ([`reset_value`]); a value changed by hand (`bound_subject`,
/// `bound_claims_type = "glob"`) and an attribute removed from the program both show
/// here, each with its live value. Only fields the endpoint's schema knows (read-only
/// fields the server adds are not writable), and of a mount (tuned, never replaced) its
/// `description`, lease TTLs and the attributes fixed when it was enabled (`local`: a
/// change [`blocked`] stops). A token cannot be updated and a policy is compared whole.
fn dropped<'d>(r: &Resource, fields: &[(&'d str, &'d Json)]) -> Vec<(&'d str, &'d Json)> {
    let Some(ep) = kp_schema::endpoint(r.schema) else {
        return Vec::new();
    };
    if matches!(
        r.kind,
        ResourceKind::Token | ResourceKind::Policy | ResourceKind::Action
    ) {
        return Vec::new();
    }
    if is_mount(r) {
        // A mount is tuned, never replaced: its description, and the lease TTLs of its
        // `config` (a hand-tuned `max_lease_ttl` lengthens every token and lease).
        return fields
            .iter()
            .filter(|(k, v)| match *k {
                "description" => !r.body.contains_key(k) && !normalize::is_empty(v),
                // `true` on the server, left out of the program (so `false`): the mount
                // cannot change, which [`blocked`] says.
                fixed if MOUNT_FIXED.contains(&fixed) => {
                    !r.body.contains_key(k) && !normalize::is_empty(v)
                }
                ttl if MOUNT_TTLS.contains(&ttl) => {
                    !mount_config_sets(r, ttl) && !normalize::is_empty(v)
                }
                _ => false,
            })
            .copied()
            .collect();
    }
    fields
        .iter()
        .filter(|(k, _)| !r.body.contains_key(k) && !alias_in(r, k))
        .filter(|(k, v)| {
            let Some(field) = ep.field(k) else {
                return false;
            };
            // A deprecated field reads back beside the field it is the older name of
            // (`ttl` beside `token_ttl`); the Kubernetes config's are nothing's.
            let mirror = field.deprecated && r.schema != "kubernetes-config";
            if mirror || is_generated(r, k) || is_server_default(r, k, v) {
                return false;
            }
            // A zero, empty or false value is how the server shows a field nobody set;
            // `false` is drift only where the default is `true` (`bind_secret_id`).
            let Some(reset) = reset_value(r, k) else {
                return false;
            };
            // ... also as a duration string (`"0s"`) or in another of its shapes.
            let default_already =
                as_value(&reset).is_some_and(|d| normalize::same(&d, v, MapRule::of(r.schema, k)));
            match (v, &field.default) {
                (Json::Bool(false), Some(Json::Bool(true))) => true,
                _ => !normalize::is_empty(v) && !default_already,
            }
        })
        .copied()
        .collect()
}

/// A mount is tuned, never replaced.
pub(crate) fn is_mount(r: &Resource) -> bool {
    matches!(r.kind, ResourceKind::AuthMount | ResourceKind::SecretsMount)
}

/// A mount's lease TTLs, in its `config`; `0` tunes one back to the system's.
const MOUNT_TTLS: [&str; 2] = ["default_lease_ttl", "max_lease_ttl"];

/// A mount's attributes fixed when it is enabled: a tune does not take them.
const MOUNT_FIXED: [&str; 4] = ["type", "local", "seal_wrap", "external_entropy_access"];

/// Why the planned changes cannot be applied in place, if they cannot: a mount's fixed
/// attribute, a KV version 2 mount going back to 1, a field an endpoint takes only on
/// creation. `changes` includes the resets, so a fixed field the program leaves out
/// while the server holds other than its default blocks as its explicit default would.
fn blocked(r: &Resource, changes: &[FieldChange], data: &Json) -> Option<String> {
    let among = |fixed: &dyn Fn(&str) -> bool| -> Vec<&str> {
        changes
            .iter()
            .map(|c| c.field.as_str())
            .filter(|f| fixed(f))
            .collect()
    };
    if is_mount(r) {
        let fixed = among(&|f| MOUNT_FIXED.contains(&f));
        if !fixed.is_empty() {
            return Some(format!(
                "{} cannot change on an existing mount: disable and enable it again",
                fixed.join(", ")
            ));
        }
        if kv_downgrade(r, data) {
            return Some(
                "a KV version 2 mount cannot go back to version 1: disable and enable it again \
                 (its secrets are lost), or keep `version = 2`"
                    .to_string(),
            );
        }
    }
    // A field the server takes only when the object is created (an AppRole role's
    // `local_secret_ids`): refused on every update, even with the same value.
    let fixed = among(&|f| is_create_only(r, f));
    (!fixed.is_empty()).then(|| {
        format!(
            "{} can only be set when the object is created: delete it and apply again",
            fixed.join(", ")
        )
    })
}

/// Fields the server takes but never reads back, by endpoint schema (besides secrets,
/// which no read returns): measured on OpenBao 2.7.2. A database connection's
/// `verify_connection` and a JWT method's `skip_jwks_validation` are used at write time
/// only; an SSH CA reads back only its `public_key`; an AppRole role's `role_id` reads
/// back at `role/NAME/role-id`, not with the role (`state::read` adds it to the role's
/// data when the program sets it). Every other field reads back once set.
pub const WRITE_ONLY: &[(&str, &str)] = &[
    ("database-connection", "verify_connection"),
    ("ssh-ca", "generate_signing_key"),
    ("ssh-ca", "key_type"),
    ("ssh-ca", "key_bits"),
    ("jwt-config", "skip_jwks_validation"),
    ("approle-role", "role_id"),
];

/// Whether the server reads `field` back once it is set, so that its absence from a read
/// means "not set" (the server's default) rather than "not returned". Not for a token
/// (its lookup is not its creation body), a field of no known schema, a secret, a
/// deprecated name (read back under the current one) or a field the server ignores.
pub fn reads_back(r: &Resource, field: &str) -> bool {
    if matches!(r.kind, ResourceKind::Token | ResourceKind::Action) {
        return false;
    }
    let Some(f) = kp_schema::endpoint(r.schema).and_then(|ep| ep.field(field)) else {
        return false;
    };
    !(f.sensitive
        || f.deprecated
        || !f.ignored.is_empty()
        || WRITE_ONLY.contains(&(r.schema, field)))
}

fn mount_config_sets(r: &Resource, field: &str) -> bool {
    matches!(r.body.get("config"), Some(Value::Map(m)) if m.contains_key(field))
}

/// What the server read back, field by field under the names a write uses: a database
/// connection's settings come back under `connection_details`, and its
/// `root_rotation_statements` as `root_credentials_rotate_statements`; a mount's lease
/// TTLs under `config`.
fn live_fields<'d>(r: &Resource, data: &'d Json) -> Vec<(&'d str, &'d Json)> {
    let Json::Object(fields) = data else {
        return Vec::new();
    };
    let mut out: Vec<(&str, &Json)> = fields
        .iter()
        .map(|(k, v)| match (r.kind, k.as_str()) {
            (ResourceKind::Connection, "root_credentials_rotate_statements") => {
                ("root_rotation_statements", v)
            }
            _ => (k.as_str(), v),
        })
        .collect();
    if is_mount(r) {
        if let Some(Json::Object(config)) = fields.get("config") {
            out.extend(
                config
                    .iter()
                    .filter(|(k, _)| MOUNT_TTLS.contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str(), v)),
            );
        }
    }
    if r.kind == ResourceKind::Connection {
        if let Some(Json::Object(details)) = fields.get("connection_details") {
            let top: Vec<&str> = out.iter().map(|(k, _)| *k).collect();
            out.extend(
                details
                    .iter()
                    .filter(|(k, _)| !top.contains(&k.as_str()))
                    .map(|(k, v)| (k.as_str(), v)),
            );
        }
    }
    out
}

/// Fields an endpoint takes only on creation. An update leaves them out of its body
/// (`apply`'s write), and a change of one cannot be applied in place.
pub fn is_create_only(r: &Resource, field: &str) -> bool {
    matches!((r.schema, field), ("approle-role", "local_secret_ids"))
}

/// Whether the program sets `field` under its other name: Vault's token fields read back
/// under both the current (`token_ttl`) and the older name (`ttl`).
fn alias_in(r: &Resource, field: &str) -> bool {
    match field.strip_prefix("token_") {
        Some(old) => r.body.contains_key(old),
        None => r.body.contains_key(format!("token_{field}").as_str()),
    }
}

/// What a merging write sends to put `field` back to its default: the server's default
/// when known ([`server_default`]), else the empty value of its JSON type (which such a
/// write stores as sent). `None` for a field of no known type.
pub fn reset_value(r: &Resource, field: &str) -> Option<Json> {
    if is_mount(r) && MOUNT_TTLS.contains(&field) {
        return Some(Json::from(0));
    }
    server_default(r, field).or_else(|| empty_of(kp_schema::endpoint(r.schema)?.field(field)?))
}

/// The empty value of a field's JSON type: what Vault reads back for most fields nobody
/// set. `None` for a field of no known type.
fn empty_of(f: &kp_schema::Field) -> Option<Json> {
    Some(match f.json_type {
        kp_schema::JsonType::String => Json::String(String::new()),
        kp_schema::JsonType::Integer => Json::from(0),
        kp_schema::JsonType::Boolean => Json::Bool(false),
        kp_schema::JsonType::Array => Json::Array(Vec::new()),
        kp_schema::JsonType::Object => Json::Object(serde_json::Map::new()),
        kp_schema::JsonType::Any => return None,
    })
}

/// The fields an update of `r` sends to reset `p.resets`: each with its
/// [`reset_value`]. None for a whole-object write, which resets what it leaves out.
pub fn reset_body(program: &Program, r: &Resource, p: &ResourcePlan) -> Vec<(String, Json)> {
    if !is_mount(r) && replaces_whole(program, r) {
        return Vec::new();
    }
    p.resets
        .iter()
        .filter_map(|f| Some((f.clone(), reset_value(r, f)?)))
        .collect()
}

/// A reset value as a program value, to compare it as the program's values are.
fn as_value(j: &Json) -> Option<Value> {
    Some(match j {
        Json::String(s) => Value::Str(s.clone()),
        Json::Number(n) => Value::Int(n.as_i64()?),
        Json::Bool(b) => Value::Bool(*b),
        Json::Array(items) => Value::List(items.iter().map(as_value).collect::<Option<_>>()?),
        Json::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| Some((k.clone(), as_value(v)?)))
                .collect::<Option<_>>()?,
        ),
        Json::Null => return None,
    })
}

/// A KV mount at version 2 on the server that the program asks for at version 1 (or
/// without a version): the server refuses the downgrade, so apply could never converge.
fn kv_downgrade(r: &Resource, data: &Json) -> bool {
    let live = data
        .get("options")
        .and_then(|o| o.get("version"))
        .and_then(Json::as_str);
    let want = match r.body.get("options") {
        Some(Value::Map(m)) => m.get("version").and_then(|v| match v {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }),
        _ => None,
    };
    live == Some("2") && want.unwrap_or("1") == "1"
}

/// What the server stores for a value it rewrites on write, when it does: the value
/// is compared in that form. A token's display name is kept as `token-NAME`, each
/// character other than a letter, digit or `-` made `-` and a final `-` dropped
/// (Vault's and OpenBao's token store).
fn stored_form(kind: ResourceKind, field: &str, want: &Value) -> Option<Value> {
    match (kind, field, want) {
        (ResourceKind::Token, "display_name", Value::Str(name)) if !name.is_empty() => {
            let full: String = format!("token-{name}")
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            Some(Value::Str(full.trim_end_matches('-').to_string()))
        }
        _ => None,
    }
}

/// Whether the server generated this field's value from what the program asked for
/// (an SSH CA's `public_key` with `generate_signing_key`): leaving it out of the
/// program does not reset it.
fn is_generated(r: &Resource, field: &str) -> bool {
    // `generate_signing_key` defaults to true: a `ca {}` without a key of its own has one
    // the server made.
    field == "public_key"
        && r.schema == "ssh-ca"
        && !r.body.contains_key("private_key")
        && !matches!(r.body.get("generate_signing_key"), Some(Value::Bool(false)))
}

fn field_type(r: &Resource, field: &str) -> Option<kp_schema::FieldType> {
    kp_schema::endpoint(r.schema)
        .and_then(|ep| ep.field(field))
        .map(|f| f.ty)
}

/// Whether a list's or a map's `env()` values are compared with the server's: text,
/// which the server stores as given, as the items of a list or the values of a map.
fn comparable_env_field(r: &Resource, field: &str, want: &Value) -> bool {
    use kp_schema::FieldType as T;
    let ty = field_type(r, field);
    match want {
        Value::List(_) => matches!(ty, Some(T::List | T::CommaList)),
        Value::Map(_) => ty == Some(T::Map),
        _ => false,
    }
}

/// An `env()` value of a scalar field as the server reads it: text as given, a duration
/// as its seconds (`1h`, `90m30s`, `3600`), a number, a bool (Go's spellings). `None`
/// when it does not read as one: not compared rather than planned as a change every run
/// (`token_ttl = env("TTL")` holding `1h` against the server's 3600).
fn env_scalar(r: &Resource, field: &str, raw: &str) -> Option<Value> {
    use kp_schema::FieldType as T;
    let text = raw.trim();
    Some(match field_type(r, field)? {
        T::String => Value::Str(raw.to_string()),
        T::Duration => Value::Int(
            text.parse::<i64>()
                .ok()
                .or_else(|| normalize::go_duration(text))?,
        ),
        T::Int => Value::Int(text.parse().ok()?),
        T::Bool => Value::Bool(match text {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => true,
            "0" | "f" | "F" | "false" | "FALSE" | "False" => false,
            _ => return None,
        }),
        _ => return None,
    })
}

/// Whether a value holds a secret written as a literal, at any depth.
pub(crate) fn holds_literal_secret(v: &Value) -> bool {
    match v {
        Value::Secret(_) => true,
        Value::List(items) => items.iter().any(holds_literal_secret),
        Value::Map(m) => m.values().any(holds_literal_secret),
        _ => false,
    }
}

/// `v` with each `env()` replaced by its variable's value, or `None` when one is not set
/// or `v` holds a literal secret.
fn with_env_values(v: &Value, env: Env<'_>) -> Option<Value> {
    Some(match v {
        Value::Env(e) => Value::Str(env(&e.env)?),
        Value::Secret(_) => return None,
        Value::List(items) => Value::List(
            items
                .iter()
                .map(|v| with_env_values(v, env))
                .collect::<Option<_>>()?,
        ),
        Value::Map(m) => Value::Map(
            m.iter()
                .map(|(k, v)| Some((k.to_string(), with_env_values(v, env)?)))
                .collect::<Option<_>>()?,
        ),
        other => other.clone(),
    })
}

/// Whether the program's value of `field` (in its stored form) is the server's `old`.
fn same_value(r: &Resource, field: &str, want: &Value, old: &Json, is_mount: bool) -> bool {
    if r.kind == ResourceKind::Token && field == "policies" {
        same_token_policies(want, old)
    } else if let (ResourceKind::Policy, "policy", Some(w), Json::String(l)) =
        (r.kind, field, want.policy_text(), old)
    {
        // The same rules in another layout (a policy written by hand, then imported)
        // are the same policy.
        kp_import::policy::same_policy(&w, l)
    } else if is_mount {
        normalize::same(want, old, MapRule::Subset)
    } else {
        normalize::same(want, old, MapRule::of(r.schema, field))
    }
}

fn from_periodic_role(program: &Program, token: &Resource) -> bool {
    let Some(role) = token.path.strip_prefix("auth/token/create/") else {
        return false;
    };
    let role_id = format!("auth/token/roles/{role}");
    program
        .resources
        .iter()
        .find(|r| r.id == role_id)
        .is_some_and(|r| {
            ["token_period", "period"]
                .iter()
                .any(|f| matches!(r.body.get(f), Some(Value::Int(p)) if *p > 0))
        })
}

/// Where a body field is found in what the server reads back.
fn lookup<'a>(kind: ResourceKind, data: &'a Json, field: &str) -> Option<&'a Json> {
    let alias = match (kind, field) {
        (ResourceKind::Connection, "root_rotation_statements") => {
            "root_credentials_rotate_statements"
        }
        (ResourceKind::Token, "ttl") => "creation_ttl",
        _ => field,
    };
    data.get(alias)
        .or_else(|| data.get("connection_details").and_then(|d| d.get(alias)))
        .or_else(|| {
            matches!(kind, ResourceKind::AuthMount | ResourceKind::SecretsMount)
                .then(|| data.get("config").and_then(|d| d.get(alias)))
                .flatten()
        })
}

/// A token's policies read back with `default` added unless the token opted out.
fn same_token_policies(want: &Value, live: &Json) -> bool {
    let strip = |v: Json| match v {
        Json::Array(a) => Json::Array(a.into_iter().filter(|p| p != "default").collect()),
        other => other,
    };
    let want_stripped = match want {
        Value::List(l) => Value::List(
            l.iter()
                .filter(|v| !matches!(v, Value::Str(s) if s == "default"))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    };
    normalize::same(&want_stripped, &strip(live.clone()), MapRule::Exact)
}

/// Whether a write of this resource replaces the whole object: the endpoint schema's
/// `write` mode, or for resources without a known schema the endpoints SCENARIOS.md
/// lists (a JWT/OIDC method's config, SSH roles, AWS root config).
fn replaces_whole(program: &Program, r: &Resource) -> bool {
    if let Some(ep) = kp_schema::endpoint(r.schema) {
        return ep.write == kp_schema::WriteMode::Replace;
    }
    let mount_type = r
        .mount
        .as_ref()
        .and_then(|m| program.resources.iter().find(|x| &x.id == m))
        .and_then(|m| match m.body.get("type") {
            Some(Value::Str(t)) => Some(t.as_str()),
            _ => None,
        });
    let segments: Vec<&str> = r.path.split('/').collect();
    matches!(
        (mount_type, segments.as_slice()),
        (Some("jwt" | "oidc"), ["auth", _, "config"])
            | (Some("ssh"), [_, "roles", _])
            | (Some("aws"), [_, "config", "root"])
    )
}

/// Values the server reports for fields nobody set: not worth a "will reset" line.
fn is_server_default(r: &Resource, field: &str, v: &Json) -> bool {
    server_default(r, field).is_some_and(|d| d == *v)
}

/// What the server holds for a field nobody set: the schema's default, else one measured
/// on OpenBao 2.7.2 where the schema states none ([`measured_default`], then the empty
/// value of the field's type on an endpoint of [`MEASURED_EMPTY`]). `None` when none
/// knows: the plan then says `(default)` without a value rather than make one up (an SSH
/// role's `port` is 22, not the `0` of its type).
pub fn server_default(r: &Resource, field: &str) -> Option<Json> {
    // A certificate role without a display name takes its own name (OpenBao 2.7.2).
    if (r.schema, field) == ("cert-role", "display_name") {
        return Some(Json::from(r.name.as_str()));
    }
    let schema = kp_schema::endpoint(r.schema);
    let f = schema.and_then(|ep| ep.field(field));
    if let Some(d) = f.and_then(|f| f.default.clone()) {
        return Some(d);
    }
    // A resource without a known schema (hand-made, or an endpoint the catalog lacks)
    // is known by its path, as `replaces_whole` knows it.
    let id = if schema.is_some() {
        r.schema
    } else {
        match r.path.split('/').collect::<Vec<_>>().as_slice() {
            [_, "roles", _] => "ssh-role",
            ["auth", _, "config"] => "jwt-config",
            _ => return None,
        }
    };
    measured_default(id, field).or_else(|| {
        f.filter(|_| MEASURED_EMPTY.contains(&id))
            .and_then(empty_of)
    })
}

/// Whole-object endpoints whose every field without a default of its own (schema or
/// [`measured_default`]) reads back as the empty value of its type when a write leaves
/// it out (OpenBao 2.7.2: an OTP and a CA SSH role, a JWT method's config written with
/// one field). On another such endpoint a reset's value is not known.
const MEASURED_EMPTY: [&str; 2] = ["ssh-role", "jwt-config"];

/// Defaults the schemas do not state, as the server reads them back for a field nobody
/// set (OpenBao 2.7.2): an SSH role's port and issuer, a JWT method's
/// `namespace_in_state`. Also those the SSH role schema states, for a resource known only
/// by its path.
fn measured_default(schema: &str, field: &str) -> Option<Json> {
    Some(match (schema, field) {
        ("ssh-role", "port") => Json::from(22),
        ("ssh-role", "algorithm_signer" | "issuer_ref") => Json::from("default"),
        ("ssh-role", "not_before_duration") => Json::from(30),
        ("ssh-role", "default_extensions_template") => Json::Bool(false),
        ("jwt-config", "namespace_in_state") => Json::Bool(true),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    // A program that does not compile fails the test with its diagnostics.
    #![allow(clippy::expect_used)]

    use super::*;
    use std::collections::HashMap;

    fn compiled(source: &str) -> Program {
        let target = kp_schema::Target::Vault;
        keyplan::compile(source, &keyplan::Options { target })
            .program
            .expect("the program compiles")
    }

    /// The AWS root config is a whole-object write, on a server (Vault) whose defaults no
    /// test here measured: a reset of a field whose schema states no default shows no
    /// value (`null`, `(default)`) rather than the empty value of its type.
    #[test]
    fn a_reset_of_unknown_default_shows_no_made_up_value() {
        let program = compiled("secrets aws {\n  root {\n    region = \"us-west-2\"\n  }\n}\n");
        let root = program
            .resources
            .iter()
            .find(|r| r.schema == "aws-root")
            .expect("an aws-root resource");
        let live = LiveState {
            resources: HashMap::from([(
                root.id.to_string(),
                Live::Present(serde_json::json!({
                    "region": "us-west-2",
                    "iam_endpoint": "https://iam.example.com",
                    "max_retries": 3,
                })),
            )]),
            ..LiveState::default()
        };
        let plan = plan(&program, &live);
        let p = plan.get(root.id.as_str()).expect("planned");
        assert_eq!(p.resets, ["iam_endpoint", "max_retries"]);
        let new: Vec<(&str, &Json)> = p
            .changes
            .iter()
            .map(|c| (c.field.as_str(), &c.new))
            .collect();
        // `max_retries` has a schema default (-1); `iam_endpoint` has none.
        assert_eq!(
            new,
            [
                ("iam_endpoint", &Json::Null),
                ("max_retries", &Json::from(-1))
            ]
        );
        let text = crate::render::plan_text(&plan, "http://vault");
        assert!(
            text.contains("iam_endpoint: \"https://iam.example.com\" -> (default)\n")
                && text.contains("max_retries: 3 -> -1 (default)\n"),
            "{text}"
        );
    }

    /// The Kubernetes config's deprecated `issuer` is no other field's older name (as a
    /// role's `ttl` is `token_ttl`'s): one the server holds and the program left out is
    /// drift, reset by the config's whole-object write, not `unchanged`.
    #[test]
    fn a_kubernetes_issuer_left_out_is_drift() {
        let program =
            compiled("auth kubernetes {\n  kubernetes_host = \"https://10.0.0.1:6443\"\n}\n");
        let config = program
            .resources
            .iter()
            .find(|r| r.schema == "kubernetes-config")
            .expect("a kubernetes-config resource");
        let live = LiveState {
            resources: HashMap::from([(
                config.id.to_string(),
                Live::Present(serde_json::json!({
                    "kubernetes_host": "https://10.0.0.1:6443",
                    "issuer": "https://kubernetes.default.svc",
                    "disable_iss_validation": true,
                })),
            )]),
            ..LiveState::default()
        };
        let plan = plan(&program, &live);
        let p = plan.get(config.id.as_str()).expect("planned");
        assert_eq!(p.action, Action::Update);
        assert_eq!(p.resets, ["issuer"]);
    }

    /// An SSH CA reads back only its public key: a `key_type` the key is not of (an
    /// ed25519 CA, the program asking for RSA) is a change, not "not compared".
    #[test]
    fn an_ssh_ca_of_another_key_type_is_a_change() {
        let program = compiled(
            "secrets ssh {\n  ca {\n    generate_signing_key = true\n    key_type = \"rsa\"\n  }\n}\n",
        );
        let ca = program
            .resources
            .iter()
            .find(|r| r.schema == "ssh-ca")
            .expect("an ssh-ca resource");
        let with_key = |key: &str| LiveState {
            resources: HashMap::from([(
                ca.id.to_string(),
                Live::Present(serde_json::json!({ "public_key": key })),
            )]),
            ..LiveState::default()
        };
        let ed = plan(&program, &with_key("ssh-ed25519 AAAAC3Nz"));
        let p = ed.get(ca.id.as_str()).expect("planned");
        assert_eq!(p.action, Action::Update);
        assert_eq!(p.changes[0].field, "key_type");
        let rsa = plan(&program, &with_key("ssh-rsa AAAAB3Nz"));
        let p = rsa.get(ca.id.as_str()).expect("planned");
        assert_eq!(p.action, Action::Unchanged, "{:?}", p.changes);
    }

    /// A token's `num_uses` reads back as the uses it has left (OpenBao 2.7.2: 10, then
    /// 9 after one request): a used token is unchanged, not replaced (which would revoke
    /// the token its holder uses); one with more uses left than the program gives, or an
    /// unlimited one, is a change.
    #[test]
    fn a_used_token_is_not_replaced() {
        let program = compiled(
            "policy p {\n  path \"secret/*\" {\n    capabilities = [read]\n  }\n}\n\
             auth token {\n  role bots {\n    allowed_policies = [p]\n  }\n}\n\
             token bot {\n  role = bots\n  policies = [p]\n  num_uses = 10\n}\n",
        );
        let token = program
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Token)
            .expect("a token");
        let with_uses = |left: i64| LiveState {
            resources: HashMap::from([(
                token.id.to_string(),
                Live::Token {
                    accessor: "acc".to_string(),
                    data: serde_json::json!({ "policies": ["default", "p"], "num_uses": left }),
                    ttl_cap: None,
                },
            )]),
            ..LiveState::default()
        };
        for left in [10, 9, 1] {
            let plan = plan(&program, &with_uses(left));
            let p = plan.get(token.id.as_str()).expect("planned");
            assert_eq!(p.action, Action::Unchanged, "{left} left: {:?}", p.changes);
        }
        for left in [11, 0] {
            let plan = plan(&program, &with_uses(left));
            let p = plan.get(token.id.as_str()).expect("planned");
            assert_eq!(p.action, Action::Replace, "{left} left");
            assert_eq!(p.changes[0].field, "num_uses");
        }
    }

    /// A TTL over the token store's maximum is capped at creation (OpenBao 2.7.2: 1000h
    /// reads back as 2764800): the same token, not a replace on every plan. A TTL below
    /// the cap that differs, or one capped lower than the maximum, is still a change.
    #[test]
    fn a_token_capped_at_the_maximum_ttl_is_not_replaced() {
        let program = compiled(
            "auth token {\n  role bots {\n    allowed_policies = [p]\n  }\n}\n\
             policy p {\n  path \"secret/data/x\" {\n    capabilities = [read]\n  }\n}\n\
             token bot {\n  role = bots\n  policies = [p]\n  ttl = 1000h\n}\n",
        );
        let token = program
            .resources
            .iter()
            .find(|r| r.kind == ResourceKind::Token)
            .expect("a token");
        let with_ttl = |creation: i64, cap: Option<i64>| LiveState {
            resources: HashMap::from([(
                token.id.to_string(),
                Live::Token {
                    accessor: "acc".to_string(),
                    data: serde_json::json!({ "policies": ["default", "p"], "creation_ttl": creation }),
                    ttl_cap: cap,
                },
            )]),
            ..LiveState::default()
        };
        let action = |creation, cap| {
            let plan = plan(&program, &with_ttl(creation, cap));
            plan.get(token.id.as_str()).expect("planned").action
        };
        assert_eq!(action(2_764_800, Some(2_764_800)), Action::Unchanged);
        assert_eq!(action(3_600_000, None), Action::Unchanged);
        assert_eq!(action(2_764_800, None), Action::Replace);
        assert_eq!(action(86_400, Some(2_764_800)), Action::Replace);
    }
}
