//! Embeds `schemas/endpoints/*.json` (sorted by file name) as an `include_str!` table, so the
//! crate does no I/O at run time and builds for wasm32-unknown-unknown.

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
    for (id, path) in &documents {
        println!("cargo:rerun-if-changed={}", path.display());
        let path = path.to_str().ok_or("non-UTF-8 schema path")?;
        writeln!(table, "    ({id:?}, include_str!({path:?})),")?;
    }
    table.push_str("];\n");

    let out = PathBuf::from(env::var("OUT_DIR")?).join("endpoints.rs");
    fs::write(out, table)?;
    Ok(())
}
