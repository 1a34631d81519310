//! A loopback HTTP/1.1 server for the Hub tests: one request per
//! connection (`Connection: close`, each on its own thread so that a stalled
//! one does not hold up the next), answers from a handler closure, logs
//! every request, and can cut a body short, stall in it or drip it. Bounded:
//! it stops after `MAX_REQUESTS` requests or `LIFETIME`, and when dropped.
//!
//! Hand-rolled on `std::net::TcpListener` rather than a crate because the
//! tests need malformed responses (a `Content-Length` larger than the body)
//! that a well-behaved server library refuses to send.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const MAX_REQUESTS: usize = 400;
const LIFETIME: Duration = Duration::from_secs(90);

/// A request as received.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path and query, percent-encoded as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response to send.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send only this many body bytes while announcing the full length.
    pub cut_at: Option<usize>,
    /// Send this many body bytes, then wait this long before the rest.
    pub stall: Option<(usize, Duration)>,
    /// Send the body one byte at a time, this long apart.
    pub drip: Option<Duration>,
    /// Send no `Content-Length`: the body ends when the connection closes.
    pub no_length: bool,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            cut_at: None,
            stall: None,
            drip: None,
            no_length: false,
        }
    }
    pub fn json(body: impl Into<String>) -> Self {
        Self::new(200, body.into()).header("content-type", "application/json")
    }
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
    pub fn cut(mut self, at: usize) -> Self {
        self.cut_at = Some(at);
        self
    }
    pub fn stall(mut self, after: usize, wait: Duration) -> Self {
        self.stall = Some((after, wait));
        self
    }
    pub fn no_length(mut self) -> Self {
        self.no_length = true;
        self
    }
    pub fn drip(mut self, every: Duration) -> Self {
        self.drip = Some(every);
        self
    }
}

type Handler = dyn Fn(&Req, &str) -> Reply + Send + Sync;

pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    log: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts serving on a random loopback port; `handler` gets each request
    /// and the server's base URL.
    pub fn start(handler: impl Fn(&Req, &str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (log, stop, base) = (log.clone(), stop.clone(), base.clone());
            std::thread::spawn(move || serve(listener, &*handler, &base, &log, &stop))
        };
        Self {
            base,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }

    /// Requests whose method is `method` and path starts with `prefix`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path().starts_with(prefix))
            .count()
    }

    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    listener: TcpListener,
    handler: &Handler,
    base: &str,
    log: &Mutex<Vec<Req>>,
    stop: &AtomicBool,
) {
    let started = Instant::now();
    let mut served = 0;
    // Scoped: every connection's thread has ended when `serve` returns.
    std::thread::scope(|s| {
        while !stop.load(Ordering::SeqCst) && served < MAX_REQUESTS && started.elapsed() < LIFETIME
        {
            match listener.accept() {
                Ok((stream, _)) => {
                    served += 1;
                    s.spawn(move || handle(stream, handler, base, log));
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => break,
            }
        }
    });
}

fn handle(
    mut stream: TcpStream,
    handler: &Handler,
    base: &str,
    log: &Mutex<Vec<Req>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let Some(req) = read_request(&mut stream)? else {
        return Ok(());
    };
    log.lock().unwrap().push(req.clone());
    let reply = handler(&req, base);
    write_reply(&mut stream, &req, &reply)
}

fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Req>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let req = Req {
        method,
        target,
        headers,
    };
    let body_len: usize = req
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - head_end - 4;
    while have < body_len {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        have += n;
    }
    Ok(Some(req))
}

fn write_reply(stream: &mut TcpStream, req: &Req, reply: &Reply) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !reply.no_length
        && !reply
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        head.push_str(&format!("content-length: {}\r\n", reply.body.len()));
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    if req.method != "HEAD" {
        let end = reply
            .cut_at
            .unwrap_or(reply.body.len())
            .min(reply.body.len());
        let mut body = &reply.body[..end];
        if let Some((after, wait)) = reply.stall {
            let (sent, rest) = body.split_at(after.min(body.len()));
            stream.write_all(sent)?;
            stream.flush()?;
            std::thread::sleep(wait);
            body = rest;
        }
        match reply.drip {
            Some(every) => {
                for b in body {
                    stream.write_all(std::slice::from_ref(b))?;
                    stream.flush()?;
                    std::thread::sleep(every);
                }
            }
            None => stream.write_all(body)?,
        }
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        304 => "Not Modified",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
