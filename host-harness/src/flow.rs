//! The flows one component serves, and what the harness needs to know of
//! each: which function to call, which files hold a recorded case, and how
//! its outcome is named in golden files and batch output. Everything else
//! (limits, replay, batch, diff, bench) is the same for every flow.
//!
//! Adding a flow: a variant here, its call in `call`, its WIT interface in
//! `wit/bridge.wit`, and a folder of cases under `fixtures/<flow>/`.

use crate::bridge::bindings::exports::sparklayer_orderwise::bridge::stock as wit_stock;
use crate::bridge::bindings::sparklayer_orderwise::bridge::types as wit;
use crate::bridge::Interface;
use crate::report::{Issue, LocationCount, Outcome, Owner, Severity, Status};
use crate::stock::{ExportFormat, StockCall};
use serde::Serialize;
use serde_json::value::RawValue;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// SparkLayer order -> OrderWise sales order (`orders.map-order`).
    Orders,
    /// OrderWise stock export -> SparkLayer `batch-update-stock` requests (`stock.map-stock`, 0.2.1).
    Stock,
    /// SparkLayer pack set-up checked against OrderWise units (`stock.check-catalog`, 0.2.1).
    Catalog,
}

/// A call's input as the component is handed it.
pub enum Prepared<'a> {
    /// Handed over as it is: the order or catalog text, borrowed.
    Text(&'a str),
    Stock(StockCall),
}

impl Prepared<'_> {
    /// Bytes handed to the component (what the input cap applies to).
    pub fn bytes(&self) -> u64 {
        match self {
            Prepared::Text(t) => t.len() as u64,
            Prepared::Stock(c) => (c.export.len() + c.current.as_ref().map_or(0, String::len)) as u64,
        }
    }
}

impl Flow {
    pub const ALL: [Flow; 3] = [Flow::Orders, Flow::Stock, Flow::Catalog];

    pub fn name(self) -> &'static str {
        match self {
            Flow::Orders => "orders",
            Flow::Stock => "stock",
            Flow::Catalog => "catalog",
        }
    }

    /// The WIT function a call runs, for reports ("map-order used all its fuel").
    pub fn function(self) -> &'static str {
        match self {
            Flow::Orders => "map-order",
            Flow::Stock => "map-stock",
            Flow::Catalog => "check-catalog",
        }
    }

    /// The files a recorded case keeps its payload in: JSON (or CSV), or the
    /// raw body when it is not JSON (an HTML error page, an empty body). A
    /// stock case may hold `current.json` and `range.json` beside its export
    /// (see `crate::stock`).
    pub fn payload_files(self) -> &'static [&'static str] {
        match self {
            Flow::Orders => &["order.json", "order.txt"],
            Flow::Stock => &["export.json", "export.csv", "export.txt"],
            Flow::Catalog => &["setup.json", "setup.txt"],
        }
    }

    /// The flow whose payload file this is.
    pub fn of_payload_file(name: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|f| f.payload_files().contains(&name))
    }

    /// The outcome's key field in golden files and batch output, if it has one.
    pub fn key_field(self) -> Option<&'static str> {
        match self {
            Flow::Orders => Some("orderKey"),
            Flow::Stock => Some("range"),
            Flow::Catalog => None,
        }
    }

    /// The outcome's document field (what is sent to the target system, or the summary).
    pub fn document_field(self) -> &'static str {
        match self {
            Flow::Orders => "salesOrder",
            Flow::Stock => "stockUpdate",
            Flow::Catalog => "checked",
        }
    }

    /// Turns the recorded input into what the component is handed: the text
    /// itself, or a stock call (a JSON line naming the export, its format,
    /// the current levels and the range: `crate::stock::StockCall`).
    pub fn prepare(self, input: &str) -> Result<Prepared<'_>, String> {
        match self {
            Flow::Orders | Flow::Catalog => Ok(Prepared::Text(input)),
            Flow::Stock => StockCall::parse(input).map(Prepared::Stock),
        }
    }

    /// Calls the flow's function on an instance with a profile.
    pub(crate) fn call<T: 'static>(
        self,
        store: &mut Store<T>,
        interface: Interface<'_>,
        profile: ResourceAny,
        input: Prepared<'_>,
    ) -> wasmtime::Result<Result<Outcome, String>> {
        match (self, interface, input) {
            (Flow::Orders, Interface::Orders(orders), Prepared::Text(text)) => {
                let outcome = orders.call_map_order(store, profile, text)?;
                Ok(order_outcome(outcome))
            }
            (Flow::Catalog, Interface::Stock(stock), Prepared::Text(text)) => {
                let o = stock.call_check_catalog(store, profile, text)?;
                Ok(Ok(catalog_outcome(o)))
            }
            (Flow::Stock, Interface::Stock(stock), Prepared::Stock(call)) => {
                let range = call.range.clone().map(|r| wit_stock::SkuRange { first: r.first, before: r.before });
                let input = wit_stock::StockInput {
                    export_body: call.export,
                    format: match call.format {
                        ExportFormat::Json => wit_stock::ExportFormat::Json,
                        ExportFormat::Csv => wit_stock::ExportFormat::Csv,
                    },
                    current: call.current,
                    range,
                };
                let o = stock.call_map_stock(store, profile, &input)?;
                Ok(stock_outcome(o, input.range.as_ref()))
            }
            (flow, _, _) => Err(wasmtime::format_err!("the {flow} flow was handed another flow's input")),
        }
    }
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The orders flow's outcome in the harness's types; a contract violation
/// is the error: a sales order that is not a JSON object, a `ready` order
/// with none to post, or a `rejected` one that carries one anyway
/// (wit/bridge.wit, `outcome`).
fn order_outcome(o: wit::Outcome) -> Result<Outcome, String> {
    match (&o.status, &o.sales_order) {
        (wit::Status::Ready, None) => return Err("contract broken: a ready outcome without a sales order".into()),
        (wit::Status::Rejected, Some(_)) => return Err("contract broken: a rejected outcome with a sales order".into()),
        _ => {}
    }
    let document = match o.sales_order {
        Some(text) => Some(
            RawValue::from_string(text)
                .map_err(|e| format!("contract broken: a sales order that is not JSON: {e}"))
                .and_then(|raw| match raw.get().starts_with('{') {
                    true => Ok(raw),
                    false => Err("contract broken: a sales order that is not a JSON object".to_owned()),
                })?,
        ),
        None => None,
    };
    Ok(Outcome {
        flow: Flow::Orders,
        status: status(o.status),
        key: o.order_key,
        issues: o.issues.into_iter().map(issue).collect(),
        document,
        locations: Vec::new(),
    })
}

