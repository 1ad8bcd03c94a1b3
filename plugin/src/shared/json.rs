//! A strict JSON reader that builds nothing it is not asked for.
//!
//! The caller walks the document: `object` (or `fields`, its closure form)
//! visits an object's keys against a fixed list of names (unknown keys are an
//! error or skipped, as the caller says; a repeated key is always an error),
//! `items` visits an array, and
//! `string`, `number`, `boolean`, `u32` read scalars. Strings are borrowed
//! from the text unless they hold escapes, numbers are handed over as their
//! exact text (money is parsed by `money`, never through `f64`), and `skip`
//! passes over any value by scanning, without recursion, so nesting depth
//! costs no stack.
//!
//! Errors carry the byte offset where the problem is; `pointer::pointer_of`
//! turns it into an RFC 6901 pointer only when an error is reported, so the
//! happy path keeps no path stack. On its way out an error collects where
//! each enclosing member and item began (`Mark`), so that the pointer is
//! found by scanning only the innermost one, not everything before it.

use crate::shared::meter::Meter;
use crate::shared::money::LONGEST_AMOUNT;
use std::borrow::Cow;

/// A reading error: where (byte offset into the text) and what. Boxed, so a
/// `Result` of the reader is one word wide and the happy path moves nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorDetail>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub offset: usize,
    pub message: String,
    /// The members and items the error was read inside, innermost first.
    pub trail: Vec<Mark>,
}

/// Where an error's enclosing member or item began, recorded as the error
/// leaves `fields` or `items`: the scan for its pointer starts there, with
/// what lies before (unread values of any size) already accounted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// In the object opened at `open`, the member after the `{` or `,` at
    /// `at`, whose key and value before `past` hold no error (`past` is
    /// `at + 1`, or the value's end for an error after the value).
    Member { open: usize, at: usize, past: usize },
    /// In the array opened at `open`, item `index`, from `at` on (its start,
    /// or, for an error after it, where the reader stood).
    Item { open: usize, index: usize, at: usize },
    /// Past the whole document, which ended at this offset.
    After(usize),
}

impl Error {
    #[cold]
    pub fn at(offset: usize, message: impl Into<String>) -> Self {
        Error(Box::new(ErrorDetail { offset, message: message.into(), trail: Vec::new() }))
    }

    /// The error, as seen from the member or item it was read inside.
    #[cold]
    #[inline(never)]
    pub fn within(mut self, mark: Mark) -> Self {
        self.0.trail.push(mark);
        self
    }
}

impl std::ops::Deref for Error {
    type Target = ErrorDetail;
    fn deref(&self) -> &ErrorDetail {
        &self.0
    }
}

/// What to do with a key that is not in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// Refuse it (a typo in a profile must not be a silently ignored setting).
    Refuse,
    /// Skip its value (a payload may carry fields the bridge does not read).
    Skip,
}

/// The keys an object held, as a bit per name in the list given to `fields`.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub mask: u64,
    /// Offset just past the object's closing brace: where a missing key is reported.
    pub end: usize,
}

impl Seen {
    pub fn has(&self, field: usize) -> bool {
        self.mask & (1 << field) != 0
    }

    /// Errors naming the first field of `required` (indexes into `names`) that is absent.
    pub fn require(&self, names: &Names, required: &[usize]) -> Result<(), Error> {
        match required.iter().find(|&&f| !self.has(f)) {
            Some(&f) => Err(Error::at(self.end, format!("missing field `{}`", names.list[f]))),
            None => Ok(()),
        }
    }
}

/// The field names of an object, in their declared order (which messages
/// list them in), prepared at compile time (`names!`). A plain key is
/// matched against the sixteen bytes after its quote, with no scan, by a
/// masked compare of two words per name tried: every name of a short list
/// (a profile record's), and for a long one (a payload object's) only those
/// its first four bytes pick (`by_prefix`): almost always one, or none for a
/// key the bridge does not read. Only a key that is no name is then scanned,
/// to be skipped. Keys with escapes, or not directly followed by their
/// colon, are looked up by length (`by_length`).
pub struct Names {
    list: &'static [&'static str],
    /// Each name packed with its quote and colon.
    keys: &'static [Key],
    /// Bit `i` of entry `n` is set when name `i` is `n` bytes long (the last
    /// entry holds every name of 32 bytes or more).
    by_length: [u64; 33],
    /// Bit `i` of entry `prefix_slot(p)` is set when name `i`, its quote and
    /// colon begin with the four bytes `p`; names of one byte, whose four
    /// bytes run into the value, are in `short`. Only lists longer than
    /// `SHORT_LIST` have a table (512 bytes each).
    by_prefix: Option<&'static [u64; PREFIX_SLOTS]>,
    short: u64,
}

pub const PREFIX_SLOTS: usize = 64;

/// The `by_prefix` entry of four bytes read as a little-endian word: the
/// top bits of a multiply, which mix all four bytes into them.
#[inline(always)]
const fn prefix_slot(p: u32) -> usize {
    (p.wrapping_mul(0x9E37_79B1) >> 26) as usize
}

impl Names {
    /// Use `names!`.
    pub const fn new(
        list: &'static [&'static str],
        keys: &'static [Key],
        by_prefix: Option<&'static [u64; PREFIX_SLOTS]>,
    ) -> Names {
        assert!(list.len() == keys.len() && list.len() <= 64, "one key per name, at most 64 (a `Seen` bit each)");
        let (mut by_length, mut short) = ([0u64; 33], 0u64);
        let mut i = 0;
        while i < list.len() {
            let b = list[i].as_bytes();
            let mut k = 0;
            while k < b.len() {
                // A name stands in the text as itself only if it needs no escapes.
                assert!(b[k] >= 0x20 && b[k] != b'"' && b[k] != b'\\', "a plain field name");
                k += 1;
            }
            let n = if b.len() < 32 { b.len() } else { 32 };
            by_length[n] |= 1 << i;
            if b.len() < 2 {
                short |= 1 << i;
            }
            i += 1;
        }
        Names { list, keys, by_length, by_prefix, short }
    }

    /// The `by_prefix` table of a list (see `names!`): names of two bytes or
    /// more by the slot of their first four bytes with quote and colon.
    pub const fn prefix_table(list: &'static [&'static str], keys: &'static [Key]) -> [u64; PREFIX_SLOTS] {
        let mut table = [0u64; PREFIX_SLOTS];
        let mut i = 0;
        while i < list.len() {
            if list[i].len() >= 2 {
                table[prefix_slot(keys[i].words[0] as u32)] |= 1 << i;
            }
            i += 1;
        }
        table
    }

    /// Name `f`, as declared.
    pub fn name(&self, f: usize) -> &'static str {
        self.list[f]
    }

    /// The index of the name (with its quote and colon) that the text at
    /// `at` spells, and where the value after it starts: the masked compare
    /// of the packed keys that could be spelled there, shared by `Reader`
    /// and `Cursor`.
    #[inline(always)]
    fn packed_match(&self, b: &[u8], at: usize) -> Option<(usize, usize)> {
        // The sixteen bytes after the quote hold all of a name shorter than
        // fifteen bytes with its quote and colon; a longer one's tail is
        // compared byte for byte.
        let Some([b'"', after @ ..]) = b.get(at..at + 17) else {
            return None;
        };
        let words = [read_u64(after, 0), read_u64(after, 8)];
        let Some(by_prefix) = self.by_prefix else {
            // A short list's names, constants once inlined, are compared one
            // by one: cheaper than finding them in the table.
            for f in 0..self.list.len() {
                if self.spelled(f, words, b, at) {
                    return Some((f, at + self.list[f].len() + 3));
                }
            }
            return None;
        };
        let mut candidates = by_prefix[prefix_slot(words[0] as u32)] | self.short;
        while candidates != 0 {
            let f = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            if self.spelled(f, words, b, at) {
                return Some((f, at + self.list[f].len() + 3));
            }
        }
        None
    }

    /// Whether name `f`, its closing quote and colon are spelled after the
    /// quote at `at`, whose next sixteen bytes are `words`. Inlined, not a
    /// closure: one not inlined costs a call per long key.
    #[inline(always)]
    fn spelled(&self, f: usize, words: [u64; 2], b: &[u8], at: usize) -> bool {
        let name = self.list[f].as_bytes();
        let n = name.len();
        self.keys[f].starts(words)
            && (n < 15
                || b.get(at + 1 + n..at + 3 + n) == Some(b"\":")
                    && (n <= 16 || same_bytes(&b[at + 17..at + 1 + n], &name[16..])))
    }

    /// The index of the name equal to `key`.
    #[inline(always)]
    fn find(&self, key: &[u8]) -> Option<usize> {
        let mut candidates = self.by_length[key.len().min(32)];
        while candidates != 0 {
            let f = candidates.trailing_zeros() as usize;
            let name = self.list[f].as_bytes();
            if name.len() == key.len() && same_bytes(key, name) {
                return Some(f);
            }
            candidates &= candidates - 1;
        }
        None
    }
}

