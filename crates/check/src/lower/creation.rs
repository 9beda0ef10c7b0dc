//! A dynamic database role's `creation_statements` against its connection's plugin: the
//! server accepts a role without them, but most plugins have no default, so every
//! credential request on the role then fails ("empty creation statements"). Static roles
//! manage an existing user and need none.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Block, ExprKind};

use crate::body::{find_attr, is_empty_value};
use crate::codes;

/// A plugin family that creates users only from the role's statements, with a statement
/// to show in the help. Plugins not listed (Cassandra, InfluxDB, Couchbase, Redis have
/// defaults; custom plugins are unknown) are not reported.
struct NeedsStatements {
    plugins: &'static [&'static str],
    example: &'static str,
}

const NEEDS_STATEMENTS: &[NeedsStatements] = &[
    NeedsStatements {
        plugins: &[
            "mysql-database-plugin",
            "mysql-aurora-database-plugin",
            "mysql-rds-database-plugin",
            "mysql-legacy-database-plugin",
        ],
        example: r#"["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';", "GRANT SELECT ON app.* TO '{{name}}'@'%';"]"#,
    },
    NeedsStatements {
        plugins: &["postgresql-database-plugin"],
        example: r#"["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";"]"#,
    },
    NeedsStatements {
        plugins: &["redshift-database-plugin"],
        example: r#"["CREATE USER \"{{name}}\" WITH PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';", "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{{name}}\";"]"#,
    },
    NeedsStatements {
        plugins: &["mssql-database-plugin"],
        example: r#"["CREATE LOGIN [{{name}}] WITH PASSWORD = '{{password}}';", "CREATE USER [{{name}}] FOR LOGIN [{{name}}];", "GRANT SELECT ON SCHEMA::dbo TO [{{name}}];"]"#,
    },
    NeedsStatements {
        plugins: &["hana-database-plugin"],
        example: r#"["CREATE USER {{name}} PASSWORD \"{{password}}\" NO FORCE_FIRST_PASSWORD_CHANGE VALID UNTIL '{{expiration}}';"]"#,
    },
    NeedsStatements {
        plugins: &["oracle-database-plugin", "vault-plugin-database-oracle"],
        example: r#"["CREATE USER {{username}} IDENTIFIED BY \"{{password}}\";", "GRANT CONNECT TO {{username}};"]"#,
    },
    NeedsStatements {
        plugins: &["snowflake-database-plugin"],
        example: r#"["CREATE USER {{name}} PASSWORD = '{{password}}' DEFAULT_ROLE = reader;", "GRANT ROLE reader TO USER {{name}};"]"#,
    },
    NeedsStatements {
        plugins: &["mongodb-database-plugin"],
        example: r#"["{ \"db\": \"admin\", \"roles\": [{ \"role\": \"read\", \"db\": \"app\" }] }"]"#,
    },
    NeedsStatements {
        plugins: &["mongodbatlas-database-plugin"],
        example: r#"["{ \"database_name\": \"admin\", \"roles\": [{ \"databaseName\": \"app\", \"roleName\": \"read\" }] }"]"#,
    },
    NeedsStatements {
        plugins: &["elasticsearch-database-plugin"],
        example: r#"["{ \"elasticsearch_roles\": [\"viewer\"] }"]"#,
    },
];

/// The example statement for a plugin that has no default, if it is one.
fn needs_statements(plugin: &str) -> Option<&'static str> {
    NEEDS_STATEMENTS
        .iter()
        .find(|n| n.plugins.contains(&plugin))
        .map(|n| n.example)
}

/// `kp::missing-field` for a dynamic role (`role`, not `static-role`) whose connection's
/// plugin cannot create a user without `creation_statements`: absent, or an empty list.
pub fn check(role: &str, block: &Block, conn_name: &str, conn: &Block) -> Option<Diagnostic> {
    if block.keyword.name != "role" {
        return None;
    }
    let written = match find_attr(conn.entries(), "plugin_name").map(|a| &a.value.kind) {
        Some(ExprKind::Str { value, .. }) => value.as_str(),
        _ => return None,
    };
    // A near miss of a built-in name (`postgres-database-plugin`, warned about as
    // `kp::unknown-plugin`) is checked as the built-in it most likely is, not taken
    // for a custom plugin with statements of its own.
    let (plugin, example) = match needs_statements(written) {
        Some(example) => (format!("`{written}`"), example),
        None => {
            let builtin = crate::lints::database::likely_builtin(written)?;
            (
                format!("`{written}` (likely `{builtin}`)"),
                needs_statements(builtin)?,
            )
        }
    };
    let (at, message) = match find_attr(block.entries(), "creation_statements") {
        None => (
            block.head_span(),
            format!("role `{role}` is missing `creation_statements`"),
        ),
        Some(a) if is_empty_value(&a.value) => (
            a.value.span,
            format!("`creation_statements` of role `{role}` is empty"),
        ),
        Some(_) => return None,
    };
    Some(missing(at, message, conn_name, &plugin, example))
}

fn missing(at: Span, message: String, conn_name: &str, plugin: &str, example: &str) -> Diagnostic {
    Diagnostic::error(codes::MISSING_FIELD, at, message)
        .with_label("no statement to create the user with")
    .with_help(format!(
        "the server stores the role, but the plugin of connection `{conn_name}`, {plugin}, has no default statements: every credential request fails (\"empty creation statements\"); add `creation_statements = {example}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugins_with_defaults_or_unknown_need_no_statements() {
        assert!(needs_statements("mysql-database-plugin").is_some());
        assert!(needs_statements("postgresql-database-plugin").is_some());
        assert!(needs_statements("cassandra-database-plugin").is_none());
        assert!(needs_statements("redis-database-plugin").is_none());
        assert!(needs_statements("my-custom-plugin").is_none());
    }

    #[test]
    fn a_near_miss_of_a_built_in_plugin_needs_its_statements() {
        let src = r#"
            secrets database {
              connection pg {
                plugin_name    = "postgres-database-plugin"
                connection_url = "postgresql://{{username}}:{{password}}@db:5432/app"
                allowed_roles  = [reader]
              }
              connection custom {
                plugin_name    = "my-custom-database-plugin"
                connection_url = "custom://{{username}}:{{password}}@db:5432/app"
                allowed_roles  = [other]
              }
              role reader {
                db_name = pg
              }
              role other {
                db_name = custom
              }
            }
        "#;
        let parsed = kp_syntax::parse(src);
        let checked = crate::check(&parsed.file, &crate::Options::default());
        let got: Vec<(&str, &str)> = checked
            .diagnostics
            .iter()
            .filter(|d| matches!(d.code, codes::MISSING_FIELD | codes::UNKNOWN_PLUGIN))
            .map(|d| (d.code, d.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    codes::UNKNOWN_PLUGIN,
                    "`postgres-database-plugin` is not a built-in database plugin"
                ),
                (
                    codes::MISSING_FIELD,
                    "role `reader` is missing `creation_statements`"
                ),
            ]
        );
        let help = checked
            .diagnostics
            .iter()
            .find(|d| d.code == codes::MISSING_FIELD)
            .and_then(|d| d.help.as_deref())
            .unwrap_or_default();
        assert!(
            help.contains("likely `postgresql-database-plugin`"),
            "{help}"
        );
    }
}
