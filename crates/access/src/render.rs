//! Text, CSV and Markdown forms of the analyses (JSON is their serde form). Kept in the
//! core so the CLI, the playground and CI print the same thing.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::diff::{AccessDiff, Change, Direction, IdentityChange};
use crate::identity::IdentityKind;
use crate::matrix::{Grant, IdentityAccess, Matrix};
use crate::simulate::Simulation;

/// One block per identity: its login, its policies, then its grants. The built-in
/// `default` policy's rules are the same on every identity that carries it: an identity
/// lists only its other grants and how many of `default`'s it has, and `default`'s rules
/// are listed once, after the identities.
pub fn matrix_text(m: &Matrix) -> String {
    let mut out = String::new();
    if m.identities.is_empty() {
        out.push_str("no identities: the program declares no workload, role or token\n");
    }
    for (i, ia) in m.identities.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        identity_text(&mut out, ia);
    }
    // `default`'s rules, from every identity: one whose own policy shares a pattern
    // with `default` lists that pattern as its own.
    let mut defaults: Vec<&Grant> = Vec::new();
    for g in m
        .identities
        .iter()
        .flat_map(|ia| default_grants(&ia.grants))
    {
        if !defaults.iter().any(|d| d.pattern == g.pattern) {
            defaults.push(g);
        }
    }
    kp_sort::by_key(&mut defaults, |g| g.pattern.as_str());
    if !defaults.is_empty() {
        out.push_str("\ndefault (built-in: on every token not created with `no_default_policy`, or `token_no_default_policy` on its role)\n");
        grant_lines(&mut out, &defaults, false);
    }
    out
}

/// Whether the grant comes from the built-in `default` policy alone.
/// The grants that come from `default` alone.
fn default_grants(grants: &[Grant]) -> impl Iterator<Item = &Grant> {
    grants.iter().filter(|g| g.from_default_only())
}

fn identity_text(out: &mut String, ia: &IdentityAccess) {
    let id = &ia.identity;
    let _ = write!(out, "{} ({}", id.id, id.kind.name());
    match &id.role {
        // A token role is no login: tokens are created with it.
        Some(_) if id.kind == IdentityKind::TokenRole => {
            let _ = write!(out, ", tokens created at auth/token/create/{}", id.name);
        }
        Some(role) => {
            let _ = write!(out, ", logs in at {role}");
        }
        None => {}
    }
    out.push_str(")\n");
    let _ = writeln!(out, "  policies: {}", id.policies.join(", "));
    if !ia.external.is_empty() {
        let _ = writeln!(out, "  rules not known here: {}", ia.external.join(", "));
    }
    for (field, value) in &id.login.fields {
        let _ = writeln!(out, "  login {field} = {}", compact(&value.json()));
    }
    let own: Vec<&Grant> = ia
        .grants
        .iter()
        .filter(|g| !g.from_default_only())
        .collect();
    grant_lines(out, &own, true);
    match default_grants(&ia.grants).count() {
        0 if ia.grants.is_empty() => out.push_str("  (no rules known)\n"),
        0 => {}
        n => {
            let rules = counted(n, "rule", "rules");
            let _ = writeln!(out, "  + {rules} of `default` (listed once, at the end)");
        }
    }
    // A grant on cubbyhole that the server refuses a batch token anyway.
    if let Some(why) = ia.grants.iter().find_map(|g| id.refusal(&g.pattern)) {
        let _ = writeln!(out, "  but refused: {why}");
    }
}

/// One aligned line per grant: pattern, capabilities and, when `via`, the policies.
fn grant_lines(out: &mut String, grants: &[&Grant], via: bool) {
    // Patterns are the program's text: a pattern past the widest aligned one is not
    // padded (a format width over 65535 panics, and would pad every other line too).
    let width = grants
        .iter()
        .map(|g| g.pattern.chars().count())
        .filter(|&w| w <= MAX_ALIGNED)
        .max()
        .unwrap_or(0);
    let capabilities: Vec<String> = grants.iter().map(|g| g.capabilities.join(",")).collect();
    // At most the nine capabilities' names: the column is as wide as its widest entry.
    let caps_width = capabilities.iter().map(String::len).max().unwrap_or(0);
    for (g, capabilities) in grants.iter().zip(&capabilities) {
        out.push_str("  ");
        padded(out, &g.pattern, width);
        out.push_str("  ");
        if via {
            padded(out, capabilities, caps_width);
            let _ = writeln!(out, "  via {}", g.policies.join(", "));
        } else {
            out.push_str(capabilities);
            out.push('\n');
        }
    }
}

