//! The load driver: N keep-alive HTTP/1.1 clients, each from its own
//! loopback source address (127.0.1.n: the app sees N client addresses, as
//! it would see N users, so a per-client window holds one client's hits),
//! each sending its next request when the last one's answer has arrived,
//! for a warm-up and then a measured time. Every answer's status is checked
//! against the one the figure expects: a figure with unexpected answers
//! (a 429 because a limit was not raised, a 500) says so in the table.

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::pacer::Pacer;

/// One request, sent again and again.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: http::Method,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The status every answer must have.
    pub expect: u16,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Request {
        Request { method: http::Method::GET, path: path.into(), headers: Vec::new(), body: Bytes::new(), expect: 200 }
    }

    pub fn post_json(path: impl Into<String>, origin: &str, body: &serde_json::Value) -> Request {
        Request {
            method: http::Method::POST,
            path: path.into(),
            headers: vec![("origin".into(), origin.into()), ("content-type".into(), "application/json".into())],
            body: Bytes::from(body.to_string()),
            expect: 200,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    pub clients: usize,
    pub elapsed: Duration,
    /// Latencies of the answers with the expected status, sorted.
    pub latencies: Vec<Duration>,
    /// Answers by status (expected or not).
    pub statuses: BTreeMap<u16, u64>,
    /// Answers with another status, and transport failures.
    pub unexpected: u64,
    pub first_problem: Option<String>,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    /// Adds another slice of the same figure (rounds interleaved with
    /// other figures): answers, time and statuses add up.
    pub fn merge(&mut self, other: Measured) {
        self.clients = self.clients.max(other.clients);
        self.elapsed += other.elapsed;
        self.latencies.extend(other.latencies);
        self.latencies.sort();
        for (s, n) in other.statuses {
            *self.statuses.entry(s).or_default() += n;
        }
        self.unexpected += other.unexpected;
        if self.first_problem.is_none() {
            self.first_problem = other.first_problem;
        }
    }

    /// As JSON, for a figure measured in another process (`bench-all paced`):
    /// latencies in nanoseconds.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "clients": self.clients,
            "elapsed_ns": self.elapsed.as_nanos() as u64,
            "latencies_ns": self.latencies.iter().map(|d| d.as_nanos() as u64).collect::<Vec<_>>(),
            "statuses": self.statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect::<BTreeMap<_, _>>(),
            "unexpected": self.unexpected,
            "first_problem": self.first_problem,
        })
    }

    /// What [`Measured::to_json`] wrote.
    pub fn from_json(v: &serde_json::Value) -> Result<Measured> {
        let u64_of = |key: &str| v[key].as_u64().with_context(|| format!("{key}: a number"));
        let mut latencies = v["latencies_ns"]
            .as_array()
            .context("latencies_ns: a list")?
            .iter()
            .map(|n| n.as_u64().map(Duration::from_nanos).context("a latency in nanoseconds"))
            .collect::<Result<Vec<_>>>()?;
        latencies.sort();
        let mut statuses = BTreeMap::new();
        for (s, n) in v["statuses"].as_object().context("statuses: an object")? {
            statuses.insert(s.parse().with_context(|| format!("status {s:?}"))?, n.as_u64().context("a count")?);
        }
        Ok(Measured {
            clients: u64_of("clients")? as usize,
            elapsed: Duration::from_nanos(u64_of("elapsed_ns")?),
            latencies,
            statuses,
            unexpected: u64_of("unexpected")?,
            first_problem: v["first_problem"].as_str().map(str::to_owned),
        })
    }

    /// `None` when every answer was the expected one; else what went wrong.
    pub fn problem(&self) -> Option<String> {
        if self.latencies.is_empty() {
            return Some(self.first_problem.clone().unwrap_or_else(|| "no answer at all".into()));
        }
        (self.unexpected > 0).then(|| {
            format!(
                "{} unexpected answers ({}){}",
                self.unexpected,
                self.statuses.iter().map(|(s, n)| format!("{s}x{n}")).collect::<Vec<_>>().join(" "),
                self.first_problem.as_ref().map(|p| format!(": {p}")).unwrap_or_default()
            )
        })
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

pub async fn connect(addr: SocketAddr) -> Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await.with_context(|| format!("connect to {addr}"))?;
    handshake(stream).await
}

