//! What each demo person does over the two years: visits, sign-ups,
//! purchases (a BG/NBD process), returns, email, support and surveys.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Distribution, Exp, Gamma, Normal};
use serde_json::{Value, json};

use crate::payloads::{self, LineItem, Refund, SegmentMessage};
use crate::person::{self, Identity, Kind};
use crate::{DemoConfig, DemoRecord};

const DAY: i64 = 86_400;
/// A campaign goes out every 30 days, starting 15 days into the history.
const CAMPAIGN_EVERY: i64 = 30 * DAY;
const MAX_ORDERS: u64 = 64;

const PRODUCTS: &[(&str, &str, f64)] = &[
    ("Field Notes Journal", "books", 0.9),
    ("Slow Cooking", "books", 1.1),
    ("Vinyl: Night Drive", "music", 1.3),
    ("Wireless Headphones", "electronics", 3.0),
    ("Linen Throw", "home", 1.6),
    ("Ceramic Mug Set", "home", 0.7),
    ("Merino Scarf", "fashion", 1.2),
    ("Canvas Sneakers", "fashion", 2.0),
];
const REASONS: &[&str] = &["delivery", "billing", "product_question", "account"];
const MEDIA: &[(&str, &str, f64)] = &[
    ("google", "organic", 0.35),
    ("(direct)", "(none)", 0.25),
    ("google", "cpc", 0.15),
    ("facebook", "paid_social", 0.12),
    ("partner-blog", "referral", 0.13),
];

/// Every record person `index` produces, in a fixed order.
pub fn person_records(config: &DemoConfig, index: u32) -> Vec<DemoRecord> {
    let identity = person::identity(config.seed, index);
    let end = config.as_of.next_day().unwrap_or(config.as_of).midnight().assume_utc().unix_timestamp();
    let mut life = Life {
        rng: person::stream(config.seed, index, 3),
        start: end - DemoConfig::HISTORY_DAYS * DAY,
        end,
        id: identity,
        records: Vec::new(),
        sessions: 0,
        messages: 0,
        user_id: None,
    };
    life.live();
    life.records
}

struct Life {
    rng: ChaCha8Rng,
    start: i64,
    end: i64,
    id: Identity,
    records: Vec<DemoRecord>,
    sessions: u32,
    messages: u32,
    /// The shop customer id once the person has identified on the web site.
    user_id: Option<String>,
}

struct Purchase {
    at: i64,
    won_back: bool,
}

impl Life {
    fn live(&mut self) {
        let joined = self.start + self.rng.random_range(0..DemoConfig::HISTORY_DAYS * DAY);
        match self.id.kind {
            Kind::Anonymous => {
                let visits = 1 + self.geometric(0.5, 5);
                for _ in 0..visits {
                    let at = joined + self.rng.random_range(0..90 * DAY);
                    self.browse(at, None);
                }
            }
            Kind::Subscriber => {
                self.browse(joined, None);
                self.identify(joined + 300, false);
                let engagement = self.engagement();
                self.email(joined + 600, engagement, &[]);
                if self.rng.random_bool(0.1) {
                    self.survey(joined + 20 * DAY, None);
                }
            }
            Kind::Customer => self.customer(joined),
            Kind::TestAccount => self.test_account(joined),
        }
    }

