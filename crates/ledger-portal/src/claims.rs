//! Reporting a missing contribution, one question per page, then a page to check every answer;
//! and her reports with their deadlines. The answers so far are kept with her session (the
//! portal's memory), so the flow works without JavaScript and nothing half-written reaches the
//! ledger. The evidence file is hashed as it arrives and thrown away: only its SHA-256 is sent.

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, Response, StatusCode};
use ledger_proto::v1 as pb;
use serde::Deserialize;
use sha2::Digest;
use tonic::Code;

use crate::i18n::{Arg, Tr};
use crate::pages::{self, html, Chrome, Visit};
use crate::web;
use crate::Portal;

/// Largest evidence file taken, in bytes: a phone's photo of a payslip or two.
pub const EVIDENCE_BYTES_MAX: usize = 10 * 1024 * 1024;
/// Longest employer reference (the ledger's own bound).
const EMPLOYER_REF_LEN_MAX: usize = 64;
/// Months one report may name (the ledger's own bound).
const CLAIM_MONTHS_MAX: usize = ledger_core::CLAIM_MONTHS_MAX;

/// The answers so far.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub country: String,
    pub employer: String,
    /// As she typed them: "2024-03 2024-04".
    pub months: String,
    pub kind: String,
    pub evidence: Option<[u8; 32]>,
}

/// The questions, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Country,
    Employer,
    Months,
    Kind,
    Evidence,
}

impl Step {
    const ALL: [Step; 5] = [Step::Country, Step::Employer, Step::Months, Step::Kind, Step::Evidence];

    fn path(self) -> &'static str {
        match self {
            Step::Country => "country",
            Step::Employer => "employer",
            Step::Months => "months",
            Step::Kind => "kind",
            Step::Evidence => "evidence",
        }
    }

    fn from_path(path: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.path() == path)
    }

    fn number(self) -> usize {
        Step::ALL.iter().position(|step| *step == self).unwrap_or(0) + 1
    }

    /// Where the answer leads: the next question, or the check page.
    fn next(self) -> String {
        match Step::ALL.get(self.number()) {
            Some(next) => format!("/claims/new/{}", next.path()),
            None => "/claims/new/check".to_owned(),
        }
    }
}

/// The claim kinds she can choose, as the ledger names them.
const KINDS: [&str; 6] = [
    "missing_contribution",
    "unremitted_deduction",
    "unpaid_benefit",
    "unpaid_wages",
    "end_of_service_dues",
    "recruitment_cost_from_wages",
];

fn kind_code(kind: &str) -> i32 {
    ledger_core::ClaimKind::from_label(kind)
        .map_or(pb::ClaimKind::Unspecified as i32, |kind| i32::from(kind.code()))
}

fn kind_label(kind: i32) -> &'static str {
    u8::try_from(kind)
        .ok()
        .and_then(|code| ledger_core::ClaimKind::from_code(code.into()).ok())
        .map_or("missing_contribution", ledger_core::ClaimKind::label)
}

/// Years of the Thai Buddhist era are the Gregorian year plus this; a year this far ahead can
/// only be one of them.
const BUDDHIST_ERA_OFFSET: i32 = 543;

/// The months she typed, each "YYYY-MM", none after `this_month`; none when any is not a month.
/// A year of the Buddhist era, as Thai workers write it (2567 for 2024), is read as such.
pub fn parse_months(text: &str, this_month: (i32, u32)) -> Option<Vec<String>> {
    let mut months: Vec<(i32, u32)> = Vec::new();
    for word in text.split([' ', ',', ';', '\n', '\r', '\t']).filter(|word| !word.is_empty()) {
        let (year, month) = crate::record::parse_month(word.trim())?;
        let year =
            if year > this_month.0 + BUDDHIST_ERA_OFFSET / 2 { year - BUDDHIST_ERA_OFFSET } else { year };
        let month = Some((year, month)).filter(|month| *month <= this_month)?;
        months.push(month);
    }
    months.sort_unstable();
    months.dedup();
    if months.is_empty() || months.len() > CLAIM_MONTHS_MAX {
        return None;
    }
    Some(months.into_iter().map(|(year, month)| format!("{year:04}-{month:02}")).collect())
}

