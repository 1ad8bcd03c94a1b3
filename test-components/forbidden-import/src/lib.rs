//! A bridge component that reads a file: it imports `wasi:filesystem`, which
//! the platform does not allow, so the upload gate must refuse it.
#![cfg(target_arch = "wasm32")]

wit_bindgen::generate!({ world: "bridge", path: "../hostile/wit" });

use exports::sparklayer_orderwise::bridge::{orders, tenant};
use sparklayer_orderwise::bridge::types::{Outcome, ProfileError, ProfileSummary, Status};

struct Component;
struct Profile;

impl tenant::Guest for Component {
    type Profile = Profile;
    fn bake(_json: String, _digest: String) -> Result<ProfileSummary, ProfileError> {
        Err(ProfileError { field: String::new(), message: "not supported".into() })
    }
    fn component_version() -> String {
        "forbidden-import".into()
    }
}

impl tenant::GuestProfile for Profile {
    fn parse(_json: String) -> Result<tenant::Profile, ProfileError> {
        Ok(tenant::Profile::new(Profile))
    }

    fn baked() -> Option<tenant::Profile> {
        None
    }

    fn summary(&self) -> ProfileSummary {
        ProfileSummary {
            name: "forbidden-import".into(),
            baked_digest: None,
            variants: 0,
            units: 0,
            customers: 0,
            tax_rates: 0,
            delivery_methods: 0,
            stock_locations: 0,
        }
    }
}

impl orders::Guest for Component {
    fn map_order(_profile: tenant::ProfileBorrow<'_>, _order: String) -> Outcome {
        let secret = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        Outcome { status: Status::Ready, order_key: Some(secret), sales_order: None, issues: vec![] }
    }
}

export!(Component);
