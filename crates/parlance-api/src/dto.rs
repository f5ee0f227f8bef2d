//! Data transfer objects: what the UI and `--json` output see. camelCase on
//! the wire; counts are JavaScript numbers (exact below 2^53).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything the Overview shows; also `parlance status --json`.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OverviewDto {
    pub warehouse_path: String,
    #[ts(type = "number")]
    pub file_size_bytes: u64,
    #[ts(type = "number")]
    pub schema_version: i64,
    pub demo: Option<DemoInfoDto>,
    pub layers: LayersDto,
    pub sources: Vec<SourceDto>,
    pub recent_runs: Vec<RunDto>,
}

/// The shape of the demo company last generated into this warehouse.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoInfoDto {
    pub people: u32,
    #[ts(type = "number")]
    pub seed: u64,
    /// YYYY-MM-DD: the last day of the demo's history.
    pub as_of: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct LayersDto {
    #[ts(type = "number")]
    pub landing: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
    pub unified: Vec<TableCountDto>,
    pub derived: Vec<TableCountDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TableCountDto {
    pub table: String,
    pub label: String,
    #[ts(type = "number")]
    pub rows: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SourceDto {
    pub name: String,
    pub kind: String,
    #[ts(type = "number")]
    pub records: u64,
    pub streams: Vec<StreamDto>,
    pub last_run: Option<RunDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StreamDto {
    pub stream: String,
    #[ts(type = "number")]
    pub records: u64,
    /// RFC 3339, UTC.
    pub last_fetched_at: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RunDto {
    #[ts(type = "number")]
    pub id: i64,
    pub source: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// running | succeeded | failed | cancelled
    pub status: String,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    pub error: Option<String>,
}

/// What to generate; every field has a default.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoOptionsDto {
    /// People behind the records (default 20,000).
    pub people: Option<u32>,
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
    /// YYYY-MM-DD; default: the as-of date of the demo already in the
    /// warehouse (so a re-run changes nothing), else yesterday.
    pub as_of: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoProgressDto {
    /// "landing" (people generated and landed), then "unifying" (records
    /// normalised and resolved into profiles).
    pub phase: String,
    pub people_done: u32,
    pub people_total: u32,
    /// Records landed (landing) or unified so far (unifying).
    #[ts(type = "number")]
    pub records: u64,
    /// Records to unify (unifying); 0 while landing.
    #[ts(type = "number")]
    pub records_total: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DemoSummaryDto {
    pub people: u32,
    pub as_of: String,
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Records normalised into profiles by this run.
    #[ts(type = "number")]
    pub unified: u64,
    /// Records held in quarantine by this run, each with its reason.
    #[ts(type = "number")]
    pub quarantined: u64,
    pub seconds: f64,
}

/// What Settings shows about the app itself.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct AppInfoDto {
    pub version: String,
    /// The warehouse file in use; null when no path could be determined.
    pub warehouse_path: Option<String>,
}

/// A landed record that could not be unified, with why.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QuarantinedRecordDto {
    #[ts(type = "number")]
    pub landing_id: i64,
    pub source: String,
    pub stream: String,
    pub source_id: String,
    pub reason: String,
    pub first_seen: String,
    pub last_seen: String,
    #[ts(type = "number")]
    pub retries: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct QuarantineRetryDto {
    #[ts(type = "number")]
    pub retried: u64,
    #[ts(type = "number")]
    pub released: u64,
    #[ts(type = "number")]
    pub still_held: u64,
}

/// Identity resolution scored against the demo's truth, pairwise over records.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ResolutionScoreDto {
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub predicted_pairs: u64,
    #[ts(type = "number")]
    pub true_pairs: u64,
    #[ts(type = "number")]
    pub correct_pairs: u64,
    pub precision: f64,
    pub recall: f64,
}

/// The value model behind every profile's value: `parlance value fit`, and
/// the model panel of the Value view.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueModelDto {
    /// `v1-<as-of>-<fingerprint>`: on every profile's value too.
    pub model_version: String,
    /// YYYY-MM-DD: the observation end.
    pub as_of: String,
    /// RFC 3339, UTC.
    pub computed_at: String,
    /// Currency of every amount.
    pub currency: String,
    /// Where the value definition came from (a file or a definition version).
    pub parameters_origin: String,
    pub horizon_months: u32,
    pub monthly_discount_rate: f64,
    pub bgnbd: BgNbdDto,
    pub gamma_gamma: GammaGammaDto,
    /// The calibration / hold-out check; null when it could not be run.
    pub holdout: Option<HoldoutDto>,
    /// Why the hold-out check could not be run.
    pub holdout_error: Option<String>,
    /// Cost-to-serve rates: one per contact channel seen, then returns.
    pub cost_to_serve: Vec<ServeRateDto>,
    pub profiles: ValueProfileCountsDto,
    pub total_value: f64,
}

/// BG/NBD parameters; α is in days.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BgNbdDto {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
    pub log_likelihood: f64,
    #[ts(type = "number")]
    pub customers: u64,
}

/// Gamma-Gamma parameters of spend per purchase.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct GammaGammaDto {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
    pub log_likelihood: f64,
    /// Repeat buyers with positive spend, the customers fitted.
    #[ts(type = "number")]
    pub customers: u64,
    /// pγ/(q−1): the expected spend of a single-purchase customer.
    pub population_mean_spend: f64,
}

/// Fit on the orders up to `calibrationEnd`, compare predicted with actual
/// purchases in the following `holdoutDays` (the calibration chart).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct HoldoutDto {
    pub calibration_end: String,
    #[ts(type = "number")]
    pub holdout_days: i64,
    /// The BG/NBD fit on the calibration period.
    pub bgnbd: BgNbdDto,
    /// By calibration frequency 0, 1, …, 6 and 7+ (`pooled`).
    pub groups: Vec<HoldoutGroupDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct HoldoutGroupDto {
    pub frequency: u32,
    pub pooled: bool,
    #[ts(type = "number")]
    pub customers: u64,
    pub mean_predicted: f64,
    pub mean_actual: f64,
}