/// `&Names` for the given field names, indexed at compile time.
macro_rules! names {
    ($($name:literal),+ $(,)?) => {
        const {
            use $crate::shared::json::{Key, Names, PREFIX_SLOTS, SHORT_LIST};
            // Named, so that they are constants (and `'static`) too.
            const LIST: &[&str] = &[$($name),+];
            const KEYS: &[Key] = &[$(Key::new($name)),+];
            const TABLE: [u64; PREFIX_SLOTS] = Names::prefix_table(LIST, KEYS);
            const BY_PREFIX: Option<&[u64; PREFIX_SLOTS]> = if LIST.len() > SHORT_LIST { Some(&TABLE) } else { None };
            &Names::new(LIST, KEYS, BY_PREFIX)
        }
    };
}
pub(crate) use names;

/// A name followed by its closing quote and a colon, as a plain key stands
/// in the text after its opening quote (the colon almost always follows
/// the key directly, in compact and pretty-printed JSON alike): the first
/// sixteen bytes as two little-endian words, and masks of the bytes they
/// fill (the bytes after a short key are anything).
#[derive(Debug, Clone, Copy)]
pub struct Key {
    words: [u64; 2],
    masks: [u64; 2],
}

impl Key {
    pub const fn new(name: &str) -> Key {
        let b = name.as_bytes();
        let (mut words, mut masks) = ([0u64; 2], [0u64; 2]);
        let mut i = 0;
        while i < b.len() + 2 && i < 16 {
            let byte = if i < b.len() {
                b[i]
            } else if i == b.len() {
                b'"'
            } else {
                b':'
            };
            // A name stands in the text as itself only if it needs no escapes.
            assert!(i >= b.len() || (byte >= 0x20 && byte != b'"' && byte != b'\\'), "a plain field name");
            words[i / 8] |= (byte as u64) << (8 * (i % 8));
            masks[i / 8] |= 0xFF << (8 * (i % 8));
            i += 1;
        }
        Key { words, masks }
    }

    /// Whether the sixteen bytes after a key's opening quote (`words`) begin
    /// with this name, its closing quote and a colon, as far as sixteen go.
    #[inline(always)]
    fn starts(&self, words: [u64; 2]) -> bool {
        (words[0] & self.masks[0]) == self.words[0] && (words[1] & self.masks[1]) == self.words[1]
    }
}

/// Lists this long or shorter are matched name by name (see `Names::packed_match`).
pub const SHORT_LIST: usize = 6;

/// A key read the fast way.
enum KeyRead {
    /// The index of its name; the key and its colon are consumed.
    Known(usize),
    /// A plain key that is no name (between these offsets); key and colon consumed.
    Unknown(usize, usize),
    /// Escaped, or not followed directly by its colon: read the general way.
    NotPlain,
}

/// The members of an object being read (see `Reader::object`).
pub struct Members<'n> {
    names: &'n Names,
    unknown: Unknown,
    mask: u64,
    first: bool,
    /// The object's `{`, the `{` or `,` before the current member, and
    /// where an error in it can be (`Mark::Member`).
    open: usize,
    at: usize,
    past: usize,
}

impl Members<'_> {
    /// The next member: its key and colon read, the index of its name
    /// returned, and its value left for the caller to read (or skip).
    /// `None` once the closing brace is read.
    #[inline(always)]
    pub fn next(&mut self, r: &mut Reader) -> Result<Option<usize>, Error> {
        loop {
            // Past the value before (or the brace): an error from here on
            // is in the separator, or in the next member.
            self.past = r.pos;
            r.spend()?;
            // Before a member: nothing (the first), or a comma; else the end.
            if self.first {
                self.first = false;
                if r.eat(b'}') {
                    return Ok(None);
                }
            } else if r.eat(b',') {
                self.at = r.pos - 1;
                self.past = r.pos;
            } else {
                r.expect(b'}', "or `,` after an object member")?;
                return Ok(None);
            }
            match r.plain_key(self.names) {
                KeyRead::Known(f) => return self.mark(f, r.pos - 1).map(Some),
                KeyRead::Unknown(..) if self.unknown == Unknown::Skip => r.skip()?,
                KeyRead::Unknown(start, end) => return Err(r.unknown_key(self.names, start, end)),
                // By value, not `self`: a `Members` whose address is taken
                // lives in memory, and its names are no longer constants.
                KeyRead::NotPlain => match r.other_member(self.names, self.unknown)? {
                    Some((f, after_key)) => return self.mark(f, after_key).map(Some),
                    None => r.skip()?,
                },
            }
        }
    }

    /// Records field `f`, whose key ends at `after_key`: a second time is an error.
    #[inline(always)]
    fn mark(&mut self, f: usize, after_key: usize) -> Result<usize, Error> {
        if self.mask & (1 << f) != 0 {
            return Err(Error::at(after_key, format!("duplicate field `{}`", self.names.list[f])));
        }
        self.mask |= 1 << f;
        Ok(f)
    }

    /// Where the current member began, for an error leaving it.
    pub fn place(&self) -> Mark {
        Mark::Member { open: self.open, at: self.at, past: self.past }
    }

    /// The keys read, once `next` has given `None`.
    pub fn seen(&self, r: &Reader) -> Seen {
        Seen { mask: self.mask, end: r.pos }
    }
}

/// The kind of the next value, without consuming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
    /// End of input or a byte no JSON value starts with.
    Invalid,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Object => "an object",
            Kind::Array => "an array",
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
            Kind::Null => "null",
            Kind::Invalid => "no JSON value",
        }
    }
}

