//! The typed view of the schemas: what the compiler relies on.

use kp_schema::{endpoint, FieldType, JsonType, Target, WriteMode};
use serde_json::{json, Value};

const NEEDED: &[&str] = &[
    "sys-auth",
    "sys-mounts",
    "jwt-config",
    "jwt-role",
    "token-role",
    "token-create",
    "ssh-ca",
    "ssh-role",
    "database-connection",
    "database-role",
    "aws-root",
    "aws-lease",
    "aws-role",
    "kv-config",
    "approle-role",
    "kubernetes-config",
    "kubernetes-role",
    "policy",
];

#[test]
fn the_compiler_endpoints_exist() {
    for id in NEEDED {
        let ep = endpoint(id).unwrap_or_else(|| panic!("missing endpoint {id}"));
        assert_eq!(ep.id, *id);
        assert!(!ep.fields.is_empty(), "{id} has fields");
        assert!(!ep.title.is_empty() && !ep.source.is_empty(), "{id}");
    }
    assert!(endpoint("no-such-endpoint").is_none());
    assert!(kp_schema::json_schema("no-such-endpoint").is_none());
}

#[test]
fn token_roles_have_no_login_token_fields() {
    let role = endpoint("token-role").expect("token-role");
    for absent in ["token_ttl", "token_max_ttl", "token_policies"] {
        assert!(
            role.field(absent).is_none(),
            "token-role must not have {absent}"
        );
    }
    for present in [
        "allowed_policies",
        "token_explicit_max_ttl",
        "token_period",
        "orphan",
        "renewable",
    ] {
        assert!(role.field(present).is_some(), "token-role has {present}");
    }
    assert_eq!(role.path, "auth/token/roles/{name}");
    assert_eq!(role.write, WriteMode::Merge);
}

#[test]
fn ssh_ca_has_no_ttl() {
    let ca = endpoint("ssh-ca").expect("ssh-ca");
    assert!(ca.field("ttl").is_none());
    assert!(ca.field("generate_signing_key").is_some());
    assert!(ca.field("private_key").expect("private_key").sensitive);
}

#[test]
fn aws_endpoints_target_only_vault() {
    for id in ["aws-root", "aws-lease", "aws-role"] {
        let ep = endpoint(id).expect(id);
        assert_eq!(ep.targets, vec![Target::Vault], "{id}");
        assert!(!ep.supports(Target::Openbao));
        assert!(ep.fields.values().all(|f| f.targets == vec![Target::Vault]));
    }
    assert!(
        endpoint("aws-root")
            .expect("aws-root")
            .field("secret_key")
            .expect("secret_key")
            .sensitive
    );
}

#[test]
fn write_modes_follow_the_server() {
    for (id, mode) in [
        ("jwt-config", WriteMode::Replace),
        ("ssh-role", WriteMode::Replace),
        ("aws-root", WriteMode::Replace),
        ("jwt-role", WriteMode::Merge),
        ("token-role", WriteMode::Merge),
        ("aws-role", WriteMode::Merge),
        ("database-role", WriteMode::Merge),
    ] {
        assert_eq!(endpoint(id).expect(id).write, mode, "{id}");
    }
}

#[test]
fn jwt_role_is_supplemented() {
    let role = endpoint("jwt-role").expect("jwt-role");
    assert_eq!(role.path, "auth/{mount}/role/{name}");
    assert_eq!(role.placeholders(), ["mount", "name"]);
    let role_type = role.field("role_type").expect("role_type");
    assert_eq!(role_type.allowed, ["jwt", "oidc"]);
    assert!(role.field("user_claim").expect("user_claim").required);
    assert_eq!(
        role.field("bound_claims").expect("bound_claims").ty,
        FieldType::Map
    );
    assert_eq!(
        role.field("bound_claims_type").expect("bct").allowed,
        ["string", "glob"]
    );
    assert_eq!(
        role.field("bound_audiences").expect("ba").ty,
        FieldType::List
    );
    for ttl in [
        "token_ttl",
        "token_max_ttl",
        "token_period",
        "token_explicit_max_ttl",
    ] {
        let field = role.field(ttl).expect(ttl);
        assert_eq!(
            (field.ty, field.json_type),
            (FieldType::Duration, JsonType::Integer),
            "{ttl}"
        );
    }
    assert_eq!(
        role.field("token_policies").expect("tp").ty,
        FieldType::List
    );
    assert!(role.field("policies").expect("policies").deprecated);
    assert_eq!(
        role.field("clock_skew_leeway").expect("csl").default,
        Some(json!(60))
    );
    let templated = role
        .field("token_policies_template_claims")
        .expect("token_policies_template_claims");
    assert_eq!(templated.targets, [Target::Openbao]);
    // OpenBao's document lists its CEL role's fields (auth/jwt/cel/role) under the JWT
    // role's request name; auth/jwt/role takes them silently and never reads them back.
    for cel_only in ["cel_program", "message"] {
        assert!(role.field(cel_only).is_none(), "{cel_only}");
    }
    assert!(role.field("role_type").expect("rt").source.is_some());
}

