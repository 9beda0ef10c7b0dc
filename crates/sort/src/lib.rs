//! One stable sort whose machine code exists once in a binary.
//!
//! `slice::sort_by_key` is generic: every element type and every key closure gets its own
//! copy of the standard library's driftsort (about 4 KB of wasm each, nineteen copies were
//! 13% of the playground's code). These functions sort a list of indices instead, through
//! one comparator behind `dyn`, so the sort is compiled once; per caller only a small loop
//! that computes keys and moves the items into place remains. The result is exactly
//! `sort_by_key`'s: stable, equal keys keep their order.
//!
//! The same code runs natively and in wasm, so the CLI and the playground cannot disagree
//! on an order. Sorting indices costs a little more than sorting in place; these are meant
//! for the short lists of the compiler (diagnostics, secrets, a policy's rules), not for
//! hot paths over the whole program.

// In the playground's wasm: the standard sorts only through `kp_sort` (clippy.toml).
#![deny(clippy::disallowed_methods)]

pub mod sorted_map;

pub use sorted_map::SortedMap;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` stably by `key`, as `items.sort_by_key(key)` does; each key is computed
/// once (as `sort_by_cached_key`).
pub fn by_key<T, K: Ord>(items: &mut [T], key: impl FnMut(&T) -> K) {
    let keys: Vec<K> = items.iter().map(key).collect();
    let order = order(keys.len(), &mut |a, b| keys[a].cmp(&keys[b]));
    permute(items, order);
}

/// Sorts `items` stably with `compare`, as `items.sort_by(compare)` does.
pub fn by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    let order = order(items.len(), &mut |a, b| compare(&items[a], &items[b]));
    permute(items, order);
}

/// Sorts `items` stably in their natural order, as `items.sort()` does.
pub fn sort<T: Ord>(items: &mut [T]) {
    by(items, T::cmp);
}

/// Sorts `items` in their natural order, as `items.sort_unstable()` does, for items whose
/// equal values cannot be told apart (integers, tuples of them): then every sort gives the
/// same slice. In the wasm a heapsort, not the standard pdqsort: a few hundred bytes of
/// wasm per item type against about 3 KB, in O(n log n) at worst, without allocating.
/// Natively the standard sort, faster on lists of any length.
pub fn unstable<T: Ord>(items: &mut [T]) {
    #[cfg(not(target_family = "wasm"))]
    #[allow(clippy::disallowed_methods)]
    items.sort_unstable();
    #[cfg(target_family = "wasm")]
    heapsort(items);
}

/// [`unstable`]'s sort in the wasm.
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
fn heapsort<T: Ord>(items: &mut [T]) {
    let len = items.len();
    // Most lists sorted here are a resource's few dependencies: an insertion sort is
    // cheaper than building a heap for them.
    if len <= SMALL {
        for i in 1..len {
            let mut j = i;
            while j > 0 && items[j - 1] > items[j] {
                items.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    for root in (0..len / 2).rev() {
        sift_down(items, root, len);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end);
    }
}

/// The longest slice [`unstable`] sorts by insertion.
const SMALL: usize = 16;

/// Moves `items[root]` down the max-heap `items[..end]` until both children are smaller.
fn sift_down<T: Ord>(items: &mut [T], mut root: usize, end: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && items[child] < items[child + 1] {
            child += 1;
        }
        if items[root] >= items[child] {
            return;
        }
        items.swap(root, child);
        root = child;
    }
}

/// `items.collect::<BTreeMap<_, _>>()` without the standard sort that collecting
/// compiles in (it sorts the pairs, then builds the tree): the pairs are inserted one by
/// one. The same map: for a repeated key the last value wins, as when collecting.
pub fn map<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in items {
        map.insert(key, value);
    }
    map
}

/// Inserts `item` into the sorted list `set` unless it holds it already: whether it was
/// added. A set for the wasm's crates without a `BTreeSet`, whose tree code (about 4 KB of
/// wasm) each element type compiles in.
pub fn insert_sorted<T: Ord>(set: &mut Vec<T>, item: T) -> bool {
    match set.binary_search(&item) {
        Ok(_) => false,
        Err(at) => {
            set.insert(at, item);
            true
        }
    }
}

/// Whether the sorted list `set` holds `item` (see [`insert_sorted`]).
pub fn contains_sorted<T: Ord + ?Sized, Q: std::borrow::Borrow<T>>(set: &[Q], item: &T) -> bool {
    set.binary_search_by(|probe| probe.borrow().cmp(item))
        .is_ok()
}

/// `items.collect::<BTreeSet<_>>()` without the standard sort (see [`map`]).
pub fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// The indices `0..len` in the stable order `compare` gives them, by a bottom-up merge
/// sort. Not the standard `sort_by`: its driftsort was about 4 KB of the wasm, this is a
/// tenth of that, and these lists are short.
fn order(len: usize, compare: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged = vec![0; len];
    let mut width = 1;
    while width < len {
        let mut start = 0;
        while start < len {
            let mid = len.min(start + width);
            let end = len.min(mid + width);
            // Runs already in order (the usual case: lists come nearly sorted) are copied
            // with one comparison.
            if mid == end || compare(order[mid], order[mid - 1]) != Ordering::Less {
                merged[start..end].copy_from_slice(&order[start..end]);
                start = end;
                continue;
            }
            let (mut left, mut right) = (start, mid);
            for slot in &mut merged[start..end] {
                // The right run's item goes first only when strictly less: equal keys keep
                // their order, so the sort is stable.
                let take_right = right < end
                    && (left >= mid || compare(order[right], order[left]) == Ordering::Less);
                if take_right {
                    *slot = order[right];
                    right += 1;
                } else {
                    *slot = order[left];
                    left += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Moves `items[order[i]]` to position `i` in place: each cycle of the permutation is
/// walked once, with swaps, and marked done by writing its indices back in place.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

// The tests compare with the standard sorts.
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A sorted list filled by `insert_sorted` is the `BTreeSet` of the same items,
        /// and each insert says whether the item was new.
        #[test]
        fn insert_sorted_is_a_set(items in proptest::collection::vec(0u8..40, 0..200)) {
            let mut ours = Vec::new();
            let mut std = BTreeSet::new();
            for item in items {
                prop_assert_eq!(insert_sorted(&mut ours, item), std.insert(item));
                prop_assert!(contains_sorted(&ours, &item));
            }
            prop_assert_eq!(ours, std.into_iter().collect::<Vec<_>>());
        }

        /// The same order as the standard stable sort, equal keys included.
        #[test]
        fn same_as_std(items in proptest::collection::vec((0u8..6, any::<u16>()), 0..300)) {
            let mut ours = items.clone();
            let mut std = items.clone();
            by_key(&mut ours, |&(k, _)| k);
            std.sort_by_key(|&(k, _)| k);
            prop_assert_eq!(&ours, &std);

            let mut ours = items.clone();
            let mut std = items.clone();
            // Keys ascending, then the second field descending: ties remain (equal pairs).
            by(&mut ours, |a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            std.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            prop_assert_eq!(&ours, &std);

            let mut ours = items.clone();
            let mut std = items.clone();
            sort(&mut ours);
            std.sort();
            prop_assert_eq!(ours, std);

            // The wasm's heapsort, tested here where `unstable` is the standard sort.
            let mut ours = items.clone();
            let mut std = items;
            heapsort(&mut ours);
            std.sort_unstable();
            prop_assert_eq!(ours, std);
        }
    }

    proptest! {
        /// The same map and set as collecting, repeated keys included (the last value wins).
        #[test]
        fn same_as_collect(pairs in proptest::collection::vec((0u8..20, any::<u16>()), 0..100)) {
            prop_assert_eq!(map(pairs.clone()), pairs.iter().copied().collect::<BTreeMap<_, _>>());
            prop_assert_eq!(set(pairs.clone()), pairs.into_iter().collect::<BTreeSet<_>>());
        }
    }

    #[test]
    fn strings_move_without_copies() {
        let mut names = vec!["c".to_string(), "a".into(), "b".into(), "a".into()];
        by_key(&mut names, |s| s.len());
        assert_eq!(names, ["c", "a", "b", "a"]);
        sort(&mut names);
        assert_eq!(names, ["a", "a", "b", "c"]);
    }
}
