//! JSON pointers for parse errors.
//!
//! serde_json reports where an error is (line and column), not which field.
//! Rather than deserialising every payload a second time through a
//! path-tracking wrapper (which doubles the deserialisation code in the
//! component), the pointer is recovered by scanning the text up to the
//! error's position and keeping the stack of keys and indexes.

/// Frames kept while scanning: deeper nesting (only possible inside fields the
/// bridge ignores) is counted, not stored, so a hostile payload cannot make the
/// scan allocate without bound.
const MAX_FRAMES: usize = 64;

/// The pointer of the field a serde_json error is about.
///
/// serde_json positions an error raised inside a field's own deserialiser
/// (a bad amount, a bad id) only once its containing object or array has been
/// closed, so for those the position is moved back before the closing bracket;
/// a missing field is rightly reported at the closing bracket of its object.
pub fn pointer_of(json: &str, error: &serde_json::Error) -> String {
    let mut offset = offset_of(json, error.line(), error.column());
    if !error.to_string().starts_with("missing field") {
        let before = json.get(..offset).unwrap_or(json).trim_end();
        if before.ends_with(['}', ']']) {
            offset = before.len() - 1;
        }
    }
    pointer_at_offset(json, offset)
}

/// The RFC 6901 pointer of the value being read at `line`:`column` (1-based,
/// as serde_json reports them) in `json`.
pub fn pointer_at(json: &str, line: usize, column: usize) -> String {
    pointer_at_offset(json, offset_of(json, line, column))
}

/// The RFC 6901 pointer of the value being read at byte `offset` of `json`.
pub fn pointer_at_offset(json: &str, offset: usize) -> String {
    let bytes = json.as_bytes();
    // One frame per open container: `Some(key)` in an object, `None` + index in an array.
    let mut stack: Vec<Frame> = Vec::new();
    let mut untracked = 0usize;
    let mut i = 0;
    while i < offset.min(bytes.len()) {
        match bytes[i] {
            b'"' => {
                let (end, closed) = string_end(bytes, i);
                if untracked > 0 {
                    i = end;
                    continue;
                }
                if let Some(Frame::Object { key, expecting_key: expecting @ true }) = stack.last_mut() {
                    let content_end = if closed { end - 1 } else { end };
                    *key = unescape(&json[i + 1..content_end]);
                    *expecting = false;
                }
                i = end;
                continue;
            }
            b'{' | b'[' if untracked > 0 || stack.len() >= MAX_FRAMES => untracked += 1,
            b'{' => stack.push(Frame::Object { key: String::new(), expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' if untracked > 0 => untracked -= 1,
            b'}' | b']' => {
                stack.pop();
            }
            b',' if untracked > 0 => {}
            b',' => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for frame in &stack {
        out.push('/');
        match frame {
            Frame::Object { key, .. } => out.push_str(&crate::shared::issues::pointer_token(key)),
            Frame::Array { index } => out.push_str(&index.to_string()),
        }
    }
    // An error found while looking for a key (e.g. a missing field reported at
    // the closing brace) belongs to the object itself, not to its last key.
    if let Some(Frame::Object { expecting_key: true, .. }) = stack.last() {
        if let Some(cut) = out.rfind('/') {
            out.truncate(cut);
        }
    }
    out
}

enum Frame {
    Object { key: String, expecting_key: bool },
    Array { index: usize },
}

/// Byte offset of a 1-based line and column; past the end when out of range.
fn offset_of(json: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match json[start..].find('\n') {
            Some(n) => start += n + 1,
            None => return json.len(),
        }
    }
    (start + column).min(json.len())
}

/// Index just past the closing quote of the string starting at `open`, and
/// whether there was one (a truncated payload can end inside a string).
fn string_end(bytes: &[u8], open: usize) -> (usize, bool) {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return (i + 1, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

fn unescape(raw: &str) -> String {
    if raw.contains('\\') {
        serde_json::from_str(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_owned())
    } else {
        raw.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::pointer_at;
    use crate::shared::money::Dec;
    use serde::Deserialize;

    /// The pointer serde_json's error position leads to, for a real parse error.
    fn pointer_of_error<T: for<'de> Deserialize<'de>>(json: &str) -> String {
        let err = serde_json::from_str::<T>(json).err().expect("the JSON must not parse");
        super::pointer_of(json, &err)
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Order {
        name: String,
        lines: Vec<Line>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    #[serde(deny_unknown_fields)]
    struct Line {
        sku: String,
        quantity: u32,
    }

    #[test]
    fn a_wrong_type_points_at_its_field() {
        let json = r#"{"name": "A", "lines": [{"sku": "X", "quantity": 1}, {"sku": "Y", "quantity": "two"}]}"#;
        assert_eq!(pointer_of_error::<Order>(json), "/lines/1/quantity");
    }

    #[test]
    fn pretty_printed_input_points_the_same_way() {
        let json =
            "{\n  \"name\": \"A\",\n  \"lines\": [\n    {\n      \"sku\": 7,\n      \"quantity\": 1\n    }\n  ]\n}";
        assert_eq!(pointer_of_error::<Order>(json), "/lines/0/sku");
    }

    #[test]
    fn an_unknown_field_points_at_the_field() {
        let json = r#"{"name": "A", "lines": [{"sku": "X", "qty": 1}]}"#;
        assert_eq!(pointer_of_error::<Order>(json), "/lines/0/qty");
    }

    #[test]
    fn a_missing_field_points_at_its_object() {
        assert_eq!(pointer_of_error::<Order>(r#"{"name": "A", "lines": [{"sku": "X"}]}"#), "/lines/0");
        assert_eq!(pointer_of_error::<Order>(r#"{"name": "A"}"#), "");
    }

    #[test]
    fn keys_with_slashes_and_escapes_are_escaped() {
        let json = r#"{"a/b": {"q\"x": [1, {"c": true}]}}"#;
        assert_eq!(pointer_at(json, 1, 30), "/a~1b/q\"x/1/c");
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Priced {
        name: String,
        total: Dec,
        taxes: Vec<Dec>,
    }

    #[test]
    fn a_bad_amount_last_in_its_object_points_at_itself() {
        assert_eq!(pointer_of_error::<Priced>(r#"{"name": "A", "taxes": [], "total": "1,00"}"#), "/total");
        assert_eq!(
            pointer_of_error::<Priced>("{\n \"name\": \"A\",\n \"total\": \"1\",\n \"taxes\": [\"1\", \"x\"]\n}"),
            "/taxes/1"
        );
    }

    #[test]
    fn deep_nesting_is_counted_not_stored() {
        let deep = format!("{{\"a\": {}1{}, \"b\": true}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(pointer_at(&deep, 1, deep.len() - 2), "/b");
        assert_eq!(pointer_at(&deep, 1, 70), format!("/a{}", "/0".repeat(63)));
    }

    #[test]
    fn truncated_input_points_where_it_stopped() {
        assert_eq!(pointer_of_error::<Order>(r#"{"name": "A", "lines": [{"sku": "X", "quan"#), "/lines/0/quan");
    }
}
