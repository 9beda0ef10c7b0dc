//! Reading the live state of a program's resources: mount tables, each resource's read
//! path, tokens through their recorded accessors, and what else lives under the
//! program's own mounts.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use keyplan::ir::{Program, Resource, ResourceKind, Value};
use serde_json::Value as Json;

use crate::client::Client;
use crate::error::{LiveError, Result};
use crate::{pool, tokens};

/// What the server holds for one resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Live {
    Absent,
    /// The resource's data as the server reads it back (the `data` object).
    Present(Json),
    /// A token the program created before (its accessor is recorded) that the
    /// server still knows; the data is the accessor lookup.
    Token {
        accessor: String,
        data: Json,
        /// The token store's maximum TTL (`sys/auth/token/tune`'s `max_lease_ttl`), read
        /// only when the token's TTL is below the program's: a TTL over the maximum is
        /// capped at creation ("TTL value is capped accordingly"), and the token is the
        /// one the program asked for.
        ttl_cap: Option<i64>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct LiveState {
    pub resources: HashMap<String, Live>,
    /// Ids of resources under the program's own mounts that it does not declare,
    /// in the program's id form (`auth/jwt/role/other`), sorted.
    pub unmanaged: Vec<String>,
    /// Collections holding roles of the program on mounts it does not enable (the
    /// built-in `auth/token/roles`, a mount managed elsewhere), sorted: not listed, so
    /// `--prune` never deletes another program's roles there.
    pub not_owned: Vec<String>,
    /// The mounts on the server (`sys/auth` and `sys/mounts`, each read only when the
    /// program has a mount of that class): a new mount nested in one of them, or
    /// containing one, is refused by the server ("path is already in use").
    pub mounts: MountTables,
}

/// The server's mount tables: each mount's path (with its final `/`) and type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MountTables {
    pub auth: Vec<(String, String)>,
    pub secrets: Vec<(String, String)>,
}

impl MountTables {
    fn of(table: &Json) -> Vec<(String, String)> {
        let Json::Object(entries) = table else {
            return Vec::new();
        };
        entries
            .iter()
            .filter(|(_, e)| e.is_object())
            .map(|(path, e)| {
                let ty = e.get("type").and_then(Json::as_str).unwrap_or_default();
                (path.clone(), ty.to_string())
            })
            .collect()
    }
}

/// The token method's roles: shared by every program on the server.
const TOKEN_ROLES: &str = "auth/token/roles";

/// Reads everything `plan` compares. `token_out` is where token accessors were recorded.
pub fn read(client: &Client, program: &Program, token_out: Option<&Path>) -> Result<LiveState> {
    let (resources, mounts) = read_with_tables(client, program, token_out)?;
    let workers = client.connection().concurrency;
    let Collections {
        owned: collections,
        mut not_owned,
    } = collections(program, &resources);
    let listed = pool::map(&collections, workers, |c| client.list(c));
    let declared: BTreeSet<&str> = program.resources.iter().map(|r| r.id.as_str()).collect();
    let mut unmanaged = BTreeSet::new();
    for (c, keys) in collections.iter().zip(listed) {
        for key in keys? {
            let id = format!("{c}/{}", key.trim_end_matches('/'));
            if !declared.contains(id.as_str()) {
                unmanaged.insert(id);
            }
        }
    }
    // Policies: only inside the scope the program declares (`owns policies`).
    if !program.owned_policies.is_empty() {
        for name in client.list("sys/policies/acl")? {
            let id = format!("sys/policies/acl/{name}");
            if program.owns_policy(&name) && !declared.contains(id.as_str()) {
                unmanaged.insert(id);
            }
        }
    }
    // Token roles: the token method is shared, so only inside `owns token-roles`.
    if !program.owned_token_roles.is_empty() {
        for name in client.list(TOKEN_ROLES)? {
            let id = format!("{TOKEN_ROLES}/{name}");
            if program.owns_token_role(&name) && !declared.contains(id.as_str()) {
                unmanaged.insert(id);
            }
        }
        // Listed now, in part: what `not_owned` reports is a collection never listed.
        not_owned.retain(|c| c != TOKEN_ROLES);
    }
    Ok(LiveState {
        resources,
        unmanaged: unmanaged.into_iter().collect(),
        not_owned,
        mounts,
    })
}

