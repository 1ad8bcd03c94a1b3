//! The only WIT-aware file: converts between the generated bindings and the
//! plain-Rust core. No logic lives here.

use crate::issues::{Issue, Owner, Severity};
use crate::outcome::{Outcome, Status};

wit_bindgen::generate!({
    world: "bridge",
    path: "../wit",
});

use exports::sparklayer_orderwise::bridge::mapper::{self, GuestProfile};
use sparklayer_orderwise::bridge::types as wit;

struct Component;

impl mapper::Guest for Component {
    type Profile = crate::profile::Profile;

    fn component_version() -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }
}

impl GuestProfile for crate::profile::Profile {
    fn parse(json: String) -> Result<mapper::Profile, wit::ProfileError> {
        crate::profile::Profile::parse(&json)
            .map(mapper::Profile::new)
            .map_err(|e| wit::ProfileError { field: e.field, message: e.message })
    }

    fn map_order(&self, order: String) -> wit::Outcome {
        to_wit(crate::order::map_order(self, &order))
    }
}

fn to_wit(outcome: Outcome) -> wit::Outcome {
    wit::Outcome {
        status: match outcome.status {
            Status::Ready => wit::Status::Ready,
            Status::Review => wit::Status::Review,
            Status::Rejected => wit::Status::Rejected,
        },
        order_key: outcome.order_key,
        // Serialising plain structs of strings, integers and decimals cannot fail.
        sales_order: outcome.sales_order.map(|s| serde_json::to_string(&s).unwrap_or_default()),
        issues: outcome.issues.into_iter().map(issue).collect(),
    }
}

fn issue(i: Issue) -> wit::Issue {
    wit::Issue {
        code: i.code.to_owned(),
        severity: match i.severity {
            Severity::Error => wit::Severity::Error,
            Severity::Warning => wit::Severity::Warning,
            Severity::Info => wit::Severity::Info,
        },
        pointer: i.pointer,
        message: i.message,
        owner: match i.owner {
            Owner::Finance => wit::Owner::Finance,
            Owner::Operations => wit::Owner::Operations,
            Owner::Ecommerce => wit::Owner::Ecommerce,
            Owner::Integration => wit::Owner::Integration,
        },
    }
}

export!(Component);