/// One cost-to-serve rate: contacts on a channel, or returns, per purchase.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ServeRateDto {
    /// "contact" or "return".
    pub kind: String,
    /// The contact channel; null for returns.
    pub channel: Option<String>,
    /// Events per purchase over all customers.
    pub population_rate: f64,
    /// How many purchases' worth of evidence the population rate carries
    /// when a customer's own rate is shrunk toward it.
    pub prior_purchases: f64,
    /// Cost of one event.
    pub cost: f64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueProfileCountsDto {
    #[ts(type = "number")]
    pub live: u64,
    #[ts(type = "number")]
    pub repeat_purchases: u64,
    #[ts(type = "number")]
    pub single_purchase: u64,
    #[ts(type = "number")]
    pub no_purchases: u64,
}

/// The distribution of value: `parlance value summary`, and the Value view.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueSummaryDto {
    pub model: ValueModelDto,
    #[ts(type = "number")]
    pub profiles: u64,
    pub total_value: f64,
    /// Mean over every live profile (no-purchase profiles count as 0).
    pub mean_value: f64,
    /// Mean over profiles with purchases.
    pub mean_customer_value: f64,
    /// Tiers in the definition's order (highest first).
    pub tiers: Vec<ValueTierDto>,
    /// Deciles 10 (top) to 1, over profiles with purchases.
    pub deciles: Vec<ValueDecileDto>,
    pub components: ValueComponentTotalsDto,
    /// Profiles per basis ("repeat purchases", "single purchase", "no purchases").
    pub bases: Vec<ValueBasisCountDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueTierDto {
    pub name: String,
    pub title: Option<String>,
    /// The lowest value in the tier; null for the fallback tier.
    pub from: Option<f64>,
    #[ts(type = "number")]
    pub profiles: u64,
    pub total_value: f64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueDecileDto {
    /// 10 = the most valuable tenth of customers.
    pub decile: u8,
    #[ts(type = "number")]
    pub profiles: u64,
    pub total_value: f64,
}

/// Sums over all profiles; money is discounted, counts are over the horizon.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueComponentTotalsDto {
    pub purchases: f64,
    pub margin: f64,
    pub cost_to_serve: f64,
    pub contact_cost: f64,
    pub return_cost: f64,
    pub expected_returns: f64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueBasisCountDto {
    pub basis: String,
    #[ts(type = "number")]
    pub profiles: u64,
}

/// One profile's value with every component and input: `parlance value show`.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProfileValueDto {
    #[ts(type = "number")]
    pub profile_id: i64,
    /// What the query matched: `profile 12`, `email anna@mail.demo`, …
    pub matched: String,
    /// "person" or "anonymous".
    pub kind: String,
    /// "repeat purchases", "single purchase" or "no purchases" (value 0).
    pub basis: String,
    /// Expected discounted margin − expected discounted cost to serve.
    pub value: f64,
    pub currency: String,
    pub tier: Option<String>,
    /// 10 = top tenth of customers; null without purchases.
    pub decile: Option<u8>,
    pub model_version: String,
    pub computed_at: String,
    pub horizon_months: u32,
    /// Expected purchases over the horizon.
    pub purchases: f64,
    pub discounted_purchases: f64,
    pub probability_alive: f64,
    /// Expected spend per purchase.
    pub spend: f64,
    pub margin_rate: f64,
    /// Discounted expected margin.
    pub margin: f64,
    /// Discounted expected cost to serve = contactCost + returnCost.
    pub cost_to_serve: f64,
    pub contact_cost: f64,
    pub return_cost: f64,
    /// Expected support contacts over the horizon, per channel.
    pub expected_contacts: std::collections::BTreeMap<String, f64>,
    pub expected_returns: f64,
    pub inputs: ValueInputsDto,
    /// The profile's value at each refresh, oldest first.
    pub history: Vec<ValuePointDto>,
}

/// What the profile did, and the rates derived from it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValueInputsDto {
    /// Purchase days after the first (x).
    pub frequency: u32,
    pub recency_days: f64,
    pub age_days: f64,
    pub first_purchase: Option<String>,
    pub last_purchase: Option<String>,
    /// Mean net amount of the repeat purchase days with a positive amount.
    pub monetary_value: f64,
    pub monetary_days: u32,
    pub orders: u32,
    pub net_revenue: f64,
    pub other_currency_orders: u32,
    pub returns: u32,
    pub contacts: std::collections::BTreeMap<String, u32>,
    /// Expected contacts per purchase, shrunk toward the population rate.
    pub contact_rates: std::collections::BTreeMap<String, f64>,
    pub return_rate: f64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ValuePointDto {
    pub computed_at: String,
    pub value: f64,
    pub model_version: String,
}

/// An identifier in its canonical form: `kind` is `email`, `phone`,
/// `anonymous_id`, `device_id` or `customer_id:<source>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct IdentifierDto {
    pub kind: String,
    pub value: String,
}

/// A landed record, named the way its source names it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RecordRefDto {
    #[ts(type = "number")]
    pub landing_id: i64,
    pub source: String,
    pub stream: String,
    /// The source's own id for the record.
    pub source_id: String,
}

/// A profile in a list (search results) and at the head of the customer 360.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProfileSummaryDto {
    #[ts(type = "number")]
    pub id: i64,
    /// `person` (knows an email, phone or customer id) or `anonymous` (cookie/device ids only).
    pub kind: String,
    /// "First Last" from the newest name traits; null when no record names the person.
    pub name: Option<String>,
    /// Every email and phone (E.164) the profile holds, sorted.
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    #[ts(type = "number")]
    pub identifier_count: u64,
    /// Landed records resolved to this profile.
    #[ts(type = "number")]
    pub record_count: u64,
    /// Earliest and latest touchpoint (RFC 3339, UTC); null without events.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    #[ts(type = "number")]
    pub order_count: u64,
    /// When Parlance created the profile.
    pub created_at: String,
}

