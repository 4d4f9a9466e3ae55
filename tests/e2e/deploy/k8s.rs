//! deploy/k8s against the real binary and against itself: the environment the Deployment
//! sets is what `switchboard --help` documents and what the binary accepts, probes reach the
//! health endpoints on the container's port, a SIGTERM'd pod gets the time to drain, the
//! Service, Ingress and PodDisruptionBudget select the Deployment's pods and port, Redis is
//! where SWITCHBOARD_REDIS_URL points, and kustomization.yaml lists every manifest.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use super::files::{
    Object, array_at, at, deploy_dir, documented_env, file_name, find, k8s_objects, labels,
    load_one, only, read, selects, str_at, yaml_files,
};
use crate::harness::redis::RedisServer;
use crate::harness::{Node, eventually, prom};

/// The Deployment, its container and the namespace, as named in deploy/k8s.
const APP: &str = "switchboard";
/// The uid of the image's user (deploy/docker/Dockerfile: `useradd --uid 10001`).
const IMAGE_UID: i64 = 10001;
const REPLICAS: i64 = 3;

fn deployment(objects: &[Object]) -> &Value {
    find(objects, "Deployment", APP)
}

/// The switchboard container of the Deployment.
fn container(deployment: &Value) -> &Value {
    let containers = array_at(deployment, "/spec/template/spec/containers");
    containers
        .iter()
        .find(|c| c["name"] == APP)
        .unwrap_or_else(|| panic!("the Deployment has no container named {APP}"))
}

/// The container's env as (name, literal value or None when it comes from `valueFrom`).
fn env(container: &Value) -> Vec<(String, Option<String>)> {
    array_at(container, "/env")
        .iter()
        .map(|var| {
            let name = str_at(var, "/name", "env entry").to_string();
            let value = var["value"].as_str().map(str::to_string);
            assert!(
                value.is_some() || var.get("valueFrom").is_some(),
                "env {name} has neither value nor valueFrom"
            );
            (name, value)
        })
        .collect()
}

/// The literal value of env `name`; panics when it is not set to a literal.
fn env_value(container: &Value, name: &str) -> String {
    env(container)
        .into_iter()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value)
        .unwrap_or_else(|| panic!("the container does not set {name} to a literal value"))
}

/// The `SWITCHBOARD_*` names written anywhere in the files of `deploy/<sub>` (comments
/// included: a comment naming a variable the binary does not read misleads as much).
fn env_names_written_in(sub: &str) -> Vec<(String, String)> {
    let dir = deploy_dir().join(sub);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("list deploy dir") {
        let path = entry.expect("entry").path();
        if !path.is_file() {
            continue;
        }
        let text = read(&path);
        for (at, _) in text.match_indices("SWITCHBOARD_") {
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            found.push((file_name(&path), name));
        }
    }
    found
}

/// The containerPort a probe's or Service's port (a name or a number) refers to.
fn resolve_port(container: &Value, port: &Value, what: &str) -> i64 {
    let ports = array_at(container, "/ports");
    let found = match port {
        Value::String(name) => ports.iter().find(|p| p["name"] == name.as_str()),
        Value::Number(_) => ports.iter().find(|p| p["containerPort"] == *port),
        other => panic!("{what}: port {other} is neither a name nor a number"),
    };
    found
        .and_then(|p| p["containerPort"].as_i64())
        .unwrap_or_else(|| panic!("{what}: port {port} is not a port of the container"))
}

/// The container's port named `http`.
fn http_port(container: &Value) -> i64 {
    resolve_port(container, &Value::from("http"), "the http port")
}

fn seconds(text: &str, what: &str) -> Duration {
    humantime::parse_duration(text)
        .unwrap_or_else(|err| panic!("{what} = {text:?} is not a duration: {err}"))
}

#[test]
fn every_manifest_parses_as_kubernetes_objects() {
    for path in yaml_files("k8s") {
        let file = file_name(&path);
        let docs = super::files::load_yaml(&path);
        assert!(!docs.is_empty(), "{file} holds no document");
        for doc in docs {
            if file == "kustomization.yaml" {
                assert_eq!(doc["kind"], "Kustomization", "{file}");
                continue;
            }
            for field in ["/apiVersion", "/kind", "/metadata/name"] {
                str_at(&doc, field, &file);
            }
            assert!(
                doc.pointer("/metadata/namespace").is_none(),
                "{file}: {} sets its namespace; kustomization.yaml sets it for every object",
                doc["metadata"]["name"]
            );
        }
    }
}

