//! The repository's house rules, checked by `tests/tidy.rs`: each rule is a function over a root
//! directory returning its violations, so it runs on the real tree and on the broken fixtures under
//! `tests/fixtures/tidy/<rule>/` that prove it can fail.
//!
//! The scans are textual (no parser); comments and string literals are blanked out first where a
//! rule reads Rust code, so a doc link or a message mentioning `crate::ws` is not a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// One broken rule: where, which rule, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: &'static str,
    /// Relative to the root, with `/` separators.
    pub file: String,
    /// 1-based, when the rule points at a line.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: [{}] {}", self.file, self.rule, self.message),
            None => write!(f, "{}: [{}] {}", self.file, self.rule, self.message),
        }
    }
}

/// Violations one per line, for an assertion message.
pub fn render(violations: &[Violation]) -> String {
    let lines: Vec<String> = violations.iter().map(|v| v.to_string()).collect();
    lines.join("\n")
}

fn violation(
    rule: &'static str,
    file: impl Into<String>,
    line: Option<usize>,
    message: impl Into<String>,
) -> Violation {
    Violation {
        rule,
        file: file.into(),
        line,
        message: message.into(),
    }
}

fn rel(root: &Path, path: &Path) -> String {
    let p = path.strip_prefix(root).unwrap_or(path);
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Directories never scanned: build output, dependencies, version control.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", ".git", "dist"];

/// Files under `root/dir` (a file or a directory) whose names end with one of `exts`, sorted;
/// `skip` lists paths relative to `root` left out with everything under them. A missing `dir` is
/// no files.
fn walk(root: &Path, dir: &str, exts: &[&str], skip: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(path) = stack.pop() {
        let r = rel(root, &path);
        if skip
            .iter()
            .any(|s| r == *s || r.starts_with(&format!("{s}/")))
        {
            continue;
        }
        if path.is_dir() {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|n| SKIPPED_DIRS.contains(&n.as_str())) {
                continue;
            }
            if let Ok(entries) = std::fs::read_dir(&path) {
                stack.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
            }
        } else if exts
            .iter()
            .any(|e| path.to_string_lossy().ends_with(&format!(".{e}")))
        {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn read(root: &Path, path: &Path, rule: &'static str) -> Result<String, Violation> {
    std::fs::read_to_string(path)
        .map_err(|e| violation(rule, rel(root, path), None, format!("cannot read it: {e}")))
}

// ---- Rule 1: the engine has no face dependencies.

pub const CORE_DEPS: &str = "core-dependencies";
/// Crates only a face may use (each also as a prefix: `tauri-build`, `clap_derive`, `axum-core`).
pub const FACE_CRATES: &[&str] = &["tauri", "clap", "axum"];

/// `crates/sockpit-core/Cargo.toml` depends on none of [`FACE_CRATES`] in `[dependencies]`,
/// `[build-dependencies]` or their `[target.*]` forms (dev-dependencies are the tests' business).
pub fn core_dependencies(root: &Path) -> Vec<Violation> {
    let file = "crates/sockpit-core/Cargo.toml";
    let text = match read(root, &root.join(file), CORE_DEPS) {
        Ok(t) => t,
        Err(v) => return vec![v],
    };
    let mut out = Vec::new();
    // Inside a dependency list (`[dependencies]`), or one dependency's table (`[dependencies.x]`).
    let mut list = false;
    for (i, raw) in text.lines().enumerate() {
        let line = strip_toml_comment(raw).trim();
        if line.starts_with('[') {
            let header = line.trim_start_matches('[').trim_end_matches(']');
            let parts = split_outside_quotes(header, '.');
            let kind = match parts.as_slice() {
                [t, _, rest @ ..] if t == "target" => rest,
                rest => rest,
            };
            list = false;
            match kind {
                [d] if is_dep_table(d) => list = true,
                [d, name] if is_dep_table(d) => {
                    // `[dependencies.name]`: the name, unless a `package = ...` line renames it.
                    let real = package_in_table(&text, i).unwrap_or_else(|| unquote(name));
                    check_face(&real, file, i + 1, &mut out);
                }
                _ => {}
            }
            continue;
        }
        if !list || line.is_empty() {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = unquote(key.trim().split('.').next().unwrap_or_default());
        let name = package_value(value).unwrap_or(key);
        check_face(&name, file, i + 1, &mut out);
    }
    out
}

fn is_dep_table(s: &str) -> bool {
    s == "dependencies" || s == "build-dependencies"
}

fn check_face(name: &str, file: &str, line: usize, out: &mut Vec<Violation>) {
    let face = FACE_CRATES.iter().find(|f| {
        name == **f || name.starts_with(&format!("{f}-")) || name.starts_with(&format!("{f}_"))
    });
    if let Some(face) = face {
        out.push(violation(
            CORE_DEPS,
            file,
            Some(line),
            format!(
                "sockpit-core depends on `{name}`: the engine must not know {face} (ARCHITECTURE.md, \
                 design.md §1); move the code that needs it into the face (src-tauri, sockpit-cli \
                 or sockpit-mock) and keep a plain API in core"
            ),
        ));
    }
}

fn strip_toml_comment(line: &str) -> &str {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('#', None) => return &line[..i],
            _ => {}
        }
    }
    line
}

fn split_outside_quotes(s: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quote = None;
    for c in s.chars() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            (c, None) if c == sep => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts.into_iter().map(|p| p.trim().to_string()).collect()
}

fn unquote(s: &str) -> String {
    s.trim().trim_matches(['"', '\'']).to_string()
}

/// `package = "x"` inside an inline table value.
fn package_value(value: &str) -> Option<String> {
    let at = value.find("package")?;
    let rest = value[at + "package".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next()?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_string())
}

/// `package = "x"` among the lines of the table whose header is on line `header`.
fn package_in_table(text: &str, header: usize) -> Option<String> {
    text.lines()
        .skip(header + 1)
        .map(|l| strip_toml_comment(l).trim())
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| package_value(l).filter(|_| l.starts_with("package")))
}

// ---- Rule 2: the UI reaches Tauri only through its ipc layer.

pub const UI_TAURI: &str = "ui-tauri-imports";

/// No file under `ui/src` outside `ui/src/ipc/` imports `@tauri-apps/*`.
pub fn ui_tauri_imports(root: &Path) -> Vec<Violation> {
    let exts = ["ts", "tsx", "js", "jsx", "mts", "cts", "mjs"];
    let mut out = Vec::new();
    for path in walk(root, "ui/src", &exts, &["ui/src/ipc"]) {
        let text = match read(root, &path, UI_TAURI) {
            Ok(t) => t,
            Err(v) => {
                out.push(v);
                continue;
            }
        };
        for (i, line) in text.lines().enumerate() {
            if imports_tauri(line) {
                out.push(violation(
                    UI_TAURI,
                    rel(root, &path),
                    Some(i + 1),
                    "imports `@tauri-apps/*` outside `ui/src/ipc/`: features talk to the engine \
                     only through the typed functions of `ui/src/ipc` (add one there if missing)",
                ));
            }
        }
    }
    out
}

fn imports_tauri(line: &str) -> bool {
    if line.trim_start().starts_with("//") {
        return false;
    }
    ['\'', '"', '`'].iter().any(|q| {
        let pattern = format!("{q}@tauri-apps/");
        line.match_indices(&pattern).any(|(at, _)| {
            let before = line[..at].trim_end();
            let before = before.strip_suffix('(').unwrap_or(before).trim_end();
            ["from", "import", "require"]
                .iter()
                .any(|k| before.ends_with(k))
        })
    })
}

// ---- Rule 3: Tauri commands never block the main thread.

pub const ASYNC_COMMANDS: &str = "async-commands";

/// Every `#[tauri::command]` under `src-tauri/src` is on an `async fn` or says
/// `#[tauri::command(async)]`.
pub fn async_commands(root: &Path) -> Vec<Violation> {
    let mut out = Vec::new();
    for path in walk(root, "src-tauri/src", &["rs"], &[]) {
        let text = match read(root, &path, ASYNC_COMMANDS) {
            Ok(t) => t,
            Err(v) => {
                out.push(v);
                continue;
            }
        };
        let code = code_only(&text);
        let code_lines: Vec<&str> = code.lines().collect();
        let mut i = 0;
        while i < code_lines.len() {
            let line = code_lines[i].trim_start();
            if !line.starts_with("#[tauri::command") {
                i += 1;
                continue;
            }
            // The attribute, possibly over several lines, up to its closing `]`.
            let mut attr = String::new();
            let mut j = i;
            while j < code_lines.len() {
                attr.push_str(code_lines[j]);
                j += 1;
                if attr.contains(']') {
                    break;
                }
            }
            let async_attr = attr
                .split_once('(')
                .map(|(_, args)| {
                    args.trim_end_matches([']', ')', ' '])
                        .split(',')
                        .any(|a| a.trim() == "async")
                })
                .unwrap_or(false);
            // The signature: the first line after the attributes that has `fn`.
            let sig = code_lines[j..]
                .iter()
                .enumerate()
                .find(|(_, l)| words(l).any(|w| w == "fn"));
            if let Some((k, sig)) = sig {
                let before_fn: Vec<&str> = words(sig).take_while(|w| *w != "fn").collect();
                let name = words(sig).skip_while(|w| *w != "fn").nth(1).unwrap_or("?");
                if !async_attr && !before_fn.contains(&"async") {
                    out.push(violation(
                        ASYNC_COMMANDS,
                        rel(root, &path),
                        Some(j + k + 1),
                        format!(
                            "Tauri command `{name}` is a sync fn, which Tauri runs on the main \
                             thread (the window freezes while it works): make it `async fn` or \
                             write `#[tauri::command(async)]` (design.md §1)"
                        ),
                    ));
                }
            }
            i = j;
        }
    }
    out
}

fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

// ---- Rules 4 and 5: every Rust file says what it is for, and none grows past a screenful of screens.

pub const MODULE_DOCS: &str = "module-docs";
pub const FILE_LENGTH: &str = "file-length";
/// The longest a non-test Rust file may be.
pub const MAX_LINES: usize = 800;

/// Where the workspace's Rust files are (each may be missing).
const RUST_DIRS: &[&str] = &["crates", "src-tauri", "tests", "fuzz"];
/// Rust files that are data for the rules' own tests, not code.
const RUST_SKIP: &[&str] = &["tests/fixtures"];

fn rust_files(root: &Path) -> Vec<PathBuf> {
    RUST_DIRS
        .iter()
        .flat_map(|d| walk(root, d, &["rs"], RUST_SKIP))
        .collect()
}

/// Every `.rs` file of the workspace starts (first non-empty line) with a `//!` module doc.
pub fn module_docs(root: &Path) -> Vec<Violation> {
    let mut out = Vec::new();
    for path in rust_files(root) {
        let text = match read(root, &path, MODULE_DOCS) {
            Ok(t) => t,
            Err(v) => {
                out.push(v);
                continue;
            }
        };
        let first = text.lines().enumerate().find(|(_, l)| !l.trim().is_empty());
        if !first.is_some_and(|(_, l)| l.trim_start().starts_with("//!")) {
            out.push(violation(
                MODULE_DOCS,
                rel(root, &path),
                Some(first.map_or(1, |(i, _)| i + 1)),
                "does not start with a `//!` line: begin the file with one sentence on what this \
                 module is for (see the other files for the tone)",
            ));
        }
    }
    out
}

/// Tests may be long: anything under a `tests` directory, and files named `tests.rs`.
fn is_test_file(rel_path: &str) -> bool {
    let parts: Vec<&str> = rel_path.split('/').collect();
    parts.last() == Some(&"tests.rs") || parts[..parts.len().saturating_sub(1)].contains(&"tests")
}

/// No non-test `.rs` file is longer than [`MAX_LINES`] lines.
pub fn file_length(root: &Path) -> Vec<Violation> {
    let mut out = Vec::new();
    for path in rust_files(root) {
        let r = rel(root, &path);
        if is_test_file(&r) {
            continue;
        }
        let text = match read(root, &path, FILE_LENGTH) {
            Ok(t) => t,
            Err(v) => {
                out.push(v);
                continue;
            }
        };
        let n = text.lines().count();
        if n > MAX_LINES {
            out.push(violation(
                FILE_LENGTH,
                r,
                None,
                format!(
                    "{n} lines, over the limit of {MAX_LINES} for non-test code: split it into \
                     submodules along its seams (a long `mod tests` can move to a `tests.rs` beside it)"
                ),
            ));
        }
    }
    out
}

/// The Rust files of the workspace with their line counts, longest first (for the test's log).
pub fn longest_files(root: &Path, n: usize) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = rust_files(root)
        .iter()
        .filter_map(|p| {
            let lines = std::fs::read_to_string(p).ok()?.lines().count();
            Some((rel(root, p), lines))
        })
        .filter(|(r, _)| !is_test_file(r))
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(n);
    all
}

