//! ACL policies as the server stores them (HCL text, or JSON) read with a maintained HCL
//! parser (`hcl-rs`), and what of them keyplan's `policy` blocks can say.
//!
//! A `policy` block holds `path "GLOB" { capabilities = [...] }` rules only. A rule that
//! also sets `allowed_parameters`, `denied_parameters`, `required_parameters`,
//! `min_wrapping_ttl`, `max_wrapping_ttl` (or anything else) cannot be written in keyplan
//! yet: such a policy is imported as an `extern policy` with its text kept in a comment,
//! and a warning names the construct.

use std::collections::{BTreeMap, BTreeSet};

use hcl::{BlockLabel, Body, Expression, ObjectKey, Structure};

/// Capabilities in the order keyplan writes them.
pub const CAPABILITIES: [&str; 8] = [
    "create", "read", "update", "patch", "delete", "list", "sudo", "deny",
];

/// One `path` rule of a parsed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub path: String,
    /// Capabilities as written (known ones in [`CAPABILITIES`] order, unknown ones after).
    pub capabilities: Vec<String>,
    /// Every other attribute of the rule, name and canonical text, for comparison.
    pub extra: BTreeMap<String, String>,
}

/// A policy's rules merged by path (Vault merges a path written twice), in the order of
/// first appearance, and the constructs outside any rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub rules: Vec<Rule>,
    /// Top-level constructs other than `path "..." { }` blocks, described for messages.
    pub other: Vec<String>,
}

/// Why a policy is not written as a `policy` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inexpressible {
    /// The text is neither HCL nor a JSON policy document.
    Unparsable(String),
    /// A construct keyplan cannot write yet: its description (`allowed_parameters` on
    /// path `"secret/*"`).
    Construct(String),
}

impl Inexpressible {
    /// Why, as a clause: "its text does not parse (...)", "keyplan cannot write ... yet".
    pub fn describe(&self) -> String {
        match self {
            Inexpressible::Unparsable(e) => format!("its text does not parse ({e})"),
            Inexpressible::Construct(c) => format!("keyplan cannot write {c} yet"),
        }
    }
}

/// Parses a policy's text: HCL, or the JSON form Vault also accepts.
pub fn parse(text: &str) -> Result<Parsed, String> {
    if text.trim_start().starts_with('{') {
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
            return Ok(from_json(&json));
        }
    }
    let body: Body = match hcl::parse(text) {
        Ok(body) => body,
        // HCL 1's layouts (entries separated by commas, or on one line), which the
        // servers accept: parsed again with one entry a line.
        Err(e) => crate::hcl1::relaid(text)
            .and_then(|relaid| hcl::parse(&relaid).ok())
            .ok_or_else(|| one_line(&e.to_string()))?,
    };
    Ok(from_body(&body))
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn from_body(body: &Body) -> Parsed {
    let mut out = Parsed::default();
    for s in body.iter() {
        match s {
            Structure::Block(b) if b.identifier.as_str() == "path" && b.labels.len() == 1 => {
                let path = match b.labels.first() {
                    Some(BlockLabel::String(s)) => s.clone(),
                    Some(BlockLabel::Identifier(i)) => i.as_str().to_string(),
                    None => continue,
                };
                let mut caps = None;
                let mut legacy = None;
                let mut extra = BTreeMap::new();
                for inner in b.body.iter() {
                    match inner {
                        Structure::Attribute(a) if a.key.as_str() == "capabilities" => {
                            caps = string_list(&a.expr);
                            if caps.is_none() {
                                extra.insert("capabilities".to_string(), canonical(&a.expr));
                            }
                        }
                        Structure::Attribute(a) if a.key.as_str() == "policy" => {
                            legacy = match &a.expr {
                                Expression::String(p) => legacy_capabilities(p),
                                _ => None,
                            };
                            if legacy.is_none() {
                                extra.insert("policy".to_string(), canonical(&a.expr));
                            }
                        }
                        Structure::Attribute(a) => {
                            extra.insert(a.key.as_str().to_string(), canonical(&a.expr));
                        }
                        Structure::Block(nested) => {
                            extra.insert(
                                format!("{} block", nested.identifier.as_str()),
                                format!("{nested:?}"),
                            );
                        }
                    }
                }
                let caps = with_legacy(caps.unwrap_or_default(), legacy);
                add_rule(&mut out, path, caps, extra);
            }
            Structure::Block(b) => out
                .other
                .push(format!("a `{}` block", b.identifier.as_str())),
            Structure::Attribute(a) => out
                .other
                .push(format!("a top-level `{}` attribute", a.key.as_str())),
        }
    }
    out
}

