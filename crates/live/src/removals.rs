//! Deletions: what the previous version of a program (`--previous OLD`) declared and
//! this one no longer does. The previous version is the state: no state file, nothing
//! secret kept anywhere. A resource is planned for deletion only when it still exists
//! on the server; deletions run after every other change, deepest dependency first
//! (a token before its role, roles before the policies and mounts they use). A mount
//! holds data, so deleting one needs `--allow-destroy`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use keyplan::ir::{Program, Resource, ResourceKind, Value};
use serde_json::json;

use crate::client::{Client, Retry};
use crate::diff::{Action, Plan, ResourcePlan};
use crate::error::{LiveError, Result};
use crate::state::{self, mount_path, Live};
use crate::tokens;

/// One planned deletion.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// The resource as the previous program declared it.
    pub resource: Resource,
    /// What the server holds for it now (present, or a token with its accessor).
    pub live: Live,
    /// Its dependency level in the previous program: higher levels are deleted first.
    pub level: usize,
}

/// The previous program's resources that `program` no longer declares and that can be
/// deleted on their own. A config (`auth/jwt/config`, `aws/config/root`, ...) has no
/// delete endpoint and goes with its mount; only an SSH CA can be deleted alone; an
/// action (a root rotation) has nothing to delete. A
/// policy the program now names `extern` is managed elsewhere: never deleted; nor is
/// `default` or `root`, which the server keeps (its DELETE of them fails) whatever a
/// program wrote into them. Nor is a mount the program still writes under.
pub fn gone(previous: &Program, program: &Program) -> Program {
    let declared: BTreeSet<&str> = program.resources.iter().map(|r| r.id.as_str()).collect();
    let resources = previous
        .resources
        .iter()
        .filter(|r| !declared.contains(r.id.as_str()))
        .filter(|r| match r.kind {
            ResourceKind::Config => {
                r.path.ends_with("/config/ca")
                    && r.mount
                        .as_ref()
                        .is_none_or(|m| declared.contains(m.as_str()))
            }
            ResourceKind::Policy => {
                !program.extern_policies.iter().any(|e| *e == r.name)
                    && !matches!(r.name.as_str(), "default" | "root")
            }
            // A mount the program still writes under (a login on it, the mount now
            // managed elsewhere) stays: deleting it would destroy what the program declares.
            ResourceKind::AuthMount | ResourceKind::SecretsMount => {
                let auth = if r.kind == ResourceKind::AuthMount {
                    "auth/"
                } else {
                    ""
                };
                let under = format!("{auth}{}/", mount_path(r));
                !program.resources.iter().any(|p| p.path.starts_with(&under))
            }
            // A root rotation is a one-off call, not something the server keeps.
            ResourceKind::Action => false,
            _ => true,
        })
        .cloned()
        .collect();
    Program {
        resources,
        ..Program::default()
    }
}

/// `program` with the configs its previous version declared and it drops while keeping
/// their mount (a KV v2 mount's `config {}` removed, an auth method's config attributes
/// all removed), each with an empty body. Such a config has no delete endpoint, so
/// dropping it means its settings go back to the server's defaults: planned with no
/// field set, it resets what the server holds at other than the default, as a field
/// removed from a config the program keeps does. (Left out, the settings stayed on the
/// server, and the plan said the server matched.) An SSH CA is deleted instead.
pub fn with_dropped_configs(mut program: Program, previous: Option<&Program>) -> Program {
    let Some(previous) = previous else {
        return program;
    };
    let declared: BTreeSet<&str> = program.resources.iter().map(|r| r.id.as_str()).collect();
    let dropped: Vec<Resource> = previous
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::Config && !r.path.ends_with("/config/ca"))
        .filter(|r| !declared.contains(r.id.as_str()))
        .filter(|r| {
            r.mount
                .as_ref()
                .is_some_and(|m| declared.contains(m.as_str()))
        })
        .map(|r| Resource {
            body: keyplan::ir::Body::new(),
            ..r.clone()
        })
        .collect();
    program.resources.extend(dropped);
    program
}

