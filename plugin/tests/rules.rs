//! The mapping rules, natively, one behaviour per test.

mod support;

use plugin::shared::issues::Severity;
use plugin::{map_order, Status};
use serde_json::json;
use support::*;

fn map(order: &serde_json::Value) -> plugin::Outcome {
    map_order(&profile(), &order.to_string())
}

fn lines_of(outcome: &plugin::Outcome) -> Vec<(Option<String>, u64, String)> {
    let so = outcome.sales_order.as_ref().expect("a draft");
    so.order_lines.iter().map(|l| (l.variant_code.clone(), l.quantity, l.item_net.to_string())).collect()
}

#[test]
fn a_consistent_on_account_order_is_ready_with_inherited_totals() {
    let out = map(&order(&[line("CUP-12OZ-WHT", 24, "1.85", "0.2"), line("TEA-EB-80", 5, "6.40", "0")], Some("9.50")));
    assert_eq!(out.status, Status::Ready, "{:?}", out.issues);
    let header = &out.sales_order.unwrap().order_header;
    assert_eq!((header.order_net, header.order_tax, header.order_gross), (d("85.90"), d("10.78"), d("96.68")));
    assert_eq!(header.system_order_type, 2);
    assert!(!header.on_hold);
}

#[test]
fn case_of_twelve_becomes_twelve_eaches_of_the_each_sku() {
    let out = map(&order(&[line("CUP-12OZ-WHT-C12", 3, "22.20", "0.2")], None));
    assert_eq!(out.status, Status::Ready, "{:?}", out.issues);
    assert_eq!(lines_of(&out), vec![(Some("CUP-12OZ-WHT".into()), 36, "1.85".into())]);
}

#[test]
fn a_pack_selection_in_the_line_properties_multiplies_the_quantity() {
    let out = map(&order(&[line("LID-12OZ-WHT", 2, "4.50", "0.2").property("Pack", "Case of 50")], None));
    assert_eq!(out.status, Status::Ready, "{:?}", out.issues);
    assert_eq!(lines_of(&out), vec![(Some("LID-12OZ-WHT".into()), 100, "0.09".into())]);
}

#[test]
fn an_unmapped_pack_holds_the_order_and_names_the_line() {
    let out = map(&order(
        &[line("TEA-EB-80", 1, "6.40", "0"), line("LID-12OZ-WHT", 2, "8.00", "0.2").property("Pack", "Pallet")],
        None,
    ));
    assert_eq!(out.status, Status::Review);
    let issue = out.issues.iter().find(|i| i.code.as_str() == "UOM_UNMAPPED").unwrap();
    assert_eq!(issue.pointer, "/line_items/1/properties");
    // The line is in the draft, unresolved, not dropped.
    assert_eq!(lines_of(&out)[1].0, None);
}

#[test]
fn sku_matching_is_exact_and_case_sensitive() {
    let out = map(&order(&[line("cup-12oz-wht", 24, "1.85", "0.2")], None));
    assert_eq!(codes(&out), ["SKU_UNKNOWN", "ON_ACCOUNT"]);
    assert_eq!(out.issues[0].pointer, "/line_items/0/sku");
}

#[test]
fn quantity_must_respect_pack_size_min_and_max() {
    for (quantity, expected) in [(24, 0), (30, 1), (6, 2), (1212, 1)] {
        let out = map(&order(&[line("CUP-12OZ-WHT", quantity, "0.01", "0.2")], None));
        let n = codes(&out).iter().filter(|c| **c == "PACK_QUANTITY_INVALID").count();
        assert_eq!(n, expected, "quantity {quantity}: {:?}", out.issues);
    }
}

