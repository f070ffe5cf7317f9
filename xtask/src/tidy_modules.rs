//! Architecture check over each crate's modules, run as a test: no two modules of a crate need
//! each other (issue 17 found `checkpoint.rs` <-> `proof.rs` and `verify/snapshot.rs` <->
//! `verify/checks/mod.rs`). A module using its parent's items, or a parent using its children,
//! is a module and its own parts, not a cycle; every other edge must point one way.
//!
//! Must not: change any file. It reads the source tree (comments and string literals aside,
//! roughly: a path written in a string would count) and asserts.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    type Module = Vec<String>;

    /// Every module of the crate rooted at `src` that has a file of its own, by path (`[]` is
    /// the crate root), leaving out `src/bin` (each binary is a crate of its own).
    fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
        fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<Module, PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    if path != src.join("bin") {
                        walk(&path, src, out);
                    }
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let relative = path.strip_prefix(src).unwrap().with_extension("");
                let mut module: Module = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(
                    module.last().map(String::as_str),
                    Some("mod" | "lib" | "main")
                ) {
                    module.pop();
                }
                out.insert(module, path);
            }
        }
        let mut out = BTreeMap::new();
        walk(src, src, &mut out);
        out
    }

    /// The code of a file without its comments and its inline test modules (`#[cfg(test)] mod
    /// tests { .. }`, to its matching brace): tests may use whatever the crate has, and are no
    /// part of the modules' shape.
    fn code(text: &str) -> String {
        let mut code = text
            .lines()
            .map(|line| match line.find("//") {
                Some(at) => &line[..at],
                None => line,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut from = 0;
        while let Some(at) = code[from..].find("#[cfg(test)]") {
            let at = from + at;
            let next = code[at + "#[cfg(test)]".len()..].trim_start();
            let is_module = next.starts_with("mod ") || next.starts_with("pub(crate) mod ");
            let body = next
                .find(['{', ';'])
                .filter(|&i| is_module && next.as_bytes()[i] == b'{');
            let Some(open) = body else {
                from = at + 1;
                continue;
            };
            let body_start = code.len() - next.len() + open;
            let mut depth = 0usize;
            let mut end = code.len();
            for (i, c) in code[body_start..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = body_start + i + 1;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            code.replace_range(at..end, "");
            from = at;
        }
        code
    }

    /// The paths named after each `crate::` and `super::` in `code`, as written from `me`'s
    /// position (a `use a::{b, c::d}` group gives one path per item).
    fn named_paths(code: &str, me: &[String]) -> Vec<Module> {
        let bytes = code.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let at_word = i == 0 || !ident(bytes[i - 1]);
            let rest = &bytes[i..];
            let (mut base, skip): (Module, usize) = if at_word && rest.starts_with(b"crate::") {
                (Vec::new(), "crate::".len())
            } else if at_word && rest.starts_with(b"super::") {
                (me[..me.len().saturating_sub(1)].to_vec(), "super::".len())
            } else {
                i += 1;
                continue;
            };
            let mut j = i + skip;
            while bytes[j..].starts_with(b"super::") {
                base.pop();
                j += "super::".len();
            }
            let (paths, end) = path_tail(code, j);
            for tail in paths {
                let mut path = base.clone();
                path.extend(tail);
                out.push(path);
            }
            i = end.max(i + 1);
        }
        out
    }

    /// The segments written from `start` (`a::b::{c, d::e}`), one list per path, and where
    /// they end.
    fn path_tail(code: &str, start: usize) -> (Vec<Module>, usize) {
        let bytes = code.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut segments = Vec::new();
        let mut i = start;
        loop {
            let from = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            if i > from {
                segments.push(code[from..i].to_owned());
            }
            let group = if bytes[i..].starts_with(b"::{") {
                Some(i + 3)
            } else if i == from && bytes[i..].starts_with(b"{") {
                Some(i + 1)
            } else {
                None
            };
            if let Some(mut j) = group {
                // A group: each item, at this depth, is a path of its own.
                let mut paths = Vec::new();
                loop {
                    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    let (items, end) = path_tail(code, j);
                    for item in items {
                        let mut path = segments.clone();
                        path.extend(item);
                        paths.push(path);
                    }
                    j = end;
                    while j < bytes.len() && bytes[j] != b',' && bytes[j] != b'}' {
                        j += 1;
                    }
                    if j >= bytes.len() || bytes[j] == b'}' {
                        return (paths, j + 1);
                    }
                    j += 1;
                }
            }
            if bytes[i..].starts_with(b"::") && i > from {
                i += 2;
                continue;
            }
            return (vec![segments], i);
        }
    }

    /// The module among `known` a path lands in: its longest prefix that is one.
    fn module_of<'a>(path: &[String], known: &'a BTreeMap<Module, PathBuf>) -> Option<&'a Module> {
        (0..=path.len())
            .rev()
            .find_map(|n| known.get_key_value(&path[..n]).map(|(m, _)| m))
    }

    /// What the crate root re-exports from its modules (`pub use a::b::{C, d}` at the root):
    /// each name, and the module it comes from, so that `crate::C` is read as a path into `a::b`.
    fn root_reexports(known: &BTreeMap<Module, PathBuf>) -> BTreeMap<String, Module> {
        let Some(root) = known.get(&Vec::new()) else {
            return BTreeMap::new();
        };
        let text = code(&std::fs::read_to_string(root).unwrap());
        let mut out = BTreeMap::new();
        let mut from = 0;
        while let Some(at) = text[from..].find("pub use ") {
            let start = from + at + "pub use ".len();
            let (paths, end) = path_tail(&text, start);
            for path in paths {
                let is_module = known.contains_key(&path[..1.min(path.len())].to_vec());
                if let (true, Some(name), Some(module)) =
                    (is_module, path.last(), module_of(&path, known))
                {
                    out.insert(name.clone(), module.clone());
                }
            }
            from = end.max(start);
        }
        out
    }

    /// Which modules need which: each path a module names, through `crate::` or `super::`
    /// (a root re-export read as the module it comes from), as an edge between the two
    /// modules' branches under their lowest common ancestor, so that `a::x` naming `b::y` is
    /// `a` needing `b`. A module and its own parts (an ancestor or a descendant) are no edge.
    fn edges(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
        let known = modules(src);
        let reexports = root_reexports(&known);
        let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
        for (me, file) in &known {
            let text = code(&std::fs::read_to_string(file).unwrap());
            for path in named_paths(&text, me) {
                let target = match module_of(&path, &known) {
                    Some(m) if m.is_empty() => path.first().and_then(|name| reexports.get(name)),
                    other => other,
                };
                let Some(target) = target else {
                    continue;
                };
                if target.starts_with(me) || me.starts_with(target) {
                    continue;
                }
                let common = me.iter().zip(target).take_while(|(a, b)| a == b).count();
                edges
                    .entry(me[..=common].to_vec())
                    .or_default()
                    .insert(target[..=common].to_vec());
            }
        }
        edges
    }

    /// A cycle through the graph, if there is one, as the modules along it.
    fn cycle(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Option<Vec<Module>> {
        fn visit(
            at: &Module,
            edges: &BTreeMap<Module, BTreeSet<Module>>,
            path: &mut Vec<Module>,
            done: &mut BTreeSet<Module>,
        ) -> Option<Vec<Module>> {
            if let Some(start) = path.iter().position(|m| m == at) {
                let mut found = path[start..].to_vec();
                found.push(at.clone());
                return Some(found);
            }
            if done.contains(at) {
                return None;
            }
            path.push(at.clone());
            for next in edges.get(at).into_iter().flatten() {
                if let Some(found) = visit(next, edges, path, done) {
                    return Some(found);
                }
            }
            path.pop();
            done.insert(at.clone());
            None
        }
        let mut done = BTreeSet::new();
        edges
            .keys()
            .find_map(|start| visit(start, edges, &mut Vec::new(), &mut done))
    }

    #[test]
    fn no_two_modules_of_a_crate_need_each_other() {
        let root = crate::tidy::workspace_root();
        let mut sources: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
            .unwrap()
            .map(|e| e.unwrap().path().join("src"))
            .filter(|src| src.is_dir())
            .collect();
        sources.push(root.join("xtask/src"));
        sources.sort();
        let mut found = Vec::new();
        for src in sources {
            if let Some(cycle) = cycle(&edges(&src)) {
                let names: Vec<String> = cycle
                    .iter()
                    .map(|m| format!("crate::{}", m.join("::")))
                    .collect();
                found.push(format!("{}: {}", src.display(), names.join(" -> ")));
            }
        }
        assert!(
            found.is_empty(),
            "modules that need each other:\n{}",
            found.join("\n")
        );
    }

    /// The check finds the cycles it is there for, and leaves a module and its parts alone.
    #[test]
    fn a_cycle_between_siblings_is_found_a_module_using_its_parent_is_not() {
        let dir = std::env::temp_dir().join(format!("tidy-modules-{}", std::process::id()));
        let src = dir.join("src");
        std::fs::create_dir_all(src.join("verify/checks")).unwrap();
        let write = |path: &str, text: &str| std::fs::write(src.join(path), text).unwrap();
        write("lib.rs", "mod verify;\nmod proof;\nmod checkpoint;\n");
        write(
            "verify/mod.rs",
            "mod checks;\nmod snapshot;\npub struct Check;\n",
        );
        write(
            "verify/checks/mod.rs",
            "use super::{Check, snapshot};\n// crate::proof in a comment\n",
        );
        write("verify/snapshot.rs", "use super::Check;\n");
        write("proof.rs", "use crate::checkpoint::Format;\n");
        write(
            "checkpoint.rs",
            "pub struct Format;\n#[cfg(test)]\nmod tests {\n    use crate::proof::*;\n    fn f() { if true {} }\n}\n",
        );
        assert_eq!(
            cycle(&edges(&src)),
            None,
            "a test module is no part of the shape"
        );
        // What follows a test module still counts.
        write(
            "checkpoint.rs",
            "#[cfg(test)]\nmod tests {\n    fn f() { if true {} }\n}\nfn g() { crate::proof::h() }\n",
        );
        assert!(
            cycle(&edges(&src)).is_some(),
            "code after a test module counts"
        );
        write("checkpoint.rs", "pub struct Format;\n");
        write("verify/snapshot.rs", "use super::checks::{self, Found};\n");
        let found = cycle(&edges(&src)).expect("snapshot <-> checks");
        assert!(found.contains(&vec!["verify".into(), "snapshot".into()]));
        write("verify/snapshot.rs", "use super::Check;\n");
        // Parts of two siblings that need each other: the siblings do.
        write("verify/checks/mod.rs", "use crate::proof::Proof;\n");
        write("proof.rs", "use crate::verify::Check;\n");
        let found = cycle(&edges(&src)).expect("verify <-> proof, through verify::checks");
        assert!(found.contains(&vec!["verify".into()]), "{found:?}");
        write("verify/checks/mod.rs", "use super::{Check, snapshot};\n");
        write("proof.rs", "use crate::checkpoint::Format;\n");
        // A name the crate root re-exports is read as the module it comes from.
        write(
            "lib.rs",
            "mod verify;\nmod proof;\nmod checkpoint;\npub use proof::Proof;\n",
        );
        write("checkpoint.rs", "fn f() -> crate::Proof { todo!() }\n");
        let found = cycle(&edges(&src)).expect("checkpoint <-> proof, through a re-export");
        assert_eq!(found.len(), 3, "{found:?}");
        write("checkpoint.rs", "fn f() { crate::proof::g() }\n");
        let found = cycle(&edges(&src)).expect("checkpoint <-> proof");
        assert_eq!(found.len(), 3, "{found:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
