//! Money: decimal strings (Shopify) and integer minor units (Stripe) become
//! exact amounts in the currency's major unit.
//!
//! Amounts are held as integer minor units while they are summed, and turned
//! into `f64` once, at the end: `12.34` is the `f64` nearest to 12.34, never
//! `12.340000000000002` from adding floats.

/// Currencies without a minor unit, where Stripe's `amount` is already in
/// the major unit (Stripe's documented zero-decimal list).
const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF",
    "XPF",
];

/// Currencies with thousandths as their minor unit (Stripe's three-decimal list).
const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// Digits after the decimal point in `currency`'s minor unit (ISO 4217 code,
/// any case): 0 for JPY and the other zero-decimal currencies, 3 for BHD,
/// JOD, KWD, OMR and TND, otherwise 2.
pub(crate) fn minor_unit_digits(currency: &str) -> u32 {
    let is = |list: &[&str]| list.iter().any(|code| code.eq_ignore_ascii_case(currency));
    if is(ZERO_DECIMAL) {
        0
    } else if is(THREE_DECIMAL) {
        3
    } else {
        2
    }
}

/// An amount of money as a whole number of minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Amount {
    pub(crate) minor_units: i64,
    pub(crate) digits: u32,
}

impl Amount {
    pub(crate) fn from_minor_units(minor_units: i64, currency: &str) -> Amount {
        Amount { minor_units, digits: minor_unit_digits(currency) }
    }

    pub(crate) fn zero(currency: &str) -> Amount {
        Amount::from_minor_units(0, currency)
    }

    /// Parses a decimal string (`"12.5"`, `"-3"`, `"1000.00"`) exactly,
    /// rounding half away from zero to the currency's minor unit. `None`
    /// when the text is not a plain decimal number (no exponent, no
    /// thousands separators, no surrounding spaces) or is too large.
    pub(crate) fn parse_decimal(text: &str, currency: &str) -> Option<Amount> {
        let digits = minor_unit_digits(currency);
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let mut minor: i64 = 0;
        let kept = fraction.bytes().chain(std::iter::repeat(b'0')).take(digits as usize);
        for digit in whole.bytes().chain(kept) {
            minor = minor.checked_mul(10)?.checked_add(i64::from(digit - b'0'))?;
        }
        // Round half away from zero on the first dropped digit.
        if fraction.as_bytes().get(digits as usize).is_some_and(|d| *d >= b'5') {
            minor = minor.checked_add(1)?;
        }
        Some(Amount { minor_units: if negative { -minor } else { minor }, digits })
    }

    pub(crate) fn is_negative(self) -> bool {
        self.minor_units < 0
    }

    /// The sum of two amounts in the same currency (saturating: no real
    /// sum comes near `i64::MAX` minor units).
    pub(crate) fn saturating_add(self, other: Amount) -> Amount {
        Amount { minor_units: self.minor_units.saturating_add(other.minor_units), digits: self.digits }
    }

    /// The amount in major units: the `f64` nearest the exact decimal.
    pub(crate) fn major_units(self) -> f64 {
        // Both operands are exact integers (below 2^53 for any real amount),
        // so the one rounding of the division gives the nearest f64.
        self.minor_units as f64 / 10f64.powi(self.digits as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, currency: &str) -> Option<f64> {
        Amount::parse_decimal(text, currency).map(Amount::major_units)
    }

    #[test]
    fn decimal_strings_parse_exactly_to_the_minor_unit() {
        assert_eq!(parse("12.34", "GBP"), Some(12.34));
        assert_eq!(parse("12.3", "GBP"), Some(12.3));
        assert_eq!(parse("12", "GBP"), Some(12.0));
        assert_eq!(parse(".5", "GBP"), Some(0.5));
        assert_eq!(parse("7.", "GBP"), Some(7.0));
        assert_eq!(parse("0.105", "GBP"), Some(0.11));
        assert_eq!(parse("-0.105", "GBP"), Some(-0.11));
        assert_eq!(parse("1000.0", "JPY"), Some(1000.0));
        assert_eq!(parse("5.125", "KWD"), Some(5.125));
        assert_eq!(parse("0.1", "GBP").map(|a| a + 0.2), Some(0.1 + 0.2));
    }

    #[test]
    fn anything_else_is_not_a_decimal() {
        for text in
            ["", ".", "-", "abc", "1e3", "1,000.00", " 12", "12 ", "1.2.3", "--1", "99999999999999999999"]
        {
            assert_eq!(parse(text, "GBP"), None, "{text:?}");
        }
    }

    #[test]
    fn minor_units_follow_the_currency() {
        assert_eq!(Amount::from_minor_units(1999, "gbp").major_units(), 19.99);
        assert_eq!(Amount::from_minor_units(1999, "jpy").major_units(), 1999.0);
        assert_eq!(Amount::from_minor_units(5120, "KWD").major_units(), 5.12);
        assert_eq!(Amount::from_minor_units(100, "ISK").major_units(), 1.0);
    }
}
