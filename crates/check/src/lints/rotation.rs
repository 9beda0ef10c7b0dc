//! Static database roles: when the server rotates the password. It needs exactly one of a
//! period and a schedule, and refuses a period shorter than its rotation tick.

use kp_diag::{Diagnostic, Span};

use kp_syntax::ast::ExprKind;

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
    let period = parts.given("rotation_period");
    let schedule = schedule(parts);
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
    period_at_least(body, parts, MIN_ROTATION_PERIOD, "the server's", diags);
}

/// The `rotation_schedule` as the server reads it: `""` is no schedule, blanks are one
/// (that fails to parse).
fn schedule<'a>(parts: &Parts<'a>) -> Option<&'a kp_syntax::ast::Attribute> {
    parts
        .get("rotation_schedule")
        .filter(|a| !matches!(&a.value.kind, ExprKind::Str { value, .. } if value.is_empty()))
}

/// Reports a `rotation_period` under `min` seconds, `whose` minimum it is.
fn period_at_least(
    body: &crate::ir::Body,
    parts: &Parts<'_>,
    min: i64,
    whose: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if let (Some(attr), Some(Value::Int(secs))) =
        (parts.given("rotation_period"), body.get("rotation_period"))
    {
        if *secs < min {
            let min = crate::durations::format(min);
            diags.push(
                Diagnostic::error(
                    codes::ROTATION_PERIOD_TOO_SHORT,
                    attr.value.span,
                    format!("a rotation period of {secs}s is under {whose} minimum of {min}"),
                )
                .with_label("too short")
                .with_help(format!("use `rotation_period = {min}` or longer")),
            );
        }
    }
}

/// The shortest `rotation_window` Vault takes ("rotation_window must be 3600 seconds or
/// more", sdk rotation schedule).
pub const MIN_ROTATION_WINDOW: i64 = 3600;

/// The shortest `rotation_period` of an AWS static role: "role rotation period out of
/// range" below one minute (builtin/logical/aws, `minAllowableRotationPeriod`).
pub const MIN_AWS_ROTATION_PERIOD: i64 = 60;

/// An AWS static role's `rotation_period`, which the server refuses under a minute.
pub fn aws_static_role(body: &crate::ir::Body, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    period_at_least(
        body,
        parts,
        MIN_AWS_ROTATION_PERIOD,
        "the AWS engine's",
        diags,
    );
}

/// A `rotation_schedule` and its `rotation_window` as Vault parses them (sdk rotation
/// schedule, robfig/cron's standard parser): five cron fields, a window of an hour or
/// more, and a window only beside a schedule.
pub fn schedule_window(body: &crate::ir::Body, parts: &Parts<'_>, diags: &mut Vec<Diagnostic>) {
    if let Some(attr) = schedule(parts) {
        if let Some(Value::Str(text)) = body.get("rotation_schedule") {
            if let Some(label) = cron_error(text) {
                diags.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        attr.value.span,
                        "`rotation_schedule` is not a cron schedule the server parses",
                    )
                    .with_label(label)
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

/// The cron fields in order: name, lowest and highest value, and the names the parser
/// reads as values (from 1 for months, from 0 for days of the week).
const CRON_FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("a minute", 0, 59, &[]),
    ("an hour", 0, 23, &[]),
    ("a day of month", 1, 31, &[]),
    (
        "a month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (
        "a day of week",
        0,
        6,
        &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    ),
];

/// Why robfig/cron's parser with five fields (Vault's for `rotation_schedule`) refuses
/// `text`, or `None`: each field is a comma list of `*`, `?`, `N` or `N-M`, each with an
/// optional `/STEP`, within the field's bounds.
fn cron_error(text: &str) -> Option<String> {
    // robfig/cron reads a time zone first (`CRON_TZ=UTC 0 3 * * *`), whatever the fields.
    // The zone's name is not checked here: that needs the server's zone database.
    let text = match ["CRON_TZ=", "TZ="]
        .iter()
        .find_map(|p| text.strip_prefix(p))
    {
        Some(zoned) => match zoned.split_once(' ') {
            Some((zone, rest)) if !zone.is_empty() => rest,
            _ => return Some("a time zone, then no schedule".to_string()),
        },
        None => text,
    };
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!("{} fields, not five", fields.len()));
    }
    for (field, (what, low, high, names)) in fields.iter().zip(CRON_FIELDS) {
        let value = |part: &str| -> Option<u32> {
            let from_name = names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(part))
                .and_then(|i| u32::try_from(i).ok())
                .map(|i| i + low);
            from_name
                .or_else(|| part.parse().ok())
                .filter(|v| (low..=high).contains(v))
        };
        let fits = |item: &str| {
            let range = item.split_once('/').map_or(item, |(range, _)| range);
            // After `*` the parser reads no end (`*-5` is `*`).
            if range == "*" || range == "?" || range.starts_with("*-") || range.starts_with("?-") {
                return true;
            }
            match range.split_once('-') {
                Some((a, b)) => matches!((value(a), value(b)), (Some(a), Some(b)) if a <= b),
                None => value(range).is_some(),
            }
        };
        let bad_step = |item: &&str| {
            item.split_once('/')
                .is_some_and(|(_, step)| step.parse::<u32>().map_or(true, |s| s == 0))
        };
        // Empty items are dropped, as the parser's `FieldsFunc` drops them (`1,,2`).
        let items = || field.split(',').filter(|item| !item.is_empty());
        if let Some(item) = items().find(bad_step) {
            return Some(format!("`{item}`: a step after `/` is a number from 1"));
        }
        if let Some(item) = items().find(|item| !fits(item)) {
            return Some(format!("`{item}` is not {what} ({low}-{high})"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::cron_error;

    #[test]
    fn cron_schedules_as_the_server_parses_them() {
        for ok in [
            "0 * * * *",
            "0 3 * * SUN",
            "*/15 0-6,22-23 1,15 jan-jun mon-fri",
            "30 2 ? * ?",
            "5/10 * * * *",
            "CRON_TZ=UTC 0 0 * * *",
            "1,,2 * * * *",
            "5, * * * *",
            "*-5 * * * *",
            "TZ=Europe/Paris 0 0 * * *",
        ] {
            assert_eq!(cron_error(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("0 * * *", "4 fields"),
            ("0,99 * * * *", "`99` is not a minute (0-59)"),
            ("60 * * * *", "`60` is not a minute (0-59)"),
            ("0 24 * * *", "`24` is not an hour (0-23)"),
            ("0 0 0 * *", "`0` is not a day of month (1-31)"),
            ("0 0 * 13 *", "`13` is not a month (1-12)"),
            ("0 0 * * 7", "`7` is not a day of week (0-6)"),
            ("0 5-1 * * *", "`5-1` is not an hour"),
            ("*/0 * * * *", "`*/0`: a step after `/` is a number from 1"),
            ("0 */x * * *", "`*/x`: a step"),
            ("0 0 * * SUNDAY", "`SUNDAY` is not a day of week"),
            ("@daily * * * *", "`@daily` is not a minute"),
            ("CRON_TZ=UTC", "a time zone, then no schedule"),
            ("TZ= 0 0 * * *", "a time zone, then no schedule"),
            ("TZ=UTC 0 0 * *", "4 fields"),
            ("   ", "0 fields"),
        ] {
            let got = cron_error(bad).unwrap_or_default();
            assert!(got.contains(why), "{bad}: {got}");
        }
    }
}
