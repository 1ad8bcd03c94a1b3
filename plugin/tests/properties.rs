//! Invariants over generated orders (proptest):
//! - every input line appears in the sales order, or an error issue names it;
//! - the output line nets plus delivery equal the inherited order net, or an issue says why not;
//! - the same input bytes give the same output bytes;
//! - no input, however broken, makes the mapper panic.

mod support;

use plugin::{map_order, Outcome, Status};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use support::*;

/// SKUs as sold, with the OrderWise variant and multiplier the default profile gives them
/// (`None`: not mappable, must be held with an issue).
const SKUS: &[(&str, Option<(&str, u64)>)] = &[
    ("CUP-12OZ-WHT", Some(("CUP-12OZ-WHT", 1))),
    ("CUP-12OZ-WHT-C12", Some(("CUP-12OZ-WHT", 12))),
    ("TEA-EB-80", Some(("TEA-EB-80", 1))),
    ("NAP-2PLY-500", Some(("NAP-2PLY-500", 1))),
    ("MILK-UHT-1L", Some(("MILK-UHT-1L", 1))),
    ("STRAW-PAPER-250", None),
];
const RATES: &[&str] = &["0.2", "0.05", "0", "0.175"];

fn arb_line() -> impl Strategy<Value = Line> {
    (0..SKUS.len(), 1i64..60, 1i64..50_000, 0..RATES.len(), 0u32..100).prop_map(
        |(s, quantity, pence, r, discount_pct)| {
            let price = Decimal::new(pence, 2);
            // A discount of up to 99% of the line, in whole pence.
            let discount = (price * Decimal::from(quantity) * Decimal::new(i64::from(discount_pct), 2)).round_dp(2);
            Line { sku: SKUS[s].0.to_owned(), quantity, price, discount, rate: d(RATES[r]), properties: vec![] }
        },
    )
}

fn arb_order() -> impl Strategy<Value = (Vec<Line>, Option<String>)> {
    (proptest::collection::vec(arb_line(), 1..25), proptest::option::of(0i64..5_000))
        .prop_map(|(lines, ship)| (lines, ship.map(|p| Decimal::new(p, 2).to_string())))
}

