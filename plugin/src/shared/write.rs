//! Writing JSON by hand: what the component sends back (the sales order) is
//! a fixed shape of strings, whole numbers, booleans and decimals, so it is
//! written field by field without a generic serialiser or `core::fmt`
//! (both cost fuel on every order and bytes in the component).
//!
//! Decimals are written with their exact digits (`129.03`, `0.8333`), never
//! through a binary float.

use rust_decimal::Decimal;

/// A JSON text being written. Two flags place the commas: whether the next
/// member is the first of its container, and whether a key was just written
/// (its value then needs none).
#[derive(Debug)]
pub struct Writer {
    out: String,
    first: bool,
    after_key: bool,
}

impl Writer {
    pub fn with_capacity(bytes: usize) -> Self {
        Writer { out: String::with_capacity(bytes), first: true, after_key: false }
    }

    pub fn finish(self) -> String {
        self.out
    }

    /// Before any value or key: the comma that separates it from the one before.
    fn separate(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.separate();
        self.out.push('{');
        self.first = true;
        self
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.out.push('}');
        self.first = false;
        self
    }

    pub fn begin_array(&mut self) -> &mut Self {
        self.separate();
        self.out.push('[');
        self.first = true;
        self
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.out.push(']');
        self.first = false;
        self
    }

    /// A member's name (a plain ASCII identifier); its value follows.
    pub fn key(&mut self, name: &str) -> &mut Self {
        self.separate();
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
        self.after_key = true;
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.separate();
        self.out.push('"');
        escape_into(&mut self.out, s);
        self.out.push('"');
        self
    }

    pub fn decimal(&mut self, d: Decimal) -> &mut Self {
        self.separate();
        decimal_into(&mut self.out, d);
        self
    }

    pub fn uint(&mut self, n: u64) -> &mut Self {
        self.separate();
        uint_into(&mut self.out, n);
        self
    }

    pub fn boolean(&mut self, b: bool) -> &mut Self {
        self.separate();
        self.out.push_str(if b { "true" } else { "false" });
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.out.push_str("null");
        self
    }

    pub fn opt_uint(&mut self, n: Option<u32>) -> &mut Self {
        match n {
            Some(n) => self.uint(u64::from(n)),
            None => self.null(),
        }
    }

    pub fn opt_string(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.string(s),
            None => self.null(),
        }
    }
}

impl Default for Writer {
    fn default() -> Self {
        Writer::with_capacity(0)
    }
}

/// JSON string escaping as serde_json writes it: `"`, `\` and the control
/// characters escaped (the common ones by letter), everything else as is.
fn escape_into(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xF)] as char);
        } else {
            out.push_str(escape);
        }
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// The digits of a whole number.
fn uint_into(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
}

/// A decimal's exact digits, without trailing fractional zeros (`129.030` ->
/// `129.03`, `5.00` -> `5`, `-0.5` -> `-0.5`), as `Decimal::normalize` shows it.
pub fn decimal_into(out: &mut String, d: Decimal) {
    let d = d.normalize();
    let scale = d.scale() as usize;
    let mantissa = d.mantissa();
    if mantissa < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 40];
    let mut i = digits.len();
    let mut m = mantissa.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(&digits[i..]).expect("ASCII digits");
    if scale == 0 {
        out.push_str(digits);
    } else if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else {
        out.push_str("0.");
        for _ in digits.len()..scale {
            out.push('0');
        }
        out.push_str(digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::money::parse_decimal;

    #[test]
    fn decimals_keep_their_exact_digits_as_normalize_shows_them() {
        for text in
            ["129.030", "0.8333", "5.00", "0", "-0.50", "0.005", "1000", "79228162514264337593543950335", "-12.3456"]
        {
            let d = parse_decimal(text).unwrap();
            let mut out = String::new();
            decimal_into(&mut out, d);
            assert_eq!(out, d.normalize().to_string(), "{text}");
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        for s in ["plain", "quote \" and \\ slash", "new\nline\ttab", "\u{1}\u{1f}", "é — 😀", "\u{8}\u{c}\r"] {
            let mut w = Writer::default();
            w.string(s);
            assert_eq!(w.finish(), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn objects_and_arrays_get_their_commas() {
        let mut w = Writer::default();
        w.begin_object();
        w.key("a").uint(1);
        w.key("b").begin_array();
        w.string("x").null().boolean(true);
        w.begin_object().key("c").decimal(parse_decimal("1.50").unwrap()).end_object();
        w.end_array();
        w.key("d").begin_object().end_object();
        w.key("e").opt_uint(None).key("f").opt_string(Some("y"));
        w.end_object();
        assert_eq!(w.finish(), r#"{"a":1,"b":["x",null,true,{"c":1.5}],"d":{},"e":null,"f":"y"}"#);
    }
}
