//! The tenant's reference data: what the bridge looks up, synced from
//! OrderWise (variants, units of measure, customer accounts and credit, tax
//! rates, stock locations, delivery methods) together with how SparkLayer
//! sells each variant (case SKUs, pack selections, quantity rules).
//!
//! Prevents: a 50,000-variant tenant costing every order a re-parse, or not
//! fitting the platform's budgets at all. Read in one pass, strings stored once
//! (`Arena`), lookups by hash (`Index`): parsing is linear in the profile's
//! size and a lookup costs the same for 10 variants or 50,000. Variants and
//! customers, most of the text, are read first by quick readers over a
//! `Cursor` (plain keys and values, nothing refused) and by the general ones
//! only when those give up (see `Reference::run`).
//! docs/profile.md documents every field.

use crate::shared::index::{hash, hash_pair, hash_str, Arena, Index, Span};
use crate::shared::json::{all_digits, names, Cursor, Error, Kind, Names, Reader, Unknown};
use crate::shared::money::{parse_amount, MONEY_DP};
use crate::shared::text::same;
use rust_decimal::Decimal;

/// Whether a missing customer PO holds the order (a per-customer setting kept
/// with the customer's account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoPolicy {
    /// A missing PO holds the order for review.
    Required,
    /// A missing PO is a warning; the order goes through.
    Optional,
}

impl PoPolicy {
    pub fn read(r: &mut Reader) -> Result<PoPolicy, Error> {
        let at = r.offset_of_value();
        let text = r.string()?;
        PoPolicy::parse(&text)
            .ok_or_else(|| Error::at(at, format!("unknown PO policy {text:?}, expected \"required\" or \"optional\"")))
    }

    fn parse(text: &str) -> Option<PoPolicy> {
        match text {
            "required" => Some(PoPolicy::Required),
            "optional" => Some(PoPolicy::Optional),
            _ => None,
        }
    }
}

/// SparkLayer's quantity rule for a SKU as sold: multiples of `pack_size`,
/// at least `min`, at most `max`, in units sold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuantityRule {
    pub pack_size: Option<u32>,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

/// Where an optional record lives in its side table: 0 for none, else index + 1.
/// Rules and credit data are on a minority of entries, so they are kept apart
/// and a variant or customer stays small (fewer bytes to build, copy and map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Slot(u32);

impl Slot {
    fn of<T>(table: &mut Vec<T>, value: Option<T>) -> Slot {
        match value {
            Some(v) => {
                table.push(v);
                Slot(table.len() as u32)
            }
            None => Slot(0),
        }
    }

    fn get<T>(self, table: &[T]) -> Option<&T> {
        self.0.checked_sub(1).map(|i| &table[i as usize])
    }
}

/// An OrderWise variant and how SparkLayer sells it as its own SKU.
#[derive(Debug, Clone)]
pub struct Variant {
    code: Span,
    /// The quantity rule for the variant's code sold with no pack selection.
    rule: Slot,
    /// Discontinued in OrderWise (kept so set-up checks can say so).
    pub discontinued: bool,
}

/// A case SKU or pack selection that depletes a variant: `multiplier` eaches per unit sold.
#[derive(Debug, Clone)]
pub struct Unit {
    sku: Span,
    pack: Option<Span>,
    variant: u32,
    pub multiplier: u32,
    rule: Slot,
}

/// The customer's OrderWise credit data, as last synced.
#[derive(Debug, Clone, Default)]
pub struct Credit {
    pub account_customer: bool,
    pub on_hold: bool,
    pub manual_on_hold: bool,
    pub over_credit_terms: bool,
    pub available_to_spend: Option<Decimal>,
}

/// A Shopify customer's OrderWise account.
#[derive(Debug, Clone)]
pub struct Customer {
    shopify_id: Option<Span>,
    /// Trimmed and lower-cased: emails match case-insensitively.
    email: Option<Span>,
    pub orderwise_id: u32,
    pub po_policy: Option<PoPolicy>,
    credit: Slot,
}

#[derive(Debug, Clone)]
pub struct TaxRate {
    /// UK VAT code (T0, T1, T2, T5, T9), for people reading the profile.
    pub code: String,
    /// The rate as a fraction (0.20).
    pub rate: Decimal,
    pub tax_rate_id: u32,
}

#[derive(Debug, Clone)]
pub struct DeliveryMethod {
    shipping_code: Span,
    pub delivery_method_id: u32,
}

#[derive(Debug, Clone)]
pub struct StockLocation {
    pub id: u32,
    pub name: String,
}

