//! The layers point one way (ARCHITECTURE.md): a module may use its own layer and those below
//! it, never one above. This reads every `crate::<module>` path in `src/` and fails on the
//! first that points up.

use std::path::Path;

/// Each top-level module of `src/` and its layer, lowest first.
const LAYERS: &[(&str, u8)] = &[
    ("clock", 0),
    ("config", 0),
    ("i18n", 0),
    ("telemetry", 0),
    ("crypto", 1),
    ("storage", 2),
    ("identity", 2),
    ("one_time_token", 2),
    ("state", 3),
    ("cleanup", 3),
    ("mail", 3),
    ("error", 3),
    ("pages", 3),
    ("oidc", 4),
    ("management", 4),
    ("health", 4),
    ("interaction", 5),
    ("startup", 6),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The top-level modules a Rust source names through `crate::`.
fn used_modules(source: &str) -> Vec<String> {
    let mut used = Vec::new();
    for (i, _) in source.match_indices("crate::") {
        if i > 0 && source[..i].ends_with('$') {
            continue;
        }
        let rest = &source[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::X, b};`
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    used.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            used.push(name);
        }
    }
    used
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::` path from a module to a higher layer, as "file: from -> to".
fn upward_imports(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let relative = file.strip_prefix(src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "main" || top == "lib" {
            continue;
        }
        let from = layer(&top).unwrap_or_else(|| {
            panic!("src/{top} has no layer: add it to LAYERS and to ARCHITECTURE.md")
        });
        let source: String = std::fs::read_to_string(&file)
            .expect("read source")
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for used in used_modules(&source) {
            if used == top {
                continue;
            }
            let to = layer(&used)
                .unwrap_or_else(|| panic!("{}: crate::{used} has no layer", file.display()));
            if to > from {
                found.push(format!("{}: {top} -> {used}", relative.display()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let upward = upward_imports(&src);
    assert!(
        upward.is_empty(),
        "imports that point up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_plain_paths() {
    let source = "use crate::{state::AppState, oidc};\nlet x = crate::interaction::go();";
    assert_eq!(used_modules(source), vec!["state", "oidc", "interaction"]);
}
