//! placeholder until the live crate lands its lib.rs
