//! [`Body`]: a request body (or a map value inside one), as entries sorted by key.
//!
//! A `BTreeMap<String, Value>` cost a node of ~600 bytes for even one entry and a
//! `String` per key; bodies hold a handful of fields whose names the schemas already
//! have. Here keys are `&'static str` from the schema where they can be (a user's own
//! map keys are owned), and the entries are one vector of exact size. Iteration is in
//! key order, as the map's was, so every output keeps its bytes.
//!
//! The entries are shared between clones, and copied only when a clone is changed: an
//! editor's check replays the resources of every block an edit did not change (clones
//! of the last check's), and copying their bodies was a fifth of that check.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use kp_sort::SortedMap;
use serde::{Serialize, Serializer};

use super::Value;

/// A body key: a schema's field name, or an owned name (a map key the user wrote).
pub type Key = Cow<'static, str>;

/// Entries sorted by key, no key twice.
#[derive(Clone, Default, PartialEq)]
pub struct Body {
    entries: Arc<SortedMap<Key, Value>>,
}

/// `(key, value)` pairs in key order.
pub type Iter<'a> = std::iter::Map<
    kp_sort::sorted_map::Iter<'a, Key, Value>,
    fn((&'a Key, &'a Value)) -> (&'a str, &'a Value),
>;

fn pair<'a>((key, value): (&'a Key, &'a Value)) -> (&'a str, &'a Value) {
    (key, value)
}

impl Body {
    pub fn new() -> Body {
        Body::default()
    }

    /// Room for `n` entries: bodies are built once, at the size their attributes give.
    pub fn with_capacity(n: usize) -> Body {
        Body {
            entries: Arc::new(SortedMap::with_capacity(n)),
        }
    }

    /// The body of `entries`, which the caller guarantees are sorted by key, each key
    /// once.
    pub fn from_sorted(entries: Vec<(Key, Value)>) -> Body {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Body {
            entries: Arc::new(SortedMap::from_sorted(entries)),
        }
    }

    /// Room for `n` more entries, exactly (a body grows by one or two fields at most).
    pub fn reserve(&mut self, n: usize) {
        self.entries_mut().reserve_exact(n);
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries_mut().get_mut(key)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Sets `key`, returning the value it replaces (as a map's `insert` does).
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        self.entries_mut().insert(key.into(), value)
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.entries_mut().remove(key)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> Iter<'_> {
        self.entries.iter().map(pair)
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.entries.keys().map(|k| &**k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.values()
    }

    pub fn values_mut(
        &mut self,
    ) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries_mut().values_mut()
    }

    /// The entries to change: this body's own (copied first if a clone shares them).
    fn entries_mut(&mut self) -> &mut SortedMap<Key, Value> {
        Arc::make_mut(&mut self.entries)
    }
}

impl<'a> IntoIterator for &'a Body {
    type Item = (&'a str, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Body {
    /// As a map collects: a later entry for a key replaces the earlier one.
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Body {
        let iter = iter.into_iter();
        let mut body = Body::with_capacity(iter.size_hint().0);
        for (k, v) in iter {
            body.insert(k, v);
        }
        body
    }
}

impl<K: Into<Key>, const N: usize> From<[(K, Value); N]> for Body {
    fn from(entries: [(K, Value); N]) -> Body {
        entries.into_iter().collect()
    }
}

impl From<BTreeMap<String, Value>> for Body {
    fn from(map: BTreeMap<String, Value>) -> Body {
        Body::from_sorted(map.into_iter().map(|(k, v)| (Key::Owned(k), v)).collect())
    }
}

impl std::ops::Index<&str> for Body {
    type Output = Value;
    /// Panics when `key` is absent, as a map's index does (tests read bodies this way;
    /// the compiler itself uses [`Body::get`]).
    #[allow(clippy::panic)]
    fn index(&self, key: &str) -> &Value {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no field `{key}` in the body"),
        }
    }
}

/// Shown and serialised as the map it is (keys as text, in order).
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.entries.fmt(f)
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_sorted_and_unique_as_a_map_does() {
        let mut b = Body::new();
        assert_eq!(b.insert("b", Value::Int(1)), None);
        b.insert(String::from("a"), Value::Int(2));
        assert_eq!(b.insert("b", Value::Int(3)), Some(Value::Int(1)));
        b.insert("ab", Value::Bool(true));
        assert_eq!(b.keys().collect::<Vec<_>>(), ["a", "ab", "b"]);
        assert_eq!(b.get("b"), Some(&Value::Int(3)));
        assert_eq!(b.remove("ab"), Some(Value::Bool(true)));
        assert!(!b.contains_key("ab"));
        let map: BTreeMap<String, Value> = [("z", 1), ("a", 2)]
            .map(|(k, v)| (k.to_string(), Value::Int(v)))
            .into();
        let from_map = Body::from(map.clone());
        assert_eq!(
            serde_json::to_string(&from_map).ok(),
            serde_json::to_string(&map).ok()
        );
        assert_eq!(format!("{from_map:?}"), format!("{map:?}"));
        let collected: Body = [
            ("z", Value::Int(0)),
            ("a", Value::Int(2)),
            ("z", Value::Int(1)),
        ]
        .into_iter()
        .collect();
        assert_eq!(collected, from_map, "the later of two entries wins");
    }
}
