//! Shopify, Admin GraphQL API: `Customer` nodes (`customers`) and `Order`
//! nodes with their line items and refunds (`orders`).
//!
//! Ids arrive as global ids (`gid://shopify/Customer/123`); the numeric
//! tail is the shop's customer or order id. Money arrives as `MoneyBag`s
//! whose `shopMoney.amount` is a decimal string.

use parlance_identity::IdKind;

use crate::fields::Fields;
use crate::money::Amount;
use crate::rows::{EventRow, Normalized, OrderRow, OrderStatus};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "customers, orders";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "customers" => Some(customer),
        "orders" => Some(order),
        _ => None,
    }
}

/// `gid://shopify/Customer/123` → `123`; any other text stays as it is.
fn legacy_id(global_id: &str) -> &str {
    global_id
        .strip_prefix("gid://shopify/")
        .and_then(|rest| rest.split_once('/'))
        .map_or(global_id, |(_, id)| id.split('?').next().unwrap_or(id))
}

/// A `Customer` node: identifiers, name, city and email consent as traits,
/// and `shop.account_created`.
fn customer(source: &str, customer: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    let customer_id = legacy_id(customer.str("id")?);
    out.identify(IdKind::CustomerId(source.to_owned()), Some(customer_id));
    // API 2025-01 moved `email`/`phone` under `defaultEmailAddress` and
    // `defaultPhoneNumber`; read whichever the connector asked for.
    let email = match customer.opt_str("email")? {
        Some(email) => Some(email),
        None => customer.opt_str("defaultEmailAddress.emailAddress")?,
    };
    let phone = match customer.opt_str("phone")? {
        Some(phone) => Some(phone),
        None => customer.opt_str("defaultPhoneNumber.phoneNumber")?,
    };
    out.identify(IdKind::Email, email);
    out.identify(IdKind::Phone, phone);

    let created_at = customer.timestamp("createdAt")?;
    let observed_at = customer.opt_timestamp("updatedAt")?.unwrap_or(created_at);
    out.observe("first_name", customer.opt_str("firstName")?, observed_at);
    out.observe("last_name", customer.opt_str("lastName")?, observed_at);
    out.observe("city", customer.opt_str("defaultAddress.city")?, observed_at);
    let consent = match customer.opt_str("emailMarketingConsent.marketingState")? {
        Some(state) => Some(state),
        None => customer.opt_str("defaultEmailAddress.marketingState")?,
    };
    out.observe("shop.email_consent", consent.map(str::to_lowercase), observed_at);
    let tags = customer.strings("tags")?;
    if !tags.is_empty() {
        out.observe("shop.tags", tags, observed_at);
    }

    out.events.push(
        EventRow::new(created_at, "shop", "account_created").with("customer_id", customer_id.to_owned()),
    );
    out.named("id is empty and email and phone are missing")
}

/// An `Order` node: the order row, `shop.order_placed` with the total as
/// revenue, and one `shop.order_refunded` per refund with negative revenue.
fn order(source: &str, order: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    let order_id = legacy_id(order.str("id")?).to_owned();
    out.identify(IdKind::CustomerId(source.to_owned()), order.opt_str("customer.id")?.map(legacy_id));
    out.identify(IdKind::Email, order.opt_str("email")?);
    out.identify(IdKind::Phone, order.opt_str("phone")?);

    let currency = match order.opt_str("totalPriceSet.shopMoney.currencyCode")? {
        Some(code) => code,
        None => order
            .opt_str("currencyCode")?
            .ok_or_else(|| order.missing("totalPriceSet.shopMoney.currencyCode"))?,
    }
    .to_uppercase();
    let amount = order.decimal_amount("totalPriceSet.shopMoney.amount", &currency)?;
    let created_at = order.timestamp("createdAt")?;
    // `processedAt` is when the order was placed, also for orders imported
    // from another system; `createdAt` is when Shopify stored it.
    let ordered_at = order.opt_timestamp("processedAt")?.unwrap_or(created_at);

    let mut refunded = Amount::zero(&currency);
    let mut refund_events = Vec::new();
    for refund in order.objects("refunds")? {
        let refund_amount = refund.decimal_amount("totalRefundedSet.shopMoney.amount", &currency)?;
        refunded = refunded.saturating_add(refund_amount);
        refund_events.push(
            EventRow::new(refund.timestamp("createdAt")?, "shop", "order_refunded")
                .with("order_id", order_id.clone())
                .with("refund_id", refund.opt_str("id")?.map(legacy_id))
                .with("currency", currency.clone())
                .with_revenue(-refund_amount.major_units()),
        );
    }

    let (categories, item_count) = line_items(order)?;
    let status = status(order, amount, refunded)?;
    out.events.push(
        EventRow::new(ordered_at, "shop", "order_placed")
            .with("order_id", order_id.clone())
            .with("order_number", order.opt_str("name")?)
            .with("currency", currency.clone())
            .with("categories", categories.clone())
            .with("item_count", item_count)
            .with_revenue(amount.major_units()),
    );
    out.events.extend(refund_events);
    out.order = Some(OrderRow {
        source_order_id: order_id,
        ordered_at,
        amount: amount.major_units(),
        currency,
        margin: None,
        status,
        refunded_amount: refunded.major_units(),
        categories,
    });
    out.named("customer.id, email and phone are all missing")
}

