//! docker-compose.yml, deploy/docker/Dockerfile and deploy/nginx/nginx.conf, read as files and
//! checked against the real binary and each other: the variables they set are env twins the
//! binary reads, the ports line up from the node's listen address through the image to the
//! load balancer, a stop leaves the drain its time, and the nginx the cluster tests run
//! proxies exactly as the production file does. (tests/compose runs the compose file itself.)

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

use super::files::{deploy_path, documented_env, load_one, read};

fn repo_path(relative: &str) -> PathBuf {
    deploy_path("..").join(relative)
}

/// docker-compose.yml with its `<<` merge keys applied (YAML 1.1 merges, which Compose
/// honours and the YAML reader leaves as plain keys).
fn compose() -> Value {
    merge_keys(load_one(&repo_path("docker-compose.yml")))
}

fn merge_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut merged = Map::new();
            let mut inherited = Vec::new();
            for (key, value) in map {
                if key == "<<" {
                    match merge_keys(value) {
                        Value::Array(items) => inherited.extend(items),
                        single => inherited.push(single),
                    }
                } else {
                    merged.insert(key, merge_keys(value));
                }
            }
            for source in inherited {
                let Value::Object(source) = source else {
                    panic!("a `<<` merge of something other than a mapping")
                };
                for (key, value) in source {
                    merged.entry(key).or_insert(value);
                }
            }
            Value::Object(merged)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(merge_keys).collect()),
        other => other,
    }
}

fn services(compose: &Value) -> &Map<String, Value> {
    compose["services"]
        .as_object()
        .expect("docker-compose.yml has services")
}

/// The services that run `switchboard` (those built from the Dockerfile).
fn nodes(compose: &Value) -> Vec<(&String, &Value)> {
    let nodes: Vec<_> = services(compose)
        .iter()
        .filter(|(_, service)| service.get("build").is_some())
        .collect();
    assert_eq!(nodes.len(), 3, "three nodes in docker-compose.yml");
    nodes
}

fn env<'a>(service: &'a Value, name: &str) -> Option<&'a str> {
    service["environment"].get(name).and_then(Value::as_str)
}

/// The port of a listen address such as `0.0.0.0:8080`.
fn port_of(listen: &str) -> u16 {
    listen
        .rsplit(':')
        .next()
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("no port in {listen:?}"))
}

fn seconds(text: &str) -> Duration {
    humantime::parse_duration(text).unwrap_or_else(|err| panic!("{text:?}: {err}"))
}

/// The Dockerfile's `ENV` assignments of the runtime stage (`ENV A=1 \ B=2`).
fn dockerfile_env(runtime: &str) -> Vec<(String, String)> {
    let joined = runtime.replace("\\\n", " ");
    joined
        .lines()
        .filter_map(|line| line.strip_prefix("ENV "))
        .flat_map(|rest| rest.split_whitespace())
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .unwrap_or_else(|| panic!("ENV {pair:?} is not NAME=value"));
            (name.to_string(), value.to_string())
        })
        .collect()
}

/// The Dockerfile from its runtime stage on, and the value of its single `instruction`.
fn runtime_stage() -> String {
    let dockerfile = read(&repo_path("deploy/docker/Dockerfile"));
    let at = dockerfile
        .find("\nFROM debian:bookworm-slim AS runtime\n")
        .expect("the Dockerfile has a `FROM debian:bookworm-slim AS runtime` stage");
    dockerfile[at + 1..].to_string()
}

fn instruction<'a>(stage: &'a str, name: &str) -> &'a str {
    let found: Vec<&str> = stage
        .lines()
        .filter_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .collect();
    assert_eq!(found.len(), 1, "one {name} in the runtime stage: {found:?}");
    found[0].trim()
}

