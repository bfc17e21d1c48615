//! `/verify`: anyone checks a worker's portable statement in their own browser, against the log's
//! verifier key built into the page. Nothing is uploaded: the page's script reads the file
//! chosen, and `static/verify-lib.js` checks every record, every inclusion proof and the
//! checkpoint's signature (and the cosignatures of the keys the page holds) on WebCrypto.
//!
//! The verifier is JavaScript written from docs/FORMAT.md alone, not the Rust verifier compiled
//! to WebAssembly: a second implementation that agrees with the first on every test vector shows
//! that FORMAT.md is enough to check the log without the ledger's code, which is the promise made
//! to auditors; it needs no WebAssembly toolchain and no `'wasm-unsafe-eval'` in the page's
//! policy, and it weighs a few kilobytes on a slow connection.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};

use crate::i18n::{Arg, Tr};
use crate::pages::{html, static_file, Chrome, Visit};
use crate::Portal;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    chrome: Chrome,
    heading: String,
    intro: String,
    no_script: String,
    choose: String,
    key_heading: String,
    key_hint: String,
    log_key: String,
    cosigners: String,
    /// The script's texts in her language, as JSON: placeholders are `{name}`.
    messages: String,
}

/// A message with each placeholder left as `{name}` for the page's script to fill in.
fn pattern(tr: &Tr<'_>, id: &str, names: &[&str]) -> String {
    let args: Vec<(&str, Arg)> = names.iter().map(|name| (*name, Arg::Text(format!("{{{name}}}")))).collect();
    tr.with(id, &args)
}

fn script_messages(tr: &Tr<'_>) -> String {
    let mut texts = BTreeMap::new();
    let patterns: [(&str, &str, &[&str]); 17] = [
        ("ok", "verify-ok", &["worker", "count", "size"]),
        ("cosigned", "verify-cosigned", &["count", "total"]),
        ("failed", "verify-failed", &[]),
        ("working", "verify-working", &[]),
        ("expected", "verify-expected", &["worker"]),
        ("file", "verify-error-file", &[]),
        ("large", "verify-error-large", &[]),
        ("key", "verify-error-key", &[]),
        ("checkpoint", "verify-error-checkpoint", &[]),
        ("record", "verify-error-record", &["seq"]),
        ("proof", "verify-error-proof", &["seq"]),
        ("empty", "verify-error-empty", &[]),
        ("worker", "verify-error-worker", &["found", "expected"]),
        ("contributions", "verify-contributions", &[]),
        ("reversed", "verify-reversed", &[]),
        ("monthYear", "month-year", &["month", "year"]),
        ("columns", "verify-columns", &[]),
    ];
    for (key, id, names) in patterns {
        texts.insert(key.to_owned(), serde_json::Value::from(pattern(tr, id, names)));
    }
    let months: Vec<String> = (1..=12).map(|month| tr.t(&format!("month-{month}"))).collect();
    texts.insert("months".into(), months.into());
    // Every country the portal names; the script shows others by their code.
    let countries: serde_json::Map<String, serde_json::Value> =
        crate::claims::countries(tr).into_iter().map(|(code, name)| (code, name.into())).collect();
    texts.insert("countries".into(), countries.into());
    serde_json::to_string(&texts).unwrap_or_default()
}

pub async fn page(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let page = VerifyPage {
        chrome: visit.chrome(&portal, tr.t("verify-heading")),
        heading: tr.t("verify-heading"),
        intro: tr.t("verify-intro"),
        no_script: tr.t("verify-no-script"),
        choose: tr.t("verify-choose"),
        key_heading: tr.t("verify-key-heading"),
        key_hint: tr.t("verify-key-hint"),
        log_key: portal.verifier_key.clone(),
        cosigners: portal.cosigner_keys.join(" "),
        messages: script_messages(&tr),
    };
    visit.finish(html(StatusCode::OK, &page))
}

/// The page's script: reads the file chosen and shows what the verifier found.
pub async fn script() -> Response<Body> {
    static_file(include_str!("../static/verify.js"), "text/javascript; charset=utf-8")
}

/// The verifier itself, a module with no access to the page.
pub async fn library() -> Response<Body> {
    static_file(include_str!("../static/verify-lib.js"), "text/javascript; charset=utf-8")
}
