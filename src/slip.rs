//! The slip an agency prints for a worker at enrolment (or after a reset): her worker number, her
//! one-time activation code, until when it works, and the portal's activation link as text and as
//! a QR code, in her language. The code travels after `#` in the link, so it never reaches a
//! server's log; the portal's activation page reads it from there when JavaScript runs, and she
//! types it otherwise.

use anyhow::Context;
use ledger_portal::i18n::{Arg, Locale, Messages};

/// Modules of light margin around the QR code, as the standard asks.
const QUIET_ZONE_MODULES: usize = 4;

/// The activation link: the portal's address, `/activate`, and after `#` her worker number and
/// code.
pub fn link(portal_url: &str, worker_id: &str, code: &str) -> String {
    let compact: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("{}/activate#{worker_id}.{compact}", portal_url.trim_end_matches('/'))
}

/// The QR code of `text` as rows of modules, dark as true, with its quiet zone.
pub fn qr_modules(text: &str) -> anyhow::Result<Vec<Vec<bool>>> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .context("the link does not fit a QR code")?;
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 2 * QUIET_ZONE_MODULES;
    let mut rows = vec![vec![false; side]; side];
    for (index, color) in colors.iter().enumerate() {
        let (x, y) = (index % width, index / width);
        rows[y + QUIET_ZONE_MODULES][x + QUIET_ZONE_MODULES] = *color == qrcode::Color::Dark;
    }
    Ok(rows)
}

/// Modules drawn two rows to a line with the half blocks of Unicode, dark as ink: what a printer
/// and a terminal with a light background show as the code.
pub fn half_blocks(rows: &[Vec<bool>]) -> String {
    let mut text = String::new();
    for pair in rows.chunks(2) {
        let (top, bottom) = (&pair[0], pair.get(1));
        for (x, dark_top) in top.iter().enumerate() {
            let dark_bottom = bottom.is_some_and(|row| row[x]);
            text.push(match (*dark_top, dark_bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        text.push('\n');
    }
    text
}

/// The slip, in `language`.
pub fn render(
    language: Locale,
    worker_id: &str,
    code: &str,
    expires: chrono::NaiveDate,
    portal_url: &str,
) -> anyhow::Result<String> {
    let messages = Messages::load()?;
    let tr = messages.of(language);
    // The slip is plain text: the marks that isolate placeables would print as boxes.
    let plain = |text: String| text.replace(['\u{2068}', '\u{2069}'], "");
    let link = link(portal_url, worker_id, code);
    let mut slip = String::new();
    slip.push_str(&plain(tr.t("slip-heading")));
    slip.push_str("\n\n");
    slip.push_str(&plain(tr.with("slip-worker-id", &[("id", Arg::from(worker_id))])));
    slip.push('\n');
    slip.push_str(&plain(tr.with("slip-code", &[("code", Arg::from(code))])));
    slip.push('\n');
    slip.push_str(&plain(tr.with("slip-valid-until", &[("date", Arg::Text(tr.date(expires)))])));
    slip.push_str("\n\n");
    slip.push_str(&plain(tr.t("slip-open")));
    slip.push('\n');
    slip.push_str(&link);
    slip.push_str("\n\n");
    slip.push_str(&half_blocks(&qr_modules(&link)?));
    slip.push('\n');
    slip.push_str(&plain(tr.t("slip-private")));
    slip.push('\n');
    Ok(slip)
}
