//! What an import reads: the mount tables and policy list, then each selected mount's
//! config and role lists (from the language's catalog of blocks), then each role.

use kp_check::catalog::{self, MountClass, MountType, TOKEN_PREFIX, TOKEN_ROLE};
use serde_json::Value as Json;

use crate::{Options, Snapshot};

pub const AUTH_TABLE: &str = "sys/auth";
pub const MOUNT_TABLE: &str = "sys/mounts";
pub const POLICY_LIST: &str = "sys/policies/acl";

/// Paths to `GET` and to `LIST`, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    pub reads: Vec<String>,
    pub lists: Vec<String>,
}

impl Wanted {
    /// Only what `snapshot` does not hold yet.
    pub fn missing(self, snapshot: &Snapshot) -> Wanted {
        Wanted {
            reads: self
                .reads
                .into_iter()
                .filter(|p| !snapshot.reads.contains_key(p))
                .collect(),
            lists: self
                .lists
                .into_iter()
                .filter(|p| !snapshot.lists.contains_key(p))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.reads.is_empty() && self.lists.is_empty()
    }
}

/// A mount of a type the language knows, selected by the options.
#[derive(Debug, Clone)]
pub struct Mount<'a> {
    pub class: MountClass,
    pub path: String,
    pub ty: &'static MountType,
    /// Its entry in the mount table.
    pub entry: &'a Json,
}

impl Mount<'_> {
    pub fn prefix(&self) -> String {
        self.class.api_prefix(&self.path)
    }

    /// KV version 2 (`options.version = "2"`).
    pub fn kv2(&self) -> bool {
        self.entry["options"]["version"].as_str() == Some("2")
    }
}

/// Mounts the server creates itself, never imported and never reported.
fn builtin(class: MountClass, ty: &str) -> bool {
    match class {
        MountClass::Auth => ty == "token",
        MountClass::Secrets => matches!(ty, "system" | "cubbyhole" | "identity"),
    }
}

/// The selected mounts of known types, and `(path, type)` of selected ones of types the
/// language does not know.
pub fn mounts<'a>(
    snapshot: &'a Snapshot,
    options: &Options,
) -> (Vec<Mount<'a>>, Vec<(MountClass, String, String)>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for (class, table) in [
        (MountClass::Auth, AUTH_TABLE),
        (MountClass::Secrets, MOUNT_TABLE),
    ] {
        let Some(Json::Object(entries)) = snapshot.data(table) else {
            continue;
        };
        for (key, entry) in entries {
            let path = key.trim_end_matches('/').to_string();
            let Some(ty) = entry["type"].as_str() else {
                continue;
            };
            if builtin(class, ty) || !options.wants_mount(&path) {
                continue;
            }
            match catalog::mount_type(class, ty) {
                Some(t) if t.name != "token" => known.push(Mount {
                    class,
                    path,
                    ty: t,
                    entry,
                }),
                _ => unknown.push((class, path, ty.to_string())),
            }
        }
    }
    (known, unknown)
}

/// Whether token roles are imported.
pub fn wants_token_roles(options: &Options) -> bool {
    options.wants_mount("token")
}

/// The collection a named nested block is listed under: `role/{name}` → `role`.
pub fn collection(path_template: &str) -> Option<&str> {
    path_template.strip_suffix("/{name}")
}

/// Everything the import needs, given what was read so far.
pub fn wanted(snapshot: &Snapshot, options: &Options) -> Wanted {
    let mut w = Wanted {
        reads: vec![AUTH_TABLE.to_string(), MOUNT_TABLE.to_string()],
        lists: Vec::new(),
    };
    if options.wants_policies() {
        w.lists.push(POLICY_LIST.to_string());
        for name in snapshot.keys(POLICY_LIST) {
            if options.wants_policy(&name) && !matches!(name.as_str(), "root") {
                w.reads.push(format!("{POLICY_LIST}/{name}"));
            }
        }
    }
    if wants_token_roles(options) {
        let list = format!(
            "{TOKEN_PREFIX}{}",
            collection(TOKEN_ROLE.path).unwrap_or("roles")
        );
        for key in snapshot.keys(&list) {
            w.reads.push(format!("{list}/{key}"));
        }
        w.lists.push(list);
    }
    let (mounts, _) = mounts(snapshot, options);
    for m in &mounts {
        let prefix = m.prefix();
        if let Some(_config) = m.ty.config {
            w.reads.push(format!("{prefix}config"));
        }
        for spec in m.ty.nested {
            if spec.requires_kv2 && !m.kv2() {
                continue;
            }
            if !kp_schema::endpoint(spec.endpoint).is_some_and(|e| e.supports(options.target)) {
                continue;
            }
            match collection(spec.path) {
                Some(c) if spec.named => {
                    let list = format!("{prefix}{c}");
                    for key in snapshot.keys(&list) {
                        w.reads.push(format!("{list}/{key}"));
                    }
                    w.lists.push(list);
                }
                _ => w.reads.push(spec.api_path(&prefix, None)),
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Fetched;
    use serde_json::json;

    #[test]
    fn reads_tables_then_configs_then_roles() {
        let options = Options::default();
        let mut snap = Snapshot::default();
        let first = wanted(&snap, &options);
        assert_eq!(first.reads, ["sys/auth", "sys/mounts"]);
        assert_eq!(first.lists, ["sys/policies/acl", "auth/token/roles"]);
        snap.reads.insert(
            "sys/auth".into(),
            Fetched::Data(json!({"jwt/": {"type": "jwt"}, "token/": {"type": "token"}})),
        );
        snap.reads.insert(
            "sys/mounts".into(),
            Fetched::Data(json!({"ssh/": {"type": "ssh"}, "sys/": {"type": "system"}})),
        );
        let second = wanted(&snap, &options).missing(&snap);
        assert_eq!(second.reads, ["auth/jwt/config", "ssh/config/ca"]);
        assert_eq!(
            second.lists,
            [
                "sys/policies/acl",
                "auth/token/roles",
                "auth/jwt/role",
                "ssh/roles"
            ]
        );
        snap.lists.insert(
            "auth/jwt/role".into(),
            Fetched::Data(json!(["ci", "deploy"])),
        );
        let third = wanted(&snap, &options).missing(&snap);
        assert!(third.reads.contains(&"auth/jwt/role/deploy".to_string()));
    }
}
