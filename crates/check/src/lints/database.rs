//! Database connection URLs: malformed DSNs and credentials written into them.

use kp_diag::{did_you_mean, Diagnostic};
use kp_syntax::ast::ExprKind;

use crate::body::{one_of, Parts};
use crate::catalog::DATABASE_PLUGINS;
use crate::codes;

#[derive(Debug, PartialEq, Eq)]
pub struct UrlFindings {
    /// Why the URL cannot work, if it cannot.
    pub malformed: Option<&'static str>,
    /// The user-info part holds literal credentials.
    pub literal_credentials: bool,
    /// ... and a literal password among them: the URL is then a secret itself.
    pub literal_password: bool,
    /// The password is a `key=value` parameter (`password=...`), not user-info.
    pub password_param: bool,
}

pub fn analyse(url: &str) -> UrlFindings {
    let (has_scheme, rest) = match url.find("://") {
        Some(i) => (true, url.get(i + 3..).unwrap_or("")),
        None => (false, url),
    };
    let mut malformed = None;
    let mut userinfo = None;
    if has_scheme {
        // Authority ends at the first `/` or `?`; credentials end at its last `@`.
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = rest.get(..end).unwrap_or("");
        let host = match authority.rfind('@') {
            Some(at) => {
                userinfo = authority.get(..at);
                authority.get(at + 1..).unwrap_or("")
            }
            None => authority,
        };
        if host.is_empty() && !rest.contains("host=") {
            malformed = Some("the URL names no host");
        }
    } else if let Some(at) = rest.rfind("@tcp(").or_else(|| rest.rfind("@unix(")) {
        // Go MySQL DSN: `user:pass@tcp(host:port)/db`.
        userinfo = rest.get(..at);
        let after = rest.get(at + 1..).unwrap_or("");
        let open = after.find('(').map_or(after.len(), |i| i + 1);
        let inner = after.get(open..).unwrap_or("");
        match inner.find(')') {
            None => malformed = Some("the address in `tcp(...)` is never closed"),
            Some(0) => malformed = Some("the address in `tcp(...)` is empty"),
            Some(close) => {
                if !after.get(open + close + 1..).unwrap_or("").starts_with('/') {
                    malformed =
                        Some("a `/` (and optionally a database name) must follow `tcp(...)`");
                }
            }
        }
    } else if let Some(at) = rest.rfind('@') {
        let after = rest.get(at + 1..).unwrap_or("");
        if after.is_empty() {
            malformed = Some("nothing follows the `@`");
        } else if after.starts_with("tcp") || after.starts_with("unix") {
            malformed = Some("the address must be written `tcp(HOST:PORT)`");
        }
        userinfo = rest.get(..at);
    }
    // Oracle writes `user/password@host`: `/` separates them as `:` does elsewhere.
    let literal_credentials = userinfo.is_some_and(|u| {
        let rest = u.replace("{{username}}", "").replace("{{password}}", "");
        !rest.trim_matches([':', '/']).is_empty()
    });
    let literal_password = userinfo
        .and_then(|u| u.split_once([':', '/']))
        .is_some_and(|(_, password)| is_literal(password));
    let password_param = password_param(url);
    UrlFindings {
        malformed,
        literal_credentials: literal_credentials || password_param,
        literal_password: literal_password || password_param,
        password_param,
    }
}

