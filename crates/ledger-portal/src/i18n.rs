//! The portal's languages: Project Fluent messages (CLDR plural rules come with them), numbers,
//! months and money written as each language writes them, and the choice of language from the
//! worker's own choice or her phone's `Accept-Language`.
//!
//! Every placeable is wrapped in Unicode's first-strong isolate marks (Fluent's default), so that
//! a worker id, an amount or a date keeps its own direction inside Arabic text.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The languages of the portal, in the order the language page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    Fil,
    Id,
    Ne,
    Th,
    Ar,
    Es,
}

/// The digits a language writes numbers with (CLDR's default numbering system for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Digits {
    Latin,
    /// Devanagari (Nepali).
    Devanagari,
    /// Arabic-Indic (Arabic).
    ArabicIndic,
}

/// How a language separates thousands and decimals, and groups digits.
#[derive(Clone, Copy, Debug)]
struct NumberStyle {
    digits: Digits,
    group: &'static str,
    decimal: &'static str,
    /// Indian grouping (CLDR `#,##,##0`): the last three digits, then twos.
    indian: bool,
    /// The least integer digits before a group separator is used (CLDR `minimumGroupingDigits`,
    /// 2 for Spanish: 1234 but 12.345).
    minimum_grouping_digits: usize,
}

impl Locale {
    pub const ALL: [Locale; 7] =
        [Locale::En, Locale::Fil, Locale::Id, Locale::Ne, Locale::Th, Locale::Ar, Locale::Es];

    /// The BCP 47 tag, as in `lang` attributes and the language cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fil => "fil",
            Locale::Id => "id",
            Locale::Ne => "ne",
            Locale::Th => "th",
            Locale::Ar => "ar",
            Locale::Es => "es",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        // Older tags phones still send: `tl` for Tagalog (Filipino), `in` for Indonesian.
        match primary.as_str() {
            "en" => Some(Locale::En),
            "fil" | "tl" => Some(Locale::Fil),
            "id" | "in" => Some(Locale::Id),
            "ne" => Some(Locale::Ne),
            "th" => Some(Locale::Th),
            "ar" => Some(Locale::Ar),
            "es" => Some(Locale::Es),
            _ => None,
        }
    }

    /// `rtl` for Arabic, `ltr` for the others.
    pub fn direction(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            _ => "ltr",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en.ftl"),
            Locale::Fil => include_str!("../locales/fil.ftl"),
            Locale::Id => include_str!("../locales/id.ftl"),
            Locale::Ne => include_str!("../locales/ne.ftl"),
            Locale::Th => include_str!("../locales/th.ftl"),
            Locale::Ar => include_str!("../locales/ar.ftl"),
            Locale::Es => include_str!("../locales/es.ftl"),
        }
    }

    fn numbers(self) -> NumberStyle {
        let latin = |group, decimal| NumberStyle {
            digits: Digits::Latin,
            group,
            decimal,
            indian: false,
            minimum_grouping_digits: 1,
        };
        match self {
            Locale::En | Locale::Fil | Locale::Th => latin(",", "."),
            Locale::Id => latin(".", ","),
            Locale::Es => NumberStyle { minimum_grouping_digits: 2, ..latin(".", ",") },
            Locale::Ne => NumberStyle {
                digits: Digits::Devanagari,
                group: ",",
                decimal: ".",
                indian: true,
                minimum_grouping_digits: 1,
            },
            // U+066C ARABIC THOUSANDS SEPARATOR, U+066B ARABIC DECIMAL SEPARATOR.
            Locale::Ar => NumberStyle {
                digits: Digits::ArabicIndic,
                group: "\u{66c}",
                decimal: "\u{66b}",
                indian: false,
                minimum_grouping_digits: 1,
            },
        }
    }

    /// The language to answer in: the worker's own choice (`chosen`, from her cookie), else the
    /// first language of her phone's `Accept-Language` the portal has, else English.
    pub fn negotiate(chosen: Option<&str>, accept_language: Option<&str>) -> Locale {
        if let Some(locale) = chosen.and_then(Locale::from_tag) {
            return locale;
        }
        let mut offered: Vec<(f32, usize, Locale)> = accept_language
            .unwrap_or("")
            .split(',')
            .take(ACCEPT_LANGUAGE_ENTRIES_MAX)
            .enumerate()
            .filter_map(|(index, entry)| {
                let mut parts = entry.trim().split(';');
                let locale = Locale::from_tag(parts.next()?.trim())?;
                let quality = parts
                    .find_map(|part| part.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (quality > 0.0).then_some((quality, index, locale))
            })
            .collect();
        offered.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offered.first().map_or(Locale::En, |(_, _, locale)| *locale)
    }
}

