//! Values as the server reads them back, written as keyplan literals of the field's type:
//! durations from seconds (or Go duration strings) to `1h`, Vault's comma strings to
//! lists, maps with identifier keys bare.

use kp_schema::{Field, FieldType};
use serde_json::Value as Json;

use crate::text::{label, quote, string};

/// Seconds from what the server returns for a duration: integer seconds, a numeric
/// string, or a Go duration string (`1h0m0s`, `768h`, `90s`, `-1s`; `1.5s` is refused).
pub fn seconds(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_i64(),
        Json::String(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<i64>() {
                return Some(n);
            }
            go_duration(s)
        }
        _ => None,
    }
}

fn go_duration(s: &str) -> Option<i64> {
    // Go prints a negative duration with one leading `-`: a KV mount's
    // `delete_version_after`, given any negative, reads back `-1s`.
    if let Some(rest) = s.strip_prefix('-') {
        return match rest.starts_with('-') {
            true => None,
            false => go_duration(rest)?.checked_neg(),
        };
    }
    if s.is_empty() {
        return None;
    }
    let mut total = 0i64;
    let mut digits = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: i64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            'h' => 3600,
            's' => 1,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                // Milliseconds: only whole seconds are written in keyplan.
                if n % 1000 != 0 {
                    return None;
                }
                total = total.checked_add(n / 1000)?;
                continue;
            }
            'm' => 60,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    digits.is_empty().then_some(total)
}

