//! Database connection URLs: malformed DSNs and credentials written into them.

use kp_diag::Diagnostic;
use kp_syntax::ast::ExprKind;

use crate::body::Parts;
use crate::codes;

#[derive(Debug, PartialEq, Eq)]
pub struct UrlFindings {
    /// Why the URL cannot work, if it cannot.
    pub malformed: Option<&'static str>,
    /// The user-info part holds literal credentials.
    pub literal_credentials: bool,
    /// ... and a literal password among them: the URL is then a secret itself.
    pub literal_password: bool,
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
    let literal_credentials = userinfo.is_some_and(|u| {
        let rest = u.replace("{{username}}", "").replace("{{password}}", "");
        !rest.trim_matches(':').is_empty()
    });
    let literal_password = userinfo
        .and_then(|u| u.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty() && password != "{{password}}");
    UrlFindings {
        malformed,
        literal_credentials,
        literal_password,
    }
}

/// Whether a string value is a URL (or Go DSN) with a password written into it: such a
/// value is a secret, kept out of outputs and snippets as a `password` field's is.
pub fn holds_password(expr: &kp_syntax::ast::Expr) -> bool {
    matches!(&expr.kind, ExprKind::Str { value, .. }
        if (value.contains("://") || value.contains('@')) && analyse(value).literal_password)
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
    if let Some(why) = found.malformed {
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
        diags.push(
            Diagnostic::warning(
                codes::CREDENTIALS_IN_URL,
                span,
                "`connection_url` holds literal credentials",
            )
            .with_label("credentials in the URL")
            .with_help(format!(
                "write `{{{{username}}}}:{{{{password}}}}` in the URL and set `username` and `password = env(\"{env}\")`: the server fills them in, and can rotate the password"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
