//! The quick fix for a literal secret writes the variable its diagnostic's help suggests,
//! and never gives two secrets of a program the same variable.

#![allow(clippy::unwrap_used)]

use kp_ide::{Analysis, Span, Target};

/// Each literal secret's help suggestion and its fix's replacement text, in source order.
fn fixes(src: &str) -> Vec<(String, String)> {
    let a = Analysis::new(src, Target::Vault);
    let actions = a.code_actions(Span::new(0, src.len()));
    a.diagnostics()
        .iter()
        .enumerate()
        .filter(|(_, d)| d.code == "kp::literal-secret")
        .map(|(i, d)| {
            let help = d.help.clone().unwrap();
            let fix = actions
                .iter()
                .find(|f| f.diagnostic == i)
                .map(|f| f.edits[0].new_text.clone())
                .unwrap();
            (help, fix)
        })
        .collect()
}

#[test]
fn the_fix_writes_the_variable_the_help_suggests() {
    let src = "auth userpass {}
workload carol {
  login userpass { password = \"carol-literal-pw\" }
  read \"secret/data/carol/*\"
}
workload dan {
  login userpass { password = \"dan-literal-pw\" }
  read \"secret/data/dan/*\"
}
";
    let fixes = fixes(src);
    assert_eq!(fixes.len(), 2);
    assert_eq!(fixes[0].1, "env(\"CAROL_PASSWORD\")");
    assert_eq!(fixes[1].1, "env(\"DAN_PASSWORD\")");
    for (help, fix) in &fixes {
        assert!(help.contains(fix.as_str()), "help {help:?}, fix {fix:?}");
    }
}

#[test]
fn two_secrets_never_get_the_same_variable() {
    // Each connection's password gets its own variable; a third secret's natural name
    // is a variable the program already reads for another one.
    let src = "secrets database {
  connection a {
    plugin_name = \"mysql-database-plugin\"
    password    = \"first-literal\"
  }
  connection b {
    plugin_name = \"mysql-database-plugin\"
    password    = \"second-literal\"
  }
}
auth userpass {}
workload carol {
  login userpass { password = \"carol-literal-pw\" }
  read \"secret/data/carol/*\"
}
workload dan {
  login userpass { password = env(\"CAROL_PASSWORD\") }
  read \"secret/data/dan/*\"
}
";
    let written: Vec<String> = fixes(src).into_iter().map(|(_, fix)| fix).collect();
    assert_eq!(
        written,
        [
            "env(\"A_PASSWORD\")",
            "env(\"B_PASSWORD\")",
            "env(\"CAROL_PASSWORD_2\")",
        ]
    );
}
