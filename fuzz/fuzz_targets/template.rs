//! Fuzz target: the template renderer (`template::Vars::render`) over layers of variables taken
//! from the input. Properties: text without `{{` renders to itself; when no value holds `{{` and
//! no dynamic `{{$...}}` is used, the result is what a one-pass reference renderer gives (first
//! layer wins, the last definition within a layer, unclosed or undefined is an error); the result
//! never grows far past `MAX_RENDERED` (variables that use each other many times are an error).
//!
//! Input (UTF-8, lossy): lines `name=value` (or `name` for a variable without a value), layers
//! separated by a `--` line, then a `==` line and the text to render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::collection::model::Variable;
use sockpit_core::template::{Vars, MAX_RENDERED};

type Layer = Vec<(String, Option<String>)>;

/// `None`: the reference does not apply; `Some(None)`: an error; `Some(Some(s))`: renders to `s`.
fn reference(layers: &[Layer], text: &str) -> Option<Option<String>> {
    let nested = layers
        .iter()
        .flatten()
        .any(|(_, v)| v.as_deref().is_some_and(|v| v.contains("{{")));
    if nested {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Some(None);
        };
        let name = after[..end].trim();
        if name.starts_with('$') {
            return None;
        }
        let found = layers
            .iter()
            .find_map(|l| l.iter().rev().find(|(n, _)| n == name));
        match found {
            Some((_, v)) => out.push_str(v.as_deref().unwrap_or("")),
            None => return Some(None),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Some(Some(out))
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (defs, text) = input.split_once("\n==\n").unwrap_or(("", &input));
    let layers: Vec<Layer> = defs
        .split("\n--\n")
        .map(|layer| {
            layer
                .lines()
                .map(|line| match line.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (line.to_string(), None),
                })
                .collect()
        })
        .collect();
    let mut vars = Vars::new();
    for (i, layer) in layers.iter().enumerate() {
        let vs = layer
            .iter()
            .map(|(name, value)| Variable {
                name: name.clone(),
                value: value.clone(),
                ..Default::default()
            })
            .collect();
        vars.push_layer(format!("layer {i}"), vs);
    }
    let got = vars.render(text, "fuzz");
    if !text.contains("{{") {
        assert_eq!(got.as_deref(), Ok(text));
    }
    if let Ok(out) = &got {
        assert!(
            out.len() <= MAX_RENDERED + text.len(),
            "{} bytes",
            out.len()
        );
    }
    let too_large = got
        .as_ref()
        .is_err_and(|e| e.code() == "template.too_large");
    match reference(&layers, text) {
        // One pass over a text shorter than the reference limit: only the size bound applies.
        Some(Some(want)) if too_large => assert!(want.len() > MAX_RENDERED, "{} bytes", want.len()),
        Some(want) => assert_eq!(got.ok(), want),
        None => {}
    }
});
