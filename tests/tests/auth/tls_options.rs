//! The connection's TLS options in the auth steps (a bad `--cacert`/`--cert` is an error naming the
//! step and the flag when a login, ticket or token URL is `https://`, on `connect` and `sse`, and
//! harmless for `http://` steps), and `--auth-ack` regex errors on one line.

use std::time::Duration;

use sockpit_mock::MockServer;
use sockpit_tests::{sockpit, CliOutput};

const LIMIT: Duration = Duration::from_secs(60);
const LOGIN_BODY: &str = r#"{"username":"demo","password":"demo-pass"}"#;

fn error_code(out: &CliOutput) -> String {
    out.events_of("error")
        .last()
        .and_then(|e| e["code"].as_str().map(str::to_string))
        .unwrap_or_default()
}

#[tokio::test]
async fn a_bad_cacert_fails_an_https_auth_step_naming_the_step_and_flag() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-ca.pem");
    let not_pem = dir.path().join("not-a-ca.pem");
    std::fs::write(&not_pem, "this is not a certificate\n").unwrap();
    let (missing, not_pem) = (missing.display().to_string(), not_pem.display().to_string());
    let ws = format!("{}/auth/cookie", mock.ws_url());
    let sse = format!("{}/auth/sse/cookie", mock.http_url());
    // Nothing listens there: before the TLS options were checked, this was a request failure.
    let https_login = "https://127.0.0.1:9/login";
    for (cmd, url) in [("connect", &ws), ("sse", &sse)] {
        for (ca, why) in [(&missing, "cannot read"), (&not_pem, "no PEM certificate")] {
            let mut args = vec![cmd, url.as_str(), "--json", "--timeout", "10"];
            args.extend(["--cacert", ca, "--login-url", https_login]);
            args.extend(["--login-body", LOGIN_BODY]);
            let out = sockpit(&args, None, LIMIT).await;
            assert_eq!(out.status, 1, "{cmd} {ca}: {out:?}");
            assert_eq!(error_code(&out), "auth.tls_config", "{cmd}: {out:?}");
            let line = out.one_error_line();
            assert!(
                line.contains("cookie login:")
                    && line.contains("--cacert")
                    && line.contains(why)
                    && line.contains(ca.as_str()),
                "{cmd}: {line}"
            );
            assert!(!line.contains("demo-pass"), "{line}");
        }
    }
    // The same for the OAuth2 token request, and a client key that is not one names --cert/--key.
    let out = sockpit(
        &[
            "connect",
            &format!("{}/auth/header", mock.ws_url()),
            "--json",
            "--cert",
            &not_pem,
            "--key",
            &not_pem,
            "--oauth2-token-url",
            "https://127.0.0.1:9/oauth/token",
            "--client-id",
            "demo-client",
            "--client-secret",
            "demo-secret",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 1, "{out:?}");
    assert_eq!(error_code(&out), "auth.tls_config", "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("OAuth2 token request:") && line.contains("--cert/--key"),
        "{line}"
    );
    assert!(!line.contains("demo-secret"), "{line}");

    // An http:// login never uses the TLS options: the bad CA file does not stop it.
    let login = format!("{}/login", mock.http_url());
    for (cmd, url) in [("connect", &ws), ("sse", &sse)] {
        let mut args = vec![cmd, url.as_str(), "--json", "--timeout", "10"];
        args.extend(["--cacert", &missing, "--login-url", &login]);
        args.extend(["--login-body", LOGIN_BODY]);
        if cmd == "connect" {
            args.extend(["--send", "hi", "--count", "1"]);
        } else {
            args.extend(["-n", "1"]);
        }
        let out = sockpit(&args, None, LIMIT).await;
        assert_eq!(out.status, 0, "{cmd}: {out:?}");
        assert_eq!(out.events_of("open").len(), 1, "{cmd}: {out:?}");
    }
}

#[tokio::test]
async fn an_invalid_auth_ack_regex_is_one_line_naming_the_flag() {
    let mock = MockServer::start("127.0.0.1", 0).await.unwrap();
    let url = format!("{}/auth/first-message", mock.ws_url());
    let out = sockpit(
        &[
            "connect",
            &url,
            "--auth-first-message",
            r#"{"type":"auth","token":"demo-token"}"#,
            "--auth-ack",
            "(",
        ],
        None,
        LIMIT,
    )
    .await;
    assert_eq!(out.status, 2, "{out:?}");
    let line = out.one_error_line();
    assert!(
        line.contains("--auth-ack: '(' is neither /pointer=value nor a valid regex")
            && line.contains("unclosed group"),
        "{line}"
    );
    assert!(!line.contains("demo-token"), "{line}");
}