// ---- Rule 6: sockpit-core's top-level modules depend on each other in one direction.

pub const MODULE_DIRECTION: &str = "module-direction";
pub const MODULE_CYCLES: &str = "module-cycles";
/// Where the engine's modules are.
pub const CORE_SRC: &str = "crates/sockpit-core/src";

/// The layers the direction rule enforces: a module and the modules above it, which it must never
/// name. `net` is below everything that talks to a server; `auth` runs before a WebSocket or SSE
/// request and so is below both.
pub const LAYERS: &[(&str, &[&str])] = &[("net", &["ws", "auth", "sse"]), ("auth", &["ws", "sse"])];

/// Known cycles between core's top-level modules, as edges `(from, to)` left out of the cycle
/// check. Each entry needs a comment saying why it stays and what would remove it. Empty: keep it
/// so, and fix a new cycle rather than list it here.
pub const KNOWN_CYCLE_EDGES: &[(&str, &str)] = &[];

/// One use of another top-level module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRef {
    pub from: String,
    pub to: String,
    pub file: String,
    pub line: usize,
}

/// Every reference from one of core's top-level modules to another: `crate::x` paths (also inside
/// `crate::{...}` groups) and `super::` paths that climb to the crate root. Comments and strings
/// do not count.
pub fn core_module_refs(root: &Path) -> Vec<ModuleRef> {
    let src = root.join(CORE_SRC);
    let tops = top_modules(&src);
    let mut out = Vec::new();
    for path in walk(root, CORE_SRC, &["rs"], &[]) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let in_src = rel(&src, &path);
        let module = file_module_path(&in_src);
        let Some(from) = module.first().cloned() else {
            continue; // lib.rs: the crate root declares the modules, it is in no layer.
        };
        for (to, line) in references(&code_only(&text), &module) {
            if to != from && tops.contains(&to) {
                out.push(ModuleRef {
                    from: from.clone(),
                    to,
                    file: rel(root, &path),
                    line,
                });
            }
        }
    }
    out
}

