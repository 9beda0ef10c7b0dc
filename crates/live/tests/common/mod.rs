//! Real servers for the live tests, each on 127.0.0.1 with a free port, each stopped by a
//! Drop guard: OpenBao (dev or file-backed), MariaDB, PostgreSQL, Redis, and a JWKS endpoint.
#![allow(dead_code)]
// Test support: a failed setup step should stop the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use keyplan::ir::{EnvRef, Program, Resource, ResourceKind, Value};
use kp_live::client::{Client, Retry};
use kp_live::config::{Connection, Overrides};
use serde_json::{json, Value as Json};

mod commands;
mod keys;
// Each test binary uses part of these.
#[allow(unused_imports)]
pub use commands::*;
#[allow(unused_imports)]
pub use keys::*;

/// `None` when live tests are skipped on purpose; fails loudly when a tool is missing.
pub fn live() -> Option<()> {
    if std::env::var("KEYPLAN_SKIP_LIVE").as_deref() == Ok("1") {
        eprintln!("KEYPLAN_SKIP_LIVE=1: live test skipped");
        return None;
    }
    for tool in ["bao", "ssh-keygen", "openssl"] {
        assert!(
            which(tool).is_some(),
            "`{tool}` is not installed: run scripts/install-live-deps.sh \
             (or set KEYPLAN_SKIP_LIVE=1 to skip the live tests)"
        );
    }
    Some(())
}

pub fn which(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/bin".into()])
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not become ready within {timeout:?}");
}

fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// An OpenBao server; killed on drop.
pub struct Bao {
    pub addr: String,
    pub port: u16,
    pub token: String,
    pub unseal_key: Option<String>,
    child: Option<Child>,
    config: Option<PathBuf>,
    /// The CA of a `-dev-tls` server's certificate, which its clients trust.
    ca: Option<PathBuf>,
    _dir: tempfile::TempDir,
}

impl Bao {
    /// `bao server -dev` with root token `root`; started again on another port when it
    /// exits at once (its port taken between `free_port` and its bind).
    pub fn dev() -> Bao {
        let mut logs = Vec::new();
        for _ in 0..3 {
            let mut bao = Bao::dev_on(free_port());
            if bao.healthy_within(Duration::from_secs(30)) {
                return bao;
            }
            logs.push(bao.log());
        }
        panic!(
            "bao -dev did not start, three times:\n{}",
            logs.join("\n---\n")
        );
    }

    fn dev_on(port: u16) -> Bao {
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("bao.log")).unwrap();
        let child = Command::new("bao")
            .args([
                "server",
                "-dev",
                "-dev-root-token-id=root",
                &format!("-dev-listen-address=127.0.0.1:{port}"),
            ])
            .env_remove("VAULT_ADDR")
            .env("HOME", dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("bao server -dev");
        Bao {
            addr: format!("http://127.0.0.1:{port}"),
            port,
            token: "root".into(),
            unseal_key: None,
            child: Some(child),
            config: None,
            ca: None,
            _dir: dir,
        }
    }

