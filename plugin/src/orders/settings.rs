//! The orders flow's settings: the `orders` section of the tenant profile.
//! How this tenant's orders are read (PO sources, pack property, payment
//! types) and judged (VAT rounding, tolerance, price precision, policies).
//! docs/profile.md documents every field.

use crate::shared::json::{names, Error, Names, Reader, Unknown};
use crate::shared::meter::Meter;
use crate::shared::reference::{read_amount, PoPolicy, Reference};
use crate::shared::text::{reads_as, visible, visible_name};
use crate::shared::time::TimeZone;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VatRounding {
    /// VAT worked per line, half a penny or more rounds up.
    LineHalfUp,
    /// VAT worked per rate on the invoice total, rounded down to the penny.
    InvoiceRoundDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemainderPolicy {
    /// Send the line as two lines of the same variant whose unit prices differ by
    /// one step of the price precision and whose nets sum exactly.
    SplitLine,
    /// Hold the order for finance to decide.
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoSource {
    /// Shopify's own `po_number` field (Admin API 2023-07 onwards).
    PoNumber,
    /// A `note_attributes[]` entry by exact name.
    NoteAttribute(String),
    /// The order `note` (SparkLayer's `customer_reference`).
    Note,
}

/// Where the PO is read from when the profile does not say: Shopify's own
/// field first, then the note attributes checkouts commonly write. Not the
/// note: it usually carries delivery instructions.
pub fn default_po_sources() -> Vec<PoSource> {
    vec![PoSource::PoNumber, PoSource::NoteAttribute("PO Number".into()), PoSource::NoteAttribute("po_number".into())]
}

/// What to do with a line that is not stock: map it to a non-stock OrderWise
/// variant, or hold the order for a person to decide.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NonStock {
    #[default]
    Review,
    Variant(String),
}

/// Per kind of line that carries no stock.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NonStockLines {
    /// Custom lines (no SKU, no variant): "Delivery to site", "Pallet charge".
    pub custom_lines: NonStock,
    /// Gift cards (`gift_card: true`): a liability, not a sale of goods.
    pub gift_cards: NonStock,
    /// Lines that need no shipping (`requires_shipping: false`) and whose SKU is no OrderWise variant.
    pub services: NonStock,
}

/// A Shopify payment gateway and the OrderWise payment method it books as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    pub gateway: String,
    pub payment_method_id: u32,
}

