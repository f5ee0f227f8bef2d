//! The customer 360 and customer search: what the app's Customers view and
//! `parlance customer` show.

use parlance_identity::{Identifier, RecordRef, Rules};
use parlance_unify::{CustomerProfile, ProfileSummary, TimelineEntry};
use parlance_warehouse::Connection;

use crate::identity::sql;
use crate::{
    ApiError, CustomerDto, CustomerIdentifierDto, CustomerSearchHitDto, CustomerSegmentDto, CustomerTraitDto,
    CustomerValueDto, ErrorCode, IdentifierDto, Parlance, ProfileSummaryDto, RecordRefDto, TimelineEntryDto,
    TimelineOrderDto, TimelinePageDto, TimelineSupportDto,
};

/// Most touchpoints one call returns.
pub const MAX_TIMELINE: u32 = 10_000;
/// Most profiles a search returns.
pub const MAX_SEARCH: u32 = 500;

pub(crate) fn identifier_dto(id: &Identifier) -> IdentifierDto {
    IdentifierDto { kind: id.kind.to_string(), value: id.value.clone() }
}

pub(crate) fn record_dto(r: RecordRef) -> RecordRefDto {
    RecordRefDto { landing_id: r.landing_id, source: r.source, stream: r.stream, source_id: r.source_id }
}

fn summary_dto(s: ProfileSummary) -> ProfileSummaryDto {
    ProfileSummaryDto {
        id: s.id,
        kind: s.kind,
        name: s.name,
        emails: s.emails,
        phones: s.phones,
        identifier_count: s.identifiers,
        record_count: s.records,
        first_seen: s.first_seen,
        last_seen: s.last_seen,
        order_count: s.orders,
        created_at: s.created_at,
    }
}

pub(crate) fn summary_of(conn: &Connection, id: i64) -> Result<ProfileSummaryDto, ApiError> {
    parlance_unify::profile_summaries(conn, &[id])
        .map_err(sql("reading a profile"))?
        .pop()
        .map(summary_dto)
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no profile {id}")))
}

fn family(kind: &str) -> String {
    parlance_identity::IdKind::parse(kind).map_or_else(|| kind.to_owned(), |k| k.family().to_owned())
}

pub(crate) fn customer_identifiers(
    conn: &Connection,
    id: i64,
) -> Result<Vec<CustomerIdentifierDto>, ApiError> {
    let profile = parlance_unify::customer_profile(conn, id, 0)
        .map_err(sql("reading a profile"))?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no profile {id}")))?;
    Ok(profile.identifiers.into_iter().map(identifier_row).collect())
}

fn identifier_row(i: parlance_unify::CustomerIdentifier) -> CustomerIdentifierDto {
    CustomerIdentifierDto {
        family: family(&i.kind),
        kind: i.kind,
        value: i.value,
        source: i.source,
        first_seen: i.first_seen,
        record: i.record.map(record_dto),
    }
}

fn timeline_dto(e: TimelineEntry) -> TimelineEntryDto {
    TimelineEntryDto {
        at: e.at,
        channel: e.channel,
        name: e.name,
        kind: e.kind,
        source: e.source,
        landing_id: e.landing_id,
        revenue: e.revenue,
        properties_json: e.properties_json,
        order: e.order.map(|o| TimelineOrderDto {
            source_order_id: o.source_order_id,
            amount: o.amount,
            currency: o.currency,
            status: o.status,
            refunded_amount: o.refunded_amount,
        }),
        support: e.support.map(|s| TimelineSupportDto {
            source_contact_id: s.source_contact_id,
            channel: s.channel,
            reason: s.reason,
        }),
    }
}

/// A JSON value for people: strings without quotes, the rest as JSON.
fn display(value_json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(value_json) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => value_json.to_owned(),
    }
}

fn customer_dto(matched: String, p: CustomerProfile) -> CustomerDto {
    CustomerDto {
        matched,
        summary: summary_dto(p.summary),
        merges: p.merges,
        identifiers: p.identifiers.into_iter().map(identifier_row).collect(),
        traits: p
            .traits
            .into_iter()
            .map(|t| CustomerTraitDto {
                text: display(&t.value_json),
                key: t.key,
                value_json: t.value_json,
                source: t.source,
                observed_at: t.observed_at,
                attitudinal: t.attitudinal,
            })
            .collect(),
        segments: p
            .segments
            .into_iter()
            .map(|s| CustomerSegmentDto {
                kind: s.kind,
                name: s.name,
                version: s.version,
                entered_at: s.entered_at,
            })
            .collect(),
        value: p.value.map(|v| CustomerValueDto {
            value: v.value,
            components_json: v.components_json,
            tier: v.tier,
            decile: v.decile,
            model_version: v.model_version,
            computed_at: v.computed_at,
        }),
        timeline: p.timeline.into_iter().map(timeline_dto).collect(),
        timeline_total: p.timeline_total,
    }
}

impl Parlance {
    /// The customer 360 of the profile `query` names: a profile id (a
    /// merged-away id leads to the profile it joined), an email in any case,
    /// a phone in any format, any other identifier's value, or `KIND:VALUE`.
    /// The timeline holds the newest `timeline_limit` touchpoints (at most
    /// 10,000; `customer_timeline` pages further). Unknown → `not-found`
    /// naming what was searched; several profiles → `invalid-input` listing them.
    pub fn customer(&self, query: &str, timeline_limit: u32) -> Result<CustomerDto, ApiError> {
        let reader = self.warehouse.reader()?;
        let found = parlance_identity::find_profile(&reader, &Rules::default(), query)?;
        let profile =
            parlance_unify::customer_profile(&reader, found.profile, timeline_limit.min(MAX_TIMELINE))
                .map_err(sql("reading a profile"))?
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no profile {}", found.profile)))?;
        Ok(customer_dto(found.matched, profile))
    }

    /// Touchpoints `offset..offset + limit` (newest first) of live profile `profile_id`.
    pub fn customer_timeline(
        &self,
        profile_id: i64,
        limit: u32,
        offset: u64,
    ) -> Result<TimelinePageDto, ApiError> {
        let reader = self.warehouse.reader()?;
        summary_of(&reader, profile_id)?;
        let (entries, total) = parlance_unify::timeline(&reader, profile_id, limit.min(MAX_TIMELINE), offset)
            .map_err(sql("reading a timeline"))?;
        Ok(TimelinePageDto {
            profile_id,
            offset,
            entries: entries.into_iter().map(timeline_dto).collect(),
            total,
        })
    }

    /// Profiles holding an identifier whose value starts with `text`
    /// (emails in any case; a phone typed nationally is tried in E.164 too),
    /// at most `limit` (≤ 500), lowest profile id first.
    pub fn search_customers(&self, text: &str, limit: u32) -> Result<Vec<CustomerSearchHitDto>, ApiError> {
        let reader = self.warehouse.reader()?;
        let hits = parlance_identity::search_profiles(
            &reader,
            &Rules::default(),
            text,
            limit.min(MAX_SEARCH) as usize,
        )?;
        let ids: Vec<i64> = hits.iter().map(|h| h.profile).collect();
        let summaries = parlance_unify::profile_summaries(&reader, &ids).map_err(sql("reading profiles"))?;
        Ok(hits
            .into_iter()
            .zip(summaries)
            .map(|(h, s)| CustomerSearchHitDto {
                profile: summary_dto(s),
                matched: h.matched.iter().map(identifier_dto).collect(),
            })
            .collect())
    }
}
