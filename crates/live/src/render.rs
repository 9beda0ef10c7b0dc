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
            Action::Unchanged => ('=', "unchanged"),
        };
        let _ = writeln!(out, "  {mark} {} ({word})", r.id);
        for c in &r.changes {
            match &c.old {
                None => {
                    let _ = writeln!(out, "      {}: {}", c.field, value(&c.new));
                }
                Some(old) => {
                    let _ = writeln!(
                        out,
                        "      {}: {} -> {}",
                        c.field,
                        value(old),
                        value(&c.new)
                    );
                }
            }
        }
        if !r.resets.is_empty() && r.action == Action::Update {
            let _ = writeln!(out, "      resets to default: {}", r.resets.join(", "));
        }
        if let Some(b) = &r.blocked {
            let _ = writeln!(out, "      cannot apply: {b}");
        }
    }
    for id in &plan.unmanaged {
        let _ = writeln!(out, "  ? {id} (not declared: kept; `--prune` deletes it)");
    }
    let s = plan.summary();
    let _ = writeln!(
        out,
        "\n{} to create, {} to update, {} to replace, {} unchanged, {} not declared",
        s.create, s.update, s.replace, s.unchanged, s.unmanaged
    );
    if !plan.has_changes() {
        let _ = writeln!(out, "no changes: the server matches the program");
    }
    out
}

pub fn plan_json(plan: &Plan, addr: &str) -> String {
    let doc = serde_json::json!({
        "addr": addr,
        "changes": plan.has_changes(),
        "summary": plan.summary(),
        "resources": plan.resources,
        "unmanaged": plan.unmanaged,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

pub fn report_text(report: &ApplyReport) -> String {
    let mut out = String::new();
    for d in &report.applied {
        let _ = writeln!(out, "  {} {}", past(d.action), d.id);
    }
    for f in &report.failed {
        let _ = writeln!(out, "  FAILED {}: {}", f.id, f.error);
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
        let _ = writeln!(
            out,
            "the server holds the applied changes; rerun apply to converge"
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
