//! The identities of a program: everything that can hold a Vault token the program
//! shapes, with the policies a login yields and the conditions a login must meet.
//!
//! A workload is one identity (its login role is not listed again). Every other role of
//! a JWT/OIDC, Kubernetes, AppRole or userpass mount, every token role and every token is
//! an identity of its own.
//!
//! The policy set follows the server: a login gets the role's `token_policies` plus
//! `default` unless `token_no_default_policy` is set (tokens: `no_default_policy`, or
//! their token role's `token_no_default_policy` or `default` in its disallowed
//! policies), and
//! never `default` beside `root` (`vault/token_store.go`, `handleCreateCommon`). A token
//! created against a token role without `policies` gets the role's `allowed_policies`.

use kp_check::ir::{Program, Resource, ResourceKind, Value};
use kp_diag::Span;
use kp_sort::SortedMap;
use serde::Serialize;

/// What kind of identity, as the CLI and JSON name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    Workload,
    JwtRole,
    OidcRole,
    KubernetesRole,
    ApproleRole,
    CertRole,
    UserpassUser,
    TokenRole,
    Token,
}

impl IdentityKind {
    pub fn name(self) -> &'static str {
        match self {
            IdentityKind::Workload => "workload",
            IdentityKind::JwtRole => "jwt-role",
            IdentityKind::OidcRole => "oidc-role",
            IdentityKind::KubernetesRole => "kubernetes-role",
            IdentityKind::ApproleRole => "approle-role",
            IdentityKind::CertRole => "cert-role",
            IdentityKind::UserpassUser => "userpass-user",
            IdentityKind::TokenRole => "token-role",
            IdentityKind::Token => "token",
        }
    }
}

/// One identity of the program.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identity {
    /// Unique and stable across edits that keep names: a workload's name, `MOUNT/ROLE`
    /// for a role (`gitlab/model-publisher`, `token/ml-pipeline-role`), `token:NAME`
    /// for a token.
    pub id: String,
    pub kind: IdentityKind,
    /// The workload's, role's or token's own name.
    pub name: String,
    /// The auth mount's path (`gitlab`, `token`), when the identity logs in through one.
    pub mount: Option<String>,
    /// The resource id of the role it logs in with (`auth/gitlab/role/trainer`).
    pub role: Option<String>,
    /// The workload this identity is, if it is one.
    pub workload: Option<String>,
    /// The policies a login yields, in the role's order, `default` last when added.
    pub policies: Vec<String>,
    /// What a login must satisfy, and the token it yields (TTLs, CIDRs, ...).
    pub login: Login,
    /// Its tokens are batch tokens (`token_type = "batch"`), which the server refuses
    /// cubbyhole requests whatever their policies grant ([`batch_refusal`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub batch: bool,
    pub span: Span,
}

/// Why the server refuses `path` to a batch token whatever its policies grant: cubbyhole
/// is per token and a batch token has no storage of its own (measured on OpenBao 2.7.2:
/// `sys/capabilities` lists `cubbyhole/*`'s capabilities, and the request itself gets
/// 400 "cubbyhole operations are only supported by 'service' type tokens").
pub fn batch_refusal(path: &str) -> Option<&'static str> {
    let path = path.trim_start_matches('/');
    (path == "cubbyhole" || path.starts_with("cubbyhole/")).then_some(
        "a batch token cannot use cubbyhole: the server answers \"cubbyhole operations are only supported by 'service' type tokens\"",
    )
}

impl Identity {
    /// Why the server refuses `path` to this identity's tokens whatever their policies
    /// grant, if it does ([`batch_refusal`]).
    pub fn refusal(&self, path: &str) -> Option<&'static str> {
        batch_refusal(path).filter(|_| self.batch)
    }
}

/// Login conditions: the role's fields other than its policies, in API form (secrets
/// shown as `${NAME}`), plus, for JWT/OIDC roles, the bindings in typed form.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Login {
    pub fields: SortedMap<String, FieldValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt: Option<JwtBinding>,
}