/// The countries she can address a report to: every country the portal names.
/// Every country the portal names, by code, with its name in her language.
pub(crate) fn countries(tr: &Tr<'_>) -> Vec<(String, String)> {
    crate::i18n::Messages::ids(crate::i18n::Locale::En)
        .into_iter()
        .filter_map(|id| id.strip_prefix("country-").map(str::to_owned))
        .map(|code| {
            let name = pages::country_name(tr, &code);
            (code, name)
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    country: String,
    #[serde(default)]
    month: String,
}

/// Starts a report, with the country and month of the gap she came from, if she did.
pub async fn start(
    State(portal): State<Arc<Portal>>,
    Query(query): Query<NewQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    if visit.signed_in.is_none() {
        return visit.finish(web::see_other("/sign-in"));
    }
    let tr = portal.messages.of(visit.locale);
    let known = countries(&tr).iter().any(|(code, _)| *code == query.country);
    let draft = Draft {
        country: if known { query.country } else { String::new() },
        months: if crate::record::parse_month(&query.month).is_some() { query.month } else { String::new() },
        ..Draft::default()
    };
    portal.sessions.set_draft(visit.id(), draft);
    visit.finish(web::see_other("/claims/new/country"))
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    chrome: Chrome,
    error_heading: String,
    errors: Vec<String>,
    step_line: String,
    action: String,
    question: String,
    hint: String,
    value: String,
    maxlength: usize,
    multipart: bool,
    /// For a choice: each value, its label, and whether it is chosen.
    choices: Vec<(String, String, bool)>,
    submit: String,
}

fn question_page(
    portal: &Portal,
    visit: &Visit,
    step: Step,
    draft: &Draft,
    errors: Vec<String>,
) -> QuestionPage {
    let tr = portal.messages.of(visit.locale);
    let (question, hint, value, choices) = match step {
        Step::Country => {
            let choices = countries(&tr)
                .into_iter()
                .map(|(code, name)| {
                    let chosen = code == draft.country;
                    (code, name, chosen)
                })
                .collect();
            (tr.t("claim-country-question"), String::new(), String::new(), choices)
        }
        Step::Employer => {
            (tr.t("claim-employer-question"), tr.t("claim-employer-hint"), draft.employer.clone(), Vec::new())
        }
        Step::Months => {
            (tr.t("claim-months-question"), tr.t("claim-months-hint"), draft.months.clone(), Vec::new())
        }
        Step::Kind => {
            let choices = KINDS
                .iter()
                .map(|kind| (kind.to_string(), tr.t(&format!("claim-kind-{kind}")), draft.kind == *kind))
                .collect();
            (tr.t("claim-kind-question"), String::new(), String::new(), choices)
        }
        Step::Evidence => {
            (tr.t("claim-evidence-question"), tr.t("claim-evidence-hint"), String::new(), Vec::new())
        }
    };
    let steps = Step::ALL.len() as u32;
    QuestionPage {
        chrome: visit.chrome(portal, question.clone()),
        error_heading: tr.t("error-heading"),
        errors,
        step_line: tr
            .with("claim-step", &[("step", Arg::from(step.number() as u32)), ("steps", Arg::from(steps))]),
        action: format!("/claims/new/{}", step.path()),
        question,
        hint,
        value,
        maxlength: if step == Step::Months { 1024 } else { EMPLOYER_REF_LEN_MAX },
        multipart: step == Step::Evidence,
        choices,
        submit: tr.t("claim-continue"),
    }
}

pub async fn question(
    State(portal): State<Arc<Portal>>,
    Path(step): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(step) = Step::from_path(&step) else { return pages::not_found(State(portal), headers).await };
    let Some(draft) = visit.draft(&portal) else { return visit.finish(web::see_other("/claims/new")) };
    let page = question_page(&portal, &visit, step, &draft, Vec::new());
    visit.finish(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

pub async fn answer(
    State(portal): State<Arc<Portal>>,
    Path(step): Path<String>,
    headers: HeaderMap,
    Form(form): Form<AnswerForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(step) = Step::from_path(&step).filter(|step| *step != Step::Evidence) else {
        return pages::not_found(State(portal), headers).await;
    };
    let Some(mut draft) = visit.draft(&portal) else { return visit.finish(web::see_other("/claims/new")) };
    let tr = portal.messages.of(visit.locale);
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        let page = question_page(&portal, &visit, step, &draft, vec![tr.t("error-form-expired")]);
        return visit.finish(html(StatusCode::FORBIDDEN, &page));
    }
    let answer = form.answer.trim().to_owned();
    let refused = match step {
        Step::Country if countries(&tr).iter().any(|(code, _)| *code == answer) => {
            draft.country = answer;
            None
        }
        Step::Country => Some("claim-error-country"),
        Step::Employer if well_formed_reference(&answer) => {
            draft.employer = answer;
            None
        }
        Step::Employer => Some("claim-error-employer"),
        Step::Months => {
            draft.months = answer;
            parse_months(&draft.months, this_month()).is_none().then_some("claim-error-months")
        }
        Step::Kind if KINDS.contains(&answer.as_str()) => {
            draft.kind = answer;
            None
        }
        Step::Kind | Step::Evidence => Some("claim-error-kind"),
    };
    portal.sessions.set_draft(visit.id(), draft.clone());
    match refused {
        Some(error) => {
            let page = question_page(&portal, &visit, step, &draft, vec![tr.t(error)]);
            visit.finish(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        None => visit.finish(web::see_other(&step.next())),
    }
}

/// The month it is now (UTC), as (year, month).
fn this_month() -> (i32, u32) {
    use chrono::Datelike;
    let today = chrono::Utc::now().date_naive();
    (today.year(), today.month())
}

/// An employer reference the ledger takes: 1 to 64 bytes of printable text.
fn well_formed_reference(text: &str) -> bool {
    !text.is_empty() && text.len() <= EMPLOYER_REF_LEN_MAX && !text.chars().any(char::is_control)
}

/// The evidence page's answer: a file, hashed as it arrives; none chosen is no evidence.
/// What a form with a file to hash brought: the digest of its file (none when she chose none),
/// or why it is refused.
enum Upload {
    Digest(Option<[u8; 32]>),
    TooLarge,
    Forged,
    Malformed,
}

/// Reads a form of a CSRF token and a file (`answer`), or the file's SHA-256 computed on her phone
/// (`evidence_sha256`, by static/evidence.js): the file is hashed as it arrives and thrown away.
/// The token comes first in the form: nothing is read from a forged one.
async fn hashed_upload(portal: &Portal, visit: &Visit, headers: &HeaderMap, form: &mut Multipart) -> Upload {
    let mut token = String::new();
    let mut digest = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => return Upload::TooLarge,
        };
        match field.name() {
            Some("csrf") => token = field.text().await.unwrap_or_default(),
            Some("answer") => {
                if visit.check(portal, headers, &token).is_err() {
                    return Upload::Forged;
                }
                let named = field.file_name().is_some_and(|name| !name.is_empty());
                let mut hasher = sha2::Sha256::new();
                let mut bytes = 0usize;
                let mut field = field;
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            bytes += chunk.len();
                            hasher.update(&chunk);
                        }
                        Ok(None) => break,
                        Err(_) => return Upload::TooLarge,
                    }
                }
                digest = (named && bytes > 0).then(|| hasher.finalize().into());
            }
            Some("evidence_sha256") => {
                if visit.check(portal, headers, &token).is_err() {
                    return Upload::Forged;
                }
                let text = field.text().await.unwrap_or_default();
                match hex::decode(text.trim()).ok().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()) {
                    Some(sent) => digest = Some(sent),
                    None => return Upload::Malformed,
                }
            }
            _ => {}
        }
    }
    if visit.check(portal, headers, &token).is_err() {
        return Upload::Forged;
    }
    Upload::Digest(digest)
}