fn from_json(json: &serde_json::Value) -> Parsed {
    let mut out = Parsed::default();
    let Some(top) = json.as_object() else {
        out.other
            .push("a JSON document that is not an object".into());
        return out;
    };
    for (key, value) in top {
        if key != "path" {
            out.other.push(format!("a top-level `{key}` attribute"));
            continue;
        }
        let Some(paths) = value.as_object() else {
            out.other.push("a `path` that is not an object".into());
            continue;
        };
        for (path, rule) in paths {
            let mut caps = Vec::new();
            let mut legacy = None;
            let mut extra = BTreeMap::new();
            for (k, v) in rule.as_object().into_iter().flatten() {
                if k == "policy" {
                    legacy = v.as_str().and_then(legacy_capabilities);
                    if legacy.is_some() {
                        continue;
                    }
                }
                match (k.as_str(), v.as_array()) {
                    ("capabilities", Some(items)) if items.iter().all(|i| i.is_string()) => {
                        caps = items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect();
                    }
                    _ => {
                        extra.insert(k.clone(), v.to_string());
                    }
                }
            }
            add_rule(&mut out, path.clone(), with_legacy(caps, legacy), extra);
        }
    }
    out
}

/// The capabilities a rule's legacy `policy = "..."` stands for, as the server expands it
/// when it parses the policy (`policy.go`; checked on OpenBao 2.7.2, which rejects any
/// other value): `deny` alone, or the others added to the rule's `capabilities`.
fn legacy_capabilities(policy: &str) -> Option<&'static [&'static str]> {
    match policy {
        "deny" => Some(&["deny"]),
        "read" => Some(&["read", "list"]),
        "write" => Some(&["create", "read", "update", "delete", "list"]),
        "sudo" => Some(&["create", "read", "update", "delete", "list", "sudo"]),
        _ => None,
    }
}

/// The rule's `capabilities` with those its legacy `policy` stands for.
fn with_legacy(mut caps: Vec<String>, legacy: Option<&[&str]>) -> Vec<String> {
    match legacy {
        // A legacy `deny` wins over whatever `capabilities` says.
        Some(["deny"]) => vec!["deny".to_string()],
        Some(more) => {
            caps.extend(more.iter().map(|c| c.to_string()));
            caps
        }
        None => caps,
    }
}

fn add_rule(out: &mut Parsed, path: String, caps: Vec<String>, extra: BTreeMap<String, String>) {
    let rule = match out.rules.iter_mut().find(|r| r.path == path) {
        Some(r) => r,
        None => {
            out.rules.push(Rule {
                path,
                capabilities: Vec::new(),
                extra: BTreeMap::new(),
            });
            match out.rules.last_mut() {
                Some(r) => r,
                None => return,
            }
        }
    };
    let mut all: BTreeSet<String> = rule.capabilities.drain(..).collect();
    all.extend(caps);
    rule.capabilities = ordered(all);
    rule.extra.extend(extra);
}

/// Known capabilities in keyplan's order, then unknown ones sorted.
fn ordered(set: BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = CAPABILITIES
        .iter()
        .filter(|c| set.contains(**c))
        .map(|c| c.to_string())
        .collect();
    out.extend(
        set.into_iter()
            .filter(|c| !CAPABILITIES.contains(&c.as_str())),
    );
    out
}