fn has_error_at(outcome: &Outcome, index: usize) -> bool {
    let at = format!("/line_items/{index}");
    outcome.issues.iter().any(|i| {
        i.severity == plugin::shared::issues::Severity::Error
            && (i.pointer == at || i.pointer.starts_with(&format!("{at}/")))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_line_is_mapped_or_named_by_an_error((lines, shipping) in arb_order()) {
        let outcome = map_order(&profile(), &order(&lines, shipping.as_deref()).to_string());
        prop_assert_ne!(outcome.status, Status::Rejected);
        let draft = outcome.sales_order.as_ref().unwrap();
        // Quantity of each OrderWise variant: what the input asks for == what the draft carries.
        let mut wanted: BTreeMap<String, u64> = BTreeMap::new();
        for (i, line) in lines.iter().enumerate() {
            match SKUS.iter().find(|(s, _)| *s == line.sku).unwrap().1 {
                Some((variant, multiplier)) => *wanted.entry(variant.to_owned()).or_default() += line.quantity as u64 * multiplier,
                None => prop_assert!(has_error_at(&outcome, i), "unmappable line {} has no error issue: {:?}", i, outcome.issues),
            }
        }
        let mut sent: BTreeMap<String, u64> = BTreeMap::new();
        let mut unresolved = 0;
        for l in &draft.order_lines {
            match &l.variant_code {
                Some(v) => *sent.entry(v.clone()).or_default() += l.quantity,
                None => unresolved += l.quantity,
            }
        }
        prop_assert_eq!(wanted, sent);
        // Unmappable lines travel in the draft unresolved (variantCode null), with all their units.
        let unmappable: u64 = lines.iter().filter(|l| SKUS.iter().any(|(s, m)| *s == l.sku && m.is_none())).map(|l| l.quantity as u64).sum();
        prop_assert_eq!(unresolved, unmappable);
    }

    #[test]
    fn line_nets_sum_to_the_inherited_net_or_an_issue_says_why((lines, shipping) in arb_order(), split in any::<bool>()) {
        let policy = if split { "split-line" } else { "review" };
        let profile = profile_with("/orders/unitPriceRemainder", serde_json::json!(policy));
        let outcome = map_order(&profile, &order(&lines, shipping.as_deref()).to_string());
        let draft = outcome.sales_order.as_ref().unwrap();
        let sent: Decimal = draft.order_lines.iter().map(|l| Decimal::from(l.quantity) * l.item_net).sum::<Decimal>() + draft.order_header.delivery_net;
        if split {
            // Splitting never loses or invents a penny.
            prop_assert_eq!(sent, draft.order_header.order_net);
        } else {
            let explained = outcome.issues.iter().any(|i| i.code.as_str() == "UNIT_PRICE_INEXACT") && outcome.status == Status::Review;
            prop_assert!(sent == draft.order_header.order_net || explained,
                "lines sum to {} but the order net is {} and no issue explains it: {:?}", sent, draft.order_header.order_net, outcome.issues);
        }
    }

    #[test]
    fn the_same_bytes_give_the_same_outcome_bytes((lines, shipping) in arb_order()) {
        let text = order(&lines, shipping.as_deref()).to_string();
        let profile = profile();
        let bytes = |o: Outcome| format!("{:?} {:?} {:?} {:?}", o.status, o.order_key, o.issues, o.sales_order.map(|s| s.to_json()));
        let first = bytes(map_order(&profile, &text));
        let second = bytes(map_order(&profile, &text));
        prop_assert_eq!(first, second);
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&body);
        let outcome = map_order(&profile(), &text);
        let is_object = text.trim_start().starts_with('{');
        prop_assert!(outcome.status != Status::Ready || is_object, "a non-object body was not rejected");
    }

    #[test]
    fn extreme_numbers_never_panic(
        quantity in prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0i64), 1i64..2_000_000],
        multiplier in prop_oneof![Just(u32::MAX), 1u32..1000],
        amounts in proptest::collection::vec(
            prop_oneof![
                Just("79228162514264337593543950335".to_owned()),
                Just("1e28".to_owned()),
                Just("-999999999999.99".to_owned()),
                Just("0.0000000000000000000000000001".to_owned()),
                (0u64..u64::MAX).prop_map(|n| format!("{n}.{}", n % 100)),
                (0u64..1_000_000_000_000).prop_map(|n| format!("{}.{:02}", n / 100, n % 100)),
            ],
            6,
        ),
        rate in prop_oneof![Just("0.2"), Just("5"), Just("-0.2"), Just("1e12"), Just("0.999999"), Just("0.999999999999")],
    ) {
        let mut doc: serde_json::Value = serde_json::from_str(&support::profile_json()).unwrap();
        doc["reference"]["variants"][0]["units"][0]["multiplier"] = serde_json::json!(multiplier);
        let profile = plugin::Profile::parse(&doc.to_string()).unwrap();
        let mut o = order(&[line("CUP-12OZ-WHT-C12", 1, "1.00", "0.2")], Some("1.00"));
        let item = &mut o["line_items"][0];
        item["quantity"] = serde_json::json!(quantity);
        item["price"] = serde_json::json!(amounts[0]);
        item["discount_allocations"] = serde_json::json!([{"amount": amounts[1]}]);
        item["tax_lines"] = serde_json::json!([{"rate": rate, "price": amounts[2]}]);
        item["properties"] = serde_json::json!([{"name": "Charged Price", "value": amounts[3]}]);
        o["total_price"] = serde_json::json!(amounts[4]);
        o["total_tax"] = serde_json::json!(amounts[5]);
        let outcome = map_order(&profile, &o.to_string());
        // Whatever the figures, an answer and never a panic: out-of-range ones
        // reject the payload (with a pointer), in-range ones are mapped.
        // The Charged Price is a cross-check, not a figure: one beyond range is
        // CHARGED_PRICE_UNREADABLE (review), never a rejected payload.
        let too_big = |(k, a): (usize, &String)| k != 3 && plugin::shared::money::parse_amount(a).is_err();
        // A rate is a fraction below 1 of at most 6 decimal places (`vat::by_rate`).
        let bad_rate = !matches!(rate, "0.2" | "0.999999");
        // Every figure but the Charged Price (a cross-check) must also be non-negative.
        let negative = amounts.iter().enumerate().any(|(k, a)| k != 3 && plugin::shared::money::parse_amount(a).is_ok_and(|v| v.is_sign_negative() && !v.is_zero()));
        let out_of_range =
            amounts.iter().enumerate().any(too_big) || negative || bad_rate || !(1..=plugin::orders::lines::MAX_QUANTITY).contains(&quantity);
        prop_assert_eq!(outcome.status == Status::Rejected, out_of_range, "{:?}", outcome.issues);
    }

    #[test]
    fn damaged_orders_never_panic((lines, shipping) in arb_order(), cut in 0usize..4000, junk in "[\\[\\]{}\",:0-9a-z.-]{0,8}") {
        let text = order(&lines, shipping.as_deref()).to_string();
        let cut = cut.min(text.len());
        let cut = (0..=cut).rev().find(|c| text.is_char_boundary(*c)).unwrap_or(0);
        let damaged = format!("{}{}{}", &text[..cut], junk, &text[cut..]);
        let outcome = map_order(&profile(), &damaged);
        if outcome.status == Status::Rejected {
            prop_assert!(outcome.sales_order.is_none());
            prop_assert!(outcome.issues.iter().any(|i| i.code.as_str() == "PAYLOAD_INVALID"));
        }
    }
}

/// A pack property as a theme or app might write it.
fn arb_pack_property() -> impl Strategy<Value = (String, serde_json::Value)> {
    // "Pack" behind a zero-width space or a byte-order mark is still "Pack".
    let name = prop_oneof![
        Just("Pack"),
        Just("\u{200B}Pack"),
        Just("\u{FEFF}Pack"),
        Just("Pack Size"),
        Just("Case"),
        Just("pack"),
        Just("Colour")
    ];
    let value = prop_oneof![
        Just(serde_json::json!("Case of 50")),
        Just(serde_json::json!("Case of 100")),
        Just(serde_json::json!("")),
        Just(serde_json::json!("\u{200B}")),
        Just(serde_json::json!("\u{00A0}Case of 50\u{FEFF}")),
        Just(serde_json::Value::Null),
        Just(serde_json::json!(50)),
        Just(serde_json::json!({})),
    ];
    (name.prop_map(str::to_owned), value)
}

