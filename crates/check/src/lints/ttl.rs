//! A TTL above the maximum bounding it: the server caps it silently.

use kp_diag::Diagnostic;
use kp_syntax::ast::Attribute;

use crate::catalog::TTL_PAIRS;
use crate::codes;
use crate::durations;

/// `known` tells whether a field exists on the endpoint: an unknown one is already
/// reported, and comparing it would only add a second error on the same line.
pub fn check(attrs: &[&Attribute], known: impl Fn(&str) -> bool, diags: &mut Vec<Diagnostic>) {
    let find = |name: &str| {
        attrs
            .iter()
            .copied()
            .find(|a| a.name.name == name)
            .filter(|a| known(&a.name.name))
    };
    for (small, large) in TTL_PAIRS {
        let (Some(s), Some(l)) = (find(small), find(large)) else {
            continue;
        };
        let (Some(sv), Some(lv)) = (
            durations::literal_seconds(&s.value),
            durations::literal_seconds(&l.value),
        ) else {
            continue;
        };
        // 0 means "the system default": no bound to compare against.
        if lv <= 0 || sv <= lv {
            continue;
        }
        diags.push(
            Diagnostic::error(
                codes::TTL_EXCEEDS_MAX,
                s.value.span,
                format!(
                    "`{small}` ({}) exceeds `{large}` ({})",
                    durations::format(sv),
                    durations::format(lv)
                ),
            )
            .with_label("larger than the maximum")
            .with_related(l.value.span, "the maximum")
            .with_help(format!(
                "lower `{small}` or raise `{large}`: the server would cap it without saying so"
            )),
        );
    }
}
