//! Where an unread object or array ends, found without reading it.
//!
//! A payload may carry anything beside the fields the bridge reads (Shopify
//! adds fields; a platform may pad them), and the platform bills every
//! instruction. So an unread subtree is not tokenised: it is taken sixty-four
//! bytes at a time, and only what decides its extent is worked out, with
//! masks rather than byte by byte: which bytes are escaped (after an odd run
//! of backslashes), which are inside strings, and how deep the brackets
//! outside strings go. Most blocks need less than the masks (no backslash,
//! and quotes or brackets but not both), and a run takes those with a few
//! vector compares until the first block that needs the masks (`Mode`).
//! The cost per byte is bounded whatever the bytes are
//! (deep nesting, dense quotes, runs of escapes), which is what lets every
//! payload under the input cap get an answer (docs/benchmarks.md).
//!
//! What is checked is only the extent: strings are closed and brackets
//! balance. Nothing inside is read, so nothing there can change an outcome.
//! A backslash escapes the byte after it wherever it stands.

/// Bytes per block: four WebAssembly SIMD vectors, so that the mask work
/// (escapes, strings, depth) is done once for sixty-four bytes.
const BLOCK: usize = 64;
/// Bit `i` set for even `i`.
const EVEN_BITS: u64 = 0x5555_5555_5555_5555;

/// The offset just after the bracket that closes the one at `open` (a `{`
/// or `[`), or `None` if the text ends first.
pub fn nested_end(b: &[u8], open: usize) -> Option<usize> {
    let mut s = State { depth: 1, in_string: 0, escaped: 0 };
    let mut i = open + 1;
    // Most blocks of unread data are taken without the masks (`Mode`)...
    let mut mode = Mode::Fast;
    while let Some(block) = b.get(i..i + BLOCK) {
        let block: &[u8; BLOCK] = block.try_into().expect("a whole block");
        let taken = match mode {
            Mode::Fast => s.fast(block),
            Mode::Brackets => s.brackets(block),
        };
        match taken {
            Fast::Taken => i += BLOCK,
            Fast::Brackets => {
                mode = Mode::Brackets;
                i += BLOCK;
            }
            Fast::End(p) => return Some(i + p as usize + 1),
            Fast::Masks => break,
        }
    }
    // ...and the rest of the run with them, from the first block that needs
    // them: data that needed them once mostly does again, and a try costs a
    // fifth of what they do. (No block taken above holds a backslash, so
    // none is escaped from the one before.)
    while let Some(block) = b.get(i..i + BLOCK) {
        if let Some(p) = s.step(block.try_into().expect("a whole block")) {
            return Some(i + p as usize + 1);
        }
        i += BLOCK;
    }
    // The tail, padded with spaces (which decide nothing) to a whole block.
    let mut tail = [b' '; BLOCK];
    tail[..b.len() - i].copy_from_slice(&b[i..]);
    s.step(&tail).map(|p| i + p as usize + 1)
}

/// The offset just after the quote that closes the string opened at `open`,
/// or `None` if the text ends first: a block at a time, escapes worked out as
/// masks, so a string of nothing but escapes costs what any other does.
pub fn string_end(b: &[u8], open: usize) -> Option<usize> {
    // Most strings hold no backslash: found by the plain scan, without blocks.
    let mut i = open + 1;
    loop {
        i = crate::shared::json::scan_string(b, i);
        match b.get(i) {
            Some(b'"') => return Some(i + 1),
            Some(b'\\') => break,
            // A control character decides nothing here.
            Some(_) => i += 1,
            None => return None,
        }
    }
    let mut s = State { depth: 0, in_string: 0, escaped: 0 };
    let mut i = open + 1;
    while let Some(block) = b.get(i..i + BLOCK) {
        let m = masks(block.try_into().expect("a whole block"));
        let quotes = m.quote & !s.escaped_bytes(m.backslash);
        if quotes != 0 {
            return Some(i + quotes.trailing_zeros() as usize + 1);
        }
        i += BLOCK;
    }
    let mut tail = [b' '; BLOCK];
    tail[..b.len() - i].copy_from_slice(&b[i..]);
    let m = masks(&tail);
    let quotes = m.quote & !s.escaped_bytes(m.backslash);
    (quotes != 0).then(|| i + quotes.trailing_zeros() as usize + 1)
}