/// The largest `tolerance` accepted without `allowLargeTolerance`: pennies of
/// rounding pass; a pound or more would let real discrepancies through.
pub const MAX_TOLERANCE: Decimal = Decimal::from_parts(100, 0, 0, false, 2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderTypes {
    /// OWAPI `systemOrderType` for orders paid (or to be paid) upfront.
    pub standard: u32,
    /// The distinct order type that routes Pay on Account orders to the B2B account workflow.
    pub on_account: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentTypes {
    pub on_account: Vec<String>,
    pub upfront: Vec<String>,
    /// Payment gateways that mean Pay on Account when no `sparkPaymentType`
    /// says how the order is paid (a checkout's manual "Pay on Account").
    pub on_account_gateways: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub currencies: Vec<String>,
    pub order_types: OrderTypes,
    pub stock_location_id: u32,
    /// Line property names that carry a pack selection (themes name it differently).
    pub pack_properties: Vec<String>,
    pub untaxed_code: String,
    /// The taxRateId of `untaxed_code`, resolved against the reference data by `link`.
    pub untaxed_tax_rate_id: u32,
    pub vat_rounding: VatRounding,
    pub tolerance: Decimal,
    pub price_precision: u32,
    pub unit_price_remainder: RemainderPolicy,
    pub payment_types: PaymentTypes,
    pub po_sources: Vec<PoSource>,
    pub po_max_length: usize,
    pub po_policy: PoPolicy,
    pub collection_delivery_method_id: Option<u32>,
    pub payment_methods: Vec<PaymentMethod>,
    pub non_stock: NonStockLines,
    /// OrderWise's special-instructions length [inferred]; a longer note is cut with a warning.
    pub special_instructions_max_length: usize,
    /// The zone OrderWise keeps its dates in: an order's date is sent as
    /// the wall-clock time there. Set by `Profile::parse` to the reconcile
    /// section's zone, which `time_zone_given` must agree with.
    pub time_zone: TimeZone,
    /// `timeZone` as the profile gives it, if it does.
    pub time_zone_given: Option<TimeZone>,
    /// What customers type when a checkout makes them give a PO they do not
    /// have ("N/A", "TBC"): never a PO. Stored as they look.
    pub po_placeholders: Vec<String>,
}

/// `poPlaceholders` when the profile does not say.
pub fn default_po_placeholders() -> Vec<String> {
    ["N/A", "NA", "TBC", "TBA", "None", "No PO", "Unknown", "0"].map(str::to_owned).to_vec()
}

const FIELDS: &Names = names![
    "currencies",
    "orderTypes",
    "stockLocationId",
    "packProperties",
    "untaxedCode",
    "vatRounding",
    "tolerance",
    "pricePrecision",
    "unitPriceRemainder",
    "paymentTypes",
    "poSources",
    "poMaxLength",
    "poPolicy",
    "collectionDeliveryMethodId",
    "paymentMethods",
    "nonStock",
    "specialInstructionsMaxLength",
    "allowLargeTolerance",
    "timeZone",
    "poPlaceholders",
];
/// The fields with no default.
const REQUIRED: &[usize] = &[0, 1, 2, 4, 5, 6, 7, 8, 9, 11, 12];

impl Settings {
    pub fn read(r: &mut Reader) -> Result<Settings, Error> {
        let mut s = Settings {
            currencies: Vec::new(),
            order_types: OrderTypes::default(),
            stock_location_id: 0,
            pack_properties: vec!["Pack".to_owned()],
            untaxed_code: String::new(),
            untaxed_tax_rate_id: 0,
            vat_rounding: VatRounding::LineHalfUp,
            tolerance: Decimal::ZERO,
            price_precision: 2,
            unit_price_remainder: RemainderPolicy::SplitLine,
            payment_types: PaymentTypes::default(),
            po_sources: default_po_sources(),
            po_max_length: 0,
            po_policy: PoPolicy::Required,
            collection_delivery_method_id: None,
            payment_methods: Vec::new(),
            non_stock: NonStockLines::default(),
            special_instructions_max_length: 255,
            time_zone: TimeZone::EuropeLondon,
            time_zone_given: None,
            po_placeholders: default_po_placeholders(),
        };
        let (mut tolerance_at, mut allow_large_tolerance) = (0, false);
        let seen = r.fields_cold(FIELDS, Unknown::Refuse, &mut |r, f| {
            let at = r.offset_of_value();
            match f {
                0 => s.currencies = read_currencies(r)?,
                1 => s.order_types = read_order_types(r)?,
                2 => s.stock_location_id = r.u32_cold()?,
                3 => {
                    s.pack_properties = read_strings(r)?;
                    if s.pack_properties.is_empty() || s.pack_properties.iter().any(|p| p.trim().is_empty()) {
                        return Err(Error::at(
                            at,
                            "list the line property names that carry a pack selection, e.g. [\"Pack\"]",
                        ));
                    }
                }
                4 => s.untaxed_code = r.string_cold()?.into_owned(),
                5 => {
                    s.vat_rounding = match r.string_cold()?.as_ref() {
                        "line-half-up" => VatRounding::LineHalfUp,
                        "invoice-round-down" => VatRounding::InvoiceRoundDown,
                        other => return Err(unknown_variant(at, other, &["line-half-up", "invoice-round-down"])),
                    }
                }
                6 => {
                    (s.tolerance, tolerance_at) = (read_amount(r)?, at);
                    if s.tolerance < Decimal::ZERO {
                        return Err(Error::at(at, "must not be negative"));
                    }
                }
                7 => {
                    s.price_precision = r.u32_cold()?;
                    if !(2..=4).contains(&s.price_precision) {
                        return Err(Error::at(at, "OrderWise unit prices hold 2 to 4 decimal places"));
                    }
                }
                8 => {
                    s.unit_price_remainder = match r.string_cold()?.as_ref() {
                        "split-line" => RemainderPolicy::SplitLine,
                        "review" => RemainderPolicy::Review,
                        other => return Err(unknown_variant(at, other, &["split-line", "review"])),
                    }
                }
                9 => s.payment_types = read_payment_types(r)?,
                10 => s.po_sources = read_po_sources(r)?,
                11 => {
                    s.po_max_length = r.u32_cold()? as usize;
                    if s.po_max_length == 0 {
                        return Err(Error::at(at, "must be at least 1"));
                    }
                }
                12 => s.po_policy = PoPolicy::read(r)?,
                13 if r.null() => {}
                13 => s.collection_delivery_method_id = Some(r.u32_cold()?),
                14 => s.payment_methods = read_payment_methods(r)?,
                15 => s.non_stock = read_non_stock(r)?,
                16 => {
                    s.special_instructions_max_length = r.u32_cold()? as usize;
                    if s.special_instructions_max_length < 20 {
                        return Err(Error::at(at, "OrderWise holds at least 20 characters of special instructions"));
                    }
                }
                17 => allow_large_tolerance = r.boolean()?,
                18 => {
                    let text = r.string_cold()?;
                    s.time_zone_given = Some(TimeZone::parse(&text).map_err(|why| Error::at(at, why))?);
                }
                _ => s.po_placeholders = read_strings(r)?.iter().map(|p| visible(p, r.work()).into_owned()).collect(),
            }
            Ok(())
        })?;
        seen.require(FIELDS, REQUIRED)?;
        if s.tolerance > MAX_TOLERANCE && !allow_large_tolerance {
            return Err(Error::at(
                tolerance_at,
                format!(
                    "a tolerance of {} would let real differences through the totals check; the largest is {MAX_TOLERANCE} unless allowLargeTolerance is true",
                    s.tolerance
                ),
            ));
        }
        Ok(s)
    }

    /// Resolves what the settings name in the reference data. Errors are
    /// (pointer relative to the `orders` section, message).
    pub fn link(&mut self, reference: &Reference) -> Result<(), (String, String)> {
        self.untaxed_tax_rate_id = reference
            .tax_rate_by_code(&self.untaxed_code)
            .filter(|t| t.rate.is_zero())
            .map(|t| t.tax_rate_id)
            .ok_or_else(|| {
                let why = format!("{} is not the code of a zero-rate reference taxRates entry", self.untaxed_code);
                ("/untaxedCode".to_owned(), why)
            })?;
        if reference.stock_location(self.stock_location_id).is_none() {
            let why = format!("stock location {} is not in the reference stockLocations", self.stock_location_id);
            return Err(("/stockLocationId".to_owned(), why));
        }
        let kinds = [
            ("customLines", &self.non_stock.custom_lines),
            ("giftCards", &self.non_stock.gift_cards),
            ("services", &self.non_stock.services),
        ];
        for (kind, choice) in kinds {
            if let NonStock::Variant(code) = choice {
                if reference.variant(code).is_none() {
                    let why = format!(
                        "{code} is not a reference variant: non-stock lines go to an OrderWise variant that exists"
                    );
                    return Err((format!("/nonStock/{kind}/variantCode"), why));
                }
            }
        }
        Ok(())
    }
}

fn unknown_variant(at: usize, found: &str, expected: &[&str]) -> Error {
    let expected = expected.iter().map(|e| format!("{e:?}")).collect::<Vec<_>>().join(" or ");
    Error::at(at, format!("unknown value {found:?}, expected {expected}"))
}

fn read_currencies(r: &mut Reader) -> Result<Vec<String>, Error> {
    let at = r.offset_of_value();
    let mut out = Vec::new();
    r.items_cold(&mut |r, _| {
        let at = r.offset_of_value();
        let c = r.string_cold()?;
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::at(at, format!("{c:?} is not an ISO 4217 code like GBP")));
        }
        out.push(c.into_owned());
        Ok(())
    })?;
    if out.is_empty() {
        return Err(Error::at(at, "list at least one ISO 4217 code, e.g. GBP"));
    }
    Ok(out)
}

