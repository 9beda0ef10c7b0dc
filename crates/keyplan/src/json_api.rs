//! JSON-in/JSON-out entry points over [`compile`](crate::compile) and [`emit`](crate::emit).
//!
//! The wasm playground and the language server call these, so both see one response
//! shape and neither reimplements any compiler logic (the same split as cedar's `ffi`).
//! Every function returns a JSON document, never panics on user input, and reports a bad
//! request (an unknown target) in the document's `error` field.
//!
//! Positions are given three ways so that no client has to convert them: 1-based line and
//! column (in characters), byte offsets, and `from`/`to` in UTF-16 code units from the start
//! of the text (what JavaScript strings, CodeMirror and the browser count in).

use serde::{Deserialize, Serialize};

use crate::ir::{PathRule, Program, ResourceKind, Workload};
use crate::{emit, Compiled, Diagnostic, Emit, Graph, Located, Options, SourceMap, Target};

/// The file name diagnostics carry in the playground (the editor holds one file).
pub const PLAYGROUND_FILE: &str = "main.kp";

/// The response of [`check_json`]: `{ ok, target, diagnostics }`.
#[derive(Debug, Serialize)]
pub struct CheckResponse {
    /// True when the program has no error (warnings allowed).
    pub ok: bool,
    pub target: Option<Target>,
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Set when the request itself was bad (an unknown target).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl CheckResponse {
    /// The answer to a request keyplan cannot take (a target it does not know).
    fn refused(error: String) -> CheckResponse {
        CheckResponse {
            ok: false,
            target: None,
            diagnostics: Vec::new(),
            error: Some(error),
        }
    }
}

/// The response of [`build_json`]: the check response plus every output and a view of
/// the resource graph for drawing it.
#[derive(Debug, Serialize)]
pub struct BuildResponse {
    pub ok: bool,
    pub target: Option<Target>,
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Every output of every format, in [`Emit::ALL`] order; empty when there are errors.
    pub outputs: Vec<JsonOutput>,
    /// The resource graph, its layers and the workloads' access, when the program compiled.
    pub view: Option<View>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A [`Located`] diagnostic plus UTF-16 offsets and its secondary labels.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    #[serde(flatten)]
    pub located: Located,
    /// Start of the primary span in UTF-16 code units.
    pub from: usize,
    /// End of the primary span in UTF-16 code units.
    pub to: usize,
    pub related: Vec<JsonRelated>,
}

#[derive(Debug, Serialize)]
pub struct JsonRelated {
    pub label: String,
    /// The file the label is in: a duplicate names the other file.
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Serialize)]
pub struct JsonOutput {
    /// `api`, `hcl`, `json` or `sh`.
    pub format: Emit,
    pub name: String,
    pub contents: String,
}

/// What a diagram needs: typed, named nodes with their layer, the edges, and per
/// workload the capabilities it is granted.
#[derive(Debug, Serialize)]
pub struct View {
    pub nodes: Vec<ViewNode>,
    pub edges: Vec<ViewEdge>,
    /// Node indices per layer: a layer depends only on earlier layers.
    pub levels: Vec<Vec<usize>>,
    pub workloads: Vec<ViewWorkload>,
    pub extern_policies: Vec<String>,
    /// The access matrix of every identity (workloads, roles, token roles, tokens):
    /// what the Access tab draws, the same data as `keyplan access --format json`.
    pub access: crate::access::matrix::Matrix,
}

#[derive(Debug, Serialize)]
pub struct ViewNode {
    pub id: String,
    pub kind: ResourceKind,
    pub name: String,
    /// The API path the resource is written to.
    pub path: String,
    pub level: usize,
    pub workload: Option<String>,
    pub mount: Option<String>,
    /// The file of the declaration, for "go to source".
    pub file: String,
    /// 1-based line of the declaration in `file`, for "go to source".
    pub line: usize,
}

