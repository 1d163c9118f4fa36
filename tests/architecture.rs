//! The layers hold: this test reads `src/`, follows the module tree from
//! `lib.rs` (`#[path]` included), resolves every `crate::`, `super::` and
//! `self::` path (in `use` trees with their groups, in code, in macro and
//! attribute tokens) to the top-level module it names, and fails on
//!
//! - an edge between top-level modules that [`RULES`] does not allow,
//! - a cycle between top-level modules,
//! - a name a pure layer must not reach (the I/O halves of `incident` and
//!   `runbook`, see [`IO_ENTRY_POINTS`]),
//! - I/O, a clock, the machine's time zone or interior mutability in a pure
//!   layer's non-test code (see [`IMPURE`]),
//!
//! each reported with its file and line. README's "How it is built" states
//! the same rule in words.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::visit::Visit;

/// What each top-level module may import from the others. `*` is the wiring
/// (the runtime, the command line): it may use everything.
const RULES: &[(&str, &[&str])] = &[
    // Leaves: they depend on nothing of ours.
    ("model", &[]),
    ("text", &[]),
    ("keymap", &[]),
    ("logging", &[]),
    ("tui", &[]),
    // Typed styles over the domain's severities and states.
    ("theme", &["model"]),
    ("env", &["logging"]),
    // The loop's vocabulary: what happened, what to do.
    ("msg", &["model"]),
    // Typed async clients and the one HTTP layer.
    ("sources", &["model", "text"]),
    // The incident record (journal I/O, timeline, post-mortem).
    ("incident", &["model", "text"]),
    // Runbooks: resolve, fetch through the sources' HTTP layer, render.
    ("runbook", &["model", "text", "sources"]),
    // Grafana dashboards: parsed, checked, laid out (no I/O: callers read the files).
    ("dashboard", &["model", "text"]),
    // The simulator behind `warroom demo`.
    ("drill", &["model", "text"]),
    // The config file: its sections are typed by the layers they configure.
    ("config", &["model", "text", "keymap", "theme", "sources", "runbook", "env"]),
    // Pure: messages in, commands out.
    ("state", &["model", "msg", "text", "keymap", "theme", "incident", "runbook", "dashboard"]),
    // Pure rendering of the state.
    ("ui", &["state", "model", "msg", "text", "keymap", "theme", "incident", "runbook", "dashboard"]),
    // The wiring.
    ("app", &["*"]),
    ("cli", &["*"]),
    ("check", &["*"]),
    ("demo", &["*"]),
];

/// Modules whose non-test code is pure: no file, no clock, no environment,
/// no task, no interior mutability.
const PURE: &[&str] = &["model", "text", "keymap", "theme", "msg", "state", "ui", "dashboard"];

/// Names in `incident` and `runbook` that do I/O: the pure layers may use
/// those modules' records, timeline and renderer, never these.
const IO_ENTRY_POINTS: &[(&str, &[&str])] = &[
    (
        "incident",
        &[
            "atomic",
            "journal",
            "recid",
            "session",
            "Journal",
            "Session",
            "write_atomic",
            "list",
            "find_open",
            "load_template",
            "regenerate",
        ],
    ),
    ("runbook", &["fetch", "load", "RunbookCache", "resolve", "Location", "RunbookConfig"]),
];

/// Paths a pure layer must not name (a prefix of the path as written after
/// `use` resolution), with why.
const IMPURE: &[(&[&str], &str)] = &[
    (&["std", "fs"], "files"),
    (&["std", "env"], "the environment"),
    (&["std", "process"], "processes"),
    (&["std", "net"], "the network"),
    (&["std", "thread"], "threads"),
    (&["std", "cell"], "interior mutability (a Cell written while drawing)"),
    (&["std", "time", "Instant"], "the clock"),
    (&["std", "time", "SystemTime"], "the clock"),
    (&["tokio"], "tasks and I/O"),
    (&["reqwest"], "the network"),
    (&["Utc", "now"], "the clock"),
    (&["Local", "now"], "the clock"),
    (&["chrono", "Utc", "now"], "the clock"),
    (&["chrono", "Local", "now"], "the clock"),
    (&["Instant", "now"], "the clock"),
    (&["SystemTime", "now"], "the clock"),
    // The local time zone is the machine's: the state is told its offset
    // (`Msg::LocalOffset`, `State::clock.local_offset`) and the UI reads it there.
    (&["chrono", "Local"], "the machine's time zone"),
    (&["chrono", "offset", "Local"], "the machine's time zone"),
    (&["chrono", "prelude"], "the machine's time zone (the prelude brings Local)"),
];

