//! Every diagnostic code the checker reports. Codes are stable: tools and tests match on
//! them, so a code is never renamed, only added.

/// A keyword that names no block valid at that place.
pub const UNKNOWN_BLOCK: &str = "kp::unknown-block";
/// An `auth` or `secrets` type keyplan does not know.
pub const UNKNOWN_TYPE: &str = "kp::unknown-type";
/// A block lacks a label it needs (`role { }` without a name).
pub const MISSING_LABEL: &str = "kp::missing-label";
/// A block has more labels than it takes.
pub const UNEXPECTED_LABEL: &str = "kp::unexpected-label";
/// A block that needs `{ ... }` has none.
pub const MISSING_BODY: &str = "kp::missing-body";
/// A bodiless declaration (`extern policy NAME`) was given a body.
pub const UNEXPECTED_BODY: &str = "kp::unexpected-body";
/// A statement (`VERB ARG...`) outside a `workload`.
pub const UNEXPECTED_STATEMENT: &str = "kp::unexpected-statement";
/// `auth token` given a path or mount attributes, or a mount at the path `token`.
pub const TOKEN_AUTH_NOT_MOUNTABLE: &str = "kp::token-auth-not-mountable";
/// An attribute the endpoint has no field for.
pub const UNKNOWN_FIELD: &str = "kp::unknown-field";
/// A value of the wrong shape for its field.
pub const TYPE_MISMATCH: &str = "kp::type-mismatch";
/// A value of the right shape that the field does not accept.
pub const INVALID_VALUE: &str = "kp::invalid-value";
/// A required field is absent.
pub const MISSING_FIELD: &str = "kp::missing-field";
/// A name that refers to nothing the program declares.
pub const UNRESOLVED_REFERENCE: &str = "kp::unresolved-reference";
/// A workload names a mount the program does not declare: assumed managed elsewhere (warning).
pub const EXTERNAL_MOUNT: &str = "kp::external-mount";
/// A `ca` SSH role allowing neither user nor host certificates: the server rejects it.
pub const SSH_SIGNS_NOTHING: &str = "kp::ssh-signs-nothing";
/// A token's `ttl` that its periodic token role overrides (warning).
pub const TTL_OVERRIDDEN_BY_PERIOD: &str = "kp::ttl-overridden-by-period";
/// A role, connection, policy, token or workload name the server cannot hold in a path.
pub const INVALID_NAME: &str = "kp::invalid-name";
/// A name with capitals the server lowercases (policies, login roles, userpass users):
/// the server's copy would be another name.
pub const UPPERCASE_NAME: &str = "kp::uppercase-name";
/// A mount under another mount's path: the server refuses it.
pub const OVERLAPPING_MOUNT: &str = "kp::overlapping-mount";
/// A name or attribute defined twice.
pub const DUPLICATE: &str = "kp::duplicate";
/// A TTL larger than the maximum it is bounded by.
pub const TTL_EXCEEDS_MAX: &str = "kp::ttl-exceeds-max";
/// A TTL over the server's default system maximum (768h) that no `max_lease_ttl` of the
/// program bounds: refused or capped unless the server's configuration raises it (warning).
pub const TTL_OVER_SYSTEM_MAX: &str = "kp::ttl-over-system-max";
/// An endpoint or engine the compilation target does not have.
pub const UNSUPPORTED_ON_TARGET: &str = "kp::unsupported-on-target";
/// No target given, and the program uses what only one server has: compiled for it (warning).
pub const IMPLIED_TARGET: &str = "kp::implied-target";
/// A static database role given both `rotation_period` and `rotation_schedule`.
pub const ROTATION_CONFLICT: &str = "kp::rotation-conflict";
/// A static role's `rotation_period` under the server's minimum (5 seconds).
pub const ROTATION_PERIOD_TOO_SHORT: &str = "kp::rotation-period-too-short";
/// A JWT role of type `jwt` with no binding: any JWT of the issuer could log in.
pub const UNBOUND_JWT_ROLE: &str = "kp::unbound-jwt-role";
/// A JWT/OIDC mount without a key source: every login fails (warning).
pub const JWT_NO_KEY_SOURCE: &str = "kp::jwt-no-key-source";
/// A JWT/OIDC mount with more than one key source.
pub const JWT_KEY_SOURCES: &str = "kp::jwt-key-sources";
/// A value that looks like a placeholder left in (warning).
pub const PLACEHOLDER_VALUE: &str = "kp::placeholder-value";
/// An SSH role whose `allowed_users` contains `*` (warning).
pub const SSH_ANY_USER: &str = "kp::ssh-any-user";
/// A sensitive field given as a literal instead of `env("...")` (warning).
pub const LITERAL_SECRET: &str = "kp::literal-secret";
/// A database `connection_url` that cannot be a valid DSN.
pub const MALFORMED_CONNECTION_URL: &str = "kp::malformed-connection-url";
/// Credentials written into a `connection_url` instead of `{{username}}:{{password}}` (warning).
pub const CREDENTIALS_IN_URL: &str = "kp::credentials-in-url";
/// `no_parent` on a token created against a role: the server ignores it (warning).
pub const NO_PARENT_IGNORED: &str = "kp::no-parent-ignored";
/// A field the target accepts and does nothing with (warning): keyplan leaves it out.
pub const IGNORED_BY_SERVER: &str = "kp::ignored-by-server";
/// A token asks for a policy its token role does not allow.
pub const POLICY_NOT_ALLOWED: &str = "kp::policy-not-allowed";
/// The built-in `root` policy granted to a login, token or token role.
pub const ROOT_POLICY: &str = "kp::root-policy";
/// A capability Vault does not have.
pub const UNKNOWN_CAPABILITY: &str = "kp::unknown-capability";
pub const REPEATED_CAPABILITY: &str = "kp::repeated-capability";
/// A policy path glob Vault would reject or misread.
pub const INVALID_GLOB: &str = "kp::invalid-glob";
/// A policy with no rules (the server rejects an empty policy).
pub const EMPTY_POLICY: &str = "kp::empty-policy";
/// A workload statement whose verb is not a capability or shorthand.
pub const UNKNOWN_VERB: &str = "kp::unknown-verb";
/// A mount of the wrong type for what refers to it (`sign` on a database mount).
pub const WRONG_MOUNT_TYPE: &str = "kp::wrong-mount-type";
/// A KV v2 path without `data/` or `metadata/` (warning).
pub const KV2_PATH: &str = "kp::kv2-path";
/// A workload with statements and no login: its policy is attached to nothing (warning).
pub const WORKLOAD_NO_LOGIN: &str = "kp::workload-no-login";
/// A workload with no statements: it derives no policy (warning).
pub const EMPTY_WORKLOAD: &str = "kp::empty-workload";
/// A name Vault reserves (`policy root`, a secrets mount at `sys/`).
pub const RESERVED_NAME: &str = "kp::reserved-name";
/// A mount path that is empty or malformed.
pub const INVALID_PATH: &str = "kp::invalid-path";

