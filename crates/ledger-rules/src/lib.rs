//! The rules document: which jurisdictions the ledger knows and their currencies.
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

use ledger_core::{sha256, Currency, Jurisdiction};
use serde::Deserialize;

/// The sample rules shipped with the ledger (illustrative figures, not legal advice).
pub const SAMPLE_RULES_TOML: &str = include_str!("../../../rules/sample.toml");

/// Longest rules document accepted, in bytes.
pub const RULES_DOCUMENT_LEN_MAX: usize = 1 << 20;
/// Longest jurisdiction name, in bytes.
pub const JURISDICTION_NAME_LEN_MAX: usize = 80;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    document: Header,
    #[serde(default, rename = "jurisdiction")]
    jurisdictions: Vec<JurisdictionEntry>,
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
}

/// One jurisdiction as the rules describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JurisdictionRules {
    pub code: Jurisdiction,
    pub name: String,
    pub currency: Currency,
}

/// A validated rules document.
#[derive(Clone, Debug)]
pub struct Rules {
    name: String,
    version: String,
    illustrative: bool,
    jurisdictions: BTreeMap<Jurisdiction, JurisdictionRules>,
    digest: [u8; 32],
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
            digest: sha256(text.as_bytes()),
        })
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
    Some(JurisdictionRules { code: code?, name: name.to_owned(), currency: currency? })
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
            &["line 8, column 1: unknown field `colour`, expected one of `code`, `name`, `currency`"],
        );
        check(
            &format!("{}{}", one("PH", "Philippines", "PHP"), &one("PH", "Again", "PHP")[HEADER.len()..]),
            &["jurisdiction[1] (PH): duplicate jurisdiction code"],
        );
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
            ]
        );
    }
}
