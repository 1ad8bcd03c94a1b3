//! Text as people meant it: without the invisible characters that copy and
//! paste, and some checkouts, leave in a value.
//!
//! Prevents: a PO of one zero-width space, a NUL or a byte-order mark passing
//! for a PO, and a pack name that differs from the profile's only by an
//! invisible character.

use crate::shared::meter::Meter;
use std::borrow::Cow;

/// What looking a character up in Unicode's letter and digit tables
/// (`char::is_alphanumeric`) costs, in characters cleaning handles (`Meter`):
/// up to 1,400 fuel units for a dash, against ~120 for a zero-width space
/// trimmed or removed.
pub const LOOKUP: u32 = 12;

/// Characters that render as nothing: control characters (NUL included) and
/// Unicode's default-ignorable code points (DerivedCoreProperties.txt,
/// Unicode 15.1): the soft hyphen, the combining grapheme joiner, the Arabic
/// letter mark, the Hangul fillers, Mongolian vowel separators and variation
/// selectors, zero-width spaces and joiners, bidirectional marks, embeddings
/// and isolates (chat apps wrap copied text in the isolates), the word
/// joiner and invisible operators, the byte-order mark, the reserved
/// U+FFF0–FFF8, and the tags and variation selectors of plane 14.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// The characters `visible_text` removes from free text (an order note, a
/// line's engraving or print text): those that only steer how text is laid
/// out (control characters, the soft hyphen, the zero-width space, left-to-
/// right and right-to-left marks, embeddings and isolates, the word joiner
/// and invisible operators, the byte-order mark). Kept, because text needs
/// them: the zero-width joiners (Sinhala "ශ්‍රී", Persian, emoji sequences),
/// variation selectors (❤️, keycaps, Japanese ideographic variants), tags
/// (flags such as Wales's), the combining grapheme joiner, Mongolian
/// selectors and Hangul fillers.
pub fn is_layout(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Characters that separate words or lines: a tab, a line break, a form
/// feed, Unicode's line and paragraph separators. Inside text they become a
/// space, not nothing, so "PO-4582" and "Back door" on two lines do not run
/// together as "PO-4582Back door".
pub fn is_break(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `visible` for a short text such as a property or attribute name, with a
/// quick way out for the usual printable ASCII with no space at either end:
/// a byte loop, since `printable_prefix`'s set-up costs more than a short
/// name (and a name is read on every line).
pub fn visible_name<'s>(s: &'s str, work: &Meter) -> Cow<'s, str> {
    match s.as_bytes() {
        [first, .., last] | [first @ last]
            if first.is_ascii_graphic() && last.is_ascii_graphic() && printable_short(s.as_bytes()) =>
        {
            Cow::Borrowed(s)
        }
        _ => visible(s, work),
    }
}

/// `printable_ascii` for short text: eight bytes a word, the last word
/// overlapping the one before (checking a byte twice changes nothing).
fn printable_short(b: &[u8]) -> bool {
    let n = b.len();
    if n < 8 {
        return b.iter().all(|&c| (b' '..=b'~').contains(&c));
    }
    let mut at = 0;
    loop {
        if !printable_word(&b[at..at + 8]) {
            return false;
        }
        if at == n - 8 {
            return true;
        }
        at = (at + 8).min(n - 8);
    }
}

/// Whether eight bytes are all printable ASCII (a space to `~`), in one word.
#[inline(always)]
fn printable_word(word: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
    // Below 0x20: taking 0x20 away borrows into the byte's high bit (a
    // borrow only ever starts at such a byte). 0x7F and above: the high
    // bit is set, or is once 1 is added (a carry only ever starts at 0xFF).
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    let beyond = w.wrapping_add(ONES) | w;
    (control | beyond) & HIGH == 0
}

/// Whether `s` holds a line break or tab (`is_break`). Runs of printable
/// ASCII are passed sixteen bytes a step (`printable_prefix`): a PO source
/// can be a note that runs to the input cap. Each other character looked
/// at is counted (`work`); `false` once the allowance is spent.
pub fn has_break(s: &str, work: &Meter) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if work.over() {
        return false;
    }
    loop {
        i += plain_prefix(&b[i..]);
        // `i` is always on a character boundary: it moves by whole characters.
        let Some(c) = s[i..].chars().next() else { return false };
        if !work.spend(1) {
            return false;
        }
        if is_break(c) {
            return true;
        }
        i += c.len_utf8();
    }
}

