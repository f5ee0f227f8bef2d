//! Reading fields out of a JSON payload so that every failure names the
//! field by its full path, as a person finds it in the payload:
//! `refunds[0].totalRefundedSet.shopMoney.amount is missing`.
//!
//! Paths are dotted keys relative to an object (`"totalPriceSet.shopMoney.amount"`).
//! JSON `null` counts as absent for optional fields; for a required field it
//! is reported as the wrong type. Success allocates nothing: the full path is
//! only spelled out when there is an error to report.

use std::borrow::Cow;

use parlance_warehouse::Timestamp;
use serde_json::{Map, Value};

use crate::Problem;
use crate::money::Amount;

/// A JSON object inside a payload, and where it sits in the payload.
#[derive(Clone, Debug)]
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
    /// The path of this object from the payload root; empty at the root.
    at: Cow<'static, str>,
}

impl<'a> Fields<'a> {
    /// The payload itself, which must be a JSON object.
    pub(crate) fn root(payload: &'a Value) -> Result<Fields<'a>, Problem> {
        match payload {
            Value::Object(object) => Ok(Fields { object, at: Cow::Borrowed("") }),
            other => Err(Problem::WrongType {
                field: "payload".to_owned(),
                expected: "an object",
                found: type_name(other),
            }),
        }
    }

    /// The full path of `relative` from the payload root, for messages.
    pub(crate) fn path(&self, relative: &str) -> String {
        join(&self.at, relative)
    }

    /// The object's own keys and values.
    pub(crate) fn map(&self) -> &'a Map<String, Value> {
        self.object
    }

    /// The value at `path`, `None` when it or an object on the way is absent
    /// or null; an error when something on the way is not an object.
    pub(crate) fn value(&self, path: &'static str) -> Result<Option<&'a Value>, Problem> {
        let mut object = self.object;
        let mut walked = 0;
        let mut keys = path.split('.').peekable();
        while let Some(key) = keys.next() {
            walked += key.len();
            let value = match object.get(key) {
                None | Some(Value::Null) => return Ok(None),
                Some(value) => value,
            };
            if keys.peek().is_none() {
                return Ok(Some(value));
            }
            match value {
                Value::Object(inner) => object = inner,
                other => {
                    return Err(Problem::WrongType {
                        field: self.path(path.get(..walked).unwrap_or(path)),
                        expected: "an object",
                        found: type_name(other),
                    });
                }
            }
            walked += 1; // the dot
        }
        Ok(None)
    }

    fn required(&self, path: &'static str) -> Result<&'a Value, Problem> {
        self.value(path)?.ok_or_else(|| self.missing(path))
    }

    /// The error for a required field that is absent. A present `null`
    /// reads better as a wrong type, so say which it is.
    pub(crate) fn missing(&self, path: &'static str) -> Problem {
        if matches!(self.value_unchecked(path), Some(Value::Null)) {
            Problem::WrongType { field: self.path(path), expected: "a value", found: "null" }
        } else {
            Problem::MissingField { field: self.path(path) }
        }
    }

    fn value_unchecked(&self, path: &str) -> Option<&'a Value> {
        let mut keys = path.split('.');
        let first = self.object.get(keys.next()?)?;
        keys.try_fold(first, |value, key| value.as_object()?.get(key))
    }

    fn wrong_type(&self, path: &'static str, expected: &'static str, found: &Value) -> Problem {
        Problem::WrongType { field: self.path(path), expected, found: type_name(found) }
    }

    /// A required string.
    pub(crate) fn str(&self, path: &'static str) -> Result<&'a str, Problem> {
        let value = self.required(path)?;
        value.as_str().ok_or_else(|| self.wrong_type(path, "a string", value))
    }

    /// An optional string; absent and null are `None`.
    pub(crate) fn opt_str(&self, path: &'static str) -> Result<Option<&'a str>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.wrong_type(path, "a string", other)),
        }
    }

