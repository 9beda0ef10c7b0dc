//! What an editor needs to complete keyplan: for every kind of block, the nested blocks,
//! statements and attribute names it takes, with the fields' types and documentation
//! read from the endpoint schemas (so no client keeps a copy of schema data).

use serde::Serialize;

use kp_schema::{Endpoint, FieldType, Target};

/// `{ version, targets, blocks, endpoints }`.
#[derive(Debug, Serialize)]
pub struct SchemaResponse {
    pub version: &'static str,
    pub targets: [Target; 2],
    /// Capability words a `path` block and a workload's statements take.
    pub capabilities: &'static [&'static str],
    pub blocks: Vec<BlockInfo>,
    pub endpoints: Vec<EndpointInfo>,
}

/// One kind of block, named by its context: `auth jwt`, `auth jwt/role`, `secrets ssh/ca`,
/// `workload/login`; `""` is the file's top level. A context is the keyword of each
/// enclosing block, joined by `/`, where top-level `auth` and `secrets` blocks add their
/// type (`auth jwt`).
#[derive(Debug, Serialize)]
pub struct BlockInfo {
    pub context: &'static str,
    pub doc: &'static str,
    /// Keywords of the blocks allowed inside.
    pub blocks: &'static [&'static str],
    /// Statement verbs allowed inside (workloads only).
    pub statements: &'static [&'static str],
    /// The endpoint schema whose fields the block's attributes are, if any.
    pub endpoint: Option<String>,
    pub fields: Vec<FieldInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub description: String,
    pub required: bool,
    pub sensitive: bool,
    pub allowed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EndpointInfo {
    pub id: String,
    pub path: String,
    pub title: String,
    pub targets: Vec<Target>,
}

const TOP_LEVEL: &[&str] = &["auth", "secrets", "policy", "extern", "token", "workload"];
const VERBS: &[&str] = &[
    "read", "create", "update", "patch", "delete", "list", "sudo", "deny", "sign", "creds",
];

/// Where a block's fields come from: an endpoint whose path template matches `path`
/// (`*` matches any segment, as does a `{placeholder}`), preferring one whose id or
/// path mentions `hint`; `mount` adds the mount-options fields.
struct Source {
    path: &'static str,
    hint: &'static str,
}

struct Spec {
    context: &'static str,
    doc: &'static str,
    blocks: &'static [&'static str],
    statements: &'static [&'static str],
    source: Option<Source>,
    /// `sys/auth/*` or `sys/mounts/*`: the mount options every engine block takes.
    mount: Option<&'static str>,
    extra: &'static [(&'static str, FieldType, &'static str)],
}

const fn spec(context: &'static str, doc: &'static str) -> Spec {
    Spec {
        context,
        doc,
        blocks: &[],
        statements: &[],
        source: None,
        mount: None,
        extra: &[],
    }
}

const fn src(path: &'static str, hint: &'static str) -> Option<Source> {
    Some(Source { path, hint })
}

const MOUNT_OPTIONS: &[(&str, FieldType, &str)] = &[
    (
        "description",
        FieldType::String,
        "human-friendly description of the mount",
    ),
    (
        "local",
        FieldType::Bool,
        "mark the mount as local-only (not replicated)",
    ),
    (
        "seal_wrap",
        FieldType::Bool,
        "enable seal wrapping for the mount",
    ),
    (
        "default_lease_ttl",
        FieldType::Duration,
        "the mount's default lease duration",
    ),
    (
        "max_lease_ttl",
        FieldType::Duration,
        "the mount's maximum lease duration",
    ),
];

