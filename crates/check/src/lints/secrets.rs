//! Secrets written as literals: they end up in version control and in every plan.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Attribute, Block, Entry, Expr, ExprKind};

use crate::codes;
use crate::ir::{LiteralSecret, Value};
use crate::lower::{BodyCtx, What};
use crate::symbols::MountSym;

pub fn literal(attr: &Attribute, cx: &BodyCtx<'_, '_>, diags: &mut Vec<Diagnostic>) {
    let ExprKind::Str { value, .. } = &attr.value.kind else {
        return;
    };
    if value.is_empty() {
        return;
    }
    let field = &attr.name.name;
    diags.push(
        Diagnostic::warning(
            codes::LITERAL_SECRET,
            attr.value.span,
            format!("`{field}` is a secret written as a literal"),
        )
        .with_label("literal secret")
        .with_help(env_help(attr, cx)),
    );
}

/// A secret of the wrong type (`password = 12345678`): the help of the type mismatch
/// among `diags` suggests the environment, as the literal-secret help does, not the
/// literal quoted (which redaction would show as `"(literal secret)"`).
pub fn mismatch_help(attr: &Attribute, cx: &BodyCtx<'_, '_>, diags: &mut [Diagnostic]) {
    for d in diags
        .iter_mut()
        .filter(|d| d.code == codes::TYPE_MISMATCH && d.span == attr.value.span)
    {
        d.help = Some(env_help(attr, cx));
    }
}

/// "Read it from the environment": the help for a secret written in the program.
fn env_help(attr: &Attribute, cx: &BodyCtx<'_, '_>) -> String {
    let field = &attr.name.name;
    let owner = match cx.what {
        What::Named(_, name) => Some(name),
        What::Of(..) | What::Said(_) => None,
    };
    format!(
        "read it from the environment when applying: `{field} = env(\"{}\")`; keyplan never prints it",
        env_name(cx.mount, owner, field)
    )
}

/// The environment variable a help suggests for the secret `field` of the block named
/// `owner` (none for a mount's own config) on `mount`: `BILLING_PASSWORD` for connection
/// `billing`, `ALICE_PASSWORD` for user `alice`. The mount's path is a word too when the
/// block has no name or the mount is not at its type's own path, so that two mounts'
/// secrets get two variables (`GITLAB_OIDC_CLIENT_SECRET`).
pub fn env_name(mount: Option<&MountSym<'_>>, owner: Option<&str>, field: &str) -> String {
    env_name_at(mount.map(|m| (m.path, m.path == m.ty.name)), owner, field)
}