    /// An id sent as a string or as an integer (Zendesk, Stripe's expanded
    /// objects), as text.
    pub(crate) fn opt_id(&self, path: &'static str) -> Result<Option<Cow<'a, str>>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(Cow::Borrowed(text))),
            Some(Value::Number(number)) if number.is_u64() || number.is_i64() => {
                Ok(Some(Cow::Owned(number.to_string())))
            }
            Some(other) => Err(self.wrong_type(path, "a string or integer id", other)),
        }
    }

    /// A required id (see [`Fields::opt_id`]).
    pub(crate) fn id(&self, path: &'static str) -> Result<Cow<'a, str>, Problem> {
        self.opt_id(path)?.ok_or_else(|| self.missing(path))
    }

    /// An id that may be a bare id or an expanded object carrying `id`
    /// (Stripe's expandable fields: `"customer": "cus_1"` or `{"id": "cus_1", …}`).
    pub(crate) fn opt_expandable_id(&self, path: &'static str) -> Result<Option<&'a str>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::String(id)) => Ok(Some(id)),
            Some(Value::Object(object)) => match object.get("id") {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(id)) => Ok(Some(id)),
                Some(other) => Err(Problem::WrongType {
                    field: join(&self.path(path), "id"),
                    expected: "a string",
                    found: type_name(other),
                }),
            },
            Some(other) => Err(self.wrong_type(path, "an id or an expanded object", other)),
        }
    }

    /// An optional RFC 3339 timestamp; absent, null and `""` (Mailchimp's
    /// "never") are `None`.
    pub(crate) fn opt_timestamp(&self, path: &'static str) -> Result<Option<Timestamp>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::String(text)) if text.is_empty() => Ok(None),
            Some(Value::String(text)) => Timestamp::parse(text)
                .map(Some)
                .map_err(|_| Problem::BadTimestamp { field: self.path(path), value: text.clone() }),
            Some(other) => Err(self.wrong_type(path, "an RFC 3339 timestamp string", other)),
        }
    }

    /// A required RFC 3339 timestamp.
    pub(crate) fn timestamp(&self, path: &'static str) -> Result<Timestamp, Problem> {
        self.opt_timestamp(path)?.ok_or_else(|| self.missing(path))
    }

    /// A required time in whole unix seconds (Stripe's `created`).
    pub(crate) fn unix_time(&self, path: &'static str) -> Result<Timestamp, Problem> {
        let value = self.required(path)?;
        let Value::Number(number) = value else {
            return Err(self.wrong_type(path, "an integer of unix seconds", value));
        };
        number
            .as_i64()
            .and_then(|seconds| Timestamp::from_unix(seconds).ok())
            .ok_or_else(|| Problem::BadUnixTime { field: self.path(path), value: number.to_string() })
    }

    /// An optional boolean.
    pub(crate) fn opt_bool(&self, path: &'static str) -> Result<Option<bool>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(other) => Err(self.wrong_type(path, "true or false", other)),
        }
    }

    /// An optional non-negative integer.
    pub(crate) fn opt_count(&self, path: &'static str) -> Result<Option<u64>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::Number(number)) => number.as_u64().map(Some).ok_or_else(|| Problem::OutOfRange {
                field: self.path(path),
                value: number.to_string(),
                range: "the whole numbers from 0",
            }),
            Some(other) => Err(self.wrong_type(path, "a whole number", other)),
        }
    }

    /// A required object.
    pub(crate) fn object(&self, path: &'static str) -> Result<Fields<'a>, Problem> {
        self.opt_object(path)?.ok_or_else(|| self.missing(path))
    }

    /// An optional object.
    pub(crate) fn opt_object(&self, path: &'static str) -> Result<Option<Fields<'a>>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::Object(object)) => Ok(Some(Fields { object, at: self.child_path(path) })),
            Some(other) => Err(self.wrong_type(path, "an object", other)),
        }
    }

    /// The objects of an optional array; absent and null are empty.
    pub(crate) fn objects(&self, path: &'static str) -> Result<Vec<Fields<'a>>, Problem> {
        let Some(items) = self.opt_array(path)? else {
            return Ok(Vec::new());
        };
        let at = self.path(path);
        items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::Object(object) => Ok(Fields { object, at: Cow::Owned(format!("{at}[{index}]")) }),
                other => Err(Problem::WrongType {
                    field: format!("{at}[{index}]"),
                    expected: "an object",
                    found: type_name(other),
                }),
            })
            .collect()
    }

    /// The strings of an optional array; absent and null are empty.
    pub(crate) fn strings(&self, path: &'static str) -> Result<Vec<&'a str>, Problem> {
        let Some(items) = self.opt_array(path)? else {
            return Ok(Vec::new());
        };
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                item.as_str().ok_or_else(|| Problem::WrongType {
                    field: format!("{}[{index}]", self.path(path)),
                    expected: "a string",
                    found: type_name(item),
                })
            })
            .collect()
    }

    fn opt_array(&self, path: &'static str) -> Result<Option<&'a Vec<Value>>, Problem> {
        match self.value(path)? {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.wrong_type(path, "an array", other)),
        }
    }

    /// A required, non-negative decimal amount in `currency`, sent as a
    /// string (Shopify's `Decimal`) or a JSON number.
    pub(crate) fn decimal_amount(&self, path: &'static str, currency: &str) -> Result<Amount, Problem> {
        let value = self.required(path)?;
        let text = match value {
            Value::String(text) => Cow::Borrowed(text.as_str()),
            Value::Number(number) => Cow::Owned(number.to_string()),
            other => return Err(self.wrong_type(path, "a decimal amount string", other)),
        };
        let amount = Amount::parse_decimal(&text, currency)
            .ok_or_else(|| Problem::BadAmount { field: self.path(path), value: text.clone().into_owned() })?;
        if amount.is_negative() {
            return Err(Problem::NegativeAmount { field: self.path(path), value: text.into_owned() });
        }
        Ok(amount)
    }

    /// A required, non-negative integer amount in `currency`'s minor unit
    /// (Stripe's `amount`).
    pub(crate) fn minor_units(&self, path: &'static str, currency: &str) -> Result<Amount, Problem> {
        let value = self.required(path)?;
        let Value::Number(number) = value else {
            return Err(self.wrong_type(path, "an integer amount in minor units", value));
        };
        if let Some(units) = number.as_i64() {
            if units < 0 {
                return Err(Problem::NegativeAmount { field: self.path(path), value: number.to_string() });
            }
            return Ok(Amount::from_minor_units(units, currency));
        }
        if number.as_f64().is_some_and(|n| n < 0.0) {
            return Err(Problem::NegativeAmount { field: self.path(path), value: number.to_string() });
        }
        if number.is_u64() {
            return Err(Problem::OutOfRange {
                field: self.path(path),
                value: number.to_string(),
                range: "the amounts a payment can have",
            });
        }
        Err(Problem::WrongType {
            field: self.path(path),
            expected: "an integer amount in minor units",
            found: "a number with a fraction",
        })
    }

    fn child_path(&self, path: &'static str) -> Cow<'static, str> {
        if self.at.is_empty() { Cow::Borrowed(path) } else { Cow::Owned(join(&self.at, path)) }
    }
}

