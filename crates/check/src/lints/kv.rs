//! KV v2 paths written as if the mount were KV v1.

use kp_diag::{Diagnostic, Span};

use crate::codes;
use crate::ir::Capabilities;
use crate::rules::RuleSet;
use crate::symbols::{MountSym, Symbols};

/// A `kp::kv2-path` warning already reported, whose help waits for the policy's every
/// rule: [`finish`] then suggests only what the policy does not grant already.
#[derive(Debug)]
pub struct Pending {
    /// The warning's position in the diagnostics.
    at: usize,
    /// The path the help suggests, and the capabilities wanted there.
    fixed: String,
    wanted: Capabilities,
    /// `list` on a sub-path that lists nothing: only `list` moves.
    listing: bool,
}

/// Sub-paths of a KV v2 mount that ACL rules legitimately name.
const KV2_PREFIXES: [&str; 6] = [
    "data/",
    "metadata/",
    "delete/",
    "undelete/",
    "destroy/",
    "subkeys/",
];

/// The program's KV v2 mounts, in path order: what [`check`] takes.
pub fn kv2_mounts<'s>(syms: &'s Symbols<'s>) -> Vec<&'s MountSym<'s>> {
    syms.secret_mounts.values().filter(|m| m.is_kv2()).collect()
}

/// Warns when `path` is under one of the KV v2 mounts (from [`kv2_mounts`]: listed once,
/// not filtered again for every rule path) but outside its API sub-paths, or when its
/// capabilities `caps` hold `list` on a sub-path that lists nothing; `list` alone picks
/// `metadata/` over `data/` in the suggestion. The warning's help is [`finish`]ed once
/// the whole policy is known (`pending`).
pub fn check(
    kv2: &[&MountSym<'_>],
    path: &str,
    caps: Capabilities,
    span: Span,
    diags: &mut Vec<Diagnostic>,
    pending: &mut Vec<Pending>,
) {
    let lists = caps.contains("list");
    let listing = lists && caps.len() == 1;
    // Runs on every rule path: the prefix test borrows, no `MOUNT/` string per mount.
    let under = |m: &&crate::symbols::MountSym<'_>| {
        path.strip_prefix(m.path)
            .is_some_and(|r| r.starts_with('/'))
    };
    let mount = kv2
        .iter()
        .copied()
        .filter(under)
        .max_by_key(|m| m.path.len());
    let Some(mount) = mount else {
        return;
    };
    let rest = path.get(mount.path.len() + 1..).unwrap_or("");
    if lists {
        if let Some(keys) = unlistable(rest) {
            pending.push(Pending {
                at: diags.len(),
                fixed: format!("{}/metadata/{keys}", mount.path),
                wanted: Capabilities::from_names(["list"]),
                listing: true,
            });
            diags.push(listing_outside_metadata(path, mount.path, keys, span));
            return;
        }
    }
    if rest.is_empty()
        || rest == "config"
        || rest.starts_with(['*', '+'])
        || KV2_PREFIXES
            .iter()
            .any(|p| rest.starts_with(p) || p.strip_suffix('/') == Some(rest))
    {
        return;
    }
    let sub = if listing { "metadata" } else { "data" };
    let fixed = format!("{}/{sub}/{rest}", mount.path);
    pending.push(Pending {
        at: diags.len(),
        fixed: fixed.clone(),
        wanted: caps,
        listing: false,
    });
    diags.push(
        Diagnostic::warning(
            codes::KV2_PATH,
            span,
            format!(
                "`{path}` is under KV v2 mount `{}` but lacks `{sub}/`",
                mount.path
            ),
        )
        .with_label("matches no KV v2 API path")
        .with_help(format!(
            "write `\"{fixed}\"`: KV v2 serves secrets under `{sub}/`"
        )),
    );
}

/// The keys part of a KV v2 sub-path other than `metadata/` (`data/models/*` gives
/// `models/*`): the server answers LIST there "unsupported operation", keys are listed
/// under `metadata/` only.
fn unlistable(rest: &str) -> Option<&str> {
    KV2_PREFIXES
        .iter()
        .filter(|p| **p != "metadata/")
        .find_map(|p| rest.strip_prefix(p))
}

fn listing_outside_metadata(path: &str, mount: &str, keys: &str, span: Span) -> Diagnostic {
    let sub = path
        .get(mount.len() + 1..)
        .and_then(|r| r.split('/').next())
        .unwrap_or("data");
    Diagnostic::warning(
        codes::KV2_PATH,
        span,
        format!("`list` on `{path}` grants nothing: KV v2 mount `{mount}` lists keys under `metadata/`, not `{sub}/`"),
    )
    .with_label("LIST is unsupported here")
    .with_help(format!("list keys at `\"{mount}/metadata/{keys}\"`"))
}

/// Rewrites the help of each [`Pending`] warning where the policy (its rules `set`)
/// already grants at the suggested path some of what the help asks for: the help then
/// names only what is missing, or that the rule can go.
pub fn finish(pending: &mut Vec<Pending>, set: &RuleSet, diags: &mut [Diagnostic]) {
    for p in pending.drain(..) {
        let have = set.granted(&p.fixed);
        let missing: Vec<&str> = p.wanted.iter().filter(|c| !have.contains(c)).collect();
        if missing.len() == p.wanted.len() {
            continue;
        }
        let fixed = &p.fixed;
        let help = match (p.listing, missing.is_empty()) {
            (true, _) => format!(
                "remove `list` from this rule: the policy lists these keys at `\"{fixed}\"` already"
            ),
            (false, true) => format!(
                "remove this rule: the policy grants `{}` at `\"{fixed}\"` already",
                have.join(", ")
            ),
            (false, false) => format!(
                "add `{}` to the rule on `\"{fixed}\"` and remove this one: the policy grants `{}` there already",
                missing.join(", "),
                have.join(", ")
            ),
        };
        if let Some(d) = diags.get_mut(p.at) {
            d.help = Some(help);
        }
    }
}
