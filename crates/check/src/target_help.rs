//! What to write instead of a field the selected server lacks. Which server has which
//! field is data (`x-keyplan-targets`, derived from the two OpenAPI documents, listed in
//! docs/targets.md); this is the advice, which no document states.

use kp_diag::{Diagnostic, Span};
use kp_schema::Target;

use crate::catalog::target_name;
use crate::codes;

/// The nearest equivalent of `field` (of `endpoint`) on `here`, the server that lacks it.
fn equivalent(endpoint: &str, field: &str, here: Target) -> Option<&'static str> {
    let help = match (here, endpoint, field) {
        (Target::Openbao, "database-static-role", "rotation_schedule") => {
            "OpenBao rotates static roles on a period only: use `rotation_period` (e.g. `rotation_period = 24h`)"
        }
        (Target::Openbao, "database-static-role", "rotation_window") => {
            "a window only applies to `rotation_schedule`; OpenBao rotates on `rotation_period`"
        }
        (Target::Openbao, "jwt-config", "jwks_pairs") => {
            "OpenBao takes one JWKS: use `jwks_url` (with `jwks_ca_pem` for its CA)"
        }
        (Target::Openbao, "database-connection", "auth_type" | "service_account_json") => {
            "OpenBao's SQL plugins have no Cloud SQL IAM login: connect with `username` and `password`"
        }
        (Target::Vault, _, "token_strictly_bind_ip") => {
            "on Vault, bind tokens to client addresses with `token_bound_cidrs`"
        }
        (Target::Vault, "jwt-config", "skip_jwks_validation") => {
            "Vault always fetches `jwks_url` when the config is written: remove it, and make the URL reachable from the server"
        }
        (Target::Vault, "jwt-config", "override_allowed_server_names") => {
            "Vault checks the TLS server name against the URL's host: give `jwks_ca_pem`/`oidc_discovery_ca_pem` for the certificate instead"
        }
        (Target::Vault, "jwt-role", "cel_program" | "message") => {
            "Vault has no CEL validation of claims: bind claims with `bound_claims` (and `bound_claims_type = \"glob\"`)"
        }
        (Target::Vault, "jwt-role", "callback_mode" | "poll_interval") => {
            "Vault's OIDC roles use the client callback only: remove it and list `allowed_redirect_uris`"
        }
        (Target::Vault, "jwt-role", "token_policies_template_claims") => {
            "Vault does not template policies from claims: map claims to groups with `groups_claim` and grant policies to the groups"
        }
        (Target::Vault, "kubernetes-role", "bound_service_account_namespace_selector") => {
            "list the namespaces in `bound_service_account_namespaces`"
        }
        (Target::Vault, "kv-config", "metadata_cas_required") => {
            "on Vault, require check-and-set for every key with `cas_required`"
        }
        (Target::Vault, "ssh-ca", "issuer_name") | (Target::Vault, "ssh-role", "issuer_ref") => {
            "Vault's SSH engine has one CA per mount: mount another `secrets ssh` for another CA"
        }
        (Target::Vault, "ssh-role", "allow_empty_principals") => {
            "on Vault, a certificate needs a principal: set `default_user` or `allowed_users`"
        }
        (Target::Vault, "userpass-user", "password_hash") => {
            "Vault takes the password itself: use `password = env(\"...\")`"
        }
        (Target::Vault, "policy", _) => {
            "Vault's ACL policy endpoint takes only `policy`: remove it"
        }
        _ => return None,
    };
    Some(help)
}

/// `kp::unsupported-on-target` for a field only the other server has.
pub fn field_unsupported(
    endpoint: &str,
    field: &str,
    span: Span,
    what: &dyn std::fmt::Display,
    here: Target,
) -> Diagnostic {
    let other = match here {
        Target::Vault => Target::Openbao,
        Target::Openbao => Target::Vault,
    };
    let (here_name, other_name) = (target_name(here), target_name(other));
    let fallback = format!(
        "remove it, or compile with `--target {}` if the program is for {other_name}",
        other.keyword()
    );
    let help = match equivalent(endpoint, field, here) {
        Some(instead) => format!("{instead}; or compile with `--target {}`", other.keyword()),
        None => fallback,
    };
    let article = if other_name.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    Diagnostic::error(
        codes::UNSUPPORTED_ON_TARGET,
        span,
        format!(
            "`{field}` is {article} {other_name} field: {here_name} does not accept it in {what}"
        ),
    )
    .with_label(format!("{other_name} only (see docs/targets.md)"))
    .with_help(help)
}
