//! Turns `schemas/endpoints/*.json` (sorted by file name) into Rust static tables
//! (`endpoints.rs` in `OUT_DIR`): the typed catalog is built from them on first use with no
//! JSON parse, so loading it costs next to nothing in the CLI and the playground carries
//! neither the documents' JSON syntax nor the code that read it. A document the tables
//! cannot express is a build error here, not an endpoint missing at run time.
//!
//! The documents themselves are embedded too, without their layout whitespace, for
//! [`json_schema`](../src/lib.rs): only tests validate bodies against them, so in the CLI
//! and the wasm the linker drops them.

// Runs on the host at build time, never in the wasm: the standard sorts are fine here.
#![allow(clippy::disallowed_methods)]

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

use serde_json::{Map, Value};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

fn main() -> Result<()> {
    // Without the `docs` feature (the playground's wasm) the descriptions and sources are
    // left out of the tables: they are a third of the catalog, and the page reads them
    // from the schema asset `scripts/build-web.sh` writes with a native build.
    let docs = env::var_os("CARGO_FEATURE_DOCS").is_some();
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let dir = manifest_dir.join("../../schemas/endpoints");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut documents = Vec::new();
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let Some(id) = path.file_stem().and_then(|stem| stem.to_str()) else {
                return Err(format!("non-UTF-8 schema file name: {}", path.display()).into());
            };
            documents.push((id.to_owned(), fs::canonicalize(&path)?));
        }
    }
    documents.sort();

    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let mut raw = String::from(
        "/// `(id, JSON text)` of every embedded endpoint schema, sorted by id.\n\
         pub(crate) static DOCUMENTS: &[(&str, &str)] = &[\n",
    );
    let mut table = String::new();
    for (id, path) in &documents {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(path)?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
        endpoint(&mut table, id, &doc, docs).map_err(|e| format!("{}: {e}", path.display()))?;

        let compact = out_dir.join(format!("{id}.json"));
        fs::write(&compact, minify(&text))?;
        let compact = compact.to_str().ok_or("non-UTF-8 output path")?;
        writeln!(raw, "    ({id:?}, include_str!({compact:?})),")?;
    }
    raw.push_str("];\n");

    fs::write(out_dir.join("documents.rs"), raw)?;
    fs::write(
        out_dir.join("endpoints.rs"),
        format!(
            "/// Every endpoint schema, sorted by id, in the record format of `table.rs`.\n\
             pub(crate) static TABLE: &str = {table:?};\n"
        ),
    )?;
    Ok(())
}

// The record format `src/table.rs` reads: records end with RS, fields are separated by US,
// list items end with GS. No text of the documents may hold these (checked below).
const RS: char = '\u{1e}';
const US: char = '\u{1f}';
const GS: char = '\u{1d}';

/// Appends one field of a record: the text, then US (or RS ending the record).
fn put(out: &mut String, text: &str, end: char) -> Result<()> {
    if text.contains(['\u{1c}', GS, RS, US]) {
        return Err(format!("text holds a control character the tables use: {text:?}").into());
    }
    out.push_str(text);
    out.push(end);
    Ok(())
}

/// Appends a field already encoded (a list of [`items`]).
fn put_encoded(out: &mut String, encoded: &str, end: char) {
    out.push_str(encoded);
    out.push(end);
}

/// Items each followed by GS (so that `[""]` and `[]` differ).
fn items<'a>(list: impl IntoIterator<Item = &'a str>) -> Result<String> {
    let mut out = String::new();
    for item in list {
        put(&mut out, item, GS)?;
    }
    Ok(out)
}

/// An endpoint's record, then its fields' (the reading `src/load.rs` does in the crate's
/// tests, which check that both agree):
/// `E id path title targets write description source`.
fn endpoint(out: &mut String, id: &str, doc: &Value, docs: bool) -> Result<()> {
    let top = doc.as_object().ok_or("document is not an object")?;
    let ext = top
        .get("x-keyplan")
        .and_then(Value::as_object)
        .ok_or("missing `x-keyplan` object")?;
    let targets = targets(ext.get("targets")).ok_or("`x-keyplan.targets` must list targets")?;
    let write = match str_of(ext, "write")? {
        write @ ("merge" | "replace") => write,
        other => return Err(format!("unknown write mode `{other}`").into()),
    };
    put(out, "E", US)?;
    put(out, id, US)?;
    put(out, str_of(ext, "path")?, US)?;
    put(out, str_of(top, "title")?, US)?;
    put_encoded(out, &items(targets.iter().copied())?, US);
    put(out, write, US)?;
    let source = str_of(ext, "source")?;
    put(
        out,
        if docs {
            text_of(top, "description")
        } else {
            ""
        },
        US,
    )?;
    put(out, if docs { source } else { "" }, RS)?;
    // A field's plugins are bits of this list's positions (sorted by name).
    let mut plugins: Vec<&str> = ext
        .get("plugins")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    plugins.sort_unstable();
    if plugins.len() > 32 {
        return Err("more than 32 plugins: the tables keep a field's in a u32".into());
    }
    let cx = Cx {
        plugins: &plugins,
        docs,
    };
    fields(out, top, &targets, 1, &cx)
}

/// What every field record of an endpoint is written with.
struct Cx<'a> {
    /// The endpoint's `x-keyplan.plugins`, sorted.
    plugins: &'a [&'a str],
    docs: bool,
}