/// A field the server keeps only for compatibility (warning).
pub const DEPRECATED_FIELD: &str = "kp::deprecated-field";
/// A Kubernetes auth config without `kubernetes_ca_cert`: works only inside a pod (warning).
pub const KUBERNETES_NO_CA: &str = "kp::kubernetes-no-ca";
/// A Kubernetes auth config with `disable_local_ca_jwt = true` and no `kubernetes_ca_cert`.
pub const KUBERNETES_CA_REQUIRED: &str = "kp::kubernetes-ca-required";
/// A Kubernetes role any service account of any namespace logs in with (warning).
pub const UNBOUND_KUBERNETES_ROLE: &str = "kp::unbound-kubernetes-role";
/// An AppRole role with `bind_secret_id = false` and no CIDR binding.
pub const APPROLE_NO_CONSTRAINT: &str = "kp::approle-no-constraint";
/// `token_strictly_bind_ip = true` together with `token_bound_cidrs` (OpenBao rejects it).
pub const STRICT_IP_WITH_CIDRS: &str = "kp::strict-ip-with-cidrs";
/// A database connection with a root password (literal or `env()`) and no `rotate_root`:
/// the password a person handled keeps working (warning).
pub const ROOT_NOT_ROTATED: &str = "kp::root-not-rotated";
/// `rotate_root = true` on a connection without `username` and `password`.
pub const ROTATE_ROOT_NEEDS_CREDENTIALS: &str = "kp::rotate-root-needs-credentials";
/// A database role (static or dynamic) its connection's `allowed_roles` does not admit.
pub const ROLE_NOT_ALLOWED: &str = "kp::role-not-allowed";
/// A static role's user that a dynamic role's creation statements also create, or that
/// another static role of the same connection manages.
pub const STATIC_USER_COLLISION: &str = "kp::static-user-collision";
/// An `extern policy` whose name is inside an `owns policies` scope.
pub const OWNED_EXTERN: &str = "kp::owned-extern";
/// `token_type = "batch"` on a role whose other token fields ask for what a batch token
/// cannot be (periodic, limited uses, renewable, non-orphan): the server refuses the role.
pub const BATCH_TOKEN_CONFLICT: &str = "kp::batch-token-conflict";
/// A database `plugin_name` that is no built-in plugin but close to one (warning).
pub const UNKNOWN_PLUGIN: &str = "kp::unknown-plugin";

