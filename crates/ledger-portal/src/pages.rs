//! The pages: each handler reads the visit (who, in which language), asks the ledger through its
//! services with the worker's own session, and renders a template with every text already in her
//! language.

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use ledger_proto::v1 as pb;
use serde::Deserialize;
use tonic::{Code, Status};

use crate::i18n::{Arg, Locale, Tr};
use crate::web::{self, Refused, SignedIn};
use crate::Portal;

/// One request's visitor: her id (new when she brought none), language, and session.
pub struct Visit {
    id: String,
    /// Whether the id is new, so that the answer sets the cookie.
    new: bool,
    pub locale: Locale,
    pub signed_in: Option<SignedIn>,
}

impl Visit {
    pub fn of(portal: &Portal, headers: &HeaderMap) -> Visit {
        let sent = web::cookie(headers, web::SESSION_COOKIE).filter(|id| web::well_formed_id(id));
        let (id, new) = match sent {
            Some(id) => (id, false),
            None => (web::random_id(), true),
        };
        let chosen = web::cookie(headers, web::LANGUAGE_COOKIE);
        let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
        let locale = Locale::negotiate(chosen.as_deref(), accept);
        let signed_in = if new { None } else { portal.sessions.get(&id) };
        Visit { id, new, locale, signed_in }
    }

    /// The visitor's id, the key of her session.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Her report being written, when she is signed in and has started one.
    pub fn draft(&self, portal: &Portal) -> Option<crate::claims::Draft> {
        self.signed_in.as_ref()?;
        portal.sessions.draft(&self.id)
    }

    pub(crate) fn chrome(&self, portal: &Portal, title: String) -> Chrome {
        let tr = portal.messages.of(self.locale);
        Chrome {
            lang: self.locale.tag(),
            dir: self.locale.direction(),
            title,
            site: tr.t("portal-title"),
            skip: tr.t("skip-to-content"),
            language_label: tr.t("choose-language"),
            signed_in: self.signed_in.is_some(),
            sign_out: tr.t("sign-out"),
            csrf: web::form_token(&portal.secret, &self.id),
            nav_me: tr.t("nav-me"),
            nav_record: tr.t("nav-record"),
            nav_claims: tr.t("nav-claims"),
            nav_statement: tr.t("nav-statement"),
            nav_settings: tr.t("nav-settings"),
        }
    }

