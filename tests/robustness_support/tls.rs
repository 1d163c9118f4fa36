//! A TLS listener whose certificate nobody trusts (a self-signed one from
//! `tests/fixtures/stress/tls/`): every handshake a client attempts fails on
//! the certificate.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_util::sync::CancellationToken;

pub struct SelfSigned {
    pub addr: SocketAddr,
    stop: CancellationToken,
}

impl SelfSigned {
    pub async fn start() -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stress/tls");
        let cert = std::fs::read(format!("{dir}/cert.der")).expect("read the test certificate");
        let key = std::fs::read(format!("{dir}/key.pk8.der")).expect("read the test key");
        let config =
            ServerConfig::builder_with_provider(Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("TLS 1.2 and 1.3")
                .with_no_client_auth()
                .with_single_cert(vec![CertificateDer::from(cert)], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)))
                .expect("a valid certificate and key");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let stop = CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            loop {
                let conn = tokio::select! {
                    _ = token.cancelled() => return,
                    c = listener.accept() => c,
                };
                if let Ok((stream, _)) = conn {
                    let acceptor = acceptor.clone();
                    // The handshake fails on the client's side; nothing to serve.
                    tokio::spawn(async move { drop(acceptor.accept(stream).await) });
                }
            }
        });
        SelfSigned { addr, stop }
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}

impl Drop for SelfSigned {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
