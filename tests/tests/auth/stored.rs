//! Auth stored with requests: every pattern round-trips through the share format and the store and
//! validates against the schema, literal credentials never reach a shared file, other tools'
//! OAuth2 client credentials import as the stored pattern, and a damaged auth block is a clear
//! error naming the request and the field.

use sockpit_core::collection::auth::{Auth, FirstMessageSpec, TicketExtract};
use sockpit_core::collection::model::*;
use sockpit_core::collection::share::SECRET_PLACEHOLDER;
use sockpit_core::collection::{parse_share, to_share_json};
use sockpit_core::store::Store;
use sockpit_tests::headless::sockpit_headless;

fn request(name: &str, url: &str, auth: Auth) -> Item {
    Item::Request(Box::new(Request {
        name: name.into(),
        protocol: Protocol::Websocket,
        url: url.into(),
        auth,
        ..Default::default()
    }))
}

/// One request per auth pattern, every secret field a `{{variable}}`.
fn every_pattern() -> Collection {
    let ticket_fm = FirstMessageSpec {
        message: r#"{"type":"auth","ticket":"{{ticket}}"}"#.into(),
        ack: "/type=auth_ok".into(),
        timeout_ms: Some(3000),
    };
    let items = vec![
        request("none", "ws://h/a", Auth::None),
        request(
            "bearer",
            "ws://h/a",
            Auth::Bearer {
                token: "{{token}}".into(),
            },
        ),
        request(
            "basic",
            "ws://h/a",
            Auth::Basic {
                username: "me".into(),
                password: "{{password}}".into(),
            },
        ),
        request(
            "api key",
            "ws://h/a",
            Auth::ApiKey {
                name: "X-API-Key".into(),
                value: "{{token}}".into(),
                location: "query".into(),
            },
        ),
        request(
            "query token",
            "ws://h/a",
            Auth::QueryToken {
                name: "token".into(),
                token: "{{token}}".into(),
            },
        ),
        request(
            "subprotocol",
            "ws://h/a",
            Auth::SubprotocolToken {
                token: "{{token}}".into(),
            },
        ),
        request(
            "first message",
            "ws://h/a",
            Auth::FirstMessage {
                message: r#"{"type":"auth","token":"{{token}}"}"#.into(),
                ack: "^ok".into(),
                timeout_ms: Some(2500),
            },
        ),
        request(
            "cookie",
            "ws://h/a",
            Auth::CookieLogin {
                method: "PUT".into(),
                url: "http://h/login".into(),
                headers: vec![KeyValue::new("Accept", "application/json")],
                body: Some(r#"{"password":"{{password}}"}"#.into()),
                body_secret: true,
            },
        ),
        request(
            "ticket",
            "ws://h/a",
            Auth::Ticket {
                method: "GET".into(),
                url: "http://h/api/ws-ticket".into(),
                headers: vec![KeyValue::new("Authorization", "Bearer {{token}}")],
                body: None,
                body_secret: false,
                extract: TicketExtract::Regex("ticket (\\S+)".into()),
                into: "message".into(),
                first_message: Some(ticket_fm),
            },
        ),
        request(
            "oauth2",
            "ws://h/a",
            Auth::Oauth2ClientCredentials {
                token_url: "http://h/oauth/token".into(),
                client_id: "demo-client".into(),
                client_secret: "{{client_secret}}".into(),
                scope: Some("read".into()),
            },
        ),
        request(
            "mtls",
            "wss://h/a",
            Auth::ClientCertificate {
                cert: "certs/client.pem".into(),
                key: "certs/client.key".into(),
            },
        ),
    ];
    Collection {
        name: "Every auth".into(),
        variables: vec![Variable {
            name: "token".into(),
            value: None,
            secret: true,
            placeholder: None,
        }],
        items,
        ..Default::default()
    }
}

#[test]
fn every_auth_pattern_round_trips_through_the_share_format_and_the_store() {
    let c = every_pattern();
    let text = to_share_json(&c);
    assert!(!text.contains(SECRET_PLACEHOLDER), "{text}");
    for t in [
        "\"query_token\"",
        "\"subprotocol_token\"",
        "\"first_message\"",
        "\"cookie_login\"",
        "\"ticket\"",
        "\"oauth2_client_credentials\"",
        "\"client_certificate\"",
        "\"regex\": \"ticket (\\\\S+)\"",
        "\"body_secret\": true",
    ] {
        assert!(text.contains(t), "{t} missing from\n{text}");
    }
    let back = parse_share(&text, "every.sockpit.json").unwrap();
    assert_eq!(back, c);
    assert_eq!(to_share_json(&back), text, "export is stable");

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in(dir.path()).unwrap();
    let id = store.insert_collection(&c).unwrap();
    assert_eq!(store.load_collection(id).unwrap(), c);
}

#[test]
fn literal_credentials_never_reach_a_shared_file() {
    let literal = [
        "lit-bearer-1",
        "lit-pass-2",
        "lit-fm-3",
        "lit-login-4",
        "lit-ticket-5",
        "lit-client-6",
        "lit-sub-7",
    ];
    let c = Collection {
        name: "Literal".into(),
        items: vec![
            request(
                "b",
                "ws://h",
                Auth::Bearer {
                    token: literal[0].into(),
                },
            ),
            request(
                "basic",
                "ws://h",
                Auth::Basic {
                    username: "user-stays".into(),
                    password: literal[1].into(),
                },
            ),
            request(
                "fm",
                "ws://h",
                Auth::FirstMessage {
                    message: format!(r#"{{"token":"{}"}}"#, literal[2]),
                    ack: "ok".into(),
                    timeout_ms: None,
                },
            ),
            request(
                "login",
                "ws://h",
                Auth::CookieLogin {
                    method: "POST".into(),
                    url: "http://h/login".into(),
                    headers: vec![],
                    body: Some(format!("password={}", literal[3])),
                    body_secret: true,
                },
            ),
            request(
                "ticket",
                "ws://h",
                Auth::Ticket {
                    method: "POST".into(),
                    url: "http://h/t".into(),
                    headers: vec![
                        KeyValue::new("Authorization", format!("Bearer {}", literal[4])),
                        KeyValue::new("Accept", "text/plain"),
                    ],
                    body: None,
                    body_secret: false,
                    extract: TicketExtract::Header("X-Ticket".into()),
                    into: "header:X-Ticket".into(),
                    first_message: None,
                },
            ),
            request(
                "oauth",
                "ws://h",
                Auth::Oauth2ClientCredentials {
                    token_url: "http://h/oauth/token".into(),
                    client_id: "id-stays".into(),
                    client_secret: literal[5].into(),
                    scope: None,
                },
            ),
            request(
                "sub",
                "ws://h",
                Auth::SubprotocolToken {
                    token: literal[6].into(),
                },
            ),
        ],
        ..Default::default()
    };
    let text = to_share_json(&c);
    for l in literal {
        assert!(!text.contains(l), "{l} leaked into\n{text}");
    }
    assert_eq!(
        text.matches(SECRET_PLACEHOLDER).count(),
        literal.len(),
        "{text}"
    );
    for kept in ["user-stays", "id-stays", "text/plain", "X-Ticket"] {
        assert!(text.contains(kept), "{kept} should stay:\n{text}");
    }
}

#[tokio::test]
async fn bad_stored_auth_is_a_clear_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let cases = [
        (
            r#"{"type":"ticket","url":"http://h/t","extract":{"xpath":"/t"}}"#,
            "auth.extract",
        ),
        (
            r#"{"type":"first_message","message":"m","ack":"a","timeout_ms":"soon"}"#,
            "auth.timeout_ms",
        ),
        (r#"{"type":"bearer","tokn":"x"}"#, "auth.tokn"),
        (
            r#"{"type":"oauth2_client_credentials","token_url":"u","client_id":"i"}"#,
            "auth.client_secret is missing",
        ),
        (r#"{"type":"kerberos"}"#, "'kerberos' is unknown"),
        (
            r#"{"type":"ticket","url":"http://h/t","into":"message"}"#,
            "auth.first_message",
        ),
        (
            r#"{"type":"first_message","message":"m","ack":"("}"#,
            "auth.ack",
        ),
    ];
    for (i, (auth, expected)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad{i}.sockpit.json"));
        std::fs::write(
            &file,
            format!(
                r#"{{"sockpit":1,"name":"Bad","items":[{{"type":"folder","name":"F","items":[
                {{"type":"request","name":"Broken","protocol":"websocket","url":"ws://h","auth":{auth}}}]}}]}}"#
            ),
        )
        .unwrap();
        let path = file.to_str().unwrap();
        for cmd in ["run", "import"] {
            let out = sockpit_headless(&[cmd, path], None, &data, &[]).await;
            assert_eq!(out.status, 1, "{cmd} {auth}: {out:?}");
            let line = out.one_error_line();
            assert!(
                line.contains("'Broken'") && line.contains(expected),
                "{cmd} {auth}: {line}"
            );
        }
    }
    // Nothing was imported.
    let out = sockpit_headless(&["secret", "status"], None, &data, &[]).await;
    assert_eq!(out.status, 0, "{out:?}");
    let store = Store::open_in(&data).unwrap();
    assert!(store.list_collections().unwrap().is_empty());
}

