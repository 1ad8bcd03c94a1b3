//! Periods, time zones and timestamps: which orders belong to the month.
//!
//! Prevents: an order placed at 23:30 BST on the last day of the month (22:30
//! UTC) being counted in the next month, or one at 00:30 BST on the first
//! (23:30 UTC the day before) in the previous one: the period is cut at
//! midnight in the tenant's time zone, not in UTC.
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

/// `+HH:MM` or `-HH:MM`, up to 14 hours either way.
fn parse_offset(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours = two_digits(&b[1..3])?;
    let minutes = two_digits(&b[4..6])?;
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

fn two_digits(b: &[u8]) -> Option<u32> {
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

fn four_digits(b: &[u8]) -> Option<i64> {
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
    let text = text.trim();
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
    let offset = match tail {
        "" => None,
        "Z" | "z" => Some(0),
        other => Some(parse_offset(other)?),
    };
    let local = day * 86_400 + i64::from(h * 3600 + m * 60 + s.min(59));
    Some(Stamp { local, offset })
}

/// `2025-03-31T22:30:00Z`.
pub fn format_utc(utc: Instant) -> String {
    let (y, mo, d) = civil_from_days(utc.div_euclid(86_400));
    let secs = utc.rem_euclid(86_400);
    format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// `2025-03-31`.
pub fn format_date(day: Day) -> String {
    let (y, mo, d) = civil_from_days(day);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// `2025-03-31 23:30 BST`-style local time in `zone` (the offset written out).
pub fn format_local(utc: Instant, zone: TimeZone) -> String {
    let offset = zone.offset_at(utc);
    let local = utc + i64::from(offset);
    let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
    let secs = local.rem_euclid(86_400);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}{}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        format_offset(offset)
    )
}

/// A reconciliation period: whole local days in the tenant's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first local day in the period.
    pub first: Day,
    /// The last local day in the period (inclusive).
    pub last: Day,
    /// Local midnight starting `first`, as an instant.
    pub start: Instant,
    /// Local midnight after `last`, as an instant (exclusive).
    pub end: Instant,
    pub zone: TimeZone,
}

impl Period {
    /// `YYYY-MM` (a calendar month) or `YYYY-MM-DD..YYYY-MM-DD` (whole days,
    /// both inclusive: month to date, a week), cut in `zone`.
    pub fn parse(text: &str, zone: TimeZone) -> Result<Period, String> {
        let text = text.trim();
        let bad = || format!("period {text:?} is neither YYYY-MM nor YYYY-MM-DD..YYYY-MM-DD");
        let (first, last) = match text.split_once("..") {
            Some((a, b)) => (parse_date(a).ok_or_else(bad)?, parse_date(b).ok_or_else(bad)?),
            None => {
                let b = text.as_bytes();
                if b.len() != 7 || b[4] != b'-' {
                    return Err(bad());
                }
                let year = four_digits(&b[0..4]).ok_or_else(bad)?;
                let month = two_digits(&b[5..7]).filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
                (days_from_civil(year, month, 1), days_from_civil(year, month, days_in_month(year, month)))
            }
        };
        if last < first {
            return Err(format!("period {text:?} ends before it starts"));
        }
        Ok(Period::days(first, last, zone))
    }

    pub fn days(first: Day, last: Day, zone: TimeZone) -> Period {
        Period { first, last, start: zone.to_utc(first * 86_400), end: zone.to_utc((last + 1) * 86_400), zone }
    }

    pub fn contains(&self, utc: Instant) -> bool {
        (self.start..self.end).contains(&utc)
    }

    pub fn contains_day(&self, day: Day) -> bool {
        (self.first..=self.last).contains(&day)
    }

    /// The local day of an instant.
    pub fn local_day(&self, utc: Instant) -> Day {
        self.zone.to_local(utc).div_euclid(86_400)
    }

    /// The local day a timestamp falls on: its own offset's instant seen in the
    /// tenant's zone; a bare date or a time without offset is local already.
    /// Whether a row's date (a day, or a timestamp) falls in the period.
    pub fn holds(&self, stamp: Stamp) -> bool {
        self.contains_day(self.day_of(stamp))
    }

    pub fn day_of(&self, stamp: Stamp) -> Day {
        match stamp.offset {
            None => stamp.local.div_euclid(86_400),
            Some(_) => self.local_day(stamp.instant(self.zone)),
        }
    }

    /// `2025-03-01..2025-03-31 (Europe/London)`.
    pub fn label(&self) -> String {
        format!("{}..{}", format_date(self.first), format_date(self.last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        parse_stamp(text).unwrap().instant(TimeZone::Fixed(0))
    }

    #[test]
    fn bst_starts_and_ends_at_one_in_the_morning_utc_on_the_last_sundays() {
        // 2025: last Sunday of March is the 30th, of October the 26th.
        assert!(!is_bst(at("2025-03-30T00:59:59Z")));
        assert!(is_bst(at("2025-03-30T01:00:00Z")));
        assert!(is_bst(at("2025-10-26T00:59:59Z")));
        assert!(!is_bst(at("2025-10-26T01:00:00Z")));
        // 2024: 31 March and 27 October.
        assert!(is_bst(at("2024-03-31T01:00:00Z")));
        assert!(!is_bst(at("2024-03-30T12:00:00Z")));
        assert!(!is_bst(at("2024-10-27T01:00:00Z")));
        assert!(!is_bst(at("2025-01-15T12:00:00Z")));
    }

    #[test]
    fn an_order_at_half_past_eleven_bst_on_the_last_day_belongs_to_that_month() {
        let london = TimeZone::EuropeLondon;
        let april = Period::parse("2025-04", london).unwrap();
        let may = Period::parse("2025-05", london).unwrap();
        // 23:30 BST on 30 April is 22:30 UTC.
        let order = parse_stamp("2025-04-30T22:30:00Z").unwrap().instant(london);
        assert!(april.contains(order));
        assert!(!may.contains(order));
        // 00:30 BST on 1 May is 23:30 UTC on 30 April: May's.
        let next = parse_stamp("2025-05-01T00:30:00+01:00").unwrap().instant(london);
        assert!(may.contains(next) && !april.contains(next));
        assert_eq!(april.start, at("2025-03-31T23:00:00Z"));
        assert_eq!(april.end, at("2025-04-30T23:00:00Z"));
    }

    #[test]
    fn march_starts_in_gmt_and_ends_in_bst() {
        let march = Period::parse("2025-03", TimeZone::EuropeLondon).unwrap();
        assert_eq!(format_utc(march.start), "2025-03-01T00:00:00Z");
        assert_eq!(format_utc(march.end), "2025-03-31T23:00:00Z");
        let october = Period::parse("2025-10", TimeZone::EuropeLondon).unwrap();
        assert_eq!(format_utc(october.start), "2025-09-30T23:00:00Z");
        assert_eq!(format_utc(october.end), "2025-11-01T00:00:00Z");
    }

    #[test]
    fn wall_clock_times_without_offset_are_read_in_the_tenant_zone() {
        let london = TimeZone::EuropeLondon;
        assert_eq!(format_utc(parse_stamp("2025-07-01T09:00:00").unwrap().instant(london)), "2025-07-01T08:00:00Z");
        assert_eq!(format_utc(parse_stamp("2025-01-01T09:00:00").unwrap().instant(london)), "2025-01-01T09:00:00Z");
        // The repeated hour when BST ends: the first (BST) one.
        assert_eq!(format_utc(london.to_utc(at("2025-10-26T01:30:00Z"))), "2025-10-26T00:30:00Z");
        let plus_two = TimeZone::Fixed(7200);
        assert_eq!(format_utc(parse_stamp("2025-07-01 09:00:00").unwrap().instant(plus_two)), "2025-07-01T07:00:00Z");
        assert_eq!(format_local(at("2025-07-01T08:00:00Z"), london), "2025-07-01T09:00:00+01:00");
    }

    #[test]
    fn timestamps_and_periods_that_are_not_dates_are_refused() {
        for bad in ["2025-02-30", "2025-13-01T00:00:00Z", "31/03/2025", "2025-03-31T24:00:00Z", "2025-03-31T10:00"] {
            assert!(parse_stamp(bad).is_none(), "{bad}");
        }
        assert!(parse_stamp("2025-03-31T10:00:00.123+01:00").is_some());
        assert!(Period::parse("2025-3", TimeZone::EuropeLondon).is_err());
        assert!(Period::parse("2025-03-10..2025-03-01", TimeZone::EuropeLondon).is_err());
        let week = Period::parse("2025-03-24..2025-03-30", TimeZone::EuropeLondon).unwrap();
        assert_eq!(format_utc(week.end), "2025-03-30T23:00:00Z");
    }

    #[test]
    fn civil_days_round_trip() {
        for days in [-1000, 0, 365, 11_016, 20_000, 20_178, 30_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