/// Known violations being removed (issue 16), each `from -> to` edge or
/// `file: path` impurity. The test fails on a violation not listed here and
/// on an entry that no longer occurs, so the list only shrinks.
const KNOWN_EDGES: &[(&str, &str)] = &[];
const KNOWN_IMPURE: &[(&str, &str)] = &[];
const KNOWN_IO: &[(&str, &str)] = &[];

const MACROS_PRINTING: &[&str] = &["println", "eprintln", "print", "eprint", "dbg"];

#[derive(Debug, Clone)]
struct Site {
    file: String,
    line: usize,
    /// The path as written.
    text: String,
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.text)
    }
}

/// A module of the crate: its path from the root and what is known about it.
#[derive(Debug, Clone)]
struct Module {
    path: Vec<String>,
    /// The directory its `mod x;` children are found in.
    child_dir: PathBuf,
    /// Under `#[cfg(test)]` (itself or an ancestor).
    test: bool,
}

/// Everything collected from `src/`.
#[derive(Default)]
struct Crate {
    top_level: BTreeSet<String>,
    /// Child module names per module path (to resolve bare `use child::…`).
    children: BTreeMap<Vec<String>, BTreeSet<String>>,
    /// (from module, resolved path, test code, site)
    refs: Vec<(Vec<String>, Vec<String>, bool, Site)>,
    /// Paths as written in pure layers' non-test code (for `IMPURE`).
    written: Vec<(Vec<String>, Vec<String>, Site)>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rel(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display().to_string()
}

fn line(span: Span) -> usize {
    span.start().line
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.parse_args::<syn::Meta>().is_ok_and(|m| m.path().is_ident("test")))
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
        syn::Meta::NameValue(nv) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Reads the module tree from `lib.rs`.
fn read_crate() -> Crate {
    let mut krate = Crate::default();
    let root = Module { path: Vec::new(), child_dir: src(), test: false };
    let mut queue = vec![(src().join("lib.rs"), root)];
    while let Some((file, module)) = queue.pop() {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        declare_children(&mut krate, &module.path, &parsed.items);
        let mut v =
            Visitor { krate: &mut krate, file: rel(&file), source: &file, stack: vec![module], queue: Vec::new() };
        v.visit_file(&parsed);
        queue.extend(v.queue);
    }
    krate.top_level = krate.children.get(&Vec::new()).cloned().unwrap_or_default();
    krate
}

/// Records the modules declared among `items` before any `use` is read.
fn declare_children(krate: &mut Crate, path: &[String], items: &[syn::Item]) {
    let names = items.iter().filter_map(|i| match i {
        syn::Item::Mod(m) => Some(m.ident.to_string()),
        _ => None,
    });
    krate.children.entry(path.to_vec()).or_default().extend(names);
}

struct Visitor<'a> {
    krate: &'a mut Crate,
    file: String,
    source: &'a Path,
    /// The module being read (inline `mod x { … }` push onto it).
    stack: Vec<Module>,
    /// Module files still to read.
    queue: Vec<(PathBuf, Module)>,
}

