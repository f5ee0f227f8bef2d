//! The Mailchimp connector against the fake Marketing API.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parlance_connectors::{Connector, SyncOptions, Token, open_connector, stored_cursor};
use serde_json::json;

use crate::faults::{assert_landed_payloads_normalise, bad_gateway, html_page, truncated_json};
use crate::mailchimp_fake::{
    KEY, LIST, MailchimpServer, SOURCE, mailchimp_time, member, member_changed, member_id,
};
use crate::mock_server::{Fault, Reply};
use crate::support::{Fixture, NOW, at};

const MEMBERS_PATH: &str = "/3.0/lists/a1b2c3d4e5/members";

#[test]
fn a_full_sync_reads_every_member_and_the_activity_of_every_sent_campaign() {
    let mailchimp = MailchimpServer::start(5, &[3, 0, 1]);
    let fixture = Fixture::new();
    let report =
        fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap();

    assert_eq!(report.totals().inserted, 5 + 4);
    assert_eq!(fixture.ids("members"), (0..5).map(member_id).collect::<Vec<_>>());
    assert_eq!(fixture.ids("email_activity").len(), 4);
    assert!(fixture.ids("email_activity").contains(&format!("42694e9e00:{}", member_id(2))));
    let pages: Vec<_> = mailchimp
        .requests_to(MEMBERS_PATH)
        .iter()
        .map(|r| {
            (
                r.param("count").unwrap().to_owned(),
                r.param("offset").unwrap().to_owned(),
                r.param("since_last_changed").map(str::to_owned),
            )
        })
        .collect();
    let anchor = |i: usize| Some(at(member_changed(i) - 1).to_string());
    assert_eq!(
        pages,
        vec![
            ("2".into(), "0".into(), None),
            ("2".into(), "1".into(), anchor(1)),
            ("2".into(), "1".into(), anchor(3)),
        ],
        "each page re-anchors just before the last change seen and skips the member read at it"
    );
    assert_eq!(mailchimp.requests_to("/3.0/reports/42694e9e00/email-activity").len(), 2);
    assert_eq!(assert_landed_payloads_normalise(&fixture, SOURCE, "mailchimp"), 9);
    let cursor = stored_cursor(&fixture.warehouse, SOURCE, "email_activity").unwrap().unwrap();
    assert_eq!(cursor["watermark"], json!(at(NOW).to_string()), "the activity pass vouches up to its start");
    fixture.assert_healthy();
}

#[test]
fn a_second_sync_asks_only_for_changed_members_and_recent_campaigns() {
    let mailchimp = MailchimpServer::start(6, &[2]);
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    let before = fixture.landing();
    let watermark = member_changed(5);
    {
        let mut state = mailchimp.state.lock().unwrap();
        state.members[1] = member(1, watermark + 600, "Grace");
        state.members[3] = member(3, watermark + 900, "Grace");
    }
    mailchimp.server.clear_requests();
    fixture.clock.advance(Duration::from_secs(3_600));

    let report =
        fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap();

    let first = &mailchimp.requests_to(MEMBERS_PATH)[0];
    assert_eq!(first.param("since_last_changed"), Some(at(watermark - 120).to_string().as_str()));
    let campaigns = &mailchimp.requests_to("/3.0/campaigns")[0];
    assert_eq!(
        campaigns.param("since_send_time"),
        Some(at(NOW - 120 - 30 * 86_400).to_string().as_str()),
        "activity is re-read for campaigns sent within the activity window"
    );
    let members = &report.streams[0];
    assert_eq!((members.landed.inserted, members.landed.updated, members.landed.unchanged), (0, 2, 1));
    let changed: Vec<_> =
        fixture.landing().into_iter().filter(|row| !before.contains(row)).map(|row| row.source_id).collect();
    assert_eq!(changed, vec![member_id(1), member_id(3)]);
    assert_eq!(report.streams[1].landed.unchanged, 2, "unchanged activity is not rewritten");
}

#[test]
fn a_member_changing_mid_pass_does_not_make_the_next_page_skip_anyone() {
    let mailchimp = MailchimpServer::start(6, &[]);
    mailchimp.state.lock().unwrap().change_member_0_after_first_page = true;
    let fixture = Fixture::new();
    fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    // With plain offsets, member 2 would have moved to offset 1 and been
    // skipped by the request for offset 2.
    assert_eq!(fixture.ids("members"), (0..6).map(member_id).collect::<Vec<_>>());
    assert_eq!(fixture.payload("members", &member_id(0))["merge_fields"]["FNAME"], "Grace");
}

