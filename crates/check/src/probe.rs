//! Target questions that remember whether the answer depends on the target.
//!
//! The target enters the checker only through a few yes/no questions (does this engine,
//! endpoint or field exist on the server?). When every question a check asked has the
//! same answer on every target, a check for another target would take the same path and
//! report the same diagnostics: compiling without `--target` then needs one check, not
//! one per target ([`crate::CheckResult::target_sensitive`]).

use kp_schema::Target;

/// `question` for `target`; sets `sensitive` when some other target answers differently.
pub fn ask(target: Target, sensitive: &mut bool, question: impl Fn(Target) -> bool) -> bool {
    let here = question(target);
    if !*sensitive && Target::ALL.into_iter().any(|t| question(t) != here) {
        *sensitive = true;
    }
    here
}
