//! Hand-built checked programs for the emitters' tests, shaped like the reference
//! scenarios: what the checker lowers them to, written out by hand so the emitters can
//! be tested without the front end.

use kp_check::ir::{
    Body, Capabilities, EnvRef, PathRule, PolicyDoc, Program, Resource, ResourceId, ResourceKind,
    Value, Workload,
};
use kp_diag::Span;
use kp_graph::Graph;

pub(crate) fn s(v: &str) -> Value {
    Value::Str(v.to_string())
}

pub(crate) fn env(name: &str) -> Value {
    Value::Env(EnvRef {
        env: name.to_string(),
    })
}

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

fn body(fields: Vec<(&str, Value)>) -> Body {
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

pub(crate) fn rule(path: &str, caps: &[&'static str]) -> PathRule {
    PathRule {
        path: path.into(),
        capabilities: Capabilities::from_names(caps.iter().copied()),
    }
}

pub(crate) struct R {
    pub(crate) resource: Resource,
}

/// A resource written to its own id, declared at `span`.
pub(crate) fn resource(
    kind: ResourceKind,
    id: &str,
    name: &str,
    schema: &'static str,
    fields: Vec<(&str, Value)>,
    span: (usize, usize),
) -> R {
    R {
        resource: Resource {
            id: id.into(),
            kind,
            name: name.into(),
            path: id.into(),
            read_path: Some(id.into()),
            schema,
            body: body(fields),
            depends_on: Vec::new(),
            mount: None,
            workload: None,
            policy: None,
            span: Span::new(span.0, span.1),
        },
    }
}

impl R {
    pub(crate) fn mount(mut self, id: &str) -> Self {
        self.resource.mount = Some(id.into());
        self
    }

    pub(crate) fn needs(mut self, ids: &[&str]) -> Self {
        self.resource.depends_on = ids.iter().map(|i| ResourceId::from(*i)).collect();
        self
    }

    fn derived(mut self, workload: &str) -> Self {
        self.resource.workload = Some(workload.into());
        self
    }

    pub(crate) fn policy(mut self, rules: Vec<PathRule>) -> Self {
        let doc = PolicyDoc {
            rules: rules.into(),
        };
        self.resource
            .body
            .insert("policy".to_string(), Value::Policy(doc.clone()));
        self.resource.policy = Some(doc);
        self
    }

    fn path(mut self, path: &str, read_path: Option<&str>) -> Self {
        self.resource.path = path.into();
        self.resource.read_path = read_path.map(Into::into);
        self
    }
}

pub(crate) fn graphed(program: Program) -> (Program, Graph) {
    let graph = kp_graph::build(&program).expect("fixture has no cycle");
    (program, graph)
}

/// Scenarios 1, 4 and 5 in one program, with a workload, a hand-written policy, an
/// extern policy, a secret and a token. Two resources are declared before what they
/// depend on, so apply order differs from source order.
pub(crate) fn pipeline() -> (Program, Graph) {
    use ResourceKind::*;
    let trainer_rules = vec![
        rule("secret/data/models/*", &["read"]),
        rule("secret/metadata/models/*", &["list"]),
        rule("database/creds/readonly", &["read"]),
        rule("ssh/sign/training-environment", &["update"]),
    ];
    let resources = vec![
        resource(
            AuthMount,
            "sys/auth/jwt",
            "jwt",
            "sys-auth",
            vec![
                ("type", s("jwt")),
                ("description", s("JWT backend for the trainer's jobs")),
            ],
            (0, 40),
        ),
        resource(
            Config,
            "auth/jwt/config",
            "jwt",
            "jwt-config",
            vec![
                ("bound_issuer", s("example-issuer")),
                ("jwks_url", s("http://127.0.0.1:8080/jwks.json")),
                ("jwt_supported_algs", list(&["RS256"])),
            ],
            (42, 120),
        )
        .mount("sys/auth/jwt"),
        // The role comes first in the source: the checker keeps source order and leaves
        // the ordering to the graph.
        resource(
            Role,
            "database/roles/readonly",
            "readonly",
            "database-role",
            vec![
                ("db_name", s("mysql-database")),
                (
                    "creation_statements",
                    list(&[
                        "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}';",
                        "GRANT SELECT ON *.* TO '{{name}}'@'%';",
                    ]),
                ),
                ("default_ttl", Value::Int(600)),
                ("max_ttl", Value::Int(3600)),
            ],
            (122, 300),
        )
        .mount("sys/mounts/database")
        .needs(&["database/config/mysql-database"]),
        resource(
            SecretsMount,
            "sys/mounts/database",
            "database",
            "sys-mounts",
            vec![
                ("type", s("database")),
                ("description", s("Database Secrets Engine")),
                ("local", Value::Bool(true)),
                ("seal_wrap", Value::Bool(false)),
                (
                    "config",
                    Value::Map(body(vec![
                        ("default_lease_ttl", Value::Int(600)),
                        ("max_lease_ttl", Value::Int(3600)),
                    ])),
                ),
            ],
            (302, 400),
        ),
        resource(
            Connection,
            "database/config/mysql-database",
            "mysql-database",
            "database-connection-mysql",
            vec![
                ("plugin_name", s("mysql-database-plugin")),
                (
                    "connection_url",
                    s("{{username}}:{{password}}@tcp(127.0.0.1:3306)/"),
                ),
                ("allowed_roles", list(&["readonly"])),
                ("username", s("vaulter")),
                ("password", env("DB_ROOT_PASSWORD")),
                (
                    "root_rotation_statements",
                    list(&["ALTER USER '{{username}}'@'%' IDENTIFIED BY '{{password}}';"]),
                ),
            ],
            (402, 600),
        )
        .mount("sys/mounts/database"),
        resource(
            Policy,
            "sys/policies/acl/trainer",
            "trainer",
            "sys-policies-acl",
            vec![],
            (602, 800),
        )
        .derived("trainer")
        .policy(trainer_rules.clone()),
        resource(
            Role,
            "auth/jwt/role/trainer",
            "trainer",
            "jwt-role",
            vec![
                ("role_type", s("jwt")),
                ("user_claim", s("sub")),
                ("bound_audiences", list(&["https://vault.example.com"])),
                (
                    "bound_claims",
                    Value::Map(body(vec![
                        ("project_path", s("ml/trainer")),
                        ("ref", s("refs/heads/main")),
                    ])),
                ),
                ("token_policies", list(&["trainer"])),
                ("token_ttl", Value::Int(900)),
            ],
            (602, 800),
        )
        .mount("sys/auth/jwt")
        .needs(&["sys/policies/acl/trainer"])
        .derived("trainer"),
        resource(
            Policy,
            "sys/policies/acl/ops",
            "ops",
            "sys-policies-acl",
            vec![],
            (802, 900),
        )
        .policy(vec![
            rule("auth/token/create/ml-pipeline-role", &["update"]),
            rule("sys/*", &["deny"]),
        ]),
        resource(
            Role,
            "auth/token/roles/ml-pipeline-role",
            "ml-pipeline-role",
            "token-role",
            vec![
                ("allowed_policies", list(&["my-policy"])),
                ("renewable", Value::Bool(true)),
                ("token_period", Value::Int(3600)),
            ],
            (902, 1000),
        )
        .needs(&["sys/policies/acl/my-policy"]),
        resource(
            Token,
            "auth/token/create/ml-pipeline-role#ml-pipeline-token",
            "ml-pipeline-token",
            "token-create",
            vec![
                ("policies", list(&["my-policy"])),
                ("renewable", Value::Bool(true)),
                ("ttl", Value::Int(3600)),
            ],
            (1002, 1100),
        )
        .path("auth/token/create/ml-pipeline-role", None)
        .needs(&["auth/token/roles/ml-pipeline-role"]),
    ];
    graphed(Program {
        resources: resources.into_iter().map(|r| r.resource).collect(),
        workloads: vec![Workload {
            name: "trainer".into(),
            description: Some("nightly training job in CI".to_string()),
            role: Some("auth/jwt/role/trainer".into()),
            policy: "trainer".into(),
            rules: trainer_rules.into(),
            span: Span::new(602, 800),
        }],
        extern_policies: vec!["my-policy".to_string()],
        owned_policies: Vec::new(),
        owned_token_roles: Vec::new(),
    })
}

/// Secrets in awkward places: nested in a map, in a list, twice the same variable,
/// and a key with a quote; plus a path and a name bash would misread unquoted.
pub(crate) fn awkward_secrets() -> (Program, Graph) {
    use ResourceKind::*;
    let resources = vec![
        resource(
            SecretsMount,
            "sys/mounts/odd path",
            "odd path",
            "sys-mounts",
            vec![
                ("type", s("kv")),
                ("description", s("it's $HOME `x` \"q\"")),
            ],
            (0, 10),
        ),
        resource(
            Config,
            "odd path/config/it's",
            "it's",
            "test",
            vec![
                ("password", env("FIRST_SECRET")),
                (
                    "nested",
                    Value::Map(body(vec![
                        ("key'with\"quotes", env("SECOND_SECRET")),
                        ("list", Value::List(vec![s("plain"), env("FIRST_SECRET")])),
                    ])),
                ),
            ],
            (12, 20),
        )
        .mount("sys/mounts/odd path"),
    ];
    graphed(Program {
        resources: resources.into_iter().map(|r| r.resource).collect(),
        ..Program::default()
    })
}

/// Secrets written as literals: a userpass user's password and a connection's TLS key
/// nested in a list, two resources whose ids meet in shell-name form.
pub(crate) const LITERAL_PASSWORD: &str = "literal-pa$$word 'never' copied";

pub(crate) fn literal_secrets() -> (Program, Graph) {
    use kp_check::ir::LiteralSecret;
    use ResourceKind::*;
    let secret = |v: &str| Value::Secret(LiteralSecret::new(v));
    let resources = vec![
        resource(
            AuthMount,
            "sys/auth/userpass",
            "userpass",
            "sys-auth",
            vec![("type", s("userpass"))],
            (0, 10),
        ),
        resource(
            Role,
            "auth/userpass/users/alice",
            "alice",
            "userpass-user",
            vec![
                ("password", secret(LITERAL_PASSWORD)),
                ("token_policies", list(&["reader"])),
            ],
            (12, 40),
        )
        .mount("sys/auth/userpass")
        .needs(&["sys/auth/userpass"]),
        resource(
            Role,
            "auth/userpass/users/alice_",
            "alice_",
            "userpass-user",
            vec![
                ("password", secret("second-literal")),
                (
                    "nested",
                    Value::List(vec![s("plain"), secret("third-literal")]),
                ),
            ],
            (42, 60),
        )
        .mount("sys/auth/userpass")
        .needs(&["sys/auth/userpass"]),
    ];
    graphed(Program {
        resources: resources.into_iter().map(|r| r.resource).collect(),
        ..Program::default()
    })
}
