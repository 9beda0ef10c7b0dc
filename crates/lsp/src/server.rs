//! The message loop: initialize, then notifications and requests in arrival order.

use std::panic::{catch_unwind, AssertUnwindSafe};

use kp_ide::{Retired, Target};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    LogMessage, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{RegisterCapability, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DidChangeWatchedFilesRegistrationOptions, FileChangeType, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, LogMessageParams, MessageType, OneOf,
    PublishDiagnosticsParams, Registration, RegistrationParams, RenameOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};

use crate::documents::{DiskChange, Documents, ProgramScope};
use crate::handlers;

/// Settings from the client's `initializationOptions`: `{ "target": "openbao",
/// "docsUrl": "https://…/docs/diagnostics.md", "program": "file" }` (all optional).
#[derive(Debug, Clone)]
pub struct Config {
    /// The target to check for; `None` (the default) for the one each program implies,
    /// as `keyplan check` without `--target` picks it.
    pub target: Option<Target>,
    /// Where `docs/diagnostics.md` is: each diagnostic links to its code's entry.
    pub docs_url: String,
    /// `"directory"` (the default: a file's program is every `.kp` file of its
    /// directory, as `keyplan check DIR` reads it) or `"file"` (each file alone, for a
    /// folder of independent programs such as `examples/`).
    pub scope: ProgramScope,
}

impl Config {
    fn from_init(params: &InitializeParams) -> Config {
        let target = option(params, "target").and_then(Target::from_keyword);
        let docs_url = option(params, "docsUrl").map_or_else(handlers::docs_url, str::to_string);
        let scope = match option(params, "program") {
            Some("file") => ProgramScope::File,
            _ => ProgramScope::Directory,
        };
        Config {
            target,
            docs_url,
            scope,
        }
    }
}

/// A string of the client's `initializationOptions`.
fn option<'p>(params: &'p InitializeParams, key: &str) -> Option<&'p str> {
    params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get(key))
        .and_then(|t| t.as_str())
}

/// A `target` option that names no target (`auto` asks for the implied one by name).
fn unknown_target(params: &InitializeParams) -> Option<&str> {
    option(params, "target").filter(|t| *t != "auto" && Target::from_keyword(t).is_none())
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), "=".to_string(), " ".to_string()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The id of the server's `client/registerCapability` request for file watching.
const WATCH_REQUEST: &str = "keyplan/watch-kp-files";

/// Runs the server on `connection` until `shutdown` and `exit`.
///
/// Messages are handled in arrival order, but work is done when it is needed: a change
/// only records the text; a request analyses its own document's program if that is
/// stale; and diagnostics are published when no message is waiting. A burst of changes
/// (typing faster than the server checks) is therefore one analysis, and nothing waits
/// behind the analysis of a text that is already out of date. There is no timer: when
/// the queue is empty the server publishes at once.
pub fn run(connection: &Connection) -> Result<(), BoxError> {
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "keyplan".to_string(), version: Some(env!("CARGO_PKG_VERSION").to_string()) },
    });
    let (id, params) = connection.initialize_start()?;
    let (params, invalid) = initialize_params(params);
    connection.initialize_finish(id, init)?;
    let config = Config::from_init(&params);
    let mut server = Server {
        docs: Documents::new(config.scope, config.target),
        config,
        connection,
        dropper: dropper(),
    };
    if let Some(error) = invalid {
        server.log(
            MessageType::WARNING,
            format!("invalid `initialize` params ({error}): serving with the settings that could be read"),
        )?;
    }
    if let Some(target) = unknown_target(&params) {
        server.log(
            MessageType::WARNING,
            format!("unknown target `{target}` (vault, openbao or auto): each program is checked for the target it implies"),
        )?;
    }
    if can_watch(&params) {
        server.register_watcher()?;
    }
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                server.request(req)?;
            }
            Message::Notification(n) => server.notification(n)?,
            Message::Response(r) => server.response(r),
        }
        if connection.receiver.is_empty() {
            server.publish()?;
        }
    }
    Ok(())
}

