//! JSON pointers for reading errors.
//!
//! The reader reports where an error is (a byte offset), not which field: the
//! happy path keeps no path stack. The pointer is recovered only when an error
//! is reported, by scanning the text up to that offset and keeping the stack
//! of keys and indexes; from the innermost member or item the error left
//! (`json::Mark`), where it has them, so that no unread value before it is
//! scanned again.

use crate::shared::json::{Error, Mark};

/// Frames kept while scanning: deeper nesting (only possible inside fields the
/// bridge ignores) is counted, not stored, so a hostile payload cannot make the
/// scan allocate without bound.
const MAX_FRAMES: usize = 64;

/// `base` followed by an array index (`/line_items` + 3 -> `/line_items/3`),
/// built without `core::fmt`: one for every line of every order.
pub fn indexed(base: &str, index: usize) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = index;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(base.len() + 1 + digits.len() - i);
    out.push_str(base);
    out.push('/');
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
    out
}

/// The RFC 6901 pointer of the value being read at byte `offset` of `json`.
/// The text up to `offset` is taken sixty-four bytes at a time by
/// `skim::structure`, which hands over only the brackets and commas outside
/// strings (read by the rules unread subtrees are skipped with); a key is
/// looked up only for the containers still open at `offset`: a fuel unit a
/// byte where marks are sparse, about thirty a comma or bracket where they
/// are dense (`pointer_of` scans only what the error's marks leave).
pub fn pointer_at_offset(json: &str, offset: usize) -> String {
    pointer_past(json, offset, &[])
}

/// The pointer of a reading error: `pointer_past` at its offset, the scan
/// taken up at each member and item the error left (`json::Mark`) instead
/// of through everything before it. What a scan costs is then bounded by
/// what the reader read, not by the unread values it passed over on the way
/// (a mebibyte of them before an error at the end cost 30-46 million fuel
/// units to locate, three times the platform's budget for a call).
pub fn pointer_of(json: &str, error: &Error, read: &[(usize, usize)]) -> String {
    locate(json, error.offset, read, &error.trail)
}

/// `pointer_at_offset`, passing over `read` whole: values (as byte ranges,
/// in order) the reader has already read to their end, such as the lines of
/// an order, so the scan covers only what lies between them. An error after
/// two hundred pretty-printed lines would otherwise cost as much fuel to
/// locate as the lines cost to read.
pub fn pointer_past(json: &str, offset: usize, read: &[(usize, usize)]) -> String {
    locate(json, offset, read, &[])
}

fn locate(json: &str, offset: usize, read: &[(usize, usize)], trail: &[Mark]) -> String {
    let bytes = &json.as_bytes()[..offset.min(json.len())];
    let mut open = Open::default();
    // Only whole values before `offset` are passed over: what lies between
    // them, and after the last, is scanned (each gap starts outside strings).
    let scan = |open: &mut Open, from: usize, to: usize| {
        let mut from = from;
        for &(start, end) in read {
            if from <= start && start <= end && end <= to {
                crate::shared::skim::structure(&bytes[from..start], |i, c| open.mark(from + i, c));
                from = end;
            }
        }
        crate::shared::skim::structure(&bytes[from..to], |i, c| open.mark(from + i, c));
    };
    // Each container the error left (outermost first) is opened as its mark
    // says, at the member or item it was in: what came before in it is not
    // scanned. A container with no mark between them is scanned as usual.
    let mut from = 0;
    for m in trail.iter().rev() {
        let (at, resume, kind) = match *m {
            Mark::Member { open, at, past } => (open, past, Kind::Object { member: at }),
            Mark::Item { open, index, at } => (open, at, Kind::Array { index }),
            Mark::After(end) if from == 0 && end <= bytes.len() => {
                from = end;
                continue;
            }
            Mark::After(_) => break,
        };
        if !(from <= at && at < resume && resume <= bytes.len()) {
            break;
        }
        scan(&mut open, from, at);
        if open.untracked > 0 || open.stack.len() >= MAX_FRAMES {
            // Past what is tracked: the rest is scanned as usual.
            from = at;
            break;
        }
        open.stack.push(Frame { open: at, kind });
        from = resume;
    }
    scan(&mut open, from, bytes.len());
    let stack = open.stack;
    // A member's key is the first string after its `{` or `,`, before
    // anything nested in it opened (or before `offset`, for the innermost).
    let ends: Vec<usize> = stack.iter().skip(1).map(|f| f.open).chain([bytes.len()]).collect();
    let key = |member: usize, end: usize| {
        let q = member + 1 + bytes[member + 1..end].iter().position(|&c| c == b'"')?;
        let (stop, closed) = string_end(bytes, q);
        Some((q + 1, if closed { stop - 1 } else { stop }))
    };
    let mut out = String::new();
    for (frame, &end) in stack.iter().zip(&ends) {
        match frame.kind {
            Kind::Object { member } => match key(member, end) {
                Some((start, stop)) => {
                    out.push('/');
                    out.push_str(&crate::shared::issues::pointer_token(&unescape(&json[start..stop])));
                }
                // An error found while looking for a key (e.g. a missing
                // field reported at the closing brace) belongs to the object
                // itself, not to its last key.
                None if end == bytes.len() => {}
                None => out.push('/'),
            },
            Kind::Array { index } => {
                out.push('/');
                out.push_str(&indexed("", index)[1..]);
            }
        }
    }
    out
}

