//! JSON values (serde_json's, the reader's) written as compact JSON
//! by hand: what `serde_json::to_string` (and `Value`'s `Display`) writes, byte for byte. The playground's answers quote claim values
//! and write the JSON it read back; serde_json's serializer for `Value` was the only thing
//! left linking it into the wasm.

use std::fmt::Write as _;

use serde_json::Value;

/// A value this module writes as compact JSON: serde_json's, or the reader's.
pub trait WriteJson {
    fn write_json(&self, out: &mut String);
}

impl WriteJson for Value {
    fn write_json(&self, out: &mut String) {
        write_value(out, self);
    }
}

impl WriteJson for super::Value {
    fn write_json(&self, out: &mut String) {
        write_json(out, self);
    }
}

/// `value` as compact JSON (`Value`'s `Display`).
pub fn to_string(value: &(impl WriteJson + ?Sized)) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// Appends one of the reader's values as compact JSON, as serde_json writes the same value.
pub fn write_json(out: &mut String, value: &super::Value) {
    use super::Value as V;
    match value {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Number(n) => write_number(out, n),
        V::String(s) => write_string(out, s),
        V::Array(items) => write_array(out, items, write_json),
        V::Object(map) => write_object(out, map.iter(), write_json),
    }
}

/// `items` as a compact JSON array, without building a `Value::Array` of copies.
pub fn list_to_string<'a>(items: impl IntoIterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    write_list(&mut out, items);
    out
}

/// Appends `value` as compact JSON.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => write_list(out, items),
        Value::Object(map) => write_object(out, map.iter(), write_value),
    }
}

/// As `Number`'s `Display` writes it; a float with our own writer, as serde_json's (zmij)
/// is 1.7 KB of the gzipped wasm.
fn write_number(out: &mut String, n: &serde_json::Number) {
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => {
            let _ = write!(out, "{u}");
        }
        (None, Some(i), _) => {
            let _ = write!(out, "{i}");
        }
        (None, None, f) => super::float::write_f64(out, f.unwrap_or(0.0)),
    }
}

fn write_list<'a>(out: &mut String, items: impl IntoIterator<Item = &'a Value>) {
    write_array(out, items, write_value);
}

/// `[a,b]`: each item written by `item`.
pub fn write_array<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    item: fn(&mut String, T),
) {
    out.push('[');
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, x);
    }
    out.push(']');
}

/// `{"k":v}`: each member's value written by `value`.
pub fn write_object<K: AsRef<str>, T>(
    out: &mut String,
    members: impl IntoIterator<Item = (K, T)>,
    value: fn(&mut String, T),
) {
    out.push('{');
    for (i, (key, x)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, key.as_ref());
        out.push(':');
        value(out, x);
    }
    out.push('}');
}

/// Appends `s` as a JSON string with serde_json's escapes: `"`, `\`, and control
/// characters (the usual short forms, `\u00xx` for the others); everything else as it is.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(plain..i).unwrap_or_default());
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(short);
        }
        plain = i + 1;
    }
    out.push_str(s.get(plain..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn writes_what_serde_json_writes() {
        let escapes: String = (0u8..0x80).map(char::from).collect();
        let values = [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-17),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(1e300),
            json!(-0.0),
            json!(""),
            json!(escapes),
            json!("héllo \u{2028} 😀"),
            json!([]),
            json!({}),
            json!([1, "a", [null, {"k": [true]}]]),
            json!({"b": 1, "a": {"c": "\"x\"", "d": []}, "": 2}),
        ];
        for value in &values {
            assert_eq!(to_string(value), value.to_string(), "{value:?}");
        }
        let array = serde_json::Value::Array(values.to_vec());
        assert_eq!(list_to_string(&values), array.to_string());
        assert_eq!(list_to_string(values.iter().rev()), {
            let mut reversed = values.to_vec();
            reversed.reverse();
            serde_json::Value::Array(reversed).to_string()
        });
    }
}
