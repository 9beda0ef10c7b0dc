//! SARIF 2.1.0 with what GitHub code scanning reads: a driver with one rule per code
//! reported (short and full description, help, help URI, default level), and results with
//! a rule, a level, a message, a region and partial fingerprints.

use std::collections::BTreeMap;

use kp_diag::{Diagnostic, LineIndex, Severity};
use serde_json::{json, Value};

use crate::docs::{rule, DOCS_URL};
use crate::{Elsewhere, Failure, FileReport};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// One SARIF log with one run holding every file's diagnostics, in file order.
pub fn sarif(files: &[FileReport<'_>]) -> Value {
    sarif_with_failures(files, &[])
}

/// [`sarif`], with the programs that could not be read as the run's tool execution
/// notifications (the invocation then did not succeed).
pub fn sarif_with_failures(files: &[FileReport<'_>], failures: &[Failure<'_>]) -> Value {
    let mut codes: BTreeMap<&str, Severity> = BTreeMap::new();
    for file in files {
        for d in file.diagnostics {
            codes.entry(d.code).or_insert(d.severity);
        }
    }
    let rule_index: BTreeMap<&str, usize> =
        codes.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<Value> = codes
        .iter()
        .map(|(code, sev)| rule_json(code, *sev))
        .collect();
    let mut results = Vec::new();
    for file in files {
        let index = LineIndex::new(file.text);
        let uri = uri(file.name);
        let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (i, d) in file.diagnostics.iter().enumerate() {
            let line_text = line_text(file.text, &index, d.span.start);
            let occurrence = seen.entry((d.code, line_text)).or_insert(0);
            *occurrence += 1;
            let fingerprint = fingerprint(&[d.code, &uri, line_text, &occurrence.to_string()]);
            let mut result = result_json(
                d,
                &uri,
                &index,
                rule_index.get(d.code).copied().unwrap_or(0),
                &fingerprint,
            );
            let elsewhere = file.elsewhere.iter().filter(|e| e.diagnostic == i);
            add_elsewhere(&mut result, elsewhere);
            results.push(result);
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "keyplan",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": DOCS_URL,
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": failures.is_empty(),
                "toolExecutionNotifications": failures.iter().map(|f| json!({
                    "level": "error",
                    "message": { "text": f.message },
                    "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(f.name) } } }],
                })).collect::<Vec<_>>(),
            }],
            // Columns count characters, as in every other keyplan output.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule_json(code: &str, severity: Severity) -> Value {
    let (summary, description, help, url) = match rule(code) {
        Some(r) => (
            r.summary.clone(),
            r.description.clone(),
            r.markdown.clone(),
            r.url.clone(),
        ),
        None => (
            format!("keyplan diagnostic `{code}`"),
            format!("keyplan diagnostic `{code}`"),
            format!("See {DOCS_URL} for keyplan's diagnostics."),
            DOCS_URL.to_string(),
        ),
    };
    let kind = if code.starts_with("kp::syntax::") {
        "syntax"
    } else {
        "correctness"
    };
    json!({
        "id": code,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": description },
        "help": { "text": help, "markdown": help },
        "helpUri": url,
        "defaultConfiguration": { "level": level(severity) },
        "properties": { "tags": ["keyplan", kind] },
    })
}

fn result_json(d: &Diagnostic, uri: &str, index: &LineIndex, rule: usize, print: &str) -> Value {
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = d
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut loc = location(uri, index, r.span);
            if let Some(map) = loc.as_object_mut() {
                map.insert("id".into(), json!(i + 1));
                map.insert("message".into(), json!({ "text": r.label }));
            }
            loc
        })
        .collect();
    let mut result = json!({
        "ruleId": d.code,
        "ruleIndex": rule,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [location(uri, index, d.span)],
        "partialFingerprints": { "keyplanFingerprint/v1": print },
    });
    if let (false, Some(map)) = (related.is_empty(), result.as_object_mut()) {
        map.insert("relatedLocations".into(), Value::Array(related));
    }
    result
}

