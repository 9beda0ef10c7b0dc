//! What an editor needs to complete keyplan: for every kind of block, the nested blocks,
//! statements and attribute names it takes, with the fields' types and documentation
//! read from the endpoint schemas (so no client keeps a copy of schema data).

use serde::Serialize;

use kp_check::catalog::{self, MountClass};
use kp_schema::{FieldType, Target};

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
    pub context: String,
    pub doc: String,
    /// Keywords of the blocks allowed inside.
    pub blocks: Vec<&'static str>,
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

/// One block kind, built from the checker's catalog: the same table that decides what
/// is valid where, so completion can never offer what the checker rejects.
struct Spec {
    context: String,
    doc: String,
    blocks: Vec<&'static str>,
    statements: &'static [&'static str],
    endpoint: Option<&'static str>,
    /// `sys-auth` or `sys-mounts`: the mount options every engine block takes.
    mount: bool,
    extra: Vec<(&'static str, FieldType, &'static str)>,
}

impl Spec {
    fn new(context: impl Into<String>, doc: impl Into<String>) -> Self {
        Spec {
            context: context.into(),
            doc: doc.into(),
            blocks: Vec::new(),
            statements: &[],
            endpoint: None,
            mount: false,
            extra: Vec::new(),
        }
    }
}

const VERBS: [&str; 10] = [
    "read", "create", "update", "patch", "delete", "list", "sudo", "deny", "sign", "creds",
];

fn specs() -> Vec<Spec> {
    let mut out = vec![Spec {
        blocks: catalog::TOP_LEVEL.to_vec(),
        ..Spec::new("", "a keyplan file")
    }];
    for class in [MountClass::Auth, MountClass::Secrets] {
        for ty in catalog::mount_types(class) {
            let context = format!("{} {}", class.keyword(), ty.name);
            let is_token = class == MountClass::Auth && ty.name == "token";
            let mut extra = Vec::new();
            if ty.versioned {
                extra.push(("version", FieldType::Int, "KV version: 1 or 2"));
            }
            out.push(Spec {
                blocks: ty.nested.iter().map(|n| n.keyword).collect(),
                endpoint: ty.config,
                mount: !is_token,
                extra,
                ..Spec::new(&context, format!("the {}", ty.display))
            });
            for n in ty.nested {
                out.push(Spec {
                    endpoint: Some(n.endpoint),
                    ..Spec::new(format!("{context}/{}", n.keyword), format!("a {}", n.what))
                });
            }
        }
    }
    let login = catalog::mount_type(MountClass::Auth, "jwt").and_then(|t| t.nested("role"));
    out.extend([
        Spec {
            blocks: vec!["path"],
            ..Spec::new("policy", "an ACL policy")
        },
        Spec {
            extra: vec![(
                "capabilities",
                FieldType::List,
                "create read update patch delete list sudo deny",
            )],
            ..Spec::new("policy/path", "the capabilities granted on a path glob")
        },
        Spec {
            endpoint: Some("token-create"),
            extra: vec![(
                "role",
                FieldType::String,
                "the token role to create the token from",
            )],
            ..Spec::new("token", "a token created from a token role")
        },
        Spec {
            blocks: vec!["login"],
            statements: &VERBS,
            extra: vec![("description", FieldType::String, "what the workload is")],
            ..Spec::new("workload", "a workload's access intent")
        },
        Spec {
            endpoint: login.map(|n| n.endpoint),
            extra: vec![(
                "role_name",
                FieldType::String,
                "the login role's name (defaults to the workload's name)",
            )],
            ..Spec::new(
                "workload/login",
                "how the workload logs in: a JWT/OIDC role",
            )
        },
    ]);
    out
}

/// Every block kind and endpoint, for completion and hover.
pub fn schema() -> SchemaResponse {
    let blocks = specs()
        .into_iter()
        .map(|s| {
            let endpoint = s.endpoint.and_then(kp_schema::endpoint);
            let mut fields: Vec<FieldInfo> = Vec::new();
            let mut push = |f: FieldInfo| {
                if !fields.iter().any(|g| g.name == f.name) {
                    fields.push(f);
                }
            };
            for &(name, ty, description) in &s.extra {
                push(extra_field(name, ty, description));
            }
            if s.mount {
                for (name, ty) in catalog::MOUNT_ATTRS {
                    push(extra_field(name, ty, "mount option"));
                }
            }
            if let Some(e) = endpoint {
                e.fields.values().map(field_info).for_each(&mut push);
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
        endpoints: kp_schema::endpoints()
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
    super::write::to_string(&schema())
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