/// Every code above, for documentation and tests.
pub const ALL: &[&str] = &[
    UNKNOWN_BLOCK,
    UNKNOWN_TYPE,
    MISSING_LABEL,
    UNEXPECTED_LABEL,
    MISSING_BODY,
    UNEXPECTED_BODY,
    UNEXPECTED_STATEMENT,
    TOKEN_AUTH_NOT_MOUNTABLE,
    UNKNOWN_FIELD,
    TYPE_MISMATCH,
    INVALID_VALUE,
    MISSING_FIELD,
    UNRESOLVED_REFERENCE,
    EXTERNAL_MOUNT,
    SSH_SIGNS_NOTHING,
    TTL_OVERRIDDEN_BY_PERIOD,
    INVALID_NAME,
    UPPERCASE_NAME,
    OVERLAPPING_MOUNT,
    DUPLICATE,
    TTL_EXCEEDS_MAX,
    TTL_OVER_SYSTEM_MAX,
    UNSUPPORTED_ON_TARGET,
    IMPLIED_TARGET,
    ROTATION_CONFLICT,
    ROTATION_PERIOD_TOO_SHORT,
    UNBOUND_JWT_ROLE,
    JWT_NO_KEY_SOURCE,
    JWT_KEY_SOURCES,
    PLACEHOLDER_VALUE,
    SSH_ANY_USER,
    LITERAL_SECRET,
    MALFORMED_CONNECTION_URL,
    CREDENTIALS_IN_URL,
    NO_PARENT_IGNORED,
    IGNORED_BY_SERVER,
    POLICY_NOT_ALLOWED,
    ROOT_POLICY,
    UNKNOWN_CAPABILITY,
    REPEATED_CAPABILITY,
    INVALID_GLOB,
    EMPTY_POLICY,
    UNKNOWN_VERB,
    WRONG_MOUNT_TYPE,
    KV2_PATH,
    WORKLOAD_NO_LOGIN,
    EMPTY_WORKLOAD,
    RESERVED_NAME,
    INVALID_PATH,
    DEPRECATED_FIELD,
    KUBERNETES_NO_CA,
    KUBERNETES_CA_REQUIRED,
    UNBOUND_KUBERNETES_ROLE,
    APPROLE_NO_CONSTRAINT,
    STRICT_IP_WITH_CIDRS,
    ROOT_NOT_ROTATED,
    ROTATE_ROOT_NEEDS_CREDENTIALS,
    ROLE_NOT_ALLOWED,
    STATIC_USER_COLLISION,
    OWNED_EXTERN,
    BATCH_TOKEN_CONFLICT,
    UNKNOWN_PLUGIN,
];
