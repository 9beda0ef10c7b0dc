//! The JSON the core reads (token claims, explain requests, a Kubernetes namespace selector
//! written as JSON text), parsed by hand into a
//! [`Value`], serde_json's but for objects held as a vector: the same value,
//! and the same error text and position, as `serde_json::from_str::<Value>` gives
//! (`json/tests.rs` compares the two on every error and on generated documents and
//! numbers).
//!
//! Why not serde_json's reader: its deserializer, its error type's `Display` (with every
//! `io::ErrorKind` message) and its number tables were about 8 KB of the gzipped wasm,
//! for two small documents.
//!
//! The parsing follows serde_json 1.0 step by step (its `de.rs` and `read.rs`, without
//! `float_roundtrip` or `arbitrary_precision`): the position of each error (the byte just
//! read, or the one peeked at), floats as its `f64_from_parts` computes them (not always
//! the nearest `f64`: a claim's float decides which integer it compares as), and a
//! nesting limit of 127. A crate of its own, below the checker, so that every crate of
//! the core reads JSON with this one reader: a check that called `serde_json::from_str`
//! put serde_json's deserializer back into the wasm (+10 KB gzipped, 12-05). Its tests
//! compare with serde_json as the CLI links it; keyplan's tests link it with
//! `float_roundtrip` (enabled by the `jsonschema` dev-dependency), which parses floats
//! differently.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

use std::fmt;

use serde_json::Number;

mod bignum;
mod float;
mod value;
mod write;
use float::pow10;
pub use value::{Map, Value};
pub use write::{
    list_to_string, to_string, write_array, write_json, write_object, write_string, write_value,
    WriteJson,
};

/// The value of `key` in `object`.
pub fn field<'a>(object: &'a Map, key: &str) -> Option<&'a Value> {
    object.get(key)
}

/// A syntax error, shown as serde_json shows one: `expected value at line 1 column 2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    message: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

/// serde_json's messages (its `ErrorCode`s a `Value` can meet).
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const UNEXPECTED_END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT: &str = "recursion limit exceeded";

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses one JSON document (whitespace around it allowed).
pub fn from_str(text: &str) -> Result<Value> {
    let mut reader = Reader {
        text,
        index: 0,
        remaining_depth: 128,
    };
    let value = reader.value()?;
    match reader.whitespace() {
        Some(_) => Err(reader.peek_error(TRAILING_CHARACTERS)),
        None => Ok(value),
    }
}

