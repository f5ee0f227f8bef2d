//! `parlance vocab …` and `parlance segment …` as a user runs them.

use crate::{parlance, stderr, stdout};

#[test]
fn vocab_and_segment_commands_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("w.parlance");
    let folder = dir.path().join("vocabulary");
    let folder_arg = folder.to_str().unwrap();
    assert!(parlance(&wh, &["demo", "--people", "800", "--as-of", "2025-06-30"]).status.success());

    let sync =
        parlance(&wh, &["vocab", "sync", "--vocabulary", folder_arg, "--author", "ana", "-m", "first"]);
    assert!(sync.status.success(), "{}", stderr(&sync));
    let check = parlance(&wh, &["vocab", "check", "--vocabulary", folder_arg, "--json"]);
    assert!(check.status.success(), "{}{}", stdout(&check), stderr(&check));
    let report: serde_json::Value = serde_json::from_str(&stdout(&check)).unwrap();
    assert_eq!(report["errors"], 0);

    let list = stdout(&parlance(&wh, &["vocab", "list"]));
    assert!(list.contains("promoters") && list.contains("lifecycle"), "{list}");
    let show = stdout(&parlance(&wh, &["vocab", "show", "promoters"]));
    assert!(show.contains("where survey.nps >= 9"), "{show}");

    let eval = parlance(&wh, &["segment", "eval", "promoters", "--json"]);
    assert!(eval.status.success(), "{}", stderr(&eval));
    let members: serde_json::Value = serde_json::from_str(&stdout(&eval)).unwrap();
    assert_eq!(members["asOf"], "2025-06-30", "the demo's last day by default");
    let first = members["profiles"][0].as_i64().unwrap();
    let explain = stdout(&parlance(&wh, &["segment", "eval", "promoters", "--explain", &first.to_string()]));
    assert!(explain.contains("is IN segment promoters") && explain.contains("survey.nps = "), "{explain}");

    let csv = dir.path().join("p.csv");
    let export = parlance(&wh, &["segment", "export", "promoters", "--csv", csv.to_str().unwrap()]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .starts_with("profile_id,primary_email,value,tier,entered_at\n")
    );

    // Edit, publish, history and diff.
    let file = folder.join("segments.parlance");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("survey.nps <= 6", "survey.nps <= 5")).unwrap();
    assert!(
        parlance(&wh, &["vocab", "sync", "--vocabulary", folder_arg, "--author", "ana", "-m", "stricter"])
            .status
            .success()
    );
    let history = stdout(&parlance(&wh, &["vocab", "history", "detractors"]));
    assert!(history.contains("v2") && history.contains("stricter"), "{history}");
    let diff = stdout(&parlance(&wh, &["vocab", "diff", "detractors"]));
    assert!(diff.contains("-  where survey.nps <= 6") && diff.contains("+  where survey.nps <= 5"), "{diff}");

    // A broken file: check fails with line:col, fmt leaves it alone.
    std::fs::write(folder.join("broken.parlance"), "segment x\n  where trait.cty = \"a\"\n").unwrap();
    let check = parlance(&wh, &["vocab", "check", "--vocabulary", folder_arg]);
    assert!(!check.status.success());
    assert!(stdout(&check).contains("broken.parlance:2:9: error[unknown-field]"), "{}", stdout(&check));
    let fmt = parlance(&wh, &["vocab", "fmt", "--check", "--vocabulary", folder_arg]);
    assert!(fmt.status.success(), "{}{}", stdout(&fmt), stderr(&fmt));
}
