//! Saved plans for CI: `keyplan plan FILE -o plan.json` writes the calls a plan would
//! make, each with a fingerprint of the live state it was computed from;
//! `keyplan apply plan.json` makes exactly those calls, after proving (by reading the
//! server again) that no planned resource changed in between.
//!
//! A saved plan never holds a secret: an `env("X")` value is left `null` in the body
//! and named in the call's `secrets` (a JSON pointer and the variable), so the file can
//! be kept as a CI artifact. The schema is `schemas/output/saved-plan.schema.json`.

use std::collections::BTreeMap;

use keyplan::ir::{Body, EnvRef, Program, Resource, ResourceKind, Value};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::diff::{keeps_rotated_password, Action, FieldChange, Plan, ResourcePlan};
use crate::error::{LiveError, Result};
use crate::removals::{self, Removal};
use crate::state::{Live, LiveState};

/// The `format` of the files this version writes and reads.
pub const FORMAT: &str = "keyplan-plan/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format: String,
    /// The server the plan was computed against: applying elsewhere is refused.
    pub addr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The calls, in the program's order (`apply` orders them by `depends_on`).
    pub calls: Vec<SavedCall>,
    /// Resources under the program's mounts it does not declare (information only: a
    /// saved plan deletes only what `--previous` removed, listed in `calls`).
    #[serde(default)]
    pub unmanaged: Vec<String>,
    /// Tokens the previous version declared and the program does not, whose accessor was
    /// not recorded under the `--token-out` the plan was computed with (a pull request's
    /// plan has no token directory): `apply` revokes each through the accessor recorded
    /// under its own `--token-out`, as a direct `apply --previous` does, and names those
    /// it cannot find there in a note. Names only: never a token or an accessor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoke_tokens: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedCall {
    pub id: String,
    pub kind: ResourceKind,
    pub action: Action,
    /// The HTTP method; mounts that exist already are updated through `.../tune`.
    pub method: String,
    pub path: String,
    /// Where the resource is read back from, to check the fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_path: Option<String>,
    /// The resource's name (a token's name is its file under `--token-out`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// The request body in API form; secrets are `null` here and listed in `secrets`.
    pub body: Map<String, Json>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<SecretRef>,
    /// The changes the plan showed (secrets as `(secret from env X)`).
    #[serde(default)]
    pub changes: Vec<FieldChange>,
    /// `sha256:` of the canonical JSON of what the server held for this resource.
    pub fingerprint: String,
    /// A deletion's dependency level in the previous program: higher levels first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<usize>,
    /// A mount deletion: the data it destroys (applying needs `--allow-destroy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destroys: Option<String>,
}

/// A secret of a body: where it goes and which environment variable holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRef {
    /// JSON pointer into `body`, e.g. `/password`.
    pub pointer: String,
    pub env: String,
}

/// The saved form of `plan`: one call per resource that changes. A resource that
/// changes and holds a literal secret is refused: the file holds secrets only as
/// references to environment variables. So is a change that cannot be applied
/// ([`ResourcePlan::blocked`](crate::diff::ResourcePlan::blocked)).
pub fn save(
    program: &Program,
    plan: &Plan,
    live: &LiveState,
    addr: &str,
    namespace: Option<&str>,
) -> Result<SavedPlan> {
    for rp in plan
        .resources
        .iter()
        .filter(|rp| rp.action != Action::Unchanged)
    {
        // A change apply would refuse (a nested mount, a fixed field) is not saved for
        // later: applied from the file, where the reason is not kept, it would reach the
        // server and fail there, half-way through the plan.
        if let Some(reason) = &rp.blocked {
            let (id, reason) = (rp.id.clone(), reason.clone());
            return Err(match rp.action {
                Action::Create => LiveError::CannotCreate { id, reason },
                _ => LiveError::Immutable { id, reason },
            });
        }
        if let Some(r) = program.resources.iter().find(|r| r.id == rp.id) {
            if r.body.values().any(crate::diff::holds_literal_secret) {
                return Err(LiveError::LiteralSecretInPlan {
                    id: r.id.to_string(),
                });
            }
        }
    }
    let mut calls: Vec<SavedCall> = plan
        .resources
        .iter()
        .filter(|rp| rp.action != Action::Unchanged)
        .filter_map(|rp| {
            let r = program.resources.iter().find(|r| r.id == rp.id)?;
            let state = live.resources.get(r.id.as_str()).unwrap_or(&Live::Absent);
            let mut c = call(r, rp, state);
            // The defaults that reset what the program leaves out travel in the body; a
            // field the server takes only on creation does not, in an update.
            c.body.extend(crate::diff::reset_body(program, r, rp));
            if rp.action == Action::Update {
                c.body
                    .retain(|field, _| !crate::diff::is_create_only(r, field));
            }
            if keeps_rotated_password(program, r, rp) {
                c.body.remove("password");
                c.secrets.retain(|s| s.pointer != "/password");
            }
            Some(c)
        })
        .collect();
    calls.extend(plan.removals.iter().map(delete_call));
    Ok(SavedPlan {
        format: FORMAT.to_string(),
        addr: addr.to_string(),
        namespace: namespace.map(str::to_string),
        calls,
        unmanaged: plan.unmanaged.clone(),
        revoke_tokens: plan.unrevoked_tokens.clone(),
    })
}