/// Adds to `plan` the deletions of what `previous` declared and `program` does not,
/// reading the server for each.
pub fn plan_removals(
    client: &Client,
    plan: &mut Plan,
    previous: &Program,
    program: &Program,
    token_out: Option<&Path>,
) -> Result<()> {
    let mut gone = gone(previous, program);
    if gone.resources.is_empty() {
        return Ok(());
    }
    // A token is found (and revoked) only through the accessor recorded when it was
    // created: without it, the token is neither a deletion nor known to be gone. One
    // apply revoked keeps its accessor recorded as revoked: its lookup fails, so it is
    // neither a deletion nor named again.
    for r in &gone.resources {
        if r.kind == ResourceKind::Token && !accessor_recorded(token_out, &r.name) {
            unrevocable(plan, token_out, &r.name);
        }
    }
    plan.unrevoked_tokens.sort();
    plan.batch_tokens.sort();
    // Nor is a batch token, which has no accessor: it cannot be revoked (it expires),
    // though `plan` finds it by itself while the program declares it.
    gone.resources
        .retain(|r| r.kind != ResourceKind::Token || accessor_recorded(token_out, &r.name));
    let live = state::read_resources(client, &gone, token_out)?;
    add(plan, previous, gone.resources, &live);
    // What `add` made deletions is no longer a `--prune` candidate.
    plan.catch_all = crate::diff::catch_all(program, &plan.unmanaged);
    Ok(())
}

/// Adds to `plan` the revocations a saved plan left to `apply`
/// ([`crate::saved::SavedPlan::revoke_tokens`]): tokens the previous version declared
/// and the program does not, whose accessor was not recorded where the plan was
/// computed. Each is found as [`plan_removals`] finds one, through the accessor recorded
/// under `token_out` (apply's): a token still alive is a deletion, revoked before every
/// other one (nothing depends on a token); one without a recorded accessor is named in
/// `plan.unrevoked_tokens`; one revoked or expired since is nothing to do.
pub fn plan_saved_revocations(
    client: &Client,
    plan: &mut Plan,
    names: &[String],
    token_out: Option<&Path>,
) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let recorded = |name: &str| accessor_recorded(token_out, name);
    for name in names.iter().filter(|n| !recorded(n)) {
        unrevocable(plan, token_out, name);
    }
    plan.unrevoked_tokens.sort();
    plan.unrevoked_tokens.dedup();
    plan.batch_tokens.sort();
    plan.batch_tokens.dedup();
    let tokens = Program {
        resources: names
            .iter()
            .filter(|n| recorded(n))
            .map(|n| dropped_token(n))
            .collect(),
        ..Program::default()
    };
    let live = state::read_resources(client, &tokens, token_out)?;
    let level = plan.removals.iter().map(|r| r.level + 1).max().unwrap_or(0);
    let found: Vec<Removal> = tokens
        .resources
        .into_iter()
        .filter_map(|r| match live.get(r.id.as_str()) {
            Some(state @ Live::Token { .. }) => Some(Removal {
                live: state.clone(),
                resource: r,
                level,
            }),
            _ => None,
        })
        .collect();
    // Shown where they run: before the plan's other deletions.
    let at = plan
        .resources
        .iter()
        .position(|r| r.action == Action::Delete)
        .unwrap_or(plan.resources.len());
    plan.resources
        .splice(at..at, found.iter().map(resource_plan));
    plan.removals.extend(found);
    Ok(())
}

/// Whether token `name`'s accessor is recorded under `token_out`, live or revoked by
/// apply: the only way to find (and revoke) a token, or to know it is gone.
/// Names a dropped token that has no accessor recorded under `token_out`: a batch token
/// (recorded, without an accessor: the server gives none) or one whose fate is unknown.
fn unrevocable(plan: &mut Plan, token_out: Option<&Path>, name: &str) {
    let batch = token_out
        .and_then(|dir| tokens::recorded_token(dir, name))
        .is_some();
    let list = if batch {
        &mut plan.batch_tokens
    } else {
        &mut plan.unrevoked_tokens
    };
    list.push(name.to_string());
}

fn accessor_recorded(token_out: Option<&Path>, name: &str) -> bool {
    token_out
        .and_then(|dir| tokens::recorded_accessor(dir, name))
        .is_some()
}

