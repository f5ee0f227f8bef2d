//! Normalisers: one landed record of a channel tool becomes unified rows.
//!
//! A landed record is (source name, payload shape, stream, payload JSON):
//! the shape names the tool whose API the payload follows (`shopify`,
//! `mailchimp`, `zendesk`, `segment`, `survey`, `stripe`, `hubspot`,
//! `klaviyo`, …), so a demo source, a real connector and a file import of
//! the same tool share one normaliser. [`normalize`] turns it into a [`Normalized`]: the raw
//! identifiers that say who the record is about, the events it records, at
//! most one order and one support contact, and traits.
//!
//! # The contract
//!
//! - **Pure.** Text in, rows out: no IO, no SQL, no clock. The same record
//!   always gives the same rows, so normalisation can be re-run over the
//!   landing layer after a mapping fix.
//! - **Never panics, never guesses silently.** A record that cannot be
//!   understood is a [`NormalizeError`] naming the source, stream and field
//!   by its path in the payload (`demo-shop/orders:
//!   totalPriceSet.shopMoney.amount is missing`, `…: createdAt "yesterday"
//!   is not RFC 3339`), with a stable [`Problem::code`]; the pipeline
//!   quarantines it with that reason. An unknown shape or stream is an
//!   error too. Optional fields that are absent or `null` are simply not used.
//! - **Someone is named.** A successful result always has at least one
//!   identifier; a record naming no one is an error (`no-identifier`).
//!   Identifiers are raw, as in the payload (an email with capitals, a
//!   national phone number): `parlance-identity` normalises and blocks them.
//!   Blank values are skipped. A tool's own customer ids are
//!   `customer_id:<source>` ([`IdKind::CustomerId`] with the source's name).
//! - **Money is exact.** Decimal strings and minor units become the `f64`
//!   nearest the exact amount in the currency's minor unit (2 decimals; 0
//!   for JPY, KRW and Stripe's other zero-decimal currencies; 3 for BHD,
//!   JOD, KWD, OMR, TND). Currencies are upper-case ISO 4217 codes.
//!   Revenue is in the record's own currency; nothing is converted.
//! - **Times** are [`Timestamp`]s: UTC, whole seconds.
//!
//! # Events
//!
//! An event's full name is `channel.name` ([`EventRow::full_name`]); the
//! vocabulary language refers to events by these names.
//!
//! | event | from | meaning | revenue |
//! |---|---|---|---|
//! | `web.page_view` | Segment `page`, `screen`; GA4 `page_view`, `screen_view` | a page (or app screen, `screen: true`) was viewed; `name`, `category`, `path`, `url`, `title`, `referrer`, `utm_*` | — |
//! | `web.product_added` | Segment track "Product Added"; GA4 `add_to_cart` | a product went into the cart | — |
//! | `web.order_completed` | Segment track "Order Completed"; GA4 `purchase` | the web site saw a checkout complete; `order_id` | `revenue` (or `total`); GA4 `ecommerce.purchase_revenue` (or `value`) |
//! | `web.order_refunded` | GA4 `refund` | the web site recorded a refund; `order_id` | minus `ecommerce.refund_value` (or `value`) |
//! | `web.<event>` | any other Segment track or GA4 event | the event's name in snake_case ("Signed Up" → `web.signed_up`, GA4 `session_start` → `web.session_start`) | `properties.revenue` (Segment) |
//! | `<channel>.<event>` | CSV events (`--as events`) | the `name` column in snake_case on the `channel` column's channel (default `web`); unmapped columns as properties | `revenue` |
//! | `ads.ad_clicked` | Segment track "Ad Clicked" | the visitor arrived from an ad; `ad_network`, `utm_*` | — |
//! | `email.subscribed` | Mailchimp member `timestamp_opt`; Klaviyo "Subscribed to List" | opted in to the list | — |
//! | `email.unsubscribed` | Mailchimp member, status `unsubscribed`; Klaviyo "Unsubscribed" | left the list, at `last_changed` | — |
//! | `email.opened` | Mailchimp activity `open`; Klaviyo "Opened Email" | opened a campaign; `campaign_id` | — |
//! | `email.clicked` | Mailchimp activity `click`; Klaviyo "Clicked Email" | clicked a link in a campaign; `campaign_id`, `url` | — |
//! | `email.bounced` | Mailchimp activity `bounce`; Klaviyo "Bounced Email" | the campaign could not be delivered; `bounce_type` | — |
//! | `shop.account_created` | Shopify customer `createdAt` | the shop account was created | — |
//! | `shop.order_placed` | Shopify order; CSV orders | an order was placed; `order_id`, `order_number`, `categories`, `item_count` | the order total |
//! | `shop.order_refunded` | Shopify order, per refund | money was refunded on an order; `order_id` | minus the refund |
//! | `support.ticket_opened` | Zendesk ticket (not by phone) | a support ticket was opened; `ticket_id`, `reason`, `via_channel` | — |
//! | `support.call` | Zendesk ticket via voice | the person called support; as above | — |
//! | `survey.response` | survey response | a survey was answered; `response_id`, `nps` | — |
//! | `payments.payment_succeeded` | Stripe charge, status `succeeded` | a payment went through; `charge_id` | the gross amount |
//! | `payments.payment_refunded` | Stripe refund, status `succeeded` | a payment was refunded; `refund_id`, `charge_id` | minus the refund |
//! | `crm.contact_created` | HubSpot contact `createdAt` | the CRM contact was created; `contact_id`, `company` | — |
//! | `crm.deal_created` | HubSpot deal `createdAt` | a deal was opened with the person; `deal_id`, `deal_name`, `pipeline`, `stage` | — |
//! | `crm.deal_won` | HubSpot deal, stage `closedwon`, at `closedate` | the deal was won; `deal_id`, `currency` | `amount` |
//! | `email.received` | Klaviyo metric "Received Email" | a campaign or flow email was delivered; `campaign_name`, `subject` | — |
//! | `email.marked_as_spam` | Klaviyo metric "Marked Email as Spam" | the person reported an email as spam | — |
//! | `sms.<event>` | Klaviyo SMS metrics ("Received SMS" → `sms.received`) | an SMS message event | — |
//! | `klaviyo.<event>` | any other Klaviyo metric ("Placed Order" → `klaviyo.placed_order`) | the metric's event; `metric`, `metric_id`, `event_id` | `event_properties.$value` |
//!
//! Revenue can appear twice for one purchase (`web.order_completed` as the
//! site saw it, `shop.order_placed` as the shop booked it, and
//! `payments.payment_succeeded` as the payment provider took it): each is
//! true from its channel, so sums of revenue should pick one event name.
//!
//! # Traits
//!
//! | key | from |
//! |---|---|
//! | `first_name`, `last_name` | Shopify customer, HubSpot contact, Klaviyo profile, Mailchimp `FNAME`/`LNAME`, Segment identify traits, CSV customers |
//! | `name` | Zendesk user, Stripe customer, Segment identify traits |
//! | `city` | Shopify `defaultAddress.city`, HubSpot `city`, Klaviyo `location.city`, Stripe `address.city`, Segment `traits.address.city`, GA4 `geo.city`, CSV customers |
//! | `ga4.first_source`, `ga4.first_medium`, `ga4.first_campaign` | GA4 `traffic_source`: how the user was first acquired |
//! | `shop.email_consent` | Shopify email marketing state, lower case (`subscribed`, `not_subscribed`, …) |
//! | `shop.tags` | Shopify customer tags (when there are any) |
//! | `crm.lifecycle_stage` | HubSpot contact `lifecyclestage` (`lead`, `customer`, …) |
//! | `email.status` | Mailchimp member status (`subscribed`, `unsubscribed`, `cleaned`, `pending`, …) |
//! | `survey.<question>` | every survey answer: `survey.nps` (0–10), `survey.preferred_channel`, `survey.interest`, … |
//! | `<trait>` | any other Segment identify trait, snake_case (`createdAt` → `created_at`) |
//! | `group.id`, `group.<trait>` | Segment `group`: the group and its traits |
//! | `<property>` | GA4 `user_properties`, by key in snake_case |
//! | `<key>` | CSV customers: each `trait.<key>` field |
//!
//! # Shapes and streams
//!
//! One module per shape, each documenting the API objects it reads:
//! `shopify` (customers, orders), `mailchimp` (members, email_activity),
//! `zendesk` (users, tickets), `segment` (any stream: the message `type`
//! decides), `survey` (responses), `stripe` (customers, charges, refunds),
//! `ga4` (events: BigQuery-export rows), `csv` (customers, orders, events),
//! `hubspot` (contacts, deals), `klaviyo` (profiles, events).
//!
//! # Source configuration
//!
//! [`normalize`] sees only the source's name. The `csv` shape also needs
//! the source's column mapping, which lives in the source's configuration
//! (`sources.config_json`) rather than in each landed row, so that a fixed
//! mapping re-normalises rows already landed: [`normalize_with`] takes a
//! [`SourceContext`] carrying that configuration. Every other shape ignores
//! it, so `normalize(source, shape, …)` and `normalize_with` agree on them.

