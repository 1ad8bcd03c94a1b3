//! Writing JSON by hand: what the component sends back (the sales order) is
//! a fixed shape of strings, whole numbers, booleans and decimals, so it is
//! written field by field without a generic serialiser or `core::fmt`
//! (both cost fuel on every order and bytes in the component).
//!
//! Decimals are written with their exact digits (`129.03`, `0.8333`), never
//! through a binary float.

use rust_decimal::Decimal;

/// A member's name (a plain ASCII identifier) as `Writer::key` takes it: the
/// comma, quotes and colon around it put together at compile time.
macro_rules! member {
    ($name:literal) => {
        $crate::shared::write::Member(concat!(",\"", $name, "\":"))
    };
}
pub(crate) use member;

/// A member's name made by `member!` (the only way to make one, so a bare
/// name cannot reach `Writer::key` unquoted).
#[derive(Debug, Clone, Copy)]
pub struct Member(#[doc(hidden)] pub &'static str);

/// A JSON text being written. Two flags place the commas: whether the next
/// member is the first of its container, and whether a key was just written
/// (its value then needs none).
#[derive(Debug)]
pub struct Writer {
    /// UTF-8 by construction: only whole `&str`s, pieces of them cut at ASCII
    /// bytes, and ASCII are ever appended.
    out: Vec<u8>,
    first: bool,
    after_key: bool,
}

impl Writer {
    pub fn with_capacity(bytes: usize) -> Self {
        Writer { out: Vec::with_capacity(bytes), first: true, after_key: false }
    }

    pub fn finish(self) -> String {
        // SAFETY: see `out`: every append is valid UTF-8 on its own, so the
        // whole is (checking it again would cost a pass over the text).
        unsafe { String::from_utf8_unchecked(self.out) }
    }

    /// Before any value or key: the comma that separates it from the one before.
    #[inline]
    fn separate(&mut self) {
        if self.after_key {
            self.after_key = false;
        } else if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }

    pub fn begin_object(&mut self) -> &mut Self {
        self.separate();
        self.out.push(b'{');
        self.first = true;
        self
    }

    pub fn end_object(&mut self) -> &mut Self {
        self.out.push(b'}');
        self.first = false;
        self
    }

    pub fn begin_array(&mut self) -> &mut Self {
        self.separate();
        self.out.push(b'[');
        self.first = true;
        self
    }

    pub fn end_array(&mut self) -> &mut Self {
        self.out.push(b']');
        self.first = false;
        self
    }

    /// A member's name, as `member!` writes it at compile time (`,"name":`);
    /// its value follows. The comma is left off for the first member.
    pub fn key(&mut self, member: Member) -> &mut Self {
        // A key never follows a key, so only `first` decides the comma.
        let text = if self.first { &member.0.as_bytes()[1..] } else { member.0.as_bytes() };
        self.out.extend_from_slice(text);
        self.first = false;
        self.after_key = true;
        self
    }

    pub fn string(&mut self, s: &str) -> &mut Self {
        self.separate();
        self.out.reserve(s.len() + 2);
        self.out.push(b'"');
        escape_into(&mut self.out, s);
        self.out.push(b'"');
        self
    }

    pub fn decimal(&mut self, d: Decimal) -> &mut Self {
        self.separate();
        decimal_digits(&mut self.out, d);
        self
    }

    pub fn uint(&mut self, n: u64) -> &mut Self {
        self.separate();
        let mut digits = [0u8; 20];
        let at = digits_of(n, &mut digits);
        self.out.extend_from_slice(&digits[at..]);
        self
    }

    pub fn boolean(&mut self, b: bool) -> &mut Self {
        self.separate();
        self.out.extend_from_slice(if b { b"true" } else { b"false" });
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.out.extend_from_slice(b"null");
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
/// Runs with nothing to escape (nearly every string) are copied whole.
#[inline(never)]
fn escape_into(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut from = 0;
    loop {
        let i = crate::shared::json::scan_string(b, from);
        out.extend_from_slice(&b[from..i]);
        let Some(&c) = b.get(i) else {
            return;
        };
        let escape: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 0xF)]);
                from = i + 1;
                continue;
            }
        };
        out.extend_from_slice(escape);
        from = i + 1;
    }
}

/// An issue message (or a pointer) pieced together without `core::fmt`:
/// `message!["line ", sku, ": ", Money(net), " for ", quantity]`. A message
/// can stand on each of 200 lines, and `format!` costs about 2,000 fuel
/// units one; this costs what its bytes do.
#[derive(Debug, Default)]
pub struct Message(Vec<u8>);