pub struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Object members and array items still to be read (see `with_budget`).
    budget: usize,
    limit: usize,
    /// Escapes decoded count against it (see `with_work`).
    work: Meter,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader::with_budget(text, usize::MAX)
    }

    /// A reader that refuses to read more than `limit` object members and
    /// array items in all (skipped subtrees count one): what is read costs
    /// fuel by the member, so this bounds what a payload made of nothing but
    /// tiny members can cost, and it gets an answer instead of running out.
    pub fn with_budget(text: &'a str, limit: usize) -> Self {
        Reader { text, bytes: text.as_bytes(), pos: 0, budget: limit, limit, work: Meter::unlimited() }
    }

    /// The reader with an allowance of characters handled one at a time
    /// (`Meter`): each escape decoded is one, and a string with more escapes
    /// than are left is refused where the allowance ran out.
    pub fn with_work(mut self, work: Meter) -> Self {
        self.work = work;
        self
    }

    /// The allowance, for text cleaned while it is read (names).
    pub fn work(&self) -> &Meter {
        &self.work
    }

    /// What is left of the allowance, to go on spending after reading.
    pub fn take_work(&mut self) -> Meter {
        std::mem::take(&mut self.work)
    }

    /// The error for the allowance running out at offset `at`.
    #[cold]
    pub fn over_work_at(&self, at: usize) -> Error {
        Error::at(at, self.work.refusal())
    }

    /// Counts one member or item against the budget.
    #[inline(always)]
    fn spend(&mut self) -> Result<(), Error> {
        self.spend_many(1)
    }

    /// Counts `n` members against the budget at once: what a value read on
    /// the way past (`Cursor`) would have cost read member by member, so
    /// that a list of them is refused at the same length either way.
    #[inline(always)]
    pub fn spend_many(&mut self, n: usize) -> Result<(), Error> {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(self.over_budget()),
        }
    }

    /// What is left of the budget.
    pub fn budget_left(&self) -> usize {
        self.budget
    }

    #[cold]
    fn over_budget(&self) -> Error {
        self.over_budget_at(self.pos)
    }

    /// The error for the budget running out at offset `at`: for a reader
    /// on the way past (`Cursor`) that spends it where `Reader` would.
    #[cold]
    pub fn over_budget_at(&self, at: usize) -> Error {
        Error::at(
            at,
            format!(
                "more than {} fields and list items to read; the bridge reads at most that many in one call",
                self.limit
            ),
        )
    }

    /// Length of the whole text, bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Byte offset of the next unread byte.
    pub fn offset(&self) -> usize {
        self.pos
    }

    #[inline(always)]
    fn ws(&mut self) {
        // Most tokens follow their predecessor directly or after one space.
        match self.bytes.get(self.pos) {
            Some(&c) if c > b' ' => return,
            Some(b' ') if self.bytes.get(self.pos + 1).is_some_and(|&c| c > b' ') => {
                self.pos += 1;
                return;
            }
            _ => {}
        }
        self.ws_run();
    }

    fn ws_run(&mut self) {
        let b = self.bytes;
        let mut i = self.pos;
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::*;
            // A newline and the next line's indentation, sixteen bytes at a time.
            while i + 16 <= b.len() {
                // SAFETY: the sixteen bytes at `i` are inside `b` (checked just
                // above), and `v128_load` reads unaligned memory.
                let v = unsafe { v128_load(b.as_ptr().add(i).cast::<v128>()) };
                let space = v128_or(
                    v128_or(u8x16_eq(v, u8x16_splat(b' ')), u8x16_eq(v, u8x16_splat(b'\n'))),
                    v128_or(u8x16_eq(v, u8x16_splat(b'\t')), u8x16_eq(v, u8x16_splat(b'\r'))),
                );
                let other = !u8x16_bitmask(space);
                i += other.trailing_zeros() as usize;
                if other != 0 {
                    self.pos = i;
                    return;
                }
            }
        }
        loop {
            // Pretty-printed JSON is mostly a newline and a run of spaces: the
            // spaces are measured a word at a time, the rest byte by byte.
            if i + 8 <= b.len() {
                let other = read_u64(b, i) ^ SPACES;
                i += (other.trailing_zeros() / 8) as usize;
                if other == 0 {
                    continue;
                }
            }
            match b.get(i) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => i += 1,
                _ => break,
            }
        }
        self.pos = i;
    }

    /// The kind of the next value (after white space), without consuming it.
    #[inline(always)]
    pub fn kind(&mut self) -> Kind {
        self.ws();
        match self.bytes.get(self.pos) {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Invalid,
        }
    }

    /// An error for a value of the wrong kind, at the value.
    #[cold]
    pub fn expected(&mut self, what: &str) -> Error {
        let found = self.kind();
        let found =
            if found == Kind::Invalid && self.pos >= self.bytes.len() { "the end of the input" } else { found.name() };
        Error::at(self.pos, format!("expected {what}, found {found}"))
    }

    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        self.ws();
        if self.bytes.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    #[inline(always)]
    fn expect(&mut self, byte: u8, context: &str) -> Result<(), Error> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(self.unexpected(byte, context))
        }
    }

    #[cold]
    fn unexpected(&self, byte: u8, context: &str) -> Error {
        let found = match self.bytes.get(self.pos) {
            Some(&b) if b.is_ascii_graphic() => format!("`{}`", b as char),
            Some(_) => "a control character".to_owned(),
            None => "the end of the input".to_owned(),
        };
        Error::at(self.pos, format!("expected `{}` {context}, found {found}", byte as char))
    }

    /// Starts reading an object: `Members::next` then gives its keys one by
    /// one, as indexes into `names`. Unknown keys are refused or skipped as
    /// `unknown` says; a key given twice is an error either way (which value
    /// would win is exactly the kind of guess the bridge must not make).
    /// The caller's loop reads each value where it stands, with no closure
    /// between it and the state it fills.
    #[inline(always)]
    pub fn object<'n>(&mut self, names: &'n Names, unknown: Unknown) -> Result<Members<'n>, Error> {
        if self.kind() != Kind::Object {
            return Err(self.expected("an object"));
        }
        self.pos += 1;
        Ok(Members { names, unknown, mask: 0, first: true, open: self.pos - 1, at: self.pos - 1, past: self.pos })
    }

    /// `object` as a visit: `each` gets the index of each key in `names` and
    /// must read (or skip) its value.
    pub fn fields(
        &mut self,
        names: &Names,
        unknown: Unknown,
        mut each: impl FnMut(&mut Self, usize) -> Result<(), Error>,
    ) -> Result<Seen, Error> {
        let mut members = self.object(names, unknown)?;
        loop {
            let f = match members.next(self) {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(members.seen(self)),
                Err(e) => return Err(e.within(members.place())),
            };
            if let Err(e) = each(self, f) {
                return Err(e.within(members.place()));
            }
        }
    }

    /// `fields` for code read once per profile (settings): one copy of the
    /// member loop for all of it, called through `each`, rather than one
    /// inlined into every caller. Hot readers keep `fields`.
    #[inline(never)]
    pub fn fields_cold(
        &mut self,
        names: &Names,
        unknown: Unknown,
        each: &mut dyn FnMut(&mut Self, usize) -> Result<(), Error>,
    ) -> Result<Seen, Error> {
        self.fields(names, unknown, each)
    }

    /// `string` for code read once per profile (see `fields_cold`).
    #[inline(never)]
    pub fn string_cold(&mut self) -> Result<Cow<'a, str>, Error> {
        self.string()
    }

    /// `u32` for code read once per profile (see `fields_cold`).
    #[inline(never)]
    pub fn u32_cold(&mut self) -> Result<u32, Error> {
        self.u32()
    }

    /// `items` for code read once per profile (see `fields_cold`).
    #[inline(never)]
    pub fn items_cold(&mut self, each: &mut dyn FnMut(&mut Self, usize) -> Result<(), Error>) -> Result<usize, Error> {
        self.items(each)
    }

    /// Visits an array's items: `each` gets the item's index and must read (or skip) it.
    #[inline(always)]
    pub fn items(&mut self, mut each: impl FnMut(&mut Self, usize) -> Result<(), Error>) -> Result<usize, Error> {
        self.runs(|r, n| each(r, n).map(|_| 1))
    }

    /// `items` for a reader that may read a run of items in one call
    /// (`Cursor`): `each` returns how many it read, so that the index an
    /// error is marked with (`Mark::Item`) is the item's own.
    pub fn runs(&mut self, mut each: impl FnMut(&mut Self, usize) -> Result<usize, Error>) -> Result<usize, Error> {
        if self.kind() != Kind::Array {
            return Err(self.expected("an array"));
        }
        let open = self.pos;
        self.pos += 1;
        if self.eat(b']') {
            return Ok(0);
        }
        let mut n = 0;
        loop {
            let at = self.pos;
            match self.spend().and_then(|_| each(self, n)) {
                Ok(read) => n += read,
                Err(e) => return Err(e.within(Mark::Item { open, index: n, at })),
            }
            if self.eat(b',') {
                continue;
            }
            if let Err(e) = self.expect(b']', "or `,` after an array item") {
                return Err(e.within(Mark::Item { open, index: n - 1, at: self.pos }));
            }
            return Ok(n);
        }
    }

    /// A key (after white space) read the fast way: its name found by the
    /// bytes after its quote (`Names::packed_match`); a key that is no name
    /// is scanned, to be skipped.
    #[inline(always)]
    fn plain_key(&mut self, names: &Names) -> KeyRead {
        self.ws();
        let (b, at) = (self.bytes, self.pos);
        if let Some(f) = self.packed_key(names) {
            return KeyRead::Known(f);
        }
        if b.get(at) != Some(&b'"') {
            return KeyRead::NotPlain;
        }
        let end = scan_string(b, at + 1);
        if b.get(end) != Some(&b'"') || b.get(end + 1) != Some(&b':') {
            return KeyRead::NotPlain;
        }
        self.pos = end + 2;
        // With sixteen bytes after the quote to look at, `packed_key` has
        // compared every name that could be spelled here; near the end of
        // the text it looked at none.
        if at + 17 <= b.len() {
            return KeyRead::Unknown(at + 1, end);
        }
        match names.find(&b[at + 1..end]) {
            Some(f) => KeyRead::Known(f),
            None => KeyRead::Unknown(at + 1, end),
        }
    }

    /// The name spelled by a plain key directly followed by its colon, key
    /// and colon consumed; `None` for anything else (nothing consumed).
    #[inline(always)]
    fn packed_key(&mut self, names: &Names) -> Option<usize> {
        let (f, value) = names.packed_match(self.bytes, self.pos)?;
        self.pos = value;
        Some(f)
    }

    /// The error for an unknown key (between `start` and `end`) where unknown keys are refused.
    #[cold]
    fn unknown_key(&self, names: &Names, start: usize, end: usize) -> Error {
        let expected = names.list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        let key = &self.text[start..end];
        Error::at(end + 1, format!("unknown field `{key}`, expected one of {expected}"))
    }

    /// `Members::next` for a key that is not plain (escaped, or white space
    /// before its colon): read in full and looked up. The name's index and the
    /// offset after its key, its colon read; `None` for an unknown key to
    /// skip (where unknown keys are refused, an error).
    #[cold]
    #[inline(never)]
    fn other_member(&mut self, names: &Names, unknown: Unknown) -> Result<Option<(usize, usize)>, Error> {
        self.ws();
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.expected("a key (a string)"));
        }
        let key = self.string_at_quote()?;
        let after_key = self.pos;
        self.expect(b':', "after an object key")?;
        match names.find(key.as_bytes()) {
            Some(f) => Ok(Some((f, after_key))),
            None if unknown == Unknown::Skip => Ok(None),
            None => {
                let expected = names.list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                Err(Error::at(after_key, format!("unknown field `{key}`, expected one of {expected}")))
            }
        }
    }

    /// A string value: borrowed unless it holds escapes.
    #[inline(always)]
    pub fn string(&mut self) -> Result<Cow<'a, str>, Error> {
        self.ws();
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.expected("a string"));
        }
        self.string_at_quote()
    }

    /// The next value and its offset if it is a string without escapes,
    /// consumed; otherwise `None`, with only white space consumed, and the
    /// caller reads the value the general way (which also reports errors).
    /// The common case, with no `Cow` or `Result` to build and unpack.
    #[inline(always)]
    pub fn plain_string(&mut self) -> Option<(&'a str, usize)> {
        self.ws();
        let at = self.pos;
        if self.bytes.get(at) != Some(&b'"') {
            return None;
        }
        let end = scan_string(self.bytes, at + 1);
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        // SAFETY: `text` is UTF-8 and both ends of the range are next to an
        // ASCII quote, so on character boundaries (what `&self.text[..]`
        // would check, at a cost per string).
        Some((unsafe { self.text.get_unchecked(at + 1..end) }, at))
    }

    /// The next value and its offset if it is a whole number written as
    /// plain digits (as `number` reads it, with no sign, fraction or
    /// exponent), as its text, consumed; otherwise `None`, with only white
    /// space consumed. For ids too long for `u32`, kept as text.
    #[inline(always)]
    pub fn plain_digits(&mut self) -> Option<(&'a str, usize)> {
        self.ws();
        let (b, at) = (self.bytes, self.pos);
        let mut end = at;
        while end + 8 <= b.len() {
            let n = digit_run(read_u64(b, end));
            end += n;
            if n < 8 {
                break;
            }
        }
        if end + 8 > b.len() {
            end += b[end..].iter().take_while(|d| d.is_ascii_digit()).count();
        }
        // As in JSON, `0` has no leading zero and `1x` is not a number.
        let leading_zero = end > at + 1 && b[at] == b'0';
        if end == at || leading_zero || !is_delimiter(b.get(end)) {
            return None;
        }
        self.pos = end;
        // SAFETY: the range is ASCII digits, so on character boundaries.
        Some((unsafe { self.text.get_unchecked(at..end) }, at))
    }

    /// A string whose opening quote is at `pos` (callers check it).
    #[inline(always)]
    fn string_at_quote(&mut self) -> Result<Cow<'a, str>, Error> {
        let open = self.pos;
        let start = open + 1;
        let end = scan_string(self.bytes, start);
        match self.bytes.get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                // SAFETY: `start` follows an ASCII quote and `end` is one, so
                // both are character boundaries (as in `plain_string`).
                Ok(Cow::Borrowed(unsafe { self.text.get_unchecked(start..end) }))
            }
            Some(b'\\') => self.escaped(start, end),
            Some(_) => Err(Error::at(end, "a control character inside a string must be escaped")),
            None => Err(Error::at(open, "a string is not closed before the end of the input")),
        }
    }

    /// The rest of a string from the first backslash at `first`, unescaped:
    /// runs between escapes copied whole, simple escapes by a table
    /// (`ESCAPED`), `\u` escapes' digits by another (`HEX`).
    fn escaped(&mut self, start: usize, first: usize) -> Result<Cow<'a, str>, Error> {
        let b = self.bytes;
        let mut out = String::with_capacity(first - start + 16);
        out.push_str(&self.text[start..first]);
        let mut i = first;
        loop {
            match b.get(i) {
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') if !self.work.spend(1) => return Err(self.over_work_at(i)),
                Some(b'\\') => match b.get(i + 1).map_or(0, |&e| ESCAPED[usize::from(e)]) {
                    0 if b.get(i + 1) == Some(&b'u') => {
                        let (c, next) = self.unicode_escape(i)?;
                        out.push(c);
                        i = next;
                    }
                    0 => return Err(Error::at(i, "invalid escape in a string")),
                    c => {
                        out.push(char::from(c));
                        i += 2;
                    }
                },
                Some(&c) if c < 0x20 => {
                    return Err(Error::at(i, "a control character inside a string must be escaped"));
                }
                Some(_) => {
                    let run = scan_string(b, i);
                    out.push_str(&self.text[i..run]);
                    i = run;
                }
                None => return Err(Error::at(start - 1, "a string is not closed before the end of the input")),
            }
        }
    }

    fn unicode_escape(&self, at: usize) -> Result<(char, usize), Error> {
        // Four hex digits by a table: a digit's value, or 0xFF.
        let hex = |from: usize| -> Option<u32> {
            let d = self.bytes.get(from..from + 4)?;
            let [a, b, c, e] = [d[0], d[1], d[2], d[3]].map(|d| HEX[usize::from(d)]);
            ((a | b | c | e) < 16).then(|| u32::from(a) << 12 | u32::from(b) << 8 | u32::from(c) << 4 | u32::from(e))
        };
        let invalid = || Error::at(at, "invalid \\u escape in a string");
        let high = hex(at + 2).ok_or_else(invalid)?;
        if (0xD800..0xDC00).contains(&high) {
            // A surrogate pair: the low half must follow as its own escape.
            if self.bytes.get(at + 6..at + 8) != Some(b"\\u") {
                return Err(invalid());
            }
            let low = hex(at + 8).filter(|l| (0xDC00..0xE000).contains(l)).ok_or_else(invalid)?;
            let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)).ok_or_else(invalid)?;
            return Ok((c, at + 12));
        }
        char::from_u32(high).map(|c| (c, at + 6)).ok_or_else(invalid)
    }

    /// A number value, as its exact JSON text (validated against the grammar).
    pub fn number(&mut self) -> Result<&'a str, Error> {
        if self.kind() != Kind::Number {
            return Err(self.expected("a number"));
        }
        let start = self.pos;
        let end = number_end(self.bytes, start).ok_or_else(|| Error::at(start, "not a valid JSON number"))?;
        self.pos = end;
        // SAFETY: `number_end` passed over ASCII alone (the number grammar),
        // so `start..end` is on character boundaries.
        Ok(unsafe { self.text.get_unchecked(start..end) })
    }

    #[inline(always)]
    pub fn boolean(&mut self) -> Result<bool, Error> {
        self.ws();
        for (word, value) in [(&b"true"[..], true), (b"false", false)] {
            if self.bytes[self.pos..].starts_with(word) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err(self.expected("true or false"))
    }

    /// Consumes `null` if it is next.
    #[inline(always)]
    pub fn null(&mut self) -> bool {
        self.ws();
        if self.bytes[self.pos..].starts_with(b"null") {
            self.pos += 4;
            true
        } else {
            false
        }
    }

    /// A whole number from 0 to `u32::MAX` written as a JSON number (an OrderWise id).
    #[inline(always)]
    pub fn u32(&mut self) -> Result<u32, Error> {
        self.ws();
        let at = self.pos;
        // The common case, inline: one to eight digits, then a delimiter,
        // converted a word at a time; anything else goes the long way.
        let b = self.bytes;
        if at + 8 <= b.len() {
            let word = read_u64(b, at);
            let n = digit_run(word);
            let leading_zero = n > 1 && word as u8 == b'0';
            if n >= 1 && !leading_zero && is_delimiter(b.get(at + n)) {
                self.pos = at + n;
                return Ok(digits_value(word, n));
            }
        }
        self.u32_long(at)
    }

    /// `u32` for what its fast path leaves: numbers near the end of the
    /// text, longer than eight digits, or not whole numbers at all.
    #[inline(never)]
    fn u32_long(&mut self, at: usize) -> Result<u32, Error> {
        let b = self.bytes;
        let mut value: u64 = 0;
        let mut i = at;
        while let Some(&d @ b'0'..=b'9') = b.get(i) {
            value = value * 10 + u64::from(d - b'0');
            i += 1;
            if value > u64::from(u32::MAX) {
                break;
            }
        }
        let leading_zero = i > at + 1 && b[at] == b'0';
        if i > at && is_delimiter(b.get(i)) && !leading_zero && value <= u64::from(u32::MAX) {
            self.pos = i;
            return Ok(value as u32);
        }
        let text = self.number()?;
        if !all_digits(text) {
            return Err(Error::at(at, format!("expected a whole number, found {text}")));
        }
        Err(Error::at(at, format!("{text} is larger than {}", u32::MAX)))
    }

    /// Offset of the next value (after white space).
    #[inline(always)]
    pub fn offset_of_value(&mut self) -> usize {
        self.ws();
        self.pos
    }

    /// Passes over one value of any kind without building it. A scalar is
    /// read as usual; an object or array is skimmed for its extent only
    /// (`skim.rs`: strings closed, brackets balanced), at a bounded cost a byte
    /// whatever it holds, since nothing inside it is read.
    pub fn skip(&mut self) -> Result<(), Error> {
        match self.kind() {
            Kind::Object | Kind::Array => match crate::shared::skim::nested_end(self.bytes, self.pos) {
                Some(end) => {
                    self.pos = end;
                    Ok(())
                }
                None => Err(Error::at(self.pos, "an object or array is not closed before the end of the input")),
            },
            Kind::String => match crate::shared::skim::string_end(self.bytes, self.pos) {
                Some(end) => {
                    self.pos = end;
                    Ok(())
                }
                None => Err(Error::at(self.pos, "a string is not closed before the end of the input")),
            },
            Kind::Number => match number_end(self.bytes, self.pos) {
                Some(end) => {
                    self.pos = end;
                    Ok(())
                }
                None => Err(Error::at(self.pos, "not a valid JSON number")),
            },
            Kind::Bool => self.boolean().map(drop),
            Kind::Null if self.null() => Ok(()),
            Kind::Null | Kind::Invalid => Err(self.expected("a JSON value")),
        }
    }

    /// Checks that nothing but white space follows the document.
    pub fn end(&mut self) -> Result<(), Error> {
        let after = self.pos;
        self.ws();
        if self.pos < self.bytes.len() {
            return Err(Error::at(self.pos, "trailing characters after the JSON document").within(Mark::After(after)));
        }
        Ok(())
    }
}