/// Calls `each(i, byte)` for every bracket and comma of `b` outside strings,
/// in order, by the rules `nested_end` reads with: what a JSON pointer is
/// made from (`pointer::pointer_at_offset`). Sixty-four bytes at a time, the
/// bytes between marks never looked at one by one.
pub fn structure(b: &[u8], mut each: impl FnMut(usize, u8)) {
    let mut s = State { depth: 0, in_string: 0, escaped: 0 };
    let mut tail = [b' '; BLOCK];
    let mut i = 0;
    while i < b.len() {
        let block: &[u8; BLOCK] = match b.get(i..i + BLOCK) {
            Some(block) => block.try_into().expect("a whole block"),
            None => {
                // The tail, padded with spaces (which are no marks).
                tail[..b.len() - i].copy_from_slice(&b[i..]);
                &tail
            }
        };
        let m = masks(block);
        let escaped = s.escaped_bytes(m.backslash);
        let inside = prefix_xor(m.quote & !escaped) ^ s.in_string;
        s.in_string = (inside >> 63).wrapping_neg();
        let mut marks = (m.open | m.close | byte_mask(block, b',')) & !(inside | escaped);
        while marks != 0 {
            let p = marks.trailing_zeros() as usize;
            each(i + p, block[p]);
            marks &= marks - 1;
        }
        i += BLOCK;
    }
}

/// What carries from one block to the next.
struct State {
    /// Open brackets, the one `nested_end` starts at included.
    depth: usize,
    /// All ones while inside a string, else zero.
    in_string: u64,
    /// 1 when the block's first byte is escaped.
    escaped: u64,
}

/// How `nested_end` takes a block before it turns to the masks: each run
/// starts with the cheap ways and turns to the masks for good at the first
/// block they cannot take, so a block that needs the masks pays for at
/// most one try in a run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `State::fast`: the bytes that decide an extent are looked for first.
    Fast,
    /// `State::brackets` straight away, after a block of brackets alone
    /// outside a string (dense unread lists). Such blocks hold no quote, so
    /// no string opens while it lasts.
    Brackets,
}

/// What `State::fast` made of a block.
enum Fast {
    /// Taken, the run not ended.
    Taken,
    /// Taken by its brackets' running sum (`State::brackets`), the run not ended.
    Brackets,
    /// The run ends at this bracket of the block.
    End(u32),
    /// Left to `State::step`.
    Masks,
}

/// Whether a block holds any backslash, quote or bracket.
struct Kinds {
    backslash: bool,
    quote: bool,
    bracket: bool,
}

/// One block's bytes of interest, bit `i` for byte `i`.
#[derive(Clone, Copy)]
struct Masks {
    backslash: u64,
    quote: u64,
    open: u64,
    close: u64,
}

impl State {
    /// Takes one block; the index within it of the bracket that brings the
    /// depth to zero, if one does.
    #[inline(always)]
    fn step(&mut self, block: &[u8; BLOCK]) -> Option<u32> {
        let m = masks(block);
        let escaped = self.escaped_bytes(m.backslash);
        let inside = prefix_xor(m.quote & !escaped) ^ self.in_string;
        self.in_string = (inside >> 63).wrapping_neg();
        let outside = !(inside | escaped);
        let (open, close) = (m.open & outside, m.close & outside);
        let closes = close.count_ones() as usize;
        if closes < self.depth || unpaired(open, close).count_ones() < self.depth as u32 {
            // Too few closing brackets to reach the end here: only count.
            self.depth = self.depth + open.count_ones() as usize - closes;
            return None;
        }
        // Brackets only outside strings (most blocks): every bracket byte
        // counts, and the running sum needs no mask.
        let counted = if (m.open | m.close) & !outside == 0 { u64::MAX } else { outside };
        let end = zero_depth(block, self.depth, counted, open, close);
        if end.is_none() {
            // Past the end the depth would go below zero (an overflow in a
            // debug build), and it is of no further use.
            self.depth = self.depth + open.count_ones() as usize - closes;
        }
        end
    }

