//! The stable codes of syntax diagnostics (listed with examples on [`crate::parse`]).

pub(super) const UNEXPECTED_TOKEN: &str = "kp::syntax::unexpected-token";
pub(super) const UNEXPECTED_CHARACTER: &str = "kp::syntax::unexpected-character";
pub(super) const MISSING_VALUE: &str = "kp::syntax::missing-value";
pub(super) const UNTERMINATED_STRING: &str = "kp::syntax::unterminated-string";
pub(super) const INVALID_ESCAPE: &str = "kp::syntax::invalid-escape";
pub(super) const UNTERMINATED_HEREDOC: &str = "kp::syntax::unterminated-heredoc";
pub(super) const INVALID_HEREDOC: &str = "kp::syntax::invalid-heredoc";
pub(super) const UNCLOSED_BLOCK: &str = "kp::syntax::unclosed-block";
pub(super) const UNCLOSED_LIST: &str = "kp::syntax::unclosed-list";
pub(super) const UNCLOSED_MAP: &str = "kp::syntax::unclosed-map";
pub(super) const INVALID_ENV: &str = "kp::syntax::invalid-env";
pub(super) const INVALID_LABEL: &str = "kp::syntax::invalid-label";
pub(super) const INVALID_DURATION: &str = "kp::syntax::invalid-duration";
pub(super) const INVALID_NUMBER: &str = "kp::syntax::invalid-number";
pub(super) const INTEGER_OVERFLOW: &str = "kp::syntax::integer-overflow";
pub(super) const TOO_DEEP: &str = "kp::syntax::too-deep";