/// Appends the related locations in other files to a result's, numbered after them.
fn add_elsewhere<'e>(result: &mut Value, elsewhere: impl Iterator<Item = &'e Elsewhere>) {
    let Some(map) = result.as_object_mut() else {
        return;
    };
    let related = map
        .entry("relatedLocations")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(list) = related.as_array_mut() else {
        return;
    };
    for e in elsewhere {
        let mut loc = region(&uri(&e.file), e.start, e.end);
        if let Some(m) = loc.as_object_mut() {
            m.insert("id".into(), json!(list.len() + 1));
            m.insert("message".into(), json!({ "text": e.label }));
        }
        list.push(loc);
    }
    if list.is_empty() {
        map.remove("relatedLocations");
    }
}

fn location(uri: &str, index: &LineIndex, span: kp_diag::Span) -> Value {
    let start = index.line_col(span.start);
    let end = index.line_col(span.end);
    region(uri, (start.line, start.column), (end.line, end.column))
}

/// A physical location: the file's artifact and a region of 1-based lines and columns.
fn region(uri: &str, start: (usize, usize), end: (usize, usize)) -> Value {
    // SARIF 2.1.0 §3.4.4: a `uri` with a `uriBaseId` is relative to that base; an
    // absolute `file:` URI stands alone.
    let artifact = if uri.starts_with(FILE_SCHEME) {
        json!({ "uri": uri })
    } else {
        json!({ "uri": uri, "uriBaseId": "%SRCROOT%" })
    };
    json!({
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {
                "startLine": start.0,
                "startColumn": start.1,
                "endLine": end.0,
                "endColumn": end.1,
            }
        }
    })
}

/// The text of the line holding `offset`, trimmed: a finding's identity survives lines
/// added above it.
fn line_text<'t>(text: &'t str, index: &LineIndex, offset: usize) -> &'t str {
    let line = index.line_col(offset).line;
    text.lines()
        .nth(line.saturating_sub(1))
        .unwrap_or_default()
        .trim()
}

const FILE_SCHEME: &str = "file://";

/// The URI of a path: a relative reference for a relative path, a `file:` URI for an
/// absolute one (`/tmp/a.kp`, `C:\\a.kp`); `/` separators, other characters outside the
/// unreserved set percent-encoded.
fn uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    if name.starts_with('/') {
        return format!("{FILE_SCHEME}{}", encoded(&name));
    }
    if let [drive, b':', b'/', ..] = name.as_bytes() {
        if drive.is_ascii_alphabetic() {
            // `file:///C:/a.kp`: the drive's colon stays, as RFC 8089 writes it.
            let (letter, rest) = name.split_at(1);
            return format!(
                "{FILE_SCHEME}/{letter}:{}",
                encoded(rest.get(1..).unwrap_or(""))
            );
        }
    }
    let out = encoded(&name);
    out.strip_prefix("./").map(str::to_string).unwrap_or(out)
}

fn encoded(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// FNV-1a, 64 bits, over the parts separated by NUL: stable across runs and platforms.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash ^= 0xff; // never a byte of UTF-8 text: parts cannot run together
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        for byte in part.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("./examples/a b.kp"), "examples/a%20b.kp");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri(r"dir\x.kp"), "dir/x.kp");
    }

    #[test]
    fn absolute_paths_are_file_uris() {
        assert_eq!(uri("/tmp/a b.kp"), "file:///tmp/a%20b.kp");
        assert_eq!(uri(r"C:\work\a.kp"), "file:///C:/work/a.kp");
        assert_eq!(uri("c:/a.kp"), "file:///c:/a.kp");
        // A relative name with a colon is no drive.
        assert_eq!(uri("ab:/x.kp"), "ab%3A/x.kp");
    }

    #[test]
    fn fingerprints_depend_on_every_part() {
        assert_ne!(fingerprint(&["a", "bc"]), fingerprint(&["ab", "c"]));
        assert_eq!(fingerprint(&["x"]), fingerprint(&["x"]));
    }
}
