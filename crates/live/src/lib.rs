//! keyplan's live edge: `plan` (compare a compiled program with a running Vault or
//! OpenBao) and `apply` (make the server match). The only crate that talks HTTP.
//!
//! - [`config`]: the connection, from `VAULT_*`/`BAO_*` variables and flags.
//! - [`client`]: blocking HTTP with timeouts and retries.
//! - [`state`]: reading what the server holds for a program.
//! - [`normalize`]: what "the same value" means across Vault's normalisations.
//! - [`diff`]: the plan, field by field.
//! - [`apply`]: making the changes, in dependency order, concurrently where possible.
//! - [`removals`]: deletions of what the previous version declared (`--previous`).
//! - [`render`]: text and JSON output; [`cli`]: the `plan`/`apply` commands.

pub mod apply;
pub mod cli;
pub mod client;
pub mod config;
pub mod diff;
pub mod error;
pub mod import;
pub mod normalize;
pub mod pool;
pub mod removals;
pub mod render;
pub mod saved;
pub mod sources;
pub mod state;
pub mod tokens;

pub use cli::{
    run_apply, run_apply_with, run_plan, ApplyArgs, Format, LiveArgs, PlanArgs, TargetArg,
};
pub use error::LiveError;
pub use import::{run_import, ImportArgs};