/// Why `url` cannot work with `plugin`, beyond [`analyse`]'s shape (each refused by the
/// driver when the server verifies the connection, OpenBao 2.7.2): a port that is not a
/// number ("invalid port \":badport\" after host"); for PostgreSQL (pgx), a URL that is
/// neither `postgres(ql)://` nor `key=value` pairs ("invalid keyword/value"); for MySQL
/// (Go's DSN), an address outside `tcp(...)` ("default addr for network '127.0.0.1:3306'
/// unknown").
fn for_plugin(plugin: Option<&str>, url: &str) -> Option<&'static str> {
    let scheme = url.find("://").and_then(|i| url.get(..i));
    let rest = url
        .find("://")
        .map_or(url, |i| url.get(i + 3..).unwrap_or(""));
    let templated = |s: &str| s.starts_with("{{") && s.ends_with("}}");
    let port_ok =
        |port: &str| port.is_empty() || templated(port) || port.bytes().all(|b| b.is_ascii_digit());
    // `host:port` after the credentials: a URL's authority or a DSN's `tcp(...)`.
    let address = match scheme {
        Some(_) => {
            let authority = rest.get(..rest.find(['/', '?']).unwrap_or(rest.len()));
            authority.map(|a| a.rsplit_once('@').map_or(a, |(_, host)| host))
        }
        None => rest
            .rsplit_once("@tcp(")
            .and_then(|(_, after)| after.split_once(')'))
            .map(|(address, _)| address),
    };
    // The last `:` outside an IPv6 address's brackets, then the port after it.
    let port = address
        .map(|a| a.rsplit_once(']').map_or(a, |(_, after)| after))
        .and_then(|a| a.rsplit_once(':'))
        .map(|(_, port)| port);
    // Several hosts (`h1:5432,h2:5432`) are libpq's; each is checked as one.
    if port.is_some_and(|p| {
        !p.split(',')
            .all(|p| port_ok(p.split_once(':').map_or(p, |(_, p)| p)))
    }) {
        return Some("the port is not a number");
    }
    let plugin = plugin?;
    if plugin == "postgresql-database-plugin" {
        return match scheme {
            Some("postgres" | "postgresql") => None,
            Some(_) => Some("PostgreSQL reads a URL only when it starts with `postgresql://` or `postgres://`"),
            None if !url.contains('=') && !templated(url) => Some(
                "PostgreSQL reads a `postgresql://` URL or `key=value` pairs (`host=db dbname=app`)",
            ),
            None => None,
        };
    }
    // A URL too: the driver reads none (`postgresql://...@db:5432/` on a MySQL plugin).
    if plugin.starts_with("mysql-") {
        let after = rest.rsplit_once('@').map(|(_, after)| after);
        if after.is_some_and(|a| {
            !a.starts_with("tcp(") && !a.starts_with("unix(") && !a.starts_with('/')
        }) {
            return Some("MySQL reads the address as `tcp(HOST:PORT)` after the `@`");
        }
    }
    None
}

/// Whether a `key=value` pair of the string gives a password literally: a libpq
/// key/value DSN (`host=db password=x`, `password = 'a b'`), a URL's query
/// (`?user=u&password=x`), an ADO/ODBC string (`Server=db;Pwd=x`).
fn password_param(s: &str) -> bool {
    let is_sep = |c: char| c.is_whitespace() || matches!(c, ';' | '&' | '?');
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches(is_sep);
        let key_end = rest.find(|c| is_sep(c) || c == '=').unwrap_or(rest.len());
        let (key, after) = rest.split_at_checked(key_end).unwrap_or((rest, ""));
        let after = after.trim_start();
        if after.is_empty() {
            return false;
        }
        let Some(value) = after.strip_prefix('=') else {
            rest = after;
            continue;
        };
        let (value, next) = split_value(value.trim_start(), is_sep);
        if names_password(key) && is_literal(value) {
            return true;
        }
        rest = next;
    }
}

/// A parameter's value (unquoted) and the text after it: quoted (`'a b'`, libpq's
/// quoting, `\` escaping) or up to the next separator.
fn split_value(s: &str, is_sep: impl Fn(char) -> bool) -> (&str, &str) {
    let Some(quote) = s.chars().next().filter(|c| matches!(c, '\'' | '"')) else {
        let end = s.find(|c| is_sep(c) && c != '?').unwrap_or(s.len());
        return s.split_at_checked(end).unwrap_or((s, ""));
    };
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => {
                return (s.get(1..i).unwrap_or(""), s.get(i + 1..).unwrap_or(""));
            }
            _ => {}
        }
    }
    (s.get(1..).unwrap_or(""), "")
}

/// The parameters that carry a password or another secret: `password`, `pwd`,
/// `passwd`, `sslpassword`, `client_secret`, `token`, in any case.
pub fn names_password(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["pass", "pwd", "secret", "token"]
        .iter()
        .any(|w| key.contains(w))
}