    fn customer(&mut self, joined: i64) {
        for _ in 0..self.geometric(0.6, 3) {
            let at = joined - self.rng.random_range(DAY..30 * DAY);
            self.browse(at, None);
        }
        let purchases = self.purchase_times(joined);
        if purchases.is_empty() {
            // Joined too late to buy inside the history: still a browser.
            self.browse(joined, None);
            return;
        }
        // Spend per order: Gamma(p = 6, ν) with ν ~ Gamma(q = 4, rate 30): mean £60.
        let nu: f64 = Gamma::new(4.0, 1.0 / 30.0).map(|g| g.sample(&mut self.rng)).unwrap_or(0.1);
        let spend = Gamma::new(6.0, 1.0 / nu.max(1e-3)).ok();
        let customer_id = 7_000_000_000 + u64::from(self.id.index) * 2;
        let mut refunds = Vec::new();
        let mut order_total = 0u32;
        let mut winbacks = Vec::new();
        for (k, purchase) in purchases.iter().enumerate() {
            let first = k == 0;
            if purchase.won_back {
                winbacks.push(purchase.at - self.rng.random_range(DAY..5 * DAY));
            }
            let via_guest = self.id.guest_checkout && k == 1;
            let buyer = if via_guest { customer_id + 1 } else { customer_id };
            let amount: f64 = spend.as_ref().map_or(60.0, |g| g.sample(&mut self.rng)).clamp(4.0, 2_000.0);
            let refund = self.order(k as u64, buyer, purchase, amount, first);
            if let Some(r) = refund {
                refunds.push(r);
            }
            order_total += 1;
        }
        let first_at = purchases[0].at;
        let last_at = purchases.last().map_or(first_at, |p| p.at);
        let phone = self.id.phone.as_ref().map(|p| format!("+44 {} {}", &p[..4], &p[4..]));
        let email = self.id.email.clone().unwrap_or_default();
        let shown_email =
            if self.id.email_typed_with_caps { person::with_caps(&email) } else { email.clone() };
        let guest_orders = u32::from(self.id.guest_checkout && purchases.len() > 1);
        let consent = self.id.subscribes;
        let customer = payloads::shop_customer(
            customer_id,
            self.id.first,
            self.id.last,
            &shown_email,
            phone.as_deref(),
            self.id.city,
            first_at,
            last_at,
            order_total - guest_orders,
            consent,
        );
        self.push("demo-shop", "customers", customer_id.to_string(), last_at, &customer);
        if guest_orders > 0 {
            let guest = payloads::shop_customer(
                customer_id + 1,
                self.id.first,
                self.id.last,
                &person::with_caps(&email),
                None,
                self.id.city,
                purchases[1].at,
                purchases[1].at,
                1,
                false,
            );
            self.push("demo-shop", "customers", (customer_id + 1).to_string(), purchases[1].at, &guest);
        }
        let engagement = self.engagement();
        if self.id.subscribes {
            self.email(first_at + 3_600, engagement, &winbacks);
        }
        let had_ticket = self.support(&purchases, &refunds);
        if self.rng.random_bool(0.2) {
            let pick = purchases[self.rng.random_range(0..purchases.len())].at;
            let base =
                8.2 - 3.0 * f64::from(u8::from(!refunds.is_empty())) - 1.5 * f64::from(u8::from(had_ticket))
                    + f64::from(u8::from(purchases.len() > 3));
            let noise = Normal::new(0.0, 1.5).map(|n| n.sample(&mut self.rng)).unwrap_or(0.0);
            let nps = (base + noise).round().clamp(0.0, 10.0) as u8;
            self.survey(pick + 3 * DAY, Some(nps));
        }
    }

    /// Purchase times: BG/NBD — Gamma purchase rate, Beta drop-out after each
    /// purchase; 15% of those who drop out are won back once by email.
    fn purchase_times(&mut self, joined: i64) -> Vec<Purchase> {
        let mut rate: f64 = Gamma::new(0.9, 1.0 / 54.0).map(|g| g.sample(&mut self.rng)).unwrap_or(0.01);
        let drop = Beta::new(1.2, 5.0).map(|b| b.sample(&mut self.rng)).unwrap_or(0.2);
        let mut at = joined + self.exp_days(0.5);
        let mut out = Vec::new();
        let mut won_back = false;
        let mut next_won_back = false;
        while at < self.end && (out.len() as u64) < MAX_ORDERS {
            out.push(Purchase { at, won_back: next_won_back });
            next_won_back = false;
            if self.rng.random_bool(drop) {
                if won_back || !self.rng.random_bool(0.15) {
                    break;
                }
                won_back = true;
                next_won_back = true;
                at += self.rng.random_range(120 * DAY..300 * DAY);
                rate = Gamma::new(0.9, 1.0 / 54.0).map(|g| g.sample(&mut self.rng)).unwrap_or(0.01);
                continue;
            }
            at += self.exp_days(rate.max(1e-4));
        }
        out
    }

