//! The reconciliation as JSON (for the platform: everything, "matched and
//! equal" included) and as CSV (for spreadsheets: one row per exception).
//! Amounts are JSON numbers with their exact digits (trailing zeros dropped,
//! as the sales order writes them), never through a float; CSV shows pennies. What
//! each owner does (the action) comes from docs/issue-codes.md through the
//! caller, so the core holds no copy of it.

use crate::reconcile::findings::{owner_name, severity_name, Finding};
use crate::reconcile::inputs::csv::{field, text_field};
use crate::reconcile::totals::RateKey;
use crate::reconcile::Reconciliation;
use crate::shared::issues::Code;
use crate::shared::money::show;
use crate::shared::time::{format_date, format_utc};
use crate::shared::write::{member, Member, Writer};
use rust_decimal::Decimal;

/// The action for a code, as docs/issue-codes.md states it.
pub type Actions<'a> = &'a dyn Fn(Code) -> Option<&'a str>;

pub fn to_json(rec: &Reconciliation, actions: Actions) -> String {
    let mut w = Writer::with_capacity(4096 + rec.findings.len() * 512);
    let s = &rec.summary;
    w.begin_object();
    w.key(member!("period")).begin_object();
    w.key(member!("from")).string(&format_date(rec.period.first));
    w.key(member!("to")).string(&format_date(rec.period.last));
    w.key(member!("timeZone")).string(&rec.period.zone.name());
    w.key(member!("start")).string(&format_utc(rec.period.start));
    w.key(member!("end")).string(&format_utc(rec.period.end));
    w.end_object();
    w.key(member!("asOf")).string(&format_utc(rec.as_of));
    w.key(member!("settings")).begin_object();
    w.key(member!("tolerance")).decimal(rec.settings.tolerance);
    w.key(member!("stalledAfterHours")).uint(u64::from(rec.settings.stalled_after_hours));
    w.end_object();
    w.key(member!("summary")).begin_object();
    let counts: [(Member, u64); 18] = [
        (member!("ordersRead"), s.orders_read),
        (member!("ordersInPeriod"), s.orders_in_period),
        (member!("ordersOtherPeriod"), s.orders_other_period),
        (member!("ordersRecordedAgain"), s.orders_recorded_again),
        (member!("ordersNotSales"), s.orders_not_sales),
        (member!("outcomesRead"), s.outcomes_read),
        (member!("outcomesSuperseded"), s.outcomes_superseded),
        (member!("outcomesWithoutOrder"), s.outcomes_without_order),
        (member!("rowsRead"), s.rows_read),
        (member!("rowsInPeriod"), s.rows_in_period),
        (member!("rowsOtherPeriod"), s.rows_other_period),
        (member!("creditNotes"), s.credit_notes),
        (member!("matchedByKey"), s.matched_by_key),
        (member!("matchedByPoAndCustomer"), s.matched_by_po),
        (member!("matchedEqual"), s.matched_equal),
        (member!("badRows"), s.bad_rows),
        (member!("exceptions"), s.exceptions),
        (member!("findings"), rec.findings.len() as u64),
    ];
    for (name, n) in counts {
        w.key(name).uint(n);
    }
    w.key(member!("exceptionsByOwner")).begin_array();
    for (owner, n) in &s.exceptions_by_owner {
        w.begin_object().key(member!("owner")).string(owner_name(*owner)).key(member!("count")).uint(*n).end_object();
    }
    w.end_array();
    w.key(member!("findingsByCode")).begin_array();
    for (code, n) in &s.findings_by_code {
        w.begin_object().key(member!("code")).string(code.as_str()).key(member!("count")).uint(*n).end_object();
    }
    w.end_array();
    w.end_object();

    w.key(member!("totals")).begin_object();
    w.key(member!("byCurrency")).begin_array();
    for c in &rec.by_currency {
        w.begin_object();
        w.key(member!("currency")).string(&c.currency);
        w.key(member!("sparklayer")).begin_object();
        w.key(member!("orders")).uint(c.orders);
        nvg(&mut w, c.sparklayer_net, c.sparklayer_vat, Some(c.sparklayer_gross));
        w.end_object();
        w.key(member!("orderwise")).begin_object();
        w.key(member!("rows")).uint(c.rows);
        nvg(&mut w, c.orderwise_net, c.orderwise_vat, Some(c.orderwise_gross));
        w.end_object();
        w.key(member!("difference")).begin_object();
        nvg(
            &mut w,
            c.orderwise_net - c.sparklayer_net,
            c.orderwise_vat - c.sparklayer_vat,
            Some(c.orderwise_gross - c.sparklayer_gross),
        );
        w.end_object();
        w.key(member!("creditNotes")).begin_object();
        w.key(member!("count")).uint(c.credit_notes);
        nvg(&mut w, c.credit_net, c.credit_vat, Some(c.credit_gross));
        w.end_object();
        w.end_object();
    }
    w.end_array();
    w.key(member!("byRate")).begin_array();
    for t in &rec.by_rate {
        let s = &t.sides;
        w.begin_object();
        w.key(member!("currency")).string(&t.currency);
        match t.rate {
            RateKey::Rate(r) => w.key(member!("rate")).decimal(r.normalize()),
            RateKey::Unsplit => w.key(member!("rate")).null(),
        };
        w.key(member!("label")).string(&t.rate.label());
        w.key(member!("sparklayer")).begin_object();
        nvg(&mut w, s.sparklayer_net, s.sparklayer_vat, None);
        w.end_object();
        w.key(member!("orderwise")).begin_object();
        nvg(&mut w, s.orderwise_net, s.orderwise_vat, None);
        w.end_object();
        w.key(member!("difference")).begin_object();
        nvg(&mut w, s.orderwise_net - s.sparklayer_net, s.orderwise_vat - s.sparklayer_vat, None);
        w.end_object();
        w.end_object();
    }
    w.end_array();
    w.end_object();

    w.key(member!("findings")).begin_array();
    for f in &rec.findings {
        finding(&mut w, f, actions);
    }
    w.end_array();
    w.end_object();
    w.finish()
}

