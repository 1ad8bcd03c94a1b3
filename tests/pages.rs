//! The pages in a real browser: each is opened in headless Chromium, a
//! screenshot is taken, and the text the browser rendered (`innerText`, which
//! leaves out what is not rendered) must show the totals and an exception
//! row; a page of 10,000 exceptions must be laid out within 2 s.
//!
//! Chromium is found on PATH (or `$CHROMIUM`); when it is missing the test
//! runs `scripts/ensure-chromium.sh` to install it, and when that fails too
//! the test FAILS with the reason: the browser check never passes quietly.

use crate::common::{fixtures, workspace};
use host_harness::html::{queue_page, reconcile_page, Context};
use host_harness::reconcile::{discover, run_case};
use plugin::reconcile::inputs::export::{ExportRow, RowKind};
use plugin::reconcile::inputs::orders::{AtRate, SparkOrder};
use plugin::reconcile::inputs::outcomes::{BridgeOutcome, Flow, OutcomeIssue, Status};
use plugin::reconcile::period::Period;
use plugin::reconcile::settings::Settings;
use plugin::shared::issues::{Owner, Severity};
use plugin::shared::time::{parse_stamp, TimeZone};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const NAMES: [&str; 4] = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

fn find() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").map(PathBuf::from).filter(|p| p.is_file()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| NAMES.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}

/// Chromium, installed if need be; a failure names the reason.
fn chromium() -> PathBuf {
    if let Some(found) = find() {
        return found;
    }
    let script = workspace().join("scripts/ensure-chromium.sh");
    let out = Command::new("bash").arg(&script).output();
    let why = match &out {
        Ok(o) => String::from_utf8_lossy(&o.stderr).into_owned(),
        Err(e) => format!("could not run {}: {e}", script.display()),
    };
    find().unwrap_or_else(|| {
        panic!("BROWSER CHECK CANNOT RUN: no Chromium found on PATH or in $CHROMIUM, and installing it failed:\n{why}")
    })
}

/// What the browser made of a page.
struct Rendered {
    /// `performance.now()` once the whole page is parsed and laid out, ms
    /// from the start of navigation.
    layout_ms: f64,
    /// The rendered text (`document.body.innerText`).
    text: String,
    /// Wall time of the browser process, start to exit.
    wall_ms: u128,
}

fn browser(chromium: &Path, profile_dir: &Path, args: &[&str]) -> std::process::Output {
    let _ = std::fs::remove_dir_all(profile_dir);
    std::fs::create_dir_all(profile_dir).unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1280,3000",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("BROWSER CHECK CANNOT RUN: starting {}: {e}", chromium.display()));
    let _ = std::fs::remove_dir_all(profile_dir);
    out
}

/// Opens `page` (a copy with a probe appended, so the page as shipped has no
/// script), reads what was rendered, and screenshots the page as shipped.
fn open(chromium: &Path, page: &Path, name: &str) -> Rendered {
    let dir = page.parent().unwrap();
    let html = std::fs::read_to_string(page).unwrap();
    assert!(!html.contains("<script"), "{name}: the page itself carries no script");
    let probe = r#"<script>
var laid = (document.body.offsetHeight, performance.now());
var pre = document.createElement('pre');
pre.id = 'probe';
pre.setAttribute('data-ms', laid.toFixed(1));
pre.textContent = document.body.innerText;
document.body.appendChild(pre);
</script></body>"#;
    let probed = dir.join(format!("{name}.probe.html"));
    std::fs::write(&probed, html.replace("</body>", probe)).unwrap();
    let started = Instant::now();
    let out = browser(
        chromium,
        &dir.join(format!("{name}.profile")),
        &["--dump-dom", &format!("file://{}", probed.display())],
    );
    let wall_ms = started.elapsed().as_millis();
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && dom.contains("id=\"probe\""),
        "{name}: Chromium did not render the page:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let at = dom.find("data-ms=\"").unwrap() + 9;
    let layout_ms: f64 = dom[at..at + dom[at..].find('"').unwrap()].parse().unwrap();
    let text_at = dom[at..].find('>').unwrap() + at + 1;
    let text = dom[text_at..text_at + dom[text_at..].find("</pre>").unwrap()]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">");

    let shot = dir.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    let out = browser(
        chromium,
        &dir.join(format!("{name}.shot")),
        &[&format!("--screenshot={}", shot.display()), &format!("file://{}", page.display())],
    );
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("{name}: no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "{name}: the screenshot is not a picture of a page ({} bytes)",
        png.len()
    );
    eprintln!(
        "{name}: laid out in {layout_ms:.0} ms (browser process {wall_ms} ms), {} characters rendered, screenshot {}",
        text.len(),
        shot.display()
    );
    Rendered { layout_ms, text, wall_ms }
}

fn pages_dir() -> PathBuf {
    let dir = workspace().join("target/pages");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn ctx() -> Context<'static> {
    Context { profile_name: "test", inputs: vec![("orders", "generated".to_owned())] }
}

