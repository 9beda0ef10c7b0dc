//! The all-fields program, generated from the endpoint schemas: every block the language
//! has (every mount type's config and nested blocks, every login method, token roles and
//! tokens, policies), each setting every writable field of its endpoint to a value other
//! than its default. A field left out is listed with why; the test then checks that each
//! endpoint's fields are either set or listed, so a field added to a schema is covered
//! (or explained) or the test fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kp_schema::{Field, FieldType, Target};

/// What the program is generated against: key material and the servers it points at.
pub struct Inputs<'a> {
    pub target: Target,
    /// A CA certificate PEM (Kubernetes CA, JWKS CA, database TLS CA).
    pub ca_pem: &'a str,
    /// A PEM public key (JWT validation keys, Kubernetes service-account keys).
    pub public_pem: &'a str,
    /// An SSH CA key pair imported into the second SSH mount.
    pub ssh_public: &'a str,
    /// A JWKS URL and an OIDC discovery URL (the test's local endpoint).
    pub jwks_url: &'a str,
    pub oidc_issuer: &'a str,
    /// Connection URLs of the test's MariaDB and PostgreSQL (`{{username}}` templates).
    pub mysql_url: &'a str,
    pub postgres_url: &'a str,
}

/// Environment variables the program reads, with the values the test supplies.
pub const ENV: &[(&str, &str)] = &[
    ("KP_GEN_USER_PASSWORD", "generated-user-pw"),
    ("KP_GEN_TOKEN_REVIEWER_JWT", "generated.reviewer.jwt"),
    ("KP_GEN_OIDC_CLIENT_SECRET", "generated-oidc-secret"),
];

/// The SSH CA private key is read from this variable (set by the test).
pub const SSH_KEY_ENV: &str = "KP_GEN_SSH_CA_KEY";
/// The database root password (the test's `vaulter` user).
pub const DB_PASSWORD_ENV: &str = "KP_GEN_DB_PASSWORD";

pub struct Generated {
    pub source: String,
    /// Endpoint → field → why it is not set.
    pub skipped: BTreeMap<String, BTreeMap<String, String>>,
}

/// One block to generate: its endpoint, how it opens, values that replace the
/// generated ones, and fields it leaves out (with why).
struct Block<'a> {
    endpoint: &'static str,
    head: String,
    set: Vec<(&'static str, String)>,
    skip: Vec<(&'static str, &'a str)>,
}

impl<'a> Block<'a> {
    fn new(endpoint: &'static str, head: impl Into<String>) -> Self {
        Block {
            endpoint,
            head: head.into(),
            set: Vec::new(),
            skip: Vec::new(),
        }
    }

    fn set(mut self, field: &'static str, value: impl Into<String>) -> Self {
        self.set.push((field, value.into()));
        self
    }