/// The client's `initialize` params, and why they could not all be read. One bad field
/// (a `rootUri` with an unencoded space) must not stop the server: the fields the server
/// does not use are left out and the params read again, and failing that the settings
/// (`initializationOptions`) and capabilities are read on their own.
fn initialize_params(raw: serde_json::Value) -> (InitializeParams, Option<String>) {
    let error = match serde_json::from_value::<InitializeParams>(raw.clone()) {
        Ok(params) => return (params, None),
        Err(e) => e.to_string(),
    };
    let mut params = InitializeParams::default();
    if let serde_json::Value::Object(mut fields) = raw {
        for unused in ["rootUri", "rootPath", "workspaceFolders"] {
            fields.remove(unused);
        }
        let fields = serde_json::Value::Object(fields);
        if let Ok(read) = serde_json::from_value::<InitializeParams>(fields.clone()) {
            return (read, Some(error));
        }
        params.initialization_options = fields.get("initializationOptions").cloned();
        if let Some(caps) = fields
            .get("capabilities")
            .and_then(|c| serde_json::from_value(c.clone()).ok())
        {
            params.capabilities = caps;
        }
    }
    (params, Some(error))
}

/// Whether the client registers file watchers for the server
/// (`workspace.didChangeWatchedFiles.dynamicRegistration`).
fn can_watch(params: &InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files)
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false)
}

struct Server<'c> {
    config: Config,
    docs: Documents,
    connection: &'c Connection,
    /// Where replaced analyses go to be dropped, off the path of the next answer.
    dropper: std::sync::mpsc::Sender<Vec<Retired>>,
}

/// A thread that drops what it is sent: freeing a large program's tree and lowered
/// program is a tenth of an analysis, which the second core can do while this one
/// answers. It ends when the server does.
fn dropper() -> std::sync::mpsc::Sender<Vec<Retired>> {
    let (send, receive) = std::sync::mpsc::channel::<Vec<Retired>>();
    std::thread::spawn(move || receive.into_iter().for_each(drop));
    send
}

impl Server<'_> {
    fn send(&self, msg: impl Into<Message>) -> Result<(), BoxError> {
        self.connection.sender.send(msg.into())?;
        Ok(())
    }

    fn log(&self, kind: MessageType, message: String) -> Result<(), BoxError> {
        eprintln!("keyplan lsp: {message}");
        self.send(Notification::new(
            LogMessage::METHOD.to_string(),
            LogMessageParams { typ: kind, message },
        ))
    }

    /// Asks the client to report changes of `.kp` files: a program's files that are not
    /// open in the editor are then re-read when they change, and only then.
    fn register_watcher(&self) -> Result<(), BoxError> {
        let watchers = vec![FileSystemWatcher {
            glob_pattern: GlobPattern::String("**/*.kp".to_string()),
            kind: None,
        }];
        let registration = Registration {
            id: "keyplan-kp-files".to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: Some(serde_json::to_value(
                DidChangeWatchedFilesRegistrationOptions { watchers },
            )?),
        };
        self.send(Request::new(
            RequestId::from(WATCH_REQUEST.to_string()),
            RegisterCapability::METHOD.to_string(),
            RegistrationParams {
                registrations: vec![registration],
            },
        ))
    }

    fn response(&mut self, r: Response) {
        // Until the client accepts the watcher, directories are looked at on each analysis.
        if r.id == RequestId::from(WATCH_REQUEST.to_string()) && r.error.is_none() {
            self.docs.set_watched();
        }
    }

    fn request(&mut self, req: Request) -> Result<(), BoxError> {
        let id = req.id.clone();
        let method = req.method.clone();
        if let Some(uri) = req
            .params
            .get("textDocument")
            .and_then(|d| d.get("uri"))
            .and_then(|u| u.as_str())
        {
            let uri = uri.to_string();
            // An analysis that panics leaves the program stale; the request answers empty.
            let _ = catch_unwind(AssertUnwindSafe(|| self.docs.refresh_for(&uri)));
        }
        let docs = &self.docs;
        let config = &self.config;
        let (response, panic) = guarded(id, &method, || handlers::request(docs, config, req));
        if let Some(what) = panic {
            self.log(
                MessageType::ERROR,
                format!("request `{method}` panicked: {what}"),
            )?;
        }
        self.send(response)
    }

    fn notification(&mut self, n: Notification) -> Result<(), BoxError> {
        let method = n.method.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.document_change(n)));
        match outcome {
            Ok(Ok(())) => Ok(()),
            // Params the server cannot read (a `didOpen` without `text`, a URI with an
            // unencoded space) are the client's error: logged, and the server goes on,
            // as it answers a request with bad params with an error.
            Ok(Err(invalid)) => self.log(
                MessageType::ERROR,
                format!("notification `{method}` ignored: invalid params: {invalid}"),
            ),
            Err(_) => self.log(
                MessageType::ERROR,
                format!("notification `{method}` panicked"),
            ),
        }
    }

    /// Records what a notification says; an error only for params it cannot read.
    fn document_change(&mut self, n: Notification) -> Result<(), serde_json::Error> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let doc = p.text_document;
                self.docs.set(doc.uri.as_str(), doc.text, doc.version);
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    self.docs.set(
                        p.text_document.uri.as_str(),
                        change.text,
                        p.text_document.version,
                    );
                }
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                // Files no open program holds any more are cleared; the rest of a
                // still-open program is published again.
                self.docs.close(p.text_document.uri.as_str());
            }
            DidChangeWatchedFiles::METHOD => {
                let p: lsp_types::DidChangeWatchedFilesParams = serde_json::from_value(n.params)?;
                for event in p.changes {
                    let change = if event.typ == FileChangeType::DELETED {
                        DiskChange::Deleted
                    } else {
                        DiskChange::Written
                    };
                    self.docs.disk_changed(event.uri.as_str(), change);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Analyses what is stale and publishes: empty lists for files no program holds any
    /// more, then the diagnostics of every file of each program analysed since the last
    /// publication (a change in one file can make or clear errors in another).
    fn publish(&mut self) -> Result<(), BoxError> {
        if catch_unwind(AssertUnwindSafe(|| self.docs.refresh())).is_err() {
            self.log(MessageType::ERROR, "analysis panicked".to_string())?;
        }
        let retired = self.docs.take_retired();
        if !retired.is_empty() {
            // If the thread is gone, dropping here is all that is lost.
            let _ = self.dropper.send(retired);
        }
        let connection = self.connection;
        let (cleared, programs) = self.docs.take_unpublished();
        for uri in &cleared {
            send_diagnostics(connection, uri, Vec::new(), None)?;
        }
        for program in programs {
            for (i, member) in program.members.iter().enumerate() {
                let id = kp_diag::FileId(u32::try_from(i)?);
                let mut diagnostics = handlers::diagnostics(program, id, &self.config.docs_url);
                diagnostics.extend(member.unreadable.as_deref().map(unreadable));
                send_diagnostics(connection, &member.uri, diagnostics, member.version)?;
            }
        }
        Ok(())
    }
}

/// The error of a program's file whose text could not be read, at its start.
fn unreadable(message: &str) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: lsp_types::Range::default(),
        severity: Some(lsp_types::DiagnosticSeverity::ERROR),
        source: Some("keyplan".to_string()),
        message: message.to_string(),
        ..lsp_types::Diagnostic::default()
    }
}