#[derive(Debug, Serialize)]
pub struct ViewEdge {
    /// Index of the node that must exist first.
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Serialize)]
pub struct ViewWorkload {
    pub name: String,
    pub description: Option<String>,
    pub role: Option<String>,
    /// The derived policy's name.
    pub policy: String,
    /// The derived policy's rules.
    pub rules: Vec<PathRule>,
    /// Every policy the login role attaches (`token_policies`), derived one included.
    pub policies: Vec<String>,
    /// Rules of the other attached policies this program defines: the workload's access
    /// is `rules` plus these.
    pub attached: Vec<AttachedRule>,
    /// Attached policies this program does not define (`extern policy`): their rules
    /// are unknown here.
    pub external: Vec<String>,
    /// The file of the `workload` block.
    pub file: String,
    /// 1-based line of the `workload` block in `file`.
    pub line: usize,
}

#[derive(Debug, Serialize)]
pub struct AttachedRule {
    pub policy: String,
    pub path: String,
    pub capabilities: Vec<&'static str>,
}

/// Parses a target name (`vault` or `openbao`, any case).
pub fn parse_target(name: &str) -> Result<Target, String> {
    match name.trim().to_ascii_lowercase().as_str() {
        "vault" | "" => Ok(Target::Vault),
        "openbao" | "bao" => Ok(Target::Openbao),
        other => Err(format!(
            "unknown target `{other}`: expected `vault` or `openbao`"
        )),
    }
}

/// Compiles for a target name, or with `auto` for the target the program implies
/// ([`compile_implied`](crate::compile_implied)).
fn compile_for(sources: SourceMap, target: &str) -> Result<Compiled, String> {
    let target = if target.trim().eq_ignore_ascii_case("auto") {
        None
    } else {
        Some(parse_target(target)?)
    };
    Ok(crate::compile_sources_for(sources, target))
}

/// Checks a program: `{ ok, target, diagnostics }`.
pub fn check_json(source: &str, target: &str) -> String {
    write::to_string(&check(source, target))
}

/// Checks a program and emits every format: `{ ok, target, diagnostics, outputs, view }`.
pub fn build_json(source: &str, target: &str) -> String {
    write::to_string(&build(source, target))
}

/// The identity lints of a program (`kp-access`: who can log in as whom, rules that grant
/// too much or nothing), which `keyplan check` and the language server add to the
/// checker's diagnostics: `{ ok, target, diagnostics }` with the lints alone, literal
/// secrets starred out. A program with errors has none (`ok` false, as [`check_json`]
/// says). The playground asks for them from its access module once typing pauses.
pub fn lints_json(source: &str, target: &str) -> String {
    write::to_string(&lints(source, target))
}

/// The typed form of [`lints_json`].
pub fn lints(source: &str, target: &str) -> CheckResponse {
    match compile_for(SourceMap::single(PLAYGROUND_FILE, source), target) {
        Ok(compiled) => {
            let mut lints = crate::access_api::redacted_lints(&compiled);
            kp_sort::by_key(&mut lints, |d| (d.span.start, d.span.end));
            CheckResponse {
                ok: !compiled.has_errors(),
                target: Some(compiled.target),
                diagnostics: diagnostics_in(&compiled.sources, &lints),
                error: None,
            }
        }
        Err(error) => CheckResponse::refused(error),
    }
}

/// One file of a program sent as JSON: `{ "name": "platform.kp", "text": "..." }`.
#[derive(Debug, Clone, Deserialize)]
pub struct FileIn {
    pub name: String,
    pub text: String,
}

/// Checks a program of many files, given as a JSON array of `{name, text}` in the order
/// to compile them: the response of [`check_json`], each diagnostic naming its file.
pub fn check_files_json(files: &str, target: &str) -> String {
    match parse_files(files) {
        Ok(files) => write::to_string(&check_sources(files, target)),
        Err(error) => write::to_string(&CheckResponse::refused(error)),
    }
}

/// Builds a program of many files (see [`check_files_json`]): the response of
/// [`build_json`], with the file of every diagnostic, node and workload.
pub fn build_files_json(files: &str, target: &str) -> String {
    match parse_files(files) {
        Ok(files) => write::to_string(&build_sources(files, target)),
        Err(error) => write::to_string(&bad_build(error)),
    }
}

