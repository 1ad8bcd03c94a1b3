//! Compact storage and lookup for tenant-sized reference data.
//!
//! Prevents: a large tenant's profile exhausting the setup budget or the
//! memory cap. Every string of the reference data is stored once in an
//! `Arena` (no allocation per SKU or email), and lookups go through an
//! `Index`: an open-addressing hash table of entry numbers, built once after
//! parsing. The hash is a fixed function of the bytes (no random seed), so the
//! bridge stays deterministic; only lookups use it, never output order.

/// All strings of the reference data, back to back.
#[derive(Debug, Clone, Default)]
pub struct Arena {
    text: String,
}

/// A string in an `Arena`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    start: u32,
    len: u32,
}

impl Arena {
    pub fn with_capacity(bytes: usize) -> Self {
        Arena { text: String::with_capacity(bytes) }
    }

    /// Stores `s`. The arena is bounded by the profile text, which the
    /// platform caps far below 4 GiB, so offsets fit `u32`.
    pub fn push(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Span { start, len: s.len() as u32 }
    }

    /// Stores a string lower-cased. Most are ASCII: copied, then lowered in
    /// place eight bytes at a time, the check for other bytes on the way.
    pub fn push_lowercase(&mut self, s: &str) -> Span {
        let span = self.push(s);
        // SAFETY: the bytes changed are ASCII bytes just pushed, and they
        // stay ASCII (see `ascii_lowercase`), so the text stays UTF-8; on
        // a byte that is not ASCII they are dropped before anything reads them.
        let pushed = unsafe { &mut self.text.as_mut_vec()[span.start as usize..] };
        if lower_ascii(pushed) {
            return span;
        }
        self.text.truncate(span.start as usize);
        self.push(&s.to_lowercase())
    }

    /// Where the next string will be stored: for `truncate`.
    pub fn mark(&self) -> usize {
        self.text.len()
    }

    /// Drops the strings stored since `mark` gave `mark`.
    pub fn truncate(&mut self, mark: usize) {
        self.text.truncate(mark);
    }

    pub fn get(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    /// The bytes of a span: for hashing and comparing, without the char
    /// boundary checks a `str` slice makes.
    #[inline]
    pub fn bytes(&self, span: Span) -> &[u8] {
        &self.text.as_bytes()[span.start as usize..(span.start + span.len) as usize]
    }

    pub fn shrink(&mut self) {
        self.text.shrink_to_fit();
    }
}

/// Eight ASCII bytes with their letters lower-cased. Adding 0x80 - b'A'
/// (or 0x80 - b'Z' - 1) to a byte below 0x80 carries into nothing but its
/// own high bit, which it sets from `A` on (from past `Z` on): the bytes
/// where the two differ are `A..=Z`, and that bit moved down to 0x20 lowers them.
#[inline(always)]
fn ascii_lowercase(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let from_a = w + ONES * (0x80 - u64::from(b'A'));
    let past_z = w + ONES * (0x80 - u64::from(b'Z') - 1);
    w | (((from_a ^ past_z) & (ONES * 0x80)) >> 2)
}

/// Lower-cases `b` in place if it is all ASCII; `false` (with some of it
/// lowered) if not.
fn lower_ascii(b: &mut [u8]) -> bool {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let n = b.len();
    if n < 8 {
        b.make_ascii_lowercase();
        return b.is_ascii();
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if n >= 16 {
        return lower_ascii_simd(b);
    }
    // Whole words, the last one overlapping the one before when the length
    // is not a multiple of eight (lowering twice changes nothing).
    let mut at = 0;
    loop {
        let word: &mut [u8; 8] = (&mut b[at..at + 8]).try_into().expect("eight bytes");
        let w = u64::from_le_bytes(*word);
        if w & HIGHS != 0 {
            return false;
        }
        *word = ascii_lowercase(w).to_le_bytes();
        if at == n - 8 {
            return true;
        }
        at = (at + 8).min(n - 8);
    }
}

/// `lower_ascii` sixteen bytes at a time, for `b` of sixteen bytes or more
/// (most emails), the last sixteen overlapping the ones before as there.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn lower_ascii_simd(b: &mut [u8]) -> bool {
    use core::arch::wasm32::*;
    let n = b.len();
    let mut at = 0;
    loop {
        // SAFETY: `at <= n - 16`, so the sixteen bytes at `at` are inside
        // `b`; `v128_load` and `v128_store` take unaligned addresses.
        let p = unsafe { b.as_mut_ptr().add(at) }.cast::<v128>();
        let v = unsafe { v128_load(p) };
        if u8x16_bitmask(v) != 0 {
            return false;
        }
        let upper = v128_and(u8x16_ge(v, u8x16_splat(b'A')), u8x16_le(v, u8x16_splat(b'Z')));
        // SAFETY: as for the load.
        unsafe { v128_store(p, v128_or(v, v128_and(upper, u8x16_splat(0x20)))) };
        if at == n - 16 {
            return true;
        }
        at = (at + 16).min(n - 16);
    }
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

#[inline(always)]
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(SEED)
}

/// Hashes a key by its first and last eight bytes and its length: two
/// rounds for any key. Keys that agree in all three (rare among SKUs, which
/// differ at the end) only cost the lookup one more comparison.
#[inline(always)]
pub fn hash(h: u64, bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let (head, tail) = if n >= 8 {
        let word = |i: usize| u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
        (word(0), word(n - 8))
    } else {
        let mut w = 0u64;
        for (k, &b) in bytes.iter().enumerate() {
            w |= u64::from(b) << (8 * k);
        }
        (w, 0)
    };
    mix(mix(h ^ n as u64, head), tail)
}

#[inline]
pub fn hash_str(s: &str) -> u64 {
    hash(0, s.as_bytes())
}

/// The hash of a (SKU, pack) pair; `None` (no pack) differs from every pack.
#[inline(always)]
pub fn hash_pair(a: &[u8], b: Option<&[u8]>) -> u64 {
    let h = hash(0, a);
    match b {
        Some(b) => hash(h ^ 1, b),
        None => mix(h, u64::MAX),
    }
}

/// Entry numbers by key hash, linear probing, at most half full.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// 0: empty; otherwise entry number + 1 in the low bits and, in the
    /// `tags` bits above them (free, since the table has twice as many slots
    /// as entries), bits of the key's hash: a probe passing an entry with
    /// another tag skips comparing the keys, which costs far more.
    slots: Vec<u32>,
    tags: u32,
    shift: u32,
}

