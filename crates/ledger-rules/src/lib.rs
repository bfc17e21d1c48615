//! The rules document: jurisdictions and their currencies, the schemes of each branch in each
//! jurisdiction, and the agreements between jurisdictions that coordinate them.
//!
//! Loading is strict: unknown fields are refused, and every mistake is reported with the place it
//! is in, all at once, so that one run of `ledger rules check` lists everything to fix.
//!
//! ```
//! let rules = ledger_rules::Rules::sample();
//! let spain = ledger_core::Jurisdiction::parse("ES").unwrap();
//! assert_eq!(rules.currency_of(spain).map(|c| c.to_string()), Some("EUR".to_string()));
//! ```
//!
//! Architecture invariant: this crate does no IO; callers read the file and hand over its text.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use ledger_core::{sha256, Branch, Currency, Jurisdiction};
use serde::Deserialize;

/// The sample rules shipped with the ledger (illustrative figures, not legal advice).
pub const SAMPLE_RULES_TOML: &str = include_str!("../../../rules/sample.toml");

/// Longest rules document accepted, in bytes. The whole document goes on the chain in a
/// `RulesAdopted` record, so it is bounded like every record.
pub use ledger_core::RULES_DOCUMENT_LEN_MAX;
/// Most months any scheme may require: 50 years.
pub const QUALIFYING_MONTHS_MAX: u32 = 600;
/// Largest accrual per month of coverage, in basis points of the average wage.
pub const ACCRUAL_BP_PER_MONTH_MAX: u32 = 10_000;
/// Largest flat amount or cap of a scheme, in minor units.
pub const SCHEME_AMOUNT_MAX: u64 = ledger_core::AMOUNT_MINOR_MAX;
/// Longest jurisdiction name, in bytes.
pub const JURISDICTION_NAME_LEN_MAX: usize = 80;
/// Days an agency has to answer a claim when its jurisdiction's entry does not say: documents
/// adopted before claims existed keep loading with this.
pub const CLAIM_RESPONSE_DAYS_DEFAULT: u32 = 90;
/// Longest time an agency may be given to answer a claim: two years.
pub const CLAIM_RESPONSE_DAYS_MAX: u32 = 730;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    document: Header,
    #[serde(default, rename = "jurisdiction")]
    jurisdictions: Vec<JurisdictionEntry>,
    #[serde(default, rename = "scheme")]
    schemes: Vec<SchemeEntry>,
    #[serde(default, rename = "agreement")]
    agreements: Vec<AgreementEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    version: String,
    #[serde(default)]
    illustrative: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JurisdictionEntry {
    code: String,
    name: String,
    currency: String,
    claim_response_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemeEntry {
    jurisdiction: String,
    branch: String,
    qualifying_months: u32,
    minimum_own_months: u32,
    flat: u64,
    accrual_bp_per_month: u32,
    cap: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgreementEntry {
    id: String,
    name: String,
    parties: Vec<String>,
    branches: Vec<String>,
    totalization: bool,
    export_of_benefits: bool,
    in_force_from: String,
    in_force_until: Option<String>,
}

/// The rules of one branch in one jurisdiction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    /// Months of coverage needed to qualify for a benefit.
    pub qualifying_months: u32,
    /// Own months below which the jurisdiction pays no pro-rata share (Reg. 883/2004 Art. 57).
    pub minimum_own_months: u32,
    /// The formula `flat + floor(avg_wage * accrual_bp_per_month * months / 10000)`, capped.
    pub flat: u64,
    pub accrual_bp_per_month: u32,
    pub cap: Option<u64>,
}

impl Scheme {
    /// The monthly benefit for `months` of coverage at an average insured wage of `avg_wage` minor
    /// units: `flat + floor(avg_wage * accrual_bp_per_month * months / 10000)`, capped at `cap`.
    pub fn amount(&self, avg_wage: u64, months: u32) -> u64 {
        let accrued =
            u128::from(avg_wage) * u128::from(self.accrual_bp_per_month) * u128::from(months) / 10_000;
        let amount = u128::from(self.flat).saturating_add(accrued);
        let capped = match self.cap {
            Some(cap) => amount.min(u128::from(cap)),
            None => amount,
        };
        u64::try_from(capped).unwrap_or(u64::MAX)
    }
}

/// A social-security agreement between two or more jurisdictions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    pub id: String,
    pub name: String,
    pub parties: Vec<Jurisdiction>,
    pub branches: Vec<Branch>,
    /// Periods completed under one party count under the others.
    pub totalization: bool,
    /// Benefits may be paid into another party's territory.
    pub export_of_benefits: bool,
    pub in_force_from: NaiveDate,
    /// The last day in force, when the agreement has ended.
    pub in_force_until: Option<NaiveDate>,
}

