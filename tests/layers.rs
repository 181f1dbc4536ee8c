//! The crate's layering, checked from its source: module dependencies point one way (no two
//! top-level modules import each other, directly or through others), and the daemons' dynamic keys
//! agree with the registry that sits below them.

use mutt::settings::dynamic_keys::{find, ALL};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The non-test, non-comment part of a source file: unit tests may reach upwards (they wire
/// real parts), and a doc link is not a dependency.
fn production_code(text: &str) -> String {
    let code = text.find("#[cfg(test)]").map_or(text, |i| &text[..i]);
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `crate::name` paths in `code` naming one of `modules`.
fn imported(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if modules.contains(&name) {
            found.insert(name);
        }
    }
    found
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if stem != "lib" && stem != "main" {
            modules.insert(stem);
        }
    }
    let mut graph = BTreeMap::new();
    for module in &modules {
        let mut files = Vec::new();
        let dir = src.join(module);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        let mut deps = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            deps.extend(imported(&production_code(&text), &modules));
        }
        deps.remove(module);
        graph.insert(module.clone(), deps);
    }
    graph
}

/// A path from `from` back to itself, if the graph has one.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in &graph[last] {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn top_level_modules_form_no_cycle() {
    let graph = module_graph();
    assert!(graph.contains_key("settings") && graph["cli"].contains("settings"));
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_through(&graph, m))
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(m, d)| (m.to_string(), d.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycle_through(&graph, "a").unwrap(), ["a", "b", "c", "a"]);
    assert_eq!(cycle_through(&graph, "d"), None);
}

#[test]
fn daemons_watch_registered_keys_and_every_key_they_own() {
    let daemons: [(&str, &[&str]); 4] = [
        ("ingestor", &mutt::ingest::DYNAMIC_KEYS),
        ("alerter", &mutt::alert::DYNAMIC_KEYS),
        ("forwarder", &mutt::forward::DYNAMIC_KEYS),
        ("remediation", &mutt::remediate::DYNAMIC_KEYS),
    ];
    for (daemon, watched) in daemons {
        for name in watched {
            let key = find(name).unwrap_or_else(|| panic!("{daemon} watches unknown {name}"));
            // The daemons read every watched key through `int_or` or a one-of check against
            // the linked setting, so a key without one would be ignored.
            assert!(key.setting.is_some(), "{daemon} watches unlinked {name}");
        }
        for key in ALL.iter().filter(|k| k.owner == daemon) {
            assert!(
                watched.contains(&key.name),
                "{daemon} owns {} but does not watch it",
                key.name
            );
        }
    }
}