/// A password written out, not left to the server's template (`{{password}}`).
pub fn is_literal(password: &str) -> bool {
    let templated = password.starts_with("{{") && password.ends_with("}}");
    !password.is_empty() && !templated
}

/// Whether a string value is a URL (or Go DSN) with a password written into it: such a
/// value is a secret, kept out of outputs and snippets as a `password` field's is.
pub fn holds_password(expr: &kp_syntax::ast::Expr) -> bool {
    matches!(&expr.kind, ExprKind::Str { value, .. }
        if value.bytes().any(|b| b == b'@' || b == b'=') && analyse(value).literal_password)
}

/// The built-in plugin a `plugin_name` most likely means, when it is not one itself but
/// close to one: `postgres-database-plugin` or `postgresql` for
/// `postgresql-database-plugin`. Names are compared without the common
/// `-database-plugin` suffix, which would otherwise make every custom plugin
/// (`my-custom-database-plugin`) look close to some built-in one; another name with
/// `plugin` in it (`vault-plugin-database-redis`) is an external plugin's own.
pub fn likely_builtin(name: &str) -> Option<&'static str> {
    const SUFFIX: &str = "-database-plugin";
    if DATABASE_PLUGINS.contains(&name) {
        return None;
    }
    let word = name.trim().to_ascii_lowercase();
    let word = match word.strip_suffix(SUFFIX) {
        Some(stem) => stem,
        None if word.contains("plugin") => return None,
        None => word.as_str(),
    };
    if word.is_empty() {
        return None;
    }
    let stems = DATABASE_PLUGINS
        .iter()
        .filter_map(|p| p.strip_suffix(SUFFIX));
    let best = did_you_mean(word, stems)?;
    DATABASE_PLUGINS
        .iter()
        .copied()
        .find(|p| p.strip_suffix(SUFFIX) == Some(best))
}

/// `kp::unknown-plugin`: a `plugin_name` close to a built-in plugin's, which the server
/// refuses ("plugin not found in the catalog: postgres-database-plugin", measured on
/// OpenBao 2.7.2). A name close to none is a custom plugin, registered on the server
/// beforehand, and left alone.
/// A built-in plugin the target lacks (`missing_on`, the target's name) is reported too:
/// the target refuses it unless it was registered there as a custom one.
pub fn plugin_name(
    parts: &Parts<'_>,
    missing_on: Option<&'static str>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(attr) = parts.get("plugin_name") else {
        return;
    };
    let ExprKind::Str { value, .. } = &attr.value.kind else {
        return;
    };
    if let Some(server) = missing_on {
        diags.push(
            Diagnostic::warning(
                codes::UNKNOWN_PLUGIN,
                attr.value.span,
                format!("`{value}` is not built into {server}"),
            )
            .with_label("the server refuses it unless registered")
            .with_help("`keyplan explain-code kp::unknown-plugin` lists each server's plugins"),
        );
    }
    let Some(builtin) = likely_builtin(value) else {
        return;
    };
    diags.push(
        Diagnostic::warning(
            codes::UNKNOWN_PLUGIN,
            attr.value.span,
            format!("`{value}` is not a built-in database plugin"),
        )
        .with_label(format!("did you mean `{builtin}`?"))
        .with_help(format!(
            "write `plugin_name = \"{builtin}\"`: the server refuses a plugin its catalog does not hold (\"plugin not found in the catalog\"); a custom plugin of this name must be registered first"
        )),
    );
}

/// The position in [`DATABASE_PLUGINS`] of the connection's `plugin_name`.
pub fn plugin_at(parts: &Parts<'_>) -> Option<usize> {
    match &parts.get("plugin_name")?.value.kind {
        ExprKind::Str { value, .. } => DATABASE_PLUGINS.iter().position(|p| *p == value.as_str()),
        _ => None,
    }
}