impl Agreement {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.in_force_from <= date && self.in_force_until.is_none_or(|until| date <= until)
    }

    /// True when periods of `branch` in `jurisdiction` are totalized with the other parties on `date`.
    pub fn totalizes(&self, jurisdiction: Jurisdiction, branch: Branch, date: NaiveDate) -> bool {
        self.totalization
            && self.parties.contains(&jurisdiction)
            && self.branches.contains(&branch)
            && self.in_force_on(date)
    }
}

/// One jurisdiction as the rules describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JurisdictionRules {
    pub code: Jurisdiction,
    pub name: String,
    pub currency: Currency,
    /// Days the jurisdiction's agency has to answer a claim; after them, an open claim is overdue.
    pub claim_response_days: u32,
}

/// A validated rules document.
#[derive(Clone, Debug)]
pub struct Rules {
    name: String,
    version: String,
    illustrative: bool,
    jurisdictions: BTreeMap<Jurisdiction, JurisdictionRules>,
    schemes: BTreeMap<(Jurisdiction, Branch), Scheme>,
    agreements: Vec<Agreement>,
    digest: [u8; 32],
    text: String,
}

/// One mistake in a rules document, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub place: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// Every mistake found in a rules document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct RulesError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(Problem::to_string).collect();
        f.write_str(&lines.join("; "))
    }
}

fn problem(place: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem { place: place.into(), message: message.into() }
}

impl Rules {
    /// The shipped sample rules. They are checked by the tests, so this cannot fail in a build
    /// that passed them; should it ever, the error says why.
    pub fn sample() -> Rules {
        match Rules::parse(SAMPLE_RULES_TOML) {
            Ok(rules) => rules,
            Err(error) => panic!("the shipped sample rules are invalid: {error}"),
        }
    }

    pub fn parse(text: &str) -> Result<Rules, RulesError> {
        if text.len() > RULES_DOCUMENT_LEN_MAX {
            return Err(RulesError {
                problems: vec![problem(
                    "document",
                    format!(
                        "{} bytes exceed the largest rules document, {RULES_DOCUMENT_LEN_MAX}",
                        text.len()
                    ),
                )],
            });
        }
        let document: Document = toml::from_str(text).map_err(|error| RulesError {
            problems: vec![problem(syntax_place(text, &error), error.message().to_owned())],
        })?;
        let mut problems = Vec::new();
        let mut jurisdictions = BTreeMap::new();
        for (index, entry) in document.jurisdictions.iter().enumerate() {
            let place = format!("jurisdiction[{index}] ({})", entry.code);
            if let Some(rules) = check_jurisdiction(entry, &place, &mut problems) {
                if jurisdictions.insert(rules.code, rules).is_some() {
                    problems.push(problem(&place, "duplicate jurisdiction code"));
                }
            }
        }
        let mut schemes = BTreeMap::new();
        for (index, entry) in document.schemes.iter().enumerate() {
            let place = format!("scheme[{index}] ({} {})", entry.jurisdiction, entry.branch);
            if let Some(scheme) = check_scheme(entry, &place, &jurisdictions, &mut problems) {
                if schemes.insert((scheme.jurisdiction, scheme.branch), scheme).is_some() {
                    problems.push(problem(
                        &place,
                        "duplicate scheme: this jurisdiction already has one for this branch",
                    ));
                }
            }
        }
        let mut agreements: Vec<Agreement> = Vec::new();
        for (index, entry) in document.agreements.iter().enumerate() {
            let place = format!("agreement[{index}] ({})", entry.id);
            if let Some(agreement) = check_agreement(entry, &place, &jurisdictions, &mut problems) {
                if agreements.iter().any(|other| other.id == agreement.id) {
                    problems.push(problem(&place, "duplicate agreement id"));
                }
                agreements.push(agreement);
            }
        }
        if document.jurisdictions.is_empty() {
            problems.push(problem("document", "declares no jurisdiction"));
        }
        if document.document.name.trim().is_empty() {
            problems.push(problem("document.name", "is empty"));
        }
        if !problems.is_empty() {
            return Err(RulesError { problems });
        }
        Ok(Rules {
            name: document.document.name,
            version: document.document.version,
            illustrative: document.document.illustrative,
            jurisdictions,
            schemes,
            agreements,
            digest: sha256(text.as_bytes()),
            text: text.to_owned(),
        })
    }

