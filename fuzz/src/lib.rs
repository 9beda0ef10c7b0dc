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

/// An editor's re-check after edits (`json_api::Checker`: the reparse of the blocks an edit
/// can have changed, and the memo's replay of the others) answers exactly as a check from
/// scratch of the same text. The edits come from the input itself: each copies a slice of
/// the text over another, so braces, quotes, comments and heredoc markers open and close
/// where the fuzzer put them.
pub fn recheck(source: &str) {
    let mut checker = keyplan::json_api::Checker::new();
    let mut text = source.to_string();
    // A fixed sequence per input (the fuzzer needs every run of an input to be the same).
    let mut seed = source.len() as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = |bound: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % (bound + 1)
    };
    for step in 0..4 {
        let target = if step % 2 == 0 { "vault" } else { "openbao" };
        let answer = checker.check_json(&text, target);
        let fresh = keyplan::json_api::check_json(&text, target);
        assert!(
            answer == fresh,
            "re-check after {step} edits differs from a check from scratch:\n{answer}\n{fresh}"
        );
        let cut = range(&text, next(text.len()), next(16));
        let copied = range(&text, next(text.len()), next(64));
        let piece = text.get(copied).unwrap_or_default().to_string();
        text.replace_range(cut, &piece);
    }
}

/// `len` bytes from `start`, both moved back to character boundaries of `text`.
fn range(text: &str, start: usize, len: usize) -> std::ops::Range<usize> {
    let floor = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    floor(start)..floor(start.saturating_add(len)).max(floor(start))
}
