//! Sign a URL from application code with the cfsign library.
//!
//! ```sh
//! cargo run --example sign_url -- https://cdn.example.com/a.jpg K2JCJMDEHXQW5F private_key.pem
//! ```
//!
//! In production the PEM comes from the team's secret (`privateKey` in the secret's JSON) and
//! the key pair id from `keyPairId` in the same secret.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cfsign::keys::PrivateKey;
use cfsign::sign::{Conditions, Signer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(key_pair_id), Some(key_path)) = (args.next(), args.next(), args.next())
    else {
        eprintln!("usage: sign_url URL KEY_PAIR_ID PRIVATE_KEY_PEM");
        std::process::exit(2);
    };
    let pem = std::fs::read_to_string(key_path)?;
    let signer = Signer::new(Arc::new(PrivateKey::from_pem(&pem, None)?), &key_pair_id)?;
    let in_fifteen_minutes = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() + 15 * 60;
    let signed = signer.sign_url(&url, None, &Conditions::expiring_at(in_fifteen_minutes))?;
    println!("{signed}");
    Ok(())
}
