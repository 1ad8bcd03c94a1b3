//! The bridge's own outcomes: one JSON object per line, as `host-harness
//! batch` writes them (`{"line", "outcome": {"status", "orderKey", "issues",
//! "salesOrder"}, "failure", "metrics", …}`), or the platform's log in the
//! same shape with the time it recorded each one (`recordedAt`, RFC 3339).
//! Only what the reconciliation uses is read; the rest is passed over.

use crate::reconcile::inputs::{BadRow, Input};
use crate::shared::issues::{Owner, Severity};
use crate::shared::json::{names, Error, Kind, Names, Reader, Unknown};
use crate::shared::pointer::pointer_of;
use crate::shared::time::{parse_stamp, Instant, TimeZone};

/// What the platform did with the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ready,
    Review,
    Rejected,
    /// The platform stopped the component (fuel, memory, trap…): the kind.
    Stopped(String),
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::Review => "review",
            Status::Rejected => "rejected",
            Status::Stopped(_) => "stopped",
        }
    }
}

/// One issue of an outcome, as much as the reconciliation routes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeIssue {
    pub code: String,
    pub severity: Severity,
    pub owner: Owner,
    pub message: String,
}

/// Which flow an outcome is of: told by its key field (`orderKey` for
/// orders, `range` for stock) and its document (`stockUpdate`, `checked`).
/// A stopped call's line has no outcome and so names no flow: it reads as an
/// order's unless the file is known to be the stock flow's (`report --stock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Orders,
    Stock,
    Catalog,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeOutcome {
    pub flow: Flow,
    /// Line in the outcomes file: the tie-breaker when no time was recorded.
    pub line: u64,
    /// `line` as `batch` wrote it: the payload's line in the orders file it
    /// read, which names an outcome that has no order key (a stopped run).
    pub payload_line: Option<u64>,
    /// The order key; for a stock call, the range of the export it covered.
    pub key: Option<String>,
    pub recorded_at: Option<Instant>,
    pub status: Status,
    pub issues: Vec<OutcomeIssue>,
}

const LINE: &Names = names!["line", "recordedAt", "outcome", "failure"];
const OUTCOME: &Names = names!["status", "orderKey", "issues", "range", "stockUpdate", "checked"];
const ISSUE: &Names = names!["code", "severity", "owner", "message"];

/// Reads one line of the outcomes file.
pub fn read(text: &str, line: u64, zone: TimeZone) -> Result<BridgeOutcome, BadRow> {
    let located = |e: Error| {
        let at = pointer_of(text, &e, &[]);
        let at = if at.is_empty() { String::new() } else { format!(" at {at}") };
        BadRow::new(Input::Outcomes, line, format!("not a bridge outcome{at}: {}", e.message))
    };
    let mut r = Reader::new(text);
    let mut out = BridgeOutcome {
        flow: Flow::Orders,
        line,
        payload_line: None,
        key: None,
        recorded_at: None,
        status: Status::Rejected,
        issues: Vec::new(),
    };
    let (mut status, mut failure) = (None, None);
    r.fields(LINE, Unknown::Skip, |r, f| {
        let at = r.offset_of_value();
        match f {
            0 => out.payload_line = if r.null() { None } else { Some(u64::from(r.u32()?)) },
            1 if r.null() => {}
            1 => {
                let stamp = r.string()?;
                let stamp = parse_stamp(&stamp).filter(|s| s.offset.is_some()).ok_or_else(|| {
                    Error::at(at, format!("recordedAt {stamp:?} is not an RFC 3339 timestamp with an offset"))
                })?;
                out.recorded_at = Some(stamp.instant(zone));
            }
            2 if r.null() => {}
            2 => {
                r.fields(OUTCOME, Unknown::Skip, |r, f| {
                    let at = r.offset_of_value();
                    match f {
                        0 => {
                            status = Some(match r.string()?.as_ref() {
                                "ready" => Status::Ready,
                                "review" => Status::Review,
                                "rejected" => Status::Rejected,
                                other => {
                                    return Err(Error::at(
                                        at,
                                        format!("unknown status {other:?}, expected ready, review or rejected"),
                                    ))
                                }
                            })
                        }
                        1 if r.null() => {}
                        1 => out.key = Some(r.string()?.trim().to_owned()).filter(|k| !k.is_empty()),
                        2 => {
                            r.items(|r, _| {
                                out.issues.push(issue(r)?);
                                Ok(())
                            })?;
                        }
                        3 => {
                            out.flow = Flow::Stock;
                            if !r.null() {
                                out.key = Some(r.string()?.into_owned());
                            }
                        }
                        4 => {
                            out.flow = Flow::Stock;
                            r.skip()?;
                        }
                        _ => {
                            out.flow = Flow::Catalog;
                            r.skip()?;
                        }
                    }
                    Ok(())
                })?;
            }
            _ if r.null() => {}
            _ => {
                // `{"kind": "fuel-exhausted", "detail": "…"}`: the kind is enough.
                let mut kind = String::from("stopped");
                if r.kind() == Kind::Object {
                    r.fields(names!["kind"], Unknown::Skip, |r, _| {
                        kind = r.string()?.into_owned();
                        Ok(())
                    })?;
                } else {
                    r.skip()?;
                }
                failure = Some(kind);
            }
        }
        Ok(())
    })
    .map_err(located)?;
    r.end().map_err(located)?;
    out.status = match (status, failure) {
        (_, Some(kind)) => Status::Stopped(kind),
        (Some(s), None) => s,
        (None, None) => {
            return Err(BadRow::new(
                Input::Outcomes,
                line,
                "no `outcome.status` and no `failure`: not a bridge outcome",
            ))
        }
    };
    if out.flow == Flow::Orders && out.key.is_none() && out.payload_line.is_none() {
        return Err(BadRow::new(
            Input::Outcomes,
            line,
            "the outcome names no order: no `outcome.orderKey` and no payload `line`",
        ));
    }
    Ok(out)
}

