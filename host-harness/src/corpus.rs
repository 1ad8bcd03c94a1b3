//! A corpus of recorded payloads: a directory of replay cases (any flow), or a
//! JSONL file with one recorded payload of one flow per line.

use crate::bridge::ProfileText;
use crate::flow::Flow;
use crate::replay::discover;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

/// One recorded payload, its flow, and the profile it is mapped with.
pub struct Entry {
    pub name: String,
    pub flow: Flow,
    pub profile: Arc<ProfileText>,
    pub payload: Vec<u8>,
}

/// Reads every payload of a corpus. Cases bring their own profile (the nearest
/// `profile.json`); JSONL lines are of `flow` and use `profile`, which is then required.
pub fn load(path: &Path, profile: Option<&Path>, flow: Flow) -> Result<Vec<Entry>> {
    if path.is_dir() {
        let mut profiles: BTreeMap<std::path::PathBuf, Arc<ProfileText>> = BTreeMap::new();
        let mut entries = Vec::new();
        for case in discover(path, profile)? {
            if !profiles.contains_key(&case.profile) {
                profiles.insert(case.profile.clone(), Arc::new(ProfileText::read(&case.profile)?));
            }
            entries.push(Entry {
                payload: case.input()?,
                profile: Arc::clone(&profiles[&case.profile]),
                flow: case.flow,
                name: case.name,
            });
        }
        return Ok(entries);
    }
    let profile = Arc::new(ProfileText::read(profile.context("a JSONL corpus needs --profile")?)?);
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut entries = Vec::new();
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {} line {}", path.display(), n + 1))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        entries.push(Entry { name: format!("line {}", n + 1), flow, profile: Arc::clone(&profile), payload: line });
    }
    Ok(entries)
}