fn nvg(w: &mut Writer, net: Decimal, vat: Decimal, gross: Option<Decimal>) {
    w.key(member!("net")).decimal(net);
    w.key(member!("vat")).decimal(vat);
    if let Some(g) = gross {
        w.key(member!("gross")).decimal(g);
    }
}

fn finding(w: &mut Writer, f: &Finding, actions: Actions) {
    w.begin_object();
    w.key(member!("code")).string(f.code.as_str());
    w.key(member!("severity")).string(severity_name(f.severity));
    w.key(member!("owner")).string(owner_name(f.owner));
    w.key(member!("orderKey")).opt_string(f.key.as_deref());
    w.key(member!("orderwiseNumber")).opt_string(f.orderwise_number.as_deref());
    w.key(member!("po")).opt_string(f.po.as_deref());
    w.key(member!("customerAccount")).opt_string(f.account.as_deref());
    w.key(member!("currency")).opt_string(f.currency.as_deref());
    w.key(member!("figure")).string(f.figure.as_str());
    fn amount(w: &mut Writer, d: Option<Decimal>) {
        match d {
            Some(d) => w.decimal(d),
            None => w.null(),
        };
    }
    w.key(member!("sparklayer"));
    amount(w, f.sparklayer);
    w.key(member!("orderwise"));
    amount(w, f.orderwise);
    w.key(member!("difference"));
    amount(w, f.difference());
    w.key(member!("rule")).opt_string(f.rule.map(|r| r.as_str()));
    match f.age_hours {
        Some(h) => w.key(member!("ageHours")).uint(h as u64),
        None => w.key(member!("ageHours")).null(),
    };
    match f.source {
        Some((input, line)) => {
            w.key(member!("source")).begin_object();
            w.key(member!("input")).string(input.name()).key(member!("line")).uint(line);
            w.end_object()
        }
        None => w.key(member!("source")).null(),
    };
    w.key(member!("message")).string(&f.message);
    w.key(member!("action")).opt_string(actions(f.code));
    w.end_object();
}

/// The CSV header: one row per exception follows.
pub const CSV_HEADER: &str = "owner,code,severity,orderKey,orderwiseNumber,po,customerAccount,currency,figure,sparklayer,orderwise,difference,rule,ageHours,input,line,message,action";

