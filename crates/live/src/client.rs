//! A small blocking client for Vault's HTTP API: JSON in and out, the token and namespace
//! headers, timeouts, and retries with exponential backoff on transient failures.

use std::time::Duration;

use serde_json::Value as Json;
use ureq::tls::{PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use crate::config::Connection;
use crate::error::{LiveError, Result};

/// A connected client. Cheap to share between threads (`&Client` is `Sync`).
pub struct Client {
    agent: Agent,
    conn: Connection,
}

/// One API answer: the status and the parsed body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    List,
    Post,
    Delete,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::List => "LIST",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// Whether a write may be retried after a failure that could have happened after the
/// server acted on it. Configuration writes are idempotent; creating a token is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Idempotent,
    OnlyIfNotSent,
}

impl Client {
    pub fn new(conn: Connection) -> Result<Client> {
        let mut tls = TlsConfig::builder().disable_verification(conn.skip_verify);
        if let Some(path) = &conn.ca_cert {
            let bad = |reason: String| LiveError::CaCert {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            let mut certs = Vec::new();
            for item in ureq::tls::parse_pem(&pem) {
                if let PemItem::Certificate(c) = item.map_err(|e| bad(e.to_string()))? {
                    certs.push(c);
                }
            }
            if certs.is_empty() {
                return Err(bad("no PEM certificate in the file".into()));
            }
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(conn.timeout))
            .timeout_connect(Some(conn.timeout.min(Duration::from_secs(10))))
            .max_idle_connections_per_host(conn.concurrency.max(4) * 2)
            .max_idle_connections(conn.concurrency.max(4) * 4)
            .user_agent("keyplan")
            .tls_config(tls.build())
            .build()
            .into();
        Ok(Client { agent, conn })
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// `GET path`; `None` when the server answers 404.
    pub fn read(&self, path: &str) -> Result<Option<Json>> {
        let a = self.call(Method::Get, path, None, Retry::Idempotent)?;
        match a.status {
            404 => Ok(None),
            s if (200..300).contains(&s) => Ok(Some(a.body)),
            s => Err(api_error(Method::Get, path, s, &a.body)),
        }
    }

    /// `LIST path`: the keys, empty when there are none (Vault answers 404 then).
    pub fn list(&self, path: &str) -> Result<Vec<String>> {
        let a = self.call(Method::List, path, None, Retry::Idempotent)?;
        match a.status {
            404 => Ok(Vec::new()),
            s if (200..300).contains(&s) => Ok(a.body["data"]["keys"]
                .as_array()
                .map(|keys| {
                    keys.iter()
                        .filter_map(|k| k.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()),
            s => Err(api_error(Method::List, path, s, &a.body)),
        }
    }

    /// `POST path` with a JSON body; the response body (`Null` for 204).
    pub fn write(&self, path: &str, body: &Json, retry: Retry) -> Result<Json> {
        let a = self.call(Method::Post, path, Some(body), retry)?;
        if (200..300).contains(&a.status) {
            Ok(a.body)
        } else {
            Err(api_error(Method::Post, path, a.status, &a.body))
        }
    }

    /// `DELETE path`; deleting what does not exist succeeds.
    pub fn delete(&self, path: &str) -> Result<()> {
        let a = self.call(Method::Delete, path, None, Retry::Idempotent)?;
        if (200..300).contains(&a.status) || a.status == 404 {
            Ok(())
        } else {
            Err(api_error(Method::Delete, path, a.status, &a.body))
        }
    }

    /// Checks that the server is reachable, unsealed, and accepts the token.
    pub fn preflight(&self) -> Result<()> {
        let seal = self
            .call(Method::Get, "sys/seal-status", None, Retry::Idempotent)
            .map_err(|e| match e {
                LiveError::Transport { reason, .. } => {
                    let reach = format!("cannot reach `{}`: ", self.conn.addr);
                    let talk = format!("cannot talk to `{}`: ", self.conn.addr);
                    let reason = reason
                        .strip_prefix(&reach)
                        .or_else(|| reason.strip_prefix(&talk))
                        .unwrap_or(&reason)
                        .to_string();
                    LiveError::Unreachable {
                        addr: self.conn.addr.clone(),
                        reason,
                    }
                }
                other => other,
            })?;
        if seal.body["sealed"].as_bool() == Some(true) {
            return Err(LiveError::Sealed {
                addr: self.conn.addr.clone(),
            });
        }
        let me = self.call(
            Method::Get,
            "auth/token/lookup-self",
            None,
            Retry::Idempotent,
        )?;
        match me.status {
            s if (200..300).contains(&s) => Ok(()),
            403 | 401 => Err(LiveError::Forbidden {
                message: server_message(&me.body),
            }),
            s => Err(api_error(
                Method::Get,
                "auth/token/lookup-self",
                s,
                &me.body,
            )),
        }
    }

    fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Json>,
        retry: Retry,
    ) -> Result<Answer> {
        let mut delay = Duration::from_millis(100);
        let mut attempt = 1;
        let started = std::time::Instant::now();
        loop {
            let outcome = self.call_once(method, path, body);
            // A KV mount just enabled as version 2 refuses requests while it upgrades
            // its storage (seconds on a loaded server): the request had no effect.
            let upgrading =
                matches!(&outcome, Ok(a) if a.status == 400 && is_kv_upgrading(&a.body));
            let again = (upgrading && started.elapsed() < KV_UPGRADE_WAIT)
                || (attempt < self.conn.attempts
                    && match &outcome {
                        Ok(a) => is_transient_status(a.status, &a.body),
                        Err(Failure::NotSent(_)) => true,
                        Err(Failure::MaybeSent(_)) => retry == Retry::Idempotent,
                        Err(Failure::Fatal(_)) => false,
                    });
            if !again {
                return match outcome {
                    Ok(a) if a.status == 503 && is_sealed(&a.body) => Err(LiveError::Sealed {
                        addr: self.conn.addr.clone(),
                    }),
                    Ok(a) => Ok(a),
                    Err(Failure::NotSent(reason)) => Err(LiveError::Transport {
                        method: method.name(),
                        path: path.to_string(),
                        reason: format!("cannot reach `{}`: {reason}", self.conn.addr),
                    }),
                    Err(Failure::Fatal(reason)) => Err(LiveError::Transport {
                        method: method.name(),
                        path: path.to_string(),
                        reason: format!("cannot talk to `{}`: {reason}", self.conn.addr),
                    }),
                    Err(Failure::MaybeSent(reason)) => Err(LiveError::Transport {
                        method: method.name(),
                        path: path.to_string(),
                        reason: format!("no answer from `{}`: {reason}", self.conn.addr),
                    }),
                };
            }
            std::thread::sleep(delay);
            delay = (delay * 2).min(Duration::from_secs(2));
            attempt += 1;
        }
    }

    fn call_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Json>,
    ) -> Result<Answer, Failure> {
        let path = path.trim_start_matches('/');
        let url = match method {
            Method::List => format!("{}/v1/{}?list=true", self.conn.addr, path),
            _ => format!("{}/v1/{}", self.conn.addr, path),
        };
        let token = self.conn.token.as_str();
        let ns = self.conn.namespace.as_deref();
        let response = match method {
            Method::Get | Method::List => {
                let mut r = self.agent.get(&url).header("X-Vault-Token", token);
                if let Some(ns) = ns {
                    r = r.header("X-Vault-Namespace", ns);
                }
                r.call()
            }
            Method::Delete => {
                let mut r = self.agent.delete(&url).header("X-Vault-Token", token);
                if let Some(ns) = ns {
                    r = r.header("X-Vault-Namespace", ns);
                }
                r.call()
            }
            Method::Post => {
                let mut r = self
                    .agent
                    .post(&url)
                    .header("X-Vault-Token", token)
                    .header("Content-Type", "application/json");
                if let Some(ns) = ns {
                    r = r.header("X-Vault-Namespace", ns);
                }
                let text = body.map(Json::to_string).unwrap_or_else(|| "{}".into());
                r.send(text.as_str())
            }
        };
        let mut response = response.map_err(classify)?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| Failure::MaybeSent(e.to_string()))?;
        let body = if text.trim().is_empty() {
            Json::Null
        } else {
            match serde_json::from_str(&text) {
                Ok(j) => j,
                // Proxies answer errors in HTML; keep the status, drop the page.
                Err(_) if status >= 400 => Json::Null,
                Err(_) => return Err(Failure::MaybeSent("the response is not JSON".into())),
            }
        };
        Ok(Answer { status, body })
    }
}

enum Failure {
    /// The request never reached the server: always safe to retry.
    NotSent(String),
    MaybeSent(String),
    /// Retrying cannot help: a TLS failure (unknown CA, wrong name) or a bad address.
    Fatal(String),
}

fn classify(e: ureq::Error) -> Failure {
    use std::io::ErrorKind;
    match &e {
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable | ErrorKind::NotFound
            ) =>
        {
            Failure::NotSent(e.to_string())
        }
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
            Failure::NotSent(e.to_string())
        }
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::BadUri(_)
        | ureq::Error::Http(_) => Failure::Fatal(e.to_string()),
        ureq::Error::Io(io) if io.kind() == ErrorKind::InvalidData => Failure::Fatal(e.to_string()),
        _ => Failure::MaybeSent(e.to_string()),
    }
}

