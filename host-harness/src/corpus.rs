//! A corpus of recorded orders: a directory of replay cases, or a JSONL file
//! with one recorded payload per line.

use crate::replay::discover;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

/// One recorded order and the profile it is mapped with.
pub struct Entry {
    pub name: String,
    pub profile: String,
    pub payload: Vec<u8>,
}

/// Reads every order of a corpus. Cases bring their own profile (the nearest
/// `profile.json`); JSONL lines use `profile`, which is then required.
pub fn load(path: &Path, profile: Option<&Path>) -> Result<Vec<Entry>> {
    if path.is_dir() {
        let mut profiles: BTreeMap<std::path::PathBuf, String> = BTreeMap::new();
        let mut entries = Vec::new();
        for case in discover(path, profile)? {
            if !profiles.contains_key(&case.profile) {
                let text = std::fs::read_to_string(&case.profile)
                    .with_context(|| format!("reading {}", case.profile.display()))?;
                profiles.insert(case.profile.clone(), text);
            }
            entries.push(Entry {
                payload: std::fs::read(&case.payload).with_context(|| format!("reading {}", case.payload.display()))?,
                profile: profiles[&case.profile].clone(),
                name: case.name,
            });
        }
        return Ok(entries);
    }
    let profile = profile.context("a JSONL corpus needs --profile")?;
    let profile = std::fs::read_to_string(profile).with_context(|| format!("reading {}", profile.display()))?;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut entries = Vec::new();
    for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {} line {}", path.display(), n + 1))?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        entries.push(Entry { name: format!("line {}", n + 1), profile: profile.clone(), payload: line });
    }
    Ok(entries)
}
