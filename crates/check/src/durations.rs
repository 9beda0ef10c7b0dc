//! Durations: the literal seconds of an expression, and the short form messages show.

use kp_syntax::ast::{Expr, ExprKind};

/// Seconds of a duration literal or an integer, when the expression is one.
pub fn literal_seconds(expr: &Expr) -> Option<i64> {
    match &expr.kind {
        ExprKind::Duration { seconds, .. } => Some(clamp(*seconds)),
        ExprKind::Int(i) => Some(*i),
        _ => None,
    }
}

pub fn clamp(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

/// The shortest exact keyplan spelling: `3600` → `1h`, `90` → `90s`.
pub fn format(seconds: i64) -> String {
    const UNITS: [(i64, &str); 3] = [(86400, "d"), (3600, "h"), (60, "m")];
    if seconds > 0 {
        for (size, unit) in UNITS {
            if seconds % size == 0 {
                return format!("{}{unit}", seconds / size);
            }
        }
    }
    format!("{seconds}s")
}

/// Reads the text of a quoted duration (`"1h"`, `"90s"`, `"3600"`), to suggest the
/// unquoted spelling. Go-style compound durations (`"1h30m"`) are summed.
pub fn parse_text(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<i64>() {
        return Some(n);
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let unit = match ch {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => return None,
        };
        let amount: i64 = digits.parse().ok()?;
        digits.clear();
        total = total.checked_add(amount.checked_mul(unit)?)?;
    }
    if digits.is_empty() {
        Some(total)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_the_largest_exact_unit() {
        assert_eq!(format(3600), "1h");
        assert_eq!(format(14400), "4h");
        assert_eq!(format(90), "90s");
        assert_eq!(format(600), "10m");
        assert_eq!(format(86400 * 7), "7d");
        assert_eq!(format(0), "0s");
    }

    #[test]
    fn parses_quoted_durations() {
        assert_eq!(parse_text("1h"), Some(3600));
        assert_eq!(parse_text("1h30m"), Some(5400));
        assert_eq!(parse_text("3600"), Some(3600));
        assert_eq!(parse_text("soon"), None);
        assert_eq!(parse_text("10"), Some(10));
        assert_eq!(parse_text("5x"), None);
    }
}
