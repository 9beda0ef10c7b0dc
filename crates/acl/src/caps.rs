//! Capability sets as the server keeps them: a bitmap with the server's own bit values
//! (`internal/vault/policy/policy.go`, `DenyCapabilityInt` ...), so merging is a plain `|`.

use std::fmt;

use serde::{Serialize, Serializer};

/// A set of capabilities. `deny` is a capability like the others in the set; what it
/// means (it wins over everything else merged into the same pattern) is applied by the
/// evaluator, as the server does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Caps(u16);

impl Caps {
    pub const NONE: Caps = Caps(0);
    pub const DENY: Caps = Caps(1);
    pub const CREATE: Caps = Caps(1 << 1);
    pub const READ: Caps = Caps(1 << 2);
    pub const UPDATE: Caps = Caps(1 << 3);
    pub const DELETE: Caps = Caps(1 << 4);
    pub const LIST: Caps = Caps(1 << 5);
    pub const SUDO: Caps = Caps(1 << 6);
    pub const PATCH: Caps = Caps(1 << 7);
    pub const SCAN: Caps = Caps(1 << 8);

    /// Every capability with its name, in the alphabetical order `sys/capabilities`
    /// answers in (the handler sorts the names).
    pub const NAMED: [(&'static str, Caps); 9] = [
        ("create", Caps::CREATE),
        ("delete", Caps::DELETE),
        ("deny", Caps::DENY),
        ("list", Caps::LIST),
        ("patch", Caps::PATCH),
        ("read", Caps::READ),
        ("scan", Caps::SCAN),
        ("sudo", Caps::SUDO),
        ("update", Caps::UPDATE),
    ];

    /// The capability called `name`, or `None` for a name the server rejects.
    pub fn from_name(name: &str) -> Option<Caps> {
        Caps::NAMED
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, c)| *c)
    }

    pub fn contains(self, other: Caps) -> bool {
        other.0 != 0 && self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_deny(self) -> bool {
        self.0 & Caps::DENY.0 != 0
    }

    pub fn bits(self) -> u16 {
        self.0
    }

    /// The names in this set, alphabetically.
    pub fn names(self) -> Vec<&'static str> {
        Caps::NAMED
            .iter()
            .filter(|(_, c)| self.contains(*c))
            .map(|(n, _)| *n)
            .collect()
    }
}

impl std::ops::BitOr for Caps {
    type Output = Caps;
    fn bitor(self, rhs: Caps) -> Caps {
        Caps(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Caps {
    fn bitor_assign(&mut self, rhs: Caps) {
        self.0 |= rhs.0;
    }
}

impl fmt::Display for Caps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("(none)");
        }
        f.write_str(&self.names().join(", "))
    }
}

impl Serialize for Caps {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(s)
    }
}
