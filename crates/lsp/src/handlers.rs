//! One function per request: protocol types in, kp-ide's answers out.

use std::collections::HashMap;
use std::str::FromStr;

use kp_diag::{FileId, Severity, SourceFile, Span};
use kp_ide::{CompletionKind, DefKind, OutlineItem};
use lsp_server::{ErrorCode, Request};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeDescription,
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit,
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DocumentFormattingParams,
    DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, Documentation,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, NumberOrString, PrepareRenameResponse, ReferenceParams,
    RenameParams, SymbolKind, TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::convert;
use crate::documents::{Documents, Program};
use crate::server::Config;
use crate::text_diff;

/// A request the server answers with an error.
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

fn failure(code: ErrorCode, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

fn params<P: DeserializeOwned>(req: Request) -> Result<P, Failure> {
    serde_json::from_value(req.params)
        .map_err(|e| failure(ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn json<T: serde::Serialize>(v: T) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| failure(ErrorCode::InternalError, e.to_string()))
}

/// Where the docs of diagnostic codes are by default: `docs/diagnostics.md` on the main
/// branch of the workspace's `repository` (as SARIF's `helpUri`); clients may name
/// another with `docsUrl` (a local checkout, a fork).
pub fn docs_url() -> String {
    concat!(
        env!("CARGO_PKG_REPOSITORY"),
        "/blob/main/docs/diagnostics.md"
    )
    .to_string()
}

pub fn request(docs: &Documents, config: &Config, req: Request) -> Result<Value, Failure> {
    match req.method.as_str() {
        HoverRequest::METHOD => hover(docs, params(req)?),
        Completion::METHOD => completion(docs, params(req)?),
        GotoDefinition::METHOD => definition(docs, params(req)?),
        References::METHOD => references(docs, params(req)?),
        PrepareRenameRequest::METHOD => prepare_rename(docs, params(req)?),
        Rename::METHOD => rename(docs, params(req)?),
        DocumentSymbolRequest::METHOD => symbols(docs, params(req)?),
        CodeActionRequest::METHOD => code_actions(docs, config, params(req)?),
        Formatting::METHOD => formatting(docs, params(req)?),
        other => Err(failure(
            ErrorCode::MethodNotFound,
            format!("keyplan does not handle `{other}`"),
        )),
    }
}

/// The program, URI and global byte offset of a position; `None` for an unknown
/// document or a position past the end.
fn at<'d>(
    docs: &'d Documents,
    p: &TextDocumentPositionParams,
) -> Option<(&'d Program, &'d SourceFile, usize)> {
    let uri = p.text_document.uri.as_str();
    let program = docs.program(uri)?;
    let (_, file) = program.file(uri)?;
    let offset = convert::offset(file, p.position)?;
    Some((program, file, offset))
}

fn uri(s: &str) -> Option<Uri> {
    Uri::from_str(s).ok()
}

/// Where a global span is: its file's URI and the range in that file.
fn location(program: &Program, span: Span) -> Option<Location> {
    let (u, file) = program.locate(span.start)?;
    Some(Location {
        uri: uri(u)?,
        range: convert::range(file, span),
    })
}

/// Text edits grouped by the file each is in.
#[allow(clippy::mutable_key_type)] // keyed by `Uri`, lsp-types' choice; never mutated
fn changes(program: &Program, edits: Vec<kp_ide::TextEdit>) -> HashMap<Uri, Vec<TextEdit>> {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for e in edits {
        if let Some(loc) = location(program, e.span) {
            changes.entry(loc.uri).or_default().push(TextEdit {
                range: loc.range,
                new_text: e.new_text,
            });
        }
    }
    changes
}

/// Edits whose lines end as the open documents they change do: a fix is written from the
/// program's copy of a file, which reads an old Mac file's `\r` line ends as `\n`.
#[allow(clippy::mutable_key_type)] // keyed by `Uri`, lsp-types' choice; never mutated
fn in_line_endings(
    docs: &Documents,
    mut changes: HashMap<Uri, Vec<TextEdit>>,
) -> HashMap<Uri, Vec<TextEdit>> {
    for (uri, edits) in &mut changes {
        let Some(text) = docs
            .open_text(uri.as_str())
            .filter(|t| kp_diag::has_lone_cr(t))
        else {
            continue;
        };
        for e in edits.iter_mut() {
            if e.new_text.contains('\n') {
                e.new_text = text_diff::with_line_ending(std::mem::take(&mut e.new_text), text);
            }
        }
    }
    changes
}

/// The diagnostics of one file of `program` (those whose span starts in it).
pub fn diagnostics(program: &Program, id: FileId, base: &str) -> Vec<Diagnostic> {
    let Some(file) = program.analysis.sources().get(id) else {
        return Vec::new();
    };
    program
        .analysis
        .diagnostics()
        .iter()
        .filter(|d| program.analysis.sources().file_id(d.span.start) == Some(id))
        .map(|d| lsp_diagnostic(program, file, d, base))
        .collect()
}

fn lsp_diagnostic(
    program: &Program,
    file: &SourceFile,
    d: &kp_ide::Diagnostic,
    base: &str,
) -> Diagnostic {
    let mut message = d.message.clone();
    if !d.label.is_empty() {
        message.push_str(&format!(": {}", d.label));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: location(program, r.span)?,
                message: r.label.clone(),
            })
        })
        .collect();
    let href = format!("{base}#{}", kp_ide::diagnostic_anchor(d.code));
    Diagnostic {
        range: convert::range(file, d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: Uri::from_str(&href)
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("keyplan".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn hover(docs: &Documents, p: HoverParams) -> Result<Value, Failure> {
    let Some((program, file, offset)) = at(docs, &p.text_document_position_params) else {
        return Ok(Value::Null);
    };
    json(program.analysis.hover(offset).map(|h| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(convert::range(file, h.span)),
    }))
}

fn completion(docs: &Documents, p: CompletionParams) -> Result<Value, Failure> {
    let Some((program, file, offset)) = at(docs, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let word = typed_word(file, offset);
    let items: Vec<CompletionItem> = program
        .analysis
        .completions(offset)
        .into_iter()
        .map(|c| {
            let new_text = c.insert_text.unwrap_or_else(|| c.label.clone());
            // A quoted value replaces the quotes around the word too (`"se|"`).
            let byte = |at: usize| file.text().as_bytes().get(at.checked_sub(file.base())?);
            let quoted = new_text.starts_with('"')
                && word.start > file.base()
                && byte(word.start - 1) == Some(&b'"');
            let start = if quoted { word.start - 1 } else { word.start };
            let end = if quoted && byte(word.end) == Some(&b'"') {
                word.end + 1
            } else {
                word.end
            };
            CompletionItem {
                label: c.label,
                kind: Some(match c.kind {
                    CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                    CompletionKind::Field => CompletionItemKind::FIELD,
                    CompletionKind::Value => CompletionItemKind::VALUE,
                    CompletionKind::Reference => CompletionItemKind::REFERENCE,
                }),
                detail: c.detail,
                documentation: c.documentation.map(|d| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: d,
                    })
                }),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: convert::range(file, Span::new(start, end)),
                    new_text,
                })),
                ..CompletionItem::default()
            }
        })
        .collect();
    json(CompletionResponse::Array(items))
}

