//! Which blocks exist where, and which Vault endpoint each one is written to.
//!
//! This table is the language's shape: the checker consults it instead of matching on
//! keywords in code, so adding an engine or a nested block is one entry here (plus its
//! schema under `schemas/endpoints/`).

use kp_schema::{FieldType, Target};

use crate::ir::{ResourceKind, SharedStr};

/// Top-level keywords, in the order messages list them.
pub const TOP_LEVEL: [&str; 7] = [
    "auth", "secrets", "policy", "extern", "owns", "token", "workload",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountClass {
    Auth,
    Secrets,
}

impl MountClass {
    pub fn keyword(self) -> &'static str {
        match self {
            MountClass::Auth => "auth",
            MountClass::Secrets => "secrets",
        }
    }

    /// Id and path of the mount resource: `sys/auth/jwt`, `sys/mounts/ssh`.
    pub fn mount_id(self, path: &str) -> String {
        [self.mount_prefix(), path].concat()
    }

    /// [`MountClass::mount_id`], shared.
    pub fn mount_id_shared(self, path: &str) -> SharedStr {
        SharedStr::concat(&[self.mount_prefix(), path])
    }

    fn mount_prefix(self) -> &'static str {
        match self {
            MountClass::Auth => "sys/auth/",
            MountClass::Secrets => "sys/mounts/",
        }
    }

    /// [`MountClass::api_prefix`] in pieces, for [`NestedSpec::api_path_in`].
    pub fn api_prefix_parts(self, path: &str) -> [&str; 3] {
        match self {
            MountClass::Auth => ["auth/", path, "/"],
            MountClass::Secrets => ["", path, "/"],
        }
    }

    /// Prefix of the API paths of everything under the mount: `auth/jwt/`, `ssh/`.
    pub fn api_prefix(self, path: &str) -> String {
        self.api_prefix_parts(path).concat()
    }

    pub fn schema(self) -> &'static str {
        match self {
            MountClass::Auth => "sys-auth",
            MountClass::Secrets => "sys-mounts",
        }
    }

    pub fn kind(self) -> ResourceKind {
        match self {
            MountClass::Auth => ResourceKind::AuthMount,
            MountClass::Secrets => ResourceKind::SecretsMount,
        }
    }

    /// "auth method" / "secrets engine", for messages.
    pub fn noun(self) -> &'static str {
        match self {
            MountClass::Auth => "auth method",
            MountClass::Secrets => "secrets engine",
        }
    }
}

/// A block nested in a mount: `role NAME`, `ca`, `connection NAME`, ...
#[derive(Debug)]
pub struct NestedSpec {
    pub keyword: &'static str,
    /// Whether the block takes a NAME label.
    pub named: bool,
    /// Schema id under `schemas/endpoints/`.
    pub endpoint: &'static str,
    /// Path under the mount's API prefix; `{name}` stands for the label.
    pub path: &'static str,
    pub kind: ResourceKind,
    /// What the block is, for messages: "JWT role", "SSH CA config".
    pub what: &'static str,
    /// Only valid on a KV mount with `version = 2`.
    pub requires_kv2: bool,
}

/// The endpoints whose server stores the `{name}` of the path lowercased (and answers
/// lists with that copy), as it does policy names. Seen on OpenBao 2.7.2, whose token
/// roles, database connections and roles, SSH roles and mount paths keep their case.
const LOWERCASED_NAMES: [&str; 4] = [
    "approle-role",
    "jwt-role",
    "kubernetes-role",
    "userpass-user",
];

/// Whether the server lowercases the names of the roles `what` names ("JWT role"):
/// what the index keeps of a role's kind ([`crate::index::DefKind::Role`]).
pub fn lowercases_role_named(what: &str) -> bool {
    AUTH_TYPES
        .iter()
        .chain(SECRETS_TYPES)
        .flat_map(|t| t.nested)
        .any(|n| n.what == what && n.server_lowercases_name())
}

impl NestedSpec {
    /// Whether the server lowercases the name of a block of this kind
    /// ([`LOWERCASED_NAMES`]).
    pub fn server_lowercases_name(&self) -> bool {
        LOWERCASED_NAMES.contains(&self.endpoint)
    }

