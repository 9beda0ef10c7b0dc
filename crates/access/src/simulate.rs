//! Claim simulation: which JWT roles of the program accept a token carrying given
//! claims, and why each other role refuses it.
//!
//! Follows the JWT auth plugin's login (`vault-plugin-auth-jwt`, `path_login.go`
//! `pathLogin`, `createIdentity`; `claims.go` `getClaim`, `validateBoundClaims`,
//! `matchFound`, `normalizeList`), in its order, so the first reason the server would
//! give is the one reported:
//! 1. a role of type `oidc` takes no JWT at `/login`;
//! 2. the registered claims must have their JSON types, or the token is unreadable
//!    (`hashicorp/cap` `jwt.Validator.Validate` decodes them into go-jose's
//!    `jwt.Claims`): `iss`, `sub` and `jti` a string or null; `aud` a string or a list of
//!    strings; `exp`, `nbf` and `iat` a number or null;
//! 3. the mount's `bound_issuer` must equal `iss`, the role's `bound_subject` must equal
//!    `sub`, and `aud` must hold one of `bound_audiences`;
//! 4. a role without `bound_audiences` refuses a token that has an audience;
//! 5. `user_claim` must be present and a string; each `claim_mappings` source the token
//!    has, a string; `groups_claim`, when set, present and a string or list;
//! 6. every `bound_claims` entry must match: the claim present, and one of its values
//!    (a list claim is each of its items) equal to one accepted value of the same JSON
//!    type, or matching it as a glob under `bound_claims_type = "glob"` (a number
//!    only when the claim itself is one: the numbers of a list claim never match);
//! 7. the user name (the `user_claim` value) must not be empty: the server refuses a
//!    login whose alias has no name ("missing name in alias").
//!
//! The signature and `token_bound_cidrs` are not simulated: the token is taken to be
//! validly signed and presented from an allowed address. [`simulate`] takes it to be
//! current too; [`simulate_at`] checks its time claims at a given time with each role's
//! leeways (`hashicorp/cap` `jwt.Validator.Validate`, after the audience): a role whose
//! leeways refuse the token is refused for it, and when every role refuses it alike the
//! roles are judged on their bindings, as if it were current, with a note saying so.

use crate::json::{Map, Value as Json};
/// Vault's globs, as the JWT plugin matches `glob` bound claims.
pub use kp_check::ir::glob_match;
use serde::Serialize;

use crate::identity::{identities, Identity, JwtBinding, Leeways};
use crate::json;
use kp_check::ir::Program;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Simulation {
    pub accepted: Vec<Accepted>,
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub mount: String,
    pub role: String,
    /// The identity's id (a workload's name, or `MOUNT/ROLE`).
    pub identity: String,
    pub policies: Vec<String>,
    /// What the acceptance takes for granted: a bound value read at apply time
    /// (`env(...)`), unknown here, that the token's claim must equal.
    pub assuming: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    pub mount: String,
    pub role: String,
    pub reason: String,
}

/// Simulates a login with `claims` at every JWT/OIDC role of the program (only those
/// of the mount at path `mount`, when given), the token taken to be current.
pub fn simulate(program: &Program, claims: &Map, mount: Option<&str>) -> Simulation {
    simulate_at(program, claims, mount, 0).0
}

/// Simulates a login at `now` (seconds since the epoch), the token's time claims checked
/// with each role's leeways. When every role refuses the token for its time claims alike
/// (expired whatever the leeway, or without `exp`, `nbf` and `iat`), the roles are judged
/// on their bindings as if the token were current and the second value holds a note
/// saying so; otherwise a role whose leeways refuse the token is refused for it (a role
/// with `clock_skew_leeway = -1` refuses a token whose `nbf` is 30s ahead, which the
/// others accept). A `now` of 0 or less takes the token to be current, as [`simulate`].
pub fn simulate_at(
    program: &Program,
    claims: &Map,
    mount: Option<&str>,
    now: i64,
) -> (Simulation, Vec<String>) {
    let roles = jwt_identities(program, mount);
    if now <= 0 {
        return (judge(&roles, claims, |_| None), Vec::new());
    }
    let times: Vec<Option<TimeRefusal>> = roles
        .iter()
        .filter_map(|i| i.login.jwt.as_ref())
        .map(|b| time_refusal(claims, b.leeways, now))
        .collect();
    if let Some(Some(first)) = times.first() {
        if times.iter().all(|t| t.as_ref() == Some(first)) {
            let note = format!(
                "{}: the server refuses it whatever the role (\"{}\"); the roles below are \
                 judged on their bindings as if it were current",
                first.problem, first.server
            );
            return (judge(&roles, claims, |_| None), vec![note]);
        }
    }
    let simulation = judge(&roles, claims, |b| {
        time_refusal(claims, b.leeways, now).map(|t| {
            format!(
                "{}, with this role's leeways: the server refuses it (\"{}\")",
                t.problem, t.server
            )
        })
    });
    (simulation, Vec::new())
}