    /// The exact text of the document, as adopted on the chain.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn scheme(&self, jurisdiction: Jurisdiction, branch: Branch) -> Option<&Scheme> {
        self.schemes.get(&(jurisdiction, branch))
    }

    pub fn schemes(&self) -> impl Iterator<Item = &Scheme> {
        self.schemes.values()
    }

    pub fn agreements(&self) -> &[Agreement] {
        &self.agreements
    }

    /// The jurisdictions whose periods of `branch` count in `jurisdiction` on `date`, with the
    /// agreement that makes them count (the first in the document, when several do).
    pub fn partners(
        &self,
        jurisdiction: Jurisdiction,
        branch: Branch,
        date: NaiveDate,
    ) -> Vec<(Jurisdiction, &Agreement)> {
        let mut partners: Vec<(Jurisdiction, &Agreement)> = Vec::new();
        for agreement in self.agreements.iter().filter(|a| a.totalizes(jurisdiction, branch, date)) {
            for party in &agreement.parties {
                if *party != jurisdiction && !partners.iter().any(|(known, _)| known == party) {
                    partners.push((*party, agreement));
                }
            }
        }
        partners
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// True when the document says its figures are illustrative, not law.
    pub fn illustrative(&self) -> bool {
        self.illustrative
    }

    /// SHA-256 of the document's exact text.
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    pub fn jurisdiction(&self, code: Jurisdiction) -> Option<&JurisdictionRules> {
        self.jurisdictions.get(&code)
    }

    pub fn currency_of(&self, code: Jurisdiction) -> Option<Currency> {
        self.jurisdiction(code).map(|rules| rules.currency)
    }

    pub fn jurisdictions(&self) -> impl Iterator<Item = &JurisdictionRules> {
        self.jurisdictions.values()
    }
}

fn check_jurisdiction(
    entry: &JurisdictionEntry,
    place: &str,
    problems: &mut Vec<Problem>,
) -> Option<JurisdictionRules> {
    let code = Jurisdiction::parse(&entry.code)
        .map_err(|error| problems.push(problem(format!("{place}.code"), error.message)))
        .ok();
    let currency = Currency::parse(&entry.currency)
        .map_err(|error| problems.push(problem(format!("{place}.currency"), error.message)))
        .ok();
    let name = entry.name.trim();
    if name.is_empty() || name.len() > JURISDICTION_NAME_LEN_MAX {
        problems.push(problem(
            format!("{place}.name"),
            format!("must be 1 to {JURISDICTION_NAME_LEN_MAX} bytes"),
        ));
        return None;
    }
    let claim_response_days = entry.claim_response_days.unwrap_or(CLAIM_RESPONSE_DAYS_DEFAULT);
    if !(1..=CLAIM_RESPONSE_DAYS_MAX).contains(&claim_response_days) {
        problems.push(problem(
            format!("{place}.claim_response_days"),
            format!("must be 1 to {CLAIM_RESPONSE_DAYS_MAX} days, got {claim_response_days}"),
        ));
        return None;
    }
    Some(JurisdictionRules { code: code?, name: name.to_owned(), currency: currency?, claim_response_days })
}