/// The widest pattern the grant lines are aligned on.
const MAX_ALIGNED: usize = 80;

/// `text`, then spaces up to `width` characters (none when it is wider already).
fn padded(out: &mut String, text: &str, width: usize) {
    out.push_str(text);
    let pad = width.saturating_sub(text.chars().count());
    out.extend(std::iter::repeat_n(' ', pad));
}

/// `identity,kind,pattern,capabilities,policies`: one row per grant; an identity
/// without known rules gets one row with an empty pattern.
pub fn matrix_csv(m: &Matrix) -> String {
    let mut out = String::from("identity,kind,pattern,capabilities,policies\n");
    for ia in &m.identities {
        let id = &ia.identity;
        if ia.grants.is_empty() {
            let _ = writeln!(
                out,
                "{},{},,,{}",
                csv(&id.id),
                id.kind.name(),
                csv(&id.policies.join(" "))
            );
        }
        for g in &ia.grants {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                csv(&id.id),
                id.kind.name(),
                csv(&g.pattern),
                csv(&g.capabilities.join(" ")),
                csv(&g.policies.join(" "))
            );
        }
    }
    out
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A value on one line: a string as written, unless it spans lines (a PEM certificate),
/// which is quoted with its escapes instead of breaking the listing.
fn compact(v: &Json) -> String {
    match v {
        Json::String(s) if !s.contains('\n') => s.clone(),
        other => other.to_string(),
    }
}

fn sign(change: Change) -> &'static str {
    match change {
        Change::Added => "+",
        Change::Removed => "-",
        Change::Modified => "~",
    }
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Widened => "widened",
        Direction::Narrowed => "narrowed",
        Direction::Changed => "changed",
    }
}

fn shown(v: &Json) -> String {
    if v.is_null() {
        "(unset)".to_string()
    } else {
        compact(v)
    }
}

/// After a path no pattern names (one example of those a change reaches), `(for
/// example)` and the space before it; nothing after a pattern.
fn example_mark(c: &IdentityChange, path: &String, space: &'static str) -> String {
    if c.examples.contains(path) {
        format!("{space}(for example)")
    } else {
        String::new()
    }
}

pub fn diff_text(d: &AccessDiff) -> String {
    if !d.changed {
        return "no access change\n".to_string();
    }
    let mut out = String::new();
    for c in &d.identities {
        let _ = writeln!(out, "{} {} ({})", sign(c.change), c.identity, change(c));
        let example = |p: &String| example_mark(c, p, "  ");
        for g in &c.added {
            let (p, caps) = (&g.pattern, g.capabilities.join(","));
            let _ = writeln!(out, "    + {p}  {caps}{}", example(p));
        }
        for g in &c.removed {
            let (p, caps) = (&g.pattern, g.capabilities.join(","));
            let _ = writeln!(out, "    - {p}  {caps}{}", example(p));
        }
        for p in &c.denials_added {
            let _ = writeln!(out, "    + denial {p}{}", example(p));
        }
        for p in &c.denials_removed {
            let _ = writeln!(out, "    - denial {p}{}", example(p));
        }
        for l in &c.login {
            let _ = writeln!(
                out,
                "    login {} {}: {} -> {}",
                l.field,
                direction(l.direction),
                shown(&l.old),
                shown(&l.new)
            );
        }
    }
    let _ = writeln!(out, "{}", summary(d));
    out
}

fn change(c: &IdentityChange) -> &'static str {
    match c.change {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Modified => "modified",
    }
}

