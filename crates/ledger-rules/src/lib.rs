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
use ledger_core::{sha256, Branch, Currency, Jurisdiction, PeriodUnit, PrincipalId};
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
/// Youngest and oldest pensionable age a scheme may set, in years.
pub const PENSIONABLE_AGE_YEARS_MIN: u32 = 40;
pub const PENSIONABLE_AGE_YEARS_MAX: u32 = 80;
/// Longest time an agency may be given to answer a claim: two years.
pub const CLAIM_RESPONSE_DAYS_MAX: u32 = 730;
/// Days an appeal body has to decide an appeal when its jurisdiction's entry does not say.
pub const APPEAL_RESPONSE_DAYS_DEFAULT: u32 = 90;
/// Longest time an appeal body may be given to decide: two years, as for a claim.
pub const APPEAL_RESPONSE_DAYS_MAX: u32 = 730;
/// The format of a document that does not name one: the first arithmetic of DESIGN.md (one union
/// of every partner's months, every division floored). Documents already on a chain are of it and
/// keep giving the balances they gave.
pub const RULES_FORMAT_FIRST: u32 = 1;
/// The format of the law as institutions apply it: each agreement computed on its own, Art. 57 of
/// Reg. 883/2004, minor units and rounding named per scheme.
pub const RULES_FORMAT_LATEST: u32 = 2;

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
    format: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JurisdictionEntry {
    code: String,
    name: String,
    currency: String,
    claim_response_days: Option<u32>,
    minor_unit: Option<u8>,
    appeal_body: Option<String>,
    appeal_response_days: Option<u32>,
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
    rounding: Option<String>,
    pensionable_age_years: Option<u32>,
    amount_depends_on_periods: Option<bool>,
    working_days_per_week: Option<u32>,
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
    benefit_rule: Option<String>,
    #[serde(default)]
    minimum_own_months: BTreeMap<String, u32>,
    third_state_periods: Option<bool>,
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
    /// How the scheme rounds an amount to its currency's minor unit, once per formula (format 2;
    /// format 1 floors every division).
    pub rounding: Rounding,
    /// The age from which the benefit is due (old age), in whole years from the birth month;
    /// format 2 only.
    pub pensionable_age_years: Option<u32>,
    /// False for legislation under which the amount does not depend on periods (Reg. 883/2004
    /// Art. 44, "type A" invalidity): only the state whose legislation applied at the onset pays,
    /// `amount(qualifying_months)`, however many months. True otherwise, and in format 1.
    pub amount_depends_on_periods: bool,
    /// The scheme's working week (5-, 6- or 7-day system), by which periods it certifies in days
    /// or weeks are converted to months (Reg. 987/2009 Art. 13); format 2 only.
    pub working_days_per_week: Option<u32>,
}

impl Scheme {
    /// The months `quantity` periods of `unit` certified under this scheme count for (Reg.
    /// 987/2009 Art. 13(1)(b)): a month is 22, 26 or 30 days in a 5-, 6- or 7-day system and a
    /// week 5, 6 or 7 days; a quarter is three months. Whole months only: a remainder does not
    /// make one. Days and weeks need the scheme's working week.
    pub fn converted_months(&self, unit: PeriodUnit, quantity: u32) -> Result<u32, String> {
        let days_per_month = |week: u32| match week {
            5 => 22,
            6 => 26,
            _ => 30,
        };
        let week = || {
            self.working_days_per_week.ok_or_else(|| {
                format!(
                    "the {} {} scheme states no working_days_per_week to convert {unit} into months",
                    self.jurisdiction, self.branch
                )
            })
        };
        Ok(match unit {
            PeriodUnit::Days => quantity / days_per_month(week()?),
            PeriodUnit::Weeks => {
                let week = week()?;
                u32::try_from(u64::from(quantity) * u64::from(week) / u64::from(days_per_month(week)))
                    .unwrap_or(u32::MAX)
            }
            PeriodUnit::Months => quantity,
            PeriodUnit::Quarters => quantity.saturating_mul(3),
        })
    }

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

