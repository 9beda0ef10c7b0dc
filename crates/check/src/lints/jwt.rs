//! JWT/OIDC auth: key sources on the mount, and the role rules the server enforces
//! only at login time (or with a confusing message at write time).

use crate::body::one_of;
use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Attribute, ExprKind};

use crate::body::{is_empty_value, Parts};
use crate::catalog::{JWT_BINDINGS, JWT_KEY_SOURCES};
use crate::codes;
use crate::ir::Value;

/// Exactly one key source: none means every login fails; several are rejected. None
/// but one written misspelt (`misspelt`: fields unknown attributes are typos of) is the
/// unknown-field error alone.
pub fn key_sources(
    config: &[&Attribute],
    misspelt: &[&str],
    head: Span,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    let present: Vec<&Attribute> = JWT_KEY_SOURCES
        .iter()
        .filter_map(|k| {
            config
                .iter()
                .copied()
                .find(|a| a.name.name == *k && !is_empty_value(&a.value))
        })
        .collect();
    match present.as_slice() {
        [] if JWT_KEY_SOURCES.iter().any(|k| misspelt.contains(k)) => {}
        [] => diags.push(
            Diagnostic::warning(
                codes::JWT_NO_KEY_SOURCE,
                head,
                format!("{what} has no key source: every login will fail"),
            )
            .with_label("no way to verify a JWT")
            .with_help(format!("set one of {}", one_of(&JWT_KEY_SOURCES))),
        ),
        [_] => {}
        [first, rest @ ..] => {
            for extra in rest {
                diags.push(
                    Diagnostic::error(
                        codes::JWT_KEY_SOURCES,
                        extra.name.span,
                        format!("{what} has more than one key source"),
                    )
                    .with_label("second key source")
                    .with_related(first.name.span, "first key source")
                    .with_help(format!(
                        "keep exactly one of {}: the server rejects the config",
                        one_of(&JWT_KEY_SOURCES)
                    )),
                );
            }
        }
    }
}

/// `oidc_client_id` and `oidc_client_secret` go together: the server refuses a config
/// with one of them ("both 'oidc_client_id' and 'oidc_client_secret' must be set for
/// OIDC", OpenBao 2.7.2; the JWT plugin's own check on Vault), whatever else it holds.
pub fn client_pair(config: &[&Attribute], diags: &mut Vec<Diagnostic>) {
    let set = |name: &str| {
        config
            .iter()
            .copied()
            .find(|a| a.name.name == name && !is_empty_value(&a.value))
    };
    let (id, secret) = (set("oidc_client_id"), set("oidc_client_secret"));
    let (present, missing, help) = match (id, secret) {
        (Some(a), None) => (
            a,
            "oidc_client_secret",
            "add `oidc_client_secret = env(\"...\")`, the client's secret at the identity provider",
        ),
        (None, Some(a)) => (
            a,
            "oidc_client_id",
            "add `oidc_client_id = \"...\"`, the client's id at the identity provider, or remove the secret",
        ),
        _ => return,
    };
    diags.push(
        Diagnostic::error(
            codes::MISSING_FIELD,
            present.name.span,
            format!(
                "`{}` without `{missing}`: the server refuses the config",
                present.name.name
            ),
        )
        .with_label(format!("`{missing}` missing"))
        .with_help(help),
    );
}