fn parse_files(files: &str) -> Result<SourceMap, String> {
    let files: Vec<FileIn> = serde_json::from_str(files)
        .map_err(|e| format!("files must be a JSON array of {{name, text}}: {e}"))?;
    let mut map = SourceMap::new();
    for f in files {
        map.add(f.name, f.text);
    }
    Ok(map)
}

/// The typed form of [`check_json`].
pub fn check(source: &str, target: &str) -> CheckResponse {
    check_sources(SourceMap::single(PLAYGROUND_FILE, source), target)
}

/// The typed form of [`check_files_json`].
pub fn check_sources(sources: SourceMap, target: &str) -> CheckResponse {
    match compile_for(sources, target) {
        Ok(compiled) => checked(&compiled),
        Err(error) => CheckResponse::refused(error),
    }
}

fn checked(compiled: &Compiled) -> CheckResponse {
    CheckResponse {
        ok: !compiled.has_errors(),
        target: Some(compiled.target),
        diagnostics: diagnostics_in(&compiled.sources, &compiled.diagnostics),
        error: None,
    }
}

/// The playground's check kept between keystrokes: [`check_json`]'s answer, byte for
/// byte, parsing again only the top-level blocks an edit can have changed
/// ([`kp_syntax::reparse`]) and lowering again only the items it can have changed
/// ([`kp_check::Memo`]).
#[derive(Debug, Default)]
pub struct Checker {
    memo: kp_check::Memo,
    previous: Option<Previous>,
}

/// The last check's text and parse, which the next check reparses from.
#[derive(Debug)]
struct Previous {
    text: std::sync::Arc<String>,
    parse: kp_syntax::ParseResult,
    /// Checks since the last parse from scratch: a reused block keeps the text it was
    /// parsed from alive (its names are ranges of it), so every so many checks parse
    /// from scratch, which bounds the texts kept to that many.
    reparses: usize,
}

/// How many checks in a row reuse blocks of earlier parses (see [`Previous::reparses`]).
const REPARSES: usize = 64;

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// [`check_json`] of `source`. The implied target (`auto`) may check for several
    /// targets, each of which would empty the memo of the other: it is checked from
    /// scratch.
    pub fn check_json(&mut self, source: &str, target_name: &str) -> String {
        let sources = SourceMap::single(PLAYGROUND_FILE, source);
        let (Ok(target), Some(text)) = (parse_target(target_name), sources.files().first()) else {
            return check_json(source, target_name);
        };
        let text = std::sync::Arc::clone(text.shared_text());
        let (parse, reparses) = match self.previous.take() {
            Some(previous) if previous.reparses < REPARSES => {
                let (parse, kept) = kp_syntax::reparse(&previous.text, previous.parse, 0, &text, 0);
                self.memo.blocks_edited(&[kept]);
                (parse, previous.reparses + 1)
            }
            _ => (kp_syntax::parse_shared_at(&text, 0), 0),
        };
        let parsed = crate::Parsed::new(parse.file, parse.diagnostics);
        let compiled =
            crate::compile_reusing(sources, &parsed, &Options { target }, &mut self.memo);
        let json = write::to_string(&checked(&compiled));
        self.previous = Some(Previous {
            text,
            parse: kp_syntax::ParseResult {
                file: parsed.tree,
                diagnostics: parsed.diagnostics,
            },
            reparses,
        });
        json
    }

    /// How many top-level items the last check replayed instead of lowering.
    pub fn replayed(&self) -> usize {
        self.memo.reused()
    }
}

/// The typed form of [`build_json`].
pub fn build(source: &str, target: &str) -> BuildResponse {
    build_sources(SourceMap::single(PLAYGROUND_FILE, source), target)
}

fn bad_build(error: String) -> BuildResponse {
    BuildResponse {
        ok: false,
        target: None,
        diagnostics: Vec::new(),
        outputs: Vec::new(),
        view: None,
        error: Some(error),
    }
}