/// `kp::unknown-field` for a field only other plugins read (`host` on
/// `postgresql-database-plugin`, `connection_url` on `redis-database-plugin`): the server
/// stores it and the plugin never reads it. A plugin not built in may read any field.
/// Adds the fields so reported to `foreign`.
pub fn plugin_fields<'p>(
    parts: &Parts<'p>,
    ep: &kp_schema::Endpoint,
    foreign: &mut Vec<&'p str>,
    diags: &mut Vec<Diagnostic>,
) {
    // A field's `plugins` are bits of positions in this list (`x-keyplan.plugins`).
    let Some(at) = plugin_at(parts) else {
        return;
    };
    let plugin = DATABASE_PLUGINS.get(at).copied().unwrap_or_default();
    let bit = 1u32 << at;
    for attr in &parts.attrs {
        let name = attr.name.name.as_str();
        let Some(field) = ep
            .field(name)
            .filter(|f| f.plugins != 0 && f.plugins & bit == 0)
        else {
            continue;
        };
        foreign.push(name);
        let owners: Vec<&str> = (0..DATABASE_PLUGINS.len())
            .filter(|i| field.plugins >> i & 1 == 1)
            .filter_map(|i| DATABASE_PLUGINS.get(i).copied())
            .collect();
        let own: Vec<&str> = ep
            .fields
            .values()
            .filter(|f| f.plugins & bit != 0)
            .map(|f| f.name.as_str())
            .collect();
        let owners = if owners.len() > 4 {
            format!("{} other plugins", owners.len())
        } else {
            one_of(&owners)
        };
        diags.push(
            Diagnostic::error(
                codes::UNKNOWN_FIELD,
                attr.name.span,
                format!("`{plugin}` has no field `{name}`"),
            )
            .with_label("the plugin would never read it")
            .with_help(format!(
                "`{name}` is a field of {owners}; `{plugin}` reads {}",
                one_of(&own)
            )),
        );
    }
}

