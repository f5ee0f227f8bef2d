//! CSV with a column mapping: conventional headers, mapping files, bad
//! cells, mapping fixes and the preview.

use parlance_import::{Format, ImportError, preview};

use crate::{fingerprint, fixture, import, now, options, scalar, strings, try_import, warehouse, write};

#[test]
fn a_csv_with_conventional_headers_needs_no_mapping() {
    let (_dir, wh) = warehouse();
    let report = import(&wh, &options(&fixture("orders.csv"), Format::Csv).with_as("orders"));
    assert_eq!((report.land.source.as_str(), report.land.stats.inserted), ("file-orders", 3));
    assert_eq!((report.unify.unified, report.quarantined), (3, 0));
    assert_eq!(
        strings(
            &wh,
            "SELECT source_order_id || ' ' || ordered_at || ' ' || amount || ' ' || currency || ' ' || status FROM orders ORDER BY 1"
        ),
        [
            "1001 2026-03-01T00:00:00Z 12.5 EUR placed",
            "1002 2026-03-02T10:00:00Z 40.0 EUR placed",
            "1003 2026-03-05T12:00:00Z 7.25 EUR refunded",
        ]
    );
    // Anna's two orders are one person.
    assert_eq!(scalar(&wh, "SELECT count(*) FROM profiles WHERE merged_into IS NULL"), 2);
    let landed =
        strings(&wh, "SELECT source_id || ' ' || payload_json FROM landing_records ORDER BY id LIMIT 1");
    assert_eq!(
        landed,
        [
            r#"1001 {"amount":"12.50","currency":"EUR","customer_id":"c-1","email":"anna@mailbox.demo","order_id":"1001","ordered_at":"2026-03-01","status":"paid"}"#
        ]
    );
    let config = strings(&wh, "SELECT config_json FROM sources");
    assert!(config[0].contains(r#""streams":{"orders":{"defaults":{},"file":"orders.csv","mapping":{"amount":"amount","currency":"currency","customer_id":"customer_id","email":"email","order_id":"order_id","ordered_at":"ordered_at","status":"status"}}}"#), "{config:?}");
}

#[test]
fn a_mapping_file_maps_columns_and_defaults() {
    let (_dir, wh) = warehouse();
    let opts =
        options(&fixture("shop-export.csv"), Format::Csv).with_mapping(fixture("shop-export.mapping.toml"));
    let report = import(&wh, &opts);
    assert_eq!((report.land.stats.inserted, report.unify.unified), (2, 2));
    assert_eq!(
        strings(
            &wh,
            "SELECT source_order_id || ' ' || amount || ' ' || currency || ' ' || status FROM orders ORDER BY 1"
        ),
        ["A-1 12.5 EUR placed", "A-2 19.99 EUR fulfilled"]
    );
    // The same mapping as JSON.
    let dir = tempfile::tempdir().unwrap();
    let json = write(
        dir.path(),
        "mapping.json",
        r#"{"as": "orders", "columns": {"order_id": "Order #", "customer_id": "Customer", "ordered_at": "Date", "amount": "Total (EUR)"}, "defaults": {"currency": "EUR"}}"#,
    );
    let opts =
        options(&fixture("shop-export.csv"), Format::Csv).with_mapping(json).with_source("json-mapped");
    assert_eq!(import(&wh, &opts).unify.unified, 2);
}

#[test]
fn mapping_mistakes_are_named_before_anything_lands() {
    let (dir, wh) = warehouse();
    let mapping = write(dir.path(), "m.toml", "[columns]\namout = \"Total (EUR)\"\n");
    let opts = options(&fixture("shop-export.csv"), Format::Csv).with_as("orders").with_mapping(&mapping);
    let err = try_import(&wh, &opts).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!(
            "{}: \"amout\" is not a field of orders; did you mean \"amount\"?",
            mapping.display()
        )),
        "{err}"
    );

    let mapping = write(dir.path(), "m.toml", "[columns]\norder_id = \"Order\"\n");
    let opts = options(&fixture("shop-export.csv"), Format::Csv).with_as("orders").with_mapping(&mapping);
    let err = try_import(&wh, &opts).unwrap_err().to_string();
    assert!(
        err.contains(
            "maps order_id to column \"Order\", which the header does not have (columns: \"Order #\""
        ),
        "{err}"
    );

    let opts = options(&fixture("shop-export.csv"), Format::Csv).with_as("orders");
    let err = try_import(&wh, &opts).unwrap_err().to_string();
    assert!(
        err.contains(
            "no column for order_id: name a column \"order_id\", or map one in a mapping file (--mapping)"
        ),
        "{err}"
    );

    let err = try_import(&wh, &options(&fixture("orders.csv"), Format::Csv)).unwrap_err();
    assert!(matches!(err, ImportError::Invalid(_)), "{err}");
    let mapping = write(dir.path(), "m.toml", "[colums]\n");
    let opts = options(&fixture("orders.csv"), Format::Csv).with_as("orders").with_mapping(&mapping);
    let err = try_import(&wh, &opts).unwrap_err().to_string();
    assert!(err.contains("not a TOML mapping") && err.contains("colums"), "{err}");
    assert_eq!(scalar(&wh, "SELECT count(*) FROM landing_records"), 0);
}