/// The text with invisible characters removed (a run of line breaks and
/// tabs inside it becomes one space) and white space (any Unicode white
/// space, the no-break space included) trimmed from both ends. Text that
/// needs none of this is borrowed as it is. Characters looked at one by
/// one are counted (`work`); once the allowance is spent, `s` is given back
/// as it is, and the call is refused (`Meter::over`).
#[inline(never)]
pub fn visible<'s>(s: &'s str, work: &Meter) -> Cow<'s, str> {
    cleaned(s, is_invisible, work)
}

/// `visible` for free text a person reads (an order note, a line's
/// engraving or print text): only the characters that steer layout are
/// removed (`is_layout`), so emoji, flags and ideographic variants reach the
/// warehouse as the customer typed them.
#[inline(never)]
pub fn visible_text<'s>(s: &'s str, work: &Meter) -> Cow<'s, str> {
    cleaned(s, is_layout, work)
}

/// `s` without the characters `drop` names, line breaks and tabs as one
/// space, trimmed.
#[inline(always)]
fn cleaned<'s>(s: &'s str, drop: fn(char) -> bool, work: &Meter) -> Cow<'s, str> {
    // Once the allowance is spent, nothing more is cleaned: the call is
    // refused, and passing the text again would only cost more.
    if work.over() {
        return Cow::Borrowed(s);
    }
    // Nearly all text is printable ASCII (spaces inside): only its ends need
    // looking at, eight bytes a word (`str::trim_matches` decodes
    // characters, and a byte at a time a mebibyte of spaces cost 30 million).
    let b = s.as_bytes();
    if printable_ascii(b) {
        if b.first() != Some(&b' ') && b.last() != Some(&b' ') {
            return Cow::Borrowed(s);
        }
        let start = spaces(b, Side::Start);
        let end = b.len() - spaces(&b[start..], Side::End);
        return Cow::Borrowed(&s[start..end]);
    }
    // Other text is passed sixteen bytes a step too, but at up to ~8 fuel
    // units a byte (`plain_prefix`'s tables), and is then copied and written
    // on: a mebibyte of it in one field is more than the call's budget
    // allows beside the rest. Counted by the byte (`Meter::pass`).
    if !work.pass(s.len()) {
        return Cow::Borrowed(s);
    }
    let Some(trimmed) = trim_where(s, 1, work, |c| c.is_whitespace() || drop(c)) else {
        return Cow::Borrowed(s);
    };
    match without(trimmed, drop, work) {
        None => Cow::Borrowed(s),
        Some(Cow::Borrowed(kept)) => Cow::Borrowed(kept),
        // Removing a character can expose white space at an end (" \u{200B} x"):
        // at most a character each end, as `trimmed` starts and ends with
        // one that is neither white space nor removed.
        Some(Cow::Owned(kept)) => Cow::Owned(kept.trim().to_owned()),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// How many spaces `b` starts (or ends) with: sixteen bytes a step in the
/// component, eight a word natively, then a byte at a time.
fn spaces(b: &[u8], side: Side) -> usize {
    // The start of the `width` bytes `n` bytes in from `side`.
    let from = |n: usize, width: usize| if side == Side::Start { n } else { b.len() - n - width };
    let mut n = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        while n + 16 <= b.len() {
            // SAFETY: the sixteen bytes at `from(n, 16)` are inside `b`
            // (checked just above), and `v128_load` reads unaligned memory.
            let v = unsafe { v128_load(b.as_ptr().add(from(n, 16)).cast::<v128>()) };
            if !u8x16_all_true(u8x16_eq(v, u8x16_splat(b' '))) {
                break;
            }
            n += 16;
        }
    }
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    let word = |at: usize| u64::from_ne_bytes(b[at..at + 8].try_into().expect("eight bytes"));
    while n + 8 <= b.len() && word(from(n, 8)) == SPACES {
        n += 8;
    }
    let byte = |k: usize| if side == Side::Start { b[k] } else { b[b.len() - 1 - k] };
    while n < b.len() && byte(n) == b' ' {
        n += 1;
    }
    n
}

