//! Plans and apply reports for people (text) and machines (JSON). Neither ever holds a
//! secret: plan values come from [`crate::diff::shown`], reports hold only ids.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::apply::ApplyReport;
use crate::diff::{Action, Plan};

pub fn plan_text(plan: &Plan, addr: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "plan against {addr}");
    for r in &plan.resources {
        let (mark, word) = match r.action {
            Action::Create => ('+', "create"),
            Action::Update => ('~', "update"),
            Action::Replace => ('!', "replace"),
            Action::Run => ('>', "run"),
            Action::Delete => ('-', "delete"),
            Action::Unchanged => ('=', "unchanged"),
        };
        let _ = writeln!(out, "  {mark} {} ({word})", r.id);
        for c in &r.changes {
            match (&c.old, text_of(c.old.as_ref()), text_of(Some(&c.new))) {
                // Policies and SQL read best as text, and their changes as a line diff.
                // A blank line of the text is an empty line, not trailing blanks.
                (None, _, Some(new)) => {
                    let _ = writeln!(out, "      {}:", c.field);
                    for line in new.lines() {
                        let _ = writeln!(out, "{}", format!("        {line}").trim_end());
                    }
                }
                (Some(_), Some(old), Some(new)) => {
                    let _ = writeln!(out, "      {}:", c.field);
                    for line in line_diff(old, new) {
                        let _ = writeln!(out, "{}", format!("      {line}").trim_end());
                    }
                }
                (None, _, None) => {
                    let _ = writeln!(out, "      {}: {}", c.field, value(&c.new));
                }
                (Some(old), _, _) => {
                    // A reset whose value neither the schema nor a measurement knows
                    // (`null`) is the server's default, not a made-up `0`.
                    let new = match (r.resets.contains(&c.field), &c.new) {
                        (true, Json::Null) => "(default)".to_string(),
                        (true, new) => format!("{} (default)", value(new)),
                        (false, new) => value(new),
                    };
                    let _ = writeln!(out, "      {}: {} -> {new}", c.field, old_value(old));
                }
            }
        }
        // Resets without a known default value are not among the changes.
        let unshown: Vec<&str> = r
            .resets
            .iter()
            .filter(|f| !r.changes.iter().any(|c| &c.field == *f))
            .map(String::as_str)
            .collect();
        if !unshown.is_empty() && r.action == Action::Update {
            let _ = writeln!(out, "      resets to default: {}", unshown.join(", "));
        }
        // Names only, never values: what was not compared may be a secret. A field
        // changed since `--previous` is shown above.
        let unchecked: Vec<&str> = r
            .not_compared
            .iter()
            .filter(|f| !r.changes.iter().any(|c| &c.field == *f))
            .map(String::as_str)
            .collect();
        if !unchecked.is_empty() {
            let _ = writeln!(out, "      (not compared: {})", unchecked.join(", "));
        }
        if let Some(b) = &r.blocked {
            let _ = writeln!(out, "      cannot apply: {b}");
        }
        if let Some(d) = &r.destroys {
            let _ = writeln!(
                out,
                "      destroys the {d} (apply needs `--allow-destroy`)"
            );
        }
    }
    for id in &plan.unmanaged {
        let _ = writeln!(out, "  ? {id} (not declared: kept; `--prune` deletes it)");
    }
    let s = plan.summary();
    let run = if s.run > 0 {
        format!(", {} to run", s.run)
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\n{} to create, {} to update, {} to replace{run}, {} to delete, {} unchanged, {} not declared",
        s.create, s.update, s.replace, s.delete, s.unchanged, s.unmanaged
    );
    if !plan.has_changes() {
        let _ = writeln!(out, "no changes: the server matches the program");
    }
    if let Some(note) = blocked_note(plan) {
        let _ = writeln!(out, "{note}");
    }
    if let Some(note) = secrets_note(plan) {
        let _ = writeln!(out, "{note}");
    }
    if let Some(note) = not_pruned_note(plan) {
        let _ = writeln!(out, "{note}");
    }
    for warning in catch_all_warnings(plan) {
        let _ = writeln!(out, "{warning}");
    }
    if let Some(note) = untracked_tokens_note(plan) {
        let _ = writeln!(out, "{note}");
    }
    for note in dropped_tokens_notes(plan) {
        let _ = writeln!(out, "{note}");
    }
    out
}

