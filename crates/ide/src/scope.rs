//! Which block a chain of enclosing blocks is, by the catalog's rules: what fields,
//! nested blocks and statements its body takes.

use kp_check::catalog::{self, MountClass, MountType, NestedSpec, MOUNT_ATTRS, MOUNT_TUNE_ATTRS};
use kp_schema::{Endpoint, Field, FieldType};
use kp_syntax::ast::{Block, File};

/// The kind of body the cursor is in.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    TopLevel,
    Mount(&'static MountType),
    TokenAuth,
    /// A block nested in a mount (`role`, `ca`, `connection`, ...) or a token role.
    Nested(&'static NestedSpec),
    Policy,
    PolicyPath,
    Token,
    Workload,
    /// A workload's `login MOUNT { ... }`: the role or user of the mount's method.
    Login(&'static NestedSpec),
    /// A body keyplan does not know (a misspelt block): nothing to offer.
    Unknown,
}

/// The scope of the innermost block of `chain`, in the program `file` (which says what
/// type of mount a `login` names).
pub fn scope_of(file: &File, chain: &[&Block]) -> Scope {
    let mut scope = Scope::TopLevel;
    for b in chain {
        scope = child(file, scope, b);
    }
    scope
}

/// The scope of a block's body given the scope it is written in.
pub fn child(file: &File, parent: Scope, b: &Block) -> Scope {
    let kw = b.keyword.name.as_str();
    match parent {
        Scope::TopLevel => match kw {
            "auth" | "secrets" => {
                let class = if kw == "auth" {
                    MountClass::Auth
                } else {
                    MountClass::Secrets
                };
                match b.label_text(0).and_then(|t| catalog::mount_type(class, t)) {
                    Some(ty) if class == MountClass::Auth && ty.name == "token" => Scope::TokenAuth,
                    Some(ty) => Scope::Mount(ty),
                    None => Scope::Unknown,
                }
            }
            "policy" => Scope::Policy,
            "token" => Scope::Token,
            "workload" => Scope::Workload,
            _ => Scope::Unknown,
        },
        Scope::Mount(ty) => ty.nested(kw).map_or(Scope::Unknown, Scope::Nested),
        Scope::TokenAuth if kw == "role" => Scope::Nested(&catalog::TOKEN_ROLE),
        Scope::Policy if kw == "path" => Scope::PolicyPath,
        Scope::Workload if kw == "login" => login(file, b),
        _ => Scope::Unknown,
    }
}

/// What `login MOUNT` becomes, as the checker decides it: the login role (or user) of
/// the mount the program declares at that path, else of the method an undeclared path
/// names (JWT by default).
fn login(file: &File, b: &Block) -> Scope {
    let Some(path) = b.label_text(0).map(|p| p.trim_matches('/')) else {
        return Scope::Unknown;
    };
    let declared = file
        .blocks
        .iter()
        .find(|m| m.keyword.name == "auth" && mount_path(m).as_deref() == Some(path));
    let ty = match declared {
        Some(m) => m
            .label_text(0)
            .and_then(|t| catalog::mount_type(MountClass::Auth, t)),
        None => catalog::external_login_type(path, b.entries()),
    };
    ty.and_then(MountType::login_spec)
        .map_or(Scope::Unknown, Scope::Login)
}

/// The path of the mount a top-level `auth` or `secrets` block declares.
pub fn mount_path(b: &Block) -> Option<String> {
    if !matches!(b.keyword.name.as_str(), "auth" | "secrets") {
        return None;
    }
    b.label_text(1)
        .or_else(|| b.label_text(0))
        .map(|p| p.trim_matches('/').to_string())
}

/// The endpoint whose schema types the body's attributes.
pub fn endpoint(scope: Scope) -> Option<&'static Endpoint> {
    let id = match scope {
        Scope::Mount(ty) => ty.config?,
        Scope::Nested(spec) => spec.endpoint,
        Scope::Token => "token-create",
        Scope::Login(spec) => spec.endpoint,
        _ => return None,
    };
    kp_schema::endpoint(id)
}

/// A field the body takes: from the schema, or one keyplan adds.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub field: Field,
    /// Where its value goes, for hover.
    pub origin: Origin,
}

