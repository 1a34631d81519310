//! The loopback HTTP front of `hubecon serve`: one request per connection,
//! bounded in every way a client controls. The request line is capped
//! (414), so are the headers' count and bytes (431); a connection that
//! sends nothing for `idle` is closed (408); at most `max_connections` are
//! answered at once, and any beyond get a 503 at once from the accepting
//! thread, so no thread is started for them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::serve::{Reply, respond, text};

/// What one client may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of the request line, its CRLF included.
    pub request_line: usize,
    /// Header lines.
    pub header_count: usize,
    /// Bytes of all header lines together.
    pub header_bytes: usize,
    /// Connections answered at once.
    pub max_connections: usize,
    /// The longest wait for the client's next bytes.
    pub idle: Duration,
}

impl Default for Limits {
    /// 8 KiB request line, 100 headers in 16 KiB, 32 connections, 5 s idle.
    fn default() -> Self {
        Self {
            request_line: 8 * 1024,
            header_count: 100,
            header_bytes: 16 * 1024,
            max_connections: 32,
            idle: Duration::from_secs(5),
        }
    }
}

/// Connections being answered now, and the most there ever were.
#[derive(Debug, Default)]
pub struct Load {
    pub active: AtomicUsize,
    pub peak: AtomicUsize,
}

/// Answers connections from `listener` with files of `dir` until the
/// listener fails.
pub fn serve_on(listener: TcpListener, dir: PathBuf, limits: Limits, load: Arc<Load>) {
    for stream in listener.incoming().flatten() {
        let now = load.active.fetch_add(1, Ordering::SeqCst) + 1;
        if now > limits.max_connections {
            load.active.fetch_sub(1, Ordering::SeqCst);
            refuse(stream, &limits);
            continue;
        }
        load.peak.fetch_max(now, Ordering::SeqCst);
        let (dir, load) = (dir.clone(), load.clone());
        std::thread::spawn(move || {
            if let Err(e) = answer(stream, &dir, &limits) {
                eprintln!("serve: {e}");
            }
            load.active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// A 503 written by the accepting thread, bounded by a short write timeout.
fn refuse(mut stream: TcpStream, limits: &Limits) {
    let _ = stream.set_write_timeout(Some(limits.idle.min(Duration::from_secs(1))));
    let r = text("503 Service Unavailable", "too many connections\n");
    let _ = write_reply(&mut stream, &r, &[("Retry-After", "1")]);
    let _ = stream.shutdown(Shutdown::Both);
}

/// Why a request head was not read.
enum Bad {
    TooLong,
    TooManyHeaders,
    Idle,
    Gone,
}

/// Reads one request and writes the answer.
pub fn answer(stream: TcpStream, dir: &Path, limits: &Limits) -> std::io::Result<()> {
    stream.set_read_timeout(Some(limits.idle))?;
    stream.set_write_timeout(Some(limits.idle))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut stream = stream;
    // After a head too large, the client may still be sending: drain it.
    let (reply, drain) = match read_head(&mut reader, limits) {
        Ok(request) => (respond(&request, dir), false),
        Err(Bad::Gone) => return Ok(()),
        Err(Bad::Idle) => (text("408 Request Timeout", "request timed out\n"), false),
        Err(Bad::TooLong) => (text("414 URI Too Long", "request line too long\n"), true),
        Err(Bad::TooManyHeaders) => (
            text(
                "431 Request Header Fields Too Large",
                "too many or too large headers\n",
            ),
            true,
        ),
    };
    write_reply(&mut stream, &reply, &[])?;
    if drain {
        linger(&mut reader, &mut stream);
    }
    Ok(())
}

/// The request line, its headers read (bounded) and ignored.
fn read_head(reader: &mut impl BufRead, limits: &Limits) -> Result<String, Bad> {
    let request = match capped_line(reader, limits.request_line)? {
        Some(l) => l,
        None => return Err(Bad::Gone),
    };
    let mut bytes = 0;
    for _ in 0..=limits.header_count {
        let left = limits.header_bytes.saturating_sub(bytes);
        let line = capped_line(reader, left).map_err(|e| match e {
            Bad::TooLong => Bad::TooManyHeaders,
            other => other,
        })?;
        match line {
            None => return Err(Bad::Gone),
            Some(l) if l.is_empty() => return Ok(request),
            Some(l) => bytes += l.len() + 2,
        }
    }
    Err(Bad::TooManyHeaders)
}

/// One line without its line end, if it fits in `cap` bytes (line end
/// included); `None` at the end of the stream.
fn capped_line(reader: &mut impl BufRead, cap: usize) -> Result<Option<String>, Bad> {
    let mut buf = Vec::new();
    let n = reader
        .take(cap as u64)
        .read_until(b'\n', &mut buf)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => Bad::Idle,
            _ => Bad::Gone,
        })?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") {
        return Err(if n >= cap { Bad::TooLong } else { Bad::Gone });
    }
    let line = String::from_utf8_lossy(&buf);
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_string()))
}