/// The parsed reference data with its lookup indexes.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    text: Arena,
    variants: Vec<Variant>,
    rules: Vec<QuantityRule>,
    credits: Vec<Credit>,
    units: Vec<Unit>,
    customers: Vec<Customer>,
    tax_rates: Vec<TaxRate>,
    delivery_methods: Vec<DeliveryMethod>,
    stock_locations: Vec<StockLocation>,
    by_code: Index,
    by_sku_and_pack: Index,
    by_shopify_id: Index,
    by_email: Index,
    by_shipping_code: Index,
}

const FIELDS: &Names = names!["variants", "customers", "taxRates", "stockLocations", "deliveryMethods"];
const VARIANT: &Names = names!["code", "units", "rule", "discontinued"];
const UNIT: &Names = names!["sku", "pack", "multiplier", "rule"];
const RULE: &Names = names!["packSize", "min", "max"];
const CUSTOMER: &Names = names!["shopifyId", "email", "orderwiseId", "poPolicy", "credit"];
const CREDIT: &Names = names!["accountCustomer", "onHold", "manualOnHold", "overCreditTerms", "availableToSpend"];
const TAX_RATE: &Names = names!["code", "rate", "taxRateId"];
const DELIVERY: &Names = names!["shippingCode", "deliveryMethodId"];
const LOCATION: &Names = names!["id", "name"];

/// A duplicate found while indexing: the pointer of the later entry and why.
pub type Duplicate = (String, String);

impl Reference {
    /// Reads the `reference` section. Duplicates are found afterwards, by `index`.
    pub fn read(r: &mut Reader) -> Result<Reference, Error> {
        // The strings kept are a fraction of the text (codes, SKUs, emails but
        // no keys or punctuation): reserving that fraction up front saves the
        // copies of a growing arena, each of which costs fuel per byte.
        let mut data = Reference { text: Arena::with_capacity(r.len() / 2), ..Reference::default() };
        let seen = r.fields(FIELDS, Unknown::Refuse, |r, f| {
            match f {
                0 => r.runs(|r, _| data.run(r, Self::quick_variant, Self::read_variant))?,
                1 => r.runs(|r, _| data.run(r, Self::quick_customer, Self::read_customer))?,
                2 => r.items_cold(&mut |r, _| data.read_tax_rate(r))?,
                3 => r.items_cold(&mut |r, _| data.read_stock_location(r))?,
                _ => r.items_cold(&mut |r, _| data.read_delivery_method(r))?,
            };
            Ok(())
        })?;
        seen.require(FIELDS, &[0, 1, 2, 3, 4])?;
        for (list, len) in [("taxRates", data.tax_rates.len()), ("stockLocations", data.stock_locations.len())] {
            if len == 0 {
                return Err(Error::at(seen.end, format!("`{list}` must list at least one entry")));
            }
        }
        data.text.shrink();
        Ok(data)
    }

    /// Builds the lookup indexes; a key given twice is named by its pointer
    /// (relative to the `reference` section).
    pub fn index(&mut self) -> Result<(), Duplicate> {
        let t = &self.text;
        let variants = &self.variants;
        let code = |i: usize| t.bytes(variants[i].code);
        self.by_code =
            Index::build(variants.len(), |i| Some(hash(0, code(i))), |a, b| code(a) == code(b)).map_err(|(_, i)| {
                (format!("/variants/{i}/code"), format!("{} is listed twice", t.get(variants[i].code)))
            })?;

        let units = &self.units;
        let unit_key = |u: &Unit| (t.bytes(u.sku), u.pack.map(|p| t.bytes(p)));
        self.by_sku_and_pack = Index::build(
            units.len(),
            |i| {
                let (sku, pack) = unit_key(&units[i]);
                Some(hash_pair(sku, pack))
            },
            |a, b| unit_key(&units[a]) == unit_key(&units[b]),
        )
        .map_err(|(_, i)| {
            let (sku, pack) = (t.get(units[i].sku), units[i].pack.map(|p| t.get(p)));
            let what = pack.map_or("with no pack".to_owned(), |p| format!("with pack {p:?}"));
            (self.unit_pointer(i), format!("SKU {sku} {what} is mapped twice"))
        })?;

        self.by_shopify_id = self.customer_index("shopifyId", |c| c.shopify_id)?;
        self.by_email = self.customer_index("email", |c| c.email)?;

        let methods = &self.delivery_methods;
        let shipping_code = |i: usize| t.bytes(methods[i].shipping_code);
        self.by_shipping_code = Index::build(
            methods.len(),
            |i| Some(hash(0, shipping_code(i))),
            |a, b| shipping_code(a) == shipping_code(b),
        )
        .map_err(|(_, i)| {
            (
                format!("/deliveryMethods/{i}/shippingCode"),
                format!("{} is mapped twice", t.get(methods[i].shipping_code)),
            )
        })?;

        for (i, rate) in self.tax_rates.iter().enumerate() {
            if self.tax_rates[..i].iter().any(|earlier| earlier.rate == rate.rate) {
                return Err((format!("/taxRates/{i}/rate"), format!("rate {} is listed twice", rate.rate.normalize())));
            }
            // Prevents: two VAT rates booked to one OrderWise tax code, so that
            // one of them is posted at the other's rate.
            if let Some(earlier) = self.tax_rates[..i].iter().find(|earlier| earlier.tax_rate_id == rate.tax_rate_id) {
                return Err((
                    format!("/taxRates/{i}/taxRateId"),
                    format!(
                        "taxRateId {} is already the id of rate {}; each VAT rate needs its own OrderWise tax code",
                        rate.tax_rate_id,
                        earlier.rate.normalize()
                    ),
                ));
            }
        }
        for (i, location) in self.stock_locations.iter().enumerate() {
            if self.stock_locations[..i].iter().any(|earlier| earlier.id == location.id) {
                return Err((
                    format!("/stockLocations/{i}/id"),
                    format!("stock location {} is listed twice", location.id),
                ));
            }
        }
        Ok(())
    }