    /// The API path of one instance under a mount's prefix.
    pub fn api_path(&self, prefix: &str, name: Option<&str>) -> String {
        self.api_path_in(&[prefix], name)
    }

    /// [`NestedSpec::api_path`] with the prefix given in pieces (`["auth/", mount, "/"]`):
    /// one allocation of the exact size, as ids are built for every role of a program.
    pub fn api_path_in(&self, prefix: &[&str], name: Option<&str>) -> String {
        // Room for one `{name}` (the catalog's paths have at most one): no regrowth.
        let len = prefix.iter().map(|p| p.len()).sum::<usize>()
            + self.path.len()
            + name.map_or(0, str::len);
        let mut out = String::with_capacity(len);
        self.write_api_path(&mut out, prefix, name);
        out
    }

    /// [`NestedSpec::api_path_in`], shared: a resource id.
    pub fn shared_api_path(&self, prefix: &[&str], name: Option<&str>) -> SharedStr {
        SharedStr::build(|out| self.write_api_path(out, prefix, name))
    }

    fn write_api_path(&self, out: &mut String, prefix: &[&str], name: Option<&str>) {
        let name = name.unwrap_or("");
        for p in prefix {
            out.push_str(p);
        }
        // By hand: `split("{name}")` builds a substring searcher per call.
        let mut rest = self.path;
        while let Some(open) = rest.bytes().position(|b| b == b'{') {
            let (before, from) = rest.split_at(open);
            out.push_str(before);
            match from.strip_prefix("{name}") {
                Some(after) => {
                    out.push_str(name);
                    rest = after;
                }
                None => {
                    out.push('{');
                    rest = from.get(1..).unwrap_or_default();
                }
            }
        }
        out.push_str(rest);
    }

    /// How the block is written, for help texts: `role NAME { ... }`, `ca { ... }`.
    pub fn example(&self) -> String {
        if self.named {
            format!("{} NAME {{ ... }}", self.keyword)
        } else {
            format!("{} {{ ... }}", self.keyword)
        }
    }
}

#[derive(Debug)]
pub struct MountType {
    pub class: MountClass,
    pub name: &'static str,
    /// "JWT auth method", "AWS secrets engine".
    pub display: &'static str,
    /// The endpoint that takes the mount block's non-mount attributes (`auth/PATH/config`).
    pub config: Option<&'static str>,
    pub nested: &'static [NestedSpec],
    /// KV: `version = 1 | 2` becomes the mount's `options.version`.
    pub versioned: bool,
}

impl MountType {
    pub fn nested(&self, keyword: &str) -> Option<&'static NestedSpec> {
        self.nested.iter().find(|n| n.keyword == keyword)
    }

    /// Whether this is a JWT-family auth method (`jwt` or `oidc`).
    pub fn is_jwt(&self) -> bool {
        self.class == MountClass::Auth && (self.name == "jwt" || self.name == "oidc")
    }

    /// The block a workload's `login MOUNT { ... }` becomes on this method: its `role`
    /// (JWT, OIDC, Kubernetes, AppRole) or its `user` (userpass). The token method has
    /// token roles, but nobody logs in with one.
    pub fn login_spec(&self) -> Option<&'static NestedSpec> {
        if self.class != MountClass::Auth || self.name == "token" {
            return None;
        }
        self.nested("role").or_else(|| self.nested("user"))
    }

    /// Every endpoint the type writes to, for availability on a target.
    pub fn endpoints(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.config
            .into_iter()
            .chain(self.nested.iter().map(|n| n.endpoint))
    }

    /// Whether `target` has this engine or method: it has an endpoint the type writes to
    /// (a type that writes none is on every server).
    pub fn available_on(&self, target: Target) -> bool {
        self.endpoints().next().is_none()
            || self
                .endpoints()
                .any(|id| crate::schemas::supports(id, target))
    }
}

const fn nested(
    keyword: &'static str,
    named: bool,
    endpoint: &'static str,
    path: &'static str,
    kind: ResourceKind,
    what: &'static str,
) -> NestedSpec {
    NestedSpec {
        keyword,
        named,
        endpoint,
        path,
        kind,
        what,
        requires_kv2: false,
    }
}