/// Product types of the line items (first-seen order, no repeats) and the
/// number of items. Accepts `lineItems { nodes }` and `lineItems { edges { node } }`.
fn line_items(order: &Fields<'_>) -> Result<(Vec<String>, u64), Problem> {
    let mut items = order.objects("lineItems.nodes")?;
    for edge in order.objects("lineItems.edges")? {
        items.push(edge.object("node")?);
    }
    let mut categories: Vec<String> = Vec::new();
    let mut count: u64 = 0;
    for item in items {
        count = count.saturating_add(item.opt_count("quantity")?.unwrap_or(1));
        if let Some(category) = item.opt_str("productType")?.map(str::trim).filter(|c| !c.is_empty())
            && !categories.iter().any(|known| known == category)
        {
            categories.push(category.to_owned());
        }
    }
    Ok((categories, count))
}

/// The order's status, most decisive first: cancelled (or voided), returned,
/// refunded, partially refunded, fulfilled, placed. Without
/// `displayFinancialStatus` the refunds decide between refunded and
/// partially refunded. Financial states Shopify may add later read as
/// "not refunded" rather than failing the record.
fn status(order: &Fields<'_>, amount: Amount, refunded: Amount) -> Result<OrderStatus, Problem> {
    let financial = order.opt_str("displayFinancialStatus")?;
    if order.opt_timestamp("cancelledAt")?.is_some() || financial == Some("VOIDED") {
        return Ok(OrderStatus::Cancelled);
    }
    if order.opt_str("returnStatus")? == Some("RETURNED") {
        return Ok(OrderStatus::Returned);
    }
    let by_refunds = if refunded.minor_units <= 0 {
        None
    } else if refunded.minor_units >= amount.minor_units {
        Some(OrderStatus::Refunded)
    } else {
        Some(OrderStatus::PartiallyRefunded)
    };
    let refund_status = match financial {
        Some("REFUNDED") => Some(OrderStatus::Refunded),
        Some("PARTIALLY_REFUNDED") => Some(OrderStatus::PartiallyRefunded),
        Some(_) => None,
        None => by_refunds,
    };
    if let Some(status) = refund_status {
        return Ok(status);
    }
    Ok(match order.opt_str("displayFulfillmentStatus")? {
        Some("FULFILLED") => OrderStatus::Fulfilled,
        _ => OrderStatus::Placed,
    })
}

#[cfg(test)]
mod tests {
    use super::legacy_id;

    #[test]
    fn global_ids_give_their_numeric_tail() {
        assert_eq!(legacy_id("gid://shopify/Customer/123"), "123");
        assert_eq!(legacy_id("gid://shopify/Order/9?row=1"), "9");
        assert_eq!(legacy_id("123"), "123");
        assert_eq!(legacy_id("gid://other/Customer/5"), "gid://other/Customer/5");
    }
}
