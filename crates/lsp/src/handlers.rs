//! One function per request: protocol types in, kp-ide's answers out.

use std::collections::HashMap;
use std::str::FromStr;

use kp_diag::Severity;
use kp_ide::{CompletionKind, DefKind, OutlineItem};
use lsp_server::{ErrorCode, Request};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    PrepareRenameRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeDescription,
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentFormattingParams, DocumentSymbol,
    DocumentSymbolParams, DocumentSymbolResponse, Documentation, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location, MarkupContent, MarkupKind,
    NumberOrString, PrepareRenameResponse, ReferenceParams, RenameParams, SymbolKind,
    TextDocumentPositionParams, TextEdit, Uri, WorkspaceEdit,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::convert;
use crate::documents::{Document, Documents};
use crate::server::Config;

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

/// Where the docs of diagnostic codes are by default: `docs/diagnostics.md` of the source
/// tree the server was built from (clients may name another with `docsUrl`).
pub fn docs_url() -> String {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let root = manifest.strip_suffix("/crates/lsp").unwrap_or(manifest);
    format!("file://{root}/docs/diagnostics.md")
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

/// The document and byte offset of a position; `None` for an unknown document or a
/// position past the end.
fn at<'d>(docs: &'d Documents, p: &TextDocumentPositionParams) -> Option<(&'d Document, usize)> {
    let doc = docs.get(p.text_document.uri.as_str())?;
    let offset = convert::offset(&doc.index, doc.text().len(), p.position)?;
    Some((doc, offset))
}

pub fn diagnostics(uri: &Uri, doc: &Document, base: &str) -> Vec<Diagnostic> {
    doc.analysis
        .diagnostics()
        .iter()
        .map(|d| {
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
                .map(|r| DiagnosticRelatedInformation {
                    location: Location {
                        uri: uri.clone(),
                        range: convert::range(&doc.index, r.span),
                    },
                    message: r.label.clone(),
                })
                .collect();
            let href = format!("{base}#{}", kp_ide::diagnostic_anchor(d.code));
            Diagnostic {
                range: convert::range(&doc.index, d.span),
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
        })
        .collect()
}

fn hover(docs: &Documents, p: HoverParams) -> Result<Value, Failure> {
    let Some((doc, offset)) = at(docs, &p.text_document_position_params) else {
        return Ok(Value::Null);
    };
    json(doc.analysis.hover(offset).map(|h| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(convert::range(&doc.index, h.span)),
    }))
}

