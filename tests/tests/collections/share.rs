//! The share format through the real binary: export → import → export is byte-identical, secrets
//! never reach a file, keys keep their order, and files validate against collections/schema.json.

use std::time::Duration;

use sockpit_core::collection::{parse_share, to_share_json};
use sockpit_tests::collections::{sample_collection, shipped_collection};
use sockpit_tests::peers::venv_python;
use sockpit_tests::sockpit;

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn export_import_export_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let first = to_share_json(&sample_collection("Round trip"));
    let file = dir.path().join("Round trip.sockpit.json");
    std::fs::write(&file, &first).unwrap();

    let out = sockpit(
        &["import", file.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("imported 'Round trip' (2 requests, sockpit format)"),
        "{out:?}"
    );
    let out = sockpit(&["export", "Round trip", "--data-dir", data], None, LIMIT).await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(
        out.stdout, first,
        "export → import → export changed the file"
    );

    // Through -o, and a second import of the same file is renamed and reported.
    let again = dir.path().join("again.sockpit.json");
    let out = sockpit(
        &[
            "export",
            "Round trip",
            "--data-dir",
            data,
            "-o",
            again.to_str().unwrap(),
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert_eq!(std::fs::read_to_string(&again).unwrap(), first);
    let out = sockpit(
        &["import", again.to_str().unwrap(), "--data-dir", data],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 0, "{out:?}");
    assert!(out.stdout.contains("imported 'Round trip (2)'"), "{out:?}");
    assert!(
        out.stderr
            .contains("a collection named 'Round trip' exists; imported as 'Round trip (2)'"),
        "{out:?}"
    );
}

#[test]
fn secrets_are_never_written() {
    let text = to_share_json(&sample_collection("Secrets"));
    for secret in ["s3cret-value", "literal-auth-token", "literal-header-token"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    // The placeholder says where the value comes from.
    assert!(text.contains("environment 'dev'"), "{text}");
    assert!(text.contains("$SOCKPIT_VAR_PASSWORD"), "{text}");
    // A variable reference is not a secret and stays.
    assert!(text.contains("\"password\": \"{{password}}\""), "{text}");
    let back = parse_share(&text, "x").unwrap();
    let pw = &back.environments[0].variables[1];
    assert!(
        pw.secret && pw.value.is_none() && pw.placeholder.is_none(),
        "{pw:?}"
    );
}

#[test]
fn keys_come_in_a_fixed_order_and_the_demo_is_canonical() {
    let text = to_share_json(&sample_collection("Order"));
    let pos = |k: &str| {
        text.find(&format!("\"{k}\":"))
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    assert!(
        text.starts_with("{\n  \"sockpit\": 1,\n  \"name\": \"Order\",\n"),
        "{text}"
    );
    assert!(pos("description") < pos("variables"));
    assert!(pos("variables") < pos("environments"));
    assert!(pos("environments") < pos("items"));
    assert!(pos("protocol") < pos("url") && pos("url") < pos("params"));
    assert!(text.ends_with("}\n"));
    for shipped in ["demo.sockpit.json", "proto-demo.sockpit.json"] {
        let text = std::fs::read_to_string(shipped_collection(shipped)).unwrap();
        assert_eq!(
            to_share_json(&parse_share(&text, shipped).unwrap()),
            text,
            "{shipped}"
        );
    }
}

#[test]
fn files_validate_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let sample = dir.path().join("sample.sockpit.json");
    std::fs::write(&sample, to_share_json(&sample_collection("Schema"))).unwrap();
    let schema = shipped_collection("schema.json");
    let demo = shipped_collection("demo.sockpit.json");
    let script = "import json, sys, jsonschema\n\
schema = json.load(open(sys.argv[1]))\n\
jsonschema.Draft202012Validator.check_schema(schema)\n\
v = jsonschema.Draft202012Validator(schema)\n\
for f in sys.argv[2:]:\n    v.validate(json.load(open(f)))\n\
bad = json.load(open(sys.argv[2])); bad['items'][0]['protocol'] = 'amqp'\n\
assert not v.is_valid(bad)\n\
sample = json.load(open(sys.argv[-1])); s = sample['items'][0]['settings']\n\
assert s['proxy'].startswith('socks5h://') and s['insecure'] is True and 'ca_file' in s\n\
s['proxy'] = 'ftp://x'\n\
assert not v.is_valid(sample)\n\
print('valid')\n";
    let out = std::process::Command::new(venv_python())
        .args(["-c", script])
        .arg(&schema)
        .arg(&demo)
        .arg(shipped_collection("proto-demo.sockpit.json"))
        .arg(&sample)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "valid");
}
