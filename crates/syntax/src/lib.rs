//! The keyplan front end: source text to [`ast::File`], with every problem reported.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

pub mod ast;
pub mod cascade;
mod list;
mod parser;
mod text;

pub use parser::{
    comments, is_name, parse, parse_at, parse_shared_at, parse_within, reparse, Kept, ParseResult,
    MAX_DEPTH,
};
