//! Reading an OrderWise stock export: the JSON an API export definition
//! returns, or the CSV one writes to a file.
//!
//! Prevents: a broken export becoming zeros across the store. An empty body,
//! an HTML page (the endpoint's error or login page), text that is not JSON
//! or CSV, or an export cut short is refused whole with the pointer or line
//! where it breaks, and nothing is sent. A single bad row (no SKU, a free
//! stock that is not a number) is reported and skipped: it never stops the
//! good rows.
//!
//! Rows are `{"sku", "freeStock", "StocklocationId"?}` [doc] (domain brief
//! §6); the names are kept here, in one place. Other columns are ignored.

use crate::shared::issues::{Code, Issue};
use crate::shared::json::{names, Kind, Names, Reader, Unknown};
use crate::shared::money::parse_decimal;
use crate::shared::pointer::{indexed, pointer_of};
use crate::stock::levels::MAX_FREE_STOCK;
use crate::stock::outcome::Findings;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// The export's column names [doc].
pub const SKU: &str = "sku";
pub const FREE_STOCK: &str = "freeStock";
pub const LOCATION: &str = "StocklocationId";

/// How the export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

/// One readable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    /// Position among the data rows (0-based): the pointer `/export/{index}`.
    pub index: usize,
    /// The CSV line it starts on (1-based); 0 for JSON.
    pub line: usize,
    pub sku: Cow<'a, str>,
    pub free_stock: Decimal,
    /// The OrderWise stock location; `None` when the row has none.
    pub location: Option<u32>,
}

impl Row<'_> {
    pub fn pointer(&self) -> String {
        indexed("/export", self.index)
    }

    /// "row 12" or "row 12 (CSV line 14)", for messages.
    pub fn place(&self) -> String {
        place(self.index, self.line)
    }
}

fn place(index: usize, line: usize) -> String {
    match line {
        0 => format!("row {index}"),
        n => format!("row {index} (CSV line {n})"),
    }
}

/// The rows read, and how many data rows the export held (readable or not).
#[derive(Debug, Default)]
pub struct Export<'a> {
    pub rows: Vec<Row<'a>>,
    pub read: usize,
    /// The rows that could not be read (each a `STOCK_ROW_INVALID`) whose
    /// SKU could be: a full export cannot call a variant "missing" where its
    /// row is there but unreadable.
    pub unread: Vec<Unread<'a>>,
}

/// What could be read of a row that could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread<'a> {
    pub sku: Cow<'a, str>,
    pub location: Stated,
}

/// An unreadable row's `StocklocationId`, as far as it could be read: the
/// row excuses a gap at that location only, or at every location of its
/// variant when the location itself is what could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stated {
    At(u32),
    /// No location (the settings' `exportLocationId` applies).
    Unstated,
    Unreadable,
}

impl<'a> Export<'a> {
    /// Rows that could not be read: every row counted that was not kept.
    pub fn unreadable(&self) -> usize {
        self.read - self.rows.len()
    }

    fn skip(&mut self, findings: &mut Findings, issue: Issue, unread: Option<Unread<'a>>) {
        findings.push(issue);
        self.unread.extend(unread);
    }
}

/// Reads the export; `Err` is the rejection (`STOCK_EXPORT_INVALID`). Bad
/// rows go to `findings` as `STOCK_ROW_INVALID` and are left out.
pub fn read<'a>(text: &'a str, format: Format, findings: &mut Findings) -> Result<Export<'a>, Issue> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let body = text.trim_start();
    if body.is_empty() {
        return Err(invalid(
            "/export",
            "the export is empty: no rows were sent, so no level can be judged; nothing is sent",
        ));
    }
    if body.starts_with('<') {
        return Err(invalid(
            "/export",
            "the export is an HTML page, not stock rows (the export endpoint answered with an error or sign-in page); nothing is sent",
        ));
    }
    match format {
        Format::Json => read_json(text, findings),
        Format::Csv => read_csv(text, findings),
    }
}

fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Issue {
    Issue::new(Code::STOCK_EXPORT_INVALID, pointer, message)
}