/// One identifier of a profile, with where it came from.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CustomerIdentifierDto {
    /// `email`, `phone`, `anonymous_id`, `device_id` or `customer_id:<source>`.
    pub kind: String,
    /// The kind without its source: `customer_id` for every source (for grouping).
    pub family: String,
    /// Canonical: emails lower case, phones E.164.
    pub value: String,
    /// The source whose record first carried it.
    pub source: String,
    /// When Parlance first saw it (kept across rebuilds).
    pub first_seen: String,
    /// That record, while it is still landed.
    pub record: Option<RecordRefDto>,
}

/// Something a record says the person is; survey answers are attitudinal traits.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CustomerTraitDto {
    /// `first_name`, `city`, `survey.nps`, … (see parlance-normalize's trait table).
    pub key: String,
    /// The value as JSON text (`"London"`, `9`, `true`).
    pub value_json: String,
    /// The value for people: strings unquoted, everything else as JSON.
    pub text: String,
    pub source: String,
    pub observed_at: String,
    /// True for answers the person gave about themselves (`survey.*`).
    pub attitudinal: bool,
}

/// A segment (or other definition) the profile is in now.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CustomerSegmentDto {
    /// The definition's kind (`segment`, …) and name.
    pub kind: String,
    pub name: String,
    #[ts(type = "number")]
    pub version: i64,
    pub entered_at: String,
}

/// The profile's universal customer value, once the value model has run.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CustomerValueDto {
    pub value: f64,
    /// The components and inputs as JSON text (see parlance-value).
    pub components_json: String,
    pub tier: Option<String>,
    #[ts(type = "number | null")]
    pub decile: Option<i64>,
    pub model_version: String,
    pub computed_at: String,
}

/// The order a touchpoint's record produced.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TimelineOrderDto {
    pub source_order_id: String,
    pub amount: f64,
    pub currency: String,
    /// placed | fulfilled | returned | refunded | partially_refunded | cancelled
    pub status: String,
    pub refunded_amount: f64,
}

/// The support contact a touchpoint's record produced.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TimelineSupportDto {
    pub source_contact_id: String,
    /// email | phone | chat | web
    pub channel: String,
    pub reason: Option<String>,
}

/// One touchpoint of the cross-channel timeline.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TimelineEntryDto {
    /// RFC 3339, UTC.
    pub at: String,
    /// web | ads | email | shop | support | survey | payments
    pub channel: String,
    /// The event's full name (`web.page_view`, `email.opened`); `shop.order` or
    /// `support.contact` for an order or contact whose record produced no event.
    pub name: String,
    /// `event`, `order` or `support`.
    pub kind: String,
    pub source: String,
    #[ts(type = "number")]
    pub landing_id: i64,
    /// Money in the record's currency: positive for a sale, negative for a refund.
    pub revenue: Option<f64>,
    /// The event's properties as JSON text (`{}` when none).
    pub properties_json: String,
    pub order: Option<TimelineOrderDto>,
    pub support: Option<TimelineSupportDto>,
}

/// The customer 360: `parlance customer show` and the app's Customers view.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CustomerDto {
    /// How the query found the profile (`email anna@mail.demo`, `profile 12 (merged into 7)`).
    pub matched: String,
    pub summary: ProfileSummaryDto,
    /// Merges in effect that formed the profile (`parlance identity explain` lists them).
    #[ts(type = "number")]
    pub merges: u64,
    pub identifiers: Vec<CustomerIdentifierDto>,
    /// Sorted by key; attitudinal answers included (flagged).
    pub traits: Vec<CustomerTraitDto>,
    /// Current memberships; empty until segments are materialised.
    pub segments: Vec<CustomerSegmentDto>,
    /// Null until the value model has run.
    pub value: Option<CustomerValueDto>,
    /// Newest first; at most the limit asked for (`customerTimeline` pages further).
    pub timeline: Vec<TimelineEntryDto>,
    #[ts(type = "number")]
    pub timeline_total: u64,
}

/// A further page of a profile's timeline.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct TimelinePageDto {
    #[ts(type = "number")]
    pub profile_id: i64,
    #[ts(type = "number")]
    pub offset: u64,
    pub entries: Vec<TimelineEntryDto>,
    #[ts(type = "number")]
    pub total: u64,
}

/// One profile a customer search found, with the identifiers that matched.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CustomerSearchHitDto {
    pub profile: ProfileSummaryDto,
    pub matched: Vec<IdentifierDto>,
}

/// What an identity rebuild did.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RebuildSummaryDto {
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub unified: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
    #[ts(type = "number")]
    pub released: u64,
    /// Live profiles after the rebuild, and how many kept their id.
    #[ts(type = "number")]
    pub profiles: u64,
    #[ts(type = "number")]
    pub profiles_kept_id: u64,
    #[ts(type = "number")]
    pub identifiers: u64,
    #[ts(type = "number")]
    pub merges: u64,
    /// Keep-apart rules (from unmerges) honoured.
    #[ts(type = "number")]
    pub keep_apart_rules: u64,
    pub seconds: f64,
}

/// Progress of a rebuild: phase `resolving`, then `writing`.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RebuildProgressDto {
    pub phase: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// What an unmerge did.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UnmergeSummaryDto {
    /// The profile that kept its id.
    #[ts(type = "number")]
    pub profile: i64,
    /// The live profiles split off it.
    #[ts(type = "number[]")]
    pub split_off: Vec<i64>,
    /// The identifiers that left.
    pub moved: Vec<IdentifierDto>,
    /// Keep-apart rules stored (pairs of identifiers never to be linked again).
    #[ts(type = "number")]
    pub rules_added: u64,
    #[ts(type = "number")]
    pub merges_undone: u64,
    /// Merges the re-resolution made again (links no rule forbids).
    #[ts(type = "number")]
    pub merges_redone: u64,
    /// Records re-resolved.
    #[ts(type = "number")]
    pub records: u64,
}

/// One merge with its evidence.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct MergeEvidenceDto {
    #[ts(type = "number")]
    pub merge_id: i64,
    #[ts(type = "number")]
    pub kept_profile: i64,
    #[ts(type = "number")]
    pub merged_profile: i64,
    pub merged_at: String,
    /// Set when an unmerge undid it.
    pub undone_at: Option<String>,
    /// `shared identifier` or `anonymous visitor identified`.
    pub rule: String,
    /// The identifier both profiles claimed.
    pub identifier: Option<IdentifierDto>,
    /// The record that carried it to the kept side, linking the two.
    pub linking_record: Option<RecordRefDto>,
    /// The record that first brought the identifier in.
    pub identifier_first_record: Option<RecordRefDto>,
    /// What the merged profile held.
    pub absorbed_identifiers: Vec<IdentifierDto>,
}

