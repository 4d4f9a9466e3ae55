//! The deployment files, checked against the real binary: docker-compose.yml, the Dockerfile
//! and nginx (ports, variables, drain time, user), the Kubernetes manifests, the Prometheus
//! scrape config and alert rules, and the Grafana dashboard. The variables they set are the
//! ones `switchboard --help` documents and the binary accepts, their probes and ports fit the
//! container, and every metric they query is exported by a live cluster node.

mod files;
mod promql;

mod compose;
mod grafana;
mod k8s;
mod metrics;
mod prometheus;
