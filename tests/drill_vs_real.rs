//! The drill simulator cannot drift from the real APIs: the same requests go
//! to the simulator and to real Prometheus 2.42 and Alertmanager 0.25, and
//! the answers must agree in status, content type and shape (keys, types,
//! envelope) — in both directions for the envelope, so the simulator adds
//! no field a client could come to rely on.

mod support;

#[path = "drill_api/support.rs"]
#[allow(dead_code)]
mod shape;

/// A request: method, path, form fields.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);

use std::time::Duration;

use serde_json::{Value, json};
use support::{Alertmanager, PromConfig, Prometheus, alerts, wait_for};
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};

struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

async fn send(
    client: &reqwest::Client,
    method: &str,
    url: &str,
    form: &[(&str, &str)],
    json_body: Option<&Value>,
) -> Answer {
    let req = match method {
        "GET" => client.get(url),
        "POST" if json_body.is_some() => client.post(url).json(json_body.unwrap_or(&Value::Null)),
        "POST" => client.post(url).form(form),
        "DELETE" => client.delete(url),
        m => panic!("method {m}"),
    };
    let r = req.send().await.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = r.status().as_u16();
    let content_type = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    Answer { status, content_type, body: r.text().await.unwrap() }
}

/// Same status, same media type, and each JSON body has the other's shape.
fn compare(what: &str, sim: &Answer, real: &Answer) {
    assert_eq!(sim.status, real.status, "{what}: status (sim {} / real {})", sim.body, real.body);
    let media = |ct: &str| ct.split(';').next().unwrap_or("").trim().to_string();
    assert_eq!(media(&sim.content_type), media(&real.content_type), "{what}: content type");
    match (serde_json::from_str::<Value>(&sim.body), serde_json::from_str::<Value>(&real.body)) {
        (Ok(s), Ok(r)) => {
            shape::assert_same_shape(&s, &r, &format!("{what} (sim vs real)"));
            if let (Value::Object(so), Value::Object(ro)) = (&s, &r) {
                let extra: Vec<&String> = so.keys().filter(|k| !ro.contains_key(*k)).collect();
                assert!(extra.is_empty(), "{what}: keys only the simulator sends: {extra:?}");
            }
        }
        (Err(_), Err(_)) => assert_eq!(sim.body.trim().is_empty(), real.body.trim().is_empty(), "{what}"),
        (s, r) => panic!("{what}: JSON on one side only (sim {:?}, real {:?})", s.is_ok(), r.is_ok()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_answers_like_real_prometheus_and_alertmanager() {
    let am = Alertmanager::start();
    let prom = Prometheus::start(PromConfig::defaults(&am.url));
    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).unwrap();
    let drill = DrillServer::start(sc, DrillOptions { speed: 60.0, ..DrillOptions::default() }).await.unwrap();
    let sim = drill.base_url();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    // Both must have firing alerts (and the simulator a rule with alerts) first.
    wait_for("real alerts in Alertmanager", Duration::from_secs(40), || async {
        let a = send(&client, "GET", &format!("{}/api/v2/alerts", am.url), &[], None).await;
        a.body.contains(alerts::ALWAYS_FIRING).then_some(())
    })
    .await;
    wait_for("simulated alerts", Duration::from_secs(40), || async {
        let a = send(&client, "GET", &format!("{sim}/api/v2/alerts"), &[], None).await;
        a.body.contains("fingerprint").then_some(())
    })
    .await;

    let now = chrono::Utc::now().timestamp();
    let (start, end) = ((now - 60).to_string(), now.to_string());
    let prom_cases: Vec<Case> = vec![
        ("GET", "/api/v1/query?query=up", vec![]),
        ("POST", "/api/v1/query", vec![("query", "vector(0)/0")]),
        ("POST", "/api/v1/query", vec![("query", "1/0")]),
        ("POST", "/api/v1/query", vec![("query", "up{")]),
        ("POST", "/api/v1/query", vec![("query", "sum by (job) (up)")]),
        ("POST", "/api/v1/query_range", vec![("query", "up"), ("start", &start), ("end", &end), ("step", "15")]),
        ("POST", "/api/v1/query_range", vec![("query", "up")]),
        ("POST", "/api/v1/query_range", vec![("query", "up"), ("start", "0"), ("end", &end), ("step", "1")]),
        ("GET", "/api/v1/labels", vec![]),
        ("GET", "/api/v1/label/job/values", vec![]),
        ("POST", "/api/v1/series", vec![("match[]", "up")]),
        ("GET", "/api/v1/rules", vec![]),
        ("GET", "/api/v1/alerts", vec![]),
        ("GET", "/api/v1/status/buildinfo", vec![]),
        ("GET", "/api/v1/doesnotexist", vec![]),
    ];
    for (method, path, form) in &prom_cases {
        let s = send(&client, method, &format!("{sim}{path}"), form, None).await;
        let r = send(&client, method, &format!("{}{path}", prom.url), form, None).await;
        compare(&format!("Prometheus {method} {path} {form:?}"), &s, &r);
    }

    let am_cases = [
        "/api/v2/status",
        "/api/v2/receivers",
        "/api/v2/alerts",
        "/api/v2/alerts/groups",
        "/api/v2/alerts?active=true&silenced=false&inhibited=false",
        "/api/v2/silences",
        "/api/v2/silence/00000000-0000-0000-0000-000000000000",
        "/api/v2/silence/not-a-uuid",
    ];
    for path in am_cases {
        let s = send(&client, "GET", &format!("{sim}{path}"), &[], None).await;
        let r = send(&client, "GET", &format!("{}{path}", am.url), &[], None).await;
        compare(&format!("Alertmanager GET {path}"), &s, &r);
    }

    // Silences: create, read back, expire, and the validation errors.
    let t0 = chrono::Utc::now();
    let silence = |matchers: Value, ends: chrono::DateTime<chrono::Utc>| {
        json!({"matchers": matchers, "startsAt": t0.to_rfc3339(), "endsAt": ends.to_rfc3339(),
               "createdBy": "warroom-test", "comment": "shape check"})
    };
    let matcher = json!([{"name": "alertname", "value": "Anything", "isRegex": false, "isEqual": true}]);
    let cases = [
        ("valid", silence(matcher.clone(), t0 + chrono::Duration::hours(1))),
        ("no matchers", silence(json!([]), t0 + chrono::Duration::hours(1))),
        ("end before start", silence(matcher, t0 - chrono::Duration::hours(1))),
    ];
    for (what, body) in &cases {
        let s = send(&client, "POST", &format!("{sim}/api/v2/silences"), &[], Some(body)).await;
        let r = send(&client, "POST", &format!("{}/api/v2/silences", am.url), &[], Some(body)).await;
        compare(&format!("POST silence ({what})"), &s, &r);
        if *what == "valid" {
            let id =
                |a: &Answer| serde_json::from_str::<Value>(&a.body).unwrap()["silenceID"].as_str().unwrap().to_string();
            let (sid, rid) = (id(&s), id(&r));
            let sg = send(&client, "GET", &format!("{sim}/api/v2/silence/{sid}"), &[], None).await;
            let rg = send(&client, "GET", &format!("{}/api/v2/silence/{rid}", am.url), &[], None).await;
            compare("GET silence by id", &sg, &rg);
            let sd = send(&client, "DELETE", &format!("{sim}/api/v2/silence/{sid}"), &[], None).await;
            let rd = send(&client, "DELETE", &format!("{}/api/v2/silence/{rid}", am.url), &[], None).await;
            compare("DELETE silence", &sd, &rd);
        }
    }
    drill.shutdown().await;
}
