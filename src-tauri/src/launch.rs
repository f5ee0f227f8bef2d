//! The app's own command line: `parlance-app [--warehouse PATH]`. Anything
//! else on the command line is left alone (WebDriver and desktop launchers
//! may add their own arguments).

use std::ffi::OsString;
use std::path::PathBuf;

const WAREHOUSE_FLAG: &str = "--warehouse";

/// The path given with `--warehouse PATH` or `--warehouse=PATH`; the last one wins.
pub fn warehouse_path_from_args(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter();
    let mut found = None;
    while let Some(arg) = args.next() {
        if arg == WAREHOUSE_FLAG {
            if let Some(value) = args.next() {
                found = Some(PathBuf::from(value));
            }
        } else if let Some(value) = arg.to_str().and_then(|text| text.strip_prefix("--warehouse=")) {
            found = Some(PathBuf::from(value));
        }
    }
    found.filter(|path| !path.as_os_str().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Option<PathBuf> {
        warehouse_path_from_args(args.iter().map(OsString::from))
    }

    #[test]
    fn takes_the_path_after_the_flag() {
        assert_eq!(parse(&["--warehouse", "/tmp/w.parlance"]), Some(PathBuf::from("/tmp/w.parlance")));
    }

    #[test]
    fn takes_the_equals_form() {
        assert_eq!(parse(&["--warehouse=/tmp/w.parlance"]), Some(PathBuf::from("/tmp/w.parlance")));
    }

    #[test]
    fn ignores_other_arguments_and_lets_the_last_flag_win() {
        assert_eq!(
            parse(&["--automation", "--warehouse", "/a", "-psn_0_1", "--warehouse", "/b"]),
            Some(PathBuf::from("/b"))
        );
    }

    #[test]
    fn is_none_without_the_flag_a_value_or_a_non_empty_path() {
        assert_eq!(parse(&[]), None);
        assert_eq!(parse(&["--verbose"]), None);
        assert_eq!(parse(&["--warehouse"]), None);
        assert_eq!(parse(&["--warehouse="]), None);
    }
}
