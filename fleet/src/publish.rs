//! `fleet publish`: a recorded JSONL corpus onto `orders.<tenant>`, one
//! payload per non-blank line (as `host-harness batch` reads it), with
//! `Nats-Msg-Id` = the order key so a corpus published twice is stored once.

use crate::jet;
use anyhow::{Context, Result};
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::message::PublishMessage as Publish;
use async_nats::jetstream::Context as Js;
use std::collections::VecDeque;
use std::io::BufRead;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    /// Payloads stored.
    pub stored: u64,
    /// Payloads JetStream recognised as already stored (same key within the de-duplication window).
    pub duplicates: u64,
    /// Publishes sent again after a failure (a server away, a stream electing a leader).
    pub retried: u64,
}

/// Publishes awaiting acknowledgements at most this many at a time.
const WINDOW: usize = 256;
/// Attempts per payload before giving up (about 30 s: a publish can time
/// out while a server is away and its streams elect new leaders).
const ATTEMPTS: u32 = 20;

fn pause(attempt: u32) -> Duration {
    Duration::from_millis((250 * u64::from(attempt)).min(2_000))
}

/// Reads the non-blank lines of a JSONL file (bytes kept exactly).
pub fn read_lines(path: &Path) -> Result<Vec<Vec<u8>>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = Vec::new();
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {} line {}", path.display(), n + 1))?;
        if !line.iter().all(u8::is_ascii_whitespace) {
            lines.push(line);
        }
    }
    Ok(lines)
}

fn message(payload: &[u8]) -> Publish {
    let key = crate::order_key(payload);
    Publish::build().payload(payload.to_vec().into()).message_id(&key).header(jet::ORDER_KEY, key.as_str())
}

/// Publishes `payloads` to `orders.<tenant>`, pipelined; `rate` (orders per
/// second) paces them for latency measurements.
pub async fn publish(js: &Js, tenant: &str, payloads: &[Vec<u8>], rate: Option<f64>) -> Result<Published> {
    jet::valid_tenant(tenant)?;
    let subject = jet::order_subject(tenant);
    let mut summary = Published::default();
    let mut waiting: VecDeque<(usize, PublishAckFuture)> = VecDeque::new();
    let started = Instant::now();
    for (n, payload) in payloads.iter().enumerate() {
        if let Some(rate) = rate.filter(|r| *r > 0.0) {
            let due = started + Duration::from_secs_f64(n as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
        }
        if waiting.len() >= WINDOW {
            let (i, future) = waiting.pop_front().expect("the window is full");
            settle(js, &subject, &payloads[i], future, &mut summary).await?;
        }
        let future = send(js, &subject, payload).await?;
        waiting.push_back((n, future));
    }
    while let Some((i, future)) = waiting.pop_front() {
        settle(js, &subject, &payloads[i], future, &mut summary).await?;
    }
    Ok(summary)
}

async fn send(js: &Js, subject: &str, payload: &[u8]) -> Result<PublishAckFuture> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match js.send_publish(subject.to_owned(), message(payload)).await {
            Ok(future) => return Ok(future),
            Err(e) if attempt < ATTEMPTS => {
                eprintln!("publish to {subject} failed ({e}); retrying");
                tokio::time::sleep(pause(attempt)).await;
            }
            Err(e) => return Err(e).with_context(|| format!("publishing to {subject}")),
        }
    }
}

/// Waits for one acknowledgement; a failed one is published again (the same
/// `Nats-Msg-Id`, so it cannot be stored twice).
async fn settle(js: &Js, subject: &str, payload: &[u8], future: PublishAckFuture, s: &mut Published) -> Result<()> {
    let mut future = future;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match future.await {
            Ok(ack) if ack.duplicate => s.duplicates += 1,
            Ok(_) => s.stored += 1,
            Err(_) if attempt < ATTEMPTS => {
                s.retried += 1;
                tokio::time::sleep(pause(attempt)).await;
                future = send(js, subject, payload).await?;
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("publishing to {subject}")),
        }
        return Ok(());
    }
}
