//! Prints the schema completion and hover read (`json_api::schema_json`), with every
//! description: `scripts/build-web.sh` writes it to `web/src/pkg/schema.json`, which the
//! playground fetches instead of asking the wasm (built without descriptions).
fn main() {
    println!("{}", keyplan::json_api::schema_json());
}
