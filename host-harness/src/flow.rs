//! The flows one component serves, and what the harness needs to know of
//! each: which function to call, which files hold a recorded case, and how
//! its outcome is named in golden files and batch output. Everything else
//! (limits, replay, batch, diff, bench) is the same for every flow.
//!
//! Adding a flow: a variant here, its call in `call`, its WIT interface in
//! `wit/bridge.wit`, and a folder of cases under `fixtures/<flow>/`.

use crate::bridge::bindings::sparklayer_orderwise::bridge::types as wit;
use crate::bridge::bindings::Bridge as Bindings;
use crate::report::{Issue, Outcome, Owner, Severity, Status};
use serde::Serialize;
use wasmtime::component::ResourceAny;
use wasmtime::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flow {
    /// SparkLayer order -> OrderWise sales order (`orders.map-order`).
    Orders,
}

impl Flow {
    pub const ALL: [Flow; 1] = [Flow::Orders];

    pub fn name(self) -> &'static str {
        match self {
            Flow::Orders => "orders",
        }
    }

    /// The WIT function a call runs, for reports ("map-order used all its fuel").
    pub fn function(self) -> &'static str {
        match self {
            Flow::Orders => "map-order",
        }
    }

    /// The files a recorded case keeps its payload in: JSON, or the raw body
    /// when it is not JSON (an HTML error page, an empty body).
    pub fn payload_files(self) -> &'static [&'static str] {
        match self {
            Flow::Orders => &["order.json", "order.txt"],
        }
    }

    /// The flow whose payload file this is.
    pub fn of_payload_file(name: &str) -> Option<Flow> {
        Flow::ALL.into_iter().find(|f| f.payload_files().contains(&name))
    }

    /// The outcome's key field in golden files and batch output.
    pub fn key_field(self) -> &'static str {
        match self {
            Flow::Orders => "orderKey",
        }
    }

    /// The outcome's document field (what is sent to the target system).
    pub fn document_field(self) -> &'static str {
        match self {
            Flow::Orders => "salesOrder",
        }
    }

    /// Calls the flow's function on an instance with a profile.
    pub(crate) fn call<T: 'static>(
        self,
        store: &mut Store<T>,
        instance: &Bindings,
        profile: ResourceAny,
        input: &str,
    ) -> wasmtime::Result<Result<Outcome, String>> {
        match self {
            Flow::Orders => {
                let outcome = instance.sparklayer_orderwise_bridge_orders().call_map_order(store, profile, input)?;
                Ok(order_outcome(outcome))
            }
        }
    }
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The orders flow's outcome in the harness's types; a contract violation
/// (a sales order that is not JSON) is the error.
fn order_outcome(o: wit::Outcome) -> Result<Outcome, String> {
    let document = match o.sales_order {
        Some(text) => Some(
            serde_json::value::RawValue::from_string(text)
                .map_err(|e| format!("the component returned a sales order that is not JSON: {e}"))?,
        ),
        None => None,
    };
    Ok(Outcome {
        flow: Flow::Orders,
        status: status(o.status),
        key: o.order_key,
        issues: o.issues.into_iter().map(issue).collect(),
        document,
    })
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