/// The part of a name the cursor ends, which a completion replaces. The range is sent
/// with each item: a client's own word boundaries would split names at `-`
/// (`shared-read`, `gpu-hosts`), as Neovim's default `iskeyword` does.
fn typed_word(file: &SourceFile, offset: usize) -> Span {
    let local = offset.saturating_sub(file.base()).min(file.text().len());
    let before = file.text().get(..local).unwrap_or_default();
    let start = before
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .len();
    Span::new(file.base() + start, file.base() + local)
}

fn definition(docs: &Documents, p: GotoDefinitionParams) -> Result<Value, Failure> {
    let Some((program, _, offset)) = at(docs, &p.text_document_position_params) else {
        return Ok(Value::Null);
    };
    json(
        program
            .analysis
            .definition(offset)
            .and_then(|d| location(program, d.name_span))
            .map(GotoDefinitionResponse::Scalar),
    )
}

fn references(docs: &Documents, p: ReferenceParams) -> Result<Value, Failure> {
    let Some((program, _, offset)) = at(docs, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let locations: Vec<Location> = program
        .analysis
        .references(offset, p.context.include_declaration)
        .into_iter()
        .filter_map(|span| location(program, span))
        .collect();
    json(locations)
}

fn prepare_rename(docs: &Documents, p: TextDocumentPositionParams) -> Result<Value, Failure> {
    let Some((program, file, offset)) = at(docs, &p) else {
        return Ok(Value::Null);
    };
    match program.analysis.prepare_rename(offset) {
        // The name under the cursor: a reference here, or the declaration.
        Ok(span)
            if program.locate(span.start).map(|l| l.0) == Some(p.text_document.uri.as_str()) =>
        {
            json(PrepareRenameResponse::Range(convert::range(file, span)))
        }
        Ok(_) => json(PrepareRenameResponse::DefaultBehavior {
            default_behavior: true,
        }),
        Err(kp_ide::RenameError::NoSymbol) => Ok(Value::Null),
        Err(e) => Err(failure(ErrorCode::RequestFailed, e.to_string())),
    }
}

// `WorkspaceEdit::changes` is keyed by `Uri` (lsp-types' choice); the key is never mutated.
#[allow(clippy::mutable_key_type)]
fn rename(docs: &Documents, p: RenameParams) -> Result<Value, Failure> {
    let Some((program, _, offset)) = at(docs, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let edits = program
        .analysis
        .rename(offset, &p.new_name)
        .map_err(|e| failure(ErrorCode::RequestFailed, e.to_string()))?;
    json(WorkspaceEdit {
        changes: Some(changes(program, edits)),
        ..WorkspaceEdit::default()
    })
}

/// The program of a document and the document's file in it.
fn document<'d>(docs: &'d Documents, uri: &Uri) -> Option<(&'d Program, &'d SourceFile)> {
    let program = docs.program(uri.as_str())?;
    let (_, file) = program.file(uri.as_str())?;
    Some((program, file))
}

fn symbol_kind(kind: DefKind) -> SymbolKind {
    match kind {
        DefKind::Policy | DefKind::ExternPolicy => SymbolKind::OBJECT,
        DefKind::Workload => SymbolKind::CLASS,
        DefKind::AuthMount | DefKind::SecretsMount => SymbolKind::MODULE,
        DefKind::Role { .. } | DefKind::TokenRole => SymbolKind::STRUCT,
        DefKind::Connection => SymbolKind::INTERFACE,
        DefKind::Token => SymbolKind::KEY,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written; `tags` replaces it.
fn document_symbol(file: &SourceFile, item: OutlineItem) -> DocumentSymbol {
    DocumentSymbol {
        name: item.name,
        detail: Some(item.detail),
        kind: symbol_kind(item.kind),
        tags: None,
        deprecated: None,
        range: convert::range(file, item.span),
        selection_range: convert::range(file, item.name_span),
        children: Some(
            item.children
                .into_iter()
                .map(|c| document_symbol(file, c))
                .collect(),
        ),
    }
}

fn symbols(docs: &Documents, p: DocumentSymbolParams) -> Result<Value, Failure> {
    let Some((program, file)) = document(docs, &p.text_document.uri) else {
        return Ok(Value::Null);
    };
    let items: Vec<DocumentSymbol> = program
        .analysis
        .outline_in(file.span())
        .into_iter()
        .map(|i| document_symbol(file, i))
        .collect();
    json(DocumentSymbolResponse::Nested(items))
}

// `WorkspaceEdit::changes` is keyed by `Uri` (lsp-types' choice); the key is never mutated.
#[allow(clippy::mutable_key_type)]
fn code_actions(docs: &Documents, config: &Config, p: CodeActionParams) -> Result<Value, Failure> {
    let Some((program, file)) = document(docs, &p.text_document.uri) else {
        return Ok(Value::Null);
    };
    let Some(range) = convert::span(file, p.range) else {
        return json(Vec::<CodeActionOrCommand>::new());
    };
    let all = program.analysis.diagnostics();
    let actions: Vec<CodeActionOrCommand> = program
        .analysis
        .code_actions(range)
        .into_iter()
        .map(|a| {
            let fixes = all
                .get(a.diagnostic)
                .map(|d| vec![lsp_diagnostic(program, file, d, &config.docs_url)]);
            CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: fixes,
                edit: Some(WorkspaceEdit {
                    changes: Some(in_line_endings(docs, changes(program, a.edits))),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(a.preferred),
                ..CodeAction::default()
            })
        })
        .collect();
    json(actions)
}

/// The document formatted by kp-fmt, as edits of the lines that change only, in the
/// document's own line ending (`keyplan fmt` writes files in LF; an editor's CRLF buffer
/// stays CRLF, and an old Mac buffer's `\r` stays `\r`).
///
/// A text with syntax errors is left as it is, answered with no edits rather than an
/// error: editors that format on save (Neovim, VS Code) show an error response as a
/// popup on every save, while the syntax errors are already in the diagnostics.
fn formatting(docs: &Documents, p: DocumentFormattingParams) -> Result<Value, Failure> {
    let Some((_, file)) = document(docs, &p.text_document.uri) else {
        return Ok(Value::Null);
    };
    // The editor's own text: its line ends are what the edits keep.
    let text = docs
        .open_text(p.text_document.uri.as_str())
        .filter(|t| t.len() == file.text().len())
        .unwrap_or(file.text());
    let Ok(formatted) = kp_fmt::format(text) else {
        return Ok(Value::Null);
    };
    let formatted = text_diff::with_line_ending(formatted, text);
    let base = file.base();
    let edits: Vec<TextEdit> = text_diff::edits(text, &formatted)
        .into_iter()
        .map(|(range, new_text)| TextEdit {
            range: convert::range(file, Span::new(base + range.start, base + range.end)),
            new_text,
        })
        .collect();
    json(edits)
}
