//! Zendesk Support API: end users (`users`) and tickets (`tickets`).
//!
//! A ticket's requester is a user id, so tickets link to people through the
//! same `customer_id:<source>` identifier that users carry.

use parlance_identity::IdKind;
use serde_json::Value;

use crate::fields::Fields;
use crate::rows::{EventRow, Normalized, SupportContactRow};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "users, tickets";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "users" => Some(user),
        "tickets" => Some(ticket),
        _ => None,
    }
}

/// A user: their id, email and phone, and `name` as a trait.
fn user(source: &str, user: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.to_owned()), Some(&user.id("id")?));
    out.identify(IdKind::Email, user.opt_str("email")?);
    out.identify(IdKind::Phone, user.opt_str("phone")?);
    let observed_at = match user.opt_timestamp("updated_at")? {
        Some(at) => at,
        None => user.timestamp("created_at")?,
    };
    out.observe("name", user.opt_str("name")?, observed_at);
    out.named("id is empty and email and phone are missing")
}

/// A ticket: a support contact (channel from `via.channel`, reason from the
/// first tag) and `support.ticket_opened`, or `support.call` for a call.
fn ticket(source: &str, ticket: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::CustomerId(source.to_owned()), ticket.opt_id("requester_id")?.as_deref());
    let ticket_id = ticket.id("id")?.into_owned();
    let created_at = ticket.timestamp("created_at")?;
    let via = ticket.value("via.channel")?.ok_or_else(|| ticket.missing("via.channel"))?;
    let channel = contact_channel(via).ok_or_else(|| Problem::WrongType {
        field: ticket.path("via.channel"),
        expected: "a via type or via id",
        found: crate::fields::type_name(via),
    })?;
    let reason = ticket.strings("tags")?.into_iter().map(str::trim).find(|tag| !tag.is_empty());

    let name = if channel == "phone" { "call" } else { "ticket_opened" };
    out.events.push(
        EventRow::new(created_at, "support", name)
            .with("ticket_id", ticket_id.clone())
            .with("reason", reason)
            .with("via_channel", via.clone())
            .with("status", ticket.opt_str("status")?),
    );
    out.support_contact = Some(SupportContactRow {
        source_contact_id: ticket_id,
        contacted_at: created_at,
        channel,
        reason: reason.map(str::to_owned),
    });
    out.named("requester_id is missing")
}

/// The support contact channel (`email`, `phone`, `chat`, `web`) of a
/// Zendesk via type (`"voice"`) or via id (`34`). Calls and voicemail are
/// `phone`; chat, messaging, SMS and social messages are `chat`; email is
/// `email`; everything else (web form, widget, API, mobile, rules, types
/// Zendesk adds later) is `web`, with the raw via kept on the event.
/// `None` only when the value is neither a string nor an integer.
fn contact_channel(via: &Value) -> Option<&'static str> {
    const PHONE: &[&str] = &[
        "voice",
        "voicemail",
        "phone_call_inbound",
        "phone_call_outbound",
        "api_voicemail",
        "api_phone_call_inbound",
        "api_phone_call_outbound",
    ];
    const CHAT: &[&str] = &[
        "chat",
        "native_messaging",
        "messaging",
        "sms",
        "text_message",
        "whatsapp",
        "facebook",
        "facebook_message",
        "twitter",
        "twitter_dm",
        "instagram_dm",
        "line",
        "wechat",
        "any_channel",
    ];
    const EMAIL: &[&str] = &["email", "mail"];
    // Via ids (sent as numbers or numeric strings): 4 mail, 29 chat,
    // 33 voicemail, 34/35 calls, 44–46 calls through the API.
    let by_id = |id: u64| match id {
        4 => "mail",
        29 => "chat",
        33..=35 | 44..=46 => "voice",
        _ => "web",
    };
    let via_type = match via {
        Value::String(text) => text.parse::<u64>().map_or(text.as_str(), by_id),
        Value::Number(id) => by_id(id.as_u64()?),
        _ => return None,
    };
    Some(if PHONE.contains(&via_type) {
        "phone"
    } else if CHAT.contains(&via_type) {
        "chat"
    } else if EMAIL.contains(&via_type) {
        "email"
    } else {
        "web"
    })
}
