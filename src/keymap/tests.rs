use super::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, m)
}

#[test]
fn defaults_cover_every_action_once() {
    let km = Keymap::default();
    for a in Action::ALL {
        assert!(!km.keys_for(*a).is_empty(), "{a:?} has no key");
    }
    assert_eq!(km.action(&ev(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Action::Quit));
    assert_eq!(km.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
    assert_eq!(km.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::Bottom));
    assert_eq!(km.action(&ev(KeyCode::PageDown, KeyModifiers::NONE)), Some(Action::PageDown));
}

#[test]
fn overrides_rebind_and_release() {
    let mut o = BTreeMap::new();
    o.insert("silence".to_string(), KeyList::One("S".into()));
    o.insert("refresh".to_string(), KeyList::Many(vec!["R".into(), "s".into()]));
    let km = Keymap::new(&o).unwrap();
    assert_eq!(km.action(&ev(KeyCode::Char('S'), KeyModifiers::SHIFT)), Some(Action::Silence));
    assert_eq!(km.action(&ev(KeyCode::Char('s'), KeyModifiers::NONE)), Some(Action::Refresh));
    assert_eq!(km.hint(Action::Silence), "S");
}

#[test]
fn bad_overrides_are_named() {
    let mut o = BTreeMap::new();
    o.insert("fly".to_string(), KeyList::One("f".into()));
    assert!(Keymap::new(&o).unwrap_err().contains("fly"));
    let mut o = BTreeMap::new();
    o.insert("quit".to_string(), KeyList::One("hyper-x".into()));
    assert!(Keymap::new(&o).unwrap_err().contains("hyper-x"));
}

#[test]
fn keys_round_trip() {
    for s in ["q", "G", "ctrl-r", "enter", "pageup", "f5", "space", "alt-x", "?"] {
        assert_eq!(Key::parse(s).unwrap().to_string(), s);
    }
}

#[test]
fn defaults_never_share_a_key_within_a_scope() {
    let mut seen = std::collections::BTreeMap::new();
    for a in Action::ALL {
        for k in a.default_keys() {
            let key = Key::parse(k).unwrap();
            if let Some(other) = seen.insert((a.scope(), key), *a) {
                panic!("{k} is bound to both {other:?} and {a:?}");
            }
        }
    }
}

#[test]
fn pane_keys_shadow_the_board_and_fall_back_to_it() {
    let km = Keymap::default();
    let t = ev(KeyCode::Char('t'), KeyModifiers::NONE);
    assert_eq!(km.action_in(&t, Scope::Logs), Some(Action::LogUtc));
    assert_eq!(km.action_in(&t, Scope::Runbook), Some(Action::RunbookContents));
    assert_eq!(km.action(&t), None, "t means nothing on the board");
    let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(km.local(&j, Scope::Logs), None);
    assert_eq!(km.action_in(&j, Scope::Logs), Some(Action::Down));
    let n = ev(KeyCode::Char('n'), KeyModifiers::NONE);
    assert_eq!(km.action(&n), Some(Action::Note));
    assert_eq!(km.local(&n, Scope::Logs), Some(Action::LogNextMatch));
}

#[test]
fn a_pane_override_releases_only_that_panes_key() {
    let mut o = BTreeMap::new();
    o.insert("log-wrap".to_string(), KeyList::One("f".into()));
    let km = Keymap::new(&o).unwrap();
    let f = ev(KeyCode::Char('f'), KeyModifiers::NONE);
    assert_eq!(km.local(&f, Scope::Logs), Some(Action::LogWrap));
    assert!(km.keys_for(Action::LogFullscreen).is_empty(), "f was taken from the full screen");
    assert_eq!(km.local(&ev(KeyCode::Char('w'), KeyModifiers::NONE), Scope::Logs), None);
    assert_eq!(km.keys_for(Action::PageDown).len(), 2, "the board keeps ctrl-f");
}

#[test]
fn a_conflict_within_one_pane_names_both_actions() {
    let mut o = BTreeMap::new();
    o.insert("log-wrap".to_string(), KeyList::One("W".into()));
    o.insert("log-utc".to_string(), KeyList::Many(vec!["u".into(), "W".into()]));
    let err = Keymap::new(&o).unwrap_err();
    assert!(err.contains("log-wrap") && err.contains("log-utc") && err.contains("\"W\""), "{err}");
    assert!(err.contains("logs"), "{err}");
    // The same key in two panes is fine.
    let mut o = BTreeMap::new();
    o.insert("log-wrap".to_string(), KeyList::One("W".into()));
    o.insert("runbook-contents".to_string(), KeyList::One("W".into()));
    assert!(Keymap::new(&o).is_ok());
    // And on the board, two overrides cannot share a key either.
    let mut o = BTreeMap::new();
    o.insert("quit".to_string(), KeyList::One("Q".into()));
    o.insert("help".to_string(), KeyList::One("Q".into()));
    let err = Keymap::new(&o).unwrap_err();
    assert!(err.contains("quit") && err.contains("help"), "{err}");
}
