//! The deployment files under deploy/ (Kubernetes manifests, Prometheus scrape config and
//! alert rules, Grafana dashboard), checked against the real binary: the variables they set
//! are the ones `switchboard --help` documents and the binary accepts, their probes and ports
//! fit the container, and every metric they query is exported by a live cluster node.

mod files;
mod promql;

mod grafana;
mod k8s;
mod metrics;
mod prometheus;
