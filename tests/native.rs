//! The component and the same core compiled natively give identical outcomes:
//! on every recorded fixture, and on 100,000 orders generated from them by
//! deterministic mutations (quantities, prices, SKUs, packs, POs, payment,
//! currency, edits, lifecycle flags, removed fields). The generated orders go
//! through one reused instance, so every call also starts on the scratch
//! memory the call before it left (plugin/src/scratch.rs).

use crate::common::{component, fixtures};
use host_harness::bridge::{ProfileSource, ProfileText};
use host_harness::compare::{component_text, native_text};
use host_harness::replay::discover;
use host_harness::{Bridge, Flow, Limits};
use serde_json::{json, Value};

/// The component's outcome as comparable text (`host_harness::compare`).
fn component_outcome(session: &mut host_harness::bridge::Session, payload: &[u8]) -> String {
    let report = session.call(Flow::Orders, payload);
    let o = report.outcome.unwrap_or_else(|| panic!("the component stopped: {:?}", report.failure));
    component_text(&o)
}

fn native_outcome(profile: &plugin::Profile, payload: &[u8]) -> String {
    native_text(&plugin::map_order(profile, &String::from_utf8_lossy(payload)))
}

/// A small deterministic generator (SplitMix64): the corpus is the same on every run.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
}

/// One mutation of a recorded order.
fn mutate(order: &mut Value, mix: &mut Mix) {
    let lines = order.get("line_items").and_then(Value::as_array).map_or(0, Vec::len);
    let kind = mix.next() % 16;
    if lines == 0 && matches!(kind, 0..=3 | 8 | 12 | 14) {
        // No lines left to change (an earlier mutation removed them).
        return;
    }
    let line = if lines > 0 { (mix.next() % lines as u64) as usize } else { 0 };
    match kind {
        0 => order["line_items"][line]["quantity"] = json!(mix.pick(&[0, 1, 3, 12, 24, 50, 1000, -2])),
        1 => order["line_items"][line]["price"] = json!(mix.pick(&["0.01", "1.85", "10.00", "6.745", "-1", "£6.74"])),
        2 => {
            order["line_items"][line]["sku"] =
                json!(mix.pick(&["CUP-12OZ-WHT-C12", "LID-12OZ-WHT", "cup-12oz-wht", "STRAW-PAPER-250", ""]))
        }
        3 => {
            let pack = mix.pick(&[json!("Case of 50"), json!(null), json!(""), json!("Pallet"), json!(7)]);
            let name = mix.pick(&["Pack", "Pack Size", "Case"]);
            if let Some(props) = order["line_items"][line]["properties"].as_array_mut() {
                props.insert(0, json!({"name": name, "value": pack}));
            }
        }
        4 => order["po_number"] = mix.pick(&[json!("PO-9"), json!("\u{200B}"), json!({}), json!(10045), json!(false)]),
        5 => order["financial_status"] = json!(mix.pick(&["paid", "pending", "authorized", "voided", "refunded"])),
        6 => order["presentment_currency"] = json!(mix.pick(&["EUR", "GBP", "USD"])),
        7 => order["test"] = json!(true),
        8 => order["line_items"][line]["current_quantity"] = json!(mix.pick(&[0, 1, 2])),
        9 => order["total_price"] = json!(mix.pick(&["0.00", "129.04", "1e2", "x"])),
        10 => order["note"] = json!(mix.pick(&["", "tail-lift needed", "PO-45821"])),
        11 => {
            let field = mix.pick(&["shipping_address", "customer", "shipping_lines", "line_items", "name"]);
            if let Some(o) = order.as_object_mut() {
                o.remove(field);
            }
        }
        12 => {
            order["line_items"][line]["tax_lines"] =
                json!([{"rate": mix.pick(&["0.2", "0.05", "0.175"]), "price": "1.00"}])
        }
        13 => order["shipping_lines"] = json!([]),
        14 => order["line_items"][line]["gift_card"] = json!(true),
        _ => order["cancelled_at"] = json!("2025-03-15T09:00:00+00:00"),
    }
}

