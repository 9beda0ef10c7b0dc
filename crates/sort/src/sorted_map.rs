//! A map as a `Vec` of entries sorted by key, searched by binary search.
//!
//! Why not `BTreeMap`: its code (search, insertion, node splits, drop) is compiled once per
//! key and value type; kp-schema's catalog maps and kp-access's lookups were a good part
//! of that in the playground's wasm. These maps are built once, read many times and small
//! (an endpoint's fields, a program's policies), which is what a sorted `Vec` does well;
//! an insertion in the middle moves the entries after it.

use std::borrow::Borrow;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// A map with `BTreeMap`'s read API (`get`, `keys`, `values`, iteration in key order).
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces, as `BTreeMap::insert` (the first key is kept on a replace).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, slot)| std::mem::replace(slot, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`, inserted as `V::default()` when missing (`BTreeMap`'s
    /// `entry(key).or_default()`).
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.get_or_insert_with(key, V::default)
    }

    /// The value of `key`, inserted as `make()` when missing (`entry(key).or_insert_with`).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (key, make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    /// The stored key and its value (`BTreeMap::get_key_value`).
    pub fn get_key_value<Q>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).is_ok()
    }

    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.find(key).ok()?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let i = self.find(key).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// Where `key` is (`Ok`) or would be inserted (`Err`).
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }
}

impl<K, V> SortedMap<K, V> {
    /// Room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        SortedMap {
            entries: Vec::with_capacity(n),
        }
    }

    /// Room for `n` more entries, exactly.
    pub fn reserve_exact(&mut self, n: usize) {
        self.entries.reserve_exact(n);
    }

    /// The map of `entries` in any order, sorted in O(n log n) by [`crate::by_key`]; for a
    /// repeated key the last value wins, as when collecting (which inserts one by one, each
    /// insertion moving the entries after it: quadratic on a large unsorted list).
    pub fn from_unsorted(mut entries: Vec<(K, V)>) -> Self
    where
        K: Ord + Clone,
    {
        crate::by_key(&mut entries, |(k, _)| k.clone());
        from_sorted_repeats(entries)
    }

    /// The map of `entries`, which the caller guarantees are sorted by key, each key once
    /// (the entries of a `BTreeMap`, say).
    pub fn from_sorted(entries: Vec<(K, V)>) -> Self {
        SortedMap { entries }
    }

    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in key order, by value.
    pub fn into_entries(self) -> Vec<(K, V)> {
        self.entries
    }

    /// The entries in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
}

/// The map of `entries` sorted stably by key, a key maybe repeated: the last value of
/// each key wins, as when collecting into a `BTreeMap`.
fn from_sorted_repeats<K: Ord, V>(mut entries: Vec<(K, V)>) -> SortedMap<K, V> {
    // `dedup_by` keeps the first of equal keys: move the later value into it.
    entries.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
    SortedMap { entries }
}

/// For a repeated key the last value wins, as when collecting into a `BTreeMap`.
///
/// In the wasm, collected by inserting one by one, so that no standard sort is compiled
/// in (see [`crate::map`]; sorting first with [`crate::by`] cost 1.6 KB of the gzipped
/// wasm): keys that come in order are appended, and out of order, each insertion moves
/// the entries after it, which is quadratic. Natively, sorted once by the standard
/// stable sort, which gives the same map: a map of a large program's policies took 23 M
/// instructions (a tenth of `keyplan check` on 2,000 workloads) by insertion.
impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        #[cfg(not(target_family = "wasm"))]
        {
            let mut entries: Vec<(K, V)> = items.into_iter().collect();
            #[allow(clippy::disallowed_methods)]
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            from_sorted_repeats(entries)
        }
        #[cfg(target_family = "wasm")]
        {
            let mut map = SortedMap::new();
            for (key, value) in items {
                map.insert(key, value);
            }
            map
        }
    }
}

/// The iterator of [`SortedMap::iter`].
pub type Iter<'a, K, V> =
    std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Shown as a map, as a `BTreeMap` is.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Written as a map in key order, as a `BTreeMap` is.
impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::SortedMap;

    /// Built from unsorted entries or collected, the map a `BTreeMap` collects: the last
    /// value of a repeated key wins.
    #[test]
    fn from_unsorted_collects_as_a_btree_map() {
        let keys = ["m", "c", "x", "a", "c", "z", "b", "m", "q", "c", "a"];
        let entries: Vec<(&str, usize)> = keys.into_iter().zip(0..).collect();
        let btree: BTreeMap<&str, usize> = entries.iter().copied().collect();
        let collected: SortedMap<&str, usize> = entries.iter().copied().collect();
        let ours = SortedMap::from_unsorted(entries);
        assert_eq!(
            ours.iter().collect::<Vec<_>>(),
            btree.iter().collect::<Vec<_>>()
        );
        assert!(collected == ours, "collected as `from_unsorted` builds it");
        assert!(SortedMap::<u8, u8>::from_unsorted(Vec::new()).is_empty());
    }

    /// Every read agrees with a `BTreeMap` given the same insertions, repeats included.
    #[test]
    fn reads_as_a_btree_map() {
        let keys = ["m", "c", "x", "a", "c", "z", "b", "m", "q"];
        let mut ours = SortedMap::new();
        let mut btree = BTreeMap::new();
        for (i, key) in keys.into_iter().enumerate() {
            assert_eq!(
                ours.insert(key.to_string(), i),
                btree.insert(key.to_string(), i)
            );
        }
        assert_eq!(
            ours.iter().collect::<Vec<_>>(),
            btree.iter().collect::<Vec<_>>()
        );
        assert_eq!(ours.len(), btree.len());
        for key in ["a", "c", "m", "n", "", "zz"] {
            assert_eq!(ours.get(key), btree.get(key), "{key}");
            assert_eq!(ours.get_key_value(key), btree.get_key_value(key), "{key}");
            assert_eq!(ours.contains_key(key), btree.contains_key(key), "{key}");
        }
        assert_eq!(format!("{ours:?}"), format!("{btree:?}"));
        assert_eq!(
            serde_json::to_string(&ours).ok(),
            serde_json::to_string(&btree).ok()
        );
        assert!(SortedMap::<String, u8>::new().is_empty());

        let mut counts = SortedMap::new();
        let mut btree = BTreeMap::new();
        for key in keys {
            *counts.get_or_default(key) += 1;
            *btree.entry(key).or_insert(0) += 1;
        }
        assert_eq!(counts.into_entries(), btree.into_iter().collect::<Vec<_>>());
    }
}
