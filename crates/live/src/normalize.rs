//! What "the same" means between a program's value (API form) and what the server reads
//! back. Vault normalises on write: durations come back as integer seconds, lists may be
//! sent as comma-separated strings and come back as arrays (or the other way round),
//! policy lists come back sorted, and empty values come back as `null`, `""`, `[]` or `{}`.

use keyplan::ir::{Body, Value};
use serde_json::Value as Json;

/// How to compare maps: the whole map (user data such as `bound_claims`), or only the
/// keys the program sets (a mount's `config`, which the server fills in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapRule {
    Exact,
    Subset,
    /// The whole map, a key with an empty value included: where the keys are the
    /// setting (an SSH role's `default_extensions = { permit-pty = "" }`). Under
    /// `Exact`, a live key with an empty value is one the server filled in
    /// (`credential_config` reads back `{"password_policy": ""}`).
    Keys,
}

impl MapRule {
    /// The rule for `field` of a resource of endpoint `schema` that is not a mount.
    pub fn of(schema: &str, field: &str) -> MapRule {
        if kp_import::keys_matter(schema, field) {
            MapRule::Keys
        } else {
            MapRule::Exact
        }
    }
}

/// Whether the live value already says what the program's value says.
pub fn same(want: &Value, live: &Json, maps: MapRule) -> bool {
    match want {
        // Secrets are write-only on the server; see `diff` for the rule.
        Value::Env(_) | Value::Secret(_) => true,
        Value::Policy(doc) => same(&Value::Str(doc.to_hcl()), live, maps),
        Value::Str(s) => match live {
            Json::String(l) => {
                s == l
                    || same_text(s, l)
                    || same_item(s, l)
                    || (l.contains('%') && unescaped(l).as_deref() == Some(s.as_str()))
                    || (s.contains(',') && same_list(&split(s), &split(l)))
            }
            Json::Array(items) => same_list(&split(s), &strings(items)),
            Json::Number(n) => s.trim().parse::<f64>().ok() == n.as_f64(),
            Json::Bool(b) => s.trim() == b.to_string(),
            Json::Null => s.is_empty(),
            Json::Object(o) => s.is_empty() && o.is_empty(),
        },
        Value::Int(i) => match live {
            Json::Number(n) => n.as_i64() == Some(*i) || n.as_f64() == Some(*i as f64),
            Json::Array(items) => one_item(want, items, maps),
            Json::String(l) => {
                l.trim().parse::<i64>().ok() == Some(*i) || go_duration(l) == Some(*i)
            }
            Json::Null => *i == 0,
            Json::Bool(b) => (*i != 0) == *b,
            _ => false,
        },
        Value::Bool(b) => match live {
            Json::Bool(l) => l == b,
            Json::Array(items) => one_item(want, items, maps),
            Json::String(l) => l.trim().parse::<bool>().ok() == Some(*b),
            Json::Null => !*b,
            _ => false,
        },
        Value::List(items) => {
            let want: Option<Vec<String>> = items.iter().map(scalar_text).collect();
            match (want, live) {
                (Some(w), Json::Array(l)) => same_list(&w, &strings(l)),
                (Some(w), Json::String(l)) => same_list(&w, &split(l)),
                (_, Json::Null) => items.is_empty(),
                (None, Json::Array(l)) => {
                    l.len() == items.len()
                        && items.iter().zip(l).all(|(w, l)| same(w, l, MapRule::Exact))
                }
                _ => false,
            }
        }
        Value::Map(m) => match live {
            Json::Object(l) if maps == MapRule::Keys => {
                m.len() == l.len()
                    && m.iter()
                        .all(|(k, w)| l.get(k).is_some_and(|v| same(w, v, maps)))
            }
            Json::Object(l) => {
                m.iter()
                    .all(|(k, w)| same(w, l.get(k).unwrap_or(&Json::Null), maps))
                    && (maps == MapRule::Subset
                        || l.iter().all(|(k, v)| m.contains_key(k) || is_empty(v)))
            }
            Json::Null if maps == MapRule::Keys => m.is_empty(),
            Json::Null => m.values().all(|v| same(v, &Json::Null, maps)),
            // Some endpoints keep a map as its JSON text.
            Json::String(s) if s.trim_start().starts_with('{') => {
                serde_json::from_str::<Json>(s).is_ok_and(|parsed| same(want, &parsed, maps))
            }
            Json::String(s) => m.is_empty() && s.is_empty(),
            Json::Array(a) => m.is_empty() && a.is_empty(),
            _ => false,
        },
    }
}

/// A scalar the server keeps as a list of one (`allowed_user_key_lengths = { rsa = 2048 }`
/// reads back as `{"rsa": [2048]}`): the same value.
fn one_item(want: &Value, items: &[Json], maps: MapRule) -> bool {
    matches!(items, [only] if same(want, only, maps))
}

/// Whether a live value is one of the shapes Vault uses for "nothing set".
pub fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::Bool(b) => !b,
    }
}

