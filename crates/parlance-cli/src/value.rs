//! `parlance value fit | summary | show`: the universal customer value.

use std::fmt::Write;
use std::path::Path;

use clap::Subcommand;
use parlance_api::{
    ApiError, ErrorCode, Parlance, ProfileValueDto, Timestamp, ValueModelDto, ValueSummaryDto,
};

use crate::format::count;

#[derive(Debug, Subcommand)]
pub enum ValueCommand {
    /// Refit the value models and revalue every profile; print the parameters, log-likelihood and hold-out check
    Fit {
        /// Observation end, YYYY-MM-DD [default: the demo's history end on a demo warehouse, else yesterday]
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        /// Also write the calibration chart (predicted vs actual hold-out purchases) as SVG
        #[arg(long, value_name = "FILE")]
        svg: Option<std::path::PathBuf>,
    },
    /// The distribution of value: profiles and value per tier and decile, totals, means and components
    Summary {
        #[arg(long)]
        json: bool,
        /// Also write the value histogram (profiles by value, tier thresholds marked) as SVG
        #[arg(long, value_name = "FILE")]
        svg: Option<std::path::PathBuf>,
    },
    /// One profile's value with every component and input
    Show {
        /// A profile id, or an email, phone number or customer id of the profile
        #[arg(value_name = "PROFILE")]
        profile: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(path: &Path, command: ValueCommand) -> Result<(), ApiError> {
    let parlance = Parlance::open_existing(path)?;
    match command {
        ValueCommand::Fit { as_of, json, svg } => {
            let now = time::OffsetDateTime::now_utc();
            let model = parlance.fit_value(as_of.as_deref(), now.date(), Timestamp::new(now))?;
            if let Some(file) = svg {
                write_svg(&file, &parlance.value_calibration_svg("light", 800, 450)?)?;
            }
            if json {
                return crate::print_json(&model);
            }
            print!("{}", render_model(&model));
        }
        ValueCommand::Summary { json, svg } => {
            let summary = parlance.value_summary()?;
            if let Some(file) = svg {
                write_svg(&file, &parlance.value_histogram_svg("light", 800, 450)?)?;
            }
            if json {
                return crate::print_json(&summary);
            }
            print!("{}", render_summary(&summary));
        }
        ValueCommand::Show { profile, json } => {
            let value = parlance.profile_value(&profile)?;
            if json {
                return crate::print_json(&value);
            }
            print!("{}", render_profile(&value));
        }
    }
    Ok(())
}

fn write_svg(file: &Path, svg: &str) -> Result<(), ApiError> {
    std::fs::write(file, svg)
        .map_err(|e| ApiError::new(ErrorCode::Io, format!("writing {}: {e}", file.display())))
}

fn money(amount: f64, currency: &str) -> String {
    format!("{amount:.2} {currency}")
}

/// The human form of `parlance value fit`.
pub fn render_model(m: &ValueModelDto) -> String {
    let mut out = String::new();
    let p = &m.profiles;
    let _ = writeln!(
        out,
        "Value model {} (as of {}, {} months ahead, {})",
        m.model_version, m.as_of, m.horizon_months, m.currency
    );
    let _ = writeln!(out, "  parameters from {}", m.parameters_origin);
    let _ = writeln!(
        out,
        "  profiles: {} live; {} repeat buyers, {} single-purchase, {} without purchases (value 0)",
        count(p.live),
        count(p.repeat_purchases),
        count(p.single_purchase),
        count(p.no_purchases)
    );
    let b = &m.bgnbd;
    let _ = writeln!(
        out,
        "BG/NBD (days)    r {:.4}  alpha {:.4}  a {:.4}  b {:.4}  log-likelihood {:.2}  ({} customers)",
        b.r,
        b.alpha,
        b.a,
        b.b,
        b.log_likelihood,
        count(b.customers)
    );
    let g = &m.gamma_gamma;
    let _ = writeln!(
        out,
        "Gamma-Gamma      p {:.4}  q {:.4}  gamma {:.4}  log-likelihood {:.2}  ({} repeat buyers; population mean spend {})",
        g.p,
        g.q,
        g.gamma,
        g.log_likelihood,
        count(g.customers),
        money(g.population_mean_spend, &m.currency)
    );
    let _ = writeln!(out, "Cost to serve (per purchase; own history shrunk toward the population rate)");
    for r in &m.cost_to_serve {
        let what = r.channel.as_ref().map_or_else(|| "returns".to_owned(), |c| format!("{c} contacts"));
        let _ = writeln!(
            out,
            "  {what:<16} {:.4} per purchase, prior worth {:.1} purchases, {} each",
            r.population_rate,
            r.prior_purchases,
            money(r.cost, &m.currency)
        );
    }
    match (&m.holdout, &m.holdout_error) {
        (Some(h), _) => {
            let _ = writeln!(
                out,
                "Hold-out check: fit to {} (r {:.4} alpha {:.4} a {:.4} b {:.4}), {} days held out",
                h.calibration_end, h.bgnbd.r, h.bgnbd.alpha, h.bgnbd.a, h.bgnbd.b, h.holdout_days
            );
            let _ = writeln!(
                out,
                "  {:>9} {:>10} {:>10} {:>10}",
                "frequency", "customers", "predicted", "actual"
            );
            for group in &h.groups {
                let label =
                    if group.pooled { format!("{}+", group.frequency) } else { group.frequency.to_string() };
                let _ = writeln!(
                    out,
                    "  {label:>9} {:>10} {:>10.3} {:>10.3}",
                    count(group.customers),
                    group.mean_predicted,
                    group.mean_actual
                );
            }
        }
        (None, Some(why)) => {
            let _ = writeln!(out, "Hold-out check not run: {why}");
        }
        (None, None) => {}
    }
    let _ = writeln!(out, "Total value {}", money(m.total_value, &m.currency));
    out
}

/// The human form of `parlance value summary`.
pub fn render_summary(s: &ValueSummaryDto) -> String {
    let currency = &s.model.currency;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Value of {} profiles as of {} ({}): total {}, mean {} per profile, {} per customer",
        count(s.profiles),
        s.model.as_of,
        s.model.model_version,
        money(s.total_value, currency),
        money(s.mean_value, currency),
        money(s.mean_customer_value, currency)
    );
    let _ = writeln!(out, "\nTiers");
    for t in &s.tiers {
        let from = t.from.map_or_else(|| "otherwise".to_owned(), |f| format!("from {f}"));
        let _ = writeln!(
            out,
            "  {:<10} {:<16} {:>10} profiles  {:>14}",
            t.name,
            from,
            count(t.profiles),
            money(t.total_value, currency)
        );
    }
    let _ = writeln!(out, "\nDeciles of customers (10 = top)");
    for d in &s.deciles {
        let _ = writeln!(
            out,
            "  {:>2} {:>10} profiles  {:>14}",
            d.decile,
            count(d.profiles),
            money(d.total_value, currency)
        );
    }
    let _ = writeln!(out, "\nBasis");
    for b in &s.bases {
        let _ = writeln!(out, "  {:<18} {:>10} profiles", b.basis, count(b.profiles));
    }
    let c = &s.components;
    let _ = writeln!(out, "\nComponents (discounted, over {} months)", s.model.horizon_months);
    let _ = writeln!(out, "  expected purchases {:>14.1}", c.purchases);
    let _ = writeln!(out, "  margin             {:>14}", money(c.margin, currency));
    let _ = writeln!(out, "  cost to serve      {:>14}", money(c.cost_to_serve, currency));
    let _ = writeln!(out, "    support contacts {:>14}", money(c.contact_cost, currency));
    let _ = writeln!(
        out,
        "    returns          {:>14}  ({:.1} expected)",
        money(c.return_cost, currency),
        c.expected_returns
    );
    out
}

/// The human form of `parlance value show`.
pub fn render_profile(v: &ProfileValueDto) -> String {
    let cur = &v.currency;
    let mut out = String::new();
    let _ = writeln!(out, "Profile {} ({}, matched by {})", v.profile_id, v.kind, v.matched);
    let tier = v.tier.as_deref().unwrap_or("none");
    let decile = v.decile.map_or_else(|| "none".to_owned(), |d| d.to_string());
    let _ = writeln!(out, "  value {}  tier {tier}  decile {decile}  ({})", money(v.value, cur), v.basis);
    let _ = writeln!(out, "  model {} computed {}", v.model_version, v.computed_at);
    if v.basis == "no purchases" {
        let _ = writeln!(
            out,
            "  no purchases up to the as-of date: value 0 by definition (nothing to predict from)"
        );
        return out;
    }
    let _ = writeln!(out, "Components over {} months", v.horizon_months);
    let _ = writeln!(
        out,
        "  expected purchases      {:.3} ({:.3} discounted)",
        v.purchases, v.discounted_purchases
    );
    let _ = writeln!(out, "  P(alive)                {:.3}", v.probability_alive);
    let _ = writeln!(out, "  expected spend          {} per purchase", money(v.spend, cur));
    let _ = writeln!(out, "  margin rate             {:.1}%", v.margin_rate * 100.0);
    let _ = writeln!(out, "  margin                  {}", money(v.margin, cur));
    let _ = writeln!(out, "  cost to serve           {}", money(v.cost_to_serve, cur));
    let _ = writeln!(out, "    support contacts      {}", money(v.contact_cost, cur));
    for (channel, expected) in &v.expected_contacts {
        let _ = writeln!(out, "      {channel:<20}{expected:.3} expected");
    }
    let _ = writeln!(
        out,
        "    returns               {} ({:.3} expected)",
        money(v.return_cost, cur),
        v.expected_returns
    );
    let i = &v.inputs;
    let _ = writeln!(out, "Inputs");
    let first = i.first_purchase.as_deref().unwrap_or("-");
    let last = i.last_purchase.as_deref().unwrap_or("-");
    let _ = writeln!(
        out,
        "  orders {} ({} returned), net revenue {}",
        i.orders,
        i.returns,
        money(i.net_revenue, cur)
    );
    if i.other_currency_orders > 0 {
        let _ = writeln!(
            out,
            "  {} order(s) in other currencies (counted as purchases, not spend)",
            i.other_currency_orders
        );
    }
    let _ = writeln!(
        out,
        "  frequency {} repeat days, recency {} days, age {} days (first {first}, last {last})",
        i.frequency, i.recency_days, i.age_days
    );
    let _ =
        writeln!(out, "  mean repeat spend {} over {} day(s)", money(i.monetary_value, cur), i.monetary_days);
    for (channel, contacts) in &i.contacts {
        let rate = i.contact_rates.get(channel).copied().unwrap_or(0.0);
        let _ = writeln!(out, "  {channel} contacts {contacts} ({rate:.4} expected per purchase)");
    }
    let _ = writeln!(out, "  return rate {:.4} per purchase", i.return_rate);
    if v.history.len() > 1 {
        let _ = writeln!(out, "History");
        for point in &v.history {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                point.computed_at,
                money(point.value, cur),
                point.model_version
            );
        }
    }
    out
}
