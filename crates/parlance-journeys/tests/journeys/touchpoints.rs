use parlance_journeys::{JourneyError, TouchpointEvent, Touchpoints};
use parlance_vocabulary::compile::storage::fixed_catalog;
use parlance_vocabulary::{Catalog, FieldType, Program};

const RULES: &str = r#"
touchpoints t "Test"
  group web "Website"
  group email
  group shop "Shop"
  ignore web.page_view where path = "/checkout"
  map web.page_view where path starts-with "/product/" and not (seconds < 5) to web:product_view
  map web.page_view where topics contains "sale" or path in ["/deals", "/offers"] to web:deals
  map web.page_view where seconds is-set and seconds >= 100 to web:long_read
  map web.page_view where path matches "^/blog/[0-9]+$" to web:blog
  map web.page_view to web:visit
  map email.opened to email:open
  ignore email.bounced
  map shop.order_placed where amount > 50 to shop:big_order
  map shop.order_placed where at >= 2026-01-01 to shop:order
"#;

fn catalog() -> Catalog {
    fixed_catalog()
        .event(
            "web.page_view",
            [
                ("path", FieldType::String),
                ("seconds", FieldType::Number),
                ("topics", FieldType::List(Box::new(FieldType::String))),
            ],
        )
        .event("email.opened", [])
        .event("email.bounced", [])
        .event("email.clicked", [])
        .event("shop.order_placed", [("amount", FieldType::Money)])
}

fn compiled(text: &str) -> Result<Touchpoints, JourneyError> {
    Touchpoints::from_program(&Program::new(text, &catalog()))
}

fn label(t: &Touchpoints, event: &str, props: &str, at: &str) -> Option<String> {
    let (channel, name) = event.split_once('.').unwrap();
    let e = TouchpointEvent { occurred_at: at, properties_json: props, revenue: None };
    t.label_of(channel, name, e).map(|l| l.label.clone())
}

#[test]
fn the_first_matching_rule_decides() {
    let t = compiled(RULES).unwrap();
    let at = "2025-06-01T10:00:00Z";
    let cases = [
        ("web.page_view", r#"{"path":"/checkout"}"#, None),
        ("web.page_view", r#"{"path":"/product/1","seconds":10}"#, Some("web:product_view")),
        ("web.page_view", r#"{"path":"/product/1","seconds":2}"#, Some("web:visit")),
        // An unset value makes `seconds < 5` false, so `not` makes it true.
        ("web.page_view", r#"{"path":"/product/1"}"#, Some("web:product_view")),
        ("web.page_view", r#"{"path":"/x","topics":["new","sale"]}"#, Some("web:deals")),
        ("web.page_view", r#"{"path":"/offers"}"#, Some("web:deals")),
        ("web.page_view", r#"{"path":"/x","seconds":"150"}"#, Some("web:visit")),
        ("web.page_view", r#"{"path":"/x","seconds":150}"#, Some("web:long_read")),
        ("web.page_view", r#"{"path":"/blog/12"}"#, Some("web:blog")),
        ("web.page_view", r#"{"path":"/blog/12/comments"}"#, Some("web:visit")),
        ("web.page_view", "not json", Some("web:visit")),
        ("email.opened", "{}", Some("email:open")),
        ("email.bounced", "{}", None),
        ("email.clicked", "{}", None),
        ("shop.order_placed", r#"{"amount":60}"#, Some("shop:big_order")),
        ("shop.order_placed", r#"{"amount":10}"#, None),
        ("support.call", "{}", None),
    ];
    for (event, props, want) in cases {
        assert_eq!(label(&t, event, props, at).as_deref(), want, "{event} {props}");
    }
    assert_eq!(
        label(&t, "shop.order_placed", r#"{"amount":10}"#, "2026-01-01T00:00:00Z").as_deref(),
        Some("shop:order")
    );
    assert_eq!(label(&t, "shop.order_placed", r#"{"amount":10}"#, "2025-12-31T23:59:59Z"), None);
}

#[test]
fn labels_carry_their_group() {
    let t = compiled(RULES).unwrap();
    let labels = t.labels();
    let names: Vec<&str> = labels.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(
        names,
        [
            "web:product_view",
            "web:deals",
            "web:long_read",
            "web:blog",
            "web:visit",
            "email:open",
            "shop:big_order",
            "shop:order"
        ]
    );
    let open = labels.iter().find(|l| l.label == "email:open").unwrap();
    assert_eq!((open.group.as_str(), open.group_title.as_str()), ("email", "email"));
    let visit = labels.iter().find(|l| l.label == "web:visit").unwrap();
    assert_eq!((visit.group.as_str(), visit.group_title.as_str()), ("web", "Website"));
}

#[test]
fn no_touchpoints_block_is_an_error_that_says_so() {
    let err = compiled("segment s\n  where is_known = true\n").unwrap_err();
    assert!(matches!(err, JourneyError::NoTouchpoints));
    assert!(err.to_string().contains("no `touchpoints` block"), "{err}");
}

#[test]
fn rules_that_need_more_than_the_event_are_refused_with_their_place() {
    let text = "touchpoints t\n  group web\n  map web.page_view where at >= today - 30d to web:recent\n";
    let err = compiled(text).unwrap_err().to_string();
    assert!(err.contains("3:"), "{err}");
    assert!(err.contains("touchpoint rule"), "{err}");
    let unknown = compiled("touchpoints t\n  group web\n  map web.nope to web:x\n").unwrap_err().to_string();
    assert!(unknown.contains("web.nope"), "{unknown}");
}

#[test]
fn the_starter_vocabulary_compiles() {
    let text = include_str!("../../../../vocabulary/touchpoints.parlance");
    let catalog = fixed_catalog()
        .event("ads.ad_clicked", [])
        .event("web.page_view", [("path", FieldType::String)])
        .event("web.product_added", [])
        .event("email.subscribed", [])
        .event("email.opened", [])
        .event("email.clicked", [])
        .event("email.bounced", [])
        .event("shop.order_placed", [])
        .event("shop.order_refunded", [])
        .event("support.call", [])
        .event("support.ticket_opened", [])
        .event("survey.response", []);
    let t = Touchpoints::from_program(&Program::new(text, &catalog)).unwrap();
    assert_eq!(t.labels().len(), 13);
    let e = TouchpointEvent {
        occurred_at: "2025-01-01T00:00:00Z",
        properties_json: r#"{"path":"/"}"#,
        revenue: None,
    };
    assert_eq!(t.label_of("web", "page_view", e).unwrap().label, "web:home");
}
