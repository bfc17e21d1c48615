//! The deployment files (deploy/) name only what exists: every LEDGER_* variable is one the code
//! reads, every repository path they copy or point at is in the repository, and every
//! configuration file they carry loads as the server would load it.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, extension: Option<&str>) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            if !path.ends_with("target") {
                found.extend(files_under(&path, extension));
            }
        } else if extension.is_none_or(|extension| path.extension().is_some_and(|e| e == extension)) {
            found.push(path);
        }
    }
    found
}

/// Words of `text` that start with `prefix` and go on with `allowed` characters.
fn words(text: &str, prefix: &str, allowed: impl Fn(char) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        let boundary =
            rest[..at].chars().next_back().is_none_or(|c| !c.is_ascii_alphanumeric() && !"_/".contains(c));
        let tail = &rest[at + prefix.len()..];
        let len = tail.find(|c: char| !allowed(c)).unwrap_or(tail.len());
        if boundary && len > 0 {
            found.push(format!("{prefix}{}", &tail[..len]));
        }
        rest = &rest[at + prefix.len()..];
    }
    found
}

#[test]
fn every_variable_the_deployment_files_set_is_read_by_the_code() {
    let code: String = [root().join("src"), root().join("crates")]
        .iter()
        .flat_map(|dir| files_under(dir, Some("rs")))
        .map(|path| std::fs::read_to_string(path).expect("source readable"))
        .collect();
    let mut unknown = Vec::new();
    let mut seen = 0;
    for file in files_under(&root().join("deploy"), None) {
        let text = std::fs::read_to_string(&file).expect("deployment file readable");
        for variable in words(&text, "LEDGER_", |c| c.is_ascii_uppercase() || c == '_') {
            seen += 1;
            if !code.contains(&format!("\"{variable}\"")) {
                unknown.push(format!("{}: {variable}", file.display()));
            }
        }
    }
    assert!(seen >= 10, "the deployment files name the variables they use ({seen} found)");
    assert!(unknown.is_empty(), "variables no code reads:\n{}", unknown.join("\n"));
}

#[test]
fn every_repository_path_the_deployment_files_name_exists() {
    let mut missing = Vec::new();
    let mut seen = 0;
    for file in files_under(&root().join("deploy"), None) {
        let text = std::fs::read_to_string(&file).expect("deployment file readable");
        for prefix in ["deploy/", "rules/", "tests/"] {
            for path in words(&text, prefix, |c| c.is_ascii_alphanumeric() || "._/-".contains(c)) {
                let path = path.trim_end_matches(['.', '/']);
                seen += 1;
                if !root().join(path).exists() {
                    missing.push(format!("{}: {path}", file.display()));
                }
            }
        }
    }
    assert!(seen >= 5, "the deployment files name repository paths ({seen} found)");
    assert!(missing.is_empty(), "paths not in the repository:\n{}", missing.join("\n"));
}

#[test]
fn the_configuration_files_they_carry_load() {
    let plain = root().join("deploy/ledger.toml");
    ledger_server::config::ConfigFile::load(&plain).unwrap_or_else(|error| panic!("{error}"));
    // The three-replica compose file's: a cluster of three members.
    let cluster = ledger_server::config::ConfigFile::load(&root().join("deploy/ledger-cluster.toml"))
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(cluster.cluster.map(|cluster| cluster.members.len()), Some(3));
    // The Kubernetes config map carries its own ledger.toml, indented under `ledger.toml: |`.
    let map = std::fs::read_to_string(root().join("deploy/kubernetes/configmap.yaml")).expect("config map");
    let body: String = map
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("ledger.toml: |"))
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with("    "))
        .map(|line| format!("{}\n", line.get(4..).unwrap_or("")))
        .collect();
    assert!(body.contains("data_dir"), "the config map's ledger.toml was found:\n{body}");
    let dir = tempfile::tempdir().expect("temporary directory");
    let extracted = dir.path().join("ledger.toml");
    std::fs::write(&extracted, body).expect("written");
    let map = ledger_server::config::ConfigFile::load(&extracted).unwrap_or_else(|error| panic!("{error}"));
    // The StatefulSet's three replicas are the cluster's three members.
    assert_eq!(map.cluster.map(|cluster| cluster.members.len()), Some(3));
}