fn send_diagnostics(
    connection: &Connection,
    uri: &str,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) -> Result<(), BoxError> {
    let Ok(uri) = uri.parse::<Uri>() else {
        return Ok(());
    };
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    connection
        .sender
        .send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into())?;
    Ok(())
}

/// Runs one request handler. One bad request must not take the editor's server down: a
/// panic becomes an error answer, and its message is returned for the log.
fn guarded(
    id: RequestId,
    method: &str,
    handler: impl FnOnce() -> Result<serde_json::Value, handlers::Failure>,
) -> (Response, Option<String>) {
    match catch_unwind(AssertUnwindSafe(handler)) {
        Ok(Ok(value)) => (Response::new_ok(id, value), None),
        Ok(Err(handlers::Failure { code, message })) => {
            (Response::new_err(id, code as i32, message), None)
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let response = Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("keyplan: internal error in `{method}`"),
            );
            (response, Some(what))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::panic)]
    fn a_panicking_request_becomes_an_error_answer() {
        let (response, logged) = guarded(RequestId::from(7), "textDocument/hover", || {
            panic!("index out of range")
        });
        assert_eq!(response.id, RequestId::from(7));
        let err = response.error.map(|e| (e.code, e.message));
        assert_eq!(
            err,
            Some((
                ErrorCode::InternalError as i32,
                "keyplan: internal error in `textDocument/hover`".to_string()
            ))
        );
        assert_eq!(logged.as_deref(), Some("index out of range"));
    }

    #[test]
    fn an_answer_passes_through() {
        let (response, logged) = guarded(RequestId::from(1), "x", || Ok(serde_json::json!([1])));
        assert_eq!(response.result, Some(serde_json::json!([1])));
        assert!(logged.is_none());
    }
}