/// `s` with the characters `trim` takes removed from its start, each one
/// counted as `weight` (`work`); `None` once the allowance is spent.
pub fn trim_start_where<'s>(s: &'s str, weight: u32, work: &Meter, trim: impl Fn(char) -> bool) -> Option<&'s str> {
    let mut start = 0;
    for c in s.chars() {
        if !trim(c) {
            break;
        }
        if !work.spend(weight) {
            return None;
        }
        start += c.len_utf8();
    }
    Some(&s[start..])
}

/// `trim_start_where` at both ends.
pub fn trim_where<'s>(s: &'s str, weight: u32, work: &Meter, trim: impl Fn(char) -> bool) -> Option<&'s str> {
    let s = trim_start_where(s, weight, work, &trim)?;
    let mut end = s.len();
    for c in s.chars().rev() {
        if !trim(c) {
            break;
        }
        if !work.spend(weight) {
            return None;
        }
        end -= c.len_utf8();
    }
    Some(&s[..end])
}

/// Whether `s` has a letter or a digit in it: ASCII a byte at a time, any
/// other character looked up in Unicode's tables and counted (`LOOKUP`);
/// `false` once the allowance is spent.
pub fn has_letter_or_digit(s: &str, work: &Meter) -> bool {
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                return true;
            }
        } else if !work.spend(LOOKUP) {
            return false;
        } else if c.is_alphanumeric() {
            return true;
        }
    }
    false
}

/// `s` without the characters `drop` names, borrowed when it has none. Runs of
/// printable ASCII are passed whole (`printable_prefix`) and only the other
/// characters decoded: a note can run to the input cap, and character by
/// character through iterators this cost ~50 fuel units a character. Each
/// character decoded is counted (`work`): `None` once the allowance is spent.
fn without<'s>(s: &'s str, drop: fn(char) -> bool, work: &Meter) -> Option<Cow<'s, str>> {
    let b = s.as_bytes();
    let mut kept: Option<String> = None;
    // The start of the run of characters kept since the last invisible one,
    // and where the last line break or tab ended (a run of them is one space).
    let (mut i, mut run, mut break_end) = (0, 0, usize::MAX);
    while i < b.len() {
        i += plain_prefix(&b[i..]);
        if i == b.len() {
            break;
        }
        if !work.spend(1) {
            return None;
        }
        let c = match b[i] {
            ascii @ 0..0x80 => char::from(ascii),
            // `i` is always on a character boundary: it moves by whole characters.
            _ => s[i..].chars().next().expect("a character at a boundary"),
        };
        if drop(c) || is_break(c) {
            let out = kept.get_or_insert_with(|| String::with_capacity(s.len()));
            out.push_str(&s[run..i]);
            run = i + c.len_utf8();
            if is_break(c) {
                if break_end != i {
                    out.push(' ');
                }
                break_end = run;
            }
        }
        i += c.len_utf8();
    }
    Some(match kept {
        None => Cow::Borrowed(s),
        Some(mut kept) => {
            kept.push_str(&s[run..]);
            Cow::Owned(kept)
        }
    })
}

/// Whether the character whose UTF-8 starts `b0 b1 b2` (zeros past the
/// end) may be one `is_invisible`, `is_layout` or `is_break` names: every
/// such character's first bytes are flagged (a test goes through all of
/// Unicode), and almost no other's. So text in any script (accents, `£`,
/// kana, CJK, emoji, dashes and quotes) is passed whole by `plain_prefix`,
/// and only a flagged character is decoded and looked up.
///
/// Besides the controls (and the soft hyphen, `C2 AD`), a character is
/// flagged by three lookups of eight categories, one a lead byte each
/// (`C2 CD D8 E1 E2 E3 EF`, and `F0 F3`): each byte's two nibbles pick the
/// categories it may belong to (`NIBBLES`), and a character is flagged when
/// one category takes all three of its bytes. Sixteen-entry tables are what
/// one WebAssembly `i8x16.swizzle` looks up, so the component tests sixteen
/// bytes at a time by the same rule.
#[inline(always)]
fn flagged(b0: u8, b1: u8, b2: u8) -> bool {
    let class = |tables: &[[u8; 16]; 2], b: u8| tables[0][usize::from(b >> 4)] & tables[1][usize::from(b & 15)];
    b0 < 0x20
        || b0 == 0x7F
        || (b0 == 0xC2 && b1 == 0xAD)
        || class(&NIBBLES[0], b0) & class(&NIBBLES[1], b1) & class(&NIBBLES[2], b2) != 0
}

