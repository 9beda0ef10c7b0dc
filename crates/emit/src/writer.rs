//! JSON written straight into the output string, pretty (two spaces, as
//! `serde_json::to_writer_pretty`) or compact (as `serde_json::to_string`), byte for byte
//! what serde_json wrote before (a test compares the two).
//!
//! Why not serde: its generic machinery, a `Serialize` struct per output shape and a
//! byte-at-a-time escaper cost more than the writing itself on plans of megabytes; here
//! a string with nothing to escape (nearly all of them) is copied whole.

use std::io::Write;

use kp_check::ir::{Body, HclMarks, Value, LITERAL_SECRET};

pub(crate) struct Json<'w> {
    out: String,
    pretty: bool,
    depth: usize,
    /// Nothing written yet inside the innermost open object or array.
    fresh: bool,
    /// Where a streamed document goes ([`Json::streaming`]), `chunk` bytes at a time.
    sink: Option<&'w mut dyn Write>,
    chunk: usize,
    /// The first error the sink gave: the document is still written to the end (into
    /// nothing), and [`Json::finish_streamed`] returns it.
    failed: Option<std::io::Error>,
}

/// How much a streamed document gathers before it goes to its sink: small enough that
/// the buffer stays in cache and its pages are reused, large enough for few writes.
pub(crate) const CHUNK: usize = 128 * 1024;

/// A comma, a line break and enough spaces for every indentation the outputs use: each
/// break between items is one copy of a slice of it.
const BREAK: &str = ",\n                                                                ";

impl<'w> Json<'w> {
    pub(crate) fn pretty(capacity: usize) -> Self {
        Json {
            out: String::with_capacity(capacity),
            pretty: true,
            depth: 0,
            fresh: false,
            sink: None,
            chunk: usize::MAX,
            failed: None,
        }
    }

    pub(crate) fn compact(out: String) -> Self {
        Json {
            out,
            pretty: false,
            depth: 0,
            fresh: false,
            sink: None,
            chunk: usize::MAX,
            failed: None,
        }
    }

    /// A pretty document written into `sink` about `chunk` bytes at a time (at the
    /// points the emitter calls [`Json::flush_if_full`]), never held whole: the same
    /// bytes as [`Json::pretty`] and [`Json::finish`] give.
    pub(crate) fn streaming(sink: &'w mut dyn Write, chunk: usize) -> Self {
        Json {
            // Room for a chunk and the item that crosses its end.
            out: String::with_capacity(chunk.saturating_add(chunk / 4).min(1 << 24)),
            sink: Some(sink),
            chunk,
            ..Json::pretty(0)
        }
    }

    /// Hands the text written so far to the sink of a streamed document once a chunk's
    /// worth has gathered; nothing for a document held in memory.
    #[inline]
    pub(crate) fn flush_if_full(&mut self) {
        if self.out.len() >= self.chunk {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if self.failed.is_none() {
            if let Err(e) = sink.write_all(self.out.as_bytes()) {
                self.failed = Some(e);
            }
        }
        self.out.clear();
    }

    /// The end of a streamed document: its final newline and the rest go to the sink;
    /// the first error writing any of it, if there was one.
    pub(crate) fn finish_streamed(mut self) -> std::io::Result<()> {
        if self.pretty {
            self.out.push('\n');
        }
        self.flush();
        match self.failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The text written; a pretty document gets its final newline.
    pub(crate) fn finish(mut self) -> String {
        if self.pretty {
            self.out.push('\n');
        }
        self.out
    }

    /// Where the next byte goes: with [`Json::repeat`], copies a piece written earlier.
    pub(crate) fn mark(&self) -> usize {
        self.out.len()
    }

    /// Writes again the text between two marks: the caller knows the same value at the
    /// same depth would be written the same way.
    pub(crate) fn repeat(&mut self, piece: std::ops::Range<usize>) {
        if let Some(text) = self.out.get(piece).map(str::to_owned) {
            self.out.push_str(&text);
        }
    }

    /// A line break (after a comma unless `first`) and the indentation of `depth`.
    #[inline]
    fn line_break(&mut self, first: bool) {
        let from = usize::from(first);
        let to = 2 + self.depth * 2;
        match BREAK.get(from..to) {
            Some(piece) => self.out.push_str(piece),
            None => {
                // Deeper than any output nests: the rest of the spaces one at a time.
                self.out.push_str(BREAK.get(from..).unwrap_or_default());
                for _ in BREAK.len()..to {
                    self.out.push(' ');
                }
            }
        }
    }

    /// Before each element of an array or member of an object.
    #[inline]
    fn item(&mut self) {
        if self.pretty {
            self.line_break(self.fresh);
        } else if !self.fresh {
            self.out.push(',');
        }
        self.fresh = false;
    }

    #[inline]
    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.fresh = true;
    }

    #[inline]
    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.fresh {
            self.line_break(true);
        }
        self.out.push(bracket);
        self.fresh = false;
    }