/// A stock call's outcome: the requests (each must be a JSON array) and the
/// counts become the document `{rows, locations, requests}`.
fn stock_outcome(o: wit_stock::StockOutcome, range: Option<&wit_stock::SkuRange>) -> Result<Outcome, String> {
    let mut requests = Vec::with_capacity(o.requests.len());
    for (i, text) in o.requests.into_iter().enumerate() {
        let raw = RawValue::from_string(text)
            .map_err(|e| format!("the component returned request {i} that is not JSON: {e}"))?;
        if !raw.get().starts_with('[') {
            return Err(format!("the component returned request {i} that is not a JSON array"));
        }
        requests.push(raw);
    }
    let locations: Vec<LocationCount> = o
        .locations
        .into_iter()
        .map(|c| LocationCount {
            location: c.location,
            sent: c.sent.into(),
            unchanged: c.unchanged.into(),
            clamped: c.clamped.into(),
            drifted: c.drifted.into(),
            missing: c.missing.into(),
        })
        .collect();
    #[derive(Serialize)]
    struct Document<'a> {
        rows: u32,
        locations: &'a [LocationCount],
        requests: &'a [Box<RawValue>],
    }
    let status = status(o.status);
    let document = (status != Status::Rejected).then(|| {
        let text = serde_json::to_string(&Document { rows: o.rows, locations: &locations, requests: &requests })
            .expect("counts and JSON text serialise");
        RawValue::from_string(text).expect("serde_json writes JSON")
    });
    let key = range.map(|r| format!("{}..{}", r.first.as_deref().unwrap_or(""), r.before.as_deref().unwrap_or("")));
    Ok(Outcome {
        flow: Flow::Stock,
        status,
        key: Some(key.unwrap_or_else(|| "all".to_owned())),
        issues: o.issues.into_iter().map(issue).collect(),
        document,
        locations,
    })
}

fn catalog_outcome(o: wit_stock::CatalogOutcome) -> Outcome {
    let status = status(o.status);
    let document = (status != Status::Rejected).then(|| {
        RawValue::from_string(format!("{{\"skus\":{},\"packs\":{}}}", o.skus, o.packs)).expect("two numbers are JSON")
    });
    Outcome {
        flow: Flow::Catalog,
        status,
        key: None,
        issues: o.issues.into_iter().map(issue).collect(),
        document,
        locations: Vec::new(),
    }
}

fn status(s: wit::Status) -> Status {
    match s {
        wit::Status::Ready => Status::Ready,
        wit::Status::Review => Status::Review,
        wit::Status::Rejected => Status::Rejected,
    }
}

fn issue(i: wit::Issue) -> Issue {
    Issue {
        code: i.code,
        severity: match i.severity {
            wit::Severity::Error => Severity::Error,
            wit::Severity::Warning => Severity::Warning,
            wit::Severity::Info => Severity::Info,
        },
        owner: match i.owner {
            wit::Owner::Finance => Owner::Finance,
            wit::Owner::Operations => Owner::Operations,
            wit::Owner::Ecommerce => Owner::Ecommerce,
            wit::Owner::Integration => Owner::Integration,
        },
        pointer: i.pointer,
        message: i.message,
    }
}