/// The strict layering of [`LAYERS`]: every reference that goes up names its file and line.
pub fn module_direction(root: &Path) -> Vec<Violation> {
    core_module_refs(root)
        .into_iter()
        .filter_map(|r| {
            let (_, above) = LAYERS.iter().find(|(m, _)| *m == r.from)?;
            above.contains(&r.to.as_str()).then(|| {
                violation(
                    MODULE_DIRECTION,
                    r.file.clone(),
                    Some(r.line),
                    format!(
                        "`{from}` uses `crate::{to}`, but {from} sits below {above} and must not \
                         name them: move the piece it needs down (into `{from}` or below it), or \
                         have the caller in `{to}` pass it in",
                        from = r.from,
                        to = r.to,
                        above = above.join(", "),
                    ),
                )
            })
        })
        .collect()
}

/// No cycle among core's top-level modules (apart from [`KNOWN_CYCLE_EDGES`]); each cycle is
/// reported once, with one use per edge.
pub fn module_cycles(root: &Path) -> Vec<Violation> {
    let mut edges: BTreeMap<(String, String), ModuleRef> = BTreeMap::new();
    for r in core_module_refs(root) {
        let known = KNOWN_CYCLE_EDGES
            .iter()
            .any(|(a, b)| *a == r.from && *b == r.to);
        if !known {
            edges.entry((r.from.clone(), r.to.clone())).or_insert(r);
        }
    }
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        graph.entry(a).or_default().push(b);
        graph.entry(b).or_default();
    }
    let mut out = Vec::new();
    for component in strongly_connected(&graph) {
        if component.len() < 2 {
            continue;
        }
        let cycle = shortest_cycle(&graph, &component, component[0]);
        let uses: Vec<&ModuleRef> = cycle
            .windows(2)
            .filter_map(|pair| edges.get(&(pair[0].to_string(), pair[1].to_string())))
            .collect();
        let Some(first) = uses.first() else {
            continue;
        };
        let steps: Vec<String> = uses
            .iter()
            .map(|r| format!("{} -> {} ({}:{})", r.from, r.to, r.file, r.line))
            .collect();
        out.push(violation(
            MODULE_CYCLES,
            first.file.clone(),
            Some(first.line),
            format!(
                "sockpit-core's modules {{{}}} depend on each other: {}; break the cycle by moving \
                 the shared piece into the lower module (or `net`/`util`) so the uses point one way",
                component.join(", "),
                steps.join(", "),
            ),
        ));
    }
    out
}

