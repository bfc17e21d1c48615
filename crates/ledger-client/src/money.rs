//! Money as a person reads it, from integer minor units: never a float.

/// Minor units shown as a person reads them: `EUR 967.68`, with the digits of the currency's minor
/// unit that ISO 4217 gives (for figures that do not come as a `Money`, which carries its own).
pub fn format_money(minor: i64, currency: &str) -> String {
    format_minor(minor, currency, ledger_core::iso4217::minor_unit(currency).map_or(2, u32::from))
}

/// Minor units with `digits` of minor unit, as a person reads them. Integer arithmetic only.
pub fn format_minor(minor: i64, currency: &str, digits: u32) -> String {
    let Some(scale) = 10u64.checked_pow(digits) else {
        return format!("{currency} {minor}e-{digits}");
    };
    if digits == 0 {
        return format!("{currency} {minor}");
    }
    let sign = if minor < 0 { "-" } else { "" };
    let (major, fraction) = (minor.unsigned_abs() / scale, minor.unsigned_abs() % scale);
    format!("{currency} {sign}{major}.{fraction:0width$}", width = digits as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_read_by_the_currencys_digits() {
        let cases = [
            (96_768, "EUR", "EUR 967.68"),
            (-5, "EUR", "EUR -0.05"),
            (1_500, "KWD", "KWD 1.500"),
            (1_500, "JPY", "JPY 1500"),
            (i64::MIN, "PHP", "PHP -92233720368547758.08"),
        ];
        for (minor, currency, expected) in cases {
            assert_eq!(format_money(minor, currency), expected);
        }
    }
}
