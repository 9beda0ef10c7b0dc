//! JSON written straight into the output string, pretty (two spaces, as
//! `serde_json::to_writer_pretty`) or compact (as `serde_json::to_string`), byte for byte
//! what serde_json wrote before (a test compares the two).
//!
//! Why not serde: its generic machinery, a `Serialize` struct per output shape and a
//! byte-at-a-time escaper cost more than the writing itself on plans of megabytes; here
//! a string with nothing to escape (nearly all of them) is copied whole.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kp_check::ir::{Value, LITERAL_SECRET};

pub(crate) struct Json {
    out: String,
    pretty: bool,
    depth: usize,
    /// Nothing written yet inside the innermost open object or array.
    fresh: bool,
}

/// Enough for every indentation the outputs use in one copy.
const SPACES: &str = "                                                                ";

impl Json {
    pub(crate) fn pretty(capacity: usize) -> Self {
        Json {
            out: String::with_capacity(capacity),
            pretty: true,
            depth: 0,
            fresh: false,
        }
    }

    pub(crate) fn compact(out: String) -> Self {
        Json {
            out,
            pretty: false,
            depth: 0,
            fresh: false,
        }
    }

    /// The text written; a pretty document gets its final newline.
    pub(crate) fn finish(mut self) -> String {
        if self.pretty {
            self.out.push('\n');
        }
        self.out
    }

    fn indent(&mut self) {
        let mut n = self.depth * 2;
        while n > SPACES.len() {
            self.out.push_str(SPACES);
            n -= SPACES.len();
        }
        self.out.push_str(SPACES.get(..n).unwrap_or_default());
    }

    /// Before each element of an array or member of an object.
    fn item(&mut self) {
        if self.pretty {
            self.out
                .push_str(if self.fresh { "\n" } else { ",\n" });
            self.indent();
        } else if !self.fresh {
            self.out.push(',');
        }
        self.fresh = false;
    }

    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.depth += 1;
        self.fresh = true;
    }

    fn close(&mut self, bracket: char) {
        self.depth = self.depth.saturating_sub(1);
        if self.pretty && !self.fresh {
            self.out.push('\n');
            self.indent();
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

    /// The key of the next member of an object; its value follows.
    pub(crate) fn key(&mut self, key: &str) {
        self.item();
        self.push_str_value(key);
        self.out.push_str(if self.pretty { ": " } else { ":" });
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
        let _ = write!(self.out, "{i}");
    }

    pub(crate) fn uint(&mut self, i: usize) {
        let _ = write!(self.out, "{i}");
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
    pub(crate) fn str_member(&mut self, key: &str, value: &str) {
        self.key(key);
        self.push_str_value(value);
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
    pub(crate) fn body(&mut self, body: &BTreeMap<String, Value>) {
        self.begin_object();
        for (k, v) in body {
            self.key(k);
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
        }
    }

    fn push_str_value(&mut self, s: &str) {
        self.out.push('"');
        escape_into(&mut self.out, s);
        self.out.push('"');
    }
}

/// Whether JSON must escape the byte: `"`, `\` and the control characters below 0x20
/// (serde_json's set; DEL and non-ASCII stay as they are).
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// `s` as the inside of a JSON string. Strings with nothing to escape are the common case
/// and are copied at once; the check runs over 16-byte blocks without an early exit so
/// the compiler can vectorise it.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let clean = bytes
        .chunks(16)
        .all(|block| !block.iter().fold(false, |acc, &b| acc | needs_escape(b)));
    if clean {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !needs_escape(b) {
            continue;
        }
        // Escapes sit at ASCII bytes, so both cuts are on character boundaries.
        out.push_str(s.get(start..i).unwrap_or_default());
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use kp_check::ir::{EnvRef, LiteralSecret};

    fn sample() -> BTreeMap<String, Value> {
        let nested = BTreeMap::from([
            ("empty list".to_string(), Value::List(vec![])),
            ("empty map".to_string(), Value::Map(BTreeMap::new())),
            (
                "deep".to_string(),
                Value::List(vec![Value::Map(BTreeMap::from([(
                    "x".to_string(),
                    Value::List(vec![Value::Int(-3), Value::Bool(false)]),
                )]))]),
            ),
        ]);
        BTreeMap::from([
            ("plain".to_string(), Value::Str("abc".into())),
            (
                "escapes \"key\"".to_string(),
                Value::Str("q\" b\\ n\n r\r t\t \u{8}\u{c} nul\u{0} us\u{1f} del\u{7f} é ☃ ".into()),
            ),
            ("long clean".to_string(), Value::Str("x".repeat(100))),
            ("long dirty".to_string(), Value::Str(format!("{}\"", "y".repeat(40)))),
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
                Value::Secret(LiteralSecret::new("hunter2".into())),
            ),
            ("nested".to_string(), Value::Map(nested)),
        ])
    }

    /// The serde form the emitters used before, as the reference.
    fn reference(v: &BTreeMap<String, Value>) -> serde_json::Value {
        serde_json::Value::Object(
            v.iter()
                .map(|(k, v)| (k.clone(), reference_value(v)))
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

    #[test]
    fn every_byte_escapes_as_serde_json_does() {
        let all: String = (0u8..=0x7f).map(char::from).collect();
        let mut out = String::new();
        escape_into(&mut out, &all);
        assert_eq!(format!("\"{out}\""), serde_json::to_string(&all).unwrap());
    }

    #[test]
    fn deep_nesting_indents_past_the_spaces_constant() {
        let mut v = Value::Int(1);
        for _ in 0..40 {
            v = Value::List(vec![v]);
        }
        let body = BTreeMap::from([("v".to_string(), v)]);
        let mut pretty = Json::pretty(0);
        pretty.body(&body);
        let expected = serde_json::to_string_pretty(&reference(&body)).unwrap() + "\n";
        assert_eq!(pretty.finish(), expected);
    }
}