fn read_one(client: &Client, r: &Resource, token_out: Option<&Path>) -> Result<Live> {
    if r.kind == ResourceKind::Token {
        return read_token(client, r, token_out);
    }
    let path = r.read_path.as_deref().unwrap_or(&r.path);
    match client.read(path) {
        Ok(Some(body)) => Ok(match body.get("data") {
            Some(Json::Null) | None => Live::Absent,
            Some(data) => Live::Present(with_role_id(client, r, data.clone())?),
        }),
        Ok(None) => Ok(Live::Absent),
        // An SSH engine without a CA answers 400 ("no default issuer") rather than 404.
        Err(LiveError::Api { status: 400, .. }) if path.ends_with("/config/ca") => Ok(Live::Absent),
        Err(e) => Err(e),
    }
}

/// An AppRole role whose program sets `role_id`, with the role id the server holds: the
/// role's read leaves it out, and it reads back at `PATH/role-id` (OpenBao 2.7.2). Without
/// it a changed `role_id` was never planned, and the old one kept logging in.
fn with_role_id(client: &Client, r: &Resource, mut data: Json) -> Result<Json> {
    if r.schema != "approle-role" || !r.body.contains_key("role_id") {
        return Ok(data);
    }
    let role_id = client
        .read(&format!("{}/role-id", r.path))?
        .and_then(|b| b.get("data")?.get("role_id").cloned());
    if let (Json::Object(fields), Some(id)) = (&mut data, role_id) {
        fields.insert("role_id".to_string(), id);
    }
    Ok(data)
}

fn read_token(client: &Client, r: &Resource, token_out: Option<&Path>) -> Result<Live> {
    let Some(dir) = token_out else {
        return Ok(Live::Absent);
    };
    // A batch token has no accessor (the server gives `""`): it is looked up by itself.
    let (accessor, path, body) = match tokens::recorded_accessor(dir, &r.name) {
        Some(accessor) => {
            let body = serde_json::json!({ "accessor": accessor });
            (accessor, "auth/token/lookup-accessor", body)
        }
        None => match tokens::recorded_token(dir, &r.name) {
            Some(token) => {
                let body = serde_json::json!({ "token": token });
                (String::new(), "auth/token/lookup", body)
            }
            None => return Ok(Live::Absent),
        },
    };
    match client.write(path, &body, crate::client::Retry::Idempotent) {
        Ok(answer) => {
            let data = match answer.get("data") {
                // Its lookup answers the token itself as `id`: never kept.
                Some(Json::Object(d)) => Json::Object(
                    d.iter()
                        .filter(|(k, _)| k.as_str() != "id")
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                ),
                _ => Json::Null,
            };
            let ttl_cap = match (
                r.body.get("ttl"),
                data.get("creation_ttl").and_then(Json::as_i64),
            ) {
                (Some(Value::Int(want)), Some(have)) if have < *want => client
                    .read("sys/auth/token/tune")?
                    .and_then(|b| b.get("data")?.get("max_lease_ttl")?.as_i64()),
                _ => None,
            };
            Ok(Live::Token {
                accessor,
                data,
                ttl_cap,
            })
        }
        // Expired or revoked: the token must be created again.
        Err(LiveError::Api { status: 400, .. }) | Err(LiveError::Api { status: 403, .. }) => {
            Ok(Live::Absent)
        }
        Err(e) => Err(e),
    }
}

fn table(body: Option<Json>) -> Json {
    body.and_then(|b| b.get("data").cloned())
        .unwrap_or(Json::Null)
}

/// The mount's path: the id without `sys/auth/` or `sys/mounts/`.
pub fn mount_path(r: &Resource) -> &str {
    r.id.strip_prefix("sys/auth/")
        .or_else(|| r.id.strip_prefix("sys/mounts/"))
        .unwrap_or(&r.name)
        .trim_end_matches('/')
}

fn mount_entry(table: &Json, r: &Resource) -> Live {
    match table.get(format!("{}/", mount_path(r))) {
        Some(entry) if entry.is_object() => Live::Present(entry.clone()),
        _ => Live::Absent,
    }
}

/// The collections holding the program's roles and connections, sorted.
struct Collections {
    /// Under the program's own mounts: listed, their undeclared entries pruned.
    owned: Vec<String>,
    /// Under mounts the program does not enable: never listed.
    not_owned: Vec<String>,
}

/// Whether `r` lives under a mount the program itself enables. The built-in token
/// method and mounts managed elsewhere are shared with other programs: what the
/// program does not declare there is not its to delete.
fn on_own_mount(program: &Program, r: &Resource) -> bool {
    r.mount.as_ref().is_some_and(|m| {
        program.resources.iter().any(|own| {
            own.id == *m
                && matches!(
                    own.kind,
                    ResourceKind::AuthMount | ResourceKind::SecretsMount
                )
        })
    })
}

