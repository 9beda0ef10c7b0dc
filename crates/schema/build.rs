//! Turns `schemas/endpoints/*.json` (sorted by file name) into Rust static tables
//! (`endpoints.rs` in `OUT_DIR`): the typed catalog is built from them on first use with no
//! JSON parse, so loading it costs next to nothing in the CLI and the playground carries
//! neither the documents' JSON syntax nor the code that read it. A document the tables
//! cannot express is a build error here, not an endpoint missing at run time.
//!
//! The documents themselves are embedded too, without their layout whitespace, for
//! [`json_schema`](../src/lib.rs): only tests validate bodies against them, so in the CLI
//! and the wasm the linker drops them.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

use serde_json::{Map, Value};

type Result<T, E = Box<dyn Error>> = std::result::Result<T, E>;

fn main() -> Result<()> {
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
    let mut tables = String::from(
        "/// Every endpoint schema as a table, sorted by id.\n\
         pub(crate) static ENDPOINTS: &[RawEndpoint] = &[\n",
    );
    for (id, path) in &documents {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(path)?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
        endpoint(&mut tables, id, &doc).map_err(|e| format!("{}: {e}", path.display()))?;

        let compact = out_dir.join(format!("{id}.json"));
        fs::write(&compact, minify(&text))?;
        let compact = compact.to_str().ok_or("non-UTF-8 output path")?;
        writeln!(raw, "    ({id:?}, include_str!({compact:?})),")?;
    }
    raw.push_str("];\n");
    tables.push_str("];\n");

    fs::write(out_dir.join("documents.rs"), raw)?;
    fs::write(out_dir.join("endpoints.rs"), tables)?;
    Ok(())
}

/// One `RawEndpoint { .. }` of the table (the reading `src/load.rs` does in the crate's tests,
/// which check that both agree).
fn endpoint(out: &mut String, id: &str, doc: &Value) -> Result<()> {
    let top = doc.as_object().ok_or("document is not an object")?;
    let ext = top
        .get("x-keyplan")
        .and_then(Value::as_object)
        .ok_or("missing `x-keyplan` object")?;
    let targets = targets(ext.get("targets")).ok_or("`x-keyplan.targets` must list targets")?;
    let write = match str_of(ext, "write")? {
        "merge" => "Merge",
        "replace" => "Replace",
        other => return Err(format!("unknown write mode `{other}`").into()),
    };
    writeln!(out, "    RawEndpoint {{")?;
    writeln!(out, "        id: {id:?},")?;
    writeln!(out, "        path: {:?},", str_of(ext, "path")?)?;
    writeln!(out, "        title: {:?},", str_of(top, "title")?)?;
    writeln!(out, "        targets: {},", targets_literal(&targets))?;
    writeln!(out, "        write: WriteMode::{write},")?;
    writeln!(
        out,
        "        description: {:?},",
        text_of(top, "description")
    )?;
    writeln!(out, "        source: {:?},", str_of(ext, "source")?)?;
    write!(out, "        fields: ")?;
    fields(out, top, &targets, 2)?;
    writeln!(out, ",\n    }},")?;
    Ok(())
}

/// The `properties` of an object schema as `&[RawField { .. }]`, sorted by name (the order
/// of the map they go into).
fn fields(
    out: &mut String,
    object: &Map<String, Value>,
    inherited: &[&str],
    depth: usize,
) -> Result<()> {
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(properties) = object.get("properties") else {
        out.push_str("&[]");
        return Ok(());
    };
    let properties = properties
        .as_object()
        .ok_or("`properties` is not an object")?;
    let mut sorted: Vec<(&String, &Value)> = properties.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let pad = "    ".repeat(depth);
    out.push_str("&[\n");
    for (name, schema) in sorted {
        field(
            out,
            name,
            schema,
            required.contains(&name.as_str()),
            inherited,
            depth + 1,
        )
        .map_err(|e| format!("property `{name}`: {e}"))?;
    }
    write!(out, "{pad}]")?;
    Ok(())
}

