//! CloudFront's URL-safe base64: standard base64 with `+`→`-`, `/`→`~` and `=`→`_`.

use base64::alphabet::Alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Standard base64 with CloudFront's two substitutions; padding is handled separately because
/// CloudFront pads with `_`, which no base64 engine can be told to use.
const ALPHABET: Alphabet =
    match Alphabet::new("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~") {
        Ok(alphabet) => alphabet,
        Err(_) => panic!("CloudFront base64 alphabet is valid"),
    };

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &ALPHABET,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Encodes bytes the way CloudFront expects `Policy` and `Signature` values.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    encode_into(data, &mut out);
    out
}

/// Appends the encoding of `data` to `out` (the allocation-free form for hot loops).
pub fn encode_into(data: &[u8], out: &mut String) {
    ENGINE.encode_string(data, out);
    for _ in 0..(3 - data.len() % 3) % 3 {
        out.push('_');
    }
}

/// Decodes a CloudFront base64 value; `None` when it is not valid.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    ENGINE.decode(text.trim_end_matches('_')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_the_three_characters_cloudfront_cannot_carry() {
        // 0xfb 0xff encodes to "+/8=" in standard base64.
        assert_eq!(encode(&[0xfb, 0xff]), "-~8_");
        assert_eq!(encode(b"a"), "YQ__");
        assert_eq!(encode(b"abc"), "YWJj");
    }

    #[test]
    fn decode_inverts_encode() {
        for len in 0..40u8 {
            let data: Vec<u8> = (0..len)
                .map(|i| i.wrapping_mul(37).wrapping_add(250))
                .collect();
            assert_eq!(decode(&encode(&data)).unwrap(), data);
        }
        assert!(decode("not base64!").is_none());
    }
}