/// The containers open at the scan's position: one frame each, where it
/// opened and, in an object, where its current member began (the `{` or the
/// last `,`); in an array the index. Deeper nesting than `MAX_FRAMES` is
/// counted, not stored.
#[derive(Default)]
struct Open {
    stack: Vec<Frame>,
    untracked: usize,
}

impl Open {
    fn mark(&mut self, i: usize, c: u8) {
        match c {
            b'{' | b'[' if self.untracked > 0 || self.stack.len() >= MAX_FRAMES => self.untracked += 1,
            b'{' => self.stack.push(Frame { open: i, kind: Kind::Object { member: i } }),
            b'[' => self.stack.push(Frame { open: i, kind: Kind::Array { index: 0 } }),
            b'}' | b']' if self.untracked > 0 => self.untracked -= 1,
            b'}' | b']' => {
                self.stack.pop();
            }
            _ if self.untracked > 0 => {}
            _ => match self.stack.last_mut().map(|f| &mut f.kind) {
                Some(Kind::Object { member }) => *member = i,
                Some(Kind::Array { index }) => *index += 1,
                None => {}
            },
        }
    }
}

struct Frame {
    open: usize,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Object { member: usize },
    Array { index: usize },
}

/// Index just past the closing quote of the string starting at `open`, and
/// whether there was one (a truncated payload can end inside a string).
#[inline(always)]
fn string_end(bytes: &[u8], open: usize) -> (usize, bool) {
    // A key (nearly every string here) holds no backslash: one scan finds its end.
    let end = crate::shared::json::scan_string(bytes, open + 1);
    if bytes.get(end) == Some(&b'"') {
        return (end + 1, true);
    }
    match crate::shared::skim::string_end(bytes, open) {
        Some(end) => (end, true),
        None => (bytes.len(), false),
    }
}

