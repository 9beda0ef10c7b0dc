use kp_check::ir::{Body, Program, Resource, ResourceKind};
use kp_diag::Span;

use super::*;

/// A resource declared at byte `10 * index`, so spans tell resources apart.
fn res(index: usize, id: &str, mount: Option<&str>, deps: &[&str]) -> Resource {
    Resource {
        id: id.into(),
        kind: if id.starts_with("sys/") {
            ResourceKind::AuthMount
        } else {
            ResourceKind::Role
        },
        name: id.rsplit('/').next().unwrap_or(id).into(),
        path: id.into(),
        read_path: Some(id.into()),
        schema: "test",
        body: Body::new(),
        depends_on: deps.iter().map(|&d| d.into()).collect(),
        mount: mount.map(Into::into),
        workload: None,
        policy: None,
        span: Span::new(10 * index, 10 * index + 5),
    }
}

fn program(resources: Vec<Resource>) -> Program {
    Program {
        resources,
        ..Program::default()
    }
}

/// `(id, mount, depends_on)` rows, in source order.
fn graph_of(rows: &[(&str, Option<&str>, &[&str])]) -> Result<Graph, Vec<Diagnostic>> {
    build(&program(
        rows.iter()
            .enumerate()
            .map(|(i, (id, m, d))| res(i, id, *m, d))
            .collect(),
    ))
}

fn ids(g: &Graph, idx: &[usize]) -> Vec<String> {
    idx.iter().map(|&i| g.nodes[i].id.to_string()).collect()
}

#[test]
fn empty_program_gives_empty_graph() {
    let g = graph_of(&[]).unwrap();
    assert!(g.nodes.is_empty() && g.edges.is_empty() && g.order.is_empty());
    assert!(g.levels.is_empty());
}

#[test]
fn source_order_is_kept_when_already_topological() {
    let g = graph_of(&[
        ("sys/auth/jwt", None, &[]),
        ("jwt/config", Some("sys/auth/jwt"), &[]),
        ("jwt/role/a", Some("sys/auth/jwt"), &[]),
    ])
    .unwrap();
    assert_eq!(g.order, vec![0, 1, 2]);
    assert_eq!(g.levels, vec![vec![0], vec![1, 2]]);
    assert_eq!(
        g.edges,
        vec![Edge { from: 0, to: 1 }, Edge { from: 0, to: 2 }]
    );
}

#[test]
fn dependencies_declared_later_move_forward_and_ties_follow_source() {
    // The role is written before its mount and its policy.
    let g = graph_of(&[
        ("jwt/role/a", Some("sys/auth/jwt"), &["sys/policies/acl/p"]),
        ("other/b", None, &[]),
        ("sys/policies/acl/p", None, &[]),
        ("sys/auth/jwt", None, &[]),
    ])
    .unwrap();
    // Ready at start: 1, 2, 3 (in source order); the role becomes ready after both.
    assert_eq!(
        ids(&g, &g.order),
        [
            "other/b",
            "sys/policies/acl/p",
            "sys/auth/jwt",
            "jwt/role/a"
        ]
    );
    assert_eq!(g.levels, vec![vec![1, 2, 3], vec![0]]);
}

#[test]
fn kahn_prefers_the_earliest_ready_node_over_finishing_a_level() {
    // 0 depends on 1; 2 is independent. Source order puts 0 right after 1, before 2,
    // while the levels put 2 with 1.
    let g = graph_of(&[("a", None, &["b"]), ("b", None, &[]), ("c", None, &[])]).unwrap();
    assert_eq!(ids(&g, &g.order), ["b", "a", "c"]);
    assert_eq!(g.levels, vec![vec![1, 2], vec![0]]);
}

#[test]
fn diamond_has_three_levels_and_deduplicated_edges() {
    let g = graph_of(&[
        ("top", None, &[]),
        ("left", Some("top"), &["top"]),
        ("right", None, &["top"]),
        ("bottom", None, &["right", "left", "left"]),
    ])
    .unwrap();
    assert_eq!(g.order, vec![0, 1, 2, 3]);
    assert_eq!(g.levels, vec![vec![0], vec![1, 2], vec![3]]);
    assert_eq!(g.edges.len(), 4);
    assert_eq!(g.dependencies(3), vec![1, 2]);
    assert_eq!(g.dependents(0), vec![1, 2]);
    assert_eq!(g.downstream(0), vec![1, 2, 3]);
    assert_eq!(g.downstream(3), Vec::<usize>::new());
    assert_eq!(g.level_of(3), Some(2));
}

