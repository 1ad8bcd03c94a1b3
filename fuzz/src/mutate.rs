//! Structure-aware mutations of recorded orders and profiles: values swapped
//! for the shapes that have broken bridges before (numbers as strings, huge
//! numbers and strings, invisible characters, deep nesting, 250+ lines,
//! pack and PO variants), then byte-level damage to the text (flips,
//! truncation, duplicate keys, padding). Deterministic for a seed.

use serde_json::{json, Map, Value};

/// SplitMix64: small, fast, and the same sequence for the same seed everywhere.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// Text that is blank once invisible characters are removed, and text that
/// hides them inside.
const INVISIBLE: &[&str] =
    &["\u{200B}", "\u{2060}", "\u{FEFF}", "\u{0}", "\u{00A0}", " \u{200B}\u{00A0}\t", "\u{3000}"];
const SKUS: &[&str] = &[
    "CUP-12OZ-WHT",
    "CUP-12OZ-WHT-C12",
    "cup-12oz-wht",
    " CUP-12OZ-WHT",
    "LID-12OZ-WHT",
    "TEA-EB-80",
    "STRAW-PAPER-250",
    "NO-SUCH-SKU",
    "",
];
const PACK_NAMES: &[&str] = &["Pack", "Pack Size", "Pack size", "Case", "pack", "_pack"];
const PACKS: &[&str] = &["Case of 12", "Case of 50", "Pallet", "", " Case of 12 ", "Case\u{200B} of 12"];

/// One fuzzed order payload from a recorded one.
pub fn order(seed: &Value, rng: &mut Rng) -> String {
    let mut v = seed.clone();
    for _ in 0..1 + rng.below(3) {
        if rng.chance(60) {
            order_field(&mut v, rng);
        } else {
            anywhere(&mut v, rng);
        }
    }
    let text = write(&v, rng);
    if rng.chance(12) {
        damage(text, rng)
    } else {
        text
    }
}

/// One fuzzed profile from a recorded one.
pub fn profile(seed: &Value, rng: &mut Rng) -> String {
    let mut v = seed.clone();
    for _ in 0..1 + rng.below(3) {
        anywhere(&mut v, rng);
    }
    let text = write(&v, rng);
    if rng.chance(12) {
        damage(text, rng)
    } else {
        text
    }
}

/// `value` at `path` (object keys, or array indexes as numbers), where every
/// step on the way is an object or an array; otherwise nothing changes (an
/// earlier mutation may have replaced the order or a line by a scalar).
fn set(v: &mut Value, path: &[&str], value: Value) {
    let Some((last, steps)) = path.split_last() else {
        return;
    };
    let mut node = v;
    for step in steps {
        node = match (node, step.parse::<usize>()) {
            (Value::Array(items), Ok(i)) if i < items.len() => &mut items[i],
            (Value::Object(map), _) if map.contains_key(*step) => map.get_mut(*step).expect("checked"),
            _ => return,
        };
    }
    match (node, last.parse::<usize>()) {
        (Value::Array(items), Ok(i)) if i < items.len() => items[i] = value,
        (Value::Object(map), _) => {
            map.insert((*last).to_owned(), value);
        }
        _ => {}
    }
}

/// The changes that aim at the rules: lines, packs, POs, money, payment.
fn order_field(v: &mut Value, rng: &mut Rng) {
    let lines = v.get("line_items").and_then(Value::as_array).map_or(0, Vec::len);
    let i = rng.below(lines);
    match rng.below(14) {
        0 if lines > 0 => set(v, &["line_items", &i.to_string(), "sku"], json!(rng.pick(SKUS))),
        1 if lines > 0 => set(
            v,
            &["line_items", &i.to_string(), "quantity"],
            rng.pick(&[
                json!(0),
                json!(-3),
                json!(7),
                json!(50),
                json!("12"),
                json!(1.5),
                json!(i64::MAX),
                json!(null),
            ]),
        ),
        2 if lines > 0 => {
            let (name, pack) = (rng.pick(PACK_NAMES), rng.pick(PACKS));
            let property = json!({"name": name, "value": rng.pick(&[json!(pack), json!(null), json!(12), json!({})])});
            match v.pointer_mut(&format!("/line_items/{i}/properties")).and_then(Value::as_array_mut) {
                Some(props) => {
                    let at = rng.below(props.len() + 1);
                    props.insert(at, property);
                }
                None => set(v, &["line_items", &i.to_string(), "properties"], json!([property])),
            }
        }
        // Rare (they are slow to make and map): the line limit and the read budget.
        3 if lines > 0 && rng.chance(20) => {
            let line = v["line_items"][i].clone();
            let n = rng.pick(&[199, 200, 201, 400]);
            set(v, &["line_items"], Value::Array(vec![line; n]));
        }
        4 => {
            let blank = rng.pick(INVISIBLE);
            let po = rng.pick(&[
                json!(blank),
                json!("PO-45821"),
                json!(10045),
                json!({}),
                json!(["PO-1"]),
                json!(false),
                json!(""),
            ]);
            if rng.chance(50) {
                set(v, &["po_number"], po);
            } else if let Some(attrs) = v.get_mut("note_attributes").and_then(Value::as_array_mut) {
                attrs.push(json!({"name": rng.pick(&["PO Number", "poNumber", "po_number"]), "value": po}));
            }
        }
        5 => set(
            v,
            &["financial_status"],
            json!(rng.pick(&["paid", "pending", "authorized", "voided", "refunded", "partially_paid"])),
        ),
        6 => set(v, &["presentment_currency"], json!(rng.pick(&["GBP", "EUR", "USD", "gbp", ""]))),
        7 if lines > 0 => set(
            v,
            &["line_items", &i.to_string(), "price"],
            json!(rng.pick(&["0.00", "1.85", "-1.00", "1e3", "£1.85", "1.857", "999999999999.99"])),
        ),
        8 if lines > 0 => set(
            v,
            &["line_items", &i.to_string(), "tax_lines"],
            json!([{"rate": rng.pick(&[json!(0.2), json!("0.2"), json!(0.05), json!(0.175), json!(1), json!(-0.2)]), "price": rng.pick(&["0.00", "0.37", "-0.01"])}]),
        ),
        9 => set(v, &["taxes_included"], json!(rng.chance(50))),
        10 if lines > 0 => set(v, &["line_items", &i.to_string(), "current_quantity"], json!(rng.pick(&[0, 1, 2, 99]))),
        11 => set(v, &["total_price"], json!(rng.pick(&["0.00", "129.04", "129.03", "1e2", "x"]))),
        12 if lines > 0 => set(v, &["line_items", &i.to_string(), "gift_card"], json!(true)),
        _ => {
            let field = rng.pick(&[
                "shipping_address",
                "customer",
                "shipping_lines",
                "line_items",
                "name",
                "note_attributes",
                "tax_lines",
            ]);
            if let Some(o) = v.as_object_mut() {
                o.remove(field);
            }
        }
    }
}