/// A PO value as a checkout or app might write it.
fn arb_po_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::json!("PO-1")),
        Just(serde_json::json!(" PO-2 ")),
        Just(serde_json::json!("\u{200B}")),
        Just(serde_json::json!("\u{0000}")),
        Just(serde_json::json!("\u{2060}\u{00A0}\u{FEFF}")),
        Just(serde_json::json!(10045)),
        Just(serde_json::json!(1.5)),
        Just(serde_json::json!(false)),
        Just(serde_json::json!({})),
        Just(serde_json::json!(["PO-1"])),
        Just(serde_json::Value::Null),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// No `ready` order has a line whose pack or unit was not mapped with
    /// certainty, nor a PO that is blank after removing invisible characters.
    #[test]
    fn a_ready_order_has_every_unit_certain_and_a_real_po(
        packs in proptest::collection::vec(arb_pack_property(), 0..3),
        po in arb_po_value(),
    ) {
        // LID-12OZ-WHT sold in the bundled profile's one pack: "Case of 50" (× 50).
        let mut item = line("LID-12OZ-WHT", 2, "4.50", "0.2");
        for (name, _) in &packs {
            item = item.property(name, "placeholder");
        }
        let mut o = order(&[item], None);
        let properties = o["line_items"][0]["properties"].as_array_mut().unwrap();
        for (k, (_, value)) in packs.iter().enumerate() {
            properties[k]["value"] = value.clone();
        }
        o["note_attributes"][1]["value"] = po.clone();
        let outcome = map_order(&profile(), &o.to_string());
        if outcome.status != Status::Ready {
            return Ok(());
        }
        let draft = outcome.sales_order.as_ref().unwrap();
        // Certain: every configured pack property ("Pack") is the same visible
        // mapped pack name, and no other pack-like property is there.
        let visible = |v: &serde_json::Value| v.as_str().map(|s| plugin::shared::text::visible(s, &plugin::shared::meter::Meter::unlimited()).into_owned());
        let is_pack = |n: &str| plugin::shared::text::visible(n, &plugin::shared::meter::Meter::unlimited()) == "Pack";
        let configured: Vec<Option<String>> = packs.iter().filter(|(n, _)| is_pack(n)).map(|(_, v)| visible(v)).collect();
        let look_alike = packs.iter().any(|(n, _)| !is_pack(n) && n != "Colour");
        let certain = !look_alike
            && (configured.is_empty() || configured.iter().all(|p| p.as_deref() == Some("Case of 50")));
        prop_assert!(certain, "ready with an uncertain pack: {:?} -> {:?}", packs, draft.order_lines);
        prop_assert!(draft.order_lines.iter().all(|l| l.variant_code.is_some()));
        let quantity: u64 = draft.order_lines.iter().map(|l| l.quantity).sum();
        prop_assert_eq!(quantity, if configured.is_empty() { 2 } else { 100 });
        let reference = draft.order_header.customer_order_ref.as_deref().unwrap_or("");
        prop_assert!(!plugin::shared::text::visible(reference, &plugin::shared::meter::Meter::unlimited()).is_empty(), "ready with PO {:?} from {:?}", reference, po);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The special instructions never outgrow OrderWise's field, however long
    /// the cart id, the payment terms' name and the note; and a note that is
    /// not there whole is flagged.
    #[test]
    fn special_instructions_fit_the_field_and_a_note_cut_is_flagged(
        max in 20usize..120,
        cart in "[a-f0-9-]{0,150}",
        terms in "[A-Za-z0-9 ]{0,60}",
        note in "[A-Za-zé0-9 .,]{0,200}",
    ) {
        let mut o = order(&[line("CUP-12OZ-WHT", 12, "1.85", "0.2")], None);
        o["note_attributes"].as_array_mut().unwrap().push(serde_json::json!({"name": "sparkCartId", "value": cart}));
        o["payment_terms"]["payment_terms_name"] = serde_json::json!(terms);
        o["note"] = serde_json::json!(note);
        let profile = profile_with("/orders/specialInstructionsMaxLength", serde_json::json!(max));
        let outcome = map_order(&profile, &o.to_string());
        let draft = outcome.sales_order.as_ref().expect("a draft");
        let text = draft.order_header.special_instructions.as_str();
        prop_assert!(text.chars().count() <= max, "{} characters for {max}: {text:?}", text.chars().count());
        let note = plugin::shared::text::visible(&note, &plugin::shared::meter::Meter::unlimited());
        let whole = note.is_empty() || text.ends_with(&format!("; Note: {note}"));
        prop_assert!(whole || codes(&outcome).contains(&"NOTE_TRUNCATED"), "{text:?} lost {note:?} unflagged");
    }
}
