//! The pages finance and operations open: self-contained HTML (inline CSS and
//! SVG, no script, no font or file from anywhere else), summary first, then
//! the exceptions by owner and type with both figures, the order key, the PO
//! and the action from docs/issue-codes.md.
//!
//! - `reconcile_page`: the month-end reconciliation (`reconcile --html`).
//! - `queue_page`: the operations view of a batch or a day of outcomes (`report --html`).

use crate::actions;
use plugin::reconcile::findings::{owner_name, Finding};
use plugin::reconcile::queue::{Entry, Queue};
use plugin::reconcile::totals::RateKey;
use plugin::reconcile::Reconciliation;
use plugin::shared::issues::Owner;
use plugin::shared::time::{format_date, format_utc};
use rust_decimal::Decimal;
use std::fmt::Write;

/// Where a page's figures came from, for its header.
pub struct Context<'a> {
    pub profile_name: &'a str,
    pub inputs: Vec<(&'a str, String)>,
}

const OWNERS: [Owner; 4] = [Owner::Finance, Owner::Operations, Owner::Ecommerce, Owner::Integration];

const CSS: &str = r#"
:root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--soft:#f6f8fa;--bad:#a40e26;--good:#1a7f37;
--finance:#0b57d0;--operations:#9a4a00;--ecommerce:#6f42c1;--integration:#1a7f37}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
header{padding:20px 28px 12px;border-bottom:1px solid var(--line);background:var(--soft)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:18px 0 4px}
main{padding:8px 28px 40px;max-width:1500px}
.meta{color:var(--muted);margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:180px;background:#fff}
.card .n{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.card .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card ul{margin:4px 0 0;padding-left:18px}
table{border-collapse:collapse;width:100%;margin:6px 0 14px}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;font-size:12px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.neg{color:var(--bad)}.zero{color:var(--muted)}
.owner{border-left:6px solid var(--muted);padding-left:12px;margin-top:26px}
.owner.finance{border-color:var(--finance)}.owner.operations{border-color:var(--operations)}
.owner.ecommerce{border-color:var(--ecommerce)}.owner.integration{border-color:var(--integration)}
.action{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px;margin:4px 0 6px}
.meaning{color:var(--muted);margin:2px 0}
.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff;background:var(--muted)}
.tag.finance{background:var(--finance)}.tag.operations{background:var(--operations)}
.tag.ecommerce{background:var(--ecommerce)}.tag.integration{background:var(--integration)}
.ok{color:var(--good)}.note{color:var(--muted);font-style:italic}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
tr.total td{font-weight:650;border-top:2px solid var(--ink)}
table.ex{table-layout:fixed;margin:0}
table.ex td{overflow-wrap:anywhere}
.ex td.r,.ex th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.chunk{content-visibility:auto}
.rows{margin:6px 0 14px}
@media print{header{background:none}.owner{break-inside:avoid-page}}
"#;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1,234.56` (display only: thousands separated, at least two decimals,
/// every digit kept), `−` for negatives.
pub fn money(d: Decimal) -> String {
    let text = plugin::shared::money::show(d);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("\u{2212}", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

fn money_cell(d: Option<Decimal>) -> String {
    match d {
        None => "<td class=num>–</td>".to_owned(),
        Some(d) if d.is_zero() => format!("<td class=\"num zero\">{}</td>", money(d)),
        Some(d) if d.is_sign_negative() => format!("<td class=\"num neg\">{}</td>", money(d)),
        Some(d) => format!("<td class=num>{}</td>", money(d)),
    }
}

/// `RECON_NOT_IN_SPARKLAYER` -> `Not in SparkLayer`.
pub fn title(code: &str) -> String {
    let words: Vec<String> = code
        .trim_start_matches("RECON_")
        .split('_')
        .enumerate()
        .map(|(i, w)| match w {
            "PO" | "VAT" | "UOM" | "SKU" => w.to_owned(),
            "SPARKLAYER" => "SparkLayer".to_owned(),
            _ if i == 0 => {
                let lower = w.to_lowercase();
                let mut c = lower.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            }
            _ => w.to_lowercase(),
        })
        .collect();
    words.join(" ")
}

fn age(hours: Option<i64>) -> String {
    match hours {
        None => "–".to_owned(),
        Some(h) if h >= 48 => format!("{} d {} h", h / 24, h % 24),
        Some(h) => format!("{h} h"),
    }
}

fn page(title_text: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n<meta name=viewport content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title_text)
    )
}

/// A horizontal bar chart of counts by code, as inline SVG.
fn chart(counts: &[(String, Owner, u64)], caption: &str) -> String {
    if counts.is_empty() {
        return String::new();
    }
    let max = counts.iter().map(|c| c.2).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (230u64, 420u64, 22u64);
    let height = row_h * counts.len() as u64 + 8;
    let mut svg = format!(
        "<figure><svg role=img aria-label=\"{}\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\" font-size=\"12\">",
        escape(caption),
        label_w + bar_w + 70,
        label_w + bar_w + 70
    );
    for (i, (code, owner, n)) in counts.iter().enumerate() {
        let y = i as u64 * row_h + 4;
        let w = (bar_w * n).div_ceil(max).max(2);
        let color = match owner {
            Owner::Finance => "#0b57d0",
            Owner::Operations => "#9a4a00",
            Owner::Ecommerce => "#6f42c1",
            Owner::Integration => "#1a7f37",
        };
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1b1f24\">{}</text><rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" rx=\"3\" fill=\"{color}\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\" fill=\"#1b1f24\">{n}</text>",
            label_w - 8,
            y + 14,
            escape(&title(code)),
            label_w,
            row_h - 6,
            escape(code),
            label_w + w + 6,
            y + 14
        );
    }
    svg.push_str("</svg><figcaption class=meta>");
    svg.push_str(&escape(caption));
    svg.push_str("</figcaption></figure>\n");
    svg
}

