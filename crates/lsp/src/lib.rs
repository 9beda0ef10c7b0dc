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
mod text_diff;

use std::io::{self, Write};

use crossbeam_channel::unbounded;
use lsp_server::{Connection, Message};

pub use documents::ProgramScope;
pub use server::{capabilities, run, Config};

/// Serves on standard input and output until the client says `exit`.
pub fn run_stdio() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, io_threads) = stdio();
    run(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// The reader and writer threads of [`stdio`].
struct IoThreads {
    reader: std::thread::JoinHandle<io::Result<()>>,
    writer: std::thread::JoinHandle<io::Result<()>>,
}

impl IoThreads {
    fn join(self) -> io::Result<()> {
        let reader = self
            .reader
            .join()
            .map_err(|_| io::Error::other("reader panicked"))?;
        let writer = self
            .writer
            .join()
            .map_err(|_| io::Error::other("writer panicked"))?;
        reader.and(writer)
    }
}

/// A connection over standard input and output whose incoming queue holds every message
/// the client has sent (lsp-server's own stdio transport hands them over one at a time):
/// the server sees that more changes are waiting and does not analyse a text that is
/// already out of date.
fn stdio() -> (Connection, IoThreads) {
    let (to_server, receiver) = unbounded::<Message>();
    let (sender, from_server) = unbounded::<Message>();
    let reader = std::thread::spawn(move || {
        let mut stdin = io::stdin().lock();
        while let Some(msg) = Message::read(&mut stdin)? {
            let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
            if to_server.send(msg).is_err() || exit {
                break;
            }
        }
        Ok(())
    });
    let writer = std::thread::spawn(move || {
        let mut stdout = io::stdout().lock();
        for msg in from_server {
            msg.write(&mut stdout)?;
            stdout.flush()?;
        }
        Ok(())
    });
    (
        Connection { sender, receiver },
        IoThreads { reader, writer },
    )
}
