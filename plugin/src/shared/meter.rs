//! What one call may spend on characters handled one at a time.
//!
//! Most text is passed sixteen bytes a step (the string scan, `plain_prefix`),
//! but some characters are looked at one by one: an escape decoded, an
//! invisible or white-space character trimmed or removed, a line break, a
//! character tested for being a letter. Each costs tens to hundreds of fuel
//! units, and a mebibyte holds up to a million of them: a note of
//! zero-width spaces cost 42 million, a PO of dashes 492 million, against
//! the platform's 11 million. The meter counts them, and an order that
//! needs more than its allowance is refused with a coded answer before the
//! fuel runs out.
//!
//! Prevents: a payload under the input cap stopped for fuel (no answer at
//! all) because its text was made of the characters that cost the most.

use std::cell::Cell;

/// Bytes passed in bulk that count as one character handled one at a time:
/// the bulk passes cost up to ~8 fuel units a byte (text in other scripts,
/// `text::plain_prefix`), a character handled alone up to ~330.
pub const BULK: usize = 32;

/// Characters handled one at a time, left to spend. Shared by reference
/// (`Cell`), so the rules that clean text need no `&mut` to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meter {
    left: Cell<u32>,
    over: Cell<bool>,
    limit: u32,
}

impl Meter {
    pub fn new(limit: u32) -> Self {
        Meter { left: Cell::new(limit), over: Cell::new(false), limit }
    }

    /// For text that is not an order's (the profile, set up once; tests).
    pub fn unlimited() -> Self {
        Meter::new(u32::MAX)
    }

    /// Counts `n` characters: `false`, now and from then on, once the
    /// allowance is spent. The caller then stops handling its text one
    /// character at a time and answers cheaply; the call is refused
    /// (`over`) whatever that answer was.
    #[inline]
    pub fn spend(&self, n: u32) -> bool {
        match self.left.get().checked_sub(n) {
            Some(left) if !self.over.get() => {
                self.left.set(left);
                true
            }
            _ => {
                self.over.set(true);
                false
            }
        }
    }

    /// Counts text passed in bulk (sixteen bytes a step) where the same text
    /// may be passed again and again (a PO source, a gateway name compared
    /// with each configured one): a character's worth every `BULK` bytes.
    #[inline]
    pub fn pass(&self, bytes: usize) -> bool {
        self.spend(u32::try_from(bytes.div_ceil(BULK)).unwrap_or(u32::MAX))
    }

    /// Whether a call has asked for more than the allowance.
    pub fn over(&self) -> bool {
        self.over.get()
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Why a call that asked for more was refused, for whoever sent it.
    pub fn refusal(&self) -> String {
        format!(
            "the order's text needs more work than one call allows: more than {} characters handled one at a time \
             (escapes such as \\n or \\u00e9; invisible, white-space or control characters; line breaks; long text \
             read again and again, such as a PO source of tens of thousands of characters), within the platform's \
             instruction budget; no order Shopify sends needs as many: check what wrote the payload",
            self.limit
        )
    }
}

impl Default for Meter {
    fn default() -> Self {
        Meter::unlimited()
    }
}

#[cfg(test)]
mod tests {
    use super::Meter;

    #[test]
    fn an_allowance_is_spent_to_the_last_character_then_refused_for_good() {
        let meter = Meter::new(3);
        assert!(meter.spend(2));
        assert!(!meter.over());
        assert!(meter.spend(1));
        assert!(!meter.over());
        assert!(!meter.spend(1));
        assert!(meter.over());
        // Nothing is spent once over, not even what would fit.
        assert!(!meter.spend(0));
        let meter = Meter::new(3);
        assert!(!meter.spend(4));
        assert!(meter.over());
    }
}
