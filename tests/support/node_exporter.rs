//! A real `prometheus-node-exporter` (or `$WARROOM_TEST_NODE_EXPORTER`) on a
//! free loopback port, with only a few collectors (cpu, load, memory,
//! uname): a real scrape target whose series Grafana's node dashboards graph.

use std::net::SocketAddr;

use tempfile::TempDir;

use super::free_port;
use super::process::{ServerProcess, StartError};
use super::servers::NODE_EXPORTER;

const ATTEMPTS: usize = 3;

/// A spawned node exporter; dropping it kills the process.
pub struct NodeExporter {
    /// `127.0.0.1:PORT`, to scrape.
    pub addr: SocketAddr,
    process: ServerProcess,
    // Dropped after `process`: its log lives here.
    dir: TempDir,
}

impl NodeExporter {
    /// Starts it and returns once it answers HTTP (its landing page
    /// answers every path, `/-/ready` included).
    pub fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("warroom-node-").tempdir().expect("a temp dir for the node exporter");
        let log = dir.path().join("node_exporter.log");
        for _ in 0..ATTEMPTS {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let args = vec![
                format!("--web.listen-address={addr}"),
                "--collector.disable-defaults".to_string(),
                "--collector.cpu".to_string(),
                "--collector.loadavg".to_string(),
                "--collector.meminfo".to_string(),
                "--collector.uname".to_string(),
            ];
            match ServerProcess::start("node_exporter", NODE_EXPORTER.path(), args, addr, &log) {
                Ok(process) => return NodeExporter { addr, process, dir },
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("the node exporter did not start: {why}"),
            }
        }
        panic!("the node exporter did not start: ports kept being taken ({ATTEMPTS} attempts)");
    }

    pub fn is_running(&self) -> bool {
        self.process.is_running()
    }
}