fn call(r: &Resource, rp: &ResourcePlan, state: &Live) -> SavedCall {
    let mut secrets = Vec::new();
    let body = r
        .body
        .iter()
        .map(|(k, v)| {
            let pointer = format!("/{}", escape(k));
            (k.to_string(), symbolic(v, &pointer, &mut secrets))
        })
        .collect();
    let is_mount = crate::diff::is_mount(r);
    let path = if is_mount && rp.action == Action::Update {
        format!("{}/tune", r.id.trim_end_matches('/'))
    } else {
        r.path.to_string()
    };
    SavedCall {
        id: r.id.to_string(),
        kind: r.kind,
        action: rp.action,
        method: "POST".to_string(),
        path,
        read_path: r.read_path.as_deref().map(String::from),
        name: r.name.to_string(),
        mount: r.mount.as_deref().map(String::from),
        depends_on: r.depends_on.iter().map(|d| d.to_string()).collect(),
        body,
        secrets,
        changes: rp.changes.clone(),
        fingerprint: fingerprint(state),
        level: None,
        destroys: None,
    }
}

/// A deletion: the call that makes it, fingerprinted like any other.
fn delete_call(removal: &Removal) -> SavedCall {
    let r = &removal.resource;
    let (method, path, body) = removals::call(r, &removal.live);
    SavedCall {
        id: r.id.to_string(),
        kind: r.kind,
        action: Action::Delete,
        method: method.to_string(),
        path,
        read_path: r.read_path.as_deref().map(String::from),
        name: r.name.to_string(),
        mount: r.mount.as_deref().map(String::from),
        depends_on: r.depends_on.iter().map(|d| d.to_string()).collect(),
        body: match body {
            Json::Object(o) => o,
            _ => Map::new(),
        },
        secrets: Vec::new(),
        changes: Vec::new(),
        fingerprint: fingerprint(&removal.live),
        level: Some(removal.level),
        destroys: removals::destroys(r),
    }
}

/// A body value with every secret replaced by `null` and recorded in `secrets`.
fn symbolic(v: &Value, pointer: &str, secrets: &mut Vec<SecretRef>) -> Json {
    match v {
        Value::Env(EnvRef { env }) => {
            secrets.push(SecretRef {
                pointer: pointer.to_string(),
                env: env.clone(),
            });
            Json::Null
        }
        // A literal secret cannot be a reference: `save` refuses such a plan first.
        Value::Secret(_) => Json::Null,
        Value::Str(s) => Json::String(s.clone()),
        Value::Policy(doc) => Json::String(doc.to_hcl()),
        Value::Int(i) => Json::from(*i),
        Value::Bool(b) => Json::Bool(*b),
        Value::List(l) => Json::Array(
            l.iter()
                .enumerate()
                .map(|(i, v)| symbolic(v, &format!("{pointer}/{i}"), secrets))
                .collect(),
        ),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        symbolic(v, &format!("{pointer}/{}", escape(k)), secrets),
                    )
                })
                .collect(),
        ),
    }
}

