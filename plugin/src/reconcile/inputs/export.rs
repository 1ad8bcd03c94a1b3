//! OrderWise's side: an export of the period's sales orders, invoices and
//! credit notes (an OrderWise "API export definition" or a report saved as
//! CSV). docs/reconcile.md defines the columns; their names are kept here,
//! in `COLUMNS`, and only here, so a tenant whose export names them
//! differently changes this table alone.
//!
//! CSV: a header row, then one row per document. JSON: an array of objects
//! with the same names, per-rate figures as `rates: [{code, net, vat}]`.
//! A row that cannot be read is a `BadRow` with its line; the rest are read.

use crate::profile::Profile;
use crate::reconcile::inputs::csv;
use crate::reconcile::inputs::{line_at, BadRow, Input, Lost};
use crate::reconcile::settings::Settings;
use crate::shared::json::{names, Error, Kind, Names, Reader, Unknown};
use crate::shared::money::parse_amount;
use crate::shared::pointer::pointer_of;
use crate::shared::time::{parse_stamp, Stamp};
use rust_decimal::Decimal;

/// The export's columns [inferred: OrderWise export definitions name their
/// own columns; these are the bridge's names for them].
pub const COLUMNS: [&str; 13] = [
    "type",
    "orderNumber",
    "eCommerceOrderNumber",
    "customerOrderRef",
    "customerAccount",
    "orderDate",
    "currency",
    "net",
    "vat",
    "gross",
    "status",
    "invoiceNumber",
    "invoiceDate",
];
const TYPE: usize = 0;
const ORDER_NUMBER: usize = 1;
const KEY: usize = 2;
const PO: usize = 3;
const ACCOUNT: usize = 4;
const ORDER_DATE: usize = 5;
const CURRENCY: usize = 6;
const NET: usize = 7;
const VAT: usize = 8;
const GROSS: usize = 9;
const STATUS: usize = 10;
const INVOICE_NUMBER: usize = 11;
const INVOICE_DATE: usize = 12;
/// Columns every row must fill.
const REQUIRED: [usize; 5] = [ORDER_NUMBER, CURRENCY, NET, VAT, GROSS];
/// Per-rate columns: `net:T1`, `vat:T1`, named by the profile's tax codes.
const RATE_NET: &str = "net:";
const RATE_VAT: &str = "vat:";

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A sales order, invoiced or not.
    Order,
    /// A credit note: `type` is one of `reconcile.creditNoteTypes`, or its net or gross is negative.
    Credit,
}

/// Net and VAT of a row at one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowRate {
    pub rate: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

/// One row of the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub line: u64,
    pub kind: RowKind,
    pub order_number: String,
    /// The bridge's idempotency key; blank on a row keyed by hand.
    pub key: Option<String>,
    pub po: Option<String>,
    pub account: Option<String>,
    pub order_date: Option<Stamp>,
    pub currency: String,
    pub net: Decimal,
    pub vat: Decimal,
    pub gross: Decimal,
    pub status: String,
    pub invoice_number: Option<String>,
    pub invoice_date: Option<Stamp>,
    /// Per-rate figures when the export has them (empty otherwise).
    pub rates: Vec<RowRate>,
}

/// A row's values before they are checked: by column, and per-rate (code, net, vat).
#[derive(Default)]
struct Raw {
    values: [Option<String>; 13],
    rates: Vec<(String, Option<String>, Option<String>)>,
}

/// Reads a whole export, CSV or JSON (told apart by its first character:
/// `[` is JSON), into rows and bad rows.
pub fn read(profile: &Profile, settings: &Settings, text: &str) -> (Vec<ExportRow>, Vec<BadRow>) {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('[') {
        read_json(profile, settings, text)
    } else {
        read_csv(profile, settings, text)
    }
}