/// The source address of client `n` (0-based): 127.0.1.1, 127.0.1.2, ...
/// (Linux routes all of 127.0.0.0/8 to loopback).
pub fn client_address(n: usize) -> std::net::Ipv4Addr {
    std::net::Ipv4Addr::new(127, 0, 1 + (n / 250) as u8, 1 + (n % 250) as u8)
}

/// Connects from `source` (a loopback address of its own).
pub async fn connect_from(source: std::net::Ipv4Addr, addr: SocketAddr) -> Result<Sender> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((source, 0))).with_context(|| format!("bind {source}"))?;
    let stream = socket.connect(addr).await.with_context(|| format!("connect to {addr} from {source}"))?;
    handshake(stream).await
}

async fn handshake(stream: tokio::net::TcpStream) -> Result<Sender> {
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

/// Sends `req` on `sender`: (status, headers, body).
pub async fn send(sender: &mut Sender, addr: SocketAddr, req: &Request) -> Result<(u16, http::HeaderMap, Bytes)> {
    let mut builder = http::Request::builder().method(req.method.clone()).uri(&req.path).header(http::header::HOST, addr.to_string());
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let request = builder.body(Full::new(req.body.clone()))?;
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, headers, body))
}

/// One request on a new connection.
pub async fn once(addr: SocketAddr, req: &Request) -> Result<(u16, http::HeaderMap, Bytes)> {
    let mut sender = connect(addr).await?;
    send(&mut sender, addr, req).await
}

#[derive(Default)]
struct ClientRun {
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    unexpected: u64,
    first_problem: Option<String>,
}

/// How a client sends: its next request as soon as the last answer is in,
/// or on a schedule of one request every `interval` (open loop: a late
/// answer does not move the schedule, and a latency counts from the time
/// the request was due, so a stall is not hidden by the requests it kept
/// from being sent). The schedule is kept to the microsecond ([`Pacer`]).
#[derive(Debug, Clone, Copy)]
enum Pace {
    AsFastAsAnswered,
    Every { interval: Duration, first: Instant },
}

