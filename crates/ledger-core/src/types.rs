//! Value types whose constructors validate, so that a value that exists is a valid one.

use std::fmt;

use chrono::{DateTime, Datelike, Utc};

use crate::InvalidInput;

/// Position of an event in the log, dense from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Earliest year a month may name. Social-security records older than this are not expected.
pub const MONTH_YEAR_MIN: u16 = 1900;
/// Latest year a month may name; future months are rejected separately against the clock.
pub const MONTH_YEAR_MAX: u16 = 9999;

/// A calendar month, such as 2024-03.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    pub fn new(year: u16, month: u8) -> Result<Month, InvalidInput> {
        if !(MONTH_YEAR_MIN..=MONTH_YEAR_MAX).contains(&year) || !(1..=12).contains(&month) {
            return Err(InvalidInput::new(
                "month",
                format!(
                    "{year:04}-{month:02} is not a month between {MONTH_YEAR_MIN}-01 and {MONTH_YEAR_MAX}-12"
                ),
            ));
        }
        Ok(Month { year, month })
    }

    /// Parses exactly `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Month, InvalidInput> {
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit);
        if !well_formed {
            return Err(InvalidInput::new("month", format!("{text:?} is not a month of the form YYYY-MM")));
        }
        let digits = |range: std::ops::Range<usize>| {
            bytes[range].iter().fold(0u16, |acc, digit| acc * 10 + u16::from(digit - b'0'))
        };
        let month = u8::try_from(digits(5..7)).unwrap_or(u8::MAX);
        Month::new(digits(0..4), month)
    }

    /// The month that contains `at`.
    pub fn containing(at: DateTime<Utc>) -> Month {
        let year = u16::try_from(at.year()).unwrap_or(MONTH_YEAR_MAX);
        let month = u8::try_from(at.month()).unwrap_or(12);
        Month { year: year.clamp(MONTH_YEAR_MIN, MONTH_YEAR_MAX), month }
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// The month with this ordinal, if it is within the range of months.
    pub fn from_ordinal(ordinal: u32) -> Result<Month, InvalidInput> {
        let year = u16::try_from(ordinal / 12).unwrap_or(u16::MAX);
        Month::new(year, (ordinal % 12) as u8 + 1)
    }

    /// Months since January of year 0; consecutive months differ by one.
    pub fn ordinal(self) -> u32 {
        u32::from(self.year) * 12 + u32::from(self.month) - 1
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

fn fixed_upper<const N: usize>(field: &'static str, what: &str, text: &str) -> Result<[u8; N], InvalidInput> {
    let bytes = text.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_uppercase) {
        return Err(InvalidInput::new(field, format!("{text:?} is not {what} ({N} upper-case letters)")));
    }
    let mut code = [0u8; N];
    code.copy_from_slice(bytes);
    Ok(code)
}

/// An ISO 3166-1 alpha-2 code such as `PH` or `HK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Jurisdiction([u8; 2]);

impl Jurisdiction {
    pub fn parse(text: &str) -> Result<Jurisdiction, InvalidInput> {
        fixed_upper("jurisdiction", "an ISO 3166-1 alpha-2 code", text).map(Jurisdiction)
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII upper-case letters.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    pub fn as_bytes(&self) -> [u8; 2] {
        self.0
    }
}

impl fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An ISO 4217 code such as `PHP`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(text: &str) -> Result<Currency, InvalidInput> {
        fixed_upper("currency", "an ISO 4217 code", text).map(Currency)
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    pub fn as_bytes(&self) -> [u8; 3] {
        self.0
    }

    /// Digits of the minor unit, if this is an active ISO 4217 currency ([`crate::iso4217`]).
    pub fn iso_minor_unit(&self) -> Option<u8> {
        crate::iso4217::minor_unit(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Largest amount one contribution field may hold, in minor units. Far above any monthly wage in
/// any currency, and low enough that sums over millions of events cannot overflow 128-bit totals.
pub const AMOUNT_MINOR_MAX: u64 = 1_000_000_000_000;

/// A non-negative amount of money in minor units of some currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MinorUnits(u64);

impl MinorUnits {
    pub fn new(field: &'static str, minor: i64) -> Result<MinorUnits, InvalidInput> {
        match u64::try_from(minor) {
            Ok(minor) if minor <= AMOUNT_MINOR_MAX => Ok(MinorUnits(minor)),
            Ok(_) => Err(InvalidInput::new(
                field,
                format!("{minor} exceeds the largest amount, {AMOUNT_MINOR_MAX}"),
            )),
            Err(_) => Err(InvalidInput::new(field, format!("{minor} is negative"))),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

/// Length of a worker id: `W` and sixteen Crockford base-32 characters (80 random bits).
pub const WORKER_ID_LEN: usize = 17;
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A digit of Crockford's base 32: 0-9 and the capitals but I, L, O and U. A match rather than a
/// search of [`CROCKFORD`]: ids are parsed for every record a verifier decodes.
fn is_crockford(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'A'..=b'H' | b'J' | b'K' | b'M' | b'N' | b'P'..=b'T' | b'V'..=b'Z')
}

/// A worker's pseudonymous ledger id, issued at enrolment. It carries no personal data.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WorkerId(String);

impl WorkerId {
    pub fn parse(text: &str) -> Result<WorkerId, InvalidInput> {
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == WORKER_ID_LEN
            && bytes[0] == b'W'
            && bytes[1..].iter().all(|byte| is_crockford(*byte));
        if !well_formed {
            return Err(InvalidInput::new(
                "worker_id",
                format!("{text:?} is not a worker id (W and 16 base-32 characters)"),
            ));
        }
        Ok(WorkerId(text.to_owned()))
    }

    /// The id for 80 random bits.
    pub fn from_random(random: [u8; 10]) -> WorkerId {
        let bits = random.iter().fold(0u128, |acc, byte| (acc << 8) | u128::from(*byte));
        let mut text = String::with_capacity(WORKER_ID_LEN);
        text.push('W');
        for index in (0..16).rev() {
            let digit = (bits >> (index * 5)) & 0x1f;
            text.push(char::from(CROCKFORD[digit as usize]));
        }
        WorkerId(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters of a portal activation code: 60 random bits in Crockford base 32.
pub const ACTIVATION_CODE_LEN: usize = 12;

/// A worker's one-time portal activation code, printed on the slip her agency gives her. Read as
/// people type it: case, spaces and dashes do not matter, and the letters Crockford's alphabet
/// leaves out are read as the digits they look like (O as 0, I and L as 1).
#[derive(Clone, PartialEq, Eq)]
pub struct ActivationCode(String);

impl ActivationCode {
    pub fn parse(text: &str) -> Result<ActivationCode, InvalidInput> {
        let mut code = String::with_capacity(ACTIVATION_CODE_LEN);
        for character in text.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{a0}')) {
            let upper = match character.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !upper.is_ascii() || !is_crockford(upper as u8) || code.len() == ACTIVATION_CODE_LEN {
                return Err(InvalidInput::new(
                    "activation_code",
                    format!("an activation code is {ACTIVATION_CODE_LEN} letters and digits, as printed on the slip"),
                ));
            }
            code.push(upper);
        }
        if code.len() != ACTIVATION_CODE_LEN {
            return Err(InvalidInput::new(
                "activation_code",
                format!(
                    "an activation code is {ACTIVATION_CODE_LEN} letters and digits, as printed on the slip"
                ),
            ));
        }
        Ok(ActivationCode(code))
    }

    /// The code for 60 random bits (the low 60 of `random`).
    pub fn from_random(random: u64) -> ActivationCode {
        let code = (0..ACTIVATION_CODE_LEN)
            .rev()
            .map(|index| char::from(CROCKFORD[((random >> (index * 5)) & 0x1f) as usize]))
            .collect();
        ActivationCode(code)
    }

    /// What the ledger keeps of it.
    pub fn digest(&self) -> [u8; 32] {
        crate::sha256(self.0.as_bytes())
    }

    /// As printed: three groups of four.
    pub fn grouped(&self) -> String {
        let (a, rest) = self.0.split_at(4);
        let (b, c) = rest.split_at(4);
        format!("{a}-{b}-{c}")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Never printed by accident: a code in a log line would let anyone who reads the log in.
impl fmt::Debug for ActivationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ActivationCode(..)")
    }
}

/// Longest client request id, in bytes.
pub const REQUEST_ID_LEN_MAX: usize = 128;

/// A client-chosen request id: printable ASCII without spaces.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(String);

impl RequestId {
    pub fn parse(text: &str) -> Result<RequestId, InvalidInput> {
        if text.is_empty() || text.len() > REQUEST_ID_LEN_MAX {
            return Err(InvalidInput::new(
                "request_id",
                format!("must be 1 to {REQUEST_ID_LEN_MAX} bytes, got {}", text.len()),
            ));
        }
        if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(InvalidInput::new("request_id", "must be printable ASCII without spaces"));
        }
        Ok(RequestId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Longest principal id, in bytes.
pub const PRINCIPAL_ID_LEN_MAX: usize = 64;

/// Who acted: an agency, a worker, an auditor or an operator, by id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrincipalId(String);

impl PrincipalId {
    /// Lower-case letters, digits, `.`, `_` and `-`.
    pub fn parse(text: &str) -> Result<PrincipalId, InvalidInput> {
        let allowed = |byte: u8| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'.' | b'_' | b'-')
        };
        if text.is_empty() || text.len() > PRINCIPAL_ID_LEN_MAX || !text.bytes().all(allowed) {
            return Err(InvalidInput::new(
                "principal",
                format!("{text:?} is not a principal id (1 to {PRINCIPAL_ID_LEN_MAX} of a-z 0-9 . _ -)"),
            ));
        }
        Ok(PrincipalId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PrincipalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest employer reference, in bytes.
pub const EMPLOYER_REF_LEN_MAX: usize = 64;
/// Longest reason for a reversal, in bytes.
pub const REASON_LEN_MAX: usize = 512;

/// Free text of bounded length with no control characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(String);

/// Characters that make text read other than it shows, and stay on the chain for ever: the
/// bidirectional embeddings, overrides, isolates and marks, zero-width characters and other
/// invisible format characters. New text refuses them.
pub fn is_deceptive(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

impl Text {
    /// New text, as a request gives it: 1 to `len_max` bytes, no control characters and none of
    /// the characters that make text read other than it shows ([`is_deceptive`]).
    pub fn parse(field: &'static str, text: &str, len_max: usize) -> Result<Text, InvalidInput> {
        let text = Text::recorded(field, text, len_max)?;
        if let Some(c) = text.0.chars().find(|c| is_deceptive(*c)) {
            return Err(InvalidInput::new(
                field,
                format!(
                    "must not contain invisible or direction-changing characters (U+{:04X})",
                    u32::from(c)
                ),
            ));
        }
        Ok(text)
    }

    /// Text as a record on the chain holds it. Records written before deceptive characters were
    /// refused may hold them, and must keep decoding.
    pub fn recorded(field: &'static str, text: &str, len_max: usize) -> Result<Text, InvalidInput> {
        if text.trim().is_empty() || text.len() > len_max {
            return Err(InvalidInput::new(
                field,
                format!("must be 1 to {len_max} bytes of text, got {}", text.len()),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err(InvalidInput::new(field, "must not contain control characters"));
        }
        Ok(Text(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($variant = $code),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value for a wire or storage code; zero and unknown codes are rejected.
            pub fn from_code(code: i64) -> Result<$name, InvalidInput> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(InvalidInput::new($field, format!("{code} is not a known value"))),
                }
            }

            pub fn code(self) -> u8 {
                self as u8
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }

            /// The value named by its label, as written in rules documents (`old_age`).
            pub fn from_label(label: &str) -> Result<$name, InvalidInput> {
                $name::ALL.iter().copied().find(|value| value.label() == label).ok_or_else(|| {
                    let known: Vec<&str> = $name::ALL.iter().map(|value| value.label()).collect();
                    InvalidInput::new($field, format!("{label:?} is not one of {}", known.join(", ")))
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

code_enum!(
    /// The nine branches of ILO Convention 102.
    Branch, "branch" {
        OldAge = 1 => "old_age",
        Invalidity = 2 => "invalidity",
        Survivors = 3 => "survivors",
        Sickness = 4 => "sickness",
        Maternity = 5 => "maternity",
        Unemployment = 6 => "unemployment",
        EmploymentInjury = 7 => "employment_injury",
        HealthCare = 8 => "health_care",
        Family = 9 => "family",
    }
);

code_enum!(
    /// The sector of employment; domestic work is its own value so it can be reported.
    Sector, "sector" {
        DomesticWork = 1 => "domestic_work",
        Agriculture = 2 => "agriculture",
        Construction = 3 => "construction",
        Manufacturing = 4 => "manufacturing",
        Care = 5 => "care",
        Hospitality = 6 => "hospitality",
        Fishing = 7 => "fishing",
        Other = 8 => "other",
    }
);

code_enum!(
    /// Self-declared sex, when declared.
    Sex, "sex" {
        Female = 1 => "female",
        Male = 2 => "male",
        Other = 3 => "other",
    }
);

code_enum!(
    /// Why credited months count without a contribution.
    CreditKind, "kind" {
        Maternity = 1 => "maternity",
        Unemployment = 2 => "unemployment",
        VoluntaryInsurance = 3 => "voluntary_insurance",
        Sickness = 4 => "sickness",
        ChildCare = 5 => "child_care",
        Other = 6 => "other",
    }
);

code_enum!(
    /// The unit in which an institution certifies periods of insurance (Reg. 987/2009 Art. 13).
    PeriodUnit, "unit" {
        Days = 1 => "days",
        Weeks = 2 => "weeks",
        Months = 3 => "months",
        Quarters = 4 => "quarters",
    }
);

code_enum!(
    /// Whether a contribution was owed (compulsory insurance) or paid by choice (voluntary
    /// insurance, continued or optional): where two states' periods coincide, compulsory insurance
    /// takes precedence (Reg. 987/2009 Art. 12).
    Insurance, "insurance" {
        Compulsory = 1 => "compulsory",
        Voluntary = 2 => "voluntary",
    }
);

code_enum!(
    /// What a claim says is missing or unpaid: contributions (missing, or deducted and not
    /// remitted), a benefit, wages, end-of-service dues (a gratuity, notice pay), or recruitment
    /// costs her employer recovered from her wages, which the employer-pays principle puts on the
    /// employer.
    ClaimKind, "kind" {
        MissingContribution = 1 => "missing_contribution",
        UnpaidBenefit = 2 => "unpaid_benefit",
        UnremittedDeduction = 3 => "unremitted_deduction",
        UnpaidWages = 4 => "unpaid_wages",
        EndOfServiceDues = 5 => "end_of_service_dues",
        RecruitmentCostFromWages = 6 => "recruitment_cost_from_wages",
    }
);

impl ClaimKind {
    /// Whether upholding a claim of this kind records the contributions it found missing: only the
    /// kinds about contributions. An upheld claim for wages, dues, a benefit or a recruitment cost
    /// records the answer alone.
    pub fn records_contributions(self) -> bool {
        matches!(self, ClaimKind::MissingContribution | ClaimKind::UnremittedDeduction)
    }

    /// Whether the claim is of what an employer owes in wages: unpaid wages, end-of-service dues,
    /// or recruitment costs taken from wages.
    pub fn is_of_wages(self) -> bool {
        matches!(
            self,
            ClaimKind::UnpaidWages | ClaimKind::EndOfServiceDues | ClaimKind::RecruitmentCostFromWages
        )
    }
}

code_enum!(
    /// What a recruitment cost paid for.
    RecruitmentPurpose, "purpose" {
        Fee = 1 => "fee",
        Travel = 2 => "travel",
        Visa = 3 => "visa",
        Training = 4 => "training",
        Medical = 5 => "medical",
    }
);

code_enum!(
    /// Who paid a recruitment cost: the worker (in cash, or taken from her wages), her employer (as
    /// the employer-pays principle asks), or a loan, which she owes.
    CostPayer, "paid_by" {
        Worker = 1 => "worker",
        Employer = 2 => "employer",
        Loan = 3 => "loan",
    }
);

code_enum!(
    /// How the addressed agency answered a claim.
    ClaimOutcome, "outcome" {
        Upheld = 1 => "upheld",
        Rejected = 2 => "rejected",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_codes_are_read_as_people_type_them() {
        let printed = ActivationCode::from_random(0x0123_4567_89ab_cdef);
        let cases: [(&str, Option<&str>); 8] = [
            ("28T5-CY4T-QKFF", Some("28T5CY4TQKFF")),
            ("28t5 cy4t qkff", Some("28T5CY4TQKFF")),
            ("28T5-CY4T-QKFF", Some("28T5CY4TQKFF")),
            ("O0OO-0000-0iIl", Some("000000000111")),
            ("28T5-CY4T-QKF", None),
            ("28T5-CY4T-QKFF0", None),
            ("28T5-CY4T-QKFU", None),
            ("28T5-CY4T-QKFΩ", None),
        ];
        // 0x0123456789abcdef in base 32, low 60 bits, Crockford's alphabet (worked out apart).
        assert_eq!(printed.grouped(), "28T5-CY4T-QKFF");
        for (typed, expected) in cases {
            let parsed = ActivationCode::parse(typed);
            assert_eq!(parsed.as_ref().ok().map(ActivationCode::as_str), expected, "{typed}");
            if let Some(expected) = expected {
                assert_eq!(parsed.map(|code| code.digest()).ok(), Some(crate::sha256(expected.as_bytes())));
            }
        }
        assert_eq!(format!("{printed:?}"), "ActivationCode(..)");
    }

    #[test]
    fn new_text_refuses_what_reads_other_than_it_shows() {
        // (text, accepted as new text, accepted from a record on the chain)
        let cases = [
            ("SA-HH-0917", true, true),
            ("Empresa Constructora Núñez", true, true),
            ("نجمة للمقاولات", true, true),
            ("EMP\u{202E}1-AS", false, true),
            ("EMP\u{200B}42", false, true),
            ("EMP\u{2066}42\u{2069}", false, true),
            ("\u{FEFF}EMP-42", false, true),
            ("EMP\u{00AD}42", false, true),
            ("EMP\n42", false, false),
            ("EMP\u{0007}42", false, false),
            ("   ", false, false),
        ];
        for (text, new, recorded) in cases {
            assert_eq!(Text::parse("employer_ref", text, 64).is_ok(), new, "new {text:?}");
            assert_eq!(Text::recorded("employer_ref", text, 64).is_ok(), recorded, "recorded {text:?}");
        }
    }

    fn check_month(input: &str, expected: Option<(u16, u8)>) {
        let parsed = Month::parse(input).ok().map(|m| (m.year(), m.month()));
        assert_eq!(parsed, expected, "parsing {input:?}");
        if let Ok(month) = Month::parse(input) {
            assert_eq!(month.to_string(), input);
        }
    }

    #[test]
    fn months_parse_strictly() {
        check_month("2024-03", Some((2024, 3)));
        check_month("1900-01", Some((1900, 1)));
        check_month("9999-12", Some((9999, 12)));
        check_month("2024-13", None);
        check_month("2024-00", None);
        check_month("1899-12", None);
        check_month("2024-3", None);
        check_month("2024/03", None);
        check_month("+024-03", None);
        check_month("２０２４-03", None);
        check_month("", None);
    }

    #[test]
    fn the_crockford_test_matches_the_alphabet() {
        for byte in 0..=u8::MAX {
            assert_eq!(is_crockford(byte), CROCKFORD.contains(&byte), "byte {byte}");
        }
    }

    #[test]
    fn worker_ids_round_trip_and_reject_lookalikes() {
        let id = WorkerId::from_random([0xff; 10]);
        let code = ActivationCode::from_random(u64::MAX);
        assert_eq!(code.grouped(), "ZZZZ-ZZZZ-ZZZZ");
        assert_eq!(id.as_str(), "WZZZZZZZZZZZZZZZZ");
        let id = WorkerId::from_random([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(id.as_str(), "W0000000000000001");
        assert!(WorkerId::parse(id.as_str()).is_ok());
        for bad in ["W000000000000000I", "w0000000000000001", "W000000000000001", ""] {
            assert!(WorkerId::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn amounts_are_bounded_and_non_negative() {
        assert_eq!(MinorUnits::new("x", 0).map(MinorUnits::get), Ok(0));
        assert!(MinorUnits::new("x", -1).is_err());
        assert!(MinorUnits::new("x", AMOUNT_MINOR_MAX as i64 + 1).is_err());
        assert!(MinorUnits::new("x", i64::MAX).is_err());
    }

    #[test]
    fn codes_reject_zero_and_unknown() {
        assert_eq!(Branch::from_code(1), Ok(Branch::OldAge));
        assert_eq!(Branch::ALL.len(), 9);
        for code in [0, 10, -1, i64::MAX] {
            assert!(Branch::from_code(code).is_err());
            assert!(Sector::from_code(code).is_err());
        }
    }
}
