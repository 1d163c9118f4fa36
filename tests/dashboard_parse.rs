//! The dashboard model read from the fixtures: what each form gives, what is
//! reported, the caps on untrusted input, and the layout's invariants.

use proptest::prelude::*;
use ratatui::layout::Rect;
use warroom::dashboard::layout::{PanelRef, Slot, place, slots};
use warroom::dashboard::{GridPos, MappingKind, PanelKind, Severity, VariableKind, parse};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/dashboards/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

#[test]
fn the_classic_model_keeps_units_thresholds_mappings_and_overrides() {
    let p = parse(&fixture("service-overview.json")).unwrap();
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let d = &p.dashboard;
    assert_eq!(
        (d.uid.as_deref(), d.refresh.as_deref(), d.time.from.as_str()),
        (Some("payments-overview"), Some("30s"), "now-3h")
    );
    let latency = &d.panels[0];
    assert_eq!(latency.kind, PanelKind::Timeseries);
    assert_eq!(latency.grid, GridPos { x: 0, y: 0, w: 12, h: 8 });
    assert_eq!((latency.field.unit.as_deref(), latency.field.decimals), (Some("s"), Some(3)));
    assert_eq!(latency.field.thresholds[1].value, Some(0.5));
    assert_eq!(latency.overrides[0].unit.as_deref(), Some("ms"));
    assert_eq!(latency.overrides[0].color.as_deref(), Some("red"));
    assert_eq!(latency.targets[0].legend_format.as_deref(), Some("p99"));
    assert_eq!(d.panels[1].field.unit.as_deref(), Some("percentunit"), "the graph panel's unit is its y axis'");
    let stat = &d.panels[2];
    assert_eq!(stat.calcs, vec!["lastNotNull".to_string()]);
    let kinds: Vec<&MappingKind> = stat.field.mappings.iter().map(|m| &m.kind).collect();
    assert!(matches!(kinds[0], MappingKind::Value { value } if value == "0"));
    assert!(matches!(kinds[1], MappingKind::Range { from: Some(f), to: None } if *f == 1000.0));
    assert!(matches!(kinds[2], MappingKind::Regex { .. }));
    assert!(matches!(kinds[3], MappingKind::Special { matches } if matches == "null"));
    assert_eq!(stat.field.mappings[0].text.as_deref(), Some("idle"));
    assert!(d.panels[5].content.as_deref().unwrap().starts_with("# On call\n"));
    let row = &d.panels[7];
    assert_eq!((row.kind.clone(), row.collapsed, row.children.len()), (PanelKind::Row, true, 2));
    assert_eq!(d.panels[9].targets[0].datasource.as_deref(), Some("loki"));
}

#[test]
fn every_variable_kind_is_read() {
    let p = parse(&fixture("service-overview.json")).unwrap();
    let kinds: Vec<&str> = p.dashboard.variables.iter().map(|v| v.kind.name()).collect();
    assert_eq!(kinds, ["datasource", "query", "query", "custom", "constant", "interval", "textbox"]);
    let job = &p.dashboard.variables[1];
    assert!(job.multi && job.include_all);
    assert!(matches!(&job.kind, VariableKind::Query { parsed: Some(_), .. }));
    assert_eq!(p.dashboard.variables[2].all_value.as_deref(), Some(".*"));
    assert_eq!(p.dashboard.variables[3].options, ["payments", "ledger"]);
    assert_eq!(p.dashboard.variables[5].options, ["1m", "5m", "15m", "1h"]);
}

#[test]
fn the_v2_resource_places_its_elements_by_the_layout() {
    let p = parse(&fixture("v2-resource.json")).unwrap();
    assert_eq!(p.form, "v2");
    let d = &p.dashboard;
    assert_eq!((d.uid.as_deref(), d.refresh.as_deref()), (Some("node-v2"), Some("1m")));
    let (overview, network) = (&d.panels[0], &d.panels[1]);
    assert_eq!((overview.title.as_str(), overview.collapsed), ("Overview", false));
    assert_eq!(overview.children[0].grid, GridPos { x: 0, y: 1, w: 16, h: 8 });
    assert_eq!(overview.children[1].field.unit.as_deref(), Some("s"));
    assert_eq!(overview.children[0].targets[0].datasource.as_deref(), Some("prometheus"));
    assert!(network.collapsed);
    assert_eq!(network.grid.y, 9, "the second row starts below the first one's panels");
    assert_eq!(network.children[0].grid.y, 10);
}

