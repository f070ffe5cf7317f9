//! What some stories need beyond Rust and PostgreSQL: the NATS broker they publish to (part of
//! the development machine: `nats-server -js` at 127.0.0.1:4222) and `python3`, which runs the
//! receivers' Python example. On a fresh machine without one, the part of a story that needs it
//! is skipped, loudly, with how to get it; with `CI=true` it is required and the story fails
//! (CI runs everything).

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The broker's address, as the stories use it.
pub const BROKER: &str = "nats://127.0.0.1:4222";

/// True when something answers at 127.0.0.1:4222; otherwise see [`missing`].
pub fn answers(story: &str) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], 4222));
    TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_ok()
        || missing(
            story,
            "nothing answers at 127.0.0.1:4222",
            "start NATS with JetStream: `apt-get install nats-server` (as root), then `nats-server -js`",
        )
}

/// True when `python3` runs; otherwise see [`missing`].
pub fn python(story: &str) -> bool {
    std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        || missing(
            story,
            "python3 does not run",
            "install it: `apt-get install python3` (as root)",
        )
}

/// `story` cannot run here for `why`: under `CI=true` a failure, else one line on the stderr
/// stream (past the test harness's capture) saying what is skipped and `how` to get it; false.
fn missing(story: &str, why: &str, how: &str) -> bool {
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{story}: {why}, and CI requires it: {how}");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "STORY SKIPPED: {story}: {why}; {how}");
    false
}
