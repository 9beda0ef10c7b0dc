//! A database connection's `connection_url` as the server reads it back, made into one
//! the next apply can send without breaking the connection or writing a secret into
//! the program.
//!
//! The server answers a read with Go's `url.Parse(u).Redacted()` when the URL parses
//! (measured on OpenBao 2.7.2):
//!
//! - a `scheme://user:password@host` URL comes back with the password masked,
//!   `postgresql://postgres:xxxxx@127.0.0.1:5432/app`: written back as it reads, the
//!   mask would become the password;
//! - what Go cannot read as one (a MySQL DSN `root:pw@tcp(127.0.0.1:3306)/app`, a
//!   URL's `?password=pw` parameter, a libpq key=value DSN `host=db password=pw`)
//!   comes back with the password in clear, a secret keyplan never imports;
//! - a key=value DSN Go takes for a URL path comes back escaped as one,
//!   `host=db%20user=app`, which no driver reads as the DSN it was.
//!
//! In each case the credentials move out of the URL: the password becomes
//! `{{password}}` and `password = env("...")`, the user `{{username}}` and `username`
//! (unless the connection's `username` names another user, when the URL keeps its own),
//! as the server's own templating expects them.

use std::ops::Range;

use kp_check::{is_literal_password as literal, names_secret_parameter as names_secret};
use serde_json::Value as Json;

use crate::fields::{lookup, Ctx, Sink};
use crate::Warning;

/// What the server writes over a URL's password (Go's `url.URL.Redacted`).
const MASK: &str = "xxxxx";

/// A connection URL with its credentials templated.
#[derive(Debug, PartialEq, Eq)]
pub struct Lifted {
    pub url: String,
    /// The user the URL logged in as, now `{{username}}`: the connection's `username`.
    pub user: Option<String>,
    /// A literal password became `{{password}}`.
    pub password: bool,
    /// The password read back was the server's mask, not the password.
    pub masked: bool,
    /// The URL was read back escaped as a URL path and is written as the DSN it was.
    pub unescaped: bool,
}

/// One `key=value` of a DSN or a URL's query: the value's place in the text and the
/// value itself (unquoted, percent-decoded where the form encodes).
#[derive(Debug)]
struct Param {
    key: String,
    range: Range<usize>,
    value: String,
}

/// Where a URL's user and password are.
#[derive(Debug, Default)]
struct Creds {
    user: Option<(Range<usize>, String)>,
    password: Option<(Range<usize>, String)>,
    /// The password sits in a URL's user-info, where the server masks it.
    in_userinfo: bool,
}

