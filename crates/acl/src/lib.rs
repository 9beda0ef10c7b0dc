//! Vault's and OpenBao's ACL, evaluated offline and exactly.
//!
//! Given policies as data and a request path, [`Acl::capabilities`] answers what the
//! server's `sys/capabilities` answers, and says which rule decided and why it won over
//! the other matches. The algorithm is OpenBao's `internal/vault/policy/acl.go`
//! (`NewACL` merges rules with the same pattern, `AllowOperation` tries exact rules then
//! wildcard rules, `CheckAllowedFromNonExactPaths` ranks the wildcard matches) and the
//! `sys/capabilities` handler (`internal/vault/capabilities.go`, a LIST lookup with its
//! trailing-slash fallbacks). `docs/acl.md` describes it with citations.
//!
//! Pure: no I/O, builds for `wasm32-unknown-unknown`.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

mod acl;
mod caps;
mod policy;
mod regions;
mod request;
mod shadow;

pub use acl::{
    Acl, Beaten, Contribution, Criterion, Decider, Decision, Operation, RuleRef, Server, Step,
};
pub use caps::Caps;
pub use kp_schema::Target;
pub use policy::{
    default_policy_rules, AclError, PatternKind, Policy, Rule, StockRule, DEFAULT_POLICY,
};
pub use regions::{regions, Region};
pub use request::request_path;
pub use shadow::{narrows, outranks, shadows, shadows_pattern, Pattern, ShadowIndex};

/// The policies a token carries, as the server resolves them: `root` alone, or the
/// named policies plus `default` unless `no_default_policy`. Names the server does not
/// know are skipped, as `PolicyStore.ACL` skips them; a `default` it does not know is
/// the stock one of `target`'s product.
pub fn token_policies<'a>(
    names: &[&str],
    no_default_policy: bool,
    target: Target,
    known: impl Fn(&str) -> Option<&'a Policy>,
) -> Vec<Policy> {
    let mut out: Vec<Policy> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let default_wanted = !no_default_policy && !names.contains(&"root");
    let all = names
        .iter()
        .copied()
        .chain(default_wanted.then_some(DEFAULT_POLICY));
    for name in all {
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        if name == "root" {
            out.push(Policy::root());
        } else if let Some(p) = known(name) {
            out.push(p.clone());
        } else if name == DEFAULT_POLICY {
            out.push(Policy::default_policy(target));
        }
    }
    out
}
