//! The 3 a.m. walkthrough, on the real binary in a pseudo-terminal: from a
//! fresh start on the drill, declare the incident, silence an alert, add a
//! note, open the runbook and export the post-mortem, counting the keys each
//! task takes (text typed by the user aside). Every task must fit in three.

mod support;

use std::path::{Path, PathBuf};

use support::tmux::Tmux;

/// Two alerts that fire at once and stay firing for the whole test, so the
/// walkthrough does not race the scenario's clock.
const SCENARIO: &str = r#"
name = "walkthrough"
title = "Two services down"
description = "The API and its database stop answering at once, for two hours."
duration = "2h"

[[series]]
name = "up"
type = "gauge"
labels = { job = "api", instance = "api:8080" }
curve = [[0, 0]]

[[series]]
name = "up"
type = "gauge"
labels = { job = "postgresql", instance = "pg:9187" }
curve = [[0, 0]]

[[alerts]]
name = "APIDown"
expr = 'up{job="api"} == 0'
for = "1m"
labels = { severity = "critical", service = "api" }
annotations = { summary = "API api:8080 is down", description = "The api target is unreachable.", runbook_url = "api-down.md" }

[[alerts]]
name = "DatabaseDown"
expr = 'up{job="postgresql"} == 0'
for = "1m"
labels = { severity = "critical", service = "postgresql" }
annotations = { summary = "PostgreSQL pg:9187 is down", description = "The postgresql target is unreachable.", runbook_url = "database-down.md" }
"#;

/// Keys sent for one task, counted; typed text is sent apart and not counted.
struct Walk<'a> {
    tmux: &'a Tmux,
    counts: Vec<(&'static str, usize)>,
}

/// A step of a task: a key (counted) or text the user types (not counted).
enum Step {
    Key(&'static str),
    Text(&'static str),
}

impl Walk<'_> {
    fn task(&mut self, name: &'static str, steps: &[Step], done: &str) -> String {
        let mut keys = 0;
        for step in steps {
            match step {
                Step::Key(k) => {
                    keys += 1;
                    self.tmux.keys(&[k]);
                }
                Step::Text(t) => {
                    self.tmux.cmd(&["send-keys", "-t", "w", "-l", t]);
                }
            }
            // Overlays open on the next frame; give each key its own.
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        self.counts.push((name, keys));
        self.tmux.wait(name, 20, |s| s.contains(done))
    }
}

fn incident_dir(data: &Path) -> PathBuf {
    let root = data.join("warroom").join("drill-incidents");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(dirs.len(), 1, "one incident: {dirs:?}");
    dirs.remove(0)
}

#[test]
fn silence_note_runbook_export_each_within_three_keys() {
    use Step::{Key, Text};
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("walkthrough.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let data = dir.path().join("data");
    let cmd = format!(
        "HOME={home} XDG_DATA_HOME={data} USER=alice {bin} demo --scenario-file {scenario} --speed 30 \
         --log-file {home}/warroom.log; sleep 30",
        home = dir.path().display(),
        data = data.display(),
        bin = env!("CARGO_BIN_EXE_warroom"),
        scenario = scenario.display(),
    );
    let tmux = Tmux::start(&cmd, 160, 45);
    tmux.wait("both alerts firing", 40, |s| {
        s.contains("APIDown") && s.contains("DatabaseDown") && s.contains("firing")
    });
    let mut walk = Walk { tmux: &tmux, counts: Vec::new() };

    walk.task("declare the incident", &[Key("i"), Key("C-s")], "incident declared");
    let s = walk.task(
        "silence the selected alert",
        &[Key("s"), Key("BTab"), Text("failover to the replica in progress"), Key("Enter")],
        "silenced (id",
    );
    assert!(s.contains("1 silenced"), "the header counts the silenced alert:\n{s}");
    walk.task("add a note", &[Key("n"), Text("replica promoted, errors dropping"), Key("C-s")], "errors dropping");
    walk.task("open the runbook", &[Key("r")], "Runbook:");
    tmux.keys(&["Escape"]);
    tmux.wait("runbook closed", 10, |s| !s.contains("Runbook:"));
    walk.task("export the post-mortem", &[Key("e")], "post-mortem draft:");

    for (task, keys) in &walk.counts {
        assert!(*keys <= 3, "{task} took {keys} keys");
    }
    let total: usize = walk.counts.iter().map(|(_, k)| k).sum();
    assert_eq!(total, 9, "{:?}", walk.counts);

    let incident = incident_dir(&data);
    let journal = std::fs::read_to_string(incident.join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"kind\":\"silence_created\""), "{journal}");
    assert!(journal.contains("failover to the replica in progress"), "{journal}");
    assert!(journal.contains("replica promoted, errors dropping"), "{journal}");
    assert!(journal.contains("\"kind\":\"runbook_opened\""), "{journal}");
    let postmortem = std::fs::read_to_string(incident.join("postmortem.md")).unwrap();
    assert!(postmortem.contains("replica promoted, errors dropping"), "{postmortem}");
    assert!(postmortem.to_lowercase().contains("silence"), "{postmortem}");

    tmux.keys(&["q"]);
    tmux.wait("warroom quit", 10, |s| !s.contains("DRILL"));
}