    fn order(&mut self, k: u64, buyer: u64, purchase: &Purchase, amount: f64, first: bool) -> Option<Refund> {
        let medium = if purchase.won_back { ("newsletter", "email") } else { self.medium() };
        let session_at = purchase.at - self.rng.random_range(300..3_000);
        let items = self.line_items(amount);
        let total: f64 = items.iter().map(|i| i.unit_price * f64::from(i.quantity)).sum();
        let order_id = 5_000_000_000 + u64::from(self.id.index) * MAX_ORDERS + k;
        let device = self.device();
        self.session(session_at, medium, &device, &items, Some((order_id, total, purchase.at)), first);
        let roll: f64 = self.rng.random();
        let refund = if roll < 0.07 {
            Some(Refund { at: purchase.at + self.rng.random_range(5 * DAY..25 * DAY), amount: total })
        } else if roll < 0.10 {
            Some(Refund {
                at: purchase.at + self.rng.random_range(3 * DAY..20 * DAY),
                amount: (total * 0.4 * 100.0).round() / 100.0,
            })
        } else {
            None
        };
        let refund = refund.filter(|r| r.at < self.end);
        let email = self.id.email.clone().unwrap_or_default();
        let number = 1_000 + u64::from(self.id.index) * MAX_ORDERS + k;
        let payload = payloads::shop_order(
            order_id,
            number,
            buyer,
            &email,
            purchase.at,
            total,
            &items,
            refund.as_ref(),
        );
        let updated = refund.as_ref().map_or(purchase.at, |r| r.at);
        self.push("demo-shop", "orders", order_id.to_string(), updated, &payload);
        refund
    }

    fn line_items(&mut self, amount: f64) -> Vec<LineItem> {
        let lines = 1 + self.geometric(0.55, 3);
        let weights: Vec<(usize, f64)> = (0..lines)
            .map(|_| (self.rng.random_range(0..PRODUCTS.len()), 0.5 + self.rng.random::<f64>()))
            .collect();
        let weight_sum: f64 = weights.iter().map(|(i, w)| PRODUCTS[*i].2 * w).sum();
        weights
            .into_iter()
            .map(|(i, w)| {
                let (title, category, scale) = PRODUCTS[i];
                let price = (amount * scale * w / weight_sum * 100.0).round() / 100.0;
                LineItem { title, category, quantity: 1, unit_price: price.max(0.5) }
            })
            .collect()
    }

    /// A web visit: landing page, product views, and for a purchase the cart,
    /// checkout and the order; a first purchase identifies the visitor.
    fn session(
        &mut self,
        at: i64,
        medium: (&'static str, &'static str),
        device: &str,
        items: &[LineItem],
        order: Option<(u64, f64, i64)>,
        identify_at_checkout: bool,
    ) {
        if at < self.start || at >= self.end {
            return;
        }
        self.sessions += 1;
        let mut t = at;
        if matches!(medium.1, "cpc" | "paid_social") {
            self.message("track", device, t, "Ad Clicked", json!({ "ad_network": medium.0, "click_id": format!("clk-{}-{}", self.id.index, self.sessions) }), Some(medium));
        }
        let landing = if medium.1 == "email" || medium.1 == "cpc" { "Product" } else { "Home" };
        self.page(device, t, landing, Some(medium));
        for item in items {
            t += self.rng.random_range(20..240);
            self.page(device, t, "Product", None);
            if order.is_some() {
                self.message(
                    "track",
                    device,
                    t + 5,
                    "Product Added",
                    json!({ "name": item.title, "category": item.category, "price": item.unit_price }),
                    None,
                );
            }
        }
        if let Some((order_id, total, placed)) = order {
            let checkout = placed.max(t + 30) - 20;
            self.page(device, checkout.min(placed), "Checkout", None);
            if identify_at_checkout && self.user_id.is_none() {
                self.identify(checkout.min(placed), true);
            }
            self.message("track", device, placed, "Order Completed", json!({ "order_id": order_id.to_string(), "revenue": (total * 100.0).round() / 100.0, "currency": "GBP" }), None);
        } else {
            let extra = self.geometric(0.45, 4);
            for _ in 0..extra {
                t += self.rng.random_range(15..300);
                let name = if self.rng.random_bool(0.6) { "Product" } else { "Category" };
                self.page(device, t, name, None);
            }
        }
    }

    fn browse(&mut self, at: i64, medium: Option<(&'static str, &'static str)>) {
        let medium = medium.unwrap_or_else(|| self.medium());
        let device = self.device();
        self.session(at, medium, &device, &[], None, false);
    }

    fn page(&mut self, device: &str, at: i64, name: &str, campaign: Option<(&'static str, &'static str)>) {
        let path = match name {
            "Home" => "/".to_owned(),
            "Checkout" => "/checkout".to_owned(),
            other => format!("/{}/{}", other.to_lowercase(), self.rng.random_range(100..160)),
        };
        self.message("page", device, at, name, json!({ "path": path, "title": name }), campaign);
    }