#[test]
fn ten_pounds_for_a_case_of_twelve_is_split_to_keep_every_penny() {
    let out = map(&order(&[line("CUP-12OZ-WHT-C12", 1, "10.00", "0.2")], None));
    assert_eq!(
        lines_of(&out),
        vec![(Some("CUP-12OZ-WHT".into()), 8, "0.83".into()), (Some("CUP-12OZ-WHT".into()), 4, "0.84".into())]
    );
    assert!(codes(&out).contains(&"UNIT_PRICE_SPLIT"));
    assert_eq!(out.status, Status::Ready, "{:?}", out.issues);
}

#[test]
fn a_review_policy_holds_an_inexact_unit_price_instead_of_splitting() {
    let profile = profile_with("/orders/unitPriceRemainder", json!("review"));
    let out = map_order(&profile, &order(&[line("CUP-12OZ-WHT-C12", 1, "10.00", "0.2")], None).to_string());
    assert_eq!(out.status, Status::Review);
    assert!(codes(&out).contains(&"UNIT_PRICE_INEXACT"));
}

#[test]
fn four_decimal_price_precision_holds_a_case_each_price_that_two_decimals_cannot() {
    // £20.00 for 24 eaches: 0.8333… a unit. At 2 decimals: 16 × 0.83 + 8 × 0.84.
    // At 4 decimals: 16 × 0.8333 + 8 × 0.8334, still exactly £20.00.
    let profile = profile_with("/orders/pricePrecision", json!(4));
    let out = map_order(&profile, &order(&[line("CUP-12OZ-WHT-C12", 2, "10.00", "0")], None).to_string());
    let lines = lines_of(&out);
    assert_eq!(
        lines,
        vec![(Some("CUP-12OZ-WHT".into()), 16, "0.8333".into()), (Some("CUP-12OZ-WHT".into()), 8, "0.8334".into())]
    );
}

#[test]
fn ten_times_eleven_thirty_one_depends_on_the_vat_rounding_mode() {
    let lines: Vec<Line> = (0..10).map(|_| line("TEA-EB-80", 1, "11.31", "0.2")).collect();
    let mut invoice_level = order(&lines, None);
    invoice_level["total_tax"] = json!("22.62");
    invoice_level["total_price"] = json!("135.72");
    let per_line = map(&invoice_level);
    let mismatch = per_line.issues.iter().find(|i| i.code.as_str() == "VAT_MISMATCH").expect("per-line VAT is 22.60");
    assert!(mismatch.message.contains("SparkLayer 22.62 but OrderWise would compute 22.60"), "{}", mismatch.message);
    let profile = profile_with("/orders/vatRounding", json!("invoice-round-down"));
    assert_eq!(map_order(&profile, &invoice_level.to_string()).status, Status::Ready);
}

#[test]
fn a_tolerance_lets_a_penny_through_and_no_more() {
    let mut o = order(&[line("TEA-EB-80", 10, "11.31", "0.2")], None);
    o["total_tax"] = json!("22.63");
    o["total_price"] = json!("135.73");
    assert_eq!(map(&o).status, Status::Review);
    let profile = profile_with("/orders/tolerance", json!("0.01"));
    assert_eq!(map_order(&profile, &o.to_string()).status, Status::Ready);
    o["total_tax"] = json!("22.64");
    o["total_price"] = json!("135.74");
    assert_eq!(map_order(&profile, &o.to_string()).status, Status::Review);
}

#[test]
fn on_account_is_detected_from_pending_with_terms_when_sparklayer_says_nothing() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], None);
    o["note_attributes"] = json!([{"name": "PO Number", "value": "PO-1"}]);
    let out = map(&o);
    assert_eq!(out.status, Status::Ready);
    assert_eq!(out.sales_order.unwrap().order_header.system_order_type, 2);
}

