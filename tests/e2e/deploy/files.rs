//! Reading the files under deploy/: YAML (every document of a file) turned into JSON values,
//! so manifests, Prometheus files and the Grafana dashboard are walked the same way, and the
//! Kubernetes objects of deploy/k8s looked up by kind and name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

use crate::harness::node::BIN;

/// The repository's deploy/ directory.
pub fn deploy_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// `deploy/<relative>`.
pub fn deploy_path(relative: &str) -> PathBuf {
    deploy_dir().join(relative)
}

/// The file's text; panics naming the file when it cannot be read.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
}

/// The `.yaml` and `.yml` files directly in `deploy/<sub>`, sorted by name.
pub fn yaml_files(sub: &str) -> Vec<PathBuf> {
    let dir = deploy_path(sub);
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|err| panic!("list {}: {err}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext == "yaml" || ext == "yml")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML file in {}", dir.display());
    files
}

/// The file name alone, for messages and for kustomization's `resources`.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned()
}

/// Every non-empty document of a YAML file (`---`-separated), as JSON values. Panics naming
/// the file when it is not YAML (a duplicated key counts as an error).
pub fn load_yaml(path: &Path) -> Vec<Value> {
    let docs = YamlLoader::load_from_str(&read(path))
        .unwrap_or_else(|err| panic!("{} is not valid YAML: {err}", path.display()));
    docs.iter()
        .filter(|doc| !matches!(doc, Yaml::Null))
        .map(|doc| to_json(doc, path))
        .collect()
}

/// The one document of a YAML file.
pub fn load_one(path: &Path) -> Value {
    let mut docs = load_yaml(path);
    assert_eq!(
        docs.len(),
        1,
        "{}: expected one YAML document",
        path.display()
    );
    docs.remove(0)
}

/// A YAML node as JSON. Mapping keys become strings (YAML allows others; these files have
/// none worth keeping apart).
fn to_json(yaml: &Yaml, path: &Path) -> Value {
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => {
            let float = yaml
                .as_f64()
                .unwrap_or_else(|| panic!("{}: bad number {text:?}", path.display()));
            Number::from_f64(float).map_or(Value::Null, Value::Number)
        }
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(|item| to_json(item, path)).collect()),
        Yaml::Hash(hash) => {
            let mut map = Map::new();
            for (key, value) in hash {
                let key = match key {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => panic!("{}: unexpected mapping key {other:?}", path.display()),
                };
                map.insert(key, to_json(value, path));
            }
            Value::Object(map)
        }
        Yaml::Alias(_) | Yaml::BadValue => {
            panic!("{}: unresolved YAML node {yaml:?}", path.display())
        }
    }
}

/// One document of deploy/k8s and the file it came from.
pub struct Object {
    pub file: String,
    pub doc: Value,
}

impl Object {
    pub fn kind(&self) -> &str {
        self.doc["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.doc["metadata"]["name"].as_str().unwrap_or_default()
    }
}

/// Every Kubernetes object of deploy/k8s (kustomization.yaml, kustomize's own file, apart).
pub fn k8s_objects() -> Vec<Object> {
    yaml_files("k8s")
        .into_iter()
        .filter(|path| file_name(path) != "kustomization.yaml")
        .flat_map(|path| {
            let file = file_name(&path);
            load_yaml(&path).into_iter().map(move |doc| Object {
                file: file.clone(),
                doc,
            })
        })
        .collect()
}

/// The only object of this kind and name; panics when there is none or more than one.
pub fn find<'a>(objects: &'a [Object], kind: &str, name: &str) -> &'a Value {
    let found: Vec<&Object> = objects
        .iter()
        .filter(|object| object.kind() == kind && object.name() == name)
        .collect();
    match found.as_slice() {
        [one] => &one.doc,
        [] => panic!("deploy/k8s has no {kind} named {name:?}"),
        many => panic!(
            "deploy/k8s has {} {kind}s named {name:?} (in {:?})",
            many.len(),
            many.iter().map(|o| o.file.as_str()).collect::<Vec<_>>()
        ),
    }
}

/// The only object of this kind.
pub fn only<'a>(objects: &'a [Object], kind: &str) -> &'a Value {
    let found: Vec<&Object> = objects.iter().filter(|o| o.kind() == kind).collect();
    match found.as_slice() {
        [one] => &one.doc,
        other => panic!("deploy/k8s: expected one {kind}, found {}", other.len()),
    }
}

/// `value` at a JSON pointer (`/spec/replicas`); panics with `what` when absent.
pub fn at<'a>(value: &'a Value, pointer: &str, what: &str) -> &'a Value {
    value
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{what}: no {pointer} in {value:#}"))
}

/// The string at a JSON pointer; panics when absent or not a string.
pub fn str_at<'a>(value: &'a Value, pointer: &str, what: &str) -> &'a str {
    at(value, pointer, what)
        .as_str()
        .unwrap_or_else(|| panic!("{what}: {pointer} is not a string"))
}

/// The array at a JSON pointer (empty when absent).
pub fn array_at<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A label map (`metadata.labels`, `matchLabels`, a Service `selector`) as sorted pairs.
pub fn labels(value: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort();
    pairs
}

/// True when every pair of `selector` is among `labels` (what a label selector matches).
pub fn selects(selector: &Value, labels: &Value) -> bool {
    let wanted = self::labels(selector);
    let present = self::labels(labels);
    !wanted.is_empty() && wanted.iter().all(|pair| present.contains(pair))
}

/// The environment variables `switchboard --help` documents (`[env: NAME=]`).
pub fn documented_env() -> BTreeSet<String> {
    let output = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success(), "--help failed: {output:?}");
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let names: BTreeSet<String> = help
        .match_indices("[env: ")
        .map(|(at, marker)| {
            help[at + marker.len()..]
                .chars()
                .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        })
        .collect();
    assert!(
        names.contains("SWITCHBOARD_LISTEN"),
        "no env twins found in --help:\n{help}"
    );
    names
}
