//! `fleet ingest`: the HTTP endpoint for SparkLayer / Shopify order webhooks.
//! `POST /webhooks/<tenant>`: the body must carry a valid
//! `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the raw body with the shop's
//! secret, compared in constant time) and an `X-Shopify-Webhook-Id`; it is
//! published as it came, with `Nats-Msg-Id` = the webhook id, so Shopify's
//! retries of one webhook are stored once. Answers: 200 once stored (or
//! recognised as a retry), 401 bad or missing signature (nothing published),
//! 400 no webhook id, 404 unknown tenant or path, 413 body over the cap, 503
//! when JetStream did not acknowledge (Shopify retries).

use crate::jet;
use anyhow::{Context, Result};
use async_nats::jetstream::message::PublishMessage as Publish;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::Read;
use subtle::ConstantTimeEq;

pub struct Options {
    /// `127.0.0.1:8080`; port 0 picks a free one (printed on stdout).
    pub listen: String,
    /// Tenant -> the shop's webhook secret.
    pub secrets: HashMap<String, Vec<u8>>,
    /// Bodies larger than this are refused (413) without being read further.
    pub max_body: usize,
    pub threads: usize,
}

/// Whether `signature` (the header's base64 text) is the HMAC-SHA256 of
/// `body` under `secret`. Constant time in the signature's contents.
pub fn verify(secret: &[u8], body: &[u8], signature: Option<&str>) -> bool {
    let Some(given) = signature.and_then(|s| base64::engine::general_purpose::STANDARD.decode(s.trim()).ok()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    // Lengths differ only for a malformed header; `ct_eq` on slices is false then.
    expected.as_slice().ct_eq(&given).into()
}

/// The signature Shopify would send for `body` (for tests and tools).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Serves until the process ends. Blocking: run it on its own threads.
pub fn serve(js: async_nats::jetstream::Context, runtime: tokio::runtime::Handle, options: Options) -> Result<()> {
    for tenant in options.secrets.keys() {
        jet::valid_tenant(tenant)?;
    }
    let server = tiny_http::Server::http(&options.listen)
        .map_err(|e| anyhow::anyhow!("listening on {}: {e}", options.listen))?;
    let addr = server.server_addr().to_ip().context("the webhook endpoint is not on an IP address")?;
    println!("listening on http://{addr}");
    let (server, options) = (&server, &options);
    std::thread::scope(|scope| {
        for _ in 0..options.threads.max(1) {
            let (js, runtime) = (js.clone(), runtime.clone());
            scope.spawn(move || {
                while let Ok(mut request) = server.recv() {
                    let (status, text) =
                        answer(&js, &runtime, options, &mut request).unwrap_or_else(|e| (500, format!("{e:#}")));
                    let response = tiny_http::Response::from_string(text).with_status_code(status);
                    if let Err(e) = request.respond(response) {
                        eprintln!("ingest: answering a webhook failed: {e}");
                    }
                }
            });
        }
    });
    Ok(())
}

fn header(request: &tiny_http::Request, name: &str) -> Option<String> {
    let found = request.headers().iter().find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name));
    found.map(|h| h.value.as_str().to_owned())
}

fn answer(
    js: &async_nats::jetstream::Context,
    runtime: &tokio::runtime::Handle,
    options: &Options,
    request: &mut tiny_http::Request,
) -> Result<(u16, String)> {
    let (method, url) = (request.method().clone(), request.url().to_owned());
    if method == tiny_http::Method::Get && url == "/healthz" {
        return Ok((200, "ok".into()));
    }
    let Some(tenant) = url.strip_prefix("/webhooks/").filter(|_| method == tiny_http::Method::Post) else {
        return Ok((404, "POST /webhooks/<tenant>".into()));
    };
    let Some(secret) = options.secrets.get(tenant) else {
        return Ok((404, format!("unknown tenant {tenant:?}")));
    };
    if request.body_length().is_some_and(|n| n > options.max_body) {
        return Ok((413, format!("body over {} bytes", options.max_body)));
    }
    // Read at most one byte past the cap: a body without a length is bounded too.
    let mut body = Vec::new();
    request.as_reader().take(options.max_body as u64 + 1).read_to_end(&mut body).context("reading the webhook body")?;
    if body.len() > options.max_body {
        return Ok((413, format!("body over {} bytes", options.max_body)));
    }
    if !verify(secret, &body, header(request, "X-Shopify-Hmac-Sha256").as_deref()) {
        return Ok((401, "bad or missing X-Shopify-Hmac-Sha256".into()));
    }
    let webhook = header(request, "X-Shopify-Webhook-Id").map(|w| w.trim().to_owned()).filter(|w| !w.is_empty());
    let Some(webhook) = webhook else {
        return Ok((400, "missing X-Shopify-Webhook-Id".into()));
    };
    let key = crate::order_key(&body);
    let publish = Publish::build().payload(body.into()).message_id(webhook).header(jet::ORDER_KEY, key.as_str());
    let subject = jet::order_subject(tenant);
    let stored = runtime.block_on(async {
        let future = js.send_publish(subject, publish).await.map_err(|e| e.to_string())?;
        future.await.map_err(|e| e.to_string())
    });
    match stored {
        Ok(ack) => Ok((200, format!("{{\"orderKey\":\"{key}\",\"duplicate\":{}}}", ack.duplicate))),
        Err(e) => Ok((503, format!("not stored, retry: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Shopify's documented scheme: base64 of HMAC-SHA256(secret, raw body).
    const SECRET: &[u8] = b"hush";
    const BODY: &[u8] = br##"{"id":1,"name":"#1001"}"##;

    #[test]
    fn a_signature_of_the_raw_body_with_the_secret_is_accepted() {
        assert!(verify(SECRET, BODY, Some(&sign(SECRET, BODY))));
        assert!(verify(SECRET, BODY, Some(&format!(" {} ", sign(SECRET, BODY)))), "surrounding blanks are trimmed");
    }

    #[test]
    fn wrong_missing_or_malformed_signatures_are_refused() {
        assert!(!verify(SECRET, BODY, Some(&sign(b"other", BODY))), "another secret");
        assert!(!verify(SECRET, br#"{"id":2}"#, Some(&sign(SECRET, BODY))), "another body");
        assert!(!verify(SECRET, BODY, None), "missing");
        assert!(!verify(SECRET, BODY, Some("")), "empty");
        assert!(!verify(SECRET, BODY, Some("not base64 !!")), "not base64");
        let short = base64::engine::general_purpose::STANDARD.encode([0u8; 16]);
        assert!(!verify(SECRET, BODY, Some(&short)), "too short");
    }
}