/// Byte-wise equality of two equally long short slices (field names): a
/// word at a time, without the call to `memcmp` slice equality makes.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i + 8 <= a.len() {
        if read_u64(a, i) != read_u64(b, i) {
            return false;
        }
        i += 8;
    }
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Eight bytes at `i` as one little-endian word (one load in wasm).
#[inline]
fn read_u64(b: &[u8], i: usize) -> u64 {
    let bytes: &[u8; 8] = b[i..i + 8].try_into().expect("callers check that eight bytes remain");
    u64::from_le_bytes(*bytes)
}

/// Each byte's value as a hex digit, 0xFF for a byte that is none.
static HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = d as u8;
        d += 1;
    }
    let mut d = 0;
    while d < 6 {
        t[b'a' as usize + d] = 10 + d as u8;
        t[b'A' as usize + d] = 10 + d as u8;
        d += 1;
    }
    t
};

/// The byte each simple escape stands for (`\n` for `n`, and so on), by
/// the byte after the backslash; zero for `u` and for what is no escape.
static ESCAPED: [u8; 256] = {
    let mut t = [0; 256];
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'/' as usize] = b'/';
    t[b'b' as usize] = 0x08;
    t[b'f' as usize] = 0x0c;
    t[b'n' as usize] = b'\n';
    t[b'r' as usize] = b'\r';
    t[b't' as usize] = b'\t';
    t
};