/// `flagged`'s categories, a bit each: `C2` with a second byte `80-9F` (the
/// C1 controls); `CD 8F`; `D8 9C`; `E1` with `85`, `9E` or `A0` (and, as the
/// nibbles cross, `80 8E 90 95 A5 AE`); `E2` with `80` or `81`, then `80-8F`
/// or `A0-AF`; `E3 85`; `EF` with `B8 BB BE BF`; `F0` or `F3` with `9B 9D A0`
/// (and `90 AB AD`). For the first, second and third byte, a table by high
/// nibble and one by low nibble.
const NIBBLES: [[[u8; 16]; 2]; 3] = {
    const C2: u8 = 1;
    const CD: u8 = 2;
    const D8: u8 = 4;
    const E1: u8 = 8;
    const E2: u8 = 16;
    const E3: u8 = 32;
    const EF: u8 = 64;
    const F0_F3: u8 = 128;
    let mut t = [[[0u8; 16]; 2]; 3];
    // The first byte: exactly the lead bytes.
    t[0][0][0xC] = C2 | CD;
    t[0][0][0xD] = D8;
    t[0][0][0xE] = E1 | E2 | E3 | EF;
    t[0][0][0xF] = F0_F3;
    t[0][1][0x2] = C2 | E2;
    t[0][1][0xD] = CD;
    t[0][1][0x8] = D8;
    t[0][1][0x1] = E1;
    t[0][1][0x3] = E3 | F0_F3;
    t[0][1][0xF] = EF;
    t[0][1][0x0] = F0_F3;
    // The second byte.
    t[1][0][0x8] = C2 | CD | E1 | E2 | E3;
    t[1][0][0x9] = C2 | D8 | E1 | F0_F3;
    t[1][0][0xA] = E1 | F0_F3;
    t[1][0][0xB] = EF;
    let mut lo = 0;
    while lo < 16 {
        t[1][1][lo] = C2;
        lo += 1;
    }
    t[1][1][0xF] |= CD | EF;
    t[1][1][0xC] |= D8;
    t[1][1][0x5] |= E1 | E3;
    t[1][1][0xE] |= E1 | EF;
    t[1][1][0x0] |= E1 | E2 | F0_F3;
    t[1][1][0x1] |= E2;
    t[1][1][0x8] |= EF;
    t[1][1][0xB] |= EF | F0_F3;
    t[1][1][0xD] |= F0_F3;
    // The third byte: any, but for `E2`.
    let mut hi = 0;
    while hi < 16 {
        t[2][0][hi] = !E2;
        t[2][1][hi] = 0xFF;
        hi += 1;
    }
    t[2][0][0x8] = 0xFF;
    t[2][0][0xA] = 0xFF;
    t
};

/// The length of the run `b` starts with in which no character is
/// `flagged`: sixteen bytes a step in the component, with the bytes that
/// can start no flagged character (printable ASCII, continuation bytes)
/// tested first. Before, only printable ASCII was passed whole, and a note
/// of a mebibyte of `é` cost 92 million fuel units, decoded a character at
/// a time.
fn plain_prefix(b: &[u8]) -> usize {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let i = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let i = {
        use core::arch::wasm32::*;
        let at = |i: usize| {
            // SAFETY: callers keep `i + 16 <= b.len()`; `v128_load` reads unaligned memory.
            unsafe { v128_load(b.as_ptr().add(i).cast::<v128>()) }
        };
        // SAFETY: a table is sixteen bytes.
        let table = |t: &[u8; 16]| unsafe { v128_load(t.as_ptr().cast::<v128>()) };
        let is = |v: v128, byte: u8| u8x16_eq(v, u8x16_splat(byte));
        // `flagged`'s `class`, for sixteen bytes.
        let class = |t: &[[u8; 16]; 2], v: v128| {
            v128_and(
                u8x16_swizzle(table(&t[0]), u8x16_shr(v, 4)),
                u8x16_swizzle(table(&t[1]), v128_and(v, u8x16_splat(15))),
            )
        };
        let mut i = 0;
        while i + 18 <= b.len() {
            let v0 = at(i);
            // 0x20..=0xC1 but 0x7F: printable ASCII and continuation bytes.
            let quick = v128_andnot(u8x16_le(u8x16_sub(v0, u8x16_splat(0x20)), u8x16_splat(0xA1)), is(v0, 0x7F));
            if u8x16_all_true(quick) {
                i += 16;
                continue;
            }
            // Then the lead bytes: in most text in other scripts (accents,
            // CJK, Cyrillic), none that a flagged character starts with.
            let controls = v128_or(u8x16_lt(v0, u8x16_splat(0x20)), is(v0, 0x7F));
            let leads = class(&NIBBLES[0], v0);
            if !v128_any_true(v128_or(controls, leads)) {
                i += 16;
                continue;
            }
            let (v1, v2) = (at(i + 1), at(i + 2));
            let direct = v128_or(controls, v128_and(is(v0, 0xC2), is(v1, 0xAD)));
            let classes = v128_and(v128_and(leads, class(&NIBBLES[1], v1)), class(&NIBBLES[2], v2));
            let hit = u8x16_bitmask(v128_or(direct, v128_not(u8x16_eq(classes, u8x16_splat(0)))));
            if hit != 0 {
                return i + hit.trailing_zeros() as usize;
            }
            i += 16;
        }
        i
    };
    let byte = |i: usize| b.get(i).copied().unwrap_or(0);
    (i..b.len()).find(|&i| flagged(b[i], byte(i + 1), byte(i + 2))).unwrap_or(b.len())
}

