//! Time zones, timestamps and calendar dates, for every flow: the orders
//! flow dates a sales order in OrderWise's zone, reconciliation cuts its
//! period in it (`reconcile/period.rs`).
//!
//! No time-zone database is available (the component has no files), so two
//! kinds of zone are supported, stated rather than guessed:
//! - `Europe/London`, by the UK rule (Summer Time Order 2002, and the EU rule
//!   it mirrors): BST (UTC+1) from 01:00 UTC on the last Sunday of March to
//!   01:00 UTC on the last Sunday of October; GMT (UTC+0) otherwise.
//! - a fixed offset from UTC (`+02:00`, `-05:00`, `UTC`), for any other zone;
//!   it does not follow that zone's daylight-saving changes.
//!
//! Nothing here reads a clock: "now" is always the `as-of` instant given.

/// Seconds since 1970-01-01T00:00:00Z.
pub type Instant = i64;

/// The zone a tenant's periods are cut in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    /// The UK rule: GMT, and BST from the last Sunday of March to the last Sunday of October.
    EuropeLondon,
    /// A fixed offset from UTC, in seconds (east positive).
    Fixed(i32),
}

impl TimeZone {
    /// `Europe/London`, `UTC`, or a fixed offset `+HH:MM` / `-HH:MM`.
    pub fn parse(text: &str) -> Result<TimeZone, String> {
        match text.trim() {
            "Europe/London" => return Ok(TimeZone::EuropeLondon),
            "UTC" | "Etc/UTC" | "Z" => return Ok(TimeZone::Fixed(0)),
            _ => {}
        }
        parse_offset(text.trim()).map(TimeZone::Fixed).ok_or_else(|| {
            format!(
                "{text:?} is not a supported time zone: use \"Europe/London\" (the UK rule is built in) or a fixed UTC offset such as \"+01:00\" (no time-zone database is available)"
            )
        })
    }

    /// The offset from UTC in force at `utc`, seconds.
    pub fn offset_at(self, utc: Instant) -> i32 {
        match self {
            TimeZone::Fixed(offset) => offset,
            TimeZone::EuropeLondon => {
                if is_bst(utc) {
                    3600
                } else {
                    0
                }
            }
        }
    }

    /// The instant of a wall-clock time in this zone (seconds since the epoch
    /// as if the wall clock were UTC). For the UK: in the hour that happens
    /// twice when BST ends, the first (BST) one; a time in the hour skipped
    /// when BST starts is read as GMT (so 01:30 on that day is 02:30 BST).
    pub fn to_utc(self, local: i64) -> Instant {
        match self {
            TimeZone::Fixed(offset) => local - i64::from(offset),
            TimeZone::EuropeLondon => {
                let summer = local - 3600;
                if is_bst(summer) {
                    summer
                } else {
                    local
                }
            }
        }
    }

    /// The wall-clock time in this zone at `utc` (seconds since the epoch as if UTC).
    pub fn to_local(self, utc: Instant) -> i64 {
        utc + i64::from(self.offset_at(utc))
    }

    /// How the zone is named in reports.
    pub fn name(self) -> String {
        match self {
            TimeZone::EuropeLondon => "Europe/London".to_owned(),
            TimeZone::Fixed(0) => "UTC".to_owned(),
            TimeZone::Fixed(offset) => format_offset(offset),
        }
    }
}

/// `+HH:MM`, `+HHMM` or `+HH` (or `-`), up to 14 hours either way: RFC 3339
/// writes the first, and the others are ISO 8601's too, as Java, PHP and
/// Python's `%z` write them.
fn parse_offset(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = two_digits(b.get(1..3)?)?;
    let minutes = match &b[3..] {
        [] => 0,
        [b':', m @ ..] | m => two_digits(m)?,
    };
    if hours > 14 || minutes > 59 || (hours == 14 && minutes > 0) {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60) as i32)
}

fn format_offset(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
}

pub fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some(u32::from(a - b'0') * 10 + u32::from(c - b'0')),
        _ => None,
    }
}

/// Whether `utc` falls in British Summer Time: from 01:00 UTC on the last
/// Sunday of March (inclusive) to 01:00 UTC on the last Sunday of October (exclusive).
pub fn is_bst(utc: Instant) -> bool {
    let (year, _, _) = civil_from_days(utc.div_euclid(86_400));
    let start = last_sunday(year, 3) * 86_400 + 3600;
    let end = last_sunday(year, 10) * 86_400 + 3600;
    (start..end).contains(&utc)
}

