//! `fleet version`: component and profile bytes go into the object store
//! under their SHA-256; the `versions` bucket names each tenant's active pair.
//! Workers watch the bucket and switch after the upload gate passes. Rolling
//! back is activating the previous pair again (`fleet version activate`).

use crate::jet::{self, Active};
use anyhow::{bail, Context, Result};
use async_nats::jetstream::Context as Js;
use futures_util::StreamExt;
use std::collections::BTreeMap;

/// Stores `bytes` under their SHA-256 (once) and returns the digest.
pub async fn put_artifact(js: &Js, bytes: &[u8]) -> Result<String> {
    let digest = host_harness::cache::sha256_hex(bytes);
    let store =
        js.get_object_store(jet::ARTIFACTS).await.context("opening object store artifacts (run `fleet setup`)")?;
    if store.info(&digest).await.is_err() {
        let mut reader = bytes;
        store.put(digest.as_str(), &mut reader).await.with_context(|| format!("storing object {digest}"))?;
    }
    Ok(digest)
}

/// Uploads a component and a profile; returns their digests.
pub async fn upload(js: &Js, component: &[u8], profile: &[u8]) -> Result<Active> {
    host_harness::check::component_binary(component).map_err(|why| anyhow::anyhow!("{why}"))?;
    std::str::from_utf8(profile).context("the profile is not UTF-8 text")?;
    Ok(Active { component: put_artifact(js, component).await?, profile: put_artifact(js, profile).await? })
}

/// Makes `active` the tenant's version; both objects must be stored already.
pub async fn activate(js: &Js, tenant: &str, active: &Active) -> Result<u64> {
    jet::valid_tenant(tenant)?;
    let store = js.get_object_store(jet::ARTIFACTS).await.context("opening object store artifacts")?;
    for digest in [&active.component, &active.profile] {
        if store.info(digest).await.is_err() {
            bail!("object {digest} is not in {}: upload it first (fleet version upload)", jet::ARTIFACTS);
        }
    }
    let versions = js.get_key_value(jet::VERSIONS).await.context("opening bucket versions (run `fleet setup`)")?;
    let value = serde_json::to_vec(active)?;
    versions.put(tenant, value.into()).await.with_context(|| format!("setting the version of tenant {tenant}"))
}

/// Each tenant's active version.
pub async fn active(js: &Js) -> Result<BTreeMap<String, Active>> {
    let versions = js.get_key_value(jet::VERSIONS).await.context("opening bucket versions (run `fleet setup`)")?;
    let mut keys = versions.keys().await.context("listing versions")?;
    let mut names = Vec::new();
    while let Some(key) = keys.next().await {
        names.push(key.context("listing versions")?);
    }
    let mut out = BTreeMap::new();
    for tenant in names {
        if let Some(value) = versions.get(&tenant).await? {
            let active: Active = serde_json::from_slice(&value)
                .with_context(|| format!("the versions entry of {tenant} is not {{component, profile}}"))?;
            out.insert(tenant, active);
        }
    }
    Ok(out)
}

/// A tenant's earlier versions, newest first (what rollback picks from).
pub async fn history(js: &Js, tenant: &str) -> Result<Vec<(u64, Active)>> {
    let versions = js.get_key_value(jet::VERSIONS).await.context("opening bucket versions")?;
    let mut entries = versions.history(tenant).await.with_context(|| format!("reading the history of {tenant}"))?;
    let mut out = Vec::new();
    while let Some(entry) = entries.next().await {
        let entry = entry?;
        if let Ok(active) = serde_json::from_slice::<Active>(&entry.value) {
            out.push((entry.revision, active));
        }
    }
    out.reverse();
    Ok(out)
}
