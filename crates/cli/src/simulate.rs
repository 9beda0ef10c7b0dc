//! `keyplan simulate`: which JWT roles accept a token with given claims.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::access::{compile, json};
use crate::cli::TargetArg;
use crate::source;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The program
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The token's claims: a JSON file, `-` for standard input, or the JSON object itself
    /// (`--claims '{"sub": "repo:acme/app:ref:refs/heads/main"}'`)
    #[arg(long, value_name = "CLAIMS.json")]
    pub claims: PathBuf,
    /// Only the roles of the JWT/OIDC mount at this path
    #[arg(long, value_name = "MOUNT")]
    pub mount: Option<String>,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// How to print the result
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    /// Accepted roles with their access, refused roles with the reason
    Text,
    /// `{"accepted": [...], "refused": [...]}`
    Json,
}

/// Exit codes: 0 when some role accepts the token, 2 when none does, 1 on errors.
pub fn run(args: &SimulateArgs) -> u8 {
    let inline = args
        .claims
        .to_str()
        // JSON written in place, an object or (wrongly) an array: no file is named so.
        .filter(|text| text.trim_start().starts_with(['{', '[']));
    let read = match inline {
        Some(text) => keyplan::json_api::parse_claims(text).map_err(|e| format!("--claims: {e}")),
        None => source::read(&args.claims)
            .map_err(|e| e.message)
            .and_then(|s| {
                keyplan::json_api::parse_claims(&s.text).map_err(|e| format!("{}: {e}", s.name))
            }),
    };
    let claims = match read {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let Some(compiled) = compile(&args.file, args.target) else {
        return 1;
    };
    let mount = args.mount.as_deref().map(|m| m.trim_matches('/'));
    let Some(sim) = keyplan::simulate_claims(&compiled, &claims, mount) else {
        return 1;
    };
    if let Some(m) = mount.filter(|_| sim.accepted.is_empty() && sim.refused.is_empty()) {
        if let Some(e) = unknown_mount(&compiled, &claims, m) {
            eprintln!("error: --mount {m}: {e}");
            return 1;
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let notes = time_notes(&claims, now);
    let out = match args.format {
        SimulateFormat::Json => match serde_json::to_value(&sim) {
            // The notes only when there are some: the answer for a current token is
            // unchanged.
            Ok(serde_json::Value::Object(mut object)) if !notes.is_empty() => {
                object.insert("notes".into(), notes.into());
                json(&object)
            }
            _ => json(&sim),
        },
        SimulateFormat::Text => match keyplan::access_matrix(&compiled) {
            Some(m) => {
                let mut text: String = notes.iter().map(|n| format!("note: {n}\n")).collect();
                text.push_str(&keyplan::access::render::simulation_text(&sim, &m));
                text
            }
            None => return 1,
        },
    };
    print!("{out}");
    if sim.accepted.is_empty() {
        2
    } else {
        0
    }
}

/// Why `--mount` names no mount with JWT roles, with the mounts that have some: `None`
/// when the program has JWT roles there (then none of them is simply listed).
fn unknown_mount(
    compiled: &keyplan::Compiled,
    claims: &keyplan::access::json::Map,
    mount: &str,
) -> Option<String> {
    let all = keyplan::simulate_claims(compiled, claims, None)?;
    let mut mounts: Vec<&str> = all
        .accepted
        .iter()
        .map(|a| a.mount.as_str())
        .chain(all.refused.iter().map(|r| r.mount.as_str()))
        .collect();
    mounts.sort_unstable();
    mounts.dedup();
    if mounts.contains(&mount) {
        return None;
    }
    let hint = match keyplan::did_you_mean(mount, mounts.iter().copied()) {
        Some(s) => format!(": did you mean `{s}`?"),
        None if mounts.is_empty() => ": the program has no JWT or OIDC role".to_string(),
        None => format!(": JWT roles are on {}", mounts.join(", ")),
    };
    Some(format!(
        "no JWT or OIDC mount at `{mount}` has roles in this program{hint}"
    ))
}

/// The server's leeways on the time claims, at their defaults (`hashicorp/cap`
/// `jwt.Validator.Validate`): the clock skew allowed on `nbf`, `exp` and `iat`
/// (`clock_skew_leeway`), and the life of a token without `exp` after its `iat` or `nbf`
/// (`expiration_leeway`; `not_before_leeway` likewise for a token with `exp` alone).
const CLOCK_SKEW: i64 = 60;
const DEFAULT_LEEWAY: i64 = 150;

/// What the server's time checks say of the token at `now` (seconds since the epoch):
/// the roles are judged on their bindings only, as if the token were current, so a token
/// the server refuses whatever the role (expired, not yet valid, issued in the future,
/// or with none of `exp`, `nbf`, `iat`) is said to be, not silently shown as accepted.
/// The first failing check in the server's order (nbf, exp, iat), as it reports one.
fn time_notes(claims: &keyplan::access::json::Map, now: i64) -> Vec<String> {
    // A time claim of another JSON type: every role refuses the token for that already.
    let unreadable = ["exp", "nbf", "iat"].iter().any(|n| {
        claims
            .get(n)
            .is_some_and(|v| !v.is_number() && !v.is_null())
    });
    if unreadable {
        return Vec::new();
    }
    // A NumericDate is read as a float and truncated; absent, null or 0 is unset.
    let at = |name: &str| {
        claims
            .get(name)
            .and_then(keyplan::access::json::Value::as_f64)
            .map_or(0, |f| f as i64)
    };
    let (exp, nbf, iat) = (at("exp"), at("nbf"), at("iat"));
    let current = "the roles below are judged on their bindings as if it were current";
    if exp == 0 && nbf == 0 && iat == 0 {
        return vec![format!(
            "the token has no `exp`, `nbf` or `iat`: the server refuses it whatever the role (\"no issued at (iat), not before (nbf), or expiration time (exp) claims in token\"); {current}"
        )];
    }
    let expiry = if exp != 0 {
        exp
    } else {
        iat.max(nbf).saturating_add(DEFAULT_LEEWAY)
    };
    let not_before = match (nbf, iat) {
        (0, 0) => exp.saturating_sub(DEFAULT_LEEWAY),
        (0, iat) => iat,
        (nbf, _) => nbf,
    };
    let refusal = if now.saturating_add(CLOCK_SKEW) < not_before {
        // Name the claim the start came from: a token without `nbf` has one too.
        let which = match (nbf, iat) {
            (0, 0) => "no `nbf` or `iat`: its `exp` minus 150s",
            (0, _) => "`iat`, as it has no `nbf`",
            _ => "`nbf`",
        };
        Some(format!(
            "the token is not valid for another {} ({which}): the server refuses it whatever the role (\"token not yet valid\")",
            span(not_before - now)
        ))
    } else if now.saturating_sub(CLOCK_SKEW) > expiry {
        let which = if exp != 0 {
            "`exp`"
        } else {
            "no `exp`: its `iat`/`nbf` plus 150s"
        };
        Some(format!(
            "the token expired {} ago ({which}): the server refuses it whatever the role (\"token is expired\")",
            span(now - expiry)
        ))
    } else if iat != 0 && now.saturating_add(CLOCK_SKEW) < iat {
        Some(format!(
            "the token is issued {} in the future (`iat`): the server refuses it whatever the role (\"token issued in the future\")",
            span(iat - now)
        ))
    } else {
        None
    };
    refusal
        .map(|r| format!("{r}; {current}"))
        .into_iter()
        .collect()
}

/// A duration in its largest whole unit: `3d`, `5h`, `40m`, `12s`.
fn span(seconds: i64) -> String {
    match seconds {
        s if s >= 86_400 => format!("{}d", s / 86_400),
        s if s >= 3_600 => format!("{}h", s / 3_600),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::time_notes;
    use serde_json::json;

    fn notes(claims: serde_json::Value) -> Vec<String> {
        match claims {
            serde_json::Value::Object(m) => time_notes(&(&m).into(), 1_000_000),
            _ => Vec::new(),
        }
    }

    #[test]
    fn time_claims_the_server_refuses_are_noted() {
        assert_eq!(notes(json!({"exp": 1_000_100})), Vec::<String>::new());
        // Within the 60s clock skew either way.
        assert!(notes(json!({"exp": 999_941})).is_empty());
        assert!(notes(json!({"nbf": 1_000_059, "exp": 1_000_600})).is_empty());
        let expired = notes(json!({"exp": 999_939, "iat": 999_000}));
        assert!(
            expired[0].starts_with("the token expired 1m ago (`exp`)"),
            "{expired:?}"
        );
        let long_ago = notes(json!({"exp": 1000}));
        assert!(
            long_ago[0].starts_with("the token expired 11d ago"),
            "{long_ago:?}"
        );
        // Without `exp`, the token lives 150s after its `iat`.
        assert!(notes(json!({"iat": 999_800})).is_empty());
        let derived = notes(json!({"iat": 999_700}));
        assert!(derived[0].contains("no `exp`"), "{derived:?}");
        let early = notes(json!({"nbf": 1_007_200, "exp": 1_010_000}));
        assert!(
            early[0].starts_with("the token is not valid for another 2h"),
            "{early:?}"
        );
        // QA: a far `exp` alone starts 150s before it, and the note said `nbf`.
        let far = notes(json!({"exp": 1_100_000}));
        assert!(
            far[0].starts_with(
                "the token is not valid for another 1d (no `nbf` or `iat`: its `exp` minus 150s)"
            ),
            "{far:?}"
        );
        let future = notes(json!({"iat": 1_000_061, "nbf": 999_000, "exp": 1_010_000}));
        assert!(future[0].contains("issued 1m in the future"), "{future:?}");
        assert!(notes(json!({"exp": "soon"})).is_empty());
        for none in [json!({}), json!({"exp": null, "iat": 0})] {
            assert!(notes(none)[0].starts_with("the token has no `exp`, `nbf` or `iat`"));
        }
    }
}
