//! Tailored help for fields people put in the wrong place: names that exist on a
//! neighbouring endpoint, which the server would accept and silently drop.

const DROPPED: &str = "the server accepts the write and silently drops it";

/// A note for `field` written to `endpoint`, when it is a known confusion.
pub fn note(endpoint: &str, field: &str) -> Option<String> {
    let s = match (endpoint, field) {
        ("token-role", "token_policies" | "policies") => format!(
            "token roles have no `{field}` ({DROPPED}): use `allowed_policies` to say which policies tokens of this role may carry"
        ),
        ("token-role", "token_max_ttl" | "max_ttl") => format!(
            "token roles have no `{field}` ({DROPPED}): use `token_explicit_max_ttl`"
        ),
        ("token-role", "token_ttl" | "ttl") => format!(
            "token roles have no default TTL field ({DROPPED}): bound the lifetime with `token_explicit_max_ttl`, or make tokens periodic with `token_period`"
        ),
        ("token-create", "token_ttl") => "a token's lifetime is `ttl`".to_string(),
        ("token-create", "token_max_ttl" | "max_ttl") => {
            "a token's hard limit is `explicit_max_ttl`".to_string()
        }
        ("token-create", "token_policies" | "allowed_policies") => {
            "a token's policies are `policies`".to_string()
        }
        ("token-create", "orphan") => {
            "a token created from a role is an orphan when the role sets `orphan = true`"
                .to_string()
        }
        ("jwt-role" | "approle-role" | "kubernetes-role", "policies") => {
            "roles of auth methods name their policies in `token_policies`".to_string()
        }
        ("jwt-role" | "approle-role" | "kubernetes-role", "ttl" | "max_ttl") => format!(
            "the lifetime of tokens issued by this role is `token_{field}`"
        ),
        ("ssh-ca", "ttl" | "max_ttl") => format!(
            "the CA has no lifetime ({DROPPED}); certificate lifetimes are set with `{field}` on `role NAME {{ ... }}`"
        ),
        ("database-connection", "connection_string" | "url") => {
            "the connection is `connection_url`".to_string()
        }
        _ => return None,
    };
    Some(s)
}
