//! Several servers in one URL, as libpq takes them:
//! `postgres://app@db-a:5432,db-b:5432/compliance_db?target_session_attrs=read-write`. libpq
//! tries the hosts in order and, with `target_session_attrs=read-write`, keeps the first that
//! accepts writes: after a failover, new connections find the new primary by themselves.
//!
//! The `url` crate reads one host only, so the list is taken out of the URL's authority before
//! parsing (the URL keeps the first host) and put back when the driver's URL is written.
//!
//! Must not: accept a host list that libpq would read differently (an empty entry, a port that
//! is not a number), or show anything of the user information in an error.

use super::ConfigError;
use url::Url;

/// The URL `text` with only its first host, and every host as `host:port` when it names more
/// than one (`None` for a single host: the URL is then used as it is).
pub(super) fn split(text: &str) -> Result<(String, Option<Vec<String>>), ConfigError> {
    let Some((start, end)) = host_list_span(text) else {
        return Ok((text.to_owned(), None));
    };
    let list = &text[start..end];
    if !list.contains(',') {
        return Ok((text.to_owned(), None));
    }
    let hosts = list
        .split(',')
        .map(normalised)
        .collect::<Result<Vec<_>, _>>()?;
    let first = hosts.first().cloned().unwrap_or_default();
    Ok((
        format!("{}{first}{}", &text[..start], &text[end..]),
        Some(hosts),
    ))
}

/// `url` written out with `hosts` in place of its one host (the driver's URL).
pub(super) fn join(url: &Url, hosts: &[String]) -> String {
    let text = url.to_string();
    match host_list_span(&text) {
        Some((start, end)) => format!("{}{}{}", &text[..start], hosts.join(","), &text[end..]),
        None => text,
    }
}

/// Where the host list of a URL's authority starts and ends: after the user information's `@`
/// (the last one: a password may hold an encoded `@` only) and before the path or query.
fn host_list_span(text: &str) -> Option<(usize, usize)> {
    let after_scheme = text.find("://")? + 3;
    let rest = &text[after_scheme..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let host_start = authority.rfind('@').map_or(0, |at| at + 1);
    Some((after_scheme + host_start, after_scheme + authority_len))
}

/// One entry of the list as `host:port` (the default port when it gives none), checked as the
/// `url` crate checks a single host.
fn normalised(entry: &str) -> Result<String, ConfigError> {
    if entry.is_empty() {
        return Err(ConfigError::Url(
            "the host list has an empty entry (hosts are separated by single commas)".into(),
        ));
    }
    let url = Url::parse(&format!("postgres://{entry}/")).map_err(|e| {
        ConfigError::Url(format!(
            "the host list's entry {entry:?} is not a host[:port]: {e}"
        ))
    })?;
    let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(|| {
        ConfigError::Url(format!("the host list's entry {entry:?} names no host"))
    })?;
    Ok(format!(
        "{host}:{}",
        url.port().unwrap_or(super::defaults::PORT)
    ))
}