const JWT_NESTED: &[NestedSpec] = &[nested(
    "role",
    true,
    "jwt-role",
    "role/{name}",
    ResourceKind::Role,
    "JWT role",
)];

/// The token role of `auth token { role NAME { } }`, at `auth/token/roles/NAME`.
pub const TOKEN_ROLE: NestedSpec = nested(
    "role",
    true,
    "token-role",
    "roles/{name}",
    ResourceKind::Role,
    "token role",
);

/// The path of the built-in token method, which no other auth method can take.
pub const TOKEN_METHOD: &str = "token";

/// `path` as a block label the parser reads back: bare when it is a name, else quoted
/// (`"team/db"`), for helps that suggest a declaration.
pub fn label(path: &str) -> std::borrow::Cow<'_, str> {
    if kp_syntax::is_name(path) {
        std::borrow::Cow::Borrowed(path)
    } else {
        std::borrow::Cow::Owned(kp_diag::quoted(path))
    }
}

/// The API prefix of the built-in token method.
pub const TOKEN_PREFIX: &str = "auth/token/";

const TOKEN_NESTED: &[NestedSpec] = &[TOKEN_ROLE];

pub const AUTH_TYPES: &[MountType] = &[
    MountType {
        class: MountClass::Auth,
        name: "jwt",
        display: "JWT auth method",
        config: Some("jwt-config"),
        nested: JWT_NESTED,
        versioned: false,
    },
    MountType {
        class: MountClass::Auth,
        name: "oidc",
        display: "OIDC auth method",
        config: Some("jwt-config"),
        nested: JWT_NESTED,
        versioned: false,
    },
    MountType {
        class: MountClass::Auth,
        name: "approle",
        display: "AppRole auth method",
        config: None,
        nested: &[nested(
            "role",
            true,
            "approle-role",
            "role/{name}",
            ResourceKind::Role,
            "AppRole role",
        )],
        versioned: false,
    },
    MountType {
        class: MountClass::Auth,
        name: "kubernetes",
        display: "Kubernetes auth method",
        config: Some("kubernetes-config"),
        nested: &[nested(
            "role",
            true,
            "kubernetes-role",
            "role/{name}",
            ResourceKind::Role,
            "Kubernetes role",
        )],
        versioned: false,
    },
    MountType {
        class: MountClass::Auth,
        name: "cert",
        display: "TLS certificate auth method",
        config: Some("cert-config"),
        nested: &[nested(
            "role",
            true,
            "cert-role",
            "certs/{name}",
            ResourceKind::Role,
            "certificate role",
        )],
        versioned: false,
    },
    MountType {
        class: MountClass::Auth,
        name: "userpass",
        display: "userpass auth method",
        config: None,
        nested: &[nested(
            "user",
            true,
            "userpass-user",
            "users/{name}",
            ResourceKind::Role,
            "userpass user",
        )],
        versioned: false,
    },
    MountType {
        class: MountClass::Auth,
        name: "token",
        display: "token auth method",
        config: None,
        nested: TOKEN_NESTED,
        versioned: false,
    },
];

