//! The reconciliation's settings: the optional `reconcile` section of the
//! tenant profile (docs/profile.md). Every field has a default, so a profile
//! without the section reconciles as a UK tenant with no tolerance.

use crate::shared::json::{names, Error, Names, Reader, Unknown};
use crate::shared::reference::read_amount;
use crate::shared::time::TimeZone;
use rust_decimal::Decimal;

/// The largest reconciliation tolerance accepted: a pound. Beyond it real
/// differences would pass as rounding.
pub const MAX_TOLERANCE: Decimal = Decimal::from_parts(100, 0, 0, false, 2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The zone the period is cut in (default Europe/London).
    pub time_zone: TimeZone,
    /// A net, VAT or gross difference up to this much is not reported (default 0.00).
    pub tolerance: Decimal,
    /// A ready order not in OrderWise after this many hours is stalled (default 24).
    pub stalled_after_hours: u32,
    /// Values of the export's `type` column that mean a credit note, compared
    /// without regard to case (default `credit`, `credit note`, `cn`).
    pub credit_note_types: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_zone: TimeZone::EuropeLondon,
            tolerance: Decimal::ZERO,
            stalled_after_hours: 24,
            credit_note_types: vec!["credit".into(), "credit note".into(), "cn".into()],
        }
    }
}

const FIELDS: &Names = names!["timeZone", "tolerance", "stalledAfterHours", "creditNoteTypes"];

impl Settings {
    pub fn read(r: &mut Reader) -> Result<Settings, Error> {
        let mut s = Settings::default();
        r.fields_cold(FIELDS, Unknown::Refuse, &mut |r, f| {
            let at = r.offset_of_value();
            match f {
                0 => {
                    let text = r.string_cold()?;
                    s.time_zone = TimeZone::parse(&text).map_err(|why| Error::at(at, why))?;
                }
                1 => {
                    s.tolerance = read_amount(r)?;
                    if s.tolerance.is_sign_negative() && !s.tolerance.is_zero() {
                        return Err(Error::at(at, "must not be negative"));
                    }
                    if s.tolerance > MAX_TOLERANCE {
                        return Err(Error::at(
                            at,
                            format!(
                                "at most {MAX_TOLERANCE}: a larger tolerance would pass real differences as rounding"
                            ),
                        ));
                    }
                }
                2 => {
                    s.stalled_after_hours = r.u32_cold()?;
                    if !(1..=24 * 31).contains(&s.stalled_after_hours) {
                        return Err(Error::at(at, "must be from 1 to 744 hours (31 days)"));
                    }
                }
                _ => {
                    let mut types = Vec::new();
                    r.items_cold(&mut |r, _| {
                        let at = r.offset_of_value();
                        let t = r.string_cold()?;
                        let t = t.trim();
                        if t.is_empty() {
                            return Err(Error::at(at, "a credit-note type must not be blank"));
                        }
                        types.push(t.to_lowercase());
                        Ok(())
                    })?;
                    if types.is_empty() {
                        return Err(Error::at(at, "list at least one type, e.g. [\"credit\"]"));
                    }
                    s.credit_note_types = types;
                }
            }
            Ok(())
        })?;
        Ok(s)
    }

    /// Whether an export row's `type` names a credit note.
    pub fn is_credit_type(&self, kind: &str) -> bool {
        let kind = kind.trim();
        self.credit_note_types.iter().any(|t| t.eq_ignore_ascii_case(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Settings, Error> {
        Settings::read(&mut Reader::new(json))
    }

    #[test]
    fn an_empty_section_is_the_defaults() {
        assert_eq!(read("{}").unwrap(), Settings::default());
    }

    #[test]
    fn fixed_offsets_and_london_are_read_other_zones_refused() {
        assert_eq!(read(r#"{"timeZone": "+02:00"}"#).unwrap().time_zone, TimeZone::Fixed(7200));
        assert_eq!(read(r#"{"timeZone": "UTC"}"#).unwrap().time_zone, TimeZone::Fixed(0));
        let e = read(r#"{"timeZone": "Europe/Paris"}"#).unwrap_err();
        assert!(e.message.contains("fixed UTC offset"), "{}", e.message);
    }

    #[test]
    fn a_tolerance_beyond_a_pound_and_unknown_fields_are_refused() {
        assert!(read(r#"{"tolerance": "1.01"}"#).unwrap_err().message.contains("at most 1.00"));
        assert!(read(r#"{"tolerance": "-0.01"}"#).unwrap_err().message.contains("negative"));
        assert!(read(r#"{"stalledAfter": 3}"#).unwrap_err().message.contains("unknown field"));
        assert!(read(r#"{"stalledAfterHours": 0}"#).unwrap_err().message.contains("from 1"));
    }
}