#[test]
fn ignored_fields_are_reported_at_their_path() {
    let body = br#"{"title": "t", "panels": [{"type": "timeseries", "title": "x", "gridPos": {"x":0,"y":0,"w":1,"h":1},
        "transformations": [{"id": "merge"}, {"id": "reduce"}, {"id": "sortBy", "disabled": true}], "sparkles": 1,
        "fieldConfig": {"defaults": {"mappings": [{"type": "special", "options": {"match": "weird"}}]},
                        "overrides": [{"matcher": {"id": "byName", "options": "a"},
                                       "properties": [{"id": "custom.width", "value": 3}, {"id": "colorScheme", "value": 1}]}]},
        "targets": [{"rawSql": "select 1"}]},
        {"type": "nodeGraph", "title": "p", "gridPos": {"x":0,"y":0,"w":1,"h":1}, "nodes": 2, "targets": [{"expr": "sum("}]}]}"#;
    let p = parse(body).unwrap();
    let diags: Vec<(&str, Severity)> = p.diagnostics.iter().map(|d| (d.path.as_str(), d.severity)).collect();
    assert_eq!(
        diags,
        [
            ("panels[0].sparkles", Severity::Note),
            ("panels[0].fieldConfig.defaults.mappings[0].options.match", Severity::Warning),
            ("panels[0].targets[0]", Severity::Warning),
            ("panels[0].fieldConfig.overrides[0].properties[1]", Severity::Warning),
            ("panels[0].transformations[1]", Severity::Warning),
            // An unsupported panel says so once: not its fields, not its (unused) broken query.
            ("panels[1].type", Severity::Warning),
        ]
    );
    let t = &p.dashboard.panels[0].transformations;
    assert_eq!(t, &[warroom::dashboard::Transformation::Merge], "the disabled one is skipped");
}

#[test]
fn old_exports_are_migrated_rows_singlestats_and_import_inputs() {
    let body = br#"{"title": "old", "__inputs": [{"name": "DS_LOKI", "type": "datasource", "pluginId": "loki"}],
        "rows": [{"title": "Top", "showTitle": true, "height": 250, "panels": [
            {"type": "singlestat", "title": "Up", "span": 3, "format": "percent", "thresholds": "50,80",
             "colors": ["red", "orange", "green"], "colorValue": true, "valueName": "max", "sparkline": {"show": true},
             "targets": [{"expr": "up", "refId": "A"}]},
            {"type": "graph", "title": "Logs rate", "span": 9, "datasource": "${DS_LOKI}", "decimals": 2, "weird": 1,
             "targets": [{"expr": "sum(rate({app='x'}[1m]))", "refId": "A"}]}]}]}"#;
    let p = parse(body).unwrap();
    let d = &p.dashboard;
    assert_eq!(d.panels.len(), 3);
    assert_eq!((d.panels[0].kind.clone(), d.panels[0].title.as_str()), (PanelKind::Row, "Top"));
    let up = &d.panels[1];
    assert_eq!((up.kind.clone(), up.grid), (PanelKind::Stat, GridPos { x: 0, y: 1, w: 6, h: 7 }));
    assert_eq!(up.field.unit.as_deref(), Some("percent"));
    assert_eq!(up.field.thresholds.iter().map(|t| t.color.as_str()).collect::<Vec<_>>(), ["red", "orange", "green"]);
    assert_eq!(up.calcs, ["max"]);
    let logs = &d.panels[2];
    assert_eq!(logs.targets[0].datasource.as_deref(), Some("loki"), "the import input's plugin");
    assert_eq!(logs.field.decimals, Some(2));
    let paths: Vec<&str> = p.diagnostics.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["rows[0].panels[1].weird"], "a diagnostic names the path in the file as written");
}

