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
    schedule_window(body, parts, diags);
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

/// The shortest `rotation_window` Vault takes ("rotation_window must be 3600 seconds or
/// more", sdk rotation schedule).
pub const MIN_ROTATION_WINDOW: i64 = 3600;

/// A `rotation_schedule` and its `rotation_window` as Vault parses them (sdk rotation
/// schedule, robfig/cron's standard parser): five cron fields, a window of an hour or
/// more, and a window only beside a schedule.
pub fn schedule_window(body: &crate::ir::Body, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    if let Some(attr) = parts.given("rotation_schedule") {
        if let Some(Value::Str(text)) = body.get("rotation_schedule") {
            let fields = text.split_whitespace();
            let cron_char = |c: char| c.is_ascii_alphanumeric() || "*,-/?".contains(c);
            if fields.clone().count() != 5 || !fields.flat_map(str::chars).all(cron_char) {
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        attr.value.span,
                        "`rotation_schedule` is not a cron schedule the server parses",
                    )
                    .with_label("not five cron fields")
                    .with_help("write minute, hour, day of month, month and day of week, e.g. `\"0 * * * *\"` (hourly) or `\"0 3 * * SUN\"`"),
                );
            }
        }
    }
    let Some(window) = parts.given("rotation_window") else {
        return;
    };
    if parts.given("rotation_schedule").is_none() {
        diags.push(
            Diagnostic::error(
                codes::ROTATION_CONFLICT,
                window.name.span,
                "`rotation_window` goes with `rotation_schedule` only",
            )
            .with_label("no schedule to bound")
            .with_help(
                "remove `rotation_window`: the server rejects it without `rotation_schedule`",
            ),
        );
    } else if let Some(Value::Int(secs)) = body.get("rotation_window") {
        if *secs < MIN_ROTATION_WINDOW {
            diags.push(
                Diagnostic::error(
                    codes::ROTATION_PERIOD_TOO_SHORT,
                    window.value.span,
                    "a rotation window under the server's minimum of 1h",
                )
                .with_label("too short")
                .with_help("use `rotation_window = 1h` or longer"),
            );
        }
    }
}
