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
/// Parses an `xsd:dateTime` as a client sends it (`2024-05-06T07:08:09`,
/// with optional fractional seconds and a `Z` or `±hh:mm` zone; no zone is
/// taken as UTC). `None` for anything else, or a time before 1970.
pub fn parse_date_time(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
    };
    let seps = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if seps.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if b.get(at) == Some(&b'.') {
        let digits = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let frac = &s[at + 1..at + 1 + digits.min(3)];
        millis = frac.parse::<i64>().ok()? * 10i64.pow(3 - frac.len() as u32);
        at += 1 + digits;
    }
    let offset = match &s[at..] {
        "" | "Z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) && &zone[3..4] == ":" => {
            let minutes = num(at + 1, 2)? * 60 + num(at + 4, 2)?;
            if zone.starts_with('-') {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    // Howard Hinnant's `days_from_civil`.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset * 60;
    let millis = u64::try_from(secs.checked_mul(1000)? + millis).ok()?;
    Some(UNIX_EPOCH + std::time::Duration::from_millis(millis))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_times_parse_to_the_same_instant() {
        let t = |s: &str| parse_date_time(s).map(utc_millis);
        assert_eq!(
            t("2024-05-06T07:08:09.123Z").as_deref(),
            Some("2024-05-06T07:08:09.123Z")
        );
        assert_eq!(
            t("2024-05-06T09:08:09.1+02:00").as_deref(),
            Some("2024-05-06T07:08:09.100Z")
        );
        assert_eq!(
            t("2024-02-29T23:30:00-01:00").as_deref(),
            Some("2024-03-01T00:30:00.000Z")
        );
        assert_eq!(t("2024-05-06T07:08:09").as_deref(), Some("2024-05-06T07:08:09.000Z"));
        for bad in [
            "2024-05-06",
            "2024-13-01T00:00:00Z",
            "2024-05-06T07:08:09.Z",
            "1969-12-31T23:59:59Z",
            "x",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
    }
}