fn string_list(expr: &Expression) -> Option<Vec<String>> {
    match expr {
        Expression::Array(items) => items
            .iter()
            .map(|i| match i {
                Expression::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A stable text for an expression: equal expressions give equal texts.
fn canonical(expr: &Expression) -> String {
    match expr {
        Expression::Object(o) => {
            let mut entries: Vec<(String, String)> = o
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        ObjectKey::Identifier(i) => i.as_str().to_string(),
                        ObjectKey::Expression(Expression::String(s)) => s.clone(),
                        ObjectKey::Expression(e) => canonical(e),
                        other => format!("{other:?}"),
                    };
                    (key, canonical(v))
                })
                .collect();
            entries.sort();
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k:?}={v}"))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Expression::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", inner.join(","))
        }
        Expression::String(s) => format!("{s:?}"),
        Expression::Number(n) => n.to_string(),
        Expression::Bool(b) => b.to_string(),
        Expression::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

/// Whether the policy can be written as a keyplan `policy` block; every construct that
/// prevents it otherwise, in the policy's order (QA: a warning named the first field of
/// several a rule could not be written with).
pub fn expressible(parsed: &Parsed) -> Result<(), Inexpressible> {
    let mut found: Vec<String> = parsed.other.clone();
    if parsed.rules.is_empty() && found.is_empty() {
        found.push("a policy without rules".into());
    }
    for r in &parsed.rules {
        let path = &r.path;
        if !r.extra.is_empty() {
            let names: Vec<String> = r.extra.keys().map(|k| format!("`{k}`")).collect();
            found.push(format!("{} on path \"{path}\"", names.join(" and ")));
        }
        if r.capabilities.is_empty() && !r.extra.contains_key("capabilities") {
            found.push(format!("path \"{path}\" without capabilities"));
        }
        for c in r
            .capabilities
            .iter()
            .filter(|c| !CAPABILITIES.contains(&c.as_str()))
        {
            found.push(format!("the capability `{c}` on path \"{path}\""));
        }
        if let Some(why) = glob_problem(path) {
            found.push(format!("the path \"{path}\" ({why})"));
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(Inexpressible::Construct(found.join(", ")))
    }
}

/// The glob rules keyplan's checker enforces (`kp_check` rules::check_glob).
fn glob_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("empty")
    } else if path.starts_with('/') {
        Some("a leading `/`")
    } else if path.find('*').is_some_and(|i| i + 1 != path.len()) {
        Some("`*` before the end")
    } else if path.split('/').any(|seg| seg.contains('+') && seg != "+") {
        Some("`+` inside a segment")
    } else if path.contains('"') || path.contains('\\') {
        Some("a quote or backslash")
    } else {
        None
    }
}

/// A policy's meaning: by path, its capabilities and its other attributes.
pub type Meaning = BTreeMap<String, (BTreeSet<String>, BTreeMap<String, String>)>;

/// What a policy grants, independent of layout, order, comments and how capabilities
/// are spelt in the list: the rules by path. `None` when the text does not parse.
pub fn meaning(text: &str) -> Option<Meaning> {
    let parsed = parse(text).ok()?;
    if !parsed.other.is_empty() {
        return None;
    }
    Some(
        parsed
            .rules
            .into_iter()
            .map(|r| (r.path, (r.capabilities.into_iter().collect(), r.extra)))
            .collect(),
    )
}

/// Whether `text` grants what the stock `default` policy of `target`'s product grants
/// (`kp_acl::default_policy_rules`, the text a server writes when it is initialised):
/// an unedited `default`, which a program need not hold. Text that does not parse is
/// not the stock one.
pub fn is_stock_default(text: &str, target: kp_schema::Target) -> bool {
    let stock: Meaning = kp_acl::default_policy_rules(target)
        .map(|(path, caps)| {
            (
                (*path).to_string(),
                (
                    caps.iter().map(|c| (*c).to_string()).collect(),
                    BTreeMap::new(),
                ),
            )
        })
        .collect();
    meaning(text).is_some_and(|m| m == stock)
}