pub fn read_csv(profile: &Profile, settings: &Settings, text: &str) -> (Vec<ExportRow>, Vec<BadRow>) {
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    let mut records = csv::records(text).into_iter();
    let Some((header_line, header)) = records.next() else {
        bad.push(BadRow::new(Input::Export, 1, "the export is empty: no header row").losing(Lost::Rest));
        return (rows, bad);
    };
    let header = match header {
        Ok(h) => h,
        Err(why) => {
            bad.push(
                BadRow::new(Input::Export, header_line, format!("the header row cannot be read: {why}"))
                    .losing(Lost::Rest),
            );
            return (rows, bad);
        }
    };
    // Where each column is; per-rate columns by their tax code.
    let mut at: [Option<usize>; 13] = [None; 13];
    let mut rate_columns: Vec<(usize, String, bool)> = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim();
        if let Some(c) = COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)) {
            if at[c].is_some() {
                bad.push(
                    BadRow::new(Input::Export, header_line, format!("column {name:?} appears twice"))
                        .losing(Lost::Rest),
                );
                return (Vec::new(), bad);
            }
            at[c] = Some(i);
        } else if let Some((code, is_net)) = rate_column(name) {
            if profile.reference.tax_rate_by_code(code).is_none() {
                bad.push(BadRow::new(
                    Input::Export,
                    header_line,
                    format!("column {name:?}: {code} is not a tax code in the profile's reference.taxRates; its figures are not read"),
                ).losing(Lost::Nothing));
                continue;
            }
            rate_columns.push((i, code.to_owned(), is_net));
        }
        // Any other column is the export's own and is not read.
    }
    let missing: Vec<&str> = REQUIRED.iter().filter(|&&c| at[c].is_none()).map(|&c| COLUMNS[c]).collect();
    if !missing.is_empty() {
        bad.push(
            BadRow::new(
                Input::Export,
                header_line,
                format!(
                    "the header has no {} column; no row can be read (docs/reconcile.md lists the columns)",
                    missing.join(", ")
                ),
            )
            .losing(Lost::Rest),
        );
        return (rows, bad);
    }
    for (line, record) in records {
        let fields = match record {
            Ok(f) => f,
            Err(why) => {
                bad.push(BadRow::new(Input::Export, line, why));
                continue;
            }
        };
        if fields.len() != header.len() {
            bad.push(BadRow::new(
                Input::Export,
                line,
                format!("{} fields where the header has {}", fields.len(), header.len()),
            ));
            continue;
        }
        let mut raw = Raw::default();
        for (c, i) in at.iter().enumerate() {
            raw.values[c] = i.map(|i| fields[i].clone());
        }
        for (i, code, is_net) in &rate_columns {
            let value = Some(fields[*i].clone());
            match raw.rates.iter_mut().find(|(c, ..)| c == code) {
                Some(entry) if *is_net => entry.1 = value,
                Some(entry) => entry.2 = value,
                None if *is_net => raw.rates.push((code.clone(), value, None)),
                None => raw.rates.push((code.clone(), None, value)),
            }
        }
        match row(profile, settings, line, raw) {
            Ok(r) => rows.push(r),
            Err(why) => bad.push(BadRow::new(Input::Export, line, why)),
        }
    }
    (rows, bad)
}

/// `net:T1` -> ("T1", true); `vat:T1` -> ("T1", false).
fn rate_column(name: &str) -> Option<(&str, bool)> {
    let lower = name.get(..4)?.to_ascii_lowercase();
    let code = name[4..].trim();
    if code.is_empty() {
        return None;
    }
    match lower.as_str() {
        RATE_NET => Some((code, true)),
        RATE_VAT => Some((code, false)),
        _ => None,
    }
}

const JSON_ROW: &Names = names![
    "type",
    "orderNumber",
    "eCommerceOrderNumber",
    "customerOrderRef",
    "customerAccount",
    "orderDate",
    "currency",
    "net",
    "vat",
    "gross",
    "status",
    "invoiceNumber",
    "invoiceDate",
    "rates",
];