#[test]
fn bad_cells_land_in_quarantine_with_their_line_and_a_mapping_fix_releases_them() {
    let (dir, wh) = warehouse();
    let file = write(
        dir.path(),
        "orders.csv",
        "order_id,customer_id,ordered_at,amount,currency\n\
         1,c-1,2026-03-01,10.00,EUR\n\
         2,c-1,2026-03-02,\"12,50\",EUR\n\
         3,c-2,03/03/2026,5,EUR\n\
         4,c-2,2026-03-04,5\n\
         5,c-3,2026-03-05,8.10,EUR\n",
    );
    let report = import(&wh, &options(&file, Format::Csv).with_as("orders"));
    let problems: Vec<String> = report.land.problems.iter().map(ToString::to_string).collect();
    let path = file.display();
    assert_eq!(
        problems,
        [
            format!(
                "{path} line 3: amount \"12,50\" is not a decimal amount (landed; held in quarantine until fixed)"
            ),
            format!(
                "{path} line 4: ordered_at \"03/03/2026\" is not a date or time (RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS) (landed; held in quarantine until fixed)"
            ),
            format!("{path} line 5: the row has 4 cells, the header has 5 columns"),
        ]
    );
    assert_eq!((report.land.stats.inserted, report.land.rejected, report.land.held), (4, 1, 2));
    assert_eq!((report.unify.unified, report.quarantined), (2, 2));
    assert_eq!(
        strings(&wh, "SELECT reason FROM quarantine ORDER BY id"),
        [
            "file-orders/orders: amount \"12,50\" is not a decimal amount",
            "file-orders/orders: ordered_at \"03/03/2026\" is not a date or time (RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)",
        ]
    );

    // Fixing the file's cells updates exactly those records and releases them.
    write(
        dir.path(),
        "orders.csv",
        "order_id,customer_id,ordered_at,amount,currency\n\
         1,c-1,2026-03-01,10.00,EUR\n\
         2,c-1,2026-03-02,12.50,EUR\n\
         3,c-2,2026-03-03,5,EUR\n\
         4,c-2,2026-03-04,5,EUR\n\
         5,c-3,2026-03-05,8.10,EUR\n",
    );
    let fixed = import(&wh, &options(&file, Format::Csv).with_as("orders"));
    assert_eq!((fixed.land.stats.inserted, fixed.land.stats.updated, fixed.land.stats.unchanged), (1, 2, 2));
    assert_eq!((fixed.unify.unified, fixed.unify.released, fixed.quarantined), (3, 2, 0));
    assert_eq!(scalar(&wh, "SELECT count(*) FROM orders"), 5);
    assert_eq!(scalar(&wh, "SELECT count(*) FROM quarantine"), 0);
}

#[test]
fn a_fixed_mapping_renormalises_rows_already_landed() {
    let (dir, wh) = warehouse();
    let file = write(
        dir.path(),
        "orders.csv",
        "id,who,when,total,cur\n1,c-1,2026-03-01,10.00,EUR\n2,c-2,2026-03-02,11.00,EUR\n",
    );
    // Wrong: the amount mapped to the currency column.
    let wrong = write(
        dir.path(),
        "m.toml",
        "as = \"orders\"\n[columns]\norder_id = \"id\"\ncustomer_id = \"who\"\nordered_at = \"when\"\namount = \"cur\"\ncurrency = \"cur\"\n",
    );
    let report = import(&wh, &options(&file, Format::Csv).with_mapping(&wrong));
    assert_eq!((report.land.held, report.quarantined), (2, 2));
    let right = write(
        dir.path(),
        "m.toml",
        "as = \"orders\"\n[columns]\norder_id = \"id\"\ncustomer_id = \"who\"\nordered_at = \"when\"\namount = \"total\"\ncurrency = \"cur\"\n",
    );
    let fixed = import(&wh, &options(&file, Format::Csv).with_mapping(&right));
    assert_eq!(fixed.land.stats.unchanged, 2);
    assert_eq!((fixed.unify.unified, fixed.unify.released, fixed.quarantined), (2, 2, 0));
    assert_eq!(strings(&wh, "SELECT amount || '' FROM orders ORDER BY 1"), ["10.0", "11.0"]);
    // And importing again with the right mapping changes nothing.
    let before = fingerprint(&wh);
    assert_eq!(import(&wh, &options(&file, Format::Csv).with_mapping(&right)).unify.records, 0);
    assert_eq!(fingerprint(&wh), before);
}

