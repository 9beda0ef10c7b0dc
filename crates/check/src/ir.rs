//! The checked program: Vault resources in API form.
//!
//! Values are already in the shape the API takes (durations in seconds, comma-separated
//! strings joined), so emitters and the live applier only serialise them. Secrets stay
//! symbolic ([`Value::Env`]) until the live applier reads them.

mod body;
mod rules;
mod shared;

use kp_diag::Span;
pub use kp_syntax::ast::Text;
use serde::{Deserialize, Serialize};

pub use body::{Body, Key};
pub use rules::{Capabilities, Rules};
pub use shared::SharedStr;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Program {
    /// In source order; workloads' derived resources follow the workload's position.
    pub resources: Vec<Resource>,
    pub workloads: Vec<Workload>,
    /// Policies named by the program but managed elsewhere (`extern policy`).
    pub extern_policies: Vec<String>,
    /// Name patterns of the ACL policies the program owns (`owns policies "team-*"`):
    /// `apply --prune` deletes the server's policies in this scope that it does not declare.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owned_policies: Vec<String>,
    /// Name patterns of the token roles the program owns (`owns token-roles "ci-*"`):
    /// `apply --prune` deletes the server's token roles in this scope that it does not
    /// declare. Without them no token role is ever pruned: `auth/token/roles` is shared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owned_token_roles: Vec<String>,
}

impl Program {
    /// Whether `apply --prune` may delete the server's policy `name` when the program
    /// does not declare it: inside an `owns policies` scope, never a built-in policy and
    /// never one the program says is managed elsewhere.
    pub fn owns_policy(&self, name: &str) -> bool {
        !crate::catalog::BUILTIN_POLICIES.contains(&name)
            && !self.extern_policies.iter().any(|e| e == name)
            && self.owned_policies.iter().any(|p| glob_match(p, name))
    }
}

impl Program {
    /// Whether `apply --prune` may delete the server's token role `name` when the program
    /// does not declare it: inside an `owns token-roles` scope.
    pub fn owns_token_role(&self, name: &str) -> bool {
        self.owned_token_roles.iter().any(|p| glob_match(p, name))
    }
}

/// Vault's globs (`github.com/ryanuber/go-glob`, as in `allowed_policies`,
/// `allowed_roles`, bound claims of type `glob`): `*` matches any run of characters (none
/// included), the pieces between stars are searched for left to right, first occurrence
/// first, and everything else matches itself.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: the whole name must be the pattern.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// A stable identifier: the resource's API path, e.g. `auth/jwt/role/example-role`,
/// `sys/auth/jwt`, `sys/policies/acl/trainer`, `auth/token/create/ml-pipeline-role#ml-pipeline-token`.
pub type ResourceId = SharedStr;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resource {
    pub id: ResourceId,
    pub kind: ResourceKind,
    /// The keyplan name of the resource (role name, policy name, mount path, ...): the
    /// source's text where it is written there.
    pub name: Text,
    /// Path relative to `/v1/` that the resource is written to (always with POST): the
    /// id's text, shared, for all but a few kinds.
    pub path: SharedStr,
    /// Path to read the resource back from, when it differs from `path` or the
    /// resource can be read at all (`None` for tokens: creation is not idempotent).
    pub read_path: Option<SharedStr>,
    /// Schema id under `schemas/endpoints/` the body conforms to.
    pub schema: &'static str,
    pub body: Body,
    /// Resources that must exist first (ids of resources in this program).
    pub depends_on: Vec<ResourceId>,
    /// The mount this resource lives under, if any (`sys/auth/jwt` for a JWT role).
    pub mount: Option<ResourceId>,
    /// The workload this resource was derived from, if any.
    pub workload: Option<Text>,
    /// For [`ResourceKind::Policy`]: the rules (the body's `policy` is their HCL).
    pub policy: Option<PolicyDoc>,
    /// Where it was declared.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// `sys/auth/PATH`
    AuthMount,
    /// `sys/mounts/PATH`
    SecretsMount,
    /// `auth/PATH/config`, `ssh/config/ca`, `aws/config/root`, `aws/config/lease`, ...
    Config,
    /// A role under an auth method or secrets engine.
    Role,
    /// `database/config/NAME`
    Connection,
    /// `sys/policies/acl/NAME`; the body holds `policy` ([`Value::Policy`]: the HCL text).
    Policy,
    /// `auth/token/create/ROLE`: creates a secret token.
    Token,
    /// A call that does something once rather than write an object, with an empty body
    /// and nothing to read back: `database/rotate-root/NAME` (`rotate_root = true`). It
    /// depends on what it acts on, last in `depends_on`; apply runs it only when that
    /// resource is created or its [`ROOT_CREDENTIAL_FIELDS`] change.
    Action,
}

