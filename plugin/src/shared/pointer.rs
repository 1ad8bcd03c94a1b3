//! JSON pointers for reading errors.
//!
//! The reader reports where an error is (a byte offset), not which field: the
//! happy path keeps no path stack. The pointer is recovered only when an error
//! is reported, by scanning the text up to that offset and keeping the stack
//! of keys and indexes.

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
/// Only what shapes the path is looked at (quotes, brackets, commas), found
/// sixteen bytes at a time, and keys are kept as places in the text until
/// the pointer is written: an error at the end of a large payload is
/// located for a few fuel units a byte, not tens.
pub fn pointer_at_offset(json: &str, offset: usize) -> String {
    let bytes = &json.as_bytes()[..offset.min(json.len())];
    // One frame per open container: in an object the last key (as a range
    // of the text) and whether a key comes next; in an array the index.
    let mut stack: Vec<Frame> = Vec::new();
    let mut untracked = 0usize;
    let mut i = 0;
    loop {
        i = next_mark(bytes, i);
        let Some(&c) = bytes.get(i) else {
            break;
        };
        match c {
            b'"' => {
                let (end, closed) = string_end(bytes, i);
                if untracked == 0 {
                    if let Some(Frame::Object { key, expecting_key: expecting @ true }) = stack.last_mut() {
                        *key = (i + 1, if closed { end - 1 } else { end });
                        *expecting = false;
                    }
                }
                i = end;
                continue;
            }
            b'{' | b'[' if untracked > 0 || stack.len() >= MAX_FRAMES => untracked += 1,
            b'{' => stack.push(Frame::Object { key: (0, 0), expecting_key: true }),
            b'[' => stack.push(Frame::Array { index: 0 }),
            b'}' | b']' if untracked > 0 => untracked -= 1,
            b'}' | b']' => {
                stack.pop();
            }
            _ if untracked > 0 => {}
            _ => match stack.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
        }
        i += 1;
    }
    // An error found while looking for a key (e.g. a missing field reported at
    // the closing brace) belongs to the object itself, not to its last key.
    if let Some(Frame::Object { expecting_key: true, .. }) = stack.last() {
        stack.pop();
    }
    let mut out = String::new();
    for frame in &stack {
        out.push('/');
        match *frame {
            Frame::Object { key: (start, end), .. } => {
                out.push_str(&crate::shared::issues::pointer_token(&unescape(&json[start..end])))
            }
            Frame::Array { index } => out.push_str(&indexed("", index)[1..]),
        }
    }
    out
}

enum Frame {
    Object { key: (usize, usize), expecting_key: bool },
    Array { index: usize },
}

/// Index of the next quote, bracket or comma at or after `i` (or the end).
#[inline(always)]
fn next_mark(b: &[u8], mut i: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        while i + 16 <= b.len() {
            // SAFETY: the sixteen bytes at `i` are inside `b` (checked just
            // above), and `v128_load` reads unaligned memory.
            let v = unsafe { v128_load(b.as_ptr().add(i).cast::<v128>()) };
            // `{`/`[` and `}`/`]` differ only in bit 5.
            let folded = v128_or(v, u8x16_splat(0x20));
            let hit = v128_or(
                v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_eq(v, u8x16_splat(b','))),
                v128_or(u8x16_eq(folded, u8x16_splat(b'{')), u8x16_eq(folded, u8x16_splat(b'}'))),
            );
            let mask = u8x16_bitmask(hit);
            if mask != 0 {
                return i + mask.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while i < b.len() && !matches!(b[i], b'"' | b',' | b'{' | b'}' | b'[' | b']') {
        i += 1;
    }
    i
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

    #[test]
    fn truncated_input_points_where_it_stopped() {
        // The text ends inside a key: the pointer names the object it was in.
        assert_eq!(pointer_of_error(r#"{"name": "A", "lines": [{"sku": "X", "quan"#), "/lines/0");
        assert_eq!(pointer_of_error(r#"{"name": "A", "lines": [{"sku": "X", "quantity": "#), "/lines/0/quantity");
    }
}