/// `env` is the variable a help suggests for the connection's password.
pub fn connection_url(parts: &Parts<'_>, env: &str, diags: &mut Vec<Diagnostic>) {
    let Some(attr) = parts.get("connection_url") else {
        return;
    };
    let ExprKind::Str { value, .. } = &attr.value.kind else {
        return;
    };
    let found = analyse(value);
    let span = attr.value.span;
    let plugin = parts.get("plugin_name").and_then(|a| match &a.value.kind {
        ExprKind::Str { value, .. } => Some(value.as_str()),
        _ => None,
    });
    // The server puts `username` and `password` only where the URL says (measured on
    // OpenBao 2.7.2: without them it logs in as the OS user, and is refused).
    let unused = !found.literal_credentials
        && !value.contains("{{username}}")
        && !value.contains("{{password}}")
        && (parts.get("username").is_some() || parts.get("password").is_some());
    let unused = unused
        .then_some("`username` and `password` are used only as `{{username}}:{{password}}` here");
    if let Some(why) = found
        .malformed
        .or_else(|| for_plugin(plugin, value))
        .or(unused)
    {
        diags.push(
            Diagnostic::error(
                codes::MALFORMED_CONNECTION_URL,
                span,
                "malformed `connection_url`",
            )
            .with_label(why)
            .with_help(
                "e.g. `{{username}}:{{password}}@tcp(127.0.0.1:3306)/` for MySQL, `postgresql://{{username}}:{{password}}@127.0.0.1:5432/postgres` for PostgreSQL",
            ),
        );
    }
    if found.literal_credentials {
        let (label, template) = if found.password_param {
            (
                "a password in the connection string",
                "`password={{password}}` in the connection string",
            )
        } else {
            (
                "credentials in the URL",
                "`{{username}}:{{password}}` in the URL",
            )
        };
        diags.push(
            Diagnostic::warning(
                codes::CREDENTIALS_IN_URL,
                span,
                "`connection_url` holds literal credentials",
            )
            .with_label(label)
            .with_help(match parts.get("password").map(|a| &a.value.kind) {
                // The connection already reads its password: only the URL is left to fix.
                // (Named without `env("…")`: helps' `env` names are renamed apart from
                // the ones the program reads, and this one is meant.)
                Some(ExprKind::Env(name))
                    if !name.value.is_empty()
                        && name.value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
                {
                    format!(
                    "write {template}: the server fills in `username` and the `password` the connection reads from `{}`, and can rotate the password",
                        name.value
                    )
                }
                _ => format!(
                    "write {template} and set `username` and `password = env(\"{env}\")`: the server fills them in, and can rotate the password"
                ),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field's plugin bits are positions in the schema's `x-keyplan.plugins`, read here
    /// as positions in `DATABASE_PLUGINS`: both lists must be the same.
    #[test]
    fn the_schema_lists_the_built_in_plugins() {
        let doc = kp_schema::json_schema("database-connection");
        let listed: Vec<&str> = doc
            .and_then(|d| d["x-keyplan"]["plugins"].as_object())
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(listed, DATABASE_PLUGINS);
    }

    #[test]
    fn near_misses_of_built_in_plugins_and_custom_names() {
        assert_eq!(
            likely_builtin("postgres-database-plugin"),
            Some("postgresql-database-plugin")
        );
        assert_eq!(
            likely_builtin("postgresql"),
            Some("postgresql-database-plugin")
        );
        assert_eq!(
            likely_builtin("PostgreSQL-database-plugin"),
            Some("postgresql-database-plugin")
        );
        assert_eq!(
            likely_builtin("mysq-database-plugin"),
            Some("mysql-database-plugin")
        );
        assert_eq!(
            likely_builtin("mongo-database-plugin"),
            Some("mongodb-database-plugin")
        );
        for exact in DATABASE_PLUGINS {
            assert_eq!(likely_builtin(exact), None, "{exact}");
        }
        for custom in [
            "my-custom-plugin",
            "my-custom-database-plugin",
            "acme-db",
            "custom-database-plugin",
            "vault-plugin-database-redis",
            "vault-plugin-database-oracl",
            "",
        ] {
            assert_eq!(likely_builtin(custom), None, "{custom}");
        }
    }

    #[test]
    fn reads_mysql_dsns() {
        let ok = analyse("{{username}}:{{password}}@tcp(127.0.0.1:3306)/");
        assert_eq!(ok.malformed, None);
        assert!(!ok.literal_credentials);
        let bad = analyse("user:password@tcp(");
        assert!(bad.malformed.is_some());
        assert!(bad.literal_credentials);
        assert!(analyse("u:p@tcp()/").malformed.is_some());
        assert!(analyse("{{username}}:{{password}}@tcp(db:3306)")
            .malformed
            .is_some());
    }

    #[test]
    fn reads_urls() {
        let ok = analyse("postgresql://{{username}}:{{password}}@127.0.0.1:5432/db");
        assert_eq!(ok.malformed, None);
        assert!(!ok.literal_credentials);
        let creds = analyse("postgresql://admin:hunter2@db:5432/db");
        assert_eq!(creds.malformed, None);
        assert!(creds.literal_credentials);
        assert!(analyse("postgresql://{{username}}:{{password}}@/db")
            .malformed
            .is_some());
        assert!(!analyse("postgresql://db:5432/x").literal_credentials);
    }

    #[test]
    fn reads_passwords_given_as_parameters() {
        for dsn in [
            "host=db.internal user=admin password=hunter2 dbname=app",
            "host=db password = 'hunter 2'",
            "postgresql://db.internal/app?user=admin&password=hunter2",
            "postgresql://db/app?sslmode=require&PWD=hunter2",
            "sqlserver://db:1433?database=app&passwd=hunter2",
            "Server=db;User Id=admin;Password=hunter2;",
            "user:{{password}}@tcp(db:3306)/app?client_secret=hunter2",
        ] {
            let found = analyse(dsn);
            assert!(found.literal_password && found.literal_credentials, "{dsn}");
            assert!(found.password_param, "{dsn}");
        }
        for templated in [
            "host=db user={{username}} password={{password}} dbname=app",
            "postgresql://db/app?password={{password}}",
            "host=db sslmode=require",
            "postgresql://{{username}}:{{password}}@db/app?sslmode=disable",
        ] {
            let found = analyse(templated);
            assert!(!found.literal_password, "{templated}");
            assert!(!found.literal_credentials, "{templated}");
        }
    }

    #[test]
    fn reads_oracle_dsns() {
        let ok = analyse("{{username}}/{{password}}@db:1521/ORCL");
        assert!(!ok.literal_credentials && !ok.literal_password);
        let creds = analyse("admin/hunter2@db:1521/ORCL");
        assert!(creds.literal_credentials && creds.literal_password);
    }
}