#[test]
fn untrusted_input_is_capped_and_cleaned() {
    let panel = r#"{"type": "stat", "title": "t\u001b]52;c;aGk=\u0007x", "gridPos": {"x":0,"y":0,"w":1,"h":1}}"#;
    let many = vec![panel; warroom::dashboard::MAX_PANELS + 5].join(",");
    let body = format!(r#"{{"title": "\u001b[2Jboom", "panels": [{many}]}}"#);
    let p = parse(body.as_bytes()).unwrap();
    assert_eq!(p.dashboard.title, "boom");
    assert_eq!(p.dashboard.panels.len(), warroom::dashboard::MAX_PANELS);
    assert_eq!(p.dashboard.panels[0].title, "tx");
    assert!(p.diagnostics.iter().any(|d| d.reason.contains("the rest are ignored")));
    let huge = vec![b' '; warroom::dashboard::MAX_FILE_BYTES as usize + 1];
    assert!(matches!(parse(&huge), Err(warroom::dashboard::Fatal::TooLarge)));
    let deep = "[".repeat(10_000);
    assert!(parse(deep.as_bytes()).is_err(), "nesting is refused, not a stack overflow");
}

#[test]
fn collapsed_rows_hide_their_panels_until_opened() {
    let d = parse(&fixture("service-overview.json")).unwrap().dashboard;
    let closed = slots(&d, |_| false);
    assert_eq!(closed.len(), 10);
    assert!(closed[7].header);
    let open = slots(&d, |i| i == 7);
    assert_eq!(open.len(), 12);
    assert_eq!(open[8].panel, PanelRef { top: 7, child: Some(0) });
    let rects = place(&open, Rect::new(0, 0, 80, 24), 0);
    assert_eq!(rects[0].1, Rect::new(0, 0, 40, 8));
}

fn arb_slot() -> impl Strategy<Value = Slot> {
    let n = prop_oneof![0u32..40, Just(u32::MAX), any::<u32>()];
    (n.clone(), n.clone(), n.clone(), n, any::<bool>(), 0usize..100).prop_map(|(x, y, w, h, header, top)| Slot {
        panel: PanelRef { top, child: None },
        grid: GridPos { x, y, w, h },
        header,
    })
}

proptest! {
    #[test]
    fn no_rect_overlaps_another_or_leaves_the_area(
        slots in prop::collection::vec(arb_slot(), 0..60),
        (ax, ay, aw, ah) in (0u16..50, 0u16..50, 0u16..300, 0u16..100),
        scroll in prop_oneof![0u32..30, any::<u32>()],
    ) {
        let area = Rect::new(ax, ay, aw, ah);
        let rects = place(&slots, area, scroll);
        for (i, (_, a)) in rects.iter().enumerate() {
            prop_assert!(a.width > 0 && a.height > 0, "{a:?}");
            prop_assert!(area.contains(a.as_position()) && a.right() <= area.right() && a.bottom() <= area.bottom(), "{a:?} in {area:?}");
            for (_, b) in &rects[i + 1..] {
                prop_assert!(!a.intersects(*b), "{a:?} overlaps {b:?}");
            }
        }
    }
}

#[test]
fn the_v2_resource_in_yaml_reads_as_its_json() {
    let (yaml, json) = (parse(&fixture("v2-resource.yaml")).unwrap(), parse(&fixture("v2-resource.json")).unwrap());
    assert_eq!(yaml.form, "v2");
    assert_eq!(yaml.dashboard, json.dashboard);
    assert_eq!(yaml.diagnostics, json.diagnostics);
}

#[test]
fn bad_or_hostile_yaml_is_a_clear_error_not_a_hang() {
    let e = parse(b"apiVersion: dashboard.grafana.app/v2beta1\nkind: [unclosed\n").unwrap_err();
    assert!(e.to_string().starts_with("not YAML: "), "{e}");
    assert!(!e.to_string().contains('\n'));
    // Billion laughs: ten levels of ten aliases would be 10^10 nodes.
    let mut bomb = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    bomb.push_str("spec: *a9\n");
    let started = std::time::Instant::now();
    let e = parse(bomb.as_bytes()).unwrap_err();
    assert!(matches!(e, warroom::dashboard::Fatal::NotYaml(_)), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "refused early: {:?}", started.elapsed());
    assert!(matches!(parse(b"- just\n- a list\n"), Err(warroom::dashboard::Fatal::NotDashboard(_))));
}

/// JSON shaped like Grafana's, with the field names the reader looks at
/// (old and new forms) holding anything: the migrations, overrides and
/// transformations see every kind of value where they expect one.
fn arb_grafana_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Map, Value};
    const KEYS: &[&str] = &[
        "type",
        "title",
        "panels",
        "rows",
        "span",
        "height",
        "collapse",
        "showTitle",
        "repeat",
        "repeatIteration",
        "repeatDirection",
        "repeatPanelId",
        "maxPerRow",
        "gridPos",
        "x",
        "y",
        "w",
        "h",
        "targets",
        "expr",
        "refId",
        "format",
        "datasource",
        "fieldConfig",
        "defaults",
        "overrides",
        "matcher",
        "id",
        "options",
        "properties",
        "value",
        "unit",
        "decimals",
        "thresholds",
        "steps",
        "colors",
        "colorValue",
        "valueMaps",
        "rangeMaps",
        "mappingType",
        "valueName",
        "gauge",
        "show",
        "minValue",
        "maxValue",
        "mappings",
        "transformations",
        "excludeByName",
        "renameByName",
        "indexByName",
        "include",
        "names",
        "byField",
        "__inputs",
        "pluginId",
        "name",
        "templating",
        "list",
        "current",
        "query",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        prop_oneof![any::<i64>().prop_map(Value::from), any::<f64>().prop_map(Value::from)],
        prop_oneof![
            prop::sample::select(
                &[
                    "singlestat",
                    "row",
                    "table",
                    "stat",
                    "merge",
                    "organize",
                    "byName",
                    "byType",
                    "${DS_X}",
                    "DS_X",
                    "250px",
                    "80,90",
                    "null",
                    "custom.hidden",
                    "x",
                    "$x",
                    "v"
                ][..]
            )
            .prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ],
    ];
    leaf.prop_recursive(5, 200, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #[test]
    fn any_bytes_parse_or_fail_with_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        if let Err(e) = parse(&bytes) {
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn yaml_like_text_parses_or_fails_with_a_reason(text in "[a-z0-9:\\-\\[\\]{}&*!|>, \n\"'#]{0,300}") {
        if let Err(e) = parse(text.as_bytes()) {
            prop_assert!(!e.to_string().contains('\n'), "one line: {e}");
        }
    }

    #[test]
    fn grafana_shaped_json_of_any_content_never_panics_and_stays_clean(
        panels in prop::collection::vec(arb_grafana_json(), 0..6),
        rows in prop::collection::vec(arb_grafana_json(), 0..4),
        inputs in arb_grafana_json(),
    ) {
        // `$x` is a variable, so that `repeat: x` repeats (over a, b and c: All).
        let templating = serde_json::json!({"list": [{"name": "x", "type": "custom", "query": "a,b,c",
            "multi": true, "includeAll": true, "current": {"value": ["$__all"]}}]});
        let doc = serde_json::json!({"title": "t", "templating": templating, "panels": panels, "rows": rows,
            "__inputs": inputs});
        let p = parse(doc.to_string().as_bytes()).expect("an object with panels is a dashboard");
        for panel in p.dashboard.all_panels() {
            prop_assert!(!panel.title.chars().any(char::is_control));
            prop_assert!(panel.title.chars().count() <= warroom::dashboard::MAX_TEXT);
            prop_assert!(panel.targets.len() <= warroom::dashboard::MAX_TARGETS);
        }
        // The repeats made: bounded, clean, every copy bound to one of x's values.
        let d = &p.dashboard;
        let e = warroom::dashboard::repeat::expand(&d.panels, &d.variables, Default::default());
        let count: usize = e.panels.iter().map(|p| 1 + p.children.len()).sum();
        prop_assert!(count <= warroom::dashboard::MAX_PANELS);
        prop_assert_eq!(e.origins.len(), e.panels.len());
        for panel in e.panels.iter().flat_map(|p| std::iter::once(p).chain(&p.children)) {
            prop_assert!(!panel.title.chars().any(char::is_control));
            prop_assert!(panel.grid.x < 24 || panel.scoped.is_empty(), "{:?}", panel.grid);
            for (name, value) in &panel.scoped {
                prop_assert!(name == "x" && ["a", "b", "c"].contains(&value.as_str()), "{name}={value}");
            }
        }
        for d in &p.diagnostics {
            prop_assert!(!d.path.chars().any(char::is_control) && !d.reason.chars().any(char::is_control), "{d:?}");
        }
    }
}

#[test]
fn a_panel_time_override_is_read_or_said_not_applied() {
    let body = br#"{"title": "T", "panels": [
        {"type": "stat", "title": "a", "timeFrom": "24h", "timeShift": "1d", "gridPos": {"x":0,"y":0,"w":6,"h":4}},
        {"type": "stat", "title": "b", "timeFrom": "now-2h", "hideTimeOverride": true, "gridPos": {"x":6,"y":0,"w":6,"h":4}},
        {"type": "stat", "title": "c", "timeFrom": "now/d", "timeShift": "$shift", "gridPos": {"x":12,"y":0,"w":6,"h":4}}]}"#;
    let parsed = parse(body).unwrap();
    let t: Vec<_> = parsed.dashboard.panels.iter().map(|p| p.time).collect();
    use warroom::dashboard::PanelTime;
    assert_eq!(t[0], PanelTime { from_secs: Some(86_400), shift_secs: Some(86_400), hidden: false });
    assert_eq!(t[1], PanelTime { from_secs: Some(7200), shift_secs: None, hidden: true });
    assert_eq!(t[2], PanelTime::default());
    let said: Vec<String> = parsed.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].starts_with(r#"warning: panels[2].timeFrom: "now/d" is not applied"#), "{said:?}");
    assert!(said[1].starts_with(r#"warning: panels[2].timeShift: "$shift" is not applied"#), "{said:?}");
}

#[test]
fn alert_list_options_in_the_unified_and_the_older_form() {
    let body = br#"{"title": "t", "panels": [
        {"type": "alertlist", "title": "a", "gridPos": {"x":0,"y":0,"w":8,"h":4},
         "options": {"alertName": "Payments", "alertInstanceLabelFilter": "{team=\"pay\", severity=~\"crit.*\"}",
                     "stateFilter": {"firing": true, "pending": false, "noData": false}, "maxItems": 10,
                     "sortOrder": 3, "viewMode": "stat"}},
        {"type": "alertlist", "title": "b", "gridPos": {"x":8,"y":0,"w":8,"h":4},
         "options": {"nameFilter": "Disk", "stateFilter": ["pending"], "limit": 5}},
        {"type": "alertlist", "title": "c", "gridPos": {"x":16,"y":0,"w":8,"h":4},
         "options": {"alertInstanceLabelFilter": "team"}}]}"#;
    let p = parse(body).unwrap();
    let o: Vec<_> = p.dashboard.panels.iter().map(|p| p.alerts.clone().expect("options")).collect();
    assert_eq!((o[0].name.as_str(), o[0].labels.len(), o[0].firing, o[0].pending), ("Payments", 2, true, false));
    assert_eq!((o[0].max, o[0].sort, o[0].stat), (10, 3, true));
    assert_eq!((o[1].name.as_str(), o[1].firing, o[1].pending, o[1].max), ("Disk", false, true, 5));
    assert!(o[2].firing && o[2].pending && o[2].labels.is_empty(), "nothing asked: every state");
    let d: Vec<&str> = p.diagnostics.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(d, ["panels[2].options.alertInstanceLabelFilter"], "the filter that does not parse says so");
}

