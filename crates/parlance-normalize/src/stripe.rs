//! Stripe API: `Customer` (`customers`), `Charge` (`charges`) and `Refund`
//! (`refunds`) objects, as the list endpoints return them.
//!
//! Amounts are integers in the currency's minor unit (cents; yen for the
//! zero-decimal currencies) and become major units here. Times are unix
//! seconds. Expandable fields (`customer`, `charge`) may be an id or the
//! expanded object.

use parlance_identity::IdKind;
use serde_json::Value;

use crate::fields::Fields;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "customers, charges, refunds";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "customers" => Some(customer),
        "charges" => Some(charge),
        "refunds" => Some(refund),
        _ => None,
    }
}

/// A customer: id, email, phone; `name` and `city` as traits. A deleted
/// customer (`"deleted": true`) carries only its id.
fn customer(source: &str, customer: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.to_owned()), Some(customer.str("id")?));
    if customer.opt_bool("deleted")? == Some(true) {
        return out.named("id is empty");
    }
    out.identify(IdKind::Email, customer.opt_str("email")?);
    out.identify(IdKind::Phone, customer.opt_str("phone")?);
    let created = customer.unix_time("created")?;
    out.observe("name", customer.opt_str("name")?, created);
    out.observe("city", customer.opt_str("address.city")?, created);
    out.named("id is empty")
}

/// A charge: the customer and billing email; `payments.payment_succeeded`
/// with the gross amount as revenue once it has succeeded. Refunds are
/// their own records (`refunds`), so refunded amounts are only noted here.
fn charge(source: &str, charge: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    identify_payer(&mut out, source, charge)?;
    let charge_id = charge.str("id")?;
    let currency = charge.str("currency")?.to_uppercase();
    let amount = charge.minor_units("amount", &currency)?;
    let created = charge.unix_time("created")?;
    if charge.str("status")? == "succeeded" {
        let refunded = match charge.value("amount_refunded")? {
            Some(_) => Some(charge.minor_units("amount_refunded", &currency)?.major_units()),
            None => None,
        };
        out.events.push(
            EventRow::new(created, "payments", "payment_succeeded")
                .with("charge_id", charge_id)
                .with("currency", currency.clone())
                .with("payment_intent", charge.opt_expandable_id("payment_intent")?)
                .with("description", charge.opt_str("description")?)
                .with("refunded", charge.opt_bool("refunded")?)
                .with("amount_refunded", refunded)
                .with_revenue(amount.major_units()),
        );
    }
    out.named("customer, billing_details.email and receipt_email are all missing")
}

/// A refund: `payments.payment_refunded` with negative revenue once it has
/// succeeded. The payer comes from the refund's charge, which must be
/// expanded (`expand[]=data.charge`) for the refund to name anyone.
fn refund(source: &str, refund: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    let charge_id = refund.opt_expandable_id("charge")?;
    let charge = if matches!(refund.value("charge")?, Some(Value::Object(_))) {
        refund.opt_object("charge")?
    } else {
        None
    };
    if let Some(charge) = &charge {
        identify_payer(&mut out, source, charge)?;
    }
    let refund_id = refund.str("id")?;
    let currency = refund.str("currency")?.to_uppercase();
    let amount = refund.minor_units("amount", &currency)?;
    let created = refund.unix_time("created")?;
    // Older refunds have no status; pending, failed and canceled refunds
    // have not (yet) given money back.
    if matches!(refund.opt_str("status")?, None | Some("succeeded")) {
        out.events.push(
            EventRow::new(created, "payments", "payment_refunded")
                .with("refund_id", refund_id)
                .with("charge_id", charge_id)
                .with("currency", currency)
                .with("reason", refund.opt_str("reason")?)
                .with_revenue(-amount.major_units()),
        );
    }
    out.named(if charge.is_some() {
        "the refund has no customer: its charge has no customer, billing_details.email or receipt_email"
    } else {
        "the refund has no customer: charge is not expanded, so the payer is unknown \
         (list refunds with expand[]=data.charge)"
    })
}

/// The payer of a charge: its customer (id or expanded object) and the
/// emails and phone it was billed to.
fn identify_payer(out: &mut Normalized, source: &str, charge: &Fields<'_>) -> Result<(), Problem> {
    out.identify(IdKind::CustomerId(source.to_owned()), charge.opt_expandable_id("customer")?);
    out.identify(IdKind::Email, charge.opt_str("billing_details.email")?);
    out.identify(IdKind::Email, charge.opt_str("receipt_email")?);
    out.identify(IdKind::Phone, charge.opt_str("billing_details.phone")?);
    Ok(())
}