/// A login field's value as the program writes it, shown and serialised as
/// [`Value::redacted`] gives it (secrets as `${NAME}`). Kept as the program's value, not
/// as a `serde_json::Value`: building one's objects links serde_json's IndexMap and
/// SipHash into the playground (2 KB gzipped), which writes the value directly
/// ([`crate::json::write_redacted`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue(pub Value);

impl FieldValue {
    /// The value as JSON, secrets redacted.
    pub fn json(&self) -> serde_json::Value {
        self.0.redacted()
    }
}

impl Serialize for FieldValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.redacted().serialize(serializer)
    }
}

/// What a JWT/OIDC role checks a token's claims against (`path_login.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwtBinding {
    /// `jwt` or `oidc` (the server's default when unset).
    pub role_type: String,
    pub bound_audiences: Vec<String>,
    /// The variables of `bound_audiences` items read at apply time (`env("AUD")`): their
    /// values are unknown here.
    pub audiences_from_env: Vec<String>,
    pub bound_subject: Option<String>,
    /// The variable `bound_subject` is read from at apply time, if it is.
    pub subject_from_env: Option<String>,
    /// Claim name (or JSON pointer) to the accepted values, typed as the role stores
    /// them: the server compares a claim with a value of the same JSON type only.
    pub bound_claims: SortedMap<String, Vec<serde_json::Value>>,
    /// Claim name to the variables among its accepted values (`bound_claims = { ref =
    /// env("REF") }`), unknown here; the claim is in `bound_claims` too.
    pub claims_from_env: SortedMap<String, Vec<String>>,
    /// `bound_claims_type = "glob"`: values are globs where `*` matches any run.
    pub glob: bool,
    pub user_claim: String,
    /// `user_claim_json_pointer`: `user_claim` is a JSON pointer (`/a/b`).
    pub user_claim_pointer: bool,
    pub groups_claim: Option<String>,
    /// The claims `claim_mappings` copies into metadata (names or JSON pointers): the
    /// server refuses a login where one of them is present but not a string.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claim_mappings: Vec<String>,
    /// The mount's `bound_issuer`, when the program configures the mount.
    pub bound_issuer: Option<String>,
    /// The role's leeways on the token's time claims (not part of the answers' JSON).
    #[serde(skip)]
    pub leeways: Leeways,
}

/// A JWT role's `expiration_leeway`, `not_before_leeway` and `clock_skew_leeway` in
/// seconds, as the role stores them: 0 (unset) is the server's default, a negative
/// value no leeway at all (`hashicorp/cap` `jwt.Expected`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Leeways {
    pub expiration: i64,
    pub not_before: i64,
    pub clock_skew: i64,
}

/// Body fields that are the identity's policies, not conditions of its login.
const POLICY_FIELDS: [&str; 3] = ["token_policies", "policies", "allowed_policies"];

/// Every identity of the program, workloads first (in source order), then roles and
/// tokens in source order.
pub fn identities(program: &Program) -> Vec<Identity> {
    identities_where(program, |_| true)
}