pub const SECRETS_TYPES: &[MountType] = &[
    MountType {
        class: MountClass::Secrets,
        name: "ssh",
        display: "SSH secrets engine",
        config: None,
        nested: &[
            nested(
                "ca",
                false,
                "ssh-ca",
                "config/ca",
                ResourceKind::Config,
                "SSH CA config",
            ),
            nested(
                "role",
                true,
                "ssh-role",
                "roles/{name}",
                ResourceKind::Role,
                "SSH role",
            ),
        ],
        versioned: false,
    },
    MountType {
        class: MountClass::Secrets,
        name: "aws",
        display: "AWS secrets engine",
        config: None,
        nested: &[
            nested(
                "root",
                false,
                "aws-root",
                "config/root",
                ResourceKind::Config,
                "AWS root config",
            ),
            nested(
                "lease",
                false,
                "aws-lease",
                "config/lease",
                ResourceKind::Config,
                "AWS lease config",
            ),
            nested(
                "role",
                true,
                "aws-role",
                "roles/{name}",
                ResourceKind::Role,
                "AWS role",
            ),
            nested(
                "static-role",
                true,
                "aws-static-role",
                "static-roles/{name}",
                ResourceKind::Role,
                "AWS static role",
            ),
        ],
        versioned: false,
    },
    MountType {
        class: MountClass::Secrets,
        name: "database",
        display: "database secrets engine",
        config: None,
        nested: &[
            nested(
                "connection",
                true,
                "database-connection",
                "config/{name}",
                ResourceKind::Connection,
                "database connection",
            ),
            nested(
                "role",
                true,
                "database-role",
                "roles/{name}",
                ResourceKind::Role,
                "database role",
            ),
            nested(
                "static-role",
                true,
                "database-static-role",
                "static-roles/{name}",
                ResourceKind::Role,
                "database static role",
            ),
        ],
        versioned: false,
    },
    MountType {
        class: MountClass::Secrets,
        name: "kv",
        display: "KV secrets engine",
        config: None,
        nested: &[NestedSpec {
            keyword: "config",
            named: false,
            endpoint: "kv-config",
            path: "config",
            kind: ResourceKind::Config,
            what: "KV config",
            requires_kv2: true,
        }],
        versioned: true,
    },
    MountType {
        class: MountClass::Secrets,
        name: "pki",
        display: "PKI secrets engine",
        config: None,
        nested: &[],
        versioned: false,
    },
    MountType {
        class: MountClass::Secrets,
        name: "transit",
        display: "transit secrets engine",
        config: None,
        nested: &[],
        versioned: false,
    },
];

pub fn mount_types(class: MountClass) -> &'static [MountType] {
    match class {
        MountClass::Auth => AUTH_TYPES,
        MountClass::Secrets => SECRETS_TYPES,
    }
}

pub fn mount_type(class: MountClass, name: &str) -> Option<&'static MountType> {
    mount_types(class).iter().find(|t| t.name == name)
}

/// Attributes every mount block takes, with how they are written.
pub const MOUNT_ATTRS: [(&str, FieldType); 5] = [
    ("description", FieldType::String),
    ("local", FieldType::Bool),
    ("seal_wrap", FieldType::Bool),
    ("default_lease_ttl", FieldType::Duration),
    ("max_lease_ttl", FieldType::Duration),
];

/// Mount attributes that go into the mount body's `config` object.
pub const MOUNT_TUNE_ATTRS: [&str; 2] = ["default_lease_ttl", "max_lease_ttl"];

/// Fields whose bare identifiers name policies.
pub const POLICY_REF_FIELDS: [&str; 4] = [
    "token_policies",
    "policies",
    "allowed_policies",
    "disallowed_policies",
];

/// Policies every Vault server has.
pub const BUILTIN_POLICIES: [&str; 2] = ["default", "root"];

/// Key sources of a JWT/OIDC config: exactly one must be set.
pub const JWT_KEY_SOURCES: [&str; 3] = ["jwks_url", "jwt_validation_pubkeys", "oidc_discovery_url"];

/// Fields of which a JWT role of type `jwt` needs at least one.
pub const JWT_BINDINGS: [&str; 4] = [
    "bound_audiences",
    "bound_subject",
    "bound_claims",
    "token_bound_cidrs",
];

/// The database plugins the servers have built in: OpenBao 2.7.2's catalog (`bao plugin
/// list database`, `valkey-database-plugin` its own) and Vault's
/// (`helper/builtinplugins/registry.go`), with Vault's external Oracle plugin, which its
/// documentation names. A `plugin_name` close to one of these is likely a typo.
pub const DATABASE_PLUGINS: [&str; 20] = [
    "cassandra-database-plugin",
    "couchbase-database-plugin",
    "elasticsearch-database-plugin",
    "hana-database-plugin",
    "influxdb-database-plugin",
    "mongodb-database-plugin",
    "mongodbatlas-database-plugin",
    "mssql-database-plugin",
    "mysql-aurora-database-plugin",
    "mysql-database-plugin",
    "mysql-legacy-database-plugin",
    "mysql-rds-database-plugin",
    "oracle-database-plugin",
    "postgresql-database-plugin",
    "redis-database-plugin",
    "redis-elasticache-database-plugin",
    "redshift-database-plugin",
    "snowflake-database-plugin",
    "valkey-database-plugin",
    "vault-plugin-database-oracle",
];

