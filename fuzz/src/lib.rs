//! What the fuzz targets run on each input. Besides "no panic, no hang" they assert the
//! invariants every client of the compiler relies on: diagnostics point inside the text
//! at character boundaries, come sorted, and a program without errors always compiles and
//! emits every format.

use keyplan::{Diagnostic, Emit, LineIndex, Options, Span, Target};

/// `kp_syntax::parse` alone.
pub fn parse(source: &str) {
    let parsed = kp_syntax::parse(source);
    check_diagnostics(source, &parsed.diagnostics);
    let starts: Vec<usize> = parsed.diagnostics.iter().map(|d| d.span.start).collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "parse diagnostics are not sorted by position: {starts:?}"
    );
}

/// `keyplan::compile` for both targets, then every emitter and the JSON API.
pub fn compile(source: &str) {
    for target in [Target::Vault, Target::Openbao] {
        let compiled = keyplan::compile(source, &Options { target });
        check_diagnostics(source, &compiled.diagnostics);
        if compiled.has_errors() {
            for format in Emit::ALL {
                assert!(
                    keyplan::emit(&compiled, format).is_none(),
                    "{} emitted despite errors",
                    format.name()
                );
            }
        } else {
            assert!(
                compiled.program.is_some() && compiled.graph.is_some(),
                "no error but no program or graph"
            );
            for format in Emit::ALL {
                let files = keyplan::emit(&compiled, format);
                assert!(
                    files.is_some(),
                    "{} not emitted without errors",
                    format.name()
                );
            }
        }
    }
    // The playground's entry point: UTF-16 positions and the graph view.
    let response = keyplan::json_api::build_json(source, "vault");
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&response) {
        panic!("json_api::build_json returned invalid JSON: {e}");
    }
}

fn check_diagnostics(source: &str, diagnostics: &[Diagnostic]) {
    let index = LineIndex::new(source);
    for d in diagnostics {
        check_span(source, d, d.span, "primary");
        for related in &d.related {
            check_span(source, d, related.span, "related");
        }
        assert!(
            d.code.starts_with("kp::"),
            "diagnostic code `{}` does not start with `kp::`",
            d.code
        );
        let _ = d.locate("fuzz.kp", &index);
    }
}

fn check_span(source: &str, d: &Diagnostic, span: Span, which: &str) {
    assert!(
        span.start <= span.end && span.end <= source.len(),
        "{} {which} span {}..{} outside the text (len {})",
        d.code,
        span.start,
        span.end,
        source.len()
    );
    assert!(
        source.is_char_boundary(span.start) && source.is_char_boundary(span.end),
        "{} {which} span {}..{} splits a character",
        d.code,
        span.start,
        span.end
    );
}
