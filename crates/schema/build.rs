//! Embeds `schemas/endpoints/*.json` (sorted by file name) as an `include_str!` table, so the
//! crate does no I/O at run time and builds for wasm32-unknown-unknown. The documents are
//! embedded without their layout whitespace (a fifth of their bytes, in every binary and
//! in the playground's download): same JSON, same parse.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, fs};

fn main() -> Result<(), Box<dyn Error>> {
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

    let mut table = String::from(
        "/// `(id, JSON text)` of every embedded endpoint schema, sorted by id.\n\
         pub(crate) static DOCUMENTS: &[(&str, &str)] = &[\n",
    );
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    for (id, path) in &documents {
        println!("cargo:rerun-if-changed={}", path.display());
        let compact = out_dir.join(format!("{id}.json"));
        fs::write(&compact, minify(&fs::read_to_string(path)?))?;
        let compact = compact.to_str().ok_or("non-UTF-8 output path")?;
        writeln!(table, "    ({id:?}, include_str!({compact:?})),")?;
    }
    table.push_str("];\n");

    fs::write(out_dir.join("endpoints.rs"), table)?;
    Ok(())
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