    fn skip(mut self, fields: &[&'static str], why: &'a str) -> Self {
        self.skip.extend(fields.iter().map(|f| (*f, why)));
        self
    }
}

/// A heredoc holding `text` (which ends in a newline).
fn heredoc(text: &str) -> String {
    format!("<<EOT\n{text}EOT")
}

/// The connection URL of a test's MariaDB on `port`, in the database engine's template form.
pub fn mysql_url(port: u16) -> String {
    format!("{{{{username}}}}:{{{{password}}}}@tcp(127.0.0.1:{port})/")
}

/// The connection URL of a test's PostgreSQL on `port`, in the database engine's template form.
pub fn postgres_url(port: u16) -> String {
    format!(
        "postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{port}/postgres?sslmode=disable"
    )
}

pub fn generate(i: &Inputs) -> Generated {
    let mut g = Generated {
        source: String::new(),
        skipped: BTreeMap::new(),
    };
    let ca = heredoc(i.ca_pem);
    let key = heredoc(i.public_pem);
    let target = i.target;
    g.source
        .push_str("extern policy p-one\nextern policy p-two\n\n");
    g.source.push_str(
        "policy gen-policy {\n  path \"secret/data/gen/*\" {\n    capabilities = [read, list]\n  }\n}\n\n",
    );

    // Auth methods: their mount attributes, their config, their roles (as logins).
    let mount = |kind: &str, ty: &str, path: &str| {
        format!(
            "{kind} {ty} {path} {{\n  description = \"generated {path}\"\n  local = true\n  \
             seal_wrap = true\n  default_lease_ttl = 1h\n  max_lease_ttl = 4h\n"
        )
    };
    let secret_env = |name: &str| format!("env(\"{name}\")");

    g.source.push_str(&mount("auth", "approle", "approle"));
    g.source.push_str("}\n\n");
    g.source.push_str(&mount("auth", "userpass", "userpass"));
    g.source.push_str("}\n\n");

    g.source
        .push_str(&mount("auth", "kubernetes", "kubernetes"));
    g.block(
        target,
        Block::new("kubernetes-config", "")
            .set("kubernetes_host", "\"https://10.0.0.1:443\"")
            .set("kubernetes_ca_cert", ca.clone())
            .set("pem_keys", format!("[{key}\n  ]"))
            .set(
                "token_reviewer_jwt",
                secret_env("KP_GEN_TOKEN_REVIEWER_JWT"),
            ),
        1,
    );
    g.source.push_str("}\n\n");

    g.source.push_str(&mount("auth", "cert", "cert"));
    g.block(target, Block::new("cert-config", ""), 1);
    g.source.push_str("}\n\n");

    // JWT: one key source per mount (the server takes exactly one).
    g.source.push_str(&mount("auth", "jwt", "jwt"));
    g.block(
        target,
        Block::new("jwt-config", "")
            .set("jwt_validation_pubkeys", format!("[{key}\n  ]"))
            .set("jwt_supported_algs", "[\"ES256\", \"RS256\"]")
            .set("default_role", "\"everything\"")
            .skip(
                &["jwks_url", "jwks_ca_pem", "override_allowed_server_names"],
                "the `jwt-jwks` mount's key source",
            )
            .skip(
                &[
                    "oidc_discovery_url",
                    "oidc_discovery_ca_pem",
                    "oidc_client_id",
                    "oidc_client_secret",
                    "oidc_response_mode",
                    "oidc_response_types",
                    "namespace_in_state",
                ],
                "the `oidc` mount's key source",
            )
            .skip(&["jwks_pairs"], "Vault only")
            .skip(
                &["provider_config"],
                "provider-specific (Azure, Google Workspace): needs that provider",
            )
            .skip(&["skip_jwks_validation"], "the `jwt-jwks` mount sets it"),
        1,
    );
    g.source.push_str("}\n\n");
    g.source.push_str(&mount("auth", "jwt", "jwt-jwks"));
    let jwks = Block::new("jwt-config", "")
        .set("jwks_url", format!("\"{}\"", i.jwks_url))
        .set("jwks_ca_pem", ca.clone())
        .set("jwt_supported_algs", "[\"RS256\"]");
    let only = [
        "jwks_url",
        "jwks_ca_pem",
        "jwt_supported_algs",
        "bound_issuer",
        "override_allowed_server_names",
        "skip_jwks_validation",
    ];
    g.block_only(target, jwks, &only, 1);
    g.source.push_str("}\n\n");
    g.source.push_str(&mount("auth", "oidc", "oidc"));
    let oidc = Block::new("jwt-config", "")
        .set("oidc_discovery_url", format!("\"{}\"", i.oidc_issuer))
        .set("oidc_discovery_ca_pem", ca.clone())
        .set("oidc_client_id", "\"generated-client\"")
        .set(
            "oidc_client_secret",
            secret_env("KP_GEN_OIDC_CLIENT_SECRET"),
        )
        .set("oidc_response_mode", "\"form_post\"")
        .set("oidc_response_types", "[\"id_token\"]")
        .set("namespace_in_state", "false")
        .set("bound_issuer", format!("\"{}\"", i.oidc_issuer));
    let only = [
        "oidc_discovery_url",
        "oidc_discovery_ca_pem",
        "oidc_client_id",
        "oidc_client_secret",
        "oidc_response_mode",
        "oidc_response_types",
        "namespace_in_state",
        "bound_issuer",
    ];
    g.block_only(target, oidc, &only, 1);
    g.source.push_str("}\n\n");

    // A workload per login method: every field of its role.
    for (endpoint, mount) in [
        ("approle-role", "approle"),
        ("kubernetes-role", "kubernetes"),
        ("userpass-user", "userpass"),
        ("jwt-role", "jwt"),
        ("cert-role", "cert"),
    ] {
        let _ = writeln!(g.source, "workload gen-{mount} {{");
        let mut b = Block::new(endpoint, format!("login {mount}"))
            .set("role_name", "\"everything\"")
            .set("password", secret_env("KP_GEN_USER_PASSWORD"))
            .skip(&["password_hash"], "one of `password` / `password_hash`")
            .skip(
                &["token_strictly_bind_ip"],
                "conflicts with `token_bound_cidrs`, which is the normalisation worth proving",
            )
            .skip(&["cel_program"], "a CEL program replaces the claim checks")
            .skip(
                &["oauth2_metadata", "poll_interval", "message"],
                "device-flow settings, only with `callback_mode = \"device\"`",
            );
        if endpoint != "userpass-user" {
            b.set.retain(|(f, _)| *f != "password");
        }
        if endpoint == "cert-role" {
            // PEMs, OIDs and URLs the server parses.
            b = b
                .set("certificate", ca.clone())
                .set("ocsp_ca_certificates", ca.clone())
                .set("allowed_metadata_extensions", "[\"1.3.6.1.4.1.55555.1\"]")
                .set("required_extensions", "[\"1.3.6.1.4.1.55555.2:generated\"]")
                .set("ocsp_servers_override", "[\"http://127.0.0.1:9/ocsp\"]");
        }
        g.block(target, b, 1);
        let _ = writeln!(g.source, "  read \"secret/data/{mount}/*\"\n}}\n");
    }

    // Token roles and a token created from one.
    g.source.push_str("auth token {\n");
    g.block(
        target,
        Block::new("token-role", "role gen-token-role")
            .set("allowed_policies", "[p-one, p-two]")
            .set("disallowed_policies", "[\"root\"]")
            .set("allowed_entity_aliases", "[\"alias-*\"]")
            .set("path_suffix", "\"gen\"")
            .set("token_type", "\"service\""),
        1,
    );
    g.source.push_str("}\n\n");
    g.block(
        target,
        Block::new("token-create", "token gen-token")
            .set("role", "gen-token-role")
            .set("policies", "[p-one]")
            .set("type", "\"service\"")
            .set("display_name", "\"generated\"")
            .skip(
                &["id"],
                "a chosen token id is a secret the program would have to hold",
            )
            .skip(
                &["entity_alias"],
                "needs an identity entity alias allowed by the role",
            )
            .skip(
                &["period"],
                "a periodic token's TTL is its period: `ttl` is what is proven",
            ),
        0,
    );
    g.source.push('\n');

    // SSH: a generated CA and its roles (CA and OTP), and an imported CA.
    g.source.push_str(&mount("secrets", "ssh", "ssh"));
    g.block(
        target,
        Block::new("ssh-ca", "ca")
            .set("generate_signing_key", "true")
            .set("key_type", "\"rsa\"")
            .set("key_bits", "2048")
            .skip(
                &["issuer_name"],
                "measured on OpenBao 2.7.2: `config/ca` accepts it but names no issuer \
                 (it reads back empty); issuers are named through `issuers/import`",
            )
            .skip(
                &["private_key", "public_key"],
                "the `ssh-imported` mount imports a key pair",
            ),
        1,
    );
    let otp_only = ["cidr_list", "exclude_cidr_list", "port"];
    g.block(
        target,
        Block::new("ssh-role", "role gen-ca")
            .set("key_type", "\"ca\"")
            .set("algorithm_signer", "\"rsa-sha2-512\"")
            .set("allowed_user_key_lengths", "{ rsa = 2048 }")
            .set("default_extensions", "{ permit-pty = \"\" }")
            .set(
                "default_critical_options",
                "{ force-command = \"/bin/true\" }",
            )
            .set("issuer_ref", "\"default\"")
            .set("ttl", "30m")
            .set("max_ttl", "2h")
            .skip(&otp_only, "OTP roles only: the `gen-otp` role sets them"),
        1,
    );
    let otp = Block::new("ssh-role", "role gen-otp")
        .set("key_type", "\"otp\"")
        .set("default_user", "\"ubuntu\"")
        .set("allowed_users", "[\"ubuntu\", \"admin\"]")
        .set("cidr_list", "[\"10.0.0.0/8\", \"192.168.0.0/16\"]")
        .set("exclude_cidr_list", "[\"10.1.0.0/16\"]")
        .set("port", "2222");
    g.block_only(
        target,
        otp,
        &[
            "key_type",
            "default_user",
            "allowed_users",
            "cidr_list",
            "exclude_cidr_list",
            "port",
        ],
        1,
    );
    g.source.push_str("}\n\n");
    g.source.push_str(&mount("secrets", "ssh", "ssh-imported"));
    let imported = Block::new("ssh-ca", "ca")
        .set("generate_signing_key", "false")
        .set("private_key", secret_env(SSH_KEY_ENV))
        .set("public_key", format!("\"{}\"", i.ssh_public.trim_end()));
    g.block_only(
        target,
        imported,
        &["generate_signing_key", "private_key", "public_key"],
        1,
    );
    g.source.push_str("}\n\n");

    // Databases: a MariaDB and a PostgreSQL connection, a role and a static role on each.
    g.source.push_str(&mount("secrets", "database", "database"));
    let db_common = |b: Block<'static>| {
        b.set("username", "\"vaulter\"")
            .set("password", secret_env(DB_PASSWORD_ENV))
            .set("allowed_roles", "[\"*\"]")
            .set("max_open_connections", "5")
            .set("max_idle_connections", "2")
            .set("max_connection_lifetime", "10m")
            .set("verify_connection", "true")
            .set("username_template", "\"v-{{.RoleName}}-{{random 8}}\"")
            .skip(&["auth_type", "service_account_json"], "Vault only")
            .skip(
                &["plugin_version"],
                "the built-in plugins have no version to pin",
            )
            .skip(
                &["password_policy"],
                "names a password policy under sys/policies/password, which the language does not write",
            )
            .skip(
                &["disable_escaping"],
                "escaping off breaks the `{{username}}` connection URL with these passwords",
            )
    };
    let mysql = db_common(Block::new("database-connection", "connection gen-mysql"))
        .set("plugin_name", "\"mysql-database-plugin\"")
        .set("connection_url", format!("\"{}\"", i.mysql_url))
        .set(
            "root_rotation_statements",
            "[\"ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}';\"]",
        )
        .set("tls_server_name", "\"db.internal\"")
        .skip(
            &["tls_ca", "tls_certificate_key", "tls_skip_verify"],
            "MySQL TLS: the test's MariaDB serves no TLS",
        )
        .skip(&["password_authentication"], "PostgreSQL only");
    let postgres = db_common(Block::new("database-connection", "connection gen-postgres"))
        .set("plugin_name", "\"postgresql-database-plugin\"")
        .set("connection_url", format!("\"{}\"", i.postgres_url))
        .set(
            "root_rotation_statements",
            "[\"ALTER ROLE \\\"{{username}}\\\" WITH PASSWORD '{{password}}';\"]",
        )
        .set("password_authentication", "\"scram-sha-256\"")
        .skip(
            &[
                "tls_ca",
                "tls_certificate_key",
                "tls_skip_verify",
                "tls_server_name",
            ],
            "MySQL only",
        );
    for connection in [mysql, postgres] {
        g.block(target, connection, 1);
    }
    for (conn, create, revoke) in [
        (
            "gen-mysql",
            "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
            "DROP USER IF EXISTS '{{name}}'@'%';",
        ),
        (
            "gen-postgres",
            "CREATE ROLE \\\"{{name}}\\\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
            "DROP ROLE IF EXISTS \\\"{{name}}\\\";",
        ),
    ] {
        g.block(
            target,
            Block::new("database-role", format!("role {conn}-role"))
                .set("db_name", conn)
                .set("creation_statements", format!("[\"{create}\"]"))
                .set("revocation_statements", format!("[\"{revoke}\"]"))
                .set("renew_statements", "[\"SELECT 1;\"]")
                .set("rollback_statements", format!("[\"{revoke}\"]"))
                .set("credential_type", "\"password\"")
                .set("credential_config", "{ password_policy = \"\" }")
                .set("default_ttl", "20m")
                .set("max_ttl", "2h"),
            1,
        );
        g.block(
            target,
            Block::new("database-static-role", format!("static-role {conn}-static"))
                .set("db_name", conn)
                .set("username", "\"kp_static\"")
                .set("rotation_period", "24h")
                .set("credential_type", "\"password\"")
                .set("credential_config", "{ password_policy = \"\" }")
                .skip(
                    &["rotation_statements"],
                    "the plugins' default rotation statement is what a static role needs",
                )
                .skip(
                    &["rotation_schedule", "rotation_window"],
                    "Vault only; a schedule and a period exclude each other",
                ),
            1,
        );
    }
    g.source.push_str("}\n\n");