    fn customer_index(&self, field: &str, key: fn(&Customer) -> Option<Span>) -> Result<Index, Duplicate> {
        let (t, customers) = (&self.text, &self.customers);
        let text = |i: usize| key(&customers[i]).map(|s| t.bytes(s));
        Index::build(customers.len(), |i| text(i).map(|k| hash(0, k)), |a, b| text(a) == text(b)).map_err(|(_, i)| {
            let text = key(&customers[i]).map_or("", |s| t.get(s));
            (format!("/customers/{i}/{field}"), format!("{field} {text} is mapped twice"))
        })
    }

    /// `/variants/{v}/units/{k}` for unit `i` (units are stored in variant order).
    fn unit_pointer(&self, i: usize) -> String {
        let variant = self.units[i].variant as usize;
        let first = self.units.iter().position(|u| u.variant as usize == variant).unwrap_or(i);
        format!("/variants/{variant}/units/{}", i - first)
    }

    /// Reads a run of a list's records the quick way (`Cursor`): from the
    /// item `runs` is at, while they are plain and a comma directly
    /// follows, leaving the separator after the last one read to `runs`
    /// (which carries on from it), and returns how many it read. A record
    /// the quick reader gives up on is read again, what it stored taken
    /// back first, by `general` when it is the first of the run, else in
    /// the next run: so a profile is accepted or refused, and its errors
    /// reported, by the general readers alone.
    #[inline(always)]
    fn run<'a>(
        &mut self,
        r: &mut Reader<'a>,
        quick: impl Fn(&mut Self, &mut Cursor<'a>) -> Option<()>,
        general: impl FnOnce(&mut Self, &mut Reader<'a>) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        let mut c = r.cursor();
        let mut read = 0;
        loop {
            let stored = (self.text.mark(), self.units.len(), self.rules.len(), self.credits.len());
            if quick(self, &mut c).is_none() {
                self.text.truncate(stored.0);
                self.units.truncate(stored.1);
                self.rules.truncate(stored.2);
                self.credits.truncate(stored.3);
                return if read == 0 { general(self, r).map(|_| 1) } else { Ok(read) };
            }
            r.advance(c);
            read += 1;
            if c.more(b']') != Some(true) {
                return Ok(read);
            }
        }
    }

    /// `read_variant` for a plain code or an object of plain keys and
    /// values (see `run`). Most of a catalog is variants with nothing but
    /// a code: those may be written as the code alone (`"CUP-12OZ-WHT"`),
    /// as the 0.1 catalog was.
    #[inline(always)]
    fn quick_variant(&mut self, c: &mut Cursor) -> Option<()> {
        if let Some(code) = c.string() {
            let code = quick_exact(code, &mut self.text)?;
            self.variants.push(Variant { code, rule: Slot(0), discontinued: false });
            return Some(());
        }
        let variant = self.variants.len() as u32;
        let (mut code, mut rule, mut discontinued, mut seen) = (None, None, false, 0);
        c.open(b'{')?;
        loop {
            match c.member(VARIANT, &mut seen)? {
                0 => code = Some(quick_exact(c.string()?, &mut self.text)?),
                1 => {
                    c.open(b'[')?;
                    loop {
                        self.quick_unit(c, variant)?;
                        if !c.more(b']')? {
                            break;
                        }
                    }
                }
                2 => rule = Some(quick_rule(c)?),
                _ => discontinued = c.boolean()?,
            }
            if !c.more(b'}')? {
                break;
            }
        }
        let rule = Slot::of(&mut self.rules, rule);
        self.variants.push(Variant { code: code?, rule, discontinued });
        Some(())
    }

    /// `read_unit` for plain keys and values.
    #[inline(always)]
    fn quick_unit(&mut self, c: &mut Cursor, variant: u32) -> Option<()> {
        let (mut sku, mut pack, mut multiplier, mut rule, mut seen) = (None, None, None, None, 0);
        c.open(b'{')?;
        loop {
            match c.member(UNIT, &mut seen)? {
                0 => sku = Some(quick_exact(c.string()?, &mut self.text)?),
                1 if c.null() => {}
                1 => pack = Some(quick_exact(c.string()?, &mut self.text)?),
                2 => multiplier = Some(c.u32().filter(|&m| m >= 1)?),
                _ => rule = Some(quick_rule(c)?),
            }
            if !c.more(b'}')? {
                break;
            }
        }
        let (sku, multiplier) = (sku?, multiplier?);
        let rule = Slot::of(&mut self.rules, rule);
        self.units.push(Unit { sku, pack, variant, multiplier, rule });
        Some(())
    }

    /// `read_customer` for plain keys and values, a numeric Shopify id and
    /// an unpadded email.
    #[inline(always)]
    fn quick_customer(&mut self, c: &mut Cursor) -> Option<()> {
        let (mut shopify_id, mut email, mut orderwise_id, mut po_policy, mut credit) = (None, None, None, None, None);
        let mut seen = 0;
        c.open(b'{')?;
        loop {
            match c.member(CUSTOMER, &mut seen)? {
                0 => shopify_id = Some(self.text.push(c.digits()?)),
                1 => {
                    let text = c.string()?;
                    let [first, .., last] = text.as_bytes() else { return None };
                    if !(first.is_ascii_graphic() && last.is_ascii_graphic()) {
                        return None;
                    }
                    email = Some(self.text.push_lowercase(text));
                }
                2 => orderwise_id = Some(c.u32()?),
                3 => po_policy = Some(PoPolicy::parse(c.string()?)?),
                _ => credit = Some(quick_credit(c)?),
            }
            if !c.more(b'}')? {
                break;
            }
        }
        if shopify_id.is_none() && email.is_none() {
            return None;
        }
        let credit = Slot::of(&mut self.credits, credit);
        self.customers.push(Customer { shopify_id, email, orderwise_id: orderwise_id?, po_policy, credit });
        Some(())
    }

    fn read_variant(&mut self, r: &mut Reader) -> Result<(), Error> {
        if r.kind() == Kind::String {
            // The code alone.
            let code = exact_key(r, &mut self.text, "variant codes")?;
            self.variants.push(Variant { code, rule: Slot(0), discontinued: false });
            return Ok(());
        }
        let variant = self.variants.len() as u32;
        let (mut code, mut rule, mut discontinued) = (None, None, false);
        // Records read member by member in a loop of their own (not through
        // a closure per member), so what they fill stays in locals.
        let mut members = r.object(VARIANT, Unknown::Refuse)?;
        while let Some(f) = members.next(r)? {
            match f {
                0 => code = Some(exact_key(r, &mut self.text, "variant codes")?),
                1 => {
                    r.items(|r, _| self.read_unit(r, variant))?;
                }
                2 => rule = Some(read_rule(r)?),
                _ => discontinued = r.boolean()?,
            }
        }
        let seen = members.seen(r);
        let code = code.ok_or_else(|| Error::at(seen.end, "missing field `code`"))?;
        let rule = Slot::of(&mut self.rules, rule);
        self.variants.push(Variant { code, rule, discontinued });
        Ok(())
    }

    fn read_unit(&mut self, r: &mut Reader, variant: u32) -> Result<(), Error> {
        let (mut sku, mut pack, mut multiplier, mut rule) = (None, None, None, None);
        let mut members = r.object(UNIT, Unknown::Refuse)?;
        while let Some(f) = members.next(r)? {
            match f {
                0 => sku = Some(exact_key(r, &mut self.text, "SKUs")?),
                1 if r.null() => {}
                1 => pack = Some(exact_key(r, &mut self.text, "pack names")?),
                2 => {
                    let at = r.offset_of_value();
                    multiplier = Some(r.u32()?).filter(|&m| m >= 1);
                    if multiplier.is_none() {
                        return Err(Error::at(at, "must be at least 1"));
                    }
                }
                _ => rule = Some(read_rule(r)?),
            }
        }
        let seen = members.seen(r);
        seen.require(UNIT, &[0, 2])?;
        let (Some(sku), Some(multiplier)) = (sku, multiplier) else {
            return Err(Error::at(seen.end, "a unit needs `sku` and `multiplier`"));
        };
        let rule = Slot::of(&mut self.rules, rule);
        self.units.push(Unit { sku, pack, variant, multiplier, rule });
        Ok(())
    }

    fn read_customer(&mut self, r: &mut Reader) -> Result<(), Error> {
        let (mut shopify_id, mut email, mut orderwise_id, mut po_policy, mut credit) = (None, None, None, None, None);
        let mut members = r.object(CUSTOMER, Unknown::Refuse)?;
        while let Some(f) = members.next(r)? {
            match f {
                0 => shopify_id = Some(read_id(r, &mut self.text)?),
                1 => {
                    let text = match r.plain_string() {
                        Some((text, _)) => text.into(),
                        None => r.string()?,
                    };
                    // Most emails are unpadded: no trim to walk back from either end.
                    let text = match text.as_bytes() {
                        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => &text,
                        _ => text.trim(),
                    };
                    // Emails match case-insensitively.
                    email = Some(self.text.push_lowercase(text));
                }
                2 => orderwise_id = Some(r.u32()?),
                3 => po_policy = Some(PoPolicy::read(r)?),
                _ => credit = Some(read_credit(r)?),
            }
        }
        let seen = members.seen(r);
        seen.require(CUSTOMER, &[2])?;
        if shopify_id.is_none() && email.is_none() {
            return Err(Error::at(seen.end, "a customer needs a shopifyId or an email to match on"));
        }
        let orderwise_id = orderwise_id.unwrap_or_default();
        let credit = Slot::of(&mut self.credits, credit);
        self.customers.push(Customer { shopify_id, email, orderwise_id, po_policy, credit });
        Ok(())
    }

    fn read_tax_rate(&mut self, r: &mut Reader) -> Result<(), Error> {
        let (mut code, mut rate, mut tax_rate_id) = (String::new(), Decimal::ZERO, 0);
        let seen = r.fields_cold(TAX_RATE, Unknown::Refuse, &mut |r, f| {
            match f {
                0 => code = r.string()?.into_owned(),
                1 => {
                    let at = r.offset_of_value();
                    rate = read_amount(r)?;
                    if rate < Decimal::ZERO || rate >= Decimal::ONE {
                        return Err(Error::at(at, "must be a fraction from 0 up to (not including) 1, e.g. 0.20"));
                    }
                }
                _ => tax_rate_id = r.u32()?,
            }
            Ok(())
        })?;
        seen.require(TAX_RATE, &[0, 1, 2])?;
        self.tax_rates.push(TaxRate { code, rate: rate.normalize(), tax_rate_id });
        Ok(())
    }

    fn read_delivery_method(&mut self, r: &mut Reader) -> Result<(), Error> {
        let (mut shipping_code, mut delivery_method_id) = (None, 0);
        let seen = r.fields_cold(DELIVERY, Unknown::Refuse, &mut |r, f| {
            match f {
                0 => shipping_code = Some(exact_key(r, &mut self.text, "shipping codes")?),
                _ => delivery_method_id = r.u32()?,
            }
            Ok(())
        })?;
        seen.require(DELIVERY, &[0, 1])?;
        let shipping_code = shipping_code.ok_or_else(|| Error::at(seen.end, "missing field `shippingCode`"))?;
        self.delivery_methods.push(DeliveryMethod { shipping_code, delivery_method_id });
        Ok(())
    }

    fn read_stock_location(&mut self, r: &mut Reader) -> Result<(), Error> {
        let (mut id, mut name) = (0, String::new());
        let seen = r.fields_cold(LOCATION, Unknown::Refuse, &mut |r, f| {
            match f {
                0 => id = r.u32()?,
                _ => name = r.string()?.into_owned(),
            }
            Ok(())
        })?;
        seen.require(LOCATION, &[0])?;
        self.stock_locations.push(StockLocation { id, name });
        Ok(())
    }

    // Lookups: each is one hash and (almost always) one comparison.

    /// The OrderWise variant with exactly this code (case-sensitive, as OrderWise matches).
    pub fn variant(&self, code: &str) -> Option<&Variant> {
        let t = &self.text;
        self.by_code
            .find(hash(0, code.as_bytes()), |i| same(t.get(self.variants[i].code), code))
            .map(|i| &self.variants[i])
    }

    pub fn code_of(&self, variant: &Variant) -> &str {
        self.text.get(variant.code)
    }

    /// The unit mapping for a SKU as sold, with or without a pack selection.
    pub fn unit(&self, sku: &str, pack: Option<&str>) -> Option<&Unit> {
        let t = &self.text;
        let is = |i: usize| {
            let u = &self.units[i];
            same(t.get(u.sku), sku)
                && match (u.pack, pack) {
                    (Some(p), Some(pack)) => same(t.get(p), pack),
                    (None, None) => true,
                    _ => false,
                }
        };
        self.by_sku_and_pack.find(hash_pair(sku.as_bytes(), pack.map(str::as_bytes)), is).map(|i| &self.units[i])
    }

    /// The variant a unit depletes.
    pub fn variant_of(&self, unit: &Unit) -> &Variant {
        &self.variants[unit.variant as usize]
    }

    /// SparkLayer's quantity rule for the SKU as sold (in its pack, if one was chosen).
    pub fn quantity_rule(&self, sku: &str, pack: Option<&str>) -> Option<QuantityRule> {
        match (self.unit(sku, pack), pack) {
            (Some(unit), _) => unit.rule.get(&self.rules).copied(),
            (None, None) => self.variant(sku).and_then(|v| v.rule.get(&self.rules)).copied(),
            (None, Some(_)) => None,
        }
    }

    /// Customer by Shopify id first, then by email (case-insensitive).
    pub fn customer(&self, shopify_id: Option<&str>, email: Option<&str>) -> Option<&Customer> {
        let t = &self.text;
        let by_id = shopify_id.and_then(|id| {
            self.by_shopify_id.find(hash_str(id), |i| self.customers[i].shopify_id.is_some_and(|s| same(t.get(s), id)))
        });
        let by_email = || {
            // No address is longer (RFC 5321: 64 + 1 + 255): a longer one
            // matches none, and is not lowercased a character at a time.
            let email = email.filter(|e| e.len() <= 320)?.trim().to_lowercase();
            self.by_email.find(hash_str(&email), |i| self.customers[i].email.map(|s| t.get(s)) == Some(email.as_str()))
        };
        by_id.or_else(by_email).map(|i| &self.customers[i])
    }

    /// The customer's OrderWise credit data, when synced.
    pub fn credit_of(&self, customer: &Customer) -> Option<&Credit> {
        customer.credit.get(&self.credits)
    }

    pub fn tax_rate(&self, rate: Decimal) -> Option<&TaxRate> {
        let rate = rate.normalize();
        self.tax_rates.iter().find(|t| t.rate == rate)
    }

    pub fn tax_rate_by_code(&self, code: &str) -> Option<&TaxRate> {
        self.tax_rates.iter().find(|t| t.code == code)
    }

    pub fn delivery_method(&self, shipping_code: &str) -> Option<u32> {
        let t = &self.text;
        let methods = &self.delivery_methods;
        self.by_shipping_code
            .find(hash_str(shipping_code), |i| same(t.get(methods[i].shipping_code), shipping_code))
            .map(|i| methods[i].delivery_method_id)
    }

    pub fn stock_location(&self, id: u32) -> Option<&StockLocation> {
        self.stock_locations.iter().find(|l| l.id == id)
    }

    pub fn counts(&self) -> Counts {
        Counts {
            variants: self.variants.len(),
            units: self.units.len(),
            customers: self.customers.len(),
            tax_rates: self.tax_rates.len(),
            delivery_methods: self.delivery_methods.len(),
            stock_locations: self.stock_locations.len(),
        }
    }
}

/// How many entries of each kind the reference data holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub variants: usize,
    pub units: usize,
    pub customers: usize,
    pub tax_rates: usize,
    pub delivery_methods: usize,
    pub stock_locations: usize,
}

