//! The reader against `serde_json::from_str::<Value>`: the same value (compared as
//! serde_json writes it, so `-0.0` differs from `0.0`) or the same error text.
//!
//! Floats are compared only when serde_json parses them as the CLI and the wasm link it,
//! without `float_roundtrip`: `cargo test -p kp-access`. A workspace-wide `cargo test`
//! unifies that feature in (the `jsonschema` dev-dependency of other crates asks for it),
//! and then documents with floats, or numbers out of range, are left out.

use serde_json::Value;

use super::from_str;

/// A fixed xorshift generator: the same documents on every run.
fn generator(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

fn digits(n: u64, next: &mut dyn FnMut() -> u64) -> String {
    (0..n)
        .map(|_| char::from(b'0' + (next() % 10) as u8))
        .collect()
}

/// Whether this serde_json has `float_roundtrip` (it then reads this integer beyond u64
/// as the nearest f64, where `f64_from_parts` is one unit off).
fn serde_json_rounds_floats() -> bool {
    serde_json::from_str::<f64>("123456789012345678901230").ok() != Some(1.234_567_890_123_456_7e23)
}

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(members) => members.values().any(has_float),
        _ => false,
    }
}

fn assert_same(text: &str) {
    let ours = from_str(text)
        .map(|v| v.to_serde())
        .map_err(|e| e.to_string());
    let theirs = serde_json::from_str::<Value>(text).map_err(|e| e.to_string());
    let floats = |r: &Result<Value, String>| match r {
        Ok(value) => has_float(value),
        Err(e) => e.starts_with(super::NUMBER_OUT_OF_RANGE),
    };
    if (floats(&ours) || floats(&theirs)) && serde_json_rounds_floats() {
        return;
    }
    let written =
        |r: &Result<Value, String>| r.as_ref().map(|v| v.to_string()).map_err(Clone::clone);
    assert_eq!(written(&ours), written(&theirs), "on {text:?}");
    assert_eq!(ours, theirs, "on {text:?}");
}

#[test]
fn reads_documents_as_serde_json_does() {
    for text in [
        r#"{"sub": "ci", "aud": ["a", "b"], "n": 1, "neg": -3, "f": 2.5, "t": true, "x": null}"#,
        "  \n\t\r[1, 2,\n 3] \n",
        r#"{"paths": ["secret/data/x"], "as": "trainer", "policies": null}"#,
        r#"{"a": 1, "b": 2, "a": 3}"#,
        r#""esc \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 é ✓""#,
        "0",
        "-0",
        "-0.0",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "123456789012345678901234567890.5e-3",
        "18446744073709551615.5",
        "0.000000000000000000000000000000000000000012345678901234567890123",
        "1e308",
        "1e309",
        "-1e309",
        "1e-400",
        "0e99999999999",
        "1e99999999999",
        "1e-99999999999",
        "-1e-99999999999",
        "2.9999999999999999",
        "9007199254740993",
        "1.7976931348623157e308",
        "4.9e-324",
        "1E5",
        "1e+5",
        "{}",
        "[]",
        "[[], {}]",
        "{\"k\": {\"k\": [{}]}}",
    ] {
        assert_same(text);
    }
}

#[test]
fn reports_every_error_as_serde_json_does() {
    for text in [
        "",
        "   ",
        "\n\n  ",
        "nul",
        "nulx",
        "tru",
        "fals",
        "falsy",
        "x",
        "-",
        "-x",
        "01",
        "-01",
        "1.",
        "1.x",
        "1.e5",
        "1e",
        "1e+",
        "1ex",
        "1 2",
        "[1 2]",
        "[1,]",
        "[1,",
        "[1",
        "[",
        "]",
        "{",
        "{\"a\"",
        "{\"a\" 1}",
        "{\"a\":",
        "{\"a\":1",
        "{\"a\":1,}",
        "{\"a\":1,",
        "{\"a\":1 \"b\":2}",
        "{1:2}",
        "{\"a\":1, 2:3}",
        "{,}",
        "\"abc",
        "\"a\u{1}b\"",
        "\"a\nb\"",
        "\"\\x\"",
        "\"\\",
        "\"\\u12\"",
        "\"\\u12",
        "\"\\uZZZZ\"",
        "\"\\uDC00\"",
        "\"\\uD800\"",
        "\"\\uD800x\"",
        "\"\\uD800\\n\"",
        "\"\\uD800\\u0041\"",
        "\"\\uD800\\",
        "\"\\uD800",
        "{\"a\": [1, 2,\n  3, x]}",
        "[\n1,\n2\n,\n]",
        "{\"é\": tru}",
        "[] x",
        "{} ,",
        "1e309",
    ] {
        assert_same(text);
    }
}

