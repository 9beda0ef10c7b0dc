//! SSH roles: one that signs keys for any user, a CA role that may sign nothing, and an
//! OTP role with no user to log in as.

use kp_diag::{Diagnostic, Span};
use kp_schema::FieldType;
use kp_syntax::ast::ExprKind;

use crate::body::Parts;
use crate::codes;
use crate::ir::Value;
use crate::lower::missing_field;

/// A `ca` role must allow user or host certificates: the server rejects the write with
/// "Either 'allow_user_certificates' or 'allow_host_certificates' must be set to 'true'";
/// and principals for them (measured on OpenBao 2.7.2).
pub fn signs_nothing(
    body: &crate::ir::Body,
    parts: &Parts<'_>,
    head: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let is_ca = matches!(body.get("key_type"), Some(Value::Str(t)) if t == "ca");
    let allows = |field: &str| matches!(body.get(field), Some(Value::Bool(true)));
    if is_ca && !allows("allow_user_certificates") && !allows("allow_host_certificates") {
        diags.push(
            Diagnostic::error(
                codes::SSH_SIGNS_NOTHING,
                head,
                "a `ca` SSH role must allow user or host certificates",
            )
            .with_label("this role could sign no certificate")
            .with_help(
                "add `allow_user_certificates = true` (clients' keys) or `allow_host_certificates = true` (hosts' keys); the server rejects the role otherwise",
            ),
        );
        return;
    }
    // A principal must be one the role allows: with no `allowed_users` (user
    // certificates) or `allowed_domains` (host ones) the server refuses every sign
    // request, `default_user` included ("role is not configured to allow any
    // principals"), unless OpenBao's `allow_empty_principals` lets none through.
    // As written: a value with an error of its own is not also this one.
    let names = |field: &str| {
        parts
            .get(field)
            .is_some_and(|a| !crate::body::is_empty_value(&a.value))
    };
    let user = allows("allow_user_certificates");
    let signs = allows("allow_empty_principals")
        || (user && names("allowed_users"))
        || (allows("allow_host_certificates") && names("allowed_domains"));
    if is_ca && !signs {
        let field = if user {
            "allowed_users"
        } else {
            "allowed_domains"
        };
        diags.push(
            Diagnostic::error(
                codes::SSH_SIGNS_NOTHING,
                head,
                format!("a `ca` SSH role without `{field}` allows no principal"),
            )
            .with_label("every sign request is refused")
            .with_help(format!(
                "name the principals a certificate may carry in `{field}`: the server answers \"role is not configured to allow any principals\""
            )),
        );
    }
}

