//! Exports `sparklayer-orderwise:bridge/{tenant,orders}@0.3.0`: the upload gate
//! must refuse it as incompatible with the host's 0.2.x contract.
#![cfg(target_arch = "wasm32")]

wit_bindgen::generate!({ world: "bridge", path: "wit" });

struct Component;

impl exports::sparklayer_orderwise::bridge::tenant::Guest for Component {
    fn component_version() -> String {
        "0.3.0".into()
    }
}

impl exports::sparklayer_orderwise::bridge::orders::Guest for Component {
    fn ping() -> String {
        "0.3.0".into()
    }
}

export!(Component);