/// The identities with a JWT/OIDC login, on the mount at path `mount` when given.
fn jwt_identities(program: &Program, mount: Option<&str>) -> Vec<Identity> {
    identities(program)
        .into_iter()
        .filter(|i| i.login.jwt.is_some())
        .filter(|i| match (&i.mount, mount) {
            (None, _) => false,
            (Some(at), Some(m)) => mount_path(m) == at,
            (Some(_), None) => true,
        })
        .collect()
}

/// A mount's path as a person types it: blanks and slashes around it, and the `auth/`
/// of its API path (`auth/gitlab`), left out.
pub fn mount_path(text: &str) -> &str {
    let path = text.trim().trim_matches('/');
    path.strip_prefix("auth/")
        .filter(|p| !p.is_empty())
        .unwrap_or(path)
}

/// Why `mount` names no JWT/OIDC mount with roles in `program`, with the mounts that have
/// some; `None` when it names one (then a simulation on it lists its roles). The CLI's
/// `--mount` and the playground's mount field say the same.
pub fn unknown_mount(program: &Program, mount: &str) -> Option<String> {
    let mount = mount_path(mount);
    let roles = jwt_identities(program, None);
    let mut mounts: Vec<&str> = roles.iter().filter_map(|i| i.mount.as_deref()).collect();
    kp_sort::sort(&mut mounts);
    mounts.dedup();
    if mounts.contains(&mount) {
        return None;
    }
    let mut out = format!("no JWT or OIDC mount at `{mount}` has roles in this program");
    match kp_diag::did_you_mean(mount, mounts.iter().copied()) {
        Some(near) => {
            out.push_str(": did you mean `");
            out.push_str(near);
            out.push_str("`?");
        }
        None if mounts.is_empty() => out.push_str(": the program has no JWT or OIDC role"),
        None => {
            out.push_str(": JWT roles are on ");
            out.push_str(&mounts.join(", "));
        }
    }
    Some(out)
}

/// Each role's verdict; `time` says why the role's leeways refuse the token, if they do.
fn judge(
    roles: &[Identity],
    claims: &Map,
    time: impl Fn(&JwtBinding) -> Option<String>,
) -> Simulation {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for identity in roles {
        let (Some(binding), Some(at)) = (&identity.login.jwt, &identity.mount) else {
            continue;
        };
        let role = role_name(identity);
        match refusal_timed(binding, claims, time(binding)) {
            None => accepted.push(Accepted {
                mount: at.clone(),
                role,
                identity: identity.id.clone(),
                policies: identity.policies.clone(),
                assuming: assumptions(binding, claims),
            }),
            Some(reason) => refused.push(Refused {
                mount: at.clone(),
                role,
                reason,
            }),
        }
    }
    Simulation { accepted, refused }
}

/// The role's name on its mount (a workload's role may be named otherwise).
fn role_name(identity: &Identity) -> String {
    identity
        .role
        .as_deref()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or(&identity.name)
        .to_string()
}

/// Why the server refuses the login, or `None` when it accepts it (the token taken to be
/// current).
pub fn refusal(b: &JwtBinding, claims: &Map) -> Option<String> {
    refusal_timed(b, claims, None)
}

