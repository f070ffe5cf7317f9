//! Architecture checks over the workspace's own files, run as tests (rust-analyzer's `tidy` is
//! the model): the crates depend on each other in one direction only, `domain` and `rules` do
//! no I/O, and every source file says in its first line what it holds.
//!
//! Must not: change any file. It reads `cargo metadata` and the source tree, and asserts.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn workspace_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives one level below the workspace root")
            .to_path_buf()
    }

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

    /// Architecture Invariant: app -> {rules, persistence} -> domain, and nothing else.
    #[test]
    fn crates_depend_in_one_direction() {
        let deps = normal_dependencies();
        let expected: [(&str, &[&str]); 4] = [
            ("compliance-domain", &[]),
            ("compliance-rules", &["compliance-domain"]),
            ("compliance-persistence", &["compliance-domain"]),
            (
                "compliance-app",
                &[
                    "compliance-domain",
                    "compliance-persistence",
                    "compliance-rules",
                ],
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
        for package in ["compliance-domain", "compliance-rules"] {
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
}