    /// `response` with the visitor cookie when the visit brought none.
    pub(crate) fn finish(&self, mut response: Response<Body>) -> Response<Body> {
        if self.new {
            if let Ok(value) = HeaderValue::from_str(&web::set_cookie(web::SESSION_COOKIE, &self.id, None)) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }

    pub(crate) fn check(&self, portal: &Portal, headers: &HeaderMap, token: &str) -> Result<(), Refused> {
        let id = (!self.new).then_some(self.id.as_str());
        web::check_post(headers, &portal.secret, id, token)
    }
}

/// What the layout of every page needs.
pub struct Chrome {
    pub lang: &'static str,
    pub dir: &'static str,
    pub title: String,
    pub site: String,
    pub skip: String,
    pub language_label: String,
    pub signed_in: bool,
    pub sign_out: String,
    pub csrf: String,
    pub nav_me: String,
    pub nav_record: String,
    pub nav_claims: String,
    pub nav_statement: String,
    pub nav_settings: String,
}

/// Her reports shown on one page, newest first.
pub const CLAIMS_SHOWN_MAX: u32 = 100;

pub(crate) fn html(status: StatusCode, template: &impl Template) -> Response<Body> {
    match template.render() {
        Ok(text) => {
            let mut response = Response::new(Body::from(text));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "a page did not render");
            let mut response = Response::new(Body::from("internal error"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    }
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    chrome: Chrome,
    heading: String,
    intro: String,
    notice: String,
    sign_in: String,
    activate: String,
    verify: String,
}

#[derive(Deserialize, Default)]
pub struct StartQuery {
    #[serde(default)]
    signed_out: Option<String>,
}

pub async fn start(
    State(portal): State<Arc<Portal>>,
    Query(query): Query<StartQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    if visit.signed_in.is_some() {
        return visit.finish(web::see_other("/me"));
    }
    let tr = portal.messages.of(visit.locale);
    let notice = match query.signed_out.as_deref() {
        Some("everywhere") => tr.t("settings-signed-out-everywhere"),
        Some(_) => tr.t("signed-out"),
        None => String::new(),
    };
    let page = StartPage {
        chrome: visit.chrome(&portal, tr.t("start-heading")),
        heading: tr.t("start-heading"),
        intro: tr.t("start-intro"),
        notice,
        sign_in: tr.t("start-sign-in"),
        activate: tr.t("start-activate"),
        verify: tr.t("start-verify"),
    };
    visit.finish(html(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "language.html")]
struct LanguagePage {
    chrome: Chrome,
    heading: String,
    hint: String,
    /// Each language's tag, its name in itself, and its direction.
    languages: Vec<(&'static str, String, &'static str)>,
}

pub async fn language(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let languages = Locale::ALL
        .iter()
        .map(|locale| (locale.tag(), portal.messages.of(*locale).t("language-name"), locale.direction()))
        .collect();
    let page = LanguagePage {
        chrome: visit.chrome(&portal, tr.t("choose-language")),
        heading: tr.t("choose-language"),
        hint: tr.t("choose-language-hint"),
        languages,
    };
    visit.finish(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct LanguageForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lang: String,
}

pub async fn choose_language(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return visit.finish(web::see_other("/language"));
    }
    let Some(locale) = Locale::from_tag(&form.lang) else {
        return visit.finish(web::see_other("/language"));
    };
    let to = if visit.signed_in.is_some() { "/me" } else { "/" };
    let mut response = web::see_other(to);
    if let Ok(value) = HeaderValue::from_str(&web::language_cookie(locale.tag())) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    visit.finish(response)
}

/// Labels and hints of the sign-in and activation forms.
struct Fields {
    worker_id_label: String,
    worker_id_hint: String,
    pin_label: String,
}

impl Fields {
    fn of(tr: &Tr<'_>) -> Fields {
        Fields {
            worker_id_label: tr.t("field-worker-id"),
            worker_id_hint: tr.t("field-worker-id-hint"),
            pin_label: tr.t("field-pin"),
        }
    }
}

#[derive(Template)]
#[template(path = "activate.html")]
struct ActivatePage {
    chrome: Chrome,
    error_heading: String,
    errors: Vec<String>,
    heading: String,
    intro: String,
    worker_id: String,
    worker_id_label: String,
    worker_id_hint: String,
    code_label: String,
    code_hint: String,
    pin_label: String,
    pin_hint: String,
    pin_again_label: String,
    submit: String,
}

fn activate_page(portal: &Portal, visit: &Visit, worker_id: &str, errors: Vec<String>) -> ActivatePage {
    let tr = portal.messages.of(visit.locale);
    let fields = Fields::of(&tr);
    ActivatePage {
        chrome: visit.chrome(portal, tr.t("activate-heading")),
        error_heading: tr.t("error-heading"),
        errors,
        heading: tr.t("activate-heading"),
        intro: tr.t("activate-intro"),
        worker_id: worker_id.to_owned(),
        worker_id_label: fields.worker_id_label,
        worker_id_hint: fields.worker_id_hint,
        code_label: tr.t("field-activation-code"),
        code_hint: tr.t("field-activation-code-hint"),
        pin_label: fields.pin_label,
        pin_hint: tr.t("field-pin-hint"),
        pin_again_label: tr.t("field-pin-again"),
        submit: tr.t("activate-submit"),
    }
}

pub async fn activate(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let page = activate_page(&portal, &visit, "", Vec::new());
    visit.finish(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct ActivateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    pin_again: String,
}

pub async fn activate_post(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(crate::Peer(peer)): ConnectInfo<crate::Peer>,
    headers: HeaderMap,
    Form(form): Form<ActivateForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let worker_id = form.worker_id.trim().to_ascii_uppercase();
    let refuse = |status: StatusCode, error: String| {
        let page = activate_page(&portal, &visit, &worker_id, vec![error]);
        visit.finish(html(status, &page))
    };
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return refuse(StatusCode::FORBIDDEN, tr.t("error-form-expired"));
    }
    if !portal.throttle.admit(peer.ip()) {
        return refuse(StatusCode::TOO_MANY_REQUESTS, tr.t("error-busy"));
    }
    if form.pin != form.pin_again {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, tr.t("activate-pins-differ"));
    }
    let request =
        pb::ActivateRequest { worker_id: worker_id.clone(), activation_code: form.code, pin: form.pin };
    match portal.sign_in_client().activate(request).await {
        Ok(answer) => signed_in(&portal, &visit, &worker_id, answer.into_inner().session_token),
        Err(status) => refuse(refusal_status(&status), sign_in_error(&tr, &status)),
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
pub(crate) struct SignInPage {
    chrome: Chrome,
    error_heading: String,
    errors: Vec<String>,
    notice: String,
    heading: String,
    worker_id: String,
    worker_id_label: String,
    worker_id_hint: String,
    pin_label: String,
    submit: String,
    activate_instead: String,
    passkey_or: String,
    passkey_sign_in: String,
    passkey_failed: String,
}

pub(crate) fn sign_in_page(
    portal: &Portal,
    visit: &Visit,
    worker_id: &str,
    errors: Vec<String>,
    notice: String,
) -> SignInPage {
    let tr = portal.messages.of(visit.locale);
    let fields = Fields::of(&tr);
    SignInPage {
        chrome: visit.chrome(portal, tr.t("sign-in-heading")),
        error_heading: tr.t("error-heading"),
        errors,
        notice,
        heading: tr.t("sign-in-heading"),
        worker_id: worker_id.to_owned(),
        worker_id_label: fields.worker_id_label,
        worker_id_hint: fields.worker_id_hint,
        pin_label: fields.pin_label,
        submit: tr.t("sign-in-submit"),
        activate_instead: tr.t("sign-in-activate-instead"),
        passkey_or: tr.t("sign-in-passkey-or"),
        passkey_sign_in: tr.t("sign-in-passkey"),
        passkey_failed: tr.t("sign-in-passkey-failed"),
    }
}

#[derive(Deserialize, Default)]
pub struct SignInQuery {
    #[serde(default)]
    ended: Option<String>,
}

pub async fn sign_in(
    State(portal): State<Arc<Portal>>,
    Query(query): Query<SignInQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    if visit.signed_in.is_some() {
        return visit.finish(web::see_other("/me"));
    }
    let tr = portal.messages.of(visit.locale);
    let notice = if query.ended.is_some() { tr.t("session-ended") } else { String::new() };
    let page = sign_in_page(&portal, &visit, "", Vec::new(), notice);
    visit.finish(html(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker_id: String,
    #[serde(default)]
    pin: String,
}

pub async fn sign_in_post(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(crate::Peer(peer)): ConnectInfo<crate::Peer>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let worker_id = form.worker_id.trim().to_ascii_uppercase();
    let refuse = |status: StatusCode, error: String| {
        let page = sign_in_page(&portal, &visit, &worker_id, vec![error], String::new());
        visit.finish(html(status, &page))
    };
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return refuse(StatusCode::FORBIDDEN, tr.t("error-form-expired"));
    }
    if !portal.throttle.admit(peer.ip()) {
        return refuse(StatusCode::TOO_MANY_REQUESTS, tr.t("error-busy"));
    }
    let request = pb::SignInRequest { worker_id: worker_id.clone(), pin: form.pin };
    match portal.sign_in_client().sign_in(request).await {
        Ok(answer) => signed_in(&portal, &visit, &worker_id, answer.into_inner().session_token),
        Err(status) => refuse(refusal_status(&status), sign_in_error(&tr, &status)),
    }
}

/// Signs the visitor in under a new id (so that an id someone planted before she signed in is
/// worth nothing after), and sends her to her record.
pub(crate) fn signed_in(portal: &Portal, visit: &Visit, worker_id: &str, token: String) -> Response<Body> {
    portal.sessions.remove(&visit.id);
    let id = web::random_id();
    portal.sessions.insert(&id, worker_id, token);
    let mut response = web::see_other("/me");
    if let Ok(value) = HeaderValue::from_str(&web::set_cookie(web::SESSION_COOKIE, &id, None)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize, Default)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn sign_out(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return visit.finish(web::see_other("/"));
    }
    if let Some(session) = portal.sessions.remove(&visit.id) {
        let mut worker = portal.worker_client(&session.token);
        // Ended at the ledger too: the token is worth nothing to whoever finds the phone next.
        if let Err(status) = worker.end_sessions(pb::EndSessionsRequest { everywhere: false }).await {
            tracing::info!(code = ?status.code(), "a session ended at the portal was not ended at the ledger");
        }
    }
    visit.finish(web::see_other("/?signed_out=1"))
}

/// The HTTP status of a refused sign-in's page.
pub(crate) fn refusal_status(status: &Status) -> StatusCode {
    match status.code() {
        Code::InvalidArgument => StatusCode::UNPROCESSABLE_ENTITY,
        Code::Unauthenticated | Code::FailedPrecondition | Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A refused sign-in in her language, from the reason the ledger gives.
pub(crate) fn sign_in_error(tr: &Tr<'_>, status: &Status) -> String {
    let metadata = |name: &str| status.metadata().get(name).and_then(|value| value.to_str().ok());
    let reason = metadata(ledger_proto::metadata::SIGN_IN_REASON).unwrap_or_default();
    let left =
        metadata(ledger_proto::metadata::SIGN_IN_ATTEMPTS_LEFT).and_then(|left| left.parse::<u32>().ok());
    match (status.code(), reason) {
        (Code::InvalidArgument, _) => invalid_field(tr, status),
        (_, "wrong") => match left {
            Some(left) => tr.with("error-wrong", &[("left", Arg::from(left))]),
            None => tr.t("error-wrong-no-count"),
        },
        (_, "locked") => tr.t("error-locked"),
        (_, "expired") => tr.t("error-expired"),
        (_, "used") => tr.t("error-used"),
        (_, "not_activated") => tr.t("error-not-activated"),
        (_, "no_passkey") => tr.t("error-no-passkey"),
        (Code::ResourceExhausted, _) => tr.t("error-busy"),
        _ => tr.t("error-unavailable"),
    }
}

/// An invalid field, named by its label, with its hint where it has one.
fn invalid_field(tr: &Tr<'_>, status: &Status) -> String {
    let message = status.message();
    let field = if message.contains("worker_id") {
        format!("{}. {}", tr.t("field-worker-id"), tr.t("field-worker-id-hint"))
    } else if message.contains("activation_code") {
        format!("{}. {}", tr.t("field-activation-code"), tr.t("field-activation-code-hint"))
    } else {
        format!("{}. {}", tr.t("field-pin"), tr.t("field-pin-hint"))
    };
    tr.with("error-form", &[("field", Arg::Text(field))])
}

/// One line of her record: a benefit in a country.
pub struct LineView {
    branch: String,
    own: String,
    total: String,
    agreements: Vec<String>,
    missing: String,
    amount: String,
    standing: String,
}

/// Her lines in one country.
pub struct CountryView {
    code: String,
    name: String,
    lines: Vec<LineView>,
}

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    chrome: Chrome,
    heading: String,
    worker_line: String,
    as_of: String,
    nothing_yet: String,
    countries: Vec<CountryView>,
}

pub async fn me(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = &visit.signed_in else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let request = pb::GetBalanceRequest { worker_id: session.worker_id.clone(), ..Default::default() };
    let balance = match portal.worker_client(&session.token).get_balance(request).await {
        Ok(answer) => answer.into_inner(),
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let as_of = chrono::NaiveDate::parse_from_str(&balance.evaluated_on, "%Y-%m-%d")
        .map(|day| tr.with("me-as-of", &[("date", Arg::Text(tr.date(day)))]))
        .unwrap_or_default();
    let page = MePage {
        chrome: visit.chrome(&portal, tr.t("me-heading")),
        heading: tr.t("me-heading"),
        worker_line: tr.with("me-worker-id", &[("id", Arg::from(session.worker_id.as_str()))]),
        as_of,
        nothing_yet: tr.t("me-nothing-yet"),
        countries: countries(&tr, &balance.lines),
    };
    visit.finish(html(StatusCode::OK, &page))
}

/// Her lines with months, grouped by country in the order the ledger gives them.
fn countries(tr: &Tr<'_>, lines: &[pb::BalanceLine]) -> Vec<CountryView> {
    let mut countries: Vec<CountryView> = Vec::new();
    for line in lines.iter().filter(|line| line.own_months > 0) {
        let view = line_view(tr, line);
        match countries.iter_mut().find(|country| country.code == line.jurisdiction) {
            Some(country) => country.lines.push(view),
            None => countries.push(CountryView {
                code: line.jurisdiction.clone(),
                name: country_name(tr, &line.jurisdiction),
                lines: vec![view],
            }),
        }
    }
    countries
}

pub(crate) fn country_name(tr: &Tr<'_>, code: &str) -> String {
    let id = format!("country-{code}");
    let name = tr.t(&id);
    if name == id {
        code.to_owned()
    } else {
        name
    }
}

fn branch_name(tr: &Tr<'_>, code: i32) -> String {
    let label = ledger_core::Branch::from_code(code.into()).map_or("", ledger_core::Branch::label);
    tr.t(&format!("branch-{label}"))
}

fn line_view(tr: &Tr<'_>, line: &pb::BalanceLine) -> LineView {
    let country = country_name(tr, &line.jurisdiction);
    let months = |months: u32| Arg::Text(tr.with("me-country-months", &[("months", Arg::from(months))]));
    let own =
        tr.with("me-own-months", &[("country", Arg::Text(country)), ("months", months(line.own_months))]);
    let total = match line.total_months > line.own_months {
        true => tr.with("me-total-months", &[("months", months(line.total_months))]),
        false => String::new(),
    };
    let agreements = line
        .agreements
        .iter()
        .map(|agreement| {
            tr.with("me-agreement-adds", &[("country", Arg::Text(country_name(tr, &agreement.partner)))])
        })
        .collect();
    let missing = match line.has_scheme && !line.months_only {
        true => tr.with("me-missing-months", &[("months", Arg::from(line.missing_months))]),
        false => String::new(),
    };
    let money = line.payable.as_ref().map(|money| tr.money(&money.currency, money.minor, money.exponent));
    let amount = match (line.has_scheme, line.standing.as_str(), money) {
        (false, _, _) => tr.t("me-no-scheme"),
        (true, "payable", Some(amount)) => tr.with("me-amount-payable", &[("amount", Arg::Text(amount))]),
        (true, "projected", Some(amount)) => {
            match chrono::NaiveDate::parse_from_str(&line.due_from, "%Y-%m-%d") {
                Ok(day) => tr.with(
                    "me-amount-projected-from",
                    &[("amount", Arg::Text(amount)), ("date", Arg::Text(tr.date(day)))],
                ),
                Err(_) => tr.with("me-amount-projected", &[("amount", Arg::Text(amount))]),
            }
        }
        (true, "suspended_abroad", Some(amount)) => {
            tr.with("me-amount-suspended", &[("amount", Arg::Text(amount))])
        }
        _ => tr.t("me-amount-none"),
    };
    LineView {
        branch: branch_name(tr, line.branch),
        own,
        total,
        agreements,
        missing,
        amount,
        standing: line.standing.clone(),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct MessagePage {
    chrome: Chrome,
    heading: String,
    body: String,
}

/// A page the ledger did not answer: her session ended there (she signs in again), or it is busy
/// or unavailable.
pub(crate) fn refused_by_ledger(portal: &Portal, visit: &Visit, status: &Status) -> Response<Body> {
    if status.code() == Code::Unauthenticated {
        portal.sessions.remove(&visit.id);
        return visit.finish(web::see_other("/sign-in?ended=1"));
    }
    tracing::warn!(code = ?status.code(), "the ledger did not answer a page");
    let tr = portal.messages.of(visit.locale);
    let (code, body) = match status.code() {
        Code::ResourceExhausted => (StatusCode::TOO_MANY_REQUESTS, tr.t("error-busy")),
        _ => (StatusCode::SERVICE_UNAVAILABLE, tr.t("error-unavailable")),
    };
    let page = MessagePage {
        chrome: visit.chrome(portal, tr.t("error-heading")),
        heading: tr.t("error-heading"),
        body,
    };
    visit.finish(html(code, &page))
}

pub async fn not_found(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let page = MessagePage {
        chrome: visit.chrome(&portal, tr.t("not-found-heading")),
        heading: tr.t("not-found-heading"),
        body: tr.t("not-found-body"),
    };
    visit.finish(html(StatusCode::NOT_FOUND, &page))
}

/// The activation page's one script, which fills the form from the slip's link: cached for an
/// hour, like the stylesheet.
pub async fn activate_script() -> Response<Body> {
    static_file(include_str!("../static/activate.js"), "text/javascript; charset=utf-8")
}

/// The stylesheet, cached for an hour: it is the same for everyone.
pub async fn stylesheet() -> Response<Body> {
    static_file(include_str!("../static/portal.css"), "text/css; charset=utf-8")
}

/// A file of the portal's own (a script or the stylesheet), the same for everyone: cached for an
/// hour.
pub(crate) fn static_file(text: &'static str, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// One month of her record as shown.
pub struct RecordMonthView {
    text: String,
    gap: bool,
    report: String,
    report_href: String,
}

/// Her months in one country, newest first.
pub struct RecordCountryView {
    code: String,
    name: String,
    months: Vec<RecordMonthView>,
    more: String,
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: Chrome,
    heading: String,
    intro: String,
    nothing_yet: String,
    countries: Vec<RecordCountryView>,
}

pub async fn record(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = &visit.signed_in else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let entries = match portal.statement(&session.worker_id, &session.token).await {
        Ok(statement) => statement.entries,
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let countries = country_views(&tr, &entries, crate::record::MONTHS_SHOWN_MAX);
    let page = RecordPage {
        chrome: visit.chrome(&portal, tr.t("record-heading")),
        heading: tr.t("record-heading"),
        intro: tr.t("record-intro"),
        nothing_yet: tr.t("me-nothing-yet"),
        countries,
    };
    visit.finish(html(StatusCode::OK, &page))
}

/// Her months in each country, newest first, at most `shown_max` of them per country.
fn country_views(tr: &Tr<'_>, entries: &[pb::StatementEntry], shown_max: usize) -> Vec<RecordCountryView> {
    crate::record::months(entries)
        .into_iter()
        .map(|(code, months)| {
            let name = country_name(tr, &code);
            let count = months.len();
            let months: Vec<RecordMonthView> = months
                .iter()
                .rev()
                .take(shown_max)
                .map(|(month, record)| month_view(tr, &code, *month, record))
                .collect();
            let older = count.saturating_sub(months.len());
            let more = match older {
                0 => String::new(),
                _ => tr.with("record-more", &[("count", Arg::Number(older as i64))]),
            };
            RecordCountryView { code, name, months, more }
        })
        .collect()
}

fn month_view(
    tr: &Tr<'_>,
    country: &str,
    (year, month): (i32, u32),
    record: &crate::record::MonthRecord,
) -> RecordMonthView {
    let name = tr.month(year, month);
    let mut lines: Vec<String> = record
        .declared
        .iter()
        .map(|declared| {
            let wage = tr.money(&declared.wage.currency, declared.wage.minor, declared.wage.exponent);
            let id = if declared.corrected { "record-month-corrected" } else { "record-month-paid" };
            let args = [
                ("month", Arg::Text(name.clone())),
                ("wage", Arg::Text(wage)),
                ("employer", Arg::Text(declared.employer.clone())),
            ];
            tr.with(id, &args)
        })
        .collect();
    if record.credited {
        lines.push(tr.with("record-month-credited", &[("month", Arg::Text(name.clone()))]));
    }
    let gap = record.is_gap();
    if gap {
        lines.push(tr.with("record-month-gap", &[("month", Arg::Text(name))]));
    }
    RecordMonthView {
        text: lines.join(" · "),
        gap,
        report: tr.t("record-report-gap"),
        report_href: format!("/claims/new?country={country}&month={year:04}-{month:02}"),
    }
}

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    chrome: Chrome,
    heading: String,
    intro: String,
    count: String,
    download: String,
    print: String,
}

pub async fn statement(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = &visit.signed_in else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let statement = match portal.statement(&session.worker_id, &session.token).await {
        Ok(statement) => statement,
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let count = tr.with(
        "statement-count",
        &[
            ("count", Arg::Number(statement.entries.len() as i64)),
            ("size", Arg::Text(tr.number(i128::from(statement.tree_size), 0))),
        ],
    );
    let page = StatementPage {
        chrome: visit.chrome(&portal, tr.t("statement-heading")),
        heading: tr.t("statement-heading"),
        intro: tr.t("statement-intro"),
        count,
        download: tr.t("statement-download"),
        print: tr.t("statement-print"),
    };
    visit.finish(html(StatusCode::OK, &page))
}

/// Her portable statement as a file, in the format `ledger statement verify` reads.
pub async fn statement_download(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = &visit.signed_in else { return visit.finish(web::see_other("/sign-in")) };
    let file = match portal.portable_statement(&session.worker_id, &session.token).await {
        Ok(file) => file,
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let mut response = Response::new(Body::from(file.to_json()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let disposition = format!("attachment; filename=\"statement-{}.json\"", session.worker_id);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    visit.finish(response)
}

#[derive(Template)]
#[template(path = "settings.html")]
pub(crate) struct SettingsPage {
    chrome: Chrome,
    error_heading: String,
    errors: Vec<String>,
    notice: String,
    heading: String,
    language: String,
    change_language: String,
    everywhere: String,
    everywhere_hint: String,
    passkey_heading: String,
    passkey_hint: String,
    passkey_pin: String,
    passkey_add: String,
    passkey_failed: String,
    credential_heading: String,
    credential_hint: String,
    credential_replace: String,
    trust_heading: String,
    trust_hint: String,
    trust_none: String,
    /// The organisations she trusts: the organisation's id and the line that names it.
    trusted: Vec<(String, String)>,
    trust_revoke: String,
    trust_give_label: String,
    trust_give: String,
}

/// The organisations she trusts with her claims, as her balance lists them: (id, registered in).
pub(crate) type Trusted = Vec<(String, String)>;

pub(crate) fn settings_page(
    portal: &Portal,
    visit: &Visit,
    errors: Vec<String>,
    notice: String,
    trusted: &Trusted,
) -> SettingsPage {
    let tr = portal.messages.of(visit.locale);
    let countries = crate::claims::countries(&tr);
    let country = |code: &str| {
        countries
            .iter()
            .find(|(known, _)| known == code)
            .map_or_else(|| code.to_owned(), |(_, name)| name.clone())
    };
    SettingsPage {
        trust_heading: tr.t("settings-trust-heading"),
        trust_hint: tr.t("settings-trust-hint"),
        trust_none: tr.t("settings-trust-none"),
        trusted: trusted
            .iter()
            .map(|(organisation, registered_in)| {
                let line = tr.with(
                    "settings-trust-entry",
                    &[
                        ("organisation", Arg::from(organisation.as_str())),
                        ("country", Arg::Text(country(registered_in))),
                    ],
                );
                (organisation.clone(), line)
            })
            .collect(),
        trust_revoke: tr.t("settings-trust-revoke"),
        trust_give_label: tr.t("settings-trust-give-label"),
        trust_give: tr.t("settings-trust-give"),
        chrome: visit.chrome(portal, tr.t("settings-heading")),
        error_heading: tr.t("error-heading"),
        errors,
        notice,
        heading: tr.t("settings-heading"),
        language: tr.with("settings-language", &[("language", Arg::Text(tr.t("language-name")))]),
        change_language: tr.t("settings-change-language"),
        everywhere: tr.t("settings-sign-out-everywhere"),
        everywhere_hint: tr.t("settings-sign-out-everywhere-hint"),
        passkey_heading: tr.t("settings-passkey-heading"),
        passkey_hint: tr.t("settings-passkey-hint"),
        passkey_pin: tr.t("settings-passkey-pin"),
        passkey_add: tr.t("settings-passkey-add"),
        passkey_failed: tr.t("settings-passkey-failed"),
        credential_heading: tr.t("settings-credential-heading"),
        credential_hint: tr.t("settings-credential-hint"),
        credential_replace: tr.t("settings-credential-replace"),
    }
}

#[derive(Deserialize, Default)]
pub struct SettingsQuery {
    #[serde(default)]
    passkey: Option<String>,
    #[serde(default)]
    consent: Option<String>,
}

/// The organisations she trusts with her claims, from her balance.
pub(crate) async fn trusted(portal: &Portal, session: &web::SignedIn) -> Result<Trusted, Status> {
    let request = pb::GetBalanceRequest { worker_id: session.worker_id.clone(), ..Default::default() };
    let balance = portal.worker_client(&session.token).get_balance(request).await?.into_inner();
    Ok(balance.consents.into_iter().map(|consent| (consent.organisation, consent.registered_in)).collect())
}

pub async fn settings(
    State(portal): State<Arc<Portal>>,
    Query(query): Query<SettingsQuery>,
    headers: HeaderMap,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let notice = match (query.passkey.as_deref(), query.consent.as_deref()) {
        (Some("added"), _) => tr.t("settings-passkey-added"),
        (_, Some("given")) => tr.t("settings-trust-given"),
        (_, Some("taken-back")) => tr.t("settings-trust-taken-back"),
        _ => String::new(),
    };
    let trusted = match trusted(&portal, &session).await {
        Ok(trusted) => trusted,
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let page = settings_page(&portal, &visit, Vec::new(), notice, &trusted);
    visit.finish(html(StatusCode::OK, &page))
}

/// Longest organisation id the form takes: a principal id's length.
const ORGANISATION_ID_LEN_MAX: usize = 64;

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    organisation: String,
    /// Present to take the consent back; absent to give it.
    #[serde(default)]
    take_back: Option<String>,
}

/// Gives a workers' organisation her consent to file and follow her claims, or takes it back
/// (`ChangeConsent`): recorded on the chain by her alone.
pub async fn change_consent(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<ConsentForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let refuse = |code: StatusCode, error: String, trusted: &Trusted| {
        visit.finish(html(code, &settings_page(&portal, &visit, vec![error], String::new(), trusted)))
    };
    let organisation = form.organisation.trim().to_ascii_lowercase();
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        let trusted = trusted(&portal, &session).await.unwrap_or_default();
        return refuse(StatusCode::FORBIDDEN, tr.t("error-form-expired"), &trusted);
    }
    if organisation.is_empty() || organisation.len() > ORGANISATION_ID_LEN_MAX {
        let trusted = trusted(&portal, &session).await.unwrap_or_default();
        return refuse(StatusCode::BAD_REQUEST, tr.t("settings-trust-unknown"), &trusted);
    }
    let granted = form.take_back.is_none();
    let request = pb::ChangeConsentRequest {
        request_id: format!("portal-consent-{}", &web::random_id()[..24]),
        organisation,
        granted,
    };
    match portal.worker_client(&session.token).change_consent(request).await {
        Ok(_) => visit.finish(web::see_other(if granted {
            "/settings?consent=given"
        } else {
            "/settings?consent=taken-back"
        })),
        // Given already, or taken back already: her consent is as she asks.
        Err(status) if status.code() == Code::FailedPrecondition => visit.finish(web::see_other("/settings")),
        Err(status) if matches!(status.code(), Code::NotFound | Code::InvalidArgument) => {
            let trusted = trusted(&portal, &session).await.unwrap_or_default();
            refuse(StatusCode::BAD_REQUEST, tr.t("settings-trust-unknown"), &trusted)
        }
        Err(status) => refused_by_ledger(&portal, &visit, &status),
    }
}

#[derive(Template)]
#[template(path = "credential.html")]
struct CredentialPage {
    chrome: Chrome,
    heading: String,
    replaced: String,
    token: String,
    keep: String,
    back: String,
}

/// Replaces her credential (`RotateCredential`): the one an agency printed for her stops working
/// at once, for whoever holds it. The new one is shown this once; the portal keeps nothing of it.
pub async fn replace_credential(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        let trusted = trusted(&portal, &session).await.unwrap_or_default();
        let page = settings_page(&portal, &visit, vec![tr.t("error-form-expired")], String::new(), &trusted);
        return visit.finish(html(StatusCode::FORBIDDEN, &page));
    }
    let rotated =
        portal.worker_client(&session.token).rotate_credential(pb::RotateCredentialRequest {}).await;
    let token = match rotated {
        Ok(answer) => answer.into_inner().worker_token,
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let page = CredentialPage {
        chrome: visit.chrome(&portal, tr.t("credential-heading")),
        heading: tr.t("credential-heading"),
        replaced: tr.t("credential-replaced"),
        token,
        keep: tr.t("credential-keep"),
        back: tr.t("credential-back"),
    };
    visit.finish(html(StatusCode::OK, &page))
}

/// Ends every session of hers at the ledger, on every phone, this one included.
pub async fn sign_out_everywhere(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return visit.finish(web::see_other("/settings"));
    }
    let request = pb::EndSessionsRequest { everywhere: true };
    if let Err(status) = portal.worker_client(&session.token).end_sessions(request).await {
        return refused_by_ledger(&portal, &visit, &status);
    }
    portal.sessions.remove(&visit.id);
    visit.finish(web::see_other("/?signed_out=everywhere"))
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    chrome: Chrome,
    heading: String,
    worker: String,
    hint: String,
    nothing_yet: String,
    countries: Vec<RecordCountryView>,
    check_heading: String,
    check: String,
    verify_url: String,
    /// The verify link as a QR code, inline SVG.
    qr: String,
    signed: String,
}

/// Months printed per country: a working life.
pub const PRINTED_MONTHS_MAX: usize = 600;

/// Her record on paper: every month per country, and a QR code to the verify page, where
/// whoever holds the paper can check the statement file she gives them.
pub async fn statement_print(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = &visit.signed_in else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let statement = match portal.statement(&session.worker_id, &session.token).await {
        Ok(statement) => statement,
        Err(status) => return refused_by_ledger(&portal, &visit, &status),
    };
    let verify_url = format!("{}/verify#{}", portal.public_url, session.worker_id);
    let label = tr.t("print-qr-label");
    let qr = qr_svg(&verify_url, &label);
    let root = statement.checkpoint.lines().nth(2).unwrap_or_default().to_owned();
    let today = chrono::Utc::now().date_naive();
    let signed = tr.with(
        "print-signed",
        &[
            ("size", Arg::Text(tr.number(i128::from(statement.tree_size), 0))),
            ("root", Arg::Text(root)),
            ("date", Arg::Text(tr.date(today))),
        ],
    );
    let page = PrintPage {
        chrome: visit.chrome(&portal, tr.t("print-heading")),
        heading: tr.t("print-heading"),
        worker: tr.with("print-worker", &[("worker", Arg::Text(session.worker_id.clone()))]),
        hint: tr.t("print-hint"),
        nothing_yet: tr.t("me-nothing-yet"),
        countries: country_views(&tr, &statement.entries, PRINTED_MONTHS_MAX),
        check_heading: tr.t("print-check-heading"),
        check: tr.t("print-check"),
        verify_url,
        qr,
        signed,
    };
    visit.finish(html(StatusCode::OK, &page))
}

/// `text` as a QR code in inline SVG, named `label` for screen readers; empty when it does not
/// fit a QR code (it always does: a URL of a hundred bytes or so).
fn qr_svg(text: &str, label: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else { return String::new() };
    let svg =
        code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(160, 160).quiet_zone(true).build();
    let start = svg.find("<svg").unwrap_or(0);
    let label = label.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    format!("<svg role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\"{}", &svg[start + 4..])
}