#[test]
fn an_unpaid_card_order_is_held_for_payment() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], None);
    o["note_attributes"][0]["value"] = json!("upfrontPayment");
    o["payment_terms"] = serde_json::Value::Null;
    let out = map(&o);
    assert_eq!(codes(&out), ["PAYMENT_UNCONFIRMED"]);
    assert!(out.sales_order.unwrap().order_header.on_hold);
    o["financial_status"] = json!("paid");
    o["payment_gateway_names"] = json!(["shopify_payments"]);
    let paid = map(&o);
    assert_eq!(paid.status, Status::Ready, "{:?}", paid.issues);
    let header = paid.sales_order.unwrap().order_header;
    assert_eq!(header.system_order_type, 1);
    // The payment travels with the order, so OrderWise does not show it as owed.
    assert_eq!(header.amount_paid, Some(d("6.40")));
    assert_eq!(header.payments[0].payment_method_id, Some(3));
}

#[test]
fn po_comes_from_the_first_configured_source_trimmed() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], None);
    o["note_attributes"][1] = json!({"name": "po_number", "value": "  PO-2  "});
    o["note"] = json!("PO-3");
    let out = map(&o);
    assert_eq!(out.sales_order.unwrap().order_header.customer_order_ref.as_deref(), Some("PO-2"));
}

#[test]
fn a_missing_po_is_an_error_or_a_warning_by_customer_policy() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], None);
    o["note_attributes"] = json!([{"name": "sparkPaymentType", "value": "paymentOnAccount"}]);
    let required = map(&o);
    assert_eq!(required.status, Status::Review);
    assert_eq!(required.issues[0].severity, Severity::Error);
    o["customer"] = json!({"id": 7201934471099u64});
    let optional = map(&o);
    assert_eq!(optional.status, Status::Ready);
    assert_eq!(optional.issues[0].severity, Severity::Warning);
}

#[test]
fn an_over_long_po_is_held_and_never_truncated() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], None);
    o["note_attributes"][1]["value"] = json!("PO-123456789012345678901");
    let out = map(&o);
    assert_eq!(codes(&out)[0], "PO_TOO_LONG");
    assert_eq!(out.sales_order.unwrap().order_header.customer_order_ref.as_deref(), Some("PO-123456789012345678901"));
}

#[test]
fn the_customer_is_found_by_email_when_the_id_is_unknown() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], None);
    o["customer"] = json!({"id": 1, "email": " ORDERS@harbourcafe.co.uk "});
    assert_eq!(map(&o).sales_order.unwrap().customer.id, Some(2193));
    o["customer"] = json!({"id": 1, "email": "someone@else.example"});
    let out = map(&o);
    assert_eq!(codes(&out)[0], "CUSTOMER_UNMAPPED");
    assert_eq!(out.sales_order.unwrap().customer.id, None);
}

#[test]
fn every_missing_address_field_of_a_delivery_is_named() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0")], Some("9.50"));
    o["shipping_address"] = json!({"country_code": "GB"});
    let pointers: Vec<String> =
        map(&o).issues.into_iter().filter(|i| i.code.as_str() == "ADDRESS_INCOMPLETE").map(|i| i.pointer).collect();
    assert_eq!(
        pointers,
        ["/shipping_address", "/shipping_address/address1", "/shipping_address/city", "/shipping_address/zip"]
    );
}

#[test]
fn unmapped_currency_delivery_and_tax_rate_are_coded_never_defaulted() {
    let mut o = order(&[line("TEA-EB-80", 1, "6.40", "0.175")], Some("5.00"));
    o["currency"] = json!("EUR");
    o["shipping_lines"][0]["code"] = json!("Drone");
    let out = map(&o);
    for code in ["CURRENCY_UNSUPPORTED", "TAX_RATE_UNMAPPED", "DELIVERY_METHOD_UNMAPPED"] {
        assert!(codes(&out).contains(&code), "{code} missing from {:?}", codes(&out));
    }
    let draft = out.sales_order.unwrap();
    assert_eq!(draft.order_header.delivery_method_id, None);
    assert_eq!(draft.order_lines[0].tax_rate_id, None);
}

