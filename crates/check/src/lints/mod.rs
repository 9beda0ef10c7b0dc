//! The pitfalls of the reference scenarios, each a small check over one body.

pub mod auth_roles;
pub mod batch_tokens;
pub mod database;
pub mod jwt;
pub mod kv;
pub mod placeholder;
pub mod rotation;
pub mod secrets;
pub mod ssh;
pub mod ttl;
pub mod username_template;