/// Entries of an `Accept-Language` header looked at; phones send a handful.
const ACCEPT_LANGUAGE_ENTRIES_MAX: usize = 16;

/// Writes `text`'s ASCII digits in `digits`.
fn transliterate(text: &str, digits: Digits) -> String {
    let zero = match digits {
        Digits::Latin => return text.to_owned(),
        Digits::Devanagari => 0x966,
        Digits::ArabicIndic => 0x660,
    };
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(digit) => char::from_u32(zero + digit).unwrap_or(c),
            None => c,
        })
        .collect()
}

fn devanagari_numbers<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(number) => Some(transliterate(&number.as_string(), Digits::Devanagari)),
        _ => None,
    }
}

fn arabic_numbers<M>(value: &FluentValue, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(number) => Some(transliterate(&number.as_string(), Digits::ArabicIndic)),
        _ => None,
    }
}

/// Why the messages did not load: a mistake in a `.ftl` file, found by the tests.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{locale}: {message}")]
    Invalid { locale: &'static str, message: String },
}

/// The messages of every language, loaded once.
pub struct Messages {
    bundles: HashMap<Locale, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Messages {{ {} languages }}", self.bundles.len())
    }
}

impl Messages {
    pub fn load() -> Result<Messages, LoadError> {
        let mut bundles = HashMap::new();
        for locale in Locale::ALL {
            let invalid = |message: String| LoadError::Invalid { locale: locale.tag(), message };
            let resource = FluentResource::try_new(locale.source().to_owned())
                .map_err(|(_, errors)| invalid(format!("{errors:?}")))?;
            let langid = locale.tag().parse().map_err(|error| invalid(format!("{error}")))?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            bundle.add_resource(resource).map_err(|errors| invalid(format!("{errors:?}")))?;
            match locale.numbers().digits {
                Digits::Latin => {}
                Digits::Devanagari => bundle.set_formatter(Some(devanagari_numbers)),
                Digits::ArabicIndic => bundle.set_formatter(Some(arabic_numbers)),
            }
            bundles.insert(locale, bundle);
        }
        Ok(Messages { bundles })
    }

    /// The ids of the messages of `locale`'s file: the lines that start a message.
    pub fn ids(locale: Locale) -> Vec<String> {
        locale
            .source()
            .lines()
            .filter_map(|line| {
                let (id, _) = line.split_once('=')?;
                let id = id.trim_end();
                let well_formed = id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                well_formed.then(|| id.to_owned())
            })
            .collect()
    }

    /// Messages in `locale`.
    pub fn of(&self, locale: Locale) -> Tr<'_> {
        Tr { messages: self, locale }
    }
}

/// The messages of one language.
#[derive(Clone, Copy, Debug)]
pub struct Tr<'a> {
    messages: &'a Messages,
    pub locale: Locale,
}

/// An argument of a message.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<u32> for Arg {
    fn from(number: u32) -> Arg {
        Arg::Number(i64::from(number))
    }
}