fn completion(docs: &Documents, p: CompletionParams) -> Result<Value, Failure> {
    let Some((doc, offset)) = at(docs, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let items: Vec<CompletionItem> = doc
        .analysis
        .completions(offset)
        .into_iter()
        .map(|c| CompletionItem {
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
            insert_text: c.insert_text,
            ..CompletionItem::default()
        })
        .collect();
    json(CompletionResponse::Array(items))
}

fn definition(docs: &Documents, p: GotoDefinitionParams) -> Result<Value, Failure> {
    let uri = p.text_document_position_params.text_document.uri.clone();
    let Some((doc, offset)) = at(docs, &p.text_document_position_params) else {
        return Ok(Value::Null);
    };
    json(doc.analysis.definition(offset).map(|d| {
        GotoDefinitionResponse::Scalar(Location {
            uri,
            range: convert::range(&doc.index, d.name_span),
        })
    }))
}

fn references(docs: &Documents, p: ReferenceParams) -> Result<Value, Failure> {
    let uri = p.text_document_position.text_document.uri.clone();
    let Some((doc, offset)) = at(docs, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let locations: Vec<Location> = doc
        .analysis
        .references(offset, p.context.include_declaration)
        .into_iter()
        .map(|span| Location {
            uri: uri.clone(),
            range: convert::range(&doc.index, span),
        })
        .collect();
    json(locations)
}

fn prepare_rename(docs: &Documents, p: TextDocumentPositionParams) -> Result<Value, Failure> {
    let Some((doc, offset)) = at(docs, &p) else {
        return Ok(Value::Null);
    };
    match doc.analysis.prepare_rename(offset) {
        Ok(span) => json(PrepareRenameResponse::Range(convert::range(
            &doc.index, span,
        ))),
        Err(kp_ide::RenameError::NoSymbol) => Ok(Value::Null),
        Err(e) => Err(failure(ErrorCode::RequestFailed, e.to_string())),
    }
}

// `WorkspaceEdit::changes` is keyed by `Uri` (lsp-types' choice); the key is never mutated.
#[allow(clippy::mutable_key_type)]
fn rename(docs: &Documents, p: RenameParams) -> Result<Value, Failure> {
    let uri = p.text_document_position.text_document.uri.clone();
    let Some((doc, offset)) = at(docs, &p.text_document_position) else {
        return Ok(Value::Null);
    };
    let edits = doc
        .analysis
        .rename(offset, &p.new_name)
        .map_err(|e| failure(ErrorCode::RequestFailed, e.to_string()))?;
    let edits: Vec<TextEdit> = edits
        .into_iter()
        .map(|e| TextEdit {
            range: convert::range(&doc.index, e.span),
            new_text: e.new_text,
        })
        .collect();
    let mut changes = HashMap::new();
    changes.insert(uri, edits);
    json(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    })
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
fn document_symbol(doc: &Document, item: OutlineItem) -> DocumentSymbol {
    DocumentSymbol {
        name: item.name,
        detail: Some(item.detail),
        kind: symbol_kind(item.kind),
        tags: None,
        deprecated: None,
        range: convert::range(&doc.index, item.span),
        selection_range: convert::range(&doc.index, item.name_span),
        children: Some(
            item.children
                .into_iter()
                .map(|c| document_symbol(doc, c))
                .collect(),
        ),
    }
}

fn symbols(docs: &Documents, p: DocumentSymbolParams) -> Result<Value, Failure> {
    let Some(doc) = docs.get(p.text_document.uri.as_str()) else {
        return Ok(Value::Null);
    };
    let items: Vec<DocumentSymbol> = doc
        .analysis
        .outline()
        .into_iter()
        .map(|i| document_symbol(doc, i))
        .collect();
    json(DocumentSymbolResponse::Nested(items))
}

// `WorkspaceEdit::changes` is keyed by `Uri` (lsp-types' choice); the key is never mutated.
#[allow(clippy::mutable_key_type)]
fn code_actions(docs: &Documents, config: &Config, p: CodeActionParams) -> Result<Value, Failure> {
    let uri = p.text_document.uri.clone();
    let Some(doc) = docs.get(uri.as_str()) else {
        return Ok(Value::Null);
    };
    let Some(range) = convert::span(&doc.index, doc.text().len(), p.range) else {
        return json(Vec::<CodeActionOrCommand>::new());
    };
    let lsp_diags = diagnostics(&uri, doc, &config.docs_url);
    let actions: Vec<CodeActionOrCommand> = doc
        .analysis
        .code_actions(range)
        .into_iter()
        .map(|a| {
            let edits: Vec<TextEdit> = a
                .edits
                .into_iter()
                .map(|e| TextEdit {
                    range: convert::range(&doc.index, e.span),
                    new_text: e.new_text,
                })
                .collect();
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), edits);
            CodeActionOrCommand::CodeAction(CodeAction {
                title: a.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: lsp_diags.get(a.diagnostic).cloned().map(|d| vec![d]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(a.preferred),
                ..CodeAction::default()
            })
        })
        .collect();
    json(actions)
}

/// The whole document, formatted by kp-fmt; a text with syntax errors is left as it is.
fn formatting(docs: &Documents, p: DocumentFormattingParams) -> Result<Value, Failure> {
    let Some(doc) = docs.get(p.text_document.uri.as_str()) else {
        return Ok(Value::Null);
    };
    let text = doc.text();
    match kp_fmt::format(text) {
        Ok(formatted) if formatted == text => json(Vec::<TextEdit>::new()),
        Ok(formatted) => json(vec![TextEdit {
            range: convert::range(&doc.index, kp_diag::Span::new(0, text.len())),
            new_text: formatted,
        }]),
        Err(_) => Err(failure(
            ErrorCode::RequestFailed,
            "keyplan fmt: the file has syntax errors; fix them first",
        )),
    }
}