    /// The monthly benefit for `months` of coverage, exactly, before rounding (format 2):
    /// `flat + wage_sum / wage_months * accrual_bp_per_month * months / 10000`, capped, where
    /// `wage_sum` is the insured wages of `wage_months` contribution months. With no contribution
    /// month the average wage is zero and the amount is the flat one.
    pub fn exact_amount(&self, wage_sum: u128, wage_months: u32, months: u32) -> Fraction {
        let den = 10_000 * u128::from(wage_months.max(1));
        let accrued = if wage_months == 0 {
            0
        } else {
            wage_sum.saturating_mul(u128::from(self.accrual_bp_per_month)).saturating_mul(u128::from(months))
        };
        let num = u128::from(self.flat).saturating_mul(den).saturating_add(accrued);
        let num = match self.cap {
            Some(cap) => num.min(u128::from(cap).saturating_mul(den)),
            None => num,
        };
        Fraction::new(num, den)
    }
}

/// A non-negative amount of minor units as an exact fraction, so that a formula rounds once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    num: u128,
    den: u128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Fraction {
    /// `num / den`, in lowest terms; a zero denominator is taken as one.
    pub fn new(num: u128, den: u128) -> Fraction {
        let den = den.max(1);
        let common = gcd(num, den).max(1);
        Fraction { num: num / common, den: den / common }
    }

    /// This amount times `num / den`, exactly (saturating far beyond any amount the ledger holds).
    pub fn times(self, num: u32, den: u32) -> Fraction {
        let (num, den) = (u128::from(num), u128::from(den.max(1)));
        let (a, b) = (gcd(self.num, den).max(1), gcd(num, self.den).max(1));
        Fraction::new((self.num / a).saturating_mul(num / b), (self.den / b).saturating_mul(den / a))
    }

    /// Rounded to a whole number of minor units by `rounding`.
    pub fn round(self, rounding: Rounding) -> u64 {
        let (quotient, remainder) = (self.num / self.den, self.num % self.den);
        let twice = remainder.saturating_mul(2);
        let up = match rounding {
            Rounding::Down => false,
            Rounding::HalfUp => twice >= self.den && remainder > 0,
            Rounding::HalfEven => twice > self.den || (twice == self.den && quotient % 2 == 1),
        };
        u64::try_from(quotient + u128::from(up)).unwrap_or(u64::MAX)
    }
}

/// How a scheme rounds an exact amount to a minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Toward zero: what format 1 does at every division.
    Down,
    /// To the nearest minor unit, a half away from zero.
    HalfUp,
    /// To the nearest minor unit, a half to the even one (banker's rounding).
    HalfEven,
}

impl Rounding {
    pub const ALL: [Rounding; 3] = [Rounding::Down, Rounding::HalfUp, Rounding::HalfEven];

    pub fn label(self) -> &'static str {
        match self {
            Rounding::Down => "down",
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
        }
    }
}

/// How an agreement pays a state's benefit once its periods are totalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenefitRule {
    /// The higher of the independent amount and the pro-rata share (Reg. 883/2004 Art. 52).
    HigherOfIndependentAndProRata,
    /// The pro-rata share only when the worker does not qualify on the state's own periods; when
    /// she does, the independent amount (as United States totalization agreements do).
    TotalizedWhenNotInsuredAlone,
}

impl BenefitRule {
    pub const ALL: [BenefitRule; 2] =
        [BenefitRule::HigherOfIndependentAndProRata, BenefitRule::TotalizedWhenNotInsuredAlone];

    pub fn label(self) -> &'static str {
        match self {
            BenefitRule::HigherOfIndependentAndProRata => "higher_of_independent_and_pro_rata",
            BenefitRule::TotalizedWhenNotInsuredAlone => "totalized_when_not_insured_alone",
        }
    }
}

/// The value among `all` whose label is `text`, or the message that lists them.
fn from_label<T: Copy>(all: &[T], label: fn(T) -> &'static str, text: &str) -> Result<T, String> {
    all.iter().copied().find(|value| label(*value) == text).ok_or_else(|| {
        let labels: Vec<&str> = all.iter().map(|value| label(*value)).collect();
        format!("{text:?} is not one of {}", labels.join(", "))
    })
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
    /// How a party pays once periods are totalized (format 2).
    pub benefit_rule: BenefitRule,
    /// Own months below which a party is released from paying (Art. 57(1)), where the agreement
    /// sets it; the party's scheme says for the others.
    pub minimum_own_months: BTreeMap<Jurisdiction, u32>,
    /// Periods a party completed in a third state, with which it has another agreement in force
    /// that totalizes the branch, count under this one too (format 2).
    pub third_state_periods: bool,
}

