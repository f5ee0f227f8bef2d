//! The value charts as SVG text: the histogram of profile values with the
//! tier thresholds, the tiers, and the BG/NBD hold-out calibration. Drawing is
//! `parlance-charts`' job; this module only gathers the data.

use parlance_charts::{CalibrationGroup, ChartError, Size, Theme, Threshold, TierBar, ValueHistogram};

use crate::{ApiError, ErrorCode, Parlance};

/// Buckets of the value histogram.
const HISTOGRAM_BUCKETS: usize = 30;

fn theme(text: &str) -> Result<Theme, ApiError> {
    Theme::parse(text)
        .ok_or_else(|| ApiError::invalid(format!("theme {text:?} is neither \"light\" nor \"dark\"")))
}

fn drawn(r: Result<String, ChartError>) -> Result<String, ApiError> {
    r.map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
}

impl Parlance {
    /// Profiles by value (live profiles, 30 equal buckets), tier thresholds
    /// marked. `theme` is "light" or "dark"; the size is clamped to
    /// 240×160 … 4000×4000. Same warehouse, same bytes.
    pub fn value_histogram_svg(&self, theme_name: &str, width: u32, height: u32) -> Result<String, ApiError> {
        let theme = theme(theme_name)?;
        let summary = self.value_summary()?;
        let reader = self.warehouse.reader()?;
        let what = |e: parlance_warehouse::SqliteError| {
            ApiError::new(ErrorCode::Internal, format!("reading profile values: {e}"))
        };
        let mut statement = reader.prepare("SELECT value FROM profile_value ORDER BY value").map_err(what)?;
        let values = statement.query_map([], |r| r.get::<_, f64>(0)).map_err(what)?;
        let values: Vec<f64> = values.collect::<Result<_, _>>().map_err(what)?;
        let thresholds = summary
            .tiers
            .iter()
            .filter_map(|t| Some(Threshold { name: t.name.clone(), from: t.from? }))
            .collect();
        let data =
            ValueHistogram::from_values(&values, HISTOGRAM_BUCKETS, thresholds, &summary.model.currency);
        drawn(parlance_charts::value_histogram(&data, theme, Size::new(width, height)))
    }

    /// Profiles and total value per tier, in the definition's order.
    pub fn value_tiers_svg(&self, theme_name: &str, width: u32, height: u32) -> Result<String, ApiError> {
        let theme = theme(theme_name)?;
        let summary = self.value_summary()?;
        let tiers: Vec<TierBar> = summary
            .tiers
            .iter()
            .map(|t| TierBar { name: t.name.clone(), profiles: t.profiles, total_value: t.total_value })
            .collect();
        drawn(parlance_charts::value_tiers(&tiers, &summary.model.currency, theme, Size::new(width, height)))
    }

    /// The stored model's hold-out check: predicted and actual mean
    /// purchases per calibration frequency ("No data" when the check could
    /// not be run).
    pub fn value_calibration_svg(
        &self,
        theme_name: &str,
        width: u32,
        height: u32,
    ) -> Result<String, ApiError> {
        let theme = theme(theme_name)?;
        let summary = self.value_summary()?;
        let (groups, days) = match &summary.model.holdout {
            Some(h) => (
                h.groups
                    .iter()
                    .map(|g| CalibrationGroup {
                        frequency: g.frequency,
                        pooled: g.pooled,
                        customers: g.customers,
                        mean_predicted: g.mean_predicted,
                        mean_actual: g.mean_actual,
                    })
                    .collect(),
                h.holdout_days,
            ),
            None => (Vec::new(), 0),
        };
        drawn(parlance_charts::calibration(&groups, days, theme, Size::new(width, height)))
    }
}