/// Whether every byte is printable ASCII (a space to `~`).
fn printable_ascii(b: &[u8]) -> bool {
    printable_prefix(b) == b.len()
}

/// The length of the run of printable ASCII (a space to `~`) `b` starts
/// with: sixteen bytes a step in the component (a note or a PO can run to
/// the input cap; a byte at a time through the iterator cost 21 fuel units
/// a byte, eight at a time in a word 5), eight in a word natively.
fn printable_prefix(b: &[u8]) -> usize {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    let i = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    let i = {
        use core::arch::wasm32::*;
        let mut i = 0;
        while i + 16 <= b.len() {
            // SAFETY: the sixteen bytes at `i` are inside `b` (checked just
            // above), and `v128_load` reads unaligned memory.
            let v = unsafe { v128_load(b.as_ptr().add(i).cast::<v128>()) };
            // Printable exactly when the byte less 0x20 (wrapping) is below 0x5F.
            let printable = u8x16_lt(u8x16_sub(v, u8x16_splat(0x20)), u8x16_splat(0x5F));
            let other = !u8x16_bitmask(printable);
            if other != 0 {
                return i + other.trailing_zeros() as usize;
            }
            i += 16;
        }
        i
    };
    let rest = &b[i..];
    let mut n = 0;
    for word in rest.chunks_exact(8) {
        if !printable_word(word) {
            break;
        }
        n += 8;
    }
    i + n + rest[n..].iter().take_while(|&&c| (b' '..=b'~').contains(&c)).count()
}

/// Payload text as a message quotes it: in double quotes, at most 60
/// characters then `…`, with quotes, backslashes and invisible characters
/// escaped (`\u{200b}`) so a person sees what is there. Not `{:?}`: its
/// escaping looks every non-ASCII character up in Unicode tables, thousands
/// of fuel units a character.
pub fn quoted(s: &str) -> String {
    quoted_up_to(s, 60)
}

/// `quoted`, at most `max` characters.
pub fn quoted_up_to(s: &str, max: usize) -> String {
    let mut out = Vec::with_capacity(s.len().min(max + 4) + 8);
    quote_into(&mut out, s, max);
    // SAFETY: `quote_into` appends whole characters of `s` and ASCII only.
    unsafe { String::from_utf8_unchecked(out) }
}

/// `quoted_up_to`, appended to `out` (a message being pieced together:
/// `write::Quoted`), so that a quote costs no string of its own.
pub(crate) fn quote_into(out: &mut Vec<u8>, s: &str, max: usize) {
    // Most quoted text (a SKU, a pack name) needs no escape and no cut:
    // copied whole, not character by character.
    let b = s.as_bytes();
    if b.len() <= max && printable_ascii(b) && !b.iter().any(|&c| c == b'"' || c == b'\\') {
        out.reserve(b.len() + 2);
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
        return;
    }
    out.push(b'"');
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.extend_from_slice("…".as_bytes());
            break;
        }
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            c if is_invisible(c) => {
                out.extend_from_slice(b"\\u{");
                out.extend_from_slice(crate::shared::write::hex(u32::from(c)).as_bytes());
                out.push(b'}');
            }
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

