//! The outbound shape: an OrderWise OWAPI sales order
//! (`POST {base}/owapi/sales/order?session_id=…`).
//!
//! Field names are kept here and only here (in `to_json`), so a tenant whose
//! OWAPI uses other names changes this file alone. Names marked [code] were seen in a working
//! integration; [inferred] names come from OrderWise's XML import and database
//! and were not seen in OWAPI JSON (see ../shared/domain.md §3).

use crate::shared::write::{member, Writer};
use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq)]
pub struct SalesOrder {
    pub customer: CustomerRef,
    pub order_header: OrderHeader,
    pub customer_delivery_address: DeliveryAddress,
    pub order_lines: Vec<OrderLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRef {
    /// [code] null in a review draft whose customer is unmapped.
    pub id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderHeader {
    /// [code] the profile's standard or on-account order type.
    pub system_order_type: u32,
    /// [code]
    pub delivery_method_id: Option<u32>,
    /// [code] local wall-clock time of the order, `YYYY-MM-DDTHH:MM:SS`.
    pub order_date: String,
    /// [code] the stable idempotency key.
    pub e_commerce_order_number: String,
    /// [code] inherited from SparkLayer: never recalculated.
    pub order_gross: Decimal,
    /// [code]
    pub delivery_gross: Decimal,
    /// [inferred] the customer's PO (`oh_cust_order_ref`).
    pub customer_order_ref: Option<String>,
    /// [inferred]
    pub order_net: Decimal,
    /// [inferred]
    pub order_tax: Decimal,
    /// [inferred]
    pub delivery_net: Decimal,
    /// [inferred]
    pub delivery_tax_rate_id: Option<u32>,
    /// [inferred]
    pub special_instructions: String,
    /// [inferred] on-account orders are never held for payment.
    pub on_hold: bool,
    /// [inferred] unit prices below are net of VAT.
    pub prices_as_net: bool,
    /// [inferred] the ISO 4217 currency every amount of this order is in (the
    /// one the customer agreed: Shopify's presentment currency).
    pub currency_code: String,
    /// [code] `AmountPaid` in the XML import; present only when paid upfront.
    pub amount_paid: Option<Decimal>,
    /// [code] `Payments/SalesPayment` in the XML import; omitted when nothing was paid upfront.
    pub payments: Vec<SalesPayment>,
    /// [inferred] the delivery charge per VAT rate, only when it is taxed at
    /// more than one (then `deliveryTaxRateId` is null).
    pub delivery_vat: Vec<DeliveryVat>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SalesPayment {
    /// [inferred] the OrderWise payment method; null when the gateway is unmapped (review).
    pub payment_method_id: Option<u32>,
    /// [code] `Amount`.
    pub amount: Decimal,
    /// [code] `Description`: the gateway and its reference.
    pub description: String,
    /// [inferred] the gateway's payment reference, for matching payouts.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryVat {
    /// [inferred]
    pub tax_rate_id: Option<u32>,
    /// [inferred]
    pub net: Decimal,
    /// [inferred]
    pub tax: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryAddress {
    /// [code] company when there is one, else the contact's name.
    pub delivery_name: String,
    /// [code]
    pub contact_name: String,
    /// [code]
    pub address1: String,
    /// [code]
    pub address2: String,
    /// [code]
    pub town: String,
    /// [inferred]
    pub county: String,
    /// [code]
    pub country: String,
    /// [inferred] ISO 3166 alpha-2, so no address field is dropped.
    pub country_code: String,
    /// [code]
    pub postcode: String,
    /// [code]
    pub telephone: String,
    /// [code]
    pub email: String,
    /// [code]
    pub delivery_method_id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    /// [code] 1-based position in this sales order.
    pub item_number: u32,
    /// [code] the OrderWise variant whose stock the line depletes; null in a
    /// review draft whose SKU could not be resolved.
    pub variant_code: Option<String>,
    /// [code] in OrderWise units (eaches), after any case multiplier.
    pub quantity: u64,
    /// [code] unit price including VAT, half-up at the price precision (informative).
    pub item_gross: Decimal,
    /// [inferred] unit price net of VAT and discounts; quantity × itemNet is exact.
    pub item_net: Decimal,
    /// [code]
    pub tax_rate_id: Option<u32>,
    /// [code]
    pub stock_location_id: u32,
    /// [code] `eCommerceItemID` (JSON spelling inferred): the Shopify line
    /// item id, so dispatches and tracking go back line by line.
    pub e_commerce_item_id: Option<String>,
    /// [inferred] the line's other properties (personalisation, print text).
    pub notes: String,
}

impl SalesOrder {
    /// The sales order as compact JSON, members in the order above. Optional
    /// members marked so above are left out when empty.
    pub fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(1024 + 320 * self.order_lines.len());
        w.begin_object();
        w.key(member!("customer")).begin_object().key(member!("id")).opt_uint(self.customer.id).end_object();
        self.order_header.write(&mut w);
        self.customer_delivery_address.write(&mut w);
        w.key(member!("orderLines")).begin_array();
        for line in &self.order_lines {
            line.write(&mut w);
        }
        w.end_array();
        w.end_object();
        w.finish()
    }
}

impl OrderHeader {
    fn write(&self, w: &mut Writer) {
        w.key(member!("orderHeader")).begin_object();
        w.key(member!("systemOrderType")).uint(u64::from(self.system_order_type));
        w.key(member!("deliveryMethodId")).opt_uint(self.delivery_method_id);
        w.key(member!("orderDate")).string(&self.order_date);
        w.key(member!("eCommerceOrderNumber")).string(&self.e_commerce_order_number);
        w.key(member!("orderGross")).decimal(self.order_gross);
        w.key(member!("deliveryGross")).decimal(self.delivery_gross);
        w.key(member!("customerOrderRef")).opt_string(self.customer_order_ref.as_deref());
        w.key(member!("orderNet")).decimal(self.order_net);
        w.key(member!("orderTax")).decimal(self.order_tax);
        w.key(member!("deliveryNet")).decimal(self.delivery_net);
        w.key(member!("deliveryTaxRateId")).opt_uint(self.delivery_tax_rate_id);
        w.key(member!("specialInstructions")).string(&self.special_instructions);
        w.key(member!("onHold")).boolean(self.on_hold);
        w.key(member!("pricesAsNet")).boolean(self.prices_as_net);
        w.key(member!("currencyCode")).string(&self.currency_code);
        if let Some(paid) = self.amount_paid {
            w.key(member!("amountPaid")).decimal(paid);
        }
        if !self.payments.is_empty() {
            w.key(member!("payments")).begin_array();
            for p in &self.payments {
                w.begin_object();
                w.key(member!("paymentMethodId")).opt_uint(p.payment_method_id);
                w.key(member!("amount")).decimal(p.amount);
                w.key(member!("description")).string(&p.description);
                w.key(member!("reference")).opt_string(p.reference.as_deref());
                w.end_object();
            }
            w.end_array();
        }
        if !self.delivery_vat.is_empty() {
            w.key(member!("deliveryVat")).begin_array();
            for v in &self.delivery_vat {
                w.begin_object();
                w.key(member!("taxRateId")).opt_uint(v.tax_rate_id);
                w.key(member!("net")).decimal(v.net);
                w.key(member!("tax")).decimal(v.tax);
                w.end_object();
            }
            w.end_array();
        }
        w.end_object();
    }
}

impl DeliveryAddress {
    fn write(&self, w: &mut Writer) {
        w.key(member!("customerDeliveryAddress")).begin_object();
        w.key(member!("deliveryName")).string(&self.delivery_name);
        w.key(member!("contactName")).string(&self.contact_name);
        w.key(member!("address1")).string(&self.address1);
        w.key(member!("address2")).string(&self.address2);
        w.key(member!("town")).string(&self.town);
        w.key(member!("county")).string(&self.county);
        w.key(member!("country")).string(&self.country);
        w.key(member!("countryCode")).string(&self.country_code);
        w.key(member!("postcode")).string(&self.postcode);
        w.key(member!("telephone")).string(&self.telephone);
        w.key(member!("email")).string(&self.email);
        w.key(member!("deliveryMethodId")).opt_uint(self.delivery_method_id);
        w.end_object();
    }
}

impl OrderLine {
    fn write(&self, w: &mut Writer) {
        w.begin_object();
        w.key(member!("itemNumber")).uint(u64::from(self.item_number));
        w.key(member!("variantCode")).opt_string(self.variant_code.as_deref());
        w.key(member!("quantity")).uint(self.quantity);
        w.key(member!("itemGross")).decimal(self.item_gross);
        w.key(member!("itemNet")).decimal(self.item_net);
        w.key(member!("taxRateId")).opt_uint(self.tax_rate_id);
        w.key(member!("stockLocationId")).uint(u64::from(self.stock_location_id));
        w.key(member!("eCommerceItemId")).opt_string(self.e_commerce_item_id.as_deref());
        if !self.notes.is_empty() {
            w.key(member!("notes")).string(&self.notes);
        }
        w.end_object();
    }
}
