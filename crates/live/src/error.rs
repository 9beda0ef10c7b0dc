//! The errors of the live edge. Messages follow the project's style: lowercase, no final
//! period, user input in backticks, and never a secret value.

use thiserror::Error;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LiveError {
    #[error("no server address: set `VAULT_ADDR` (or `BAO_ADDR`) or pass `--addr`")]
    NoAddress,
    #[error("no token: set `VAULT_TOKEN` (or `BAO_TOKEN`), or log in with `bao login`")]
    NoToken,
    #[error("invalid server address `{addr}`: {reason}")]
    BadAddress { addr: String, reason: String },
    #[error("cannot read the CA certificate `{path}`: {reason}")]
    CaCert { path: String, reason: String },
    #[error("cannot reach the server at `{addr}`: {reason}")]
    Unreachable { addr: String, reason: String },
    #[error("the server at `{addr}` is sealed: unseal it and retry")]
    Sealed { addr: String },
    #[error("the server refused the token: {message}")]
    Forbidden { message: String },
    #[error("{method} `{path}` failed with status {status}: {message}")]
    Api {
        method: &'static str,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{method} `{path}`: {reason}")]
    Transport {
        method: &'static str,
        path: String,
        reason: String,
    },
    #[error("{method} `{path}`: the response is not valid JSON: {reason}")]
    BadResponse {
        method: &'static str,
        path: String,
        reason: String,
    },
    #[error("environment variable `{name}` is not set or is empty (needed by `{resource}`)")]
    MissingEnv { name: String, resource: String },
    #[error(
        "the program creates tokens ({names}): pass `--token-out DIR` to say where to write them"
    )]
    NoTokenOut { names: String },
    #[error("cannot write `{path}`: {reason}")]
    TokenFile { path: String, reason: String },
    #[error("cannot read `{path}`: {reason}")]
    ReadSource { path: String, reason: String },
    /// A program's files could not be listed or read (the text names the file).
    #[error("{0}")]
    ReadProgram(String),
    #[error("{location}: {message} ({count} error(s) in all: run `keyplan check` to see them)")]
    Compile {
        location: String,
        message: String,
        count: usize,
    },
    #[error(
        "the program is compiled for {asked}, but the server at `{addr}` is {server}: \
         plan and apply for the server itself (`--target {flag}`, or no `--target`)"
    )]
    TargetMismatch {
        addr: String,
        asked: &'static str,
        server: &'static str,
        flag: String,
    },
    #[error("`{id}` cannot be changed in place: {reason}")]
    Immutable { id: String, reason: String },
    /// A creation the server would refuse (a mount nested in another).
    #[error("`{id}` cannot be created: {reason}")]
    CannotCreate { id: String, reason: String },
    #[error("`{path}` is not a saved plan: {reason}")]
    BadPlanFile { path: String, reason: String },
    #[error("not applied: the saved plan was computed against `{planned}`, not `{addr}`")]
    PlanElsewhere { planned: String, addr: String },
    #[error("not applied: the server changed since the plan was saved ({ids}): plan again")]
    StalePlan { ids: String },
    #[error(
        "not applied: the plan found {tokens} through the accessors recorded under `--token-out` when it was saved: apply with that `--token-out` directory"
    )]
    TokenOutMissing { tokens: String },
    #[error("`{id}` holds a secret written as a literal: a saved plan holds secrets only as `env(\"...\")` references")]
    LiteralSecretInPlan { id: String },
    #[error(
        "not applied: deleting a mount destroys what it holds, and the plan deletes {mounts}: pass `--allow-destroy` to delete them, or keep them in the program"
    )]
    DestroyRefused { mounts: String },
    /// The previous version of the program (`--previous`) could not be read.
    #[error("--previous: {0}")]
    ReadPrevious(String),
    #[error("not applied: confirmation declined")]
    Declined,
    #[error("not applied: no terminal to confirm on; pass `--yes` to apply without asking")]
    NoTerminal,
    /// `apply PLAN.json --prune`: a saved plan deletes only its `--previous` deletions.
    #[error(
        "not applied: `--prune` does not apply to a saved plan (`{path}` deletes only what \
         `--previous` removed, and its undeclared resources may have changed since): apply \
         without `--prune`, then prune with `keyplan apply --prune` on the program"
    )]
    PruneSavedPlan { path: String },
}

impl LiveError {
    /// Whether the error is about the server or the connection rather than one call's
    /// request: every other call would meet it too (an unreachable or sealed server, a
    /// refused token, a 5xx). Apply stops starting calls at once on these; a refusal of
    /// one request (a 400) lets the calls beside it finish, so that what a failed apply
    /// wrote does not depend on how fast each call came back.
    pub fn concerns_server(&self) -> bool {
        match self {
            LiveError::Unreachable { .. }
            | LiveError::Sealed { .. }
            | LiveError::Forbidden { .. }
            | LiveError::Transport { .. }
            | LiveError::BadResponse { .. } => true,
            LiveError::Api { status, .. } => *status >= 500 || *status == 403,
            _ => false,
        }
    }
}

pub type Result<T, E = LiveError> = std::result::Result<T, E>;