    // KV version 2 and its config.
    g.source.push_str(&mount("secrets", "kv", "kv"));
    g.source.push_str("  version = 2\n");
    g.block(
        target,
        Block::new("kv-config", "config")
            .set("max_versions", "7")
            .set("delete_version_after", "720h"),
        1,
    );
    g.source.push_str("}\n\n");

    // AWS (Vault only): root and lease configs and a role.
    if target == Target::Vault {
        g.source.push_str(&mount("secrets", "aws", "aws"));
        g.block(
            target,
            Block::new("aws-root", "root")
                .set("access_key", "\"AKIAGENERATED\"")
                .set("secret_key", "env(\"KP_GEN_AWS_SECRET_KEY\")")
                .set("region", "\"eu-west-1\"")
                .set("rotation_period", "24h")
                .skip(
                    &["rotation_schedule", "rotation_window"],
                    "a schedule and a period exclude each other",
                )
                .skip(
                    &["role_arn", "identity_token_audience", "identity_token_ttl"],
                    "plugin workload identity, instead of access keys",
                ),
            1,
        );
        g.block(
            target,
            Block::new("aws-lease", "lease")
                .set("lease", "30m")
                .set("lease_max", "2h"),
            1,
        );
        g.block(
            target,
            Block::new("aws-role", "role gen-aws")
                .set("credential_type", "\"iam_user\"")
                .set(
                    "policy_arns",
                    "[\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]",
                )
                .set(
                    "policy_document",
                    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[]}\"",
                )
                .set("iam_tags", "{ team = \"ml\" }")
                .set("user_path", "\"/generated/\"")
                .set(
                    "permissions_boundary_arn",
                    "\"arn:aws:iam::123456789012:policy/boundary\"",
                )
                .skip(
                    &[
                        "role_arns",
                        "default_sts_ttl",
                        "max_sts_ttl",
                        "external_id",
                        "session_tags",
                        "mfa_serial_number",
                    ],
                    "assumed_role and federation_token credentials only",
                ),
            1,
        );
        g.source.push_str("}\n\n");
    }
    g
}