/// The day number (days since 1970-01-01) of the last Sunday of a month.
fn last_sunday(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // 1970-01-01 was a Thursday: (days + 4) mod 7 is 0 on a Sunday.
    last - (last + 4).rem_euclid(7)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of `days_from_civil`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A local calendar date, as a day number (days since 1970-01-01).
pub type Day = i64;

/// `YYYY-MM-DD` as a day number.
pub fn parse_date(text: &str) -> Option<Day> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = four_digits(&b[0..4])?;
    let month = two_digits(&b[5..7])?;
    let day = two_digits(&b[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

pub fn four_digits(b: &[u8]) -> Option<i64> {
    Some(i64::from(two_digits(&b[0..2])?) * 100 + i64::from(two_digits(&b[2..4])?))
}

/// A timestamp as written: its wall-clock time and, when it says so, its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The wall-clock time, as seconds since the epoch as if it were UTC.
    pub local: i64,
    /// The offset it was written with (`Z`, `+01:00`), seconds; `None` when it has none.
    pub offset: Option<i32>,
}

impl Stamp {
    /// The instant: by its own offset, else as a wall-clock time in `zone`.
    pub fn instant(self, zone: TimeZone) -> Instant {
        match self.offset {
            Some(offset) => self.local - i64::from(offset),
            None => zone.to_utc(self.local),
        }
    }
}

/// ISO 8601 / RFC 3339 as Shopify and OrderWise write it:
/// `YYYY-MM-DDTHH:MM:SS` with optional fraction and `Z` or `±HH:MM`
/// (a space for the `T` is accepted), or a bare date `YYYY-MM-DD` (midnight).
pub fn parse_stamp(text: &str) -> Option<Stamp> {
    let text = crate::shared::text::trim_short(text);
    let day = parse_date(text.get(..10)?)?;
    let rest = &text[10..];
    if rest.is_empty() {
        return Some(Stamp { local: day * 86_400, offset: None });
    }
    let b = rest.as_bytes();
    if b.len() < 9 || !matches!(b[0], b'T' | b' ') || b[3] != b':' || b[6] != b':' {
        return None;
    }
    let (h, m, s) = (two_digits(&b[1..3])?, two_digits(&b[4..6])?, two_digits(&b[7..9])?);
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let mut tail = &rest[9..];
    if let Some(frac) = tail.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        tail = &frac[digits..];
    }
    // A space before the offset, as some libraries write it, is read past.
    let offset = match tail.strip_prefix(' ').unwrap_or(tail) {
        "" => None,
        "Z" | "z" => Some(0),
        other => Some(parse_offset(other)?),
    };
    let local = day * 86_400 + i64::from(h * 3600 + m * 60 + s.min(59));
    Some(Stamp { local, offset })
}

/// `2025-03-31T22:30:00Z`.
pub fn format_utc(utc: Instant) -> String {
    format!("{}Z", format_wall_clock(utc))
}

/// `2025-03-31T23:30:00`: a wall-clock time (seconds since the epoch as if UTC), no offset.
pub fn format_wall_clock(local: i64) -> String {
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400) as u32;
    let Ok(year @ 0..=9999) = u32::try_from(y) else {
        return format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60);
    };
    // Digit by digit: every order is dated, and `core::fmt` costs it ~3,000
    // fuel (docs/benchmarks.md).
    let mut out = *b"0000-00-00T00:00:00";
    let mut put = |at: usize, value: u32, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, mo, 2);
    put(8, d, 2);
    put(11, secs / 3600, 2);
    put(14, secs % 3600 / 60, 2);
    put(17, secs % 60, 2);
    out.iter().map(|&b| char::from(b)).collect()
}

/// `2025-03-31`.
pub fn format_date(day: Day) -> String {
    let (y, mo, d) = civil_from_days(day);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// `2025-03-31 23:30 BST`-style local time in `zone` (the offset written out).
pub fn format_local(utc: Instant, zone: TimeZone) -> String {
    let offset = zone.offset_at(utc);
    format!("{}{}", format_wall_clock(utc + i64::from(offset)), format_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_clock_is_written_as_owapi_takes_it() {
        for text in ["2025-12-31T23:59:59", "1999-01-01T00:00:00", "2024-02-29T12:05:09", "0001-03-01T01:02:03"] {
            assert_eq!(format_wall_clock(parse_stamp(text).unwrap().local), text);
        }
        // Outside four-digit years (an offset applied at the edge): still a date, never a panic.
        assert_eq!(format_wall_clock(-3600), "1969-12-31T23:00:00");
        let before_year_one = days_from_civil(0, 1, 1) * 86_400 - 1;
        assert_eq!(format_wall_clock(before_year_one), "-001-12-31T23:59:59");
    }

    #[test]
    fn a_utc_stamp_is_read_as_londons_wall_clock() {
        let london = TimeZone::EuropeLondon;
        let at = |text: &str| format_wall_clock(london.to_local(parse_stamp(text).unwrap().instant(london)));
        assert_eq!(at("2025-05-31T23:30:00Z"), "2025-06-01T00:30:00");
        assert_eq!(at("2025-01-31T23:30:00Z"), "2025-01-31T23:30:00");
        assert_eq!(at("2025-03-14T05:22:29-05:00"), "2025-03-14T10:22:29");
        // ISO 8601's other offset spellings, and a space before one.
        for text in ["2025-03-14T05:22:29-0500", "2025-03-14T05:22:29-05", "2025-03-14T05:22:29 -05:00"] {
            assert_eq!(at(text), "2025-03-14T10:22:29", "{text}");
        }
        for bad in
            ["2025-03-14T05:22:29-5", "2025-03-14T05:22:29-05:0", "2025-03-14T05:22:29+15:00", "2025-03-14T05:22:29  Z"]
        {
            assert!(parse_stamp(bad).is_none(), "{bad}");
        }
    }
}