/// A code matched exactly (SKU, variant code, pack name, shipping code): refused
/// when empty or padded, since a padded key would never match and nothing says so.
fn exact_key(r: &mut Reader, arena: &mut Arena, what: &str) -> Result<Span, Error> {
    match r.plain_string() {
        Some((text, at)) => exact(text, at, arena, what),
        None => {
            let at = r.offset_of_value();
            exact(&r.string()?, at, arena, what)
        }
    }
}

/// `exact_key` for a string already read, found at offset `at`.
fn exact(text: &str, at: usize, arena: &mut Arena, what: &str) -> Result<Span, Error> {
    if padded(text) {
        return Err(padded_error(at, what));
    }
    Ok(arena.push(text))
}

/// `exact` for the quick readers: `None` for what it refuses.
#[inline(always)]
fn quick_exact(text: &str, arena: &mut Arena) -> Option<Span> {
    (!padded(text)).then(|| arena.push(text))
}

/// Whether a key is empty or has white space at either end.
#[inline(always)]
fn padded(text: &str) -> bool {
    match text.as_bytes() {
        // The common case first: printable ASCII at both ends.
        [first, .., last] | [first @ last] if first.is_ascii_graphic() && last.is_ascii_graphic() => false,
        [] => true,
        [first, .., last] | [first @ last] if first.is_ascii() && last.is_ascii() => {
            first.is_ascii_whitespace() || last.is_ascii_whitespace()
        }
        _ => text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace),
    }
}