fn join(at: &str, relative: &str) -> String {
    if at.is_empty() { relative.to_owned() } else { format!("{at}.{relative}") }
}

/// How a JSON value's type reads in a message: "a number", "null".
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(result: Result<impl std::fmt::Debug, Problem>) -> String {
        result.err().map(|problem| problem.to_string()).unwrap_or_default()
    }

    #[test]
    fn errors_name_the_full_path() {
        let payload = json!({ "a": { "b": { "c": 1 } }, "list": [{ "x": "y" }, 3], "n": null, "s": "t" });
        let root = Fields::root(&payload).unwrap();
        assert_eq!(message(root.str("a.b.c")), "a.b.c is a number, expected a string");
        assert_eq!(message(root.str("a.b.d")), "a.b.d is missing");
        assert_eq!(message(root.str("a.x.d")), "a.x.d is missing");
        assert_eq!(message(root.str("s.t")), "s is a string, expected an object");
        assert_eq!(message(root.str("n")), "n is null, expected a value");
        assert_eq!(message(root.objects("list")), "list[1] is a number, expected an object");
        let inner = root.object("a").unwrap().object("b").unwrap();
        assert_eq!(message(inner.timestamp("c")), "a.b.c is a number, expected an RFC 3339 timestamp string");
        let items = json!({ "list": [{ "x": "y" }, { "z": 1 }] });
        let items = Fields::root(&items).unwrap().objects("list").unwrap();
        let messages: Vec<_> = items.iter().map(|item| message(item.str("z"))).collect();
        assert_eq!(messages, ["list[0].z is missing", "list[1].z is a number, expected a string"]);
    }

    #[test]
    fn absent_and_null_are_none_for_optional_fields() {
        let payload = json!({ "n": null, "empty": "", "a": null });
        let root = Fields::root(&payload).unwrap();
        assert_eq!(root.opt_str("n"), Ok(None));
        assert_eq!(root.opt_str("gone"), Ok(None));
        assert_eq!(root.opt_str("a.b"), Ok(None));
        assert_eq!(root.opt_timestamp("empty"), Ok(None));
        assert!(root.objects("n").is_ok_and(|items| items.is_empty()));
    }
}
