//! `keyplan lsp`: the language server. An edge crate: it speaks JSON-RPC (lsp-server,
//! synchronous, one thread) and converts between the protocol's types (lsp-types) and
//! the plain data of [`kp_ide`], where all the language knowledge lives.
//!
//! Requests are answered in the order they arrive, after every earlier `didChange`,
//! so an answer never describes a stale text.

mod convert;
mod documents;
mod handlers;
mod server;

pub use documents::ProgramScope;
pub use server::{capabilities, run, Config};

/// Serves on standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    run(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}