impl Agreement {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.in_force_from <= date && self.in_force_until.is_none_or(|until| date <= until)
    }

    /// True when the agreement totalizes `branch` for `jurisdiction` in a balance evaluated on
    /// `date`, in format 2: it is in force, or it was and has ended, since rights acquired under an
    /// agreement survive its end (for the periods it was in force, [`Agreement::counts_until`]).
    pub fn applies(&self, jurisdiction: Jurisdiction, branch: Branch, date: NaiveDate) -> bool {
        self.totalization
            && self.parties.contains(&jurisdiction)
            && self.branches.contains(&branch)
            && self.in_force_from <= date
    }

    /// The last day whose periods in another state count under the agreement on `date`: its last
    /// day in force once it has ended, none while it is in force.
    pub fn counts_until(&self, date: NaiveDate) -> Option<NaiveDate> {
        self.in_force_until.filter(|until| *until < date)
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
    /// Digits of the currency's minor unit, as ISO 4217 gives them.
    pub minor_unit: u8,
    /// The principal that decides appeals of the agency's answers to claims (a labour court, a
    /// tribunal); none when the rules name none, and then no answer there can be appealed.
    pub appeal_body: Option<PrincipalId>,
    /// Days the appeal body has to decide an appeal.
    pub appeal_response_days: u32,
}