/// The fields of a connection whose change makes its root rotation run again: a new
/// root user (or password) must be rotated away like the first.
pub const ROOT_CREDENTIAL_FIELDS: [&str; 2] = ["username", "password"];

impl Resource {
    /// For an [`ResourceKind::Action`]: the id of the resource it acts on.
    pub fn acts_on(&self) -> Option<&ResourceId> {
        if self.kind == ResourceKind::Action {
            self.depends_on.last()
        } else {
            None
        }
    }
}

impl Program {
    /// The action that rotates the root credential of connection `id`, if any.
    pub fn root_rotation_of(&self, id: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.acts_on().is_some_and(|on| on == id))
    }
}

/// A request body value, in API form.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    List(Vec<Value>),
    Map(Body),
    /// `env("NAME")`: read from the environment at apply time, never printed.
    Env(EnvRef),
    /// A literal written for a field the schema marks sensitive: sent by apply, shown
    /// nowhere (it serialises, prints and debug-prints as [`LITERAL_SECRET`]).
    Secret(LiteralSecret),
    /// A policy resource's `policy`: its HCL text, written from the rules only when read
    /// (serialised, emitted, sent, compared). Most checks (every keystroke in an editor)
    /// never read it, and the rules are shared, so holding them costs no copy.
    #[serde(serialize_with = "serialize_policy_text")]
    Policy(PolicyDoc),
}

fn serialize_policy_text<S: serde::Serializer>(
    doc: &PolicyDoc,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&doc.to_hcl())
}

/// What every output shows instead of a secret written as a literal.
pub const LITERAL_SECRET: &str = "(literal secret, not shown)";

/// A secret's literal text. Only [`LiteralSecret::expose`] gives it, for the live
/// applier to send; `Debug` and `Serialize` show [`LITERAL_SECRET`].
#[derive(Clone, PartialEq, Eq)]
pub struct LiteralSecret(String);

impl LiteralSecret {
    pub fn new(text: impl Into<String>) -> Self {
        LiteralSecret(text.into())
    }

    /// The literal, to send to the server (and to compare with what it returns).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for LiteralSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(LITERAL_SECRET)
    }
}

impl Serialize for LiteralSecret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(LITERAL_SECRET)
    }
}

/// `env("NAME")`: NAME is always an environment variable name ([`is_env_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnvRef {
    pub env: String,
}

/// `[A-Za-z_][A-Za-z0-9_]*`: what POSIX shells accept as a variable name, so what
/// `env("...")` may name (the generated `apply.sh` expands it).
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A policy's rules, kept structured for the HCL emitter and the access matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyDoc {
    pub rules: Rules,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathRule {
    /// The glob as written in the source (shared with the syntax tree), or built for a
    /// shorthand (`sign ssh.role`).
    pub path: Text,
    /// Capabilities in Vault's canonical order: create read update patch delete list sudo deny.
    /// A set of [`CAPABILITIES`]: one byte, as a program holds thousands of rules.
    pub capabilities: Capabilities,
}

/// A workload's intent, after lowering: who it logs in as and what it may do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workload {
    pub name: Text,
    pub description: Option<String>,
    /// The login role's resource id (`auth/jwt/role/trainer`).
    pub role: Option<ResourceId>,
    /// The derived policy's name (the workload's name).
    pub policy: Text,
    /// The same rules as its policy resource's [`PolicyDoc`] (shared, not copied).
    pub rules: Rules,
    pub span: Span,
}

impl Value {
    /// The names a list field holds: a list's string items, or the trimmed, non-empty
    /// parts of a comma-separated string (Vault's other spelling of a list).
    pub fn strs(&self) -> Vec<&str> {
        match self {
            Value::List(items) => items
                .iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            Value::Str(joined) => joined
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The text of a policy's `policy`: written from the rules, or as read back from a
    /// saved plan or a server.
    pub fn policy_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Value::Policy(doc) => Some(doc.to_hcl().into()),
            Value::Str(text) => Some(text.as_str().into()),
            _ => None,
        }
    }

    /// The value with every secret replaced by `${NAME}`, for display.
    pub fn redacted(&self) -> serde_json::Value {
        match self {
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::redacted).collect()),
            Value::Map(m) => serde_json::Value::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.redacted()))
                    .collect(),
            ),
            Value::Env(e) => serde_json::Value::String(format!("${{{}}}", e.env)),
            Value::Secret(_) => serde_json::Value::String(LITERAL_SECRET.to_string()),
            Value::Policy(doc) => serde_json::Value::String(doc.to_hcl()),
        }
    }
}