/// The listable collections under the program's own mounts: from the roles and
/// connections it declares, and from each mount's type (so a role removed from the
/// program is still seen).
fn collections(program: &Program, live: &HashMap<String, Live>) -> Collections {
    let mut out = BTreeSet::new();
    let mut not_owned = BTreeSet::new();
    for r in &program.resources {
        match r.kind {
            ResourceKind::Role | ResourceKind::Connection => {
                if let Some((collection, _)) = r.id.rsplit_once('/') {
                    if on_own_mount(program, r) {
                        out.insert(collection.to_string());
                    } else {
                        not_owned.insert(collection.to_string());
                    }
                }
            }
            ResourceKind::AuthMount | ResourceKind::SecretsMount => {
                if matches!(live.get(r.id.as_str()), Some(Live::Absent) | None) {
                    continue;
                }
                let path = mount_path(r);
                let ty = match r.body.get("type") {
                    Some(Value::Str(t)) => t.as_str(),
                    _ => "",
                };
                let under: &[&str] = match (r.kind, ty) {
                    (ResourceKind::AuthMount, "jwt" | "oidc") => &["role"],
                    (ResourceKind::AuthMount, "approle" | "kubernetes") => &["role"],
                    (ResourceKind::AuthMount, "userpass") => &["users"],
                    (ResourceKind::AuthMount, "cert") => &["certs"],
                    (ResourceKind::SecretsMount, "ssh" | "aws") => &["roles"],
                    (ResourceKind::SecretsMount, "database") => {
                        &["roles", "static-roles", "config"]
                    }
                    _ => &[],
                };
                for u in under {
                    let prefix = if r.kind == ResourceKind::AuthMount {
                        "auth/"
                    } else {
                        ""
                    };
                    out.insert(format!("{prefix}{path}/{u}"));
                }
            }
            _ => {}
        }
    }
    Collections {
        owned: out.into_iter().collect(),
        not_owned: not_owned.into_iter().collect(),
    }
}

/// What the server holds for each resource of `program` (mount tables, read paths,
/// tokens through their recorded accessors), without listing anything.
pub fn read_resources(
    client: &Client,
    program: &Program,
    token_out: Option<&Path>,
) -> Result<HashMap<String, Live>> {
    Ok(read_with_tables(client, program, token_out)?.0)
}

/// [`read_resources`], and the mount tables it read.
fn read_with_tables(
    client: &Client,
    program: &Program,
    token_out: Option<&Path>,
) -> Result<(HashMap<String, Live>, MountTables)> {
    let needs_auth = program
        .resources
        .iter()
        .any(|r| r.kind == ResourceKind::AuthMount);
    let needs_mounts = program
        .resources
        .iter()
        .any(|r| r.kind == ResourceKind::SecretsMount);
    let tables: Vec<Result<Option<Json>>> = pool::map(
        &[("sys/auth", needs_auth), ("sys/mounts", needs_mounts)],
        2,
        |(path, wanted)| if *wanted { client.read(path) } else { Ok(None) },
    );
    let mut tables = tables.into_iter();
    let auth_table = table(tables.next().transpose()?.flatten());
    let mount_table = table(tables.next().transpose()?.flatten());

    let mut resources = HashMap::new();
    for r in &program.resources {
        let live = match r.kind {
            ResourceKind::AuthMount => mount_entry(&auth_table, r),
            ResourceKind::SecretsMount => mount_entry(&mount_table, r),
            _ => continue,
        };
        resources.insert(r.id.to_string(), live);
    }
    // A resource under a mount that does not exist yet is absent: no need to ask.
    let to_read: Vec<&Resource> = program
        .resources
        .iter()
        // Actions (root rotation) have nothing to read back.
        .filter(|r| {
            !matches!(
                r.kind,
                ResourceKind::AuthMount | ResourceKind::SecretsMount | ResourceKind::Action
            )
        })
        .filter(|r| {
            r.mount
                .as_ref()
                .is_none_or(|m| !matches!(resources.get(m.as_str()), Some(Live::Absent)))
        })
        .collect();
    let workers = client.connection().concurrency;
    let read = pool::map(&to_read, workers, |r| read_one(client, r, token_out));
    for (r, live) in to_read.iter().zip(read) {
        resources.insert(r.id.to_string(), live?);
    }
    for r in &program.resources {
        resources.entry(r.id.to_string()).or_insert(Live::Absent);
    }
    let tables = MountTables {
        auth: MountTables::of(&auth_table),
        secrets: MountTables::of(&mount_table),
    };
    Ok((resources, tables))
}
