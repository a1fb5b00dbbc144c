//! PEM armour: finding the key block in a file, decrypting PKCS#8, encoding.

use pkcs8::der::pem::{self, LineEnding};
use pkcs8::EncryptedPrivateKeyInfo;
use zeroize::Zeroizing;

use super::KeyError;

/// One PEM block: its label and the DER it carries.
pub(super) struct Block {
    pub(super) label: String,
    pub(super) der: Zeroizing<Vec<u8>>,
}

/// Labels that are never the key itself and are skipped when they precede it
/// (`openssl ecparam -genkey` writes `EC PARAMETERS` before `EC PRIVATE KEY`).
const SKIPPED_LABELS: &[&str] = &["EC PARAMETERS"];

/// Returns the first PEM block in `text` that is not a parameters block.
pub(super) fn find_key_block(text: &str) -> Result<Block, KeyError> {
    let mut rest = text;
    loop {
        let begin = rest.find("-----BEGIN ").ok_or(KeyError::NotPem)?;
        let label = begin_label(&rest[begin + "-----BEGIN ".len()..])?;
        let end_marker = format!("-----END {label}-----");
        let end = rest[begin..]
            .find(&end_marker)
            .map(|at| begin + at + end_marker.len())
            .ok_or_else(|| KeyError::CorruptPem(format!("no `{end_marker}` line")))?;
        let armoured = &rest[begin..end];
        if SKIPPED_LABELS.contains(&label) {
            rest = &rest[end..];
            continue;
        }
        if armoured.contains("Proc-Type:") {
            return Err(KeyError::LegacyEncryption);
        }
        let (label, der) = pem::decode_vec(armoured.as_bytes())
            .map_err(|err| KeyError::CorruptPem(err.to_string()))?;
        return Ok(Block {
            label: label.to_owned(),
            der: Zeroizing::new(der),
        });
    }
}

/// The longest label a PEM block may have (RFC 7468 sets none; real labels are short).
const MAX_LABEL_LEN: usize = 64;

/// The label of a BEGIN line, from just after `-----BEGIN `. It must end with `-----` on the
/// same line and hold only RFC 7468 label characters. Errors never quote the text: a damaged
/// line is followed by key material, which must not reach a message.
fn begin_label(after_begin: &str) -> Result<&str, KeyError> {
    let damaged = || {
        KeyError::CorruptPem(
            "the BEGIN line is damaged: it must read `-----BEGIN <LABEL>-----` (e.g. \
             `-----BEGIN PRIVATE KEY-----`) on a line of its own"
                .into(),
        )
    };
    let line = after_begin.lines().next().unwrap_or_default();
    let label = line.trim_end().strip_suffix("-----").ok_or_else(damaged)?;
    let valid = !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'-')
        && !label.ends_with('-');
    if valid {
        Ok(label)
    } else {
        Err(damaged())
    }
}

/// Decrypts an `ENCRYPTED PRIVATE KEY` (PKCS#8 with PBES2) into plain PKCS#8 DER.
pub(super) fn decrypt_pkcs8(der: &[u8], passphrase: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let info = EncryptedPrivateKeyInfo::try_from(der)
        .map_err(|err| KeyError::CorruptPem(format!("encrypted key structure: {err}")))?;
    let document = info
        .decrypt(passphrase)
        .map_err(|_| KeyError::DecryptionFailed)?;
    Ok(Zeroizing::new(document.as_bytes().to_vec()))
}

/// PEM-armours DER with the given label (LF line endings).
pub(super) fn encode(label: &str, der: &[u8]) -> Result<String, KeyError> {
    pem::encode_string(label, LineEnding::LF, der).map_err(|_| KeyError::Crypto("encode PEM"))
}