    /// Whether `sys/health` answers 200 within `timeout`; false at once when the server
    /// process has exited.
    fn healthy_within(&mut self, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            let up = ureq::get(&format!("{}/v1/sys/health", self.addr))
                .call()
                .is_ok_and(|r| r.status().as_u16() == 200);
            if up {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .is_none_or(|c| c.try_wait().ok().flatten().is_some());
            if exited {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// A raft-backed server (state survives a restart), initialised and unsealed.
    /// OpenBao 2.7 has no `file` storage; single-node raft is the persistent one.
    /// Its two ports are picked free and then bound by the server, so another test's
    /// server may take one in between: the server then exits, and it is started again
    /// on two other ports.
    pub fn persistent() -> Bao {
        let mut logs = Vec::new();
        for _ in 0..3 {
            let mut bao = Bao::raft_on(free_port(), free_port());
            if bao.start() {
                let init = http_post(
                    &bao.addr,
                    "",
                    "sys/init",
                    &json!({"secret_shares": 1, "secret_threshold": 1}),
                );
                bao.token = init["root_token"].as_str().unwrap().to_string();
                bao.unseal_key = Some(init["keys_base64"][0].as_str().unwrap().to_string());
                bao.unseal();
                return bao;
            }
            logs.push(bao.log());
        }
        panic!(
            "bao (raft) did not start, three times:\n{}",
            logs.join("\n---\n")
        );
    }

    fn raft_on(port: u16, cluster: u16) -> Bao {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("bao.hcl");
        let data = dir.path().join("raft");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(
            &config,
            format!(
                "storage \"raft\" {{\n  path = \"{}\"\n  node_id = \"n1\"\n}}\n\
                 listener \"tcp\" {{\n  address = \"127.0.0.1:{port}\"\n  \
                 cluster_address = \"127.0.0.1:{cluster}\"\n  tls_disable = true\n}}\n\
                 api_addr = \"http://127.0.0.1:{port}\"\ncluster_addr = \"http://127.0.0.1:{cluster}\"\n",
                data.display()
            ),
        )
        .unwrap();
        Bao {
            addr: format!("http://127.0.0.1:{port}"),
            port,
            token: String::new(),
            unseal_key: None,
            child: None,
            config: Some(config),
            ca: None,
            _dir: dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("bao.log")).unwrap_or_default()
    }

    /// Starts the configured server; whether it listens within 30 s (false at once when
    /// it exits, e.g. on a port taken meanwhile).
    fn start(&mut self) -> bool {
        let config = self.config.clone().unwrap();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self._dir.path().join("bao.log"))
            .unwrap();
        let mut child = Command::new("bao")
            .args(["server", &format!("-config={}", config.display())])
            .env("HOME", self._dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("bao server");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if port_open(self.port) {
                self.child = Some(child);
                return true;
            }
            if child.try_wait().ok().flatten().is_some() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Kills the server process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts a killed file-backed server again; it comes back sealed.
    pub fn restart(&mut self) {
        self.kill();
        assert!(self.start(), "bao did not restart:\n{}", self.log());
    }

    pub fn unseal(&self) {
        let key = self.unseal_key.clone().unwrap();
        let r = http_post(&self.addr, "", "sys/unseal", &json!({ "key": key }));
        assert_eq!(r["sealed"], json!(false), "unseal: {r}");
        self.wait_ready();
    }

    pub fn seal(&self) {
        let c = self.client();
        c.write("sys/seal", &json!({}), Retry::Idempotent).unwrap();
    }

    fn wait_ready(&self) {
        let addr = self.addr.clone();
        wait_for("bao", Duration::from_secs(30), || {
            ureq::get(&format!("{addr}/v1/sys/health"))
                .call()
                .map(|r| r.status().as_u16() == 200)
                .unwrap_or(false)
        });
    }

    pub fn connection(&self) -> Connection {
        let token = self.token.clone();
        let addr = self.addr.clone();
        let ca = self.ca.as_ref().map(|c| c.display().to_string());
        Connection::resolve(&Overrides::default(), move |k| match k {
            "VAULT_ADDR" => Some(addr.clone()),
            "VAULT_TOKEN" => Some(token.clone()),
            "VAULT_CACERT" => ca.clone(),
            _ => None,
        })
        .unwrap()
    }

    pub fn client(&self) -> Client {
        Client::new(self.connection()).unwrap()
    }

    /// `GET path` → `data`, panicking when absent.
    pub fn data(&self, path: &str) -> Json {
        self.client()
            .read(path)
            .unwrap()
            .unwrap_or_else(|| panic!("{path} is absent"))["data"]
            .clone()
    }

    /// Logs in at `auth/MOUNT/login` as `role` with `jwt`: the client token, or the
    /// server's answer when refused.
    pub fn jwt_login(&self, mount: &str, role: &str, jwt: &str) -> Result<String, Json> {
        let r = http_post(
            &self.addr,
            "",
            &format!("auth/{mount}/login"),
            &json!({"role": role, "jwt": jwt}),
        );
        r["auth"]["client_token"]
            .as_str()
            .map(str::to_string)
            .ok_or(r)
    }

    /// What `token` may do on each path (`sys/capabilities-self`).
    pub fn capabilities(&self, token: &str, paths: &[&str]) -> BTreeMap<String, Vec<String>> {
        let r = http_post(
            &self.addr,
            token,
            "sys/capabilities-self",
            &json!({"paths": paths}),
        );
        paths
            .iter()
            .map(|p| {
                let caps = r[*p]
                    .as_array()
                    .unwrap_or_else(|| panic!("no capabilities for {p}: {r}"))
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect();
                (p.to_string(), caps)
            })
            .collect()
    }

    pub fn bao_cmd(&self) -> Command {
        let mut c = Command::new("bao");
        c.env("VAULT_ADDR", &self.addr)
            .env("VAULT_TOKEN", &self.token)
            .env("HOME", self._dir.path());
        c
    }
}

impl Drop for Bao {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn http_post(addr: &str, token: &str, path: &str, body: &Json) -> Json {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(&format!("{addr}/v1/{path}"))
        .header("X-Vault-Token", token)
        .send(body.to_string().as_str())
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let text = r.body_mut().read_to_string().unwrap();
    serde_json::from_str(&text).unwrap_or(Json::Null)
}

/// A JWKS endpoint for one RSA key the test generated, plus the minting of RS256 JWTs.
pub struct Jwks {
    pub url: String,
    /// `http://127.0.0.1:PORT`: an OIDC discovery URL (it serves
    /// `/.well-known/openid-configuration`).
    pub issuer: String,
    pub key_pem: PathBuf,
    pub kid: String,
    stop: Arc<AtomicBool>,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Jwks {
    pub fn start() -> Jwks {
        let dir = tempfile::tempdir().unwrap();
        let key_pem = dir.path().join("key.pem");
        run(Command::new("openssl")
            .args(["genrsa", "-out"])
            .arg(&key_pem)
            .arg("2048"));
        let modulus = run(Command::new("openssl")
            .args(["rsa", "-noout", "-modulus", "-in"])
            .arg(&key_pem));
        let hex = modulus.trim().trim_start_matches("Modulus=");
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let kid = "keyplan-test".to_string();
        let jwks = json!({"keys": [{
            "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
            "n": b64url(&bytes), "e": "AQAB"
        }]})
        .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let issuer = format!("http://127.0.0.1:{port}");
        let discovery = json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "authorization_endpoint": format!("{issuer}/authorize"),
            "token_endpoint": format!("{issuer}/token"),
            "response_types_supported": ["code", "id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })
        .to_string();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        std::thread::spawn(move || {
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                        let mut buf = [0u8; 4096];
                        let n = s.read(&mut buf).unwrap_or(0);
                        // OIDC discovery names this server as issuer and its JWKS.
                        let body = if buf[..n].starts_with(b"GET /.well-known/openid-configuration")
                        {
                            &discovery
                        } else {
                            &jwks
                        };
                        let _ = write!(
                            s,
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                            body.len(),
                            body
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Jwks {
            url: format!("{issuer}/.well-known/jwks.json"),
            issuer,
            key_pem,
            kid,
            stop,
            port,
            _dir: dir,
        }
    }

    /// An RS256 JWT with these claims (plus iat/nbf/exp, current, where `claims` has
    /// none: a test may give them, of any JSON type), signed by the test's key.
    pub fn mint(&self, claims: Json) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let mut claims = claims;
        for (name, at) in [("iat", now - 5), ("nbf", now - 5), ("exp", now + 600)] {
            if claims.get(name).is_none() {
                claims[name] = json!(at);
            }
        }
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(claims.to_string().as_bytes())
        );
        let mut child = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(&self.key_pem)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        format!("{input}.{}", b64url(&out.stdout))
    }
}

impl Drop for Jwks {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.port;
    }
}

pub fn b64url(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A MariaDB server in a temporary data directory, with an admin user `vaulter`.
pub struct Mariadb {
    pub port: u16,
    pub password: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl Mariadb {
    pub fn start() -> Option<Mariadb> {
        let installer = which("mariadb-install-db").or_else(|| which("mysql_install_db"))?;
        let server = which("mariadbd").or_else(|| which("mysqld"))?;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        run(Command::new(installer)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args([
                "--user=root",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ]));
        let port = free_port();
        let sock = dir.path().join("mysqld.sock");
        let log = std::fs::File::create(dir.path().join("mysqld.log")).unwrap();
        let child = Command::new(server)
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", sock.display()))
            .arg(format!(
                "--pid-file={}",
                dir.path().join("mysqld.pid").display()
            ))
            .arg(format!("--port={port}"))
            .args([
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-name-resolve",
                "--skip-log-bin",
            ])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_for("mariadb", Duration::from_secs(60), || port_open(port));
        let db = Mariadb {
            port,
            password: "vaulter-initial-pw".into(),
            child,
            dir,
        };
        db.root_sql(&format!(
            "CREATE USER 'vaulter'@'%' IDENTIFIED BY '{}'; \
             GRANT ALL PRIVILEGES ON *.* TO 'vaulter'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;",
            db.password
        ));
        Some(db)
    }

    pub fn root_sql(&self, sql: &str) -> String {
        run(Command::new("mysql")
            .arg(format!(
                "--socket={}",
                self.dir.path().join("mysqld.sock").display()
            ))
            .args(["-uroot", "-N", "-e", sql]))
    }

    /// Logs in over TCP as `user` and runs `sql`; `Err` with the client's message.
    pub fn login(&self, user: &str, password: &str, sql: &str) -> Result<String, String> {
        let out = Command::new("mysql")
            .args([
                "-h",
                "127.0.0.1",
                "-P",
                &self.port.to_string(),
                "-u",
                user,
                "-N",
                "-e",
                sql,
            ])
            .env("MYSQL_PWD", password)
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

impl Drop for Mariadb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL cluster run as the `postgres` user in a temporary directory, with a
/// superuser `vaulter`.
pub struct Postgres {
    pub port: u16,
    pub password: String,
    data: PathBuf,
    dir: tempfile::TempDir,
}

impl Postgres {
    pub fn start() -> Option<Postgres> {
        let initdb = which("initdb").or_else(|| pg_bin("initdb"))?;
        let pg_ctl = which("pg_ctl").or_else(|| pg_bin("pg_ctl"))?;
        let dir = tempfile::tempdir().unwrap();
        run(Command::new("chmod").arg("755").arg(dir.path()));
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        run(Command::new("chown").arg("postgres:postgres").arg(&data));
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&initdb)
            .arg("-D")
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
            ]));
        let port = free_port();
        run(Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&pg_ctl)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(data.join("server.log"))
            .arg("-o")
            .arg(format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1",
                data.display()
            ))
            .args(["-w", "start"]));
        let pg = Postgres {
            port,
            password: "vaulter-initial-pw".into(),
            data,
            dir,
        };
        run(Command::new("runuser")
            .args(["-u", "postgres", "--", "psql", "-h"])
            .arg(&pg.data)
            .args(["-p", &port.to_string(), "-U", "postgres", "-c"])
            .arg(format!(
                "CREATE ROLE vaulter WITH LOGIN SUPERUSER PASSWORD '{}';",
                pg.password
            )));
        Some(pg)
    }

    pub fn login(&self, user: &str, password: &str, sql: &str) -> Result<String, String> {
        let out = Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                user,
                "-d",
                "postgres",
                "-tAc",
                sql,
            ])
            .env("PGPASSWORD", password)
            .output()
            .unwrap();
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }
}

/// A Redis server without persistence: its `default` user has the password `admin`
/// (`--requirepass`, for the test's own commands), and an admin user `vaulter` with every
/// permission is the database engine's root user.
pub struct Redis {
    pub port: u16,
    pub password: String,
    admin: String,
    child: Child,
    dir: tempfile::TempDir,
}

impl Redis {
    pub fn start() -> Option<Redis> {
        let server = which("redis-server")?;
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let admin = "redis-admin-pw".to_string();
        let log = std::fs::File::create(dir.path().join("redis.log")).unwrap();
        let child = Command::new(server)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--requirepass", &admin, "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        wait_for("redis", Duration::from_secs(30), || port_open(port));
        let redis = Redis {
            port,
            password: "vaulter-initial-pw".into(),
            admin,
            child,
            dir,
        };
        let root = format!(">{}", redis.password);
        redis
            .admin(&[
                "ACL", "SETUSER", "vaulter", "on", &root, "~*", "&*", "+@all",
            ])
            .unwrap();
        Some(redis)
    }

    /// A command as the `default` user.
    pub fn admin(&self, command: &[&str]) -> Result<String, String> {
        self.login("default", &self.admin, command)
    }

    /// Logs in as `user` (`AUTH`) and runs `command`, over RESP: the reply, or `Err` with
    /// the server's error (`WRONGPASS ...`, `NOPERM ...`).
    pub fn login(&self, user: &str, password: &str, command: &[&str]) -> Result<String, String> {
        let stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        resp(&mut writer, &mut reader, &["AUTH", user, password])?;
        resp(&mut writer, &mut reader, command)
    }
}

/// Sends one command and reads its reply: a status, an integer or a bulk string (what the
/// tests send returns no arrays).
fn resp(
    writer: &mut impl Write,
    reader: &mut impl std::io::BufRead,
    command: &[&str],
) -> Result<String, String> {
    let mut out = format!("*{}\r\n", command.len());
    for arg in command {
        out.push_str(&format!("${}\r\n{arg}\r\n", arg.len()));
    }
    writer.write_all(out.as_bytes()).unwrap();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let line = line.trim_end().to_string();
    match line.split_at_checked(1) {
        Some(("-", error)) => Err(error.to_string()),
        Some(("$", len)) if len != "-1" => {
            let mut value = String::new();
            reader.read_line(&mut value).unwrap();
            Ok(value.trim_end().to_string())
        }
        Some((_, reply)) => Ok(reply.to_string()),
        None => Err("the server closed the connection".into()),
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = &self.dir;
    }
}

fn pg_bin(name: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin").join(name))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some(pg_ctl) = which("pg_ctl").or_else(|| pg_bin("pg_ctl")) {
            let _ = Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(pg_ctl)
                .arg("-D")
                .arg(&self.data)
                .args(["-m", "immediate", "stop"])
                .output();
        }
        let _ = &self.dir;
    }
}

// ---- hand-made programs (the compiler's output shape) ----

pub fn s(v: &str) -> Value {
    Value::Str(v.into())
}

pub fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

pub fn env(name: &str) -> Value {
    Value::Env(EnvRef { env: name.into() })
}

pub fn body(fields: Vec<(&str, Value)>) -> keyplan::ir::Body {
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

pub fn resource(
    id: &str,
    kind: ResourceKind,
    fields: Vec<(&str, Value)>,
    depends_on: &[&str],
) -> Resource {
    let name = id.rsplit('/').next().unwrap_or(id).to_string();
    let (path, read_path) = match kind {
        ResourceKind::Token => {
            let role = id.trim_start_matches("token/");
            (format!("auth/token/create/{role}"), None)
        }
        _ => (id.to_string(), Some(id.to_string())),
    };
    let mount = depends_on
        .iter()
        .find(|d| d.starts_with("sys/auth/") || d.starts_with("sys/mounts/"))
        .map(|d| d.to_string());
    Resource {
        id: id.into(),
        kind,
        name: name.into(),
        path: path.into(),
        read_path: read_path.map(Into::into),
        schema: "",
        body: body(fields),
        depends_on: depends_on.iter().map(|&d| d.into()).collect(),
        mount: mount.map(Into::into),
        workload: None,
        policy: None,
        span: keyplan::Span { start: 0, end: 0 },
    }
}

/// A token resource `token/NAME` created from token role `role`.
pub fn token(name: &str, role: &str, fields: Vec<(&str, Value)>) -> Resource {
    let mut r = resource(&format!("token/{name}"), ResourceKind::Token, fields, &[]);
    r.path = format!("auth/token/create/{role}").into();
    r.name = name.into();
    r.depends_on = vec![format!("auth/token/roles/{role}").into()];
    r
}

pub fn program(resources: Vec<Resource>) -> Program {
    Program {
        resources,
        workloads: Vec::new(),
        extern_policies: Vec::new(),
        owned_policies: Vec::new(),
        owned_token_roles: Vec::new(),
    }
}

/// `n` one-rule policies `p0000`, `p0001`, ...: a program of many independent calls.
pub fn many_policies(n: usize) -> Program {
    program(
        (0..n)
            .map(|i| {
                resource(
                    &format!("sys/policies/acl/p{i:04}"),
                    ResourceKind::Policy,
                    vec![(
                        "policy",
                        Value::Str(format!(
                            "path \"app/{i}/*\" {{\n  capabilities = [\"read\"]\n}}\n"
                        )),
                    )],
                    &[],
                )
            })
            .collect(),
    )
}

/// An environment holding one variable, `name` = `value` (a connection's root password).
pub fn one_var(name: &'static str, value: &str) -> impl Fn(&str) -> Option<String> + Sync {
    let value = value.to_string();
    move |asked: &str| (asked == name).then(|| value.clone())
}

pub fn no_env(_: &str) -> Option<String> {
    None
}

pub fn sh_ok(path: &Path) -> bool {
    path.exists()
}

// ---- plan and apply through the library ----

pub fn plan(bao: &Bao, program: &Program, token_out: Option<&Path>) -> kp_live::diff::Plan {
    kp_live::cli::plan_program(&bao.client(), program, token_out).unwrap()
}

pub fn apply_with(
    bao: &Bao,
    program: &Program,
    token_out: Option<&Path>,
    prune: bool,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> kp_live::apply::ApplyReport {
    let client = bao.client();
    // Planned with the environment it applies with, as `keyplan apply` does.
    let plan = kp_live::cli::plan_program_with_env(&client, program, None, token_out, env).unwrap();
    let opts = kp_live::apply::ApplyOptions {
        token_out,
        prune,
        env,
    };
    kp_live::apply::check_ready(program, &plan, &opts).unwrap();
    kp_live::apply::apply(&client, program, &plan, &opts)
}

pub fn apply(bao: &Bao, program: &Program) -> kp_live::apply::ApplyReport {
    let report = apply_with(bao, program, None, false, &no_env);
    assert!(report.ok(), "apply failed: {report:?}");
    report
}

pub fn assert_clean(bao: &Bao, program: &Program, token_out: Option<&Path>) {
    let p = plan(bao, program, token_out);
    assert!(
        !p.has_changes(),
        "plan after apply is not clean:\n{}",
        kp_live::render::plan_text(&p, &bao.addr)
    );
}

impl Bao {
    /// A dev server with TLS (`-dev-tls`); returns it and the CA certificate's path.
    pub fn dev_tls() -> (Bao, PathBuf) {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        std::fs::create_dir(&certs).unwrap();
        let log = std::fs::File::create(dir.path().join("bao.log")).unwrap();
        let child = Command::new("bao")
            .args(["server", "-dev", "-dev-tls", "-dev-root-token-id=root"])
            .arg(format!("-dev-tls-cert-dir={}", certs.display()))
            .arg(format!("-dev-listen-address=127.0.0.1:{port}"))
            .env("HOME", dir.path())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("bao server -dev -dev-tls");
        let ca = certs.join("vault-ca.pem");
        wait_for("bao (tls)", Duration::from_secs(30), || {
            port_open(port) && ca.is_file()
        });
        let bao = Bao {
            addr: format!("https://127.0.0.1:{port}"),
            port,
            token: "root".into(),
            unseal_key: None,
            child: Some(child),
            config: None,
            ca: Some(ca.clone()),
            _dir: dir,
        };
        (bao, ca)
    }

    pub fn connection_with(&self, extra: &[(&str, String)]) -> Connection {
        let mut vars: Vec<(String, String)> = vec![
            ("VAULT_ADDR".into(), self.addr.clone()),
            ("VAULT_TOKEN".into(), self.token.clone()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        Connection::resolve(&Overrides::default(), move |k| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
        .unwrap()
    }
}

/// `src` compiled with its JWT mount pointed at the test's JWKS: the example's key
/// source is replaced, or one is added.
pub fn program_with_jwks(src: &str, jwks: &str) -> Program {
    let mut text = String::new();
    let mut added = false;
    for line in src.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("jwks_url") || trimmed.starts_with("jwt_supported_algs") {
            continue;
        }
        text.push_str(line);
        text.push('\n');
        if !added && trimmed.starts_with("auth jwt") {
            text.push_str(&format!("  jwks_url = \"{jwks}\"\n"));
            added = true;
        }
    }
    let compiled = keyplan::compile(&text, &keyplan::Options::default());
    assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics);
    compiled.program.unwrap()
}

/// `source` compiled for `target`, or its errors, located, one per line.
pub fn compile_program(source: &str, target: kp_schema::Target) -> Result<Program, String> {
    let compiled = keyplan::compile(source, &keyplan::Options { target });
    let errors: Vec<_> = compiled
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{:?}", d.locate_in(&compiled.sources)))
        .collect();
    match compiled.program {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(errors.join("\n")),
    }
}

/// Every `jwks_url = "..."` of a program, pointed at `url`.
pub fn replace_jwks_urls(text: &str, url: &str) -> String {
    text.lines()
        .map(|line| match line.split_once("jwks_url") {
            Some((indent, rest)) if rest.trim_start().starts_with('=') => {
                format!("{indent}jwks_url = \"{url}\"")
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// What a JWT login needs of `p`: its JWT mounts, their config and roles, and with
/// `policies` every policy (a login succeeds without them on the server). The rest
/// (databases, SSH, ...) needs services these tests do not start.
pub fn jwt_logins(p: &Program, policies: bool) -> Program {
    let mounts: Vec<keyplan::ir::ResourceId> = p
        .resources
        .iter()
        .filter(|r| r.kind == ResourceKind::AuthMount && r.id.starts_with("sys/auth/"))
        .filter(|r| {
            r.body
                .get("type")
                .is_some_and(|t| t.redacted() == json!("jwt"))
        })
        .map(|r| r.id.clone())
        .collect();
    let mut keep = p.clone();
    keep.resources.retain(|r| {
        (policies && r.kind == ResourceKind::Policy)
            || mounts.contains(&r.id)
            || r.mount.as_ref().is_some_and(|m| mounts.contains(m))
                && (r.kind == ResourceKind::Config || r.schema == "jwt-role")
    });
    let ids: std::collections::BTreeSet<keyplan::ir::ResourceId> =
        keep.resources.iter().map(|r| r.id.clone()).collect();
    for r in &mut keep.resources {
        r.depends_on.retain(|d| ids.contains(d));
    }
    keep.workloads.clear();
    keep
}

/// Sets a claim by name, or by JSON pointer (`/a/b`) creating objects on the way.
pub fn set_claim(c: &mut serde_json::Map<String, Json>, name: &str, v: Json) {
    let Some(path) = name.strip_prefix('/') else {
        c.insert(name.into(), v);
        return;
    };
    let parts: Vec<&str> = path.split('/').collect();
    let (last, init) = parts.split_last().unwrap();
    let mut at = c;
    for p in init {
        let entry = at.entry(p.to_string()).or_insert_with(|| json!({}));
        if !entry.is_object() {
            *entry = json!({});
        }
        at = entry.as_object_mut().unwrap();
    }
    at.insert(last.to_string(), v);
}

/// The programs of the repository's `examples/`, in name order: each one-file example
/// and each directory (one program of many files), as its name and its `.kp` files
/// (file name, text).
pub fn example_programs() -> Vec<(String, Vec<(String, String)>)> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&examples)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    entries
        .into_iter()
        .filter_map(|path| {
            let mut files: Vec<PathBuf> = if path.is_dir() {
                std::fs::read_dir(&path)
                    .unwrap()
                    .flatten()
                    .map(|e| e.path())
                    .collect()
            } else {
                vec![path.clone()]
            };
            files.retain(|f| f.extension().is_some_and(|e| e == "kp"));
            files.sort();
            let files: Vec<(String, String)> = files
                .iter()
                .map(|f| {
                    let name = f.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(f).unwrap())
                })
                .collect();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (!files.is_empty()).then_some((name, files))
        })
        .collect()
}

/// Writes a program's `files`, each through `rewrite` (made local to the test's servers),
/// into the new directory `dir/name`, and returns it.
pub fn write_program_dir(
    dir: &Path,
    name: &str,
    files: &[(String, String)],
    rewrite: impl Fn(&str) -> String,
) -> PathBuf {
    let program_dir = dir.join(name);
    std::fs::create_dir_all(&program_dir).unwrap();
    for (file, text) in files {
        std::fs::write(program_dir.join(file), rewrite(text)).unwrap();
    }
    program_dir
}

/// The JSON Schema `schemas/output/NAME` of a keyplan output.
pub fn validator(name: &str) -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../schemas/output")
        .join(name);
    let schema: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

pub fn assert_valid(v: &jsonschema::Validator, doc: &Json, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} does not match its schema: {errors:#?}\n{doc:#}"
    );
}
