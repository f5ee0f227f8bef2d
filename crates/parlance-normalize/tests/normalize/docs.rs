//! The crate documentation lists every event name and trait key: the
//! vocabulary's authors read it there, so it is checked here.

/// The event names in the crate docs' event table (`web.<event>` stands for
/// any other Segment track event).
pub fn documented_events() -> Vec<String> {
    first_cells_of_table(include_str!("../../src/lib.rs"), "| event | from | meaning | revenue |")
}

/// The trait keys in the crate docs' trait table; `survey.<question>` and
/// `group.<trait>` stand for families, `<trait>` for any Segment trait.
pub fn documented_traits() -> Vec<String> {
    first_cells_of_table(include_str!("../../src/lib.rs"), "| key | from |")
}

/// Whether `key` is one of the documented trait keys or families (not
/// counting `<trait>`, which stands for any name).
pub fn trait_is_documented(key: &str, documented: &[String]) -> bool {
    documented.iter().any(|pattern| match pattern.split_once('<') {
        Some((prefix, _)) => key.starts_with(prefix) && !prefix.is_empty(),
        None => pattern == key,
    })
}

/// The backticked names in the first column of the `//!` table under `header`.
fn first_cells_of_table(source: &str, header: &str) -> Vec<String> {
    let rows = source
        .lines()
        .filter_map(|line| line.strip_prefix("//!"))
        .map(str::trim)
        .skip_while(|line| *line != header)
        .skip(2)
        .take_while(|line| line.starts_with('|'));
    rows.flat_map(|row| {
        let first_cell = row.split('|').nth(1).unwrap_or_default();
        first_cell.split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>()
    })
    .collect()
}

#[test]
fn the_docs_list_exactly_the_event_names_of_the_vocabulary() {
    let mut documented = documented_events();
    documented.sort();
    let mut expected = vec![
        "web.page_view",
        "web.product_added",
        "web.order_completed",
        "web.order_refunded",
        "web.<event>",
        "<channel>.<event>",
        "ads.ad_clicked",
        "email.opened",
        "email.clicked",
        "email.bounced",
        "email.subscribed",
        "email.unsubscribed",
        "shop.account_created",
        "shop.order_placed",
        "shop.order_refunded",
        "support.ticket_opened",
        "support.call",
        "survey.response",
        "payments.payment_succeeded",
        "payments.payment_refunded",
        "crm.contact_created",
        "crm.deal_created",
        "crm.deal_won",
        "email.received",
        "email.marked_as_spam",
        "sms.<event>",
        "klaviyo.<event>",
    ];
    expected.sort();
    assert_eq!(documented, expected);
}

#[test]
fn the_docs_list_the_trait_keys() {
    let documented = documented_traits();
    for key in ["first_name", "name", "city", "email.status", "survey.nps", "survey.interest", "group.id"] {
        assert!(trait_is_documented(key, &documented), "{key} is not in {documented:?}");
    }
    // Any other Segment identify trait keeps its own (snake_case) name.
    assert!(documented.iter().any(|key| key == "<trait>"));
}
