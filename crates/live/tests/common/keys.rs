//! Key material for programs under test, made by `openssl` and `ssh-keygen`.

use std::path::Path;
use std::process::Command;

use super::run;

/// A self-signed P-256 certificate with common name `cn`: the certificate PEM and its
/// public key PEM (each ending in a newline, as files do).
pub fn self_signed(dir: &Path, cn: &str) -> (String, String) {
    let key = dir.join(format!("{cn}.key"));
    let cert = dir.join(format!("{cn}.pem"));
    run(Command::new("openssl").args([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        &format!("/CN={cn}"),
        "-days",
        "2",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]));
    let public =
        run(Command::new("openssl").args(["pkey", "-pubout", "-in", key.to_str().unwrap()]));
    (std::fs::read_to_string(cert).unwrap(), public)
}

/// An SSH key pair (ed25519, no passphrase): the private key in OpenSSH form and the
/// public key line.
pub fn ssh_key_pair(dir: &Path, name: &str) -> (String, String) {
    let key = dir.join(name);
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key));
    (
        std::fs::read_to_string(&key).unwrap(),
        std::fs::read_to_string(key.with_extension("pub")).unwrap(),
    )
}
