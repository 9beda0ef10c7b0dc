//! Mounts nested in one another on a real OpenBao: the server refuses a mount under
//! another of its class (`ssh/prod` under `ssh/`) and one above another (`ssh` over
//! `ssh/prod/`), with "path is already in use". The plan says so before any call, naming
//! the mount in the way, and apply refuses the plan (and `plan -o` does not save it);
//! paths that only share a prefix (`kv` and `kvx`) and an auth method at a secrets
//! engine's path do not clash.

// Helpers outside #[test] functions fail the test with their message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

fn enable(bao: &Bao, args: &[&str]) {
    run(bao.bao_cmd().args(args));
}

#[test]
fn a_mount_nested_in_or_above_a_server_mount_is_blocked_in_the_plan() {
    let Some(()) = live() else { return };
    let bao = Bao::dev();
    enable(&bao, &["secrets", "enable", "ssh"]);
    enable(&bao, &["secrets", "enable", "-path=team/kv", "kv"]);
    enable(&bao, &["auth", "enable", "-path=ci", "jwt"]);
    enable(&bao, &["auth", "enable", "-path=apps/prod", "approle"]);
    let dir = tempfile::tempdir().unwrap();

    // (program, the new mount, the mount on the server in the way)
    let cases = [
        (
            "secrets ssh \"ssh/prod\" {}\n",
            "sys/mounts/ssh/prod",
            "the server has the ssh secrets engine `ssh/`",
        ),
        (
            "secrets kv team {}\n",
            "sys/mounts/team",
            "the server has the kv secrets engine `team/kv/`",
        ),
        (
            "auth jwt \"ci/gitlab\" {}\n",
            "sys/auth/ci/gitlab",
            "the server has the jwt auth method `auth/ci/`",
        ),
        (
            "auth approle apps {}\n",
            "sys/auth/apps",
            "the server has the approle auth method `auth/apps/prod/`",
        ),
    ];
    for (i, (source, id, whose)) in cases.iter().enumerate() {
        let path = write_program(dir.path(), &format!("case{i}.kp"), source);
        let args = live_args(&bao, &[&path]);
        let p = run_plan(&args);
        assert_eq!(p.code, 2, "{}{}", p.stdout, p.stderr);
        assert!(
            p.stdout.contains(&format!("  + {id} (create)")),
            "{}",
            p.stdout
        );
        assert!(
            p.stdout.contains("cannot apply: the path ") && p.stdout.contains(whose),
            "{source}: {}",
            p.stdout
        );
        assert!(
            p.stdout.contains(&format!(
                "warning: apply refuses this plan: `{id}` cannot be applied"
            )),
            "{}",
            p.stdout
        );
        // Refused before the first call, naming the mount in the way; nothing changed.
        let r = run_apply(&args, true, false, None);
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(&format!("`{id}` cannot be created: ")) && r.stderr.contains(whose),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("400"), "{}", r.stderr);
        // Nor saved for a later apply.
        let saved = dir.path().join(format!("case{i}.json"));
        let s = run_plan_to(&args, Some(saved.clone()));
        assert_eq!(s.code, 1, "{}{}", s.stdout, s.stderr);
        assert!(s.stderr.contains("cannot be created"), "{}", s.stderr);
        assert!(!saved.exists());
    }
    let mounts = bao.data("sys/mounts");
    assert!(mounts.get("ssh/prod/").is_none() && mounts.get("team/").is_none());

    // A plan saved before the mount in the way was made: refused when applied, before
    // any call (the fingerprints cover only the planned mount, still absent).
    let later = write_program(dir.path(), "later.kp", "secrets kv \"late/kv\" {}\n");
    let saved = dir.path().join("later.json");
    let args = live_args(&bao, &[&later]);
    assert_eq!(run_plan_to(&args, Some(saved.clone())).code, 2);
    enable(&bao, &["secrets", "enable", "-path=late", "kv"]);
    let mut from_file = args.clone();
    from_file.files = vec![saved];
    let r = run_apply(&from_file, true, false, None);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("`sys/mounts/late/kv` cannot be created: ")
            && r.stderr
                .contains("the server has the kv secrets engine `late/`"),
        "{}",
        r.stderr
    );

    // What does not clash: a shared prefix that is not a whole segment, an auth method
    // at a secrets engine's path, a secrets engine at an auth method's path.
    let fine = write_program(
        dir.path(),
        "fine.kp",
        "secrets ssh sshx {}\nauth approle ssh {}\nsecrets kv ci {}\nsecrets kv \"team/kv2\" {}\n",
    );
    let args = live_args(&bao, &[&fine]);
    let p = run_plan(&args);
    assert!(!p.stdout.contains("cannot apply"), "{}", p.stdout);
    apply_clean(&args);
}