    pub(crate) fn begin_object(&mut self) {
        self.open('{');
    }

    pub(crate) fn end_object(&mut self) {
        self.close('}');
    }

    pub(crate) fn begin_array(&mut self) {
        self.open('[');
    }

    pub(crate) fn end_array(&mut self) {
        self.close(']');
    }

    /// The key of the next member of an object, one of the emitters' own field names;
    /// its value follows. Those names hold nothing to escape: they are copied as they
    /// are (every call of a plan repeats several of them).
    pub(crate) fn key(&mut self, key: &'static str) {
        debug_assert!(find_escape(key.as_bytes()).is_none(), "{key}");
        self.key_as(key, |out, key| out.push_str(key));
    }

    /// The key of a member of a request body: a schema's field name or the user's.
    fn body_key(&mut self, key: &str) {
        self.key_as(key, escape_into);
    }

    #[inline]
    fn key_as(&mut self, key: &str, write: impl Fn(&mut String, &str)) {
        self.item();
        self.out.push('"');
        write(&mut self.out, key);
        self.out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    /// The next element of an array; its value follows.
    pub(crate) fn element(&mut self) {
        self.item();
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.push_str_value(s),
            None => self.out.push_str("null"),
        }
    }

    pub(crate) fn int(&mut self, i: i64) {
        push_int(&mut self.out, i);
    }

    pub(crate) fn uint(&mut self, i: usize) {
        push_uint(&mut self.out, i as u64);
    }

    pub(crate) fn opt_uint(&mut self, i: Option<usize>) {
        match i {
            Some(i) => self.uint(i),
            None => self.out.push_str("null"),
        }
    }

    pub(crate) fn null(&mut self) {
        self.out.push_str("null");
    }

    pub(crate) fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    /// `"key": "value"`.
    pub(crate) fn str_member(&mut self, key: &'static str, value: &str) {
        self.key(key);
        self.push_str_value(value);
    }

    /// [`Json::str_member`] of a value the emitter spells itself (a kind's or target's
    /// name), which holds nothing to escape either.
    pub(crate) fn known_member(&mut self, key: &'static str, value: &'static str) {
        debug_assert!(find_escape(value.as_bytes()).is_none(), "{value}");
        self.key(key);
        self.out.push('"');
        self.out.push_str(value);
        self.out.push('"');
    }