    /// Takes a block without the masks, where the block holds no backslash
    /// and not both quotes and brackets (and, as no block before it held a
    /// backslash, none of its bytes is escaped): quotes alone change only
    /// whether a string is open (by their number), brackets alone only the
    /// depth, outside a string (by their running sum), and a block of
    /// neither changes nothing. `Fast::Masks` for any other block, which
    /// `step` then takes.
    #[inline(always)]
    fn fast(&mut self, block: &[u8; BLOCK]) -> Fast {
        let k = kinds(block);
        if k.backslash {
            return Fast::Masks;
        }
        match (k.quote, k.bracket) {
            (false, false) => Fast::Taken,
            // Brackets inside a string count for nothing.
            (false, true) if self.in_string != 0 => Fast::Taken,
            (false, true) => self.brackets(block),
            (true, false) => {
                self.in_string ^= (u64::from(byte_mask(block, b'"').count_ones()) & 1).wrapping_neg();
                Fast::Taken
            }
            (true, true) => Fast::Masks,
        }
    }

    /// Takes a block outside a string by its brackets' running sum
    /// (`bracket_run`), if it holds no quote or backslash.
    #[inline(always)]
    fn brackets(&mut self, block: &[u8; BLOCK]) -> Fast {
        // Deeper than a block has brackets, the masks count them for less.
        if self.depth > BLOCK {
            return Fast::Masks;
        }
        match bracket_run(block, self.depth) {
            None => Fast::Masks,
            Some((Some(p), _)) => Fast::End(p),
            Some((None, net)) => {
                // Never below one: at zero the run would have ended.
                self.depth = self.depth.wrapping_add_signed(net as isize);
                Fast::Brackets
            }
        }
    }

    /// The bytes escaped by a backslash (the byte after an odd run of them),
    /// the run carried across blocks: the method of simdjson's
    /// `find_escaped` (Langdale and Lemire, "Parsing gigabytes of JSON per
    /// second", 2019).
    #[inline(always)]
    fn escaped_bytes(&mut self, backslash: u64) -> u64 {
        if backslash == 0 && self.escaped == 0 {
            return 0;
        }
        // A backslash that is itself escaped escapes nothing.
        let backslash = backslash & !self.escaped;
        let follows_escape = (backslash << 1) | self.escaped;
        let odd_starts = backslash & !EVEN_BITS & !follows_escape;
        let (even_starts, carry) = odd_starts.overflowing_add(backslash);
        self.escaped = u64::from(carry);
        (EVEN_BITS ^ (even_starts << 1)) & follows_escape
    }
}

/// The closing brackets not directly paired: those whose previous bracket
/// in the block is not an opening one. Only these can take the depth below
/// where the block started (a pair `[…]` with no bracket inside leaves it
/// where it was), so a block with fewer of them than the depth cannot hold
/// the end: dense unread lists (`[[],[],…]`, `[{"a":1},…]`) are counted, not
/// walked. `brackets - starts` borrows from each opening bracket's next
/// position up to the next bracket, whose bit the xor then sets.
#[inline(always)]
fn unpaired(open: u64, close: u64) -> u64 {
    let brackets = open | close;
    let spans = brackets.wrapping_sub(open << 1) ^ brackets;
    close & !spans
}