#[test]
fn every_auth_pattern_validates_against_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("every.sockpit.json");
    std::fs::write(&file, to_share_json(&every_pattern())).unwrap();
    let script = "import json, sys, jsonschema\n\
schema = json.load(open(sys.argv[1]))\n\
v = jsonschema.Draft202012Validator(schema)\n\
doc = json.load(open(sys.argv[2]))\n\
v.validate(doc)\n\
auth = lambda name: next(i for i in doc['items'] if i['name'] == name)['auth']\n\
auth('ticket')['extract'] = {'xpath': '/t'}\n\
assert not v.is_valid(doc), 'an unknown extractor must be invalid'\n\
auth('ticket')['extract'] = {'header': 'X-Ticket'}\n\
auth('first message')['timeout_ms'] = 'soon'\n\
assert not v.is_valid(doc), 'a string timeout must be invalid'\n\
print('valid')\n";
    let out = std::process::Command::new(sockpit_tests::peers::venv_python())
        .args(["-c", script])
        .arg(sockpit_tests::collections::shipped_collection(
            "schema.json",
        ))
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "valid");
}

/// OAuth2 client credentials from other tools arrive as the stored pattern.
#[test]
fn importers_map_oauth2_client_credentials() {
    use sockpit_core::collection::import::{import_file, Format};
    let dir = tempfile::tempdir().unwrap();
    let expected = Auth::Oauth2ClientCredentials {
        token_url: "http://h/oauth/token".into(),
        client_id: "demo-client".into(),
        client_secret: "{{client_secret}}".into(),
        scope: Some("read".into()),
    };
    let insomnia = dir.path().join("insomnia.json");
    std::fs::write(
        &insomnia,
        r#"{"_type":"export","__export_format":4,"resources":[
  {"_id":"wrk_1","parentId":null,"_type":"workspace","name":"Ins"},
  {"_id":"ws-req_1","parentId":"wrk_1","_type":"websocket_request","name":"R","url":"ws://h/a",
   "authentication":{"type":"oauth2","grantType":"client_credentials","accessTokenUrl":"http://h/oauth/token",
                     "clientId":"demo-client","clientSecret":"{{ _.client_secret }}","scope":"read"}}]}"#,
    )
    .unwrap();
    let bru = dir.path().join("r.bru");
    std::fs::write(
        &bru,
        "meta {\n  name: R\n  type: ws\n  seq: 1\n}\n\nws {\n  url: ws://h/a\n  auth: oauth2\n}\n\n\
         auth:oauth2 {\n  grant_type: client_credentials\n  access_token_url: http://h/oauth/token\n  \
         client_id: demo-client\n  client_secret: {{client_secret}}\n  scope: read\n}\n",
    )
    .unwrap();
    let yaak = dir.path().join("yaak.json");
    std::fs::write(
        &yaak,
        r#"{"yaakVersion":"2025.1.2","yaakSchema":4,"resources":{
  "workspaces":[{"model":"workspace","id":"wk_1","name":"Y"}],
  "websocketRequests":[{"model":"websocket_request","id":"wr_1","workspaceId":"wk_1","folderId":null,
    "name":"R","url":"ws://h/a","authenticationType":"oauth2",
    "authentication":{"grantType":"client_credentials","accessTokenUrl":"http://h/oauth/token",
                      "clientId":"demo-client","clientSecret":"${[ client_secret ]}","scope":"read"}}]}}"#,
    )
    .unwrap();
    for (file, format) in [
        (&insomnia, Format::Insomnia),
        (&bru, Format::Bruno),
        (&yaak, Format::Yaak),
    ] {
        let imported = import_file(file, format).unwrap();
        let requests = requests_with_path(&imported.collection.items);
        assert_eq!(requests[0].1.auth, expected, "{file:?}");
        assert!(
            !imported.warnings.iter().any(|w| w.contains("auth")),
            "{:?}",
            imported.warnings
        );
    }
}
