//! The thin, unsafe edge between cfsign and AWS-LC's `EVP_PKEY` API.
//!
//! `aws-lc-rs` offers no RSA PKCS#1 v1.5 *signing* with SHA-1 (CloudFront's default hash) and no
//! ECDSA with SHA-1, so the private-key operation goes straight to AWS-LC's `EVP_DigestSign`,
//! which covers every algorithm CloudFront accepts with one code path. Everything unsafe in the
//! crate lives in this file; the rest of cfsign sees [`EvpKey`] and [`Digest`] only.
//!
//! AWS-LC cleanses memory it frees, so key material held here is zeroized when the last
//! reference is dropped.

use std::os::raw::c_long;
use std::ptr;

use aws_lc_sys as sys;
use zeroize::Zeroizing;

/// The message digest to pair with a key when signing or verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Digest {
    Sha1,
    Sha256,
}

impl Digest {
    fn md(self) -> *const sys::EVP_MD {
        // SAFETY: both functions return pointers to static, immutable digest tables.
        unsafe {
            match self {
                Digest::Sha1 => sys::EVP_sha1(),
                Digest::Sha256 => sys::EVP_sha256(),
            }
        }
    }
}

/// The algorithm family of a parsed key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// RSA with its modulus size in bits.
    Rsa { bits: u32 },
    /// ECDSA on the named curve P-256.
    EcP256,
    /// ECDSA on another curve (CloudFront does not accept it).
    EcOther,
    /// Anything else (Ed25519, DSA, ...).
    Other,
}

/// An owned AWS-LC `EVP_PKEY` (private or public).
pub(crate) struct EvpKey(ptr::NonNull<sys::EVP_PKEY>);

// SAFETY: an EVP_PKEY is reference counted and AWS-LC documents concurrent use of a key for
// signing and verification (each operation has its own EVP_MD_CTX) as thread-safe.
unsafe impl Send for EvpKey {}
// SAFETY: see above; no method takes `&mut self` or mutates the key.
unsafe impl Sync for EvpKey {}

impl Drop for EvpKey {
    fn drop(&mut self) {
        // SAFETY: we own one reference to a valid key.
        unsafe { sys::EVP_PKEY_free(self.0.as_ptr()) }
    }
}

impl EvpKey {
    /// Parses a DER private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC).
    pub(crate) fn private_from_der(der: &[u8]) -> Option<Self> {
        let mut input = der.as_ptr();
        let len = c_long::try_from(der.len()).ok()?;
        // SAFETY: `input` points at `len` readable bytes; a null return means failure.
        let key = unsafe { sys::d2i_AutoPrivateKey(ptr::null_mut(), &mut input, len) };
        clear_error_queue();
        ptr::NonNull::new(key).map(EvpKey)
    }

    /// Parses a DER SubjectPublicKeyInfo.
    pub(crate) fn public_from_der(der: &[u8]) -> Option<Self> {
        // SAFETY: CBS is a plain struct that CBS_init fills; it borrows `der` for the call only.
        let key = unsafe {
            let mut cbs: sys::CBS = std::mem::zeroed();
            sys::CBS_init(&mut cbs, der.as_ptr(), der.len());
            let key = sys::EVP_parse_public_key(&mut cbs);
            if !key.is_null() && sys::CBS_len(&cbs) != 0 {
                sys::EVP_PKEY_free(key);
                ptr::null_mut()
            } else {
                key
            }
        };
        clear_error_queue();
        ptr::NonNull::new(key).map(EvpKey)
    }

    /// The algorithm family and size of the key.
    pub(crate) fn family(&self) -> Family {
        let key = self.0.as_ptr();
        // SAFETY: `key` is valid for the lifetime of `self`; getters do not transfer ownership.
        unsafe {
            match sys::EVP_PKEY_id(key) {
                sys::EVP_PKEY_RSA => Family::Rsa {
                    bits: u32::try_from(sys::EVP_PKEY_bits(key)).unwrap_or(0),
                },
                sys::EVP_PKEY_EC => {
                    let ec = sys::EVP_PKEY_get0_EC_KEY(key);
                    let group = if ec.is_null() {
                        ptr::null()
                    } else {
                        sys::EC_KEY_get0_group(ec)
                    };
                    if !group.is_null()
                        && sys::EC_GROUP_get_curve_name(group) == sys::NID_X9_62_prime256v1
                    {
                        Family::EcP256
                    } else {
                        Family::EcOther
                    }
                }
                _ => Family::Other,
            }
        }
    }