fn read_order_types(r: &mut Reader) -> Result<OrderTypes, Error> {
    const NAMES: &Names = names!["standard", "onAccount"];
    let mut types = OrderTypes::default();
    let seen = r.fields_cold(NAMES, Unknown::Refuse, &mut |r, f| {
        let id = r.u32_cold()?;
        if f == 0 {
            types.standard = id;
        } else {
            types.on_account = id;
        }
        Ok(())
    })?;
    seen.require(NAMES, &[0, 1])?;
    Ok(types)
}

fn read_strings(r: &mut Reader) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    r.items_cold(&mut |r, _| {
        out.push(r.string_cold()?.into_owned());
        Ok(())
    })?;
    Ok(out)
}

fn read_payment_types(r: &mut Reader) -> Result<PaymentTypes, Error> {
    const NAMES: &Names = names!["onAccount", "upfront", "onAccountGateways"];
    let at = r.offset_of_value();
    let mut types = PaymentTypes::default();
    let seen = r.fields_cold(NAMES, Unknown::Refuse, &mut |r, f| {
        let list = read_strings(r)?;
        // Types as they look, once: each order's is compared with them so.
        let looks = |list: Vec<String>| list.iter().map(|t| visible(t, &Meter::unlimited()).into_owned()).collect();
        match f {
            0 => types.on_account = looks(list),
            1 => types.upfront = looks(list),
            _ => types.on_account_gateways = list,
        }
        Ok(())
    })?;
    seen.require(NAMES, &[0, 1])?;
    // Compared as an order's sparkPaymentType is (`payment::assess`): as they
    // look, ASCII case ignored.
    if let Some(both) =
        types.on_account.iter().find(|t| types.upfront.iter().any(|u| reads_as(t, u, &Meter::unlimited())))
    {
        return Err(Error::at(at, format!("{both:?} is listed as both on-account and upfront")));
    }
    Ok(types)
}