/// The identities whose id (`trainer`, `gitlab/trainer`, `token:NAME`) passes `keep`,
/// in the order of [`identities`]. Only those are built: asking for one identity of a
/// program with thousands costs one, not thousands (`explain --as`).
pub fn identities_where(program: &Program, keep: impl Fn(&str) -> bool) -> Vec<Identity> {
    let ctx = Ctx {
        program,
        configs: program
            .resources
            .iter()
            .filter(|c| c.kind == ResourceKind::Config)
            .filter_map(|c| Some((c.mount.as_deref()?, c)))
            .collect(),
        by_id: std::cell::OnceCell::new(),
    };
    let mut out = Vec::new();
    // A workload's login role is the workload: it is not listed again.
    // Sorted for binary search (kp_sort's sort of `&str`s is in the wasm already; a
    // `HashSet<&str>` compiled a table of its own).
    let mut taken: Vec<&str> = program
        .workloads
        .iter()
        .filter_map(|w| w.role.as_deref())
        .collect();
    kp_sort::sort(&mut taken);
    for w in &program.workloads {
        if !keep(&w.name) {
            continue;
        }
        let role = w.role.as_deref().and_then(|id| ctx.resource(id));
        let mut identity = match role {
            Some(r) => role_identity(r, &ctx),
            None => Identity {
                id: String::new(),
                kind: IdentityKind::Workload,
                name: String::new(),
                mount: None,
                role: None,
                workload: None,
                policies: vec![w.policy.to_string(), "default".into()],
                login: Login::default(),
                batch: false,
                span: w.span,
            },
        };
        identity.id = w.name.to_string();
        identity.kind = IdentityKind::Workload;
        identity.name = w.name.to_string();
        identity.workload = Some(w.name.to_string());
        identity.span = w.span;
        out.push(identity);
    }
    for r in &program.resources {
        let is_identity = matches!(
            (r.kind, r.schema),
            (
                ResourceKind::Role,
                "jwt-role"
                    | "kubernetes-role"
                    | "approle-role"
                    | "cert-role"
                    | "userpass-user"
                    | "token-role"
            ) | (ResourceKind::Token, _)
        );
        // A workload's role is taken only when that workload exists (it always does:
        // the checker made the role for it).
        if !is_identity || taken.binary_search(&r.id.as_str()).is_ok() {
            continue;
        }
        let (kind, mount) = kind_and_mount(r);
        if keep(&identity_id(kind, mount.as_deref(), &r.name)) {
            out.push(role_identity(r, &ctx));
        }
    }
    out
}

/// Lookups shared by every identity.
struct Ctx<'a> {
    program: &'a Program,
    /// Resource id → resource, built on first use (never for identities without a
    /// login role).
    by_id: std::cell::OnceCell<SortedMap<&'a str, &'a Resource>>,
    /// Mount id → the mount's `config` resource (`auth/MOUNT/config`).
    configs: SortedMap<&'a str, &'a Resource>,
}

impl<'a> Ctx<'a> {
    fn resource(&self, id: &str) -> Option<&'a Resource> {
        self.by_id
            .get_or_init(|| {
                SortedMap::from_unsorted(
                    self.program
                        .resources
                        .iter()
                        .map(|r| (r.id.as_str(), r))
                        .collect(),
                )
            })
            .get(id)
            .copied()
    }
}

/// What kind of identity a role or token resource is, and the auth mount it logs in
/// through.
fn kind_and_mount(r: &Resource) -> (IdentityKind, Option<String>) {
    let mount_path = r
        .mount
        .as_deref()
        .map(|m| m.strip_prefix("sys/auth/").unwrap_or(m).to_string())
        .or_else(|| {
            r.path
                .strip_prefix("auth/token/")
                .map(|_| "token".to_string())
        });
    let role_type = str_field(r, "role_type").unwrap_or("oidc");
    let kind = match (r.kind, r.schema) {
        (ResourceKind::Token, _) => IdentityKind::Token,
        (_, "jwt-role") if role_type == "jwt" => IdentityKind::JwtRole,
        (_, "jwt-role") => IdentityKind::OidcRole,
        (_, "kubernetes-role") => IdentityKind::KubernetesRole,
        (_, "approle-role") => IdentityKind::ApproleRole,
        (_, "cert-role") => IdentityKind::CertRole,
        (_, "userpass-user") => IdentityKind::UserpassUser,
        _ => IdentityKind::TokenRole,
    };
    (kind, mount_path)
}

fn identity_id(kind: IdentityKind, mount: Option<&str>, name: &str) -> String {
    match (kind, mount) {
        (IdentityKind::Token, _) => format!("token:{name}"),
        (_, Some(m)) => format!("{m}/{name}"),
        (_, None) => name.to_string(),
    }
}