#[test]
fn component_and_native_outcomes_are_identical_on_fixtures_and_100000_generated_orders() {
    let bridge = Bridge::load(component(), Limits::default(), None).unwrap();
    let cases = discover(&fixtures().join("orders"), None).unwrap();
    let mut profiles: Vec<(std::path::PathBuf, ProfileText, plugin::Profile)> = Vec::new();
    let mut recorded: Vec<Vec<u8>> = Vec::new();
    for case in &cases {
        if !profiles.iter().any(|(p, _, _)| *p == case.profile) {
            let text = ProfileText::read(&case.profile).unwrap();
            match plugin::Profile::parse(&text.text) {
                Ok(native) => profiles.push((case.profile.clone(), text, native)),
                Err(refused) => {
                    // A profile refused natively is refused by the component, at the same field.
                    let failure = bridge.session(ProfileSource::Text(&text)).map(|_| ()).map_err(|r| r.failure);
                    let detail = format!("{failure:?}");
                    assert!(
                        detail.contains(&refused.field) && detail.contains("ProfileInvalid"),
                        "{}: {detail}",
                        case.name
                    );
                    continue;
                }
            }
        }
        let Some((_, text, native)) = profiles.iter().find(|(p, _, _)| *p == case.profile) else {
            continue;
        };
        let payload = std::fs::read(&case.payload).unwrap();
        let mut session = bridge.session(ProfileSource::Text(text)).map_err(|r| r.failure).unwrap();
        assert_eq!(component_outcome(&mut session, &payload), native_outcome(native, &payload), "{}", case.name);
        if case.profile == fixtures().join("profile.json") && serde_json::from_slice::<Value>(&payload).is_ok() {
            recorded.push(payload);
        }
    }

    let (_, text, native) = profiles.iter().find(|(p, _, _)| *p == fixtures().join("profile.json")).unwrap();
    let mut session = bridge.session(ProfileSource::Text(text)).map_err(|r| r.failure).unwrap();
    let mut mix = Mix(7);
    let mut statuses = std::collections::BTreeMap::new();
    for n in 0..100_000 {
        let mut order: Value = serde_json::from_slice(&recorded[n % recorded.len()]).unwrap();
        for _ in 0..1 + mix.next() % 3 {
            mutate(&mut order, &mut mix);
        }
        let payload = serde_json::to_vec(&order).unwrap();
        if session.poisoned {
            session = bridge.session(ProfileSource::Text(text)).map_err(|r| r.failure).unwrap();
        }
        let (a, b) = (component_outcome(&mut session, &payload), native_outcome(native, &payload));
        assert_eq!(a, b, "order {n} differs:\n{}", String::from_utf8_lossy(&payload));
        *statuses.entry(a.split(' ').next().unwrap_or("").to_owned()).or_insert(0) += 1;
    }
    // The corpus exercises every outcome, not only one.
    assert!(statuses.len() == 3 && statuses.values().all(|&n| n > 1_000), "{statuses:?}");
}

/// Random JSON made of what decides where an unread value ends: nested
/// lists and objects, dense or not, strings holding brackets, quotes and
/// runs of backslashes, nested at most six deep.
fn soup(mix: &mut Mix, depth: u32, out: &mut String) {
    let pick = if depth >= 6 { 4 + mix.next() % 3 } else { mix.next() % 7 };
    match pick {
        0 | 1 => {
            out.push('[');
            for i in 0..mix.next() % 6 {
                if i > 0 {
                    out.push(',');
                }
                soup(mix, depth + 1, out);
            }
            out.push(']');
        }
        2 | 3 => {
            out.push('{');
            for i in 0..mix.next() % 4 {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(mix.pick(&["\"a\":", "\"]\":", "\"{\\\"}\":", "\"k\" : "]));
                soup(mix, depth + 1, out);
            }
            out.push('}');
        }
        4 => out.push_str(mix.pick(&["[]", "{}", "[[]]", "[{}]", "1", "-2.5e3", "true", "null"])),
        _ => {
            out.push('"');
            for _ in 0..mix.next() % 12 {
                out.push_str(mix.pick(&["[", "]", "{", "}", "\\\"", "\\\\", "a", " ", "é"]));
            }
            out.push('"');
        }
    }
}

/// The component and the native core, each with the bundled profile, and
/// the 10-line recorded order to vary.
struct TwoWays {
    bridge: Bridge,
    text: ProfileText,
    native: plugin::Profile,
    base: Value,
}

fn two_ways() -> TwoWays {
    let text = ProfileText::read(&fixtures().join("profile.json")).unwrap();
    let native = plugin::Profile::parse(&text.text).unwrap();
    let order = std::fs::read(fixtures().join("orders/volume-10-lines/order.json")).unwrap();
    TwoWays {
        bridge: Bridge::load(component(), Limits::default(), None).unwrap(),
        text,
        native,
        base: serde_json::from_slice(&order).unwrap(),
    }
}