/// The plugins of [`DATABASE_PLUGINS`] (bits of their positions) that OpenBao 2.7.2 has
/// built in (`bao plugin list database`): Cassandra, InfluxDB, the MySQL family,
/// PostgreSQL, Redis and Valkey.
pub const OPENBAO_PLUGINS: u32 = 1 | 1 << 4 | 0xF << 8 | 3 << 13 | 1 << 18;

/// Whether `target` has the plugin at `at` in [`DATABASE_PLUGINS`] built in: OpenBao
/// those of [`OPENBAO_PLUGINS`]; Vault every one but Valkey (OpenBao's) and Oracle,
/// which it ships as an external plugin to register.
pub fn plugin_built_in(at: usize, target: Target) -> bool {
    match target {
        Target::Openbao => OPENBAO_PLUGINS >> at & 1 == 1,
        Target::Vault => !matches!(at, 12 | 18 | 19),
    }
}

/// Pairs `(smaller, larger)` of durations in one body where the first may not exceed
/// the second. A login role's `token_explicit_max_ttl` caps its tokens as `token_max_ttl`
/// does (measured on OpenBao 2.7.2: `token_ttl = 2h` under an explicit max of 1h logs in
/// with a one-hour token).
pub const TTL_PAIRS: [(&str, &str); 7] = [
    ("token_ttl", "token_max_ttl"),
    ("token_ttl", "token_explicit_max_ttl"),
    ("default_sts_ttl", "max_sts_ttl"),
    ("ttl", "max_ttl"),
    ("default_ttl", "max_ttl"),
    ("default_lease_ttl", "max_lease_ttl"),
    ("ttl", "explicit_max_ttl"),
];

/// Workload statement verbs that are ACL capabilities.
pub const CAPABILITY_VERBS: [&str; 8] = crate::ir::CAPABILITIES;

/// Workload statement shorthands: `sign MOUNT.ROLE`, `creds MOUNT.ROLE` on secrets
/// engines, `role_id MOUNT.ROLE` and `secret_id MOUNT.ROLE` on AppRole mounts.
pub const SHORTHAND_VERBS: [&str; 4] = ["sign", "creds", "role_id", "secret_id"];

/// AppRole shorthands: the verb, the path under the role, the capability granted.
/// A trusted orchestrator reads a role's `role_id` and mints `secret_id`s for the
/// workload that logs in with it.
pub const APPROLE_VERBS: [(&str, &str, &str); 2] = [
    ("role_id", "role-id", "read"),
    ("secret_id", "secret-id", "update"),
];

/// Auth method types a workload's `login` may name, for messages.
pub const LOGIN_TYPES: [&str; 6] = ["jwt", "oidc", "kubernetes", "approle", "cert", "userpass"];

/// Field names (prefixes) only one login method's roles have, by which a login on a
/// mount the program does not declare at a path naming no method is typed.
const LOGIN_FIELD_MARKS: [(&str, &str); 6] = [
    ("approle", "secret_id_"),
    ("approle", "bind_secret_id"),
    ("kubernetes", "bound_service_account_"),
    ("cert", "certificate"),
    ("cert", "allowed_common_names"),
    ("userpass", "password"),
];

/// The type of a login mount the program does not declare: the login type its path
/// names (`login approle` on a mount at `approle/`), else the one its fields are
/// (`secret_id_ttl`: AppRole), else JWT, the CI default.
pub fn external_login_type(
    path: &str,
    entries: &[kp_syntax::ast::Entry],
) -> Option<&'static MountType> {
    let by_field = || {
        entries.iter().find_map(|e| match e {
            kp_syntax::ast::Entry::Attribute(a) => LOGIN_FIELD_MARKS
                .iter()
                .find(|(_, m)| a.name.name.starts_with(m))
                .map(|(t, _)| *t),
            _ => None,
        })
    };
    let named = LOGIN_TYPES
        .iter()
        .copied()
        .find(|t| *t == path)
        .or_else(by_field);
    mount_type(MountClass::Auth, named.unwrap_or("jwt"))
}

pub fn target_name(target: Target) -> &'static str {
    match target {
        Target::Vault => "Vault",
        Target::Openbao => "OpenBao",
    }
}
