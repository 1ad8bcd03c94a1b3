//! Periods: which orders belong to the month.
//!
//! Prevents: an order placed at 23:30 BST on the last day of the month (22:30
//! UTC) being counted in the next month, or one at 00:30 BST on the first
//! (23:30 UTC the day before) in the previous one: the period is cut at
//! midnight in the tenant's time zone, not in UTC (`shared/time.rs`).

use crate::shared::time::{
    days_from_civil, days_in_month, format_date, four_digits, parse_date, two_digits, Day, Instant, Stamp, TimeZone,
};

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
    use crate::shared::time::{civil_from_days, format_local, format_utc, is_bst, parse_stamp};

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