#[test]
fn kustomization_lists_every_manifest() {
    let kustomization = load_one(&deploy_dir().join("k8s/kustomization.yaml"));
    let listed: Vec<String> = array_at(&kustomization, "/resources")
        .iter()
        .map(|r| r.as_str().expect("resource is a string").to_string())
        .collect();
    let unique: BTreeSet<String> = listed.iter().cloned().collect();
    assert_eq!(unique.len(), listed.len(), "listed twice: {listed:?}");
    let present: BTreeSet<String> = yaml_files("k8s")
        .iter()
        .map(|path| file_name(path))
        .filter(|name| name != "kustomization.yaml")
        .collect();
    let missing: Vec<&String> = present.difference(&unique).collect();
    let absent: Vec<&String> = unique.difference(&present).collect();
    assert!(
        missing.is_empty() && absent.is_empty(),
        "kustomization.yaml resources: not listed {missing:?}, listed but no such file {absent:?}"
    );

    let namespace = str_at(&kustomization, "/namespace", "kustomization.yaml");
    let objects = k8s_objects();
    find(&objects, "Namespace", namespace);
    // Prometheus discovers the pods in that namespace.
    let config = super::promql::prometheus_config();
    let discovered: Vec<&str> = config["scrape_configs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|job| array_at(job, "/kubernetes_sd_configs"))
        .flat_map(|sd| array_at(sd, "/namespaces/names"))
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        discovered,
        [namespace],
        "prometheus.yml's pod discovery looks in other namespaces than kustomization's"
    );
}