fn read_po_sources(r: &mut Reader) -> Result<Vec<PoSource>, Error> {
    let at = r.offset_of_value();
    let mut sources = Vec::new();
    r.items_cold(&mut |r, _| {
        let at = r.offset_of_value();
        if r.kind() == crate::shared::json::Kind::String {
            let source = match r.string_cold()?.as_ref() {
                "note" => PoSource::Note,
                "poNumber" => PoSource::PoNumber,
                other => return Err(unknown_variant(at, other, &["poNumber", "note", "{\"noteAttribute\": NAME}"])),
            };
            sources.push(source);
            return Ok(());
        }
        let note = names!["noteAttribute"];
        r.fields_cold(note, Unknown::Refuse, &mut |r, _| {
            // Stored as it reads, once: every order compares its attributes' names with it.
            sources.push(PoSource::NoteAttribute(visible_name(&r.string_cold()?, r.work()).into_owned()));
            Ok(())
        })?
        .require(note, &[0])
    })?;
    if sources.is_empty() {
        return Err(Error::at(at, "list at least one place to read the PO from"));
    }
    Ok(sources)
}

fn read_payment_methods(r: &mut Reader) -> Result<Vec<PaymentMethod>, Error> {
    const NAMES: &Names = names!["gateway", "paymentMethodId"];
    let mut methods: Vec<PaymentMethod> = Vec::new();
    r.items_cold(&mut |r, _| {
        let at = r.offset_of_value();
        let (mut gateway, mut payment_method_id) = (String::new(), 0);
        let seen = r.fields_cold(NAMES, Unknown::Refuse, &mut |r, f| {
            if f == 0 {
                gateway = r.string_cold()?.into_owned();
            } else {
                payment_method_id = r.u32_cold()?;
            }
            Ok(())
        })?;
        seen.require(NAMES, &[0, 1])?;
        if methods.iter().any(|m| m.gateway == gateway) {
            return Err(Error::at(at, format!("gateway {gateway:?} is mapped twice")));
        }
        methods.push(PaymentMethod { gateway, payment_method_id });
        Ok(())
    })?;
    Ok(methods)
}

fn read_non_stock(r: &mut Reader) -> Result<NonStockLines, Error> {
    const NAMES: &Names = names!["customLines", "giftCards", "services"];
    let mut lines = NonStockLines::default();
    r.fields_cold(NAMES, Unknown::Refuse, &mut |r, f| {
        let at = r.offset_of_value();
        let choice = if r.kind() == crate::shared::json::Kind::String {
            match r.string_cold()?.as_ref() {
                "review" => NonStock::Review,
                other => return Err(unknown_variant(at, other, &["review", "{\"variantCode\": CODE}"])),
            }
        } else {
            let mut code = String::new();
            r.fields_cold(names!["variantCode"], Unknown::Refuse, &mut |r, _| {
                code = r.string_cold()?.into_owned();
                Ok(())
            })?
            .require(names!["variantCode"], &[0])?;
            NonStock::Variant(code)
        };
        match f {
            0 => lines.custom_lines = choice,
            1 => lines.gift_cards = choice,
            _ => lines.services = choice,
        }
        Ok(())
    })?;
    Ok(lines)
}
