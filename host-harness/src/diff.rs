//! `host-harness diff`: what deploying a new component version would change.
//! Every payload of a corpus runs through both versions; each difference in
//! status, issues or document fields (the sales order, for orders) is
//! reported, grouped by kind. Each version uses its own baked profile when it
//! holds the corpus's profile, else parses it.

use crate::bridge::Bridge;
use crate::corpus::Entry;
use crate::report::{Owner, RunReport, Severity};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Debug, Default)]
pub struct DiffReport {
    pub orders: usize,
    /// Change kind -> the distinct orders that show it, each once, in corpus
    /// order: an order that changes on ten lines is one order of its group.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Order -> its changes, with the old and new values.
    pub details: BTreeMap<String, Vec<String>>,
}

impl DiffReport {
    pub fn changed(&self) -> usize {
        self.details.len()
    }
}

pub fn diff(old: &Bridge, new: &Bridge, corpus: &[Entry]) -> anyhow::Result<DiffReport> {
    let mut report = DiffReport { orders: corpus.len(), ..DiffReport::default() };
    for entry in corpus {
        let a = old.run(entry.flow, old.profile_for(Some(&entry.profile))?, &entry.payload);
        let b = new.run(entry.flow, new.profile_for(Some(&entry.profile))?, &entry.payload);
        let changes = compare(&a, &b);
        if changes.is_empty() {
            continue;
        }
        // The key from whichever version found one: a new version that loses
        // the key is exactly the change the reader has to find the order by.
        let key = [&b, &a].into_iter().find_map(|r| r.outcome.as_ref().and_then(|o| o.key.clone()));
        let order = match key {
            Some(k) => format!("{} ({k})", entry.name),
            None => entry.name.clone(),
        };
        let mut counted = BTreeSet::new();
        for (group, detail) in changes {
            if counted.insert(group.clone()) {
                report.groups.entry(group).or_default().push(order.clone());
            }
            report.details.entry(order.clone()).or_default().push(detail);
        }
    }
    Ok(report)
}

/// (group label without values, detail with values) for every difference.
fn compare(a: &RunReport, b: &RunReport) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let state = |r: &RunReport| match (&r.outcome, &r.failure) {
        (Some(o), _) => o.status.to_string(),
        (None, Some(f)) => format!("stopped ({})", f.kind()),
        (None, None) => "none".into(),
    };
    let (sa, sb) = (state(a), state(b));
    if sa != sb {
        out.push((format!("status: {sa} → {sb}"), format!("status {sa} → {sb}")));
    }
    // Issues are compared by everything the platform routes on: code, severity,
    // owner and where they point; a changed message is reported on its own.
    type Key = (String, Severity, Owner, String);
    let issues = |r: &RunReport| -> BTreeMap<Key, Vec<String>> {
        let mut m: BTreeMap<Key, Vec<String>> = BTreeMap::new();
        for i in r.outcome.iter().flat_map(|o| &o.issues) {
            let key = (i.code.clone(), i.severity, i.owner, i.pointer.clone());
            m.entry(key).or_default().push(i.message.clone());
        }
        m
    };
    let (ia, ib) = (issues(a), issues(b));
    for key in ia.keys().chain(ib.keys()).collect::<BTreeSet<_>>() {
        let (code, severity, owner, pointer) = key;
        let none = Vec::new();
        let (ma, mb) = (ia.get(key).unwrap_or(&none), ib.get(key).unwrap_or(&none));
        let what = format!("{code} ({severity}, {owner})");
        if mb.len() > ma.len() {
            out.push((format!("issue added: {what} at {}", generic(pointer)), format!("+{what} at {pointer}")));
        } else if ma.len() > mb.len() {
            out.push((format!("issue removed: {what} at {}", generic(pointer)), format!("-{what} at {pointer}")));
        } else if ma != mb {
            let detail = format!("{code} at {pointer}: {:?} → {:?}", ma.join(" | "), mb.join(" | "));
            out.push((format!("issue message changed: {code}"), detail));
        }
    }
    let fields = |r: &RunReport| {
        let mut m = BTreeMap::new();
        if let Some(so) = r.outcome.as_ref().and_then(|o| o.document.as_ref()) {
            flatten(so, String::new(), &mut m);
        }
        m
    };
    let (fa, fb) = (fields(a), fields(b));
    for pointer in fa.keys().chain(fb.keys()).collect::<BTreeSet<_>>() {
        let (va, vb) = (fa.get(pointer), fb.get(pointer));
        if va != vb {
            let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "(absent)".into());
            let document = a.outcome.as_ref().or(b.outcome.as_ref()).map_or("document", |o| o.flow.document_field());
            out.push((
                format!("{document} field: {}", generic(pointer)),
                format!("{pointer}: {} → {}", show(va), show(vb)),
            ));
        }
    }
    out
}

/// `/orderLines/3/quantity` -> `/orderLines/*/quantity`, so lines group together.
fn generic(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|seg| if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) { "*" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Leaves of a JSON document by pointer, keeping each leaf's exact text.
fn flatten(raw: &RawValue, at: String, out: &mut BTreeMap<String, String>) {
    let text = raw.get().trim();
    if text.starts_with('{') {
        if let Ok(map) = serde_json::from_str::<BTreeMap<String, Box<RawValue>>>(text) {
            for (k, v) in map {
                flatten(&v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out);
            }
            return;
        }
    } else if text.starts_with('[') {
        if let Ok(items) = serde_json::from_str::<Vec<Box<RawValue>>>(text) {
            for (i, v) in items.iter().enumerate() {
                flatten(v, format!("{at}/{i}"), out);
            }
            return;
        }
    }
    out.insert(at, text.to_owned());
}

impl fmt::Display for DiffReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} orders replayed through both versions: {} changed", self.orders, self.changed())?;
        let mut groups: Vec<_> = self.groups.iter().collect();
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        for (group, orders) in groups {
            let shown: Vec<&str> = orders.iter().take(5).map(String::as_str).collect();
            let more = if orders.len() > 5 { format!(" (+{} more)", orders.len() - 5) } else { String::new() };
            writeln!(f, "\n[{} order{}] {group}", orders.len(), if orders.len() == 1 { "" } else { "s" })?;
            writeln!(f, "    {}{more}", shown.join(", "))?;
        }
        if !self.details.is_empty() {
            writeln!(f, "\nPer order:")?;
            for (order, changes) in &self.details {
                writeln!(f, "  {order}")?;
                for c in changes {
                    writeln!(f, "    {c}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_keep_their_exact_text() {
        let raw = RawValue::from_string(r#"{"a":{"b":[1.10,{"c":"x/y"}]},"d~e":null}"#.into()).unwrap();
        let mut out = BTreeMap::new();
        flatten(&raw, String::new(), &mut out);
        let got: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(got, [("/a/b/0", "1.10"), ("/a/b/1/c", "\"x/y\""), ("/d~0e", "null")]);
    }

    #[test]
    fn line_indexes_are_grouped() {
        assert_eq!(generic("/orderLines/12/quantity"), "/orderLines/*/quantity");
    }
}