/// [`refusal`], with `time` the reason the role's leeways refuse the token's time claims,
/// if they do: the server checks them after the audience (`jwt.Validator.Validate`).
fn refusal_timed(b: &JwtBinding, claims: &Map, time: Option<String>) -> Option<String> {
    if b.role_type == "oidc" {
        return Some("role with oidc role_type is not allowed: it logs in through the OIDC browser flow, not with a JWT".into());
    }
    if let Some(reason) = unreadable_registered_claim(claims) {
        return Some(reason);
    }
    if let Some(issuer) = &b.bound_issuer {
        if json::field(claims, "iss").and_then(Json::as_str) != Some(issuer) {
            return Some(format!(
                "`iss` is {}, the mount's bound_issuer is `{issuer}`",
                shown(json::field(claims, "iss"))
            ));
        }
    }
    if let Some(subject) = &b.bound_subject {
        if json::field(claims, "sub").and_then(Json::as_str) != Some(subject) {
            return Some(format!(
                "`sub` is {}, bound_subject is `{subject}`",
                shown(json::field(claims, "sub"))
            ));
        }
    }
    // A subject read at apply time may be the token's, if it has one.
    if let Some(env) = &b.subject_from_env {
        if json::field(claims, "sub").and_then(Json::as_str).is_none() {
            return Some(format!(
                "`sub` is {}, bound_subject is env({env})",
                shown(json::field(claims, "sub"))
            ));
        }
    }
    let audiences = audiences(json::field(claims, "aud"));
    if !b.bound_audiences.is_empty() || !b.audiences_from_env.is_empty() {
        // An audience read at apply time may be any of the token's.
        if !known_audience(b, &audiences)
            && (b.audiences_from_env.is_empty() || audiences.is_empty())
        {
            let mut bound: Vec<String> = b.bound_audiences.clone();
            bound.extend(from_env(&b.audiences_from_env));
            return Some(format!(
                "`aud` is {}, none of bound_audiences {}",
                shown(json::field(claims, "aud")),
                list(&bound)
            ));
        }
    }
    if let Some(reason) = time {
        return Some(reason);
    }
    if b.bound_audiences.is_empty()
        && b.audiences_from_env.is_empty()
        && has_audience(json::field(claims, "aud"))
    {
        return Some("audience claim found in JWT but no audiences bound to the role".to_string());
    }
    // `user_claim_json_pointer` goes through `getClaim`, which reads a name without a
    // leading `/` directly (`user_claim = "sub"` still finds `sub`).
    let user = if b.user_claim_pointer {
        claim(claims, &b.user_claim)
    } else {
        json::field(claims, &b.user_claim)
    };
    let name = match user {
        None | Some(Json::Null) => {
            return Some(format!("user_claim `{}` not found in token", b.user_claim))
        }
        Some(Json::String(name)) => name,
        Some(_) => {
            return Some(format!(
                "user_claim `{}` could not be converted to string",
                b.user_claim
            ))
        }
    };
    // `extractMetadata` (before the groups claim): a mapped claim the token has must be
    // a string, or the login fails; an absent or null one is skipped.
    for source in &b.claim_mappings {
        if let Some(value) = claim(claims, source).filter(|v| !v.is_null() && !v.is_string()) {
            return Some(format!(
                "claim_mappings reads `{source}`, which is `{}`, not a string: the server refuses the login (\"error converting claim '{source}' to string\")",
                json::to_string(value)
            ));
        }
    }
    if let Some(groups) = &b.groups_claim {
        match claim(claims, groups) {
            None | Some(Json::Null) => {
                return Some(format!("groups_claim `{groups}` not found in token"))
            }
            Some(Json::String(_)) => {}
            Some(Json::Array(items)) if items.iter().all(Json::is_string) => {}
            Some(_) => {
                return Some(format!(
                    "groups_claim `{groups}` could not be converted to a string list"
                ))
            }
        }
    }
    for (name, accepted) in &b.bound_claims {
        let Some(raw) = claim(claims, name).filter(|v| !v.is_null()) else {
            return Some(format!("claim `{name}` is missing"));
        };
        let Some(actual) = normalize(raw) else {
            return Some(format!(
                "claim `{name}` is not a string, bool, number or list"
            ));
        };
        match matches(accepted, &actual, b.glob, raw.is_array()) {
            Ok(true) => {}
            // A value read at apply time may be the claim's.
            Ok(false) if b.claims_from_env.contains_key(name) => {}
            Ok(false) => {
                let how = if b.glob { "glob" } else { "value" };
                return Some(format!(
                    // The claim as the token has it: a string is not shown as a list.
                    "claim `{name}` is {}, matching no bound_claims {how} of {}",
                    json::to_string(raw),
                    json::list_to_string(accepted)
                ));
            }
            Err(reason) => return Some(reason),
        }
    }
    if name.is_empty() {
        return Some(format!(
            "user_claim `{}` is empty: the server refuses a login without a user name (\"missing name in alias\")",
            b.user_claim
        ));
    }
    None
}

