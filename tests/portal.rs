//! The portal as a browser without JavaScript uses it: real HTTP/1.1 to the real portal on
//! 127.0.0.1:0, which calls the real ledger over gRPC. A worker activates from her slip, sees her
//! months per country in her language, signs out and in with her PIN, and is locked out after
//! wrong PINs; forms from another site change nothing; every answer carries the security headers.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use common::{enroll_with_credential, start_portal, worker_with_months, TestServer};
use ledger_portal::RunningPortal;
use ledger_proto::v1 as pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A page as the browser received it.
#[derive(Debug)]
struct Page {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The form token of the page's first form.
    fn form_token(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self.body.find(marker).map(|at| at + marker.len()).expect("a form token");
        let end = self.body[start..].find('"').expect("the token's end");
        self.body[start..start + end].to_owned()
    }
}

/// A browser with JavaScript off: it keeps cookies, sends its language, and follows nothing by
/// itself.
struct Browser {
    address: SocketAddr,
    cookies: BTreeMap<String, String>,
    accept_language: String,
}

fn form_encode(fields: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                b' ' => "+".to_owned(),
                other => format!("%{other:02X}"),
            })
            .collect::<String>()
    };
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Browser {
    fn new(portal: &RunningPortal, accept_language: &str) -> Browser {
        Browser {
            address: portal.address,
            cookies: BTreeMap::new(),
            accept_language: accept_language.to_owned(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.request("GET", path, "", &[]).await
    }

    /// A form sent from one of the portal's own pages.
    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_encode(fields);
        self.request("POST", path, &body, &[("Sec-Fetch-Site", "same-origin")]).await
    }

    /// A form of a token and one file (`answer`), sent from one of the portal's own pages as a
    /// browser without JavaScript sends it.
    async fn upload(&mut self, path: &str, token: &str, file_name: &str, file: &[u8]) -> Page {
        let boundary = "----portal-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"answer\"; filename=\"{file_name}\"\r\n\
             Content-Type: text/plain\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let body = String::from_utf8(body).expect("text");
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.request(
            "POST",
            path,
            &body,
            &[("Sec-Fetch-Site", "same-origin"), ("Content-Type", &content_type)],
        )
        .await
    }

    async fn request(&mut self, method: &str, path: &str, body: &str, extra: &[(&str, &str)]) -> Page {
        let mut stream = tokio::net::TcpStream::connect(self.address).await.expect("connected");
        let cookies = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAccept-Language: {}\r\n",
            self.address, self.accept_language
        );
        if !cookies.is_empty() {
            head.push_str(&format!("Cookie: {cookies}\r\n"));
        }
        let mut content_type = "application/x-www-form-urlencoded";
        for (name, value) in extra {
            match name.eq_ignore_ascii_case("content-type") {
                true => content_type = value,
                false => head.push_str(&format!("{name}: {value}\r\n")),
            }
        }
        if method == "POST" {
            head.push_str(&format!("Content-Type: {content_type}\r\nContent-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("sent");
        stream.write_all(body.as_bytes()).await.expect("sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.expect("answered");
        let page = parse(&raw);
        for set in page.headers_named("set-cookie") {
            let pair = set.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        page
    }
}

fn parse(raw: &[u8]) -> Page {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_owned() };
    Page { status, headers, body }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_activates_from_her_slip_and_sees_her_months_per_country() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let (worker, code) = worker_with_months(&server).await;
    let mut phone = Browser::new(&portal, "en-PH,en;q=0.9");

    let start = phone.get("/").await;
    assert_eq!(start.status, 200);
    let csp = start.header("content-security-policy").expect("a CSP");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(start.header("x-content-type-options"), Some("nosniff"));
    let cookie = start
        .headers_named("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-session="))
        .expect("a cookie");
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let visitor = phone.cookies["__Host-session"].clone();

    // Her record is not there before she signs in.
    let before = phone.get("/me").await;
    assert_eq!((before.status, before.header("location")), (303, Some("/sign-in")));

    let form = phone.get("/activate").await;
    assert!(form.body.contains("autocomplete=\"one-time-code\""));
    let token = form.form_token();
    let lower = code.to_lowercase();
    let fields = [("csrf", token.as_str()), ("worker_id", worker.as_str()), ("code", lower.as_str())];
    let differ = phone
        .post("/activate", &[fields[0], fields[1], fields[2], ("pin", "271828"), ("pin_again", "271829")])
        .await;
    assert_eq!(differ.status, 422);
    assert!(differ.body.contains("The two PINs are not the same"), "{}", differ.body);
    let done = phone
        .post("/activate", &[fields[0], fields[1], fields[2], ("pin", "271828"), ("pin_again", "271828")])
        .await;
    assert_eq!((done.status, done.header("location")), (303, Some("/me")), "{}", done.body);
    assert_ne!(phone.cookies["__Host-session"], visitor, "signing in gives a new id");

    let me = phone.get("/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.header("cache-control"), Some("no-store"));
    // As a reader sees it: without the marks that isolate each placeable's direction.
    let text = me.body.replace(['\u{2068}', '\u{2069}'], "");
    let expected = [
        format!("Worker number: {worker}"),
        "Months paid for in Philippines: 12 months".to_owned(),
        "Months paid for in Spain: 24 months".to_owned(),
        // Totalized under the ES-PH agreement, each way.
        "Months that count here with the agreements: 36 months".to_owned(),
        "The agreement with Spain adds its months.".to_owned(),
        "The agreement with Philippines adds its months.".to_owned(),
        // The sample rules ask 120 months in the Philippines and 180 in Spain.
        "84 more months are needed to qualify here.".to_owned(),
        "144 more months are needed to qualify here.".to_owned(),
    ];
    for expected in &expected {
        assert!(text.contains(expected.as_str()), "her record lacks {expected:?}:\n{text}");
    }

    // Signing out ends her session at the ledger too: the page is gone, the phone is clean.
    let token = me.form_token();
    let out = phone.post("/sign-out", &[("csrf", &token)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(phone.get("/me").await.status, 303);
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pins_lock_her_out_and_the_page_says_what_to_do() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let (worker, code) = worker_with_months(&server).await;
    let mut phone = Browser::new(&portal, "es-ES,es;q=0.9");
    let token = phone.get("/activate").await.form_token();
    let activated = phone
        .post(
            "/activate",
            &[
                ("csrf", &token),
                ("worker_id", &worker),
                ("code", &code),
                ("pin", "505050"),
                ("pin_again", "505050"),
            ],
        )
        .await;
    assert_eq!(activated.status, 303);
    let me = phone.get("/me").await;
    assert!(me.body.contains("lang=\"es\""), "Spanish, from her phone");
    let token = me.form_token();
    phone.post("/sign-out", &[("csrf", &token)]).await;

    let mut answers = Vec::new();
    for _ in 0..5 {
        let token = phone.get("/sign-in").await.form_token();
        let page =
            phone.post("/sign-in", &[("csrf", &token), ("worker_id", &worker), ("pin", "141421")]).await;
        answers.push((page.status, page.body));
    }
    assert!(answers[..4].iter().all(|(status, _)| *status == 403));
    let messages = lookup_messages("es");
    let left_3 = messages.of(ledger_portal::i18n::Locale::Es).with("error-wrong", &[("left", 3u32.into())]);
    assert!(answers[1].1.contains(&html_escape(&left_3)), "{}", answers[1].1);
    let locked = messages.of(ledger_portal::i18n::Locale::Es).t("error-locked");
    assert!(answers[4].1.contains(&html_escape(&locked)), "{}", answers[4].1);
    let token = phone.get("/sign-in").await.form_token();
    let right = phone.post("/sign-in", &[("csrf", &token), ("worker_id", &worker), ("pin", "505050")]).await;
    assert_eq!(right.status, 403, "locked, even with the right PIN");
    assert!(right.body.contains(&html_escape(&locked)));
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

fn lookup_messages(_tag: &str) -> ledger_portal::i18n::Messages {
    ledger_portal::i18n::Messages::load().expect("messages")
}

/// Text as askama escapes it into a page.
fn html_escape(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_speak_her_language_and_remember_her_choice() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    for (accept, tag, dir) in [
        ("ar-SA,ar;q=0.9", "ar", "rtl"),
        ("ne-NP", "ne", "ltr"),
        ("th-TH", "th", "ltr"),
        ("tl-PH", "fil", "ltr"),
        ("id-ID", "id", "ltr"),
        ("de-DE", "en", "ltr"),
    ] {
        let mut phone = Browser::new(&portal, accept);
        let page = phone.get("/sign-in").await;
        assert!(
            page.body.contains(&format!("<html lang=\"{tag}\" dir=\"{dir}\">")),
            "{accept}: {}",
            &page.body[..200]
        );
    }
    // Her phone says Arabic; she chooses Nepali, and the portal remembers it.
    let mut phone = Browser::new(&portal, "ar");
    let page = phone.get("/language").await;
    for name in ["English", "العربية", "नेपाली", "ไทย", "Español"] {
        assert!(page.body.contains(name), "the language page lacks {name}");
    }
    let chosen = phone.post("/language", &[("csrf", &page.form_token()), ("lang", "ne")]).await;
    assert_eq!(chosen.status, 303);
    let cookie = chosen
        .headers_named("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("__Host-lang=ne"))
        .expect("remembered");
    assert!(cookie.contains("Max-Age="), "{cookie}");
    assert!(phone.get("/").await.body.contains("<html lang=\"ne\" dir=\"ltr\">"));
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_from_another_site_or_without_its_token_changes_nothing() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let (worker, code) = worker_with_months(&server).await;
    let mut phone = Browser::new(&portal, "en");
    let token = phone.get("/activate").await.form_token();
    let fields = [
        ("csrf", token.as_str()),
        ("worker_id", &worker),
        ("code", &code),
        ("pin", "271828"),
        ("pin_again", "271828"),
    ];
    let body = form_encode(&fields);
    let cross = phone.request("POST", "/activate", &body, &[("Sec-Fetch-Site", "cross-site")]).await;
    assert_eq!(cross.status, 403);
    let origin = phone.request("POST", "/activate", &body, &[("Origin", "https://elsewhere.example")]).await;
    assert_eq!(origin.status, 403);
    let tokenless = form_encode(&fields[1..]);
    let without = phone.request("POST", "/activate", &tokenless, &[("Sec-Fetch-Site", "same-origin")]).await;
    assert_eq!(without.status, 403);
    // Another visitor's token is not hers.
    let mut other = Browser::new(&portal, "en");
    let theirs = other.get("/activate").await.form_token();
    let forged = form_encode(&[
        ("csrf", theirs.as_str()),
        ("worker_id", &worker),
        ("code", &code),
        ("pin", "271828"),
        ("pin_again", "271828"),
    ]);
    let stolen = phone.request("POST", "/activate", &forged, &[("Sec-Fetch-Site", "same-origin")]).await;
    assert_eq!(stolen.status, 403);
    // None of them used her code: it still works.
    let done = phone.post("/activate", &fields).await;
    assert_eq!((done.status, done.header("location")), (303, Some("/me")));
    // An unknown page is answered in her language with the same headers.
    let missing = phone.get("/nowhere").await;
    assert_eq!(missing.status, 404);
    assert!(missing.header("content-security-policy").is_some());
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

/// Activates `worker` with `code` from `phone`, which is then signed in.
async fn activate(phone: &mut Browser, worker: &str, code: &str) {
    let token = phone.get("/activate").await.form_token();
    let fields = [
        ("csrf", token.as_str()),
        ("worker_id", worker),
        ("code", code),
        ("pin", "271828"),
        ("pin_again", "271828"),
    ];
    let done = phone.post("/activate", &fields).await;
    assert_eq!((done.status, done.header("location")), (303, Some("/me")), "{}", done.body);
}

/// The href of the first link whose text is `text`, unescaped.
fn link_to(page: &Page, text: &str) -> String {
    let end = page.body.find(&format!(">{text}</a>")).unwrap_or_else(|| panic!("no link {text:?}"));
    let start = page.body[..end].rfind("href=\"").expect("an href") + "href=\"".len();
    let close = page.body[start..].find('"').expect("the href's end");
    page.body[start..start + close].replace("&#38;", "&").replace("&amp;", "&")
}

/// Text as a reader sees it: without the marks that isolate each placeable's direction.
fn visible(page: &Page) -> String {
    let text = page.body.replace(['\u{2068}', '\u{2069}'], "");
    text.replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn she_sees_each_month_and_reports_a_gap_one_question_at_a_time_without_javascript() {
    use sha2::Digest;
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let (worker, code) = worker_with_months(&server).await;
    let mut saudi = common::saudi_months_with_gaps(&server, &worker).await;
    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &worker, &code).await;

    let record = phone.get("/record").await;
    assert_eq!(record.status, 200);
    let text = visible(&record);
    for expected in [
        "May 2023: wage SAR\u{a0}3,000.00, employer SA-EMP-0311",
        "April 2023: nothing recorded.",
        "March 2023: nothing recorded.",
        "January 2023: wage SAR\u{a0}3,000.00, employer SA-EMP-0311",
        "December 2019: wage PHP\u{a0}18,000.00, employer PH-EMP-0042",
    ] {
        assert!(text.contains(expected), "her record lacks {expected:?}:\n{text}");
    }
    assert!(
        text.find("May 2023").expect("May") < text.find("January 2023").expect("January"),
        "newest first"
    );
    let report = link_to(&record, "Report this month as missing");
    assert_eq!(report, "/claims/new?country=SA&month=2023-04", "the first gap, newest first");

    // One question per page, each answered by a plain form post.
    let started = phone.get(&report).await;
    assert_eq!(started.header("location"), Some("/claims/new/country"));
    let country = phone.get("/claims/new/country").await;
    assert!(country.body.contains("value=\"SA\" checked"), "the gap's country is chosen already");
    let token = country.form_token();
    let answers = [("country", "SA"), ("employer", "SA-EMP-0311")];
    let mut next = String::new();
    for (step, answer) in answers {
        let page = phone.post(&format!("/claims/new/{step}"), &[("csrf", &token), ("answer", answer)]).await;
        assert_eq!(page.status, 303, "{step}: {}", page.body);
        next = page.header("location").expect("the next question").to_owned();
    }
    assert_eq!(next, "/claims/new/months");
    let months = phone.get(&next).await;
    assert!(months.body.contains("value=\"2023-04\""), "the gap's month is filled in");
    let future = phone.post("/claims/new/months", &[("csrf", &token), ("answer", "2023-04 2099-01")]).await;
    assert_eq!(future.status, 422);
    assert!(visible(&future).contains("none in the future"), "{}", future.body);
    let page = phone.post("/claims/new/months", &[("csrf", &token), ("answer", "2023-04 2023-03")]).await;
    assert_eq!(page.header("location"), Some("/claims/new/kind"));
    let page = phone.post("/claims/new/kind", &[("csrf", &token), ("answer", "unremitted_deduction")]).await;
    assert_eq!(page.header("location"), Some("/claims/new/evidence"));

    // The payslip is hashed by the portal and thrown away; only its digest reaches the ledger.
    let payslip = b"Payslip, March 2023: social insurance 270.00 SAR deducted".repeat(100);
    let page = phone.upload("/claims/new/evidence", &token, "payslip.txt", &payslip).await;
    assert_eq!(page.header("location"), Some("/claims/new/check"), "{}", page.body);
    let digest: [u8; 32] = sha2::Sha256::digest(&payslip).into();

    let check = phone.get("/claims/new/check").await;
    let text = visible(&check);
    for expected in [
        "Saudi Arabia",
        "SA-EMP-0311",
        "March 2023, April 2023",
        "Money was taken from my wage for it, but not paid in",
    ] {
        assert!(text.contains(expected), "the check page lacks {expected:?}:\n{text}");
    }
    assert!(text.contains(&hex::encode(&digest[..8])), "{text}");
    let sent = phone.post("/claims/new/check", &[("csrf", &check.form_token())]).await;
    assert_eq!(sent.header("location"), Some("/claims"), "{}", sent.body);
    let claims = phone.get("/claims").await;
    let text = visible(&claims);
    assert!(text.contains("Your report was sent. The agency of Saudi Arabia must answer by"), "{text}");
    assert!(text.contains("Waiting for an answer"), "{text}");
    // Sent once: the check page now has nothing to send.
    let again = phone.post("/claims/new/check", &[("csrf", &check.form_token())]).await;
    assert_eq!(again.header("location"), Some("/claims"));

    // On the chain, addressed to Saudi Arabia, with the payslip's digest.
    let listed = saudi
        .agency
        .list_claims(pb::ListClaimsRequest { open_only: true, ..Default::default() })
        .await
        .expect("listed")
        .into_inner();
    let claim = listed.claims.iter().find(|claim| claim.worker_id == worker).expect("her claim");
    assert_eq!(claim.months, ["2023-03", "2023-04"]);
    assert_eq!(claim.employer_ref, "SA-EMP-0311");
    assert_eq!(claim.kind, pb::ClaimKind::UnremittedDeduction as i32);
    assert_eq!(claim.evidence_sha256, digest.to_vec());
    assert_eq!(listed.claims.iter().filter(|claim| claim.worker_id == worker).count(), 1);
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

/// The modules of a QR code drawn in half blocks, read back as a phone's camera would: into a
/// picture four pixels a module, then through a QR decoder.
fn decode_half_blocks(lines: &[&str]) -> String {
    let mut rows: Vec<Vec<bool>> = Vec::new();
    for line in lines {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars() {
            let (t, b) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    const SCALE: usize = 4;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width * SCALE, rows.len() * SCALE, |x, y| {
        let dark = rows[y / SCALE].get(x / SCALE).copied().unwrap_or(false);
        if dark {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the slip");
    grids[0].decode().expect("the QR code decodes").1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slip_in_her_language_carries_a_qr_code_of_her_activation_link() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000902", "NP").await;
    let expires = enrolled.activation_expires_at.expect("expiry");
    let day = chrono::DateTime::from_timestamp(expires.seconds, 0).expect("a time").date_naive().to_string();
    let portal_url = format!("http://{}", portal.address);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
        .args(["agency", "slip", "--worker", &enrolled.worker_id, "--code", &enrolled.activation_code])
        .args(["--expires", &day, "--portal-url", &portal_url, "--language", "ne"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let slip = String::from_utf8(output.stdout).expect("UTF-8");
    let compact: String = enrolled.activation_code.chars().filter(char::is_ascii_alphanumeric).collect();
    let link = format!("{portal_url}/activate#{}.{compact}", enrolled.worker_id);
    assert!(slip.contains(&enrolled.worker_id) && slip.contains(&enrolled.activation_code), "{slip}");
    assert!(slip.contains(&link), "{slip}");
    // In Nepali, with the day in Devanagari digits and no direction marks on paper.
    assert!(slip.contains("कामदार"), "{slip}");
    assert!(!slip.contains(['\u{2068}', '\u{2069}']), "{slip}");
    let year: String = day[..4]
        .chars()
        .map(|d| char::from_u32(0x966 + d.to_digit(10).expect("a digit")).expect("a digit"))
        .collect();
    assert!(slip.contains(&year), "{slip} lacks {year}");

    let qr: Vec<&str> = slip.lines().filter(|line| line.contains(['█', '▀', '▄'])).collect();
    assert_eq!(decode_half_blocks(&qr), link, "the QR code is the link");

    // The link's fragment never reaches the portal; without JavaScript she types what the slip
    // shows, and the page carries the script that would have filled it in.
    let mut phone = Browser::new(&portal, "ne");
    let page = phone.get("/activate").await;
    assert!(page.body.contains("<script src=\"/static/activate.js\" defer></script>"));
    let script = phone.get("/static/activate.js").await;
    assert_eq!(script.status, 200);
    assert!(script.header("content-type").is_some_and(|value| value.starts_with("text/javascript")));
    assert!(script.body.contains("history.replaceState"), "the code leaves the address bar");
    activate(&mut phone, &enrolled.worker_id, &enrolled.activation_code).await;
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn her_statement_downloads_and_verifies_offline_and_signing_out_everywhere_ends_every_phone() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let (worker, code) = worker_with_months(&server).await;
    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &worker, &code).await;
    let mut shared = Browser::new(&portal, "th");
    let token = shared.get("/sign-in").await.form_token();
    let signed_in =
        shared.post("/sign-in", &[("csrf", &token), ("worker_id", &worker), ("pin", "271828")]).await;
    assert_eq!(signed_in.header("location"), Some("/me"));

    // Enrolment, 12 Philippine months and 24 Spanish ones, and her PIN being set.
    let page = phone.get("/statement").await;
    assert!(
        visible(&page).contains("38 events, proved against the ledger's signed state of"),
        "{}",
        page.body
    );
    let download = phone.get("/statement/download").await;
    assert_eq!(download.status, 200);
    assert_eq!(download.header("content-type"), Some("application/json"));
    assert_eq!(
        download.header("content-disposition"),
        Some(format!("attachment; filename=\"statement-{worker}.json\"").as_str())
    );
    let key = ledger_server::load_or_create_log_key(&common::data_dir(&server.dir))
        .expect("the log key")
        .verifier_key();
    let trust = ledger_verify::Trust::log_only(&key).expect("the key");
    let file = ledger_verify::StatementFile::from_json(download.body.as_bytes()).expect("a statement");
    let (fold, _) = ledger_verify::statement::verify(&file, &trust).expect("verifies offline");
    let projection = fold.workers.values().next().expect("her projection");
    let months = |code: &str| {
        projection
            .coverage
            .iter()
            .filter(|((jurisdiction, _), _)| jurisdiction.as_str() == code)
            .map(|(_, coverage)| coverage.own_months().count())
            .sum::<usize>()
    };
    assert_eq!((months("PH"), months("ES")), (12, 24));
    // One month's wage edited: the statement no longer verifies.
    let mut edited = ledger_verify::StatementFile::from_json(download.body.as_bytes()).expect("a statement");
    let record = &mut edited.entries[5].record;
    let last = record.pop().expect("a digit");
    record.push(if last == '0' { '1' } else { '0' });
    assert!(ledger_verify::statement::verify(&edited, &trust).is_err(), "an edited month is refused");

    // From the shared phone she signs out everywhere: her own phone is signed out too.
    let settings = shared.get("/settings").await;
    assert!(settings.body.contains("lang=\"th\""));
    let out = shared.post("/settings/sign-out-everywhere", &[("csrf", &settings.form_token())]).await;
    assert_eq!(out.header("location"), Some("/?signed_out=everywhere"));
    let after = phone.get("/me").await;
    assert_eq!(after.header("location"), Some("/sign-in?ended=1"));
    assert_eq!(shared.get("/me").await.header("location"), Some("/sign-in"));
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

/// Page weight for a phone on a slow connection: HTML and CSS, and script, each under 100 KiB.
const PAGE_BYTES_MAX: usize = 100 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_weighs_less_than_its_budget_in_every_language() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let (worker, code) = worker_with_months(&server).await;
    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &worker, &code).await;
    let css = phone.get("/static/portal.css").await.body.len();
    let script = phone.get("/static/activate.js").await.body.len();
    assert!(script < PAGE_BYTES_MAX, "the activation script weighs {script} bytes");
    let public = ["/", "/language", "/activate", "/sign-in"];
    let personal = ["/me", "/record", "/claims", "/statement", "/settings", "/language"];
    let mut visitor = Browser::new(&portal, "en");
    let mut weighed = Vec::new();
    for language in ["en", "fil", "id", "ne", "th", "ar", "es"] {
        for (browser, paths) in [(&mut visitor, &public[..]), (&mut phone, &personal[..])] {
            browser.cookies.insert("__Host-lang".into(), language.into());
            for path in paths {
                let page = browser.get(path).await;
                assert_eq!(page.status, 200, "{language} {path}");
                assert!(page.body.contains(&format!("lang=\"{language}\"")), "{language} {path}");
                let weight = page.body.len() + css;
                assert!(weight < PAGE_BYTES_MAX, "{language} {path}: {weight} bytes of HTML and CSS");
                weighed.push(weight);
            }
        }
    }
    assert_eq!(weighed.len(), 7 * 10);
    let heaviest = weighed.iter().max().copied().unwrap_or_default();
    println!("heaviest page: {heaviest} bytes of HTML and CSS; the activation script {script} bytes");
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beside_a_tls_port_the_portal_calls_the_ledger_on_its_own_loopback_listener() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = common::make_principals(&dir);
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("a certificate");
    let (cert, key) = (dir.path().join("server.pem"), dir.path().join("server.key"));
    std::fs::write(&cert, certified.cert.pem()).expect("written");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("written");
    let config = ledger_server::ServeConfig {
        tls: Some(ledger_server::TlsFiles { cert, key, client_ca: None }),
        loopback: true,
        ..common::serve_config(common::data_dir(&dir), common::principals_file(&dir))
    };
    let server = ledger_server::start(config).await.expect("started");
    let loopback = server.loopback_address.expect("a loopback listener beside the TLS port");
    assert!(loopback.ip().is_loopback());
    assert_ne!(loopback, server.address);
    // The same gate: an agency's token works there, an unknown one does not.
    let mut philippines =
        ledger_client::grpc::connect(&loopback.to_string(), &tokens["agency-ph"]).await.expect("connects");
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-001001", "PH").await;
    let mut stranger =
        ledger_client::grpc::connect(&loopback.to_string(), "lgr_not-a-token").await.expect("connects");
    let refused = stranger.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect_err("unknown");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);

    let config = common::portal_config(loopback.to_string(), &server);
    let portal = ledger_portal::start(config).await.expect("portal started");
    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &enrolled.worker_id, &enrolled.activation_code).await;
    assert!(visible(&phone.get("/me").await).contains(&format!("Worker number: {}", enrolled.worker_id)));
    portal.stop().await;
    server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_through_the_portal_is_held_to_a_rate_per_address() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let mut guesser = Browser::new(&portal, "en");
    let token = guesser.get("/sign-in").await.form_token();
    let mut statuses = Vec::new();
    // Unknown workers: each guess reaches the ledger, which counts nothing against anyone.
    for index in 0..12 {
        let worker = format!("W{index:016}");
        let page =
            guesser.post("/sign-in", &[("csrf", &token), ("worker_id", &worker), ("pin", "271828")]).await;
        statuses.push(page.status);
    }
    let burst = ledger_portal::web::SIGN_IN_BURST as usize;
    assert!(statuses[..burst].iter().all(|status| *status == 403), "{statuses:?}");
    assert!(statuses[burst..].iter().all(|status| *status == 429), "{statuses:?}");
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_her_credential_in_settings_stops_the_one_on_her_enrolment_paper() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000903", "PH").await;
    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &enrolled.worker_id, &enrolled.activation_code).await;
    // Her employer kept the paper: its credential reads her record until she replaces it.
    let read = |token: String| {
        let server = &server;
        let worker_id = enrolled.worker_id.clone();
        async move {
            let mut clients = common::as_worker(server, &token).await;
            let request = pb::GetStatementRequest { worker_id, ..Default::default() };
            clients.worker.get_statement(request).await.map(drop).map_err(|status| status.code())
        }
    };
    assert_eq!(read(enrolled.worker_token.clone()).await, Ok(()));

    let settings = phone.get("/settings").await;
    assert!(visible(&settings).contains("Replace my credential"), "{}", settings.body);
    let forged = phone.post("/settings/replace-credential", &[("csrf", "not-the-token")]).await;
    assert_eq!(forged.status, 403, "no token, no replacement");
    assert_eq!(read(enrolled.worker_token.clone()).await, Ok(()), "a refused form changes nothing");

    let replaced = phone.post("/settings/replace-credential", &[("csrf", &settings.form_token())]).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.header("cache-control"), Some("no-store"));
    let start = replaced.body.find("lgr_").expect("the new credential, shown once");
    let token: String =
        replaced.body[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    assert_eq!(
        read(enrolled.worker_token.clone()).await,
        Err(tonic::Code::Unauthenticated),
        "the paper's is dead"
    );
    assert_eq!(read(token).await, Ok(()), "the new one reads her record");
    // Her portal session goes on: the PIN, not the credential, is her way in here.
    assert_eq!(phone.get("/me").await.status, 200);
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn she_gives_an_organisation_her_consent_in_settings_and_takes_it_back() {
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000904", "PH").await;
    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &enrolled.worker_id, &enrolled.activation_code).await;
    // What the chain says she consented to, read with her own credential.
    let consents = || {
        let server = &server;
        let (token, worker_id) = (enrolled.worker_token.clone(), enrolled.worker_id.clone());
        async move {
            let mut clients = common::as_worker(server, &token).await;
            let request = pb::GetBalanceRequest { worker_id, ..Default::default() };
            let balance = clients.worker.get_balance(request).await.expect("her balance").into_inner();
            balance.consents.into_iter().map(|consent| consent.organisation).collect::<Vec<_>>()
        }
    };

    let settings = phone.get("/settings").await;
    assert!(visible(&settings).contains("You have not given your consent to any organisation."));
    let forged =
        phone.post("/settings/consent", &[("csrf", "not-the-token"), ("organisation", "union-sa-dwu")]).await;
    assert_eq!(forged.status, 403, "no token, no consent");
    assert!(consents().await.is_empty(), "a refused form changes nothing");
    let unknown = phone
        .post("/settings/consent", &[("csrf", &settings.form_token()), ("organisation", "union-xx-none")])
        .await;
    assert_eq!(unknown.status, 400);
    assert!(visible(&unknown).contains("No organisation with this identifier is registered."));

    let given = phone
        .post("/settings/consent", &[("csrf", &settings.form_token()), ("organisation", " Union-SA-DWU ")])
        .await;
    assert_eq!((given.status, given.header("location")), (303, Some("/settings?consent=given")));
    assert_eq!(consents().await, ["union-sa-dwu"]);
    let settings = phone.get("/settings?consent=given").await;
    let text = visible(&settings);
    assert!(text.contains("Your consent is recorded."), "{text}");
    assert!(text.contains("union-sa-dwu, registered in Saudi Arabia"), "{text}");

    let taken_back = phone
        .post(
            "/settings/consent",
            &[("csrf", &settings.form_token()), ("organisation", "union-sa-dwu"), ("take_back", "1")],
        )
        .await;
    assert_eq!(taken_back.header("location"), Some("/settings?consent=taken-back"));
    assert!(consents().await.is_empty());
    let settings = phone.get("/settings?consent=taken-back").await;
    assert!(visible(&settings).contains("Your consent is taken back."));
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn she_appeals_a_refused_report_once_from_the_list_of_her_reports() {
    use sha2::Digest;
    let server = TestServer::start().await;
    let portal = start_portal(&server).await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000905", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut saudi = common::saudi_months_with_gaps(&server, &worker).await;
    let mut herself = common::as_worker(&server, &enrolled.worker_token).await;
    let claim = pb::FileClaimRequest {
        request_id: "claim-1".into(),
        worker_id: worker.clone(),
        jurisdiction: "SA".into(),
        employer_ref: "SA-EMP-0311".into(),
        months: vec!["2023-03".into()],
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: None,
        evidence_sha256: vec![5; 32],
    };
    let claim_seq =
        herself.worker.file_claim(claim).await.expect("filed").into_inner().receipt.expect("receipt").seq;
    let rejection = pb::ResolveClaimRequest {
        request_id: "rejected-1".into(),
        claim_seq,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "no payroll for March 2023".into(),
        contributions: vec![],
    };
    saudi.agency.resolve_claim(rejection).await.expect("rejected");
    let her_claim = || {
        let mut herself = herself.clone();
        let worker = worker.clone();
        async move {
            let request = pb::GetBalanceRequest { worker_id: worker, ..Default::default() };
            let balance = herself.worker.get_balance(request).await.expect("balance").into_inner();
            balance.claims.into_iter().find(|claim| claim.claim_seq == claim_seq).expect("her claim")
        }
    };

    let mut phone = Browser::new(&portal, "en");
    activate(&mut phone, &worker, &enrolled.activation_code).await;
    let claims = phone.get("/claims").await;
    let text = visible(&claims);
    assert!(text.contains("Refused. The reason given: no payroll for March 2023"), "{text}");
    let action = format!("/claims/{claim_seq}/appeal");
    assert!(claims.body.contains(&format!("action=\"{action}\"")), "{}", claims.body);
    assert!(text.contains("Appeal this answer"), "{text}");

    let letter = b"Letter of appeal: my March 2023 payslip shows 270.00 SAR deducted.";
    let forged = phone.upload(&action, "not-the-token", "letter.txt", letter).await;
    assert_eq!(forged.status, 403, "no token, no appeal");
    assert!(her_claim().await.appeal.is_none(), "a refused form changes nothing");

    let sent = phone.upload(&action, &claims.form_token(), "letter.txt", letter).await;
    assert_eq!((sent.status, sent.header("location")), (303, Some("/claims")), "{}", sent.body);
    let claims = phone.get("/claims").await;
    let text = visible(&claims);
    assert!(text.contains("Your appeal was sent. It must be decided by"), "{text}");
    assert!(text.contains("You appealed. The appeal body of Saudi Arabia must decide by"), "{text}");
    assert!(!claims.body.contains(&format!("action=\"{action}\"")), "appealed once, no form again");
    let appeal = her_claim().await.appeal.expect("appealed on the chain");
    assert_eq!(appeal.appeal_body, "sa-labour-court");
    let digest: [u8; 32] = sha2::Sha256::digest(letter).into();
    assert_eq!(appeal.grounds_sha256, digest.to_vec(), "only the letter's digest reached the ledger");

    // A second appeal, sent from a page kept open, is refused and says why.
    let again = phone.upload(&action, &claims.form_token(), "letter.txt", letter).await;
    assert_eq!(again.status, 422);
    assert!(visible(&again).contains("The appeal was not accepted:"), "{}", again.body);
    portal.stop().await;
    server.server.stop().await.expect("stopped");
}