impl Message {
    pub fn with_capacity(bytes: usize) -> Self {
        Message(Vec::with_capacity(bytes))
    }

    pub fn put(&mut self, piece: impl Piece) -> &mut Self {
        piece.put_into(&mut self.0);
        self
    }

    pub fn finish(self) -> String {
        // SAFETY: `Piece`s append whole `&str`s, whole characters (`Quoted`) and ASCII only.
        unsafe { String::from_utf8_unchecked(self.0) }
    }
}

/// What a `Message` is made of: text, whole numbers, and decimals written
/// as money (`Money`) or exactly (`Exact`).
pub trait Piece {
    fn put_into(self, out: &mut Vec<u8>);
}

impl Piece for &str {
    fn put_into(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl Piece for &String {
    fn put_into(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
}

impl Piece for u64 {
    fn put_into(self, out: &mut Vec<u8>) {
        let mut digits = [0u8; 20];
        let at = digits_of(self, &mut digits);
        out.extend_from_slice(&digits[at..]);
    }
}

impl Piece for u32 {
    fn put_into(self, out: &mut Vec<u8>) {
        u64::from(self).put_into(out);
    }
}

impl Piece for usize {
    fn put_into(self, out: &mut Vec<u8>) {
        (self as u64).put_into(out);
    }
}

/// A decimal as money is shown: at least two decimals (`money::show`).
#[derive(Debug, Clone, Copy)]
pub struct Money(pub Decimal);

impl Piece for Money {
    fn put_into(self, out: &mut Vec<u8>) {
        money_digits(out, self.0);
    }
}

/// Payload text quoted as `text::quoted` quotes it (at most 60 characters,
/// invisible ones escaped), written straight into the message.
#[derive(Debug, Clone, Copy)]
pub struct Quoted<'a>(pub &'a str);

impl Piece for Quoted<'_> {
    fn put_into(self, out: &mut Vec<u8>) {
        crate::shared::text::quote_into(out, self.0, 60);
    }
}

/// A decimal's exact digits, as the sales order writes them (`129.03`, `5`, `-0.5`).
#[derive(Debug, Clone, Copy)]
pub struct Exact(pub Decimal);

impl Piece for Exact {
    fn put_into(self, out: &mut Vec<u8>) {
        decimal_digits(out, self.0);
    }
}

/// `Message` for a list of pieces: `message!["a", 1u64, Money(d)]`.
macro_rules! message {
    ($($piece:expr),+ $(,)?) => {{
        let mut m = $crate::shared::write::Message::with_capacity(160);
        $( m.put($piece); )+
        m.finish()
    }};
}
pub(crate) use message;

/// A decimal's exact digits padded to two decimals (`5` -> `5.00`,
/// `7.8825` as it is): how messages show money.
pub(crate) fn money_digits(out: &mut Vec<u8>, d: Decimal) {
    let start = out.len();
    decimal_digits(out, d);
    let decimals = match out[start..].iter().rposition(|&b| b == b'.') {
        Some(point) => out.len() - start - point - 1,
        None => {
            out.push(b'.');
            0
        }
    };
    for _ in decimals..crate::shared::money::MONEY_DP as usize {
        out.push(b'0');
    }
}

/// `n` in lower-case hexadecimal, without leading zeros.
pub fn hex(n: u32) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = Vec::with_capacity(8);
    let mut n = n;
    loop {
        digits.push(HEX[(n & 0xF) as usize]);
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    // SAFETY: only ASCII hex digits were written.
    unsafe { String::from_utf8_unchecked(digits) }
}

/// The decimal digits of `n` at the end of `digits`; returns where they start.
#[inline]
fn digits_of(mut n: u64, digits: &mut [u8; 20]) -> usize {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return i;
        }
    }
}

/// "00" to "99", for writing digits two at a time.
const PAIRS: [u8; 200] = {
    let mut table = [0u8; 200];
    let mut n = 0;
    while n < 100 {
        table[2 * n] = b'0' + (n / 10) as u8;
        table[2 * n + 1] = b'0' + (n % 10) as u8;
        n += 1;
    }
    table
};