/// Whether two policy texts grant the same: what `plan` compares, so a policy written by
/// hand and its imported keyplan form (same rules, other layout) are the same policy.
pub fn same_policy(a: &str, b: &str) -> bool {
    if a.trim_end() == b.trim_end() {
        return true;
    }
    match (meaning(a), meaning(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each reason reads as a clause of its own in the import's warning and comment
    /// (not "cannot write its text does not parse").
    #[test]
    fn reasons_are_clauses() {
        let unparsable = Inexpressible::Unparsable("line 1".to_string()).describe();
        assert_eq!(unparsable, "its text does not parse (line 1)");
        let construct = Inexpressible::Construct("`x` on path \"a\"".to_string()).describe();
        assert_eq!(construct, "keyplan cannot write `x` on path \"a\" yet");
    }

    #[test]
    fn parses_rules_and_merges_paths() {
        let p = parse(
            r#"
# a comment
path "secret/data/+/config" { capabilities = ["read", "list"] }
path "secret/data/{{identity.entity.name}}/*" {
  capabilities = ["create", "update"]
}
path "secret/data/+/config" { capabilities = ["read", "deny"] }
"#,
        )
        .expect("parses");
        assert_eq!(p.rules.len(), 2);
        assert_eq!(p.rules[0].capabilities, ["read", "list", "deny"]);
        assert_eq!(p.rules[1].path, "secret/data/{{identity.entity.name}}/*");
        assert!(expressible(&p).is_ok());
    }

    /// The capabilities the server gives a legacy `policy = "..."` (OpenBao 2.7.2's
    /// `sys/capabilities` answers, HCL and JSON alike); an unknown value stays
    /// inexpressible.
    #[test]
    fn legacy_policy_field_becomes_capabilities() {
        let p = parse(
            r#"
path "kv/data/read" { policy = "read" }
path "kv/data/write" {
  policy       = "write"
  capabilities = ["patch"]
}
path "kv/data/sudo" { policy = "sudo" }
path "kv/data/deny" {
  policy       = "deny"
  capabilities = ["patch"]
}
"#,
        )
        .expect("parses");
        let caps: Vec<Vec<String>> = p.rules.iter().map(|r| r.capabilities.clone()).collect();
        assert_eq!(
            caps,
            [
                vec!["read", "list"],
                vec!["create", "read", "update", "patch", "delete", "list"],
                vec!["create", "read", "update", "delete", "list", "sudo"],
                vec!["deny"],
            ]
        );
        assert!(expressible(&p).is_ok());
        let json = parse(r#"{"path": {"a/*": {"policy": "read"}}}"#).expect("parses");
        assert_eq!(json.rules[0].capabilities, ["read", "list"]);
        assert!(expressible(&json).is_ok());
        let odd = parse(r#"path "a" { policy = "bogus" }"#).expect("parses");
        assert!(expressible(&odd).is_err());
    }

    #[test]
    fn parameters_are_not_expressible() {
        let p = parse(
            r#"path "secret/*" {
  capabilities = ["update"]
  allowed_parameters = { "ttl" = ["1h", "2h"] }
  min_wrapping_ttl = "1m"
}"#,
        )
        .expect("parses");
        let Err(Inexpressible::Construct(what)) = expressible(&p) else {
            panic!("expected a construct");
        };
        // Every field the rule cannot be written with is named, not the first alone.
        assert_eq!(
            what,
            "`allowed_parameters` and `min_wrapping_ttl` on path \"secret/*\""
        );
    }

    #[test]
    fn same_policy_ignores_layout_order_and_comments() {
        let a = "path \"a/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n\npath \"b\" {\n  capabilities = [\"deny\"]\n}\n";
        let b = "# hand written\npath \"b\" { capabilities = [\"deny\"] }\npath \"a/*\" { capabilities = [\"list\",\"read\"] }";
        assert!(same_policy(a, b));
        assert!(!same_policy(
            a,
            "path \"a/*\" { capabilities = [\"read\"] }"
        ));
        let json = r#"{"path": {"b": {"capabilities": ["deny"]}, "a/*": {"capabilities": ["read", "list"]}}}"#;
        assert!(same_policy(a, json));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse("path \"x\" { capabilities = [").is_err());
        assert!(!same_policy("path {", "path \"x\" {}"));
    }
}