/// A keep-apart rule touching the profile.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct KeepApartRuleDto {
    #[ts(type = "number")]
    pub rule_id: i64,
    /// The identifier of the pair this profile holds.
    pub held: IdentifierDto,
    pub apart_from: IdentifierDto,
    /// The live profile holding the other one, if any.
    #[ts(type = "number | null")]
    pub apart_from_profile: Option<i64>,
    pub created_at: String,
}

/// An identifier the profile's records carried that did not link them.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct UnlinkedIdentifierDto {
    pub kind: String,
    pub value: String,
    /// `blocked`, `malformed`, `limit` or `kept-apart`.
    pub reason: String,
    pub detail: String,
    #[ts(type = "number")]
    pub records: u64,
    /// The other profile holding it, if one does.
    #[ts(type = "number | null")]
    pub held_by: Option<i64>,
}

/// Why a profile is what it is: `parlance identity explain`.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ProfileExplanationDto {
    pub matched: String,
    pub summary: ProfileSummaryDto,
    pub identifiers: Vec<CustomerIdentifierDto>,
    /// Oldest first, undone ones included.
    pub merges: Vec<MergeEvidenceDto>,
    pub keep_apart: Vec<KeepApartRuleDto>,
    pub unlinked: Vec<UnlinkedIdentifierDto>,
}

/// A threshold of the suspicious-clusters report for one identifier family.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FamilyThresholdDto {
    pub family: String,
    /// Flagged above this many.
    #[ts(type = "number")]
    pub max: u64,
}

/// The thresholds a suspicious-clusters report used.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SuspicionThresholdsDto {
    pub per_family: Vec<FamilyThresholdDto>,
    pub oversize_factor: f64,
    #[ts(type = "number")]
    pub oversize_min_identifiers: u64,
    #[ts(type = "number")]
    pub oversize_min_records: u64,
    /// The cut-offs that follow on this warehouse: max(floor, factor × p99).
    #[ts(type = "number")]
    pub oversize_identifiers_over: u64,
    #[ts(type = "number")]
    pub oversize_records_over: u64,
    #[ts(type = "number")]
    pub shared_min_other_profiles: u64,
    #[ts(type = "number")]
    pub blocked_min_profiles: u64,
    #[ts(type = "number")]
    pub max_listed: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ManyIdentifiersDto {
    #[ts(type = "number")]
    pub profile: i64,
    pub family: String,
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub threshold: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OversizedDto {
    #[ts(type = "number")]
    pub profile: i64,
    #[ts(type = "number")]
    pub identifiers: u64,
    #[ts(type = "number")]
    pub records: u64,
}

/// An email or phone one profile holds that records of other profiles also
/// carried, where a limit stopped the merge (households, repeat guest checkouts).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SharedIdentifierDto {
    pub kind: String,
    pub value: String,
    #[ts(type = "number | null")]
    pub held_by: Option<i64>,
    /// Up to 20 of the other profiles.
    #[ts(type = "number[]")]
    pub also_carried_by: Vec<i64>,
    #[ts(type = "number")]
    pub other_profiles: u64,
}

/// A blocked value carried by records of several profiles (test accounts, junk placeholders).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct BlockedValueDto {
    pub kind: String,
    pub value: String,
    pub why: String,
    #[ts(type = "number")]
    pub profiles: u64,
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number[]")]
    pub sample_profiles: Vec<i64>,
}

/// Profiles to look at before trusting them: `parlance identity suspicious`.
/// Lists are capped (largest first); the totals count everything.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SuspiciousReportDto {
    /// Live profiles looked at.
    #[ts(type = "number")]
    pub profiles: u64,
    pub thresholds: SuspicionThresholdsDto,
    pub many_identifiers: Vec<ManyIdentifiersDto>,
    #[ts(type = "number")]
    pub many_identifiers_total: u64,
    pub oversized: Vec<OversizedDto>,
    #[ts(type = "number")]
    pub oversized_total: u64,
    pub shared: Vec<SharedIdentifierDto>,
    #[ts(type = "number")]
    pub shared_total: u64,
    pub blocked: Vec<BlockedValueDto>,
    #[ts(type = "number")]
    pub blocked_total: u64,
}

/// What to import: `parlance import FILE --format … [--as …] [--mapping …] [--source …]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportOptionsDto {
    /// The file to import.
    pub path: String,
    /// `segment` (Segment-spec JSONL), `ga4` (GA4 BigQuery-export JSONL) or `csv`.
    pub format: String,
    /// CSV: what its rows are, `customers`, `orders` or `events` (else the mapping file's `as`).
    pub csv_as: Option<String>,
    /// CSV: a mapping file (TOML or JSON) from canonical fields to the file's columns.
    pub mapping: Option<String>,
    /// The source to land into; default `file-<file name without extension>`.
    pub source: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportProgressDto {
    /// "landing" (`done`/`total` are bytes of the file), then "unifying"
    /// (`done`/`total` are records).
    pub phase: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    /// Records landed so far.
    #[ts(type = "number")]
    pub records: u64,
}

/// One line of an imported file that could not be landed, or that landed
/// but is held in quarantine.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportProblemDto {
    #[ts(type = "number")]
    pub line: u64,
    /// `orders.csv line 14: amount "12,50" is not a decimal amount …`
    pub message: String,
    /// True when the record landed and is held in quarantine until fixed.
    pub landed: bool,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportSummaryDto {
    pub source: String,
    pub format: String,
    pub file: String,
    /// Records read from the file (landed or not).
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Lines that could not be landed (listed in `problems`).
    #[ts(type = "number")]
    pub rejected: u64,
    /// Records normalised into profiles by this import.
    #[ts(type = "number")]
    pub unified: u64,
    /// Records of this source held in quarantine by this import.
    #[ts(type = "number")]
    pub quarantined: u64,
    /// The first 100 problem lines, in file order.
    pub problems: Vec<ImportProblemDto>,
    pub seconds: f64,
}