/// A duration literal: the largest unit that divides it (`7d`, `1h`, `90s`). A negative
/// count has no literal with a unit (`-1s` does not lex): it is the plain integer, which
/// the checker takes only where [`negative_allowed`] says.
pub fn duration(secs: i64) -> String {
    if secs <= 0 {
        return secs.to_string();
    }
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs % n == 0 {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

/// Whether the language writes a negative value of this duration field: only `-1` on a
/// JWT role's leeways, "no leeway at all" (the checker's rule, `kp_check`'s typing of
/// durations). The server takes any negative there with that meaning, and reads it
/// back as given; every other duration field the server refuses negatives for
/// ("cannot provide negative value", OpenBao 2.7.2), or takes ones the language cannot
/// say (a mount's lease TTLs, a KV `delete_version_after`, a connection's
/// `max_connection_lifetime`).
pub fn negative_allowed(field: &str) -> bool {
    field.ends_with("_leeway")
}

/// Whether a value says "nothing set" (`null`, `""`, `[]`, `{}`).
pub fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Items of a list field as strings: a JSON array, or Vault's comma-separated string.
pub fn items(v: &Json) -> Option<Vec<String>> {
    match v {
        Json::Array(a) => a
            .iter()
            .map(|i| match i {
                Json::String(s) => Some(s.clone()),
                Json::Number(n) => Some(n.to_string()),
                Json::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect(),
        Json::String(s) if s.trim().is_empty() => Some(Vec::new()),
        Json::String(s) => Some(s.split(',').map(|i| i.trim().to_string()).collect()),
        Json::Null => Some(Vec::new()),
        _ => None,
    }
}

/// Whether the live value is the field's default: the schema's, or for a field without
/// one, the zero of its type (what `plan` also counts as "nothing set").
pub fn is_default(field: &Field, v: &Json) -> bool {
    if is_empty(v) {
        return match &field.default {
            None => true,
            Some(d) => is_empty(d) || field.ty == FieldType::Duration && seconds(d) == Some(0),
        };
    }
    let Some(d) = &field.default else {
        return match field.ty {
            FieldType::Bool => v == &Json::Bool(false),
            FieldType::Int | FieldType::Duration => seconds(v) == Some(0),
            _ => false,
        };
    };
    match field.ty {
        FieldType::Duration => seconds(v).is_some() && seconds(v) == seconds(d),
        FieldType::List | FieldType::CommaList => {
            let (mut a, mut b) = (items(v), items(d));
            if let (Some(a), Some(b)) = (&mut a, &mut b) {
                a.sort();
                b.sort();
            }
            a.is_some() && a == b
        }
        FieldType::Int => v.as_i64().is_some() && v.as_i64() == d.as_i64(),
        _ => v == d,
    }
}

/// The keyplan literal of a value of this type; `None` when the value cannot be written
/// as that type (reported by the caller, never guessed).
pub fn literal(v: &Json, ty: FieldType) -> Option<String> {
    match ty {
        FieldType::String => match v {
            Json::String(s) => Some(string(s, false)),
            Json::Number(n) => Some(quote(&n.to_string())),
            Json::Bool(b) => Some(quote(&b.to_string())),
            _ => None,
        },
        FieldType::Int => match v {
            Json::Number(n) => n.as_i64().map(|i| i.to_string()),
            Json::String(s) => s.trim().parse::<i64>().ok().map(|i| i.to_string()),
            _ => None,
        },
        FieldType::Bool => match v {
            Json::Bool(b) => Some(b.to_string()),
            Json::String(s) => s.trim().parse::<bool>().ok().map(|b| b.to_string()),
            _ => None,
        },
        FieldType::Duration => seconds(v).map(duration),
        FieldType::List => items(v).map(|items| list(items.iter().map(|i| string(i, true)))),
        // Joined with commas when compiled: one line each.
        FieldType::CommaList => items(v).map(|items| list(items.iter().map(|i| quote(i)))),
        FieldType::Map | FieldType::Any => any(v),
    }
}

/// A list of literals. A heredoc's closing marker is alone on its line: the comma or
/// the `]` after it goes on the next line, as `keyplan fmt` lays it out.
pub fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        out.push_str(item);
        if item.contains('\n') {
            out.push('\n');
        }
        if i + 1 < items.len() {
            out.push_str(", ");
        }
    }
    out.push(']');
    out
}

/// Any JSON value as a keyplan value: objects as maps, arrays as lists. A fractional
/// number or `null` inside has no keyplan form.
pub fn any(v: &Json) -> Option<String> {
    any_in(v, Within::Top)
}

/// Where [`any_in`] writes a value: a text of several lines is a heredoc at the top
/// and, when exact, as a list item; inside a map it stays quoted.
#[derive(Clone, Copy, PartialEq)]
enum Within {
    Top,
    List,
    Map,
}

fn any_in(v: &Json, within: Within) -> Option<String> {
    match v {
        Json::String(s) => Some(match within {
            Within::Top => string(s, false),
            Within::List => string(s, true),
            Within::Map => quote(s),
        }),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => n.as_i64().map(|i| i.to_string()),
        Json::Array(a) => a
            .iter()
            .map(|i| any_in(i, within.max_list()))
            .collect::<Option<Vec<_>>>()
            .map(|i| list(i.into_iter())),
        Json::Object(o) => {
            let entries = o
                .iter()
                .map(|(k, v)| any_in(v, Within::Map).map(|v| format!("{} = {v}", label(k))))
                .collect::<Option<Vec<_>>>()?;
            Some(format!("{{ {} }}", entries.join(", ")).replace("{  }", "{}"))
        }
        Json::Null => None,
    }
}

impl Within {
    /// Inside a map, a list stays on one line.
    fn max_list(self) -> Within {
        match self {
            Within::Map => Within::Map,
            _ => Within::List,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        assert_eq!(seconds(&json!("1h0m0s")), Some(3600));
        assert_eq!(seconds(&json!("768h")), Some(768 * 3600));
        assert_eq!(seconds(&json!("0s")), Some(0));
        assert_eq!(seconds(&json!("1m30s")), Some(90));
        assert_eq!(seconds(&json!("1.5s")), None);
        assert_eq!(seconds(&json!(60)), Some(60));
        assert_eq!(seconds(&json!("-1s")), Some(-1));
        assert_eq!(seconds(&json!("-1h0m0s")), Some(-3600));
        assert_eq!(seconds(&json!("-5")), Some(-5));
        assert_eq!(seconds(&json!(-5)), Some(-5));
        assert_eq!(seconds(&json!("--1s")), None);
        assert_eq!(seconds(&json!("-")), None);
        assert_eq!(duration(90), "90s");
        assert_eq!(duration(3600), "1h");
        assert_eq!(duration(7 * 86400), "7d");
        assert_eq!(duration(0), "0");
        // No `-1s`, `-1h`: the lexer refuses a negative with a unit.
        assert_eq!(duration(-1), "-1");
        assert_eq!(duration(-3600), "-3600");
    }

    #[test]
    fn literals() {
        assert_eq!(
            literal(&json!("a,b"), FieldType::CommaList).as_deref(),
            Some("[\"a\", \"b\"]")
        );
        assert_eq!(
            literal(&json!({"sub": "x", "a-b c": ["1"]}), FieldType::Map).as_deref(),
            Some("{ sub = \"x\", \"a-b c\" = [\"1\"] }")
        );
        assert_eq!(literal(&json!({}), FieldType::Map).as_deref(), Some("{}"));
        assert_eq!(literal(&json!(1.5), FieldType::Any), None);
    }
}
