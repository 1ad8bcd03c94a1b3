//! The outbound shape: an OrderWise OWAPI sales order
//! (`POST {base}/owapi/sales/order?session_id=…`).
//!
//! Field names are kept here and only here, so a tenant whose OWAPI uses other
//! names changes this file alone. Names marked [code] were seen in a working
//! integration; [inferred] names come from OrderWise's XML import and database
//! and were not seen in OWAPI JSON (see ../shared/domain.md §3).

use crate::shared::money::{serialize_number, serialize_option_number};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesOrder {
    pub customer: CustomerRef,
    pub order_header: OrderHeader,
    pub customer_delivery_address: DeliveryAddress,
    pub order_lines: Vec<OrderLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRef {
    /// [code] null in a review draft whose customer is unmapped.
    pub id: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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
    #[serde(serialize_with = "serialize_number")]
    pub order_gross: Decimal,
    /// [code]
    #[serde(serialize_with = "serialize_number")]
    pub delivery_gross: Decimal,
    /// [inferred] the customer's PO (`oh_cust_order_ref`).
    pub customer_order_ref: Option<String>,
    /// [inferred]
    #[serde(serialize_with = "serialize_number")]
    pub order_net: Decimal,
    /// [inferred]
    #[serde(serialize_with = "serialize_number")]
    pub order_tax: Decimal,
    /// [inferred]
    #[serde(serialize_with = "serialize_number")]
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
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "serialize_option_number")]
    pub amount_paid: Option<Decimal>,
    /// [code] `Payments/SalesPayment` in the XML import; omitted when nothing was paid upfront.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<SalesPayment>,
    /// [inferred] the delivery charge per VAT rate, only when it is taxed at
    /// more than one (then `deliveryTaxRateId` is null).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delivery_vat: Vec<DeliveryVat>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesPayment {
    /// [inferred] the OrderWise payment method; null when the gateway is unmapped (review).
    pub payment_method_id: Option<u32>,
    /// [code] `Amount`.
    #[serde(serialize_with = "serialize_number")]
    pub amount: Decimal,
    /// [code] `Description`: the gateway and its reference.
    pub description: String,
    /// [inferred] the gateway's payment reference, for matching payouts.
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryVat {
    /// [inferred]
    pub tax_rate_id: Option<u32>,
    /// [inferred]
    #[serde(serialize_with = "serialize_number")]
    pub net: Decimal,
    /// [inferred]
    #[serde(serialize_with = "serialize_number")]
    pub tax: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// [code] 1-based position in this sales order.
    pub item_number: u32,
    /// [code] the OrderWise variant whose stock the line depletes; null in a
    /// review draft whose SKU could not be resolved.
    pub variant_code: Option<String>,
    /// [code] in OrderWise units (eaches), after any case multiplier.
    pub quantity: u64,
    /// [code] unit price including VAT, half-up at the price precision (informative).
    #[serde(serialize_with = "serialize_number")]
    pub item_gross: Decimal,
    /// [inferred] unit price net of VAT and discounts; quantity × itemNet is exact.
    #[serde(serialize_with = "serialize_number")]
    pub item_net: Decimal,
    /// [code]
    pub tax_rate_id: Option<u32>,
    /// [code]
    pub stock_location_id: u32,
    /// [code] `eCommerceItemID` (JSON spelling inferred): the Shopify line
    /// item id, so dispatches and tracking go back line by line.
    pub e_commerce_item_id: Option<String>,
    /// [inferred] the line's other properties (personalisation, print text).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub notes: String,
}
