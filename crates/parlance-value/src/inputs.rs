//! Reading what the value needs from the warehouse's unified layer: live
//! profiles, their orders (cancelled ones excluded, amounts net of refunds)
//! and their support contacts, up to an as-of date.
//!
//! Orders are read by a plain scan split by rowid range over one read-only
//! connection per core (WAL readers never wait on each other or the
//! writer); per-day netting and the RFM summary happen in Rust
//! ([`crate::summarize_transactions`]), which is faster than a `GROUP BY`
//! over a text day and keeps one tested implementation of the RFM rules.

use std::collections::HashMap;

use parlance_warehouse::{Connection, Warehouse, WarehouseError};
use time::{Date, Month};

use crate::parameters::ValueParameters;
use crate::refresh::RefreshError;
use crate::universal::{ContactCount, Order};

/// A live (not merged-away) profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveProfile {
    /// `profiles.id`.
    pub id: i64,
    /// An anonymous visitor rather than a known person.
    pub anonymous: bool,
}

/// Adds a context to rusqlite errors.
pub(crate) fn sql<T>(
    result: Result<T, parlance_warehouse::SqliteError>,
    what: &str,
) -> Result<T, WarehouseError> {
    result.map_err(|source| WarehouseError::Sqlite { context: what.to_owned(), source })
}

/// Every live profile, by id.
pub fn live_profiles(conn: &Connection) -> Result<Vec<LiveProfile>, RefreshError> {
    let what = "reading live profiles";
    let mut stmt = sql(
        conn.prepare("SELECT id, kind = 'anonymous' FROM profiles WHERE merged_into IS NULL ORDER BY id"),
        what,
    )?;
    let rows = sql(stmt.query_map([], |r| Ok(LiveProfile { id: r.get(0)?, anonymous: r.get(1)? })), what)?;
    Ok(sql(rows.collect::<Result<Vec<_>, _>>(), what)?)
}

/// The currency most non-cancelled orders up to `as_of` are in: the value's
/// currency. `None` when there are no such orders.
pub fn value_currency(conn: &Connection, as_of: Date) -> Result<Option<String>, RefreshError> {
    let what = "finding the value currency";
    let mut stmt = sql(
        conn.prepare(
            "SELECT currency FROM orders WHERE status != 'cancelled' AND ordered_at < ?1
             GROUP BY currency ORDER BY count(*) DESC, currency LIMIT 1",
        ),
        what,
    )?;
    let mut rows = sql(stmt.query([day_after(as_of)]), what)?;
    match sql(rows.next(), what)? {
        Some(row) => Ok(Some(sql(row.get(0), what)?)),
        None => Ok(None),
    }
}

/// Support contacts per live profile and channel, up to `as_of`.
pub fn read_contacts(conn: &Connection, as_of: Date) -> Result<Vec<ContactCount<i64>>, RefreshError> {
    let what = "reading support contacts";
    let mut stmt = sql(
        conn.prepare(
            "SELECT profile_id, channel, count(*) FROM support_contacts WHERE contacted_at < ?1
             GROUP BY profile_id, channel ORDER BY profile_id, channel",
        ),
        what,
    )?;
    let rows = sql(
        stmt.query_map([day_after(as_of)], |r| {
            Ok(ContactCount { customer: r.get(0)?, channel: r.get(1)?, contacts: r.get(2)? })
        }),
        what,
    )?;
    Ok(sql(rows.collect::<Result<Vec<_>, _>>(), what)?)
}

/// Orders read from the warehouse, with the value currency chosen.
#[derive(Debug, Clone, Default)]
pub struct ReadOrders {
    /// The currency most orders are in (`None` without orders).
    pub currency: Option<String>,
    /// The orders; `in_currency` says whether each is in `currency`.
    pub orders: Vec<Order<i64>>,
}

/// Every non-cancelled order placed on or before `as_of`, net of refunds,
/// with its margin rate from its categories; the value currency is the one
/// most of them are in (counted during the same scan). Reads on up to
/// `threads` read-only connections in parallel.
pub fn read_orders(
    warehouse: &Warehouse,
    parameters: &ValueParameters,
    as_of: Date,
    threads: usize,
) -> Result<ReadOrders, RefreshError> {
    let reader = warehouse.reader()?;
    let (low, high): (Option<i64>, Option<i64>) = sql(
        reader.query_row("SELECT min(id), max(id) FROM orders", [], |r| Ok((r.get(0)?, r.get(1)?))),
        "sizing orders",
    )?;
    let (Some(low), Some(high)) = (low, high) else { return Ok(ReadOrders::default()) };
    let threads = i64::try_from(threads.clamp(1, 8)).unwrap_or(1);
    let step = (high - low) / threads + 1;
    let ranges: Vec<(i64, i64)> =
        (0..threads).map(|i| (low + i * step, (low + (i + 1) * step).min(high + 1))).collect();
    let parts: Vec<Result<Part, RefreshError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(from, to)| {
                scope.spawn(move || {
                    let conn = warehouse.reader()?;
                    read_order_range(&conn, parameters, as_of, from, to)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(RefreshError::Data {
                        what: "reading orders".into(),
                        detail: "a reader thread panicked".into(),
                    })
                })
            })
            .collect()
    });
    let parts = parts.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for part in &parts {
        for (name, &count) in part.currencies.iter().zip(&part.currency_counts) {
            *counts.entry(name.as_str()).or_default() += count;
        }
    }
    let currency =
        counts.into_iter().max_by(|(a, x), (b, y)| x.cmp(y).then(b.cmp(a))).map(|(name, _)| name.to_owned());
    let mut orders = Vec::with_capacity(parts.iter().map(|p| p.orders.len()).sum());
    for part in parts {
        let matches: Vec<bool> = part.currencies.iter().map(|c| Some(c) == currency.as_ref()).collect();
        for (mut order, code) in part.orders.into_iter().zip(part.currency_of) {
            order.in_currency = matches.get(usize::from(code)).copied().unwrap_or(false);
            orders.push(order);
        }
    }
    Ok(ReadOrders { currency, orders })
}