#[test]
fn stops_at_the_same_depth() {
    for depth in [126, 127, 128, 129] {
        assert_same(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
        assert_same(&format!("{}{}", "{\"a\":".repeat(depth), "}".repeat(depth)));
    }
}

/// Documents put together from pieces of JSON, valid and broken, by a fixed generator.
#[test]
fn agrees_on_generated_documents() {
    const PIECES: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\"k\"",
        "\"v\\n\"",
        "\\",
        "\\u",
        "D83D",
        "DE00",
        "00e9",
        "0",
        "1",
        "9",
        "-",
        ".",
        "e",
        "E",
        "+",
        "18446744073709551615",
        "12345678901234567890123",
        " ",
        "\n",
        "\t",
        "null",
        "true",
        "false",
        "fa",
        "é",
        "\u{1}",
        "1e308",
        "e-400",
        "x",
    ];
    let mut next = generator(0x9E37_79B9_7F4A_7C15);
    for _ in 0..100_000 {
        let len = (next() % 12) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        assert_same(&text);
    }
}

/// Numbers of every shape: integer, fraction and exponent digits at random.
#[test]
fn agrees_on_generated_numbers() {
    let mut next = generator(0x2545_F491_4F6C_DD1D);
    for _ in 0..100_000 {
        let mut text = String::new();
        if next().is_multiple_of(2) {
            text.push('-');
        }
        let int_len = 1 + next() % 25;
        text.push_str(&digits(int_len, &mut next));
        if next().is_multiple_of(2) {
            text.push('.');
            let frac_len = 1 + next() % 25;
            text.push_str(&digits(frac_len, &mut next));
        }
        if next().is_multiple_of(2) {
            text.push(if next().is_multiple_of(2) { 'e' } else { 'E' });
            match next() % 3 {
                0 => text.push('-'),
                1 => text.push('+'),
                _ => {}
            }
            let exp_len = 1 + next() % 4;
            text.push_str(&digits(exp_len, &mut next));
        }
        assert_same(&text);
    }
}

/// The computed powers of ten are serde_json's table, bit for bit: the literals `1e{k}`.
#[test]
fn pow10_is_every_literal_power_of_ten() {
    for k in 0..=308u32 {
        let literal: f64 = format!("1e{k}").parse().unwrap();
        assert_eq!(super::pow10(k).to_bits(), literal.to_bits(), "1e{k}");
    }
}

/// Floats are written as serde_json writes them (its `Number` `Display`), on every kind of
/// double: random bit patterns (normal and subnormal), the edges of each layout (1e16,
/// 1e-5, ...), powers of two (whose interval is lopsided), integers, and the extremes.
#[test]
fn floats_are_written_as_serde_json_writes_them() {
    let assert_written = |v: f64| {
        let Some(number) = serde_json::Number::from_f64(v) else {
            return;
        };
        let mut ours = String::new();
        super::float::write_f64(&mut ours, v);
        assert_eq!(ours, number.to_string(), "{:#x}", v.to_bits());
    };
    let mut next = generator(0xD1B5_4A32_D192_ED03);
    for _ in 0..5_000 {
        assert_written(f64::from_bits(next()));
        // Small exponents too: a random subnormal, and a short decimal's neighbourhood.
        assert_written(f64::from_bits(next() >> 12));
        let short = (next() % 100_000) as f64 / 1000.0;
        assert_written(short);
        assert_written(f64::from_bits(short.to_bits() + 1));
    }
    let mut edges = vec![
        0.0,
        -0.0,
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        5e-324,
        1e-323,
        0.1,
        0.3,
        2.0 / 3.0,
        9007199254740993.0,
        123456789012345680.0,
    ];
    for k in -330..=310 {
        let p = format!("1e{k}").parse::<f64>().unwrap_or(0.0);
        edges.extend([p, 1.5 * p, 9.999 * p, 1.0 / 3.0 * p]);
    }
    for e in -1074..=1023 {
        edges.push(2f64.powi(e));
    }
    edges.extend((0..2000).map(f64::from));
    for v in edges {
        for bits in [v.to_bits().saturating_sub(1), v.to_bits(), v.to_bits() + 1] {
            assert_written(f64::from_bits(bits));
        }
    }
}