/// RFC 6901 escaping of one pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// What the server held, as a digest. A token's lookup changes every second (its
/// remaining `ttl`), so a token is identified by its accessor alone.
pub fn fingerprint(state: &Live) -> String {
    let canonical = match state {
        Live::Absent => "absent".to_string(),
        Live::Present(data) => canonical(data),
        Live::Token { accessor, .. } => format!("token:{accessor}"),
    };
    let digest = Sha256::digest(canonical.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// JSON with object keys sorted at every level, so the digest does not depend on the
/// order the server wrote them in.
fn canonical(v: &Json) -> String {
    fn sort(v: &Json) -> Json {
        match v {
            Json::Object(o) => {
                let sorted: BTreeMap<&String, Json> = o.iter().map(|(k, v)| (k, sort(v))).collect();
                Json::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Json::Array(a) => Json::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}

/// Parses a saved plan file, refusing other formats.
pub fn parse(text: &str, path: &str) -> Result<SavedPlan> {
    let saved: SavedPlan = serde_json::from_str(text).map_err(|e| LiveError::BadPlanFile {
        path: path.to_string(),
        reason: e.to_string(),
    })?;
    if saved.format != FORMAT {
        return Err(LiveError::BadPlanFile {
            path: path.to_string(),
            reason: format!(
                "format `{}` is not `{FORMAT}`: plan again with this keyplan",
                saved.format
            ),
        });
    }
    Ok(saved)
}

/// The program and plan a saved plan stands for: only the resources it changes. Its
/// deletions are in `plan.removals`, their live state still to be read
/// ([`Live::Absent`] until then); its `revoke_tokens` are not, until `apply` finds them
/// ([`crate::removals::plan_saved_revocations`]).
pub fn restore(saved: &SavedPlan) -> Result<(Program, Plan)> {
    let mut program = Program::default();
    let mut plan = Plan::default();
    for c in &saved.calls {
        if c.action == Action::Delete {
            plan.resources.push(ResourcePlan {
                id: c.id.clone(),
                kind: c.kind,
                action: Action::Delete,
                changes: Vec::new(),
                resets: Vec::new(),
                not_compared: Vec::new(),
                blocked: None,
                destroys: c.destroys.clone(),
            });
            plan.removals.push(Removal {
                resource: removed_resource(c),
                live: Live::Absent,
                level: c.level.unwrap_or(0),
            });
            continue;
        }
        let mut body = Body::with_capacity(c.body.len());
        for (k, v) in &c.body {
            body.insert(k.clone(), value_of(v));
        }
        for s in &c.secrets {
            place_secret(&mut body, s).ok_or_else(|| LiveError::BadPlanFile {
                path: c.id.clone(),
                reason: format!("secret pointer `{}` points at nothing", s.pointer),
            })?;
        }
        program.resources.push(Resource {
            id: c.id.as_str().into(),
            kind: c.kind,
            name: c.name.as_str().into(),
            // Mount updates are written through `tune` by the applier from the id.
            path: if c.path.ends_with("/tune") && c.action == Action::Update {
                c.id.as_str().into()
            } else {
                c.path.as_str().into()
            },
            read_path: c.read_path.as_deref().map(Into::into),
            schema: "",
            body,
            depends_on: c.depends_on.iter().map(|d| d.as_str().into()).collect(),
            mount: c.mount.as_deref().map(Into::into),
            workload: None,
            policy: None,
            span: keyplan::Span::default(),
        });
        plan.resources.push(ResourcePlan {
            id: c.id.clone(),
            kind: c.kind,
            action: c.action,
            changes: c.changes.clone(),
            resets: Vec::new(),
            not_compared: Vec::new(),
            blocked: None,
            destroys: None,
        });
    }
    Ok((program, plan))
}

/// The resource a saved deletion names, enough to read it back and delete it: a mount
/// by its id, a token by its name (its accessor is read from `--token-out` again).
fn removed_resource(c: &SavedCall) -> Resource {
    Resource {
        id: c.id.as_str().into(),
        kind: c.kind,
        name: c.name.as_str().into(),
        // A token's path is not needed: it is read and revoked through its accessor.
        path: c.path.as_str().into(),
        read_path: c.read_path.as_deref().map(Into::into),
        schema: "",
        body: Body::new(),
        depends_on: c.depends_on.iter().map(|d| d.as_str().into()).collect(),
        mount: c.mount.as_deref().map(Into::into),
        workload: None,
        policy: None,
        span: keyplan::Span::default(),
    }
}

fn value_of(v: &Json) -> Value {
    match v {
        Json::String(s) => Value::Str(s.clone()),
        Json::Number(n) => Value::Int(n.as_i64().unwrap_or_default()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Array(a) => Value::List(a.iter().map(value_of).collect()),
        Json::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), value_of(v))).collect()),
        // Only secrets are null in a saved body; they are put back by pointer.
        Json::Null => Value::Str(String::new()),
    }
}

fn place_secret(body: &mut Body, s: &SecretRef) -> Option<()> {
    let mut segs = s
        .pointer
        .strip_prefix('/')?
        .split('/')
        .map(|seg| seg.replace("~1", "/").replace("~0", "~"));
    let first = segs.next()?;
    let mut at = body.get_mut(&first)?;
    for seg in segs {
        at = match at {
            Value::List(l) => l.get_mut(seg.parse::<usize>().ok()?)?,
            Value::Map(m) => m.get_mut(&seg)?,
            _ => return None,
        };
    }
    *at = Value::Env(EnvRef { env: s.env.clone() });
    Some(())
}

/// The calls whose resource changed on the server since the plan was saved.
pub fn stale(saved: &SavedPlan, live: &LiveState) -> Vec<String> {
    saved
        .calls
        .iter()
        .filter(|c| {
            fingerprint(live.resources.get(&c.id).unwrap_or(&Live::Absent)) != c.fingerprint
        })
        .map(|c| c.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprints_ignore_key_order_and_see_values() {
        let a = Live::Present(json!({"a": 1, "b": [1, 2]}));
        let b = Live::Present(json!({"b": [1, 2], "a": 1}));
        let c = Live::Present(json!({"a": 2, "b": [1, 2]}));
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert_ne!(fingerprint(&a), fingerprint(&Live::Absent));
    }

    #[test]
    fn secrets_are_references_and_come_back_by_pointer() {
        let v = Value::Map(Body::from([(
            "a/b".to_string(),
            Value::List(vec![
                Value::Str("x".into()),
                Value::Env(EnvRef { env: "S".into() }),
            ]),
        )]));
        let mut secrets = Vec::new();
        let json = symbolic(&v, "/f", &mut secrets);
        assert_eq!(json, json!({"a/b": ["x", null]}));
        assert_eq!(secrets[0].pointer, "/f/a~1b/1");
        let mut body = Body::from([("f".to_string(), value_of(&json))]);
        place_secret(&mut body, &secrets[0]).unwrap();
        assert_eq!(body.get("f"), Some(&v));
    }
}