/// The typed form of [`build_files_json`].
pub fn build_sources(sources: SourceMap, target: &str) -> BuildResponse {
    let compiled = match compile_for(sources, target) {
        Ok(c) => c,
        Err(error) => return bad_build(error),
    };
    let ok = !compiled.has_errors();
    let outputs = if ok { outputs(&compiled) } else { Vec::new() };
    let view = match (ok, &compiled.program, &compiled.graph) {
        (true, Some(program), Some(graph)) => {
            Some(view(&compiled.sources, program, graph, compiled.target))
        }
        _ => None,
    };
    BuildResponse {
        ok,
        target: Some(compiled.target),
        diagnostics: diagnostics_in(&compiled.sources, &compiled.diagnostics),
        outputs,
        view,
        error: None,
    }
}

fn outputs(compiled: &Compiled) -> Vec<JsonOutput> {
    // A loop, not `flat_map`: its iterator state around the inlined emitters cost 0.3 KB
    // gzipped of the playground's wasm.
    let mut out = Vec::new();
    for format in Emit::ALL {
        for f in emit(compiled, format).unwrap_or_default() {
            out.push(JsonOutput {
                format,
                name: f.name,
                contents: f.contents,
            });
        }
    }
    out
}

#[cfg(test)]
fn diagnostics(source: &str, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    diagnostics_in(&SourceMap::single(PLAYGROUND_FILE, source), diags)
}