#[test]
fn customers_and_orders_in_one_source_share_customer_ids() {
    let (dir, wh) = warehouse();
    let customers = write(
        dir.path(),
        "customers.csv",
        "customer_id,email,first_name,city,trait.plan\nc-1,anna@mailbox.demo,Anna,Leeds,gold\nc-2,,Bob,,\n",
    );
    let report = import(&wh, &options(&customers, Format::Csv).with_as("customers").with_source("shop"));
    assert_eq!(report.unify.unified, 2);
    let orders = write(
        dir.path(),
        "orders.csv",
        "order_id,customer_id,ordered_at,amount,currency\n9,c-2,2026-03-01,3,EUR\n",
    );
    import(&wh, &options(&orders, Format::Csv).with_as("orders").with_source("shop"));
    assert_eq!(scalar(&wh, "SELECT count(*) FROM profiles WHERE merged_into IS NULL"), 2);
    let bob = "SELECT group_concat(t.key || '=' || t.value_json) FROM traits t
               WHERE t.profile_id = (SELECT profile_id FROM orders)";
    assert_eq!(strings(&wh, bob), ["first_name=\"Bob\""]);
    assert_eq!(
        strings(
            &wh,
            "SELECT key || '=' || value_json FROM traits WHERE key IN ('plan', 'city') ORDER BY key"
        ),
        ["city=\"Leeds\"", "plan=\"gold\""]
    );
    let config = strings(&wh, "SELECT config_json FROM sources WHERE name = 'shop'");
    assert!(config[0].contains("\"customers\":{") && config[0].contains("\"orders\":{"), "{config:?}");
}

#[test]
fn rows_without_an_id_are_keyed_by_their_content() {
    let (dir, wh) = warehouse();
    let file = write(
        dir.path(),
        "visits.csv",
        "email,occurred_at,name,channel\nanna@mailbox.demo,2026-03-01,Store Visit,store\nanna@mailbox.demo,2026-03-02,Store Visit,store\n",
    );
    let report = import(&wh, &options(&file, Format::Csv).with_as("events"));
    assert_eq!(report.unify.unified, 2);
    let again = import(&wh, &options(&file, Format::Csv).with_as("events"));
    assert_eq!(again.land.stats.unchanged, 2, "{again:?}");
    let ids = strings(&wh, "SELECT source_id FROM landing_records");
    assert!(ids.iter().all(|id| id.starts_with("row-")), "{ids:?}");
    assert_eq!(strings(&wh, "SELECT DISTINCT channel || '.' || name FROM events"), ["store.store_visit"]);
}

#[test]
fn the_preview_shows_mapped_rows_and_errors_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "shop.csv",
        "Order #;Customer;E-mail;Date;Total (EUR);State;Gift wrap\nA-1;c-1;anna@mailbox.demo;2026-03-01;12,50;paid;no\nA-2;c-3;;2026-03-02;19.99;shipped;yes\n",
    );
    let opts = options(&file, Format::Csv).with_mapping(fixture("shop-export.mapping.toml"));
    let shown = preview(&opts, 10, now()).unwrap();
    assert_eq!(shown.source, "file-shop");
    assert_eq!(shown.rows.len(), 2);
    assert_eq!(shown.rows[0].line, 2);
    assert_eq!(
        shown.rows[0].fields,
        [
            ("order_id", "A-1"),
            ("customer_id", "c-1"),
            ("email", "anna@mailbox.demo"),
            ("ordered_at", "2026-03-01"),
            ("amount", "12,50"),
            ("status", "paid"),
            ("currency", "EUR"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    assert_eq!(
        shown.rows[0].result.as_ref().err().map(String::as_str),
        Some("amount (column \"Total (EUR)\") \"12,50\" is not a decimal amount")
    );
    let order = shown.rows[1].result.as_ref().unwrap().order.as_ref().unwrap();
    assert_eq!(
        (order.source_order_id.as_str(), order.amount, order.status.as_str()),
        ("A-2", 19.99, "fulfilled")
    );
    // Nothing but the two files exists in the folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
