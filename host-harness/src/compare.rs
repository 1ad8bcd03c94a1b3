//! An order's outcome as comparable text (status, key, every issue, the
//! sales order's JSON), written the same way for the component's answer and
//! the native core's: what the native-parity test and `bridge-fuzz` compare.

use crate::report::Outcome;

/// The component's outcome.
pub fn component_text(o: &Outcome) -> String {
    let issues: Vec<String> =
        o.issues.iter().map(|i| format!("{} {} {} {} {}", i.code, i.severity, i.owner, i.pointer, i.message)).collect();
    format!("{} {:?} {:?} {}", o.status, o.key, issues, o.document.as_ref().map_or("", |d| d.get()))
}

/// The native core's outcome, in the component's words.
pub fn native_text(o: &plugin::Outcome) -> String {
    let status = match o.status {
        plugin::Status::Ready => "ready",
        plugin::Status::Review => "review",
        plugin::Status::Rejected => "rejected",
    };
    let lower = |s: String| s.to_lowercase();
    let issues: Vec<String> = o
        .issues
        .iter()
        .map(|i| {
            let (severity, owner) = (lower(format!("{:?}", i.severity)), lower(format!("{:?}", i.owner)));
            format!("{} {severity} {owner} {} {}", i.code.as_str(), i.pointer, i.message)
        })
        .collect();
    format!("{status} {:?} {:?} {}", o.order_key, issues, o.sales_order.as_ref().map_or(String::new(), |s| s.to_json()))
}