/// A value anywhere in the document replaced, or a key removed.
fn anywhere(v: &mut Value, rng: &mut Rng) {
    // A random path, walked without changing anything, as a JSON pointer.
    let mut pointer = String::new();
    let mut node = &*v;
    for _ in 0..rng.below(6) {
        let step = match node {
            Value::Object(map) if !map.is_empty() => {
                map.iter().nth(rng.below(map.len())).map(|(k, n)| (k.replace('~', "~0").replace('/', "~1"), n))
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.below(items.len());
                Some((i.to_string(), &items[i]))
            }
            _ => None,
        };
        match step {
            Some((token, next)) => {
                pointer.push('/');
                pointer.push_str(&token);
                node = next;
            }
            None => break,
        }
    }
    let Some(node) = v.pointer_mut(&pointer) else {
        return;
    };
    if let Value::Object(map) = node {
        if rng.chance(30) && !map.is_empty() {
            let k = map.keys().nth(rng.below(map.len())).cloned().unwrap_or_default();
            map.remove(&k);
            return;
        }
    }
    *node = replacement(node, rng);
}

fn replacement(old: &Value, rng: &mut Rng) -> Value {
    match rng.below(12) {
        // Numbers as strings and strings as numbers.
        0 => match old {
            Value::Number(n) => json!(n.to_string()),
            Value::String(s) => s.trim().parse::<f64>().map_or(json!(s.len()), |f| json!(f)),
            _ => json!("0"),
        },
        1 => json!(rng.pick(&[i64::MAX, i64::MIN, 0, -1, 4_294_967_296])),
        2 => json!(rng.pick(&[1e300, -0.0, 0.1, 123_456_789.123_456_79])),
        3 => {
            let sizes: &[usize] = if rng.chance(10) { &[70_000] } else { &[1, 255, 4096] };
            json!("x".repeat(rng.pick(sizes)))
        }
        4 => match old {
            Value::String(s) => json!(format!("{}{s}{}", rng.pick(INVISIBLE), rng.pick(INVISIBLE))),
            _ => json!(rng.pick(INVISIBLE)),
        },
        5 => {
            let mut deep = json!(1);
            for _ in 0..rng.pick(&[10, 100, 1000]) {
                // Not `json!([deep])`: that serialises `deep` again each level.
                deep = Value::Array(vec![deep]);
            }
            deep
        }
        6 => Value::Null,
        7 => json!(rng.chance(50)),
        8 => Value::Object(Map::new()),
        9 => json!([]),
        10 => json!({"unexpected": [1, {"a": "b"}], "nested": {"deeper": null}}),
        _ => json!(rng.pick(&["", " ", "\\", "\"", "é€😀", "\u{1F}"])),
    }
}

/// The document as text: compact, or pretty with a random indent.
fn write(v: &Value, rng: &mut Rng) -> String {
    if rng.chance(50) {
        return v.to_string();
    }
    let indent = " ".repeat(rng.pick(&[1, 2, 4, 8]));
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(v, &mut ser).expect("a Value always serialises");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Damage no `Value` can hold: bytes flipped, text cut, duplicate keys,
/// numbers too long for any type, runs of white space.
fn damage(text: String, rng: &mut Rng) -> String {
    let mut bytes = text.into_bytes();
    let at = rng.below(bytes.len() + 1);
    match rng.below(6) {
        0 if !bytes.is_empty() => {
            let i = at.min(bytes.len() - 1);
            bytes[i] ^= 1 << rng.below(8);
        }
        1 => bytes.truncate(at),
        2 => {
            // A duplicate key right after an opening brace.
            if let Some(open) = bytes[at.min(bytes.len())..].iter().position(|&b| b == b'{') {
                let i = at + open + 1;
                let key = rng.pick(&["sku", "quantity", "price", "line_items", "name", "po_number"]);
                let insert = format!("\"{key}\":\"1\",");
                bytes.splice(i..i, insert.into_bytes());
            }
        }
        3 => {
            let number = rng.pick(&["1".repeat(400), "1e999".to_owned(), "-0".to_owned(), "01".to_owned()]);
            bytes.splice(at..at, number.into_bytes());
        }
        4 => {
            let run = rng.pick(&[" ", "\n", "\t"]).repeat(rng.pick(&[1, 100, 10_000]));
            bytes.splice(at..at, run.into_bytes());
        }
        _ => bytes.splice(at..at, b"\\u0000\\ud800".iter().copied()).for_each(drop),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
