//! [`SharedStr`]: the string type of resource ids and API paths.
//!
//! A resource's id is its path and (usually) its read path, and every resource that
//! depends on it, or lives under it as a mount, names it again: as `String`s that was
//! an allocation and a copy per mention (three per resource before any dependency).
//! Here the text is allocated once and every mention shares it; a clone is a reference
//! count increment and equal ids built apart still compare by their text.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// An immutable, shared string. Compares, hashes, orders, prints and serialises exactly
/// as the `str` it holds.
#[derive(Clone)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    /// The pieces joined, in one allocation of the exact size: the text is assembled in
    /// a buffer kept between calls, then copied once into the shared block (a `String`
    /// built and converted would be two allocations, and ids are built for every
    /// resource of a program).
    pub fn concat(parts: &[&str]) -> SharedStr {
        SharedStr::build(|out| {
            for p in parts {
                out.push_str(p);
            }
        })
    }

    /// The text `write` appends to an empty buffer, in one allocation of the exact size
    /// (see [`SharedStr::concat`]).
    pub fn build(write: impl FnOnce(&mut String)) -> SharedStr {
        thread_local! {
            static SCRATCH: RefCell<String> = const { RefCell::new(String::new()) };
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut buf) => {
                buf.clear();
                write(&mut buf);
                SharedStr::from(buf.as_str())
            }
            // Only if `write` itself built a shared string: a buffer of its own.
            Err(_) => {
                let mut buf = String::new();
                write(&mut buf);
                SharedStr::from(buf.as_str())
            }
        })
    }

    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether both share one text (then they are equal without comparing it).
    #[inline]
    pub fn ptr_eq(&self, other: &SharedStr) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl From<&str> for SharedStr {
    fn from(value: &str) -> SharedStr {
        SharedStr(Arc::from(value))
    }
}

impl From<String> for SharedStr {
    fn from(value: String) -> SharedStr {
        SharedStr(Arc::from(value))
    }
}

impl From<&String> for SharedStr {
    fn from(value: &String) -> SharedStr {
        SharedStr::from(value.as_str())
    }
}

impl From<SharedStr> for String {
    fn from(value: SharedStr) -> String {
        value.as_str().to_owned()
    }
}

impl Default for SharedStr {
    fn default() -> SharedStr {
        SharedStr::from("")
    }
}

impl Deref for SharedStr {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq for SharedStr {
    #[inline]
    fn eq(&self, other: &SharedStr) -> bool {
        self.ptr_eq(other) || *self.0 == *other.0
    }
}

impl Eq for SharedStr {}

impl PartialOrd for SharedStr {
    fn partial_cmp(&self, other: &SharedStr) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedStr {
    fn cmp(&self, other: &SharedStr) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl Hash for SharedStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedStr {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }
        impl PartialEq<SharedStr> for $other {
            fn eq(&self, other: &SharedStr) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

eq_with!(str, String);

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_its_str() {
        let a = SharedStr::concat(&["sys/auth/", "jwt"]);
        let b = SharedStr::from("sys/auth/jwt");
        assert_eq!(a, b, "equal text built apart");
        assert!(!a.ptr_eq(&b));
        assert!(a.clone().ptr_eq(&a), "a clone shares the text");
        assert_eq!(a, "sys/auth/jwt");
        assert_eq!(a, String::from("sys/auth/jwt"));
        assert_eq!(format!("{a:?} {a}"), "\"sys/auth/jwt\" sys/auth/jwt");
        assert_eq!(
            serde_json::to_string(&a).ok(),
            serde_json::to_string("sys/auth/jwt").ok()
        );
        assert_eq!(SharedStr::from("a").cmp(&a), Ordering::Less);
        let set: std::collections::BTreeSet<SharedStr> = [a.clone()].into();
        assert!(set.contains("sys/auth/jwt"), "looked up by `&str`");
        assert_eq!(
            SharedStr::concat(&["x", "", "y"]).as_str(),
            "xy",
            "the buffer is cleared first"
        );
        let nested = SharedStr::build(|out| {
            out.push_str("a/");
            out.push_str(&SharedStr::concat(&["b", "c"]));
        });
        assert_eq!(nested, "a/bc", "a build inside a build");
        assert_eq!(SharedStr::from(String::from("xy")).len(), 2);
    }
}