/// The connection's data with its URL's credentials moved out, and a warning saying
/// what to set; `None` when the URL holds no password.
pub fn lift_connection(data: &Json, cx: &Ctx, sink: &mut Sink) -> Option<Json> {
    let url = lookup(data, "connection_url")?.as_str()?;
    let username = lookup(data, "username")
        .and_then(Json::as_str)
        .filter(|u| !u.is_empty());
    let lifted = lift(url, username)?;
    let mut out = data.clone();
    let details = match out.get("connection_details") {
        Some(Json::Object(_)) => out.get_mut("connection_details")?,
        _ => &mut out,
    };
    let details = details.as_object_mut()?;
    details.insert("connection_url".into(), Json::String(lifted.url.clone()));
    if let (Some(user), None) = (&lifted.user, username) {
        details.insert("username".into(), Json::String(user.clone()));
    }
    // libpq takes a key=value DSN's values as they stand: the plugin's URL escaping of
    // `{{password}}` (`/` as `%2F`, a space as `%20`) would log in with another password
    // (measured on OpenBao 2.7.2), so the DSN gets the password as written in it.
    let libpq = lifted.password && is_keyvalue(&lifted.url);
    if libpq {
        details.insert("disable_escaping".into(), Json::Bool(true));
    }
    if !lifted.password {
        sink.warnings.push(Warning {
            subject: cx.subject.to_string(),
            message: format!(
                "`connection_url` reads back escaped as a URL path (`%20` for each space), \
                 which no driver reads as the key=value DSN it was: imported as {}; `keyplan \
                 plan` shows it as a change, also after `apply`: the server escapes it anew \
                 on each read",
                crate::text::quote(&lifted.url)
            ),
        });
        return Some(out);
    }
    let mut parts: Vec<&str> = cx.env_parts.to_vec();
    parts.push("password");
    let var = crate::fields::secret_var(sink.env, &parts, format!("{} password", cx.subject));
    let read = if lifted.unescaped {
        "reads back escaped as a URL path (`%20` for each space), which no driver reads as \
         the key=value DSN it was, and holds its password in clear"
    } else if lifted.masked {
        "reads back with its password masked (`xxxxx`), which a write would send as the \
         password"
    } else {
        "holds its password in clear, which keyplan never imports"
    };
    // The plugins escape `{{password}}` into the URL, but for MySQL or with
    // `disable_escaping` (OpenBao's SQL connection producer).
    // The server reads `disable_escaping` back as a string, `"true"`.
    let disabled = lookup(data, "disable_escaping")
        .is_some_and(|d| d == &Json::Bool(true) || d.as_str() == Some("true"));
    let escaped = !libpq
        && !disabled
        && !lookup(data, "plugin_name")
            .and_then(Json::as_str)
            .is_some_and(|p| p.starts_with("mysql"));
    let value = match (lifted.masked, escaped) {
        (true, _) => "the password the URL held",
        (false, true) => "the password the URL held, without its URL escapes (the server escapes it into the URL)",
        (false, false) if libpq => "the password as the DSN wrote it (backslash escapes kept): `disable_escaping = true` keeps the server from URL-escaping it there",
        (false, false) => "the password the URL held, as written there",
    };
    let again = match lifted.unescaped {
        true => " (and again after it: the server escapes the DSN anew on each read)",
        false => "",
    };
    let user = match (&lifted.user, username) {
        (Some(u), None) => format!(" with `username = {}`", crate::text::quote(u)),
        (None, Some(u)) if !lifted.url.contains("{{username}}") => format!(
            " (the URL keeps its own user: the connection's `username` is {})",
            crate::text::quote(u)
        ),
        _ => String::new(),
    };
    sink.warnings.push(Warning {
        subject: cx.subject.to_string(),
        message: format!(
            "`connection_url` {read}: imported templated, {}{user}, and \
             `password = env(\"{var}\")`: set the variable to {value}; `keyplan plan` shows \
             the connection's change, which `apply` makes{again}",
            crate::text::quote(&lifted.url)
        ),
    });
    Some(out)
}

/// `url` with a literal password (masked or not) replaced by `{{password}}`, and its user
/// by `{{username}}` unless `username` names another one; `None` when there is no
/// literal password.
pub fn lift(url: &str, username: Option<&str>) -> Option<Lifted> {
    let unescaped = unescaped(url);
    let text = unescaped.as_deref().unwrap_or(url);
    let creds = creds(text);
    let Some((pw_range, _)) = creds.password.as_ref().filter(|(_, pw)| literal(pw)) else {
        // Nothing secret; a DSN read back escaped is still written as it was.
        return unescaped.map(|url| Lifted {
            url,
            user: None,
            password: false,
            masked: false,
            unescaped: true,
        });
    };
    let masked = creds.in_userinfo && text.get(pw_range.clone()) == Some(MASK);
    let mut edits = vec![(pw_range.clone(), "{{password}}")];
    let mut user = None;
    if let Some((range, name)) = &creds.user {
        if literal(name) && username.is_none_or(|u| u == name) {
            edits.push((range.clone(), "{{username}}"));
            user = Some(name.clone());
        }
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (range, with) in edits {
        out.replace_range(range, with);
    }
    Some(Lifted {
        url: out,
        user,
        password: true,
        masked,
        unescaped: unescaped.is_some(),
    })
}

/// Whether `url` holds a secret besides its password and user: a parameter named for
/// one (`sslpassword`, `token`, `client_secret`, as the checker's `kp::credentials-in-url`
/// counts them) with a value of its own.
pub fn other_secret(url: &str) -> bool {
    let text = unescaped(url);
    let text = text.as_deref().unwrap_or(url);
    params(text)
        .iter()
        .any(|p| names_secret(&p.key) && !is_password_key(&p.key) && literal(&p.value))
}

/// `url` with every secret parameter's value shown as `...`, for a message.
pub fn without_secrets(url: &str) -> String {
    let text = unescaped(url).unwrap_or_else(|| url.to_string());
    let mut secret: Vec<Range<usize>> = params(&text)
        .into_iter()
        .filter(|p| names_secret(&p.key) && literal(&p.value))
        .map(|p| p.range)
        .collect();
    secret.sort_by_key(|r| std::cmp::Reverse(r.start));
    let mut out = text;
    for r in secret {
        out.replace_range(r, "...");
    }
    if let Some((range, pw)) = creds(&out).password {
        if literal(&pw) {
            out.replace_range(range, "...");
        }
    }
    out
}

fn is_password_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("password")
}