impl Tr<'_> {
    /// The message `id` without arguments.
    pub fn t(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// The message `id` with `args`. A message missing from a language (which a test forbids)
    /// falls back to English, then to its id, rather than fail a worker's page.
    pub fn with(&self, id: &str, args: &[(&str, Arg)]) -> String {
        for locale in [self.locale, Locale::En] {
            let Some(bundle) = self.messages.bundles.get(&locale) else { continue };
            let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else { continue };
            let mut fluent_args = FluentArgs::new();
            for (name, arg) in args {
                match arg {
                    Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.clone())),
                    Arg::Number(number) => fluent_args.set(*name, FluentValue::from(*number)),
                }
            }
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
            if errors.is_empty() {
                return text.into_owned();
            }
            tracing::warn!(id, locale = locale.tag(), ?errors, "a message did not format");
        }
        id.to_owned()
    }

    /// `number` as the language writes it, with `fraction_digits` after the decimal separator.
    pub fn number(&self, minor: i128, fraction_digits: u32) -> String {
        let style = self.locale.numbers();
        let negative = minor < 0;
        let magnitude = minor.unsigned_abs();
        let scale = 10u128.pow(fraction_digits.min(18));
        let (whole, fraction) = (magnitude / scale, magnitude % scale);
        let grouped = group(&whole.to_string(), &style);
        let mut text = String::new();
        if negative {
            text.push('-');
        }
        text.push_str(&grouped);
        if fraction_digits > 0 {
            text.push_str(style.decimal);
            text.push_str(&format!("{fraction:0width$}", width = fraction_digits as usize));
        }
        transliterate(&text, style.digits)
    }

    /// An amount of money: the currency's code, then the amount in its minor unit's digits.
    pub fn money(&self, currency: &str, minor: i64, exponent: u32) -> String {
        format!("{currency}\u{a0}{}", self.number(i128::from(minor), exponent))
    }

    /// A month, as "March 2026" is written in the language.
    pub fn month(&self, year: i32, month: u32) -> String {
        let name = self.t(&format!("month-{month}"));
        let year = transliterate(&year.to_string(), self.locale.numbers().digits);
        self.with("month-year", &[("month", Arg::Text(name)), ("year", Arg::Text(year))])
    }

    /// Items of a list joined as the language joins them.
    pub fn list(&self, items: &[String]) -> String {
        let separator = match self.locale {
            Locale::Ar => "\u{60c} ",
            _ => ", ",
        };
        items.join(separator)
    }

    /// A day, as the language writes it: the day, the month's name and the year.
    pub fn date(&self, date: chrono::NaiveDate) -> String {
        use chrono::Datelike;
        let digits = self.locale.numbers().digits;
        let day = transliterate(&date.day().to_string(), digits);
        let year = transliterate(&date.year().to_string(), digits);
        let month = self.t(&format!("month-{}", date.month()));
        self.with(
            "day-month-year",
            &[("day", Arg::Text(day)), ("month", Arg::Text(month)), ("year", Arg::Text(year))],
        )
    }
}