fn header(title_text: &str, lines: &[String], ctx: &Context) -> String {
    let mut h = format!("<header><h1>{}</h1>", escape(title_text));
    for l in lines {
        let _ = write!(h, "<p class=meta>{}</p>", escape(l));
    }
    let inputs: Vec<String> = ctx.inputs.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let _ = write!(
        h,
        "<p class=meta>Tenant profile: {}. Inputs: {}.</p></header>\n<main>\n",
        escape(ctx.profile_name),
        escape(&inputs.join("; "))
    );
    h
}

fn card(label: &str, number: &str, extra: &str) -> String {
    format!("<div class=card><div class=l>{}</div><div class=n>{}</div>{extra}</div>", escape(label), escape(number))
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul>");
    for i in items {
        let _ = write!(out, "<li>{}</li>", escape(i));
    }
    out.push_str("</ul>");
    out
}

pub fn reconcile_page(rec: &Reconciliation, ctx: &Context) -> String {
    let s = &rec.summary;
    let zone = rec.period.zone.name();
    let title_text = format!("Reconciliation {}", period_name(&rec.period));
    let mut b = header(
        &title_text,
        &[
            format!(
                "Period {} to {} inclusive, cut at midnight {zone} ({} to {}). Ages as of {}.",
                format_date(rec.period.first),
                format_date(rec.period.last),
                format_utc(rec.period.start),
                format_utc(rec.period.end),
                format_utc(rec.as_of)
            ),
            format!(
                "Tolerance {} per figure; a ready order is stalled after {} h.",
                money(rec.settings.tolerance),
                rec.settings.stalled_after_hours
            ),
        ],
        ctx,
    );

    // Summary first.
    b.push_str("<h2 id=summary>Summary</h2><div class=cards>");
    let value = |f: &dyn Fn(&plugin::reconcile::totals::CurrencyTotal) -> (u64, Decimal)| -> Vec<String> {
        rec.by_currency.iter().filter(|c| f(c).0 > 0).map(|c| format!("{} {}", c.currency, money(f(c).1))).collect()
    };
    b.push_str(&card(
        "SparkLayer orders in period",
        &s.orders_in_period.to_string(),
        &list(&value(&|c| (c.orders, c.sparklayer_gross))),
    ));
    b.push_str(&card(
        "OrderWise sales orders in period",
        &s.rows_in_period.to_string(),
        &list(&value(&|c| (c.rows, c.orderwise_gross))),
    ));
    b.push_str(&card(
        "Matched",
        &(s.matched_by_key + s.matched_by_po).to_string(),
        &list(&[
            format!("{} by order key", s.matched_by_key),
            format!("{} by PO and customer", s.matched_by_po),
            format!("{} matched and equal", s.matched_equal),
        ]),
    ));
    let owners: Vec<String> = s.exceptions_by_owner.iter().map(|(o, n)| format!("{}: {n}", owner_name(*o))).collect();
    b.push_str(&card("Exceptions", &s.exceptions.to_string(), &list(&owners)));
    b.push_str(&card(
        "Credit notes (apart)",
        &s.credit_notes.to_string(),
        &list(&value(&|c| (c.credit_notes, c.credit_gross))),
    ));
    b.push_str("</div>\n");

    // Totals per currency, then per rate: what finance posts.
    b.push_str("<h2 id=totals>Totals by currency and VAT rate</h2><p class=meta>OrderWise less SparkLayer. Each currency on its own; credit notes are not netted in.</p>");
    b.push_str("<table><thead><tr><th>Currency</th><th>VAT rate</th><th class=num>SparkLayer net</th><th class=num>SparkLayer VAT</th><th class=num>OrderWise net</th><th class=num>OrderWise VAT</th><th class=num>Difference net</th><th class=num>Difference VAT</th></tr></thead><tbody>");
    for c in &rec.by_currency {
        for t in rec.by_rate.iter().filter(|t| t.currency == c.currency) {
            let x = &t.sides;
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td>{}{}{}{}{}{}</tr>",
                escape(&t.currency),
                escape(&t.rate.label()),
                money_cell(Some(x.sparklayer_net)),
                money_cell(Some(x.sparklayer_vat)),
                money_cell(Some(x.orderwise_net)),
                money_cell(Some(x.orderwise_vat)),
                money_cell(Some(x.orderwise_net - x.sparklayer_net)),
                money_cell(Some(x.orderwise_vat - x.sparklayer_vat)),
            );
        }
        let _ = write!(
            b,
            "<tr class=total><td>{}</td><td>total (gross SparkLayer {}, OrderWise {})</td>{}{}{}{}{}{}</tr>",
            escape(&c.currency),
            money(c.sparklayer_gross),
            money(c.orderwise_gross),
            money_cell(Some(c.sparklayer_net)),
            money_cell(Some(c.sparklayer_vat)),
            money_cell(Some(c.orderwise_net)),
            money_cell(Some(c.orderwise_vat)),
            money_cell(Some(c.orderwise_net - c.sparklayer_net)),
            money_cell(Some(c.orderwise_vat - c.sparklayer_vat)),
        );
        if c.credit_notes > 0 {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>credit notes ({})</td><td></td><td></td>{}{}<td></td><td></td></tr>",
                escape(&c.currency),
                c.credit_notes,
                money_cell(Some(c.credit_net)),
                money_cell(Some(c.credit_vat)),
            );
        }
    }
    b.push_str("</tbody></table>\n");
    if rec.by_rate.iter().any(|t| t.rate == RateKey::Unsplit) {
        b.push_str("<p class=note>\"not split by rate\": figures no rate can be given to without guessing: on SparkLayer's side what an order's totals hold beyond its lines; on OrderWise's, rows of mixed-rate or unpaired orders exported without per-rate columns (docs/reconcile.md).</p>");
    }

    // Exceptions by type: the chart.
    let mut by_code: Vec<(String, Owner, u64)> = Vec::new();
    for f in rec.findings.iter().filter(|f| f.is_exception()) {
        match by_code.iter_mut().find(|(c, o, _)| c == f.code.as_str() && *o == f.code.owner()) {
            Some(e) => e.2 += 1,
            None => by_code.push((f.code.as_str().to_owned(), f.code.owner(), 1)),
        }
    }
    by_code.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    b.push_str("<h2 id=chart>Exceptions by type</h2>");
    if by_code.is_empty() {
        b.push_str("<p class=ok>No exceptions: every order of the period is in OrderWise at the same value.</p>");
    } else {
        b.push_str(&chart(&by_code, "Exceptions by type (bar colour: the code's usual owner)"));
    }

    // Exceptions by owner and type.
    b.push_str("<h2 id=exceptions>Exceptions by owner</h2>");
    let mut eager = EAGER_ROWS;
    for owner in OWNERS {
        let mine: Vec<&Finding> = rec.findings.iter().filter(|f| f.is_exception() && f.owner == owner).collect();
        if mine.is_empty() {
            continue;
        }
        let name = owner_name(owner);
        let _ = write!(
            b,
            "<section class=\"owner {name}\"><h2>{} <span class=\"tag {name}\">{}</span></h2>",
            capital(name),
            mine.len()
        );
        let mut i = 0;
        while i < mine.len() {
            let code = mine[i].code;
            let group: Vec<&Finding> = mine[i..].iter().take_while(|f| f.code == code).copied().collect();
            i += group.len();
            let _ = write!(
                b,
                "<h3>{} <code>{}</code> ({})</h3>",
                escape(&title(code.as_str())),
                code.as_str(),
                group.len()
            );
            if let Some(m) = actions::meaning(code.as_str()) {
                let _ = write!(b, "<p class=meaning>{}</p>", escape(m));
            }
            if let Some(a) = actions::action(code.as_str()) {
                let _ = write!(b, "<p class=action><strong>What to do:</strong> {}</p>", escape(a));
            }
            let rows: Vec<String> = group
                .iter()
                .map(|f| {
                    let text = |t: &Option<String>| t.as_deref().map_or_else(|| "–".to_owned(), escape);
                    format!(
                        "<tr><td>{}<td>{}<td>{}<td>{}<td>{}<td>{}{}{}{}<td>{}<td class=r>{}<td>{}\n",
                        text(&f.key),
                        text(&f.orderwise_number),
                        text(&f.po),
                        text(&f.account),
                        text(&f.currency),
                        f.figure.as_str(),
                        amount_cell(f.sparklayer),
                        amount_cell(f.orderwise),
                        amount_cell(f.difference()),
                        f.rule.map_or("–", |r| r.as_str()),
                        age(f.age_hours),
                        escape(&f.message),
                    )
                })
                .collect();
            chunked(&mut b, FINDING_COLUMNS, &rows, &mut eager);
        }
        b.push_str("</section>\n");
    }
    if s.exceptions == 0 {
        b.push_str("<p class=ok>None.</p>");
    }

    // What was read, so nothing is left out unseen.
    b.push_str("<h2 id=read>What was read</h2>");
    b.push_str(&list(&[
        format!(
            "SparkLayer orders: {} read, {} in the period ({} of them cancelled, test or draft orders: not sales, left out of the totals), {} of other periods (used for matching only), {} recorded more than once (the later recording counts).",
            s.orders_read, s.orders_in_period, s.orders_not_sales, s.orders_other_period, s.orders_recorded_again
        ),
        format!(
            "Bridge outcomes: {} read, {} superseded by a later outcome for the same order, {} for orders not in the orders file.",
            s.outcomes_read, s.outcomes_superseded, s.outcomes_without_order
        ),
        format!(
            "OrderWise rows: {} read, {} sales orders in the period, {} of other periods, {} credit notes.",
            s.rows_read, s.rows_in_period, s.rows_other_period, s.credit_notes
        ),
        format!("Rows that could not be read: {} (each is a RECON_INPUT_INVALID exception above).", s.bad_rows),
    ]));
    b.push_str("</main>\n");
    page(&title_text, &b)
}

