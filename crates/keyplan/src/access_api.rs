//! Access analysis of compiled programs (the `kp-access` crate), for callers that hold
//! a [`Compiled`]: `None` when the program did not compile.

use crate::access::diff::AccessDiff;
use crate::access::matrix::Matrix;
use crate::access::simulate::Simulation;
use crate::{Compiled, Diagnostic};

/// The access matrix (identity × pattern → capabilities, with login conditions); the
/// built-in `default` with the stock rules of the compiled target's product.
pub fn access_matrix(compiled: &Compiled) -> Option<Matrix> {
    compiled
        .program
        .as_ref()
        .map(|p| kp_access::matrix::matrix(p, compiled.target))
}

/// What changed in effective access from `old` to `new`, with the stock `default` of
/// `new`'s target.
pub fn access_diff(old: &Compiled, new: &Compiled) -> Option<AccessDiff> {
    Some(kp_access::diff::diff(
        old.program.as_ref()?,
        new.program.as_ref()?,
        new.target,
    ))
}

/// Which JWT roles accept a token with these claims (only on `mount`, when given).
pub fn simulate_claims(
    compiled: &Compiled,
    claims: &kp_access::json::Map,
    mount: Option<&str>,
) -> Option<Simulation> {
    compiled
        .program
        .as_ref()
        .map(|p| kp_access::simulate::simulate(p, claims, mount))
}

/// [`simulate_claims`] at `now` (seconds since the epoch): the token's time claims are
/// checked with each role's leeways, and the notes say when every role refuses them alike
/// (the roles are then judged on their bindings, as if the token were current).
pub fn simulate_claims_at(
    compiled: &Compiled,
    claims: &kp_access::json::Map,
    mount: Option<&str>,
    now: i64,
) -> Option<(Simulation, Vec<String>)> {
    compiled
        .program
        .as_ref()
        .map(|p| kp_access::simulate::simulate_at(p, claims, mount, now))
}

/// The identity lints (`kp-access`) of a program that compiled: who can log in as whom,
/// rules granting too much or nothing. `keyplan check` reports them with the checker's
/// diagnostics; `compile` leaves them out so builds stay quiet on intended designs.
pub fn access_lints(compiled: &Compiled) -> Vec<Diagnostic> {
    compiled
        .program
        .as_ref()
        .map(|p| kp_access::lints::lints_in(p, &compiled.sources, compiled.target))
        .unwrap_or_default()
}

/// [`access_lints`] with literal secrets starred out of their texts, as every surface
/// shows them.
pub fn redacted_lints(compiled: &Compiled) -> Vec<Diagnostic> {
    let mut lints = access_lints(compiled);
    compiled.redact(&mut lints);
    lints
}

/// What `keyplan check` reports: the compilation's diagnostics with its identity lints
/// ([`access_lints`], literal secrets starred out of their texts), in source order. The
/// language server's analysis (`kp-ide`) runs the same lint pass; its tests compare the two.
pub fn checked(mut compiled: Compiled) -> Compiled {
    let lints = redacted_lints(&compiled);
    compiled.diagnostics.extend(lints);
    kp_sort::by_key(&mut compiled.diagnostics, |d| (d.span.start, d.span.end));
    compiled
}
