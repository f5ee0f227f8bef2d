//! DOCS_PLACEHOLDER

mod bgnbd;
mod calibration;
mod clv;
mod error;
mod gamma_gamma;
mod optimise;
mod rfm;
pub mod special;

pub use bgnbd::{BgNbd, BgNbdFit};
pub use calibration::{CalibrationReport, FrequencyGroup, HoldoutCustomer, POOLED_FREQUENCY, calibrate_and_hold_out};
pub use clv::{ClvSettings, CustomerValue, customer_value, customer_values};
pub use error::ValueError;
pub use gamma_gamma::{GammaGamma, GammaGammaFit};
pub use optimise::FitOptions;
pub use rfm::{CustomerSummary, PurchaseHistory, SpendHistory, TimeUnit, Transaction, summarize_transactions};
