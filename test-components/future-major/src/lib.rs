//! Exports `sparklayer-orderwise:bridge/mapper@0.2.0`: the upload gate must
//! refuse it as incompatible with the host's 0.1.x contract.
#![cfg(target_arch = "wasm32")]

wit_bindgen::generate!({ world: "bridge", path: "wit" });

struct Component;

impl exports::sparklayer_orderwise::bridge::mapper::Guest for Component {
    fn component_version() -> String {
        "0.2.0".into()
    }
}

export!(Component);