fn field(
    out: &mut String,
    name: &str,
    schema: &Value,
    required: bool,
    inherited: &[&str],
    depth: usize,
) -> Result<()> {
    let schema = schema.as_object().ok_or("not an object")?;
    let ty = match str_of(schema, "x-keyplan-type")? {
        "string" => "String",
        "int" => "Int",
        "bool" => "Bool",
        "duration" => "Duration",
        "list" => "List",
        "comma-list" => "CommaList",
        "map" => "Map",
        "any" => "Any",
        other => return Err(format!("unknown x-keyplan-type `{other}`").into()),
    };
    let targets = match schema.get("x-keyplan-targets") {
        None => inherited.to_vec(),
        some => targets(some).ok_or("bad `x-keyplan-targets`")?,
    };
    let allowed: Vec<String> = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let json_type = match schema.get("type").and_then(Value::as_str) {
        None => "Any",
        Some("string") => "String",
        Some("integer") => "Integer",
        Some("boolean") => "Boolean",
        Some("array") => "Array",
        Some("object") => "Object",
        Some(other) => return Err(format!("unsupported JSON type `{other}`").into()),
    };
    let flag = |key: &str| schema.get(key).and_then(Value::as_bool).unwrap_or(false);
    let default = match schema.get("default") {
        None => "None".to_owned(),
        Some(Value::Bool(b)) => format!("Some(RawDefault::Bool({b}))"),
        Some(Value::String(s)) => format!("Some(RawDefault::Str({s:?}))"),
        Some(Value::Number(n)) if n.is_i64() => format!("Some(RawDefault::Int({n}))"),
        Some(other) => {
            return Err(format!(
                "default `{other}`: the tables hold booleans, integers and strings only"
            )
            .into())
        }
    };
    let source = match schema.get("x-keyplan-source").and_then(Value::as_str) {
        Some(source) => format!("Some({source:?})"),
        None => "None".to_owned(),
    };

    let pad = "    ".repeat(depth);
    writeln!(out, "{pad}RawField {{")?;
    writeln!(out, "{pad}    name: {name:?},")?;
    writeln!(out, "{pad}    ty: FieldType::{ty},")?;
    writeln!(
        out,
        "{pad}    description: {:?},",
        text_of(schema, "description")
    )?;
    writeln!(out, "{pad}    required: {required},")?;
    writeln!(out, "{pad}    sensitive: {},", flag("x-keyplan-sensitive"))?;
    writeln!(out, "{pad}    default: {default},")?;
    writeln!(out, "{pad}    allowed: &{allowed:?},")?;
    writeln!(out, "{pad}    json_type: JsonType::{json_type},")?;
    writeln!(out, "{pad}    deprecated: {},", flag("deprecated"))?;
    writeln!(out, "{pad}    targets: {},", targets_literal(&targets))?;
    writeln!(out, "{pad}    source: {source},")?;
    writeln!(
        out,
        "{pad}    ignored: {},",
        ignored(schema.get("x-keyplan-ignored"))?
    )?;
    write!(out, "{pad}    fields: ")?;
    fields(out, schema, &targets, depth + 1)?;
    writeln!(out, ",\n{pad}}},")?;
    Ok(())
}

const TARGETS: [(&str, &str); 2] = [("vault", "Vault"), ("openbao", "Openbao")];

fn target_variant(keyword: &str) -> Option<&'static str> {
    TARGETS
        .iter()
        .find(|(k, _)| *k == keyword)
        .map(|(_, variant)| *variant)
}

/// A non-empty list of target keywords, in the document's order.
fn targets(value: Option<&Value>) -> Option<Vec<&str>> {
    let list = value?.as_array()?;
    let targets: Option<Vec<&str>> = list
        .iter()
        .map(|t| t.as_str().filter(|k| target_variant(k).is_some()))
        .collect();
    targets.filter(|t| !t.is_empty())
}

fn targets_literal(targets: &[&str]) -> String {
    let variants: Vec<String> = targets
        .iter()
        .filter_map(|k| target_variant(k))
        .map(|v| format!("Target::{v}"))
        .collect();
    format!("&[{}]", variants.join(", "))
}

/// `x-keyplan-ignored` as `&[(Target, note)]`, sorted by target (the order of its map).
fn ignored(value: Option<&Value>) -> Result<String> {
    let Some(value) = value else {
        return Ok("&[]".to_owned());
    };
    let bad = || "`x-keyplan-ignored` must map targets to evidence notes".to_owned();
    let mut entries = Vec::new();
    for (target, note) in value.as_object().ok_or_else(bad)? {
        let rank = TARGETS
            .iter()
            .position(|(k, _)| k == target)
            .ok_or_else(bad)?;
        let note = note.as_str().ok_or_else(bad)?;
        entries.push((rank, format!("(Target::{}, {note:?})", TARGETS[rank].1)));
    }
    entries.sort();
    let entries: Vec<String> = entries.into_iter().map(|(_, e)| e).collect();
    Ok(format!("&[{}]", entries.join(", ")))
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
