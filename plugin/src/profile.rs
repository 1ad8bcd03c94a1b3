//! The tenant profile: one JSON document with the reference data every flow
//! consults (`reference`, synced from OrderWise) and each flow's settings
//! (`orders`, `stock`; later `reconcile`). Parsed and validated once, then
//! reused for every call, or baked into the component so a call pays nothing
//! for it. docs/profile.md documents each field; fixtures/profile.json is the
//! worked example.

use crate::orders::settings::Settings as OrdersSettings;
use crate::reconcile::settings::Settings as ReconcileSettings;
use crate::shared::json::{names, Error, Names, Reader, Unknown};
use crate::shared::pointer::pointer_of;
use crate::shared::reference::Reference;
use crate::stock::settings::Settings as StockSettings;
use std::sync::OnceLock;

/// Why a profile was refused: which field (a JSON pointer) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    pub field: String,
    pub message: String,
}

impl ProfileError {
    fn at(field: impl Into<String>, message: impl Into<String>) -> Self {
        ProfileError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = if self.field.is_empty() { "(document)" } else { &self.field };
        write!(f, "profile field {field}: {}", self.message)
    }
}

/// A validated tenant profile with its lookup tables built.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub reference: Reference,
    pub orders: OrdersSettings,
    /// The optional `reconcile` section (defaults when absent).
    pub reconcile: ReconcileSettings,
    /// The stock flow's settings; `None` when the tenant does not run it.
    pub stock: Option<StockSettings>,
    /// For a baked profile: the SHA-256 of its text, as the baking host gave it.
    pub baked_digest: Option<String>,
}

const FIELDS: &Names = names!["name", "reference", "orders", "stock", "reconcile"];

impl Profile {
    pub fn parse(json: &str) -> Result<Profile, ProfileError> {
        // RFC 8259 §8.1: a parser may ignore a byte-order mark; editors on
        // Windows write one, and refusing it would point at no real field.
        let json = json.strip_prefix('\u{feff}').unwrap_or(json);
        let located = |e: Error| ProfileError::at(pointer_of(json, &e, &[]), e.message.clone());
        let mut r = Reader::new(json);
        let (mut name, mut reference, mut orders, mut stock) = (String::new(), None, None, None);
        let mut reconcile = ReconcileSettings::default();
        let seen = r
            .fields_cold(FIELDS, Unknown::Refuse, &mut |r, f| {
                match f {
                    0 => name = r.string()?.into_owned(),
                    1 => reference = Some(Reference::read(r)?),
                    2 => orders = Some(OrdersSettings::read(r)?),
                    3 => stock = Some(StockSettings::read(r)?),
                    _ => reconcile = ReconcileSettings::read(r)?,
                }
                Ok(())
            })
            .map_err(located)?;
        seen.require(FIELDS, &[0, 1, 2]).map_err(located)?;
        r.end().map_err(located)?;
        let (Some(mut reference), Some(mut orders)) = (reference, orders) else {
            return Err(ProfileError::at("", "the profile needs `reference` and `orders`"));
        };
        reference.index().map_err(|(at, why)| ProfileError::at(format!("/reference{at}"), why))?;
        orders.link(&reference).map_err(|(at, why)| ProfileError::at(format!("/orders{at}"), why))?;
        if let Some(stock) = &mut stock {
            stock.link(&reference).map_err(|(at, why)| ProfileError::at(format!("/stock{at}"), why))?;
        }
        // One zone for OrderWise's dates: the orders flow dates a sales order
        // in it, reconciliation cuts the month in it.
        match orders.time_zone_given {
            Some(zone) if zone != reconcile.time_zone => {
                return Err(ProfileError::at(
                    "/orders/timeZone",
                    format!(
                        "{} differs from reconcile.timeZone {} (Europe/London when not given): both are the zone OrderWise keeps its dates in; give them alike",
                        zone.name(),
                        reconcile.time_zone.name()
                    ),
                ));
            }
            _ => orders.time_zone = reconcile.time_zone,
        }
        Ok(Profile { name, reference, orders, stock, reconcile, baked_digest: None })
    }
}

/// The profile baked into this instance (see `bake`).
static BAKED: OnceLock<Profile> = OnceLock::new();

/// Parses `json` and keeps it for the life of the instance, so that a
/// snapshot of the instance (the host's pre-initialisation) carries it and
/// later instances start with it parsed. The text itself is zeroed once
/// parsed: the snapshot keeps only non-zero memory, so the component carries
/// the parsed tables, not the JSON too. A second call is refused: what is
/// baked must not change under a running platform.
pub fn bake(json: String, digest: String) -> Result<&'static Profile, ProfileError> {
    if BAKED.get().is_some() {
        return Err(ProfileError::at("", "a profile is already baked into this component; bake the unbaked component"));
    }
    let parsed = Profile::parse(&json);
    let mut text = json.into_bytes();
    text.fill(0);
    std::hint::black_box(&text);
    drop(text);
    let mut profile = parsed?;
    profile.baked_digest = Some(digest);
    Ok(BAKED.get_or_init(|| profile))
}

/// The baked profile, if this instance holds one.
pub fn baked() -> Option<&'static Profile> {
    BAKED.get()
}
