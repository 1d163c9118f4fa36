//! `:dash` end to end against a real Prometheus scraping a real
//! `prometheus-node-exporter` (scripts/install-test-deps.sh installs both):
//! the node dashboard's query variables resolve through
//! `/api/v1/label/…/values` with `match[]`, its panels show the exporter's
//! values (rates over `$__rate_interval`, bytes, counts), and a broken
//! query shows Prometheus' error in its box; and the same in the real
//! binary in tmux. A pre-5.0 export (rows, singlestats, an import input)
//! and a merged table in Grafana's table format on the same servers.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::console::{run_drawn_until, run_until, screen, type_command};
use support::tmux::Tmux;
use support::{NodeExporter, PromConfig, Prometheus, api, wait_for};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::sources::Endpoint;
use warroom::state::dashboard::VarStatus;

const SIZE: (u16, u16) = (120, 40);

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboards-node")
}

fn value<'a>(c: &'a Console, name: &str) -> Option<&'a [String]> {
    let open = c.state.dashboard.open.as_ref()?;
    let i = open.dash.variables.iter().position(|v| v.name == name)?;
    (open.status[i] == VarStatus::Ready).then(|| open.dash.variables[i].current.as_slice())
}

/// A console on `prom` with the dashboards of `dirs` read, at [`SIZE`].
async fn console_with(prom: &Prometheus, dirs: Vec<PathBuf>) -> Console {
    let cfg = Config {
        refresh: Duration::from_millis(300),
        prometheus: vec![Endpoint::from_url(&prom.url)],
        dashboards: dirs,
        ..Config::default()
    };
    let mut console = Console::start(&cfg, Options::default()).unwrap();
    console.handle(warroom::msg::Msg::Resize(SIZE.0, SIZE.1));
    run_until(&mut console, "the dashboards read", 20, |c| c.state.dashboard.files.is_some()).await;
    console
}

/// The screen line under the first that holds `title` (a panel's first inner line).
fn below(s: &str, title: &str) -> String {
    s.lines().skip_while(|l| !l.contains(title)).nth(1).unwrap_or_default().to_string()
}