fn check_scheme(
    entry: &SchemeEntry,
    place: &str,
    jurisdictions: &BTreeMap<Jurisdiction, JurisdictionRules>,
    problems: &mut Vec<Problem>,
) -> Option<Scheme> {
    let jurisdiction =
        known_jurisdiction(&entry.jurisdiction, &format!("{place}.jurisdiction"), jurisdictions, problems);
    let branch = Branch::from_label(&entry.branch)
        .map_err(|error| problems.push(problem(format!("{place}.branch"), error.message)))
        .ok();
    let before = problems.len();
    if entry.qualifying_months > QUALIFYING_MONTHS_MAX {
        problems.push(problem(
            format!("{place}.qualifying_months"),
            format!("must be at most {QUALIFYING_MONTHS_MAX}"),
        ));
    }
    if entry.minimum_own_months > entry.qualifying_months.max(1) {
        problems.push(problem(format!("{place}.minimum_own_months"), "must not exceed qualifying_months"));
    }
    if entry.accrual_bp_per_month > ACCRUAL_BP_PER_MONTH_MAX {
        problems.push(problem(
            format!("{place}.accrual_bp_per_month"),
            format!("must be at most {ACCRUAL_BP_PER_MONTH_MAX}"),
        ));
    }
    for (field, value) in [("flat", Some(entry.flat)), ("cap", entry.cap)] {
        if value.is_some_and(|value| value > SCHEME_AMOUNT_MAX) {
            problems
                .push(problem(format!("{place}.{field}"), format!("must be at most {SCHEME_AMOUNT_MAX}")));
        }
    }
    if entry.cap.is_some_and(|cap| cap < entry.flat) {
        problems.push(problem(format!("{place}.cap"), "is below the flat amount"));
    }
    if problems.len() > before {
        return None;
    }
    Some(Scheme {
        jurisdiction: jurisdiction?,
        branch: branch?,
        qualifying_months: entry.qualifying_months,
        minimum_own_months: entry.minimum_own_months,
        flat: entry.flat,
        accrual_bp_per_month: entry.accrual_bp_per_month,
        cap: entry.cap,
    })
}

fn check_agreement(
    entry: &AgreementEntry,
    place: &str,
    jurisdictions: &BTreeMap<Jurisdiction, JurisdictionRules>,
    problems: &mut Vec<Problem>,
) -> Option<Agreement> {
    let before = problems.len();
    if entry.id.trim().is_empty() || entry.name.trim().is_empty() {
        problems.push(problem(place, "needs an id and a name"));
    }
    let mut parties = Vec::new();
    for (index, code) in entry.parties.iter().enumerate() {
        let party = known_jurisdiction(code, &format!("{place}.parties[{index}]"), jurisdictions, problems);
        match party {
            Some(party) if parties.contains(&party) => {
                problems.push(problem(format!("{place}.parties[{index}]"), format!("{party} is named twice")))
            }
            Some(party) => parties.push(party),
            None => {}
        }
    }
    if entry.parties.len() < 2 {
        problems.push(problem(format!("{place}.parties"), "an agreement needs at least two parties"));
    }
    let mut branches = Vec::new();
    for (index, label) in entry.branches.iter().enumerate() {
        match Branch::from_label(label) {
            Ok(branch) => branches.push(branch),
            Err(error) => problems.push(problem(format!("{place}.branches[{index}]"), error.message)),
        }
    }
    if entry.branches.is_empty() {
        problems.push(problem(format!("{place}.branches"), "an agreement covers at least one branch"));
    }
    let from = date(&entry.in_force_from, &format!("{place}.in_force_from"), problems);
    let until = entry
        .in_force_until
        .as_deref()
        .and_then(|text| date(text, &format!("{place}.in_force_until"), problems));
    if let (Some(from), Some(until)) = (from, until) {
        if until < from {
            problems.push(problem(
                format!("{place}.in_force_until"),
                format!("{until} is before in_force_from {from}"),
            ));
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Agreement {
        id: entry.id.trim().to_owned(),
        name: entry.name.trim().to_owned(),
        parties,
        branches,
        totalization: entry.totalization,
        export_of_benefits: entry.export_of_benefits,
        in_force_from: from?,
        in_force_until: until,
    })
}

fn known_jurisdiction(
    code: &str,
    place: &str,
    jurisdictions: &BTreeMap<Jurisdiction, JurisdictionRules>,
    problems: &mut Vec<Problem>,
) -> Option<Jurisdiction> {
    match Jurisdiction::parse(code) {
        Ok(code) if jurisdictions.contains_key(&code) => Some(code),
        Ok(code) => {
            problems.push(problem(place, format!("{code} is not a jurisdiction of this document")));
            None
        }
        Err(error) => {
            problems.push(problem(place, error.message));
            None
        }
    }
}

fn date(text: &str, place: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| problems.push(problem(place, format!("{text:?} is not a date of the form YYYY-MM-DD"))))
        .ok()
}

