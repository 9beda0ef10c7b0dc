//! A name → declaration table keyed by names borrowed from the tree.
//!
//! The symbol tables were `BTreeMap<String, _>`: an owned copy of every name, and a
//! dozen string comparisons per lookup in a program of thousands of workloads (11 M
//! instructions of `memcmp` in a check of the 2,000-workload program). Lookups here are
//! one hash of the name and, almost always, one comparison. Iteration still reads in key
//! order, as the map's did: "did you mean" lists, the extern policies and the editors'
//! outlines keep their order.
//!
//! One hash index type (`&str` → position) serves every table, so only one hash map is
//! compiled into the wasm, not one per value type.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

/// rustc's Fx hash: keys are short names the program chose, no adversary gains from
/// collisions in a compiler run, and no random seed is needed (the core stays
/// deterministic and wasm-safe).
type Index<'a> = HashMap<&'a str, usize, FxBuildHasher>;

/// Entries in insertion order, found by name through one hash index.
#[derive(Debug)]
pub struct Table<'a, V> {
    entries: Vec<(&'a str, V)>,
    index: Index<'a>,
}

impl<V> Default for Table<'_, V> {
    fn default() -> Self {
        Table {
            entries: Vec::new(),
            index: Index::default(),
        }
    }
}

impl<'a, V> Table<'a, V> {
    /// Room for `n` more entries: a table filled by thousands of declarations is sized
    /// once, not rehashed at every doubling.
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
        self.index.reserve(n);
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.get_key_value(name).map(|(_, v)| v)
    }

    /// The entry with the name as it was declared (borrowed from the tree).
    pub fn get_key_value(&self, name: &str) -> Option<(&'a str, &V)> {
        let &i = self.index.get(name)?;
        self.at(i)
    }

    /// The entry inserted `i`-th.
    pub fn at(&self, i: usize) -> Option<(&'a str, &V)> {
        self.entries.get(i).map(|(k, v)| (*k, v))
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Adds `name` unless present; returns false (and keeps the first) when it is.
    pub fn insert(&mut self, name: &'a str, value: V) -> bool {
        match self.index.entry(name) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(self.entries.len());
                self.entries.push((name, value));
                true
            }
        }
    }

    /// The entries in the order they were inserted: for a filter whose result the
    /// caller sorts (sorting the few it keeps, not the whole table).
    pub fn unordered(&self) -> impl Iterator<Item = (&'a str, &V)> + '_ {
        self.entries.iter().map(|(k, v)| (*k, v))
    }

    /// The entries in key order, as a `BTreeMap` iterates (a sort per call: iteration
    /// is for errors, outlines and the few lists the output holds).
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &V)> + '_ {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        kp_sort::by_key(&mut order, |&i| self.entries.get(i).map(|(k, _)| *k));
        order
            .into_iter()
            .filter_map(|i| self.entries.get(i).map(|(k, v)| (*k, v)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.iter().map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn reads_like_a_btree_map_that_keeps_the_first() {
        let names = ["job-10", "job-2", "a", "job-1", "b", "job-2", "", "job-10"];
        let mut table = Table::default();
        let mut map = BTreeMap::new();
        for (i, n) in names.iter().enumerate() {
            let fresh = !map.contains_key(n);
            if fresh {
                map.insert(*n, i);
            }
            assert_eq!(table.insert(n, i), fresh, "{n}");
        }
        assert!(table.iter().eq(map.iter().map(|(k, v)| (*k, v))));
        assert!(table.keys().eq(map.keys().copied()));
        for n in names.iter().chain(&["job-3", "jo"]) {
            assert_eq!(table.get(n), map.get(n), "{n}");
            assert_eq!(table.contains_key(n), map.contains_key(n));
        }
        assert_eq!(table.get_key_value("b"), Some(("b", &4)));
        assert!(table
            .unordered()
            .map(|(k, _)| k)
            .eq(["job-10", "job-2", "a", "job-1", "b", ""]));
        assert_eq!(Table::<()>::default().iter().count(), 0);
    }
}
