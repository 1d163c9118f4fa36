//! Laying out hostile runbooks: N nested block quotes (`>` repeated, the
//! whole file one line), the same with spaces and continuation lines, and N
//! nested list items. Before the nesting cap, N `>` took quadratic time
//! (150 000 in 5.8 s, 300 000 in 26 s). Prints, for each size, the time of
//! pulldown-cmark's parse alone and of the whole layout (median of 3).
//! Run: `cargo bench --bench runbook`.

use std::time::{Duration, Instant};

use pulldown_cmark::{Options, Parser};
use warroom::runbook::render::{RunbookStyles, render};

fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

fn main() {
    let styles = RunbookStyles::default();
    type Make = Box<dyn Fn(usize) -> String>;
    let inputs: Vec<(&str, Make)> = vec![
        ("'>' x N, one line", Box::new(|n| ">".repeat(n) + " deep")),
        ("'> ' x N/2, then a line each", Box::new(|n| "> ".repeat(n / 2) + "x\n" + &"> x\n".repeat(n / 8))),
        ("'- ' x N, nested list items", Box::new(|n| "- ".repeat(n) + "deep")),
    ];
    println!("{:<32} {:>10} {:>12} {:>12} {:>8}", "input", "bytes", "parse", "layout", "lines");
    // Under `cargo test` (no `--bench`): the smallest size, to see it runs.
    let sizes: &[usize] = match std::env::args().any(|a| a == "--bench") {
        true => &[10_000, 150_000, 300_000, 1 << 20],
        false => &[10_000],
    };
    for (name, make) in &inputs {
        for &n in sizes {
            let md = make(n);
            let md = &md[..md.len().min(1 << 20)];
            let options = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS | Options::ENABLE_STRIKETHROUGH;
            let parse = median(|| {
                std::hint::black_box(Parser::new_ext(md, options).count());
            });
            let mut lines = 0;
            let layout = median(|| lines = std::hint::black_box(render(md, 100, &styles)).lines.len());
            println!("{name:<32} {:>10} {:>12.1?} {:>12.1?} {lines:>8}", md.len(), parse, layout);
        }
    }
}
