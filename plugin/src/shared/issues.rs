//! Issue codes: the stable vocabulary the bridge uses to tell a team what to fix.
//!
//! Every code is declared once here with its owner and default severity, and
//! documented once in docs/issue-codes.md (a test keeps the two in step).

use serde::Serialize;

/// The team that has to act (mirrors the WIT `owner` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    Finance,
    Operations,
    Ecommerce,
    Integration,
}

/// How serious an issue is (mirrors the WIT `severity` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident => ($sev:ident, $owner:ident), )*) => {
        /// Every issue code the bridge can emit.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        #[allow(non_camel_case_types)]
        pub enum Code { $( $(#[$doc])* $name, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The stable UPPER_SNAKE text of the code.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => stringify!($name),)* }
            }

            /// Severity unless a profile policy says otherwise (e.g. `PO_MISSING`).
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev,)* }
            }

            pub fn owner(self) -> Owner {
                match self { $(Code::$name => Owner::$owner,)* }
            }
        }
    };
}

codes! {
    /// The payload is not a usable order (not JSON, wrong shape, missing keys): rejected.
    PAYLOAD_INVALID => (Error, Integration),
    /// The Shopify customer has no OrderWise account in the profile.
    CUSTOMER_UNMAPPED => (Error, Finance),
    /// The OrderWise variant code a line resolves to is not in the catalog.
    SKU_UNKNOWN => (Error, Operations),
    /// A case / pack SKU or pack selection has no unit-map entry.
    UOM_UNMAPPED => (Error, Operations),
    /// The quantity breaks the pack-size multiple or the min / max order quantity.
    PACK_QUANTITY_INVALID => (Error, Ecommerce),
    /// A VAT rate on the order has no OrderWise taxRateId in the profile.
    TAX_RATE_UNMAPPED => (Error, Integration),
    /// The net or gross OrderWise would compute differs from SparkLayer's beyond tolerance.
    TOTAL_MISMATCH => (Error, Finance),
    /// The VAT OrderWise would compute differs from SparkLayer's beyond tolerance.
    VAT_MISMATCH => (Error, Finance),
    /// A line's `Charged Price` disagrees with its price less discounts.
    LINE_PRICE_MISMATCH => (Error, Finance),
    /// A unit price OrderWise cannot hold exactly was sent as two lines that sum exactly.
    UNIT_PRICE_SPLIT => (Info, Finance),
    /// A unit price OrderWise cannot hold exactly, and the profile says review.
    UNIT_PRICE_INEXACT => (Error, Finance),
    /// No customer PO reference was found in any configured source.
    PO_MISSING => (Error, Finance),
    /// The PO reference is longer than OrderWise's field; never truncated.
    PO_TOO_LONG => (Error, Finance),
    /// An on-account order whose customer credit does not cover it.
    PAY_ON_ACCOUNT_CREDIT => (Error, Finance),
    /// A pay-upfront order that Shopify has not marked paid or authorised.
    PAYMENT_UNCONFIRMED => (Error, Finance),
    /// A `sparkPaymentType` the profile does not know.
    PAYMENT_TYPE_UNKNOWN => (Error, Finance),
    /// The order was routed to the B2B account workflow (audit trail).
    ON_ACCOUNT => (Info, Finance),
    /// The order currency is not one the profile accepts.
    CURRENCY_UNSUPPORTED => (Error, Finance),
    /// The shipping line has no OrderWise delivery method in the profile.
    DELIVERY_METHOD_UNMAPPED => (Error, Operations),
    /// A mandatory delivery-address field is missing.
    ADDRESS_INCOMPLETE => (Error, Ecommerce),
    /// Prices arrived VAT-inclusive and were converted to net (audit trail).
    TAXES_INCLUDED_CONVERTED => (Info, Finance),
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding about an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: Code,
    pub severity: Severity,
    /// RFC 6901 pointer into the order payload.
    pub pointer: String,
    pub message: String,
    pub owner: Owner,
}

impl Issue {
    pub fn new(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            code,
            severity: code.default_severity(),
            pointer: pointer.into(),
            message: message.into(),
            owner: code.owner(),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// Escapes one reference token of an RFC 6901 JSON pointer.
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