/// A field and its value (or, in a mapping, a field and its column).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FieldValueDto {
    pub field: String,
    pub value: String,
}

/// The first records of a file as an import would see them; nothing written.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ImportPreviewDto {
    pub source: String,
    pub format: String,
    /// CSV: the header.
    pub columns: Vec<String>,
    /// CSV: each canonical field and the column it is read from.
    pub mapping: Vec<FieldValueDto>,
    /// CSV: each field's default value.
    pub defaults: Vec<FieldValueDto>,
    pub rows: Vec<PreviewRowDto>,
    /// Lines among the previewed ones that could not be landed.
    pub problems: Vec<ImportProblemDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct PreviewRowDto {
    #[ts(type = "number")]
    pub line: u64,
    pub stream: String,
    pub source_id: String,
    /// CSV: each mapped field's value as the normaliser reads it.
    pub fields: Vec<FieldValueDto>,
    /// What the record would become, in words (empty when it fails).
    pub identifiers: Vec<String>,
    pub events: Vec<String>,
    pub order: Option<String>,
    pub traits: Vec<String>,
    /// Why the record would be held in quarantine.
    pub error: Option<String>,
}

/// A new connection to a channel tool (`parlance sources add`). The token
/// travels separately, never in a DTO. Only the settings the kind has may
/// be given; the rest take the kind's documented defaults.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NewSourceDto {
    /// The source's name, e.g. `shopify-main`: a-z, 0-9, `-`, `_`, `.`.
    pub name: String,
    /// shopify | stripe | hubspot | mailchimp | klaviyo | zendesk
    pub kind: String,
    /// Replaces the tool's API address (a proxy, a sandbox, a test server).
    pub base_url: Option<String>,
    /// Shopify: the myshopify subdomain.
    pub shop: Option<String>,
    /// Mailchimp: the audience id.
    pub list_id: Option<String>,
    /// Zendesk: the zendesk.com subdomain.
    pub subdomain: Option<String>,
    /// Zendesk: the agent whose API token this is (else an OAuth token).
    pub email: Option<String>,
    /// Shopify Admin API version / Stripe API version.
    pub api_version: Option<String>,
    /// Klaviyo API revision.
    pub revision: Option<String>,
    /// Records per page (not Shopify).
    pub page_size: Option<u32>,
}

/// A registered source (`parlance sources list`).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SourceInfoDto {
    pub name: String,
    pub kind: String,
    /// Where its API lives.
    pub base_url: String,
    /// The stored configuration (never a token), as JSON text.
    pub config_json: String,
    /// The environment variable that supplies the token when the keychain cannot.
    pub token_env_var: String,
    #[ts(type = "number")]
    pub records: u64,
    pub last_run: Option<RunDto>,
}

/// What a connection test learned (`parlance sources test`).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ConnectionTestDto {
    pub source: String,
    pub kind: String,
    /// The account the token opens, e.g. "Shopify shop Acme (acme.myshopify.com)".
    pub account: String,
}

/// What removing a source deleted (`parlance sources remove`).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SourceRemovedDto {
    pub source: String,
    #[ts(type = "number")]
    pub landed_records: u64,
    #[ts(type = "number")]
    pub streams: u64,
    #[ts(type = "number")]
    pub runs: u64,
    /// deleted | unavailable (the keychain could not be reached; nothing was stored there)
    pub keychain: String,
}

/// Progress of a sync: after every committed page ("syncing"), then while
/// unifying what landed ("unifying").
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SyncProgressDto {
    pub phase: String,
    pub source: String,
    pub stream: String,
    #[ts(type = "number")]
    pub pages: u64,
    /// Records fetched in this stream so far (syncing) or unified (unifying).
    #[ts(type = "number")]
    pub records: u64,
    /// Records to unify (unifying); 0 while syncing.
    #[ts(type = "number")]
    pub records_total: u64,
}

/// One stream of one source's sync.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct StreamSyncDto {
    pub stream: String,
    #[ts(type = "number")]
    pub pages: u64,
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// The stream was read to its end.
    pub completed: bool,
}

/// One source's sync.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SourceSyncDto {
    pub source: String,
    pub kind: String,
    #[ts(type = "number | null")]
    pub run_id: Option<i64>,
    /// succeeded | failed | cancelled
    pub status: String,
    pub streams: Vec<StreamSyncDto>,
    /// Why it failed; names the source.
    pub error: Option<String>,
}

/// What `parlance sync` did.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SyncSummaryDto {
    pub sources: Vec<SourceSyncDto>,
    /// Records normalised into profiles after the sync.
    #[ts(type = "number")]
    pub unified: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
    /// The user cancelled; unifying was skipped.
    pub cancelled: bool,
    pub seconds: f64,
}

/// One problem in a vocabulary file, with 1-based line and column.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DiagnosticDto {
    /// The file inside the vocabulary folder.
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// error | warning
    pub severity: String,
    /// A stable code such as `unknown-field` (see docs/vocabulary.md).
    pub code: String,
    pub message: String,
    pub suggestion: Option<String>,
}

/// A definition as listed: from the folder (check) or the warehouse (list).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DefinitionSummaryDto {
    /// segment | score | stages | value | touchpoints
    pub kind: String,
    pub name: String,
    pub title: Option<String>,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    pub file: Option<String>,
    /// The published version; `None` when never published.
    #[ts(type = "number | null")]
    pub version: Option<i64>,
    /// The deprecation note, when deprecated.
    pub deprecated: Option<String>,
    /// In a check: whether it is free of errors and conflicts.
    pub good: bool,
    /// Current members, for a segment whose membership has been refreshed.
    #[ts(type = "number | null")]
    pub members: Option<u64>,
}

/// `vocab check`: every file of the folder checked against the warehouse.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularyCheckDto {
    pub folder: String,
    pub files: Vec<String>,
    pub definitions: Vec<DefinitionSummaryDto>,
    pub diagnostics: Vec<DiagnosticDto>,
    pub errors: u32,
    pub warnings: u32,
}