struct Reader<'t> {
    text: &'t str,
    /// The next byte to read.
    index: usize,
    remaining_depth: u8,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.index).copied()
    }

    fn peek_or_null(&self) -> u8 {
        self.peek().unwrap_or(0)
    }

    fn eat(&mut self) {
        self.index += 1;
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.eat();
        Some(byte)
    }

    /// An error at the byte just read.
    #[cold]
    fn error(&self, message: &'static str) -> SyntaxError {
        self.error_at(self.index, message)
    }

    /// An error at the byte peeked at.
    #[cold]
    fn peek_error(&self, message: &'static str) -> SyntaxError {
        self.error_at((self.index + 1).min(self.text.len()), message)
    }

    /// serde_json's position of byte `index`: its 1-based line, and the bytes before it
    /// on that line.
    fn error_at(&self, index: usize, message: &'static str) -> SyntaxError {
        let before = self.text.as_bytes().get(..index).unwrap_or_default();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |newline| newline + 1);
        SyntaxError {
            message,
            line: 1 + before
                .iter()
                .take(line_start)
                .filter(|&&b| b == b'\n')
                .count(),
            column: index - line_start,
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.eat();
        }
        self.peek()
    }

    fn value(&mut self) -> Result<Value> {
        let Some(peek) = self.whitespace() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        match peek {
            b'n' => self.ident(b"null", Value::Null),
            b't' => self.ident(b"true", Value::Bool(true)),
            b'f' => self.ident(b"false", Value::Bool(false)),
            b'-' => {
                self.eat();
                self.integer(false)
            }
            b'0'..=b'9' => self.integer(true),
            b'"' => {
                self.eat();
                self.string().map(Value::String)
            }
            b'[' | b'{' => {
                self.remaining_depth -= 1;
                if self.remaining_depth == 0 {
                    return Err(self.peek_error(RECURSION_LIMIT));
                }
                self.eat();
                let value = if peek == b'[' {
                    self.elements()
                } else {
                    self.members()
                };
                self.remaining_depth += 1;
                value
            }
            _ => Err(self.peek_error(EXPECTED_VALUE)),
        }
    }

    /// The rest of `word` (its first byte was peeked at).
    fn ident(&mut self, word: &[u8], value: Value) -> Result<Value> {
        self.eat();
        for &expected in word.iter().skip(1) {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(next) if next != expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(value)
    }

    /// An array's elements and its `]` (the `[` was read).
    fn elements(&mut self) -> Result<Value> {
        let mut items = Vec::new();
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(EOF_LIST));
            };
            if peek == b']' {
                self.eat();
                return Ok(Value::Array(items));
            }
            if !items.is_empty() {
                if peek != b',' {
                    return Err(self.peek_error(EXPECTED_LIST_COMMA_OR_END));
                }
                self.eat();
                match self.whitespace() {
                    Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            }
            items.push(self.value()?);
        }
    }

    /// An object's members and its `}` (the `{` was read). A repeated key keeps its first
    /// place and its last value, as `Map::insert` does.
    fn members(&mut self) -> Result<Value> {
        let mut members = Map::new();
        let mut first = true;
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(EOF_OBJECT));
            };
            if peek == b'}' {
                self.eat();
                return Ok(Value::Object(members));
            }
            if first {
                first = false;
                if peek != b'"' {
                    return Err(self.peek_error(KEY_MUST_BE_A_STRING));
                }
            } else if peek == b',' {
                self.eat();
                match self.whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => return Err(self.peek_error(KEY_MUST_BE_A_STRING)),
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            } else {
                return Err(self.peek_error(EXPECTED_OBJECT_COMMA_OR_END));
            }
            self.eat();
            let key = self.string()?;
            match self.whitespace() {
                Some(b':') => self.eat(),
                Some(_) => return Err(self.peek_error(EXPECTED_COLON)),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            let value = self.value()?;
            members.insert(key, value);
        }
    }

    /// A string's contents and its closing quote (the opening one was read).
    fn string(&mut self) -> Result<String> {
        let mut out = String::new();
        let mut start = self.index;
        loop {
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.eat();
            }
            // The bytes skipped end before an ASCII byte (or at the end): a char boundary.
            out.push_str(self.text.get(start..self.index).unwrap_or_default());
            match self.next() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => return Ok(out),
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.error(CONTROL_CHARACTER)),
            }
            start = self.index;
        }
    }

    /// One escape, after its `\`.
    fn escape(&mut self, out: &mut String) -> Result<()> {
        let Some(byte) = self.next() else {
            return Err(self.error(EOF_STRING));
        };
        out.push(match byte {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(out),
            _ => return Err(self.error(INVALID_ESCAPE)),
        });
        Ok(())
    }

    /// A `\uXXXX` escape after its `\u`, and its low surrogate's when it is a high one.
    fn unicode_escape(&mut self, out: &mut String) -> Result<()> {
        let high = self.hex_escape()?;
        if (0xDC00..=0xDFFF).contains(&high) {
            return Err(self.error(LONE_SURROGATE));
        }
        let code = if (0xD800..=0xDBFF).contains(&high) {
            for expected in [b'\\', b'u'] {
                match self.peek() {
                    None => return Err(self.error(EOF_STRING)),
                    Some(b) => {
                        self.eat();
                        if b != expected {
                            return Err(self.error(UNEXPECTED_END_OF_HEX_ESCAPE));
                        }
                    }
                }
            }
            let low = self.hex_escape()?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return Err(self.error(LONE_SURROGATE));
            }
            (((high - 0xD800) << 10) | (low - 0xDC00)) + 0x1_0000
        } else {
            high
        };
        // Every code outside the surrogates is a char.
        out.extend(char::from_u32(code));
        Ok(())
    }

    /// Four hex digits.
    fn hex_escape(&mut self) -> Result<u32> {
        let Some(digits) = self.text.as_bytes().get(self.index..self.index + 4) else {
            self.index = self.text.len();
            return Err(self.error(EOF_STRING));
        };
        let code = digits.iter().try_fold(0, |code, &d| {
            char::from(d).to_digit(16).map(|digit| code << 4 | digit)
        });
        self.index += 4;
        code.ok_or_else(|| self.error(INVALID_ESCAPE))
    }

    /// A number, after its `-` when `positive` is false.
    fn integer(&mut self, positive: bool) -> Result<Value> {
        let significand = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                // There can be only one leading '0'.
                if self.peek_or_null().is_ascii_digit() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
                0
            }
            Some(c @ b'1'..=b'9') => {
                let mut significand = u64::from(c - b'0');
                while let c @ b'0'..=b'9' = self.peek_or_null() {
                    let digit = u64::from(c - b'0');
                    if overflows(significand, digit, u64::MAX) {
                        return self.long_integer(positive, significand).map(float);
                    }
                    self.eat();
                    significand = significand * 10 + digit;
                }
                significand
            }
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        };
        Ok(match self.peek_or_null() {
            b'.' => float(self.decimal(positive, significand, 0)?),
            b'e' | b'E' => float(self.exponent(positive, significand, 0)?),
            _ if positive => Value::Number(Number::from(significand)),
            _ => {
                // `-0`, and below `i64::MIN`, are floats.
                let negated = (significand as i64).wrapping_neg();
                if negated >= 0 {
                    float(-(significand as f64))
                } else {
                    Value::Number(Number::from(negated))
                }
            }
        })
    }

    /// The fraction (at its `.`), then any exponent.
    fn decimal(&mut self, positive: bool, mut significand: u64, exponent: i32) -> Result<f64> {
        self.eat();
        let mut fraction_digits = 0;
        let mut overflowed = false;
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            let digit = u64::from(c - b'0');
            if overflows(significand, digit, u64::MAX) {
                // Digits beyond a u64 are dropped.
                while self.peek_or_null().is_ascii_digit() {
                    self.eat();
                }
                overflowed = true;
                break;
            }
            self.eat();
            significand = significand * 10 + digit;
            fraction_digits -= 1;
        }
        if fraction_digits == 0 && !overflowed {
            return Err(self.peek_error(match self.peek() {
                Some(_) => INVALID_NUMBER,
                None => EOF_VALUE,
            }));
        }
        let exponent = exponent + fraction_digits;
        match self.peek_or_null() {
            b'e' | b'E' => self.exponent(positive, significand, exponent),
            _ => self.float_of_parts(positive, significand, exponent),
        }
    }

    /// The exponent (at its `e`).
    fn exponent(&mut self, positive: bool, significand: u64, starting: i32) -> Result<f64> {
        self.eat();
        let positive_exp = match self.peek_or_null() {
            b'+' => {
                self.eat();
                true
            }
            b'-' => {
                self.eat();
                false
            }
            _ => true,
        };
        let mut exp = match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(c @ b'0'..=b'9') => i32::from(c - b'0'),
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        };
        while let c @ b'0'..=b'9' = self.peek_or_null() {
            self.eat();
            let digit = i32::from(c - b'0');
            if overflows(exp, digit, i32::MAX) {
                // Infinity is an error; zero, or a value too small, is zero.
                if significand != 0 && positive_exp {
                    return Err(self.error(NUMBER_OUT_OF_RANGE));
                }
                while self.peek_or_null().is_ascii_digit() {
                    self.eat();
                }
                return Ok(if positive { 0.0 } else { -0.0 });
            }
            exp = exp * 10 + digit;
        }
        let exponent = if positive_exp {
            starting.saturating_add(exp)
        } else {
            starting.saturating_sub(exp)
        };
        self.float_of_parts(positive, significand, exponent)
    }

    /// An integer beyond u64: its first 20 digits, scaled by the count of the others.
    #[cold]
    fn long_integer(&mut self, positive: bool, significand: u64) -> Result<f64> {
        let mut exponent = 0;
        while self.peek_or_null().is_ascii_digit() {
            self.eat();
            exponent += 1;
        }
        match self.peek_or_null() {
            b'.' => self.decimal(positive, significand, exponent),
            b'e' | b'E' => self.exponent(positive, significand, exponent),
            _ => self.float_of_parts(positive, significand, exponent),
        }
    }

    /// `significand × 10^exponent` as serde_json computes it (one multiplication or
    /// division by a power of ten, not always the nearest `f64`).
    fn float_of_parts(&self, positive: bool, significand: u64, mut exponent: i32) -> Result<f64> {
        let mut f = significand as f64;
        loop {
            match (exponent.unsigned_abs() <= 308).then(|| pow10(exponent.unsigned_abs())) {
                Some(pow) => {
                    if exponent >= 0 {
                        f *= pow;
                        if f.is_infinite() {
                            return Err(self.error(NUMBER_OUT_OF_RANGE));
                        }
                    } else {
                        f /= pow;
                    }
                    break;
                }
                None => {
                    if f == 0.0 {
                        break;
                    }
                    if exponent >= 0 {
                        return Err(self.error(NUMBER_OUT_OF_RANGE));
                    }
                    f /= 1e308;
                    exponent += 308;
                }
            }
        }
        Ok(if positive { f } else { -f })
    }
}

/// Whether `value * 10 + digit` exceeds `max`.
fn overflows<T>(value: T, digit: T, max: T) -> bool
where
    T: Copy + PartialOrd + std::ops::Div<Output = T> + std::ops::Rem<Output = T> + From<u8>,
{
    let ten = T::from(10);
    value >= max / ten && (value > max / ten || digit > max % ten)
}

/// A float as `Value` holds one (serde_json's visitor: `null` if not finite).
fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests;
