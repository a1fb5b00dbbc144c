//! The application side: read the team's signing key from its secret (the AWSCURRENT version,
//! which the team's integration role may read) and sign URLs with it.
//!
//! ```sh
//! cargo run --example sign_from_secret -- cfsign/payments/signing-key \
//!     https://files.payments.example.com/reports/q3.pdf
//! ```
//!
//! Credentials and region come from the standard chain (the integration role in ECS, Lambda or
//! EKS); `AWS_ENDPOINT_URL` points it at the local emulator.
//!
//! Keys rotate: re-read the secret every few minutes rather than once at start-up. A promoted
//! key's predecessor stays trusted for the grace period, so a signer that is a little stale
//! still signs URLs CloudFront accepts.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use cfsign::keys::{SigningSecret, StoredKey};
use cfsign::sign::{Conditions, Signer};

/// Reads the secret's current version and builds a signer from it.
fn signer_from_secret(secret_id: &str) -> Result<Signer, Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let config = runtime.block_on(aws_config::load_defaults(BehaviorVersion::latest()));
    let client = aws_sdk_secretsmanager::Client::new(&config);
    let secret = runtime.block_on(
        client
            .get_secret_value()
            .secret_id(secret_id)
            .version_stage("AWSCURRENT")
            .send(),
    )?;
    // {"keyPairId": "K...", "privateKey": "<the private key, PKCS#8 PEM>"}, read by the same
    // type cfsign's recipes use (it wipes its copies of the PEM).
    let (key_pair_id, key) =
        SigningSecret::parse(secret.secret_string().unwrap_or("{}"))?.into_parts();
    let key = match key {
        Some(StoredKey::Private(key)) => key,
        // {"keyPairId": ..., "kmsKeyArn": ...}: the key never leaves KMS, so every signature is
        // a kms:Sign call (`cfsign sign --secret` makes them).
        Some(StoredKey::Kms(arn)) => {
            return Err(format!("{secret_id} names the KMS key {arn}: sign with kms:Sign (cfsign sign --secret {secret_id})").into())
        }
        None => return Err(format!("{secret_id} holds no signing key yet").into()),
    };
    Ok(Signer::new(Arc::new(key), &key_pair_id)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(secret_id), Some(url)) = (args.next(), args.next()) else {
        eprintln!("usage: sign_from_secret SECRET_ID URL");
        std::process::exit(2);
    };
    let signer = signer_from_secret(&secret_id)?;
    let in_fifteen_minutes = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() + 15 * 60;
    println!(
        "{}",
        signer.sign_url(&url, None, &Conditions::expiring_at(in_fifteen_minutes))?
    );
    Ok(())
}