/// One warning for each catch-all `owns` pattern that puts undeclared resources in
/// `--prune`'s scope: how many, which pattern, and how to narrow it. Not a refusal: a
/// program may own every policy on purpose.
pub fn catch_all_warnings(plan: &Plan) -> Vec<String> {
    plan.catch_all
        .iter()
        .map(|c| {
            let (one, many, narrow) = match c.owns {
                "policies" => (
                    "policy",
                    "policies",
                    "(`owns policies \"team-a-*\"`, or the names one by one), and keep a \
                     policy managed elsewhere with `extern policy NAME`",
                ),
                _ => (
                    "token role",
                    "token roles",
                    "(`owns token-roles \"ci-*\"`, or the names one by one): the token \
                     method is shared by every program on the server",
                ),
            };
            let what = match c.count {
                1 => format!("the undeclared {one}"),
                n => format!("the {n} undeclared {many}"),
            };
            format!(
                "warning: `owns {owns} \"{pattern}\"` matches every {one} on the server: \
                 `--prune` deletes {what} (`?` in the plan) that no narrower pattern names. \
                 Narrow it to the program's own names {narrow}.",
                owns = c.owns,
                pattern = c.pattern,
            )
        })
        .collect()
}

/// One warning naming the changes that cannot be applied (each says why above): apply
/// refuses the whole plan before its first call.
pub fn blocked_note(plan: &Plan) -> Option<String> {
    let ids: Vec<String> = plan
        .resources
        .iter()
        .filter(|r| r.action != Action::Unchanged && r.blocked.is_some())
        .map(|r| format!("`{}`", r.id))
        .collect();
    (!ids.is_empty()).then(|| {
        format!(
            "warning: apply refuses this plan: {} cannot be applied (`cannot apply` above)",
            ids.join(", ")
        )
    })
}

/// "token `a`" or "tokens `a`, `b`", and the verb that agrees with it; `None` for none.
fn tokens_named(names: &[String]) -> Option<(String, &'static str)> {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some((format!("token {one}"), "is")),
        many => Some((format!("tokens {}", many.join(", ")), "are")),
    }
}

/// One note naming the tokens planned as creations only because the plan has no
/// `--token-out`: a token is found through the accessor recorded there when apply
/// created it, so without it an existing token looks absent (and the plan never clean).
pub fn untracked_tokens_note(plan: &Plan) -> Option<String> {
    let (which, is) = tokens_named(&plan.untracked_tokens)?;
    Some(format!(
        "note: {which} {is} planned as created because no `--token-out` was given: a token \
         is found through the accessor recorded under `--token-out` when apply created it, \
         so whether it exists is not known. Plan with the `--token-out` directory apply uses."
    ))
}

/// One note naming the tokens the previous version declared and the program does not,
/// whose accessor is not recorded under `--token-out`: they cannot be revoked, and
/// whether they still exist is not known (a token's value never appears).
pub fn unrevoked_tokens_note(plan: &Plan) -> Option<String> {
    let (which, is) = tokens_named(&plan.unrevoked_tokens)?;
    Some(format!(
        "note: {which}, dropped since the previous version, {is} not revoked: a token is found \
         and revoked only through the accessor recorded under `--token-out` when it was \
         created, and none is recorded here, so whether it still exists is not known. Plan \
         and apply with the `--token-out` directory it was created with, or revoke it on the \
         server (`vault token revoke -accessor ACCESSOR`, or `bao`)."
    ))
}

/// The notes on dropped tokens that are not revoked: those of unknown fate, then the
/// batch tokens.
pub fn dropped_tokens_notes(plan: &Plan) -> impl Iterator<Item = String> {
    unrevoked_tokens_note(plan)
        .into_iter()
        .chain(batch_tokens_note(plan))
}

