//! A fetched tarball into the cache: its sha512 checked against the pin first, then unpacked
//! into a temporary directory beside its place, its library symlinks made (the package lists
//! them in `native/pg-symlinks.json`, since npm tarballs hold none; its own node script makes
//! them), opened to every user (the server of root runs as another), and renamed into place in
//! one step: an interrupted or refused fetch leaves no half cache, only a temporary directory
//! the next fetch removes.
//!
//! Must not: write anything before the digest matches, write outside the temporary directory,
//! or make a link that points outside the package.

use super::{FetchError, Package, io};
use base64::Engine as _;
use sha2::{Digest as _, Sha512};
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::{Component, Path, PathBuf};

/// Checks `tarball` against `package`'s pin, then installs its `native/` directory as `dir`
/// (unless another process did so meanwhile). Answers `dir/bin`.
pub(super) fn install(
    tarball: &[u8],
    package: &Package,
    dir: &Path,
) -> Result<PathBuf, FetchError> {
    verify(tarball, package)?;
    let parent = dir
        .parent()
        .ok_or_else(|| FetchError::Malformed(format!("{} has no parent", dir.display())))?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(parent)
        .map_err(io(format!("creating {}", parent.display())))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.partial-");
    remove_abandoned(parent, &prefix);
    let temp = Temporary(parent.join(format!("{prefix}{}", std::process::id())));
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tarball));
    archive
        .unpack(&temp.0)
        .map_err(|e| FetchError::Malformed(format!("unpacking the tarball: {e}")))?;
    let package_root = temp.0.join("package");
    hydrate_symlinks(&package_root)?;
    let native = package_root.join("native");
    if !crate::embedded::complete(&native.join("bin")) {
        return Err(FetchError::Malformed(
            "it holds no native/bin/initdb, pg_ctl and postgres".into(),
        ));
    }
    open_to_all(&native)?;
    if let Err(error) = std::fs::rename(&native, dir) {
        // Another fetch may have won the race: its copy is as good as this one.
        if !crate::embedded::complete(&dir.join("bin")) {
            return Err(io(format!(
                "moving the binaries into {} (if an earlier, broken copy is there, remove it)",
                dir.display()
            ))(error));
        }
    }
    Ok(dir.join("bin"))
}

/// Removes the temporary directories (`<prefix><pid>`) of fetches whose process is gone: what
/// an interrupted fetch left. A running fetch's are kept.
fn remove_abandoned(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        // This process's own is left over from an earlier attempt of it: gone too.
        let running = pid.parse::<u32>().is_ok_and(|pid| {
            pid != std::process::id() && Path::new("/proc").join(pid.to_string()).exists()
        });
        if !running {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A directory removed when dropped, whatever happened.
struct Temporary(PathBuf);

impl Drop for Temporary {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `tarball`'s SHA-512 is `package`'s pinned `dist.integrity`.
fn verify(tarball: &[u8], package: &Package) -> Result<(), FetchError> {
    let actual = base64::engine::general_purpose::STANDARD.encode(Sha512::digest(tarball));
    let expected = package
        .integrity
        .strip_prefix("sha512-")
        .unwrap_or(package.integrity);
    if actual == expected {
        Ok(())
    } else {
        Err(FetchError::Integrity {
            platform: package.platform.to_owned(),
            expected: expected.to_owned(),
            actual,
        })
    }
}

/// One line of `native/pg-symlinks.json`: a link at `target` to the file `source` (both
/// relative to the package's root).
#[derive(serde::Deserialize)]
struct Link {
    source: String,
    target: String,
}

/// Makes the links `root/native/pg-symlinks.json` lists (none when it is absent), each relative
/// to its own directory, as the package's `scripts/hydrate-symlinks.js` does; a link that exists
/// already is left as it is.
fn hydrate_symlinks(root: &Path) -> Result<(), FetchError> {
    let list = root.join("native/pg-symlinks.json");
    let text = match std::fs::read_to_string(&list) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(format!("reading {}", list.display()))(e)),
    };
    let links: Vec<Link> = serde_json::from_str(&text)
        .map_err(|e| FetchError::Malformed(format!("native/pg-symlinks.json: {e}")))?;
    for link in links {
        let (source, target) = (inside(&link.source)?, inside(&link.target)?);
        let at = root.join(&target);
        if at.symlink_metadata().is_ok() {
            continue;
        }
        let from = target.parent().unwrap_or(Path::new(""));
        std::os::unix::fs::symlink(relative(from, &source), &at)
            .map_err(io(format!("linking {}", at.display())))?;
    }
    Ok(())
}

/// `path` as a relative path that stays inside the package (no root, no `..`).
fn inside(path: &str) -> Result<PathBuf, FetchError> {
    let p = Path::new(path);
    if !path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(p.to_owned())
    } else {
        Err(FetchError::Malformed(format!(
            "native/pg-symlinks.json names {path:?}, outside the package"
        )))
    }
}

