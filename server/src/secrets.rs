//! Secrets at rest (Auth0 client secrets, test-user passwords): AES-256-GCM with a random 96-bit nonce per value,
//! stored as `nonce ‖ ciphertext`. The key comes from `TENANTRY_SECRET_KEY` or a key file created on first run.

use std::fmt;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};

use crate::config::{SecretKeySource, parse_key};

/// Encrypts and decrypts secrets with the installation's key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

/// A secret could not be read back (wrong key, or damaged data).
#[derive(Debug, thiserror::Error)]
#[error(
    "a stored secret cannot be decrypted: the secret key differs from the one it was stored with; enter the secret again"
)]
pub struct DecryptError;

impl SecretBox {
    pub fn new(key: [u8; 32]) -> Self {
        SecretBox { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)) }
    }

    /// The key from the settings: given directly, or read from the key file, which is created (mode 0600) with a
    /// new random key when it does not exist.
    pub fn load(source: &SecretKeySource) -> anyhow::Result<SecretBox> {
        match source {
            SecretKeySource::Key(key) => Ok(SecretBox::new(*key)),
            SecretKeySource::File(path) => Ok(SecretBox::new(read_or_create(path)?)),
        }
    }

    pub fn encrypt(&self, plaintext: &str) -> Vec<u8> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(self.cipher.encrypt(&nonce, plaintext.as_bytes()).expect("AES-GCM encryption does not fail"));
        out
    }

    pub fn decrypt(&self, stored: &[u8]) -> Result<String, DecryptError> {
        if stored.len() < 12 {
            return Err(DecryptError);
        }
        let (nonce, ciphertext) = stored.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

fn read_or_create(path: &Path) -> anyhow::Result<[u8; 32]> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(&text)
            .map_err(|e| anyhow::anyhow!("TENANTRY_SECRET_KEY_FILE: {} holds no valid key ({e})", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = Aes256Gcm::generate_key(&mut OsRng).into();
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .map_err(|e| anyhow::anyhow!("TENANTRY_SECRET_KEY_FILE: cannot create {}: {e}", path.display()))?;
            writeln!(file, "{hex}")?;
            tracing::warn!(path = %path.display(), "created a new secret key file; back it up: stored secrets need it");
            Ok(key)
        }
        Err(e) => Err(anyhow::anyhow!("TENANTRY_SECRET_KEY_FILE: cannot read {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_round_trips_and_another_key_cannot_read_it() {
        let one = SecretBox::new([7; 32]);
        let stored = one.encrypt("client-secret-value");
        assert!(!String::from_utf8_lossy(&stored).contains("client-secret-value"));
        assert_ne!(stored, one.encrypt("client-secret-value"), "a fresh nonce every time");
        assert_eq!(one.decrypt(&stored).expect("same key"), "client-secret-value");
        assert!(SecretBox::new([8; 32]).decrypt(&stored).is_err());
        assert!(one.decrypt(&stored[..5]).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("tenantry-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("key");
        let first = read_or_create(&path).expect("created");
        assert_eq!(read_or_create(&path).expect("read"), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "short").expect("write");
        assert!(read_or_create(&path).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
