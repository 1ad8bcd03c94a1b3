//! `host-harness batch`: replay recorded production traffic. JSONL in (one
//! recorded payload of one flow per line), JSONL out (outcome and metrics per
//! line, in input order), carrying on past every failure, then a summary by
//! status and issue code. The engine and component are built once for the
//! whole run; worker threads each make calls in their own stores.

use crate::bridge::{Bridge, ProfileSource, Session};
use crate::flow::Flow;
use crate::report::RunReport;
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Options {
    pub workers: usize,
    /// Keep one instance per worker (profile parsed once) instead of a fresh one per order.
    pub reuse: bool,
    /// Show a progress bar on stderr (only when it is a terminal).
    pub progress: bool,
    /// Size of the input in bytes, when known (a file): the bar shows how much
    /// is read; without it, only the count and the rate.
    pub input_bytes: Option<u64>,
    /// Input lines up to and including this one were answered by an earlier
    /// run (`--resume`): they are not read again.
    pub skip_through: u64,
    /// Set (by Ctrl-C) to stop reading: the payloads already handed out are
    /// finished and written, whole, and the run ends as interrupted.
    pub stop: Option<Arc<AtomicBool>>,
}

/// Where `--output` goes: a temporary file beside the target, moved into
/// place when the run ends, so the target only ever holds whole runs' whole
/// lines, and nothing it held is touched before the inputs were opened.
/// A target that exists and is not a regular file (`/dev/null`, a FIFO, a
/// terminal) is written directly: moving a file onto it would replace the
/// device with a file (as root, `-o /dev/null` did exactly that).
pub struct Output {
    target: std::path::PathBuf,
    /// `None`: the target is written directly (see above).
    partial: Option<std::path::PathBuf>,
}

impl Output {
    pub fn new(target: &std::path::Path) -> Result<Output> {
        let name = target.file_name().with_context(|| format!("{} is not a file name", target.display()))?;
        let special = std::fs::metadata(target).is_ok_and(|m| !m.is_file());
        let partial = (!special).then(|| target.with_file_name(format!(".{}.partial", name.to_string_lossy())));
        Ok(Output { target: target.to_path_buf(), partial })
    }

    /// The temporary file: created afresh, or (`resuming`) added to after the
    /// target's lines that `resume` put there; or the special target itself.
    pub fn open(&self, resuming: bool) -> Result<std::fs::File> {
        let Some(partial) = &self.partial else {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(&self.target)
                .with_context(|| format!("opening {}", self.target.display()));
        };
        std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resuming)
            .truncate(!resuming)
            .open(partial)
            .with_context(|| format!("creating {}", partial.display()))
    }

    /// For `--resume`: copies the target's whole lines into the temporary
    /// file and returns the last input line they answered.
    pub fn resume(&self) -> Result<u64> {
        let Some(partial) = &self.partial else {
            anyhow::bail!("{} is not a regular file: there is nothing to resume from", self.target.display());
        };
        let text = std::fs::read_to_string(&self.target)
            .with_context(|| format!("reading {} to resume from it", self.target.display()))?;
        let mut last = 0;
        let mut kept = String::with_capacity(text.len());
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            let parsed: serde_json::Value = serde_json::from_str(line).with_context(|| {
                format!("{} holds a line that is not a result; cannot resume", self.target.display())
            })?;
            last = parsed["line"].as_u64().context("a result line without its input line number")?;
            kept.push_str(line);
        }
        std::fs::write(partial, kept).with_context(|| format!("writing {}", partial.display()))?;
        Ok(last)
    }

    /// Moves the finished temporary file into place (a special target was
    /// written directly: nothing to move).
    pub fn commit(&self) -> Result<()> {
        match &self.partial {
            Some(partial) => std::fs::rename(partial, &self.target)
                .with_context(|| format!("moving {} to {}", partial.display(), self.target.display())),
            None => Ok(()),
        }
    }
}

/// One output line.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Line<'a> {
    line: u64,
    #[serde(flatten)]
    report: &'a RunReport,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub orders: u64,
    /// The run was stopped (Ctrl-C) before the input ended.
    pub interrupted: bool,
    /// The last input line answered (0: none).
    pub last_line: u64,
    /// Payloads the platform stopped (trap, fuel, memory, time, contract…).
    pub stopped: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_issue_code: BTreeMap<String, u64>,
    pub by_failure: BTreeMap<String, u64>,
    pub seconds: f64,
    pub orders_per_second: f64,
    pub fuel_p50: u64,
    pub fuel_p99: u64,
    pub fuel_max: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} orders in {:.2} s ({:.0} orders/s)", self.orders, self.seconds, self.orders_per_second)?;
        if self.interrupted {
            writeln!(
                f,
                "INTERRUPTED: answered through input line {}; `--resume` carries on from there",
                self.last_line
            )?;
        }
        writeln!(f, "by status:")?;
        for (k, v) in &self.by_status {
            writeln!(f, "  {k:<12} {v:>9}")?;
        }
        if !self.by_failure.is_empty() {
            writeln!(f, "stopped by the platform:")?;
            for (k, v) in &self.by_failure {
                writeln!(f, "  {k:<24} {v:>9}")?;
            }
        }
        writeln!(f, "by issue code:")?;
        for (k, v) in &self.by_issue_code {
            writeln!(f, "  {k:<24} {v:>9}")?;
        }
        writeln!(f, "fuel per order: p50 {}, p99 {}, max {}", self.fuel_p50, self.fuel_p99, self.fuel_max)
    }
}