/// The path from the directory `from` to `to`, both relative to the same root.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (from, to): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    from[common..]
        .iter()
        .map(|_| Component::ParentDir)
        .chain(to[common..].iter().copied())
        .collect()
}

/// Every directory under `dir` (itself included) readable and searchable by all, every file
/// readable by all: root's server runs as an unprivileged user, whatever root's umask was.
fn open_to_all(dir: &Path) -> Result<(), FetchError> {
    let set = |path: &Path, add: u32| -> Result<(), FetchError> {
        let mode = path
            .symlink_metadata()
            .map_err(io(format!("reading {}", path.display())))?
            .permissions()
            .mode();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | add))
            .map_err(io(format!("opening {} to all users", path.display())))
    };
    set(dir, 0o755)?;
    for entry in std::fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))? {
        let path = entry
            .map_err(io(format!("reading {}", dir.display())))?
            .path();
        let kind = path
            .symlink_metadata()
            .map_err(io(format!("reading {}", path.display())))?
            .file_type();
        if kind.is_dir() {
            open_to_all(&path)?;
        } else if kind.is_file() {
            set(&path, 0o444)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::scratch;
    use super::*;

    /// A gzipped npm-style tarball of `files` (path under `package/`, mode, contents).
    fn tarball(files: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
            Vec::new(),
            flate2::Compression::fast(),
        ));
        for (path, mode, contents) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(contents.len() as u64);
            header.set_mode(*mode);
            header.set_cksum();
            builder
                .append_data(&mut header, format!("package/{path}"), *contents)
                .unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap()
    }

    const LINKS: &[u8] = br#"[{"source":"native/lib/libpq.so.5.16","target":"native/lib/libpq.so.5"},{"source":"native/lib/libpq.so.5.16","target":"native/lib/libpq.so"}]"#;

    fn build(links: &'static [u8]) -> Vec<u8> {
        tarball(&[
            ("package.json", 0o644, b"{}"),
            ("native/bin/initdb", 0o755, b"#!/bin/sh\n"),
            ("native/bin/pg_ctl", 0o755, b"#!/bin/sh\n"),
            ("native/bin/postgres", 0o755, b"#!/bin/sh\n"),
            ("native/lib/libpq.so.5.16", 0o644, b"the library"),
            ("native/pg-symlinks.json", 0o644, links),
        ])
    }

    /// `tarball`'s package, pinned to its own digest.
    fn pinned(tarball: &[u8]) -> Package {
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha512::digest(tarball));
        Package {
            platform: "linux-test",
            os: "linux",
            arch: "test",
            integrity: format!("sha512-{digest}").leak(),
        }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_tarball_installs_atomically_with_its_links_and_leaves_nothing_else() {
        let cache = scratch("install");
        let tarball = build(LINKS);
        let package = pinned(&tarball);
        let dir = package.dir(&cache);
        let bin = install(&tarball, &package, &dir).unwrap();
        assert_eq!(bin, dir.join("bin"));
        assert!(crate::embedded::complete(&bin));
        // Only the package's native/ directory, renamed into place: no temporary left beside.
        assert_eq!(
            entries(&cache),
            vec!["postgresql-16.14.0-beta.17-linux-test"]
        );
        assert_eq!(entries(&dir), vec!["bin", "lib", "pg-symlinks.json"]);
        for link in ["libpq.so.5", "libpq.so"] {
            let at = dir.join("lib").join(link);
            assert_eq!(std::fs::read_link(&at).unwrap(), Path::new("libpq.so.5.16"));
            assert_eq!(std::fs::read(&at).unwrap(), b"the library");
        }
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&bin.join("postgres")), 0o755);
        assert_eq!(mode(&dir.join("lib")), 0o755);
        assert_eq!(mode(&dir.join("lib/libpq.so.5.16")), 0o644);
        // A second install (another process won the race) keeps the first, and removes what an
        // interrupted fetch left (its process is gone: no pid is above the kernel's maximum).
        let abandoned = cache.join(".postgresql-16.14.0-beta.17-linux-test.partial-4294967295");
        std::fs::create_dir_all(abandoned.join("package/native/bin")).unwrap();
        assert_eq!(install(&tarball, &package, &dir).unwrap(), bin);
        assert_eq!(
            entries(&cache),
            vec!["postgresql-16.14.0-beta.17-linux-test"]
        );
        std::fs::remove_dir_all(&cache).ok();
    }

    #[test]
    fn a_tampered_tarball_is_refused_before_anything_is_written() {
        let cache = scratch("tampered");
        let tarball = build(LINKS);
        let package = pinned(&tarball);
        let mut tampered = tarball.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let error = install(&tampered, &package, &package.dir(&cache)).unwrap_err();
        assert!(matches!(error, FetchError::Integrity { .. }), "{error}");
        assert!(error.to_string().contains("refused, nothing was unpacked"));
        // The real pins refuse the test's tarball too.
        let real = Package::for_platform("linux", "x86_64").unwrap();
        assert!(matches!(
            install(&tarball, real, &real.dir(&cache)),
            Err(FetchError::Integrity { .. })
        ));
        assert!(entries(&cache).is_empty(), "{:?}", entries(&cache));
        std::fs::remove_dir_all(&cache).ok();
    }

    #[test]
    fn a_package_without_its_binaries_or_with_a_link_outside_leaves_no_cache() {
        let cache = scratch("incomplete");
        let without = tarball(&[("native/bin/postgres", 0o755, b"#!/bin/sh\n")]);
        let package = pinned(&without);
        let error = install(&without, &package, &package.dir(&cache)).unwrap_err();
        assert!(error.to_string().contains("native/bin/initdb"), "{error}");
        let escaping =
            build(br#"[{"source":"native/lib/libpq.so.5.16","target":"../../escaped"}]"#);
        let package = pinned(&escaping);
        let error = install(&escaping, &package, &package.dir(&cache)).unwrap_err();
        assert!(error.to_string().contains("outside the package"), "{error}");
        assert!(entries(&cache).is_empty(), "{:?}", entries(&cache));
        std::fs::remove_dir_all(&cache).ok();
    }

    #[test]
    fn links_point_relative_to_their_own_directory() {
        assert_eq!(
            relative(
                Path::new("native/lib"),
                Path::new("native/lib/libpq.so.5.16")
            ),
            Path::new("libpq.so.5.16")
        );
        assert_eq!(
            relative(
                Path::new("native/bin"),
                Path::new("native/lib/libpq.so.5.16")
            ),
            Path::new("../lib/libpq.so.5.16")
        );
        assert_eq!(relative(Path::new(""), Path::new("a/b")), Path::new("a/b"));
        for refused in ["", "/etc/passwd", "native/../../x", "./native/lib"] {
            assert!(inside(refused).is_err(), "{refused}");
        }
    }
}