/// Vault's capabilities in the order `vault policy fmt` and the docs list them.
pub const CAPABILITIES: [&str; 8] = [
    "create", "read", "update", "patch", "delete", "list", "sudo", "deny",
];

impl PolicyDoc {
    /// The policy as HCL, formatted as `vault policy fmt` formats it.
    pub fn to_hcl(&self) -> String {
        let mut out = String::new();
        self.write_hcl(&mut out);
        out
    }

    /// The length of [`PolicyDoc::to_hcl`], exact unless a path holds characters to
    /// escape (rare; the string then grows once): the checker writes the text of every
    /// policy of a program, one allocation each rather than a string grown by doubling.
    fn hcl_len(&self) -> usize {
        let per_rule = "path \"\" {\n  capabilities = []\n}\n".len();
        let mut len = self.rules.len().saturating_sub(1);
        for rule in self.rules.iter() {
            len += per_rule + rule.path.len() + rule.capabilities.quoted_len();
        }
        len
    }

    /// [`PolicyDoc::to_hcl`], appended to `out`: the HCL emitter writes thousands of
    /// policies, and a `format!` per rule and capability showed in profiles.
    pub fn write_hcl(&self, out: &mut String) {
        out.reserve(self.hcl_len());
        self.write_hcl_as(out, &HclMarks::PLAIN, |out, path| {
            out.push_str(&hcl_escaped(path));
        });
    }

    /// [`PolicyDoc::write_hcl`] spelled with `marks`; `path` appends each rule's path
    /// as it is ([`hcl_escaped`] gives its HCL form) as the enclosing format spells it:
    /// one scan of the path decides both escapes. Inlined, so each caller's marks are
    /// constants.
    #[inline]
    pub fn write_hcl_as(
        &self,
        out: &mut String,
        marks: &HclMarks,
        path: impl Fn(&mut String, &str),
    ) {
        for (i, rule) in self.rules.iter().enumerate() {
            if i > 0 {
                out.push_str(marks.newline);
            }
            out.push_str(marks.open);
            path(out, &rule.path);
            out.push_str(marks.middle);
            rule.capabilities.write_each(out, marks.capabilities);
            out.push_str(marks.close);
        }
    }
}

/// A rule's path as a policy's HCL quotes it: borrowed unless it holds a quote or
/// backslash (rare).
pub fn hcl_escaped(path: &str) -> std::borrow::Cow<'_, str> {
    if needs_escape(path) {
        std::borrow::Cow::Owned(escape_hcl(path))
    } else {
        std::borrow::Cow::Borrowed(path)
    }
}

/// The fixed pieces of a policy's HCL as the text it is written into spells them: as
/// themselves ([`HclMarks::PLAIN`]), or escaped inside a JSON string
/// ([`HclMarks::JSON`]), so that the API emitter writes a policy from its rules rather
/// than scanning its text for the quotes and line breaks known to be there.
pub struct HclMarks {
    /// Before a rule's path.
    open: &'static str,
    /// After a rule's path, before its capabilities.
    middle: &'static str,
    /// After the capabilities.
    close: &'static str,
    /// Between two rules.
    newline: &'static str,
    /// Each capability, quoted, after a `, `.
    capabilities: &'static [&'static str; 8],
}

impl HclMarks {
    pub const PLAIN: HclMarks = HclMarks {
        open: "path \"",
        middle: "\" {\n  capabilities = [",
        close: "]\n}\n",
        newline: "\n",
        capabilities: &rules::QUOTED,
    };

    pub const JSON: HclMarks = HclMarks {
        open: r#"path \""#,
        middle: r#"\" {\n  capabilities = ["#,
        close: r#"]\n}\n"#,
        newline: r#"\n"#,
        capabilities: &[
            r#", \"create\""#,
            r#", \"read\""#,
            r#", \"update\""#,
            r#", \"patch\""#,
            r#", \"delete\""#,
            r#", \"list\""#,
            r#", \"sudo\""#,
            r#", \"deny\""#,
        ],
    };
}

/// The bytes HCL escapes in a quoted string: a quote, a backslash, and the control
/// bytes (a raw newline ends the string: the policy would not parse). The checker
/// refuses control characters in paths (`kp::invalid-glob`); this keeps the text valid
/// whatever a program holds. JSON escapes all of them too (`escape_hcl_path`).
fn is_escaped(b: u8) -> bool {
    b == b'\\' || b == b'"' || b < 0x20
}

