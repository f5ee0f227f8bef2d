//! How names in payloads (`"Order Completed"`, `firstName`) become the
//! snake_case event names and trait keys of the vocabulary.

/// `"Order Completed"` → `order_completed`, `firstName` → `first_name`,
/// `"APICalled"` → `api_called`, `"Checkout – Step 2"` → `checkout_step_2`.
/// Letters are lower-cased; every run of other characters becomes one `_`;
/// no `_` leads or trails. Empty when the text has no letters or digits.
pub(crate) fn snake_case(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    let mut pending_break = false;
    for (index, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            pending_break = true;
            continue;
        }
        let previous = index.checked_sub(1).and_then(|i| chars.get(i));
        let next = chars.get(index + 1);
        // A word starts at an upper-case letter after a lower-case letter or
        // digit (`firstName`), or at the last capital of an acronym that is
        // followed by a lower-case letter (`APICalled`).
        let camel_break = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if (pending_break || camel_break) && !out.is_empty() {
            out.push('_');
        }
        pending_break = false;
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn names_become_snake_case() {
        for (text, expected) in [
            ("Order Completed", "order_completed"),
            ("Ad Clicked", "ad_clicked"),
            ("firstName", "first_name"),
            ("first_name", "first_name"),
            ("APICalled", "api_called"),
            ("Checkout – Step 2", "checkout_step_2"),
            ("  Signed   Up!  ", "signed_up"),
            ("Café Visité", "café_visité"),
            ("utm2Source", "utm2_source"),
            ("!!!", ""),
            ("", ""),
        ] {
            assert_eq!(snake_case(text), expected, "{text:?}");
        }
    }
}
