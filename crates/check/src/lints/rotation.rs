//! Static database roles: when the server rotates the password. It needs exactly one of a
//! period and a schedule, and refuses a period shorter than its rotation tick.

use kp_diag::{Diagnostic, Span};

use crate::body::Parts;
use crate::codes;
use crate::ir::Value;

/// The shortest `rotation_period` the database engine takes: it checks its rotation queue
/// every 5 seconds and rejects a shorter period ("rotation_period must be 5 seconds or
/// more", Vault and OpenBao builtin/logical/database/path_roles.go).
pub const MIN_ROTATION_PERIOD: i64 = 5;

pub fn static_role(
    body: &crate::ir::Body,
    parts: &Parts<'_>,
    head: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let period = parts.get("rotation_period");
    let schedule = parts.get("rotation_schedule");
    match (period, schedule) {
        (Some(p), Some(s)) => diags.push(
            Diagnostic::error(
                codes::ROTATION_CONFLICT,
                s.name.span,
                "a static role rotates on a period or on a schedule, not both",
            )
            .with_label("schedule given here")
            .with_related(p.name.span, "and a period here")
            .with_help("keep `rotation_period` or `rotation_schedule`; the server rejects both"),
        ),
        (None, None) => diags.push(
            Diagnostic::error(
                codes::MISSING_FIELD,
                head,
                "a static role needs `rotation_period` (or, on Vault, `rotation_schedule`)",
            )
            .with_label("never rotated")
            .with_help("add `rotation_period = 24h`"),
        ),
        _ => {}
    }
    if let (Some(attr), Some(Value::Int(secs))) = (period, body.get("rotation_period")) {
        if *secs < MIN_ROTATION_PERIOD {
            diags.push(
                Diagnostic::error(
                    codes::ROTATION_PERIOD_TOO_SHORT,
                    attr.value.span,
                    format!("a rotation period of {secs}s is under the server's minimum of {MIN_ROTATION_PERIOD}s"),
                )
                .with_label("too short")
                .with_help(format!("use `rotation_period = {MIN_ROTATION_PERIOD}s` or longer")),
            );
        }
    }
}
