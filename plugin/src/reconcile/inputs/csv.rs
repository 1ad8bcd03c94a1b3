//! CSV as RFC 4180 writes it: comma-separated, fields optionally in double
//! quotes (a quote inside doubled), quoted fields may hold commas and line
//! breaks, lines end in LF or CRLF, a UTF-8 byte-order mark is ignored.
//! A malformed record is reported with the line it starts on and reading
//! resumes at the next line; blank lines are not records.

/// One record: the line it starts on and its fields, or why it is malformed.
pub type Record = (u64, Result<Vec<String>, String>);

/// Every record of `text`, in order.
pub fn records(text: &str) -> Vec<Record> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1u64);
    while i < b.len() {
        // A blank line (or the end) is not a record.
        if b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) == Some(&b'\n')) {
            i += if b[i] == b'\r' { 2 } else { 1 };
            line += 1;
            continue;
        }
        let start_line = line;
        let mut fields = Vec::new();
        let mut error = None;
        loop {
            // One field, at `i`.
            let mut field = String::new();
            if b.get(i) == Some(&b'"') {
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            error = Some(format!("a quoted field opened on line {start_line} is never closed"));
                            break;
                        }
                        Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                            field.push('"');
                            i += 2;
                        }
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(_) => {
                            let run = b[i..].iter().position(|&c| c == b'"').map_or(b.len(), |p| i + p);
                            let piece = &text[i..run];
                            line += piece.bytes().filter(|&c| c == b'\n').count() as u64;
                            field.push_str(piece);
                            i = run;
                        }
                    }
                }
                if error.is_none() && !matches!(b.get(i), None | Some(b',' | b'\n' | b'\r')) {
                    error = Some(format!("text after the closing quote of field {}", fields.len() + 1));
                }
            } else {
                let end = b[i..].iter().position(|&c| matches!(c, b',' | b'\n' | b'\r')).map_or(b.len(), |p| i + p);
                let piece = &text[i..end];
                if piece.contains('"') {
                    error = Some(format!(
                        "a quote inside unquoted field {} (quote the field and double the quote)",
                        fields.len() + 1
                    ));
                }
                field.push_str(piece);
                i = end;
            }
            fields.push(field);
            if error.is_some() {
                break;
            }
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') if b.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    line += 1;
                    break;
                }
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                Some(b'\r') => {
                    error = Some("a carriage return not followed by a line feed".into());
                    break;
                }
                _ => break,
            }
        }
        match error {
            Some(why) => {
                // Resume after the end of the current line.
                match b[i.min(b.len())..].iter().position(|&c| c == b'\n') {
                    Some(p) => {
                        i += p + 1;
                        line += 1;
                    }
                    None => i = b.len(),
                }
                out.push((start_line, Err(why)));
            }
            None => out.push((start_line, Ok(fields))),
        }
    }
    out
}

/// A field as CSV writes it: quoted when it holds a comma, quote or line break.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// `field` for text that came from an input (a PO, a key, a message quoting
/// one), for a page finance opens in a spreadsheet: text starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return is written after an apostrophe
/// (OWASP's advice on CSV injection), so "=HYPERLINK(…)" typed as a PO is
/// shown, never run.
pub fn text_field(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        field(&format!("'{text}"))
    } else {
        field(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<(u64, Vec<String>)> {
        records(text).into_iter().map(|(l, r)| (l, r.unwrap())).collect()
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_line_breaks() {
        let rows = ok("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z\n\nlast,1");
        assert_eq!(rows[0], (1, vec!["a".to_string(), "b".to_string()]));
        assert_eq!(rows[1].1, vec!["x, y", "say \"hi\""]);
        assert_eq!(rows[2], (3, vec!["two\nlines".to_string(), "z".to_string()]));
        assert_eq!(rows[3], (6, vec!["last".to_string(), "1".to_string()]));
    }

    #[test]
    fn a_malformed_record_is_reported_and_reading_goes_on() {
        let rows = records("a,b\nx\"y,1\n\"ok\"z,2\nfine,3\n\"open,4");
        assert_eq!(rows.len(), 5);
        assert!(rows[1].1.as_ref().unwrap_err().contains("quote inside unquoted field 1"));
        assert!(rows[2].1.as_ref().unwrap_err().contains("after the closing quote"));
        assert_eq!(rows[3], (4, Ok(vec!["fine".to_string(), "3".to_string()])));
        assert_eq!(rows[4].0, 5);
        assert!(rows[4].1.as_ref().unwrap_err().contains("never closed"));
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn text_that_a_spreadsheet_would_run_is_shown() {
        assert_eq!(text_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_field("+44"), "'+44");
        assert_eq!(text_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_field("PO-4582"), "PO-4582");
    }
}
