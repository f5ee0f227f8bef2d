//! Parse, check and compile arbitrary text: nothing may panic, every bound
//! parameter that claims a literal equals it, and no text of the input
//! reaches the SQL (see `parlance_vocabulary::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use parlance_vocabulary::Date;
use parlance_vocabulary::fuzzing::compile_everything;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(today) = Date::new(2025, 3, 31) {
            compile_everything(text, today);
        }
    }
});