/// A payload to map: (sequence number, input line number, bytes). Sequence
/// numbers have no gaps (blank lines are skipped), so the writer can put
/// results back in input order.
type Work = (u64, Vec<(u64, Vec<u8>)>);
/// A chunk's results; `false` when the run was interrupted before all of the
/// chunk's payloads were mapped (the results are then a prefix of it).
type Done = (u64, Vec<(u64, RunReport)>, bool);

/// Payloads handed to a worker at a time: one hand-over per payload cost
/// about five context switches an order on two cores; in chunks, a few per
/// chunk. Small enough that the writer keeps up and memory stays flat.
const CHUNK: usize = 32;

/// Streams `input` through the component, writing one JSON line per payload to `output`.
pub fn run(
    bridge: &Bridge,
    flow: Flow,
    profile: ProfileSource,
    input: impl BufRead + Send,
    output: &mut dyn Write,
    options: &Options,
) -> Result<Summary> {
    let started = Instant::now();
    let workers = options.workers.max(1);
    let slots = bridge.limits().instances as usize;
    if workers.saturating_mul(2) > slots {
        anyhow::bail!(
            "{workers} workers need {} instance slots; the bridge was loaded with {slots} (Limits::instances)",
            workers * 2
        );
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(workers * 2);
    // Shared by the workers only: when they stop (say, because writing the
    // output failed), the receiver drops and the reader's `send` fails too.
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let mut summary = Summary::default();
    let mut fuels: Vec<u64> = Vec::new();
    let bytes_read = &AtomicU64::new(0);

    std::thread::scope(|scope| -> Result<()> {
        let (skip, stop) = (options.skip_through, options.stop.clone());
        let reader = scope.spawn(move || read_lines(input, &work_tx, bytes_read, skip, stop.as_deref()));
        for _ in 0..workers {
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
            let stop = options.stop.as_deref();
            scope.spawn(move || work(bridge, flow, profile, options.reuse, stop, &work_rx, &done_tx));
        }
        drop((done_tx, work_rx));
        let mut progress = Progress::new(options, started, bytes_read);
        let written = write_in_order(done_rx, output, |line, report| {
            record(&mut summary, &mut fuels, report);
            summary.last_line = line;
            progress.show(summary.orders);
        });
        progress.finish();
        written?;
        reader.join().map_err(|_| anyhow::anyhow!("the input reader panicked"))??;
        Ok(())
    })?;
    output.flush()?;

    summary.interrupted = options.stop.as_deref().is_some_and(|s| s.load(Ordering::Relaxed));
    summary.seconds = started.elapsed().as_secs_f64();
    summary.orders_per_second = summary.orders as f64 / summary.seconds.max(f64::EPSILON);
    fuels.sort_unstable();
    let pct = |p: usize| fuels.get((fuels.len().saturating_sub(1)) * p / 100).copied().unwrap_or(0);
    (summary.fuel_p50, summary.fuel_p99, summary.fuel_max) = (pct(50), pct(99), fuels.last().copied().unwrap_or(0));
    Ok(summary)
}

/// Splits the input into payloads, one per non-blank line, handed over in
/// numbered chunks (numbers without gaps, so the writer can restore the order).
fn read_lines(
    input: impl BufRead,
    work: &mpsc::SyncSender<Work>,
    bytes_read: &AtomicU64,
    skip_through: u64,
    stop: Option<&AtomicBool>,
) -> Result<()> {
    let mut seq = 0;
    let mut chunk = Vec::with_capacity(CHUNK);
    for (n, line) in input.split(b'\n').enumerate() {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            break;
        }
        let line = line.with_context(|| format!("reading input line {}", n + 1))?;
        bytes_read.fetch_add(line.len() as u64 + 1, Ordering::Relaxed);
        // Line n + 1 (1-based) was answered when it is at most `skip_through`.
        if (n as u64) < skip_through || line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        chunk.push((n as u64 + 1, line));
        if chunk.len() == CHUNK {
            if work.send((seq, std::mem::take(&mut chunk))).is_err() {
                return Ok(());
            }
            seq += 1;
        }
    }
    if !chunk.is_empty() {
        let _ = work.send((seq, chunk));
    }
    Ok(())
}