#[test]
fn compose_nodes_set_only_variables_the_binary_reads() {
    let documented = documented_env();
    let compose = compose();
    let mut ids = BTreeSet::new();
    for (name, service) in nodes(&compose) {
        let environment = service["environment"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: environment as a mapping"));
        for key in environment
            .keys()
            .filter(|key| key.starts_with("SWITCHBOARD_"))
        {
            assert!(documented.contains(key), "{name}: {key} is not in --help");
        }
        let id = env(service, "SWITCHBOARD_NODE_ID")
            .unwrap_or_else(|| panic!("{name}: no SWITCHBOARD_NODE_ID"));
        assert!(ids.insert(id.to_string()), "{name}: node id {id} twice");
        let redis = env(service, "SWITCHBOARD_REDIS_URL").expect("SWITCHBOARD_REDIS_URL");
        let host = redis
            .strip_prefix("redis://")
            .and_then(|rest| rest.split(':').next())
            .expect("a redis://host:port URL");
        assert!(
            services(&compose).contains_key(host),
            "{name}: Redis at {host}, which is no service"
        );
    }
    for (name, _) in dockerfile_env(&runtime_stage()) {
        if name.starts_with("SWITCHBOARD_") {
            assert!(
                documented.contains(&name),
                "Dockerfile: {name} is not in --help"
            );
        }
    }
}

#[test]
fn ports_line_up_from_the_node_through_the_image_to_the_balancer() {
    let runtime = runtime_stage();
    let image_env = dockerfile_env(&runtime);
    let image_listen = image_env
        .iter()
        .find(|(name, _)| name == "SWITCHBOARD_LISTEN")
        .map(|(_, value)| value.as_str())
        .expect("the image sets SWITCHBOARD_LISTEN (the default is the loopback)");
    assert!(image_listen.starts_with("0.0.0.0:"), "{image_listen}");
    let port = port_of(image_listen);
    assert_eq!(instruction(&runtime, "EXPOSE"), port.to_string());

    let compose = compose();
    let nginx = read(&deploy_path("nginx/nginx.conf"));
    for (name, service) in nodes(&compose) {
        let listen = env(service, "SWITCHBOARD_LISTEN").unwrap_or(image_listen);
        let node_port = port_of(listen);
        let published: Vec<&str> = service["ports"]
            .as_array()
            .map(|ports| ports.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert!(
            published
                .iter()
                .all(|mapping| mapping.starts_with("127.0.0.1:")
                    && mapping.ends_with(&format!(":{node_port}"))),
            "{name}: publish only on the loopback, to port {node_port}: {published:?}"
        );
        let upstream = format!("server {name}:{node_port} ");
        assert!(nginx.contains(&upstream), "nginx.conf lacks `{upstream}`");
    }
    let lb = &services(&compose)["lb"];
    let mounts: Vec<&str> = lb["volumes"]
        .as_array()
        .expect("lb mounts its configuration")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        mounts.contains(&"./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro"),
        "{mounts:?}"
    );
    assert!(nginx.contains("listen 80;"));
    assert_eq!(lb["ports"], serde_json::json!(["127.0.0.1:8080:80"]));
}

#[test]
fn a_stop_gives_the_drain_its_time() {
    let compose = compose();
    for (name, service) in nodes(&compose) {
        let drain = env(service, "SWITCHBOARD_DRAIN_TIMEOUT").unwrap_or("10s");
        let grace = service["stop_grace_period"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no stop_grace_period (Compose's is 10 s)"));
        assert!(
            seconds(grace) > seconds(drain),
            "{name}: stop_grace_period {grace} is not above the drain {drain}"
        );
        assert_eq!(service["init"], true, "{name}: init");
        let health = service["healthcheck"]["test"].to_string();
        assert!(health.contains("/healthz"), "{name}: healthcheck {health}");
        let depends = &service["depends_on"]["redis"]["condition"];
        assert_eq!(depends, "service_healthy", "{name}: waits for Redis");
    }
    let runtime = runtime_stage();
    assert_eq!(instruction(&runtime, "STOPSIGNAL"), "SIGTERM");
}

#[test]
fn the_image_runs_the_binary_as_an_unprivileged_user() {
    let runtime = runtime_stage();
    let user = instruction(&runtime, "USER");
    let uid: u32 = user
        .split(':')
        .next()
        .and_then(|uid| uid.parse().ok())
        .unwrap_or_else(|| panic!("USER {user:?} is not numeric (runAsNonRoot needs a uid)"));
    assert_ne!(uid, 0);
    assert!(
        runtime.contains(&format!("--uid {uid}")),
        "the user is created with uid {uid}"
    );
    let copy = instruction(&runtime, "COPY");
    let installed = copy
        .strip_prefix("--from=builder ")
        .and_then(|rest| rest.split_whitespace().nth(1))
        .expect("COPY --from=builder <built> <installed> (tests/compose relies on its shape)");
    assert_eq!(
        instruction(&runtime, "ENTRYPOINT"),
        format!("[\"{installed}\"]")
    );
}

/// The directives of nginx.conf's `location / { … }` block, comments and blank lines left out.
fn proxy_directives(conf: &str) -> Vec<String> {
    let start = conf.find("location / {").expect("a `location /` block");
    conf[start..]
        .lines()
        .skip(1)
        .map(str::trim)
        .take_while(|line| *line != "}")
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The cluster tests run nginx from deploy/nginx/test.conf.template: its proxying must be the
/// production file's, or those tests would not be testing it.
#[test]
fn the_test_nginx_proxies_like_the_production_one() {
    let production = proxy_directives(&read(&deploy_path("nginx/nginx.conf")));
    let test = proxy_directives(&read(&deploy_path("nginx/test.conf.template")));
    assert_eq!(test, production);
}

/// deploy/nginx/tls.conf is nginx.conf behind TLS: it must proxy exactly as nginx.conf does
/// (tests/e2e/cluster/tls.rs runs it).
#[test]
fn the_tls_example_proxies_like_the_production_one() {
    let production = proxy_directives(&read(&deploy_path("nginx/nginx.conf")));
    let tls = proxy_directives(&read(&deploy_path("nginx/tls.conf")));
    assert_eq!(tls, production);
}