/// `str::trim`, with the common case (ASCII, no white space at either end)
/// decided from the two end bytes instead of decoding characters. White
/// space trimmed is counted (`work`); `s` as it is once the allowance is spent.
#[inline]
pub fn trim<'s>(s: &'s str, work: &Meter) -> &'s str {
    match s.as_bytes() {
        [] => s,
        [first, .., last] | [first @ last] if (0x21..0x80).contains(first) && (0x21..0x80).contains(last) => s,
        _ => trim_where(s, 1, work, char::is_whitespace).unwrap_or(s),
    }
}

/// `trim` for text that means something only when short (an amount): text
/// longer than 64 bytes is given back as it is, to fail to parse, rather
/// than trimmed a character at a time at no one's expense (`Meter`).
#[inline]
pub fn trim_short(s: &str) -> &str {
    if s.len() > crate::shared::money::LONGEST_AMOUNT {
        s
    } else {
        trim(s, &Meter::unlimited())
    }
}

/// Text equality a word at a time (the library's `memcmp` in the component
/// compares a byte at a time, ~20 fuel units a byte).
#[inline]
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && crate::shared::json::same_bytes(a.as_bytes(), b.as_bytes())
}

/// Whether two names read alike: as they look (`visible`), ASCII case
/// ignored. How a configured gateway or payment type is matched with what a
/// checkout wrote, and how the profile's own lists are checked for overlap.
/// Both are passed in full each time (`Meter::pass`): a payload's gateway
/// name is compared with each configured one.
pub fn reads_as(a: &str, b: &str, work: &Meter) -> bool {
    work.pass(a.len() + b.len()) && visible(a, work).eq_ignore_ascii_case(&visible(b, work))
}

#[cfg(test)]
mod tests {
    use super::{
        flagged, is_break, is_invisible, is_layout, plain_prefix, printable_ascii, printable_prefix, quoted, same,
    };
    use crate::shared::meter::Meter;
    use std::borrow::Cow;