#[test]
fn vat_inclusive_prices_are_converted_to_net() {
    let mut o = order(&[line("TEA-EB-80", 2, "6.00", "0.2")], None);
    o["taxes_included"] = json!(true);
    o["line_items"][0]["tax_lines"][0]["price"] = json!("2.00");
    o["line_items"][0]["properties"] = json!([]);
    o["total_tax"] = json!("2.00");
    o["total_price"] = json!("12.00");
    let out = map(&o);
    assert_eq!(out.status, Status::Ready, "{:?}", out.issues);
    assert_eq!(lines_of(&out), vec![(Some("TEA-EB-80".into()), 2, "5.00".into())]);
    assert_eq!(out.sales_order.unwrap().order_header.order_net, d("10.00"));
}

#[test]
fn a_review_lists_every_issue_not_just_the_first() {
    let mut o = order(&[line("NOPE-1", 1, "1.00", "0.2"), line("NOPE-2", 1, "1.00", "0.3")], Some("1.00"));
    o["currency"] = json!("USD");
    o["customer"] = json!({"id": 42});
    o["note_attributes"] = json!([]);
    let got = codes(&map(&o));
    for code in ["CURRENCY_UNSUPPORTED", "CUSTOMER_UNMAPPED", "PO_MISSING", "SKU_UNKNOWN", "TAX_RATE_UNMAPPED"] {
        assert!(got.contains(&code), "{code} missing from {got:?}");
    }
    assert_eq!(got.iter().filter(|c| **c == "SKU_UNKNOWN").count(), 2);
}

#[test]
fn profile_errors_name_the_field() {
    let cases = [
        ("/orders/pricePrecision", json!(6), "/orders/pricePrecision"),
        ("/orders/untaxedCode", json!("T1"), "/orders/untaxedCode"),
        ("/orders/currencies", json!(["gbp"]), "/orders/currencies/0"),
        ("/orders/tolerance", json!("-0.01"), "/orders/tolerance"),
        ("/orders/vatRounding", json!("bankers"), "/orders/vatRounding"),
        ("/orders/stockLocationId", json!(7), "/orders/stockLocationId"),
        ("/orders/paymentTypes", json!({"onAccount": ["x"], "upfront": ["x"]}), "/orders/paymentTypes"),
        ("/reference/variants/0/units/0/multiplier", json!(0), "/reference/variants/0/units/0/multiplier"),
        ("/reference/variants/1/code", json!("CUP-12OZ-WHT"), "/reference/variants/1/code"),
        ("/reference/variants/2/code", json!(" TEA-EB-80"), "/reference/variants/2/code"),
        (
            "/reference/variants/2/units",
            json!([{"sku": "CUP-12OZ-WHT-C12", "multiplier": 6}]),
            "/reference/variants/2/units/0",
        ),
        ("/reference/variants/0/rule/min", json!(2000), "/reference/variants/0/rule/min"),
        ("/reference/customers/1/email", json!("ORDERS@harbourcafe.co.uk "), "/reference/customers/1/email"),
        ("/reference/taxRates/2/rate", json!("0.2"), "/reference/taxRates/2/rate"),
        ("/reference/stockLocations", json!([]), "/reference"),
        ("/orders/poMaxLen", json!(20), "/orders/poMaxLen"),
    ];
    for (at, value, pointer) in cases {
        let err = plugin::Profile::parse(&profile_json_with(at, value)).expect_err(at);
        assert_eq!(err.field, pointer, "{at}: {}", err.message);
    }
}

#[test]
fn negative_or_missing_amounts_reject_the_payload_at_their_field() {
    let mut o = order(&[line("TEA-EB-80", 2, "6.40", "0").discount("1.00")], Some("9.50"));
    o["shipping_lines"][0]["discounted_price"] = json!("-10.00");
    o["line_items"][0]["discount_allocations"] = json!([{"amount": "-5.00"}, {"amount": null}]);
    let out = map(&o);
    assert_eq!(out.status, Status::Rejected);
    let pointers: Vec<&str> = out.issues.iter().map(|i| i.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/line_items/0/discount_allocations/0/amount",
            "/line_items/0/discount_allocations/1/amount",
            "/shipping_lines/0/discounted_price"
        ]
    );
}