/// The user and password of a URL (`scheme://user:pw@host/db?password=pw`), a libpq
/// key=value DSN (`user=u password=pw`), or a user-info DSN (`user:pw@tcp(host)/db`).
fn creds(text: &str) -> Creds {
    let mut c = Creds::default();
    if let Some(scheme_end) = text.find("://") {
        let start = scheme_end + 3;
        let rest = text.get(start..).unwrap_or("");
        let end = rest.find(['/', '?', '#']).map_or(text.len(), |e| start + e);
        if let Some(at) = text.get(start..end).and_then(|a| a.rfind('@')) {
            userinfo(text, start..start + at, true, &mut c);
        }
    } else if !is_keyvalue(text) {
        // The MySQL driver's rule: the user-info ends at the last `@` before the last
        // `/` (a password may hold either); without a `/`, at the last `@`.
        let before = text.rfind('/').unwrap_or(text.len());
        if let Some(at) = text.get(..before).and_then(|t| t.rfind('@')) {
            // The MySQL plugin sends its password unescaped: the text is the password.
            userinfo(text, 0..at, false, &mut c);
        }
    }
    for p in params(text) {
        if c.password.is_none() && is_password_key(&p.key) {
            c.password = Some((p.range, p.value));
        } else if c.user.is_none() && p.key.eq_ignore_ascii_case("user") {
            c.user = Some((p.range, p.value));
        }
    }
    c
}

/// The user and password of the user-info at `range`, split at its first `:`.
fn userinfo(text: &str, range: Range<usize>, encoded: bool, c: &mut Creds) {
    let Some(info) = text.get(range.clone()) else {
        return;
    };
    let value = |r: Range<usize>| {
        let raw = text.get(r).unwrap_or("");
        match encoded {
            true => percent_decode(raw).unwrap_or_else(|| raw.to_string()),
            false => raw.to_string(),
        }
    };
    let (user, password) = match info.find(':') {
        Some(k) => (
            range.start..range.start + k,
            Some(range.start + k + 1..range.end),
        ),
        None => (range.clone(), None),
    };
    if !user.is_empty() {
        c.user = Some((user.clone(), value(user)));
    }
    if let Some(p) = password {
        c.password = Some((p.clone(), value(p)));
        c.in_userinfo = true;
    }
}

/// The `key=value` parameters: a URL's query (after `?`, `&`-separated), or every pair
/// of a libpq key=value DSN (space-separated, values optionally single-quoted).
fn params(text: &str) -> Vec<Param> {
    if is_keyvalue(text) {
        return keyvalue_params(text);
    }
    let Some(q) = text.find('?') else {
        return Vec::new();
    };
    let start = q + 1;
    let end = text
        .get(start..)
        .and_then(|r| r.find('#'))
        .map_or(text.len(), |e| start + e);
    let mut out = Vec::new();
    let mut at = start;
    for pair in text.get(start..end).unwrap_or("").split('&') {
        if let Some((key, raw)) = pair.split_once('=') {
            let from = at + key.len() + 1;
            out.push(Param {
                key: key.to_string(),
                range: from..from + raw.len(),
                value: percent_decode(raw).unwrap_or_else(|| raw.to_string()),
            });
        }
        at += pair.len() + 1;
    }
    out
}