fn role_identity(r: &Resource, ctx: &Ctx<'_>) -> Identity {
    let (kind, mount_path) = kind_and_mount(r);
    let role_type = str_field(r, "role_type").unwrap_or("oidc");
    let id = identity_id(kind, mount_path.as_deref(), &r.name);
    let policies = login_policies(r, kind, ctx);
    let fields = r
        .body
        .iter()
        .filter(|(k, _)| !POLICY_FIELDS.contains(k))
        .map(|(k, v)| (k.to_string(), FieldValue(v.clone())))
        .collect();
    let jwt = (r.schema == "jwt-role").then(|| JwtBinding {
        role_type: role_type.to_string(),
        bound_audiences: list_field(r, "bound_audiences"),
        audiences_from_env: env_names(r.body.get("bound_audiences")),
        bound_subject: str_field(r, "bound_subject")
            .filter(|s| !s.is_empty())
            .map(String::from),
        subject_from_env: env_names(r.body.get("bound_subject")).pop(),
        bound_claims: bound_claims(r),
        claims_from_env: match r.body.get("bound_claims") {
            Some(Value::Map(m)) => m
                .iter()
                .map(|(k, v)| (k.to_string(), env_names(Some(v))))
                .filter(|(_, names)| !names.is_empty())
                .collect(),
            _ => SortedMap::new(),
        },
        glob: str_field(r, "bound_claims_type") == Some("glob"),
        user_claim: str_field(r, "user_claim").unwrap_or("sub").to_string(),
        user_claim_pointer: bool_field(r, "user_claim_json_pointer"),
        groups_claim: str_field(r, "groups_claim")
            .filter(|s| !s.is_empty())
            .map(String::from),
        claim_mappings: match r.body.get("claim_mappings") {
            Some(Value::Map(m)) => m.keys().map(String::from).collect(),
            _ => Vec::new(),
        },
        bound_issuer: r
            .mount
            .as_deref()
            .and_then(|m| ctx.configs.get(m))
            .and_then(|c| str_field(c, "bound_issuer"))
            .filter(|s| !s.is_empty())
            .map(String::from),
        leeways: Leeways {
            expiration: int_field(r, "expiration_leeway"),
            not_before: int_field(r, "not_before_leeway"),
            clock_skew: int_field(r, "clock_skew_leeway"),
        },
    });
    Identity {
        id,
        kind,
        name: r.name.to_string(),
        mount: mount_path,
        role: (kind != IdentityKind::Token).then(|| r.id.to_string()),
        workload: r.workload.as_deref().map(String::from),
        policies,
        login: Login { fields, jwt },
        batch: issues_batch(r, kind, ctx),
        span: r.span,
    }
}

/// Whether the tokens of a role or token resource are batch tokens (measured on OpenBao
/// 2.7.2): a login role's `token_type` `batch`, or `default-batch`, which the server
/// adjusts to `batch` ("default-batch has no useful meaning; adjusting to batch"); a
/// token's own `type`, else its token role's `token_type` (`default-batch` gives a token
/// created without `type` a batch one).
fn issues_batch(r: &Resource, kind: IdentityKind, ctx: &Ctx<'_>) -> bool {
    let batch = |t: Option<&str>| matches!(t, Some("batch" | "default-batch"));
    if kind != IdentityKind::Token {
        return batch(str_field(r, "token_type"));
    }
    match str_field(r, "type") {
        Some(t) => t == "batch",
        None => r
            .depends_on
            .iter()
            .filter_map(|d| ctx.resource(d))
            .find(|d| d.schema == "token-role")
            .is_some_and(|role| batch(str_field(role, "token_type"))),
    }
}

/// Stands for the policies a token inherits from the token that creates it.
pub const INHERITED: &str = "(the policies of the token that applies the program)";

