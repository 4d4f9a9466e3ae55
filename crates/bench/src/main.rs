//! The `switchboard-bench` binary: parses the command line, builds a lean tokio runtime (one
//! thread unless `--threads`), runs one scenario and prints its report, as a table or as
//! one JSON object.

mod cli;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, ClusterCommand, Command, SoakArgs};
use switchboard_bench::scenario::{connect, idle, latency, relay, soak};
use switchboard_bench::{Placement, Report};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = if cli.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(cli.threads))
            .enable_all()
            .build()
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("switchboard-bench: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let json = cli.json;
    if let Command::Soak(args) = &cli.command {
        return soak(args, json, &runtime);
    }
    match runtime.block_on(run(cli)) {
        Ok(report) => print(json, &report.to_json(), &report),
        Err(err) => print_error("switchboard-bench", &err),
    }
}

/// Prints a report as one JSON line (`--json`) or as its human table; `SUCCESS`.
fn print(json: bool, as_json: &str, report: &impl std::fmt::Display) -> ExitCode {
    let text = if json {
        format!("{as_json}\n")
    } else {
        report.to_string()
    };
    // A closed stdout (`| head`) is not worth a panic.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

fn print_error(what: &str, err: &str) -> ExitCode {
    eprintln!("{what}: {err}");
    ExitCode::FAILURE
}

/// Runs the soak; the exit status is 1 when a check failed or the run could not finish.
fn soak(args: &SoakArgs, json: bool, runtime: &tokio::runtime::Runtime) -> ExitCode {
    let report = args
        .config()
        .and_then(|config| runtime.block_on(soak::run(&config)));
    match report {
        Ok(report) if report.passed => print(json, &report.to_json(), &report),
        Ok(report) => {
            print(json, &report.to_json(), &report);
            ExitCode::FAILURE
        }
        Err(err) => print_error("switchboard-bench soak", &err),
    }
}

async fn run(cli: Cli) -> Result<Report, String> {
    let threads = cli.threads;
    match cli.command {
        Command::Relay(args) => {
            let common = args.common.common(threads);
            relay::run(
                &args
                    .load
                    .config(common, Placement::single(args.server.addr)),
            )
            .await
        }
        Command::Latency(args) => {
            let common = args.common.common(threads);
            latency::run(
                &args
                    .load
                    .config(common, Placement::single(args.server.addr)),
            )
            .await
        }
        Command::Connect(args) => connect::run(&args.config(threads)).await,
        Command::Idle(args) => idle::run(&args.config(threads)).await,
        Command::Cluster(ClusterCommand::Relay(args)) => {
            let common = args.common.common(threads);
            relay::run(&args.load.config(common, args.servers.placement())).await
        }
        Command::Cluster(ClusterCommand::Latency(args)) => {
            let common = args.common.common(threads);
            latency::run(&args.load.config(common, args.servers.placement())).await
        }
        Command::Soak(_) => Err("soak runs apart".into()),
    }
}
