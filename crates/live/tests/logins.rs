//! Every login method a workload can use, on one real OpenBao: Kubernetes roles proven
//! by read-back (a real Kubernetes login needs a cluster), AppRole by a real login with
//! a secret id minted by the orchestrator workload, whose token then does exactly what
//! its workload says and nothing more.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use kp_live::TargetArg;
use serde_json::{json, Value as Json};

fn program_source(ca_pem: &str) -> String {
    format!(
        r#"
auth kubernetes k8s {{
  kubernetes_host      = "https://10.0.0.1:443"
  disable_local_ca_jwt = true
  kubernetes_ca_cert   = <<EOT
{ca_pem}EOT
}}

auth approle {{}}

workload deployer {{
  login k8s {{
    bound_service_account_names      = ["deployer", "deployer-canary"]
    bound_service_account_namespaces = ["prod", "staging"]
    audience                         = "vault"
    token_ttl                        = 15m
    token_max_ttl                    = 1h
  }}
  read "secret/data/deploy/*"
}}

workload builder {{
  login approle {{
    secret_id_ttl      = 10m
    secret_id_num_uses = 2
    token_bound_cidrs  = ["127.0.0.1/32", "10.0.0.0/8"]
    token_ttl          = 20m
  }}
  read "secret/data/build/*"
  list "secret/metadata/build/*"
}}

workload orchestrator {{
  login approle {{
    role_name     = "orchestrator"
    secret_id_ttl = 5m
  }}
  role_id approle.builder
  secret_id approle.builder
}}
"#
    )
}

fn get(addr: &str, token: &str, path: &str) -> (u16, Json) {
    request("GET", addr, token, path, None)
}

fn request(method: &str, addr: &str, token: &str, path: &str, body: Option<&Json>) -> (u16, Json) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let url = format!("{addr}/v1/{path}");
    let mut r = match (method, body) {
        ("GET", _) => agent.get(&url).header("X-Vault-Token", token).call(),
        ("LIST", _) => agent
            .get(&format!("{url}?list=true"))
            .header("X-Vault-Token", token)
            .call(),
        (_, b) => agent
            .post(&url)
            .header("X-Vault-Token", token)
            .send(b.cloned().unwrap_or(json!({})).to_string().as_str()),
    }
    .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Json::Null))
}

#[test]
fn kubernetes_and_approle_logins_do_what_their_workloads_say() {
    if live().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ca, _) = self_signed(dir.path(), "kubernetes");
    let program = kp_live::cli::compile(&program_source(&ca), TargetArg::Openbao).unwrap();
    let bao = Bao::dev();
    apply(&bao, &program);
    assert_clean(&bao, &program, None);

    // Kubernetes: the config and the role, read back field by field.
    let config = bao.data("auth/k8s/config");
    assert_eq!(config["kubernetes_host"], "https://10.0.0.1:443");
    assert_eq!(config["disable_local_ca_jwt"], true);
    assert_eq!(
        config["kubernetes_ca_cert"].as_str().unwrap().trim_end(),
        ca.trim_end()
    );
    let role = bao.data("auth/k8s/role/deployer");
    assert_eq!(
        role["bound_service_account_names"],
        json!(["deployer", "deployer-canary"])
    );
    assert_eq!(
        role["bound_service_account_namespaces"],
        json!(["prod", "staging"])
    );
    assert_eq!(role["audience"], "vault");
    assert_eq!(role["token_ttl"], 900);
    assert_eq!(role["token_max_ttl"], 3600);
    assert_eq!(role["token_policies"], json!(["deployer"]));

    // AppRole: the orchestrator logs in with its own role...
    let root = &bao.token;
    let login = |role: &str, secret_id_from: &str| -> String {
        let (s, rid) = get(
            &bao.addr,
            secret_id_from,
            &format!("auth/approle/role/{role}/role-id"),
        );
        assert_eq!(s, 200, "role-id of {role}: {rid}");
        let (s, sid) = request(
            "POST",
            &bao.addr,
            secret_id_from,
            &format!("auth/approle/role/{role}/secret-id"),
            None,
        );
        assert_eq!(s, 200, "secret-id of {role}: {sid}");
        let (s, auth) = request(
            "POST",
            &bao.addr,
            "",
            "auth/approle/login",
            Some(&json!({
                "role_id": rid["data"]["role_id"],
                "secret_id": sid["data"]["secret_id"],
            })),
        );
        assert_eq!(s, 200, "login as {role}: {auth}");
        auth["auth"]["client_token"].as_str().unwrap().to_string()
    };
    let orchestrator = login("orchestrator", root);
    // ... and, with its token alone, mints the builder's credentials (role_id and
    // secret_id statements) but not its own.
    let builder = login("builder", &orchestrator);
    let (s, _) = get(
        &bao.addr,
        &orchestrator,
        "auth/approle/role/orchestrator/role-id",
    );
    assert_eq!(
        s, 403,
        "the orchestrator may only read the builder's role id"
    );
    let (s, _) = request(
        "POST",
        &bao.addr,
        &orchestrator,
        "auth/approle/role/builder",
        Some(&json!({"token_ttl": 1})),
    );
    assert_eq!(s, 403, "the orchestrator may not change the role");

    // The builder's token: its policy, its TTL, and exactly its statements.
    let (_, me) = get(&bao.addr, &builder, "auth/token/lookup-self");
    assert_eq!(me["data"]["policies"], json!(["builder", "default"]));
    assert!(me["data"]["ttl"].as_i64().unwrap() <= 1200, "{me}");
    for (path, what) in [
        ("secret/data/build/artifact", "build"),
        ("secret/data/deploy/key", "deploy"),
    ] {
        let (s, r) = request(
            "POST",
            &bao.addr,
            root,
            path,
            Some(&json!({"data": {"what": what}})),
        );
        assert_eq!(s, 200, "{r}");
    }
    let (s, r) = get(&bao.addr, &builder, "secret/data/build/artifact");
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["data"]["data"]["what"], "build");
    let (s, r) = request("LIST", &bao.addr, &builder, "secret/metadata/build", None);
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["data"]["keys"], json!(["artifact"]));
    let (s, _) = get(&bao.addr, &builder, "secret/data/deploy/key");
    assert_eq!(s, 403, "read outside the workload's paths");
    let (s, _) = request(
        "POST",
        &bao.addr,
        &builder,
        "secret/data/build/artifact",
        Some(&json!({"data": {"what": "tampered"}})),
    );
    assert_eq!(s, 403, "write where the workload only reads");
    let (s, _) = get(&bao.addr, &builder, "auth/approle/role/builder/role-id");
    assert_eq!(s, 403, "the builder may not read role ids");
}