/// Why a role with `leeways` refuses the token's time claims at `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TimeRefusal {
    /// What is wrong, with the claim it comes from: "the token expired 5m ago (`exp`)".
    problem: String,
    /// The server's words: "token is expired".
    server: &'static str,
}

/// The server's time checks (`hashicorp/cap` `jwt.Validator.Validate`) with a role's
/// leeways, in its order (nbf, exp, iat): a token without `exp` expires its
/// `expiration_leeway` (default 150s) after its `iat` or `nbf`, one without `nbf` and
/// `iat` starts its `not_before_leeway` (default 150s) before its `exp`, and each check
/// allows `clock_skew_leeway` (default 60s); a negative leeway is none. `None` when the
/// role accepts the token's times, or a time claim is not a number (every role refuses
/// the token for that already).
fn time_refusal(claims: &Map, leeways: Leeways, now: i64) -> Option<TimeRefusal> {
    const DEFAULT_LEEWAY: i64 = 150;
    const DEFAULT_CLOCK_SKEW: i64 = 60;
    let leeway = |set: i64, default: i64| match set {
        0 => default,
        s if s < 0 => 0,
        s => s,
    };
    let unreadable = ["exp", "nbf", "iat"]
        .iter()
        .any(|n| json::field(claims, n).is_some_and(|v| !v.is_number() && !v.is_null()));
    if unreadable {
        return None;
    }
    // A NumericDate is read as a float and truncated; absent, null or 0 is unset.
    let at = |name: &str| {
        json::field(claims, name)
            .and_then(Json::as_f64)
            .map_or(0, |f| f as i64)
    };
    let (exp, nbf, iat) = (at("exp"), at("nbf"), at("iat"));
    if exp == 0 && nbf == 0 && iat == 0 {
        return Some(TimeRefusal {
            problem: "the token has no `exp`, `nbf` or `iat`".into(),
            server:
                "no issued at (iat), not before (nbf), or expiration time (exp) claims in token",
        });
    }
    let expiration = leeway(leeways.expiration, DEFAULT_LEEWAY);
    let not_before_leeway = leeway(leeways.not_before, DEFAULT_LEEWAY);
    let skew = leeway(leeways.clock_skew, DEFAULT_CLOCK_SKEW);
    let expiry = if exp != 0 {
        exp
    } else {
        iat.max(nbf).saturating_add(expiration)
    };
    let not_before = match (nbf, iat) {
        (0, 0) => exp.saturating_sub(not_before_leeway),
        (0, iat) => iat,
        (nbf, _) => nbf,
    };
    if now.saturating_add(skew) < not_before {
        // Name the claim the start came from: a token without `nbf` has one too.
        let which = match (nbf, iat) {
            (0, 0) => format!("no `nbf` or `iat`: its `exp` minus {not_before_leeway}s"),
            (0, _) => "`iat`, as it has no `nbf`".to_string(),
            _ => "`nbf`".to_string(),
        };
        Some(TimeRefusal {
            problem: format!(
                "the token is not valid for another {} ({which})",
                span(not_before - now)
            ),
            server: "token not yet valid",
        })
    } else if now.saturating_sub(skew) > expiry {
        let which = if exp != 0 {
            "`exp`".to_string()
        } else {
            format!("no `exp`: its `iat`/`nbf` plus {expiration}s")
        };
        Some(TimeRefusal {
            problem: format!("the token expired {} ago ({which})", span(now - expiry)),
            server: "token is expired",
        })
    } else if iat != 0 && now.saturating_add(skew) < iat {
        Some(TimeRefusal {
            problem: format!(
                "the token is issued {} in the future (`iat`)",
                span(iat - now)
            ),
            server: "token issued in the future",
        })
    } else {
        None
    }
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

/// Whether one of the role's audiences known here is among the token's.
fn known_audience(b: &JwtBinding, audiences: &[&str]) -> bool {
    b.bound_audiences
        .iter()
        .any(|a| audiences.contains(&a.as_str()))
}

/// Variables as a message names them: `env(AUD)`.
fn from_env(envs: &[String]) -> impl Iterator<Item = String> + '_ {
    envs.iter().map(|e| format!("env({e})"))
}

