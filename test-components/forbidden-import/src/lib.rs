//! A bridge component that reads a file: it imports `wasi:filesystem`, which
//! the platform does not allow, so the upload gate must refuse it.
#![cfg(target_arch = "wasm32")]

wit_bindgen::generate!({ world: "bridge", path: "../../wit" });

use exports::sparklayer_orderwise::bridge::mapper::{self, GuestProfile};
use sparklayer_orderwise::bridge::types::{Outcome, ProfileError, Status};

struct Component;
struct Profile;

impl mapper::Guest for Component {
    type Profile = Profile;
    fn component_version() -> String {
        "forbidden-import".into()
    }
}

impl GuestProfile for Profile {
    fn parse(_json: String) -> Result<mapper::Profile, ProfileError> {
        Ok(mapper::Profile::new(Profile))
    }

    fn map_order(&self, _order: String) -> Outcome {
        let secret = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        Outcome { status: Status::Ready, order_key: Some(secret), sales_order: None, issues: vec![] }
    }
}

export!(Component);