/// Whether the text is a libpq key=value DSN: it opens with `word=` (or `word =`).
fn is_keyvalue(text: &str) -> bool {
    let t = text.trim_start();
    let key_end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    key_end > 0
        && !t.contains("://")
        && t.get(key_end..)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
}

/// The pairs of a libpq key=value DSN, a quoted value's range inside its quotes.
fn keyvalue_params(text: &str) -> Vec<Param> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    loop {
        i = skip_space(i);
        if i >= bytes.len() {
            return out;
        }
        let key_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| *b != b'=' && !b.is_ascii_whitespace())
        {
            i += 1;
        }
        let key = text.get(key_start..i).unwrap_or("").to_string();
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            // Not a pair: libpq would refuse it; nothing more to read.
            return out;
        }
        i = skip_space(i + 1);
        let mut value_start = i;
        let mut value_end = None;
        let mut value = String::new();
        if bytes.get(i) == Some(&b'\'') {
            i += 1;
            // The quotes stay in the DSN around `{{password}}`: a password with a
            // space needs them.
            value_start = i;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'\\' => {
                        if let Some(c) = text.get(i + 1..).and_then(|r| r.chars().next()) {
                            value.push(c);
                            i += c.len_utf8();
                        }
                        i += 1;
                    }
                    b'\'' => {
                        value_end = Some(i);
                        i += 1;
                        break;
                    }
                    _ => {
                        let c = text.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
        } else {
            while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
                i += 1;
            }
            value = text.get(value_start..i).unwrap_or("").to_string();
        }
        out.push(Param {
            key,
            range: value_start..value_end.unwrap_or(i),
            value,
        });
    }
}

/// A key=value DSN read back escaped as a URL path (`host=db%20user=app`: no space left,
/// percent escapes instead), as the DSN it was; `None` for anything else.
fn unescaped(url: &str) -> Option<String> {
    if url.contains("://") || url.contains(char::is_whitespace) || !url.contains('%') {
        return None;
    }
    let decoded = percent_decode(url)?;
    (decoded.contains(char::is_whitespace) && is_keyvalue(&decoded)).then_some(decoded)
}

