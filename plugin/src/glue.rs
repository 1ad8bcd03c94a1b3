//! The only WIT-aware file: converts between the generated bindings and the
//! plain-Rust core. No logic lives here.

use crate::orders::outcome::{Outcome, Status};
use crate::profile::{Profile, ProfileError};
use crate::shared::issues::{Issue, Owner, Severity};

wit_bindgen::generate!({
    world: "bridge",
    path: "../wit",
});

use exports::sparklayer_orderwise::bridge::{orders, stock, tenant};
use sparklayer_orderwise::bridge::types as wit;

struct Component;

/// The `profile` resource: parsed at run time, or the one baked into the
/// instance's memory image (a `'static`, so handing it out copies nothing).
enum ProfileHandle {
    Parsed(Box<Profile>),
    Baked(&'static Profile),
}

impl std::ops::Deref for ProfileHandle {
    type Target = Profile;
    fn deref(&self) -> &Profile {
        match self {
            ProfileHandle::Parsed(p) => p,
            ProfileHandle::Baked(p) => p,
        }
    }
}

impl tenant::Guest for Component {
    type Profile = ProfileHandle;

    fn bake(json: String, digest: String) -> Result<wit::ProfileSummary, wit::ProfileError> {
        crate::profile::bake(json, digest).map(summary).map_err(profile_error)
    }

    fn component_version() -> String {
        env!("CARGO_PKG_VERSION").to_owned()
    }
}

impl tenant::GuestProfile for ProfileHandle {
    fn parse(json: String) -> Result<tenant::Profile, wit::ProfileError> {
        Profile::parse(&json).map(|p| tenant::Profile::new(ProfileHandle::Parsed(Box::new(p)))).map_err(profile_error)
    }

    fn baked() -> Option<tenant::Profile> {
        crate::profile::baked().map(|p| tenant::Profile::new(ProfileHandle::Baked(p)))
    }

    fn summary(&self) -> wit::ProfileSummary {
        summary(self)
    }
}

impl orders::Guest for Component {
    fn map_order(profile: tenant::ProfileBorrow<'_>, order: String) -> wit::Outcome {
        let profile: &ProfileHandle = profile.get();
        crate::scratch::call(|| to_wit(crate::orders::map_order(profile, &order)))
    }
}

impl stock::Guest for Component {
    fn map_stock(profile: tenant::ProfileBorrow<'_>, input: stock::StockInput) -> stock::StockOutcome {
        let profile: &ProfileHandle = profile.get();
        crate::scratch::call(|| {
            let range = input.range.map_or_else(crate::stock::range::SkuRange::all, |r| {
                crate::stock::range::SkuRange { first: r.first, before: r.before }
            });
            let format = match input.format {
                stock::ExportFormat::Json => crate::stock::export::Format::Json,
                stock::ExportFormat::Csv => crate::stock::export::Format::Csv,
            };
            let core = crate::stock::Input {
                export: &input.export_body,
                format,
                current: input.current.as_deref(),
                range: &range,
            };
            let o = crate::stock::map_stock(profile, core);
            stock::StockOutcome {
                status: status(o.status),
                requests: o.requests,
                rows: o.rows,
                locations: o
                    .locations
                    .into_iter()
                    .map(|c| stock::LocationCount {
                        location: c.location,
                        sent: c.sent,
                        unchanged: c.unchanged,
                        clamped: c.clamped,
                        drifted: c.drifted,
                        missing: c.missing,
                    })
                    .collect(),
                issues: o.issues.into_iter().map(issue).collect(),
            }
        })
    }

    fn check_catalog(profile: tenant::ProfileBorrow<'_>, setup: String) -> stock::CatalogOutcome {
        let profile: &ProfileHandle = profile.get();
        crate::scratch::call(|| {
            let o = crate::stock::check_catalog(profile, &setup);
            stock::CatalogOutcome {
                status: status(o.status),
                skus: o.skus,
                packs: o.packs,
                issues: o.issues.into_iter().map(issue).collect(),
            }
        })
    }
}

fn status(s: Status) -> wit::Status {
    match s {
        Status::Ready => wit::Status::Ready,
        Status::Review => wit::Status::Review,
        Status::Rejected => wit::Status::Rejected,
    }
}

fn summary(p: &Profile) -> wit::ProfileSummary {
    let c = p.reference.counts();
    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    wit::ProfileSummary {
        name: p.name.clone(),
        baked_digest: p.baked_digest.clone(),
        variants: n(c.variants),
        units: n(c.units),
        customers: n(c.customers),
        tax_rates: n(c.tax_rates),
        delivery_methods: n(c.delivery_methods),
        stock_locations: n(c.stock_locations),
    }
}

fn profile_error(e: ProfileError) -> wit::ProfileError {
    wit::ProfileError { field: e.field, message: e.message }
}

fn to_wit(outcome: Outcome) -> wit::Outcome {
    wit::Outcome {
        status: status(outcome.status),
        order_key: outcome.order_key,
        sales_order: outcome.sales_order.map(|s| s.to_json()),
        issues: outcome.issues.into_iter().map(issue).collect(),
    }
}

fn issue(i: Issue) -> wit::Issue {
    wit::Issue {
        code: i.code.as_str().to_owned(),
        severity: match i.severity {
            Severity::Error => wit::Severity::Error,
            Severity::Warning => wit::Severity::Warning,
            Severity::Info => wit::Severity::Info,
        },
        pointer: i.pointer,
        message: i.message,
        owner: match i.owner {
            Owner::Finance => wit::Owner::Finance,
            Owner::Operations => wit::Owner::Operations,
            Owner::Ecommerce => wit::Owner::Ecommerce,
            Owner::Integration => wit::Owner::Integration,
        },
    }
}

export!(Component);