/// A validated rules document.
#[derive(Clone, Debug)]
pub struct Rules {
    format: u32,
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
        let format = document.document.format.unwrap_or(RULES_FORMAT_FIRST);
        if !(RULES_FORMAT_FIRST..=RULES_FORMAT_LATEST).contains(&format) {
            problems.push(problem(
                "document.format",
                format!(
                    "{format} is not a format this ledger knows: {RULES_FORMAT_FIRST} (the first arithmetic) or {RULES_FORMAT_LATEST} (each agreement on its own)"
                ),
            ));
        }
        let check = Check { format };
        let mut jurisdictions = BTreeMap::new();
        for (index, entry) in document.jurisdictions.iter().enumerate() {
            let place = format!("jurisdiction[{index}] ({})", entry.code);
            if let Some(rules) = check.jurisdiction(entry, &place, &mut problems) {
                if jurisdictions.insert(rules.code, rules).is_some() {
                    problems.push(problem(&place, "duplicate jurisdiction code"));
                }
            }
        }
        let mut schemes = BTreeMap::new();
        for (index, entry) in document.schemes.iter().enumerate() {
            let place = format!("scheme[{index}] ({} {})", entry.jurisdiction, entry.branch);
            if let Some(scheme) = check.scheme(entry, &place, &jurisdictions, &mut problems) {
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
            if let Some(agreement) = check.agreement(entry, &place, &jurisdictions, &mut problems) {
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
            format,
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

    /// The document's format: [`RULES_FORMAT_FIRST`] or [`RULES_FORMAT_LATEST`]; it says which
    /// arithmetic its balances follow.
    pub fn format(&self) -> u32 {
        self.format
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

    /// The agreements under which `jurisdiction` totalizes `branch` in a balance evaluated on
    /// `date` (format 2), in the document's order.
    pub fn instruments(
        &self,
        jurisdiction: Jurisdiction,
        branch: Branch,
        date: NaiveDate,
    ) -> Vec<&Agreement> {
        self.agreements.iter().filter(|agreement| agreement.applies(jurisdiction, branch, date)).collect()
    }

    /// Whether a benefit of `branch` from `jurisdiction` may be paid into `country` on `date`: at
    /// home, or where an agreement between the two that covers the branch and exports benefits
    /// applies (in force, or ended with the rights acquired under it).
    pub fn payable_into(
        &self,
        jurisdiction: Jurisdiction,
        branch: Branch,
        country: Jurisdiction,
        date: NaiveDate,
    ) -> bool {
        country == jurisdiction || self.exporting(jurisdiction, branch, country, date).is_some()
    }

    /// The first agreement under which a benefit of `branch` from `jurisdiction` is exported into
    /// `country` on `date`.
    pub fn exporting(
        &self,
        jurisdiction: Jurisdiction,
        branch: Branch,
        country: Jurisdiction,
        date: NaiveDate,
    ) -> Option<&Agreement> {
        self.agreements.iter().find(|agreement| {
            agreement.export_of_benefits
                && agreement.parties.contains(&jurisdiction)
                && agreement.parties.contains(&country)
                && agreement.branches.contains(&branch)
                && agreement.in_force_from <= date
        })
    }

    /// The jurisdictions whose periods of `branch` count in `jurisdiction` on `date`, with the
    /// agreement that makes them count (the first in the document, when several do): the first
    /// format's one union of every partner.
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

/// The checks of each entry, which depend on the document's format.
struct Check {
    format: u32,
}

impl Check {
    /// A field of format 2: required there, refused in a format-1 document (which would otherwise
    /// be read by an arithmetic that ignores it). `None` when it is missing or misplaced.
    fn latest<'a, T>(&self, value: Option<&'a T>, place: &str, problems: &mut Vec<Problem>) -> Option<&'a T> {
        match (self.format >= RULES_FORMAT_LATEST, value) {
            (true, Some(value)) => Some(value),
            (true, None) => {
                problems.push(problem(place, format!("is required in format {RULES_FORMAT_LATEST}")));
                None
            }
            (false, Some(_)) => {
                problems.push(problem(
                    place,
                    format!(
                        "is a field of format {RULES_FORMAT_LATEST}; add `format = {RULES_FORMAT_LATEST}` to [document] to use it"
                    ),
                ));
                None
            }
            (false, None) => None,
        }
    }

    /// Like [`Check::latest`] for a field format 2 may leave out.
    fn optional_latest<'a, T>(
        &self,
        value: Option<&'a T>,
        place: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<&'a T> {
        if self.format >= RULES_FORMAT_LATEST {
            value
        } else {
            self.latest(value, place, problems)
        }
    }

    fn jurisdiction(
        &self,
        entry: &JurisdictionEntry,
        place: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<JurisdictionRules> {
        let before = problems.len();
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
        }
        let claim_response_days = entry.claim_response_days.unwrap_or(CLAIM_RESPONSE_DAYS_DEFAULT);
        if !(1..=CLAIM_RESPONSE_DAYS_MAX).contains(&claim_response_days) {
            problems.push(problem(
                format!("{place}.claim_response_days"),
                format!("must be 1 to {CLAIM_RESPONSE_DAYS_MAX} days, got {claim_response_days}"),
            ));
        }
        let appeal_body = entry.appeal_body.as_deref().and_then(|body| {
            PrincipalId::parse(body)
                .map_err(|error| problems.push(problem(format!("{place}.appeal_body"), error.message)))
                .ok()
        });
        let appeal_response_days = entry.appeal_response_days.unwrap_or(APPEAL_RESPONSE_DAYS_DEFAULT);
        if !(1..=APPEAL_RESPONSE_DAYS_MAX).contains(&appeal_response_days) {
            problems.push(problem(
                format!("{place}.appeal_response_days"),
                format!("must be 1 to {APPEAL_RESPONSE_DAYS_MAX} days, got {appeal_response_days}"),
            ));
        }
        // A mistake in the minor unit is reported, but keeps the jurisdiction, so that its schemes
        // and agreements are checked too rather than reported as naming an unknown one.
        let unusable = problems.len() > before;
        let iso = currency.and_then(|currency| currency.iso_minor_unit());
        let stated = self.latest(entry.minor_unit.as_ref(), &format!("{place}.minor_unit"), problems);
        if let (Some(currency), true) = (currency, self.format >= RULES_FORMAT_LATEST) {
            match (iso, stated) {
                (None, _) => problems.push(problem(
                    format!("{place}.currency"),
                    format!("{currency} is not an active ISO 4217 currency"),
                )),
                (Some(iso), Some(stated)) if iso != *stated => problems.push(problem(
                    format!("{place}.minor_unit"),
                    format!("{currency} has {iso} digits of minor unit in ISO 4217, not {stated}"),
                )),
                _ => {}
            }
        }
        if unusable {
            return None;
        }
        Some(JurisdictionRules {
            code: code?,
            name: name.to_owned(),
            currency: currency?,
            claim_response_days,
            appeal_body,
            appeal_response_days,
            // Format 1 never stated it: what ISO 4217 says, or cents for a code it does not know.
            minor_unit: iso.unwrap_or(2),
        })
    }

    fn scheme(
        &self,
        entry: &SchemeEntry,
        place: &str,
        jurisdictions: &BTreeMap<Jurisdiction, JurisdictionRules>,
        problems: &mut Vec<Problem>,
    ) -> Option<Scheme> {
        let jurisdiction = known_jurisdiction(
            &entry.jurisdiction,
            &format!("{place}.jurisdiction"),
            jurisdictions,
            problems,
        );
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
            problems
                .push(problem(format!("{place}.minimum_own_months"), "must not exceed qualifying_months"));
        }
        if entry.accrual_bp_per_month > ACCRUAL_BP_PER_MONTH_MAX {
            problems.push(problem(
                format!("{place}.accrual_bp_per_month"),
                format!("must be at most {ACCRUAL_BP_PER_MONTH_MAX}"),
            ));
        }
        for (field, value) in [("flat", Some(entry.flat)), ("cap", entry.cap)] {
            if value.is_some_and(|value| value > SCHEME_AMOUNT_MAX) {
                problems.push(problem(
                    format!("{place}.{field}"),
                    format!("must be at most {SCHEME_AMOUNT_MAX}"),
                ));
            }
        }
        if entry.cap.is_some_and(|cap| cap < entry.flat) {
            problems.push(problem(format!("{place}.cap"), "is below the flat amount"));
        }
        let age_place = format!("{place}.pensionable_age_years");
        let pensionable_age_years =
            self.optional_latest(entry.pensionable_age_years.as_ref(), &age_place, problems).copied();
        if pensionable_age_years
            .is_some_and(|age| !(PENSIONABLE_AGE_YEARS_MIN..=PENSIONABLE_AGE_YEARS_MAX).contains(&age))
        {
            problems.push(problem(
                age_place,
                format!("must be {PENSIONABLE_AGE_YEARS_MIN} to {PENSIONABLE_AGE_YEARS_MAX} years"),
            ));
        }
        let amount_depends_on_periods = self
            .optional_latest(
                entry.amount_depends_on_periods.as_ref(),
                &format!("{place}.amount_depends_on_periods"),
                problems,
            )
            .copied()
            .unwrap_or(true);
        let week_place = format!("{place}.working_days_per_week");
        let working_days_per_week =
            self.optional_latest(entry.working_days_per_week.as_ref(), &week_place, problems).copied();
        if working_days_per_week.is_some_and(|days| !(5..=7).contains(&days)) {
            problems.push(problem(week_place, "must be 5, 6 or 7 (the systems of Reg. 987/2009 Art. 13)"));
        }
        let rounding = match self.latest(entry.rounding.as_ref(), &format!("{place}.rounding"), problems) {
            Some(label) => from_label(&Rounding::ALL, Rounding::label, label)
                .map_err(|message| problems.push(problem(format!("{place}.rounding"), message)))
                .ok(),
            None => Some(Rounding::Down),
        };
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
            rounding: rounding?,
            pensionable_age_years,
            amount_depends_on_periods,
            working_days_per_week,
        })
    }

    fn agreement(
        &self,
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
            let party =
                known_jurisdiction(code, &format!("{place}.parties[{index}]"), jurisdictions, problems);
            match party {
                Some(party) if parties.contains(&party) => problems
                    .push(problem(format!("{place}.parties[{index}]"), format!("{party} is named twice"))),
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
        let benefit_rule =
            match self.latest(entry.benefit_rule.as_ref(), &format!("{place}.benefit_rule"), problems) {
                Some(label) => from_label(&BenefitRule::ALL, BenefitRule::label, label)
                    .map_err(|message| problems.push(problem(format!("{place}.benefit_rule"), message)))
                    .ok(),
                None => Some(BenefitRule::HigherOfIndependentAndProRata),
            };
        let stated = (!entry.minimum_own_months.is_empty()).then_some(&entry.minimum_own_months);
        let mut minimum_own_months = BTreeMap::new();
        let minimum_place = format!("{place}.minimum_own_months");
        for (code, months) in self.optional_latest(stated, &minimum_place, problems).into_iter().flatten() {
            let field = format!("{minimum_place}.{code}");
            match Jurisdiction::parse(code) {
                Ok(party) if parties.contains(&party) => {
                    if *months > QUALIFYING_MONTHS_MAX {
                        problems.push(problem(&field, format!("must be at most {QUALIFYING_MONTHS_MAX}")));
                    }
                    minimum_own_months.insert(party, *months);
                }
                Ok(other) => {
                    problems.push(problem(&field, format!("{other} is not a party to this agreement")))
                }
                Err(error) => problems.push(problem(&field, error.message)),
            }
        }
        let third_state_periods = self
            .optional_latest(
                entry.third_state_periods.as_ref(),
                &format!("{place}.third_state_periods"),
                problems,
            )
            .copied()
            .unwrap_or(false);
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
            benefit_rule: benefit_rule?,
            minimum_own_months,
            third_state_periods,
        })
    }
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
            &["line 8, column 1: unknown field `colour`, expected one of `code`, `name`, `currency`, `claim_response_days`, `minor_unit`, `appeal_body`, `appeal_response_days`"],
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
    fn format_2_fields_are_explained() {
        let document = |format: &str, minor_unit: &str, scheme: &str, agreement: &str| {
            format!(
                "[document]\nname = \"t\"\nversion = \"1\"\n{format}\
                 [[jurisdiction]]\ncode = \"ES\"\nname = \"Spain\"\ncurrency = \"EUR\"\n{minor_unit}\
                 [[jurisdiction]]\ncode = \"KW\"\nname = \"Kuwait\"\ncurrency = \"KWD\"\nminor_unit = 3\n\
                 [[scheme]]\njurisdiction = \"ES\"\nbranch = \"old_age\"\nqualifying_months = 180\n\
                 minimum_own_months = 12\nflat = 0\naccrual_bp_per_month = 28\n{scheme}\
                 [[agreement]]\nid = \"ES-KW\"\nname = \"t\"\nparties = [\"ES\", \"KW\"]\n\
                 branches = [\"old_age\"]\ntotalization = true\nexport_of_benefits = false\n\
                 in_force_from = \"2020-01-01\"\n{agreement}"
            )
        };
        let v2 = "format = 2\n";
        let (unit, rounding, rule) = (
            "minor_unit = 2\n",
            "rounding = \"half_up\"\n",
            "benefit_rule = \"higher_of_independent_and_pro_rata\"\n",
        );
        check(&document(v2, unit, rounding, rule), &[]);
        check(
            &document(
                v2,
                unit,
                rounding,
                &format!("{rule}minimum_own_months = {{ KW = 6 }}\nthird_state_periods = true\n"),
            ),
            &[],
        );
        check(
            &document(v2, "", "", ""),
            &[
                "jurisdiction[0] (ES).minor_unit: is required in format 2",
                "scheme[0] (ES old_age).rounding: is required in format 2",
                "agreement[0] (ES-KW).benefit_rule: is required in format 2",
            ],
        );
        check(
            &document(v2, "minor_unit = 3\n", "rounding = \"nearest\"\n", "benefit_rule = \"best\"\n"),
            &[
                "jurisdiction[0] (ES).minor_unit: EUR has 2 digits of minor unit in ISO 4217, not 3",
                "scheme[0] (ES old_age).rounding: \"nearest\" is not one of down, half_up, half_even",
                "agreement[0] (ES-KW).benefit_rule: \"best\" is not one of higher_of_independent_and_pro_rata, totalized_when_not_insured_alone",
            ],
        );
        check(
            &document(v2, unit, rounding, &format!("{rule}minimum_own_months = {{ IT = 6, KW = 601 }}\n")),
            &[
                "agreement[0] (ES-KW).minimum_own_months.IT: IT is not a party to this agreement",
                "agreement[0] (ES-KW).minimum_own_months.KW: must be at most 600",
            ],
        );
        // A format-1 document with the new fields would be read by an arithmetic that ignores them.
        check(
            &document("", "", rounding, rule).replace("minor_unit = 3\n", ""),
            &[
                "scheme[0] (ES old_age).rounding: is a field of format 2; add `format = 2` to [document] to use it",
                "agreement[0] (ES-KW).benefit_rule: is a field of format 2; add `format = 2` to [document] to use it",
            ],
        );
        check(
            &document("format = 3\n", unit, rounding, rule),
            &["document.format: 3 is not a format this ledger knows: 1 (the first arithmetic) or 2 (each agreement on its own)"],
        );
        check(
            &document(v2, unit, rounding, rule).replace("currency = \"KWD\"", "currency = \"XYZ\""),
            &["jurisdiction[1] (KW).currency: XYZ is not an active ISO 4217 currency"],
        );
    }

    #[test]
    fn periods_certified_in_days_weeks_and_quarters_convert_by_the_scheme_working_week() {
        // Reg. 987/2009 Art. 13(1)(b), worked: a month is 22 days in a 5-day system, 26 in a
        // 6-day one, 30 in a 7-day one; a week is 5, 6 or 7 days; a quarter three months.
        let scheme = |week| Scheme {
            jurisdiction: code("ES"),
            branch: Branch::OldAge,
            qualifying_months: 180,
            minimum_own_months: 12,
            flat: 0,
            accrual_bp_per_month: 28,
            cap: None,
            rounding: Rounding::HalfUp,
            pensionable_age_years: None,
            amount_depends_on_periods: true,
            working_days_per_week: week,
        };
        let cases = [
            (Some(5), PeriodUnit::Days, 264, 12), // 264 / 22
            (Some(5), PeriodUnit::Days, 43, 1),   // 43 / 22 = 1.95: one whole month
            (Some(6), PeriodUnit::Days, 312, 12), // 312 / 26
            (Some(6), PeriodUnit::Days, 300, 11), // 300 / 26 = 11.5
            (Some(7), PeriodUnit::Days, 365, 12), // 365 / 30 = 12.2
            (Some(5), PeriodUnit::Weeks, 52, 11), // 52 × 5 = 260 days / 22 = 11.8
            (Some(6), PeriodUnit::Weeks, 13, 3),  // 78 days / 26
            (Some(7), PeriodUnit::Weeks, 52, 12), // 364 days / 30 = 12.1
            (None, PeriodUnit::Months, 7, 7),
            (None, PeriodUnit::Quarters, 6, 18), // six US quarters of coverage
        ];
        for (week, unit, quantity, months) in cases {
            assert_eq!(
                scheme(week).converted_months(unit, quantity),
                Ok(months),
                "{week:?} {unit} {quantity}"
            );
        }
        let refused = scheme(None).converted_months(PeriodUnit::Days, 22);
        assert_eq!(
            refused,
            Err("the ES old_age scheme states no working_days_per_week to convert days into months".into())
        );
    }

    #[test]
    fn risk_fields_are_checked() {
        let scheme = |format: &str, extra: &str| {
            format!(
                "[document]\nname = \"t\"\nversion = \"1\"\n{format}[[jurisdiction]]\ncode = \"ES\"\n\
                 name = \"Spain\"\ncurrency = \"EUR\"\n{}[[scheme]]\njurisdiction = \"ES\"\n\
                 branch = \"old_age\"\nqualifying_months = 180\nminimum_own_months = 12\nflat = 0\n\
                 accrual_bp_per_month = 28\n{}{extra}",
                if format.is_empty() { "" } else { "minor_unit = 2\n" },
                if format.is_empty() { "" } else { "rounding = \"half_up\"\n" },
            )
        };
        check(
            &scheme("format = 2\n", "pensionable_age_years = 65\namount_depends_on_periods = false\n"),
            &[],
        );
        check(
            &scheme("format = 2\n", "pensionable_age_years = 100\n"),
            &["scheme[0] (ES old_age).pensionable_age_years: must be 40 to 80 years"],
        );
        check(
            &scheme("", "pensionable_age_years = 65\namount_depends_on_periods = false\n"),
            &[
                "scheme[0] (ES old_age).pensionable_age_years: is a field of format 2; add `format = 2` to [document] to use it",
                "scheme[0] (ES old_age).amount_depends_on_periods: is a field of format 2; add `format = 2` to [document] to use it",
            ],
        );
        let sample = Rules::sample();
        let spain = sample.scheme(code("ES"), Branch::OldAge).map(|scheme| scheme.pensionable_age_years);
        assert_eq!(spain, Some(Some(65)));
    }

    #[test]
    fn rounding_happens_once_and_by_the_scheme_rule() {
        // 2.5, 3.5, 2.4999..., 7/3 and an exact 4, rounded each way.
        let cases = [
            ((5, 2), [2, 3, 2]),
            ((7, 2), [3, 4, 4]),
            ((24_999, 10_000), [2, 2, 2]),
            ((7, 3), [2, 2, 2]),
            ((8, 2), [4, 4, 4]),
            ((0, 5), [0, 0, 0]),
        ];
        for ((num, den), expected) in cases {
            let rounded = Rounding::ALL.map(|rounding| Fraction::new(num, den).round(rounding));
            assert_eq!(rounded, expected, "{num}/{den}");
        }
        // theoretical 1001 * 1/2 = 500.5: rounding the theoretical first and the share after would
        // give 1001 -> 500 (down); once, half up, it is 501.
        assert_eq!(Fraction::new(1001, 1).times(1, 2).round(Rounding::HalfUp), 501);
        // Huge figures saturate instead of overflowing.
        assert_eq!(Fraction::new(u128::MAX, 1).times(u32::MAX, 1).round(Rounding::Down), u64::MAX);
    }

    #[test]
    fn the_sample_is_of_the_latest_format_and_the_last_one_still_loads() {
        let sample = Rules::sample();
        assert_eq!(sample.format(), RULES_FORMAT_LATEST);
        let previous = Rules::parse(include_str!("../../../test-data/rules/sample-2026-11.toml"))
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(previous.format(), RULES_FORMAT_FIRST);
        assert_eq!(previous.version(), "2026-11");
        for jurisdiction in sample.jurisdictions() {
            let before = previous.jurisdiction(jurisdiction.code).map(|j| j.minor_unit);
            assert_eq!(before, Some(jurisdiction.minor_unit), "{}", jurisdiction.code);
        }
    }

    #[test]
    fn an_appeal_body_is_named_by_its_principal_id_with_a_deadline_of_its_own() {
        let ph = Jurisdiction::parse("PH").unwrap_or_else(|error| panic!("{error}"));
        let old =
            format!("{HEADER}[[jurisdiction]]\ncode = \"PH\"\nname = \"Philippines\"\ncurrency = \"PHP\"\n");
        let parsed = |text: &str| {
            let rules = Rules::parse(text).unwrap_or_else(|error| panic!("{error}"));
            rules.jurisdiction(ph).map(|entry| (entry.appeal_body.clone(), entry.appeal_response_days))
        };
        assert_eq!(parsed(&old), Some((None, APPEAL_RESPONSE_DAYS_DEFAULT)), "a document without appeals");
        let named = parsed(&format!("{old}appeal_body = \"ph-nlrc\"\nappeal_response_days = 45\n"));
        assert_eq!(named, Some((PrincipalId::parse("ph-nlrc").ok(), 45)));
        check(
            &format!("{old}appeal_body = \"PH NLRC\"\n"),
            &["jurisdiction[0] (PH).appeal_body: \"PH NLRC\" is not a principal id (1 to 64 of a-z 0-9 . _ -)"],
        );
        check(
            &format!("{old}appeal_response_days = 731\n"),
            &["jurisdiction[0] (PH).appeal_response_days: must be 1 to 730 days, got 731"],
        );
        let sample = Rules::sample();
        assert!(
            sample.jurisdictions().all(|entry| entry.appeal_body.is_some()),
            "the sample names every body"
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
            rounding: Rounding::Down,
            pensionable_age_years: None,
            amount_depends_on_periods: true,
            working_days_per_week: None,
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
    fn benefits_are_paid_at_home_and_where_an_agreement_exports_them() {
        let rules = Rules::sample();
        let into = |from: &str, branch, country: &str, on: &str| {
            rules.payable_into(code(from), branch, code(country), date(on))
        };
        assert!(into("ES", Branch::OldAge, "ES", "2024-01-01"), "at home");
        assert!(into("ES", Branch::OldAge, "IT", "2024-01-01"), "EU-883 exports");
        assert!(into("ES", Branch::OldAge, "PH", "2024-01-01"), "ES-PH exports old age");
        assert!(!into("ES", Branch::Maternity, "PH", "2024-01-01"), "ES-PH does not cover maternity");
        assert!(!into("ES", Branch::OldAge, "SA", "2024-01-01"), "no agreement with Saudi Arabia");
        assert!(!into("MY", Branch::OldAge, "ID", "2027-06-01"), "ID-MY does not export");
        assert!(!into("ES", Branch::OldAge, "IT", "2009-01-01"), "EU-883 not yet in force");
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