impl Generated {
    /// Writes `b` at `depth` (two spaces each), every supported, non-deprecated field of
    /// its endpoint set unless listed as skipped. With an empty `b.head` the fields go
    /// straight into the enclosing block (a mount's config).
    fn block(&mut self, target: Target, b: Block, depth: usize) {
        let ep = kp_schema::endpoint(b.endpoint).unwrap();
        let names: Vec<&str> = ep.fields.keys().map(String::as_str).collect();
        self.block_only(target, b, &names, depth);
    }

    /// [`Generated::block`] limited to the fields in `only`: the endpoint's other fields
    /// are another block's (one JWT key source per mount, OTP or CA SSH roles).
    fn block_only(&mut self, target: Target, b: Block, only: &[&str], depth: usize) {
        let ep = kp_schema::endpoint(b.endpoint).unwrap();
        let pad = "  ".repeat(depth);
        let inner = if b.head.is_empty() {
            pad.clone()
        } else {
            let _ = writeln!(self.source, "{pad}{} {{", b.head);
            format!("{pad}  ")
        };
        let mut lines = Vec::new();
        // Fields that are not schema fields (`role_name`, a token's `role`) first.
        for (name, v) in &b.set {
            if ep.field(name).is_none() {
                lines.push(format!("{inner}{name} = {v}"));
            }
        }
        let skipped = self.skipped.entry(b.endpoint.to_string()).or_default();
        // A database connection's plugin reads its own fields only (`x-keyplan-plugins`):
        // another plugin's field is an error there.
        let plugin = b
            .set
            .iter()
            .find(|(f, _)| *f == "plugin_name")
            .and_then(|(_, v)| {
                let name = v.trim_matches('"');
                kp_check::catalog::DATABASE_PLUGINS
                    .iter()
                    .position(|p| *p == name)
            });
        for (name, field) in &ep.fields {
            if field.deprecated || !field.supports(target) {
                continue;
            }
            if plugin.is_some_and(|at| field.plugins != 0 && field.plugins >> at & 1 == 0) {
                skipped.entry(name.clone()).or_insert_with(|| {
                    "read by other plugins than the test's MariaDB and PostgreSQL \
                     (x-keyplan-plugins; Redis's are applied in databases.rs)"
                        .to_string()
                });
                continue;
            }
            if let Some((_, why)) = b.skip.iter().find(|(f, _)| f == name) {
                skipped
                    .entry(name.clone())
                    .or_insert_with(|| why.to_string());
                continue;
            }
            if !only.contains(&name.as_str()) {
                continue;
            }
            let v = match b.set.iter().find(|(f, _)| f == name) {
                Some((_, v)) => v.clone(),
                None => value(name, field),
            };
            lines.push(format!("{inner}{name} = {v}"));
        }
        for l in lines {
            self.source.push_str(&l);
            self.source.push('\n');
        }
        if !b.head.is_empty() {
            let _ = writeln!(self.source, "{pad}}}");
        }
    }
}

