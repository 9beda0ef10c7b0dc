//! What lowering produces: bodies in API form, dependency edges, workload derivation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{check_src, errors_of};
use kp_check::ir::{Program, Resource, Value};
use kp_check::Target;

fn lower(src: &str) -> Program {
    let (diags, program) = check_src(src, Target::Vault);
    let errors = errors_of(&diags);
    assert!(errors.is_empty(), "{errors:#?}");
    program
}

fn res<'p>(p: &'p Program, id: &str) -> &'p Resource {
    p.resources
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no resource {id}"))
}

fn json(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

const JWT: &str = r#"
auth jwt ci {
  jwks_url = "https://ci.example.com/jwks"
}
"#;

#[test]
fn policy_capabilities_are_canonical_and_deduplicated() {
    let p = lower(
        r#"policy p {
  path "secret/data/*" { capabilities = [list, "read", read, deny, create] }
}"#,
    );
    let r = res(&p, "sys/policies/acl/p");
    let doc = r.policy.as_ref().unwrap();
    assert_eq!(
        doc.rules[0].capabilities,
        ["create", "read", "list", "deny"]
    );
    assert_eq!(json(&r.body["policy"]), json(&Value::Str(doc.to_hcl())));
    assert_eq!(r.schema, "policy");
}

#[test]
fn workload_derives_policy_and_role() {
    let src = format!(
        r#"{JWT}
extern policy audit
workload trainer {{
  login ci {{
    role_name       = "trainer-role"
    user_claim      = "sub"
    bound_audiences = ["v"]
    token_policies  = [audit]
  }}
  read "secret/data/a/*"
  list "secret/metadata/a/*"
  read "secret/data/a/*"
  update "secret/data/a/*"
}}"#
    );
    let p = lower(&src);
    let ids: Vec<&str> = p.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "sys/auth/ci",
            "auth/ci/config",
            "sys/policies/acl/trainer",
            "auth/ci/role/trainer-role"
        ]
    );
    let role = res(&p, "auth/ci/role/trainer-role");
    assert_eq!(json(&role.body["token_policies"]), r#"["audit","trainer"]"#);
    assert_eq!(json(&role.body["role_type"]), r#""jwt""#);
    assert!(!role.body.contains_key("role_name"));
    assert_eq!(role.workload.as_deref(), Some("trainer"));
    assert_eq!(role.depends_on, ["sys/auth/ci", "sys/policies/acl/trainer"]);
    let w = &p.workloads[0];
    assert_eq!(w.role.as_deref(), Some("auth/ci/role/trainer-role"));
    assert_eq!(w.rules.len(), 2);
    assert_eq!(w.rules[0].capabilities, ["read", "update"]);
    assert_eq!(w.rules[1].capabilities, ["list"]);
    let policy = res(&p, "sys/policies/acl/trainer");
    assert_eq!(policy.workload.as_deref(), Some("trainer"));
}

#[test]
fn edges_follow_references_except_allowed_roles() {
    let p = lower(
        r#"
policy reader {
  path "x/*" { capabilities = [read] }
}
auth token {
  role r { allowed_policies = [reader] }
}
token t {
  role     = r
  policies = [reader]
}
secrets database {
  connection c {
    plugin_name    = "mysql-database-plugin"
    connection_url = "{{username}}:{{password}}@tcp(db:3306)/"
    allowed_roles  = [ro]
  }
  role ro {
    db_name             = c
    creation_statements = ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';"]
  }
}
"#,
    );
    assert_eq!(
        res(&p, "auth/token/roles/r").depends_on,
        ["sys/policies/acl/reader"]
    );
    let t = res(&p, "token/t");
    assert_eq!(t.path, "auth/token/create/r");
    assert_eq!(t.read_path, None);
    assert_eq!(
        t.depends_on,
        ["auth/token/roles/r", "sys/policies/acl/reader"]
    );
    assert!(!t.body.contains_key("role"));
    assert_eq!(
        res(&p, "database/config/c").depends_on,
        ["sys/mounts/database"]
    );
    assert_eq!(
        res(&p, "database/roles/ro").depends_on,
        ["sys/mounts/database", "database/config/c"]
    );
}

#[test]
fn strings_in_reference_fields_are_literal() {
    let p = lower(
        r#"
auth token {
  role r { allowed_policies = ["managed-elsewhere"] }
}
token t { role = "server-role" }
"#,
    );
    assert!(res(&p, "auth/token/roles/r").depends_on.is_empty());
    let t = res(&p, "token/t");
    assert_eq!(t.path, "auth/token/create/server-role");
    assert!(t.depends_on.is_empty());
}

#[test]
fn mount_bodies_are_in_api_form() {
    let p = lower(
        r#"
secrets kv secret {
  description       = "kv"
  version           = 2
  local             = true
  default_lease_ttl = 10m
  max_lease_ttl     = 1h
  config { max_versions = 5 }
}
"#,
    );
    let m = res(&p, "sys/mounts/secret");
    assert_eq!(
        serde_json::to_string(&m.body).unwrap(),
        r#"{"config":{"default_lease_ttl":600,"max_lease_ttl":3600},"description":"kv","local":true,"options":{"version":"2"},"type":"kv"}"#
    );
    let c = res(&p, "secret/config");
    assert_eq!(c.mount.as_deref(), Some("sys/mounts/secret"));
    assert_eq!(c.schema, "kv-config");
}

#[test]
fn comma_lists_maps_and_string_durations() {
    let p = lower(
        r#"
secrets ssh {
  role r {
    key_type                = "ca"
    allow_user_certificates = true
    allowed_users           = ["a", "b"]
    default_extensions = { permit-pty = "" }
  }
}
secrets aws {
  lease {
    lease     = 1h
    lease_max = 24h
  }
}
"#,
    );
    let r = res(&p, "ssh/roles/r");
    assert_eq!(json(&r.body["allowed_users"]), r#""a,b""#);
    assert_eq!(json(&r.body["default_extensions"]), r#"{"permit-pty":""}"#);
    let l = res(&p, "aws/config/lease");
    assert_eq!(json(&l.body["lease"]), r#""3600s""#);
    assert_eq!(json(&l.body["lease_max"]), r#""86400s""#);
}

#[test]
fn env_secrets_stay_symbolic() {
    let p = lower(
        r#"
secrets database {
  connection c {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@db:5432/app"
    password       = env("PG_PASSWORD")
  }
}
"#,
    );
    let c = res(&p, "database/config/c");
    assert_eq!(
        c.body["password"].redacted(),
        serde_json::json!("${PG_PASSWORD}")
    );
}

#[test]
fn extern_policies_are_listed() {
    let p = lower("extern policy b\nextern policy a\n");
    assert_eq!(p.extern_policies, ["a", "b"]);
    assert!(p.resources.is_empty());
}

#[test]
fn oidc_mounts_keep_the_server_default_role_type() {
    let p = lower(
        r#"
auth oidc {
  oidc_discovery_url = "https://accounts.example.com"
  role people {
    user_claim            = "email"
    allowed_redirect_uris = ["https://vault.example.com/ui/vault/auth/oidc/oidc/callback"]
  }
}
"#,
    );
    assert!(!res(&p, "auth/oidc/role/people")
        .body
        .contains_key("role_type"));
}

#[test]
fn every_mount_type_lowers() {
    let p = lower(
        r#"
extern policy app
auth approle {
  role builder {
    token_policies = [app]
    secret_id_ttl  = 10m
  }
}
auth kubernetes k8s {
  kubernetes_host = "https://10.0.0.1:6443"
  role app {
    bound_service_account_names      = ["app"]
    bound_service_account_namespaces = ["default"]
    token_policies                   = [app]
  }
}
auth userpass {
  user alice {
    password       = env("ALICE_PASSWORD")
    token_policies = [app]
  }
}
secrets pki {
  max_lease_ttl = 87600h
}
secrets transit {}
"#,
    );
    let ids: Vec<&str> = p.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "sys/auth/approle",
            "auth/approle/role/builder",
            "sys/auth/k8s",
            "auth/k8s/config",
            "auth/k8s/role/app",
            "sys/auth/userpass",
            "auth/userpass/users/alice",
            "sys/mounts/pki",
            "sys/mounts/transit",
        ]
    );
    assert_eq!(res(&p, "auth/k8s/config").schema, "kubernetes-config");
    assert_eq!(
        json(&res(&p, "sys/auth/k8s").body["type"]),
        r#""kubernetes""#
    );
}
