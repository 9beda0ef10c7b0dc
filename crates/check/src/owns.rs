//! `owns policies "PATTERN" ...` and `owns token-roles "PATTERN" ...`: the ACL policies
//! and token roles a program owns. `apply --prune` deletes the server's policies and
//! token roles in that scope that the program does not declare, so the scope is checked
//! here: a pattern is a name in which `*` stands for any run of characters, and it can
//! never be one of the built-in policies.

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::{Block, Label};

use crate::catalog::BUILTIN_POLICIES;
use crate::codes;
use crate::ir::glob_match;

const FORM: &str = "owns policies \"PREFIX-*\"` or `owns token-roles \"PREFIX-*\"";

/// The help for `owns` written inside a block: it scopes the whole program.
pub const NESTED_HELP: &str = "`owns` is a top-level statement (it scopes what `apply --prune` \
                               may delete across the whole program): move it out of this block, \
                               e.g. `owns policies \"ci-*\"` on a line of its own";

/// What an `owns` block scopes: the server's ACL policies, or its token roles
/// (`auth/token/roles`, shared by every program, so never pruned unless owned).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Policies,
    TokenRoles,
}

impl Scope {
    fn what(self) -> &'static str {
        match self {
            Scope::Policies => "policy",
            Scope::TokenRoles => "token role",
        }
    }
}

/// The scope of one `owns` block and its valid patterns with their spans (none when the
/// block is in error), repeats included; errors go to `diags`.
pub fn declare(block: &Block, diags: &mut Vec<Diagnostic>) -> (Scope, Vec<(String, Span)>) {
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
        return (Scope::Policies, Vec::new());
    };
    let scope = match kind.text() {
        "policies" => Scope::Policies,
        "token-roles" => Scope::TokenRoles,
        _ => {
            diags.push(
            Diagnostic::error(
                codes::UNKNOWN_BLOCK,
                kind.span(),
                format!("`owns {}` is not a scope", kind.text()),
            )
            .with_label("only policies and token roles can be owned")
            .with_help(format!(
                "write `{FORM}`; roles and connections under the program's own mounts are always in scope"
            )),
        );
            return (Scope::Policies, Vec::new());
        }
    };
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
                format!("`owns {}` needs at least one name pattern", kind.text()),
            )
            .with_label("pattern missing")
            .with_help(format!(
                "write `owns {} \"PREFIX-*\"` (`*` matches any characters) or list names: `owns {} ci-deploy ci-build`",
                kind.text(),
                kind.text()
            )),
        );
    }
    // Valid patterns only; repeats are reported where they are added ([`add_patterns`]).
    let valid = patterns
        .iter()
        .filter_map(|label| Some((pattern(label, scope, diags)?, label.span())))
        .collect();
    (scope, valid)
}

/// Adds one `owns` line's patterns to those of the lines before it (of the same scope),
/// reporting a pattern listed already, on this line or an earlier one.
pub fn add_patterns(
    into: &mut Vec<(String, Span)>,
    patterns: Vec<(String, Span)>,
    diags: &mut Vec<Diagnostic>,
) {
    for (p, span) in patterns {
        if let Some((_, first)) = into.iter().find(|(q, _)| *q == p) {
            diags.push(
                Diagnostic::error(
                    codes::DUPLICATE,
                    span,
                    format!("pattern `{p}` is already listed"),
                )
                .with_label("listed again here")
                .with_related(*first, "first listed here")
                .with_help("remove this one: patterns of every `owns` line add up"),
            );
            continue;
        }
        into.push((p, span));
    }
}

/// One pattern, checked: the characters of a name plus `*`; for policies, lowercase (the
/// server stores their names so) and never only a built-in policy.
fn pattern(label: &Label, scope: Scope, diags: &mut Vec<Diagnostic>) -> Option<String> {
    let text = label.text();
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*');
    if text.is_empty() || !text.chars().all(ok) {
        diags.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                label.span(),
                format!("`{text}` is not a {} name pattern", scope.what()),
            )
            .with_label("not a name pattern")
            .with_help(format!(
                "use the letters, digits, `_`, `-` and `.` of {} names, and `*` for any run of them (e.g. `\"team-a-*\"`)",
                scope.what()
            )),
        );
        return None;
    }
    if scope == Scope::TokenRoles {
        // Token role names keep their case on the server, and none is built in.
        return Some(text.to_string());
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

/// A name written as a string (`token_policies = ["team-z"]`, `role = "ci-x"`): one the
/// server has and the program does not declare. Inside an owned scope `--prune` would
/// delete it while the program relies on it; `None` otherwise. `what` is `policy` or
/// `token role`.
pub fn used_inside_scope(
    owned: &[(String, Span)],
    name: &str,
    span: Span,
    what: &str,
) -> Option<Diagnostic> {
    let (pattern, at) = owned.iter().find(|(p, _)| glob_match(p, name))?;
    let declare = if what == "policy" {
        format!("write it here as `policy {name} {{ ... }}`")
    } else {
        format!("write it here as `auth token {{ role {name} {{ ... }} }}`")
    };
    Some(
        Diagnostic::warning(
            codes::OWNED_EXTERN,
            span,
            format!(
                "{what} `{name}` is used here but not declared, inside the owned scope `{pattern}`"
            ),
        )
        .with_label("`apply --prune` would delete it")
        .with_related(*at, "owned here")
        .with_help(format!("{declare}, or narrow the pattern")),
    )
}
