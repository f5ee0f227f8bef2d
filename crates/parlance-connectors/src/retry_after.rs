//! The `Retry-After` response header (RFC 9110 §10.2.3), in both its forms:
//! `delay-seconds` (`Retry-After: 120`) and `HTTP-date`
//! (`Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`, plus the obsolete RFC 850
//! and asctime forms every recipient must accept). The wait for a date is
//! measured against the clock that was passed in, never read here.

use std::time::{Duration, UNIX_EPOCH};

use parlance_warehouse::Timestamp;

/// A parsed `Retry-After` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryAfter {
    /// Wait this long.
    Delay(Duration),
    /// Wait until this instant.
    At(Timestamp),
}

impl RetryAfter {
    /// Parses a header value; `None` when it is neither form (the caller
    /// then falls back to its own back-off).
    pub fn parse(header: &str) -> Option<RetryAfter> {
        let text = header.trim();
        parse_delay_seconds(text).map(RetryAfter::Delay).or_else(|| parse_http_date(text).map(RetryAfter::At))
    }

    /// How long to wait from `now`: zero for a date already past.
    pub fn wait_from(self, now: Timestamp) -> Duration {
        match self {
            RetryAfter::Delay(delay) => delay,
            RetryAfter::At(at) => Duration::from_secs(u64::try_from(at.unix() - now.unix()).unwrap_or(0)),
        }
    }
}

/// `1*DIGIT`, leniently also with a decimal fraction (`1.5`), which some
/// APIs send. Negative, empty, or otherwise decorated values are rejected.
fn parse_delay_seconds(text: &str) -> Option<Duration> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
        return None;
    }
    // A number of seconds too large for u64 is still "a very long time".
    let seconds = whole.parse::<u64>().unwrap_or(u64::MAX);
    let nanos = fraction.map_or(0, fraction_nanos);
    Some(Duration::new(seconds, nanos))
}

/// The digits after the decimal point as nanoseconds (extra digits ignored).
fn fraction_nanos(digits: &str) -> u32 {
    let mut nanos = 0_u32;
    let mut scale = 100_000_000_u32;
    for digit in digits.bytes().take(9) {
        nanos += u32::from(digit - b'0') * scale;
        scale /= 10;
    }
    nanos
}

fn parse_http_date(text: &str) -> Option<Timestamp> {
    let at = httpdate::parse_http_date(text).ok()?;
    let seconds = at.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Timestamp::from_unix(i64::try_from(seconds).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn delay_seconds() {
        assert_eq!(RetryAfter::parse("120"), Some(RetryAfter::Delay(Duration::from_secs(120))));
        assert_eq!(RetryAfter::parse(" 3 "), Some(RetryAfter::Delay(Duration::from_secs(3))));
        assert_eq!(RetryAfter::parse("0"), Some(RetryAfter::Delay(Duration::ZERO)));
    }

    #[test]
    fn fractional_seconds_are_accepted_leniently() {
        assert_eq!(RetryAfter::parse("1.5"), Some(RetryAfter::Delay(Duration::from_millis(1_500))));
        assert_eq!(RetryAfter::parse("0.25"), Some(RetryAfter::Delay(Duration::from_millis(250))));
    }

    #[test]
    fn a_huge_number_of_seconds_saturates_rather_than_failing() {
        let parsed = RetryAfter::parse("99999999999999999999999");
        assert_eq!(parsed, Some(RetryAfter::Delay(Duration::from_secs(u64::MAX))));
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in ["", " ", "-1", "+5", "1e3", "5s", "soon", "1.", ".5", "1.2.3", "0x10"] {
            assert_eq!(RetryAfter::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn imf_fixdate() {
        let parsed = RetryAfter::parse("Sun, 22 Nov 2026 10:00:07 GMT");
        assert_eq!(parsed, Some(RetryAfter::At(at("2026-11-22T10:00:07Z"))));
    }

    #[test]
    fn obsolete_rfc850_and_asctime_dates() {
        let expected = Some(RetryAfter::At(at("1994-11-06T08:49:37Z")));
        assert_eq!(RetryAfter::parse("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(RetryAfter::parse("Sun Nov  6 08:49:37 1994"), expected);
    }

    #[test]
    fn a_date_waits_from_the_given_now_and_a_past_date_waits_nothing() {
        let now = at("2026-11-22T10:00:00Z");
        let later = RetryAfter::At(at("2026-11-22T10:00:07Z"));
        assert_eq!(later.wait_from(now), Duration::from_secs(7));
        let past = RetryAfter::At(at("2026-11-22T09:59:00Z"));
        assert_eq!(past.wait_from(now), Duration::ZERO);
        assert_eq!(RetryAfter::Delay(Duration::from_secs(4)).wait_from(now), Duration::from_secs(4));
    }
}
