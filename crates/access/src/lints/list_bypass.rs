//! `kp::list-deny-bypass`: on HashiCorp Vault (and OpenBao before 2.6), a LIST of
//! `X/` tries the wildcard rules on `X` before `X/` (`docs/acl.md` §3). A `deny` on
//! `X/*` then does not stop the listing when a broader glob, `parent/*`, grants `list`
//! on `X`: that glob matches first and decides alone. OpenBao 2.6 fixed the order
//! (openbao#3389), so the finding is for the Vault target only.
//!
//! Exact, not a pattern heuristic: the holder's ACL is built with the evaluator and the
//! LIST looked up with both servers' orders; the finding is said when Vault's allows
//! what OpenBao's denies.

use kp_acl::{Operation, Server, Target};
use kp_check::ir::PathRule;
use kp_diag::{Diagnostic, Span};
use kp_sort::SortedMap;

use crate::identity::Identity;
use crate::matrix::acl_of;

pub const LIST_DENY_BYPASS: &str = "kp::list-deny-bypass";

/// The finding for `rule`, a `deny` of a policy `holders` hold, when a LIST of the
/// folder it denies gets through on Vault for one of them.
pub(super) fn list_bypass(
    rule: &PathRule,
    at: Span,
    what: &str,
    holders: &[&Identity],
    rules: &SortedMap<&str, &[PathRule]>,
    target: Target,
    out: &mut Vec<Diagnostic>,
) {
    if target != Target::Vault || !rule.capabilities.contains("deny") {
        return;
    }
    // `X/*` (or `X/`): the folder `X/` is what a LIST names. With a `+` or a template
    // there is no one folder to ask about.
    let folder = rule.path.strip_suffix('*').unwrap_or(&rule.path);
    let folder = folder.trim_start_matches('/');
    if !folder.ends_with('/') || folder.len() < 2 || folder.contains(['+', '{']) {
        return;
    }
    let Some((holder, winner)) = holders.iter().find_map(|i| {
        let acl = acl_of(&i.policies, rules, Some(target))?;
        let vault = acl.check(folder, Operation::List, Server::Vault);
        let openbao = acl.check(folder, Operation::List, Server::Openbao);
        let winner = vault
            .decided_by
            .filter(|_| vault.allowed && !openbao.allowed)?;
        Some((i, winner.pattern))
    }) else {
        return;
    };
    let parent = folder.trim_end_matches('/');
    // Written as the rule is: a workload's statement, or a policy's `path` block.
    let exact = if what.starts_with("workload") {
        format!("deny \"{parent}\"")
    } else {
        format!("path \"{parent}\" {{ capabilities = [deny] }}")
    };
    out.push(
        Diagnostic::warning(
            LIST_DENY_BYPASS,
            at,
            format!(
                "on Vault, the `deny` on `{}` in {what} does not stop `{}` listing `{folder}`: `{winner}` matches `{parent}` first and grants `list`",
                rule.path, holder.id
            ),
        )
        .with_label("LIST of the folder still allowed on Vault")
        .with_help(format!(
            "deny the folder by its exact path too, `{exact}` (an exact rule is looked up before any glob); OpenBao 2.6 and later look `{folder}` up first and deny it"
        )),
    );
}
