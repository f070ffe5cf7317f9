//! Architecture checks over the workspace's own files, run as tests (rust-analyzer's `tidy` is
//! the model): the crates depend on each other in one direction only (and their modules too:
//! `tidy_modules.rs`), `domain` and `rules` do
//! no I/O, every source file says in its first line what it holds, and the docs state no count
//! that goes stale.
//!
//! Must not: change any file. It reads `cargo metadata` and the source tree, and asserts.

/// The workspace's root directory (for the checks, here and in `tidy_modules.rs`).
#[cfg(test)]
pub(crate) fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::workspace_root;
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// Each workspace package's normal (non-dev, non-build) dependencies, by name.
    fn normal_dependencies() -> BTreeMap<String, BTreeSet<String>> {
        let output = Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(workspace_root())
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|package| {
                let deps = package["dependencies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["kind"].is_null())
                    .map(|d| d["name"].as_str().unwrap().to_owned())
                    .collect();
                (package["name"].as_str().unwrap().to_owned(), deps)
            })
            .collect()
    }

    fn workspace_deps(deps: &BTreeSet<String>) -> BTreeSet<&str> {
        deps.iter()
            .map(String::as_str)
            .filter(|d| d.starts_with("compliance-"))
            .collect()
    }

    /// Architecture Invariant: the crates depend on each other in one direction:
    /// `{server, ops} -> app -> {rules, screening, persistence} -> domain`, `persistence -> audit`,
    /// `ops -> audit`, `dispatch -> domain`, and nothing else (`audit` depends on no other crate
    /// of the workspace, so that an auditor links it alone).
    #[test]
    fn crates_depend_in_one_direction() {
        let deps = normal_dependencies();
        let expected: [(&str, &[&str]); 9] = [
            ("compliance-domain", &[]),
            ("compliance-audit", &[]),
            ("compliance-rules", &["compliance-domain"]),
            ("compliance-screening", &["compliance-domain"]),
            (
                "compliance-persistence",
                &["compliance-domain", "compliance-audit"],
            ),
            (
                "compliance-app",
                &[
                    "compliance-domain",
                    "compliance-persistence",
                    "compliance-rules",
                    "compliance-screening",
                ],
            ),
            (
                "compliance-ops",
                &[
                    "compliance-app",
                    "compliance-audit",
                    "compliance-domain",
                    "compliance-persistence",
                    "compliance-rules",
                    "compliance-screening",
                ],
            ),
            (
                "compliance-server",
                &["compliance-app", "compliance-domain", "compliance-dispatch"],
            ),
            // Events out: the transport and the dispatcher over the app's outbox; never
            // persistence itself.
            (
                "compliance-dispatch",
                &["compliance-domain", "compliance-app"],
            ),
        ];
        for (package, allowed) in expected {
            let actual = workspace_deps(&deps[package]);
            let allowed: BTreeSet<&str> = allowed.iter().copied().collect();
            assert!(
                actual.is_subset(&allowed),
                "{package} depends on {actual:?}; it may depend on {allowed:?} only"
            );
        }
        // Every package of the workspace is held to a rule above (xtask, the tasks, may use
        // anything but the server, whose binary it runs instead of linking).
        let listed: BTreeSet<&str> = expected.iter().map(|(p, _)| *p).collect();
        for package in deps.keys() {
            assert!(
                listed.contains(package.as_str()) || package == "xtask",
                "{package} has no dependency rule here"
            );
        }
        assert!(!deps["xtask"].contains("compliance-server"));
    }

    /// Every crate in `package`'s normal dependency tree on this platform, itself included
    /// (`cargo tree`: what a build of it links).
    fn dependency_tree(package: &str) -> BTreeSet<String> {
        let output = Command::new(env!("CARGO"))
            .args([
                "tree",
                "--offline",
                "--edges",
                "normal",
                "--prefix",
                "none",
                "--format",
                "{lib}",
                "--package",
                package,
            ])
            .current_dir(workspace_root())
            .output()
            .expect("cargo tree runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter_map(|l| {
                l.split_whitespace()
                    .next()
                    .map(|name| name.replace('_', "-"))
            })
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Architecture Invariant: an auditor links `compliance-audit` alone: no database driver,
    /// no async runtime, no network code anywhere in its tree. The service's crate,
    /// `compliance-app`, carries no HTTP, HTML, OpenAPI or command-line crate.
    #[test]
    fn the_audit_crate_and_the_service_link_only_what_they_need() {
        let forbidden_for = [
            (
                "compliance-audit",
                &[
                    "diesel", "pq-sys", "r2d2", "tokio", "mio", "hyper", "axum", "reqwest", "sqlx",
                    "postgres",
                ][..],
            ),
            (
                "compliance-app",
                &[
                    "axum",
                    "askama",
                    "utoipa",
                    "utoipa-axum",
                    "clap",
                    "hyper",
                    "tower",
                ][..],
            ),
        ];
        for (package, forbidden) in forbidden_for {
            let tree = dependency_tree(package);
            let found: Vec<&&str> = forbidden.iter().filter(|f| tree.contains(**f)).collect();
            assert!(found.is_empty(), "{package} links {found:?}");
        }
    }

    /// Architecture Invariant: `domain` and `rules` do no I/O: no database, pool, runtime or
    /// HTTP crate in their manifests.
    #[test]
    fn domain_and_rules_do_no_io() {
        const IO_CRATES: &[&str] = &[
            "diesel",
            "diesel_migrations",
            "r2d2",
            "pq-sys",
            "postgres",
            "tokio",
            "axum",
            "hyper",
            "reqwest",
            "sqlx",
        ];
        let deps = normal_dependencies();
        for package in [
            "compliance-domain",
            "compliance-rules",
            "compliance-screening",
        ] {
            let io: Vec<_> = deps[package]
                .iter()
                .filter(|d| IO_CRATES.contains(&d.as_str()))
                .collect();
            assert!(
                io.is_empty(),
                "{package} must do no I/O but depends on {io:?}"
            );
        }
    }

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

    /// `unsafe` is denied everywhere; the single exception is the test binary that counts
    /// allocations with a global allocator.
    #[test]
    fn unsafe_code_is_allowed_in_one_test_file_only() {
        let root = workspace_root();
        let mut files = Vec::new();
        for dir in ["crates", "xtask"] {
            rust_files(&root.join(dir), &mut files);
        }
        let allowing: Vec<_> = files
            .iter()
            .filter(|path| {
                let text: String = std::fs::read_to_string(path)
                    .unwrap()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                // Split so that this file does not find itself.
                text.contains(concat!("allow(", "unsafe_code"))
            })
            .map(|path| path.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(allowing, ["crates/rules/tests/allocations.rs"]);
    }

    /// Every source file opens with a `//!` line (or, for a crate root, the README as its
    /// rustdoc front page) saying what it holds.
    #[test]
    fn every_file_says_what_it_holds() {
        let root = workspace_root();
        let mut files = Vec::new();
        for dir in ["crates", "xtask"] {
            rust_files(&root.join(dir), &mut files);
        }
        assert!(files.len() > 10, "found only {} files", files.len());
        let silent: Vec<_> = files
            .iter()
            .filter(|path| {
                let text = std::fs::read_to_string(path).unwrap();
                let first = text.lines().next().unwrap_or_default();
                // A generated file (diesel's schema.rs) says so instead, and is never edited.
                !(first.starts_with("//!")
                    || first.starts_with("#![doc = include_str!")
                    || first.starts_with("// @generated"))
            })
            .map(|path| path.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert!(silent.is_empty(), "files without a //! header: {silent:?}");
    }

    /// The Markdown files people read: the README, docs/, and each crate's README.
    fn docs() -> Vec<PathBuf> {
        let root = workspace_root();
        let mut files = vec![root.join("README.md")];
        for dir in [root.join("docs"), root.join("crates")] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                let readme = path.join("README.md");
                if path.extension().is_some_and(|e| e == "md") {
                    files.push(path);
                } else if readme.is_file() {
                    files.push(readme);
                }
            }
        }
        files
    }

    /// The counts a line states that are wrong for `checks` checks: `N checks` must be the
    /// number verify runs, `a PASS, b WARN, c FAIL` must add up to it, and a number of tests
    /// (`N tests`, cargo's `N passed`) is not written down at all: it changes with every test.
    fn stale_counts(line: &str, checks: usize) -> Vec<String> {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || "`*|(),;:.".contains(c))
            .filter(|w| !w.is_empty())
            .collect();
        let number = |i: usize| words.get(i).and_then(|w| w.parse::<usize>().ok());
        let mut wrong = Vec::new();
        for (i, word) in words.iter().enumerate().skip(1) {
            let Some(n) = number(i - 1) else { continue };
            match *word {
                "checks" if n != checks => wrong.push(format!("{n} checks")),
                "tests" | "passed" => wrong.push(format!("{n} {word} (a test count)")),
                "PASS" => {
                    let summary = (words.get(i + 2) == Some(&"WARN")
                        && words.get(i + 4) == Some(&"FAIL"))
                    .then(|| Some(n + number(i + 1)? + number(i + 3)?))
                    .flatten();
                    if summary != Some(checks) {
                        wrong.push(format!("{n} PASS (not a summary of {checks} checks)"));
                    }
                }
                _ => {}
            }
        }
        wrong
    }

    #[test]
    fn stale_counts_are_found() {
        assert!(stale_counts("20 checks: 19 PASS, 1 WARN, 0 FAIL in 5 ms", 20).is_empty());
        assert_eq!(
            stale_counts("`19 checks: 19 PASS, 0 WARN, 0 FAIL`", 20).len(),
            2
        );
        assert_eq!(stale_counts("231 tests, all passed", 20).len(), 1);
        assert_eq!(
            stale_counts("test result: ok. 30 passed; 0 failed", 20).len(),
            1
        );
        assert_eq!(
            stale_counts("provision: 19 PASS, under a second", 20).len(),
            1
        );
        assert!(stale_counts("check 19 FAILs; the 15 foreign keys", 20).is_empty());
    }

    /// The docs' examples and prose agree with the checks verify runs, and carry no test count.
    #[test]
    fn docs_state_no_count_that_goes_stale() {
        let checks = compliance_ops::verify::checks().len();
        let root = workspace_root();
        let mut wrong = Vec::new();
        for path in docs() {
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, line) in text.lines().enumerate() {
                for count in stale_counts(line, checks) {
                    let file = path.strip_prefix(&root).unwrap().display();
                    wrong.push(format!("{file}:{}: {count}", i + 1));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "counts that went stale (verify runs {checks} checks; rerun the example, or drop the count):\n{}",
            wrong.join("\n")
        );
    }
}