#[test]
fn an_order_beyond_the_line_limit_is_rejected_with_a_reason_not_stopped_for_fuel() {
    let lines: Vec<Line> = (0..=plugin::orders::order::MAX_LINES).map(|_| line("TEA-EB-80", 1, "1.00", "0")).collect();
    let out = map(&order(&lines, None));
    assert_eq!(out.status, Status::Rejected);
    assert_eq!(out.issues[0].pointer, "/line_items");
    assert!(out.issues[0].message.contains("split the order"), "{}", out.issues[0].message);
}

#[test]
fn quantity_rules_apply_to_the_pack_that_was_sold() {
    // LID-12OZ-WHT sold loose goes in multiples of 50; its "Case of 50" pack at most 10 at a time.
    let lid = json!({"code": "LID-12OZ-WHT", "rule": {"packSize": 50},
                     "units": [{"sku": "LID-12OZ-WHT", "pack": "Case of 50", "multiplier": 50, "rule": {"max": 10}}]});
    let profile = profile_with("/reference/variants/1", lid);
    let cases = |n: i64| line("LID-12OZ-WHT", n, "4.50", "0.2").property("Pack", "Case of 50");
    let two_cases = map_order(&profile, &order(&[cases(2)], None).to_string());
    assert!(!codes(&two_cases).contains(&"PACK_QUANTITY_INVALID"), "{:?}", two_cases.issues);
    let eleven = map_order(&profile, &order(&[cases(11)], None).to_string());
    assert!(codes(&eleven).contains(&"PACK_QUANTITY_INVALID"));
    let loose = map_order(&profile, &order(&[line("LID-12OZ-WHT", 30, "0.09", "0.2")], None).to_string());
    assert!(codes(&loose).contains(&"PACK_QUANTITY_INVALID"), "30 eaches is not a multiple of 50");
}

#[test]
fn profiles_that_validate_but_cannot_be_right_are_refused() {
    let cases = [
        // A tolerance that would switch the totals check off needs saying so.
        ("/orders/tolerance", json!("5.00"), "/orders/tolerance"),
        ("/reference/variants/0/units/0/sku", json!("CUP-12OZ-WHT-C12 "), "/reference/variants/0/units/0/sku"),
        ("/reference/variants/1/units/0/pack", json!(""), "/reference/variants/1/units/0/pack"),
        (
            "/reference/deliveryMethods/0/shippingCode",
            json!(" Next Day Pallet"),
            "/reference/deliveryMethods/0/shippingCode",
        ),
        ("/orders/packProperties", json!([]), "/orders/packProperties"),
        // Two VAT rates on one OrderWise tax code: one would post at the other's rate.
        ("/reference/taxRates/2/taxRateId", json!(1), "/reference/taxRates/2/taxRateId"),
        // Over the limit is 0 available, not a negative figure a check cannot mean.
        (
            "/reference/customers/0/credit/availableToSpend",
            json!("-120.00"),
            "/reference/customers/0/credit/availableToSpend",
        ),
    ];
    for (at, value, pointer) in cases {
        let err = plugin::Profile::parse(&profile_json_with(at, value)).expect_err(at);
        assert_eq!(err.field, pointer, "{at}: {}", err.message);
    }
    let large = profile_json_with("/orders/tolerance", json!("5.00"));
    let allowed = large.replacen("\"orders\": {", "\"orders\": {\"allowLargeTolerance\": true, ", 1);
    let allowed = allowed.replacen("\"orders\":{", "\"orders\":{\"allowLargeTolerance\":true,", 1);
    assert!(plugin::Profile::parse(&allowed).is_ok(), "an explicit flag allows it");
}

#[test]
fn a_profile_saved_with_a_byte_order_mark_is_read() {
    let text = format!("\u{FEFF}{}", profile_json());
    assert!(plugin::Profile::parse(&text).is_ok());
}
