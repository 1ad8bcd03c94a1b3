//! `host-harness`: run, replay, gate, bake and measure a bridge component the
//! way the integration platform will.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use host_harness::bridge::ProfileText;
use host_harness::flow::Flow;
use host_harness::replay::{discover, replay, table};
use host_harness::tenant::Size;
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
    /// Make one call (map one order) and print its outcome (JSON, or a report with --human).
    Run {
        #[command(flatten)]
        component: ComponentArgs,
        /// The tenant profile (JSON); optional when the component has one baked in.
        #[arg(long)]
        profile: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = FlowArg::Orders)]
        flow: FlowArg,
        /// The recorded payload; read from stdin when omitted.
        input: Option<PathBuf>,
        /// Print a readable report: status, issues, fuel, memory, sizes, wall time.
        #[arg(long)]
        human: bool,
        /// Print the whole run report as JSON (outcome, failure, metrics, limits, logs).
        #[arg(long, conflicts_with = "human")]
        report: bool,
        /// Map the order with the harness's own core compiled natively (the
        /// same source as the component it was built with), not the
        /// component: for a developer chasing a trap, since the component
        /// has no stderr to write a panic's message to. Needs `--profile`.
        #[arg(long, conflicts_with_all = ["human", "report"], requires = "profile")]
        native: bool,
        #[command(flatten)]
        stock: StockArgs,
    },
    /// Replay every recorded case under DIR (any flow) and compare with its expected outcome.
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
    /// The upload gate: size, exports, imports, instantiation with the tenant's profile, smoke replay.
    Check {
        /// The new component version (baked or not).
        component: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        /// The tenant's profile: the component must instantiate with it and
        /// answer every recorded order with it. Required unless the component
        /// has the tenant's profile baked in.
        #[arg(long)]
        profile: Option<PathBuf>,
        /// Cases it must replay green.
        #[arg(long, default_value = "fixtures")]
        smoke: PathBuf,
        /// Largest component code accepted, bytes (initial memory data is reported apart).
        #[arg(long, default_value_t = host_harness::check::DEFAULT_SIZE_CAP)]
        size_cap: u64,
    },
    /// Replay a corpus through two versions and report every changed outcome.
    Diff {
        old: PathBuf,
        new: PathBuf,
        /// A directory of cases, or a JSONL file of recorded payloads (needs --profile).
        corpus: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        #[arg(long)]
        profile: Option<PathBuf>,
        /// The flow of a JSONL corpus's payloads.
        #[arg(long, value_enum, default_value_t = FlowArg::Orders)]
        flow: FlowArg,
        /// Exit 1 when any outcome changed (like `git diff --exit-code`).
        #[arg(long)]
        exit_code: bool,
    },
    /// Replay recorded traffic: JSONL in, JSONL out (outcome and metrics per line), summary on stderr.
    ///
    /// Exit codes: 0 every payload answered; 1 some stopped by the platform (trap, fuel, memory, time,
    /// contract); 2 the harness could not run (nothing written); 130 interrupted by Ctrl-C (whole lines
    /// written; --resume carries on).
    Batch {
        #[command(flatten)]
        component: ComponentArgs,
        /// The tenant profile; optional when the component has one baked in.
        #[arg(long)]
        profile: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = FlowArg::Orders)]
        flow: FlowArg,
        /// One recorded payload per line; stdin when omitted.
        input: Option<PathBuf>,
        /// Where the JSONL results go; stdout when omitted.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Worker threads [default: the machine's cores].
        #[arg(long)]
        workers: Option<usize>,
        /// Keep one instance per worker with the profile taken once (faster;
        /// calls share an instance, see docs/harness.md).
        #[arg(long)]
        reuse: bool,
        /// Carry on an interrupted run: input lines already answered in
        /// --output are not read again; new results are added after them.
        #[arg(long, requires = "output")]
        resume: bool,
    },
    /// Split an OrderWise stock export (and SparkLayer's current levels) into
    /// the calls that fit the platform's limits, one JSONL line per call: the
    /// input of `batch --flow stock`.
    StockPages {
        /// The export (.json, or .csv).
        export: PathBuf,
        #[command(flatten)]
        paging: PagingArgs,
        /// The tenant profile: which variant each case SKU's current level goes with.
        #[arg(long)]
        profile: Option<PathBuf>,
    },
    /// Write a stock export (JSON or CSV) and SparkLayer's current levels for
    /// a tenant profile (e.g. one from `tenant`): every variant at every
    /// location the profile's `stock` section maps, for benchmarks.
    StockExport {
        /// The tenant profile the export is for.
        #[arg(long)]
        profile: PathBuf,
        /// Where the export goes (.json or .csv).
        #[arg(long, short)]
        output: PathBuf,
        /// Also write SparkLayer's current levels here: equal to the export
        /// except for `--changes` of them.
        #[arg(long)]
        current: Option<PathBuf>,
        /// Levels that differ between the export and the current levels.
        #[arg(long, default_value_t = 0)]
        changes: usize,
    },
    /// Write the recorded payloads of a case directory as JSONL (one per line),
    /// cycling through them up to --count lines: a load corpus for `batch`.
    Jsonl {
        dir: PathBuf,
        /// Lines to write [default: one per case].
        #[arg(long)]
        count: Option<usize>,
    },
    /// Pre-initialise a component with a tenant's profile: every instance of the
    /// result starts with the profile parsed (docs/baking.md).
    Bake {
        #[command(flatten)]
        component: ComponentArgs,
        /// The tenant profile to bake in.
        #[arg(long)]
        profile: PathBuf,
        /// Where the baked component goes.
        #[arg(long, short)]
        output: PathBuf,
        /// Fuel for parsing the profile while baking: a one-off build step, so
        /// its budget is its own (--setup-fuel bounds each instance's setup).
        #[arg(long, default_value_t = host_harness::bake::DEFAULT_BAKE_FUEL)]
        bake_fuel: u64,
        /// Print the bake report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a tenant-sized profile: a base profile plus generated variants,
    /// unit mappings and customers (for tests and benchmarks).
    Tenant {
        #[arg(long, default_value = "fixtures/profile.json")]
        base: PathBuf,
        #[arg(long, default_value_t = Size::LARGE.variants)]
        variants: usize,
        #[arg(long, default_value_t = Size::LARGE.units)]
        units: usize,
        #[arg(long, default_value_t = Size::LARGE.customers)]
        customers: usize,
        /// Map this many OrderWise stock locations in the `stock` section
        /// (OW-1, OW-2, …; the reference data gets them too); 0 keeps the base's.
        #[arg(long, default_value_t = 0)]
        stock_locations: usize,
        /// Where the profile goes; stdout when omitted.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Month-end reconciliation: the period's SparkLayer orders, the bridge's
    /// outcomes and OrderWise's export, order by order and per VAT rate, with
    /// every exception owned (docs/reconcile.md). Natively, from the plugin's core.
    Reconcile {
        /// The tenant profile (its optional `reconcile` section: zone, tolerance, stalled threshold).
        #[arg(long, default_value = "fixtures/profile.json")]
        profile: PathBuf,
        /// SparkLayer order payloads, one per line (JSONL).
        #[arg(long, required_unless_present = "check")]
        orders: Option<PathBuf>,
        /// The bridge's outcomes: `batch` output or the platform's log (JSONL).
        #[arg(long, required_unless_present = "check")]
        outcomes: Option<PathBuf>,
        /// The OrderWise export of sales orders, invoices and credit notes (CSV or JSON).
        #[arg(long, required_unless_present = "check")]
        orderwise: Option<PathBuf>,
        /// YYYY-MM, or YYYY-MM-DD..YYYY-MM-DD (inclusive), in the tenant's time zone.
        #[arg(long, required_unless_present = "check")]
        period: Option<String>,
        /// Ages and "stalled" are measured to this instant (RFC 3339) [default: the period's end]. Never the clock.
        #[arg(long)]
        as_of: Option<String>,
        /// Write the page for finance and operations (self-contained HTML).
        #[arg(long)]
        html: Option<PathBuf>,
        /// Write the whole result as JSON (for the platform).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write one row per exception as CSV (for spreadsheets).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Threads reading the JSONL inputs [default: the machine's cores].
        #[arg(long)]
        workers: Option<usize>,
        /// Replay the reconciliation cases under DIR against their expected.json instead.
        #[arg(long, value_name = "DIR")]
        check: Option<PathBuf>,
        /// With --check: rewrite each case's expected.json (also BLESS=1).
        #[arg(long, requires = "check")]
        bless: bool,
    },
    /// The operations queue of a batch or a day of outcomes: stalled orders and
    /// stock drift on top, then the review queue by owner and code, oldest first.
    Report {
        /// The bridge's outcomes (`batch` output, or the platform's log).
        outcomes: PathBuf,
        #[arg(long, default_value = "fixtures/profile.json")]
        profile: PathBuf,
        /// The stock flow's outcomes (`batch --flow stock` output): drift, and
        /// calls refused or stopped. Stock outcomes in OUTCOMES count too.
        #[arg(long)]
        stock: Option<PathBuf>,
        /// The orders the outcomes are for (JSONL): ages for outcomes without `recordedAt`.
        #[arg(long)]
        orders: Option<PathBuf>,
        /// The OrderWise export: ready orders not in it, older than the threshold, are stalled.
        #[arg(long)]
        orderwise: Option<PathBuf>,
        /// Ages are measured to this instant [default: the latest `recordedAt`].
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        html: Option<PathBuf>,
        #[arg(long)]
        json: Option<PathBuf>,
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Write the three inputs of a reconciliation at scale (orders.jsonl,
    /// outcomes.jsonl, orderwise.csv) into a directory, for benchmarks.
    ReconcileCorpus {
        /// SparkLayer orders to generate (OrderWise rows follow from them).
        #[arg(long, default_value_t = 100_000)]
        orders: u64,
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Measure per-order cost, instantiation, native ratio, fuel and size, and
    /// the bundled tenant against a generated large one, side by side.
    Bench {
        #[arg(long, default_value = DEFAULT_COMPONENT)]
        component: PathBuf,
        #[arg(long, default_value = "fixtures/profile.json")]
        profile: PathBuf,
        /// Orders to measure.
        #[arg(default_values = ["fixtures/orders/example-on-account/order.json", "fixtures/orders/volume-10-lines/order.json", "fixtures/orders/volume-200-lines/order.json"])]
        orders: Vec<PathBuf>,
        /// The order the two tenants are compared on.
        #[arg(long, default_value = "fixtures/orders/volume-10-lines/order.json")]
        tenant_order: PathBuf,
        /// Size of the generated tenant.
        #[arg(long, default_value_t = Size::LARGE.variants)]
        variants: usize,
        #[arg(long, default_value_t = Size::LARGE.units)]
        units: usize,
        #[arg(long, default_value_t = Size::LARGE.customers)]
        customers: usize,
        #[arg(long, default_value_t = 300)]
        iterations: usize,
        /// Print the figures as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The flows, as the command line names them.
#[derive(Clone, Copy, ValueEnum)]
enum FlowArg {
    /// SparkLayer order -> OrderWise sales order.
    Orders,
    /// OrderWise stock export -> SparkLayer batch-update-stock requests.
    Stock,
    /// SparkLayer pack set-up checked against OrderWise's units.
    Catalog,
}

impl From<FlowArg> for Flow {
    fn from(f: FlowArg) -> Flow {
        match f {
            FlowArg::Orders => Flow::Orders,
            FlowArg::Stock => Flow::Stock,
            FlowArg::Catalog => Flow::Catalog,
        }
    }
}

/// What a stock run takes beside the export.
#[derive(Args)]
struct StockArgs {
    #[command(flatten)]
    paging: PagingArgs,
    /// Stock: where to write the request bodies (request-0001.json, …).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// How an export is split into calls: what `run --flow stock` and
/// `stock-pages` share (only `run` makes the calls, so only it takes `--out`).
#[derive(Args)]
struct PagingArgs {
    /// Stock: SparkLayer's current levels (JSON), for deltas and drift.
    #[arg(long)]
    current: Option<PathBuf>,
    /// Stock: export rows a call at most (a large export is paged by variant code).
    #[arg(long, default_value_t = host_harness::stock::Paging::default().rows)]
    rows_per_call: usize,
}

impl PagingArgs {
    fn calls(&self, export: &Path, profile: Option<&ProfileText>) -> Result<Vec<host_harness::stock::StockCall>> {
        use host_harness::stock::{read_current, sku_map, split, ExportFormat, Paging};
        let text =
            String::from_utf8_lossy(&std::fs::read(export).with_context(|| format!("reading {}", export.display()))?)
                .into_owned();
        let current = self.current.as_deref().map(read_current).transpose()?;
        let skus = profile.map(|p| sku_map(&p.text)).transpose()?;
        let paging = Paging { rows: self.rows_per_call.max(1), ..Paging::default() };
        Ok(split(&text, ExportFormat::of_path(export), current.as_deref(), skus.as_ref(), paging))
    }
}

#[derive(Args)]
struct LimitArgs {
    /// Fuel (≈ instructions) for one call (map-order).
    #[arg(long, default_value_t = Limits::default().fuel)]
    fuel: u64,
    /// Fuel to set up an instance: instantiate it and parse (or take the baked) profile.
    #[arg(long, default_value_t = Limits::default().setup_fuel)]
    setup_fuel: u64,
    /// Wall-clock cap per call in milliseconds (epoch interruption).
    #[arg(long, default_value_t = Limits::default().wall_millis)]
    wall_ms: u64,
    /// Linear-memory cap in bytes.
    #[arg(long, default_value_t = Limits::default().memory_bytes)]
    memory_bytes: u64,
    /// Payload cap in bytes.
    #[arg(long, default_value_t = Limits::default().input_bytes)]
    input_bytes: u64,
    /// Outcome cap in bytes.
    #[arg(long, default_value_t = Limits::default().output_bytes)]
    output_bytes: u64,
    /// Set by `batch` from its worker count.
    #[arg(skip)]
    instances: Option<u32>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            fuel: self.fuel,
            setup_fuel: self.setup_fuel,
            wall_millis: self.wall_ms,
            memory_bytes: self.memory_bytes,
            input_bytes: self.input_bytes,
            output_bytes: self.output_bytes,
            instances: self.instances.unwrap_or(Limits::default().instances),
        }
    }
}

#[derive(Args)]
struct ComponentArgs {
    /// The bridge component (.wasm), baked or not.
    #[arg(long, default_value = DEFAULT_COMPONENT)]
    component: PathBuf,
    #[command(flatten)]
    limits: LimitArgs,
    /// Where compiled components are cached by content hash
    /// [default: $XDG_CACHE_HOME/host-harness or ~/.cache/host-harness].
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Compile the component afresh and write no cache.
    #[arg(long)]
    no_cache: bool,
}

impl ComponentArgs {
    fn bytes(&self) -> Result<Vec<u8>> {
        if !self.component.is_file() {
            anyhow::bail!(
                "component {} not found; build it with: cargo build --release --target wasm32-wasip2 -p plugin",
                self.component.display()
            );
        }
        std::fs::read(&self.component).with_context(|| format!("reading {}", self.component.display()))
    }

    fn load(&self) -> Result<Bridge> {
        self.bytes()?;
        let cache = match (&self.cache_dir, self.no_cache) {
            (_, true) => None,
            (Some(dir), false) => Some(dir.clone()),
            (None, false) => Some(host_harness::cache::default_dir()),
        };
        Ok(Bridge::load(&self.component, self.limits.limits(), cache.as_deref())?)
    }
}

/// `batch` stopped by Ctrl-C (the shell's convention for SIGINT).
const EXIT_INTERRUPTED: u8 = 130;

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
        Command::Run { component, profile, flow, input, human, report, native, stock } => {
            let profile = profile.as_deref().map(ProfileText::read).transpose()?;
            if native {
                return run_native(flow, profile.as_ref(), input.as_deref());
            }
            let bridge = component.load()?;
            let source = bridge.profile_for(profile.as_ref())?;
            if let (FlowArg::Stock, Some(export)) = (flow, &input) {
                return run_stock(&bridge, source, export, profile.as_ref(), &stock, human, report);
            }
            let payload = read_payload(input.as_deref())?;
            let run = bridge.run(flow.into(), source, &payload);
            if human {
                print!("{run}");
            } else if report {
                print!("{}", host_harness::jsonfmt::pretty(&serde_json::to_string(&run)?));
            } else {
                print!("{}", host_harness::replay::golden_text(&run));
            }
            // A run the platform had to stop is a failure of the component, not of the payload.
            Ok(if run.failure.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Replay { component, profile, dir, bless } => {
            let bridge = component.load()?;
            if let Some(note) = baked_note(&bridge) {
                println!("{note}");
            }
            let bless = bless || std::env::var("BLESS").is_ok_and(|v| v == "1");
            // Reconciliation cases (fixtures/reconcile) replay natively beside the component's.
            let reconcile_cases = host_harness::reconcile::discover(&dir)?;
            let cases = match discover(&dir, profile.as_deref()) {
                Ok(cases) => cases,
                Err(_) if !reconcile_cases.is_empty() => Vec::new(),
                Err(e) => return Err(e),
            };
            let results = replay(&bridge, &cases, bless)?;
            if !results.is_empty() {
                print!("{}", table(&results));
            }
            let reconciled = host_harness::reconcile::check(&reconcile_cases, bless)?;
            if !reconciled.is_empty() {
                print!("{}", host_harness::reconcile::table(&reconciled));
            }
            let passed = results.iter().all(|r| r.passed()) && reconciled.iter().all(|r| r.passed());
            Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Check { component, limits, profile, smoke, size_cap } => {
            let profile = profile.as_deref().map(ProfileText::read).transpose()?;
            let options = host_harness::check::Options {
                limits: limits.limits(),
                size_cap,
                profile: profile.as_ref(),
                smoke: &smoke,
            };
            let report = host_harness::check::check(&component, &options);
            print!("{report}");
            Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Diff { old, new, corpus, limits, profile, flow, exit_code } => {
            let limits = limits.limits();
            let cache = host_harness::cache::default_dir();
            let old = Bridge::load(&old, limits, Some(&cache))?;
            let new = Bridge::load(&new, limits, Some(&cache))?;
            for (which, bridge) in [("old", &old), ("new", &new)] {
                if let Some(note) = baked_note(bridge) {
                    println!("{which}: {note}");
                }
            }
            let entries = host_harness::corpus::load(&corpus, profile.as_deref(), flow.into())?;
            let report = host_harness::diff::diff(&old, &new, &entries)?;
            print!("{report}");
            Ok(if exit_code && report.changed() > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Batch { mut component, profile, flow, input, output, workers, reuse, resume } => {
            // Everything is opened and checked before anything is written: a
            // missing input or component never costs an earlier run's results.
            let input_file = match &input {
                Some(path) => Some(std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?),
                None => None,
            };
            let workers = workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            component.limits.instances = Some(Limits::instances_for(workers));
            let bridge = component.load()?;
            if let Some(note) = baked_note(&bridge) {
                eprintln!("{note}");
            }
            let profile = profile.as_deref().map(ProfileText::read).transpose()?;
            let source = bridge.profile_for(profile.as_ref())?;
            let target = output.as_deref().map(host_harness::batch::Output::new).transpose()?;
            let skip_through = match (&target, resume) {
                (Some(target), true) => target.resume()?,
                _ => 0,
            };
            // Ctrl-C: stop reading, finish and write what is in hand, then say
            // how far the run got. A second Ctrl-C ends the process at once.
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let flag = stop.clone();
            ctrlc::set_handler(move || {
                if flag.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    std::process::exit(EXIT_INTERRUPTED.into());
                }
                eprintln!("\ninterrupted: finishing the payloads in hand (Ctrl-C again to stop at once)");
            })
            .context("installing the Ctrl-C handler")?;
            let input_bytes = input_file.as_ref().and_then(|f| f.metadata().ok()).map(|m| m.len());
            let options = host_harness::batch::Options {
                workers,
                reuse,
                progress: true,
                input_bytes,
                skip_through,
                stop: Some(stop),
            };
            let mut out: Box<dyn std::io::Write> = match &target {
                Some(target) => Box::new(std::io::BufWriter::new(target.open(resume)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let flow = flow.into();
            let summary = match input_file {
                Some(file) => {
                    host_harness::batch::run(&bridge, flow, source, std::io::BufReader::new(file), &mut out, &options)
                }
                None => host_harness::batch::run(
                    &bridge,
                    flow,
                    source,
                    std::io::BufReader::new(std::io::stdin()),
                    &mut out,
                    &options,
                ),
            };
            drop(out);
            // Whole lines only reach the target: the temporary file is moved
            // into place when the run ends, interrupted or not.
            let summary = summary?;
            if let Some(target) = &target {
                target.commit()?;
            }
            eprint!("{summary}");
            Ok(if summary.interrupted {
                ExitCode::from(EXIT_INTERRUPTED)
            } else if summary.stopped > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::StockPages { export, paging, profile } => {
            let profile = profile.as_deref().map(ProfileText::read).transpose()?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for call in paging.calls(&export, profile.as_ref())? {
                use std::io::Write;
                writeln!(out, "{}", call.to_line())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::StockExport { profile, output, current, changes } => {
            let profile = read_text(&profile)?;
            let format = host_harness::stock::ExportFormat::of_path(&output);
            let (export, levels) = host_harness::tenant::stock_export(&profile, format, changes)?;
            std::fs::write(&output, export).with_context(|| format!("writing {}", output.display()))?;
            if let Some(path) = current {
                std::fs::write(&path, levels).with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Jsonl { dir, count } => {
            let mut lines = Vec::new();
            let mut skipped = Vec::new();
            for case in discover(&dir, None)? {
                let text = String::from_utf8_lossy(&case.input()?).into_owned();
                // JSON is made one line without changing a value; any other body is
                // kept byte for byte, and only when it already is one line (an
                // empty body cannot be a JSONL line at all).
                let line = match serde_json::from_str::<&serde_json::value::RawValue>(&text) {
                    Ok(_) => host_harness::jsonfmt::compact(&text),
                    Err(_) => text.strip_suffix('\n').unwrap_or(&text).to_owned(),
                };
                if !line.is_empty() && !line.contains('\n') {
                    lines.push(line);
                } else {
                    skipped.push(case.name);
                }
            }
            // Said, not silent: a corpus short of the cases it was made from
            // would otherwise look complete.
            if !skipped.is_empty() {
                eprintln!(
                    "jsonl: skipped {} case{} whose payload is not one line (an empty body, or a body that is \
                     not JSON and spans lines): {}",
                    skipped.len(),
                    if skipped.len() == 1 { "" } else { "s" },
                    skipped.join(", ")
                );
            }
            let count = count.unwrap_or(lines.len());
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for line in lines.iter().cycle().take(count) {
                use std::io::Write;
                writeln!(out, "{line}")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bake { component, profile, output, bake_fuel, json } => {
            let bytes = component.bytes()?;
            let profile = ProfileText::read(&profile)?;
            let limits = component.limits.limits();
            let baked = host_harness::bake::bake(&bytes, &profile, limits, bake_fuel)?;
            std::fs::write(&output, &baked.bytes).with_context(|| format!("writing {}", output.display()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&baked.report)?);
            } else {
                print!("{}", baked.report);
                println!(
                    "wrote {}; gate it with: host-harness check {} --profile PROFILE",
                    output.display(),
                    output.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant { base, variants, units, customers, stock_locations, output } => {
            let mut text = host_harness::tenant::generate(&read_text(&base)?, Size { variants, units, customers })?;
            if stock_locations > 0 {
                text = host_harness::tenant::with_stock_locations(&text, stock_locations)?;
            }
            match output {
                Some(path) => std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Reconcile {
            profile,
            orders,
            outcomes,
            orderwise,
            period,
            as_of,
            html,
            json,
            csv,
            workers,
            check,
            bless,
        } => {
            use host_harness::reconcile as rc;
            if let Some(dir) = check {
                let bless = bless || std::env::var("BLESS").is_ok_and(|v| v == "1");
                let cases = rc::discover(&dir)?;
                if cases.is_empty() {
                    anyhow::bail!(
                        "no reconciliation cases under {} (a case is a directory with {})",
                        dir.display(),
                        rc::CASE_FILE
                    );
                }
                let results = rc::check(&cases, bless)?;
                print!("{}", rc::table(&results));
                return Ok(if results.iter().all(|r| r.passed()) { ExitCode::SUCCESS } else { ExitCode::FAILURE });
            }
            let (Some(orders), Some(outcomes), Some(export), Some(period)) = (orders, outcomes, orderwise, period)
            else {
                anyhow::bail!("--orders, --outcomes, --orderwise and --period are required");
            };
            let workers = workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            let tenant = rc::load_profile(&profile)?;
            let period = plugin::reconcile::period::Period::parse(&period, tenant.reconcile.time_zone)
                .map_err(anyhow::Error::msg)?;
            let as_of = rc::as_of(as_of.as_deref(), &period)?;
            let sources = rc::Sources { orders, outcomes, export };
            let rec = rc::run(&tenant, &sources, period, as_of, workers)?;
            print!("{}", rc::summary_text(&rec));
            if let Some(path) = &json {
                write_file(path, &rc::json(&rec))?;
            }
            if let Some(path) = &csv {
                write_file(path, &rc::csv(&rec))?;
            }
            if let Some(path) = &html {
                let ctx = host_harness::html::Context {
                    profile_name: &tenant.name,
                    inputs: vec![
                        ("orders", sources.orders.display().to_string()),
                        ("outcomes", sources.outcomes.display().to_string()),
                        ("OrderWise export", sources.export.display().to_string()),
                    ],
                };
                write_file(path, &host_harness::html::reconcile_page(&rec, &ctx))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report { outcomes, profile, stock, orders, orderwise, as_of, html, json, csv } => {
            use host_harness::reconcile as rc;
            use plugin::reconcile::inputs::{outcomes::Flow, Input};
            let tenant = rc::load_profile(&profile)?;
            let settings = &tenant.reconcile;
            let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
            let (mut read, mut bad) = rc::read_outcomes(&outcomes, settings.time_zone, workers)?;
            if let Some(path) = &stock {
                let (calls, b) = rc::read_outcomes(path, settings.time_zone, workers)?;
                // Every line of this file is a stock call, stopped ones too
                // (their lines carry no outcome to tell the flow by).
                read.extend(calls.into_iter().map(|mut o| {
                    if o.flow == Flow::Orders {
                        o.flow = Flow::Stock;
                    }
                    o
                }));
                bad.extend(b.into_iter().map(|mut r| {
                    r.input = Input::Stock;
                    r
                }));
            }
            let spark = match &orders {
                Some(path) => {
                    let (o, b) = rc::read_orders(&tenant, path, workers)?;
                    bad.extend(b);
                    o
                }
                None => Vec::new(),
            };
            let keys = match &orderwise {
                Some(path) => {
                    let (rows, b) = rc::read_export(&tenant, path)?;
                    bad.extend(b);
                    Some(rows.into_iter().filter_map(|r| r.key).collect::<std::collections::HashSet<String>>())
                }
                None => None,
            };
            let as_of = match &as_of {
                Some(t) => Some(
                    plugin::shared::time::parse_stamp(t)
                        .map(|s| s.instant(settings.time_zone))
                        .with_context(|| format!("--as-of {t:?} is not an ISO 8601 timestamp"))?,
                ),
                None => read.iter().filter_map(|o| o.recorded_at).max(),
            };
            let queue =
                plugin::reconcile::queue::build(read, &spark, keys.as_ref(), settings.stalled_after_hours, as_of, bad);
            println!(
                "{} orders with an outcome: {} ready, {} in review, {} rejected, {} stopped; {} stalled{}; {} waiting entries; {} stock drift in {} stock calls ({} refused, {} stopped)",
                queue.orders,
                queue.ready,
                queue.review,
                queue.rejected,
                queue.stopped,
                queue.stalled.len(),
                if queue.stalled_checked { "" } else { " (not checked: no --orderwise)" },
                queue.waiting.len(),
                queue.drift.len(),
                queue.stock_outcomes,
                queue.stock_refused,
                queue.stock_stopped
            );
            let action = |c: plugin::shared::issues::Code| host_harness::actions::action(c.as_str());
            if let Some(path) = &json {
                write_file(path, &plugin::reconcile::report::queue_json(&queue, &action))?;
            }
            if let Some(path) = &csv {
                write_file(path, &plugin::reconcile::report::queue_csv(&queue, &action))?;
            }
            if let Some(path) = &html {
                let mut inputs = vec![("outcomes", outcomes.display().to_string())];
                if let Some(s) = &stock {
                    inputs.push(("stock outcomes", s.display().to_string()));
                }
                if let Some(o) = &orders {
                    inputs.push(("orders", o.display().to_string()));
                }
                if let Some(o) = &orderwise {
                    inputs.push(("OrderWise export", o.display().to_string()));
                }
                let ctx = host_harness::html::Context { profile_name: &tenant.name, inputs };
                write_file(path, &host_harness::html::queue_page(&queue, &ctx))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ReconcileCorpus { orders, output } => {
            let counts = host_harness::reconcile_corpus::generate(&output, orders)?;
            println!(
                "wrote {} orders, {} outcomes and {} OrderWise rows to {}",
                counts.orders,
                counts.outcomes,
                counts.rows,
                output.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench { component, profile, orders, tenant_order, variants, units, customers, iterations, json } => {
            let profile = ProfileText::read(&profile)?;
            let options = host_harness::bench::Options {
                component: &component,
                profile: &profile,
                orders: &orders,
                tenant_order: &tenant_order,
                large: Size { variants, units, customers },
                iterations,
            };
            let report = host_harness::bench::bench(&options)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `run --flow stock`: the export paged into calls, each run in a fresh
/// instance; the summary (or each call's outcome), and the requests written out.
/// The recorded payload of `run`: the file, or stdin when none is named.
fn read_payload(input: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    match input {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display())),
        None => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).context("reading the payload from stdin")?;
            Ok(buf)
        }
    }
}

/// `run --native`: the order mapped by the core linked into the harness. A
/// panic prints its message and source location on stderr (the standard
/// library's hook), which the component cannot: it imports no WASI.
fn run_native(flow: FlowArg, profile: Option<&ProfileText>, input: Option<&Path>) -> anyhow::Result<ExitCode> {
    if !matches!(flow, FlowArg::Orders) {
        anyhow::bail!("--native maps orders only; the stock flow's core runs natively in `replay` and its tests");
    }
    let profile =
        profile.context("--native needs --profile: the harness cannot read a profile baked into a component")?;
    let profile = plugin::Profile::parse(&profile.text).map_err(|e| anyhow::anyhow!("the profile: {e}"))?;
    let payload = read_payload(input)?;
    let outcome = plugin::map_order(&profile, &String::from_utf8_lossy(&payload));
    println!("{}", host_harness::compare::native_text(&outcome));
    Ok(ExitCode::SUCCESS)
}

fn run_stock(
    bridge: &Bridge,
    source: host_harness::bridge::ProfileSource,
    export: &Path,
    profile: Option<&ProfileText>,
    stock: &StockArgs,
    human: bool,
    report: bool,
) -> Result<ExitCode> {
    let calls = stock.paging.calls(export, profile)?;
    let reports: Vec<_> = calls.iter().map(|c| bridge.run(Flow::Stock, source, c.to_line().as_bytes())).collect();
    let run = host_harness::stock::StockRun { reports };
    if human {
        if let [only] = run.reports.as_slice() {
            print!("{only}");
        }
        print!("{run}");
    } else if report {
        print!("{}", host_harness::jsonfmt::pretty(&serde_json::to_string(&run.reports)?));
    } else {
        let goldens: Vec<String> = run.reports.iter().map(host_harness::replay::golden_text).collect();
        match goldens.as_slice() {
            [only] => print!("{only}"),
            all => print!("{}", host_harness::jsonfmt::pretty(&format!("[{}]", all.join(",")))),
        }
    }
    if let Some(dir) = &stock.out {
        let n = run.write_requests(dir)?;
        eprintln!("wrote {n} request bodies to {}", dir.display());
    }
    Ok(if run.reports.iter().any(|r| r.failure.is_some()) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// One line naming the profile a component has baked in, for reports.
fn baked_note(bridge: &Bridge) -> Option<String> {
    let b = bridge.baked()?;
    let digest = b.baked_digest.as_deref().unwrap_or("");
    Some(format!(
        "component has profile {:?} baked in (sha256 {}; {} variants, {} units, {} customers)",
        b.name,
        host_harness::report::short(digest),
        b.variants,
        b.units,
        b.customers
    ))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}