/// `digits` with the language's group separators.
fn group(digits: &str, style: &NumberStyle) -> String {
    if digits.len() < 4 || digits.len() < 3 + style.minimum_grouping_digits {
        return digits.to_owned();
    }
    let (head, last_three) = digits.split_at(digits.len() - 3);
    let size = if style.indian { 2 } else { 3 };
    let mut groups: Vec<&str> = Vec::new();
    let mut end = head.len();
    while end > 0 {
        let start = end.saturating_sub(size);
        groups.push(&head[start..end]);
        end = start;
    }
    groups.reverse();
    groups.push(last_three);
    groups.join(style.group)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages() -> Messages {
        Messages::load().unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn every_language_has_every_message_and_no_other() {
        let english = Messages::ids(Locale::En);
        assert!(english.len() > 80 && english.contains(&"country-PH".to_owned()), "{english:?}");
        for locale in Locale::ALL {
            let mut ids = Messages::ids(locale);
            let missing: Vec<&String> = english.iter().filter(|id| !ids.contains(id)).collect();
            ids.retain(|id| !english.contains(id));
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
            assert!(ids.is_empty(), "{} has messages English lacks: {ids:?}", locale.tag());
        }
    }

    #[test]
    fn every_message_formats_in_every_language_with_its_arguments() {
        let messages = messages();
        let args = [
            ("count", Arg::Number(3)),
            ("months", Arg::Number(3)),
            ("left", Arg::Number(3)),
            ("id", Arg::from("W7A8GFH2Y4BC6P47N")),
            ("date", Arg::from("1 March 2026")),
            ("amount", Arg::from("PHP 1,000.00")),
            ("country", Arg::from("Spain")),
            ("field", Arg::from("pin")),
            ("month", Arg::from("March")),
            ("year", Arg::from("2026")),
            ("day", Arg::from("1")),
            ("wage", Arg::from("SAR 3,000.00")),
            ("employer", Arg::from("SA-EMP-0311")),
            ("step", Arg::Number(2)),
            ("steps", Arg::Number(5)),
            ("digest", Arg::from("9f86d081884c7d65")),
            ("megabytes", Arg::Number(10)),
            ("reason", Arg::from("no such employer")),
            ("kind", Arg::from("My employer did not pay the contribution")),
            ("days", Arg::Number(3)),
            ("code", Arg::from("HF79-PQMN-00AF")),
            ("size", Arg::from("39")),
            ("language", Arg::from("English")),
            ("worker", Arg::from("W7A8GFH2Y4BC6P47N")),
            ("root", Arg::from("rxVjFihe9xIqSeDrPdxhqhBAlWoO7n6OFI4F897uT4M=")),
            ("total", Arg::from("3")),
            ("seq", Arg::from("42")),
            ("found", Arg::from("W7A8GFH2Y4BC6P47N")),
            ("expected", Arg::from("W0000000000000000")),
            ("organisation", Arg::from("union-sa-dwu")),
        ];
        for locale in Locale::ALL {
            let tr = messages.of(locale);
            for id in Messages::ids(Locale::En) {
                let text = tr.with(&id, &args);
                assert!(!text.is_empty() && text != id, "{} {id}: {text:?}", locale.tag());
            }
        }
    }

    #[test]
    fn plurals_follow_each_languages_rules() {
        let messages = messages();
        // (language, months, what the text must hold): English and Spanish say one month in
        // the singular; Arabic has a form for two; Nepali writes its own digits.
        let cases: [(Locale, i64, &str); 6] = [
            (Locale::En, 1, "1 month"),
            (Locale::En, 5, "5 months"),
            (Locale::Es, 1, "1 mes"),
            (Locale::Es, 5, "5 meses"),
            (Locale::Ne, 5, "\u{96b}"),
            (Locale::Ar, 2, "\u{634}\u{647}\u{631}\u{627}\u{646}"),
        ];
        for (locale, months, expected) in cases {
            let text = messages.of(locale).with("me-country-months", &[("months", Arg::Number(months))]);
            // Fluent isolates each placeable's direction with U+2068 and U+2069.
            let text = text.replace(['\u{2068}', '\u{2069}'], "");
            assert!(text.contains(expected), "{} {months}: {text:?} lacks {expected:?}", locale.tag());
        }
    }

    #[test]
    fn numbers_and_money_are_written_as_each_language_writes_them() {
        let messages = messages();
        let cases: [(Locale, i128, u32, &str); 9] = [
            (Locale::En, 123_456_789, 2, "1,234,567.89"),
            (Locale::Fil, 500, 2, "5.00"),
            (Locale::Id, 123_456_789, 2, "1.234.567,89"),
            (Locale::Es, 123_456, 2, "1234,56"),
            (Locale::Es, 1_234_567, 2, "12.345,67"),
            (Locale::Th, -123_456, 0, "-123,456"),
            (Locale::Ne, 123_456_789, 2, "१२,३४,५६७.८९"),
            (Locale::Ar, 123_456_789, 2, "١٬٢٣٤٬٥٦٧٫٨٩"),
            (Locale::En, 1_000, 3, "1.000"),
        ];
        for (locale, minor, exponent, expected) in cases {
            assert_eq!(messages.of(locale).number(minor, exponent), expected, "{}", locale.tag());
        }
        assert_eq!(messages.of(Locale::En).money("KWD", 1_500, 3), "KWD\u{a0}1.500");
    }

    #[test]
    fn the_language_is_her_choice_else_her_phones_first_that_the_portal_has() {
        let cases: [(Option<&str>, Option<&str>, Locale); 8] = [
            (None, None, Locale::En),
            (None, Some("ne-NP,ne;q=0.9,en;q=0.8"), Locale::Ne),
            (None, Some("de-DE,th;q=0.5,en;q=0.4"), Locale::Th),
            (None, Some("en;q=0.2,ar-SA;q=0.9"), Locale::Ar),
            (None, Some("tl-PH"), Locale::Fil),
            (None, Some("in-ID,fr"), Locale::Id),
            (Some("es"), Some("ar"), Locale::Es),
            (Some("xx"), Some("ar;q=0,es"), Locale::Es),
        ];
        for (chosen, accept, expected) in cases {
            assert_eq!(Locale::negotiate(chosen, accept), expected, "{chosen:?} {accept:?}");
        }
    }
}