fn row_invalid(index: usize, line: usize, field: Option<&str>, why: &str) -> Issue {
    let pointer = match field {
        Some(f) => format!("{}/{f}", indexed("/export", index)),
        None => indexed("/export", index),
    };
    Issue::new(
        Code::STOCK_ROW_INVALID,
        pointer,
        format!("{} {why}; the row is skipped, the others are sent", place(index, line)),
    )
}

// ---- JSON ----

/// The columns, and spellings of them that are refused rather than taken for
/// an absent column (a `stockLocationId` row must not fall back to the
/// single-location default).
const ROW: &Names = names![
    "sku",
    "freeStock",
    "StocklocationId",
    "SKU",
    "Sku",
    "FreeStock",
    "freestock",
    "free_stock",
    "stockLocationId",
    "StockLocationId",
    "stocklocationid",
    "stock_location_id",
];

fn read_json<'a>(text: &'a str, findings: &mut Findings) -> Result<Export<'a>, Issue> {
    let mut r = Reader::new(text);
    if r.kind() != Kind::Array {
        let found = r.kind().name();
        return Err(invalid("/export", format!("expected a JSON array of stock rows, found {found}; nothing is sent")));
    }
    let mut export = Export::default();
    let walked = r.items(|r, index| {
        let start = r.offset_of_value();
        let kind = r.kind();
        r.skip()?;
        export.read += 1;
        if kind != Kind::Object {
            export.skip(findings, row_invalid(index, 0, None, &format!("is {}, not a row object", kind.name())), None);
            return Ok(());
        }
        let row = &text[start..r.offset()];
        match json_row(row, index) {
            Ok(row) => export.rows.push(row),
            Err(issue) => export.skip(findings, issue, unread_of(row)),
        }
        Ok(())
    });
    let located = |e: crate::shared::json::Error| {
        let (offset, message, pointer) = (e.offset, &e.message, pointer_of(text, &e, &[]));
        invalid(
            format!("/export{pointer}"),
            format!(
                "the export is not valid JSON at byte {offset}: {message} (malformed or cut short); nothing is sent"
            ),
        )
    };
    walked.map_err(located)?;
    r.end().map_err(located)?;
    Ok(export)
}

/// The `sku` and location of a row object that could not be read, if its
/// SKU is readable (the out-of-line readers: a bad row is the rare path).
fn unread_of(text: &str) -> Option<Unread<'_>> {
    let mut r = Reader::new(text);
    let (mut sku, mut location, mut misspelt) = (None, Stated::Unstated, false);
    r.fields_cold(ROW, Unknown::Skip, &mut |r, f| {
        match (f, r.kind()) {
            (0, Kind::String) => sku = Some(r.string_cold()?),
            (2, Kind::Number) => location = location_id(r.number()?).map_or(Stated::Unreadable, Stated::At),
            (2, Kind::String) => location = location_id(&r.string_cold()?).map_or(Stated::Unreadable, Stated::At),
            (2, kind) => {
                location = if kind == Kind::Null { Stated::Unstated } else { Stated::Unreadable };
                r.skip()?;
            }
            // A misspelt location column: which location it meant is a guess.
            (8.., _) => {
                misspelt = true;
                r.skip()?;
            }
            _ => r.skip()?,
        }
        Ok(())
    })
    .ok()?;
    let sku = sku.filter(|s| !s.is_empty())?;
    Some(Unread { sku, location: if misspelt { Stated::Unreadable } else { location } })
}