/// Index of the first `"`, `\` or control character at or after `i` (or the
/// end): sixteen bytes at a time with WebAssembly SIMD, then eight at a time.
#[inline(always)]
pub(crate) fn scan_string(b: &[u8], mut i: usize) -> usize {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::*;
        while i + 16 <= b.len() {
            // SAFETY: the sixteen bytes at `i` are inside `b` (checked just
            // above), and `v128_load` reads unaligned memory.
            let v = unsafe { v128_load(b.as_ptr().add(i).cast::<v128>()) };
            let quote = u8x16_eq(v, u8x16_splat(b'"'));
            let slash = u8x16_eq(v, u8x16_splat(b'\\'));
            let control = u8x16_lt(v, u8x16_splat(0x20));
            let hit = u8x16_bitmask(v128_or(v128_or(quote, slash), control));
            if hit != 0 {
                return i + hit.trailing_zeros() as usize;
            }
            i += 16;
        }
    }
    while i + 8 <= b.len() {
        let w = read_u64(b, i);
        // A byte of `x` is zero <=> the byte of `w` is the one looked for;
        // `(x - ONES) & !x & HIGHS` flags (at least the first) zero byte.
        let quote = w ^ (ONES * b'"' as u64);
        let slash = w ^ (ONES * b'\\' as u64);
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
        // Bytes below 0x20: subtracting 0x20 borrows into the high bit (for
        // bytes below 0x80, which the `!w` mask keeps).
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        let hit = zero(quote) | zero(slash) | control;
        if hit != 0 {
            return i + (hit.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !matches!(b[i], b'"' | b'\\' | 0..=0x1f) {
        i += 1;
    }
    i
}

/// Whether a number may end before `next` (`1x` is not a number).
#[inline(always)]
fn is_delimiter(next: Option<&u8>) -> bool {
    matches!(next, None | Some(b' ' | b'\n' | b'\r' | b'\t' | b',' | b'}' | b']'))
}

/// How many of the eight bytes of `word` (little-endian) are ASCII digits
/// before the first that is not, 8 if all are.
#[inline(always)]
fn digit_run(word: u64) -> usize {
    // A byte is a digit when its high nibble is 3 and its low nibble plus 6
    // stays below 16; each byte of `other` is non-zero exactly when not.
    let high = (word & (ONES * 0xF0)) ^ (ONES * 0x30);
    let low = ((word & (ONES * 0x0F)) + ONES * 6) & (ONES * 0x10);
    ((high | low).trailing_zeros() / 8) as usize
}

/// Whether `text` is nothing but ASCII digits, eight at a time.
pub fn all_digits(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 8 <= b.len() {
        if digit_run(read_u64(b, i)) < 8 {
            return false;
        }
        i += 8;
    }
    b[i..].iter().all(u8::is_ascii_digit)
}

/// The value of the first `n` (1 to 8) bytes of `word`, all digits.
#[inline(always)]
fn digits_value(word: u64, n: usize) -> u32 {
    // Shifted so the digits fill the top of the word and zeros (leading
    // zeros of the number) the rest, then combined pairwise: 2, 4, 8 digits.
    let v = (word.wrapping_sub(ONES * b'0' as u64)) << (8 * (8 - n));
    let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    ((v * 10_000 + (v >> 32)) & 0xFFFF_FFFF) as u32
}

/// End of the JSON number starting at `start`, or None if the text there is not one.
fn number_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    let digits = |i: &mut usize| {
        let from = *i;
        while *i + 8 <= b.len() {
            let n = digit_run(read_u64(b, *i));
            *i += n;
            if n < 8 {
                return *i > from;
            }
        }
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > from
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    is_delimiter(b.get(i)).then_some(i)
}

/// A reading position for the common shape of a document: plain keys,
/// plain strings, short whole numbers. `Copy`, and read only through inlined
/// methods that take nothing out of line by reference, so a record read
/// with it keeps its position in locals (a `Reader` handed to anything out
/// of line lives in memory: a load, and often a store, per token). It
/// refuses nothing: anything else, errors included, gives `None`, and the
/// caller reads the value again with the `Reader` from where it began,
/// which accepts all of JSON and says what is wrong.
///
/// `ws`, `key`, `string`, `digits` and `u32` are the fast paths of the
/// `Reader` methods of those names (`plain_*`), as values rather than
/// through `&mut Reader`.
#[derive(Clone, Copy)]
pub struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A cursor at the next unread byte.
    #[inline(always)]
    pub fn cursor(&self) -> Cursor<'a> {
        Cursor { text: self.text, pos: self.pos }
    }

    /// Carries on from where `cursor` (made by `cursor`) has read to.
    #[inline(always)]
    pub fn advance(&mut self, cursor: Cursor<'a>) {
        self.pos = cursor.pos;
    }
}