pub fn read_json(profile: &Profile, settings: &Settings, text: &str) -> (Vec<ExportRow>, Vec<BadRow>) {
    let (mut rows, mut bad) = (Vec::new(), Vec::new());
    let mut r = Reader::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (mut seen_to, mut seen_line) = (0usize, 1u64);
    let mut line_of = |offset: usize| {
        seen_line = line_at(text, seen_to, seen_line, offset);
        seen_to = offset.max(seen_to);
        seen_line
    };
    if r.kind() != Kind::Array {
        bad.push(BadRow::new(Input::Export, 1, "a JSON export is an array of rows").losing(Lost::Rest));
        return (rows, bad);
    }
    let outer = r.items(|r, _| {
        let start = r.offset_of_value();
        let line = line_of(start);
        // The row's extent first, so that a bad row is reported and the next one still read.
        r.skip()?;
        let item = &text[start..r.offset()];
        match json_row(item) {
            Ok(raw) => match row(profile, settings, line, raw) {
                Ok(row) => rows.push(row),
                Err(why) => bad.push(BadRow::new(Input::Export, line, why)),
            },
            Err(e) => {
                let at = pointer_of(item, &e, &[]);
                bad.push(BadRow::new(Input::Export, line, format!("at {at}: {}", e.message)));
            }
        }
        Ok(())
    });
    let finished = outer.and_then(|_| r.end());
    if let Err(e) = finished {
        let line = line_at(text, 0, 1, e.offset);
        let why = format!("the export stops being JSON here: {}", e.message);
        bad.push(BadRow::new(Input::Export, line, why).losing(Lost::Rest));
    }
    (rows, bad)
}

fn json_row(item: &str) -> Result<Raw, Error> {
    let mut raw = Raw::default();
    let mut r = Reader::new(item);
    r.fields(JSON_ROW, Unknown::Skip, |r, f| {
        if f < COLUMNS.len() {
            raw.values[f] = scalar(r)?;
            return Ok(());
        }
        if r.null() {
            return Ok(());
        }
        r.items(|r, _| {
            let (mut code, mut net, mut vat) = (String::new(), None, None);
            let seen = r.fields(names!["code", "net", "vat"], Unknown::Refuse, |r, f| {
                match f {
                    0 => code = r.string()?.trim().to_owned(),
                    1 => net = scalar(r)?,
                    _ => vat = scalar(r)?,
                }
                Ok(())
            })?;
            seen.require(names!["code", "net", "vat"], &[0])?;
            raw.rates.push((code, net, vat));
            Ok(())
        })
        .map(drop)
    })?;
    Ok(raw)
}

/// A string, a number (as its exact text) or null.
fn scalar(r: &mut Reader) -> Result<Option<String>, Error> {
    match r.kind() {
        Kind::Null => {
            r.null();
            Ok(None)
        }
        Kind::Number => Ok(Some(r.number()?.to_owned())),
        Kind::String => Ok(Some(r.string()?.into_owned())),
        _ => Err(r.expected("a string, a number or null")),
    }
}

