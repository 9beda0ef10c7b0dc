//! Batch tokens are lightweight: no parent, no renewal, no period, no use count. A role
//! whose token fields ask for one of these with `token_type = "batch"` is refused at
//! write time; each combination below was measured on OpenBao 2.7.2.
//!
//! - Login roles (JWT/OIDC, Kubernetes, AppRole, userpass users; the shared token fields,
//!   `sdk/helper/tokenutil`): `token_period` ("'token_type' cannot be 'batch' or
//!   'default_batch' when set to generate periodic tokens") and `token_num_uses` ("... when
//!   set to generate tokens with limited use count"). `token_explicit_max_ttl` is accepted.
//! - Token roles (`auth/token/roles/NAME`, `vault/token_store.go`): `orphan` not `true`
//!   ("'token_type' cannot be 'batch' when role is set to generate non-orphan tokens"),
//!   `renewable` not `false`, which is its default ("... renewable tokens"), a period
//!   (`token_period` or the old `period`: "... periodic tokens") and an explicit max TTL
//!   (`token_explicit_max_ttl` or `explicit_max_ttl`: "... tokens with an explicit max
//!   TTL"). `token_num_uses` is accepted there. `default-batch` defers to the mount and is
//!   accepted with all of these.
//!
//! A value of 0 means "none" and conflicts with nothing.

use kp_diag::Diagnostic;
use kp_syntax::ast::Attribute;

use crate::body::Parts;
use crate::codes;
use crate::ir::{Body, Value};

/// A field that asks for what a batch token cannot be, and what that is ("batch tokens
/// cannot be periodic").
struct Conflict {
    field: &'static str,
    makes: &'static str,
}

/// Token fields of every login role that a batch token refuses when positive.
const LOGIN_CONFLICTS: [Conflict; 2] = [
    Conflict {
        field: "token_period",
        makes: "periodic",
    },
    Conflict {
        field: "token_num_uses",
        makes: "limited in uses",
    },
];

/// Token role fields a batch token refuses when positive.
const TOKEN_ROLE_CONFLICTS: [Conflict; 4] = [
    Conflict {
        field: "token_period",
        makes: "periodic",
    },
    Conflict {
        field: "period",
        makes: "periodic",
    },
    Conflict {
        field: "token_explicit_max_ttl",
        makes: "bound by an explicit max TTL",
    },
    Conflict {
        field: "explicit_max_ttl",
        makes: "bound by an explicit max TTL",
    },
];

/// Token creation fields a batch token refuses when positive (`auth/token/create`:
/// "batch tokens cannot have \"period\" set", measured on OpenBao 2.7.2).
const TOKEN_CONFLICTS: [Conflict; 3] = [
    Conflict {
        field: "period",
        makes: "periodic",
    },
    Conflict {
        field: "num_uses",
        makes: "limited in uses",
    },
    Conflict {
        field: "explicit_max_ttl",
        makes: "bound by an explicit max TTL",
    },
];

/// `kp::batch-token-conflict` for a `token` that is a batch token (its own `type`, or its
/// role's `token_type`, whose value is at `batch`) asking for what one cannot be.
pub fn token(
    body: &Body,
    parts: &Parts<'_>,
    batch: kp_diag::Span,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    for c in &TOKEN_CONFLICTS {
        let positive = matches!(body.get(c.field), Some(Value::Int(n)) if *n > 0);
        if let Some(attr) = parts.get(c.field).filter(|_| positive) {
            diags.push(
                Diagnostic::error(
                    codes::BATCH_TOKEN_CONFLICT,
                    attr.name.span,
                    format!(
                        "{what} is a batch token, which cannot be {} (`{}`)",
                        c.makes, c.field
                    ),
                )
                .with_label(format!("batch tokens cannot be {}", c.makes))
                .with_related(batch, "batch tokens chosen here")
                .with_help(format!(
                    "remove `{}`: the server refuses to create the token",
                    c.field
                )),
            );
        }
    }
}

/// `kp::batch-token-conflict` for a role of `endpoint` (typed `body`, source `parts`)
/// with `token_type = "batch"`. Every endpoint with token fields comes here: login roles
/// of each auth method and token roles.
pub fn check(
    endpoint: &str,
    body: &Body,
    parts: &Parts<'_>,
    what: &dyn std::fmt::Display,
    diags: &mut Vec<Diagnostic>,
) {
    if !matches!(body.get("token_type"), Some(Value::Str(t)) if t == "batch") {
        return;
    }
    let Some(batch) = parts.get("token_type") else {
        return;
    };
    let token_role = endpoint == "token-role";
    let conflicts: &[Conflict] = if token_role {
        &TOKEN_ROLE_CONFLICTS
    } else {
        &LOGIN_CONFLICTS
    };
    for c in conflicts {
        let positive = matches!(body.get(c.field), Some(Value::Int(n)) if *n > 0);
        if let Some(attr) = parts.get(c.field).filter(|_| positive) {
            diags.push(field_conflict(attr, batch, c, what));
        }
    }
    if token_role {
        // Both default to what a batch token cannot be: absent is a conflict too.
        flag_needed(body, parts, batch, what, "orphan", true, diags);
        flag_needed(body, parts, batch, what, "renewable", false, diags);
    }
}

