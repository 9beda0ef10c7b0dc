//! [`Text`]: the string type of the syntax tree's names and string values.
//!
//! A `String` per identifier and per string literal was most of the parser's allocations
//! and most of the tree's memory. Nearly every name and string is a slice of the source
//! as written (no escape to resolve), so the parser copies the source once into a shared
//! buffer and each [`Text`] is that buffer plus a range: no allocation per token, 16
//! bytes per value (a `String` is 24 plus its heap block), and a clone is a reference
//! count increment. Values that differ from the source (escapes resolved, heredoc
//! indentation removed) get a buffer of their own.
//!
//! The shared buffer lives as long as any `Text` of its file does; the tree keeps the
//! source alive anyway through its spans' meaning, and the source is small next to it.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// An immutable string: a range of a shared buffer. Compares, hashes, orders, prints and
/// serialises exactly as the `str` it holds.
#[derive(Clone)]
pub struct Text {
    // `Arc<String>` rather than `Arc<str>`: a thin pointer keeps `Text` at 16 bytes.
    buf: Arc<String>,
    start: u32,
    end: u32,
}

impl Text {
    /// `buf[start..end]`, sharing `buf`. The range is not checked here (the lexer cuts at
    /// token boundaries, which are ASCII): [`Text::as_str`] checks it on every read and
    /// reads a bad one as empty, so nothing can panic. A range past 32 bits (a source over
    /// 4 GiB) gets a copy of its own.
    #[inline]
    pub(crate) fn slice(buf: &Arc<String>, start: usize, end: usize) -> Text {
        match (u32::try_from(start), u32::try_from(end)) {
            (Ok(start), Ok(end)) => Text {
                buf: Arc::clone(buf),
                start,
                end,
            },
            _ => Text::copied(buf, start, end),
        }
    }

    /// [`Text::slice`] past 32 bits. Out of line, so that the common case stays small
    /// enough to inline into the parser's every name and string.
    #[cold]
    #[inline(never)]
    fn copied(buf: &str, start: usize, end: usize) -> Text {
        Text::from(buf.get(start..end).unwrap_or_default())
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        // Checked at construction; `get` keeps this free of panics all the same.
        self.buf
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

impl From<String> for Text {
    fn from(value: String) -> Text {
        match u32::try_from(value.len()) {
            Ok(end) => Text {
                buf: Arc::new(value),
                start: 0,
                end,
            },
            // Over 4 GiB: keep the part that a 32-bit range can address.
            Err(_) => Text::from(value.get(..u32::MAX as usize / 2).unwrap_or_default()),
        }
    }
}

impl From<&str> for Text {
    fn from(value: &str) -> Text {
        Text::from(value.to_owned())
    }
}

impl From<&String> for Text {
    fn from(value: &String) -> Text {
        Text::from(value.as_str())
    }
}

impl From<Text> for String {
    fn from(value: Text) -> String {
        value.as_str().to_owned()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from(String::new())
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for Text {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<Text> for $other {
            fn eq(&self, other: &Text) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

eq_with!(str, String);

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_behaves_as_its_str() {
        let buf = Arc::new("auth jwt ci".to_string());
        let jwt = Text::slice(&buf, 5, 8);
        assert_eq!(jwt, "jwt");
        assert_eq!(jwt, Text::from("jwt"));
        assert_eq!(format!("{jwt:?} {jwt}"), "\"jwt\" jwt");
        assert_eq!(jwt.len(), 3);
        assert_eq!(Text::from("a").cmp(&jwt), Ordering::Less);
    }

    #[test]
    fn a_bad_range_reads_as_empty_not_a_panic() {
        let buf = Arc::new("é".to_string());
        assert_eq!(Text::slice(&buf, 1, 2), "");
        assert_eq!(Text::slice(&buf, 0, 9), "");
        assert_eq!(Text::slice(&buf, 2, 1), "");
    }

    #[test]
    fn text_is_two_words() {
        assert_eq!(std::mem::size_of::<Text>(), 16);
    }
}