/// A token the previous version declared, as much of it as finding and revoking it
/// needs: its id and name (its file under `--token-out`).
fn dropped_token(name: &str) -> Resource {
    Resource {
        id: keyplan::ir::ResourceId::concat(&["token/", name]),
        kind: ResourceKind::Token,
        name: name.into(),
        path: "auth/token/revoke-accessor".into(),
        read_path: None,
        schema: "",
        body: keyplan::ir::Body::new(),
        depends_on: Vec::new(),
        mount: None,
        workload: None,
        policy: None,
        span: keyplan::Span::default(),
    }
}

/// The pure half of [`plan_removals`]: a deletion for each resource of `gone` the server
/// still holds, ordered deepest level first (then by id, for stable output).
pub fn add(plan: &mut Plan, previous: &Program, gone: Vec<Resource>, live: &HashMap<String, Live>) {
    let levels = crate::apply::levels(previous);
    let mut removals: Vec<Removal> = gone
        .into_iter()
        .filter_map(|r| {
            let state = live.get(r.id.as_str())?;
            if matches!(state, Live::Absent) {
                return None;
            }
            Some(Removal {
                level: levels.get(r.id.as_str()).copied().unwrap_or(0),
                live: state.clone(),
                resource: r,
            })
        })
        .collect();
    removals.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.resource.id.cmp(&b.resource.id))
    });
    let ids: BTreeSet<&str> = removals.iter().map(|r| r.resource.id.as_str()).collect();
    // A role the program dropped from a mount it keeps is both undeclared and removed:
    // it is a deletion now, not a `--prune` candidate.
    plan.unmanaged.retain(|id| !ids.contains(id.as_str()));
    plan.resources.extend(removals.iter().map(resource_plan));
    plan.removals.extend(removals);
}

fn resource_plan(r: &Removal) -> ResourcePlan {
    ResourcePlan {
        id: r.resource.id.to_string(),
        kind: r.resource.kind,
        action: Action::Delete,
        changes: Vec::new(),
        resets: Vec::new(),
        not_compared: Vec::new(),
        blocked: None,
        destroys: destroys(&r.resource),
    }
}

/// For a mount: what deleting it destroys, e.g. "KV secrets engine at `kv/`: key/value
/// secrets, every version". `None` for everything else.
pub fn destroys(r: &Resource) -> Option<String> {
    let ty = match r.body.get("type") {
        Some(Value::Str(t)) => t.as_str(),
        _ => "",
    };
    let (what, data) = match (r.kind, ty) {
        (ResourceKind::SecretsMount, "kv") => {
            ("KV secrets engine", "its key/value secrets, every version")
        }
        (ResourceKind::SecretsMount, "database") => (
            "database secrets engine",
            "its connections and roles; the credentials it issued are revoked",
        ),
        (ResourceKind::SecretsMount, "ssh") => {
            ("SSH secrets engine", "its CA signing key and roles")
        }
        (ResourceKind::SecretsMount, "aws") => (
            "AWS secrets engine",
            "its root credentials and roles; the credentials it issued are revoked",
        ),
        (ResourceKind::SecretsMount, "pki") => (
            "PKI secrets engine",
            "its CA keys, roles and the records of issued certificates",
        ),
        (ResourceKind::SecretsMount, "transit") => (
            "transit secrets engine",
            "its encryption keys: what they encrypted can no longer be decrypted",
        ),
        (ResourceKind::SecretsMount, _) => ("secrets engine", "everything stored under it"),
        (ResourceKind::AuthMount, "jwt" | "oidc" | "kubernetes" | "cert") => (
            "auth method",
            "its config and roles; the tokens issued through it are revoked",
        ),
        (ResourceKind::AuthMount, "approle") => (
            "AppRole auth method",
            "its roles, role IDs and secret IDs; the tokens issued through it are revoked",
        ),
        (ResourceKind::AuthMount, "userpass") => (
            "userpass auth method",
            "its users and their passwords; the tokens issued through it are revoked",
        ),
        (ResourceKind::AuthMount, _) => (
            "auth method",
            "everything under it; the tokens issued through it are revoked",
        ),
        _ => return None,
    };
    let prefix = if r.kind == ResourceKind::AuthMount {
        "auth/"
    } else {
        ""
    };
    Some(format!(
        "{what} `{ty}` at `{prefix}{}/`: {data}",
        mount_path(r)
    ))
}