fn field_conflict(
    attr: &Attribute,
    batch: &Attribute,
    c: &Conflict,
    what: &dyn std::fmt::Display,
) -> Diagnostic {
    let field = c.field;
    Diagnostic::error(
        codes::BATCH_TOKEN_CONFLICT,
        attr.name.span,
        format!(
            "{what} issues batch tokens, which cannot be {} (`{field}`)",
            c.makes
        ),
    )
    .with_label(format!("batch tokens cannot be {}", c.makes))
    .with_related(batch.value.span, "batch tokens chosen here")
    .with_help(format!(
        "remove `{field}`, or issue service tokens (`token_type = \"service\"`): the server refuses the role otherwise"
    ))
}

/// A token role's boolean field that must be `want` for batch tokens: `orphan = true`,
/// `renewable = false`. Reported at the field when written, else at `token_type`.
fn flag_needed(
    body: &Body,
    parts: &Parts<'_>,
    batch: &Attribute,
    what: &dyn std::fmt::Display,
    field: &str,
    want: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let value = match body.get(field) {
        Some(Value::Bool(b)) => *b,
        // Not written (or mistyped, already reported): the server's default.
        _ if parts.has(field) => return,
        _ => !want,
    };
    if value == want {
        return;
    }
    let (must, why) = if want {
        (
            "must be orphans",
            "a batch token has no parent to be revoked with",
        )
    } else {
        ("cannot be renewable", "a batch token cannot be renewed")
    };
    let message = format!("{what} issues batch tokens, which {must}");
    let help = format!(
        "set `{field} = {want}` ({why}), or issue service tokens (`token_type = \"service\"`): the server refuses the role otherwise"
    );
    let d = match parts.get(field) {
        Some(attr) => Diagnostic::error(codes::BATCH_TOKEN_CONFLICT, attr.name.span, message)
            .with_label(format!("batch tokens need `{field} = {want}`"))
            .with_related(batch.value.span, "batch tokens chosen here"),
        None => Diagnostic::error(codes::BATCH_TOKEN_CONFLICT, batch.value.span, message)
            .with_label(format!(
                "batch tokens need `{field} = {want}` (the default is `{}`)",
                !want
            )),
    };
    diags.push(d.with_help(help));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes_of(src: &str) -> Vec<(String, String)> {
        let parsed = kp_syntax::parse(src);
        let checked = crate::check(&parsed.file, &crate::Options::default());
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == codes::BATCH_TOKEN_CONFLICT)
            .map(|d| {
                let at = src.get(d.span.start..d.span.end).unwrap_or("").to_string();
                (at, d.message.clone())
            })
            .collect()
    }

    #[test]
    fn login_roles_refuse_period_and_use_count_with_batch() {
        let got = codes_of(
            r#"
            auth approle {
              role a {
                token_type     = "batch"
                token_period   = 1h
                token_num_uses = 3
                token_explicit_max_ttl = 1h
                secret_id_num_uses = 1
              }
              role zero {
                token_type     = "batch"
                token_period   = 0
                token_num_uses = 0
              }
              role service {
                token_type     = "service"
                token_period   = 1h
              }
            }
            "#,
        );
        let at: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(at, ["token_period", "token_num_uses"]);
        assert!(got[0].1.contains("periodic"), "{got:?}");
    }

    #[test]
    fn token_roles_need_orphans_that_do_not_renew() {
        let got = codes_of(
            r#"
            auth token {
              role bare {
                token_type = "batch"
              }
              role written {
                token_type = "batch"
                orphan     = false
                renewable  = true
              }
              role ok {
                token_type     = "batch"
                orphan         = true
                renewable      = false
                token_num_uses = 3
              }
              role timed {
                token_type             = "batch"
                orphan                 = true
                renewable              = false
                token_period           = 1h
                token_explicit_max_ttl = 1h
              }
              role deferred {
                token_type   = "default-batch"
                token_period = 1h
              }
            }
            "#,
        );
        let at: Vec<&str> = got.iter().map(|(a, _)| a.as_str()).collect();
        assert_eq!(
            at,
            [
                "\"batch\"",
                "\"batch\"",
                "orphan",
                "renewable",
                "token_period",
                "token_explicit_max_ttl",
            ]
        );
    }
}
