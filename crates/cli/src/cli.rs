use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compile pipeline access intent into Vault and OpenBao configuration.
#[derive(Debug, Parser)]
#[command(name = "keyplan", version, about, long_about = None)]
#[command(after_help = "Examples:
  keyplan check examples/pipeline.kp
  keyplan build examples/pipeline.kp --emit api
  keyplan build examples/pipeline.kp --emit hcl -o out/

Exit codes: 0 success (warnings allowed), 1 errors, 2 usage.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check programs and report every problem found
    #[command(after_help = "Examples:
  keyplan check examples/*.kp
  keyplan check examples/multi-team/               # a directory is one program
  keyplan check --target openbao examples/api-key-rotation.kp
  keyplan check --format json examples/pipeline.kp | jq '.diagnostics[]'
  keyplan check --format sarif examples/*.kp > keyplan.sarif   # GitHub code scanning
  keyplan check --format github examples/*.kp                  # annotations in Actions

Exit codes: 0 no errors (warnings allowed), 1 errors, 2 usage.")]
    Check(CheckArgs),
    /// Compile a program to Vault API calls, HCL policies, a JSON graph or a shell script
    #[command(after_help = "Examples:
  keyplan build examples/pipeline.kp                 # API calls as JSON on stdout
  keyplan build examples/pipeline.kp --emit hcl      # the ACL policies
  keyplan build examples/pipeline.kp --emit sh --target openbao > apply.sh
  keyplan build examples/pipeline.kp --emit all -o build/
  keyplan build examples/multi-team/ --emit hcl      # every .kp file of a directory

Secrets written as env(\"NAME\") appear only as the placeholder ${NAME}.
Exit codes: 0 success (warnings allowed), 1 errors, 2 usage.")]
    Build(BuildArgs),
    /// Compare a program with a live Vault/OpenBao server and show what apply would change
    #[command(after_help = "Examples:
  VAULT_ADDR=https://vault.example.com:8200 VAULT_TOKEN=... keyplan plan examples/pipeline.kp
  keyplan plan --target openbao --format json examples/04-token-roles.kp --token-out tokens/
  keyplan plan examples/multi-team/ -o plan.json     # a directory (or several files) is one program

Connection: VAULT_ADDR/VAULT_TOKEN (or BAO_ADDR/BAO_TOKEN), VAULT_NAMESPACE, VAULT_CACERT,
VAULT_SKIP_VERIFY, or --addr. Secrets are never printed.
Exit codes: 0 no changes, 2 changes pending, 1 error.")]
    Plan(kp_live::PlanArgs),
    /// Apply a program to a live Vault/OpenBao server, in dependency order
    #[command(after_help = "Examples:
  keyplan apply examples/pipeline.kp                 # shows the plan, asks before applying
  DB_ROOT_PASSWORD=... keyplan apply --yes examples/05-api-key-rotation.kp
  keyplan apply --yes --token-out tokens/ examples/04-token-roles.kp
  keyplan apply --yes --prune examples/pipeline.kp   # also delete what the program dropped
  keyplan apply --yes plan.json                      # exactly a plan saved by `plan -o`

env(\"NAME\") secrets are read from the environment here and sent only to the server.
Created tokens are written only under --token-out (files mode 0600), never to stdout.
Exit codes: 0 applied (or nothing to do), 1 error.")]
    Apply(kp_live::ApplyArgs),
    /// Rewrite programs in the canonical layout, keeping every comment
    #[command(after_help = crate::fmt::AFTER_HELP)]
    Fmt(crate::fmt::FmtArgs),
    /// Show what each identity may do on paths, and the policy rule that decided it
    #[command(after_help = "Examples:
  keyplan explain examples/pipeline.kp secret/data/models/x
  keyplan explain examples/pipeline.kp --as trainer auth/token/lookup-self cubbyhole/a
  keyplan explain examples/pipeline.kp --policies secrets-reader,default secret/data/x
  keyplan explain --target openbao --format json examples/pipeline.kp kv/metadata/

Answers as the server's sys/capabilities does (a LIST lookup; --target picks Vault's or
OpenBao's trailing-slash order). `default` is added unless the identity opts out;
--policies evaluates exactly the given set.
Exit codes: 0 answered, 1 errors (program, unknown identity or policy), 2 usage.")]
    Explain(ExplainArgs),
    /// Show who may do what: identity × path pattern → capabilities, with login conditions
    #[command(after_help = "Examples:
  keyplan access examples/pipeline.kp
  keyplan access --format csv examples/pipeline.kp > access.csv

Exit codes: 0 success, 1 errors.")]
    Access(crate::access::AccessArgs),
    /// Show what a change grants or takes away, per identity
    #[command(after_help = "Examples:
  keyplan diff old.kp new.kp
  keyplan diff git:origin/main examples/pipeline.kp --format markdown > comment.md

Pure refactors (renamed policies, reordered rules, reformatting) report no change.
Exit codes: 0 access unchanged, 2 access changed, 1 errors.")]
    Diff(crate::diff::DiffArgs),
    /// Show which JWT roles accept a token with given claims, and why the others refuse it
    #[command(after_help = "Examples:
  keyplan simulate examples/pipeline.kp --claims token.json
  keyplan simulate examples/pipeline.kp --claims token.json --mount gitlab --format json

Roles are judged on their bindings. A token the server refuses whatever the role
(expired, not yet valid, or without `exp`, `nbf` and `iat`) is said so in a note.
Exit codes: 0 some role accepts the token, 2 none does, 1 errors.")]
    Simulate(crate::simulate::SimulateArgs),
    /// Run the language server on standard input and output (for editors)
    #[command(
        after_help = "Editors start it themselves: see editors/ and the README.
Client settings (initializationOptions): { \"target\": \"openbao\" }."
    )]
    Lsp,
    /// Read a live Vault/OpenBao server and write the keyplan program that describes it
    #[command(after_help = "Examples:
  keyplan import > main.kp                           # everything, as one program
  keyplan import -o infra/                           # one file per mount, plus policies.kp
  keyplan import --mount gitlab --policy deployer --target openbao

Secrets are never imported: they become env(\"NAME\") and the variables are listed.
Policies keyplan cannot write yet become `extern policy`, their text kept in a comment.
Connection as for plan. Exit codes: 0 imported (warnings allowed), 1 nothing could be read.")]
    Import(kp_live::ImportArgs),
    /// Explain a diagnostic code: its entry of docs/diagnostics.md, with examples
    #[command(after_help = "Examples:
  keyplan explain-code kp::unknown-field
  keyplan explain-code unbound-jwt-role        # the kp:: prefix may be left out

Exit codes: 0 explained, 1 unknown code.")]
    ExplainCode(ExplainCodeArgs),
}

#[derive(Debug, Args)]
pub struct ExplainCodeArgs {
    /// The code, e.g. `kp::missing-field` (as `check` prints it)
    #[arg(value_name = "CODE")]
    pub code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// HashiCorp Vault
    Vault,
    /// OpenBao (no AWS secrets engine)
    Openbao,
}

impl From<keyplan::Target> for TargetArg {
    fn from(t: keyplan::Target) -> Self {
        match t {
            keyplan::Target::Vault => TargetArg::Vault,
            keyplan::Target::Openbao => TargetArg::Openbao,
        }
    }
}

impl From<TargetArg> for keyplan::Target {
    fn from(t: TargetArg) -> Self {
        match t {
            TargetArg::Vault => keyplan::Target::Vault,
            TargetArg::Openbao => keyplan::Target::Openbao,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical diagnostics with source snippets on stderr
    Human,
    /// `{"diagnostics": [...]}` on stderr (stdout carries the build's output)
    Json,
}

/// `keyplan check`'s reports: those of [`Format`] and the formats CI systems read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Graphical diagnostics with source snippets on stderr
    Human,
    /// `{"diagnostics": [...]}` on stdout
    Json,
    /// SARIF 2.1.0 on stdout, for GitHub code scanning (upload-sarif)
    Sarif,
    /// GitHub Actions workflow commands on stdout: annotations on the changed lines
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmitArg {
    /// Vault API calls in apply order (calls.json)
    Api,
    /// ACL policies as HCL (policies/NAME.hcl)
    Hcl,
    /// The resource graph (graph.json)
    Json,
    /// A reviewable shell script of vault/bao CLI calls (apply.sh)
    Sh,
    /// Every format (needs -o)
    All,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Programs to check, each a file or a directory whose `.kp` files form one program
    /// (`-` reads standard input)
    #[arg(required_unless_present = "explain", value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// Explain a diagnostic code instead of checking (same as `keyplan explain-code`)
    #[arg(long, value_name = "CODE", conflicts_with = "files")]
    pub explain: Option<String>,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// How to report diagnostics
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Treat warnings as errors (exit 1 when there is any)
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The program: `.kp` files and directories (each `.kp` file directly inside), compiled
    /// together as one program in path order (`-` reads standard input)
    #[arg(required = true, value_name = "FILE|DIR")]
    pub files: Vec<PathBuf>,
    /// What to emit
    #[arg(long, value_enum, default_value_t = EmitArg::Api)]
    pub emit: EmitArg,
    /// The server the program is for [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Write the outputs as files under DIR instead of printing them. Each file is
    /// replaced whole (never half-written); a file whose bytes are unchanged is left
    /// untouched, modification time included, so make-style tools see nothing to redo;
    /// a file an earlier build wrote there and this one no longer writes is removed
    /// (DIR/.keyplan-outputs lists what keyplan wrote; no other file is touched)
    #[arg(
        short = 'o',
        long = "out-dir",
        value_name = "DIR",
        required_if_eq("emit", "all")
    )]
    pub out_dir: Option<PathBuf>,
    /// How to report diagnostics
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// One block per path, one line per identity and its deciding rule
    Text,
    /// `{"paths": [{"path", "identities": [...]}]}`
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The program (`-` reads standard input)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Request paths to explain, as after `/v1/` (e.g. `secret/data/app`; a path
    /// copied from a request, `/v1/secret/data/app` or its whole URL, is read so too)
    #[arg(required = true, value_name = "PATH", value_parser = request_path)]
    pub paths: Vec<String>,
    /// Only this identity (a workload, role or token of the program)
    #[arg(long = "as", value_name = "NAME", conflicts_with = "policies")]
    pub as_name: Option<String>,
    /// Evaluate exactly these policies (comma-separated; `default` is not added)
    #[arg(long, value_name = "A,B")]
    pub policies: Option<String>,
    /// The server whose rules apply [default: the one the program implies, else vault]
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Output format
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

/// A request path to explain: one that names something (an empty one, or `/`, would be
/// answered "deny" about no path at all).
fn request_path(text: &str) -> Result<String, String> {
    match text.trim().trim_matches('/') {
        "" | "v1" => Err("an empty request path: give one such as `secret/data/app`".into()),
        _ => Ok(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[test]
    fn explain_refuses_a_request_path_that_names_nothing() {
        // QA: `keyplan explain prog.kp ""` answered "deny" about an empty path.
        for empty in ["", "  ", "/", "/v1/"] {
            let parsed = Cli::try_parse_from(["keyplan", "explain", "p.kp", empty]);
            let message = parsed.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains("an empty request path"),
                "{empty:?}: {message}"
            );
        }
        assert!(Cli::try_parse_from(["keyplan", "explain", "p.kp", "/v1/secret/data/a"]).is_ok());
    }
}