/// The end of the white space from `i`, for `Cursor::ws`: `Reader::ws_run`
/// on a reader of its own, so the cursor's address is never taken.
#[inline(never)]
fn ws_end(text: &str, i: usize) -> usize {
    let mut r = Reader::new(text);
    r.pos = i;
    r.ws_run();
    r.pos
}

impl<'a> Cursor<'a> {
    #[inline(always)]
    fn ws(&mut self) {
        let b = self.text.as_bytes();
        match b.get(self.pos) {
            Some(&c) if c > b' ' => {}
            Some(b' ') if b.get(self.pos + 1).is_some_and(|&c| c > b' ') => self.pos += 1,
            _ => self.pos = ws_end(self.text, self.pos),
        }
    }

    /// Consumes `byte` if it is next (after white space).
    #[inline(always)]
    pub fn eat(&mut self, byte: u8) -> bool {
        self.ws();
        let hit = self.text.as_bytes().get(self.pos) == Some(&byte);
        self.pos += usize::from(hit);
        hit
    }

    /// The index of the name a plain key spells, its colon directly after
    /// it; key and colon consumed.
    #[inline(always)]
    fn key(&mut self, names: &Names) -> Option<usize> {
        self.ws();
        let (f, value) = names.packed_match(self.text.as_bytes(), self.pos)?;
        self.pos = value;
        Some(f)
    }

    /// Consumes `open` (`{` or `[`) if it is next; `None` if not.
    #[inline(always)]
    pub fn open(&mut self, open: u8) -> Option<()> {
        self.eat(open).then_some(())
    }

    /// The next member of an object opened with `open`: the index of its
    /// plain key's name, its colon read; `None` for any other key and for
    /// a name already in `seen` (the names read, as bits as in `Seen`),
    /// where it is then marked. An empty object is left to the `Reader`.
    #[inline(always)]
    pub fn member(&mut self, names: &Names, seen: &mut u64) -> Option<usize> {
        let f = self.key(names)?;
        if *seen & (1 << f) != 0 {
            return None;
        }
        *seen |= 1 << f;
        Some(f)
    }

    /// After a member or an item: whether another follows (a comma read),
    /// or not (`close` read); `None` for anything else.
    #[inline(always)]
    pub fn more(&mut self, close: u8) -> Option<bool> {
        // Most values are followed directly by the comma or the close.
        let next = match self.text.as_bytes().get(self.pos) {
            Some(&c) if c > b' ' => c,
            _ => {
                self.ws();
                *self.text.as_bytes().get(self.pos)?
            }
        };
        self.pos += 1;
        match next {
            b',' => Some(true),
            c if c == close => Some(false),
            _ => None,
        }
    }

