//! JSON entry points of the access analysis: the matrix the playground's Access tab
//! draws, the access diff, and claim simulation.

use serde::Serialize;

use super::{diagnostics_in, parse_target, to_json, JsonDiagnostic};
use crate::access::diff::AccessDiff;
use crate::access::matrix::Matrix;
use crate::access::simulate::Simulation;
use crate::{compile, Compiled, Options, SourceMap, Target};

/// `{ ok, target, diagnostics, access }`: `access` is null when the program has errors.
#[derive(Debug, Serialize)]
pub struct AccessResponse {
    pub ok: bool,
    pub target: Option<Target>,
    pub diagnostics: Vec<JsonDiagnostic>,
    pub access: Option<Matrix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `{ ok, target, old, new, diff }`: the diagnostics of each side, and the diff when
/// both compiled.
#[derive(Debug, Serialize)]
pub struct DiffResponse {
    pub ok: bool,
    pub target: Option<Target>,
    pub old: Vec<JsonDiagnostic>,
    pub new: Vec<JsonDiagnostic>,
    pub diff: Option<AccessDiff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `{ ok, target, diagnostics, simulation, notes? }`. What each accepted identity may do
/// is the access matrix's ([`access_json`], and a build's view): not repeated here, which
/// keeps the matrix's code out of the playground's access module.
#[derive(Debug, Serialize)]
pub struct SimulateResponse {
    pub ok: bool,
    pub target: Option<Target>,
    pub diagnostics: Vec<JsonDiagnostic>,
    pub simulation: Option<Simulation>,
    /// What the server's time checks say of the token when every role refuses its time
    /// claims alike (as `keyplan simulate` prints them); only when some were found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn compiled(source: &str, target: Target) -> Compiled {
    compile(source, &Options { target })
}

/// The access matrix of a program.
pub fn access_json(source: &str, target: &str) -> String {
    super::write::to_string(&access(source, target))
}

pub fn access(source: &str, target: &str) -> AccessResponse {
    let target = match parse_target(target) {
        Ok(t) => t,
        Err(error) => {
            return AccessResponse {
                ok: false,
                target: None,
                diagnostics: Vec::new(),
                access: None,
                error: Some(error),
            }
        }
    };
    let c = compiled(source, target);
    AccessResponse {
        ok: !c.has_errors(),
        target: Some(target),
        diagnostics: diagnostics_in(&c.sources, &c.diagnostics),
        access: crate::access_matrix(&c),
        error: None,
    }
}

/// The access diff of two versions of a program.
pub fn diff_json(old: &str, new: &str, target: &str) -> String {
    to_json(&diff(old, new, target))
}

pub fn diff(old: &str, new: &str, target: &str) -> DiffResponse {
    let target = match parse_target(target) {
        Ok(t) => t,
        Err(error) => {
            return DiffResponse {
                ok: false,
                target: None,
                old: Vec::new(),
                new: Vec::new(),
                diff: None,
                error: Some(error),
            }
        }
    };
    let (o, n) = (compiled(old, target), compiled(new, target));
    let diff = crate::access_diff(&o, &n);
    DiffResponse {
        ok: diff.is_some(),
        target: Some(target),
        old: diagnostics_in(&o.sources, &o.diagnostics),
        new: diagnostics_in(&n.sources, &n.diagnostics),
        diff,
        error: None,
    }
}

/// Claim simulation: `claims` is a JSON object of a token's claims; `mount` limits the
/// roles to one mount path (empty: every JWT mount). With `now` (seconds since the epoch:
/// the caller's clock, the core has none) the token's time claims are checked with each
/// role's leeways, as `keyplan simulate` does; without, the token is taken to be current.
pub fn simulate_json(
    source: &str,
    claims: &str,
    mount: &str,
    target: &str,
    now: Option<i64>,
) -> String {
    super::write::to_string(&simulate(source, claims, mount, target, now))
}

/// The typed form of [`simulate_json`].
pub fn simulate(
    source: &str,
    claims: &str,
    mount: &str,
    target: &str,
    now: Option<i64>,
) -> SimulateResponse {
    let fail = |target, error: String| SimulateResponse {
        ok: false,
        target,
        diagnostics: Vec::new(),
        simulation: None,
        notes: Vec::new(),
        error: Some(error),
    };
    // `auto`: the target the program implies, as the page's other answers take it (QA:
    // simulate alone refused `auto`).
    let c = match super::compile_for(SourceMap::single(super::PLAYGROUND_FILE, source), target) {
        Ok(c) => c,
        Err(error) => return fail(None, error),
    };
    let target = c.target;
    let claims = match parse_claims(claims) {
        Ok(c) => c,
        Err(error) => return fail(Some(target), error),
    };
    // A mount with no JWT role has an empty simulation: the page says which mounts have
    // some from the access matrix it draws (kept out of the access module, which has no
    // room; `keyplan simulate --mount` says it with `unknown_mount`).
    let mount = Some(mount).filter(|m| !m.trim().is_empty());
    let (simulation, notes) = match crate::simulate_claims_at(&c, &claims, mount, now.unwrap_or(0))
    {
        Some((simulation, notes)) => (Some(simulation), notes),
        None => (None, Vec::new()),
    };
    SimulateResponse {
        ok: !c.has_errors(),
        target: Some(target),
        diagnostics: diagnostics_in(&c.sources, &c.diagnostics),
        simulation,
        notes,
        error: None,
    }
}

/// A token's claims: a JSON object, located error otherwise (serde_json's messages, from
/// [`kp_access::json`], which the playground links instead of serde_json's reader).
pub fn parse_claims(text: &str) -> Result<kp_access::json::Map, String> {
    use kp_access::json::Value;
    match kp_access::json::from_str(text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(format!(
            "the claims must be a JSON object like {{\"sub\": \"...\", \"aud\": \"...\"}}, not {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        )),
        Err(e) => Err(format!("the claims are not valid JSON: {e}")),
    }
}