/// What an accepted login takes for granted: that values read at apply time, unknown
/// here, are the token's where no value known here matched.
fn assumptions(b: &JwtBinding, claims: &Map) -> Vec<String> {
    let holds = |what: &str, envs: &[String]| {
        let names: Vec<String> = from_env(envs).collect();
        format!(
            "{what} holds the value of {}, read when applying",
            names.join(" or ")
        )
    };
    let mut out = Vec::new();
    if !b.audiences_from_env.is_empty()
        && !known_audience(b, &audiences(json::field(claims, "aud")))
    {
        out.push(holds("`aud`", &b.audiences_from_env));
    }
    if let Some(env) = &b.subject_from_env {
        out.push(holds("`sub`", std::slice::from_ref(env)));
    }
    for (name, envs) in &b.claims_from_env {
        let known = b.bound_claims.get(name).is_some_and(|accepted| {
            let raw = claim(claims, name);
            let actual = raw.and_then(normalize);
            let in_list = raw.is_some_and(Json::is_array);
            actual.is_some_and(|a| matches(accepted, &a, b.glob, in_list) == Ok(true))
        });
        if !known {
            out.push(holds(&format!("claim `{name}`"), envs));
        }
    }
    out
}

/// The JSON types go-jose's `jwt.Claims` decodes the registered claims into (null reads
/// as absent, except for `aud`); a token with another type is refused by every role.
const REGISTERED_CLAIMS: [(&str, &str); 7] = [
    ("iss", "a string"),
    ("sub", "a string"),
    ("aud", "a string or a list of strings"),
    ("exp", "a number (a NumericDate)"),
    ("nbf", "a number (a NumericDate)"),
    ("iat", "a number (a NumericDate)"),
    ("jti", "a string"),
];

/// The first registered claim of the wrong JSON type, as the reason for the refusal.
fn unreadable_registered_claim(claims: &Map) -> Option<String> {
    REGISTERED_CLAIMS.iter().find_map(|&(name, wanted)| {
        let value = json::field(claims, name)?;
        let readable = match (name, value) {
            ("aud", Json::String(_)) => true,
            ("aud", Json::Array(items)) => items.iter().all(Json::is_string),
            ("aud", _) => false,
            (_, Json::Null) => true,
            ("exp" | "nbf" | "iat", v) => v.is_number(),
            (_, v) => v.is_string(),
        };
        (!readable).then(|| {
            format!(
                "`{name}` is `{}`, not {wanted}: the server cannot read the token's registered claims",
                json::to_string(value)
            )
        })
    })
}

/// `aud` as the list of audiences it names (a string is one).
fn audiences(aud: Option<&Json>) -> Vec<&str> {
    match aud {
        Some(Json::String(s)) if !s.is_empty() => vec![s.as_str()],
        Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether `pathLogin` sees an audience: `getClaim` makes a string `aud` a list of one,
/// the empty string included, and any non-empty list counts.
fn has_audience(aud: Option<&Json>) -> bool {
    match aud {
        Some(Json::String(_)) => true,
        Some(Json::Array(items)) => !items.is_empty(),
        _ => false,
    }
}

/// A claim by name, or by JSON pointer when the name starts with `/` (`getClaim`).
fn claim<'a>(claims: &'a Map, name: &str) -> Option<&'a Json> {
    if name.starts_with('/') {
        pointer(claims, name)
    } else {
        json::field(claims, name)
    }
}

