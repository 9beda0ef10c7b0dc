//! A realistic large program: shared mounts, one database role and ssh role per team,
//! and `n` workloads, each with its own JWT login and half a dozen statements.

use std::fmt::Write;

pub fn program(workloads: usize) -> String {
    let teams = workloads.div_ceil(20).max(1);
    let mut s = String::with_capacity(workloads * 900);
    s.push_str(
        r#"# generated benchmark program
extern policy platform-audit

auth jwt ci {
  description        = "CI ID tokens"
  bound_issuer       = "https://ci.example.com"
  jwks_url           = "https://ci.example.com/.well-known/jwks.json"
  jwt_supported_algs = ["RS256", "ES256"]
  default_lease_ttl  = 15m
  max_lease_ttl      = 1h
}

secrets kv secret {
  description = "pipeline secrets"
  version     = 2
}

secrets ssh {
  description = "host certificates"
  ca {
    generate_signing_key = true
  }
"#,
    );
    for t in 0..teams {
        let _ = write!(
            s,
            r#"
  role team-{t} {{
    key_type                = "ca"
    allow_user_certificates = true
    allowed_users           = ["team-{t}", "ci"]
    allowed_extensions      = ["permit-pty"]
    ttl                     = 30m
    max_ttl                 = 2h
  }}
"#
        );
    }
    s.push_str(
        r#"}

secrets database {
  description       = "feature stores"
  default_lease_ttl = 15m
  max_lease_ttl     = 1h

  connection features {
    plugin_name    = "postgresql-database-plugin"
    connection_url = "postgresql://{{username}}:{{password}}@127.0.0.1:5432/features"
    username       = "vault_admin"
    password       = env("FEATURES_PASSWORD")
    allowed_roles  = ["*"]
  }
"#,
    );
    for t in 0..teams {
        let _ = write!(
            s,
            r#"
  role team-{t}-ro {{
    db_name             = features
    creation_statements = ["CREATE ROLE \"{{{{name}}}}\" WITH LOGIN PASSWORD '{{{{password}}}}';",
                           "GRANT SELECT ON ALL TABLES IN SCHEMA team_{t} TO \"{{{{name}}}}\";"]
    default_ttl         = 15m
    max_ttl             = 1h
  }}
"#
        );
    }
    s.push_str("}\n");
    for w in 0..workloads {
        let t = w / 20;
        let _ = write!(
            s,
            r#"
workload job-{w} {{
  description = "pipeline job {w} of team {t}"

  login ci {{
    bound_audiences = ["https://vault.example.com"]
    bound_claims    = {{ project_path = "team-{t}/job-{w}", ref = "main" }}
    user_claim      = "sub"
    token_ttl       = 15m
    token_max_ttl   = 1h
  }}

  read  "secret/data/team-{t}/job-{w}/*"
  list  "secret/metadata/team-{t}/job-{w}/*"
  read  "secret/data/team-{t}/shared/*"
  create "secret/data/artifacts/job-{w}/*"
  update "secret/data/artifacts/job-{w}/*"
  sign  ssh.team-{t}
  creds database.team-{t}-ro
}}
"#
        );
    }
    s
}
