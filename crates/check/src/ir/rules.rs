//! A policy's rules, shared, and each rule's capabilities as a set of bits.
//!
//! A program holds thousands of rules. Each one's capabilities were a `Vec` of names
//! (an allocation per rule), and a workload's rules were cloned into its policy
//! document (every path and every vector again). Here the capabilities are one byte and
//! the rules one shared slice that the workload and its policy both hold.

use std::fmt;
use std::sync::Arc;

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use super::{PathRule, CAPABILITIES};

/// A set of [`CAPABILITIES`], read in their canonical order.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Capabilities(u8);

impl Capabilities {
    /// The set of the capabilities at these indices of [`CAPABILITIES`] (others ignored).
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Capabilities {
        let mut bits = 0u8;
        for i in indices {
            if i < CAPABILITIES.len() {
                bits |= 1 << i;
            }
        }
        Capabilities(bits)
    }

    /// The capabilities of either set.
    pub fn union(self, other: Capabilities) -> Capabilities {
        Capabilities(self.0 | other.0)
    }

    /// The set of these names; names that are not capabilities are left out.
    pub fn from_names<'n>(names: impl IntoIterator<Item = &'n str>) -> Capabilities {
        Capabilities::from_indices(
            names
                .into_iter()
                .filter_map(|n| CAPABILITIES.iter().position(|c| *c == n)),
        )
    }

    /// The names, in canonical order.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = &'static str> + Clone {
        let bits = self.0;
        CAPABILITIES
            .iter()
            .enumerate()
            .filter(move |(i, _)| bits & (1 << i) != 0)
            .map(|(_, c)| *c)
    }

    pub fn contains(self, name: &str) -> bool {
        self.iter().any(|c| c == name)
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names joined by `sep`, as `[&str]::join` joins them.
    pub fn join(self, sep: &str) -> String {
        self.to_vec().join(sep)
    }

    pub fn to_vec(self) -> Vec<&'static str> {
        self.iter().collect()
    }

    /// Appends the names quoted and separated by `, ` (`"read", "list"`), as a policy's
    /// HCL lists them: one test of a bit and one copy per capability, as every rule of
    /// every policy of a program is written so.
    pub fn write_quoted(self, out: &mut String) {
        self.write_each(out, &QUOTED);
    }

    /// Appends `table`'s entry of each capability in the set, the first without its
    /// leading `, ` (every entry starts with one).
    pub(super) fn write_each(self, out: &mut String, table: &[&str; 8]) {
        let mut first = true;
        // Only the set bits are visited: most rules grant one or two capabilities.
        for i in self.indices() {
            let quoted = table.get(i).copied().unwrap_or_default();
            // The separator is left off the first.
            out.push_str(if first {
                quoted.get(2..).unwrap_or(quoted)
            } else {
                quoted
            });
            first = false;
        }
    }

    /// The indices in [`CAPABILITIES`] of the set's members, in order.
    fn indices(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Some(i)
        })
    }

    /// The length [`Capabilities::write_quoted`] writes.
    pub fn quoted_len(self) -> usize {
        let len: usize = self
            .indices()
            .map(|i| QUOTED.get(i).map_or(0, |q| q.len()))
            .sum();
        len.saturating_sub(2)
    }
}

/// Each capability quoted, after the `, ` that separates it from the one before.
pub(super) const QUOTED: [&str; 8] = [
    ", \"create\"",
    ", \"read\"",
    ", \"update\"",
    ", \"patch\"",
    ", \"delete\"",
    ", \"list\"",
    ", \"sudo\"",
    ", \"deny\"",
];

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Capabilities {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for c in self.iter() {
            seq.serialize_element(c)?;
        }
        seq.end()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Capabilities {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl PartialEq<[&str]> for Capabilities {
    fn eq(&self, other: &[&str]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

/// A policy's rules in order: one slice, shared by the workload that wrote them and the
/// policy document derived from it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Rules(Arc<[PathRule]>);

impl Rules {
    pub fn as_slice(&self) -> &[PathRule] {
        &self.0
    }
}

impl std::ops::Deref for Rules {
    type Target = [PathRule];
    fn deref(&self) -> &[PathRule] {
        &self.0
    }
}

impl From<Vec<PathRule>> for Rules {
    fn from(rules: Vec<PathRule>) -> Rules {
        Rules(rules.into())
    }
}

impl FromIterator<PathRule> for Rules {
    fn from_iter<I: IntoIterator<Item = PathRule>>(iter: I) -> Rules {
        Rules(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Rules {
    type Item = &'a PathRule;
    type IntoIter = std::slice::Iter<'a, PathRule>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl fmt::Debug for Rules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl Serialize for Rules {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_read_in_canonical_order() {
        let c = Capabilities::from_names(["list", "read", "nope", "deny"]);
        assert_eq!(c, ["read", "list", "deny"]);
        assert_eq!(c.len(), 3);
        assert!(c.contains("deny") && !c.contains("sudo"));
        assert_eq!(c.join(", "), "read, list, deny");
        assert_eq!(format!("{c:?}"), r#"["read", "list", "deny"]"#);
        assert_eq!(
            serde_json::to_string(&c).ok().as_deref(),
            Some(r#"["read","list","deny"]"#)
        );
        assert!(Capabilities::default().is_empty());
        assert_eq!(Capabilities::from_indices([7, 0, 9]), ["create", "deny"]);
        assert_eq!(
            Capabilities::from_indices([5]).union(Capabilities::from_indices([1, 5])),
            ["read", "list"]
        );
        for bits in 0..=u8::MAX {
            let caps = Capabilities(bits);
            let mut quoted = String::new();
            caps.write_quoted(&mut quoted);
            let expected: Vec<String> = caps.iter().map(|c| format!("\"{c}\"")).collect();
            assert_eq!(quoted, expected.join(", "), "{bits:#010b}");
            assert_eq!(quoted.len(), caps.quoted_len());
        }
    }

    #[test]
    fn rules_serialise_and_print_as_a_list() {
        let rules = Rules::from(vec![PathRule {
            path: "a/*".into(),
            capabilities: Capabilities::from_names(["read"]),
        }]);
        let shared = rules.clone();
        assert_eq!(shared.as_slice().as_ptr(), rules.as_slice().as_ptr());
        assert_eq!(
            serde_json::to_string(&rules).ok().as_deref(),
            Some(r#"[{"path":"a/*","capabilities":["read"]}]"#)
        );
        assert_eq!(
            format!("{rules:?}"),
            r#"[PathRule { path: "a/*", capabilities: ["read"] }]"#
        );
    }
}