/// A row from its raw values: required fields filled, amounts exact, dates dates.
fn row(profile: &Profile, settings: &Settings, line: u64, raw: Raw) -> Result<ExportRow, String> {
    let text = |c: usize| raw.values[c].as_deref().map(str::trim).filter(|v| !v.is_empty());
    for c in REQUIRED {
        if text(c).is_none() {
            return Err(format!("{} is blank", COLUMNS[c]));
        }
    }
    let amount = |c: usize| -> Result<Decimal, String> {
        let v = text(c).unwrap_or("");
        parse_amount(v).map_err(|why| format!("{}: {why}", COLUMNS[c]))
    };
    let (net, vat, gross) = (amount(NET)?, amount(VAT)?, amount(GROSS)?);
    let currency = text(CURRENCY).unwrap_or("").to_owned();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("currency {currency:?} is not an ISO 4217 code like GBP"));
    }
    let date = |c: usize| -> Result<Option<Stamp>, String> {
        match text(c) {
            None => Ok(None),
            Some(v) => parse_stamp(v)
                .map(Some)
                .ok_or_else(|| format!("{} {v:?} is not a date (YYYY-MM-DD) or an ISO 8601 timestamp", COLUMNS[c])),
        }
    };
    let (order_date, invoice_date) = (date(ORDER_DATE)?, date(INVOICE_DATE)?);
    let negative = |d: Decimal| d.is_sign_negative() && !d.is_zero();
    let kind = match text(TYPE) {
        Some(t) if settings.is_credit_type(t) => RowKind::Credit,
        Some(t) if !["order", "sales order", "invoice"].iter().any(|o| o.eq_ignore_ascii_case(t)) => {
            return Err(format!(
                "type {t:?} is neither a sales order (order, sales order, invoice) nor a credit note ({})",
                settings.credit_note_types.join(", ")
            ))
        }
        _ if negative(net) || negative(gross) => RowKind::Credit,
        _ => RowKind::Order,
    };
    let mut rates = Vec::new();
    for (code, n, v) in &raw.rates {
        let n = n.as_deref().map(str::trim).filter(|x| !x.is_empty());
        let v = v.as_deref().map(str::trim).filter(|x| !x.is_empty());
        if n.is_none() && v.is_none() {
            continue;
        }
        let rate = profile
            .reference
            .tax_rate_by_code(code)
            .ok_or_else(|| format!("rates: {code} is not a tax code in the profile's reference.taxRates"))?
            .rate;
        let read = |x: Option<&str>, what: &str| match x {
            None => Ok(Decimal::ZERO),
            Some(x) => parse_amount(x).map_err(|why| format!("{what}:{code}: {why}")),
        };
        rates.push(RowRate { rate: rate.normalize(), net: read(n, "net")?, vat: read(v, "vat")? });
    }
    let owned = |c: usize| text(c).map(str::to_owned);
    Ok(ExportRow {
        line,
        kind,
        order_number: owned(ORDER_NUMBER).unwrap_or_default(),
        key: owned(KEY),
        po: owned(PO),
        account: owned(ACCOUNT),
        order_date,
        currency,
        net,
        vat,
        gross,
        status: owned(STATUS).unwrap_or_default(),
        invoice_number: owned(INVOICE_NUMBER),
        invoice_date,
        rates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/profile.json")).unwrap();
        Profile::parse(&text).unwrap()
    }

    #[test]
    fn per_rate_columns_are_read_by_tax_code_and_negative_rows_are_credit_notes() {
        let p = profile();
        let csv = "orderNumber,currency,net,vat,gross,net:T1,vat:T1,net:T0,vat:T0,extra\nSO-1,GBP,85.90,10.78,96.68,53.90,10.78,32.00,0.00,x\nSO-2,GBP,-9.50,-1.90,-11.40,,,,,\n";
        let (rows, bad) = read(&p, &p.reconcile, csv);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(rows[0].rates.len(), 2);
        assert_eq!(rows[0].rates[0].rate.to_string(), "0.2");
        assert_eq!((rows[0].kind, rows[1].kind), (RowKind::Order, RowKind::Credit));
    }

    #[test]
    fn a_header_without_a_required_column_says_which_and_reads_nothing() {
        let p = profile();
        let (rows, bad) = read(&p, &p.reconcile, "orderNumber,currency,net,gross\nSO-1,GBP,1.00,1.20\n");
        assert!(rows.is_empty());
        assert_eq!(bad[0].line, 1);
        assert!(bad[0].message.contains("no vat column"), "{}", bad[0].message);
    }

    #[test]
    fn a_bad_json_row_is_reported_at_its_line_and_the_next_is_read() {
        let p = profile();
        let json = "[\n  {\"orderNumber\": \"SO-1\", \"currency\": \"GBP\", \"net\": 1, \"vat\": \"0.20\", \"gross\": 1.2},\n  {\"orderNumber\": \"SO-2\", \"currency\": \"GBP\", \"net\": {}, \"vat\": 0, \"gross\": 1},\n  {\"orderNumber\": \"SO-3\", \"currency\": \"GBP\", \"net\": \"2.00\", \"vat\": \"0\", \"gross\": \"2.00\"}\n]\n";
        let (rows, bad) = read(&p, &p.reconcile, json);
        assert_eq!(rows.iter().map(|r| r.order_number.as_str()).collect::<Vec<_>>(), ["SO-1", "SO-3"]);
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].line, 3);
        assert!(bad[0].message.contains("/net"), "{}", bad[0].message);
    }
}
