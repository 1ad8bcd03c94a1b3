//! Re-indents JSON text without parsing its values, so amounts keep their exact
//! digits (no round trip through `f64`) and golden files stay readable.

/// Pretty-prints valid JSON text with two-space indentation. Strings and
/// numbers are copied byte for byte; only whitespace between tokens changes.
pub fn pretty(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut depth = 0usize;
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => copy_string(&mut chars, &mut out),
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(c);
                    out.push(close);
                } else {
                    out.push(c);
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

/// Copies the rest of a string literal whose opening quote was just read,
/// up to and including its closing quote.
fn copy_string(chars: &mut impl Iterator<Item = char>, out: &mut String) {
    out.push('"');
    let mut escaped = false;
    for c in chars {
        out.push(c);
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, '"') => break,
            _ => escaped = false,
        }
    }
}

/// Removes whitespace between tokens: one line per document, for JSONL.
/// Strings and numbers are copied byte for byte.
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => copy_string(&mut chars, &mut out),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{compact, pretty};

    #[test]
    fn compact_is_one_line_and_keeps_strings() {
        assert_eq!(compact("{\n  \"a b\": [1.50, \"x \\\" y\"]\n}\n"), r#"{"a b":[1.50,"x \" y"]}"#);
    }

    #[test]
    fn keeps_number_digits_and_string_contents() {
        let text = r#"{"a":129.030,"b":[1e-2, "x, {y}: \"z\""],"c":{},"d":[]}"#;
        assert_eq!(
            pretty(text),
            "{\n  \"a\": 129.030,\n  \"b\": [\n    1e-2,\n    \"x, {y}: \\\"z\\\"\"\n  ],\n  \"c\": {},\n  \"d\": []\n}\n"
        );
    }

    #[test]
    fn is_idempotent() {
        let once = pretty(r#"{"a":[{"b":1},{"c":"d"}]}"#);
        assert_eq!(pretty(&once), once);
    }
}
