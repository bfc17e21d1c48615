//! The minor unit of every active ISO 4217 currency: how many decimal digits its minor unit has
//! (2 for EUR: 100 cents to the euro; 0 for JPY; 3 for KWD). Amounts on the ledger are integers in
//! minor units, so this is what turns them into what people read, and what a rules document's
//! `minor_unit` is checked against.
//!
//! ```
//! use ledger_core::Currency;
//! let minor_unit = |code: &str| Currency::parse(code).unwrap().iso_minor_unit();
//! assert_eq!(minor_unit("EUR"), Some(2));
//! assert_eq!(minor_unit("KWD"), Some(3));
//! assert_eq!(minor_unit("JPY"), Some(0));
//! assert_eq!(minor_unit("XYZ"), None);
//! ```

/// Active codes whose minor unit is not 2 digits, with theirs (ISO 4217, list one).
const NOT_TWO: &[(&str, u8)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Active codes whose minor unit is 2 digits (ISO 4217, list one; funds codes included, precious
/// metals and testing codes left out, as they have no minor unit).
const TWO: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD",
    "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY",
    "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
    "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR",
    "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA",
    "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO",
    "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD",
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS",
    "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD",
    "XCG", "YER", "ZAR", "ZMW", "ZWG",
];

/// The digits of `code`'s minor unit, if `code` is an active ISO 4217 currency.
pub fn minor_unit(code: &str) -> Option<u8> {
    if let Some((_, digits)) = NOT_TWO.iter().find(|(known, _)| *known == code) {
        return Some(*digits);
    }
    TWO.contains(&code).then_some(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_are_sorted_and_disjoint() {
        assert!(TWO.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(NOT_TWO.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(NOT_TWO.iter().all(|(code, _)| !TWO.contains(code)));
        assert!(TWO
            .iter()
            .chain(NOT_TWO.iter().map(|(code, _)| code))
            .all(|code| { code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) }));
    }
}
