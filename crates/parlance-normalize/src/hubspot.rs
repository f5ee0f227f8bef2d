//! HubSpot CRM objects: `contacts` and `deals`, as the CRM v3 search
//! endpoints return them (`{id, properties: {…}, createdAt, updatedAt,
//! archived}`); a deal also carries the contacts it is associated with as
//! `associations.contacts.results[{id, type}]`, the objects API's shape.
//!
//! HubSpot sends every property as a string (numbers and dates too) and
//! times as ISO 8601 with milliseconds. A contact's own id is the
//! `customer_id:<source>` identifier that links a deal to its contact.

use parlance_identity::IdKind;

use crate::fields::Fields;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "contacts, deals";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "contacts" => Some(contact),
        "deals" => Some(deal),
        _ => None,
    }
}

/// A contact: its id, email and phone numbers; names, city and lifecycle
/// stage as traits; `crm.contact_created` when it was created.
fn contact(source: &str, contact: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.to_owned()), Some(&contact.id("id")?));
    out.identify(IdKind::Email, contact.opt_str("properties.email")?);
    out.identify(IdKind::Phone, contact.opt_str("properties.phone")?);
    out.identify(IdKind::Phone, contact.opt_str("properties.mobilephone")?);
    let created = match contact.opt_timestamp("createdAt")? {
        Some(at) => at,
        None => contact.timestamp("properties.createdate")?,
    };
    let observed = contact.opt_timestamp("updatedAt")?.unwrap_or(created);
    out.observe("first_name", contact.opt_str("properties.firstname")?, observed);
    out.observe("last_name", contact.opt_str("properties.lastname")?, observed);
    out.observe("city", contact.opt_str("properties.city")?, observed);
    out.observe("crm.lifecycle_stage", contact.opt_str("properties.lifecyclestage")?, observed);
    out.events.push(
        EventRow::new(created, "crm", "contact_created")
            .with("contact_id", contact.id("id")?.into_owned())
            .with("company", contact.opt_str("properties.company")?),
    );
    out.named("id is empty")
}

/// A deal, through its first associated contact: `crm.deal_created`, and
/// `crm.deal_won` at the close date with the amount as revenue once the
/// deal is closed won.
fn deal(source: &str, deal: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    let contacts = deal.objects("associations.contacts.results")?;
    if let Some(first) = contacts.first() {
        out.identify(IdKind::CustomerId(source.to_owned()), Some(&first.id("id")?));
    }
    let deal_id = deal.id("id")?.into_owned();
    let created = match deal.opt_timestamp("createdAt")? {
        Some(at) => at,
        None => deal.timestamp("properties.createdate")?,
    };
    let stage = deal.opt_str("properties.dealstage")?;
    out.events.push(
        EventRow::new(created, "crm", "deal_created")
            .with("deal_id", deal_id.clone())
            .with("deal_name", deal.opt_str("properties.dealname")?)
            .with("pipeline", deal.opt_str("properties.pipeline")?)
            .with("stage", stage),
    );
    let won = stage == Some("closedwon") || deal.opt_str("properties.hs_is_closed_won")? == Some("true");
    if won {
        let closed = match deal.opt_timestamp("properties.closedate")? {
            Some(at) => at,
            None => deal.timestamp("updatedAt")?,
        };
        let currency = deal.opt_str("properties.deal_currency_code")?.map(str::to_uppercase);
        let mut event = EventRow::new(closed, "crm", "deal_won")
            .with("deal_id", deal_id)
            .with("currency", currency.clone());
        if deal.opt_str("properties.amount")?.is_some_and(|a| !a.trim().is_empty()) {
            let amount = deal.decimal_amount("properties.amount", currency.as_deref().unwrap_or(""))?;
            event = event.with_revenue(amount.major_units());
        }
        out.events.push(event);
    }
    out.named("associations.contacts names no contact")
}
