//! The profile's `stock` section is validated strictly, with the field named
//! as a JSON pointer, like the orders settings.

use plugin::Profile;
use serde_json::{json, Value};

fn profile_with(edit: impl FnOnce(&mut Value)) -> Result<Profile, plugin::ProfileError> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/stock/profile.json")).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    edit(&mut doc);
    Profile::parse(&doc.to_string())
}

fn field_of(edit: impl FnOnce(&mut Value)) -> String {
    profile_with(edit).expect_err("refused").field
}

#[test]
fn the_bundled_stock_profile_is_valid_and_a_profile_without_stock_still_is() {
    assert!(profile_with(|_| {}).unwrap().stock.is_some());
    assert!(profile_with(|d| {
        d.as_object_mut().unwrap().remove("stock");
    })
    .unwrap()
    .stock
    .is_none());
}

#[test]
fn the_export_kind_is_never_guessed() {
    assert_eq!(field_of(|d| d["stock"]["export"] = json!("partial")), "/stock/export");
    assert_eq!(
        field_of(|d| {
            d["stock"].as_object_mut().unwrap().remove("export");
        }),
        "/stock"
    );
}

#[test]
fn locations_must_exist_and_map_one_to_one() {
    let unknown = |d: &mut Value| d["stock"]["locations"] = json!([{"stockLocationId": 9, "externalId": "OW-9"}]);
    assert_eq!(field_of(unknown), "/stock/locations/0/stockLocationId");
    let twice = |d: &mut Value| {
        d["stock"]["locations"] =
            json!([{"stockLocationId": 1, "externalId": "OW-1"}, {"stockLocationId": 2, "externalId": "OW-1"}])
    };
    assert_eq!(field_of(twice), "/stock/locations/1");
    let empty = |d: &mut Value| d["stock"]["locations"] = json!([]);
    assert_eq!(field_of(empty), "/stock/locations");
    let default_unmapped = |d: &mut Value| d["stock"]["exportLocationId"] = json!(2);
    assert_eq!(field_of(default_unmapped), "/stock/exportLocationId");
}

#[test]
fn paging_and_drift_thresholds_are_checked() {
    assert_eq!(field_of(|d| d["stock"]["pageSize"] = json!(0)), "/stock/pageSize");
    assert_eq!(field_of(|d| d["stock"]["drift"] = json!({})), "/stock/drift");
    assert_eq!(field_of(|d| d["stock"]["drift"] = json!({"percent": "-5"})), "/stock/drift/percent");
    assert_eq!(field_of(|d| d["stock"]["unknownSetting"] = json!(true)), "/stock/unknownSetting");
}
