//! Which server a program implies when none was named: the choice every surface makes the
//! same way (the compiler's `keyplan::compile_sources_implied`, the language server's
//! analysis), from the checks for each target.
//!
//! A program that uses a field, block or engine only one server has (docs/targets.md) can
//! only be meant for that server; one that uses things of both is compiled for Vault and
//! told that no target accepts all of it.

use kp_diag::{Diagnostic, SourceMap, Span};

use crate::codes::{IMPLIED_TARGET, UNSUPPORTED_ON_TARGET};
use crate::{catalog, CheckResult, Target};

/// Whether the program must be checked for OpenBao too, given its check for Vault (the
/// default): when no answer of that check depended on the target and nothing was
/// unsupported, OpenBao's check would be this one and Vault is the choice, unwarned.
pub fn needs_openbao_check(vault: &CheckResult) -> bool {
    vault.target_sensitive || first_unsupported(&vault.diagnostics).is_some()
}

/// The target the two checks imply, with the `kp::implied-target` warning that says why
/// (`None` when the program uses nothing target-only). The warning may quote either
/// check's message: it comes redacted with the literal secrets both checks found.
pub fn choose(
    vault: &CheckResult,
    openbao: &CheckResult,
    sources: &SourceMap,
) -> (Target, Option<Diagnostic>) {
    let (target, warning) = choose_from(&vault.diagnostics, &openbao.diagnostics);
    let mut warning: Vec<Diagnostic> = warning.into_iter().collect();
    if !warning.is_empty() {
        let secrets: Vec<Span> = vault
            .secrets
            .iter()
            .chain(&openbao.secrets)
            .copied()
            .collect();
        kp_diag::redact::diagnostics(
            &mut warning,
            &kp_diag::redact::secret_texts(sources, &secrets),
        );
    }
    (target, warning.pop())
}

fn choose_from(vault: &[Diagnostic], openbao: &[Diagnostic]) -> (Target, Option<Diagnostic>) {
    // What each target rejects is what only the other one has.
    let openbao_only = first_unsupported(vault);
    let vault_only = first_unsupported(openbao);
    match (vault_only, openbao_only) {
        (None, None) => (Target::Vault, None),
        (Some(span), None) => (Target::Vault, Some(implied(span, Target::Vault, openbao))),
        (None, Some(span)) => (Target::Openbao, Some(implied(span, Target::Openbao, vault))),
        (Some(v), Some(o)) => {
            let (first, second) = if v.start <= o.start { (v, o) } else { (o, v) };
            let mixed = Diagnostic::warning(
                IMPLIED_TARGET,
                first,
                "this program uses fields of both servers: no target accepts all of it",
            )
            .with_label("only one server has this")
            .with_related(second, "and only the other server has this")
            .with_help("keep the fields of one server, then compile with `--target vault` or `--target openbao`");
            (Target::Vault, Some(mixed))
        }
    }
}

fn first_unsupported(diagnostics: &[Diagnostic]) -> Option<Span> {
    diagnostics
        .iter()
        .filter(|d| d.code == UNSUPPORTED_ON_TARGET)
        .map(|d| d.span)
        .min_by_key(|s| (s.start, s.end))
}

/// The warning for a program only `target` accepts; `other` is its check for the other
/// target, whose first rejection explains the choice.
fn implied(span: Span, target: Target, other: &[Diagnostic]) -> Diagnostic {
    let why = other
        .iter()
        .find(|d| d.code == UNSUPPORTED_ON_TARGET && d.span == span)
        .map(|d| d.message.clone())
        .unwrap_or_default();
    let name = catalog::target_name(target);
    Diagnostic::warning(
        IMPLIED_TARGET,
        span,
        format!("no target given: compiled for {name}, which this program implies"),
    )
    .with_label(format!("only {name} has this"))
    .with_help(format!(
        "{why}{}pass `--target {}` to say so and silence this",
        if why.is_empty() { "" } else { "; " },
        target.keyword()
    ))
}
