//! Wall-clock times as the catalog and the request journal write them.

use std::time::{SystemTime, UNIX_EPOCH};

/// `time` in RFC 3339, UTC, milliseconds truncated:
/// `2024-05-06T07:08:09.123Z`. It is also what the catalog schema's column
/// defaults write (`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`); the catalog
/// formats times here because SQLite's `strftime` cost more than the rest
/// of an insert, and its tests hold the two to the same text.
pub fn utc_millis(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, of_day) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
    // `civil_from_days`), in 400-year eras starting on 0000-03-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Digit by digit: `format!` costs ten times as much here.
    let fields = [
        (year, 4, '-'),
        (month, 2, '-'),
        (day, 2, 'T'),
        ((of_day / 3_600) as i64, 2, ':'),
        ((of_day / 60 % 60) as i64, 2, ':'),
        ((of_day % 60) as i64, 2, '.'),
        (i64::from(since.subsec_millis()), 3, 'Z'),
    ];
    let mut out = String::with_capacity(24);
    for (value, width, then) in fields {
        let mut digits = [b'0'; 20];
        let mut n = value.unsigned_abs();
        let mut start = digits.len();
        while n > 0 {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        let start = start.min(digits.len() - width);
        out.extend(digits[start..].iter().map(|&d| char::from(d)));
        out.push(then);
    }
    out
}
/// Whether `s` has the shape [`utc_millis`] writes
/// (`2024-05-06T07:08:09.123Z`), as a seed's dates must.
pub fn is_utc_millis(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'.',
            23 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}