    fn message(
        &mut self,
        kind: &'static str,
        device: &str,
        at: i64,
        name: &str,
        properties: Value,
        campaign: Option<(&'static str, &'static str)>,
    ) {
        if at < self.start || at >= self.end {
            return;
        }
        self.messages += 1;
        let message_id = format!("m-{:x}-{}", self.id.index, self.messages);
        let user_id = self.user_id.clone();
        let payload = payloads::segment(&SegmentMessage {
            kind,
            message_id: message_id.clone(),
            anonymous_id: device,
            user_id: user_id.as_deref(),
            at,
            name,
            properties,
            campaign,
        });
        let stream = match kind {
            "page" => "pages",
            "track" => "tracks",
            _ => "identifies",
        };
        self.push("demo-web", stream, message_id, at, &payload);
    }

    /// The visitor tells the site who they are: a customer logs in at
    /// checkout (user id + email); a subscriber fills the newsletter form.
    fn identify(&mut self, at: i64, as_customer: bool) {
        if as_customer {
            self.user_id = Some((7_000_000_000 + u64::from(self.id.index) * 2).to_string());
        }
        let traits = json!({ "email": self.id.email, "firstName": self.id.first, "lastName": self.id.last });
        let device = self.id.devices.first().cloned().unwrap_or_default();
        self.message("identify", &device, at, "", traits, None);
    }

    fn email(&mut self, subscribed_at: i64, engagement: f64, winbacks: &[i64]) {
        let Some(address) = self.id.old_email.clone().or_else(|| self.id.email.clone()) else {
            return;
        };
        let hash = subscriber_hash(&address);
        let mut status = "subscribed";
        let mut changed = subscribed_at;
        let mut campaigns: Vec<(String, i64)> = (0..)
            .map(|k| (format!("c{k:03}"), self.start + 15 * DAY + k * CAMPAIGN_EVERY))
            .take_while(|(_, at)| *at < self.end)
            .filter(|(_, at)| *at > subscribed_at)
            .collect();
        campaigns.extend(winbacks.iter().map(|at| (format!("winback-{}", at / DAY), *at)));
        campaigns.sort_by_key(|(_, at)| *at);
        for (campaign, at) in campaigns {
            if at >= self.end || at < subscribed_at {
                continue;
            }
            let is_winback = campaign.starts_with("winback");
            let mut actions = Vec::new();
            if self.rng.random_bool(0.005) {
                actions.push(("bounce", at + 60));
            } else if is_winback || self.rng.random_bool(engagement) {
                let opened = at + self.rng.random_range(600..2 * DAY);
                actions.push(("open", opened));
                if is_winback || self.rng.random_bool(0.3) {
                    actions.push(("click", opened + 40));
                    if !is_winback && self.rng.random_bool(0.5) {
                        self.browse(opened + 60, Some(("newsletter", "email")));
                    }
                }
            }
            let payload = payloads::email_activity(&campaign, &hash, &address, &actions);
            self.push("demo-email", "email_activity", format!("{campaign}:{hash}"), at, &payload);
            if !is_winback && self.rng.random_bool(0.01) {
                status = "unsubscribed";
                changed = at + DAY;
                break;
            }
        }
        let member = payloads::email_member(
            &hash,
            &address,
            self.id.first,
            self.id.last,
            status,
            subscribed_at,
            changed,
        );
        self.push("demo-email", "members", hash, changed, &member);
    }