/// Refuses, before any call, a plan that deletes a mount unless `--allow-destroy` was
/// given, naming each mount and the data it holds.
pub fn check_destroy(plan: &Plan, allow_destroy: bool) -> Result<()> {
    if allow_destroy {
        return Ok(());
    }
    let mounts: Vec<String> = plan
        .resources
        .iter()
        .filter(|r| r.action == Action::Delete)
        .filter_map(|r| r.destroys.as_ref().map(|d| format!("`{}` ({d})", r.id)))
        .collect();
    if mounts.is_empty() {
        Ok(())
    } else {
        Err(LiveError::DestroyRefused {
            mounts: mounts.join("; "),
        })
    }
}

/// The call that deletes `r`: method, path and body. A token is revoked through its
/// accessor (not a secret), which is how `apply` recorded it.
pub fn call(r: &Resource, live: &Live) -> (&'static str, String, serde_json::Value) {
    match (r.kind, live) {
        (ResourceKind::Token, Live::Token { accessor, .. }) => (
            "POST",
            "auth/token/revoke-accessor".to_string(),
            json!({ "accessor": accessor }),
        ),
        (ResourceKind::AuthMount | ResourceKind::SecretsMount, _) => {
            ("DELETE", r.id.to_string(), json!({}))
        }
        _ => ("DELETE", r.path.to_string(), json!({})),
    }
}

/// Deletes one resource. A revoked token's files under `--token-out` are removed too (a
/// dead token left on disk only misleads), its accessor kept as revoked so that later
/// plans know it is gone.
pub fn delete(client: &Client, removal: &Removal, token_out: Option<&Path>) -> Result<()> {
    let r = &removal.resource;
    match call(r, &removal.live) {
        ("POST", path, body) => {
            match client.write(&path, &body, Retry::Idempotent) {
                Ok(_) => {}
                // Revoked or expired since the plan: the goal is met.
                Err(LiveError::Api { status: 400, .. }) => {}
                Err(e) => return Err(e),
            }
            if let (Some(dir), Live::Token { accessor, .. }) = (token_out, &removal.live) {
                tokens::forget(dir, &r.name, accessor)?;
            }
            Ok(())
        }
        (_, path, _) => client.delete(&path),
    }
}

#[cfg(test)]
mod tests {
    // A program that does not compile fails the test with its diagnostics.
    #![allow(clippy::expect_used)]

    use super::*;

    fn compiled(source: &str) -> Program {
        let target = keyplan::Target::Openbao;
        keyplan::compile(source, &keyplan::Options { target })
            .program
            .expect("the program compiles")
    }

    /// A program that wrote the `default` policy and no longer does leaves it to the
    /// server: deleting it fails (`cannot delete default policy`) and stopped the apply.
    #[test]
    fn a_dropped_builtin_policy_is_not_deleted() {
        let previous = compiled(
            "policy default {\n  path \"b/*\" {\n    capabilities = [read]\n  }\n}\n\npolicy gone {\n  path \"c/*\" {\n    capabilities = [read]\n  }\n}\n",
        );
        let program = compiled("extern policy unused\n");
        let gone = gone(&previous, &program);
        let names: Vec<&str> = gone.resources.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["gone"]);
    }

    /// A version that stops declaring a mount but still logs in through it (now managed
    /// elsewhere) keeps the mount: deleting it destroyed the role the plan showed as
    /// unchanged. A mount nothing is written under any more still goes.
    #[test]
    fn a_dropped_mount_the_program_still_uses_is_not_deleted() {
        let previous = compiled(
            "auth approle {}\n\nsecrets kv store {\n  version = 2\n}\n\nworkload w {\n  login approle {\n    secret_id_ttl = 10m\n  }\n  read \"store/data/w/*\"\n}\n",
        );
        let program = compiled(
            "workload w {\n  login approle {\n    secret_id_ttl = 10m\n  }\n  read \"store/data/w/*\"\n}\n",
        );
        let gone = gone(&previous, &program);
        let ids: Vec<&str> = gone.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["sys/mounts/store"]);
    }
}