/// Tarjan's strongly connected components, each sorted, in a stable order.
fn strongly_connected<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(v: &'a str, g: &BTreeMap<&'a str, Vec<&'a str>>, s: &mut State<'a>) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in g.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !s.index.contains_key(w) {
                visit(w, g, s);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited above");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited above");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            component.sort();
            s.out.push(component);
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(v, graph, &mut s);
        }
    }
    s.out.sort();
    s.out
}

/// The shortest path `start -> ... -> start` inside `component` (breadth first).
fn shortest_cycle<'a>(
    graph: &BTreeMap<&'a str, Vec<&'a str>>,
    component: &[&'a str],
    start: &'a str,
) -> Vec<&'a str> {
    let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in graph.get(v).map(Vec::as_slice).unwrap_or_default() {
            if !component.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![start, v];
                let mut at = v;
                while at != start {
                    at = prev[at];
                    path.push(at);
                }
                // `start, v, prev(v), ..., start` backwards is the cycle `start -> ... -> v -> start`.
                path.reverse();
                return path;
            }
            if w != start && !prev.contains_key(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start, start]
}

/// The top-level modules of a crate: `x.rs` and `x/mod.rs` beside `lib.rs`.
fn top_modules(src: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(src) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            let name = p.file_name()?.to_string_lossy().into_owned();
            if p.is_dir() {
                p.join("mod.rs").exists().then_some(name)
            } else {
                let stem = name.strip_suffix(".rs")?;
                (stem != "lib" && stem != "main").then(|| stem.to_string())
            }
        })
        .collect()
}

