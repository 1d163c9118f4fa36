//! Inhibition in the drill's Alertmanager: db-down mutes ReadinessFailed
//! while DatabaseDown fires, and reports it the way Alertmanager 0.25 does.

use serde_json::Value;

use super::{get_json, has_alert, start, wait_for};

fn find<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array()?.iter().find(|x| x["labels"]["alertname"] == name)
}

#[tokio::test]
async fn the_cause_inhibits_its_symptom() {
    let srv = start(60.0).await;
    let base = srv.base_url();
    let all = wait_for(30, || async {
        let v = get_json(&format!("{base}/api/v2/alerts")).await;
        (has_alert(&v, "DatabaseDown", "/status/state", "active")
            && has_alert(&v, "ReadinessFailed", "/status/state", "suppressed"))
        .then_some(v)
    })
    .await
    .expect("DatabaseDown firing and ReadinessFailed suppressed");
    let db = find(&all, "DatabaseDown").expect("DatabaseDown");
    let ready = find(&all, "ReadinessFailed").expect("ReadinessFailed");
    assert_eq!(ready["status"]["inhibitedBy"], serde_json::json!([db["fingerprint"]]));
    assert_eq!(ready["status"]["silencedBy"], serde_json::json!([]));
    assert_eq!(db["status"]["inhibitedBy"], serde_json::json!([]), "the cause is not muted");

    let uninhibited = get_json(&format!("{base}/api/v2/alerts?inhibited=false")).await;
    assert!(find(&uninhibited, "ReadinessFailed").is_none(), "inhibited=false drops it");
    assert!(find(&uninhibited, "DatabaseDown").is_some());
    let inactive = get_json(&format!("{base}/api/v2/alerts?active=false")).await;
    assert!(find(&inactive, "ReadinessFailed").is_some() && find(&inactive, "DatabaseDown").is_none());
    // Prometheus knows nothing of inhibition: both fire there.
    let prom = get_json(&format!("{base}/api/v1/alerts")).await;
    assert!(has_alert(&prom["data"]["alerts"], "ReadinessFailed", "/state", "firing"));
    srv.shutdown().await;
}