/// Where a field's value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A field of the body of the endpoint at this API path.
    Endpoint(String),
    /// A field keyplan writes to an endpoint itself: where (markdown).
    Placed(String),
    /// keyplan's own syntax, no field of any endpoint: what it does (markdown).
    Keyplan(String),
}

fn synthetic(name: &str, ty: FieldType, description: &str, origin: Origin) -> FieldInfo {
    let json_type = match ty {
        FieldType::Int | FieldType::Duration => kp_schema::JsonType::Integer,
        FieldType::Bool => kp_schema::JsonType::Boolean,
        FieldType::List => kp_schema::JsonType::Array,
        FieldType::Map => kp_schema::JsonType::Object,
        _ => kp_schema::JsonType::String,
    };
    FieldInfo {
        field: Field {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            required: false,
            sensitive: false,
            default: None,
            allowed: Vec::new(),
            json_type,
            deprecated: false,
            plugins: 0,
            targets: kp_schema::Target::ALL.to_vec(),
            source: None,
            ignored: Default::default(),
            fields: Default::default(),
        },
        origin,
    }
}

/// Every field valid in the body, schema fields in name order after keyplan's own.
pub fn fields(scope: Scope) -> Vec<FieldInfo> {
    let mut out = Vec::new();
    match scope {
        Scope::Mount(ty) => {
            let mount = match ty.class {
                MountClass::Auth => "sys/auth/{mount}",
                MountClass::Secrets => "sys/mounts/{mount}",
            };
            for (name, fty) in MOUNT_ATTRS {
                let doc = mount_attr_doc(name);
                // A mount that exists is updated through `.../tune`, which takes the
                // `config` fields at its top level and cannot change `local` or
                // `seal_wrap`.
                let place = if MOUNT_TUNE_ATTRS.contains(&name) {
                    format!("`{mount}`, in the body's `config` (`{mount}/tune` once the mount exists)")
                } else if name == "description" {
                    format!("`{mount}` (`{mount}/tune` once the mount exists)")
                } else {
                    format!("`{mount}`, when the mount is enabled")
                };
                out.push(synthetic(name, fty, doc, Origin::Placed(place)));
            }
            if ty.versioned {
                let mut v = synthetic(
                    "version",
                    FieldType::Int,
                    "KV version: 1 or 2 (2 keeps versions and metadata).",
                    Origin::Placed(format!(
                        "`{mount}`, in the body's `options` (`{mount}/tune` once the mount exists)"
                    )),
                );
                v.field.allowed = vec!["1".to_string(), "2".to_string()];
                out.push(v);
            }
        }
        Scope::Token => out.push(synthetic(
            "role",
            FieldType::String,
            "The token role the token is created from (`auth token { role NAME { ... } }`).",
            Origin::Keyplan(format!(
                "the token role in the path the token is created at, `{}create/{{role}}`",
                catalog::TOKEN_PREFIX
            )),
        )),
        Scope::Workload => out.push(synthetic(
            "description",
            FieldType::String,
            "What the workload is, for people reading the plan.",
            Origin::Keyplan(
                "sent to no server; kept in the program's JSON graph (`--emit json`)".to_string(),
            ),
        )),
        Scope::Login(spec) => out.push(synthetic(
            "role_name",
            FieldType::String,
            "The login role's name; the workload's name when absent.",
            Origin::Keyplan(format!(
                "the name in the path the role is written to, `{{name}}` in `{}`",
                login_path(spec)
            )),
        )),
        Scope::Nested(spec) if spec.endpoint == CONNECTION_ENDPOINT => out.push(synthetic(
            ROTATE_ROOT,
            FieldType::Bool,
            "`true`: right after creating the connection (and again when its `username` or password expression changes), the server rotates the root password, which no person knows afterwards; roles of the connection are written after the rotation. `false` keeps the password on purpose (no `kp::root-not-rotated` warning).",
            Origin::Keyplan(
                "`true` runs the action `{mount}/rotate-root/{name}` after the connection is written"
                    .to_string(),
            ),
        )),
        Scope::PolicyPath => {
            let mut c = synthetic(
                "capabilities",
                FieldType::List,
                "What the rule allows on matching paths.",
                Origin::Placed(
                    "`sys/policies/acl/{name}`, in the policy's HCL: `path \"GLOB\" { capabilities = [...] }`"
                        .to_string(),
                ),
            );
            c.field.required = true;
            c.field.allowed = kp_check::ir::CAPABILITIES
                .iter()
                .map(|s| s.to_string())
                .collect();
            out.push(c);
        }
        _ => {}
    }
    if let Some(ep) = endpoint(scope) {
        for f in ep.fields.values() {
            // `token-create` takes its role from the path, and keyplan writes it as `role`.
            if matches!(scope, Scope::Token) && f.name == "role_name" {
                continue;
            }
            out.push(FieldInfo {
                field: f.clone(),
                origin: Origin::Endpoint(ep.path.clone()),
            });
        }
    }
    out
}