/// A panel or row as Grafana writes one, repeated or not, by a variable the
/// dashboard has or not, placed anywhere.
fn arb_repeated_panel(row: bool) -> impl Strategy<Value = serde_json::Value> {
    let n = prop_oneof![0u32..40, Just(u32::MAX)];
    let repeat = prop::sample::select(&[None, Some("x"), Some("y"), Some("$x"), Some("zz")][..]);
    let direction = prop::sample::select(&[None, Some("h"), Some("v")][..]);
    let per_row = prop_oneof![Just(None), (-5i64..40).prop_map(Some), Just(Some(i64::MAX))];
    let kind = if row {
        prop::sample::select(&["row", "stat"][..])
    } else {
        prop::sample::select(&["stat", "timeseries"][..])
    };
    (kind, repeat, direction, per_row, any::<bool>(), (n.clone(), n.clone(), n.clone(), n)).prop_map(
        |(kind, repeat, direction, per_row, collapsed, (x, y, w, h))| {
            let mut p = serde_json::json!({"type": kind, "title": "t $x ${y}", "collapsed": collapsed,
                "gridPos": {"x": x, "y": y, "w": w, "h": h},
                "targets": [{"expr": "up{a=~\"$x\", b=~\"$y\"}"}]});
            if let Some(r) = repeat {
                p["repeat"] = r.into();
            }
            if let Some(d) = direction {
                p["repeatDirection"] = d.into();
            }
            if let Some(m) = per_row {
                p["maxPerRow"] = m.into();
            }
            p
        },
    )
}

