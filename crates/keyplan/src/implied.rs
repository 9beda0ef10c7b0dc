//! Compiling without a target: the program picks it. A program that uses a field, block or
//! engine only one server has (docs/targets.md) can only be meant for that server, so
//! `keyplan check FILE` without `--target` compiles for it and says so, instead of
//! reporting errors against the default target the author never chose.

use kp_check::codes::{IMPLIED_TARGET, UNSUPPORTED_ON_TARGET};

use crate::{compile_sources, Compiled, Diagnostic, Options, SourceMap, Span, Target, SINGLE_FILE};

/// Compiles for the target the program implies: Vault (the default) unless it uses
/// something only OpenBao has and nothing only Vault has. When the program uses anything
/// target-only, a `kp::implied-target` warning at its first use says which target that is.
pub fn compile_implied(source: &str) -> Compiled {
    compile_sources_implied(SourceMap::single(SINGLE_FILE, source))
}

/// [`compile_implied`] for a program of many files.
pub fn compile_sources_implied(sources: SourceMap) -> Compiled {
    let vault = compile_sources(
        sources.clone(),
        &Options {
            target: Target::Vault,
        },
    );
    let openbao = compile_sources(
        sources,
        &Options {
            target: Target::Openbao,
        },
    );
    // What each target rejects is what only the other one has.
    let openbao_only = first_unsupported(&vault);
    let vault_only = first_unsupported(&openbao);
    let (mut chosen, warning) = match (vault_only, openbao_only) {
        (None, None) => return vault,
        (Some(span), None) => (vault, implied(span, Target::Vault, &openbao)),
        (None, Some(span)) => (openbao, implied(span, Target::Openbao, &vault)),
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
            (vault, mixed)
        }
    };
    chosen.diagnostics.push(warning);
    chosen
        .diagnostics
        .sort_by_key(|d| (d.span.start, d.span.end));
    chosen
}

fn first_unsupported(compiled: &Compiled) -> Option<Span> {
    compiled
        .diagnostics
        .iter()
        .filter(|d| d.code == UNSUPPORTED_ON_TARGET)
        .map(|d| d.span)
        .min_by_key(|s| (s.start, s.end))
}

/// The warning for a program only `target` accepts; `other` is its compilation for the
/// other target, whose first rejection explains the choice.
fn implied(span: Span, target: Target, other: &Compiled) -> Diagnostic {
    let why = other
        .diagnostics
        .iter()
        .find(|d| d.code == UNSUPPORTED_ON_TARGET && d.span == span)
        .map(|d| d.message.clone())
        .unwrap_or_default();
    let name = kp_check::catalog::target_name(target);
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