#[test]
fn every_switchboard_variable_is_one_the_binary_reads() {
    let documented = documented_env();
    let objects = k8s_objects();
    let container = container(deployment(&objects));
    let mut unknown = Vec::new();
    for (name, _) in env(container) {
        if name.starts_with("SWITCHBOARD_") && !documented.contains(&name) {
            unknown.push(format!("deployment.yaml env {name}"));
        }
    }
    for sub in ["k8s", "prometheus", "grafana"] {
        for (file, name) in env_names_written_in(sub) {
            if !documented.contains(&name) {
                unknown.push(format!("deploy/{sub}/{file} mentions {name}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "not an env twin of any flag in `switchboard --help` {documented:?}:\n{}",
        unknown.join("\n")
    );
    // The variables the deployment cannot do without.
    let set: BTreeSet<String> = env(container).into_iter().map(|(name, _)| name).collect();
    for required in [
        "SWITCHBOARD_LISTEN",
        "SWITCHBOARD_NODE_ID",
        "SWITCHBOARD_REDIS_URL",
        "SWITCHBOARD_DRAIN_TIMEOUT",
    ] {
        assert!(
            set.contains(required),
            "deployment.yaml does not set {required}"
        );
    }
}

#[test]
fn node_id_is_the_pod_name() {
    let objects = k8s_objects();
    let container = container(deployment(&objects));
    let var = array_at(container, "/env")
        .iter()
        .find(|var| var["name"] == "SWITCHBOARD_NODE_ID")
        .expect("SWITCHBOARD_NODE_ID is set");
    assert_eq!(
        var.pointer("/valueFrom/fieldRef/fieldPath"),
        Some(&Value::from("metadata.name")),
        "SWITCHBOARD_NODE_ID must come from the downward API (the pod name): {var}"
    );
}

#[test]
fn the_container_listens_on_its_declared_port() {
    let objects = k8s_objects();
    let container = container(deployment(&objects));
    let listen = env_value(container, "SWITCHBOARD_LISTEN");
    let addr: SocketAddr = listen
        .parse()
        .unwrap_or_else(|err| panic!("SWITCHBOARD_LISTEN={listen:?}: {err}"));
    assert!(
        addr.ip().is_unspecified(),
        "SWITCHBOARD_LISTEN={listen}: in a pod the node must listen on every address, or the \
         kubelet's probes and the Service cannot reach it"
    );
    let port = http_port(container);
    assert_eq!(
        i64::from(addr.port()),
        port,
        "SWITCHBOARD_LISTEN={listen} but the container port named http is {port}"
    );
    // Prometheus scrapes the port and path of the pod's annotations.
    let annotations = at(
        deployment(&objects),
        "/spec/template/metadata/annotations",
        "pod template",
    );
    assert_eq!(annotations["prometheus.io/scrape"], "true");
    assert_eq!(annotations["prometheus.io/port"], port.to_string().as_str());
    assert_eq!(annotations["prometheus.io/path"], "/metrics");
}

#[test]
fn probes_check_readyz_and_healthz_on_the_container_port() {
    let objects = k8s_objects();
    let container = container(deployment(&objects));
    let port = http_port(container);
    for (probe, path) in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")] {
        let get = at(container, &format!("/{probe}/httpGet"), probe);
        assert_eq!(get["path"], path, "{probe} path");
        assert_eq!(
            resolve_port(container, &get["port"], probe),
            port,
            "{probe} port"
        );
    }
    if let Some(get) = container.pointer("/startupProbe/httpGet") {
        assert_eq!(resolve_port(container, &get["port"], "startupProbe"), port);
    }
}

#[test]
fn a_terminating_pod_gets_the_time_to_drain() {
    let objects = k8s_objects();
    let deployment = deployment(&objects);
    let container = container(deployment);
    let drain = seconds(
        &env_value(container, "SWITCHBOARD_DRAIN_TIMEOUT"),
        "SWITCHBOARD_DRAIN_TIMEOUT",
    );
    let pre_stop = container
        .pointer("/lifecycle/preStop/sleep/seconds")
        .map_or(0, |s| s.as_u64().expect("preStop sleep seconds"));
    assert!(
        container.pointer("/lifecycle/preStop/exec").is_none(),
        "a preStop exec needs a shell the image may not have; use the sleep action"
    );
    let grace = at(
        deployment,
        "/spec/template/spec/terminationGracePeriodSeconds",
        "Deployment",
    )
    .as_u64()
    .expect("terminationGracePeriodSeconds is a number");
    assert!(
        Duration::from_secs(grace) > drain + Duration::from_secs(pre_stop),
        "terminationGracePeriodSeconds {grace} must exceed the preStop pause ({pre_stop} s) \
         plus SWITCHBOARD_DRAIN_TIMEOUT ({drain:?}), or draining nodes are SIGKILLed"
    );
}

#[test]
fn three_replicas_spread_over_machines_with_a_disruption_budget() {
    let objects = k8s_objects();
    let deployment = deployment(&objects);
    assert_eq!(deployment["spec"]["replicas"], REPLICAS, "replicas");
    let pod_labels = at(deployment, "/spec/template/metadata/labels", "pod template");
    let selector = at(
        deployment,
        "/spec/selector/matchLabels",
        "Deployment selector",
    );
    assert!(
        selects(selector, pod_labels),
        "the Deployment's selector does not match its own pods"
    );

    let pdb = only(&objects, "PodDisruptionBudget");
    let pdb_selector = at(pdb, "/spec/selector/matchLabels", "PodDisruptionBudget");
    assert!(
        selects(pdb_selector, pod_labels),
        "the PodDisruptionBudget selects {:?}, not the Deployment's pods {:?}",
        labels(pdb_selector),
        labels(pod_labels)
    );
    let spec = &pdb["spec"];
    let allows_one = match (
        spec["maxUnavailable"].as_i64(),
        spec["minAvailable"].as_i64(),
    ) {
        (Some(max), None) => max == 1,
        (None, Some(min)) => (1..REPLICAS).contains(&min) && min == REPLICAS - 1,
        _ => false,
    };
    assert!(
        allows_one,
        "the PodDisruptionBudget must let exactly one pod go at a time: {spec}"
    );

    let term = at(
        deployment,
        "/spec/template/spec/affinity/podAntiAffinity",
        "pod anti-affinity",
    );
    let terms: Vec<&Value> = array_at(term, "/preferredDuringSchedulingIgnoredDuringExecution")
        .iter()
        .map(|weighted| &weighted["podAffinityTerm"])
        .chain(array_at(
            term,
            "/requiredDuringSchedulingIgnoredDuringExecution",
        ))
        .collect();
    assert!(
        terms
            .iter()
            .any(|t| t["topologyKey"] == "kubernetes.io/hostname"
                && selects(&t["labelSelector"]["matchLabels"], pod_labels)),
        "no anti-affinity by hostname against the Deployment's own pods: {term}"
    );
}

#[test]
fn pods_run_as_the_image_user_on_a_read_only_filesystem() {
    let objects = k8s_objects();
    let deployment = deployment(&objects);
    let pod = &deployment["spec"]["template"]["spec"]["securityContext"];
    let container = container(deployment);
    let own = &container["securityContext"];
    let setting = |key: &str| own.get(key).or_else(|| pod.get(key)).cloned();
    assert_eq!(setting("runAsNonRoot"), Some(Value::Bool(true)));
    assert_eq!(setting("runAsUser"), Some(Value::from(IMAGE_UID)));
    assert_eq!(own["readOnlyRootFilesystem"], true);
    assert_eq!(own["allowPrivilegeEscalation"], false);
    for kind in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert!(
                container["resources"][kind][resource].is_string(),
                "no resources.{kind}.{resource} for the container"
            );
        }
    }
}

#[test]
fn the_service_and_ingress_reach_the_container_port() {
    let objects = k8s_objects();
    let deployment = deployment(&objects);
    let container = container(deployment);
    let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
    let service = find(&objects, "Service", APP);
    assert!(
        selects(&service["spec"]["selector"], pod_labels),
        "the Service does not select the Deployment's pods"
    );
    assert!(
        service["spec"]["sessionAffinity"].is_null()
            || service["spec"]["sessionAffinity"] == "None",
        "no session affinity is needed (see service.yaml)"
    );
    let ports = array_at(service, "/spec/ports");
    assert!(!ports.is_empty(), "the Service has no port");
    for port in ports {
        let target = port.get("targetPort").unwrap_or(&port["port"]);
        assert_eq!(
            resolve_port(container, target, "Service targetPort"),
            http_port(container),
            "the Service's port {port} does not reach the container's http port"
        );
    }

    let ingress = only(&objects, "Ingress");
    let annotations = &ingress["metadata"]["annotations"];
    for timeout in ["proxy-read-timeout", "proxy-send-timeout"] {
        let key = format!("nginx.ingress.kubernetes.io/{timeout}");
        let value: u64 = annotations[&key]
            .as_str()
            .unwrap_or_else(|| panic!("the Ingress lacks the string annotation {key}"))
            .parse()
            .unwrap_or_else(|err| panic!("{key}: {err}"));
        assert!(value >= 3600, "{key} = {value}: WebSockets need an hour");
    }
    assert!(
        !annotations
            .as_object()
            .is_some_and(|map| map.keys().any(|k| k.contains("affinity"))),
        "no affinity is needed (see ingress.yaml): {annotations}"
    );
    let mut paths = Vec::new();
    for rule in array_at(ingress, "/spec/rules") {
        for path in array_at(rule, "/http/paths") {
            let backend = &path["backend"]["service"];
            assert_eq!(backend["name"], APP, "Ingress backend of {path}");
            let wanted = &backend["port"];
            assert!(
                ports.iter().any(
                    |p| (wanted.get("name").is_some() && p["name"] == wanted["name"])
                        || (wanted.get("number").is_some() && p["port"] == wanted["number"])
                ),
                "Ingress backend port {wanted} is not a port of the Service"
            );
            paths.push(str_at(path, "/path", "Ingress path").to_string());
        }
    }
    for endpoint in ["/conference", "/peerjs", "/"] {
        assert!(
            paths.iter().any(|p| p == endpoint),
            "the Ingress does not route {endpoint}: {paths:?}"
        );
    }
}

#[test]
fn redis_is_where_the_nodes_look_for_it() {
    let objects = k8s_objects();
    let container = container(deployment(&objects));
    let url = env_value(container, "SWITCHBOARD_REDIS_URL");
    let rest = url
        .strip_prefix("redis://")
        .unwrap_or_else(|| panic!("SWITCHBOARD_REDIS_URL={url:?} is not redis://"));
    let authority = rest.split('/').next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = authority
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("SWITCHBOARD_REDIS_URL={url:?} has no port"));
    let port: i64 = port.parse().expect("Redis port");
    // `redis`, `redis-0.redis` or `redis.<namespace>.svc...`: the Service is the label
    // after the pod's.
    let labels: Vec<&str> = host.split('.').collect();
    let service_name = match labels.as_slice() {
        [pod, service, ..] if pod.starts_with(&format!("{service}-")) => *service,
        [service, ..] => *service,
        [] => unreachable!(),
    };
    let service = find(&objects, "Service", service_name);
    assert!(
        array_at(service, "/spec/ports")
            .iter()
            .any(|p| p["port"] == port),
        "{url}: the {service_name} Service has no port {port}"
    );
    let statefulset = find(&objects, "StatefulSet", service_name);
    assert_eq!(statefulset["spec"]["serviceName"], service_name);
    assert_eq!(statefulset["spec"]["replicas"], 1);
    assert!(
        selects(
            &service["spec"]["selector"],
            &statefulset["spec"]["template"]["metadata"]["labels"]
        ),
        "the {service_name} Service does not select the Redis pod"
    );
    assert_eq!(
        service["spec"]["clusterIP"], "None",
        "the Redis Service is headless"
    );
}