/// `vocab fmt`: which files the canonical layout changes.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct FormatReportDto {
    /// Files whose text is (or, with `check`, would be) rewritten.
    pub changed: Vec<String>,
    /// Files left alone because they have syntax errors.
    pub skipped: Vec<String>,
    pub diagnostics: Vec<DiagnosticDto>,
}

/// A published definition with its text and references.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DefinitionDto {
    pub summary: DefinitionSummaryDto,
    pub text: String,
    pub author: String,
    /// RFC 3339.
    pub published_at: String,
    /// What it references, as `kind name`.
    pub uses: Vec<String>,
    /// What references it, as `kind name`.
    pub used_by: Vec<String>,
}

/// One version of a definition.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VersionDto {
    #[ts(type = "number")]
    pub version: i64,
    pub author: String,
    pub message: String,
    /// RFC 3339.
    pub created_at: String,
    pub text: String,
}

/// A unified diff between two versions.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DiffDto {
    pub kind: String,
    pub name: String,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    pub diff: String,
}

/// Memberships, scores and stages refreshed from the published vocabulary.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct RefreshDto {
    pub segments: Vec<SegmentRefreshDto>,
    pub scores: Vec<NamedCountDto>,
    pub stages: Vec<NamedCountDto>,
    /// Definitions that could not be refreshed, with why.
    pub failures: Vec<String>,
    pub seconds: f64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentRefreshDto {
    pub name: String,
    #[ts(type = "number")]
    pub version: i64,
    #[ts(type = "number")]
    pub members: u64,
    #[ts(type = "number")]
    pub entered: u64,
    #[ts(type = "number")]
    pub left: u64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct NamedCountDto {
    pub name: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// What publishing the vocabulary folder did.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularySyncDto {
    pub folder: String,
    /// Each as `kind name`.
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// Broken now; their last good version stays published.
    pub kept: Vec<String>,
    /// Broken and never published.
    pub rejected: Vec<String>,
    pub removed: Vec<String>,
    pub diagnostics: Vec<DiagnosticDto>,
    pub refresh: RefreshDto,
}

/// A segment evaluated as of a date.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentEvaluationDto {
    pub name: String,
    #[ts(type = "number")]
    pub version: i64,
    /// YYYY-MM-DD.
    pub as_of: String,
    #[ts(type = "number")]
    pub members: u64,
    /// Member profile ids, ascending.
    #[ts(type = "Array<number>")]
    pub profiles: Vec<i64>,
    pub seconds: f64,
}

/// Why a profile is in or out of a segment, clause by clause.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ExplanationDto {
    pub segment: String,
    #[ts(type = "number")]
    pub profile: i64,
    pub member: bool,
    /// Set when the profile was merged into another (then it is in no segment).
    #[ts(type = "number | null")]
    pub merged_into: Option<i64>,
    /// all (every clause must hold) | any (one must)
    pub connective: String,
    pub clauses: Vec<ClauseExplanationDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct ClauseExplanationDto {
    pub text: String,
    /// line:col in the definition.
    pub at: String,
    pub holds: bool,
    pub values: Vec<OperandValueDto>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OperandValueDto {
    pub expr: String,
    /// `None`: not set.
    pub value: Option<String>,
}

/// A segment's size from a moment on.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentSizeDto {
    /// RFC 3339.
    pub at: String,
    #[ts(type = "number")]
    pub members: u64,
}

/// Members two segments share (a = b: the segment's size).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct OverlapDto {
    pub a: String,
    pub b: String,
    #[ts(type = "number")]
    pub both: u64,
}

/// A segment's members written as CSV.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentExportDto {
    pub path: String,
    #[ts(type = "number")]
    pub rows: u64,
}