/// What one reader thread read.
#[derive(Debug, Default)]
struct Part {
    orders: Vec<Order<i64>>,
    /// Index into `currencies` per order.
    currency_of: Vec<u16>,
    currencies: Vec<String>,
    currency_counts: Vec<usize>,
}

fn read_order_range(
    conn: &Connection,
    parameters: &ValueParameters,
    as_of: Date,
    from: i64,
    to: i64,
) -> Result<Part, RefreshError> {
    let what = "reading orders";
    let mut stmt = sql(
        conn.prepare(
            "SELECT id, profile_id, ordered_at, amount, refunded_amount, currency, status, categories_json
             FROM orders WHERE id >= ?1 AND id < ?2 AND status != 'cancelled' AND ordered_at < ?3",
        ),
        what,
    )?;
    let mut rows = sql(stmt.query(parlance_warehouse::params![from, to, day_after(as_of)]), what)?;
    let mut margins: HashMap<Vec<u8>, f64> = HashMap::new();
    let capacity = usize::try_from(to - from).unwrap_or(0);
    let mut part = Part {
        orders: Vec::with_capacity(capacity),
        currency_of: Vec::with_capacity(capacity),
        ..Part::default()
    };
    // Text columns are read as bytes: every value of interest is ASCII, and
    // skipping UTF-8 validation of four columns on millions of rows matters.
    while let Some(row) = sql(rows.next(), what)? {
        let ordered_at = sql(row.get_ref(2), what)?.as_bytes().unwrap_or_default();
        let Some(date) = day_of(ordered_at) else {
            let id: i64 = sql(row.get(0), what)?;
            return Err(RefreshError::Data {
                what: format!("order {id}"),
                detail: format!(
                    "ordered_at {:?} does not start with a YYYY-MM-DD date",
                    String::from_utf8_lossy(ordered_at)
                ),
            });
        };
        let amount: f64 = sql(row.get(3), what)?;
        let refunded: f64 = sql(row.get(4), what)?;
        let currency = sql(row.get_ref(5), what)?.as_bytes().unwrap_or_default();
        let code = match part.currencies.iter().position(|c| c.as_bytes() == currency) {
            Some(i) => i,
            None => {
                part.currencies.push(String::from_utf8_lossy(currency).into_owned());
                part.currency_counts.push(0);
                part.currencies.len() - 1
            }
        };
        if let Some(count) = part.currency_counts.get_mut(code) {
            *count += 1;
        }
        part.currency_of.push(u16::try_from(code).unwrap_or(u16::MAX));
        let status = sql(row.get_ref(6), what)?.as_bytes().unwrap_or_default();
        let returned = refunded > 0.0 || matches!(status, b"returned" | b"refunded" | b"partially_refunded");
        let categories = sql(row.get_ref(7), what)?.as_bytes().unwrap_or(b"[]");
        let margin_rate = match margins.get(categories) {
            Some(&m) => m,
            None => {
                // Unreadable category lists count as uncategorised (global margin).
                let names: Vec<String> = serde_json::from_slice(categories).unwrap_or_default();
                let m = parameters.order_margin(names.iter().map(String::as_str));
                margins.insert(categories.to_vec(), m);
                m
            }
        };
        let customer: i64 = sql(row.get(1), what)?;
        part.orders.push(Order {
            customer,
            date,
            amount,
            net_amount: amount - refunded,
            margin_rate,
            returned,
            in_currency: false,
        });
    }
    Ok(part)
}

/// The first instant after `as_of` as warehouse text: timestamps before it
/// sort before it.
pub(crate) fn day_after(as_of: Date) -> String {
    as_of.next_day().unwrap_or(as_of).to_string()
}

/// The date an RFC 3339 UTC timestamp (`2026-03-01T10:00:00Z`, as bytes)
/// falls on.
pub(crate) fn day_of(timestamp: &[u8]) -> Option<Date> {
    let number = |range: std::ops::Range<usize>| {
        timestamp
            .get(range)?
            .iter()
            .try_fold(0_u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    if timestamp.get(4) != Some(&b'-') || timestamp.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(number(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(5..7)?).ok()?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn days_of_timestamps() {
        assert_eq!(day_of(b"2026-03-01T10:00:00Z"), Some(date!(2026 - 03 - 01)));
        assert_eq!(day_of(b"2026-02-30T10:00:00Z"), None);
        assert_eq!(day_of(b"yesterday"), None);
        assert_eq!(day_of(b"2026-3-01T10:00:00Z"), None);
        assert_eq!(day_of(b"+026-03-01T10:00:00Z"), None);
        assert_eq!(day_of(b"2026-03-0"), None);
        assert_eq!(day_after(date!(2026 - 10 - 31)), "2026-11-01");
    }
}