    /// A string without escapes.
    #[inline(always)]
    pub fn string(&mut self) -> Option<&'a str> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        if b.get(at) != Some(&b'"') {
            return None;
        }
        let end = scan_string(b, at + 1);
        if b.get(end) != Some(&b'"') {
            return None;
        }
        self.pos = end + 1;
        // SAFETY: as in `Reader::plain_string`: both ends are next to an ASCII quote.
        Some(unsafe { self.text.get_unchecked(at + 1..end) })
    }

    /// A whole number written as plain digits, as its text.
    #[inline(always)]
    pub fn digits(&mut self) -> Option<&'a str> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        let mut end = at;
        // At most three words: a whole number has at most twenty digits, and
        // a longer run is left to `Reader` (scanned once, not twice).
        while end + 8 <= b.len() && end < at + 24 {
            let n = digit_run(read_u64(b, end));
            end += n;
            if n < 8 {
                break;
            }
        }
        if end + 8 > b.len() || end == at || (end > at + 1 && b[at] == b'0') || !is_delimiter(b.get(end)) {
            return None;
        }
        self.pos = end;
        // SAFETY: the range is ASCII digits, so on character boundaries.
        Some(unsafe { self.text.get_unchecked(at..end) })
    }

    /// A whole number of one to eight digits.
    #[inline(always)]
    pub fn u32(&mut self) -> Option<u32> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        if at + 8 > b.len() {
            return None;
        }
        let word = read_u64(b, at);
        let n = digit_run(word);
        let leading_zero = n > 1 && word as u8 == b'0';
        if n == 0 || leading_zero || !is_delimiter(b.get(at + n)) {
            return None;
        }
        self.pos = at + n;
        Some(digits_value(word, n))
    }

    #[inline(always)]
    pub fn boolean(&mut self) -> Option<bool> {
        self.ws();
        let rest = &self.text.as_bytes()[self.pos..];
        let (value, len) = if rest.starts_with(b"true") {
            (true, 4)
        } else if rest.starts_with(b"false") {
            (false, 5)
        } else {
            return None;
        };
        self.pos += len;
        Some(value)
    }

    /// Consumes `null` if it is next.
    #[inline(always)]
    pub fn null(&mut self) -> bool {
        self.ws();
        let hit = self.text.as_bytes()[self.pos..].starts_with(b"null");
        self.pos += if hit { 4 } else { 0 };
        hit
    }

    /// Byte offset of the next unread byte.
    #[inline(always)]
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The first byte of the next value (after white space), not consumed.
    #[inline(always)]
    pub fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.text.as_bytes().get(self.pos).copied()
    }

    /// `member` where unknown keys are skipped: `Some(Some(f))` for name
    /// `f`, `Some(None)` for a plain key that is no name (key and colon
    /// consumed, its value left to `skip`), `None` for a repeated name or
    /// a key that is not plain. Near the end of the text, where
    /// `packed_match` compares no name, also `None`.
    #[inline(always)]
    pub fn member_or_other(&mut self, names: &Names, seen: &mut u64) -> Option<Option<usize>> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        if let Some((f, value)) = names.packed_match(b, at) {
            if *seen & (1 << f) != 0 {
                return None;
            }
            *seen |= 1 << f;
            self.pos = value;
            return Some(Some(f));
        }
        if at + 17 > b.len() || b[at] != b'"' {
            return None;
        }
        let end = scan_string(b, at + 1);
        if b.get(end) != Some(&b'"') || b.get(end + 1) != Some(&b':') {
            return None;
        }
        self.pos = end + 2;
        Some(None)
    }

    /// A number as its text, by JSON's grammar (`Reader::number`).
    #[inline(always)]
    pub fn number(&mut self) -> Option<&'a str> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        if !matches!(b.get(at), Some(b'-' | b'0'..=b'9')) {
            return None;
        }
        // Read no further than an amount can be written (`LONGEST_AMOUNT`):
        // a longer number is left to `Reader`, which refuses it, so that a
        // mebibyte of digits is scanned once, not twice.
        let within = &b[..b.len().min(at + LONGEST_AMOUNT)];
        let end = number_end(within, at).filter(|&end| end < within.len() || within.len() == b.len())?;
        self.pos = end;
        // SAFETY: `number_end` passed over ASCII alone, so on character boundaries.
        Some(unsafe { self.text.get_unchecked(at..end) })
    }

    /// An object or array passed over for its extent alone (`skim.rs`), as its text.
    #[inline(always)]
    pub fn nested(&mut self) -> Option<&'a str> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        if !matches!(b.get(at), Some(b'{' | b'[')) {
            return None;
        }
        let end = crate::shared::skim::nested_end(b, at)?;
        self.pos = end;
        // SAFETY: both ends are next to an ASCII bracket, so on character boundaries.
        Some(unsafe { self.text.get_unchecked(at..end) })
    }

    /// Passes over one value of any kind, as `Reader::skip` does; `None`
    /// where that would refuse it.
    #[inline(always)]
    pub fn skip(&mut self) -> Option<()> {
        self.ws();
        let (b, at) = (self.text.as_bytes(), self.pos);
        let rest = &b[at..];
        self.pos = match rest.first()? {
            b'{' | b'[' => crate::shared::skim::nested_end(b, at)?,
            b'"' => crate::shared::skim::string_end(b, at)?,
            b'-' | b'0'..=b'9' => number_end(b, at)?,
            b't' if rest.starts_with(b"true") => at + 4,
            b'f' if rest.starts_with(b"false") => at + 5,
            b'n' if rest.starts_with(b"null") => at + 4,
            _ => return None,
        };
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip_all(text: &str) -> Result<usize, Error> {
        let mut r = Reader::new(text);
        r.skip()?;
        r.end()?;
        Ok(r.offset())
    }

    #[test]
    fn skips_every_kind_of_value() {
        for text in [
            "1",
            "-0.5e+3",
            "\"a\\\"b\\u00e9\"",
            "true",
            "null",
            "[]",
            "{}",
            "[1, [2, {}], {\"a\": [true, null]}]",
            "{\"a\": {\"b\": [1, \"x\"], \"c\": {}}, \"d\": \"e:f\"}",
            " { \"k\" : [ ] , \"l\" : { } } ",
            "[\"a\", \"b\"]",
            "{\"brackets in strings\": \"}]\\\" [{\"}",
        ] {
            assert_eq!(skip_all(text).map_err(|e| e.message.clone()), Ok(text.len()), "{text}");
        }
    }

    #[test]
    fn skip_refuses_what_breaks_a_documents_extent() {
        for text in ["\"open", "tru", "nul", "01", "1.", "-", "[", "{\"a\": [1}", "[1]]", "{\"a\": \"open}"] {
            assert!(skip_all(text).is_err(), "{text}");
        }
    }

    #[test]
    fn inside_a_skipped_container_only_strings_and_brackets_are_checked() {
        // Nothing between them is read, so nothing there can change an outcome.
        // (Nor are bracket kinds paired, escapes spelled out, or control
        // characters in strings refused.)
        for text in [
            "[1,]",
            "{\"a\" 1}",
            "{\"a\": }",
            "[1 2]",
            "{1: 2}",
            "{\"a\":1,}",
            "[1}",
            "[\"bad \\q escape\"]",
            "[\"raw\ttab\"]",
        ] {
            assert_eq!(skip_all(text).map_err(|e| e.message.clone()), Ok(text.len()), "{text}");
        }
    }

    #[test]
    fn deep_nesting_costs_no_stack() {
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert_eq!(skip_all(&deep), Ok(deep.len()));
        let deep = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
        assert_eq!(skip_all(&deep), Ok(deep.len()));
    }

    #[test]
    fn strings_are_borrowed_unless_escaped_and_escapes_are_decoded() {
        let mut r = Reader::new(r#"["plain text here", "tab\tquote\"é\u00e9\ud83d\ude00/"]"#);
        let mut got = Vec::new();
        r.items(|r, _| {
            got.push(r.string()?);
            Ok(())
        })
        .unwrap();
        assert!(matches!(got[0], Cow::Borrowed("plain text here")));
        assert_eq!(got[1], "tab\tquote\"éé😀/");
        for bad in [r#""\x""#, r#""\ud83d""#, "\"a\u{1}b\"", r#""\u12""#] {
            assert!(Reader::new(bad).string().is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Strings of text, escapes (good and bad) and control characters,
        /// closed or cut short: decoded as serde_json decodes them, and
        /// refused where it refuses them, at the first fault in the text.
        #[test]
        fn escaped_strings_decode_as_serde_json_decodes_them(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "plain run of text", "é", "😀", r#"\""#, r#"\\"#, r#"\/"#, r#"\b"#, r#"\f"#, r#"\n"#,
                r#"\r"#, r#"\t"#, r#"\u00e9"#, r#"\u00C9"#, r#"\ud83d\ude00"#, r#"\uD83D\uDE00"#, r#"\u0g00"#, r#"\x"#, r#"\ud83d"#, r#"\u12"#, "\u{1}",
                "\\", "\"",
            ]), 0..40),
            closed in proptest::bool::ANY,
        ) {
            let body = parts.concat();
            let text = format!("\"{body}{}", if closed { "\"" } else { "" });
            let ours = Reader::new(&text).string().map(|s| s.into_owned());
            let theirs = serde_json::from_str::<String>(&text);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => proptest::prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                // A string closed early by a bare quote in `parts` leaves
                // trailing text, which only serde_json's whole-document read refuses.
                (Ok(_), Err(e)) if e.to_string().contains("trailing characters") => {}
                _ => proptest::prop_assert!(false, "{text:?}: ours {ours:?}, serde_json {theirs:?}"),
            }
        }
    }

    #[test]
    fn escapes_are_counted_against_the_allowance_and_refused_where_it_runs_out() {
        let text = r#""a\nb\tc\"d""#;
        assert_eq!(Reader::new(text).with_work(Meter::new(3)).string().unwrap(), "a\nb\tc\"d");
        let refused = Reader::new(text).with_work(Meter::new(2)).string().unwrap_err();
        // At the third escape.
        assert_eq!(refused.offset, 8);
        assert!(refused.message.contains("handled one at a time"), "{}", refused.message);
    }

    #[test]
    fn a_mebibyte_of_escapes_decodes_with_the_first_fault_reported() {
        let text = format!("\"{}\"", "\\\"\\\\".repeat(262_144));
        assert_eq!(Reader::new(&text).string().unwrap(), "\"\\".repeat(262_144));
        // A bad escape before the cut is what is reported, not the cut.
        let cut = format!("\"{}\\x{}", "\\n".repeat(1000), "a".repeat(100));
        assert_eq!(Reader::new(&cut).string().unwrap_err().offset, 2001);
        let cut = format!("\"{}", "\\n".repeat(1000));
        assert_eq!(
            Reader::new(&cut).string().unwrap_err().message,
            "a string is not closed before the end of the input"
        );
    }

    #[test]
    fn fields_reports_unknown_duplicate_and_missing_keys_where_they_are() {
        const NAMES: &Names = names!["sku", "quantity"];
        let read = |text: &str, unknown| {
            let mut r = Reader::new(text);
            r.fields(NAMES, unknown, |r, _| r.skip()).and_then(|seen| seen.require(NAMES, &[0, 1]).map(|_| seen.mask))
        };
        assert_eq!(read(r#"{"sku": "X", "quantity": 2}"#, Unknown::Refuse), Ok(3));
        assert_eq!(read(r#"{"sku": "X", "extra": [1], "quantity": 2}"#, Unknown::Skip), Ok(3));
        let unknown = read(r#"{"sku": "X", "qty": 2}"#, Unknown::Refuse).unwrap_err();
        assert_eq!((unknown.offset, unknown.message.starts_with("unknown field `qty`")), (18, true));
        let twice = read(r#"{"sku": "X", "sku": "Y"}"#, Unknown::Skip).unwrap_err();
        assert_eq!((twice.offset, twice.message.as_str()), (18, "duplicate field `sku`"));
        // Found inside the member that began at the comma (offset 11).
        assert_eq!(twice.trail, [Mark::Member { open: 0, at: 11, past: 12 }]);
        let missing = read(r#"{"sku": "X"}"#, Unknown::Refuse).unwrap_err();
        assert_eq!(missing, Error::at(12, "missing field `quantity`"));
    }

    #[test]
    fn numbers_keep_their_text_and_ids_must_be_whole() {
        let mut r = Reader::new("[12.50, 1e-2, 7, 4294967296, -1]");
        let mut out = Vec::new();
        r.items(|r, i| {
            if i < 2 {
                out.push(r.number()?.to_owned());
            } else {
                out.push(match r.u32() {
                    Ok(v) => v.to_string(),
                    Err(e) => e.message.clone(),
                });
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(
            out,
            ["12.50", "1e-2", "7", "4294967296 is larger than 4294967295", "expected a whole number, found -1"]
        );
    }

    #[test]
    fn string_scan_finds_quotes_escapes_and_controls_at_every_alignment() {
        for n in 0..20 {
            for end in ['"', '\\', '\n'] {
                let text = format!("{}{end}", "a".repeat(n));
                assert_eq!(scan_string(text.as_bytes(), 0), n, "{n} {end:?}");
            }
        }
        assert_eq!(scan_string("é€😀\"".as_bytes(), 0), "é€😀".len());
    }

    #[test]
    fn plain_strings_are_taken_whole_and_anything_else_is_left_for_the_general_read() {
        let mut r = Reader::new(r#"  "CUP-12OZ-WHT", "a\u0041", 7, "open"#);
        assert_eq!(r.plain_string(), Some(("CUP-12OZ-WHT", 2)));
        assert!(r.eat(b','));
        // Escaped: nothing but the white space is consumed, and `string` decodes it.
        assert_eq!(r.plain_string(), None);
        assert_eq!(r.offset(), 18);
        assert_eq!(r.string().unwrap(), "aA");
        assert!(r.eat(b','));
        assert_eq!(r.plain_string(), None);
        assert_eq!(r.u32(), Ok(7));
        assert!(r.eat(b','));
        assert_eq!(r.plain_string(), None);
        assert_eq!(r.string().unwrap_err(), Error::at(32, "a string is not closed before the end of the input"));
        let mut control = Reader::new("\"a\u{1}b\"");
        assert_eq!(control.plain_string(), None);
        assert_eq!(control.string().unwrap_err().offset, 2);
    }

    #[test]
    fn whole_numbers_of_every_length_are_read_a_word_at_a_time_or_the_long_way() {
        for n in 1..=10usize {
            let digits: String = "4294967295".chars().take(n).collect();
            // Short texts (no eight bytes to load) and long ones, each delimiter.
            for text in [digits.clone(), format!("{digits}, 0000000"), format!("{digits}}} "), format!("{digits}]")] {
                assert_eq!(Reader::new(&text).u32(), Ok(digits.parse().unwrap()), "{text:?}");
            }
        }
        for (text, value) in
            [("0,       ", 0), ("10000000,", 10_000_000), ("99999999 ", 99_999_999), ("4294967295", u32::MAX)]
        {
            assert_eq!(Reader::new(text).u32(), Ok(value), "{text:?}");
        }
        for text in ["01,       ", "4294967296,", "12x,      ", "1.5,      ", "-1,       ", "1e3,      ", "123456789a"]
        {
            assert!(Reader::new(text).u32().is_err(), "{text:?}");
        }
        for (text, all) in
            [("", true), ("8100000000000", true), ("81000000000.0", false), ("1e5", false), ("-1", false)]
        {
            assert_eq!(all_digits(text), all, "{text:?}");
        }
        for (word, run) in [(b"12345678", 8), (b"1234567,", 7), (b"/:09 abc", 0), (b"09/     ", 2)] {
            assert_eq!(digit_run(u64::from_le_bytes(*word)), run, "{:?}", std::str::from_utf8(word));
        }
    }

    #[test]
    fn a_type_error_points_at_the_value() {
        let mut r = Reader::new(r#"{"id": "7"}"#);
        let err = r.fields(names!["id"], Unknown::Refuse, |r, _| r.u32().map(|_| ())).unwrap_err();
        assert_eq!((err.offset, err.message.as_str()), (7, "expected a number, found a string"));
        assert_eq!(err.trail, [Mark::Member { open: 0, at: 0, past: 1 }]);
    }

    #[test]
    fn keys_match_word_at_a_time_or_the_long_way_with_the_same_outcome() {
        // Names shorter than, as long as and longer than the sixteen bytes
        // matched a word at a time (with the quote and colon).
        const NAMES: &Names = names!["a", "fourteen_bytes", "fifteen_bytes__", "sixteen_bytes___", "seventeen_bytes__"];
        let read = |text: &str, unknown| {
            let mut r = Reader::new(text);
            let mut order = Vec::new();
            r.fields(NAMES, unknown, |r, f| {
                order.push(f);
                r.skip()
            })
            .map(|seen| (order, seen.mask, seen.end))
        };
        let all = (vec![0, 1, 2, 3, 4], 0b11111);
        for text in [
            // Plain keys with the colon right after them: the word compare.
            r#"{"a":1,"fourteen_bytes":2,"fifteen_bytes__":3,"sixteen_bytes___":4,"seventeen_bytes__":5}"#,
            // Space before a colon, escapes, and the end of the text within sixteen bytes: read in full.
            r#"{"a" :1,"fourteen_bytes" : 2,"fifteen\u005fbytes__":3,"sixteen_bytes___"  :4, "seventeen_bytes__":5}"#,
            "{\"a\":1,\"fourteen_bytes\":2,\"fifteen_bytes__\":3,\"sixteen_bytes___\":4,\n\"seventeen_bytes__\"\n:\n5}",
        ] {
            let (order, mask, end) = read(text, Unknown::Refuse).unwrap();
            assert_eq!((order, mask, end), (all.0.clone(), all.1, text.len()), "{text}");
        }
        assert_eq!(read(r#"{"a":1}"#, Unknown::Refuse), Ok((vec![0], 1, 7)));
        // A key that starts like a name is another key.
        for text in
            [r#"{"ab":1}"#, r#"{"fifteen_bytes___":1}"#, r#"{"sixteen_bytes____":1}"#, r#"{"seventeen_bytes_":1}"#]
        {
            let err = read(text, Unknown::Refuse).unwrap_err();
            assert!(err.message.starts_with("unknown field"), "{text}: {}", err.message);
            assert_eq!(read(text, Unknown::Skip), Ok((vec![], 0, text.len())), "{text}");
        }
        // Unknown keys skipped, then a known one (matched on the way out of the skip).
        let skipped = r#"{"x": [1, {"a": 2}], "y\u0041": 3, "a":4}"#;
        assert_eq!(read(skipped, Unknown::Skip), Ok((vec![0], 1, skipped.len())));
        // Duplicates are reported after the key, however it was matched.
        for (text, at) in [(r#"{"a":1,"a":2}"#, 10), (r#"{"a":1,"a" :2}"#, 10), (r#"{"a":1,"\u0061":2}"#, 15)] {
            let err = read(text, Unknown::Refuse).unwrap_err();
            assert_eq!((err.offset, err.message.as_str()), (at, "duplicate field `a`"), "{text}");
        }
        assert_eq!(
            read(r#"{"a" 1}"#, Unknown::Refuse).unwrap_err().message,
            "expected `:` after an object key, found `1`"
        );
    }

    #[test]
    fn a_long_lists_keys_are_found_by_their_first_bytes_and_others_are_skipped() {
        // More names than `SHORT_LIST`: one and two bytes long, sharing their
        // first four bytes with their quote and colon, and past sixteen bytes.
        const NAMES: &Names = names![
            "a",
            "id",
            "price",
            "price_set",
            "prices",
            "product_id",
            "properties",
            "tax_lines",
            "taxable",
            "total_discount_set",
            "total_discount_set_x",
            "sixteen_bytes___"
        ];
        let read = |text: &str| {
            let mut r = Reader::new(text);
            let mut order = Vec::new();
            r.fields(NAMES, Unknown::Skip, |r, f| {
                order.push(f);
                r.skip()
            })
            .map(|seen| (order, seen.end))
        };
        for (f, name) in NAMES.list.iter().enumerate() {
            // Far from the end of the text (the table) and near it (by length).
            for text in [format!(r#"{{"{name}":1,"padding_to_look_past":[1,2,3]}}"#), format!(r#"{{"{name}":1}}"#)] {
                assert_eq!(read(&text), Ok((vec![f], text.len())), "{text}");
            }
        }
        // Keys that begin like names, or are names cut short, are other keys.
        for other in ["b", "i", "ids", "pric", "price_se", "price_sets", "tax", "total_discount_se", "sixteen_bytes__"]
        {
            let text = format!(r#"{{"{other}":{{"id":1}},"id":2,"long_enough_to_look_past":0}}"#);
            assert_eq!(read(&text), Ok((vec![1], text.len())), "{text}");
        }
    }

    #[test]
    fn plain_digits_are_whole_numbers_as_json_writes_them() {
        for (text, digits) in [
            ("8100000000000, ", Some("8100000000000")),
            ("0}", Some("0")),
            ("7", Some("7")),
            (" 123456789012345678901234]", Some("123456789012345678901234")),
            ("0123, ", None),
            ("-1, ", None),
            ("1.5, ", None),
            ("1e5, ", None),
            ("12345678x", None),
            ("\"12\"", None),
            ("", None),
        ] {
            let mut r = Reader::new(text);
            let got = r.plain_digits();
            assert_eq!(got.map(|(d, _)| d), digits, "{text:?}");
            // Nothing but white space is consumed when it is not one.
            let consumed = text.len() - text.trim_start().len() + digits.map_or(0, str::len);
            assert_eq!(r.offset(), consumed, "{text:?}");
        }
    }
}
