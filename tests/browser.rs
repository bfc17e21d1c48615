//! The portal in a real browser: Debian's Chromium, driven by `e2e/portal.mjs` (playwright-core),
//! against the real portal and ledger started here on 127.0.0.1:0, with axe-core auditing every
//! page. Built only with `--features browser-tests`, since it needs what `.ci/run` installs:
//! Debian's `chromium` and `fonts-noto-core`, Node.js, and `npm ci` in `e2e/`. Screenshots and
//! the suite's results are kept under `target/browser/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{enroll_with_credential, worker_with_months, TestServer};
use ledger_portal::i18n::{Locale, Messages};
use ledger_proto::v1 as pb;

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a Node.js script of `e2e/` with `args`; fails the test with its output when it fails.
fn node(script: &str, args: &[&str]) -> String {
    let output = Command::new("node")
        .arg(repository().join("e2e").join(script))
        .args(args)
        .current_dir(repository().join("e2e"))
        .output()
        .expect("node runs (.ci/run installs Node.js's packages for e2e/)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    print!("{stdout}");
    assert!(output.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    stdout
}

/// A greyscale PGM (P5) picture, as the suite writes the screenshot of a QR code.
fn read_pgm(path: &Path) -> (usize, usize, Vec<u8>) {
    let bytes = std::fs::read(path).expect("the QR code's screenshot");
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
        at += 1;
    }
    assert_eq!(fields[0], "P5");
    let width: usize = fields[1].parse().expect("width");
    let height: usize = fields[2].parse().expect("height");
    (width, height, bytes[at..].to_vec())
}

#[test]
fn the_browsers_verifier_agrees_with_every_test_vector() {
    let printed = node("vectors.mjs", &[]);
    assert!(printed.contains("of 21 event kinds decode and chain"), "{printed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_four_languages_in_chromium_with_axe_core_and_the_statement_checked_in_the_browser() {
    let server = TestServer::start().await;
    let mut config = common::portal_config(server.server.address.to_string(), &server.server);
    // One address stands for every phone here: its sign-ins are not a guesser's.
    config.sign_in_rate = ledger_portal::web::SignInRate { burst: 1000.0, per_minute: 1000.0 };
    let portal = ledger_portal::start(config).await.expect("portal started");

    // Alice: months in the Philippines and Spain, and in Saudi Arabia with two months missing.
    let (alice, alice_code) = worker_with_months(&server).await;
    let mut saudi = common::saudi_months_with_gaps(&server, &alice).await;
    // A report of Alice's the Saudi agency refused, which she appeals in the suite.
    let refused = pb::FileClaimRequest {
        request_id: "gosi-claim-2022".into(),
        worker_id: alice.clone(),
        jurisdiction: "SA".into(),
        employer_ref: "SA-EMP-0311".into(),
        months: vec!["2022-01".into()],
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: None,
        evidence_sha256: vec![4; 32],
    };
    let refused = saudi.worker.file_claim(refused).await.expect("filed").into_inner();
    let refused_seq = refused.receipt.expect("receipt").seq;
    let rejection = pb::ResolveClaimRequest {
        request_id: "gosi-rejected-2022".into(),
        claim_seq: refused_seq,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "no employment recorded in January 2022".into(),
        contributions: vec![],
    };
    saudi.agency.resolve_claim(rejection).await.expect("rejected");
    // Bea: enrolled in Nepal, who will be locked out.
    let mut philippines = server.clients("agency-ph").await;
    let bea = enroll_with_credential(&mut philippines, "owwa-2026-000702", "NP").await;

    let out = repository().join("target").join("browser");
    std::fs::create_dir_all(&out).expect("target/browser");
    let messages = Messages::load().expect("messages");
    let en = messages.of(Locale::En);
    let strip = |text: String| text.replace(['\u{2068}', '\u{2069}'], "");
    let setup = serde_json::json!({
        "portal": format!("http://{}", portal.address),
        "out": out,
        "pin": "271828",
        "alice": { "id": alice, "code": alice_code },
        "bea": { "id": bea.worker_id, "code": bea.activation_code },
        "messages": {
            "locked": strip(en.t("error-locked")),
            "proof": strip(en.with("verify-error-proof", &[("seq", "{seq}".into())])),
            "passkeyAdded": strip(en.t("settings-passkey-added")),
        },
    });
    let setup_file = out.join("setup.json");
    std::fs::write(&setup_file, serde_json::to_vec_pretty(&setup).expect("json")).expect("written");

    let suite = tokio::task::spawn_blocking(move || node("portal.mjs", &[&setup_file.to_string_lossy()]));
    suite.await.expect("the suite ran");

    // What the suite saw, checked here as well.
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).expect("results")).expect("json");
    let pages = results["pages"].as_array().expect("pages");
    for language in ["en", "ar", "ne", "th"] {
        let audited = pages.iter().filter(|page| page["lang"] == language).count();
        assert!(audited >= 19, "{language}: {audited} pages audited");
    }
    for page in pages {
        assert_eq!(page["violations"], serde_json::json!([]), "{page}");
        let screenshot = PathBuf::from(page["screenshot"].as_str().expect("a path"));
        let size = std::fs::metadata(&screenshot).expect("the screenshot is kept").len();
        assert!(size > 1000, "{} is {size} bytes", screenshot.display());
    }
    assert_eq!(results["arabicGeometry"]["direction"], "rtl");

    // Both reports reached Saudi Arabia's agency with the payslip's digest: hashed by the portal
    // for the one sent without JavaScript (April), on the phone for the other (March).
    let payslip = std::fs::read(out.join("payslip.txt")).expect("the payslip the suite sent");
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(&payslip).to_vec()
    };
    let listed = saudi
        .agency
        .list_claims(pb::ListClaimsRequest { open_only: true, ..Default::default() })
        .await
        .expect("listed")
        .into_inner();
    let mut months: Vec<_> = listed
        .claims
        .iter()
        .filter(|claim| claim.worker_id == alice)
        .map(|claim| {
            assert_eq!(claim.evidence_sha256, digest, "{claim:?}");
            claim.months.join(" ")
        })
        .collect();
    months.sort();
    assert_eq!(months, ["2023-03", "2023-04"]);

    // Her appeal reached the body the rules name for Saudi Arabia with the letter's digest alone.
    let letter = std::fs::read(out.join("letter.txt")).expect("the letter the suite sent");
    let appeals = pb::ListAppealsRequest::default();
    let mut court = server.clients("sa-labour-court").await;
    let appealed = court.appeal.list_appeals(appeals).await.expect("listed").into_inner().claims;
    assert_eq!(appealed.iter().map(|claim| claim.claim_seq).collect::<Vec<_>>(), [refused_seq]);
    let grounds = appealed[0].appeal.as_ref().map(|appeal| appeal.grounds_sha256.clone());
    assert_eq!(grounds, Some(<sha2::Sha256 as sha2::Digest>::digest(&letter).to_vec()));

    // The printed page's QR code, from the screenshot's pixels, is the verify page of Alice's
    // statement on this portal.
    let (width, height, grey) = read_pgm(&out.join("print-qr.pgm"));
    let mut picture = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    let grids = picture.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, text) = grids[0].decode().expect("the QR code decodes");
    assert_eq!(text, format!("http://{}/verify#{alice}", portal.address));

    portal.stop().await;
    server.server.stop().await.expect("stopped");
}