#[test]
fn a_429_with_retry_after_waits_that_long_then_succeeds() {
    let mailchimp = MailchimpServer::start(3, &[]);
    let fixture = Fixture::new();
    let limited = Reply::text(
        429,
        "application/problem+json",
        &json!({ "type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Too Many Requests",
                 "status": 429, "detail": "You have exceeded the limit of 10 simultaneous connections.", "instance": "x" })
        .to_string(),
    )
    .with_header("Retry-After", "5");
    mailchimp.server.inject(Fault { after: 1, times: 1, reply: limited });
    fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits(), vec![Duration::from_secs(5)]);
    assert_eq!(fixture.ids("members").len(), 3);
}

#[test]
fn a_burst_of_server_errors_is_retried() {
    let mailchimp = MailchimpServer::start(3, &[1]);
    let fixture = Fixture::new();
    mailchimp.server.inject(Fault { after: 2, times: 2, reply: bad_gateway() });
    fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap();
    assert_eq!(fixture.sleeper.waits().len(), 2);
    assert_eq!(fixture.ids("members").len() + fixture.ids("email_activity").len(), 4);
}

#[test]
fn an_html_page_with_status_200_is_a_clear_error() {
    let mailchimp = MailchimpServer::start(3, &[]);
    let fixture = Fixture::new();
    mailchimp.server.inject(Fault { after: 0, times: 1, reply: html_page() });
    let error =
        fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {MEMBERS_PATH} returned an HTML page instead of JSON (HTTP 200); check the base URL and any proxy in between"
        )
    );
}

#[test]
fn malformed_json_is_a_clear_error() {
    let mailchimp = MailchimpServer::start(3, &[]);
    let fixture = Fixture::new();
    mailchimp.server.inject(Fault { after: 0, times: 1, reply: truncated_json() });
    let error =
        fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert!(
        error.to_string().starts_with(&format!("source {SOURCE}: {MEMBERS_PATH} returned malformed JSON")),
        "{error}"
    );
}

#[test]
fn a_server_that_ignores_the_offset_is_stopped_as_a_pagination_loop() {
    let mailchimp = MailchimpServer::start(5, &[]);
    mailchimp.state.lock().unwrap().stuck = true;
    let fixture = Fixture::new();
    let error =
        fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {MEMBERS_PATH} answered in an unexpected shape: pagination loop: offset 1 returned the same members as the page before"
        )
    );
    assert_eq!(fixture.ids("members").len(), 2, "the first page stays");
}

#[test]
fn an_invalid_key_is_a_clear_error_naming_the_source() {
    let mailchimp = MailchimpServer::start(3, &[]);
    let fixture = Fixture::new();
    let error = fixture
        .sync(SOURCE, &mut mailchimp.connector(&fixture, "deadbeef-us21"), &SyncOptions::default())
        .unwrap_err();
    assert_eq!(error.to_string(), "source mailchimp-news: the token was rejected (401) — reconnect it");
    assert_eq!(mailchimp.server.request_count(), 1);
}

#[test]
fn a_problem_document_gives_its_title_and_detail() {
    let mailchimp = MailchimpServer::start(3, &[]);
    let fixture = Fixture::new();
    let missing = Reply::text(
        404,
        "application/problem+json",
        &json!({ "type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "Resource Not Found",
                 "status": 404, "detail": "The requested resource could not be found.", "instance": "x" })
        .to_string(),
    );
    mailchimp.server.inject(Fault { after: 0, times: 1, reply: missing });
    let error =
        fixture.sync(SOURCE, &mut mailchimp.connector(&fixture, KEY), &SyncOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "source {SOURCE}: {MEMBERS_PATH} answered HTTP 404: Resource Not Found: The requested resource could not be found."
        )
    );
}

#[test]
fn the_data_center_comes_from_the_key_unless_a_base_url_is_configured() {
    let fixture = Fixture::new();
    let config = format!(r#"{{"list_id":"{LIST}"}}"#);
    let connector = open_connector("mailchimp", SOURCE, &config, Token::new(KEY), fixture.time()).unwrap();
    assert!(!connector.config_json().contains("base_url"), "the key decides, at sync time");
    let error =
        open_connector("mailchimp", SOURCE, &config, Token::new("0f1e2d3c4b5a"), fixture.time()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "source mailchimp-news: invalid configuration: the API key has no data-center suffix (like -us21); set base_url"
    );
}

#[test]
fn the_connection_test_names_the_audience() {
    let mailchimp = MailchimpServer::start(4, &[]);
    let fixture = Fixture::new();
    let info = mailchimp.connector(&fixture, KEY).test_connection(&AtomicBool::new(false)).unwrap();
    assert_eq!(info.account, "Mailchimp audience Newsletter (4 members)");
    assert_eq!(mailchimp_time(0), "1970-01-01T00:00:00+00:00");
}