/// A value other than the field's default, valid for its type (and for what the server
/// checks beyond the type).
fn value(name: &str, f: &Field) -> String {
    let special = match name {
        // Service tokens: batch tokens cannot be periodic or renewable.
        "token_type" => "\"service\"",
        "token_policies" => "[p-one, p-two]",
        // A label selector, in the JSON form the server parses.
        "bound_service_account_namespace_selector" => {
            "\"{\\\"matchLabels\\\":{\\\"team\\\":\\\"ci\\\"}}\""
        }
        "alias_name_source" => "\"serviceaccount_name\"",
        "role_type" => "\"jwt\"",
        "bound_claims_type" => "\"glob\"",
        "callback_mode" => "\"client\"",
        "user_claim" => "\"sub\"",
        "groups_claim" => "\"groups\"",
        "allowed_redirect_uris" => "[\"https://ci.example.com/callback\"]",
        "oidc_scopes" => "[\"profile\", \"email\"]",
        "claim_mappings" => "{ email = \"mail\", name = \"display\" }",
        "bound_claims" => "{ project_path = \"ml/*\", ref = \"refs/heads/main\" }",
        "role_id" => "\"generated-role-id-0001\"",
        "bound_issuer" => "\"https://ci.example.com\"",
        _ => "",
    };
    if !special.is_empty() {
        return special.to_string();
    }
    let default = f.default.as_ref();
    if let Some(other) = f
        .allowed
        .iter()
        .find(|a| !a.is_empty() && default.and_then(|d| d.as_str()) != Some(a.as_str()))
    {
        return format!("\"{other}\"");
    }
    match f.ty {
        FieldType::Bool => (!default.and_then(|d| d.as_bool()).unwrap_or(false)).to_string(),
        FieldType::Int => "3".into(),
        FieldType::Duration => match name {
            "token_ttl" => "20m",
            "token_max_ttl" => "2h",
            "token_explicit_max_ttl" => "3h",
            "token_period" => "30m",
            "secret_id_ttl" => "10m",
            "max_age" => "5m",
            // Leeways are durations the server keeps as seconds.
            "clock_skew_leeway" => "45s",
            "expiration_leeway" => "2m",
            "not_before_leeway" => "3m",
            "explicit_max_ttl" => "3h",
            _ => "1h",
        }
        .into(),
        FieldType::List | FieldType::CommaList if name.contains("cidr") => {
            "[\"127.0.0.1/32\", \"10.0.0.0/8\"]".into()
        }
        FieldType::List | FieldType::CommaList => "[\"zeta\", \"alpha\"]".into(),
        FieldType::Map => "{ team = \"ml\" }".into(),
        _ => format!("\"generated-{}\"", name.replace('_', "-")),
    }
}