/// Role type inference and the checks that depend on the role's type.
pub fn role(
    mount_type: &str,
    parts: &Parts<'_>,
    body: &mut crate::ir::Body,
    what: &dyn std::fmt::Display,
    head: Span,
    reported: &dyn Fn(&str) -> bool,
    diags: &mut Vec<Diagnostic>,
) {
    // `reported`: a field already reported absent (a required field) or written
    // misspelt (an unknown field whose help names it): one mistake, one error.
    let given = |name: &str| parts.given(name).is_some() || reported(name);
    // Only compared below: a `&str`, not a copy of the body's string.
    let role_type = match body.get("role_type") {
        Some(Value::Str(s)) if s == "oidc" => "oidc",
        Some(Value::Str(s)) if s == "jwt" => "jwt",
        Some(Value::Str(_)) => "",
        // Given but invalid: already reported.
        _ if parts.has("role_type") => return,
        _ if mount_type == "oidc" => "oidc",
        _ => {
            // The server defaults to `oidc` and then rejects the role for lacking
            // `allowed_redirect_uris`; a role on a `jwt` mount means `jwt`.
            body.reserve(1);
            body.insert("role_type", Value::Str("jwt".to_string()));
            "jwt"
        }
    };
    if role_type == "oidc" && !given("allowed_redirect_uris") {
        diags.push(
            Diagnostic::error(
                codes::MISSING_FIELD,
                head,
                format!("{what} is an `oidc` role without `allowed_redirect_uris`"),
            )
            .with_label("`allowed_redirect_uris` is required for `oidc` roles")
            .with_help(
                "add `allowed_redirect_uris = [\"https://...\"]`, or set `role_type = \"jwt\"` for logins that present a JWT",
            ),
        );
    }
    if role_type == "jwt" && !JWT_BINDINGS.iter().copied().any(given) {
        diags.push(
            Diagnostic::error(
                codes::UNBOUND_JWT_ROLE,
                head,
                format!("{what} binds nothing: any JWT from the issuer could log in"),
            )
            .with_label("no binding")
            .with_help(format!(
                "add at least one of {}, e.g. `bound_audiences = [\"https://vault.example.com\"]`",
                one_of(&JWT_BINDINGS)
            )),
        );
    }
    // Globs are text: under `glob` the server refuses a number or boolean claim value,
    // alone or in a list ("claim is not a string: 1", measured on OpenBao 2.7.2).
    let glob = matches!(body.get("bound_claims_type"), Some(Value::Str(t)) if t == "glob");
    if let Some(ExprKind::Map(entries)) = parts
        .get("bound_claims")
        .map(|a| &a.value.kind)
        .filter(|_| glob)
    {
        for e in entries {
            let items = match &e.value.kind {
                ExprKind::List(items) => items.as_slice(),
                _ => std::slice::from_ref(&e.value),
            };
            for v in items
                .iter()
                .filter(|v| matches!(v.kind, ExprKind::Int(_) | ExprKind::Bool(_)))
            {
                diags.push(crate::typing::mismatch_expected(
                    v,
                    "a string",
                    "bound_claims",
                    Some(
                        "under `bound_claims_type = \"glob\"` every value is a glob: quote it"
                            .into(),
                    ),
                ));
            }
        }
    }
    // The server refuses a mapping onto its reserved `role` key, or two onto one key
    // ("multiple keys are mapped to metadata key", measured on OpenBao 2.7.2).
    if let Some(ExprKind::Map(entries)) = parts.get("claim_mappings").map(|a| &a.value.kind) {
        for (i, e) in entries.iter().enumerate() {
            let ExprKind::Str { value, .. } = &e.value.kind else {
                continue;
            };
            let again = entries[..i]
                .iter()
                .any(|o| matches!(&o.value.kind, ExprKind::Str { value: v, .. } if v == value));
            if value == "role" || again {
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        e.value.span,
                        format!("metadata key `{value}` cannot be a `claim_mappings` destination here"),
                    )
                    .with_label(if again { "mapped to twice" } else { "reserved by the server" })
                    .with_help("map each claim to its own key, other than `role`: the server refuses the role otherwise"),
                );
            }
        }
    }
    if !given("user_claim") {
        diags.push(
            Diagnostic::error(
                codes::MISSING_FIELD,
                head,
                format!("{what} is missing `user_claim`"),
            )
            .with_label("`user_claim` is required")
            .with_help("add `user_claim = \"sub\"`: the claim that names the logged-in identity"),
        );
    }
}
