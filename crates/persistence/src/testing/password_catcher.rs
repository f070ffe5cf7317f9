//! A stand-in PostgreSQL server for tests of what reaches the server: it asks every client for
//! a cleartext password, records the password it receives, and refuses the login with a
//! message of the test's choosing (which may repeat the password, as a careless server or
//! driver might). A password that libpq percent-decoded, truncated or re-encoded on the way
//! shows as a different string here, without needing a cluster that checks passwords.
//!
//! Must not: be used outside tests, or listen anywhere but on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The stand-in server: see the module's documentation.
pub struct PasswordCatcher {
    port: u16,
    passwords: Arc<Mutex<Vec<String>>>,
}

impl PasswordCatcher {
    /// Listens on an ephemeral port of 127.0.0.1. `refusal` is the message of the error that
    /// ends each login; `{password}` in it is replaced by the password received.
    pub fn start(refusal: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("an ephemeral port");
        let port = listener.local_addr().expect("a local address").port();
        let passwords = Arc::new(Mutex::new(Vec::new()));
        let (seen, refusal) = (passwords.clone(), refusal.to_owned());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, refusal) = (seen.clone(), refusal.clone());
                std::thread::spawn(move || login(stream, &refusal, &seen));
            }
        });
        Self { port, passwords }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The passwords received so far, in order.
    pub fn passwords(&self) -> Vec<String> {
        self.passwords
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn read_exact(stream: &mut TcpStream, n: usize) -> Option<Vec<u8>> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).ok()?;
    Some(buf)
}

fn int(bytes: &[u8]) -> Option<usize> {
    usize::try_from(u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?)).ok()
}

/// One login: refuse SSL and GSS encryption, read the startup message, ask for a cleartext
/// password, record it, refuse. The password is recorded before the refusal is sent, so that a
/// client that has its answer finds it recorded.
fn login(mut stream: TcpStream, refusal: &str, seen: &Mutex<Vec<String>>) -> Option<()> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    loop {
        let len = int(&read_exact(&mut stream, 4)?)?;
        let body = read_exact(&mut stream, len.checked_sub(4)?)?;
        match int(&body)? {
            // SSLRequest and GSSENCRequest: "N", not supported; the startup message follows.
            80_877_103 | 80_877_104 => stream.write_all(b"N").ok()?,
            _ => break,
        }
    }
    // AuthenticationCleartextPassword.
    stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]).ok()?;
    let tag = read_exact(&mut stream, 1)?;
    if tag != b"p" {
        return None;
    }
    let len = int(&read_exact(&mut stream, 4)?)?;
    let body = read_exact(&mut stream, len.checked_sub(4)?)?;
    let password = String::from_utf8_lossy(body.strip_suffix(&[0])?).into_owned();
    let message = refusal.replace("{password}", &password);
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(password);
    let mut fields = Vec::new();
    for (code, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', "28P01"),
        (b'M', message.as_str()),
    ] {
        fields.push(code);
        fields.extend_from_slice(value.as_bytes());
        fields.push(0);
    }
    fields.push(0);
    let mut error = vec![b'E'];
    error.extend_from_slice(&u32::try_from(fields.len() + 4).ok()?.to_be_bytes());
    error.extend_from_slice(&fields);
    stream.write_all(&error).ok()
}
