//! A private CA and mutual TLS, made with the `openssl` CLI at test time:
//! a CA, a server certificate for 127.0.0.1 and a client certificate, all
//! in a temporary directory. The TLS listener (tokio-rustls) requires a
//! client certificate signed by the CA, then serves the same
//! authenticating proxy.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};
use tokio_rustls::server::TlsStream;

/// The files a test needs: PEM for warroom, DER for the server.
pub struct Pki {
    pub ca_pem: PathBuf,
    pub client_pem: PathBuf,
    pub client_key_pem: PathBuf,
    dir: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("openssl").current_dir(dir).args(args).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `name`.key (PKCS#8 PEM) and `name`.pem signed by the CA, plus DER copies.
fn issue(dir: &Path, name: &str, subject: &str, ext: &str) {
    let (key, csr, pem) = (format!("{name}.key"), format!("{name}.csr"), format!("{name}.pem"));
    openssl(dir, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &key]);
    openssl(dir, &["req", "-new", "-key", &key, "-subj", subject, "-out", &csr]);
    std::fs::write(dir.join(format!("{name}.ext")), ext).expect("write the extensions");
    let extfile = format!("{name}.ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &extfile,
            "-out",
            &pem,
        ],
    );
    openssl(dir, &["x509", "-in", &pem, "-outform", "der", "-out", &format!("{name}.der")]);
    openssl(dir, &["pkcs8", "-topk8", "-nocrypt", "-in", &key, "-outform", "der", "-out", &format!("{name}.key.der")]);
}

impl Pki {
    pub fn generate(dir: &Path) -> Self {
        openssl(dir, &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"]);
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "ca.key",
                "-subj",
                "/CN=warroom test CA",
                "-days",
                "2",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-out",
                "ca.pem",
            ],
        );
        openssl(dir, &["x509", "-in", "ca.pem", "-outform", "der", "-out", "ca.der"]);
        issue(dir, "server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        issue(dir, "client", "/CN=oncall", "extendedKeyUsage=clientAuth\n");
        Pki {
            ca_pem: dir.join("ca.pem"),
            client_pem: dir.join("client.pem"),
            client_key_pem: dir.join("client.key"),
            dir: dir.to_path_buf(),
        }
    }

    fn der(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).expect("read a DER file")
    }

    /// A TLS server config that requires a client certificate from the CA.
    fn server_config(&self) -> ServerConfig {
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from(self.der("ca.der"))).expect("the CA certificate");
        let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .expect("a client verifier");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.der("server.key.der")));
        ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS 1.2 and 1.3")
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![CertificateDer::from(self.der("server.der"))], key)
            .expect("the server certificate and key")
    }
}

/// TCP accept + TLS handshake; connections whose handshake fails (no
/// client certificate, an untrusted server for the client) are skipped.
pub struct TlsListener {
    tcp: TcpListener,
    acceptor: TlsAcceptor,
}

impl TlsListener {
    pub async fn bind(pki: &Pki) -> Self {
        let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        TlsListener { tcp, acceptor: TlsAcceptor::from(Arc::new(pki.server_config())) }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else { continue };
            let handshake = tokio::time::timeout(Duration::from_secs(5), self.acceptor.accept(stream)).await;
            if let Ok(Ok(tls)) = handshake {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
