//! [`List`]: the syntax tree's sequences that nearly always hold one item.
//!
//! A statement nearly always has one argument (`read "secret/*"`) and a block one label
//! (`role r`), yet a `Vec` of one was a heap block (and its allocation, copy and free)
//! per statement and per block: the largest share of the parser's allocations. A [`List`] keeps a single item inline and only a longer
//! list in a vector. It reads as a slice, so consumers index, iterate and match on it as
//! they did on the `Vec`.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Serialize, Serializer};

/// A sequence whose one-item case needs no allocation. Compares, prints and serialises
/// exactly as the slice it holds (and so as the `Vec` it replaces).
#[derive(Clone)]
pub struct List<T>(Repr<T>);

#[derive(Clone)]
enum Repr<T> {
    One(T),
    // Also holds the empty list, which a statement never has (but a hand-built tree may).
    Many(Vec<T>),
}

impl<T> List<T> {
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            Repr::One(item) => std::slice::from_ref(item),
            Repr::Many(items) => items,
        }
    }

    pub fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.0 {
            Repr::One(item) => std::slice::from_mut(item),
            Repr::Many(items) => items,
        }
    }
}

impl<T> From<T> for List<T> {
    fn from(item: T) -> List<T> {
        List(Repr::One(item))
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(items: Vec<T>) -> List<T> {
        List(Repr::Many(items))
    }
}

impl<T> Default for List<T> {
    fn default() -> List<T> {
        List(Repr::Many(Vec::new()))
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl<'a, T> IntoIterator for &'a mut List<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_mut_slice().iter_mut()
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &List<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for List<T> {}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

impl<T: Serialize> Serialize for List<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_slice().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_and_a_vector_of_one_are_the_same_list() {
        let one = List::from(7);
        let vec = List::from(vec![7]);
        assert_eq!(one, vec);
        assert_eq!(one.as_slice(), [7]);
        assert_eq!(
            format!("{one:?} {vec:#?}"),
            format!("{:?} {:#?}", [7], vec![7])
        );
        assert_eq!(
            serde_json::to_string(&one).ok(),
            serde_json::to_string(&[7]).ok()
        );
        assert_ne!(one, List::from(vec![7, 8]));
        assert!(List::<u8>::default().is_empty());
    }

    #[test]
    fn items_can_be_changed_in_place() {
        let mut one = List::from(1);
        let mut many = List::from(vec![1, 2]);
        for item in one.iter_mut().chain(&mut many) {
            *item += 10;
        }
        assert_eq!(
            (one.as_slice(), many.as_slice()),
            (&[11][..], &[11, 12][..])
        );
    }
}
