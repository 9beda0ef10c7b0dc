//! Workload recognition: a JWT, OIDC, Kubernetes or AppRole role whose `token_policies`
//! include a policy that nothing else uses is, in keyplan's terms, a `workload`: the
//! role is its `login` and the policy, when keyplan can write it, its statements.

use std::collections::BTreeMap;

use kp_check::catalog::{BUILTIN_POLICIES, POLICY_REF_FIELDS, TOKEN_PREFIX};
use serde_json::Value as Json;

use crate::build::PolicyIn;
use crate::fields::Names;
use crate::read::{self, Mount};
use crate::text::is_ident;
use crate::values;
use crate::{Options, Snapshot};

/// Auth method types whose roles may become workloads.
const LOGIN_TYPES: [&str; 5] = ["jwt", "oidc", "kubernetes", "approle", "cert"];

/// A role recognised as a workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The auth mount's path.
    pub mount: String,
    pub role: String,
    /// `auth/MOUNT/role/ROLE`.
    pub role_path: String,
    /// The policy that becomes the workload's statements; also the workload's name.
    pub policy: String,
}

/// The policies a resource's data names in its policy fields.
fn named_policies(data: &Json) -> Vec<String> {
    let mut out: Vec<String> = POLICY_REF_FIELDS
        .iter()
        .filter_map(|f| data.get(*f))
        .filter_map(values::items)
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Every role-like resource the import reads (auth roles, users, token roles), with
/// the policies each names.
fn users_of_policies(snap: &Snapshot, mounts: &[Mount]) -> Vec<(String, Vec<String>)> {
    let mut collections: Vec<String> = vec![format!("{TOKEN_PREFIX}roles")];
    for m in mounts
        .iter()
        .filter(|m| m.class == kp_check::catalog::MountClass::Auth)
    {
        for spec in m.ty.nested.iter().filter(|s| s.named) {
            if let Some(c) = read::collection(spec.path) {
                collections.push(format!("{}{c}", m.prefix()));
            }
        }
    }
    let mut out = Vec::new();
    for c in collections {
        for key in snap.keys(&c) {
            let path = format!("{c}/{key}");
            if let Some(data) = snap.data(&path) {
                out.push((path, named_policies(data)));
            }
        }
    }
    out
}

pub fn recognise(
    snap: &Snapshot,
    mounts: &[Mount],
    policies: &[PolicyIn],
    _opts: &Options,
) -> Vec<Login> {
    let users = users_of_policies(snap, mounts);
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, named) in &users {
        for p in named {
            *uses.entry(p.as_str()).or_default() += 1;
        }
    }
    let writable = |name: &str| policies.iter().any(|p| p.name == name && p.parsed.is_ok());
    let mut found: Vec<Login> = Vec::new();
    for m in mounts.iter().filter(|m| {
        m.class == kp_check::catalog::MountClass::Auth && LOGIN_TYPES.contains(&m.ty.name)
    }) {
        let Some(c) = m.ty.login_spec().and_then(|s| read::collection(s.path)) else {
            continue;
        };
        let list = format!("{}{c}", m.prefix());
        for role in snap.keys(&list) {
            let path = format!("{list}/{role}");
            let Some(data) = snap.data(&path) else {
                continue;
            };
            let candidates: Vec<String> = data
                .get("token_policies")
                .and_then(values::items)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| {
                    uses.get(p.as_str()) == Some(&1)
                        && writable(p)
                        && is_ident(p)
                        && !BUILTIN_POLICIES.contains(&p.as_str())
                        && !found.iter().any(|l| &l.policy == p)
                })
                .collect();
            // The policy named like the role first: what `workload NAME` applied (role
            // and policy both `NAME`) then imports back as written, whichever other
            // policy of its own the role holds and however the server orders them.
            let own = candidates
                .iter()
                .find(|p| p.as_str() == role.as_str())
                .or_else(|| candidates.first())
                .cloned();
            if let Some(policy) = own {
                found.push(Login {
                    mount: m.path.clone(),
                    role: role.clone(),
                    role_path: path,
                    policy,
                });
            }
        }
    }
    found
}

/// The role's data with the workload's own policy taken out of its policy fields: the
/// compiler adds the workload's policy back.
pub fn without_policy(data: &Json, policy: &str) -> Json {
    let mut out = data.clone();
    if let Json::Object(fields) = &mut out {
        for f in POLICY_REF_FIELDS {
            if let Some(v) = fields.get_mut(f) {
                if let Some(items) = values::items(v) {
                    *v = Json::Array(
                        items
                            .into_iter()
                            .filter(|p| p != policy)
                            .map(Json::String)
                            .collect(),
                    );
                }
            }
        }
    }
    out
}

/// The statement a workload writes for one capability on one path, when the language
/// has a shorthand for it and the import declares what it names: `sign ssh.dev` for
/// `update` on `ssh/sign/dev`, `creds database.app` for `read` on
/// `database/creds/app` (or `static-creds/app`), `role_id` and `secret_id` of an AppRole
/// role. The shorthand compiles to the same rule, and says what the rule is for.
pub fn shorthand(
    cap: &str,
    path: &str,
    mounts: &[Mount],
    snap: &Snapshot,
    names: &Names,
) -> Option<String> {
    use kp_check::catalog::MountClass;
    // Declared: listed, and not a role written commented out (its connection does not
    // allow it), which a shorthand would name in vain.
    let has = |list: String, key: &str| {
        snap.keys(&list).iter().any(|k| k == key)
            && !names.not_allowed.contains_key(&format!("{list}/{key}"))
    };
    for m in mounts.iter().filter(|m| is_ident(&m.path)) {
        let prefix = m.prefix();
        let Some(rest) = path.strip_prefix(&prefix) else {
            continue;
        };
        let (verb, role) = match (m.class, m.ty.name, cap, rest.split_once('/')) {
            (MountClass::Secrets, "ssh", "update", Some(("sign", role)))
                if has(format!("{prefix}roles"), role) =>
            {
                ("sign", role)
            }
            (MountClass::Secrets, "ssh", "update", Some(("creds", role)))
                if has(format!("{prefix}roles"), role) =>
            {
                ("creds", role)
            }
            (MountClass::Secrets, "database" | "aws", "read", Some(("creds", role)))
                if has(format!("{prefix}roles"), role) =>
            {
                ("creds", role)
            }
            (MountClass::Secrets, "database" | "aws", "read", Some(("static-creds", role)))
                if has(format!("{prefix}static-roles"), role) =>
            {
                ("creds", role)
            }
            (MountClass::Auth, "approle", _, Some(("role", rest))) => {
                let (verb, role) = match (cap, rest.rsplit_once('/')) {
                    ("read", Some((role, "role-id"))) => ("role_id", role),
                    ("update", Some((role, "secret-id"))) => ("secret_id", role),
                    _ => continue,
                };
                if !has(format!("{prefix}role"), role) {
                    continue;
                }
                (verb, role)
            }
            _ => continue,
        };
        if is_ident(role) {
            return Some(format!("{verb} {}.{role}", m.path));
        }
    }
    None
}
