//! A bridge component that misbehaves on command, to prove the harness
//! contains it. The order text picks the misbehaviour; anything else maps to
//! a ready outcome with an empty sales order (`{}`).
#![cfg(target_arch = "wasm32")]

wit_bindgen::generate!({ world: "bridge", path: "wit" });

use exports::sparklayer_orderwise::bridge::{orders, tenant};
use sparklayer_orderwise::bridge::types::{Outcome, ProfileError, ProfileSummary, Status};

struct Hostile;
struct Profile;

impl tenant::Guest for Hostile {
    type Profile = Profile;
    fn bake(_json: String, _digest: String) -> Result<ProfileSummary, ProfileError> {
        Err(ProfileError { field: String::new(), message: "the hostile component bakes nothing".into() })
    }
    fn component_version() -> String {
        "hostile".into()
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
            name: "hostile".into(),
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

impl orders::Guest for Hostile {
    fn map_order(_profile: tenant::ProfileBorrow<'_>, order: String) -> Outcome {
        let ready = |sales_order: Option<String>| Outcome {
            status: Status::Ready,
            order_key: None,
            sales_order,
            issues: vec![],
        };
        match order.trim() {
            // Spins until fuel or the wall-clock cap stops it.
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            // Grows memory a megabyte at a time until the cap refuses.
            "alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(std::hint::black_box(vec![1u8; 1 << 20]));
                }
            }
            "panic" => panic!("hostile component: panicking on purpose"),
            "trap" => core::arch::wasm32::unreachable(),
            "stack" => ready(Some(format!("{{\"n\":{}}}", recurse(std::hint::black_box(1))))),
            // Two megabytes of sales order: over the output cap.
            "big-output" => ready(Some(format!("{{\"x\":\"{}\"}}", "x".repeat(2 << 20)))),
            "not-json" => ready(Some("this is not JSON".into())),
            // Contract violations the platform must not take for success.
            "ready-without-order" => ready(None),
            "rejected-with-order" => Outcome { status: Status::Rejected, ..ready(Some("{}".into())) },
            "log" => {
                eprintln!("hostile component: a line on stderr");
                ready(Some("{}".into()))
            }
            _ => ready(Some("{}".into())),
        }
    }
}

#[allow(unconditional_recursion)]
fn recurse(n: u64) -> u64 {
    std::hint::black_box(recurse(std::hint::black_box(n + 1))) + 1
}

export!(Hostile);
