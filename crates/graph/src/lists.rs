//! [`NodeLists`]: one list per node, all in one vector.

/// A list per node, list `i` at `items[starts[i]..starts[i + 1]]`: a vector per node
/// cost an allocation and its regrowths for each of thousands of nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeLists<T> {
    items: Vec<T>,
    starts: Vec<usize>,
}

impl<T: Copy + Default> NodeLists<T> {
    /// The lists of `n` nodes from `(node, item)` pairs, each list in the pairs' order
    /// (a counting sort by node, which keeps that order). Pairs of nodes from `n` on are
    /// left out.
    pub fn new(n: usize, pairs: impl Iterator<Item = (usize, T)> + Clone) -> Self {
        let mut starts = vec![0usize; n + 1];
        for (node, _) in pairs.clone() {
            if let Some(count) = starts.get_mut(node + 1) {
                *count += 1;
            }
        }
        for i in 1..starts.len() {
            let before = starts.get(i - 1).copied().unwrap_or(0);
            if let Some(s) = starts.get_mut(i) {
                *s += before;
            }
        }
        let mut items = vec![T::default(); starts.last().copied().unwrap_or(0)];
        // Where the next item of each list goes.
        let mut next: Vec<usize> = starts.get(..n).unwrap_or_default().to_vec();
        for (node, item) in pairs {
            if let Some(at) = next.get_mut(node) {
                if let Some(slot) = items.get_mut(*at) {
                    *slot = item;
                }
                *at += 1;
            }
        }
        NodeLists { items, starts }
    }
}

impl<T> NodeLists<T> {
    /// The number of nodes.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Node `i`'s list (empty past the last node).
    pub fn get(&self, i: usize) -> &[T] {
        let (Some(&from), Some(&to)) = (self.starts.get(i), self.starts.get(i + 1)) else {
            return &[];
        };
        self.items.get(from..to).unwrap_or_default()
    }

    /// Sorts every list.
    pub fn sort_each(&mut self)
    where
        T: Ord,
    {
        for bounds in self.starts.windows(2) {
            if let [from, to] = *bounds {
                if let Some(list) = self.items.get_mut(from..to) {
                    kp_sort::unstable(list);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::NodeLists;

    /// The lists a vector per node would hold, pairs of nodes out of range left out.
    #[test]
    fn holds_what_a_vector_per_node_holds() {
        let pairs = [(2, 'a'), (0, 'b'), (2, 'c'), (5, 'x'), (0, 'd'), (3, 'e')];
        let mut lists = NodeLists::new(4, pairs.iter().copied());
        let mut expected = vec![Vec::new(); 4];
        for &(node, item) in &pairs {
            if let Some(list) = expected.get_mut(node) {
                list.push(item);
            }
        }
        assert_eq!(lists.len(), 4);
        for (i, list) in expected.iter().enumerate() {
            assert_eq!(lists.get(i), list.as_slice(), "node {i}");
        }
        assert!(lists.get(4).is_empty());
        lists.sort_each();
        assert_eq!(lists.get(0), ['b', 'd']);
        assert_eq!(lists.get(2), ['a', 'c']);
        let mut numbers = NodeLists::new(2, [(0, 3), (1, 1), (0, 1), (0, 2)].into_iter());
        numbers.sort_each();
        assert_eq!(numbers.get(0), [1, 2, 3]);
        assert_eq!(numbers.get(1), [1]);
        assert!(NodeLists::<u8>::new(0, std::iter::empty()).is_empty());
    }
}