/// The CA's key: generated (`generate_signing_key`, the default without a key pair) or
/// imported as `public_key` and `private_key`, both; a generated RSA key of 2048 bits or
/// more, an `ec` one of 256, 384 or 521 (the server refuses the write otherwise: "public_key
/// and private_key must not be set when generate_signing_key is set to true", "only one
/// of public_key and private_key set", "refusing to generate weak ssh-rsa key", measured
/// on OpenBao 2.7.2).
pub fn ca_key(body: &crate::ir::Body, parts: &Parts<'_>, head: Span, diags: &mut Vec<Diagnostic>) {
    let generate = match body.get("generate_signing_key") {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    let given: Vec<_> = ["public_key", "private_key"]
        .into_iter()
        .filter_map(|f| parts.get(f))
        .collect();
    let mut push = |at: Span, message: String, help: &str| {
        diags.push(
            Diagnostic::error(codes::INVALID_VALUE, at, message)
                .with_label("refused by the server")
                .with_help(help.to_string()),
        );
    };
    if generate == Some(true) {
        for a in &given {
            push(
                a.name.span,
                format!("`{}` beside a generated signing key", a.name.name),
                "remove it to let the server generate the key, or remove `generate_signing_key` to import yours",
            );
        }
    } else if given.len() == 1 || (generate == Some(false) && given.is_empty()) {
        push(
            head,
            "the CA's key pair needs both `public_key` and `private_key`".to_string(),
            "give both (`private_key = env(\"...\")`), or let the server generate the key: neither, without `generate_signing_key = false`",
        );
    }
    if !given.is_empty() || generate == Some(false) {
        return;
    }
    let key_type = match body.get("key_type") {
        Some(Value::Str(t)) => t.as_str(),
        _ => "ssh-rsa",
    };
    if let (Some(a), Some(Value::Int(bits))) = (parts.get("key_bits"), body.get("key_bits")) {
        let fits = match key_type {
            "ssh-rsa" | "rsa" => *bits == 0 || *bits >= 2048,
            "ec" => matches!(bits, 0 | 256 | 384 | 521),
            _ => true,
        };
        if !fits {
            push(
                a.value.span,
                format!("`key_bits` {bits} for a `{key_type}` CA key"),
                "an RSA key has 2048 bits or more, an `ec` key 256, 384 or 521",
            );
        }
    }
}

/// An `otp` role must name the user its one-time passwords log in as: the server
/// rejects the write with "missing default user". Not when `default_user` is written
/// misspelt: its unknown-field error says so.
pub fn otp_without_user(
    body: &crate::ir::Body,
    what: &dyn std::fmt::Display,
    head: Span,
    misspelt: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let is_otp = matches!(body.get("key_type"), Some(Value::Str(t)) if t == "otp");
    if is_otp && !misspelt && body.get("default_user").is_none() {
        diags.push(missing_field(what, head, "default_user", FieldType::String));
    }
}

/// What an `otp` role keeps (the OTP branch of the SSH engine's role write): the server
/// accepts the certificate fields too and drops them; OpenBao 2.7.2 reads such a role
/// back with these six fields only.
const OTP_FIELDS: [&str; 6] = [
    "allowed_users",
    "cidr_list",
    "default_user",
    "exclude_cidr_list",
    "key_type",
    "port",
];

/// `kp::ignored-by-server` on an `otp` role's other fields, left out of its body: sent,
/// they would change nothing, and every plan would report them missing on the server.
/// An empty `default_user` is none: the server answers "missing default user".
pub fn otp_fields(
    body: &mut crate::ir::Body,
    parts: &Parts<'_>,
    what: &dyn std::fmt::Display,
    server: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if !matches!(body.get("key_type"), Some(Value::Str(t)) if t == "otp") {
        return;
    }
    for attr in &parts.attrs {
        let name = attr.name.name.as_str();
        if name == "default_user" && matches!(body.get(name), Some(Value::Str(u)) if u.is_empty()) {
            diags.push(
                Diagnostic::error(codes::MISSING_FIELD, attr.value.span, format!("`default_user` of {what} is empty"))
                    .with_label("an empty user is none")
                    .with_help("name the user the one-time passwords log in as, e.g. `default_user = \"ubuntu\"`: the server answers \"missing default user\""),
            );
        }
        if OTP_FIELDS.contains(&name) || body.remove(name).is_none() {
            continue;
        }
        diags.push(
            Diagnostic::warning(
                codes::IGNORED_BY_SERVER,
                attr.name.span,
                format!("{server} accepts `{name}` on {what} but does nothing with it"),
            )
            .with_label("left out of the request: it would change nothing")
            .with_help(
                "remove it: an `otp` role keeps `default_user`, `allowed_users`, `cidr_list`, `exclude_cidr_list` and `port` alone; certificate settings belong to a role with `key_type = \"ca\"`",
            ),
        );
    }
}

pub fn any_user(parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    let Some(attr) = parts.get("allowed_users") else {
        return;
    };
    let spans: Vec<_> = match &attr.value.kind {
        ExprKind::List(items) => items
            .iter()
            .filter(|i| matches!(&i.kind, ExprKind::Str { value, .. } if value.trim() == "*"))
            .map(|i| i.span)
            .collect(),
        ExprKind::Str { value, .. } if value.split(',').any(|u| u.trim() == "*") => {
            vec![attr.value.span]
        }
        _ => Vec::new(),
    };
    for span in spans {
        diags.push(
            Diagnostic::warning(
                codes::SSH_ANY_USER,
                span,
                "`*` in `allowed_users` lets a signed key log in as any user, root included",
            )
            .with_label("any user")
            .with_help(
                "list the users this role may sign for, e.g. `allowed_users = [\"trainer\"]` with `default_user = \"trainer\"`",
            ),
        );
    }
}

/// The value `name` has in `block`, when it is a literal string.
pub fn literal<'b>(block: &'b kp_syntax::ast::Block, name: &str) -> Option<&'b str> {
    block.entries().iter().find_map(|e| match e {
        kp_syntax::ast::Entry::Attribute(a) if a.name.name == name => match &a.value.kind {
            ExprKind::Str { value, .. } => Some(value.as_str()),
            _ => None,
        },
        _ => None,
    })
}

/// An RSA `algorithm_signer` needs an RSA CA key: with an `ed25519` or `ec` one the role
/// is written, and every signing fails ("ssh: unsupported signature algorithm").
pub fn signer_fits_ca(nested: &[crate::symbols::NestedDecl<'_>], diags: &mut Vec<Diagnostic>) {
    let Some(ca) = nested.iter().find(|n| n.spec.keyword == "ca") else {
        return;
    };
    // A key given rather than generated has its own type, unknown here.
    let key_type = match literal(ca.block, "key_type") {
        Some(t) if literal(ca.block, "private_key").is_none() => t,
        _ => return,
    };
    if key_type.contains("rsa") {
        return;
    }
    for role in nested.iter().filter(|n| n.spec.keyword == "role") {
        let rsa = role.block.entries().iter().find_map(|e| match e {
            kp_syntax::ast::Entry::Attribute(a) if a.name.name == "algorithm_signer" => {
                matches!(&a.value.kind, ExprKind::Str { value, .. } if value.contains("rsa"))
                    .then_some(a)
            }
            _ => None,
        });
        if let Some(attr) = rsa {
            diags.push(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    attr.value.span,
                    "an RSA signer needs an RSA CA key",
                )
                .with_label(format!("the CA key is `{key_type}`"))
                .with_related(ca.block.head_span(), "CA declared here")
                .with_help(
                    "remove `algorithm_signer`, or use an RSA CA key: signing fails otherwise",
                ),
            );
        }
    }
}