/// A node exporter scraped by a Prometheus that has its CPU rates already.
async fn scraped() -> (NodeExporter, Prometheus) {
    let node = NodeExporter::start();
    let prom = Prometheus::start(PromConfig { scrape_targets: vec![node.addr.to_string()], ..PromConfig::default() });
    let http = api::client();
    // Two scrapes at least, so that rate() over the panel's interval has points.
    wait_for("the node exporter's CPU rates", Duration::from_secs(30), || {
        let (http, url) = (http.clone(), prom.url.clone());
        async move { api::query_value(&http, &url, r#"sum(rate(node_cpu_seconds_total{job="test"}[1m]))"#).await }
    })
    .await;
    (node, prom)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_dashboard_resolves_its_variables_and_shows_the_exporters_values() {
    let (node, prom) = scraped().await;
    let mut console = console_with(&prom, vec![fixtures()]).await;
    type_command(&mut console, "dash node");
    assert!(console.state.dashboard.open.is_some(), "{:?}", console.state.view.flash);

    let instance = node.addr.to_string();
    run_drawn_until(&mut console, "the variables resolved", 30, SIZE, |c| {
        value(c, "job") == Some(&["test".to_string()][..]) && value(c, "instance") == Some(&[instance.clone()][..])
    })
    .await;
    // A panel's range ends at its last whole step: the exporter's first
    // points may only come with the next one.
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu_box = |s: &str| s.lines().skip_while(|l| !l.contains("CPUs")).nth(1).unwrap_or_default().to_string();
    run_drawn_until(&mut console, "the panels' values", 60, SIZE, |c| {
        let s = screen(c, SIZE.0, SIZE.1).join("\n");
        let cache = &c.state.dashboard.cache.cache;
        let cpu = cache.iter().any(|(k, v)| k.query.contains("mode!=") && !v.series.is_empty());
        let counted = cpu_box(&s).contains(&format!("│{cpus} "));
        cpu && counted && s.contains("iB") && s.contains("parse error") && s.contains(&instance)
    })
    .await;
    let s = screen(&mut console, SIZE.0, SIZE.1).join("\n");
    // The header: title, range, the variables as resolved.
    assert!(s.contains("Node overview · last 15m"), "{s}");
    assert!(s.contains("Job=test") && s.contains(&format!("instance={instance}")), "{s}");
    // The stat counts the exporter's CPUs, as the machine has them.
    assert!(cpu_box(&s).contains(&format!("│{cpus} ")), "CPUs = {cpus}:\n{s}");
    assert!(s.contains("CPU busy by mode") && s.contains("Memory available"), "{s}");
    // The broken query's box says what Prometheus said; the others still draw.
    assert!(s.contains("Broken query") && s.contains("bad_data"), "{s}");
    // The rate panel's series came back with data.
    let open = console.state.dashboard.open.as_ref().unwrap();
    let cpu = open.queries(&open.dash.panels[0], 70);
    assert!(cpu[0].key.query.contains(&format!(r#"instance="{instance}""#)), "{:?}", cpu[0].key.query);
    assert!(!cpu[0].key.query.contains("$__rate_interval"));
    let cached = console.state.dashboard.cache.cache.iter().find(|(k, _)| k.query == cpu[0].key.query);
    let series = cached.map(|(_, c)| c.series.len()).unwrap_or_default();
    assert!(
        series > 0,
        "the CPU panel has series: {:?}",
        console.state.dashboard.cache.cache.keys().collect::<Vec<_>>()
    );
    assert!(node.is_running());
}

/// The real binary in a real terminal: `:dash node` shows the panels'
/// titles and the exporter's values, Esc goes back to the board.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_in_tmux_shows_the_node_dashboard() {
    let (node, prom) = scraped().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "# empty: flags only\n").unwrap();
    let cmd = format!(
        "{} --prometheus {} --dashboards {} --refresh 0.5 --no-mouse --log-file {} --config {}; sleep 30",
        env!("CARGO_BIN_EXE_warroom"),
        prom.url,
        fixtures().display(),
        dir.path().join("warroom.log").display(),
        config.display(),
    );
    let tmux = Tmux::start(&cmd, 120, 40);
    tmux.wait("the board", 30, |s| s.contains("prom"));
    tmux.keys(&[":", "dash node", "Enter"]);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let instance = node.addr.to_string();
    let s = tmux.wait("the dashboard with its values", 60, |s| {
        let cpu_box = s.lines().skip_while(|l| !l.contains("CPUs")).nth(1).unwrap_or_default();
        s.contains("Node overview")
            && s.contains(&instance)
            && cpu_box.contains(&format!("│{cpus} "))
            && s.contains("iB")
    });
    for title in ["CPU busy by mode", "Memory available", "Broken query", "Load", "Job=test"] {
        assert!(s.contains(title), "{title}: {s}");
    }
    assert!(s.contains("bad_data"), "the broken query's error in its box: {s}");
    tmux.keys(&["Escape"]);
    tmux.wait("back on the board", 10, |s| !s.contains("Node overview"));
    tmux.keys(&["D"]);
    tmux.wait("the picker", 10, |s| s.contains("Dashboards") && s.contains("node.json"));
    tmux.keys(&["Enter"]);
    tmux.wait("opened from the picker", 10, |s| s.contains("Node overview"));
}

/// Two exports of other ages on the same real servers: a pre-5.0 one
/// (rows sized by span and pixel height, singlestats with value maps and a
/// gauge, an import input as the datasource) and a current table in
/// Grafana's table format, its two queries merged into one row per
/// instance and organized (columns hidden, renamed, reordered).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_export_and_a_merged_table_show_the_exporters_values() {
    let (node, prom) = scraped().await;
    let legacy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboards-legacy");
    let mut console = console_with(&prom, vec![fixtures(), legacy]).await;
    type_command(&mut console, "dash old node export");
    assert!(console.state.dashboard.open.is_some(), "{:?}", console.state.view.flash);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    // Each panel's values come with its own query: wait for all of them
    // (the legend is drawn with the graph's series).
    run_drawn_until(&mut console, "the old export's values", 60, SIZE, |c| {
        let s = screen(c, SIZE.0, SIZE.1).join("\n");
        let memory = below(&s, "Memory used");
        below(&s, "CPU cores").contains(&format!("│{cpus} "))
            && below(&s, "Exporter").contains("│UP ")
            && memory.contains('%')
            && memory.contains('.')
            && s.contains("1m")
            && s.contains("5m")
    })
    .await;
    let s = screen(&mut console, SIZE.0, SIZE.1).join("\n");
    assert!(s.contains("Old node export") && s.contains("▾ Overview") && s.contains("▾ Load"), "{s}");
    let memory = below(&s, "Memory used");
    assert!(memory.contains('%') && memory.contains('.'), "percent with one decimal: {memory}\n{s}");
    assert!(s.lines().any(|l| l.contains("Memory used") && l.contains("Exporter")), "three across, span 4 each: {s}");
    assert!(s.contains("Load average") && s.contains("1m") && s.contains("5m"), "the legend: {s}");

    console.handle(warroom::msg::Msg::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc)));
    type_command(&mut console, "dash node overview");
    let instance = node.addr.to_string();
    run_drawn_until(&mut console, "the merged table", 60, SIZE, |c| {
        let s = screen(c, SIZE.0, SIZE.1).join("\n");
        s.lines().any(|l| l.contains(&instance) && l.matches("GiB").count() + l.matches("MiB").count() == 2)
    })
    .await;
    let s = screen(&mut console, SIZE.0, SIZE.1).join("\n");
    let head = below(&s, "Memory by instance");
    let words: Vec<&str> = head.split(|c: char| c == '│' || c.is_whitespace()).filter(|w| !w.is_empty()).collect();
    assert_eq!(words, ["Instance", "Available", "Total"], "hidden, renamed, reordered: {s}");
    let rows = s.lines().filter(|l| l.contains(&instance) && l.contains("iB")).count();
    assert_eq!(rows, 1, "one row per instance, both queries in it: {s}");
}

/// Repeats against a real Prometheus scraping two real node exporters: the
/// `instance` variable resolves to both, All is selected, so the repeated
/// stat shows twice side by side and the repeated row twice, each copy
/// titled and queried with its own exporter (one value, regex-escaped);
/// choosing one exporter leaves one copy of each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_panels_and_rows_show_one_copy_per_exporter() {
    let nodes = [NodeExporter::start(), NodeExporter::start()];
    let targets: Vec<String> = nodes.iter().map(|n| n.addr.to_string()).collect();
    let prom = Prometheus::start(PromConfig { scrape_targets: targets.clone(), ..PromConfig::default() });
    let http = api::client();
    wait_for("both exporters scraped", Duration::from_secs(30), || {
        let (http, url) = (http.clone(), prom.url.clone());
        async move {
            let n = api::query_value(&http, &url, r#"count(node_uname_info{job="test"})"#).await?;
            (n == "2").then_some(())
        }
    })
    .await;
    let mut console =
        console_with(&prom, vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboards-repeat")])
            .await;
    type_command(&mut console, "dash hosts");
    assert!(console.state.dashboard.open.is_some(), "{:?}", console.state.view.flash);
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let (a, b) = (targets[0].clone(), targets[1].clone());
    run_drawn_until(&mut console, "a copy per exporter with its values", 60, SIZE, |c| {
        let s = screen(c, SIZE.0, SIZE.1).join("\n");
        // The two stats side by side: both values on the line below their titles.
        let line = below(&s, &format!("CPUs on {a}"));
        line.matches(&format!("│{cpus} ")).count() == 2 && below(&s, "Exporters answering").contains("│1 ")
    })
    .await;
    let s = screen(&mut console, SIZE.0, SIZE.1).join("\n");
    assert!(s.lines().any(|l| l.contains(&format!("CPUs on {a}")) && l.contains(&format!("CPUs on {b}"))), "{s}");
    assert!(s.contains(&format!("▾ Memory of {a}")) && s.contains(&format!("▾ Memory of {b}")), "{s}");
    // Each copy asked for its own exporter only, escaped for a regex.
    let escaped = |t: &str| t.replace('.', r"\\.");
    let queries: Vec<String> = console.state.dashboard.cache.cache.keys().map(|k| k.query.clone()).collect();
    for t in [&a, &b] {
        let q = format!(r#"count(up{{job="test", instance=~"{}"}} == 1)"#, escaped(t));
        assert!(queries.contains(&q), "{q} in {queries:?}");
    }
    assert!(!queries.iter().any(|q| q.contains('|')), "no copy asks for both: {queries:?}");
    // `v` on the variable: All → the first exporter: one copy of each.
    console.handle(warroom::msg::Msg::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('v'))));
    let first = console.state.dashboard.open.as_ref().unwrap().dash.variables[0].current.clone();
    assert_eq!(first.len(), 1, "{first:?}");
    let (kept, gone) = if first[0] == a { (&a, &b) } else { (&b, &a) };
    run_drawn_until(&mut console, "one copy of each", 60, SIZE, |c| {
        let s = screen(c, SIZE.0, SIZE.1).join("\n");
        below(&s, &format!("CPUs on {kept}")).contains(&format!("│{cpus} ")) && !s.contains(gone.as_str())
    })
    .await;
    let s = screen(&mut console, SIZE.0, SIZE.1).join("\n");
    assert_eq!(s.matches("Exporters answering").count(), 1, "{s}");
    assert!(nodes.iter().all(|n| n.is_running()));
}
