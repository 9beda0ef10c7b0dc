//! `build --emit api` streams `calls.json` (to its file under `-o`, or to standard output)
//! instead of building it whole: the bytes must be exactly the library's.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

#[path = "../../keyplan/benches/generate.rs"]
mod generate;

use common::{keyplan_in, temp_dir, text};

#[test]
fn streamed_calls_are_the_librarys_bytes() {
    let dir = temp_dir("streamed");
    // 200 workloads: about 280 KB of calls, so several chunks of the stream.
    let program = generate::program(200);
    std::fs::write(dir.join("big.kp"), &program).unwrap();
    let compiled = keyplan::compile_implied(&program);
    let expected = keyplan::emit(&compiled, keyplan::Emit::Api).expect("compiles");
    let [expected] = expected.as_slice() else {
        panic!("one file");
    };
    assert!(expected.contents.len() > 2 * 128 * 1024);

    let out = keyplan_in(
        &dir,
        &["build", "big.kp", "--emit", "api", "-o", "out"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("out").join(&expected.name)).unwrap();
    assert!(written == expected.contents, "calls.json differs");
    // calls.json and the list of what the build wrote (`.keyplan-outputs`).
    let names: Vec<_> = std::fs::read_dir(dir.join("out")).unwrap().collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");

    let out = keyplan_in(&dir, &["build", "big.kp", "--emit", "api"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout) == expected.contents, "stdout differs");
}