#[test]
fn an_unread_value_ends_where_the_native_reader_says_through_the_component() {
    // The component finds where unread values end with WebAssembly SIMD
    // (masks, a running sum across the bytes: plugin/src/shared/skim.rs),
    // natively with plain words: the outcomes must agree, refusals and their
    // pointers included, on values long enough to span many 64-byte blocks.
    let TwoWays { bridge, text, native, base } = two_ways();
    let mut session = bridge.session(ProfileSource::Text(&text)).map_err(|r| r.failure).unwrap();
    let base = serde_json::to_string(&base).unwrap();
    let mut mix = Mix(11);
    let mut refused = 0;
    for n in 0..3_000 {
        let mut value = String::from("[");
        for i in 0..1 + mix.next() % 40 {
            if i > 0 {
                value.push(',');
            }
            soup(&mut mix, 0, &mut value);
        }
        value.push(']');
        if mix.next().is_multiple_of(4) {
            // Broken: a byte dropped somewhere, which may unbalance it.
            let at = (mix.next() % value.len() as u64) as usize;
            if value.is_char_boundary(at) && value.is_char_boundary(at + 1) {
                value.remove(at);
            }
        }
        // Before the lines (read after it) or after everything.
        let payload = if mix.next().is_multiple_of(2) {
            format!("{{\"zz\":{value},{}", &base[1..])
        } else {
            format!("{},\"zz\":{value}}}", &base[..base.len() - 1])
        };
        if session.poisoned {
            session = bridge.session(ProfileSource::Text(&text)).map_err(|r| r.failure).unwrap();
        }
        let (a, b) = (component_outcome(&mut session, payload.as_bytes()), native_outcome(&native, payload.as_bytes()));
        assert_eq!(a, b, "payload {n} differs:\n{payload}");
        refused += usize::from(a.starts_with("rejected"));
    }
    // Both kinds were exercised: read past, and refused where it broke.
    assert!(refused > 100 && refused < 2_900, "{refused} of 3,000 refused");
}

#[test]
fn a_note_is_cleaned_as_the_native_core_cleans_it_through_the_component() {
    // The component passes text that holds no invisible, layout or break
    // character sixteen bytes at a time, by nibble tables looked up with
    // WebAssembly SIMD (plugin/src/shared/text.rs, `plain_prefix`);
    // natively a byte at a time by the same tables. The note reaches the
    // sales order's special instructions (255 characters): the outcomes must
    // agree on notes that mix scripts with the characters cleaning removes,
    // at every alignment within a 16-byte step.
    let TwoWays { bridge, text, native, base } = two_ways();
    let mut session = bridge.session(ProfileSource::Text(&text)).map_err(|r| r.failure).unwrap();
    let pieces = [
        "a",
        "Back door",
        "é",
        "£5",
        "Ü",
        "ø",
        "ひらがな",
        "、。",
        "漢字",
        "“",
        "”",
        "—",
        "…",
        "•",
        "😀",
        "👍🏽",
        "Кирилл",
        "العربية",
        "\u{200B}",
        "\u{200C}",
        "\u{200D}",
        "\u{200E}",
        "\u{2028}",
        "\u{2029}",
        "\u{202E}",
        "\u{2060}",
        "\u{2066}",
        "\u{00AD}",
        "\u{00A0}",
        "\u{0085}",
        "\u{0001}",
        "\u{007F}",
        "\n",
        "\t",
        "\r\n",
        "\u{034F}",
        "\u{061C}",
        "\u{115F}",
        "\u{17B4}",
        "\u{180E}",
        "\u{3164}",
        "\u{FE0F}",
        "\u{FEFF}",
        "\u{FFA0}",
        "\u{FFF0}",
        "\u{1BCA0}",
        "\u{1D173}",
        "\u{E0041}",
        "\u{E0100}",
    ];
    // `count` notes of up to `most` pieces, each the same both ways.
    let mut mix = Mix(23);
    let mut agree = |pieces: &[&str], count: usize, most: u64| {
        for n in 0..count {
            let mut note = String::new();
            for _ in 0..1 + mix.next() % most {
                note.push_str(mix.pick(pieces));
            }
            let mut order = base.clone();
            order["note"] = json!(note);
            let payload = serde_json::to_string(&order).unwrap();
            let (a, b) =
                (component_outcome(&mut session, payload.as_bytes()), native_outcome(&native, payload.as_bytes()));
            assert_eq!(a, b, "note {n} differs: {note:?}");
        }
    };
    agree(&pieces, 2_000, 40);
    // Printable ASCII has its end spaces found sixteen bytes a step in the
    // component (`spaces`), a word at a time natively.
    let (s15, s16, s17, s40) = (" ".repeat(15), " ".repeat(16), " ".repeat(17), " ".repeat(40));
    agree(&["a", "Back door", " ", "   ", &s15, &s16, &s17, &s40], 500, 12);
}