/// The endpoint id of a database connection, whose block also takes [`ROTATE_ROOT`].
const CONNECTION_ENDPOINT: &str = "database-connection";

/// The attribute of a connection that asks for its root password to be rotated
/// (`kp_check`'s lowering handles it; it is no field of the endpoint).
const ROTATE_ROOT: &str = "rotate_root";

/// The API path a login block is written to (`auth/{mount}/role/{name}`).
fn login_path(spec: &NestedSpec) -> String {
    kp_schema::endpoint(spec.endpoint).map_or_else(
        || format!("auth/{{mount}}/{}", spec.path),
        |ep| ep.path.clone(),
    )
}

pub fn field(scope: Scope, name: &str) -> Option<FieldInfo> {
    fields(scope).into_iter().find(|f| f.field.name == name)
}

fn mount_attr_doc(name: &str) -> &'static str {
    match name {
        "description" => "Human-friendly description of the mount.",
        "local" => "Mark the mount as local: not replicated to performance secondaries.",
        "seal_wrap" => "Wrap the mount's storage with the seal (Enterprise seal wrapping).",
        "default_lease_ttl" => "Default lease duration of tokens and secrets from this mount.",
        "max_lease_ttl" => "Maximum lease duration of tokens and secrets from this mount.",
        _ => "",
    }
}

/// Nested blocks the body takes: `(keyword, takes a name, what it is)`.
pub fn blocks(scope: Scope) -> Vec<(&'static str, bool, String)> {
    match scope {
        Scope::TopLevel => vec![
            (
                "auth",
                true,
                "an auth method: `auth TYPE [PATH] { ... }`".to_string(),
            ),
            (
                "secrets",
                true,
                "a secrets engine: `secrets TYPE [PATH] { ... }`".to_string(),
            ),
            (
                "policy",
                true,
                "an ACL policy: `policy NAME { path \"GLOB\" { ... } }`".to_string(),
            ),
            (
                "extern",
                true,
                "a policy managed elsewhere: `extern policy NAME`".to_string(),
            ),
            (
                "owns",
                true,
                "the policies or token roles `apply --prune` may delete: `owns policies \"PREFIX-*\"`".to_string(),
            ),
            (
                "token",
                true,
                "a token from a token role: `token NAME { role = ROLE }`".to_string(),
            ),
            (
                "workload",
                true,
                "access intent: `workload NAME { login MOUNT { ... } read \"PATH\" }`".to_string(),
            ),
        ],
        Scope::Mount(ty) => ty
            .nested
            .iter()
            .map(|n| (n.keyword, n.named, n.what.to_string()))
            .collect(),
        Scope::TokenAuth => vec![("role", true, "token role".to_string())],
        Scope::Policy => vec![(
            "path",
            true,
            "a rule: `path \"GLOB\" { capabilities = [...] }`".to_string(),
        )],
        Scope::Workload => vec![(
            "login",
            true,
            "how the workload logs in: `login MOUNT { ... }` on a JWT/OIDC mount".to_string(),
        )],
        _ => Vec::new(),
    }
}