fn issue(r: &mut Reader) -> Result<OutcomeIssue, Error> {
    let mut i = OutcomeIssue {
        code: String::new(),
        severity: Severity::Error,
        owner: Owner::Integration,
        message: String::new(),
    };
    r.fields(ISSUE, Unknown::Skip, |r, f| {
        let at = r.offset_of_value();
        let text = r.string()?;
        match f {
            0 => i.code = text.into_owned(),
            1 => {
                i.severity = match text.as_ref() {
                    "error" => Severity::Error,
                    "warning" => Severity::Warning,
                    "info" => Severity::Info,
                    other => return Err(Error::at(at, format!("unknown severity {other:?}"))),
                }
            }
            2 => i.owner = owner(&text).ok_or_else(|| Error::at(at, format!("unknown owner {text:?}")))?,
            _ => i.message = text.into_owned(),
        }
        Ok(())
    })?;
    Ok(i)
}

pub fn owner(text: &str) -> Option<Owner> {
    Some(match text {
        "finance" => Owner::Finance,
        "operations" => Owner::Operations,
        "ecommerce" => Owner::Ecommerce,
        "integration" => Owner::Integration,
        _ => return None,
    })
}

/// Whether `new` replaces `old` as the outcome that counts for an order: the
/// one the platform recorded last. One order over all outcomes, so the
/// winner is the same whatever order the file lists them in: by
/// `recordedAt`, an outcome with one after any without; a tie, or two
/// without, by file order, the later line winning. (Comparing times only
/// when both had them was not transitive: with timed and untimed outcomes
/// mixed, the file's order chose the winner.)
pub fn supersedes(new: &BridgeOutcome, old: &BridgeOutcome) -> bool {
    (new.recorded_at, new.line) > (old.recorded_at, old.line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_line_is_read() {
        let text = r#"{"line":3,"outcome":{"status":"review","orderKey":"B2B1","issues":[{"code":"PO_MISSING","severity":"error","owner":"finance","pointer":"/x","message":"m"}],"salesOrder":{"a":[1,2]}},"failure":null,"metrics":{"fuel":1}}"#;
        let o = read(text, 7, TimeZone::EuropeLondon).unwrap();
        assert_eq!((o.line, o.payload_line, o.key.as_deref()), (7, Some(3), Some("B2B1")));
        assert_eq!(o.status, Status::Review);
        assert_eq!(o.issues[0].owner, Owner::Finance);
    }

    #[test]
    fn a_stopped_run_and_a_recorded_time_are_read() {
        let text = r#"{"line":4,"recordedAt":"2025-03-31T22:00:00Z","outcome":null,"failure":{"kind":"fuel-exhausted","detail":"d"}}"#;
        let o = read(text, 1, TimeZone::EuropeLondon).unwrap();
        assert_eq!(o.status, Status::Stopped("fuel-exhausted".into()));
        assert!(o.recorded_at.is_some() && o.key.is_none());
    }

    #[test]
    fn a_stock_outcome_is_told_from_an_order_outcome() {
        let text = r#"{"line":1,"outcome":{"status":"ready","range":"all","issues":[{"code":"STOCK_DRIFT","severity":"warning","owner":"operations","pointer":"/current/5","message":"MILK-UHT-1L at OW-1: 54 against 48"}],"stockUpdate":{"rows":6}},"failure":null}"#;
        let o = read(text, 1, TimeZone::EuropeLondon).unwrap();
        assert_eq!((o.flow, o.key.as_deref()), (Flow::Stock, Some("all")));
        assert_eq!(o.issues[0].code, "STOCK_DRIFT");
    }

    #[test]
    fn bad_lines_say_why() {
        let e = read("{\"outcome\":{\"status\":\"done\"}}", 9, TimeZone::EuropeLondon).unwrap_err();
        assert_eq!(e.line, 9);
        assert!(e.message.contains("unknown status \"done\""), "{}", e.message);
        assert!(read("not json", 1, TimeZone::EuropeLondon).is_err());
        assert!(read("{\"line\":2}", 1, TimeZone::EuropeLondon).unwrap_err().message.contains("no `outcome.status`"));
    }
}