fn is_sealed(body: &Json) -> bool {
    server_message(body).contains("sealed")
}

/// How long a request waits for a new KV version 2 mount to finish upgrading.
const KV_UPGRADE_WAIT: Duration = Duration::from_secs(30);

/// OpenBao's and Vault's answer while a KV v2 mount upgrades its storage ("This backend
/// will be unavailable for a brief period and will resume service shortly").
fn is_kv_upgrading(body: &Json) -> bool {
    server_message(body).contains("Upgrading from non-versioned to versioned data")
}

fn is_transient_status(status: u16, body: &Json) -> bool {
    match status {
        429 | 502 | 504 => true,
        // A sealed server stays sealed: fail at once with a clear message.
        503 => !is_sealed(body),
        500 => true,
        _ => false,
    }
}

/// The server's error messages, joined (`{"errors": [...]}`), each on one line: a Go
/// multi-error (`1 error occurred:\n\t* permission denied\n\n`) as its items.
pub fn server_message(body: &Json) -> String {
    match body["errors"].as_array() {
        Some(errs) if !errs.is_empty() => errs
            .iter()
            .map(|e| {
                one_line(
                    &e.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| e.to_string()),
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => "no message".to_string(),
    }
}

/// A message on one line: the items of a Go multi-error (`N error(s) occurred:` then
/// `\t* ITEM` lines) joined with `; `, every run of blanks and newlines one space.
fn one_line(message: &str) -> String {
    let mut lines = message.lines();
    let multi = lines.next().is_some_and(|first| {
        let first = first.trim();
        first.ends_with("occurred:")
            && first
                .split_whitespace()
                .next()
                .is_some_and(|n| n.parse::<usize>().is_ok())
    });
    let text = if multi {
        lines
            .filter_map(|l| l.trim().strip_prefix("* "))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        message.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn api_error(method: Method, path: &str, status: u16, body: &Json) -> LiveError {
    LiveError::Api {
        method: method.name(),
        path: path.to_string(),
        status,
        message: server_message(body),
    }
}

#[cfg(test)]
mod message_tests {
    use super::*;

    /// OpenBao wraps some refusals in a Go multi-error: shown as its items, on one line
    /// (it read `1 error occurred: \t* permission denied  `).
    #[test]
    fn multi_errors_read_as_their_items() {
        let body = serde_json::json!({"errors": ["1 error occurred:\n\t* permission denied\n\n"]});
        assert_eq!(server_message(&body), "permission denied");
        let body = serde_json::json!({"errors": [
            "2 errors occurred:\n\t* failed to validate CIDR blocks: invalid CIDR address: x\n\t* b\n\n",
            "plain  message\nsecond line",
        ]});
        assert_eq!(
            server_message(&body),
            "failed to validate CIDR blocks: invalid CIDR address: x; b; plain message second line"
        );
        assert_eq!(server_message(&serde_json::json!({})), "no message");
    }
}