/// The value as the API takes it, with secrets taken from `env` (only at apply time).
pub fn to_json(v: &Value, env: &dyn Fn(&str) -> Option<String>) -> Option<Json> {
    Some(match v {
        Value::Str(s) => Json::String(s.clone()),
        Value::Int(i) => Json::from(*i),
        Value::Bool(b) => Json::Bool(*b),
        Value::List(l) => Json::Array(l.iter().map(|v| to_json(v, env)).collect::<Option<_>>()?),
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| Some((k.to_string(), to_json(v, env)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Env(e) => Json::String(env(&e.env)?),
        // The one place a literal secret leaves the program: the request body.
        Value::Secret(s) => Json::String(s.expose().to_string()),
        Value::Policy(doc) => Json::String(doc.to_hcl()),
    })
}

/// The environment variables a body reads.
pub fn env_names(body: &Body) -> Vec<String> {
    body.values()
        .flat_map(env_refs)
        .map(str::to_string)
        .collect()
}

/// The environment variables a value reads, in order, each once.
pub fn env_refs(v: &Value) -> Vec<&str> {
    fn walk<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
        match v {
            Value::Env(e) if !out.contains(&e.env.as_str()) => out.push(&e.env),
            Value::List(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Map(m) => m.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut out);
    out
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(items: &[Json]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// A text with its `%XX` escapes decoded. A database connection reads back its
/// `connection_url` through Go's `url.Redacted`, which escapes a libpq key/value string
/// (`host=db user={{username}}` comes back `host=db%20user=%7B%7Busername%7D%7D`, OpenBao
/// 2.7.2): the same setting. `None` for a malformed escape or text that is not UTF-8.
fn unescaped(text: &str) -> Option<String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let hex = [bytes.next()?, bytes.next()?];
        let hex = std::str::from_utf8(&hex).ok()?;
        out.push(u8::from_str_radix(hex, 16).ok()?);
    }
    String::from_utf8(out).ok()
}

/// Multi-line text (PEM blocks, SQL, policies) that differs only in trailing
/// whitespace: servers drop or add the final newline of a PEM block.
fn same_text(a: &str, b: &str) -> bool {
    (a.contains('\n') || b.contains('\n')) && a.trim_end() == b.trim_end()
}

/// Two list items that name the same thing: a host CIDR (`10.0.0.1/32`) comes back as
/// its bare address, and an IPv6 address in its canonical form (`token_bound_cidrs`:
/// `2001:DB8::/32` reads back `2001:db8::/32`, `::ffff:10.0.0.1` as `10.0.0.1`, measured
/// on OpenBao 2.7.2).
fn same_item(a: &str, b: &str) -> bool {
    canonical_item(a) == canonical_item(b)
}

fn canonical_item(s: &str) -> String {
    let s = s.trim();
    let (addr, prefix) = match s.rsplit_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (s, None),
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else {
        return s.to_string();
    };
    let ip = ip.to_canonical();
    match (prefix, ip.is_ipv4()) {
        (None | Some("32"), true) | (None | Some("128"), false) => ip.to_string(),
        (Some(prefix), _) => format!("{ip}/{prefix}"),
    }
}

/// Seconds of a Go duration string as servers print them (`1h0m0s`, `90s`, `10m`).
pub fn go_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let (mut total, mut number) = (0f64, String::new());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            unit.push('s');
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += n * match unit.as_str() {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            _ => return None,
        };
    }
    number.is_empty().then_some(total.round() as i64)
}

/// Lists compare as sets: Vault sorts and deduplicates policy lists, and keyplan's
/// lists of names carry no order the server keeps.
fn same_list(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<String> = a.iter().map(|s| canonical_item(s)).collect();
    let mut b: Vec<String> = b.iter().map(|s| canonical_item(s)).collect();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(x: &str) -> Value {
        Value::Str(x.into())
    }

    #[test]
    fn comma_strings_and_lists_are_the_same() {
        assert!(same(
            &s("permit-pty,x"),
            &json!(["x", "permit-pty"]),
            MapRule::Exact
        ));
        assert!(same(&s("*"), &json!("*"), MapRule::Exact));
        assert!(same(&s(""), &json!([]), MapRule::Exact));
        assert!(same(
            &Value::List(vec![s("a"), s("b")]),
            &json!("b,a"),
            MapRule::Exact
        ));
        assert!(!same(
            &Value::List(vec![s("a")]),
            &json!(["a", "b"]),
            MapRule::Exact
        ));
        assert!(same(&Value::List(vec![]), &json!(null), MapRule::Exact));
    }

    /// QA: a live key with an empty value counted as unset, so removing an SSH role's
    /// `default_extensions = { permit-pty = "" }`, or renaming the extension, planned
    /// nothing.
    #[test]
    fn a_key_with_an_empty_value_is_set_where_keys_matter() {
        let rule = MapRule::of("ssh-role", "default_extensions");
        assert_eq!(rule, MapRule::Keys);
        let one = Value::Map(Body::from([("permit-pty".to_string(), s(""))]));
        let other = Value::Map(Body::from([("permit-X11-forwarding".to_string(), s(""))]));
        let none = Value::Map(Body::new());
        let live = json!({ "permit-pty": "" });
        assert!(same(&one, &live, rule));
        assert!(!same(&none, &live, rule));
        assert!(!same(&other, &live, rule));
        assert!(!same(&one, &json!({}), rule));
        assert!(!same(&one, &json!(null), rule));
        assert!(same(&none, &json!(null), rule));
        // A database role's `credential_config` reads back `{"password_policy": ""}`
        // when nobody set it.
        let rule = MapRule::of("database-role", "credential_config");
        assert_eq!(rule, MapRule::Exact);
        assert!(same(&none, &json!({ "password_policy": "" }), rule));
    }

    #[test]
    fn durations_and_scalars() {
        assert!(same(&Value::Int(3600), &json!(3600), MapRule::Exact));
        assert!(same(&Value::Int(3600), &json!("3600"), MapRule::Exact));
        assert!(!same(&Value::Int(3600), &json!(7200), MapRule::Exact));
        assert!(same(&Value::Bool(false), &json!(null), MapRule::Exact));
        assert!(same(&Value::Int(2), &json!("2"), MapRule::Exact));
    }

    #[test]
    fn an_escaped_connection_string_is_the_same() {
        let want = s("host=db port=5432 user={{username}} password={{password}} dbname=app");
        let live = Json::from(
            "host=db%20port=5432%20user=%7B%7Busername%7D%7D%20password=%7B%7Bpassword%7D%7D%20dbname=app",
        );
        assert!(same(&want, &live, MapRule::Exact));
        assert!(!same(
            &s("host=other"),
            &Json::from("host=db%20"),
            MapRule::Exact
        ));
        assert!(!same(&s("a%zz"), &Json::from("a%zz%"), MapRule::Exact));
        assert_eq!(unescaped("100%"), None);
    }

    #[test]
    fn server_normalisations_are_the_same() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assert!(same(&s(&format!("{pem}\n")), &json!(pem), MapRule::Exact));
        assert!(same(&s(pem), &json!(format!("{pem}\n")), MapRule::Exact));
        assert!(!same(&s("a\n"), &json!("b\n"), MapRule::Exact));
        assert!(same(
            &Value::List(vec![s("127.0.0.1/32"), s("10.0.0.0/8")]),
            &json!(["10.0.0.0/8", "127.0.0.1"]),
            MapRule::Exact
        ));
        assert!(!same(
            &Value::List(vec![s("10.0.0.0/8")]),
            &json!(["10.0.0.0"]),
            MapRule::Exact
        ));
        // QA: IPv6 blocks with capitals or leading zeros were drift on every plan.
        assert!(same(
            &Value::List(vec![
                s("2001:DB8::/32"),
                s("2001:0db8:0000::0001/128"),
                s("::ffff:10.0.0.1"),
            ]),
            &json!(["2001:db8::/32", "2001:db8::1", "10.0.0.1"]),
            MapRule::Exact
        ));
        assert!(!same(
            &Value::List(vec![s("2001:db8::/32")]),
            &json!(["2001:db8::/48"]),
            MapRule::Exact
        ));
        assert!(same(&Value::Int(3600), &json!("1h0m0s"), MapRule::Exact));
        assert!(same(&Value::Int(2048), &json!([2048]), MapRule::Exact));
        assert!(!same(
            &Value::Int(2048),
            &json!([2048, 4096]),
            MapRule::Exact
        ));
        assert!(same(&Value::Bool(true), &json!([true]), MapRule::Exact));
        assert!(same(&Value::Int(90), &json!("1m30s"), MapRule::Exact));
        assert!(!same(&Value::Int(90), &json!("1m"), MapRule::Exact));
        let m = Value::Map(Body::from([("a".to_string(), s("b"))]));
        assert!(same(&m, &json!("{\"a\":\"b\"}"), MapRule::Exact));
        assert!(!same(&m, &json!("{\"a\":\"c\"}"), MapRule::Exact));
    }

    #[test]
    fn maps_exact_or_subset() {
        let m = Value::Map(Body::from([("a".to_string(), Value::Int(1))]));
        assert!(same(&m, &json!({"a": 1, "b": 0}), MapRule::Exact));
        assert!(!same(&m, &json!({"a": 1, "b": 2}), MapRule::Exact));
        assert!(same(&m, &json!({"a": 1, "b": 2}), MapRule::Subset));
        assert!(same(&Value::Map(Body::new()), &json!({}), MapRule::Exact));
    }

    #[test]
    fn secrets_resolve_only_through_the_lookup() {
        let v = Value::Env(keyplan::ir::EnvRef { env: "X".into() });
        assert_eq!(to_json(&v, &|_| None), None);
        assert_eq!(to_json(&v, &|_| Some("p".into())), Some(json!("p")));
    }
}