/// One note naming the dropped batch tokens: the server gives a batch token no accessor
/// and cannot revoke it, so it stays valid until its TTL ends.
pub fn batch_tokens_note(plan: &Plan) -> Option<String> {
    let (which, is) = tokens_named(&plan.batch_tokens)?;
    Some(format!(
        "note: batch {which}, dropped since the previous version, {is} not revoked: the \
         server cannot revoke a batch token, which stays valid until its TTL ends (or until \
         its parent token is revoked, unless it is an orphan)."
    ))
}

/// With `plan -o PLAN.json`, what the saved plan does about the tokens of
/// [`unrevoked_tokens_note`]: `apply PLAN.json` looks each up through the accessor
/// recorded under its own `--token-out`, and revokes it if it is still alive.
pub fn saved_revocations_note(plan: &Plan, saved: &std::path::Path) -> Option<String> {
    let (them, were) = match plan.unrevoked_tokens.len() {
        0 => return None,
        1 => ("it", "it was"),
        _ => ("them", "they were"),
    };
    let saved = saved.display();
    Some(format!(
        "note: the saved plan `{saved}` revokes {them} when applied with the `--token-out` \
         directory {were} created with (`keyplan apply {saved} --token-out DIR`): `apply` \
         finds each through the accessor recorded there, and names any it cannot find."
    ))
}

/// One note naming the collections `--prune` does not look into: the program has roles
/// there but does not enable their mount, so other programs may own the rest.
pub fn not_pruned_note(plan: &Plan) -> Option<String> {
    (!plan.not_pruned.is_empty()).then(|| {
        let token_roles = if plan.not_pruned.iter().any(|c| c == "auth/token/roles") {
            " Token roles are pruned inside an `owns token-roles \"PREFIX-*\"` scope."
        } else {
            ""
        };
        format!(
            "note: `--prune` leaves alone what the program does not declare under {}: \
             the program does not enable that mount, so other programs may own the rest.{token_roles}",
            plan.not_pruned.join(", ")
        )
    })
}