/// [`env_name`] for a mount given by its path and whether that is its type's own path
/// (`userpass` for a userpass method): the editor's quick fixes name variables alike.
pub fn env_name_at(mount: Option<(&str, bool)>, owner: Option<&str>, field: &str) -> String {
    let mut words: Vec<&str> = Vec::with_capacity(3);
    // Not twice the same word: `OIDC_CLIENT_SECRET` for `oidc_client_secret` on `oidc`.
    let repeated = |path: &str| field.strip_prefix(path).is_some_and(|r| r.starts_with('_'));
    if let Some((path, _)) = mount.filter(|(p, own)| (owner.is_none() || !own) && !repeated(p)) {
        words.push(path);
    }
    words.extend(owner);
    words.push(field);
    words
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The diagnostics whose help suggests a variable for a secret ([`env_name`]); a type
/// mismatch does on a secret field ([`mismatch_help`]).
const SUGGESTS_ENV: [&str; 4] = [
    codes::LITERAL_SECRET,
    codes::CREDENTIALS_IN_URL,
    codes::ROTATE_ROOT_NEEDS_CREDENTIALS,
    codes::TYPE_MISMATCH,
];

/// Makes the variables the helps suggest distinct, in source order: one per secret (a
/// block's name and field: the literal password, the credentials in its URL and its
/// `rotate_root` speak of one), none shared by two secrets or already read by the
/// program. A name made from a block's name and a field can still meet another (user
/// `app` and connection `app`), and following both helps would feed two secrets from
/// one variable: a taken name gets a number (`APP_PASSWORD_2`). Whole-program, so run
/// after every item is lowered.
pub fn distinct_env_names(blocks: &[Block], diags: &mut [Diagnostic]) {
    const BEFORE: &str = "env(\"";
    if !diags.iter().any(|d| SUGGESTS_ENV.contains(&d.code)) {
        return;
    }
    let mut taken = Vec::new();
    blocks.iter().for_each(|b| env_vars(b, &mut taken));
    // (the block holding the diagnostic, the name suggested) → the name given.
    let mut given: Vec<((usize, String), String)> = Vec::new();
    for d in diags.iter_mut().filter(|d| SUGGESTS_ENV.contains(&d.code)) {
        let block = innermost_block(blocks, d.span).map_or(usize::MAX, |b| b.span.start);
        let Some(help) = d.help.as_mut() else {
            continue;
        };
        let Some(start) = help.find(BEFORE).map(|i| i + BEFORE.len()) else {
            continue;
        };
        let Some(len) = help.get(start..).and_then(|rest| rest.find('"')) else {
            continue;
        };
        let key = (
            block,
            help.get(start..start + len).unwrap_or_default().to_string(),
        );
        let name = match given.iter().find(|(k, _)| *k == key) {
            Some((_, name)) => name.clone(),
            None => {
                let name = (1..)
                    .map(|n| match n {
                        1 => key.1.clone(),
                        n => format!("{}_{n}", key.1),
                    })
                    .find(|name| !kp_sort::contains_sorted(&taken, name.as_str()))
                    .unwrap_or_default();
                kp_sort::insert_sorted(&mut taken, name.clone());
                given.push((key, name.clone()));
                name
            }
        };
        // Not `replace_range`: its code would be one more function in the playground's wasm.
        let (Some(before), Some(after)) = (help.get(..start), help.get(start + len..)) else {
            continue;
        };
        *help = [before, &name, after].concat();
    }
}

/// The innermost block whose span holds `span`.
fn innermost_block(blocks: &[Block], span: Span) -> Option<&Block> {
    let holds = |b: &Block| b.span.start <= span.start && span.end <= b.span.end;
    let block = blocks.iter().find(|b| holds(b))?;
    let inner = block.entries().iter().find_map(|e| match e {
        Entry::Block(b) if holds(b) => innermost_block(std::slice::from_ref(&**b), span),
        _ => None,
    });
    Some(inner.unwrap_or(block))
}

/// Every variable named by an `env("...")` in the block, added to the sorted list `out`
/// ([`kp_sort::insert_sorted`]).
pub fn env_vars(block: &Block, out: &mut Vec<String>) {
    for entry in block.entries() {
        match entry {
            Entry::Attribute(a) => expr_env_vars(&a.value, out),
            Entry::Block(b) => env_vars(b, out),
            Entry::Statement(_) => {}
        }
    }
}

fn expr_env_vars(expr: &Expr, out: &mut Vec<String>) {
    match &expr.kind {
        ExprKind::Env(name) => {
            kp_sort::insert_sorted(out, name.value.as_str().to_string());
        }
        ExprKind::List(items) => items.iter().for_each(|i| expr_env_vars(i, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|e| expr_env_vars(&e.value, out)),
        _ => {}
    }
}

/// The value of a sensitive field with its literal text marked secret: outputs show a
/// placeholder, only the live applier sends the text.
pub fn hide(value: Value) -> Value {
    match value {
        Value::Str(s) => Value::Secret(LiteralSecret::new(s)),
        Value::List(items) => Value::List(items.into_iter().map(hide).collect()),
        Value::Map(mut m) => {
            // In place: a map collected anew would compile one more copy of the standard
            // sort into the playground's wasm (see kp-sort).
            for v in m.values_mut() {
                *v = hide(std::mem::replace(v, Value::Bool(false)));
            }
            Value::Map(m)
        }
        other => other,
    }
}

/// The spans of the literal text in a sensitive field's value: diagnostics never show
/// the source there.
pub fn literal_spans(expr: &Expr) -> Vec<Span> {
    let mut out = Vec::new();
    collect(expr, &mut out);
    out
}

fn collect(expr: &Expr, out: &mut Vec<Span>) {
    match &expr.kind {
        ExprKind::Str { value, .. } if !value.is_empty() => out.push(expr.span),
        ExprKind::Ident(_) | ExprKind::Int(_) => out.push(expr.span),
        ExprKind::List(items) => items.iter().for_each(|i| collect(i, out)),
        ExprKind::Map(entries) => entries.iter().for_each(|e| collect(&e.value, out)),
        _ => {}
    }
}

/// Names that hold a secret whatever the endpoint: used where no schema says (a
/// misspelt field), so that a typo does not print the secret it carries.
pub fn looks_sensitive(name: &str) -> bool {
    // Every attribute of every program goes through here on every keystroke ([`scan`]):
    // compared ignoring ASCII case without a lowercased copy, and only where the first
    // two letters of a word stand (`| 0x20` lowercases a letter and turns no other byte
    // into one; most names hold no such pair at all).
    let bytes = name.as_bytes();
    bytes.windows(2).enumerate().any(|(at, pair)| {
        let word: &[u8] = match [pair[0] | 0x20, pair[1] | 0x20] {
            [b'p', b'a'] => b"pass",
            [b'p', b'r'] => b"private",
            [b's', b'e'] => b"secret",
            [b't', b'o'] => b"token_reviewer_jwt",
            [b'c', b'r'] => b"credential",
            [b'a', b'p'] => b"api_key",
            _ => return false,
        };
        bytes
            .get(at..at + word.len())
            .is_some_and(|here| here.eq_ignore_ascii_case(word))
    })
}

/// The fields some endpoint schema marks `x-keyplan-sensitive` (a test keeps the list
/// equal to the schemas'): a secret under any of these names is one wherever it stands.
const SENSITIVE_FIELDS: &[&str] = &[
    "id",
    "oidc_client_secret",
    "password",
    "password_hash",
    "pem_bundle",
    "pem_json",
    "private_key",
    "secret_access_key",
    "secret_key",
    "service_account_json",
    "tls_certificate_key",
    "token_reviewer_jwt",
];

/// The spans of every literal secret in the tree, whatever becomes of the attribute
/// holding it: a duplicate the checker drops, a block it cannot classify (`bogus { ...
/// }`, a misspelt engine) or a field typing skips still shows in snippets. Collected from
/// the syntax, not from typing, so that no path around typing leaks one.
pub fn scan(blocks: &[Block], out: &mut Vec<Span>) {
    blocks.iter().for_each(|b| scan_block(b, out));
}

fn scan_block(block: &Block, out: &mut Vec<Span>) {
    for entry in block.body.iter().flat_map(|b| &b.entries) {
        match entry {
            Entry::Attribute(attr) if holds_secret(attr) => collect(&attr.value, out),
            Entry::Block(inner) => scan_block(inner, out),
            Entry::Attribute(_) | Entry::Statement(_) => {}
        }
    }
}

fn holds_secret(attr: &Attribute) -> bool {
    let name = attr.name.name.as_str();
    names_secret(name)
        // A URL with a password in it (`kp::credentials-in-url`) is as secret.
        || crate::lints::database::holds_password(&attr.value)
}

/// Whether a field of this name holds a secret, whatever its value.
fn names_secret(name: &str) -> bool {
    SENSITIVE_FIELDS.contains(&name)
        // A misspelt secret (`pasword`); a field some schema knows (`credential_type`)
        // is what the schema says.
        || (looks_sensitive(name) && !kp_schema::endpoints().any(|e| e.field(name).is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_fields_are_those_the_schemas_mark() {
        let mut marked: Vec<&str> = kp_schema::endpoints()
            .flat_map(|e| e.fields.values())
            .filter(|f| f.sensitive)
            .map(|f| f.name.as_str())
            .collect();
        kp_sort::sort(&mut marked);
        marked.dedup();
        assert_eq!(marked, SENSITIVE_FIELDS);
    }

    #[test]
    fn looks_sensitive_ignores_case() {
        assert!(looks_sensitive("DB_Password"));
        assert!(looks_sensitive("oidc_client_SECRET"));
        assert!(!looks_sensitive("username"));
        // A word at the very end, one cut short there, and each first letter.
        assert!(looks_sensitive("my_private"));
        assert!(looks_sensitive("aws_API_KEY"));
        assert!(looks_sensitive("Credentials"));
        assert!(looks_sensitive("token_reviewer_JWT"));
        assert!(!looks_sensitive("pas"));
        assert!(!looks_sensitive("token_reviewer"));
        assert!(!looks_sensitive(""));
    }
}
