//! Mailchimp Marketing API: list members (`members`, from
//! `GET /lists/{list_id}/members`) and one recipient's activity on one
//! campaign (`email_activity`, an element of `emails` from
//! `GET /reports/{campaign_id}/email-activity`).
//!
//! A member's `id` is the MD5 of the lower-cased email address: it says
//! nothing the email does not, so it is not used as an identifier.

use parlance_identity::IdKind;

use crate::fields::Fields;
use crate::rows::{EventRow, Normalized};
use crate::{Normalizer, Problem};

pub(crate) const STREAMS: &str = "members, email_activity";

pub(crate) fn normalizer(stream: &str) -> Option<Normalizer> {
    match stream {
        "members" => Some(member),
        "email_activity" => Some(email_activity),
        _ => None,
    }
}

/// A list member: the email (and `PHONE` merge field), `email.status`,
/// names as traits; `email.subscribed` at the opt-in, `email.unsubscribed`
/// at the last change when the member has unsubscribed.
fn member(_source: &str, member: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::Email, Some(member.str("email_address")?));
    out.identify(IdKind::Phone, member.opt_str("merge_fields.PHONE")?);

    let status = member.str("status")?;
    let last_changed = member.timestamp("last_changed")?;
    out.observe("email.status", status, last_changed);
    out.observe("first_name", member.opt_str("merge_fields.FNAME")?, last_changed);
    out.observe("last_name", member.opt_str("merge_fields.LNAME")?, last_changed);

    let list_id = member.opt_str("list_id")?;
    // Mailchimp sends "" for an opt-in time it does not know (e.g. imports).
    if let Some(opted_in) = member.opt_timestamp("timestamp_opt")? {
        out.events.push(EventRow::new(opted_in, "email", "subscribed").with("list_id", list_id));
    }
    if status == "unsubscribed" {
        out.events.push(
            EventRow::new(last_changed, "email", "unsubscribed")
                .with("list_id", list_id)
                .with("reason", member.opt_str("unsubscribe_reason")?),
        );
    }
    out.named("email_address is empty")
}

/// One recipient of one campaign: `email.opened`, `email.clicked` (with the
/// link) or `email.bounced` (with the bounce type) per activity entry.
fn email_activity(_source: &str, activity: &Fields<'_>) -> Result<Normalized, Problem> {
    let mut out = Normalized::default();
    out.identify(IdKind::Email, Some(activity.str("email_address")?));
    let campaign_id = activity.str("campaign_id")?;
    let list_id = activity.opt_str("list_id")?;
    for entry in activity.objects("activity")? {
        let action = entry.str("action")?;
        let name = match action {
            "open" => "opened",
            "click" => "clicked",
            "bounce" => "bounced",
            other => {
                return Err(Problem::UnknownValue {
                    field: entry.path("action"),
                    value: other.to_owned(),
                    expected: "open, click or bounce",
                });
            }
        };
        let mut event = EventRow::new(entry.timestamp("timestamp")?, "email", name)
            .with("campaign_id", campaign_id)
            .with("list_id", list_id);
        match action {
            "click" => event = event.with("url", entry.opt_str("url")?),
            "bounce" => event = event.with("bounce_type", entry.opt_str("type")?),
            _ => {}
        }
        out.events.push(event);
    }
    out.named("email_address is empty")
}
