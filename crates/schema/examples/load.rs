//! Times the catalog's first use, which builds it (`cargo run --release -p kp-schema
//! --example load`): the load every CLI run pays once.
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let fields: usize = kp_schema::endpoints().map(|e| e.fields.len()).sum();
    let first = t.elapsed();
    let t = Instant::now();
    let again = kp_schema::endpoints().count();
    println!(
        "catalog load {first:?} ({again} endpoints, {fields} fields); next use {:?}",
        t.elapsed()
    );
}