fn unescape(raw: &str) -> String {
    if raw.contains('\\') {
        let quoted = format!("\"{raw}\"");
        crate::shared::json::Reader::new(&quoted).string().map_or_else(|_| raw.to_owned(), |s| s.into_owned())
    } else {
        raw.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{indexed, pointer_at_offset};
    use proptest::prelude::*;

    #[test]
    fn an_index_is_appended_as_its_digits() {
        for n in [0, 7, 10, 249, 1_000_000, usize::MAX] {
            assert_eq!(indexed("/line_items", n), format!("/line_items/{n}"));
        }
    }
    use crate::shared::json::{names, Error, Reader, Unknown};

    /// The pointer of the first error the reader finds reading `json` as
    /// `{name, lines: [{sku, quantity}]}` (lines' fields strict, the rest skipped).
    fn pointer_of_error(json: &str) -> String {
        let mut r = Reader::new(json);
        let read = r.fields(names!["name", "lines"], Unknown::Skip, |r, f| {
            if f == 0 {
                return r.string().map(|_| ());
            }
            r.items(|r, _| {
                r.fields(names!["sku", "quantity"], Unknown::Refuse, |r, f| match f {
                    0 => r.string().map(|_| ()),
                    _ => r.u32().map(|_| ()),
                })?
                .require(names!["sku", "quantity"], &[0, 1])
            })
            .map(|_| ())
        });
        let err: Error = read.and_then(|_| r.end()).expect_err("the JSON must not read");
        pointer_at_offset(json, err.offset)
    }

    #[test]
    fn a_wrong_type_points_at_its_field() {
        let json = r#"{"name": "A", "lines": [{"sku": "X", "quantity": 1}, {"sku": "Y", "quantity": "two"}]}"#;
        assert_eq!(pointer_of_error(json), "/lines/1/quantity");
    }

    #[test]
    fn pretty_printed_input_points_the_same_way() {
        let json =
            "{\n  \"name\": \"A\",\n  \"lines\": [\n    {\n      \"sku\": 7,\n      \"quantity\": 1\n    }\n  ]\n}";
        assert_eq!(pointer_of_error(json), "/lines/0/sku");
    }

    #[test]
    fn an_unknown_field_points_at_the_field() {
        assert_eq!(pointer_of_error(r#"{"name": "A", "lines": [{"sku": "X", "qty": 1}]}"#), "/lines/0/qty");
    }

    #[test]
    fn a_missing_field_points_at_its_object() {
        assert_eq!(pointer_of_error(r#"{"name": "A", "lines": [{"sku": "X"}]}"#), "/lines/0");
    }

    #[test]
    fn keys_with_slashes_and_escapes_are_escaped() {
        let json = r#"{"a/b": {"q\"x": [1, {"c": true}]}}"#;
        assert_eq!(pointer_at_offset(json, 29), "/a~1b/q\"x/1/c");
    }

    #[test]
    fn deep_nesting_is_counted_not_stored() {
        let deep = format!("{{\"a\": {}1{}, \"b\": true}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(pointer_at_offset(&deep, deep.len() - 3), "/b");
        assert_eq!(pointer_at_offset(&deep, 69), format!("/a{}", "/0".repeat(63)));
    }

    /// The rule, a byte at a time: strings skipped whole, an object's key the
    /// first string after its `{` or `,`, an array's index its commas so far.
    fn reference(json: &str, offset: usize) -> String {
        /// Object or array, the key (a range of the text), whether a key comes next, the index.
        type Frame = (bool, Option<(usize, usize)>, bool, usize);
        let b = &json.as_bytes()[..offset];
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'"' => {
                    let mut j = i + 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    let end = j.min(b.len());
                    if let Some((true, key, expecting @ true, _)) = stack.last_mut() {
                        *key = Some((i + 1, end));
                        *expecting = false;
                    }
                    i = end + 1;
                    continue;
                }
                b'{' => stack.push((true, None, true, 0)),
                b'[' => stack.push((false, None, false, 0)),
                b'}' | b']' => {
                    stack.pop();
                }
                b',' => match stack.last_mut() {
                    Some((true, _, expecting, _)) => *expecting = true,
                    Some((false, _, _, index)) => *index += 1,
                    None => {}
                },
                _ => {}
            }
            i += 1;
        }
        if let Some((true, _, true, _)) = stack.last() {
            stack.pop();
        }
        stack
            .iter()
            .map(|&(object, key, _, index)| match (object, key) {
                (true, Some((s, e))) => {
                    format!("/{}", crate::shared::issues::pointer_token(&super::unescape(&json[s..e])))
                }
                (true, None) => "/".to_owned(),
                (false, _) => format!("/{index}"),
            })
            .collect()
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let text = "[a-z\"\\\\/,{}\\[\\]: é]{0,6}";
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            text.prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text, inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Block by block, the pointer at every offset of any JSON text,
        /// compact or pretty-printed, is the one the byte-by-byte rule gives.
        #[test]
        fn blocks_point_where_the_byte_rule_points(value in json_value(), pretty in any::<bool>(), at in 0.0f64..=1.0) {
            let json = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) }.unwrap();
            let mut offset = (json.len() as f64 * at) as usize;
            while !json.is_char_boundary(offset) {
                offset -= 1;
            }
            prop_assert_eq!(pointer_at_offset(&json, offset), reference(&json, offset), "{} at {}", json, offset);
        }
    }

    proptest! {
        /// Passing over the lines already read changes no pointer, wherever
        /// the error is: before, inside or after them.
        #[test]
        fn lines_passed_over_point_as_lines_scanned(
            a in json_value(), lines in prop::collection::vec(json_value(), 0..5), b in json_value(), at in 0.0f64..=1.0
        ) {
            let mut json = format!("{{\"a\": {}, \"lines\": [", serde_json::to_string(&a).unwrap());
            let mut read = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    json.push_str(", ");
                }
                let start = json.len();
                json.push_str(&serde_json::to_string(line).unwrap());
                read.push((start, json.len()));
            }
            json.push_str(&format!("], \"b\": {}}}", serde_json::to_string(&b).unwrap()));
            let mut offset = (json.len() as f64 * at) as usize;
            while !json.is_char_boundary(offset) {
                offset -= 1;
            }
            prop_assert_eq!(super::pointer_past(&json, offset, &read), pointer_at_offset(&json, offset), "{} at {}", json, offset);
        }
    }

    #[test]
    fn truncated_input_points_where_it_stopped() {
        // The text ends inside a key: the pointer names the object it was in.
        assert_eq!(pointer_of_error(r#"{"name": "A", "lines": [{"sku": "X", "quan"#), "/lines/0");
        assert_eq!(pointer_of_error(r#"{"name": "A", "lines": [{"sku": "X", "quantity": "#), "/lines/0/quantity");
    }
}
