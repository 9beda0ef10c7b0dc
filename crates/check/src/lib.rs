//! The checker: resolves names, types every attribute against the endpoint schemas,
//! runs the lints from the reference scenarios, and lowers the tree to [`ir::Program`]:
//! a flat list of Vault resources, each with the API path and body it will be written
//! with.
//!
//! Two passes: [`declare`] classifies the top-level blocks and collects every name (so
//! references may point forwards), then [`lower`] types and lowers each block in
//! source order. Both continue past errors, so one run reports everything.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

pub mod codes;
pub mod ir;

mod address;
mod bcrypt;
mod body;
pub mod catalog;
mod confusions;
mod declare;
mod durations;
pub mod implied;
pub mod index;
mod lints;
mod lower;
mod memo;
mod missing_equals;
mod owns;
mod pem;
mod probe;
mod rules;
mod schemas;
mod symbols;
mod target_help;
mod typing;

pub use kp_schema::Target;
pub use lints::database::{
    is_literal as is_literal_password, names_password as names_secret_parameter,
};
pub use lints::secrets::{env_name_at as secret_env_name, env_vars};
pub use memo::Memo;

use kp_diag::{Diagnostic, Span};
use kp_syntax::ast::File;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub target: Target,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: Target::Vault,
        }
    }
}

/// The lowered program (complete only when no error was reported) and the diagnostics.
#[derive(Debug, Clone)]
pub struct CheckResult {
    pub program: ir::Program,
    pub diagnostics: Vec<Diagnostic>,
    /// Source spans of secrets written as literals (sensitive fields, misspelt ones
    /// too): whoever shows source text or diagnostics redacts them.
    pub secrets: Vec<Span>,
    /// Whether some answer of the check depended on the target (an engine, endpoint or
    /// field only one server has). When false, and no `kp::unsupported-on-target` was
    /// reported, checking for any other target gives exactly this result.
    pub target_sensitive: bool,
}

pub fn check(file: &File, options: &Options) -> CheckResult {
    check_with(file, options, false).0
}

/// [`check`], also returning every declaration and resolved reference ([`index::Index`]):
/// what editors need for go to definition, references, rename and outlines.
pub fn check_indexed(file: &File, options: &Options) -> (CheckResult, index::Index) {
    check_with(file, options, true)
}

/// [`check_indexed`] (or [`check`] when not `indexed`), replaying from `memo` what the
/// items lowered in a previous check of this memo when nothing they read changed, and
/// recording what they lower now: what an editor runs after every edit. The result is
/// exactly that of a check from scratch ([`memo`] says why).
pub fn check_reusing(
    file: &File,
    options: &Options,
    indexed: bool,
    memo: &mut Memo,
) -> (CheckResult, index::Index) {
    check_with_memo(file, options, indexed, Some(memo))
}

/// The check, with the index only when `indexed` (the compiler needs none, and
/// recording every reference costs an allocation or three per name).
fn check_with(file: &File, options: &Options, indexed: bool) -> (CheckResult, index::Index) {
    check_with_memo(file, options, indexed, None)
}

// Not inlined: the compiler's check and an editor's reusing one share this one body (in
// the playground's wasm, a copy in each caller was 5.5 KB).
#[inline(never)]
fn check_with_memo(
    file: &File,
    options: &Options,
    indexed: bool,
    memo: Option<&mut Memo>,
) -> (CheckResult, index::Index) {
    let mut diagnostics = Vec::new();
    let declared = declare::declare(file, options.target, &mut diagnostics);
    let definitions = if indexed {
        index::definitions(&declared.syms)
    } else {
        Vec::new()
    };
    let mut lowerer = lower::Lowerer::new(options.target, &declared.syms, diagnostics);
    lowerer.target_sensitive = declared.target_sensitive;
    lowerer.record_references = indexed;
    lowerer.reserve(&declared.items);
    match memo {
        Some(memo) => memo.lower(&mut lowerer, &declared.items, &file.blocks),
        None => declared
            .items
            .iter()
            .for_each(|item| lowerer.lower_item(item)),
    }
    let lower::Lowered {
        program,
        mut diagnostics,
        mut secrets,
        references,
        target_sensitive,
    } = lowerer.finish();
    kp_sort::by_key(&mut diagnostics, |d| (d.span.start, d.span.end));
    // A field the target lacks is reported once: a lint on it would only add a second
    // error to fix by the same removal. The sort is stable and the field is reported as
    // it is typed, before any lint of its body, so the report comes first at its span.
    diagnostics.dedup_by(|later, first| {
        first.code == codes::UNSUPPORTED_ON_TARGET && later.span == first.span
    });
    missing_equals::drop_cascades(&file.blocks, &mut diagnostics);
    lints::secrets::distinct_env_names(&file.blocks, &mut diagnostics);
    lints::secrets::scan(&file.blocks, &mut secrets);
    kp_sort::sort(&mut secrets);
    secrets.dedup();
    let result = CheckResult {
        program,
        diagnostics,
        secrets,
        target_sensitive,
    };
    (
        result,
        index::Index {
            definitions,
            references,
        },
    )
}

/// How the help of a certificate or key field holding a file's name starts (the language
/// server's fix reads it to offer `env(...)`).
pub const PEM_FILE_HELP: &str = "keyplan reads no files: write the PEM text itself (a heredoc `<<-EOT` keeps its lines), or read it at apply with `env(\"NAME\")`";