fn pointer<'a>(claims: &'a Map, path: &str) -> Option<&'a Json> {
    let mut segments = path
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"));
    let first = segments.next()?;
    let mut at = json::field(claims, &first)?;
    for seg in segments {
        at = match at {
            Json::Object(m) => json::field(m, &seg)?,
            Json::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// A claim as a list of scalars (`normalizeList`); `None` for objects and nested lists.
fn normalize(v: &Json) -> Option<Vec<&Json>> {
    match v {
        Json::Array(items) => Some(items.iter().collect()),
        Json::String(_) | Json::Bool(_) | Json::Number(_) => Some(vec![v]),
        _ => None,
    }
}

/// `matchFound`: any accepted value equals (or, as a glob, matches) any actual value.
/// `in_list`: the values are the items of a list claim. `getClaim` turns only a claim
/// that is itself a number into the `json.Number` the role's values are; the items of a
/// list stay `float64`, which equals no `json.Number`, so a number in a list never
/// matches.
fn matches(
    accepted: &[serde_json::Value],
    actual: &[&Json],
    glob: bool,
    in_list: bool,
) -> Result<bool, String> {
    for expected in accepted {
        for &value in actual {
            if glob {
                let serde_json::Value::String(pattern) = expected else {
                    return Err(format!(
                        "bound claim {} is not a glob string",
                        json::to_string(expected)
                    ));
                };
                if let Json::String(s) = value {
                    if glob_match(pattern, s) {
                        return Ok(true);
                    }
                }
            } else if !(in_list && value.is_number()) && same(expected, value) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Equality as the server sees it: same JSON type, and numbers as integers (a claim's
/// float is truncated to an integer before comparing, `getClaim`). The server compares
/// the two as decimal text; an expected float's text (`1.0`, `1e20`) never equals an
/// integer's, so only integers can match, and comparing integers compares their text.
fn same(expected: &serde_json::Value, actual: &Json) -> bool {
    match (expected, actual) {
        (serde_json::Value::Number(e), Json::Number(a)) => {
            let expected = e.as_i64().map(i128::from).or(e.as_u64().map(i128::from));
            expected.is_some() && expected == claim_integer(a)
        }
        // A role's values are scalars (the checker refuses a nested list or map), so no
        // array or object is compared: `Value`'s own `==` would link IndexMap's lookup
        // and SipHash into the playground for it.
        (serde_json::Value::String(e), Json::String(a)) => e == a,
        (serde_json::Value::Bool(e), Json::Bool(a)) => e == a,
        _ => false,
    }
}

/// 2^64: no claim at or beyond it equals a JSON integer (at most `u64::MAX`): float
/// formatting writes 2^64 as `18446744073709552000`, and a larger float as a larger
/// integer. Below it every integral `f64` and the arithmetic in [`shortest_integer`] fit
/// `u64` exactly, so the playground links no 128-bit division (1 KB gzipped).
const BEYOND_JSON_INTEGERS: f64 = 18_446_744_073_709_551_616.0;

/// The integer a numeric claim compares as: itself when it fits `i64`, else its `f64`
/// value truncated (as `getClaim` does; a `u64` over `i64::MAX` is rounded to `f64` first)
/// and written as `format!("{}", f)` writes it: the shortest digits that read back as the
/// same `f64`, then zeros (`2^63` is `9223372036854776000`). `None` where that text is no
/// JSON integer's: `-0` (a negative fraction over -1 truncates to it), or a magnitude beyond
/// them. Computed with integers, so the playground links no float formatting.
fn claim_integer(claim: &serde_json::Number) -> Option<i128> {
    if let Some(n) = claim.as_i64() {
        return Some(i128::from(n));
    }
    let t = claim.as_f64()?.trunc();
    if t == 0.0 && t.is_sign_negative() || t.is_nan() || t.abs() >= BEYOND_JSON_INTEGERS {
        return None;
    }
    // Integral and under 2^64: the cast is exact.
    let magnitude = i128::from(shortest_integer(t.abs() as u64));
    Some(if t < 0.0 { -magnitude } else { magnitude })
}

/// The shortest-digit integer that converts to the same `f64` as `exact` (a non-negative
/// integral `f64`'s value), as float formatting picks it (`core::num::flt2dec`, Dragon4):
/// for one significant digit, then two, and so on, `exact` truncated to that many digits
/// or rounded up; the first that reads back as the same `f64` wins, the nearer if both do,
/// rounded up on a tie. Rounded up past `u64::MAX` it is at least 2^64, above `exact`'s
/// `f64`: it does not read back.
fn shortest_integer(exact: u64) -> u64 {
    let value = exact as f64;
    let mut unit = 1_u64;
    while unit <= exact / 10 {
        unit *= 10;
    }
    // `unit` is the place of the leading digit; each round keeps one more digit.
    while unit > 1 {
        let down = exact / unit * unit;
        let up = down.checked_add(unit).filter(|&up| up as f64 == value);
        match (down as f64 == value, up) {
            (true, Some(up)) if exact - down < up - exact => return down,
            (_, Some(up)) => return up,
            (true, None) => return down,
            (false, None) => unit /= 10,
        }
    }
    exact
}

fn shown(v: Option<&Json>) -> String {
    match v {
        None | Some(Json::Null) => "missing".to_string(),
        Some(v) => format!("`{}`", json::to_string(v)),
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    format!("[{}]", quoted.join(", "))
}

#[cfg(test)]
mod tests;
