//! `kp::overlapping-roles` for certificate roles: two roles of one `auth cert` mount that
//! trust the same CA and that one certificate satisfies. A login naming no role gets the
//! first matching role in name order, and a client may name either
//! (`verifyCredentials`: every trusted entry whose chain and constraints match, then
//! `matches[0]`), so a certificate issued for one role's clients also logs in to the other.
//!
//! Reported when both roles ask for common names and some name matches both lists (a
//! certificate has one common name), or when they ask for exactly the same names and
//! extensions, unless they require one OID with values no extension holds at once. Roles
//! that constrain different things (one the common name, the other a SAN or an extension)
//! are left alone: whether one certificate holds both is the CA's issuing policy, and a
//! role that asks for nothing is `kp::cert-no-constraint` already.

use kp_check::ir::{Program, Resource, Value};
use kp_diag::Diagnostic;

use super::{CERT_CONSTRAINTS, OVERLAPPING_ROLES};
use crate::pattern::glob_witness;

pub(super) fn overlapping(program: &Program, out: &mut Vec<Diagnostic>) {
    let roles: Vec<&Resource> = program
        .resources
        .iter()
        .filter(|r| r.schema == "cert-role")
        .collect();
    for (k, b) in roles.iter().enumerate() {
        for a in &roles[..k] {
            if a.mount != b.mount || a.body.get("certificate") != b.body.get("certificate") {
                continue;
            }
            let same = CERT_CONSTRAINTS
                .iter()
                .all(|f| a.body.get(f) == b.body.get(f));
            let constrained = CERT_CONSTRAINTS.iter().any(|f| a.body.contains_key(f));
            let example = match common_name(a, b) {
                Some(name) => format!("a certificate with the common name `{name}`"),
                None if same && constrained => {
                    "a certificate of the names they both ask for".into()
                }
                None => continue,
            };
            if !extensions_compatible(a, b) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    OVERLAPPING_ROLES,
                    b.span,
                    format!(
                        "one certificate can log in to both `{}` and `{}` on mount `{}`",
                        a.name,
                        b.name,
                        mount_path(program, b)
                    ),
                )
                .with_label(format!("also accepts certificates `{}` accepts", a.name))
                .with_related(a.span, "this role accepts the same certificate")
                .with_help(format!(
                    "e.g. {example} signed by their CA; give the roles `allowed_common_names` no name matches both of, or CAs of their own"
                )),
            );
        }
    }
}

/// A common name both roles' `allowed_common_names` match, when both have some.
fn common_name(a: &Resource, b: &Resource) -> Option<String> {
    let (a, b) = (
        texts(a.body.get("allowed_common_names")),
        texts(b.body.get("allowed_common_names")),
    );
    a.iter()
        .find_map(|x| b.iter().find_map(|y| glob_witness(x, y)))
}

/// No OID both roles require with values no one extension can hold. An entry is
/// `OID:VALUE` or `hex:OID:VALUE`, the value a glob.
fn extensions_compatible(a: &Resource, b: &Resource) -> bool {
    let split = |entry: &str| -> Option<(String, String)> {
        let (prefix, rest) = match entry.strip_prefix("hex:") {
            Some(rest) => ("hex:", rest),
            None => ("", entry),
        };
        let (oid, value) = rest.split_once(':')?;
        Some((format!("{prefix}{oid}"), value.to_string()))
    };
    let (a, b) = (
        texts(a.body.get("required_extensions")),
        texts(b.body.get("required_extensions")),
    );
    a.iter().filter_map(|x| split(x)).all(|(oid, x)| {
        b.iter()
            .filter_map(|y| split(y))
            .filter(|(other, _)| *other == oid)
            .all(|(_, y)| glob_witness(&x, &y).is_some())
    })
}

/// A list field's strings (a comma-separated text is a list, as the server reads it).
fn texts(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::List(items)) => items.iter().flat_map(|v| texts(Some(v))).collect(),
        Some(Value::Str(s)) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

fn mount_path(program: &Program, role: &Resource) -> String {
    role.mount
        .as_ref()
        .and_then(|m| program.resources.iter().find(|r| r.id == *m))
        .map_or_else(
            || "cert".to_string(),
            |m| m.path.trim_start_matches("sys/auth/").to_string(),
        )
}