pub fn to_csv(rec: &Reconciliation, actions: Actions) -> String {
    let mut out = String::with_capacity(256 + rec.findings.len() * 256);
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    for f in rec.findings.iter().filter(|f| f.is_exception()) {
        let amount = |d: Option<Decimal>| d.map(show).unwrap_or_default();
        let text = |t: &Option<String>| t.as_deref().map(text_field).unwrap_or_default();
        let cells = [
            owner_name(f.owner).to_owned(),
            f.code.as_str().to_owned(),
            severity_name(f.severity).to_owned(),
            text(&f.key),
            text(&f.orderwise_number),
            text(&f.po),
            text(&f.account),
            text(&f.currency),
            f.figure.as_str().to_owned(),
            amount(f.sparklayer),
            amount(f.orderwise),
            amount(f.difference()),
            f.rule.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            f.age_hours.map(|h| h.to_string()).unwrap_or_default(),
            f.source.map(|(i, _)| i.name().to_owned()).unwrap_or_default(),
            f.source.map(|(_, l)| l.to_string()).unwrap_or_default(),
            text_field(&f.message),
            field(actions(f.code).unwrap_or("")),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The operations queue as JSON (for the platform).
pub fn queue_json(q: &crate::reconcile::queue::Queue, actions: Actions) -> String {
    let mut w = Writer::with_capacity(1024 + (q.waiting.len() + q.stalled.len()) * 384);
    w.begin_object();
    match q.as_of {
        Some(t) => w.key(member!("asOf")).string(&format_utc(t)),
        None => w.key(member!("asOf")).null(),
    };
    w.key(member!("summary")).begin_object();
    for (name, n) in [
        (member!("outcomesRead"), q.outcomes_read),
        (member!("orders"), q.orders),
        (member!("ready"), q.ready),
        (member!("review"), q.review),
        (member!("rejected"), q.rejected),
        (member!("stopped"), q.stopped),
        (member!("stockOutcomes"), q.stock_outcomes),
        (member!("stockRefused"), q.stock_refused),
        (member!("stockStopped"), q.stock_stopped),
        (member!("badRows"), q.bad.len() as u64),
    ] {
        w.key(name).uint(n);
    }
    w.key(member!("stalledChecked")).boolean(q.stalled_checked);
    w.key(member!("stalledAfterHours")).uint(u64::from(q.stalled_after_hours));
    w.end_object();
    // A drift entry is a stock call's, known by its range, not an order's key.
    for (name, list, key) in [
        (member!("stalled"), &q.stalled, member!("orderKey")),
        (member!("drift"), &q.drift, member!("range")),
        (member!("waiting"), &q.waiting, member!("orderKey")),
    ] {
        w.key(name).begin_array();
        for e in list {
            w.begin_object();
            w.key(key).opt_string(e.key.as_deref());
            w.key(member!("status")).string(e.status);
            w.key(member!("code")).string(&e.code);
            w.key(member!("owner")).string(owner_name(e.owner));
            match e.age_hours {
                Some(h) => w.key(member!("ageHours")).uint(h as u64),
                None => w.key(member!("ageHours")).null(),
            };
            w.key(member!("line")).uint(e.line);
            w.key(member!("message")).string(&e.message);
            w.key(member!("action")).opt_string(code_action(&e.code, actions));
            w.end_object();
        }
        w.end_array();
    }
    w.key(member!("badRows")).begin_array();
    for b in &q.bad {
        w.begin_object();
        w.key(member!("input")).string(b.input.name()).key(member!("line")).uint(b.line);
        w.key(member!("message")).string(&b.message);
        w.end_object();
    }
    w.end_array();
    w.end_object();
    w.finish()
}

/// The queue as CSV: stalled first, then stock drift, then the review queue, one row per order and reason.
pub fn queue_csv(q: &crate::reconcile::queue::Queue, actions: Actions) -> String {
    // `key`: the order key, or a stock call's range for stock drift.
    let mut out = String::from("owner,code,status,key,ageHours,line,message,action\r\n");
    for e in q.stalled.iter().chain(&q.drift).chain(&q.waiting) {
        let cells = [
            owner_name(e.owner).to_owned(),
            field(&e.code),
            e.status.to_owned(),
            e.key.as_deref().map(field).unwrap_or_default(),
            e.age_hours.map(|h| h.to_string()).unwrap_or_default(),
            e.line.to_string(),
            field(&e.message),
            field(code_action(&e.code, actions).unwrap_or("")),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// The action for a code given as text (an outcome's code may be one this
/// version does not know).
fn code_action<'a>(code: &str, actions: Actions<'a>) -> Option<&'a str> {
    Code::ALL.iter().find(|c| c.as_str() == code).and_then(|c| actions(*c))
}
