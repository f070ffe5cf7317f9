//! Whether the NATS broker the stories publish to is there. The broker is part of the
//! development machine (`nats-server -js` at 127.0.0.1:4222); on a fresh machine without one, a
//! story that needs it is skipped, loudly, with how to start one; with `CI=true` it is required
//! and the story fails (CI runs everything).

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The broker's address, as the stories use it.
pub const BROKER: &str = "nats://127.0.0.1:4222";

const HOW: &str =
    "start one with JetStream: `apt-get install nats-server` (as root), then `nats-server -js`";

/// True when something answers at 127.0.0.1:4222. Otherwise `story` is skipped with one line
/// on the stderr stream (past the test harness's capture), or fails under `CI=true`.
pub fn answers(story: &str) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], 4222));
    if TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_ok() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{story}: nothing answers at 127.0.0.1:4222, and CI requires the broker: {HOW}");
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "NATS STORY SKIPPED: {story}: nothing answers at 127.0.0.1:4222; {HOW}"
    );
    false
}