/// The container's environment runs the real binary: every value parses, the node joins the
/// Redis it is given under its pod's name, and the probe paths and the scrape path answer.
#[tokio::test]
async fn the_binary_starts_with_the_deployment_environment() {
    let objects = k8s_objects();
    let deployment = deployment(&objects);
    let container = container(deployment);
    let redis = RedisServer::start();
    let url = redis.url();
    let pod = "switchboard-5d8c7b9f4-x2x7q";
    let mut vars: Vec<(String, String)> = Vec::new();
    for (name, value) in env(container) {
        let value = match name.as_str() {
            // The harness passes --listen 127.0.0.1:0, which wins over the variable.
            "SWITCHBOARD_LISTEN" => continue,
            // What the pod's DNS would resolve, on this machine.
            "SWITCHBOARD_REDIS_URL" => url.clone(),
            "SWITCHBOARD_NODE_ID" => pod.to_string(),
            "POD_IP" => POD_IP.to_string(),
            _ => expand(
                &value.unwrap_or_else(|| panic!("{name} comes from valueFrom; teach this test")),
                &vars,
            ),
        };
        vars.push((name, value));
    }
    let env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let node = Node::start(&[], &env);

    eventually(
        "the node is ready in the cluster under its pod name",
        || async {
            let (status, body) = node.readyz().await;
            if status == 200 && body["node"] == pod && body["mode"] == "cluster" {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
    )
    .await;
    for probe in ["readinessProbe", "livenessProbe"] {
        let path = str_at(container, &format!("/{probe}/httpGet/path"), probe);
        let (status, body) = node.http_get(path).await;
        assert_eq!(status, 200, "{probe} GET {path}: {body}");
    }
    let scrape = str_at(
        deployment,
        "/spec/template/metadata/annotations/prometheus.io~1path",
        "scrape path",
    );
    let (status, body) = node.http_get(scrape).await;
    assert_eq!(status, 200, "GET {scrape}");
    assert_eq!(
        prom::value(&body, "switchboard_redis_connected", &[]),
        Some(1.0),
        "{scrape} of a connected node:\n{body}"
    );
    // The demo page is for trying Switchboard out: the Deployment turns it off.
    let (status, _) = node.http_get("/demo/").await;
    assert_eq!(
        status, 404,
        "deploy/k8s serves the demo page; set SWITCHBOARD_DEMO=false"
    );
    // The other pods hand this one its Socket.IO requests at the pod IP.
    let lease = redis.cli(&["GET", &format!("switchboard:lease:{pod}")]);
    let lease: Value = serde_json::from_str(&lease.concat()).expect("lease JSON");
    assert_eq!(lease["advertise"], format!("http://{POD_IP}:8080"));
}

/// What the downward API would give the pod as its IP, here.
const POD_IP: &str = "10.1.2.3";

/// Expands `$(NAME)` references to variables defined before, as the kubelet does.
fn expand(value: &str, defined: &[(String, String)]) -> String {
    defined
        .iter()
        .fold(value.to_string(), |value, (name, defined)| {
            value.replace(&format!("$({name})"), defined)
        })
}