    /// Signs `message` (hashing it with `digest`): PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC.
    pub(crate) fn sign(&self, digest: Digest, message: &[u8]) -> Option<Vec<u8>> {
        let ctx = MdCtx::new()?;
        // SAFETY: the context and key are valid; the buffer is sized with EVP_PKEY_size, the
        // maximum signature length, and truncated to the length AWS-LC reports.
        unsafe {
            let mut sig = vec![0u8; usize::try_from(sys::EVP_PKEY_size(self.0.as_ptr())).ok()?];
            let mut sig_len = sig.len();
            let ok = sys::EVP_DigestSignInit(
                ctx.0,
                ptr::null_mut(),
                digest.md(),
                ptr::null_mut(),
                self.0.as_ptr(),
            ) == 1
                && sys::EVP_DigestSign(
                    ctx.0,
                    sig.as_mut_ptr(),
                    &mut sig_len,
                    message.as_ptr(),
                    message.len(),
                ) == 1;
            clear_error_queue();
            ok.then(|| {
                sig.truncate(sig_len);
                sig
            })
        }
    }

    /// Checks `signature` over `message`; false for any mismatch or malformed signature.
    pub(crate) fn verify(&self, digest: Digest, message: &[u8], signature: &[u8]) -> bool {
        let Some(ctx) = MdCtx::new() else {
            return false;
        };
        // SAFETY: the context, key and slices are valid for the duration of the calls.
        let ok = unsafe {
            sys::EVP_DigestVerifyInit(
                ctx.0,
                ptr::null_mut(),
                digest.md(),
                ptr::null_mut(),
                self.0.as_ptr(),
            ) == 1
                && sys::EVP_DigestVerify(
                    ctx.0,
                    signature.as_ptr(),
                    signature.len(),
                    message.as_ptr(),
                    message.len(),
                ) == 1
        };
        clear_error_queue();
        ok
    }

    /// The PKCS#8 DER of a private key, whatever form it was parsed from.
    pub(crate) fn private_key_pkcs8_der(&self) -> Option<Zeroizing<Vec<u8>>> {
        // SAFETY: as for `public_key_der`.
        unsafe { marshal(|cbb| sys::EVP_marshal_private_key(cbb, self.0.as_ptr())) }
            .map(Zeroizing::new)
    }

    /// The DER SubjectPublicKeyInfo of this key (the form CloudFront accepts, once PEM-armoured).
    pub(crate) fn public_key_der(&self) -> Option<Vec<u8>> {
        // SAFETY: the key is valid; marshal owns the CBB.
        unsafe { marshal(|cbb| sys::EVP_marshal_public_key(cbb, self.0.as_ptr())) }
    }
}

/// Runs an `EVP_marshal_*` function into a fresh CBB and returns the bytes it wrote.
///
/// # Safety
/// `write` must only write into the CBB it is given.
unsafe fn marshal(write: impl FnOnce(*mut sys::CBB) -> std::os::raw::c_int) -> Option<Vec<u8>> {
    let mut cbb: sys::CBB = std::mem::zeroed();
    if sys::CBB_init(&mut cbb, 2048) != 1 {
        return None;
    }
    let mut data: *mut u8 = ptr::null_mut();
    let mut len = 0usize;
    if write(&mut cbb) != 1 || sys::CBB_finish(&mut cbb, &mut data, &mut len) != 1 {
        sys::CBB_cleanup(&mut cbb);
        clear_error_queue();
        return None;
    }
    // The copy is made before OPENSSL_free cleanses and releases AWS-LC's buffer.
    let der = std::slice::from_raw_parts(data, len).to_vec();
    sys::OPENSSL_free(data.cast());
    Some(der)
}

/// An owned `EVP_MD_CTX`, freed on drop.
struct MdCtx(*mut sys::EVP_MD_CTX);

impl MdCtx {
    fn new() -> Option<Self> {
        // SAFETY: a null return means allocation failure.
        let ctx = unsafe { sys::EVP_MD_CTX_new() };
        (!ctx.is_null()).then_some(MdCtx(ctx))
    }
}

impl Drop for MdCtx {
    fn drop(&mut self) {
        // SAFETY: we own the context.
        unsafe { sys::EVP_MD_CTX_free(self.0) }
    }
}

/// AWS-LC keeps a per-thread error queue; we report our own errors, so keep it empty.
fn clear_error_queue() {
    // SAFETY: no preconditions.
    unsafe { sys::ERR_clear_error() }
}
