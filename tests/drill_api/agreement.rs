//! What the query API answers agrees with what the rules fire on: a range
//! such as `[5m]` spans five scenario minutes in both, so the graph of a
//! firing alert's expression is above its threshold.

use serde_json::Value;

use super::{get_json, has_alert, num, q, start, wait_for};

#[tokio::test]
async fn a_firing_alerts_expression_queries_above_its_threshold() {
    let srv = start(60.0).await;
    let base = srv.base_url();
    wait_for(30, || async {
        let v = get_json(&format!("{base}/api/v1/alerts")).await;
        has_alert(&v["data"]["alerts"], "HighErrorRate", "/state", "firing").then_some(())
    })
    .await
    .expect("HighErrorRate firing");
    let ratio = r#"sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m]))"#;
    let v = get_json(&q(&base, "/api/v1/query", ratio)).await;
    let result: &Vec<Value> = v["data"]["result"].as_array().expect("a vector");
    let api = result.iter().find(|s| s["metric"]["service"] == "api").expect("the api series");
    let value = num(&api["value"][1]);
    assert!(value > 0.05, "the query API agrees with the firing rule (> 0.05): {value}");
    srv.shutdown().await;
}
