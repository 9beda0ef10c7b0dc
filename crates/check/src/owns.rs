//! `owns policies "PATTERN" ...`: the ACL policies a program owns. `apply --prune`
//! deletes the server's policies in that scope that the program does not declare, so the
//! scope is checked here: a pattern is a policy name in which `*` stands for any run of
//! characters, and it can never be one of the built-in policies.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Block, Label};

use crate::catalog::BUILTIN_POLICIES;
use crate::codes;
use crate::ir::glob_match;

const FORM: &str = "owns policies \"PREFIX-*\"";

/// What an `owns` block may scope, in the order messages list them.
const SCOPES: [&str; 1] = ["policies"];

/// The patterns of one `owns` block with their spans; errors go to `diags`.
pub fn declare(block: &Block, diags: &mut Vec<Diagnostic>) -> Vec<(String, Span)> {
    let Some(kind) = block.labels.first() else {
        diags.push(
            Diagnostic::error(
                codes::MISSING_LABEL,
                block.head_span(),
                "`owns` needs what it owns",
            )
            .with_label("scope missing")
            .with_help(format!("write `{FORM}`")),
        );
        return Vec::new();
    };
    if !SCOPES.contains(&kind.text()) {
        diags.push(
            Diagnostic::error(
                codes::UNKNOWN_BLOCK,
                kind.span(),
                format!("`owns {}` is not a scope", kind.text()),
            )
            .with_label("only policies can be owned")
            .with_help(format!(
                "write `{FORM}`; roles and connections under the program's own mounts are always in scope"
            )),
        );
        return Vec::new();
    }
    if let Some(body) = &block.body {
        diags.push(
            Diagnostic::error(
                codes::UNEXPECTED_BODY,
                body.span,
                "an `owns` declaration has no body",
            )
            .with_label("unexpected body")
            .with_help(format!("list the name patterns as labels: `{FORM}`")),
        );
    }
    let patterns = block.labels.get(1..).unwrap_or(&[]);
    if patterns.is_empty() {
        diags.push(
            Diagnostic::error(
                codes::MISSING_LABEL,
                block.head_span(),
                "`owns policies` needs at least one name pattern",
            )
            .with_label("pattern missing")
            .with_help(format!(
                "write `{FORM}` (`*` matches any characters) or list names: `owns policies ci-deploy ci-build`"
            )),
        );
    }
    let mut out: Vec<(String, Span)> = Vec::new();
    for label in patterns {
        if let Some(p) = pattern(label, diags) {
            if let Some((_, first)) = out.iter().find(|(q, _)| *q == p) {
                diags.push(
                    Diagnostic::error(
                        codes::DUPLICATE,
                        label.span(),
                        format!("pattern `{p}` is already listed"),
                    )
                    .with_label("listed again here")
                    .with_related(*first, "first listed here"),
                );
                continue;
            }
            out.push((p, label.span()));
        }
    }
    out
}

/// One pattern, checked: the characters of a policy name plus `*`, and never only a
/// built-in policy.
fn pattern(label: &Label, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let text = label.text();
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*');
    if text.is_empty() || !text.chars().all(ok) {
        diags.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                label.span(),
                format!("`{text}` is not a policy name pattern"),
            )
            .with_label("not a name pattern")
            .with_help(
                "use the letters, digits, `_`, `-` and `.` of policy names, and `*` for any run of them (e.g. `\"team-a-*\"`)",
            ),
        );
        return None;
    }
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = text.to_ascii_lowercase();
        diags.push(
            Diagnostic::error(
                codes::UPPERCASE_NAME,
                label.span(),
                format!("policy name pattern `{text}` has capitals, which the server drops"),
            )
            .with_label("the server's policy names are lowercase")
            .with_help(format!(
                "write `{lower}`: `{text}` matches none of the server's policies, so `--prune` would leave the ones it means"
            )),
        );
        return None;
    }
    if BUILTIN_POLICIES.contains(&text) {
        diags.push(
            Diagnostic::error(
                codes::RESERVED_NAME,
                label.span(),
                format!("the `{text}` policy is built in and cannot be owned"),
            )
            .with_label("built in")
            .with_help("`--prune` never deletes `default` or `root`: remove this pattern"),
        );
        return None;
    }
    Some(text.to_string())
}

/// An `extern policy` inside an owned scope: the program says both "managed elsewhere"
/// and "mine". `--prune` keeps it (extern wins), which is worth saying.
pub fn extern_inside_scope(
    owned: &[(String, Span)],
    externs: &[(String, Span)],
    diags: &mut Vec<Diagnostic>,
) {
    for (name, span) in externs {
        if let Some((p, pspan)) = owned.iter().find(|(p, _)| glob_match(p, name)) {
            diags.push(
                Diagnostic::warning(
                    codes::OWNED_EXTERN,
                    *span,
                    format!("extern policy `{name}` is inside the owned scope `{p}`"),
                )
                .with_label("managed elsewhere")
                .with_related(*pspan, "owned here")
                .with_help(format!(
                    "`--prune` keeps `{name}` because it is extern; narrow the pattern, or write the policy here with `policy {name} {{ ... }}`"
                )),
            );
        }
    }
}