    /// Tickets and calls: after most returns, and now and then otherwise.
    fn support(&mut self, purchases: &[Purchase], refunds: &[Refund]) -> bool {
        let mut tickets: Vec<(i64, &'static str)> =
            refunds.iter().filter(|_| self.rng.random_bool(0.5)).map(|r| (r.at - DAY, "return")).collect();
        if self.rng.random_bool(0.15) {
            for _ in 0..1 + self.geometric(0.6, 2) {
                let near = purchases[self.rng.random_range(0..purchases.len())].at;
                let reason = REASONS[self.rng.random_range(0..REASONS.len())];
                tickets.push((near + self.rng.random_range(DAY..10 * DAY), reason));
            }
        }
        tickets.retain(|(at, _)| *at < self.end);
        tickets.sort_by_key(|(at, _)| *at);
        let Some(first) = tickets.first().map(|(at, _)| *at) else {
            return false;
        };
        let user_id = 360_000_000 + u64::from(self.id.index);
        for (k, (at, reason)) in tickets.iter().enumerate() {
            let channel = match self.rng.random_range(0..10) {
                0..5 => "email",
                5..8 => "voice",
                _ => "chat",
            };
            let solved = (at + self.rng.random_range(3_600..4 * DAY)).min(self.end - 1);
            let id = u64::from(self.id.index) * 16 + k as u64;
            let ticket = payloads::support_ticket(id, user_id, channel, reason, *at, solved);
            self.push("demo-support", "tickets", id.to_string(), solved, &ticket);
        }
        let email =
            self.id.email.as_ref().map(|e| if self.id.support_typo { person::typo(e) } else { e.clone() });
        let phone = self.id.phone.as_ref().map(|p| format!("0{} {}", &p[..4], &p[4..]));
        let name = format!("{} {}", self.id.first, self.id.last);
        let user = payloads::support_user(user_id, &name, email.as_deref(), phone.as_deref(), first, first);
        self.push("demo-support", "users", user_id.to_string(), first, &user);
        true
    }

    fn survey(&mut self, at: i64, nps: Option<u8>) {
        if at >= self.end {
            return;
        }
        let Some(email) = self.id.email.clone() else {
            return;
        };
        let channel = if self.id.subscribes {
            "email"
        } else if self.rng.random_bool(0.5) {
            "sms"
        } else {
            "none"
        };
        let interest = PRODUCTS[self.rng.random_range(0..PRODUCTS.len())].1;
        let id = format!("r-{:x}", self.id.index);
        let payload = payloads::survey_response(&id, &email, at, nps, channel, interest);
        self.push("demo-survey", "responses", id, at, &payload);
    }

    /// Staff test accounts: a few test orders under a junk email.
    fn test_account(&mut self, joined: i64) {
        let customer_id = 7_000_000_000 + u64::from(self.id.index) * 2;
        let email = self.id.email.clone().unwrap_or_default();
        let orders = 1 + self.geometric(0.5, 3);
        let mut last = joined;
        for k in 0..orders {
            let at = joined + i64::from(k) * self.rng.random_range(DAY..20 * DAY);
            if at >= self.end {
                break;
            }
            last = at;
            let items = [LineItem { title: "Test product", category: "test", quantity: 1, unit_price: 1.0 }];
            let order_id = 5_000_000_000 + u64::from(self.id.index) * MAX_ORDERS + u64::from(k);
            let payload = payloads::shop_order(
                order_id,
                1_000 + order_id - 5_000_000_000,
                customer_id,
                &email,
                at,
                1.0,
                &items,
                None,
            );
            self.push("demo-shop", "orders", order_id.to_string(), at, &payload);
        }
        let customer = payloads::shop_customer(
            customer_id,
            "Test",
            "Account",
            &email,
            None,
            "London",
            joined,
            last,
            orders,
            false,
        );
        self.push("demo-shop", "customers", customer_id.to_string(), last, &customer);
    }

    fn push(
        &mut self,
        source: &'static str,
        stream: &'static str,
        source_id: String,
        updated: i64,
        payload: &Value,
    ) {
        self.records.push(DemoRecord {
            source,
            stream,
            source_id,
            updated_at: parlance_warehouse::Timestamp::from_unix_clamped(updated.min(self.end - 1)),
            payload_json: payload.to_string(),
            person: self.id.index,
        });
    }

    fn medium(&mut self) -> (&'static str, &'static str) {
        let mut roll: f64 = self.rng.random();
        for (source, medium, share) in MEDIA {
            if roll < *share {
                return (source, medium);
            }
            roll -= share;
        }
        ("(direct)", "(none)")
    }

    fn device(&mut self) -> String {
        let i = self.rng.random_range(0..self.id.devices.len().max(1));
        self.id.devices.get(i).cloned().unwrap_or_default()
    }

    fn engagement(&mut self) -> f64 {
        Beta::new(2.0, 4.0).map(|b| b.sample(&mut self.rng)).unwrap_or(0.3)
    }

    fn exp_days(&mut self, rate_per_day: f64) -> i64 {
        let days = Exp::new(rate_per_day).map(|e| e.sample(&mut self.rng)).unwrap_or(1.0);
        (days * DAY as f64) as i64
    }

    /// Failures before the first success, capped.
    fn geometric(&mut self, success: f64, cap: u32) -> u32 {
        let mut n = 0;
        while n < cap && !self.rng.random_bool(success) {
            n += 1;
        }
        n
    }
}

/// A stable 32-hex-digit id per lower-cased email (Mailchimp keys members by
/// the MD5 of the lower-cased address; any stable hash serves the demo).
fn subscriber_hash(email: &str) -> String {
    let lower = email.to_lowercase();
    let fnv =
        |basis: u64| lower.bytes().fold(basis, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3));
    format!("{:016x}{:016x}", fnv(0xCBF2_9CE4_8422_2325), fnv(0x84222325CBF29CE4))
}
