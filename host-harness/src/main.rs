//! `host-harness`: run or replay SparkLayer orders through a bridge component
//! the way the integration platform will.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use host_harness::replay::{discover, replay, table};
use host_harness::{Bridge, Limits};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_COMPONENT: &str = "target/wasm32-wasip2/release/plugin.wasm";

#[derive(Parser)]
#[command(
    name = "host-harness",
    version,
    about = "Replays recorded SparkLayer orders through the OrderWise bridge component under the platform's limits."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Map one order and print its outcome (JSON, or a report with --human).
    Run {
        #[command(flatten)]
        component: ComponentArgs,
        /// The mapping profile (JSON).
        #[arg(long)]
        profile: PathBuf,
        /// The recorded order payload; read from stdin when omitted.
        order: Option<PathBuf>,
        /// Print a readable report: status, issues, fuel, memory, sizes, wall time.
        #[arg(long)]
        human: bool,
        /// Print the whole run report as JSON (outcome, failure, metrics, limits, logs).
        #[arg(long, conflicts_with = "human")]
        report: bool,
    },
    /// Replay every recorded case under DIR and compare with its expected outcome.
    Replay {
        #[command(flatten)]
        component: ComponentArgs,
        /// Use this profile for every case without its own profile.json.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// Directory of cases (searched recursively).
        dir: PathBuf,
        /// Rewrite each case's expected.json with what it produced (also BLESS=1).
        #[arg(long)]
        bless: bool,
    },
}

#[derive(Args)]
struct ComponentArgs {
    /// The bridge component (.wasm).
    #[arg(long, default_value = DEFAULT_COMPONENT)]
    component: PathBuf,
    /// Fuel (≈ instructions) for one map-order call.
    #[arg(long, default_value_t = Limits::default().fuel)]
    fuel: u64,
    /// Wall-clock cap per call in milliseconds (epoch interruption).
    #[arg(long, default_value_t = Limits::default().wall_millis)]
    wall_ms: u64,
    /// Linear-memory cap in bytes.
    #[arg(long, default_value_t = Limits::default().memory_bytes)]
    memory_bytes: u64,
    /// Order payload cap in bytes.
    #[arg(long, default_value_t = Limits::default().input_bytes)]
    input_bytes: u64,
    /// Outcome cap in bytes.
    #[arg(long, default_value_t = Limits::default().output_bytes)]
    output_bytes: u64,
    /// Where compiled components are cached by content hash
    /// [default: $XDG_CACHE_HOME/host-harness or ~/.cache/host-harness].
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Compile the component afresh and write no cache.
    #[arg(long)]
    no_cache: bool,
}

impl ComponentArgs {
    fn load(&self) -> Result<Bridge> {
        let limits = Limits {
            fuel: self.fuel,
            wall_millis: self.wall_ms,
            memory_bytes: self.memory_bytes,
            input_bytes: self.input_bytes,
            output_bytes: self.output_bytes,
            ..Limits::default()
        };
        if !self.component.is_file() {
            anyhow::bail!(
                "component {} not found; build it with: cargo build --release --target wasm32-wasip2 -p plugin",
                self.component.display()
            );
        }
        let cache = match (&self.cache_dir, self.no_cache) {
            (_, true) => None,
            (Some(dir), false) => Some(dir.clone()),
            (None, false) => Some(host_harness::cache::default_dir()),
        };
        Ok(Bridge::load(&self.component, limits, cache.as_deref())?)
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("host-harness: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            component,
            profile,
            order,
            human,
            report,
        } => {
            let bridge = component.load()?;
            let profile = read_text(&profile)?;
            let payload = match &order {
                Some(path) => {
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
                }
                None => {
                    let mut buf = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut buf)
                        .context("reading the order from stdin")?;
                    buf
                }
            };
            let run = bridge.run(&profile, &payload);
            if human {
                print!("{run}");
            } else if report {
                print!(
                    "{}",
                    host_harness::jsonfmt::pretty(&serde_json::to_string(&run)?)
                );
            } else {
                print!("{}", host_harness::replay::golden_text(&run));
            }
            // A run the platform had to stop is a failure of the component, not of the order.
            Ok(if run.failure.is_some() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Replay {
            component,
            profile,
            dir,
            bless,
        } => {
            let bridge = component.load()?;
            let bless = bless || std::env::var("BLESS").is_ok_and(|v| v == "1");
            let cases = discover(&dir, profile.as_deref())?;
            let results = replay(&bridge, &cases, bless)?;
            print!("{}", table(&results));
            Ok(if results.iter().all(|r| r.passed()) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}