/// The counts of [`AccessDiff::summary`] in words: a `deny` is counted as a denial, not
/// as a grant (which would read as more access).
fn summary(d: &AccessDiff) -> String {
    let s = &d.summary;
    format!(
        "{} added, {} removed, {} modified; {} added, {} removed; {} added, {} removed; {} widened",
        counted(s.identities_added, "identity", "identities"),
        s.identities_removed,
        s.identities_modified,
        counted(s.grants_added, "grant", "grants"),
        s.grants_removed,
        counted(s.denials_added, "denial", "denials"),
        s.denials_removed,
        counted(s.logins_widened, "login condition", "login conditions"),
    )
}

/// `1 grant`, `2 grants`.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A pull-request comment: a summary line, then one table per identity.
pub fn diff_markdown(d: &AccessDiff) -> String {
    let mut out = String::from("### keyplan access diff\n\n");
    if !d.changed {
        out.push_str("No access change.\n");
        return out;
    }
    let _ = writeln!(out, "{}\n", summary(d));
    for c in &d.identities {
        let _ = writeln!(out, "#### `{}` ({})\n", c.identity, change(c));
        if !(c.added.is_empty()
            && c.removed.is_empty()
            && c.denials_added.is_empty()
            && c.denials_removed.is_empty())
        {
            out.push_str("| | pattern | capabilities |\n|---|---|---|\n");
            let cell = |p: &String| format!("`{}`{}", md(p), example_mark(c, p, " "));
            for g in &c.added {
                let caps = g.capabilities.join(", ");
                let _ = writeln!(out, "| ➕ | {} | {caps} |", cell(&g.pattern));
            }
            for g in &c.removed {
                let caps = g.capabilities.join(", ");
                let _ = writeln!(out, "| ➖ | {} | {caps} |", cell(&g.pattern));
            }
            for p in &c.denials_added {
                let _ = writeln!(out, "| ⛔ | {} | denial added |", cell(p));
            }
            for p in &c.denials_removed {
                let _ = writeln!(out, "| ⚠️ | {} | denial removed |", cell(p));
            }
            out.push('\n');
        }
        if !c.login.is_empty() {
            out.push_str("| login field | old | new | |\n|---|---|---|---|\n");
            for l in &c.login {
                let mark = match l.direction {
                    Direction::Widened => "⚠️ widened",
                    Direction::Narrowed => "narrowed",
                    Direction::Changed => "changed",
                };
                let _ = writeln!(
                    out,
                    "| `{}` | `{}` | `{}` | {mark} |",
                    l.field,
                    md(&shown(&l.old)),
                    md(&shown(&l.new))
                );
            }
            out.push('\n');
        }
    }
    out
}

/// Pipes would end a table cell; backticks would end the code span.
fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('`', "'")
}

/// Accepted roles with the access they yield, then refused roles with the reason.
pub fn simulation_text(s: &Simulation, m: &Matrix) -> String {
    let mut out = String::new();
    if s.accepted.is_empty() && s.refused.is_empty() {
        out.push_str("no JWT role to log in to\n");
    }
    for a in &s.accepted {
        let _ = writeln!(
            out,
            "accepted  {}/{} as {}  policies: {}",
            a.mount,
            a.role,
            a.identity,
            a.policies.join(", ")
        );
        for assumption in &a.assuming {
            let _ = writeln!(out, "    assuming {assumption}");
        }
        if let Some(ia) = m.identities.iter().find(|i| i.identity.id == a.identity) {
            for g in ia.grants.iter().filter(|g| !g.from_default_only()) {
                let _ = writeln!(out, "    {}  {}", g.pattern, g.capabilities.join(","));
            }
            let n = default_grants(&ia.grants).count();
            if n > 0 {
                let rules = counted(n, "rule", "rules");
                let _ = writeln!(
                    out,
                    "    (+ {rules} of `default`: `keyplan access` lists them)"
                );
            }
            if !ia.external.is_empty() {
                let _ = writeln!(out, "    (+ rules of {})", ia.external.join(", "));
            }
            // A grant on cubbyhole that the server refuses a batch token anyway.
            if let Some(why) = ia
                .grants
                .iter()
                .find_map(|g| ia.identity.refusal(&g.pattern))
            {
                let _ = writeln!(out, "    but refused: {why}");
            }
        }
    }
    for r in &s.refused {
        let _ = writeln!(out, "refused   {}/{}: {}", r.mount, r.role, r.reason);
    }
    out
}