/// The module path of a file inside `src`: `ws/config.rs` is `[ws, config]`, `ws/mod.rs` is
/// `[ws]`, `lib.rs` is `[]`.
fn file_module_path(in_src: &str) -> Vec<String> {
    let mut parts: Vec<String> = in_src.split('/').map(str::to_string).collect();
    if let Some(last) = parts.pop() {
        match last.as_str() {
            "mod.rs" | "lib.rs" | "main.rs" => {}
            other => parts.push(other.trim_end_matches(".rs").to_string()),
        }
    }
    parts
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Path, // `::`
    Open,
    Close,
    Comma,
    Dollar,
    Other,
}

fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((Tok::Path, line));
            i += 2;
        } else {
            let tok = match c {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                '$' => Tok::Dollar,
                _ => Tok::Other,
            };
            out.push((tok, line));
            i += 1;
        }
    }
    out
}

/// The top-level modules `code` (comments and strings blanked) refers to, with the line of each
/// reference; `module` is the file's module path (inline `mod x { ... }` blocks add to it).
fn references(code: &str, module: &[String]) -> Vec<(String, usize)> {
    let toks = tokens(code);
    let ident = |k: usize| match toks.get(k) {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    };
    let is = |k: usize, t: Tok| toks.get(k).is_some_and(|(x, _)| *x == t);
    let mut out = Vec::new();
    // Inline modules: (name, brace depth inside them).
    let mut inline: Vec<usize> = Vec::new();
    let mut pending_mod = false;
    let mut depth = 0usize;
    let mut k = 0;
    while k < toks.len() {
        match &toks[k].0 {
            Tok::Open => {
                depth += 1;
                if pending_mod {
                    inline.push(depth);
                    pending_mod = false;
                }
            }
            Tok::Close => {
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(w) if w == "mod" && ident(k + 1).is_some() && is(k + 2, Tok::Open) => {
                pending_mod = true;
            }
            Tok::Ident(w)
                if w == "crate"
                    && is(k + 1, Tok::Path)
                    && !(k > 0 && (is(k - 1, Tok::Dollar) || is(k - 1, Tok::Path))) =>
            {
                out.extend(path_heads(&toks, k + 2));
            }
            Tok::Ident(w) if w == "super" && !(k > 0 && is(k - 1, Tok::Path)) => {
                let mut climbs = 0;
                let mut j = k;
                while ident(j) == Some("super") && is(j + 1, Tok::Path) {
                    climbs += 1;
                    j += 2;
                }
                // `super` climbs from the innermost module: the file's path plus inline modules.
                if climbs == module.len() + inline.len() {
                    out.extend(path_heads(&toks, j));
                }
                k = j.max(k + 1);
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    out
}

/// The first segment(s) of a path starting at token `k`, with their lines: `x` of `x::...`, or
/// each head of a `{a, b::c, ...}` group.
fn path_heads(toks: &[(Tok, usize)], k: usize) -> Vec<(String, usize)> {
    match toks.get(k) {
        Some((Tok::Ident(s), line)) => vec![(s.clone(), *line)],
        Some((Tok::Open, _)) => {
            let mut heads = Vec::new();
            let mut depth = 0;
            let mut expect_head = true;
            for (t, line) in &toks[k..] {
                match t {
                    Tok::Open => {
                        depth += 1;
                        expect_head = depth == 1;
                    }
                    Tok::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Tok::Comma if depth == 1 => expect_head = true,
                    Tok::Ident(s) if expect_head && depth == 1 => {
                        heads.push((s.clone(), *line));
                        expect_head = false;
                    }
                    _ => {}
                }
            }
            heads
        }
        _ => Vec::new(),
    }
}

/// `src` with comments, string and char literals replaced by spaces (line breaks kept), so that
/// scans see only code.
pub fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let prev_ident = out
            .chars()
            .last()
            .is_some_and(|p| p.is_alphanumeric() || p == '_');
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut level = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    level += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    level -= 1;
                    out.push_str("  ");
                    i += 2;
                    if level == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r'))) && !prev_ident {
            // A raw string `r#"..."#` (or `br"..."`), else an identifier starting with r/b.
            let mut j = i + if c == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let close: Vec<char> = close.chars().collect();
            for _ in i..=j {
                out.push(' ');
            }
            i = j + 1;
            while i < b.len() {
                if b[i..].starts_with(&close) {
                    for _ in 0..close.len() {
                        out.push(' ');
                    }
                    i += close.len();
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() {
                if b[i] == '\\' {
                    out.push(' ');
                    if let Some(&n) = b.get(i + 1) {
                        out.push(blank(n));
                    }
                    i += 2;
                } else if b[i] == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == '\'' && next == Some('\\') {
            // An escaped char literal: `'\n'`, `'\''`, `'\u{1}'`.
            out.push_str("  ");
            i += 2;
            let mut first = true;
            while i < b.len() && (first || b[i] != '\'') {
                out.push(blank(b[i]));
                i += 1;
                first = false;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && b.get(i + 2) == Some(&'\'') {
            out.push_str("   ");
            i += 3;
        } else {
            // Code, or a lifetime (`'a`), which has no closing quote.
            out.push(c);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(code: &str, module: &[&str]) -> Vec<String> {
        let module: Vec<String> = module.iter().map(|s| s.to_string()).collect();
        references(&code_only(code), &module)
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    }

    #[test]
    fn finds_crate_and_escaping_super_paths_only_in_code() {
        let code = r#"
            //! Uses [`crate::doc`] in a comment.
            use crate::ws::config::X;
            use crate::{auth::A, net::{tls, proxy}};
            use super::sibling;
            use super::super::top;
            fn f() { let s = "crate::string"; let c = '{'; $crate::macro_path(); }
            mod tests { use super::super::super::from_test; use super::super::in_ws; }
        "#;
        assert_eq!(
            refs(code, &["ws", "config"]),
            ["ws", "auth", "net", "top", "from_test"]
        );
        assert_eq!(refs("use super::log;", &["template"]), ["log"]);
    }

    #[test]
    fn tests_are_exempt_from_the_length_limit() {
        assert!(is_test_file("tests/src/tidy.rs"));
        assert!(is_test_file("crates/x/tests/big.rs"));
        assert!(is_test_file("crates/x/src/store/tests.rs"));
        assert!(!is_test_file("crates/x/src/tests_helper.rs"));
        assert!(!is_test_file("crates/x/src/store/tree.rs"));
    }

    #[test]
    fn tauri_imports_are_recognised() {
        assert!(imports_tauri(
            "import { invoke } from '@tauri-apps/api/core';"
        ));
        assert!(imports_tauri("} from \"@tauri-apps/api/event\";"));
        assert!(imports_tauri(
            "const m = await import('@tauri-apps/plugin-dialog');"
        ));
        assert!(imports_tauri("const m = require( '@tauri-apps/api');"));
        assert!(!imports_tauri("// import x from '@tauri-apps/api'"));
        assert!(!imports_tauri("const name = '@tauri-apps/api';"));
    }
}