fn diagnostics_in(map: &SourceMap, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    let offsets = diags.iter().flat_map(|d| {
        [d.span.start, d.span.end]
            .into_iter()
            .chain(d.related.iter().flat_map(|r| [r.span.start, r.span.end]))
    });
    let utf16 = Utf16Map::new(map, offsets);
    diags
        .iter()
        .map(|d| {
            // Both ends of a span are counted in the file of its start.
            let file = map.file_id(d.span.start);
            JsonDiagnostic {
                located: d.locate_in(map),
                from: utf16.get(file, d.span.start),
                to: utf16.get(file, d.span.end),
                related: d
                    .related
                    .iter()
                    .zip(d.locate_related(map))
                    .map(|(r, at)| {
                        let file = map.file_id(r.span.start);
                        JsonRelated {
                            label: at.label,
                            file: at.file,
                            line: at.line,
                            column: at.column,
                            from: utf16.get(file, r.span.start),
                            to: utf16.get(file, r.span.end),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Global byte offsets to UTF-16 offsets from the start of their file.
struct Utf16Map<'m> {
    map: &'m SourceMap,
    /// One table per file of the map.
    tables: Vec<Utf16Offsets>,
}

impl<'m> Utf16Map<'m> {
    fn new(map: &'m SourceMap, offsets: impl Iterator<Item = usize>) -> Self {
        let mut per_file: Vec<Vec<usize>> = vec![Vec::new(); map.len()];
        for offset in offsets {
            if let Some(id) = map.file_id(offset) {
                if let (Some(list), Some(file)) = (per_file.get_mut(id.0 as usize), map.get(id)) {
                    list.push(offset - file.base());
                }
            }
        }
        let tables = map
            .files()
            .iter()
            .zip(&mut per_file)
            .map(|(file, offsets)| Utf16Offsets::new(file.text(), offsets))
            .collect();
        Utf16Map { map, tables }
    }

    /// `offset` counted in `file` (the end of a span lies in its start's file).
    fn get(&self, file: Option<crate::FileId>, offset: usize) -> usize {
        let Some(id) = file else { return 0 };
        let (Some(table), Some(f)) = (self.tables.get(id.0 as usize), self.map.get(id)) else {
            return 0;
        };
        table.get(offset.saturating_sub(f.base()))
    }
}

/// Byte offset to UTF-16 offset for a known set of offsets, in one pass over the text.
struct Utf16Offsets {
    /// Sorted `(byte, utf16)` pairs.
    table: Vec<(usize, usize)>,
}

impl Utf16Offsets {
    fn new(text: &str, offsets: &mut [usize]) -> Self {
        // kp-sort's one sort: `sort_unstable` would compile another copy into the wasm.
        kp_sort::sort(offsets);
        let mut table = Vec::with_capacity(offsets.len());
        if text.is_ascii() {
            // A unit per byte: no need to walk the characters (a fifth of a keystroke's
            // check of a large program).
            table.extend(offsets.iter().map(|&o| (o, o.min(text.len()))));
            table.dedup();
            return Utf16Offsets { table };
        }
        let mut chars = text.char_indices().peekable();
        let mut units = 0;
        for &offset in offsets.iter() {
            // An offset inside a character counts as that character's start.
            while let Some(&(i, ch)) = chars.peek() {
                if i + ch.len_utf8() > offset {
                    break;
                }
                units += ch.len_utf16();
                chars.next();
            }
            table.push((offset, units));
        }
        table.dedup();
        Utf16Offsets { table }
    }

    fn get(&self, byte: usize) -> usize {
        match self.table.binary_search_by_key(&byte, |&(b, _)| b) {
            Ok(i) => self.table.get(i).map_or(0, |&(_, u)| u),
            Err(_) => 0,
        }
    }
}

/// The file and 1-based line of a global offset.
fn file_line(map: &SourceMap, offset: usize) -> (String, usize) {
    map.file_of(offset).map_or((String::new(), 1), |f| {
        (f.name().to_string(), f.line_col(offset).line)
    })
}

fn view(map: &SourceMap, program: &Program, graph: &Graph, target: Target) -> View {
    let mut level_of = vec![0; graph.nodes.len()];
    for (level, nodes) in graph.levels.iter().enumerate() {
        for &n in nodes {
            if let Some(slot) = level_of.get_mut(n) {
                *slot = level;
            }
        }
    }
    let nodes = graph
        .nodes
        .iter()
        .zip(&level_of)
        .map(|(node, &level)| {
            let resource = program.resources.get(node.resource);
            let (file, line) =
                resource.map_or((String::new(), 1), |r| file_line(map, r.span.start));
            ViewNode {
                id: node.id.to_string(),
                kind: node.kind,
                name: resource.map_or_else(|| node.id.to_string(), |r| r.name.to_string()),
                path: resource.map_or_else(|| node.id.to_string(), |r| r.path.to_string()),
                level,
                workload: resource.and_then(|r| r.workload.as_deref().map(String::from)),
                mount: resource.and_then(|r| r.mount.as_deref().map(String::from)),
                file,
                line,
            }
        })
        .collect();
    View {
        nodes,
        edges: graph
            .edges
            .iter()
            .map(|e| ViewEdge {
                from: e.from,
                to: e.to,
            })
            .collect(),
        levels: graph.levels.clone(),
        workloads: program
            .workloads
            .iter()
            .map(|w| view_workload(program, w, map))
            .collect(),
        extern_policies: program.extern_policies.clone(),
        access: crate::access::matrix::matrix(program, target),
    }
}

fn view_workload(program: &Program, w: &Workload, map: &SourceMap) -> ViewWorkload {
    let role = w
        .role
        .as_ref()
        .and_then(|id| program.resources.iter().find(|r| &r.id == id));
    let policies: Vec<String> = role
        .and_then(|r| r.body.get("token_policies"))
        .map(|v| v.strs().into_iter().map(String::from).collect())
        .unwrap_or_default();
    let mut attached = Vec::new();
    let mut external = Vec::new();
    for name in policies.iter().filter(|p| **p != w.policy) {
        let doc = program
            .resources
            .iter()
            .find_map(|r| match (&r.kind, &r.policy) {
                (ResourceKind::Policy, Some(doc)) if &r.name == name => Some(doc),
                _ => None,
            });
        match doc {
            Some(doc) => attached.extend(doc.rules.iter().map(|rule| AttachedRule {
                policy: name.clone(),
                path: rule.path.to_string(),
                capabilities: rule.capabilities.to_vec(),
            })),
            None => external.push(name.clone()),
        }
    }
    let (file, line) = file_line(map, w.span.start);
    ViewWorkload {
        name: w.name.to_string(),
        description: w.description.clone(),
        role: w.role.as_deref().map(String::from),
        policy: w.policy.to_string(),
        rules: w.rules.to_vec(),
        policies,
        attached,
        external,
        file,
        line,
    }
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| {
        // Serialising these plain structs cannot fail; answer in the same shape if it does.
        serde_json::json!({ "ok": false, "error": format!("internal error: {e}") }).to_string()
    })
}

/// The response of [`explain_code_json`]: the entry of `docs/diagnostics.md` for a code
/// (Markdown), or an error with the nearest documented code.
#[derive(Debug, Serialize)]
pub struct ExplainCodeResponse {
    pub ok: bool,
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<&'static str>,
}

/// Explains a diagnostic code: `{ ok, code, text }` or `{ ok: false, code, error, suggestion }`.
pub fn explain_code_json(code: &str) -> String {
    let response = match crate::explain_code::explain_code(code) {
        Ok(text) => ExplainCodeResponse {
            ok: true,
            code: code.trim().to_string(),
            text: Some(text),
            error: None,
            suggestion: None,
        },
        Err(e) => ExplainCodeResponse {
            ok: false,
            code: code.trim().to_string(),
            text: None,
            error: Some(e.to_string()),
            suggestion: e.suggestion,
        },
    };
    to_json(&response)
}

mod edited;
mod schema;
mod write;

mod access;
pub use access::{
    access, access_json, diff, diff_json, parse_claims, simulate, simulate_json, AccessResponse,
    DiffResponse, SimulateResponse,
};
pub use edited::EditedText;
pub use schema::{schema, schema_json, BlockInfo, FieldInfo, SchemaResponse};

#[cfg(test)]
mod tests;

/// The response of [`format_json`]: the program in the canonical layout, or the syntax
/// errors that stop the formatter (which never guesses a layout for a broken tree).
#[derive(Debug, Serialize)]
pub struct FormatResponse {
    /// True when the text was formatted (it had no syntax error).
    pub ok: bool,
    /// The formatted text; `None` when `ok` is false.
    pub formatted: Option<String>,
    /// Whether formatting changed anything.
    pub changed: bool,
    /// The syntax errors, when `ok` is false.
    pub diagnostics: Vec<JsonDiagnostic>,
}

/// Formats a program (`kp_fmt::format`): `{ ok, formatted, changed, diagnostics }`.
pub fn format_json(source: &str) -> String {
    write::to_string(&format_source(source))
}

/// The typed form of [`format_json`].
pub fn format_source(source: &str) -> FormatResponse {
    match kp_fmt::format(source) {
        Ok(formatted) => FormatResponse {
            ok: true,
            changed: formatted != source,
            formatted: Some(formatted),
            diagnostics: Vec::new(),
        },
        Err(errors) => FormatResponse {
            ok: false,
            formatted: None,
            changed: false,
            diagnostics: diagnostics_in(&SourceMap::single(PLAYGROUND_FILE, source), &errors),
        },
    }
}

/// The request of [`explain_json`]: `{"paths": [...], "as": NAME?, "policies": [...]?}`.
#[derive(Debug)]
pub struct ExplainRequest {
    pub paths: Vec<String>,
    pub as_name: Option<String>,
    pub policies: Option<Vec<String>>,
}

impl ExplainRequest {
    /// Reads the request from JSON (with [`kp_access::json`], not serde_json's reader),
    /// then by hand from the value it reads, not derived: a derived `Deserialize`
    /// links serde's type-error messages, and with them float formatting (16 KB), into the
    /// playground. Unknown keys are ignored; `null` is absent.
    pub fn from_json(text: &str) -> Result<ExplainRequest, String> {
        use kp_access::json::to_string as to_text;
        use kp_access::json::Value as Json;
        let value: Json = kp_access::json::from_str(text).map_err(|e| e.to_string())?;
        let Json::Object(fields) = value else {
            return Err("expected an object {\"paths\": [...], \"as\"?, \"policies\"?}".into());
        };
        let strings = |key: &str| -> Result<Option<Vec<String>>, String> {
            match kp_access::json::field(&fields, key) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::Array(items)) => items
                    .iter()
                    .map(|item| match item {
                        Json::String(s) => Ok(s.clone()),
                        other => Err(format!("`{key}` must list strings, not {}", to_text(other))),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(other) => Err(format!(
                    "`{key}` must be a list of strings, not {}",
                    to_text(other)
                )),
            }
        };
        let as_name = match kp_access::json::field(&fields, "as") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => Some(s.clone()),
            Some(other) => return Err(format!("`as` must be a string, not {}", to_text(other))),
        };
        Ok(ExplainRequest {
            paths: strings("paths")?.ok_or("missing field `paths`")?,
            as_name,
            policies: strings("policies")?,
        })
    }
}

/// The response of [`explain_json`]: the check response plus the explanation
/// (`{"paths": [{"path", "identities": [...]}]}`) when the program compiled.
#[derive(Debug, Serialize)]
pub struct ExplainResponse {
    pub ok: bool,
    pub target: Option<Target>,
    pub diagnostics: Vec<JsonDiagnostic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<crate::explain::PathAnswer>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Explains the capabilities of the program's identities on concrete paths, as Vault's
/// ACL computes them (`request` is an [`ExplainRequest`] as JSON).
pub fn explain_json(source: &str, target: &str, request: &str) -> String {
    write::to_string(&explain(source, target, request))
}

/// The typed form of [`explain_json`].
pub fn explain(source: &str, target: &str, request: &str) -> ExplainResponse {
    let mut resp = ExplainResponse {
        ok: false,
        target: None,
        diagnostics: Vec::new(),
        paths: None,
        error: None,
    };
    let req = match ExplainRequest::from_json(request) {
        Ok(r) => r,
        Err(e) => {
            resp.error = Some(format!("bad explain request: {e}"));
            return resp;
        }
    };
    // `auto` (the playground's implied target) as every other call takes it.
    let compiled = match compile_for(SourceMap::single(PLAYGROUND_FILE, source), target) {
        Ok(c) => c,
        Err(error) => {
            resp.error = Some(error);
            return resp;
        }
    };
    let target = compiled.target;
    resp.target = Some(target);
    resp.diagnostics = diagnostics_in(&compiled.sources, &compiled.diagnostics);
    let Some(program) = compiled.program.as_ref() else {
        resp.error = Some("the program has errors".into());
        return resp;
    };
    let opts = crate::explain::ExplainOptions {
        as_name: req.as_name,
        policies: req.policies,
    };
    match crate::explain::explain(program, &req.paths, &opts, target) {
        Ok(e) => {
            resp.ok = true;
            resp.paths = Some(e.paths);
        }
        Err(e) => resp.error = Some(e.to_string()),
    }
    resp
}

/// The response of [`import_json`]: the imported program (also per file), its warnings,
/// the paths the snapshot could not read and the variables to set; or the error.
#[derive(Debug, Serialize)]
pub struct ImportResponse {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported: Option<kp_import::Imported>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `keyplan import` without a server: a snapshot of one (`kp_import::Snapshot` as JSON,
/// what the live edge reads) becomes a formatted program for `target`.
pub fn import_json(snapshot: &str, target: &str) -> String {
    to_json(&import_snapshot(snapshot, target))
}

/// The typed form of [`import_json`].
pub fn import_snapshot(snapshot: &str, target: &str) -> ImportResponse {
    let fail = |error: String| ImportResponse {
        ok: false,
        imported: None,
        error: Some(error),
    };
    let target = match parse_target(target) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let snapshot: kp_import::Snapshot = match serde_json::from_str(snapshot) {
        Ok(s) => s,
        Err(e) => return fail(format!("not a server snapshot: {e}")),
    };
    let options = kp_import::Options {
        target,
        ..kp_import::Options::default()
    };
    ImportResponse {
        ok: true,
        imported: Some(kp_import::import(&snapshot, &options)),
        error: None,
    }
}
