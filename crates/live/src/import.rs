//! `keyplan import`: reads a live server into a [`kp_import::Snapshot`] (which paths is
//! kp-import's decision, [`kp_import::wanted`]) and writes the program it becomes.
//!
//! A path the token may not read is recorded and reported, and the import goes on;
//! the command fails only when nothing at all could be imported.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kp_import::{Fetched, Imported, Snapshot};
use serde_json::Value as Json;

use crate::cli::TargetArg;
use crate::client::Client;
use crate::config::{Connection, Overrides};
use crate::error::{LiveError, Result};
use crate::pool;

/// `keyplan import`: exit 0 when something was imported, 1 when nothing could be.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Server address (default: `VAULT_ADDR`, then `BAO_ADDR`)
    #[arg(long)]
    pub addr: Option<String>,
    /// Namespace (default: `VAULT_NAMESPACE`)
    #[arg(long)]
    pub namespace: Option<String>,
    /// The server the program is typed for (fields only the other server has are left
    /// out). Default: the server's own (OpenBao or Vault, from `sys/seal-status`)
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    /// Import only this mount (path as in `sys/auth` or `sys/mounts`; `token` for token
    /// roles); repeatable. Without `--mount` and `--policy`, everything is imported
    #[arg(long = "mount", value_name = "PATH")]
    pub mounts: Vec<String>,
    /// Import only this ACL policy; repeatable
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,
    /// Write one file per mount plus `policies.kp` into DIR instead of printing one program
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Calls in flight at once
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Timeout of one HTTP call, in seconds
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

impl ImportArgs {
    /// The options for a server that said it is `server` (`None`: it did not say).
    /// `--target` wins over what the server says.
    pub fn options(&self, server: Option<kp_import::Server>) -> kp_import::Options {
        let target = match self.target {
            Some(TargetArg::Vault) => kp_import::Target::Vault,
            Some(TargetArg::Openbao) => kp_import::Target::Openbao,
            None => server
                .as_ref()
                .map_or(kp_import::Target::Vault, |s| s.target),
        };
        kp_import::Options {
            target,
            mounts: self.mounts.clone(),
            policies: self.policies.clone(),
            server: server.map(|s| kp_import::Server { target, ..s }),
        }
    }
}

/// What the server says it is (`sys/seal-status`, readable without a token's policy).
pub fn server_of(client: &Client) -> Option<kp_import::Server> {
    let status = client.read("sys/seal-status").ok().flatten()?;
    kp_import::detect(&status)
}

pub fn run_import(args: &ImportArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match import_cmd(args, stdout, stderr) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            1
        }
    }
}

