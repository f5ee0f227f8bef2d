//! HubSpot contacts and deals, as the CRM search endpoints return them.

use expect_test::expect;
use serde_json::json;

use crate::{check, check_errors};

/// A contact, as `POST /crm/v3/objects/contacts/search` returns it.
pub const CONTACT: &str = r#"{
  "id": "151",
  "properties": {
    "city": "Leeds",
    "company": "Acme Ltd",
    "createdate": "2025-03-02T10:15:00.120Z",
    "email": "Grace.Hopper@Example.com",
    "firstname": "Grace",
    "hs_object_id": "151",
    "lastmodifieddate": "2025-06-05T14:00:00.877Z",
    "lastname": "Hopper",
    "lifecyclestage": "customer",
    "mobilephone": null,
    "phone": "+44 113 496 0000"
  },
  "createdAt": "2025-03-02T10:15:00.120Z",
  "updatedAt": "2025-06-05T14:00:00.877Z",
  "archived": false
}"#;

/// A won deal with its associated contact.
pub const DEAL: &str = r#"{
  "id": "9001",
  "properties": {
    "amount": "1250.50",
    "closedate": "2025-06-30T00:00:00Z",
    "createdate": "2025-05-01T09:00:00.000Z",
    "deal_currency_code": "gbp",
    "dealname": "Acme renewal",
    "dealstage": "closedwon",
    "hs_is_closed_won": "true",
    "hs_lastmodifieddate": "2025-07-01T08:00:00.000Z",
    "hs_object_id": "9001",
    "pipeline": "default"
  },
  "createdAt": "2025-05-01T09:00:00.000Z",
  "updatedAt": "2025-07-01T08:00:00.000Z",
  "archived": false,
  "associations": { "contacts": { "results": [ { "id": "151", "type": "deal_to_contact" } ] } }
}"#;

#[test]
fn a_contact_names_its_id_email_and_phone() {
    check(
        "crm",
        "hubspot",
        "contacts",
        CONTACT,
        expect![[r#"
            identifier customer_id:crm 151
            identifier email Grace.Hopper@Example.com
            identifier phone +44 113 496 0000
            event 2025-03-02T10:15:00Z crm.contact_created {"company":"Acme Ltd","contact_id":"151"}
            trait first_name = "Grace" at 2025-06-05T14:00:00Z
            trait last_name = "Hopper" at 2025-06-05T14:00:00Z
            trait city = "Leeds" at 2025-06-05T14:00:00Z
            trait crm.lifecycle_stage = "customer" at 2025-06-05T14:00:00Z
        "#]],
    );
}

#[test]
fn a_won_deal_is_revenue_for_its_contact() {
    check(
        "crm",
        "hubspot",
        "deals",
        DEAL,
        expect![[r#"
            identifier customer_id:crm 151
            event 2025-05-01T09:00:00Z crm.deal_created {"deal_id":"9001","deal_name":"Acme renewal","pipeline":"default","stage":"closedwon"}
            event 2025-06-30T00:00:00Z crm.deal_won revenue=1250.5 {"currency":"GBP","deal_id":"9001"}
        "#]],
    );
}

#[test]
fn an_open_deal_without_an_amount_is_only_created() {
    let open = crate::edited(
        DEAL,
        &[
            ("/properties/dealstage", Some(json!("appointmentscheduled"))),
            ("/properties/hs_is_closed_won", Some(json!("false"))),
            ("/properties/amount", Some(json!(null))),
        ],
    );
    check(
        "crm",
        "hubspot",
        "deals",
        &open,
        expect![[r#"
        identifier customer_id:crm 151
        event 2025-05-01T09:00:00Z crm.deal_created {"deal_id":"9001","deal_name":"Acme renewal","pipeline":"default","stage":"appointmentscheduled"}
    "#]],
    );
}

#[test]
fn broken_records_name_the_field() {
    check_errors(
        "crm",
        "hubspot",
        "deals",
        DEAL,
        &[
            ("/associations/contacts/results/0", None),
            ("/properties/amount", Some(json!("a lot"))),
            ("/createdAt", Some(json!("yesterday"))),
        ],
        expect![[r#"
            remove /associations/contacts/results/0 → no-identifier: crm/deals: the record names no one: associations.contacts names no contact
            /properties/amount = "a lot" → bad-amount: crm/deals: properties.amount "a lot" is not a decimal amount
            /createdAt = "yesterday" → bad-timestamp: crm/deals: createdAt "yesterday" is not RFC 3339
        "#]],
    );
    check_errors(
        "crm",
        "hubspot",
        "contacts",
        CONTACT,
        &[("/id", None), ("/createdAt", None)],
        expect![[r#"
            remove /id → missing-field: crm/contacts: id is missing
            remove /createdAt → no error (1 events)
        "#]],
    );
}