mod csv;
mod error;
mod fields;
mod ga4;
mod hubspot;
mod klaviyo;
mod mailchimp;
mod money;
mod naming;
mod rows;
mod segment;
mod shopify;
mod stripe;
mod survey;
mod zendesk;

pub use csv::{CSV_CHANNELS, CSV_KINDS, CsvKind, csv_kind, parse_csv_time};
pub use error::{NormalizeError, Problem};
pub use rows::{EventRow, Normalized, OrderRow, OrderStatus, SupportContactRow, TraitRow};
// The identifier and time types the rows are made of.
#[doc(no_inline)]
pub use parlance_identity::{IdKind, RawIdentifier};
#[doc(no_inline)]
pub use parlance_warehouse::Timestamp;

use crate::fields::Fields;

/// One stream's normaliser: (source name, the payload object) → rows.
type Normalizer = fn(&str, &Fields<'_>) -> Result<Normalized, Problem>;

/// A payload shape: its name, its normaliser for a stream, and the streams
/// it knows (for the error when a stream is unknown).
struct Shape {
    name: &'static str,
    normalizer_for: fn(&str) -> Option<Normalizer>,
    streams: &'static str,
}

const SHAPES: &[Shape] = &[
    Shape { name: "shopify", normalizer_for: shopify::normalizer, streams: shopify::STREAMS },
    Shape { name: "mailchimp", normalizer_for: mailchimp::normalizer, streams: mailchimp::STREAMS },
    Shape { name: "zendesk", normalizer_for: zendesk::normalizer, streams: zendesk::STREAMS },
    Shape { name: "segment", normalizer_for: segment::normalizer, streams: "any (the message type decides)" },
    Shape { name: "survey", normalizer_for: survey::normalizer, streams: survey::STREAMS },
    Shape { name: "stripe", normalizer_for: stripe::normalizer, streams: stripe::STREAMS },
    Shape { name: "ga4", normalizer_for: ga4::normalizer, streams: ga4::STREAMS },
    Shape { name: "hubspot", normalizer_for: hubspot::normalizer, streams: hubspot::STREAMS },
    Shape { name: "klaviyo", normalizer_for: klaviyo::normalizer, streams: klaviyo::STREAMS },
];

/// Every shape's name, for the unknown-shape error.
const KNOWN_SHAPES: &str = "shopify, mailchimp, zendesk, segment, survey, stripe, ga4, csv, hubspot, klaviyo";

/// What a normaliser may know about a record's source besides its name:
/// the payload shape and the source's configuration (`sources.config_json`),
/// e.g. the column mapping of a CSV import.
#[derive(Clone, Copy, Debug)]
pub struct SourceContext<'a> {
    /// The source's name (`file-orders`), used for its customer ids.
    pub name: &'a str,
    /// The tool whose payloads the source lands (`shopify`, `csv`).
    pub shape: &'a str,
    /// The source's configuration; `Value::Null` when it has none.
    pub config: &'a serde_json::Value,
}