/// Bit `i` set when an odd number of the bits `0..=i` of `x` are: with `x`
/// the unescaped quotes, the bytes inside strings (opening quote included,
/// closing quote not).
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The first closing bracket at which `depth` (at most 64 here: the block
/// has at least as many closing brackets) falls to zero: at the `k`-th
/// closing bracket, `k` less the opening brackets before it equals `depth`.
#[inline(always)]
fn zero_depth_walk(depth: usize, open: u64, close: u64) -> Option<u32> {
    let mut rest = close;
    let mut k = 0;
    while rest != 0 {
        let p = rest.trailing_zeros();
        k += 1;
        let opens_before = (open & ((1u64 << p) - 1)).count_ones() as usize;
        if k == depth + opens_before {
            return Some(p);
        }
        rest &= rest - 1;
    }
    None
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn zero_depth(_: &[u8; BLOCK], depth: usize, _: u64, open: u64, close: u64) -> Option<u32> {
    zero_depth_walk(depth, open, close)
}

/// `zero_depth_walk`'s answer at a bounded cost. A few closing brackets (an
/// array of objects) are walked; many (`[[]],[[]],…`) take the fixed cost of
/// a running sum across the block's bytes (+1 an opening bracket outside
/// strings, -1 a closing one) compared with `-depth`: a walk bracket by
/// bracket would cost by the bracket.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn zero_depth(block: &[u8; BLOCK], depth: usize, outside: u64, open: u64, close: u64) -> Option<u32> {
    if close.count_ones() <= 8 {
        return zero_depth_walk(depth, open, close);
    }
    // No bracket inside a string here: the steps need no mask.
    if outside == u64::MAX {
        running_sum::<false, false>(block, depth, outside).0
    } else {
        running_sum::<true, false>(block, depth, outside).0
    }
}

/// `zero_depth`'s running sum, sixteen lanes at a time, the four written
/// out. Out of line, so that the loop counting blocks stays as lean. With
/// it, the change in depth across the block (the last byte's sum) and, if
/// `CHECK`, whether the block holds no quote or backslash (`bracket_run`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
fn running_sum<const MASKED: bool, const CHECK: bool>(
    block: &[u8; BLOCK],
    depth: usize,
    outside: u64,
) -> (Option<u32>, i32, bool) {
    use core::arch::wasm32::*;
    let z = u8x16_splat(0);
    // A sum across sixty-four bytes is within ±64: a depth beyond that is
    // not reached here, and -128 is a target no sum meets.
    let target = i8x16_splat(if depth <= 64 { -(depth as i8) } else { i8::MIN });
    // The sums of sixteen bytes at `16 * k`, from `carry` on; bit `i` of
    // the result where byte `i`'s sum is `target`.
    let segment = |k: usize, carry: &mut v128, other: &mut v128| -> u64 {
        // SAFETY: the sixteen bytes at `16 * k` are inside `block`, and
        // `v128_load` reads unaligned memory.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k).cast::<v128>()) };
        let folded = v128_or(v, u8x16_splat(0x20));
        if CHECK {
            *other = v128_or(*other, v128_or(u8x16_eq(v, u8x16_splat(b'"')), u8x16_eq(v, u8x16_splat(b'\\'))));
        }
        // All ones (-1) at a closing bracket less the same at an opening one.
        let step = i8x16_sub(u8x16_eq(folded, u8x16_splat(b'}')), u8x16_eq(folded, u8x16_splat(b'{')));
        let mut sum = if MASKED { v128_and(step, lanes((outside >> (16 * k)) as u16)) } else { step };
        sum = i8x16_add(sum, i8x16_shuffle::<16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14>(sum, z));
        sum = i8x16_add(sum, i8x16_shuffle::<16, 17, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13>(sum, z));
        sum = i8x16_add(sum, i8x16_shuffle::<16, 17, 18, 19, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11>(sum, z));
        sum = i8x16_add(sum, i8x16_shuffle::<16, 17, 18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6, 7>(sum, z));
        sum = i8x16_add(sum, *carry);
        *carry = i8x16_shuffle::<15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15>(sum, z);
        u64::from(u8x16_bitmask(i8x16_eq(sum, target))) << (16 * k)
    };
    let (mut carry, mut other) = (z, z);
    let hits = segment(0, &mut carry, &mut other)
        | segment(1, &mut carry, &mut other)
        | segment(2, &mut carry, &mut other)
        | segment(3, &mut carry, &mut other);
    let hit = (hits != 0).then(|| hits.trailing_zeros());
    (hit, i32::from(i8x16_extract_lane::<0>(carry)), !v128_any_true(other))
}

/// A sixteen-bit mask as a vector: all ones in lane `i` when bit `i` is set.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn lanes(mask: u16) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::*;
    let bits = u8x16(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
    let spread = i8x16_swizzle(u16x8_splat(mask), u8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
    u8x16_eq(v128_and(spread, bits), bits)
}

/// The masks of a block.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn masks(block: &[u8; BLOCK]) -> Masks {
    use core::arch::wasm32::*;
    let mut m = Masks { backslash: 0, quote: 0, open: 0, close: 0 };
    for k in 0..BLOCK / 16 {
        // SAFETY: the sixteen bytes at `16 * k` are inside `block`, and
        // `v128_load` reads unaligned memory.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k).cast::<v128>()) };
        // `{`/`[` and `}`/`]` differ only in bit 5: with it set, one compare finds each pair.
        let folded = v128_or(v, u8x16_splat(0x20));
        let bits = |x: v128| u64::from(u8x16_bitmask(x)) << (16 * k);
        m.backslash |= bits(u8x16_eq(v, u8x16_splat(b'\\')));
        m.quote |= bits(u8x16_eq(v, u8x16_splat(b'"')));
        m.open |= bits(u8x16_eq(folded, u8x16_splat(b'{')));
        m.close |= bits(u8x16_eq(folded, u8x16_splat(b'}')));
    }
    m
}

/// Which of the bytes that decide an extent a block holds, with a few
/// vector compares (no masks).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn kinds(block: &[u8; BLOCK]) -> Kinds {
    use core::arch::wasm32::*;
    let (mut backslash, mut quote, mut bracket) = (u8x16_splat(0), u8x16_splat(0), u8x16_splat(0));
    for k in 0..BLOCK / 16 {
        // SAFETY: the sixteen bytes at `16 * k` are inside `block`, and
        // `v128_load` reads unaligned memory.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k).cast::<v128>()) };
        let folded = v128_or(v, u8x16_splat(0x20));
        backslash = v128_or(backslash, u8x16_eq(v, u8x16_splat(b'\\')));
        quote = v128_or(quote, u8x16_eq(v, u8x16_splat(b'"')));
        bracket = v128_or(bracket, v128_or(u8x16_eq(folded, u8x16_splat(b'{')), u8x16_eq(folded, u8x16_splat(b'}'))));
    }
    Kinds { backslash: v128_any_true(backslash), quote: v128_any_true(quote), bracket: v128_any_true(bracket) }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn kinds(block: &[u8; BLOCK]) -> Kinds {
    let m = masks(block);
    Kinds { backslash: m.backslash != 0, quote: m.quote != 0, bracket: m.open | m.close != 0 }
}

/// For a block outside a string that holds no quote or backslash: the
/// bracket at which `depth` falls to zero, if one does, and the change in
/// depth across the block. `None` for a block that holds either, which
/// the masks must then take.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn bracket_run(block: &[u8; BLOCK], depth: usize) -> Option<(Option<u32>, i32)> {
    let (hit, net, clean) = running_sum::<false, true>(block, depth, u64::MAX);
    clean.then_some((hit, net))
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn bracket_run(block: &[u8; BLOCK], depth: usize) -> Option<(Option<u32>, i32)> {
    let m = masks(block);
    let net = m.open.count_ones() as i32 - m.close.count_ones() as i32;
    (m.quote | m.backslash == 0).then(|| (zero_depth_walk(depth, m.open, m.close), net))
}

/// The masks of a block, a byte at a time (native builds: the same masks,
/// so the same answers, as the component).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn masks(block: &[u8; BLOCK]) -> Masks {
    let mut m = Masks { backslash: 0, quote: 0, open: 0, close: 0 };
    for (k, &c) in block.iter().enumerate() {
        let bit = 1 << k;
        match c {
            b'\\' => m.backslash |= bit,
            b'"' => m.quote |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
    }
    m
}

/// The bytes of a block equal to `byte`: commas for `structure`, quotes for
/// `State::fast` (apart from `masks`, which the blocks they serve do without).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn byte_mask(block: &[u8; BLOCK], byte: u8) -> u64 {
    use core::arch::wasm32::*;
    let mut m = 0;
    for k in 0..BLOCK / 16 {
        // SAFETY: as in `masks`.
        let v = unsafe { v128_load(block.as_ptr().add(16 * k).cast::<v128>()) };
        m |= u64::from(u8x16_bitmask(u8x16_eq(v, u8x16_splat(byte)))) << (16 * k);
    }
    m
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn byte_mask(block: &[u8; BLOCK], byte: u8) -> u64 {
    block.iter().enumerate().filter(|&(_, &c)| c == byte).fold(0, |m, (k, _)| m | 1 << k)
}

#[cfg(test)]
mod tests {
    use super::nested_end;
    use proptest::prelude::*;

    /// The rule, byte by byte: a backslash escapes the next byte; an
    /// unescaped quote opens or closes a string; outside strings, brackets
    /// nest.
    fn reference(b: &[u8], open: usize) -> Option<usize> {
        let (mut depth, mut in_string, mut escaped) = (1usize, false, false);
        for (i, &c) in b.iter().enumerate().skip(open + 1) {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = !in_string;
            } else if !in_string && matches!(c, b'{' | b'[') {
                depth += 1;
            } else if !in_string && matches!(c, b'}' | b']') {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
        }
        None
    }

    #[test]
    fn ends_where_the_brackets_balance_outside_strings() {
        for (text, end) in [
            ("[]", Some(2)),
            ("{}x", Some(2)),
            (r#"{"a": "}", "b": [1, {"c": "\"]"}]} tail"#, Some(34)),
            (r#"["\\"]"#, Some(6)),
            (r#"["\\\"]"]"#, Some(9)),
            ("[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", Some(40)),
            (r#"["unclosed]"#, None),
            ("[[]", None),
        ] {
            assert_eq!(nested_end(text.as_bytes(), 0), end, "{text}");
            assert_eq!(reference(text.as_bytes(), 0), end, "{text}");
        }
    }

    #[test]
    fn a_string_ends_at_its_first_unescaped_quote() {
        for (text, end) in
            [(r#""""#, Some(2)), (r#""a\"b" tail"#, Some(6)), (r#""a\\"b"#, Some(5)), (r#""no end\""#, None)]
        {
            assert_eq!(super::string_end(text.as_bytes(), 0), end, "{text}");
        }
        let long = format!("\"{}\"", "\\\"".repeat(100));
        assert_eq!(super::string_end(long.as_bytes(), 0), Some(long.len()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Blocks and carries agree with the byte-by-byte rule on text made
        /// of the bytes that matter, at every length and alignment.
        #[test]
        fn agrees_with_the_byte_by_byte_rule(body in proptest::collection::vec(
            prop_oneof![Just(b'\\'), Just(b'"'), Just(b'['), Just(b']'), Just(b'{'), Just(b'}'), Just(b'a'), Just(b' ')],
            0..400,
        )) {
            let mut text = vec![b'['];
            text.extend(&body);
            prop_assert_eq!(nested_end(&text, 0), reference(&text, 0));
        }
    }
}
