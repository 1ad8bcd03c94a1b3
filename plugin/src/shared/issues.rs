//! Issue codes: the stable vocabulary the bridge uses to tell a team what to fix.
//!
//! Every code is declared once here with its owner and default severity, and
//! documented once in docs/issue-codes.md (a test keeps the two in step).

/// The team that has to act (mirrors the WIT `owner` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Owner {
    Finance,
    Operations,
    Ecommerce,
    Integration,
}

/// How serious an issue is (mirrors the WIT `severity` enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
    /// Two PO sources hold different POs: the first configured is sent, the other named.
    PO_CONFLICT => (Warning, Finance),
    /// The PO reference is longer than OrderWise's field; never truncated.
    PO_TOO_LONG => (Error, Finance),
    /// An on-account order whose customer credit does not cover it.
    PAY_ON_ACCOUNT_CREDIT => (Error, Finance),
    /// A pay-upfront order that Shopify has not marked paid or authorised.
    PAYMENT_UNCONFIRMED => (Error, Finance),
    /// A payment already made on an on-account order (a deposit, or the whole
    /// invoice) that cannot be sent: its amount or payment method unknown.
    ON_ACCOUNT_PAYMENT_NOT_SENT => (Warning, Finance),
    /// A payment split across gateways whose transactions do not account for the gross.
    PAYMENT_SPLIT_UNCLEAR => (Warning, Finance),
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
    /// A Shopify draft order, not an order: posted when the merchant completes it.
    ORDER_DRAFT => (Error, Ecommerce),
    /// A cancelled, voided or refunded order, or one edited down to no lines: never posted or shipped.
    ORDER_CANCELLED => (Error, Operations),
    /// A test order (`test: true`): never posted.
    ORDER_TEST => (Error, Integration),
    /// The order was edited after it was placed and is mapped as it stands now (audit trail).
    ORDER_EDITED => (Info, Operations),
    /// Money refunded with every line as placed: posted as placed; a credit note is needed.
    REFUNDED_WITHOUT_LINES => (Warning, Finance),
    /// Booked in the buyer's presentment currency from the presentment figures (audit trail).
    PRESENTMENT_CURRENCY => (Info, Finance),
    /// A PO source holds something that is not a PO (an object, a boolean, a decimal number).
    PO_INVALID => (Warning, Ecommerce),
    /// A pack property whose value cannot be read with certainty (null, blank, not text, two that disagree).
    PACK_UNREADABLE => (Error, Ecommerce),
    /// A line property that looks like a pack selection but is not a configured pack property.
    PACK_PROPERTY_UNCONFIGURED => (Error, Integration),
    /// A custom line, gift card or service with no stock: held, or booked to a configured non-stock variant.
    NON_STOCK_LINE => (Error, Integration),
    /// A line's `Charged Price` cannot be read as an amount in the order's currency.
    CHARGED_PRICE_UNREADABLE => (Error, Ecommerce),
    /// A paid order's payment gateway has no OrderWise payment method in the profile.
    PAYMENT_METHOD_UNMAPPED => (Error, Finance),
    /// The special instructions did not fit OrderWise's field even without the cart id: the note (or the payment text) was cut, and the issue quotes what was.
    NOTE_TRUNCATED => (Warning, Operations),
    /// A collection order took its delivery address from the billing or account address (audit trail).
    COLLECTION_ADDRESS => (Info, Operations),
    /// Stock: the profile has no `stock` section, so no level is sent.
    STOCK_NOT_CONFIGURED => (Error, Integration),
    /// Stock: the export is empty, HTML, malformed or cut short (or a full export looks truncated): rejected, nothing sent.
    STOCK_EXPORT_INVALID => (Error, Integration),
    /// Stock: SparkLayer's current levels cannot be read (rejected), or one entry cannot (warning, skipped).
    STOCK_CURRENT_INVALID => (Error, Integration),
    /// Stock: one export row cannot be used (no SKU, no number, no location, outside the call's range): skipped.
    STOCK_ROW_INVALID => (Warning, Integration),
    /// Stock: an export row for a variant the tenant does not know, or a SparkLayer level for a SKU nothing feeds.
    STOCK_SKU_UNKNOWN => (Warning, Operations),
    /// Stock: a full export has no row for a SparkLayer SKU and location (stale availability).
    STOCK_ROW_MISSING => (Warning, Operations),
    /// Stock: identical duplicate rows collapsed into one (audit trail).
    STOCK_DUPLICATE_ROWS => (Info, Integration),
    /// Stock: rows that disagree for one variant and location; the lowest is used, never the sum.
    STOCK_CONFLICTING_ROWS => (Warning, Operations),
    /// Stock: free stock at an OrderWise location mapped to no SparkLayer location; not sent.
    STOCK_LOCATION_UNMAPPED => (Warning, Integration),
    /// Stock: an export row for a variant whose code the profile also maps as a case SKU of another variant: not sent.
    STOCK_VARIANT_IS_A_CASE => (Warning, Integration),
    /// Stock: negative free stock sent as 0 (audit trail).
    STOCK_NEGATIVE_CLAMPED => (Info, Operations),
    /// Stock: fractional free stock rounded down (audit trail).
    STOCK_FRACTIONAL_FLOORED => (Info, Operations),
    /// Stock: SparkLayer's current level is beyond the drift threshold from what OrderWise implies.
    STOCK_DRIFT => (Warning, Operations),
    /// Catalog: SparkLayer's set-up cannot be read (rejected), or one entry cannot, or a SKU is listed twice.
    CATALOG_SETUP_INVALID => (Error, Integration),
    /// Catalog: a SparkLayer SKU that is no OrderWise variant or case unit.
    CATALOG_SKU_UNMAPPED => (Error, Operations),
    /// Catalog: a SparkLayer pack selection with no OrderWise unit of measure.
    CATALOG_PACK_UNMAPPED => (Error, Operations),
    /// Catalog: a SKU the profile maps only through its packs; an order of it without a pack would be held.
    CATALOG_SKU_PACKS_ONLY => (Info, Operations),
    /// Catalog: a pack or case size that disagrees with OrderWise's unit multiplier.
    CATALOG_PACK_SIZE_MISMATCH => (Error, Operations),
    /// Catalog: SparkLayer still sells a SKU or pack whose OrderWise variant is discontinued.
    CATALOG_VARIANT_DISCONTINUED => (Error, Operations),
    /// Catalog: SparkLayer's quantity rule differs from the profile's copy.
    CATALOG_RULE_STALE => (Warning, Integration),
    /// Reconciliation: a SparkLayer order and its OrderWise row agree on currency, net, VAT, gross and PO.
    RECON_MATCHED => (Info, Finance),
    /// Reconciliation: the net differs between SparkLayer and OrderWise beyond the tolerance.
    RECON_NET_DIFFERS => (Error, Finance),
    /// Reconciliation: the VAT differs between SparkLayer and OrderWise beyond the tolerance.
    RECON_VAT_DIFFERS => (Error, Finance),
    /// Reconciliation: the gross differs although net and VAT each pass.
    RECON_GROSS_DIFFERS => (Error, Finance),
    /// Reconciliation: not in OrderWise because the bridge holds it for review (owned by its first error's owner).
    RECON_HELD_FOR_REVIEW => (Error, Operations),
    /// Reconciliation: not in OrderWise because the bridge rejected it or the platform stopped it.
    RECON_REJECTED => (Error, Integration),
    /// Reconciliation: ready but not in OrderWise after the stalled threshold.
    RECON_STALLED => (Error, Integration),
    /// Reconciliation: ready, not in OrderWise yet, within the stalled threshold.
    RECON_IN_FLIGHT => (Info, Integration),
    /// Reconciliation: no outcome at all and not in OrderWise (a lost webhook).
    RECON_NEVER_PROCESSED => (Error, Integration),
    /// Reconciliation: an OrderWise sales order no SparkLayer order explains.
    RECON_NOT_IN_SPARKLAYER => (Error, Finance),
    /// Reconciliation: the same SparkLayer order twice in OrderWise (re-imported, or keyed again by hand).
    RECON_DUPLICATE_IMPORT => (Error, Operations),
    /// Reconciliation: the OrderWise customer order reference is not the order's PO.
    RECON_PO_DIFFERS => (Error, Finance),
    /// Reconciliation: paired by key, but OrderWise books the order to another customer account.
    RECON_ACCOUNT_DIFFERS => (Error, Finance),
    /// Reconciliation: paired by PO and customer, but the OrderWise row carries another key.
    RECON_KEY_DIFFERS => (Warning, Finance),
    /// Reconciliation: OrderWise holds the order in another currency.
    RECON_CURRENCY_DIFFERS => (Error, Finance),
    /// Reconciliation: in OrderWise but not invoiced by the end of the period.
    RECON_NOT_INVOICED => (Warning, Operations),
    /// Reconciliation: a credit note, listed on its own.
    RECON_CREDIT_NOTE => (Info, Finance),
    /// Reconciliation: a row of an input that cannot be read, with its line.
    RECON_INPUT_INVALID => (Error, Integration),
    /// Reconciliation: a cancelled, test or draft order, not in OrderWise: not a sale, left out of the totals.
    RECON_NOT_A_SALE => (Info, Finance),
    /// Reconciliation: a cancelled, test or draft order that OrderWise holds as a sales order.
    RECON_NOT_A_SALE_IN_ORDERWISE => (Error, Operations),
}

/// One finding about an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: Code,
    pub severity: Severity,
    /// RFC 6901 pointer into the order payload.
    pub pointer: String,
    pub message: String,
    pub owner: Owner,
}

/// The longest message and pointer an issue carries, bytes. A message quotes
/// payload text (a SKU, a pack name, a note) and one line can be quoted in
/// several issues: bounded, a 200-line order's outcome stays well inside the
/// platform's 1 MiB output cap whatever its payload held.
pub const MAX_MESSAGE: usize = 1_000;

impl Issue {
    pub fn new(code: Code, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            code,
            severity: code.default_severity(),
            pointer: bounded(pointer.into()),
            message: bounded(message.into()),
            owner: code.owner(),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// `text` cut to `MAX_MESSAGE` bytes (at a character boundary), with `…` and
/// its full length when cut, in bytes: counting the characters of a message
/// that quotes a mebibyte of payload cost 4.8 million fuel units.
fn bounded(mut text: String) -> String {
    if text.len() > MAX_MESSAGE {
        let full = text.len();
        let mut cut = MAX_MESSAGE;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(&format!("… ({full} bytes in all)"));
    }
    text
}

/// Escapes one reference token of an RFC 6901 JSON pointer.
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