fn import_cmd(args: &ImportArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<i32> {
    let client = Client::new(Connection::from_env(&Overrides {
        addr: args.addr.clone(),
        namespace: args.namespace.clone(),
        timeout: Some(Duration::from_secs(args.timeout.max(1))),
        concurrency: Some(args.concurrency),
    })?)?;
    client.preflight()?;
    let server = server_of(&client);
    if server.is_none() && args.target.is_none() {
        let _ = writeln!(
            stderr,
            "warning: the server does not say whether it is Vault or OpenBao: importing for \
             Vault (use --target openbao for OpenBao)"
        );
    }
    let options = args.options(server);
    let snapshot = read_snapshot(&client, &options)?;
    let imported = kp_import::import(&snapshot, &options);
    report(&imported, stderr);
    if imported.resources == 0 {
        let _ = writeln!(
            stderr,
            "error: nothing could be imported from `{}`",
            client.connection().addr
        );
        return Ok(1);
    }
    match &args.out_dir {
        Some(dir) => {
            write_files(dir, &imported)?;
            // Only after a whole import that read everything: a mount the token could
            // not read still exists, and its earlier file stays.
            let whole = args.mounts.is_empty() && args.policies.is_empty();
            if whole && imported.unreadable.is_empty() {
                for gone in remove_stale(dir, &imported) {
                    let _ = writeln!(
                        stderr,
                        "removed {} (an earlier import's file: the server no longer has what it held)",
                        gone.display()
                    );
                }
            }
            let _ = writeln!(
                stderr,
                "wrote {} files to {} ({} resources)",
                imported.files.len(),
                dir.display(),
                imported.resources
            );
        }
        None => {
            let _ = stdout.write_all(imported.program.as_bytes());
        }
    }
    Ok(0)
}

/// Warnings, unreadable paths and the variables to set, on stderr.
fn report(imported: &Imported, stderr: &mut dyn Write) {
    for w in &imported.unreadable {
        let _ = writeln!(
            stderr,
            "warning: could not read `{}`: {}",
            w.subject, w.message
        );
    }
    for w in &imported.warnings {
        let _ = writeln!(stderr, "warning: {}: {}", w.subject, w.message);
    }
    if !imported.env.is_empty() {
        let _ = writeln!(
            stderr,
            "secrets are not imported: set these variables before `keyplan apply`:"
        );
        for v in &imported.env {
            let _ = writeln!(stderr, "  {}  ({})", v.name, v.for_field);
        }
    }
}

/// Reads what kp-import wants, round after round, until it wants nothing new.
pub fn read_snapshot(client: &Client, options: &kp_import::Options) -> Result<Snapshot> {
    let mut snapshot = Snapshot::default();
    let workers = client.connection().concurrency;
    // Tables, then configs and lists, then each listed item: three rounds; a bound
    // keeps a misbehaving server from looping.
    for _ in 0..6 {
        let w = kp_import::wanted(&snapshot, options).missing(&snapshot);
        if w.is_empty() {
            break;
        }
        let reads = pool::map(&w.reads, workers, |p| fetch_read(client, p));
        let lists = pool::map(&w.lists, workers, |p| fetch_list(client, p));
        for (p, f) in w.reads.into_iter().zip(reads) {
            snapshot.reads.insert(p, f?);
        }
        for (p, f) in w.lists.into_iter().zip(lists) {
            snapshot.lists.insert(p, f?);
        }
    }
    Ok(snapshot)
}

fn fetch_read(client: &Client, path: &str) -> Result<Fetched> {
    match client.read(path) {
        Ok(Some(body)) => Ok(match body.get("data") {
            Some(Json::Null) | None => Fetched::Missing,
            Some(d) => Fetched::Data(d.clone()),
        }),
        Ok(None) => Ok(Fetched::Missing),
        // An SSH engine without a CA answers 400 ("no default issuer") rather than 404.
        Err(LiveError::Api { status: 400, .. }) if path.ends_with("/config/ca") => {
            Ok(Fetched::Missing)
        }
        Err(LiveError::Api {
            status, message, ..
        }) => Ok(Fetched::Unreadable { status, message }),
        Err(e) => Err(e),
    }
}

fn fetch_list(client: &Client, path: &str) -> Result<Fetched> {
    match client.list(path) {
        Ok(keys) => Ok(Fetched::Data(Json::Array(
            keys.into_iter().map(Json::String).collect(),
        ))),
        Err(LiveError::Api {
            status, message, ..
        }) => Ok(Fetched::Unreadable { status, message }),
        Err(e) => Err(e),
    }
}

/// The `.kp` files of DIR an earlier whole import wrote (they start with its header) and
/// this one does not, removed: left there, a mount deleted on the server since stayed in
/// the program DIR is, which planned to create it again. Any other file is left alone.
fn remove_stale(dir: &Path, imported: &Imported) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kp") && p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !imported.files.iter().any(|f| f.name == name)
        })
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                t.lines().next().is_some_and(|l| {
                    l.starts_with("# Imported from ") && l.contains(" by `keyplan import`")
                })
            })
        })
        .collect();
    stale.sort();
    stale.retain(|p| std::fs::remove_file(p).is_ok());
    stale
}

/// Writes the files of `-o DIR`, each through a temporary file renamed into place.
fn write_files(dir: &Path, imported: &Imported) -> Result<()> {
    let fail = |path: &Path, e: std::io::Error| LiveError::TokenFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    for f in &imported.files {
        let path = dir.join(&f.name);
        let tmp = dir.join(format!(".{}.tmp", f.name));
        std::fs::write(&tmp, &f.text).map_err(|e| fail(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| fail(&path, e))?;
    }
    Ok(())
}