/// One worker: maps payloads until the input ends or the writer goes away.
fn work(
    bridge: &Bridge,
    flow: Flow,
    profile: ProfileSource,
    reuse: bool,
    stop: Option<&AtomicBool>,
    work: &Mutex<mpsc::Receiver<Work>>,
    done: &mpsc::Sender<Done>,
) {
    let mut session: Option<Session> = None;
    loop {
        let next = work.lock().map(|rx| rx.recv());
        let Ok(Ok((seq, chunk))) = next else {
            break;
        };
        let mut reports = Vec::with_capacity(chunk.len());
        let mut complete = true;
        for (n, payload) in chunk {
            // Interrupted: the payload in hand is finished, the rest not started.
            if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                complete = false;
                break;
            }
            let report = if reuse {
                call_reusing(bridge, flow, profile, &mut session, &payload)
            } else {
                bridge.run(flow, profile, &payload)
            };
            reports.push((n, report));
        }
        if done.send((seq, reports, complete)).is_err() {
            break;
        }
    }
}

/// Writes results in input order, holding those that arrive early. After a
/// chunk cut short by an interrupt nothing more is written, so the output is
/// always the answers to a prefix of the input (what `--resume` relies on).
fn write_in_order(
    done: mpsc::Receiver<Done>,
    output: &mut dyn Write,
    mut written: impl FnMut(u64, &RunReport),
) -> Result<()> {
    let mut pending: BTreeMap<u64, (Vec<(u64, RunReport)>, bool)> = BTreeMap::new();
    let mut next_seq = 0;
    let mut cut = false;
    for (seq, reports, complete) in done {
        pending.insert(seq, (reports, complete));
        while let Some((reports, complete)) = pending.remove(&next_seq).filter(|_| !cut) {
            for (n, report) in reports {
                serde_json::to_writer(&mut *output, &Line { line: n, report: &report })?;
                output.write_all(b"\n")?;
                written(n, &report);
            }
            cut = !complete;
            next_seq += 1;
        }
    }
    Ok(())
}

/// The progress line on a terminal: payloads done, rate, and how much of the
/// input is read when its size is known.
struct Progress<'a> {
    on: bool,
    total: Option<u64>,
    started: Instant,
    last: Instant,
    bytes_read: &'a AtomicU64,
}

impl<'a> Progress<'a> {
    fn new(options: &Options, started: Instant, bytes_read: &'a AtomicU64) -> Self {
        let on = options.progress && std::io::stderr().is_terminal();
        Progress { on, total: options.input_bytes, started, last: started, bytes_read }
    }

    fn show(&mut self, done: u64) {
        if !self.on || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let rate = done as f64 / self.started.elapsed().as_secs_f64();
        let bar = self.total.map_or(String::new(), |total| bar(self.bytes_read.load(Ordering::Relaxed), total));
        eprint!("\r{bar}{done} orders, {rate:.0}/s ");
    }

    fn finish(&self) {
        if self.on {
            eprintln!();
        }
    }
}

/// `[########............]  40% ` for `done` of `total` bytes read.
fn bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    let filled = (done.min(total) * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let percent = (done.min(total) * 100).checked_div(total).unwrap_or(100);
    format!("[{}{}] {percent:>3}% ", "#".repeat(filled as usize), ".".repeat((WIDTH - filled) as usize))
}

fn call_reusing<'b>(
    bridge: &'b Bridge,
    flow: Flow,
    profile: ProfileSource,
    session: &mut Option<Session<'b>>,
    payload: &[u8],
) -> RunReport {
    if session.as_ref().is_none_or(|s| s.poisoned) {
        *session = None;
    }
    let live = match session {
        Some(live) => live,
        None => match bridge.session(profile) {
            Ok(new) => session.insert(new),
            Err(report) => return *report,
        },
    };
    live.call(flow, payload)
}

fn record(summary: &mut Summary, fuels: &mut Vec<u64>, report: &RunReport) {
    summary.orders += 1;
    fuels.push(report.metrics.fuel);
    match (&report.outcome, &report.failure) {
        (Some(o), _) => {
            *summary.by_status.entry(o.status.to_string()).or_default() += 1;
            for i in &o.issues {
                *summary.by_issue_code.entry(i.code.clone()).or_default() += 1;
            }
        }
        (None, Some(f)) => {
            summary.stopped += 1;
            *summary.by_status.entry("stopped".into()).or_default() += 1;
            *summary.by_failure.entry(f.kind().into()).or_default() += 1;
        }
        (None, None) => {}
    }
}