/// Whether `s` holds a byte HCL escapes, eight bytes at a time: every rule path of every
/// policy is tested, twice (its length, then its text), and a byte loop showed in
/// profiles.
fn needs_escape(s: &str) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // Some byte of `word` is zero (exact: no false positives once any byte is zero).
    let has_zero = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS != 0;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(bytes);
        // Some byte is below 0x20 (exact, as `has_zero`, for bounds up to 0x80).
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS != 0;
        if control
            || has_zero(word ^ (ONES * u64::from(b'"')))
            || has_zero(word ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| is_escaped(b))
}

fn escape_hcl(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                for nibble in [u32::from(c) >> 4, u32::from(c) & 0xf] {
                    out.extend(char::from_digit(nibble, 16));
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod owned_tests {
    use super::*;

    #[test]
    fn escapes_are_found_at_every_position() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert!(!needs_escape(&plain));
            for at in 0..len {
                for (special, expected) in [
                    ('"', true),
                    ('\\', true),
                    ('\n', true),
                    ('\u{1}', true),
                    (' ', false),
                    ('#', false),
                    ('é', false),
                ] {
                    let mut s: Vec<char> = plain.chars().collect();
                    if let Some(c) = s.get_mut(at) {
                        *c = special;
                    }
                    let s: String = s.into_iter().collect();
                    assert_eq!(needs_escape(&s), expected, "{s:?}");
                    assert_eq!(needs_escape(&s), s.bytes().any(is_escaped));
                }
            }
        }
        // Bytes one off the escaped ones, and high bytes, in every lane.
        for b in 0..=255u8 {
            let s = String::from_utf8_lossy(&[b; 9]).into_owned();
            assert_eq!(needs_escape(&s), s.bytes().any(is_escaped), "{b}");
        }
    }

    #[test]
    fn policy_text_is_allocated_at_its_exact_length() {
        let rule = |path: &str, bits: &[usize]| PathRule {
            path: path.into(),
            capabilities: Capabilities::from_indices(bits.iter().copied()),
        };
        let docs = [
            vec![],
            vec![rule("a/*", &[1])],
            vec![
                rule("secret/data/x", &[0, 1, 2, 3, 4, 5, 6, 7]),
                rule("b", &[]),
            ],
            vec![rule(r#"q"uo\te"#, &[7]), rule("", &[2, 5])],
        ];
        for rules in docs {
            let doc = PolicyDoc {
                rules: Rules::from(rules),
            };
            let hcl = doc.to_hcl();
            let escapes = hcl.len() - doc.hcl_len();
            let expected: usize = doc
                .rules
                .iter()
                .map(|r| r.path.bytes().filter(|&b| is_escaped(b)).count())
                .sum();
            assert_eq!(escapes, expected, "{hcl}");
            if escapes == 0 {
                assert_eq!(hcl.capacity(), hcl.len(), "one allocation, no slack");
            }
        }
        let doc = PolicyDoc {
            rules: Rules::from(vec![rule(r#"a"b"#, &[1, 5])]),
        };
        assert_eq!(
            doc.to_hcl(),
            "path \"a\\\"b\" {\n  capabilities = [\"read\", \"list\"]\n}\n"
        );
    }

    #[test]
    fn control_characters_stay_inside_the_quoted_path() {
        assert_eq!(
            hcl_escaped("a\nb\tc\rd\u{1}e\u{1f}"),
            "a\\nb\\tc\\rd\\u0001e\\u001f"
        );
    }

    #[test]
    fn globs_match_runs_of_characters_and_nothing_else() {
        assert!(glob_match("team-*", "team-a"));
        assert!(glob_match("team-*", "team-"));
        assert!(!glob_match("team-*", "team"));
        assert!(glob_match("*-reader", "kv-reader"));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxcyyb"));
        assert!(glob_match("ci-deploy", "ci-deploy"));
        assert!(!glob_match("ci-deploy", "ci-deploy2"));
        assert!(!glob_match("ab*ba", "aba"), "the parts may not overlap");
    }

    #[test]
    fn the_scope_never_holds_builtin_or_extern_policies() {
        let p = Program {
            owned_policies: vec!["*".into()],
            extern_policies: vec!["shared".into()],
            ..Program::default()
        };
        assert!(p.owns_policy("anything"));
        for never in ["default", "root", "shared"] {
            assert!(!p.owns_policy(never), "{never}");
        }
        assert!(
            !Program::default().owns_policy("anything"),
            "no scope, nothing owned"
        );
    }
}