/// One row object (its own text, so an error in it stays in it).
fn json_row(text: &str, index: usize) -> Result<Row<'_>, Issue> {
    let mut r = Reader::new(text);
    let (mut sku, mut free, mut location) = (None, None, None);
    let fail = |field: Option<&str>, why: &str| row_invalid(index, 0, field, why);
    let mut members = r.object(ROW, Unknown::Skip).map_err(|e| fail(None, &e.message))?;
    loop {
        let f = match members.next(&mut r) {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(fail(None, &e.message)),
        };
        match f {
            0 => match r.kind() {
                Kind::String => sku = Some(r.string().map_err(|e| fail(Some(SKU), &e.message))?),
                other => return Err(fail(Some(SKU), &format!("has {} for `sku`, not text", other.name()))),
            },
            1 => {
                let value = match r.kind() {
                    Kind::Number => Some(Cow::Borrowed(r.number().map_err(|e| fail(Some(FREE_STOCK), &e.message))?)),
                    Kind::String => Some(r.string().map_err(|e| fail(Some(FREE_STOCK), &e.message))?),
                    _ => None,
                };
                let Some(value) = value else {
                    let kind = r.kind().name();
                    return Err(fail(Some(FREE_STOCK), &format!("has {kind} for `freeStock`, not a number")));
                };
                free = Some(free_stock(&value).map_err(|why| fail(Some(FREE_STOCK), &why))?);
            }
            2 => {
                location = match r.kind() {
                    Kind::Null => {
                        r.skip().map_err(|e| fail(Some(LOCATION), &e.message))?;
                        None
                    }
                    Kind::Number => {
                        let n = r.number().map_err(|e| fail(Some(LOCATION), &e.message))?;
                        Some(location_id(n).map_err(|why| fail(Some(LOCATION), &why))?)
                    }
                    Kind::String => {
                        let s = r.string().map_err(|e| fail(Some(LOCATION), &e.message))?;
                        Some(location_id(&s).map_err(|why| fail(Some(LOCATION), &why))?)
                    }
                    other => return Err(fail(Some(LOCATION), &format!("has {} for `StocklocationId`", other.name()))),
                }
            }
            other => {
                let key = ROW.name(other);
                let meant = if other <= 4 {
                    SKU
                } else if other <= 7 {
                    FREE_STOCK
                } else {
                    LOCATION
                };
                return Err(fail(
                    None,
                    &format!("has a column `{key}`, not spelled `{meant}` as the export's rows are"),
                ));
            }
        }
    }
    let sku = sku.ok_or_else(|| fail(None, "has no `sku`"))?;
    let free_stock = free.ok_or_else(|| fail(None, "has no `freeStock`"))?;
    Ok(Row { index, line: 0, sku, free_stock, location })
}

/// Free stock, exactly: a decimal within ±`MAX_FREE_STOCK`.
fn free_stock(text: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    let value = parse_decimal(trimmed).ok_or_else(|| format!("has freeStock {text:?}, not a number"))?;
    if value.abs() > Decimal::from(MAX_FREE_STOCK) {
        return Err(format!("has freeStock {trimmed}, beyond the {MAX_FREE_STOCK} a real level can be"));
    }
    Ok(value)
}

fn location_id(text: &str) -> Result<u32, String> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("has StocklocationId {text:?}, not a whole-number location id"));
    }
    t.parse().map_err(|_| format!("has StocklocationId {t}, beyond any location id"))
}

// ---- CSV ----

/// One CSV record: the line it starts on and its fields.
struct Record<'a> {
    line: usize,
    fields: Vec<Cow<'a, str>>,
}

/// Splits CSV text (RFC 4180: comma-separated, fields optionally in double
/// quotes with `""` for a quote, CRLF or LF line ends) into records. `Err`
/// is the line of a quoted field that is never closed (an export cut short).
fn records(text: &str) -> Result<Vec<Record<'_>>, usize> {
    let b = text.as_bytes();
    let (mut out, mut i, mut line) = (Vec::new(), 0, 1);
    while i < b.len() {
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            // One field.
            if b.get(i) == Some(&b'"') {
                let open_line = line;
                let mut value = String::new();
                let mut from = i + 1;
                let mut j = from;
                loop {
                    match b.get(j) {
                        None => return Err(open_line),
                        Some(b'"') if b.get(j + 1) == Some(&b'"') => {
                            value.push_str(&text[from..=j]);
                            j += 2;
                            from = j;
                        }
                        Some(b'"') => {
                            value.push_str(&text[from..j]);
                            j += 1;
                            break;
                        }
                        Some(b'\n') => {
                            line += 1;
                            j += 1;
                        }
                        Some(_) => j += 1,
                    }
                }
                // Anything between the closing quote and the separator is kept as is.
                let rest = j;
                while j < b.len() && b[j] != b',' && b[j] != b'\n' {
                    j += 1;
                }
                value.push_str(text[rest..j].trim_end_matches('\r'));
                fields.push(Cow::Owned(value));
                i = j;
            } else {
                let mut j = i;
                while j < b.len() && b[j] != b',' && b[j] != b'\n' {
                    j += 1;
                }
                fields.push(Cow::Borrowed(text[i..j].trim_end_matches('\r')));
                i = j;
            }
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        out.push(Record { line: start_line, fields });
    }
    Ok(out)
}