#[cold]
fn padded_error(at: usize, what: &str) -> Error {
    Error::at(at, format!("{what} are matched exactly: no empty values or surrounding spaces"))
}

/// A Shopify id: a whole JSON number or a non-blank string, kept as text.
fn read_id(r: &mut Reader, arena: &mut Arena) -> Result<Span, Error> {
    // Most are numbers: their digits taken straight from the scan.
    if let Some((digits, _)) = r.plain_digits() {
        return Ok(arena.push(digits));
    }
    let at = r.offset_of_value();
    let kind = r.kind();
    let text = match kind {
        Kind::String => r.string()?,
        Kind::Number => r.number()?.into(),
        _ => return Err(r.expected("an id (a whole number or a string)")),
    };
    // A number is never blank; a string is never checked for digits.
    let refused = if kind == Kind::Number { !all_digits(&text) } else { text.trim().is_empty() };
    if refused {
        return Err(Error::at(at, format!("expected an id (a whole number or a string), found {text}")));
    }
    Ok(arena.push(&text))
}

/// An amount or rate written as a JSON string (`"0.20"`) or number (`0.2`), read exactly.
pub fn read_amount(r: &mut Reader) -> Result<Decimal, Error> {
    let at = r.offset_of_value();
    let text = match r.kind() {
        Kind::String => match r.plain_string() {
            Some((text, _)) => text.into(),
            None => r.string()?,
        },
        Kind::Number => r.number()?.into(),
        _ => return Err(r.expected("a decimal amount")),
    };
    match pounds_and_pence(&text) {
        Some(amount) => Ok(amount),
        None => parse_amount(text.trim()).map_err(|why| Error::at(at, why)),
    }
}