/// Every exported DTO, for the bindings generator and its staleness test.
pub fn typescript_bindings() -> Vec<(&'static str, String)> {
    use crate::{ApiError, ErrorCode};
    fn decl<T: TS + 'static>() -> String {
        T::export_to_string().unwrap_or_else(|e| format!("// failed to export: {e}\n"))
    }
    vec![
        ("OverviewDto", decl::<OverviewDto>()),
        // Journeys (journeys_dto.rs).
        ("JourneyFilterDto", decl::<crate::JourneyFilterDto>()),
        ("PathRequestDto", decl::<crate::PathRequestDto>()),
        ("PathNodeDto", decl::<crate::PathNodeDto>()),
        ("PathEdgeDto", decl::<crate::PathEdgeDto>()),
        ("PathMapDto", decl::<crate::PathMapDto>()),
        ("TouchpointLabelDto", decl::<crate::TouchpointLabelDto>()),
        ("FunnelRequestDto", decl::<crate::FunnelRequestDto>()),
        ("FunnelStepDto", decl::<crate::FunnelStepDto>()),
        ("FunnelBreakdownDto", decl::<crate::FunnelBreakdownDto>()),
        ("FunnelDto", decl::<crate::FunnelDto>()),
        ("StageFlowRequestDto", decl::<crate::StageFlowRequestDto>()),
        ("StageFlowDto", decl::<crate::StageFlowDto>()),
        ("StageFlowsDto", decl::<crate::StageFlowsDto>()),
        ("DrillRequestDto", decl::<crate::DrillRequestDto>()),
        ("DrillDto", decl::<crate::DrillDto>()),
        ("ChartedPathMapDto", decl::<crate::ChartedPathMapDto>()),
        ("ChartedFunnelDto", decl::<crate::ChartedFunnelDto>()),
        ("ChartedStageFlowsDto", decl::<crate::ChartedStageFlowsDto>()),
        ("JourneyChoicesDto", decl::<crate::JourneyChoicesDto>()),
        ("DemoInfoDto", decl::<DemoInfoDto>()),
        ("LayersDto", decl::<LayersDto>()),
        ("TableCountDto", decl::<TableCountDto>()),
        ("SourceDto", decl::<SourceDto>()),
        ("StreamDto", decl::<StreamDto>()),
        ("RunDto", decl::<RunDto>()),
        ("DemoOptionsDto", decl::<DemoOptionsDto>()),
        ("DemoProgressDto", decl::<DemoProgressDto>()),
        ("DemoSummaryDto", decl::<DemoSummaryDto>()),
        ("AppInfoDto", decl::<AppInfoDto>()),
        ("QuarantinedRecordDto", decl::<QuarantinedRecordDto>()),
        ("QuarantineRetryDto", decl::<QuarantineRetryDto>()),
        ("ResolutionScoreDto", decl::<ResolutionScoreDto>()),
        ("ValueModelDto", decl::<ValueModelDto>()),
        ("BgNbdDto", decl::<BgNbdDto>()),
        ("GammaGammaDto", decl::<GammaGammaDto>()),
        ("HoldoutDto", decl::<HoldoutDto>()),
        ("HoldoutGroupDto", decl::<HoldoutGroupDto>()),
        ("ServeRateDto", decl::<ServeRateDto>()),
        ("ValueProfileCountsDto", decl::<ValueProfileCountsDto>()),
        ("ValueSummaryDto", decl::<ValueSummaryDto>()),
        ("ValueTierDto", decl::<ValueTierDto>()),
        ("ValueDecileDto", decl::<ValueDecileDto>()),
        ("ValueComponentTotalsDto", decl::<ValueComponentTotalsDto>()),
        ("ValueBasisCountDto", decl::<ValueBasisCountDto>()),
        ("ProfileValueDto", decl::<ProfileValueDto>()),
        ("ValueInputsDto", decl::<ValueInputsDto>()),
        ("ValuePointDto", decl::<ValuePointDto>()),
        ("IdentifierDto", decl::<IdentifierDto>()),
        ("RecordRefDto", decl::<RecordRefDto>()),
        ("ProfileSummaryDto", decl::<ProfileSummaryDto>()),
        ("CustomerIdentifierDto", decl::<CustomerIdentifierDto>()),
        ("CustomerTraitDto", decl::<CustomerTraitDto>()),
        ("CustomerSegmentDto", decl::<CustomerSegmentDto>()),
        ("CustomerValueDto", decl::<CustomerValueDto>()),
        ("TimelineOrderDto", decl::<TimelineOrderDto>()),
        ("TimelineSupportDto", decl::<TimelineSupportDto>()),
        ("TimelineEntryDto", decl::<TimelineEntryDto>()),
        ("CustomerDto", decl::<CustomerDto>()),
        ("TimelinePageDto", decl::<TimelinePageDto>()),
        ("CustomerSearchHitDto", decl::<CustomerSearchHitDto>()),
        ("RebuildSummaryDto", decl::<RebuildSummaryDto>()),
        ("RebuildProgressDto", decl::<RebuildProgressDto>()),
        ("UnmergeSummaryDto", decl::<UnmergeSummaryDto>()),
        ("MergeEvidenceDto", decl::<MergeEvidenceDto>()),
        ("KeepApartRuleDto", decl::<KeepApartRuleDto>()),
        ("UnlinkedIdentifierDto", decl::<UnlinkedIdentifierDto>()),
        ("ProfileExplanationDto", decl::<ProfileExplanationDto>()),
        ("FamilyThresholdDto", decl::<FamilyThresholdDto>()),
        ("SuspicionThresholdsDto", decl::<SuspicionThresholdsDto>()),
        ("ManyIdentifiersDto", decl::<ManyIdentifiersDto>()),
        ("OversizedDto", decl::<OversizedDto>()),
        ("SharedIdentifierDto", decl::<SharedIdentifierDto>()),
        ("BlockedValueDto", decl::<BlockedValueDto>()),
        ("SuspiciousReportDto", decl::<SuspiciousReportDto>()),
        ("ImportOptionsDto", decl::<ImportOptionsDto>()),
        ("ImportProgressDto", decl::<ImportProgressDto>()),
        ("ImportProblemDto", decl::<ImportProblemDto>()),
        ("ImportSummaryDto", decl::<ImportSummaryDto>()),
        ("FieldValueDto", decl::<FieldValueDto>()),
        ("ImportPreviewDto", decl::<ImportPreviewDto>()),
        ("PreviewRowDto", decl::<PreviewRowDto>()),
        ("NewSourceDto", decl::<NewSourceDto>()),
        ("SourceInfoDto", decl::<SourceInfoDto>()),
        ("ConnectionTestDto", decl::<ConnectionTestDto>()),
        ("SourceRemovedDto", decl::<SourceRemovedDto>()),
        ("SyncProgressDto", decl::<SyncProgressDto>()),
        ("StreamSyncDto", decl::<StreamSyncDto>()),
        ("SourceSyncDto", decl::<SourceSyncDto>()),
        ("SyncSummaryDto", decl::<SyncSummaryDto>()),
        ("DiagnosticDto", decl::<DiagnosticDto>()),
        ("DefinitionSummaryDto", decl::<DefinitionSummaryDto>()),
        ("VocabularyCheckDto", decl::<VocabularyCheckDto>()),
        ("FormatReportDto", decl::<FormatReportDto>()),
        ("DefinitionDto", decl::<DefinitionDto>()),
        ("VersionDto", decl::<VersionDto>()),
        ("DiffDto", decl::<DiffDto>()),
        ("RefreshDto", decl::<RefreshDto>()),
        ("SegmentRefreshDto", decl::<SegmentRefreshDto>()),
        ("NamedCountDto", decl::<NamedCountDto>()),
        ("VocabularySyncDto", decl::<VocabularySyncDto>()),
        ("SegmentEvaluationDto", decl::<SegmentEvaluationDto>()),
        ("ExplanationDto", decl::<ExplanationDto>()),
        ("ClauseExplanationDto", decl::<ClauseExplanationDto>()),
        ("OperandValueDto", decl::<OperandValueDto>()),
        ("SegmentSizeDto", decl::<SegmentSizeDto>()),
        ("OverlapDto", decl::<OverlapDto>()),
        ("SegmentExportDto", decl::<SegmentExportDto>()),
        ("ApiError", decl::<ApiError>()),
        ("ErrorCode", decl::<ErrorCode>()),
        // The Vocabulary view.
        ("CompletionFieldDto", decl::<CompletionFieldDto>()),
        ("CompletionEventDto", decl::<CompletionEventDto>()),
        ("CompletionsDto", decl::<CompletionsDto>()),
        ("VocabularyEntryDto", decl::<VocabularyEntryDto>()),
        ("VocabularyEntriesDto", decl::<VocabularyEntriesDto>()),
        ("VocabularyFileDto", decl::<VocabularyFileDto>()),
        ("DraftCountDto", decl::<DraftCountDto>()),
        ("VocabularySaveDto", decl::<VocabularySaveDto>()),
        ("VocabularyChangedDto", decl::<VocabularyChangedDto>()),
        // The Segments view.
        ("SegmentListItemDto", decl::<SegmentListItemDto>()),
        ("SegmentTierDto", decl::<SegmentTierDto>()),
        ("SegmentValueDto", decl::<SegmentValueDto>()),
        ("SegmentMemberDto", decl::<SegmentMemberDto>()),
        ("SegmentMembersPageDto", decl::<SegmentMembersPageDto>()),
        ("SavedSegmentDto", decl::<SavedSegmentDto>()),
    ]
}