fn arb_repeated_dashboard() -> impl Strategy<Value = serde_json::Value> {
    let top =
        (arb_repeated_panel(true), prop::collection::vec(arb_repeated_panel(false), 0..4)).prop_map(|(mut p, kids)| {
            if p["type"] == "row" {
                p["panels"] = kids.into();
            }
            p
        });
    let values = prop::collection::vec(prop_oneof!["[a-z.:]{1,6}", ".{0,8}"], 0..40);
    (prop::collection::vec(top, 0..12), values, prop::collection::vec(".{0,4}", 0..3), any::<bool>()).prop_map(
        |(panels, values, y, all)| {
            let current: serde_json::Value =
                if all { serde_json::json!(["$__all"]) } else { values.iter().step_by(2).cloned().collect() };
            serde_json::json!({"title": "t", "panels": panels, "templating": {"list": [
                {"name": "x", "type": "custom", "query": values.join(","), "multi": true, "includeAll": true,
                 "current": {"value": current}},
                {"name": "y", "type": "custom", "query": y.join(","), "multi": true}]}})
        },
    )
}

proptest! {
    /// Whatever repeats, by whatever values: bounded, each copy bound to one
    /// of its variable's values, each traced to the panel it copies, every
    /// title clean, and laid out without overlap.
    #[test]
    fn repeats_are_bounded_bound_to_a_value_and_laid_out_apart(doc in arb_repeated_dashboard()) {
        use warroom::dashboard::repeat::{expand, values};
        let d = parse(doc.to_string().as_bytes()).expect("a dashboard").dashboard;
        let e = expand(&d.panels, &d.variables, Default::default());
        let count: usize = e.panels.iter().map(|p| 1 + p.children.len()).sum();
        prop_assert!(count <= warroom::dashboard::MAX_PANELS);
        prop_assert_eq!(e.origins.len(), e.panels.len());
        for (p, &o) in e.panels.iter().zip(&e.origins) {
            prop_assert_eq!(&p.kind, &d.panels[o].kind);
        }
        for p in e.panels.iter().flat_map(|p| std::iter::once(p).chain(&p.children)) {
            prop_assert!(!p.title.chars().any(char::is_control), "{:?}", p.title);
            for (name, value) in &p.scoped {
                let var = d.variables.iter().find(|v| &v.name == name).expect("a variable of the dashboard");
                prop_assert!(values(var).contains(value), "{name}={value}");
            }
        }
        if e.cut == 0 {
            // Each repeated top-level panel: exactly one copy per value.
            for (i, src) in d.panels.iter().enumerate() {
                let Some(r) = src.repeat.as_ref().filter(|_| src.kind != PanelKind::Row) else { continue };
                let var = d.variables.iter().find(|v| v.name == r.var).unwrap();
                let copies = e.origins.iter().filter(|&&o| o == i).count();
                let (rows, row_var) = copies_of_its_row(&d, i, &e);
                // A panel in a row repeated by the same variable: once per row copy, bound to its value.
                let own = if row_var.as_deref() == Some(r.var.as_str()) { 1 } else { values(var).len().max(1) };
                prop_assert_eq!(copies, own * rows);
            }
        }
        let expanded = warroom::dashboard::Dashboard { panels: e.panels.clone(), ..d.clone() };
        let rects = place(&slots(&expanded, |_| true), Rect::new(0, 0, 200, 60), 0);
        for (i, (_, a)) in rects.iter().enumerate() {
            for (_, b) in &rects[i + 1..] {
                prop_assert!(!a.intersects(*b), "{a:?} overlaps {b:?}");
            }
        }
    }
}

/// How many copies the open row above top-level panel `i` was made in (1
/// if none), and the variable it repeats by when it was repeated.
fn copies_of_its_row(
    d: &warroom::dashboard::Dashboard,
    i: usize,
    e: &warroom::dashboard::repeat::Expansion,
) -> (usize, Option<String>) {
    let Some(row) = (0..i).rev().find(|&j| d.panels[j].kind == PanelKind::Row) else { return (1, None) };
    if d.panels[row].collapsed {
        return (1, None);
    }
    let copies = e.origins.iter().filter(|&&o| o == row).count().max(1);
    let var = e.panels.iter().zip(&e.origins).find(|(_, o)| **o == row).and_then(|(p, _)| p.scoped.first());
    (copies, var.map(|(n, _)| n.clone()))
}
