//! Access analysis over a checked program (`kp_check::ir::Program`): who the program's
//! identities are, what each may do, what a change grants or takes away, which roles a
//! token's claims can log in to, and the identity lints.
//!
//! Pure: no I/O, builds for `wasm32-unknown-unknown`. The facade (`keyplan`) re-exports
//! it; the CLI and the playground reach it through `keyplan::json_api`.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

pub mod diff;
pub mod explain;
pub mod identity;
pub mod json;
pub mod lints;
pub mod matrix;
pub mod pattern;
pub mod render;
pub mod simulate;

pub use identity::{identities, Identity, IdentityKind, JwtBinding, Login};

#[cfg(test)]
mod testutil;
