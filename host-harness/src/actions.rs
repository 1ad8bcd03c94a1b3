//! What each issue code means and what its owner does, read from
//! docs/issue-codes.md (compiled in): the one place they are written, so the
//! pages, JSON and CSV never carry a second copy that could drift.

use std::collections::HashMap;
use std::sync::OnceLock;

const DOC: &str = include_str!("../../docs/issue-codes.md");

#[derive(Debug, Clone)]
pub struct CodeDoc {
    pub severity: String,
    pub owner: String,
    pub meaning: String,
    pub action: String,
}

/// Every documented code, by its text.
pub fn all() -> &'static HashMap<String, CodeDoc> {
    static TABLE: OnceLock<HashMap<String, CodeDoc>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for line in DOC.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).filter(|c| !c.is_empty()).collect();
            if let [code, severity, owner, meaning, action] = cells[..] {
                table.insert(
                    code.trim_matches('`').to_owned(),
                    CodeDoc {
                        severity: severity.to_owned(),
                        owner: owner.to_owned(),
                        meaning: plain(meaning),
                        action: plain(action),
                    },
                );
            }
        }
        table
    })
}

/// The documented action for a code.
pub fn action(code: &str) -> Option<&'static str> {
    all().get(code).map(|d| d.action.as_str())
}

/// The documented meaning of a code.
pub fn meaning(code: &str) -> Option<&'static str> {
    all().get(code).map(|d| d.meaning.as_str())
}

/// Markdown cell text as plain text: code spans and emphasis marks dropped,
/// links reduced to their text.
fn plain(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    while let Some(open) = rest.find('[') {
        match rest[open..].find("](").and_then(|mid| rest[open + mid..].find(')').map(|close| (mid, close))) {
            Some((mid, close)) => {
                out.push_str(&rest[..open]);
                out.push_str(&rest[open + 1..open + mid]);
                rest = &rest[open + mid + close + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out.replace('`', "").replace("**", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_documented_action() {
        for code in plugin::shared::issues::Code::ALL {
            let doc =
                all().get(code.as_str()).unwrap_or_else(|| panic!("{} is not in docs/issue-codes.md", code.as_str()));
            assert!(!doc.action.is_empty() && !doc.meaning.is_empty(), "{}", code.as_str());
        }
        assert!(action("RECON_STALLED").unwrap().contains("re-post it with its order key"));
        assert!(!meaning("RECON_CREDIT_NOTE").unwrap().contains('`'));
    }
}