/// `%XX` escapes decoded; `None` when one is malformed or the bytes are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifted(url: &str, username: Option<&str>) -> Option<(String, Option<String>, bool)> {
        lift(url, username).map(|l| (l.url, l.user, l.masked))
    }

    fn some(url: &str, user: Option<&str>, masked: bool) -> Option<(String, Option<String>, bool)> {
        Some((url.to_string(), user.map(str::to_string), masked))
    }

    /// Each shape as OpenBao 2.7.2 reads it back (the left column is the read).
    #[test]
    fn urls_with_a_masked_password() {
        assert_eq!(
            lifted("postgresql://postgres:xxxxx@127.0.0.1:19432/app", None),
            some(
                "postgresql://{{username}}:{{password}}@127.0.0.1:19432/app",
                Some("postgres"),
                true
            )
        );
        assert_eq!(
            lifted(
                "postgres://postgres:xxxxx@127.0.0.1:19432/app?sslmode=disable",
                Some("postgres")
            ),
            some(
                "postgres://{{username}}:{{password}}@127.0.0.1:19432/app?sslmode=disable",
                Some("postgres"),
                true
            )
        );
        // The connection's `username` is another user: the URL keeps its own.
        assert_eq!(
            lifted("postgresql://postgres:xxxxx@db/app", Some("other")),
            some("postgresql://postgres:{{password}}@db/app", None, true)
        );
        // A user-info user is percent-decoded: the server escapes `username` again.
        assert_eq!(
            lifted("postgresql://post%20gres:xxxxx@db/app", None),
            some(
                "postgresql://{{username}}:{{password}}@db/app",
                Some("post gres"),
                true
            )
        );
        assert_eq!(
            lifted("mysql://root:xxxxx@127.0.0.1:3306/app", None),
            some(
                "mysql://{{username}}:{{password}}@127.0.0.1:3306/app",
                Some("root"),
                true
            )
        );
        assert_eq!(
            lifted(
                "postgresql://postgres:xxxxx@/app?host=/var/run/postgresql",
                None
            ),
            some(
                "postgresql://{{username}}:{{password}}@/app?host=/var/run/postgresql",
                Some("postgres"),
                true
            )
        );
    }

    #[test]
    fn passwords_in_clear() {
        // MySQL DSNs: Go cannot parse them, so nothing is masked.
        assert_eq!(
            lifted("root:rootpw@tcp(127.0.0.1:3306)/app", None),
            some(
                "{{username}}:{{password}}@tcp(127.0.0.1:3306)/app",
                Some("root"),
                false
            )
        );
        assert_eq!(
            lifted("root:p@ss:w/x@tcp(127.0.0.1:3306)/", None),
            some(
                "{{username}}:{{password}}@tcp(127.0.0.1:3306)/",
                Some("root"),
                false
            )
        );
        assert_eq!(
            lifted("root:rootpw@/app", None),
            some("{{username}}:{{password}}@/app", Some("root"), false)
        );
        // A templated user with a literal password: Go refuses `{` in user-info.
        assert_eq!(
            lifted("postgresql://{{username}}:rootpw@db/app", Some("u")),
            some("postgresql://{{username}}:{{password}}@db/app", None, false)
        );
        // Query parameters.
        assert_eq!(
            lifted(
                "postgresql://127.0.0.1:19432/app?user=postgres&password=rootpw",
                None
            ),
            some(
                "postgresql://127.0.0.1:19432/app?user={{username}}&password={{password}}",
                Some("postgres"),
                false
            )
        );
        // A libpq key=value DSN Go cannot parse (a `:` in it), read back as written.
        assert_eq!(
            lifted(
                "host=127.0.0.1 port=19432 user=postgres password='a b:c' dbname=app",
                None
            ),
            some(
                "host=127.0.0.1 port=19432 user={{username}} password='{{password}}' dbname=app",
                Some("postgres"),
                false
            )
        );
    }

    #[test]
    fn keyvalue_dsns_read_back_escaped() {
        let l = lift(
            "host=127.0.0.1%20port=19432%20user=postgres%20password=rootpw%20dbname=app",
            None,
        )
        .unwrap();
        assert_eq!(
            l.url,
            "host=127.0.0.1 port=19432 user={{username}} password={{password}} dbname=app"
        );
        assert!(l.unescaped && !l.masked);
        // Already templated: only the escaping is undone.
        let l = lift(
            "host=127.0.0.1%20user=%7B%7Busername%7D%7D%20password=%7B%7Bpassword%7D%7D",
            Some("u"),
        )
        .unwrap();
        assert_eq!(
            l.url,
            "host=127.0.0.1 user={{username}} password={{password}}"
        );
        assert_eq!((l.user, l.password, l.unescaped), (None, false, true));
    }

    #[test]
    fn nothing_to_lift() {
        for url in [
            "postgresql://{{username}}:{{password}}@127.0.0.1:5432/app",
            "{{username}}:{{password}}@tcp(127.0.0.1:3306)/",
            "postgresql://postgres@127.0.0.1:19432/app",
            "postgresql://postgres:{{password}}@db/app",
            "host=db user={{username}} password={{password}}",
            "postgresql://db/app?sslmode=disable",
            "postgresql://user:@db/app",
            "root@tcp(127.0.0.1:3306)/",
            "postgresql://db/a%20b",
        ] {
            assert_eq!(lift(url, Some("u")), None, "{url}");
        }
    }

    #[test]
    fn other_secrets() {
        assert!(other_secret(
            "postgresql://{{username}}:{{password}}@db/app?sslpassword=k3y"
        ));
        assert!(other_secret("host=db password=x sslpassword='k 3'"));
        assert!(!other_secret("postgresql://u:xxxxx@db/app?password=pw"));
        assert!(!other_secret("host=db sslpassword={{password}}"));
        assert_eq!(
            without_secrets("postgresql://u:pw@db/app?sslpassword=k3y&sslmode=verify-full"),
            "postgresql://u:...@db/app?sslpassword=...&sslmode=verify-full"
        );
    }
}