/// One note for every secret the plan could not compare (never a value): what was
/// not checked, and how a changed one is planned.
pub fn secrets_note(plan: &Plan) -> Option<String> {
    const SHOWN: usize = 3;
    let all = &plan.unverified_secrets;
    let (first, rest) = all.split_at_checked(SHOWN).unwrap_or((all, &[]));
    let named = first.join(", ");
    let more = match rest.len() {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    // With the previous version at hand, what is left unknown is an `env()` value under
    // an unchanged name, or a resource the previous version did not declare.
    let how = match plan.since_previous {
        false => {
            "A changed literal or `env()` name is planned with `--previous OLD` \
                  (the program as last applied); a new value of the same variable is sent \
                  only when its resource changes otherwise (unless the server returns the \
                  field and the variable is set when planning)."
        }
        true => {
            "`--previous` tells a changed literal or `env()` name, not a new value of the \
                 same variable (sent only when its resource changes otherwise, unless the \
                 server returns the field and the variable is set when planning), nor a \
                 secret of what the previous version did not declare."
        }
    };
    (!all.is_empty()).then(|| {
        format!(
            "note: the server never returns secrets, so whether these changed is not known: \
             {named}{more}. {how}"
        )
    })
}

pub fn plan_json(plan: &Plan, addr: &str) -> String {
    let mut doc = serde_json::json!({
        "addr": addr,
        "changes": plan.has_changes(),
        "summary": plan.summary(),
        "resources": plan.resources,
        "unmanaged": plan.unmanaged,
        "unverified_secrets": plan.unverified_secrets,
    });
    if let (false, Some(map)) = (plan.not_pruned.is_empty(), doc.as_object_mut()) {
        map.insert("not_pruned".to_string(), serde_json::json!(plan.not_pruned));
    }
    if let (false, Some(map)) = (plan.catch_all.is_empty(), doc.as_object_mut()) {
        map.insert("catch_all".to_string(), serde_json::json!(plan.catch_all));
    }
    if let (false, Some(map)) = (plan.untracked_tokens.is_empty(), doc.as_object_mut()) {
        map.insert(
            "untracked_tokens".to_string(),
            serde_json::json!(plan.untracked_tokens),
        );
    }
    // The text plan's `note: token ... not revoked`, as names (never a token or accessor).
    if let (false, Some(map)) = (plan.unrevoked_tokens.is_empty(), doc.as_object_mut()) {
        map.insert(
            "unrevoked_tokens".to_string(),
            serde_json::json!(plan.unrevoked_tokens),
        );
    }
    if let (false, Some(map)) = (plan.batch_tokens.is_empty(), doc.as_object_mut()) {
        map.insert(
            "batch_tokens".to_string(),
            serde_json::json!(plan.batch_tokens),
        );
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

pub fn report_text(report: &ApplyReport) -> String {
    let mut out = String::new();
    for d in &report.applied {
        let _ = writeln!(out, "  {} {}", past(d.action), d.id);
        for w in report.warnings.iter().filter(|w| w.id == d.id) {
            let _ = writeln!(out, "    warning from the server: {}", w.warning);
        }
    }
    for f in &report.failed {
        let _ = writeln!(out, "  FAILED {}: {}", f.id, f.error);
        if let Some(help) = f.help {
            let _ = writeln!(out, "    help: {help}");
        }
    }
    for id in &report.not_applied {
        let _ = writeln!(out, "  not applied {id}");
    }
    let _ = writeln!(
        out,
        "\n{} applied, {} failed, {} not applied",
        report.applied.len(),
        report.failed.len(),
        report.not_applied.len()
    );
    if !report.ok() {
        // A failure a rerun would meet again (a path in use, a refused value) needs a
        // fix first: say so, and never claim changes where none were made.
        let held = match report.applied.len() {
            0 => "the server was not changed",
            _ => "the server holds the changes applied above",
        };
        let _ = writeln!(out, "{held}; fix what failed, then rerun apply");
    }
    for path in &report.unrotated {
        let _ = writeln!(
            out,
            "warning: `{path}` failed after its connection was written, so the root password \
             in the environment still logs in; a rerun of apply does not see this (the server \
             never returns the root password): once the cause is fixed, run `bao write -f {path}` \
             (`vault write -f {path}` on Vault)"
        );
    }
    out
}

pub fn report_json(report: &ApplyReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

fn past(action: &str) -> &'static str {
    match action {
        "create" => "created",
        "update" => "updated",
        "replace" => "replaced",
        "run" => "ran",
        "delete" => "deleted",
        _ => "done",
    }
}

fn value(v: &Json) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 {
        let cut: String = text.chars().take(117).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// A live value: `null` is a field the server does not hold (a connection setting never
/// written), whose default the program's value was compared with.
fn old_value(v: &Json) -> String {
    match v {
        Json::Null => "(not set)".to_string(),
        other => value(other),
    }
}

/// The text of a multi-line string value.
fn text_of(v: Option<&Json>) -> Option<&str> {
    v.and_then(Json::as_str).filter(|s| s.contains('\n'))
}

/// A line diff (`-` old, `+` new, ` ` both) by longest common subsequence; texts too
/// large for that are shown whole, old then new.
fn line_diff(old: &str, new: &str) -> Vec<String> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len().saturating_mul(b.len()) > 1_000_000 {
        return a
            .iter()
            .map(|l| format!("- {l}"))
            .chain(b.iter().map(|l| format!("+ {l}")))
            .collect();
    }
    // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            let v = if a.get(i) == b.get(j) {
                cell(&lcs, i + 1, j + 1) + 1
            } else {
                cell(&lcs, i + 1, j).max(cell(&lcs, i, j + 1))
            };
            if let Some(c) = lcs.get_mut(i).and_then(|row| row.get_mut(j)) {
                *c = v;
            }
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    loop {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(format!("  {x}"));
                i += 1;
                j += 1;
            }
            (Some(x), Some(_)) if cell(&lcs, i + 1, j) >= cell(&lcs, i, j + 1) => {
                out.push(format!("- {x}"));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(format!("+ {y}"));
                j += 1;
            }
            (Some(x), None) => {
                out.push(format!("- {x}"));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

fn cell(t: &[Vec<usize>], i: usize, j: usize) -> usize {
    t.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed apply says whether the server changed: "rerun apply to converge" after
    /// a first call that failed (nothing applied) claimed changes that were not made.
    #[test]
    fn a_failed_apply_says_whether_the_server_changed() {
        let failed = |applied: Vec<crate::apply::Done>| ApplyReport {
            applied,
            failed: vec![crate::apply::Failed::new(
                "sys/mounts/ssh/prod",
                "path is already in use at ssh/".into(),
            )],
            not_applied: vec!["ssh/prod/roles/ops".into()],
            ..ApplyReport::default()
        };
        let nothing = report_text(&failed(Vec::new()));
        assert!(
            nothing.contains("0 applied, 1 failed, 1 not applied"),
            "{nothing}"
        );
        assert!(
            nothing.ends_with("the server was not changed; fix what failed, then rerun apply\n"),
            "{nothing}"
        );
        let some = report_text(&failed(vec![crate::apply::Done {
            id: "sys/policies/acl/ops".into(),
            action: "create",
        }]));
        assert!(some.contains("  created sys/policies/acl/ops"), "{some}");
        assert!(
            some.ends_with(
                "the server holds the changes applied above; fix what failed, then rerun apply\n"
            ),
            "{some}"
        );
    }

    /// A root rotation that failed after its connection was written is named with the
    /// command that runs it: no later plan shows it.
    #[test]
    fn a_failed_rotation_says_how_to_run_it() {
        let report = ApplyReport {
            applied: vec![crate::apply::Done {
                id: "database/config/app".into(),
                action: "create",
            }],
            failed: vec![crate::apply::Failed::new(
                "database/rotate-root/app",
                "status 500".into(),
            )],
            unrotated: vec!["database/rotate-root/app".into()],
            ..ApplyReport::default()
        };
        let text = report_text(&report);
        assert!(
            text.contains("once the cause is fixed, run `bao write -f database/rotate-root/app`"),
            "{text}"
        );
        let json = report_json(&report);
        assert!(json.contains("\"unrotated\""), "{json}");
        let clean = report_json(&ApplyReport::default());
        assert!(!clean.contains("unrotated"), "{clean}");
    }

    /// A policy's blank lines print as empty lines: trailing blanks showed in every
    /// plan of a policy of several paths (`        ` between two rules).
    #[test]
    fn texts_in_a_plan_have_no_trailing_blanks() {
        let change = |old: Option<&str>, new: &str| crate::diff::ResourcePlan {
            id: "sys/policies/acl/p".into(),
            kind: keyplan::ir::ResourceKind::Policy,
            action: match old {
                None => Action::Create,
                Some(_) => Action::Update,
            },
            changes: vec![crate::diff::FieldChange {
                field: "policy".into(),
                old: old.map(Json::from),
                new: Json::from(new),
            }],
            resets: Vec::new(),
            not_compared: Vec::new(),
            blocked: None,
            destroys: None,
        };
        let text = "path \"a\" {\n}\n\npath \"b\" {\n}\n";
        for r in [change(None, text), change(Some("path \"a\" {\n}\n"), text)] {
            let plan = Plan {
                resources: vec![r],
                ..Plan::default()
            };
            let shown = plan_text(&plan, "http://bao");
            assert!(shown.contains("}\n\n"), "{shown}");
            assert!(!shown.lines().any(|l| l.ends_with(' ')), "{shown:?}");
        }
    }

    #[test]
    fn line_diff_marks_removed_and_added_lines() {
        let d = line_diff("a\nb\nc\n", "a\nc\nd\n");
        assert_eq!(d, ["  a", "- b", "  c", "+ d"]);
    }
}