/// Writes `m` with `scale` fractional digits right to left into `buf` ending
/// at `i` (trailing fractional zeros dropped, as `normalize` drops them; a
/// `0` before a point with nothing else); returns where the digits start.
/// Two digits a division: the fraction's (exactly its scale of them), the
/// point, then the whole part.
fn digits_u64(buf: &mut [u8; 48], mut i: usize, mut m: u64, mut scale: usize) -> usize {
    while scale > 0 && m.is_multiple_of(10) {
        m /= 10;
        scale -= 1;
    }
    // Two digits (`r` below 100) before `i`; where they start.
    #[inline(always)]
    fn pair(buf: &mut [u8; 48], i: usize, r: u64) -> usize {
        let r = 2 * r as usize;
        buf[i - 2] = PAIRS[r];
        buf[i - 1] = PAIRS[r + 1];
        i - 2
    }
    if scale > 0 {
        let mut left = scale;
        while left >= 2 {
            i = pair(buf, i, m % 100);
            m /= 100;
            left -= 2;
        }
        if left == 1 {
            i -= 1;
            buf[i] = b'0' + (m % 10) as u8;
            m /= 10;
        }
        i -= 1;
        buf[i] = b'.';
    }
    while m >= 100 {
        i = pair(buf, i, m % 100);
        m /= 100;
    }
    if m >= 10 {
        i = pair(buf, i, m);
    } else {
        i -= 1;
        buf[i] = b'0' + m as u8;
    }
    i
}

/// A decimal's exact digits, without trailing fractional zeros (`129.030` ->
/// `129.03`, `5.00` -> `5`, `-0.5` -> `-0.5`), as `Decimal::normalize` shows it.
#[inline(never)]
fn decimal_digits(out: &mut Vec<u8>, d: Decimal) {
    let mantissa = d.mantissa();
    if mantissa == 0 {
        // `-0.00` included: `normalize` shows every zero as `0`.
        out.push(b'0');
        return;
    }
    // Written right to left into one buffer (29 digits, a point, a sign and
    // up to 28 leading fractional zeros fit), then copied out once.
    let mut buf = [0u8; 48];
    let mut i = buf.len();
    let mut scale = d.scale() as usize;
    match u64::try_from(mantissa.unsigned_abs()) {
        // Money fits 19 digits nearly always: two digits a division.
        Ok(m) => i = digits_u64(&mut buf, i, m, scale),
        Err(_) => {
            // u128 division costs far more in wasm: only for what u64 cannot hold.
            let mut m = mantissa.unsigned_abs();
            while scale > 0 && m.is_multiple_of(10) {
                m /= 10;
                scale -= 1;
            }
            if scale > 0 {
                for _ in 0..scale {
                    i -= 1;
                    buf[i] = b'0' + (m % 10) as u8;
                    m /= 10;
                }
                i -= 1;
                buf[i] = b'.';
            }
            loop {
                i -= 1;
                buf[i] = b'0' + (m % 10) as u8;
                m /= 10;
                if m == 0 {
                    break;
                }
            }
        }
    }
    if mantissa < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::money::parse_decimal;

    #[test]
    fn decimals_keep_their_exact_digits_as_normalize_shows_them() {
        for text in [
            "129.030",
            "0.8333",
            "5.00",
            "0",
            "-0.50",
            "-0.00",
            "0.005",
            "1000",
            "18446744073709551616",
            "79228162514264337593543950335",
            "-7922816251426433759354395033.5",
            "-12.3456",
            "7.88",
            "129.03",
            "10",
            "99.5",
            "100.25",
            "0.05",
            "0.5",
            "1234567.891",
            "18446744073709551615",
            "1844674407370955161.5",
        ] {
            let d = parse_decimal(text).unwrap();
            let mut w = Writer::default();
            w.decimal(d);
            assert_eq!(w.finish(), d.normalize().to_string(), "{text}");
        }
    }

    #[test]
    fn messages_read_as_format_would_write_them() {
        let d = |t: &str| parse_decimal(t).unwrap();
        let (sku, pointer) = ("NAP-2PLY-500", String::from("/line_items/7"));
        let built = message![
            &pointer,
            " line ",
            sku,
            ": ",
            Money(d("31.53")),
            " for ",
            4u64,
            " is ",
            Exact(d("7.882500")),
            " at ",
            2u32,
            " decimals; ",
            Money(d("5")),
            " × ",
            3usize,
            ", ",
            Money(d("-0.010")),
        ];
        assert_eq!(built, "/line_items/7 line NAP-2PLY-500: 31.53 for 4 is 7.8825 at 2 decimals; 5.00 × 3, -0.01");
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
        w.key(member!("a")).uint(1);
        w.key(member!("b")).begin_array();
        w.string("x").null().boolean(true);
        w.begin_object().key(member!("c")).decimal(parse_decimal("1.50").unwrap()).end_object();
        w.end_array();
        w.key(member!("d")).begin_object().end_object();
        w.key(member!("e")).opt_uint(None).key(member!("f")).opt_string(Some("y"));
        w.end_object();
        assert_eq!(w.finish(), r#"{"a":1,"b":["x",null,true,{"c":1.5}],"d":{},"e":null,"f":"y"}"#);
    }
}