/// Normalises one landed record: `source` is the source's name (`demo-shop`,
/// used for its customer ids), `shape` the tool its payload follows
/// (`shopify`), `stream` the stream it was fetched from (`orders`).
pub fn normalize(
    source: &str,
    shape: &str,
    stream: &str,
    payload_json: &str,
) -> Result<Normalized, NormalizeError> {
    normalize_with(
        &SourceContext { name: source, shape, config: &serde_json::Value::Null },
        stream,
        payload_json,
    )
}

/// Like [`normalize`], for shapes that read the source's configuration too
/// (`csv` reads its column mapping there); every other shape ignores it.
pub fn normalize_with(
    context: &SourceContext<'_>,
    stream: &str,
    payload_json: &str,
) -> Result<Normalized, NormalizeError> {
    let (source, shape) = (context.name, context.shape);
    let fail =
        |problem| NormalizeError { source_name: source.to_owned(), stream: stream.to_owned(), problem };
    if shape == "csv" {
        let payload: serde_json::Value = serde_json::from_str(payload_json)
            .map_err(|e| fail(Problem::NotJson { detail: e.to_string() }))?;
        return match csv::normalize(context, stream, &payload) {
            Some(result) => result.map_err(fail),
            None => Err(fail(Problem::UnknownStream {
                shape: shape.to_owned(),
                stream: stream.to_owned(),
                known: csv::STREAMS,
            })),
        };
    }
    let Some(known) = SHAPES.iter().find(|known| known.name == shape) else {
        return Err(fail(Problem::UnknownShape { shape: shape.to_owned(), known: KNOWN_SHAPES }));
    };
    let Some(normalizer) = (known.normalizer_for)(stream) else {
        return Err(fail(Problem::UnknownStream {
            shape: shape.to_owned(),
            stream: stream.to_owned(),
            known: known.streams,
        }));
    };
    let payload: serde_json::Value =
        serde_json::from_str(payload_json).map_err(|e| fail(Problem::NotJson { detail: e.to_string() }))?;
    let record = Fields::root(&payload).map_err(fail)?;
    normalizer(source, &record).map_err(fail)
}