impl Visitor<'_> {
    fn module(&self) -> &Module {
        self.stack.last().expect("a module")
    }

    fn site(&self, span: Span, text: String) -> Site {
        Site { file: self.file.clone(), line: line(span), text }
    }

    /// Resolves a path as written to a path from the crate root; `None` for
    /// an external crate, a local name or a bare keyword.
    fn resolve(&self, segments: &[String], in_use: bool) -> Option<Vec<String>> {
        let here = &self.module().path;
        let first = segments.first()?;
        let mut out = match first.as_str() {
            "crate" => segments[1..].to_vec(),
            "self" => here.iter().chain(&segments[1..]).cloned().collect(),
            "super" => {
                let ups = segments.iter().take_while(|s| *s == "super").count();
                let keep = here.len().checked_sub(ups)?;
                here[..keep].iter().chain(&segments[ups..]).cloned().collect()
            }
            name => {
                // A bare `use child::…` names a child module (2018 paths).
                let children = self.krate.children.get(here);
                if in_use && (here.is_empty() || children.is_some_and(|c| c.contains(name))) {
                    here.iter().chain(segments).cloned().collect()
                } else {
                    return None;
                }
            }
        };
        if out.is_empty() {
            return None;
        }
        out.retain(|s| s != "*");
        Some(out)
    }

    fn record(&mut self, segments: Vec<String>, span: Span, in_use: bool) {
        let test = self.module().test;
        let from = self.module().path.clone();
        let text = segments.join("::");
        if !test {
            self.krate.written.push((from.clone(), segments.clone(), self.site(span, text.clone())));
        }
        if let Some(target) = self.resolve(&segments, in_use) {
            let site = self.site(span, text);
            self.krate.refs.push((from, target, test, site));
        }
    }

    /// Every leaf of a `use` tree, as a full path.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                if n.ident != "self" {
                    full.push(n.ident.to_string());
                }
                self.record(full, n.ident.span(), true);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.record(full, r.ident.span(), true);
            }
            syn::UseTree::Glob(g) => {
                let span = g.star_token.spans[0];
                self.record(prefix.clone(), span, true);
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    /// `crate::a::b`, `super::x`, `std::fs::…` sequences inside macro or
    /// attribute tokens, which syn leaves unparsed.
    fn tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            if let TokenTree::Group(g) = &trees[i] {
                self.tokens(g.stream());
                i += 1;
                continue;
            }
            let TokenTree::Ident(first) = &trees[i] else {
                i += 1;
                continue;
            };
            let preceded_by_colons = i >= 1 && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == ':');
            let mut segments = vec![first.to_string()];
            let mut j = i + 1;
            loop {
                let colons = matches!(
                    (trees.get(j), trees.get(j + 1)),
                    (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':'
                );
                match trees.get(j + 2) {
                    Some(TokenTree::Ident(next)) if colons => {
                        segments.push(next.to_string());
                        j += 3;
                    }
                    _ => break,
                }
            }
            if segments.len() > 1 && !preceded_by_colons {
                self.record(segments, first.span(), false);
            }
            i = j.max(i + 1);
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let here = self.module().clone();
        let name = m.ident.to_string();
        let mut path = here.path.clone();
        path.push(name.clone());
        let test = here.test || is_cfg_test(&m.attrs);
        match &m.content {
            Some((_, items)) => {
                let child_dir = here.child_dir.join(&name);
                declare_children(self.krate, &path, items);
                self.stack.push(Module { path, child_dir, test });
                for attr in &m.attrs {
                    self.visit_attribute(attr);
                }
                for item in items {
                    self.visit_item(item);
                }
                self.stack.pop();
            }
            None => {
                let dir = &here.child_dir;
                let (file, child_dir) = match path_attr(&m.attrs) {
                    Some(p) => {
                        // `#[path]` is relative to the declaring file's
                        // directory (an inline module's own directory inside it).
                        let base = if self.stack.len() == 1 { self.source.parent().unwrap() } else { dir };
                        let file = base.join(p);
                        let child_dir = file.with_extension("");
                        (file, child_dir)
                    }
                    None if dir.join(format!("{name}.rs")).is_file() => {
                        (dir.join(format!("{name}.rs")), dir.join(&name))
                    }
                    None => (dir.join(&name).join("mod.rs"), dir.join(&name)),
                };
                let child_dir = if file.file_name().is_some_and(|f| f == "mod.rs") {
                    file.parent().unwrap().to_path_buf()
                } else {
                    child_dir
                };
                self.queue.push((file, Module { path, child_dir, test }));
            }
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut prefix = Vec::new();
        if u.leading_colon.is_some() {
            return; // `::extern_crate::…`
        }
        self.use_tree(&mut prefix, &u.tree);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        // Items under `#[cfg(test)]` (a test helper fn, a test impl) are test code.
        let attrs: &[syn::Attribute] = match item {
            syn::Item::Fn(i) => &i.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(i) => &i.attrs,
            syn::Item::Struct(i) => &i.attrs,
            syn::Item::Enum(i) => &i.attrs,
            syn::Item::Const(i) => &i.attrs,
            syn::Item::Static(i) => &i.attrs,
            _ => &[],
        };
        if is_cfg_test(attrs) && !self.module().test {
            let mut m = self.module().clone();
            m.test = true;
            self.stack.push(m);
            syn::visit::visit_item(self, item);
            self.stack.pop();
        } else {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() && p.segments.len() > 1 {
            let segments = p.segments.iter().map(|s| s.ident.to_string()).collect();
            let span = p.segments[0].ident.span();
            self.record(segments, span, false);
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if let Some(name) = m.path.get_ident().map(|i| i.to_string())
            && MACROS_PRINTING.contains(&name.as_str())
        {
            self.record(vec![format!("{name}!")], m.path.segments[0].ident.span(), false);
        }
        self.tokens(m.tokens.clone());
        syn::visit::visit_macro(self, m);
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        if let syn::Meta::List(list) = &a.meta {
            self.tokens(list.tokens.clone());
        }
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(crate)`, `pub(in crate::x)`: not a dependency.
    }
}

fn allowed(from: &str, to: &str) -> Option<bool> {
    let (_, targets) = RULES.iter().find(|(m, _)| *m == from)?;
    Some(targets.contains(&"*") || targets.contains(&to))
}

/// Every edge between top-level modules, with the sites that make it.
fn edges(krate: &Crate) -> BTreeMap<(String, String), Vec<Site>> {
    let mut out: BTreeMap<(String, String), Vec<Site>> = BTreeMap::new();
    for (from, target, _, site) in &krate.refs {
        let (Some(a), Some(b)) = (from.first(), target.first()) else { continue };
        if a != b && krate.top_level.contains(b) {
            out.entry((a.clone(), b.clone())).or_default().push(site.clone());
        }
    }
    out
}

fn first_sites(sites: &[Site]) -> String {
    let mut s = String::new();
    for site in sites.iter().take(3) {
        let _ = write!(s, "\n      {site}");
    }
    if sites.len() > 3 {
        let _ = write!(s, "\n      … and {} more", sites.len() - 3);
    }
    s
}

#[test]
fn every_top_level_module_has_a_rule() {
    let krate = read_crate();
    let ruled: BTreeSet<String> = RULES.iter().map(|(m, _)| m.to_string()).collect();
    let missing: Vec<_> = krate.top_level.difference(&ruled).collect();
    assert!(missing.is_empty(), "top-level modules without a rule in RULES: {missing:?}");
    let gone: Vec<_> = ruled.difference(&krate.top_level).collect();
    assert!(gone.is_empty(), "RULES names modules that do not exist: {gone:?}");
}

#[test]
fn the_rules_themselves_have_no_cycle() {
    // Wiring (`*`) is outside: nothing may depend on it.
    let graph: BTreeMap<&str, Vec<&str>> =
        RULES.iter().map(|(m, t)| (*m, t.iter().copied().filter(|t| *t != "*").collect())).collect();
    for (m, targets) in &graph {
        for t in targets {
            assert!(graph.contains_key(t), "{m} may depend on {t}, which has no rule");
            assert!(
                !RULES.iter().any(|(w, ts)| w == t && ts.contains(&"*")),
                "{m} may depend on the wiring module {t}"
            );
        }
    }
    let graph = graph.iter().map(|(m, t)| (m.to_string(), t.iter().map(|s| s.to_string()).collect())).collect();
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "RULES allow cycles: {cycles:?}");
}

#[test]
fn no_forbidden_edge_between_top_level_modules() {
    let krate = read_crate();
    let mut report = String::new();
    let mut seen = BTreeSet::new();
    for ((from, to), sites) in edges(&krate) {
        if allowed(&from, &to) == Some(true) {
            continue;
        }
        seen.insert((from.clone(), to.clone()));
        if KNOWN_EDGES.contains(&(from.as_str(), to.as_str())) {
            continue;
        }
        let may = RULES.iter().find(|(m, _)| *m == from).map(|(_, t)| t.join(", ")).unwrap_or_default();
        let _ = write!(report, "\n  {from} -> {to} is forbidden ({from} may use: {may}){}", first_sites(&sites));
    }
    for (from, to) in KNOWN_EDGES {
        if !seen.contains(&(from.to_string(), to.to_string())) {
            let _ = write!(report, "\n  {from} -> {to} is gone: remove it from KNOWN_EDGES");
        }
    }
    assert!(report.is_empty(), "layer rule broken:{report}");
}

#[test]
fn no_cycle_between_top_level_modules() {
    let krate = read_crate();
    let all = edges(&krate);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in all.keys() {
        if !KNOWN_EDGES.contains(&(from.as_str(), to.as_str())) {
            graph.entry(from.clone()).or_default().insert(to.clone());
        }
    }
    let mut report = String::new();
    for cycle in cycles(&graph) {
        let _ = write!(report, "\n  {}", cycle.join(" -> "));
        for pair in cycle.windows(2) {
            let sites = &all[&(pair[0].clone(), pair[1].clone())];
            let _ = write!(report, "\n    {} -> {}{}", pair[0], pair[1], first_sites(sites));
        }
    }
    assert!(report.is_empty(), "import cycles between top-level modules:{report}");
}

#[test]
fn pure_layers_reach_no_io_entry_point() {
    let krate = read_crate();
    let mut report = String::new();
    let mut seen = BTreeSet::new();
    for (from, target, _, site) in &krate.refs {
        let Some(top) = from.first().filter(|t| PURE.contains(&t.as_str())) else { continue };
        let (Some(module), Some(name)) = (target.first(), target.get(1)) else { continue };
        let Some((_, names)) = IO_ENTRY_POINTS.iter().find(|(m, _)| m == module) else { continue };
        if module == top || !names.contains(&name.as_str()) {
            continue;
        }
        let key = (top.clone(), format!("{module}::{name}"));
        seen.insert(key.clone());
        if !KNOWN_IO.contains(&(key.0.as_str(), key.1.as_str())) {
            let _ = write!(report, "\n  {site}: {top} is pure, {module}::{name} does I/O");
        }
    }
    for (top, name) in KNOWN_IO {
        if !seen.contains(&(top.to_string(), name.to_string())) {
            let _ = write!(report, "\n  {top} no longer reaches {name}: remove it from KNOWN_IO");
        }
    }
    assert!(report.is_empty(), "I/O reached from a pure layer:{report}");
}

#[test]
fn pure_layers_do_no_io_and_read_no_clock() {
    let krate = read_crate();
    let mut report = String::new();
    let mut seen = BTreeSet::new();
    for (from, written, site) in &krate.written {
        let Some(top) = from.first().filter(|t| PURE.contains(&t.as_str())) else { continue };
        let Some(why) = impurity(written) else { continue };
        let key = (site.file.clone(), written.join("::"));
        seen.insert(key.clone());
        if !KNOWN_IMPURE.contains(&(key.0.as_str(), key.1.as_str())) {
            let _ = write!(report, "\n  {site}: {top} is pure, this reaches {why}");
        }
    }
    for (file, path) in KNOWN_IMPURE {
        if !seen.contains(&(file.to_string(), path.to_string())) {
            let _ = write!(report, "\n  {file}: {path} is gone: remove it from KNOWN_IMPURE");
        }
    }
    assert!(report.is_empty(), "impure code in a pure layer:{report}");
}

/// Why a path as written is impure in a pure layer, if it is.
fn impurity(written: &[String]) -> Option<&'static str> {
    if written.len() == 1 && written[0].ends_with('!') {
        return Some("the terminal the UI owns");
    }
    IMPURE
        .iter()
        .find(|(prefix, _)| written.len() >= prefix.len() && prefix.iter().zip(written).all(|(p, w)| p == w))
        .map(|(_, why)| *why)
}

#[test]
fn the_clock_and_the_local_time_zone_are_caught_in_state_and_ui() {
    // The reader and the rule on a sample: every clock read and every use
    // of the machine's time zone in non-test code, as a `use`, a path in
    // code or in a macro; nothing in a test module.
    let sample = r#"
        use chrono::Local;
        use chrono::{DateTime, offset::Local as Here};
        fn f(t: DateTime<Utc>) {
            let _ = chrono::Local::now();
            let _ = Local::now();
            let _ = Utc::now();
            let _ = chrono::Utc::now();
            let _ = std::time::SystemTime::now();
            let _ = SystemTime::now();
            let _ = Instant::now();
            let _ = t.with_timezone(&chrono::Local);
            let _ = format!("{}", chrono::Local::now());
        }
        #[cfg(test)]
        mod tests {
            fn g() { let _ = chrono::Local::now(); let _ = Utc::now(); }
        }
    "#;
    for layer in ["state", "ui"] {
        let mut krate = Crate::default();
        let parsed = syn::parse_file(sample).expect("the sample parses");
        let module = Module { path: vec![layer.to_string()], child_dir: src().join(layer), test: false };
        let source = src().join(layer).join("sample.rs");
        let mut v = Visitor {
            krate: &mut krate,
            file: "sample.rs".into(),
            source: &source,
            stack: vec![module],
            queue: Vec::new(),
        };
        v.visit_file(&parsed);
        let caught: BTreeSet<usize> =
            krate.written.iter().filter(|(_, w, _)| impurity(w).is_some()).map(|(_, _, site)| site.line).collect();
        let expected: BTreeSet<usize> = (2..=3).chain(5..=13).collect();
        assert_eq!(caught, expected, "{layer}: lines of the sample caught");
    }
    assert!(PURE.contains(&"state") && PURE.contains(&"ui"));
}

#[test]
fn the_reader_sees_groups_supers_macros_and_paths_in_code() {
    // The reader itself, on what `src/` is known to hold: if it stopped
    // seeing a kind of path, every check above would pass vacuously.
    let krate = read_crate();
    let to = |from: &str, to: &str| {
        krate.refs.iter().any(|(f, t, _, _)| {
            f.first().map(String::as_str) == Some(from) && t.first().map(String::as_str) == Some(to)
        })
    };
    assert!(krate.top_level.len() >= 15, "{:?}", krate.top_level);
    assert!(to("app", "state"), "a `use crate::state::…` in app");
    assert!(to("cli", "app"), "a path in code or a group in cli");
    assert!(krate.refs.iter().any(|(_, _, test, _)| *test), "test modules are read");
    assert!(
        krate.refs.iter().any(|(f, t, _, _)| f.len() >= 2 && t.len() < f.len() && t[..] == f[..t.len()]),
        "`super::` resolves to an ancestor"
    );
}

/// The cycles of a graph: for every edge that lies on one, the shortest
/// cycle through it (each reported once).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut seen: BTreeSet<Vec<String>> = BTreeSet::new();
    for (from, targets) in graph {
        for to in targets {
            let Some(back) = shortest(graph, to, from) else { continue };
            let mut cycle = vec![from.clone()];
            cycle.extend(back);
            // The same cycle from another start is the same cycle.
            let mut key = cycle[..cycle.len() - 1].to_vec();
            let min = key.iter().enumerate().min_by_key(|(_, n)| *n).map(|(i, _)| i).unwrap_or(0);
            key.rotate_left(min);
            if seen.insert(key) {
                out.push(cycle);
            }
        }
    }
    out
}

/// A shortest path from `start` to `goal` (both included).
fn shortest(graph: &BTreeMap<String, BTreeSet<String>>, start: &str, goal: &str) -> Option<Vec<String>> {
    let mut prev: BTreeMap<String, String> = BTreeMap::new();
    let mut todo = std::collections::VecDeque::from([start.to_string()]);
    let mut reached = BTreeSet::from([start.to_string()]);
    while let Some(n) = todo.pop_front() {
        if n == goal {
            let mut path = vec![n];
            while let Some(p) = prev.get(path.last().unwrap()) {
                path.push(p.clone());
            }
            path.reverse();
            return Some(path);
        }
        for m in graph.get(&n).into_iter().flatten() {
            if reached.insert(m.clone()) {
                prev.insert(m.clone(), n.clone());
                todo.push_back(m.clone());
            }
        }
    }
    None
}

/// The most fields `State` may have: what the sources and the incident say
/// is grouped by feature (alerts, signals, logs, silences…), how the screen
/// is arranged is `View`, the user's choices are `Prefs`; a new feature adds
/// its one field, or joins a group, instead of a scatter of flags (issue 16).
const MAX_STATE_FIELDS: usize = 12;

#[test]
fn state_stays_a_few_groups_of_fields() {
    let path = src().join("state/mod.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    let file = syn::parse_file(&text).unwrap();
    let fields: Vec<String> = file
        .items
        .iter()
        .find_map(|item| match item {
            syn::Item::Struct(s) if s.ident == "State" => Some(&s.fields),
            _ => None,
        })
        .expect("src/state/mod.rs defines State")
        .iter()
        .map(|f| f.ident.as_ref().map(ToString::to_string).unwrap_or_default())
        .collect();
    assert!(
        fields.len() <= MAX_STATE_FIELDS,
        "State has {} fields, at most {MAX_STATE_FIELDS} are allowed: group them by feature ({})",
        fields.len(),
        fields.join(", ")
    );
    // No field is written while drawing: none is a Cell.
    for f in file.items.iter().filter_map(|i| match i {
        syn::Item::Struct(s) if s.ident == "State" => Some(s),
        _ => None,
    }) {
        for field in &f.fields {
            struct FindCell(bool);
            impl<'ast> Visit<'ast> for FindCell {
                fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
                    self.0 |= i == "Cell" || i == "RefCell" || i == "OnceCell";
                }
            }
            let mut find = FindCell(false);
            find.visit_type(&field.ty);
            assert!(!find.0, "State::{:?} holds a Cell: the UI must not write into the state", field.ident);
        }
    }
}