/// The policies a login (or a token creation) yields.
fn login_policies(r: &Resource, kind: IdentityKind, ctx: &Ctx<'_>) -> Vec<String> {
    let (mut policies, no_default) = match kind {
        IdentityKind::TokenRole => (list_field(r, "allowed_policies"), no_default_role(r)),
        IdentityKind::Token => {
            let role = r
                .depends_on
                .iter()
                .filter_map(|d| ctx.resource(d))
                .find(|d| d.schema == "token-role");
            let mut own = list_field(r, "policies");
            if own.is_empty() {
                // Created against a role without `policies`: the role's allowed ones.
                if let Some(role) = role {
                    own = list_field(role, "allowed_policies");
                }
            }
            // A role that allows any policy gives a token without `policies` those of
            // the token that creates it (measured on OpenBao 2.7.2: `root`, applied with
            // the root token), whose rules are not known here.
            let inherited = own.is_empty()
                && role.is_none_or(|role| list_field(role, "allowed_policies_glob").is_empty());
            if inherited {
                own.push(INHERITED.into());
            }
            // The role's `token_no_default_policy` leaves `default` out as the token's
            // own `no_default_policy` does (measured on OpenBao 2.7.2: a token of such
            // a role asking for `[a]` holds `[a]`).
            let no_default = inherited
                || bool_field(r, "no_default_policy")
                || role.is_some_and(no_default_role);
            (own, no_default)
        }
        // The deprecated `policies` counts when `token_policies` is not given
        // (`tokenutil.UpgradeValue`).
        _ => (
            r.body
                .get("token_policies")
                .map_or_else(|| list_field(r, "policies"), strings),
            bool_field(r, "token_no_default_policy"),
        ),
    };
    let mut seen = Vec::with_capacity(policies.len() + 1);
    policies.retain(|p| {
        let fresh = !seen.contains(p);
        seen.push(p.clone());
        fresh
    });
    if !no_default && !policies.iter().any(|p| p == "root" || p == "default") {
        policies.push("default".into());
    }
    policies
}

/// A token role that keeps `default` off its tokens: `token_no_default_policy`, or
/// `default` disallowed by name or glob (`handleCreateCommon`'s `localAddDefault`).
fn no_default_role(r: &Resource) -> bool {
    bool_field(r, "token_no_default_policy")
        || list_field(r, "disallowed_policies")
            .iter()
            .any(|p| p == "default")
        || list_field(r, "disallowed_policies_glob")
            .iter()
            .any(|g| kp_check::ir::glob_match(g, "default"))
}

fn str_field<'a>(r: &'a Resource, key: &str) -> Option<&'a str> {
    match r.body.get(key) {
        Some(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// An integer field (a duration in seconds); 0 when unset or read at apply time.
fn int_field(r: &Resource, key: &str) -> i64 {
    match r.body.get(key) {
        Some(Value::Int(i)) => *i,
        _ => 0,
    }
}

fn bool_field(r: &Resource, key: &str) -> bool {
    matches!(r.body.get(key), Some(Value::Bool(true)))
}

/// A list field, whether kept as a list or joined into Vault's comma string.
pub(crate) fn list_field(r: &Resource, key: &str) -> Vec<String> {
    r.body.get(key).map(strings).unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items.iter().flat_map(strings).collect(),
        Value::Str(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        Value::Int(i) => vec![i.to_string()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Map(_) | Value::Env(_) | Value::Secret(_) | Value::Policy(_) => Vec::new(),
    }
}

/// The variables a field's value (or its list's items) is read from at apply time.
fn env_names(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Env(e)) => vec![e.env.to_string()],
        Some(Value::List(items)) => items.iter().flat_map(|i| env_names(Some(i))).collect(),
        _ => Vec::new(),
    }
}

/// A bound claim's accepted value as JSON: a string, number or boolean (the checker
/// refuses a nested list or map), a literal secret redacted. Not `Value::redacted`, whose
/// object case would link serde_json's IndexMap into the playground.
fn claim_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Str(s) => serde_json::Value::String(s.clone()),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Secret(_) => serde_json::Value::String(kp_check::ir::LITERAL_SECRET.into()),
        _ => serde_json::Value::Null,
    }
}

fn bound_claims(r: &Resource) -> SortedMap<String, Vec<serde_json::Value>> {
    match r.body.get("bound_claims") {
        Some(Value::Map(m)) => m
            .iter()
            .map(|(k, v)| {
                // A string is one accepted value, commas included (`claims.go`); one
                // read at apply time is unknown here (`claims_from_env`).
                let values = match v {
                    Value::Env(_) => Vec::new(),
                    Value::List(items) => items
                        .iter()
                        .filter(|i| !matches!(i, Value::Env(_)))
                        .map(claim_value)
                        .collect(),
                    one => vec![claim_value(one)],
                };
                (k.to_string(), values)
            })
            .collect(),
        _ => SortedMap::new(),
    }
}

#[cfg(test)]
mod tests;