#[test]
fn unknown_ids_are_extern_and_give_no_edge() {
    let g = graph_of(&[(
        "auth/token/roles/r",
        Some("sys/auth/token"),
        &["sys/policies/acl/extern"],
    )])
    .unwrap();
    assert!(g.edges.is_empty());
    assert_eq!(g.levels, vec![vec![0]]);
}

#[test]
fn lookups_by_id() {
    let g = graph_of(&[("a", None, &[]), ("b", None, &["a"])]).unwrap();
    assert_eq!(g.index_of("b"), Some(1));
    assert_eq!(g.node_by_id("b").map(|n| n.resource), Some(1));
    assert_eq!(g.node_by_id("zzz"), None);
    let ordered: Vec<&str> = g.ordered().map(|n| n.id.as_str()).collect();
    assert_eq!(ordered, ["a", "b"]);
}

#[test]
fn every_level_depends_only_on_earlier_levels() {
    let rows: Vec<(String, Vec<String>)> = (0..30)
        .map(|i| {
            let deps = (0..30)
                .filter(|j| (i * 7 + j * 3) % 11 == 0 && (j * 13) % 30 > (i * 13) % 30)
                .map(|j| format!("n{j}"))
                .collect();
            (format!("n{i}"), deps)
        })
        .collect();
    let resources: Vec<Resource> = rows
        .iter()
        .enumerate()
        .map(|(i, (id, deps))| {
            let deps: Vec<&str> = deps.iter().map(String::as_str).collect();
            res(i, id, None, &deps)
        })
        .collect();
    let p = program(resources);
    let g = build(&p).unwrap();
    assert!(!g.edges.is_empty());
    let level: Vec<usize> = (0..30).map(|i| g.level_of(i).unwrap()).collect();
    let position: Vec<usize> = (0..30)
        .map(|i| g.order.iter().position(|&o| o == i).unwrap())
        .collect();
    for e in &g.edges {
        assert!(level[e.from] < level[e.to], "{e:?}");
        assert!(position[e.from] < position[e.to], "{e:?}");
    }
    let flat: std::collections::BTreeSet<usize> = g.levels.iter().flatten().copied().collect();
    assert_eq!(flat.len(), 30);
    // Deterministic: building again gives the same graph.
    assert_eq!(build(&p).unwrap(), g);
}

#[test]
fn a_cycle_is_reported_once_in_dependency_order() {
    let errs = graph_of(&[
        ("free", None, &[]),
        ("a", None, &["b"]),
        ("b", None, &["c"]),
        ("c", None, &["a"]),
        ("after", None, &["c"]),
    ])
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    let d = &errs[0];
    assert_eq!(d.code, "kp::dependency-cycle");
    assert_eq!(d.message, "dependency cycle: `a` -> `b` -> `c` -> `a`");
    assert_eq!(d.span, Span::new(10, 15));
    assert_eq!(d.label, "`a` depends on `b`");
    let related: Vec<(Span, &str)> = d
        .related
        .iter()
        .map(|r| (r.span, r.label.as_str()))
        .collect();
    assert_eq!(
        related,
        [
            (Span::new(20, 25), "`b` depends on `c`"),
            (Span::new(30, 35), "`c` depends on `a`"),
        ]
    );
}

#[test]
fn the_shortest_cycle_through_the_first_node_is_named() {
    // a -> b -> c -> a and a -> c -> a: the second is shorter.
    let errs = graph_of(&[
        ("a", None, &["b", "c"]),
        ("b", None, &["c"]),
        ("c", None, &["a"]),
    ])
    .unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].message, "dependency cycle: `a` -> `c` -> `a`");
}

#[test]
fn independent_cycles_and_self_dependencies_are_all_reported() {
    let errs = graph_of(&[
        ("x", Some("y"), &[]),
        ("y", None, &["x"]),
        ("self", None, &["self"]),
        ("ok", None, &[]),
    ])
    .unwrap_err();
    let messages: Vec<&str> = errs.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "dependency cycle: `x` -> `y` -> `x`",
            "dependency cycle: `self` -> `self`",
        ]
    );
    assert_eq!(errs[1].label, "`self` depends on `self`");
    assert!(errs[1].related.is_empty());
}

#[test]
fn duplicate_ids_are_errors() {
    let errs = graph_of(&[("a", None, &[]), ("a", None, &[])]).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, "kp::duplicate-resource");
    assert_eq!(errs[0].span, Span::new(10, 15));
    assert_eq!(errs[0].related[0].span, Span::new(0, 5));
}