#[test]
fn ssh_role_comma_lists_and_maps() {
    let role = endpoint("ssh-role").expect("ssh-role");
    for name in [
        "allowed_users",
        "allowed_extensions",
        "allowed_critical_options",
        "allowed_domains",
        "cidr_list",
    ] {
        let field = role.field(name).expect(name);
        assert_eq!(
            (field.ty, field.json_type),
            (FieldType::CommaList, JsonType::String),
            "{name}"
        );
    }
    assert_eq!(
        role.field("default_extensions").expect("de").ty,
        FieldType::Map
    );
    assert_eq!(role.field("key_type").expect("kt").allowed, ["otp", "ca"]);
    assert_eq!(role.field("ttl").expect("ttl").ty, FieldType::Duration);
}

#[test]
fn mount_config_is_nested() {
    for id in ["sys-auth", "sys-mounts"] {
        let mount = endpoint(id).expect(id);
        let config = mount.field("config").expect("config");
        assert_eq!(config.ty, FieldType::Map);
        assert!(config.has_fields());
        let ttl = mount
            .lookup("config.default_lease_ttl")
            .expect("default_lease_ttl");
        assert_eq!(
            (ttl.ty, ttl.json_type),
            (FieldType::Duration, JsonType::Integer)
        );
        assert!(mount.lookup("config.max_lease_ttl").is_some());
        assert!(mount.lookup("config.nope").is_none());
        assert!(mount.field("type").expect("type").required);
        for name in ["description", "local", "seal_wrap", "options"] {
            assert!(mount.field(name).is_some(), "{id}.{name}");
        }
    }
}

#[test]
fn token_create_durations_are_integers() {
    let create = endpoint("token-create").expect("token-create");
    assert_eq!(create.path, "auth/token/create/{role}");
    for name in ["ttl", "explicit_max_ttl", "period"] {
        let field = create.field(name).expect(name);
        assert_eq!(
            (field.ty, field.json_type),
            (FieldType::Duration, JsonType::Integer),
            "{name}"
        );
    }
    assert_eq!(
        create.field("policies").expect("policies").ty,
        FieldType::List
    );
    assert_eq!(create.field("meta").expect("meta").ty, FieldType::Map);
}

#[test]
fn aws_lease_durations_are_go_strings() {
    let lease = endpoint("aws-lease").expect("aws-lease");
    for name in ["lease", "lease_max"] {
        let field = lease.field(name).expect(name);
        assert_eq!(
            (field.ty, field.json_type),
            (FieldType::Duration, JsonType::String)
        );
        assert!(field.required);
    }
}

#[test]
fn database_connection_has_plugin_fields() {
    let conn = endpoint("database-connection").expect("database-connection");
    assert!(conn.field("password").expect("password").sensitive);
    assert!(
        conn.field("tls_certificate_key")
            .expect("tls_certificate_key")
            .sensitive
    );
    assert!(!conn.field("username").expect("username").sensitive);
    assert_eq!(
        conn.field("max_connection_lifetime").expect("mcl").ty,
        FieldType::Duration
    );
    assert_eq!(conn.field("allowed_roles").expect("ar").ty, FieldType::List);
    assert!(conn
        .field("root_rotation_statements")
        .expect("rrs")
        .description
        .contains("root_credentials_rotate_statements"));
}

/// Each plugin field names its plugins as bits of `x-keyplan.plugins` (sorted); a field
/// only plugins of one server have is that server's.
#[test]
fn database_connection_fields_name_their_plugins() {
    let conn = endpoint("database-connection").expect("database-connection");
    let doc = kp_schema::json_schema("database-connection").expect("document");
    let plugins: Vec<&str> = doc["x-keyplan"]["plugins"]
        .as_object()
        .expect("x-keyplan.plugins")
        .keys()
        .map(String::as_str)
        .collect();
    assert!(plugins.windows(2).all(|w| w[0] < w[1]), "{plugins:?}");
    let bit = |name: &str| 1u32 << plugins.iter().position(|p| *p == name).expect(name);
    let host = conn.field("host").expect("host");
    assert_eq!(
        host.plugins,
        bit("redis-database-plugin")
            | bit("valkey-database-plugin")
            | bit("influxdb-database-plugin")
    );
    assert_eq!(host.targets, [Target::Vault, Target::Openbao]);
    let url = conn.field("connection_url").expect("connection_url");
    assert_ne!(url.plugins & bit("postgresql-database-plugin"), 0);
    assert_eq!(url.plugins & bit("redis-database-plugin"), 0);
    // Generic fields belong to every plugin.
    assert_eq!(conn.field("allowed_roles").expect("ar").plugins, 0);
    // MongoDB is Vault's alone (OpenBao 2.7.2's catalog has no MongoDB plugin).
    assert_eq!(
        conn.field("write_concern").expect("write_concern").targets,
        [Target::Vault]
    );
}