/// `March 2025` for a whole calendar month, else `2025-03-01..2025-03-16`.
fn period_name(p: &plugin::reconcile::period::Period) -> String {
    use plugin::shared::time::{civil_from_days, days_in_month};
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (y, m, d) = civil_from_days(p.first);
    let (ly, lm, ld) = civil_from_days(p.last);
    if d == 1 && (ly, lm) == (y, m) && ld == days_in_month(y, m) {
        format!("{} {y}", MONTHS[m as usize - 1])
    } else {
        p.label()
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

pub fn queue_page(q: &Queue, ctx: &Context) -> String {
    let title_text = "Operations queue".to_owned();
    let as_of = match q.as_of {
        Some(t) => format!("Ages as of {}.", format_utc(t)),
        None => "No as-of time (give --as-of, or outcomes with recordedAt): ages are not shown.".to_owned(),
    };
    let mut b = header(&title_text, &[as_of], ctx);
    let mut eager = EAGER_ROWS;
    b.push_str("<h2 id=summary>Summary</h2><div class=cards>");
    b.push_str(&card(
        "Orders with an outcome",
        &q.orders.to_string(),
        &list(&[format!("{} outcomes read", q.outcomes_read)]),
    ));
    b.push_str(&card("Ready", &q.ready.to_string(), ""));
    b.push_str(&card("In review", &q.review.to_string(), ""));
    b.push_str(&card("Rejected / stopped", &(q.rejected + q.stopped).to_string(), ""));
    b.push_str(&card(
        "Stalled",
        &if q.stalled_checked { q.stalled.len().to_string() } else { "not checked".to_owned() },
        "",
    ));
    b.push_str(&card(
        "Stock drift",
        &q.drift.len().to_string(),
        &list(&[
            format!("{} stock call(s)", q.stock_outcomes),
            format!("{} refused, {} stopped", q.stock_refused, q.stock_stopped),
        ]),
    ));
    b.push_str(&card("Unreadable rows", &q.bad.len().to_string(), ""));
    b.push_str("</div>\n");

    b.push_str("<h2 id=stalled>Stalled orders</h2>");
    if !q.stalled_checked {
        b.push_str("<p class=note>Not checked: give the OrderWise export (--orderwise) to find ready orders that never arrived.</p>");
    } else if q.stalled.is_empty() {
        let _ = write!(
            b,
            "<p class=ok>None: every order ready for {} h or more is in OrderWise.</p>",
            q.stalled_after_hours
        );
    } else {
        if let Some(a) = actions::action("RECON_STALLED") {
            let _ = write!(b, "<p class=action><strong>What to do:</strong> {}</p>", escape(a));
        }
        entries(&mut b, &q.stalled, ENTRY_COLUMNS, &mut eager);
    }
    b.push_str("<h2 id=stock>Stock drift</h2>");
    if q.stock_refused + q.stock_stopped > 0 {
        let _ = write!(
            b,
            "<p class=action><strong>{} stock call(s) refused and {} stopped:</strong> their levels were not sent, so SparkLayer may show stale stock until a later run succeeds. Their issues are in the stock run's output.</p>",
            q.stock_refused, q.stock_stopped
        );
    }
    if q.stock_outcomes == 0 {
        b.push_str("<p class=note>No stock calls read: give the stock flow's outcomes (batch --flow stock) with --stock to see drift here.</p>");
    } else if q.drift.is_empty() {
        let _ = write!(b, "<p class=ok>No drift in {} stock call(s).</p>", q.stock_outcomes);
    } else {
        if let Some(a) = actions::action("STOCK_DRIFT") {
            let _ = write!(b, "<p class=action><strong>What to do:</strong> {}</p>", escape(a));
        }
        entries(&mut b, &q.drift, DRIFT_COLUMNS, &mut eager);
    }

    let mut by_code: Vec<(String, Owner, u64)> = Vec::new();
    for e in &q.waiting {
        match by_code.iter_mut().find(|(c, o, _)| *c == e.code && *o == e.owner) {
            Some(x) => x.2 += 1,
            None => by_code.push((e.code.clone(), e.owner, 1)),
        }
    }
    by_code.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    b.push_str("<h2 id=chart>Waiting by reason</h2>");
    if by_code.is_empty() {
        b.push_str("<p class=ok>Nothing waits.</p>");
    } else {
        b.push_str(&chart(&by_code, "Orders waiting by issue code (bar colour: owner)"));
    }

    b.push_str("<h2 id=queue>Review queue by owner</h2>");
    for owner in OWNERS {
        let mine: Vec<&Entry> = q.waiting.iter().filter(|e| e.owner == owner).collect();
        if mine.is_empty() {
            continue;
        }
        let name = owner_name(owner);
        let _ = write!(
            b,
            "<section class=\"owner {name}\"><h2>{} <span class=\"tag {name}\">{}</span></h2>",
            capital(name),
            mine.len()
        );
        let mut i = 0;
        while i < mine.len() {
            let code = &mine[i].code;
            let group: Vec<Entry> = mine[i..].iter().take_while(|e| &e.code == code).map(|e| (*e).clone()).collect();
            i += group.len();
            let _ = write!(b, "<h3>{} <code>{}</code> ({})</h3>", escape(&title(code)), escape(code), group.len());
            if let Some(a) = actions::action(code) {
                let _ = write!(b, "<p class=action><strong>What to do:</strong> {}</p>", escape(a));
            }
            entries(&mut b, &group, ENTRY_COLUMNS, &mut eager);
        }
        b.push_str("</section>\n");
    }
    if !q.bad.is_empty() {
        b.push_str("<h2 id=bad>Rows that could not be read</h2><table><thead><tr><th>Input</th><th class=num>Line</th><th>Why</th></tr></thead><tbody>");
        for r in &q.bad {
            let _ = write!(
                b,
                "<tr><td>{}</td><td class=num>{}</td><td>{}</td></tr>",
                r.input.name(),
                r.line,
                escape(&r.message)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</main>\n");
    page(&title_text, &b)
}

fn entries(b: &mut String, list: &[Entry], columns: Columns, eager: &mut usize) {
    let rows: Vec<String> = list
        .iter()
        .map(|e| {
            format!(
                "<tr><td>{}<td>{}<td class=r>{}<td class=r>{}<td>{}\n",
                e.key.as_deref().map_or_else(|| "–".to_owned(), escape),
                e.status,
                age(e.age_hours),
                e.line,
                escape(&e.message)
            )
        })
        .collect();
    chunked(b, columns, &rows, eager);
}

/// A table's columns: (heading, width, right-aligned). Fixed widths, so every
/// chunk of a long list lines up with the first without measuring the rows.
type Columns = &'static [(&'static str, &'static str, bool)];

const FINDING_COLUMNS: Columns = &[
    ("Order key", "9%", false),
    ("OrderWise no.", "8%", false),
    ("PO", "8%", false),
    ("Customer", "6%", false),
    ("Cur.", "4%", false),
    ("Figure", "4.5%", false),
    ("SparkLayer", "7.5%", true),
    ("OrderWise", "7.5%", true),
    ("Difference", "7%", true),
    ("Matched by", "8%", false),
    ("Age", "6%", true),
    ("Detail", "auto", false),
];

const ENTRY_COLUMNS: Columns = &[
    ("Order key", "12%", false),
    ("Status", "8%", false),
    ("Waiting", "8%", true),
    ("Outcome line", "8%", true),
    ("Detail", "auto", false),
];

/// A stock call is known by the range of the export it covered.
const DRIFT_COLUMNS: Columns = &[
    ("Stock range", "12%", false),
    ("Status", "8%", false),
    ("Waiting", "8%", true),
    ("Call line", "8%", true),
    ("Detail", "auto", false),
];

/// Rows per chunk: each chunk is its own fixed-layout table, laid out only
/// when it scrolls into view (`content-visibility: auto`; find-in-page still
/// finds its text), so a page of 10,000 exceptions opens about as fast as one
/// of a hundred.
const CHUNK_ROWS: usize = 200;

/// Rows a page draws straight away, before any chunk is deferred: a page with
/// fewer exceptions is drawn whole.
const EAGER_ROWS: usize = 150;

fn chunked(b: &mut String, columns: Columns, rows: &[String], eager: &mut usize) {
    b.push_str("<div class=rows>");
    // The page's first rows are drawn with it (what the first screen shows);
    // the rest in chunks drawn when they come into view, sized until then at
    // about 44 px a row (a wrapped detail line) so the scroll bar is right.
    let now = rows.len().min(*eager);
    *eager -= now;
    let (first, rest) = rows.split_at(now);
    let mut chunks: Vec<(&[String], bool)> = Vec::new();
    if !first.is_empty() {
        chunks.push((first, false));
    }
    chunks.extend(rest.chunks(CHUNK_ROWS).map(|c| (c, true)));
    for (i, (chunk, deferred)) in chunks.into_iter().enumerate() {
        if deferred {
            let _ = write!(
                b,
                "<div class=chunk style=\"contain-intrinsic-size:auto {}px\"><table class=ex><colgroup>",
                chunk.len() * 44
            );
        } else {
            b.push_str("<div><table class=ex><colgroup>");
        }
        for (_, width, _) in columns {
            let _ = write!(b, "<col style=\"width:{width}\">");
        }
        b.push_str("</colgroup>");
        if i == 0 {
            b.push_str("<thead><tr>");
            for (name, _, right) in columns {
                let _ = write!(b, "<th{}>{}</th>", if *right { " class=r" } else { "" }, escape(name));
            }
            b.push_str("</tr></thead>");
        }
        b.push_str("<tbody>\n");
        for r in chunk {
            b.push_str(r);
        }
        b.push_str("</tbody></table></div>\n");
    }
    b.push_str("</div>\n");
}

/// An amount in a list row: right-aligned, red when negative.
fn amount_cell(d: Option<Decimal>) -> String {
    match d {
        None => "<td class=r>–".to_owned(),
        Some(d) if d.is_sign_negative() && !d.is_zero() => format!("<td class=\"r neg\">{}", money(d)),
        Some(d) => format!("<td class=r>{}", money(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_and_keep_their_digits() {
        let d = |s: &str| plugin::shared::money::parse_decimal(s).unwrap();
        assert_eq!(money(d("1234567.891")), "1,234,567.891");
        assert_eq!(money(d("-12")), "\u{2212}12.00");
        assert_eq!(money(d("0.5")), "0.50");
    }

    #[test]
    fn codes_read_as_titles_and_text_is_escaped() {
        assert_eq!(title("RECON_NOT_IN_SPARKLAYER"), "Not in SparkLayer");
        assert_eq!(title("RECON_PO_DIFFERS"), "PO differs");
        assert_eq!(title("PO_TOO_LONG"), "PO too long");
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