/// 13,400 orders: a quarter never processed, a quarter held, a quarter a
/// penny out, a quarter matched: 10,050 exceptions.
fn ten_thousand_exceptions() -> plugin::reconcile::Reconciliation {
    let zone = TimeZone::EuropeLondon;
    let period = Period::parse("2025-03", zone).unwrap();
    let d = |s: &str| plugin::shared::money::parse_decimal(s).unwrap();
    let mut inputs = plugin::reconcile::Inputs::default();
    for i in 0..13_400u64 {
        let key = format!("B2B{}", 500_000 + i);
        let placed = parse_stamp("2025-03-01T00:00:00Z").unwrap().instant(zone) + (i as i64 * 197) % (30 * 86_400);
        let (net, vat) = (d("85.90"), d("10.78"));
        inputs.orders.push(SparkOrder {
            line: i + 1,
            key: key.clone(),
            placed,
            currency: "GBP".into(),
            net,
            vat,
            gross: net + vat,
            rates: vec![
                AtRate { rate: Some(d("0.2")), net: d("53.90"), vat },
                AtRate { rate: Some(Decimal::ZERO), net: d("32.00"), vat: Decimal::ZERO },
            ],
            po: Some(format!("PO-{i}")),
            account: Some("2193".into()),
            not_a_sale: None,
            current: false,
        });
        let status = if i % 4 == 1 { Status::Review } else { Status::Ready };
        let issues = if i % 4 == 1 {
            vec![OutcomeIssue {
                code: "PO_MISSING".into(),
                severity: Severity::Error,
                owner: Owner::Finance,
                message: "no PO".into(),
            }]
        } else {
            Vec::new()
        };
        if i % 4 != 0 {
            inputs.outcomes.push(BridgeOutcome {
                flow: Flow::Orders,
                line: i + 1,
                payload_line: Some(i + 1),
                key: Some(key.clone()),
                recorded_at: Some(placed + 60),
                status,
                issues,
            });
        }
        if i % 4 >= 2 {
            let penny = if i % 4 == 2 { d("0.01") } else { Decimal::ZERO };
            inputs.rows.push(ExportRow {
                line: i + 2,
                kind: RowKind::Order,
                order_number: format!("SO-{i}"),
                key: Some(key),
                po: Some(format!("PO-{i}")),
                account: Some("2193".into()),
                order_date: None,
                currency: "GBP".into(),
                net: net + penny,
                vat,
                gross: net + vat + penny,
                status: "Invoiced".into(),
                invoice_number: Some(format!("INV-{i}")),
                invoice_date: parse_stamp("2025-03-31"),
                rates: Vec::new(),
            });
        }
    }
    plugin::reconcile::reconcile(&Settings::default(), inputs, period, period.end)
}

#[test]
fn pages_render_in_headless_chromium_with_totals_and_exceptions_visible() {
    let chromium = chromium();
    let dir = pages_dir();

    // The reconciliation page of a fixture case.
    let case = discover(&fixtures().join("reconcile/not-in-orderwise-held-rejected-stalled-lost")).unwrap();
    let (rec, _) = run_case(&case[0]).unwrap();
    let page = dir.join("reconcile.html");
    std::fs::write(&page, reconcile_page(&rec, &ctx())).unwrap();
    let r = open(&chromium, &page, "reconcile");
    for visible in [
        "Summary",
        "Totals by currency and VAT rate",
        "676.76",
        "601.30",
        "Exceptions by owner",
        "B2B2304",
        "Stalled",
        "What to do:",
    ] {
        assert!(r.text.contains(visible), "reconciliation page: {visible:?} not rendered:\n{}", r.text);
    }
    assert!(r.text.contains("B2B2304\t–\tPO-2304\t2193\tGBP\tgross\t96.68"), "the stalled order row:\n{}", r.text);

    // The queue page of the same day's outcomes.
    let queue = {
        let zone = TimeZone::EuropeLondon;
        let text = std::fs::read_to_string(case[0].dir.join("outcomes.jsonl")).unwrap();
        // With the stock flow's call of the day, whose levels drifted.
        let stock =
            std::fs::read_to_string(fixtures().join("stock/drift-beyond-absolute-and-percentage-alerts/expected.json"))
                .unwrap();
        let stock = format!("{{\"line\":1,\"outcome\":{},\"failure\":null}}", stock.replace('\n', ""));
        let outcomes = text
            .lines()
            .chain([stock.as_str()])
            .enumerate()
            .map(|(n, l)| plugin::reconcile::inputs::outcomes::read(l, n as u64 + 1, zone).unwrap())
            .collect();
        let as_of = parse_stamp("2025-03-31T17:00:00Z").map(|s| s.instant(zone));
        let keys = std::collections::HashSet::new();
        plugin::reconcile::queue::build(outcomes, &[], Some(&keys), 24, as_of, Vec::new())
    };
    let page = dir.join("queue.html");
    std::fs::write(&page, queue_page(&queue, &ctx())).unwrap();
    let r = open(&chromium, &page, "queue");
    for visible in [
        "Operations queue",
        "Stalled orders",
        "B2B2304",
        "Stock drift",
        "MILK-UHT-1L at OW-1: SparkLayer shows 150",
        "Review queue by owner",
        "PAY_ON_ACCOUNT_CREDIT",
        "the customer is on hold",
    ] {
        assert!(r.text.contains(visible), "queue page: {visible:?} not rendered:\n{}", r.text);
    }

    // 10,000 exceptions: opens and is laid out in under 2 s.
    let big = ten_thousand_exceptions();
    assert!(big.summary.exceptions >= 10_000, "{} exceptions", big.summary.exceptions);
    let page = dir.join("ten-thousand.html");
    std::fs::write(&page, reconcile_page(&big, &ctx())).unwrap();
    let r = open(&chromium, &page, "ten-thousand");
    let gross = host_harness::html::money(big.by_currency[0].sparklayer_gross);
    assert!(
        r.text.contains(&format!("EXCEPTIONS\n{}", big.summary.exceptions)) && r.text.contains(&gross),
        "totals ({} exceptions, gross {gross}) not rendered:\n{}",
        big.summary.exceptions,
        &r.text[..r.text.len().min(3000)]
    );
    assert!(r.text.contains("B2B5"), "no exception row rendered");
    assert!(
        r.layout_ms < 2000.0,
        "a page of {} exceptions took {:.0} ms to open and lay out (limit 2,000 ms; browser process {} ms)",
        big.summary.exceptions,
        r.layout_ms,
        r.wall_ms
    );
}