/// The usual form of an amount, up to twelve digits and at most two
/// decimals (`25000.00`, `0.20`, `7`), read straight into a `Decimal`: what
/// `parse_amount` gives for it (the same digits and scale, and within its
/// limit), without its general parse. `None` for anything else.
fn pounds_and_pence(text: &str) -> Option<Decimal> {
    // One pass over the bytes (`split_once` would search for the point first).
    let b = text.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let (mut mantissa, mut whole, mut decimals, mut point) = (0i64, 0, 0, false);
    for &d in b {
        match d {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(d - b'0');
                (whole, decimals) = if point { (whole, decimals + 1) } else { (whole + 1, decimals) };
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    let decimals_ok = if point { (1..=2).contains(&decimals) } else { decimals == 0 };
    ((1..=12).contains(&whole) && decimals_ok).then(|| Decimal::new(mantissa, decimals))
}

/// `read_rule` for plain keys and values.
#[inline(always)]
fn quick_rule(c: &mut Cursor) -> Option<QuantityRule> {
    let (mut rule, mut seen) = (QuantityRule::default(), 0);
    c.open(b'{')?;
    loop {
        let f = c.member(RULE, &mut seen)?;
        let value = c.u32()?;
        match f {
            0 if value == 0 => return None,
            0 => rule.pack_size = Some(value),
            1 => rule.min = Some(value),
            _ => rule.max = Some(value),
        }
        if !c.more(b'}')? {
            break;
        }
    }
    let min_above_max = matches!((rule.min, rule.max), (Some(min), Some(max)) if min > max);
    (!min_above_max).then_some(rule)
}

fn read_rule(r: &mut Reader) -> Result<QuantityRule, Error> {
    let mut rule = QuantityRule::default();
    let mut min_at = 0;
    let mut members = r.object(RULE, Unknown::Refuse)?;
    while let Some(f) = members.next(r)? {
        let at = r.offset_of_value();
        let value = r.u32()?;
        match f {
            0 if value == 0 => return Err(Error::at(at, "must be at least 1")),
            0 => rule.pack_size = Some(value),
            1 => (rule.min, min_at) = (Some(value), at),
            _ => rule.max = Some(value),
        }
    }
    if let (Some(min), Some(max)) = (rule.min, rule.max) {
        if min > max {
            return Err(Error::at(min_at, format!("min {min} is above max {max}")));
        }
    }
    Ok(rule)
}

/// `read_credit` for plain keys and values, the amount as a string in
/// pounds and pence.
#[inline(always)]
fn quick_credit(c: &mut Cursor) -> Option<Credit> {
    let (mut credit, mut seen) = (Credit::default(), 0);
    c.open(b'{')?;
    loop {
        match c.member(CREDIT, &mut seen)? {
            0 => credit.account_customer = c.boolean()?,
            1 => credit.on_hold = c.boolean()?,
            2 => credit.manual_on_hold = c.boolean()?,
            3 => credit.over_credit_terms = c.boolean()?,
            _ if c.null() => {}
            // At most two decimals, as `read_credit` requires.
            _ => credit.available_to_spend = Some(pounds_and_pence(c.string()?)?),
        }
        if !c.more(b'}')? {
            break;
        }
    }
    (seen & 1 != 0).then_some(credit)
}

fn read_credit(r: &mut Reader) -> Result<Credit, Error> {
    let mut credit = Credit::default();
    let mut members = r.object(CREDIT, Unknown::Refuse)?;
    while let Some(f) = members.next(r)? {
        match f {
            0 => credit.account_customer = r.boolean()?,
            1 => credit.on_hold = r.boolean()?,
            2 => credit.manual_on_hold = r.boolean()?,
            3 => credit.over_credit_terms = r.boolean()?,
            _ if r.null() => {}
            _ => {
                let at = r.offset_of_value();
                let amount = read_amount(r)?;
                if amount.scale() > MONEY_DP {
                    return Err(Error::at(at, "must be an amount in pennies (at most 2 decimals)"));
                }
                // Prevents: a figure no credit check can mean. A customer over
                // their limit has nothing left to spend: the sync writes 0.
                if amount.is_sign_negative() && !amount.is_zero() {
                    return Err(Error::at(
                        at,
                        format!(
                            "is negative ({amount}); a customer at or over their limit has 0 available to spend: the credit sync must write 0"
                        ),
                    ));
                }
                credit.available_to_spend = Some(amount);
            }
        }
    }
    let seen = members.seen(r);
    seen.require(CREDIT, &[0])?;
    Ok(credit)
}

/// What the stock flow and the catalog check walk: variants by position, the
/// units cut from each, and what a unit is called.
impl Reference {
    /// Number of OrderWise variants.
    pub fn variant_count(&self) -> usize {
        self.variants.len()
    }

    /// The variant at `index` (profile order).
    pub fn variant_at(&self, index: usize) -> &Variant {
        &self.variants[index]
    }

    /// The position of the variant with exactly this code.
    pub fn variant_index(&self, code: &str) -> Option<usize> {
        let t = &self.text;
        let code = code.as_bytes();
        self.by_code.find(hash(0, code), |i| t.bytes(self.variants[i].code) == code)
    }

    /// The units (case SKUs and pack selections) that deplete the variant at
    /// `index`. Units are stored in variant order, so they are one run.
    pub fn units_of(&self, index: usize) -> &[Unit] {
        let start = self.units.partition_point(|u| (u.variant as usize) < index);
        let end = self.units.partition_point(|u| (u.variant as usize) <= index);
        &self.units[start..end]
    }

    /// The position of the variant a unit depletes.
    pub fn variant_index_of(&self, unit: &Unit) -> usize {
        unit.variant as usize
    }

    /// The SparkLayer SKU a unit is sold as.
    pub fn unit_sku(&self, unit: &Unit) -> &str {
        self.text.get(unit.sku)
    }

    /// The pack selection of a unit; `None` for a SKU sold as itself (a case SKU).
    pub fn unit_pack(&self, unit: &Unit) -> Option<&str> {
        unit.pack.map(|p| self.text.get(p))
    }
}

/// Positions, for the stock flow's index (built once per profile).
impl Reference {
    /// The positions in the unit list of the units of the variant at `index`.
    pub fn units_range(&self, index: usize) -> std::ops::Range<usize> {
        let start = self.units.partition_point(|u| (u.variant as usize) < index);
        let end = self.units.partition_point(|u| (u.variant as usize) <= index);
        start..end
    }

    /// Number of units.
    pub fn unit_count(&self) -> usize {
        self.units.len()
    }

    /// The unit at `index` (profile order).
    pub fn unit_at(&self, index: usize) -> &Unit {
        &self.units[index]
    }

    /// The position of the unit for a SKU as sold, with or without a pack selection.
    pub fn unit_index(&self, sku: &str, pack: Option<&str>) -> Option<usize> {
        let t = &self.text;
        let is = |i: usize| {
            let u = &self.units[i];
            t.get(u.sku) == sku && u.pack.map(|p| t.get(p)) == pack
        };
        self.by_sku_and_pack.find(hash_pair(sku.as_bytes(), pack.map(str::as_bytes)), is)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_and_pence_read_what_parse_amount_reads() {
        for text in ["25000.00", "0.20", "0", "7", "007.50", "999999999999.99", "1.5", "100"] {
            let fast = pounds_and_pence(text).expect(text);
            let general = parse_amount(text).unwrap();
            assert_eq!((fast, fast.scale()), (general, general.scale()), "{text}");
        }
        // Everything else is left to `parse_amount` (which may refuse it).
        for text in ["1000000000000", "1.", ".5", "1.005", "-5.00", "+1", " 5.00", "1e3", "1,00", "", "1.2.3", "0.2x"] {
            assert_eq!(pounds_and_pence(text), None, "{text}");
        }
    }
}