async fn client(n: usize, addr: SocketAddr, req: Arc<Request>, until: Instant, pace: Pace) -> ClientRun {
    let mut run = ClientRun::default();
    let mut sender: Option<Sender> = None;
    let mut due = match pace {
        Pace::Every { first, .. } => first,
        Pace::AsFastAsAnswered => Instant::now(),
    };
    let pacer = match pace {
        Pace::Every { .. } => match Pacer::new() {
            Ok(p) => Some(p),
            Err(e) => {
                run.unexpected += 1;
                run.first_problem = Some(format!("no timer for the schedule: {e}"));
                return run;
            }
        },
        Pace::AsFastAsAnswered => None,
    };
    while Instant::now() < until {
        if let Some(pacer) = &pacer {
            if let Err(e) = pacer.sleep_until(due).await {
                run.unexpected += 1;
                run.first_problem.get_or_insert(format!("the schedule's timer: {e}"));
                break;
            }
            if due >= until {
                break;
            }
        }
        if sender.as_ref().is_none_or(|s| s.is_closed()) {
            match connect_from(client_address(n), addr).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    run.unexpected += 1;
                    run.first_problem.get_or_insert(format!("{e:#}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let s = sender.as_mut().expect("connected above");
        let started = match pace {
            Pace::Every { interval, .. } => {
                let at = due;
                due += interval;
                at
            }
            Pace::AsFastAsAnswered => Instant::now(),
        };
        match send(s, addr, &req).await {
            Ok((status, _, body)) => {
                *run.statuses.entry(status).or_default() += 1;
                if status == req.expect {
                    run.latencies.push(started.elapsed());
                } else {
                    run.unexpected += 1;
                    run.first_problem.get_or_insert_with(|| format!("{status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])));
                }
            }
            Err(e) => {
                run.unexpected += 1;
                run.first_problem.get_or_insert(format!("{e:#}"));
                sender = None;
            }
        }
    }
    run
}

async fn phase(addr: SocketAddr, req: &Arc<Request>, clients: usize, duration: Duration, rate: Option<f64>) -> Result<Measured> {
    let started = Instant::now();
    let until = started + duration;
    let pace = |n: usize| match rate {
        // Each client at rate/clients, the clients' schedules staggered.
        Some(rate) => {
            let interval = Duration::from_secs_f64(clients as f64 / rate);
            Pace::Every { interval, first: started + interval.mul_f64(n as f64 / clients as f64) }
        }
        None => Pace::AsFastAsAnswered,
    };
    let tasks: Vec<_> = (0..clients).map(|n| tokio::spawn(client(n, addr, req.clone(), until, pace(n)))).collect();
    let mut m = Measured { clients, ..Measured::default() };
    for t in tasks {
        let r = t.await?;
        m.latencies.extend(r.latencies);
        m.unexpected += r.unexpected;
        for (s, n) in r.statuses {
            *m.statuses.entry(s).or_default() += n;
        }
        if m.first_problem.is_none() {
            m.first_problem = r.first_problem;
        }
    }
    m.elapsed = started.elapsed();
    m.latencies.sort();
    Ok(m)
}

/// `clients` clients send `req` for `warmup` (not counted), then for `duration`.
pub async fn run(addr: SocketAddr, req: Request, clients: usize, warmup: Duration, duration: Duration) -> Result<Measured> {
    let req = Arc::new(req);
    if !warmup.is_zero() {
        phase(addr, &req, clients, warmup, None).await?;
    }
    phase(addr, &req, clients, duration, None).await
}

/// `clients` clients send `req` at `rate` requests per second together for
/// `duration`, each on its own schedule (see [`Pace`]): the latency at a
/// given load rather than at saturation.
pub async fn run_at(addr: SocketAddr, req: Request, clients: usize, rate: f64, duration: Duration) -> Result<Measured> {
    phase(addr, &Arc::new(req), clients, duration, Some(rate)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }

    #[test]
    fn merged_slices_add_up() {
        let slice = |ms: u64, n: u64| Measured {
            clients: 4,
            elapsed: Duration::from_secs(1),
            latencies: (0..n).map(|_| Duration::from_millis(ms)).collect(),
            statuses: [(200, n)].into(),
            ..Measured::default()
        };
        let mut m = slice(5, 10);
        m.merge(slice(1, 30));
        assert_eq!(m.per_second(), 20.0);
        assert_eq!(m.percentile(50.0), Duration::from_millis(1));
        assert_eq!(m.statuses[&200], 40);
    }

    #[test]
    fn a_figure_from_another_process_reads_back_as_measured() {
        let m = Measured {
            clients: 16,
            elapsed: Duration::from_nanos(3_333_000_123),
            latencies: vec![Duration::from_nanos(1), Duration::from_micros(250), Duration::from_millis(7)],
            statuses: [(200, 3), (503, 1)].into(),
            unexpected: 1,
            first_problem: Some("503 store.busy".into()),
        };
        let back = Measured::from_json(&serde_json::from_str(&m.to_json().to_string()).unwrap()).unwrap();
        assert_eq!(back.clients, 16);
        assert_eq!(back.elapsed, m.elapsed);
        assert_eq!(back.latencies, m.latencies);
        assert_eq!(back.statuses, m.statuses);
        assert_eq!((back.unexpected, back.first_problem.as_deref()), (1, Some("503 store.busy")));
        assert!(Measured::from_json(&serde_json::json!({ "clients": 1 })).is_err(), "a partial answer is an error");
    }

    #[test]
    fn clients_have_addresses_of_their_own() {
        assert_eq!(client_address(0), std::net::Ipv4Addr::new(127, 0, 1, 1));
        assert_eq!(client_address(249), std::net::Ipv4Addr::new(127, 0, 1, 250));
        assert_eq!(client_address(250), std::net::Ipv4Addr::new(127, 0, 2, 1));
        let all: std::collections::HashSet<_> = (0..256).map(client_address).collect();
        assert_eq!(all.len(), 256);
    }

    #[test]
    fn unexpected_answers_are_a_problem() {
        let mut m = Measured { latencies: vec![Duration::from_millis(1)], ..Measured::default() };
        assert_eq!(m.problem(), None);
        m.unexpected = 3;
        m.statuses.insert(429, 3);
        assert!(m.problem().unwrap().contains("429x3"));
        assert!(Measured::default().problem().is_some(), "no answer at all is a problem");
    }
}