fn too_large(tr: &Tr<'_>) -> String {
    let megabytes = Arg::from((EVIDENCE_BYTES_MAX / (1024 * 1024)) as u32);
    tr.with("claim-error-evidence", &[("megabytes", megabytes)])
}

pub async fn evidence(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(mut draft) = visit.draft(&portal) else { return visit.finish(web::see_other("/claims/new")) };
    let tr = portal.messages.of(visit.locale);
    let refuse = |status: StatusCode, error: String, draft: &Draft| {
        let page = question_page(&portal, &visit, Step::Evidence, draft, vec![error]);
        visit.finish(html(status, &page))
    };
    match hashed_upload(&portal, &visit, &headers, &mut form).await {
        Upload::Digest(digest) => draft.evidence = digest,
        Upload::TooLarge => return refuse(StatusCode::PAYLOAD_TOO_LARGE, too_large(&tr), &draft),
        Upload::Forged => return refuse(StatusCode::FORBIDDEN, tr.t("error-form-expired"), &draft),
        Upload::Malformed => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t("error-form-expired"), &draft)
        }
    }
    portal.sessions.set_draft(visit.id(), draft);
    visit.finish(web::see_other(&Step::Evidence.next()))
}

/// Her appeal of a refused report, from the list of her reports: to the body the rules name for
/// the country that refused it, with a letter or new papers if she has them (hashed like the
/// evidence of a report; only the digest is sent).
pub async fn appeal(
    State(portal): State<Arc<Portal>>,
    Path(claim_seq): Path<u64>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let grounds = match hashed_upload(&portal, &visit, &headers, &mut form).await {
        // No paper is the digest of nothing, as for a report.
        Upload::Digest(digest) => digest.unwrap_or_else(|| sha2::Sha256::digest(b"").into()),
        Upload::TooLarge => {
            return list_page(&portal, &visit, &session, too_large(&tr), StatusCode::PAYLOAD_TOO_LARGE).await
        }
        Upload::Forged | Upload::Malformed => {
            let expired = tr.t("error-form-expired");
            return list_page(&portal, &visit, &session, expired, StatusCode::FORBIDDEN).await;
        }
    };
    let request = pb::AppealClaimRequest {
        request_id: format!("portal-appeal-{}", &web::random_id()[..24]),
        claim_seq,
        grounds_sha256: grounds.to_vec(),
    };
    match portal.worker_client(&session.token).appeal_claim(request).await {
        Ok(answer) => {
            let respond_by = answer.into_inner().respond_by;
            let date = chrono::NaiveDate::parse_from_str(&respond_by, "%Y-%m-%d")
                .map(|day| tr.date(day))
                .unwrap_or(respond_by);
            portal
                .sessions
                .set_notice(visit.id(), tr.with("claims-appeal-sent", &[("date", Arg::Text(date))]));
            visit.finish(web::see_other("/claims"))
        }
        Err(status)
            if matches!(
                status.code(),
                Code::InvalidArgument | Code::FailedPrecondition | Code::NotFound | Code::PermissionDenied
            ) =>
        {
            let error =
                tr.with("claims-appeal-refused", &[("reason", Arg::Text(status.message().to_owned()))]);
            list_page(&portal, &visit, &session, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(status) => pages::refused_by_ledger(&portal, &visit, &status),
    }
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    chrome: Chrome,
    error_heading: String,
    errors: Vec<String>,
    heading: String,
    /// Each answer's label, the answer, and where to change it.
    answers: Vec<(String, String, String)>,
    change: String,
    submit: String,
}

fn check_page(portal: &Portal, visit: &Visit, draft: &Draft, errors: Vec<String>) -> CheckPage {
    let tr = portal.messages.of(visit.locale);
    let months = month_names(&tr, &parse_months(&draft.months, this_month()).unwrap_or_default());
    let evidence = match draft.evidence {
        Some(digest) => tr.with("claim-evidence-kept", &[("digest", Arg::Text(hex::encode(&digest[..8])))]),
        None => tr.t("claim-no-evidence"),
    };
    let href = |step: Step| format!("/claims/new/{}", step.path());
    let answers = vec![
        (tr.t("claim-check-country"), pages::country_name(&tr, &draft.country), href(Step::Country)),
        (tr.t("claim-check-employer"), draft.employer.clone(), href(Step::Employer)),
        (tr.t("claim-check-months"), months, href(Step::Months)),
        (tr.t("claim-check-kind"), tr.t(&format!("claim-kind-{}", draft.kind)), href(Step::Kind)),
        (tr.t("claim-check-evidence"), evidence, href(Step::Evidence)),
    ];
    CheckPage {
        chrome: visit.chrome(portal, tr.t("claim-check-heading")),
        error_heading: tr.t("error-heading"),
        errors,
        heading: tr.t("claim-check-heading"),
        answers,
        change: tr.t("claim-change"),
        submit: tr.t("claim-submit"),
    }
}

/// "YYYY-MM" months by name, as a list in her language.
fn month_names(tr: &Tr<'_>, months: &[String]) -> String {
    let names: Vec<String> = months
        .iter()
        .filter_map(|month| crate::record::parse_month(month))
        .map(|(year, month)| tr.month(year, month))
        .collect();
    tr.list(&names)
}

/// The first question not answered well yet, if any.
fn unanswered(tr: &Tr<'_>, draft: &Draft) -> Option<Step> {
    if !countries(tr).iter().any(|(code, _)| *code == draft.country) {
        return Some(Step::Country);
    }
    if !well_formed_reference(&draft.employer) {
        return Some(Step::Employer);
    }
    if parse_months(&draft.months, this_month()).is_none() {
        return Some(Step::Months);
    }
    (!KINDS.contains(&draft.kind.as_str())).then_some(Step::Kind)
}

pub async fn check(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(draft) = visit.draft(&portal) else { return visit.finish(web::see_other("/claims/new")) };
    let tr = portal.messages.of(visit.locale);
    if let Some(step) = unanswered(&tr, &draft) {
        return visit.finish(web::see_other(&format!("/claims/new/{}", step.path())));
    }
    let page = check_page(&portal, &visit, &draft, Vec::new());
    visit.finish(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn send(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let (Some(session), Some(draft)) = (visit.signed_in.clone(), visit.draft(&portal)) else {
        return visit.finish(web::see_other("/claims"));
    };
    let tr = portal.messages.of(visit.locale);
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        let page = check_page(&portal, &visit, &draft, vec![tr.t("error-form-expired")]);
        return visit.finish(html(StatusCode::FORBIDDEN, &page));
    }
    let (Some(months), None) = (parse_months(&draft.months, this_month()), unanswered(&tr, &draft)) else {
        return visit.finish(web::see_other("/claims/new/check"));
    };
    let request = pb::FileClaimRequest {
        request_id: format!("portal-claim-{}", &web::random_id()[..24]),
        worker_id: String::new(),
        jurisdiction: draft.country.clone(),
        employer_ref: draft.employer.clone(),
        months,
        kind: kind_code(&draft.kind),
        amount_minor: None,
        // No paper is the digest of nothing: the ledger keeps a digest for every claim.
        evidence_sha256: draft.evidence.unwrap_or_else(|| sha2::Sha256::digest(b"").into()).to_vec(),
    };
    match portal.worker_client(&session.token).file_claim(request).await {
        Ok(answer) => {
            portal.sessions.clear_draft(visit.id());
            let respond_by = answer.into_inner().respond_by;
            let date = chrono::NaiveDate::parse_from_str(&respond_by, "%Y-%m-%d")
                .map(|day| tr.date(day))
                .unwrap_or(respond_by);
            let country = pages::country_name(&tr, &draft.country);
            let notice = tr.with("claim-sent", &[("country", Arg::Text(country)), ("date", Arg::Text(date))]);
            portal.sessions.set_notice(visit.id(), notice);
            visit.finish(web::see_other("/claims"))
        }
        Err(status)
            if matches!(status.code(), Code::InvalidArgument | Code::FailedPrecondition | Code::NotFound) =>
        {
            let error = tr.with("claim-error-sent", &[("reason", Arg::Text(status.message().to_owned()))]);
            let page = check_page(&portal, &visit, &draft, vec![error]);
            visit.finish(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(status) => pages::refused_by_ledger(&portal, &visit, &status),
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ClaimsPage {
    chrome: Chrome,
    notice: String,
    heading: String,
    new_claim: String,
    none: String,
    claims: Vec<ClaimLine>,
    /// The appeal form's labels, and whether any report has one (and so the script that hashes
    /// its file).
    appeal_grounds: String,
    appeal_button: String,
    any_appealable: bool,
}

/// One of her reports: what it is about, when it was sent, where it stands, its class, and the
/// claim's seq when she can appeal its answer.
struct ClaimLine {
    summary: String,
    filed: String,
    state: String,
    class: String,
    appealable: Option<u64>,
}

pub async fn list(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    let notice = portal.sessions.take_notice(visit.id()).unwrap_or_default();
    list_page(&portal, &visit, &session, notice, StatusCode::OK).await
}

/// Her reports, newest first, with `notice` above them, answered with `status`.
async fn list_page(
    portal: &Portal,
    visit: &Visit,
    session: &web::SignedIn,
    notice: String,
    status: StatusCode,
) -> Response<Body> {
    let tr = portal.messages.of(visit.locale);
    let request = pb::GetBalanceRequest {
        worker_id: session.worker_id.clone(),
        claims_limit: pages::CLAIMS_SHOWN_MAX,
        ..Default::default()
    };
    let balance = match portal.worker_client(&session.token).get_balance(request).await {
        Ok(answer) => answer.into_inner(),
        Err(status) => return pages::refused_by_ledger(portal, visit, &status),
    };
    let today = chrono::NaiveDate::parse_from_str(&balance.evaluated_on, "%Y-%m-%d").ok();
    let claims: Vec<ClaimLine> =
        balance.claims.iter().rev().map(|claim| claim_view(&tr, claim, today)).collect();
    let page = ClaimsPage {
        any_appealable: claims.iter().any(|claim| claim.appealable.is_some()),
        chrome: visit.chrome(portal, tr.t("claims-heading")),
        notice,
        heading: tr.t("claims-heading"),
        new_claim: tr.t("claims-new"),
        none: tr.t("claims-none"),
        claims,
        appeal_grounds: tr.t("claims-appeal-grounds"),
        appeal_button: tr.t("claims-appeal"),
    };
    visit.finish(html(status, &page))
}

fn claim_view(tr: &Tr<'_>, claim: &pb::ClaimView, today: Option<chrono::NaiveDate>) -> ClaimLine {
    let months = month_names(tr, &claim.months);
    let summary = tr.with(
        "claims-item",
        &[
            ("kind", Arg::Text(tr.t(&format!("claim-kind-{}", kind_label(claim.kind))))),
            ("country", Arg::Text(pages::country_name(tr, &claim.addressed_to))),
            ("employer", Arg::Text(claim.employer_ref.clone())),
            ("months", Arg::Text(months)),
        ],
    );
    let filed = claim
        .filed_at
        .as_ref()
        .and_then(|at| chrono::DateTime::from_timestamp(at.seconds, 0))
        .map(|at| tr.with("claims-filed", &[("date", Arg::Text(tr.date(at.date_naive())))]))
        .unwrap_or_default();
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let respond_by = day(&claim.respond_by);
    let due = respond_by.map(|day| tr.date(day)).unwrap_or_default();
    let appeal = claim.appeal.as_ref();
    let appeal_due =
        appeal.and_then(|appeal| day(&appeal.respond_by)).map(|day| tr.date(day)).unwrap_or_default();
    let appeal_reason = appeal.map(|appeal| appeal.reason.clone()).unwrap_or_default();
    let country = Arg::Text(pages::country_name(tr, &claim.addressed_to));
    let state = match claim.state.as_str() {
        "upheld" => tr.t("claims-state-upheld"),
        "rejected" => tr.with("claims-state-rejected", &[("reason", Arg::Text(claim.reason.clone()))]),
        "overdue" => {
            let days = match (today, respond_by) {
                (Some(today), Some(due)) => u32::try_from((today - due).num_days()).unwrap_or(0),
                _ => 0,
            };
            tr.with("claims-state-overdue", &[("date", Arg::Text(due)), ("days", Arg::from(days))])
        }
        "appealed" => {
            tr.with("claims-state-appealed", &[("country", country), ("date", Arg::Text(appeal_due))])
        }
        "appeal overdue" => {
            tr.with("claims-state-appeal-overdue", &[("country", country), ("date", Arg::Text(appeal_due))])
        }
        "upheld on appeal" => tr.t("claims-state-upheld-on-appeal"),
        "rejected on appeal" => {
            tr.with("claims-state-rejected-on-appeal", &[("reason", Arg::Text(appeal_reason))])
        }
        _ => tr.with("claims-state-open", &[("date", Arg::Text(due))]),
    };
    // A refused report not yet appealed: she may appeal it once.
    let appealable = (claim.state == "rejected" && appeal.is_none()).then_some(claim.claim_seq);
    let class = claim.state.replace(' ', "-");
    ClaimLine { summary, filed, state, class, appealable }
}

/// Hashes the evidence on her phone where JavaScript runs (`static/evidence.js`).
pub async fn evidence_script() -> Response<Body> {
    pages::static_file(include_str!("../static/evidence.js"), "text/javascript; charset=utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_as_she_types_them_and_never_in_the_future() {
        let now = (2026, 3);
        let cases: [(&str, Option<Vec<&str>>); 8] = [
            ("2024-03", Some(vec!["2024-03"])),
            ("2567-03", Some(vec!["2024-03"])),
            ("2024-04 2024-03, 2024-04", Some(vec!["2024-03", "2024-04"])),
            ("2026-03", Some(vec!["2026-03"])),
            ("2026-04", None),
            ("2024-3", None),
            ("March 2024", None),
            ("", None),
        ];
        for (typed, expected) in cases {
            let expected = expected.map(|months| months.into_iter().map(str::to_owned).collect::<Vec<_>>());
            assert_eq!(parse_months(typed, now), expected, "{typed:?}");
        }
        let many: Vec<String> =
            (0..121).map(|index| format!("{:04}-{:02}", 2000 + index / 12, index % 12 + 1)).collect();
        assert_eq!(parse_months(&many.join(" "), now), None, "at most 120 months");
    }
}