/// The records of the `properties` of an object schema, sorted by name (the order of the
/// map they go into), each followed by its own sub-fields one level deeper.
fn fields(
    out: &mut String,
    object: &Map<String, Value>,
    inherited: &[&str],
    depth: usize,
    cx: &Cx<'_>,
) -> Result<()> {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = object.get("properties") else {
        return Ok(());
    };
    let properties = properties
        .as_object()
        .ok_or("`properties` is not an object")?;
    let mut sorted: Vec<(&String, &Value)> = properties.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    for (name, schema) in sorted {
        field(
            out,
            name,
            schema,
            required.contains(&name.as_str()),
            inherited,
            depth,
            cx,
        )
        .map_err(|e| format!("property `{name}`: {e}"))?;
    }
    Ok(())
}

/// `F depth name type description flags default allowed json-type targets source ignored`
/// (flags: `r` required, `s` sensitive, `d` deprecated, else `-`, then the field's plugins
/// as a hex bit set of `x-keyplan.plugins` positions when it names some; default: empty, or `b`,
/// `i` or `s` and the value; source: empty, or `=` and the text; ignored: target, note,
/// each followed by GS).
fn field(
    out: &mut String,
    name: &str,
    schema: &Value,
    required: bool,
    inherited: &[&str],
    depth: usize,
    cx: &Cx<'_>,
) -> Result<()> {
    let docs = cx.docs;
    let schema = schema.as_object().ok_or("not an object")?;
    let ty = match str_of(schema, "x-keyplan-type")? {
        ty @ ("string" | "int" | "bool" | "duration" | "list" | "comma-list" | "map" | "any") => ty,
        other => return Err(format!("unknown x-keyplan-type `{other}`").into()),
    };
    let targets = match schema.get("x-keyplan-targets") {
        None => inherited.to_vec(),
        some => targets(some).ok_or("bad `x-keyplan-targets`")?,
    };
    let allowed: Vec<String> = schema
        .get("enum")
        // A list's enumeration is its items' (`jwt_supported_algs`).
        .or_else(|| schema.get("items").and_then(|items| items.get("enum")))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let json_type = match schema.get("type").and_then(Value::as_str) {
        None => "",
        Some(ty @ ("string" | "integer" | "boolean" | "array" | "object")) => ty,
        Some(other) => return Err(format!("unsupported JSON type `{other}`").into()),
    };
    let flag = |key: &str| schema.get(key).and_then(Value::as_bool).unwrap_or(false);
    let mut flags: String = [
        (required, 'r'),
        (flag("x-keyplan-sensitive"), 's'),
        (flag("deprecated"), 'd'),
    ]
    .iter()
    .map(|&(on, c)| if on { c } else { '-' })
    .collect();
    if let Some(owners) = schema.get("x-keyplan-plugins") {
        let mut bits = 0u32;
        for owner in owners
            .as_array()
            .ok_or("`x-keyplan-plugins` must list plugins")?
        {
            let at = owner
                .as_str()
                .and_then(|o| cx.plugins.iter().position(|p| *p == o))
                .ok_or_else(|| {
                    format!("`x-keyplan-plugins`: {owner} is not in `x-keyplan.plugins`")
                })?;
            bits |= 1 << at;
        }
        write!(flags, "{bits:x}")?;
    }
    let default = match schema.get("default") {
        None => String::new(),
        Some(Value::Bool(b)) => format!("b{b}"),
        Some(Value::String(s)) => format!("s{s}"),
        Some(Value::Number(n)) if n.is_i64() => format!("i{n}"),
        Some(other) => {
            return Err(format!(
                "default `{other}`: the tables hold booleans, integers and strings only"
            )
            .into())
        }
    };
    let source = match schema.get("x-keyplan-source").and_then(Value::as_str) {
        Some(source) if docs => format!("={source}"),
        _ => String::new(),
    };

    put(out, "F", US)?;
    put(out, &depth.to_string(), US)?;
    put(out, name, US)?;
    put(out, ty, US)?;
    put(
        out,
        if docs {
            text_of(schema, "description")
        } else {
            ""
        },
        US,
    )?;
    put(out, &flags, US)?;
    put(out, &default, US)?;
    put_encoded(out, &items(allowed.iter().map(String::as_str))?, US);
    put(out, json_type, US)?;
    put_encoded(out, &items(targets.iter().copied())?, US);
    put(out, &source, US)?;
    put_encoded(out, &ignored(schema.get("x-keyplan-ignored"))?, RS);
    fields(out, schema, &targets, depth + 1, cx)
}

const TARGETS: [&str; 2] = ["vault", "openbao"];

/// A non-empty list of target keywords, in the document's order.
fn targets(value: Option<&Value>) -> Option<Vec<&str>> {
    let list = value?.as_array()?;
    let targets: Option<Vec<&str>> = list
        .iter()
        .map(|t| t.as_str().filter(|k| TARGETS.contains(k)))
        .collect();
    targets.filter(|t| !t.is_empty())
}

/// `x-keyplan-ignored` as target, note, target, note..., sorted by target (the order of
/// its map).
fn ignored(value: Option<&Value>) -> Result<String> {
    let Some(value) = value else {
        return Ok(String::new());
    };
    let bad = || "`x-keyplan-ignored` must map targets to evidence notes".to_owned();
    let mut entries = Vec::new();
    for (target, note) in value.as_object().ok_or_else(bad)? {
        let rank = TARGETS.iter().position(|k| k == target).ok_or_else(bad)?;
        let note = note.as_str().ok_or_else(bad)?;
        entries.push((rank, note));
    }
    entries.sort();
    items(
        entries
            .iter()
            .flat_map(|&(rank, note)| [TARGETS[rank], note]),
    )
}

fn str_of<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    object
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string `{key}`"))
}

fn text_of<'a>(object: &'a Map<String, Value>, key: &str) -> &'a str {
    object.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// JSON text without the whitespace between tokens (strings, escapes included, untouched).
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}
