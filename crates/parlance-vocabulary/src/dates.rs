//! Calendar arithmetic: what `today - 90d` and `within 1m` mean.
//!
//! Days and weeks are exact; months and years are **calendar** months and
//! years, clamped to the end of the month: `2025-03-31 - 1m` is `2025-02-28`,
//! `2024-02-29 + 1y` is `2025-02-28`. A sum of durations (`1m + 2d`) adds its
//! months first, then its days. Results are clamped to the years 0000–9999, so
//! every date stays a sortable `YYYY-MM-DD` text in the warehouse.
//!
//! The compiler folds constant dates with these functions, the SQL functions
//! registered on the evaluation connection call them for dates that depend on
//! data, and the reference evaluator in the tests uses them too: one
//! definition of a month everywhere.

use crate::ast::{Date, Duration, DurationUnit};

/// A length of time as calendar months plus days (`1m + 2w` is 1 month, 14 days).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CalendarSpan {
    /// Whole calendar months (years count 12).
    pub months: i64,
    /// Whole days (weeks count 7).
    pub days: i64,
}

impl CalendarSpan {
    /// The span a duration literal means.
    #[must_use]
    pub fn of(d: Duration) -> Self {
        let n = i64::from(d.amount);
        match d.unit {
            DurationUnit::Day => Self { months: 0, days: n },
            DurationUnit::Week => Self { months: 0, days: 7 * n },
            DurationUnit::Month => Self { months: n, days: 0 },
            DurationUnit::Year => Self { months: 12 * n, days: 0 },
        }
    }

    /// The sum of two spans.
    #[must_use]
    pub fn plus(self, other: Self) -> Self {
        Self { months: self.months + other.months, days: self.days + other.days }
    }

    /// The span pointing the other way.
    #[must_use]
    pub fn negated(self) -> Self {
        Self { months: -self.months, days: -self.days }
    }

    /// An approximate length in days, for comparing two spans with each other.
    #[must_use]
    pub fn approx_days(self) -> f64 {
        self.months as f64 * 30.44 + self.days as f64
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
#[must_use]
pub fn days_from_civil(d: Date) -> i64 {
    let y = i64::from(d.year) - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(d.month);
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(d.day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` days after 1970-01-01, clamped to 0000-01-01 ..= 9999-12-31.
#[must_use]
pub fn civil_from_days(days: i64) -> Date {
    let days = days.clamp(MIN_DAYS, MAX_DAYS);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

/// 0000-01-01.
const MIN_DAYS: i64 = -719_528;
/// 9999-12-31.
const MAX_DAYS: i64 = 2_932_896;

fn month_length(year: i32, month: u8) -> u8 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if leap => 29,
        _ => 28,
    }
}

/// `date` moved by `months` calendar months, the day clamped to the month's end.
#[must_use]
pub fn add_months(date: Date, months: i64) -> Date {
    let index = i64::from(date.year) * 12 + i64::from(date.month) - 1 + months;
    let index = index.clamp(0, 9999 * 12 + 11);
    let year = (index / 12) as i32;
    let month = (index % 12 + 1) as u8;
    let day = date.day.min(month_length(year, month));
    Date { year, month, day }
}

/// `date + span`: months first (clamped), then days.
#[must_use]
pub fn add(date: Date, span: CalendarSpan) -> Date {
    let moved = add_months(date, span.months);
    civil_from_days(days_from_civil(moved) + span.days)
}

/// `date - span`.
#[must_use]
pub fn subtract(date: Date, span: CalendarSpan) -> Date {
    add(date, span.negated())
}

/// The day after `date`.
#[must_use]
pub fn next_day(date: Date) -> Date {
    civil_from_days(days_from_civil(date) + 1)
}

/// Reads the `YYYY-MM-DD` at the start of `text` (a date or an RFC 3339
/// timestamp), if it is a real calendar day.
#[must_use]
pub fn parse_date_prefix(text: &str) -> Option<Date> {
    let head = text.get(..10)?;
    let b = head.as_bytes();
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<i64>().ok()).flatten();
    let year = digits(head.get(0..4)?)?;
    let month = digits(head.get(5..7)?)?;
    let day = digits(head.get(8..10)?)?;
    Date::new(i32::try_from(year).ok()?, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
}

/// A timestamp text (`2025-03-31T10:00:00Z`) moved by `span`: the date part
/// moves as [`add`] says, the time of day stays. `None` when the text does
/// not start with a valid date.
#[must_use]
pub fn add_to_timestamp(text: &str, span: CalendarSpan) -> Option<String> {
    let date = parse_date_prefix(text)?;
    let rest = text.get(10..).unwrap_or("");
    Some(format!("{}{rest}", add(date, span)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap_or(Date { year: 1970, month: 1, day: 1 })
    }

    #[test]
    fn calendar_months_clamp_to_the_month_end() {
        assert_eq!(subtract(d(2025, 3, 31), CalendarSpan { months: 1, days: 0 }), d(2025, 2, 28));
        assert_eq!(add(d(2024, 2, 29), CalendarSpan { months: 12, days: 0 }), d(2025, 2, 28));
        assert_eq!(add(d(2025, 1, 31), CalendarSpan { months: 1, days: 1 }), d(2025, 3, 1));
        assert_eq!(subtract(d(2025, 1, 1), CalendarSpan { months: 0, days: 1 }), d(2024, 12, 31));
    }

    #[test]
    fn days_round_trip_and_clamp() {
        for n in [-800_000, MIN_DAYS, -1, 0, 1, 20_000, MAX_DAYS, 3_000_000] {
            let date = civil_from_days(n);
            assert_eq!(days_from_civil(date), n.clamp(MIN_DAYS, MAX_DAYS));
        }
        assert_eq!(civil_from_days(MIN_DAYS).to_string(), "0000-01-01");
        assert_eq!(civil_from_days(MAX_DAYS).to_string(), "9999-12-31");
    }

    #[test]
    fn timestamps_keep_their_time_of_day() {
        let span = CalendarSpan { months: 1, days: 0 };
        assert_eq!(add_to_timestamp("2025-01-31T23:59:59Z", span).as_deref(), Some("2025-02-28T23:59:59Z"));
        assert_eq!(add_to_timestamp("2025-02-30T00:00:00Z", span), None);
        assert_eq!(parse_date_prefix("2025-12-01"), Some(d(2025, 12, 1)));
        assert_eq!(parse_date_prefix("20x5-12-01"), None);
    }
}