/// "line L, column C" for a TOML syntax or shape error, where the parser knows the place.
fn syntax_place(text: &str, error: &toml::de::Error) -> String {
    let Some(span) = error.span() else {
        return "document".to_owned();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_rules_load_and_cover_the_corridors() {
        let rules = Rules::sample();
        assert!(rules.illustrative(), "the sample must say its figures are illustrative");
        for (code, currency) in [
            ("PH", "PHP"),
            ("ID", "IDR"),
            ("NP", "NPR"),
            ("MY", "MYR"),
            ("SG", "SGD"),
            ("HK", "HKD"),
            ("TH", "THB"),
            ("SA", "SAR"),
            ("AE", "AED"),
            ("ES", "EUR"),
            ("IT", "EUR"),
        ] {
            let code = Jurisdiction::parse(code).unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(rules.currency_of(code).map(|c| c.to_string()).as_deref(), Some(currency));
        }
    }

    fn check(text: &str, expected: &[&str]) {
        let problems = match Rules::parse(text) {
            Ok(_) => Vec::new(),
            Err(error) => error.problems.iter().map(Problem::to_string).collect(),
        };
        assert_eq!(problems, expected, "for document:\n{text}");
    }

    const HEADER: &str = "[document]\nname = \"t\"\nversion = \"1\"\n";

    #[test]
    fn mistakes_are_named_with_their_place() {
        let one = |code: &str, name: &str, currency: &str| {
            format!(
                "{HEADER}[[jurisdiction]]\ncode = \"{code}\"\nname = \"{name}\"\ncurrency = \"{currency}\"\n"
            )
        };
        check(&one("PH", "Philippines", "PHP"), &[]);
        check(
            &one("ph", "Philippines", "PHP"),
            &["jurisdiction[0] (ph).code: \"ph\" is not an ISO 3166-1 alpha-2 code (2 upper-case letters)"],
        );
        check(
            &one("PH", "", "PESO"),
            &[
                "jurisdiction[0] (PH).currency: \"PESO\" is not an ISO 4217 code (3 upper-case letters)",
                "jurisdiction[0] (PH).name: must be 1 to 80 bytes",
            ],
        );
        check(HEADER, &["document: declares no jurisdiction"]);
        check(
            &format!("{}colour = \"red\"\n", one("PH", "Philippines", "PHP")),
            &["line 8, column 1: unknown field `colour`, expected one of `code`, `name`, `currency`, `claim_response_days`"],
        );
        check(
            &format!("{}{}", one("PH", "Philippines", "PHP"), &one("PH", "Again", "PHP")[HEADER.len()..]),
            &["jurisdiction[1] (PH): duplicate jurisdiction code"],
        );
        check(
            &format!("{}claim_response_days = 0\n", one("PH", "Philippines", "PHP")),
            &["jurisdiction[0] (PH).claim_response_days: must be 1 to 730 days, got 0"],
        );
    }

    #[test]
    fn claim_response_days_default_for_documents_that_predate_claims() {
        let days = |text: &str| {
            let rules = Rules::parse(text).unwrap_or_else(|error| panic!("{error}"));
            let ph = Jurisdiction::parse("PH").unwrap_or_else(|error| panic!("{error}"));
            rules.jurisdiction(ph).map(|entry| entry.claim_response_days)
        };
        let old =
            format!("{HEADER}[[jurisdiction]]\ncode = \"PH\"\nname = \"Philippines\"\ncurrency = \"PHP\"\n");
        assert_eq!(days(&old), Some(CLAIM_RESPONSE_DAYS_DEFAULT));
        assert_eq!(days(&format!("{old}claim_response_days = 45\n")), Some(45));
        assert_eq!(
            days(SAMPLE_RULES_TOML.replace("claim_response_days = 60", "claim_response_days = 61").as_str()),
            Some(61)
        );
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|error| panic!("{text}: {error}"))
    }

    fn code(text: &str) -> Jurisdiction {
        Jurisdiction::parse(text).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn scheme_amounts_follow_the_formula_to_the_minor_unit() {
        let scheme = |flat, accrual_bp_per_month, cap| Scheme {
            jurisdiction: code("ES"),
            branch: Branch::OldAge,
            qualifying_months: 180,
            minimum_own_months: 12,
            flat,
            accrual_bp_per_month,
            cap,
        };
        // (flat, bp, cap, avg wage, months, expected)
        let cases = [
            (0, 28, None, 200_000, 180, 100_800), // 200000 * 28 * 180 / 10000 exactly
            (0, 28, Some(90_000), 200_000, 180, 90_000), // capped
            (500, 15, None, 123_457, 7, 500 + 1_296), // 123457*15*7 = 12962985 / 10000 = 1296.2985, floored
            (0, 15, None, 1, 1, 0),               // below one minor unit floors to zero
            (100, 0, None, 999_999, 600, 100),
            (0, 10_000, None, u64::MAX, 600, u64::MAX), // saturates instead of overflowing
        ];
        for (flat, bp, cap, avg, months, expected) in cases {
            assert_eq!(
                scheme(flat, bp, cap).amount(avg, months),
                expected,
                "{flat} {bp} {cap:?} {avg} {months}"
            );
        }
    }

    #[test]
    fn partners_are_the_totalizing_agreements_in_force() {
        let rules = Rules::sample();
        let partners = |j: &str, branch, on: &str| -> Vec<String> {
            rules
                .partners(code(j), branch, date(on))
                .iter()
                .map(|(k, a)| format!("{k} by {}", a.id))
                .collect()
        };
        assert_eq!(partners("ES", Branch::OldAge, "2024-01-01"), ["IT by EU-883", "PH by ES-PH"]);
        assert_eq!(partners("ES", Branch::OldAge, "2009-01-01"), ["PH by ES-PH"]);
        assert_eq!(partners("PH", Branch::Maternity, "2024-01-01"), Vec::<String>::new());
        assert_eq!(partners("NP", Branch::OldAge, "2024-01-01"), Vec::<String>::new());
        assert_eq!(partners("MY", Branch::OldAge, "2026-12-31"), Vec::<String>::new());
        assert_eq!(partners("MY", Branch::OldAge, "2027-01-01"), ["ID by ID-MY"]);
    }

    #[test]
    fn the_broken_fixture_reports_every_mistake() {
        let text = include_str!("../tests/fixtures/broken.toml");
        let problems: Vec<String> = match Rules::parse(text) {
            Ok(_) => Vec::new(),
            Err(error) => error.problems.iter().map(Problem::to_string).collect(),
        };
        assert_eq!(
            problems,
            [
                "jurisdiction[1] (PH): duplicate jurisdiction code",
                "jurisdiction[2] (ph).code: \"ph\" is not an ISO 3166-1 alpha-2 code (2 upper-case letters)",
                "jurisdiction[3] (XK).currency: \"eur\" is not an ISO 4217 code (3 upper-case letters)",
                "jurisdiction[3] (XK).name: must be 1 to 80 bytes",
                "scheme[1] (PH old_age): duplicate scheme: this jurisdiction already has one for this branch",
                "scheme[2] (PH pension).branch: \"pension\" is not one of old_age, invalidity, survivors, sickness, maternity, unemployment, employment_injury, health_care, family",
                "scheme[2] (PH pension).minimum_own_months: must not exceed qualifying_months",
                "scheme[2] (PH pension).cap: is below the flat amount",
                "agreement[0] (PH-ZZ).parties[1]: ZZ is not a jurisdiction of this document",
                "agreement[1] (PH-ALONE).parties: an agreement needs at least two parties",
                "agreement[2] (PH-BACKWARDS).parties[1]: XK is not a jurisdiction of this document",
                "agreement[2] (PH-BACKWARDS).in_force_until: 2019-12-31 is before in_force_from 2020-01-01",
            ]
        );
    }
}