    // The cleaning functions with no allowance to run out of.
    fn visible(s: &str) -> Cow<'_, str> {
        super::visible(s, &Meter::unlimited())
    }
    fn visible_text(s: &str) -> Cow<'_, str> {
        super::visible_text(s, &Meter::unlimited())
    }
    fn visible_name(s: &str) -> Cow<'_, str> {
        super::visible_name(s, &Meter::unlimited())
    }
    fn has_break(s: &str) -> bool {
        super::has_break(s, &Meter::unlimited())
    }
    fn trim(s: &str) -> &str {
        super::trim(s, &Meter::unlimited())
    }

    #[test]
    fn cleaning_counts_what_it_handles_and_gives_the_text_back_once_the_allowance_is_spent() {
        // Printable ASCII costs nothing.
        let work = Meter::new(0);
        assert_eq!(super::visible("  PO 45821 ", &work), "PO 45821");
        assert!(!work.over());
        // Other text: one for the pass (up to 32 bytes), then one for each
        // character trimmed or removed.
        let work = Meter::new(3);
        assert_eq!(super::visible("\u{200B}PO\u{200B}", &work), "PO");
        assert!(!work.over());
        let work = Meter::new(2);
        assert_eq!(super::visible("\u{200B}PO\u{200B}", &work), "\u{200B}PO\u{200B}");
        assert!(work.over());
        // Once over, nothing more is cleaned, however little it needs.
        assert_eq!(super::visible("\u{200B}x", &work), "\u{200B}x");
        assert_eq!(super::trim(" x ", &work), " x ");
        // Each character looked at alone for a line break, each trimmed.
        let work = Meter::new(1);
        assert!(!super::has_break("a\u{200B}b\nc", &work));
        assert!(work.over());
        let work = Meter::new(2);
        assert_eq!(super::trim("\u{A0}x\u{A0}", &work), "x");
        let work = Meter::new(1);
        assert_eq!(super::trim("\u{A0}x\u{A0}", &work), "\u{A0}x\u{A0}");
        assert!(work.over());
        // A character looked up in Unicode's tables counts as `LOOKUP`.
        let work = Meter::new(2 * super::LOOKUP);
        assert!(super::has_letter_or_digit("\u{2014}é", &work));
        let work = Meter::new(super::LOOKUP);
        assert!(!super::has_letter_or_digit("\u{2014}é", &work));
        assert!(work.over());
    }

    #[test]
    fn end_spaces_are_counted_a_word_at_a_time_as_a_byte_at_a_time() {
        use super::{spaces, Side};
        for before in 0..40 {
            for after in 0..40 {
                for middle in ["", "x", "a b"] {
                    let s = format!("{}{middle}{}", " ".repeat(before), " ".repeat(after));
                    let b = s.as_bytes();
                    let start = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
                    let end = b.iter().rposition(|&c| c != b' ').map_or(start, |e| e + 1);
                    assert_eq!(spaces(b, Side::Start), start, "{s:?}");
                    assert_eq!(spaces(&b[start..], Side::End), b.len() - end, "{s:?}");
                    assert_eq!(visible(&s), &s[start..end], "{s:?}");
                }
            }
        }
    }

    #[test]
    fn every_character_cleaning_acts_on_is_flagged_by_its_first_bytes() {
        let mut acted = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if is_invisible(c) || is_layout(c) || is_break(c) {
                let mut utf8 = [0; 4];
                let b = c.encode_utf8(&mut utf8).as_bytes();
                let byte = |i: usize| b.get(i).copied().unwrap_or(0);
                assert!(flagged(b[0], byte(1), byte(2)), "{:?} ({:x?}) is not flagged", c, b);
                acted += 1;
            }
        }
        assert!(acted > 4000, "{acted}");
        // Text in other scripts is passed whole (`…` and `•`, which share
        // their first two bytes with U+2028, are flagged, then kept).
        for text in [
            "é £ ü ß à Ü ø",
            "ひらがな、カタカナ。「漢字」",
            "“quoted” — dash ‘x’",
            "😀 👍🏽",
            "Ελληνικά Кириллица עברית العربية",
        ] {
            assert_eq!(plain_prefix(text.as_bytes()), text.len(), "{text}");
        }
        assert_eq!(plain_prefix("ab\u{200B}c".as_bytes()), 2);
    }

    #[test]
    fn visible_text_is_what_the_character_by_character_rule_gives() {
        let by_character = |s: &str| -> String {
            let trimmed = s.trim_matches(|c: char| c.is_whitespace() || super::is_invisible(c));
            let mut kept = String::new();
            let mut after_break = false;
            for c in trimmed.chars() {
                if super::is_break(c) && !after_break {
                    kept.push(' ');
                }
                if !super::is_invisible(c) && !super::is_break(c) {
                    kept.push(c);
                }
                after_break = super::is_break(c);
            }
            kept.trim().to_owned()
        };
        let pieces = [
            "PO-45821", " ", "\u{200B}", "é", "\u{FEFF}", "\0", "\u{00A0}", "€6.74", "x", "\t", "\u{2060}", "😀",
            "abcdefgh", "\r\n", "\u{2028}", "\u{2068}",
        ];
        // Every string of up to four pieces, so that the runs of eight bytes
        // start, end and are broken at every place the pieces allow.
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> =
                texts.iter().flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}"))).collect();
            texts.extend(longer);
            texts.dedup();
        }
        for text in &texts {
            assert_eq!(visible(text), by_character(text), "{text:?}");
        }
    }

    #[test]
    fn printable_ascii_is_decided_a_word_at_a_time_as_byte_by_byte() {
        let naive = |b: &[u8]| b.iter().all(|&c| (b' '..=b'~').contains(&c));
        for odd in 0..=255u8 {
            for at in 0..17 {
                let mut text = [b'x'; 17];
                text[at] = odd;
                for end in at..=17 {
                    assert_eq!(printable_ascii(&text[..end]), naive(&text[..end]), "{odd:#x} at {at}, {end} bytes");
                }
            }
        }
        for odd in 0..=255u8 {
            for at in 0..40 {
                let mut text = [b'x'; 40];
                text[at] = odd;
                let expected = if (b' '..=b'~').contains(&odd) { 40 } else { at };
                assert_eq!(printable_prefix(&text), expected, "{odd:#x} at {at}");
            }
        }
        assert!(printable_ascii(b" ~ PO-45821 Case of 12 "));
        assert!(!printable_ascii("PO\u{200B}-45821".as_bytes()));
    }

    #[test]
    fn quoted_text_shows_what_is_there_and_stays_short() {
        assert_eq!(quoted("PO-1"), "\"PO-1\"");
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quoted("\u{200B}x\u{0}"), "\"\\u{200b}x\\u{0}\"");
        assert_eq!(quoted("é€😀"), "\"é€😀\"");
        assert_eq!(quoted(&"x".repeat(100)), format!("\"{}…\"", "x".repeat(60)));
        assert_eq!(quoted(&"x".repeat(60)), format!("\"{}\"", "x".repeat(60)));
        assert_eq!(quoted(&"x".repeat(61)), format!("\"{}…\"", "x".repeat(60)));
    }

    #[test]
    fn trim_and_same_agree_with_the_standard_library() {
        for s in ["", "a", " a", "a ", " ", "\u{a0}x\u{a0}", "PO-1", "é", "Charged Price", "Charged Pricf"] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
            for t in ["", "a", "Charged Price", "PO-1", "é"] {
                assert_eq!(same(s, t), s == t, "{s:?} {t:?}");
            }
        }
    }

    #[test]
    fn invisible_and_white_space_only_text_is_empty() {
        for blank in
            ["", " ", "\u{200B}", "\u{2060}", "\u{FEFF}", "\0", "\u{00A0}", " \u{200B}\u{00A0}\t\n", "\u{3000}"]
        {
            assert_eq!(visible(blank), "", "{blank:?}");
        }
    }

    #[test]
    fn real_text_keeps_its_inner_spaces_and_loses_invisible_characters() {
        assert_eq!(visible("  PO 45821 "), "PO 45821");
        assert_eq!(visible("PO\u{200B}-45821\u{FEFF}"), "PO-45821");
        assert_eq!(visible("\u{00A0}Case of 12\u{00A0}"), "Case of 12");
        assert!(matches!(visible("PO-1"), std::borrow::Cow::Borrowed("PO-1")));
    }

    #[test]
    fn short_printable_text_is_decided_as_byte_by_byte() {
        let naive = |b: &[u8]| b.iter().all(|&c| (b' '..=b'~').contains(&c));
        for odd in 0..=255u8 {
            for len in 0..25 {
                for at in 0..len {
                    let mut text = vec![b'x'; len];
                    text[at] = odd;
                    assert_eq!(super::printable_short(&text), naive(&text), "{odd:#x} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn a_name_is_what_visible_makes_of_it() {
        for name in
            ["Pack", "Charged Price", " Pack", "Pack ", "\u{200B}Pack", "Pa\u{FEFF}ck", "P", "", "é", "Pack\tSize"]
        {
            assert_eq!(visible_name(name), visible(name), "{name:?}");
        }
    }

    #[test]
    fn a_break_is_found_wherever_it_is() {
        let long = ["x".repeat(40) + "\r", format!("é{}\u{85}", "y".repeat(17))];
        for text in ["a\tb", "\n", &long[0], &long[1], "\u{0B}"] {
            assert!(has_break(text), "{text:?}");
        }
        for text in ["", "PO-1", &"x".repeat(70), "é€😀\u{200B}\u{FEFF}\0"] {
            assert!(!has_break(text), "{text:?}");
        }
        for c in (0..0x250u32).filter_map(char::from_u32) {
            assert_eq!(has_break(&format!("ab{c}cd")), super::is_break(c), "{c:?}");
        }
    }

    #[test]
    fn free_text_keeps_what_emoji_scripts_and_variants_need() {
        for text in
            ["I ❤️ NY 1️⃣ 🏴\u{E0067}\u{E0062}\u{E0077}\u{E006C}\u{E0073}\u{E007F}", "ශ්‍රී", "می‌خواهم", "葛\u{E0100}城"]
        {
            assert_eq!(visible_text(text), text);
        }
        // What only steers layout still goes, as in `visible`.
        assert_eq!(visible_text("\u{2068}Tail-lift\u{2069}\u{200B} needed\u{FEFF}"), "Tail-lift needed");
        assert_eq!(visible_text("Gate 4\u{2028}Back door"), "Gate 4 Back door");
    }

    #[test]
    fn line_breaks_and_tabs_inside_text_separate_its_words() {
        assert_eq!(visible("PO-4582\nBack door"), "PO-4582 Back door");
        assert_eq!(visible("Unit 4\r\n\tThe Quay\n"), "Unit 4 The Quay");
        assert_eq!(visible("a\u{200B}\nb"), "a b");
    }
}