impl Index {
    /// Indexes the entries `0..len` for which `key` gives a hash. `same(a, b)`
    /// says whether two entries have equal keys; the first pair found that does
    /// is returned as `Err((earlier, later))`.
    #[inline(always)]
    pub fn build(
        len: usize,
        key: impl Fn(usize) -> Option<u64>,
        same: impl Fn(usize, usize) -> bool,
    ) -> Result<Index, (usize, usize)> {
        let bits = (len.max(1) * 2).next_power_of_two().trailing_zeros().max(4);
        let tags = u32::MAX.checked_shl(bits).unwrap_or(0);
        let mut index = Index { slots: vec![0; 1 << bits], tags, shift: 64 - bits };
        for entry in 0..len {
            let Some(h) = key(entry) else { continue };
            let mask = index.slots.len() - 1;
            let (mut slot, tag) = (index.home(h), index.tag(h));
            loop {
                match index.slots[slot] {
                    0 => {
                        index.slots[slot] = (entry as u32 + 1) | tag;
                        break;
                    }
                    taken if taken & tags == tag && same(index.entry(taken), entry) => {
                        return Err((index.entry(taken), entry));
                    }
                    _ => slot = (slot + 1) & mask,
                }
            }
        }
        Ok(index)
    }

    #[inline(always)]
    fn home(&self, h: u64) -> usize {
        // The top bits of a final multiply: the best-mixed bits of the hash.
        (h.wrapping_mul(SEED) >> self.shift) as usize
    }

    /// The tag of a hash: bits `home` does not use, in the slot's free bits.
    #[inline(always)]
    fn tag(&self, h: u64) -> u32 {
        (h >> 32) as u32 & self.tags
    }

    /// The entry number in a taken slot.
    #[inline(always)]
    fn entry(&self, slot: u32) -> usize {
        (slot & !self.tags) as usize - 1
    }

    /// The entry whose key hashes to `h` and for which `is` holds.
    pub fn find(&self, h: u64, is: impl Fn(usize) -> bool) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let (mut slot, tag) = (self.home(h), self.tag(h));
        loop {
            match self.slots[slot] {
                0 => return None,
                e if e & self.tags == tag && is(self.entry(e)) => return Some(self.entry(e)),
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        let keys: Vec<String> = (0..5000).map(|i| format!("VAR-{i:06}")).collect();
        let index =
            Index::build(keys.len(), |i| Some(hash_str(&keys[i])), |a, b| keys[a] == keys[b]).expect("unique keys");
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(index.find(hash_str(k), |e| keys[e] == *k), Some(i));
        }
        for absent in ["VAR-005000", "var-000001", "", "VAR-00000"] {
            assert_eq!(index.find(hash_str(absent), |e| keys[e] == absent), None);
        }
    }

    #[test]
    fn reports_the_first_duplicate_and_skips_unkeyed_entries() {
        let keys = ["A", "B", "", "C", "B"];
        let key = |i: usize| (!keys[i].is_empty()).then(|| hash_str(keys[i]));
        assert_eq!(Index::build(keys.len(), key, |a, b| keys[a] == keys[b]).err(), Some((1, 4)));
        let index = Index::build(4, key, |a, b| keys[a] == keys[b]).unwrap();
        assert_eq!(index.find(hash_str(""), |e| keys[e].is_empty()), None);
    }

    #[test]
    fn a_pack_never_collides_with_no_pack() {
        assert_ne!(hash_pair(b"LID", None), hash_pair(b"LID", Some(b"")));
        assert_ne!(hash_pair(b"LID", Some(b"Case of 50")), hash_pair(b"LID", None));
        let empty = Index::default();
        assert_eq!(empty.find(1, |_| true), None);
    }

    #[test]
    fn lowercasing_changes_ascii_letters_only() {
        let mut a = Arena::default();
        let all: String = (0u8..0x80).map(char::from).collect();
        for s in [all.as_str(), "Buyer@Trade-Customer-0.CO.UK", "ÉMILE@CAFÉ.FR", "AZ@[`"] {
            let span = a.push_lowercase(s);
            assert_eq!(a.get(span), s.to_lowercase(), "{s:?}");
        }
    }

    #[test]
    fn lowercasing_handles_every_length_and_a_late_non_ascii_byte() {
        let mut a = Arena::default();
        for n in 0..20 {
            let upper: String = "ABCDEFGHIJKLMNOPQRST@".chars().take(n).collect();
            let span = a.push_lowercase(&upper);
            assert_eq!(a.get(span), upper.to_lowercase(), "{n}");
            let late = format!("{upper}É");
            let span = a.push_lowercase(&late);
            assert_eq!(a.get(span), late.to_lowercase(), "{n}");
        }
    }

    #[test]
    fn arena_spans_give_back_the_text() {
        let mut a = Arena::default();
        let (x, y) = (a.push("CUP-12OZ-WHT"), a.push("é"));
        assert_eq!((a.get(x), a.get(y)), ("CUP-12OZ-WHT", "é"));
    }
}