    /// An array of strings.
    pub(crate) fn strs<'a>(&mut self, items: impl IntoIterator<Item = &'a str>) {
        self.begin_array();
        for s in items {
            self.element();
            self.push_str_value(s);
        }
        self.end_array();
    }

    /// A request body with each secret replaced by its placeholder, keys sorted.
    pub(crate) fn body(&mut self, body: &Body) {
        self.begin_object();
        for (k, v) in body {
            self.body_key(k);
            self.value(v);
        }
        self.end_object();
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Str(s) => self.push_str_value(s),
            Value::Int(i) => self.int(*i),
            Value::Bool(b) => self.bool(*b),
            Value::List(items) => {
                self.begin_array();
                for item in items {
                    self.element();
                    self.value(item);
                }
                self.end_array();
            }
            Value::Map(m) => self.body(m),
            Value::Env(e) => {
                // `${NAME}`: the name is escaped as one string would be.
                self.out.push_str("\"${");
                escape_into(&mut self.out, &e.env);
                self.out.push_str("}\"");
            }
            Value::Secret(_) => self.push_str_value(LITERAL_SECRET),
            // Written from the rules, already escaped: the text's dense quotes and line
            // breaks, found one by one, made escaping policies most of the API
            // emitter's work.
            Value::Policy(doc) => {
                self.out.push('"');
                doc.write_hcl_as(&mut self.out, &HclMarks::JSON, escape_hcl_path);
                self.out.push('"');
            }
        }
    }

    fn push_str_value(&mut self, s: &str) {
        self.out.push('"');
        escape_into(&mut self.out, s);
        self.out.push('"');
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `x` that JSON escapes (`"`, `\` and the control
/// characters below 0x20: serde_json's set; DEL and non-ASCII stay as they are), and
/// perhaps of bytes after such a byte (a borrow carries upwards), never before: the
/// lowest bit set is exact.
fn escape_bits(x: u64) -> u64 {
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    below_space
        | (quote.wrapping_sub(ONES) & !quote & HIGHS)
        | (backslash.wrapping_sub(ONES) & !backslash & HIGHS)
}

/// The index of the first byte JSON escapes, eight bytes at a time: output strings are
/// long runs of plain text (policy bodies are quoted HCL), so most bytes are skipped
/// a word at a time rather than looked at one by one.
fn find_escape(bytes: &[u8]) -> Option<usize> {
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let bits = escape_bits(u64::from_le_bytes(w));
        if bits != 0 {
            return Some(at + (bits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    // The last few bytes as one more word (most strings, names and paths, are shorter
    // than two words).
    let bits = escape_bits(padded_word(words.remainder()));
    (bits != 0).then(|| at + (bits.trailing_zeros() / 8) as usize)
}

/// Up to eight bytes as a little-endian word, the bytes missing `a` (which no scan here
/// looks for). Shifted in, not copied: a copy of a length not known at compile time is
/// a call to `memcpy`, dearer than the scan.
fn padded_word(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(ONES * u64::from(b'a'), |word, &b| {
        (word << 8) | u64::from(b)
    })
}

/// `s` as the inside of a JSON string: each run of plain text copied whole.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = find_escape(rest.as_bytes()) {
        // Escapes sit at ASCII bytes, so both cuts are on character boundaries.
        out.push_str(rest.get(..i).unwrap_or_default());
        match rest.as_bytes().get(i).copied().unwrap_or_default() {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            b => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.push_str(rest);
}

/// A policy rule's path, HCL-escaped, as the inside of a JSON string. JSON escapes
/// every byte HCL does (`"` and `\`): a path with nothing for JSON to escape (nearly
/// all) is copied after one scan.
fn escape_hcl_path(out: &mut String, path: &str) {
    if find_escape(path.as_bytes()).is_none() {
        out.push_str(path);
    } else {
        escape_into(out, &kp_check::ir::hcl_escaped(path));
    }
}

/// Decimal digits without the formatting machinery (thousands of small numbers).
fn push_int(out: &mut String, i: i64) {
    if i < 0 {
        out.push('-');
    }
    push_uint(out, i.unsigned_abs());
}

fn push_uint(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    loop {
        k -= 1;
        if let Some(d) = digits.get_mut(k) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || k == 0 {
            break;
        }
    }
    for &d in digits.get(k..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kp_check::ir::{EnvRef, LiteralSecret};

    fn sample() -> Body {
        let nested = Body::from([
            ("empty list".to_string(), Value::List(vec![])),
            ("empty map".to_string(), Value::Map(Body::new())),
            (
                "deep".to_string(),
                Value::List(vec![Value::Map(Body::from([(
                    "x".to_string(),
                    Value::List(vec![Value::Int(-3), Value::Bool(false)]),
                )]))]),
            ),
        ]);
        Body::from([
            ("plain".to_string(), Value::Str("abc".into())),
            (
                "escapes \"key\"".to_string(),
                Value::Str(
                    "q\" b\\ n\n r\r t\t \u{8}\u{c} nul\u{0} us\u{1f} del\u{7f} é ☃ ".into(),
                ),
            ),
            ("long clean".to_string(), Value::Str("x".repeat(100))),
            (
                "long dirty".to_string(),
                Value::Str(format!("{}\"", "y".repeat(40))),
            ),
            ("int".to_string(), Value::Int(i64::MIN)),
            ("bool".to_string(), Value::Bool(true)),
            (
                "env".to_string(),
                Value::Env(EnvRef {
                    env: "DB_\"PW".into(),
                }),
            ),
            (
                "secret".to_string(),
                Value::Secret(LiteralSecret::new("hunter2")),
            ),
            ("nested".to_string(), Value::Map(nested)),
        ])
    }

    /// The serde form the emitters used before, as the reference.
    fn reference(v: &Body) -> serde_json::Value {
        serde_json::Value::Object(
            v.iter()
                .map(|(k, v)| (k.to_string(), reference_value(v)))
                .collect(),
        )
    }

    fn reference_value(v: &Value) -> serde_json::Value {
        match v {
            Value::Str(s) => s.as_str().into(),
            Value::Int(i) => (*i).into(),
            Value::Bool(b) => (*b).into(),
            Value::List(items) => items.iter().map(reference_value).collect(),
            Value::Map(m) => reference(m),
            Value::Env(e) => format!("${{{}}}", e.env).into(),
            Value::Secret(_) => LITERAL_SECRET.into(),
            Value::Policy(doc) => doc.to_hcl().into(),
        }
    }

    #[test]
    fn pretty_and_compact_match_serde_json() {
        let body = sample();
        let mut pretty = Json::pretty(0);
        pretty.body(&body);
        let expected = serde_json::to_string_pretty(&reference(&body)).unwrap() + "\n";
        assert_eq!(pretty.finish(), expected);

        let mut compact = Json::compact(String::new());
        compact.body(&body);
        assert_eq!(
            compact.finish(),
            serde_json::to_string(&reference(&body)).unwrap()
        );
        assert!(!expected.contains("hunter2"));
    }

    /// A policy written from its rules is its HCL text escaped, whatever its paths hold
    /// (quotes and backslashes HCL escapes, then JSON again; control characters; none).
    #[test]
    fn a_policy_written_from_its_rules_is_its_text_escaped() {
        use crate::fixtures::rule;
        use kp_check::ir::ResourceKind;
        let docs = [
            vec![],
            vec![rule("secret/data/*", &["read"])],
            vec![
                rule("a\"b\\c", &["create", "update", "deny"]),
                rule("tab\tnl\nnul\u{0}é☃", &[]),
                rule("", &kp_check::ir::CAPABILITIES),
            ],
        ];
        for rules in docs {
            let policy = crate::fixtures::resource(
                ResourceKind::Policy,
                "sys/policies/acl/p",
                "p",
                "policy",
                vec![],
                (0, 0),
            )
            .policy(rules)
            .resource;
            assert!(policy.policy.is_some());
            for pretty in [true, false] {
                let (mut from_rules, mut from_text) = if pretty {
                    (Json::pretty(0), Json::pretty(0))
                } else {
                    (Json::compact(String::new()), Json::compact(String::new()))
                };
                let mut as_text = policy.body.clone();
                as_text.insert(
                    "policy",
                    Value::Str(policy.policy.as_ref().unwrap().to_hcl()),
                );
                from_rules.body(&policy.body);
                from_text.body(&as_text);
                assert_eq!(from_rules.finish(), from_text.finish());
            }
        }
    }

    #[test]
    fn every_byte_escapes_as_serde_json_does() {
        let all: String = (0u8..=0x7f).map(char::from).collect();
        let mut out = String::new();
        escape_into(&mut out, &all);
        assert_eq!(format!("\"{out}\""), serde_json::to_string(&all).unwrap());
    }

    #[test]
    fn escapes_are_found_at_every_position_of_a_word() {
        for len in 0..20 {
            for at in 0..len {
                for special in [b'"', b'\\', b'\n', 0x01, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    // Neighbours that stress the borrow: 0x20 and 0x80+ bytes around it.
                    if at + 1 < len {
                        bytes[at + 1] = b' ';
                    }
                    let s = String::from_utf8(bytes).unwrap();
                    let mut out = String::new();
                    escape_into(&mut out, &s);
                    assert_eq!(format!("\"{out}\""), serde_json::to_string(&s).unwrap());
                }
            }
        }
        let mut out = String::new();
        escape_into(&mut out, "é\u{7f}ÿ \u{ff}\u{100}\u{2028}\"");
        assert_eq!(out, "é\u{7f}ÿ \u{ff}\u{100}\u{2028}\\\"");
    }

    #[test]
    fn numbers_print_as_display_does() {
        for i in [0, 1, -1, 9, 10, 99, 100, 12345, i64::MAX, i64::MIN] {
            let mut out = String::new();
            push_int(&mut out, i);
            assert_eq!(out, i.to_string());
        }
        let mut out = String::new();
        push_uint(&mut out, u64::MAX);
        assert_eq!(out, u64::MAX.to_string());
    }

    #[test]
    fn deep_nesting_indents_past_the_spaces_constant() {
        let mut v = Value::Int(1);
        for _ in 0..40 {
            v = Value::List(vec![v]);
        }
        let body = Body::from([("v".to_string(), v)]);
        let mut pretty = Json::pretty(0);
        pretty.body(&body);
        let expected = serde_json::to_string_pretty(&reference(&body)).unwrap() + "\n";
        assert_eq!(pretty.finish(), expected);
    }
}