fn write_reply(
    stream: &mut TcpStream,
    reply: &Reply,
    extra: &[(&str, &str)],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !reply.head_only {
        stream.write_all(&reply.body)?;
    }
    stream.flush()
}

/// After an early error answer: stop writing, and read away (a bounded
/// amount, briefly) what the client still sends, so that closing does not
/// reset the connection before the client has read the answer.
fn linger(reader: &mut impl Read, stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let _ = std::io::copy(&mut reader.take(1 << 20), &mut std::io::sink());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn start(limits: Limits) -> (u16, Arc<Load>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("paper.html"), "<html>paper</html>").unwrap();
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let load = Arc::new(Load::default());
        let (root, l) = (dir.path().to_path_buf(), load.clone());
        // Ends with the test process; it only ever serves 127.0.0.1.
        std::thread::spawn(move || serve_on(listener, root, limits, l));
        (port, load, dir)
    }

    fn quick() -> Limits {
        Limits {
            max_connections: 4,
            idle: Duration::from_millis(400),
            ..Limits::default()
        }
    }

    fn exchange(port: u16, request: &[u8]) -> String {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        c.write_all(request).unwrap();
        let mut got = Vec::new();
        let _ = c.read_to_end(&mut got);
        String::from_utf8_lossy(&got).into_owned()
    }

    const GET: &[u8] = b"GET /paper.html HTTP/1.1\r\nHost: x\r\n\r\n";

    #[test]
    fn an_over_long_request_line_is_414_and_the_next_request_is_served() {
        let (port, _, _dir) = start(quick());
        let long = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(64 * 1024));
        let got = exchange(port, long.as_bytes());
        assert!(got.starts_with("HTTP/1.1 414 "), "{got:.80}");
        let got = exchange(port, GET);
        assert!(
            got.starts_with("HTTP/1.1 200 OK") && got.ends_with("paper</html>"),
            "{got}"
        );
    }

    #[test]
    fn too_many_or_too_large_headers_are_431() {
        let (port, _, _dir) = start(quick());
        let many: String = (0..150).map(|i| format!("X-{i}: y\r\n")).collect();
        let got = exchange(port, format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes());
        assert!(got.starts_with("HTTP/1.1 431 "), "{got:.80}");
        let big = format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "b".repeat(20_000));
        let got = exchange(port, big.as_bytes());
        assert!(got.starts_with("HTTP/1.1 431 "), "{got:.80}");
    }

    #[test]
    fn an_idle_connection_is_closed_after_the_timeout() {
        let (port, load, _dir) = start(quick());
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let t = Instant::now();
        let mut got = String::new();
        let _ = c.read_to_string(&mut got);
        let waited = t.elapsed();
        assert!(got.starts_with("HTTP/1.1 408 "), "{got}");
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
            "{waited:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(load.active.load(Ordering::SeqCst), 0, "its thread ended");
    }

    #[test]
    fn connections_beyond_the_cap_are_refused_without_a_thread() {
        let mut limits = quick();
        limits.idle = Duration::from_secs(3);
        let (port, load, _dir) = start(limits);
        let idle: Vec<TcpStream> = (0..3)
            .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
            .collect();
        let until = Instant::now() + Duration::from_secs(2);
        while load.active.load(Ordering::SeqCst) < 3 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Three idle ones open: a real request is still answered.
        let got = exchange(port, GET);
        assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");
        let until = Instant::now() + Duration::from_secs(2);
        while load.active.load(Ordering::SeqCst) > 3 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        // A fourth idle one fills the cap; the fifth and sixth are refused at
        // once, while the idle ones still hold their places.
        let _fourth = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let until = Instant::now() + Duration::from_secs(2);
        while load.active.load(Ordering::SeqCst) < 4 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        for _ in 0..2 {
            let t = Instant::now();
            let got = exchange(port, GET);
            assert!(got.starts_with("HTTP/1.1 503 "), "{got}");
            assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        }
        assert_eq!(
            load.peak.load(Ordering::SeqCst),
            4,
            "never more than the cap"
        );
        drop(idle);
    }
}