fn specs() -> Vec<Spec> {
    let jwt_config = |context, doc| Spec {
        blocks: &["role"],
        source: src("auth/*/config", "jwt"),
        mount: Some("sys/auth/*"),
        ..spec(context, doc)
    };
    let jwt_role = |context, doc| Spec {
        source: src("auth/*/role/*", "jwt"),
        ..spec(context, doc)
    };
    vec![
        Spec {
            blocks: TOP_LEVEL,
            ..spec("", "a keyplan file")
        },
        jwt_config("auth jwt", "enable and configure a JWT auth method"),
        jwt_config("auth oidc", "enable and configure an OIDC auth method"),
        jwt_role("auth jwt/role", "a role of a JWT auth method"),
        jwt_role("auth oidc/role", "a role of an OIDC auth method"),
        Spec {
            blocks: &["role"],
            ..spec("auth token", "the built-in token auth method")
        },
        Spec {
            source: src("auth/token/roles/*", "token"),
            ..spec("auth token/role", "a token role")
        },
        Spec {
            blocks: &["ca", "role"],
            mount: Some("sys/mounts/*"),
            ..spec("secrets ssh", "enable an SSH secrets engine")
        },
        Spec {
            source: src("*/config/ca", "ssh"),
            ..spec("secrets ssh/ca", "the SSH engine's signing CA")
        },
        Spec {
            source: src("*/roles/*", "ssh"),
            ..spec("secrets ssh/role", "an SSH role")
        },
        Spec {
            blocks: &["root", "lease", "role"],
            mount: Some("sys/mounts/*"),
            ..spec("secrets aws", "enable an AWS secrets engine")
        },
        Spec {
            source: src("*/config/root", "aws"),
            ..spec("secrets aws/root", "the AWS engine's root credentials")
        },
        Spec {
            source: src("*/config/lease", "aws"),
            ..spec("secrets aws/lease", "the AWS engine's lease settings")
        },
        Spec {
            source: src("*/roles/*", "aws"),
            ..spec("secrets aws/role", "an AWS role")
        },
        Spec {
            blocks: &["connection", "role"],
            mount: Some("sys/mounts/*"),
            ..spec("secrets database", "enable a database secrets engine")
        },
        Spec {
            source: src("*/config/*", "database"),
            ..spec("secrets database/connection", "a database connection")
        },
        Spec {
            source: src("*/roles/*", "database"),
            ..spec("secrets database/role", "a database role")
        },
        Spec {
            mount: Some("sys/mounts/*"),
            extra: &[("version", FieldType::Int, "KV version: 1 or 2")],
            ..spec("secrets kv", "enable a KV secrets engine")
        },
        Spec {
            blocks: &["path"],
            ..spec("policy", "an ACL policy")
        },
        Spec {
            extra: &[(
                "capabilities",
                FieldType::List,
                "create read update patch delete list sudo deny",
            )],
            ..spec("policy/path", "the capabilities granted on a path glob")
        },
        Spec {
            source: src("auth/token/create/*", "token"),
            extra: &[(
                "role",
                FieldType::String,
                "the token role to create the token from",
            )],
            ..spec("token", "a token created from a token role")
        },
        Spec {
            blocks: &["login"],
            statements: VERBS,
            extra: &[("description", FieldType::String, "what the workload is")],
            ..spec("workload", "a workload's access intent")
        },
        Spec {
            source: src("auth/*/role/*", "jwt"),
            extra: &[(
                "role_name",
                FieldType::String,
                "the login role's name (defaults to the workload's name)",
            )],
            ..spec(
                "workload/login",
                "how the workload logs in: a JWT/OIDC role",
            )
        },
    ]
}

/// Every block kind and endpoint, for completion and hover.
pub fn schema() -> SchemaResponse {
    let endpoints: Vec<&'static Endpoint> = kp_schema::endpoints().collect();
    let blocks = specs()
        .into_iter()
        .map(|s| {
            let endpoint = s
                .source
                .as_ref()
                .and_then(|src| find_endpoint(&endpoints, src.path, src.hint));
            let mut fields: Vec<FieldInfo> = Vec::new();
            let mut push = |f: FieldInfo| {
                if !fields.iter().any(|g| g.name == f.name) {
                    fields.push(f);
                }
            };
            for &(name, ty, description) in s.extra {
                push(extra_field(name, ty, description));
            }
            if let Some(e) = endpoint {
                e.fields.values().map(field_info).for_each(&mut push);
            }
            if let Some(mount) = s.mount {
                for &(name, ty, description) in MOUNT_OPTIONS {
                    push(extra_field(name, ty, description));
                }
                if let Some(e) = find_endpoint(&endpoints, mount, "") {
                    e.fields
                        .values()
                        .filter(|f| f.name != "type" && f.name != "config")
                        .map(field_info)
                        .for_each(&mut push);
                }
            }
            BlockInfo {
                context: s.context,
                doc: s.doc,
                blocks: s.blocks,
                statements: s.statements,
                endpoint: endpoint.map(|e| e.id.clone()),
                fields,
            }
        })
        .collect();
    SchemaResponse {
        version: env!("CARGO_PKG_VERSION"),
        targets: [Target::Vault, Target::Openbao],
        capabilities: &crate::ir::CAPABILITIES,
        blocks,
        endpoints: endpoints
            .iter()
            .map(|e| EndpointInfo {
                id: e.id.clone(),
                path: e.path.clone(),
                title: e.title.clone(),
                targets: e.targets.clone(),
            })
            .collect(),
    }
}

/// [`schema`] as JSON.
pub fn schema_json() -> String {
    super::to_json(&schema())
}

fn extra_field(name: &str, ty: FieldType, description: &str) -> FieldInfo {
    FieldInfo {
        name: name.to_string(),
        ty,
        description: description.to_string(),
        required: false,
        sensitive: false,
        allowed: Vec::new(),
    }
}

fn field_info(f: &kp_schema::Field) -> FieldInfo {
    FieldInfo {
        name: f.name.clone(),
        ty: f.ty,
        description: f.description.clone(),
        required: f.required,
        sensitive: f.sensitive,
        allowed: f.allowed.clone(),
    }
}

fn find_endpoint(
    endpoints: &[&'static Endpoint],
    pattern: &str,
    hint: &str,
) -> Option<&'static Endpoint> {
    let matching: Vec<&'static Endpoint> = endpoints
        .iter()
        .copied()
        .filter(|e| path_matches(pattern, &e.path))
        .collect();
    let hinted = matching
        .iter()
        .copied()
        .find(|e| !hint.is_empty() && (e.id.contains(hint) || e.path.contains(hint)));
    match (hinted, matching.as_slice()) {
        (Some(e), _) => Some(e),
        (None, [only]) => Some(only),
        _ => None,
    }
}

/// Segment-wise match where `*` in the pattern and `{...}` in the template match anything.
pub(super) fn path_matches(pattern: &str, template: &str) -> bool {
    let wild = |s: &str| s == "*" || (s.starts_with('{') && s.ends_with('}'));
    let p: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    p.len() == t.len() && p.iter().zip(&t).all(|(a, b)| wild(a) || wild(b) || a == b)
}