#[test]
fn path_with_fills_placeholders() {
    let role = endpoint("ssh-role").expect("ssh-role");
    assert_eq!(
        role.path_with(&[("mount", "ssh"), ("name", "training-environment")])
            .as_deref(),
        Some("ssh/roles/training-environment")
    );
    assert_eq!(role.path_with(&[("mount", "ssh")]), None);
}

fn validate(id: &str, body: &Value) -> Result<(), String> {
    let schema = kp_schema::json_schema(id).ok_or_else(|| format!("no schema {id}"))?;
    let validator = jsonschema::draft202012::new(schema).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn scenario_request_bodies_validate() {
    let ok = [
        (
            "sys-auth",
            json!({"type": "jwt", "description": "JWT backend used for dynamic secrets"}),
        ),
        (
            "sys-mounts",
            json!({"type": "database", "description": "Database Secrets Engine", "local": true,
            "seal_wrap": false, "config": {"default_lease_ttl": 600, "max_lease_ttl": 3600}}),
        ),
        (
            "sys-mounts",
            json!({"type": "kv", "options": {"version": "2"}}),
        ),
        (
            "jwt-role",
            json!({"role_type": "jwt", "user_claim": "sub", "bound_audiences": ["example-audience"],
            "token_policies": ["example-policy"], "token_ttl": 3600, "token_max_ttl": 14400}),
        ),
        (
            "jwt-config",
            json!({"bound_issuer": "example-issuer", "jwks_url": "https://example.com/.well-known/jwks.json",
            "jwt_supported_algs": ["RS256"]}),
        ),
        ("ssh-ca", json!({"generate_signing_key": true})),
        (
            "ssh-role",
            json!({"key_type": "ca", "ttl": 86400, "allow_user_certificates": true,
            "key_id_format": "vault-{{role_name}}-{{token_display_name}}-{{random_8_bytes_hex}}",
            "allowed_users": "*", "allowed_critical_options": "", "allowed_extensions": "permit-pty",
            "default_extensions": {}, "allow_user_key_ids": true}),
        ),
        (
            "token-role",
            json!({"allowed_policies": ["my-policy"], "renewable": true, "token_period": 3600}),
        ),
        (
            "token-create",
            json!({"policies": ["my-policy"], "renewable": true, "ttl": 3600, "no_parent": true}),
        ),
        ("aws-root", json!({"region": "us-west-2"})),
        (
            "aws-lease",
            json!({"lease": "1800s", "lease_max": "43200s"}),
        ),
        (
            "database-connection",
            json!({"plugin_name": "mysql-database-plugin",
            "connection_url": "{{username}}:{{password}}@tcp(127.0.0.1:3306)/", "allowed_roles": ["my-role"],
            "username": "vaulter", "password": "secret",
            "root_rotation_statements": ["ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}';"]}),
        ),
        (
            "database-role",
            json!({"db_name": "mysql-database", "creation_statements": ["CREATE USER '{{name}}'@'%';"],
            "default_ttl": 600, "max_ttl": 3600}),
        ),
        (
            "policy",
            json!({"policy": "path \"secret/*\" { capabilities = [\"read\"] }"}),
        ),
    ];
    for (id, body) in ok {
        if let Err(err) = validate(id, &body) {
            panic!("{id}: {body} rejected: {err}");
        }
    }

    let rejected = [
        (
            "ssh-ca",
            json!({"generate_signing_key": true, "ttl": 315360000}),
        ),
        ("token-role", json!({"renewable": true, "token_ttl": 3600})),
        (
            "jwt-role",
            json!({"role_type": "jwt", "bound_audiences": ["a"]}),
        ),
        (
            "jwt-role",
            json!({"role_type": "both", "user_claim": "sub"}),
        ),
        (
            "ssh-role",
            json!({"key_type": "ca", "allowed_users": ["*"]}),
        ),
        (
            "sys-mounts",
            json!({"type": "kv", "config": {"default_lease_ttl": 60, "bogus": 1}}),
        ),
        ("aws-lease", json!({"lease": 1800, "lease_max": "43200s"})),
        ("policy", json!({})),
    ];
    for (id, body) in rejected {
        assert!(
            validate(id, &body).is_err(),
            "{id}: {body} should be rejected"
        );
    }
}