fn read_csv<'a>(text: &'a str, findings: &mut Findings) -> Result<Export<'a>, Issue> {
    let records = records(text).map_err(|line| {
        invalid(
            "/export",
            format!(
                "CSV line {line} opens a quoted field that is never closed: the export is cut short; nothing is sent"
            ),
        )
    })?;
    let mut records = records.into_iter().filter(|r| !r.fields.iter().all(|f| f.trim().is_empty()));
    let Some(header) = records.next() else {
        return Err(invalid("/export", "the export holds no CSV header and no rows; nothing is sent"));
    };
    let column = |name: &str| header.fields.iter().position(|f| f.trim().eq_ignore_ascii_case(name));
    let (Some(sku_at), Some(free_at)) = (column(SKU), column(FREE_STOCK)) else {
        let found: Vec<String> = header.fields.iter().map(|f| format!("{:?}", f.trim())).collect();
        return Err(invalid(
            "/export",
            format!(
                "CSV line {}: the header must name the columns `{SKU}` and `{FREE_STOCK}` (and `{LOCATION}` for several locations), found {}; nothing is sent",
                header.line,
                found.join(", ")
            ),
        ));
    };
    let location_at = column(LOCATION);
    let mut export = Export::default();
    for (index, record) in records.enumerate() {
        export.read += 1;
        let line = record.line;
        if record.fields.len() != header.fields.len() {
            let why = format!(
                "has {} fields where the header has {} (cut short, or a stray comma)",
                record.fields.len(),
                header.fields.len()
            );
            // The fields are not where the header says: not even the SKU is known.
            export.skip(findings, row_invalid(index, line, None, &why), None);
            continue;
        }
        let mut fields = record.fields;
        let sku = std::mem::take(&mut fields[sku_at]);
        if sku.is_empty() {
            export.skip(findings, row_invalid(index, line, Some(SKU), "has no SKU"), None);
            continue;
        }
        let location = match location_at.map(|at| fields[at].trim()) {
            None | Some("") => Ok(None),
            Some(text) => location_id(text).map(Some),
        };
        let free = match free_stock(&fields[free_at]) {
            Ok(v) => v,
            Err(why) => {
                let location = location.map_or(Stated::Unreadable, |l| l.map_or(Stated::Unstated, Stated::At));
                export.skip(findings, row_invalid(index, line, Some(FREE_STOCK), &why), Some(Unread { sku, location }));
                continue;
            }
        };
        let location = match location {
            Ok(location) => location,
            Err(why) => {
                let unread = Unread { sku, location: Stated::Unreadable };
                export.skip(findings, row_invalid(index, line, Some(LOCATION), &why), Some(unread));
                continue;
            }
        };
        export.rows.push(Row { index, line, sku, free_stock: free, location });
    }
    Ok(export)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (SKU, free stock, location) of each row read.
    type Read = Vec<(String, String, Option<u32>)>;

    fn rows(text: &str, format: Format) -> (Read, Vec<Issue>) {
        let mut findings = Findings::default();
        let export = read(text, format, &mut findings).expect("readable");
        let rows = export.rows.iter().map(|r| (r.sku.to_string(), r.free_stock.to_string(), r.location)).collect();
        (rows, findings.finish())
    }

    fn rejected(text: &str, format: Format) -> Issue {
        read(text, format, &mut Findings::default()).expect_err("refused")
    }

    #[test]
    fn json_and_csv_exports_read_the_same_rows() {
        let json = r#"[{"sku":"A","freeStock":12,"StocklocationId":1},{"sku":"B","freeStock":-2.5}]"#;
        let csv = "sku,freeStock,StocklocationId\r\nA,12,1\r\n\"B\",-2.5,\r\n";
        let expected = vec![("A".into(), "12".into(), Some(1)), ("B".into(), "-2.5".into(), None)];
        assert_eq!(rows(json, Format::Json), (expected.clone(), vec![]));
        assert_eq!(rows(csv, Format::Csv), (expected, vec![]));
    }

    #[test]
    fn a_bad_row_is_skipped_and_the_rest_are_read() {
        let json = r#"[{"sku":"A","freeStock":"lots"},{"sku":"B","freeStock":3},7,{"freeStock":1}]"#;
        let (rows, issues) = rows(json, Format::Json);
        assert_eq!(rows, vec![("B".into(), "3".into(), None)]);
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(pointers, ["/export/0/freeStock", "/export/2", "/export/3"]);
    }

    #[test]
    fn unreadable_rows_are_counted_with_the_skus_they_name() {
        let json = r#"[{"freeStock":"1,440","sku":"A"},{"sku":"B","freeStock":3},{"sku":7,"freeStock":1},"C"]"#;
        let csv = "sku,freeStock\nA,\"1,440\"\nB,3\n,1\nD,4,5\n";
        for (text, format) in [(json, Format::Json), (csv, Format::Csv)] {
            let mut findings = Findings::default();
            let export = read(text, format, &mut findings).expect("readable");
            assert_eq!(export.unreadable(), 3, "{format:?}");
            let skus: Vec<&str> = export.unread.iter().map(|u| u.sku.as_ref()).collect();
            assert_eq!(skus, ["A"], "{format:?}: only the first names its SKU");
        }
    }

    #[test]
    fn an_unreadable_row_keeps_its_location_when_that_could_be_read() {
        let json = r#"[{"sku":"A","freeStock":"x","StocklocationId":2},{"sku":"B","freeStock":"x"},
            {"sku":"C","freeStock":1,"StocklocationId":"north"},{"sku":"D","freeStock":"x","stockLocationId":2}]"#;
        let csv = "sku,freeStock,StocklocationId\nA,x,2\nB,x,\nC,1,north\nD,x,two\n";
        let expected = [Stated::At(2), Stated::Unstated, Stated::Unreadable, Stated::Unreadable];
        for (text, format) in [(json, Format::Json), (csv, Format::Csv)] {
            let mut findings = Findings::default();
            let export = read(text, format, &mut findings).expect("readable");
            let read: Vec<(&str, Stated)> = export.unread.iter().map(|u| (u.sku.as_ref(), u.location)).collect();
            assert_eq!(read, ["A", "B", "C", "D"].into_iter().zip(expected).collect::<Vec<_>>(), "{format:?}");
        }
    }

    #[test]
    fn a_misspelt_location_column_refuses_the_row() {
        let (rows, issues) = rows(r#"[{"sku":"A","freeStock":1,"stockLocationId":2}]"#, Format::Json);
        assert!(rows.is_empty());
        assert!(issues[0].message.contains("not spelled `StocklocationId`"), "{}", issues[0].message);
    }

    #[test]
    fn broken_exports_are_refused_whole() {
        for (text, format, says) in [
            ("", Format::Json, "empty"),
            ("  \n", Format::Csv, "empty"),
            ("<html><body>502 Bad Gateway</body></html>", Format::Json, "HTML"),
            (r#"[{"sku":"A","freeStock":1},{"sku":"B","free"#, Format::Json, "cut short"),
            (r#"{"rows":[]}"#, Format::Json, "expected a JSON array"),
            ("sku,freeStock\nA,1\n\"B,2\n", Format::Csv, "never closed"),
            ("code;stock\nA;1\n", Format::Csv, "header must name"),
        ] {
            let issue = rejected(text, format);
            assert_eq!(issue.code, Code::STOCK_EXPORT_INVALID);
            assert!(issue.message.contains(says), "{text:?}: {}", issue.message);
        }
    }

    #[test]
    fn a_csv_row_cut_short_is_named_by_its_line() {
        let (rows, issues) = rows("sku,freeStock,StocklocationId\nA,1,1\nB,2", Format::Csv);
        assert_eq!(rows.len(), 1);
        assert!(issues[0].message.starts_with("row 1 (CSV line 3) has 2 fields"), "{}", issues[0].message);
    }
}
