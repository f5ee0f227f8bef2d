//! Canonical JSON text: object keys sorted, no whitespace. An unchanged record
//! therefore always serialises to the same bytes and hashes the same, whatever
//! order the API sent its keys in and whether or not some other crate in the
//! build switched on `serde_json/preserve_order` (feature unification would
//! otherwise silently change `Value::to_string`'s key order).

use serde_json::Value;

/// A connector's configuration as stored in `sources.config_json`.
pub fn config_text<T: serde::Serialize>(config: &T) -> String {
    serde_json::to_value(config).map(|v| canonical_json(&v)).unwrap_or_else(|_| "{}".into())
}

/// `value` as canonical JSON text.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push_str(&Value::from(text).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_depth() {
        let value = json!({"b": 1, "a": {"z": [ {"y": 1, "x": 2} ], "c": null}});
        assert_eq!(canonical_json(&value), r#"{"a":{"c":null,"z":[{"x":2,"y":1}]},"b":1}"#);
    }

    #[test]
    fn strings_are_escaped_and_the_text_parses_back_to_the_same_value() {
        let value = json!({"quote\"key": "line\nbreak \u{e9}", "n": 1.5, "t": true});
        let text = canonical_json(&value);
        assert_eq!(serde_json::from_str::<Value>(&text).ok(), Some(value));
    }
}