// ---------------------------------------------------------------------------
// The Vocabulary view (editor, completion, live count, save, folder watching).
// ---------------------------------------------------------------------------

/// A field or event property the editor can complete, with its type.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CompletionFieldDto {
    /// `trait.city`, or a property name such as `amount`.
    pub path: String,
    /// number | money | string | date | bool | enum(…) | list(…)
    pub ty: String,
}

/// An event type (`CHANNEL.NAME`) with its properties (`at` included).
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CompletionEventDto {
    pub name: String,
    pub properties: Vec<CompletionFieldDto>,
}

/// What the editor completes: the warehouse catalog and the published names.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct CompletionsDto {
    pub fields: Vec<CompletionFieldDto>,
    pub events: Vec<CompletionEventDto>,
    pub segments: Vec<String>,
    pub scores: Vec<String>,
    /// Stage names of the published `stages` block.
    pub stages: Vec<String>,
}

/// One definition of the folder as the Vocabulary view lists it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularyEntryDto {
    /// From the folder; `version` and `members` from the published vocabulary.
    pub summary: DefinitionSummaryDto,
    /// The line its keyword is on in its file (1-based).
    pub line: u32,
    /// Errors in its region of the file (conflicts included).
    pub errors: u32,
    pub warnings: u32,
}

/// The folder's definitions, and problems no definition owns.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularyEntriesDto {
    pub folder: String,
    pub entries: Vec<VocabularyEntryDto>,
    pub files: Vec<String>,
    /// Every diagnostic of every file.
    pub diagnostics: Vec<DiagnosticDto>,
}

/// A file of the vocabulary folder, for the editor.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularyFileDto {
    pub folder: String,
    pub file: String,
    pub text: String,
}

/// The live count of an unsaved draft: its diagnostics against the published
/// vocabulary and, when it has no error, the members of one of its segments.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct DraftCountDto {
    /// The segment counted; `None` when the draft defines none.
    pub segment: Option<String>,
    /// `None` when the draft has errors or no segment.
    #[ts(type = "number | null")]
    pub members: Option<u64>,
    /// YYYY-MM-DD.
    pub as_of: String,
    pub diagnostics: Vec<DiagnosticDto>,
    pub seconds: f64,
}

/// A save from the editor: written and published, or refused with its errors.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularySaveDto {
    /// False when the draft has errors: nothing was written or published.
    pub saved: bool,
    pub file: String,
    pub diagnostics: Vec<DiagnosticDto>,
    pub sync: Option<VocabularySyncDto>,
}

/// Sent to the window (event `vocabulary-changed`) after the folder's files
/// changed on disk and were re-read.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct VocabularyChangedDto {
    /// The changed files, relative to the folder.
    pub files: Vec<String>,
    pub sync: Option<VocabularySyncDto>,
    /// Why re-reading failed, when it did.
    pub error: Option<crate::ApiError>,
}

// ---------------------------------------------------------------------------
// The Segments view (list, value, members, save a drill-down as a segment).
// ---------------------------------------------------------------------------

/// A published segment as the Segments view lists it.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentListItemDto {
    pub name: String,
    pub title: Option<String>,
    /// The owner department.
    pub owner: Option<String>,
    pub tags: Vec<String>,
    #[ts(type = "number")]
    pub version: i64,
    /// Current members (the materialised membership).
    #[ts(type = "number")]
    pub members: u64,
    /// Entered minus left at the latest recorded refresh.
    #[ts(type = "number")]
    pub change: i64,
    /// Sum of the members' universal value.
    pub total_value: f64,
    /// Mean over the members that have a value; `None` when none has.
    pub mean_value: Option<f64>,
}

/// Members of a segment in one value tier.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentTierDto {
    /// `None`: members without a value yet.
    pub tier: Option<String>,
    #[ts(type = "number")]
    pub members: u64,
    pub total_value: f64,
}

/// The value of a segment's members: total, mean and tier mix.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentValueDto {
    pub name: String,
    #[ts(type = "number")]
    pub members: u64,
    pub total_value: f64,
    pub mean_value: Option<f64>,
    /// Highest mean value first; members without a value last.
    pub tiers: Vec<SegmentTierDto>,
}

/// One member of a segment, for the members table.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentMemberDto {
    #[ts(type = "number")]
    pub profile_id: i64,
    pub name: Option<String>,
    /// The first email seen.
    pub email: Option<String>,
    pub value: Option<f64>,
    pub tier: Option<String>,
    /// RFC 3339.
    pub entered_at: String,
}

/// A page of a segment's members matching a search, by profile id.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SegmentMembersPageDto {
    pub segment: String,
    pub search: String,
    /// Members matching the search.
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub members: Vec<SegmentMemberDto>,
}

/// A set of profiles saved as a new segment and published.
#[derive(Clone, Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename_all = "camelCase")]
pub struct SavedSegmentDto {
    pub definition: DefinitionDto,
    /// The file written in the vocabulary folder.
    pub file: String,
    #[ts(type = "number")]
    pub members: u64,
    /// Given ids that are not live profiles (unknown or merged), left out.
    #[ts(type = "Array<number>")]
    pub missing: Vec<i64>,
}
