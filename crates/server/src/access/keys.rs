//! The keys that verify client tokens: `--jwt-secret` values, the secrets of
//! `--jwt-secret-file` and the `--jwt-public-key` PEM files. The files are read again on
//! SIGHUP, so keys rotate without a restart: publish the new key next to the old one, move
//! the token minting to it, and drop the old one once its tokens have expired.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use switchboard_guard::{KeySet, Verifier};

use crate::config::Config;

pub struct Keys {
    sources: Sources,
    verifier: RwLock<Arc<Verifier>>,
}

/// Where the keys come from.
struct Sources {
    secrets: Vec<String>,
    secret_file: Option<PathBuf>,
    public_keys: Vec<PathBuf>,
    leeway_secs: u64,
}

impl Keys {
    /// `None` when no key is configured: tokens are not asked for.
    pub fn from_config(config: &Config) -> Result<Option<Self>, String> {
        let sources = Sources {
            secrets: config
                .jwt_secrets
                .iter()
                .filter(|secret| !secret.is_empty())
                .cloned()
                .collect(),
            secret_file: config.jwt_secret_file.clone(),
            public_keys: config.jwt_public_keys.clone(),
            leeway_secs: config.jwt_leeway.as_secs(),
        };
        if sources.secrets.is_empty()
            && sources.secret_file.is_none()
            && sources.public_keys.is_empty()
        {
            return Ok(None);
        }
        let verifier = RwLock::new(Arc::new(sources.load()?));
        Ok(Some(Self { sources, verifier }))
    }

    pub fn verifier(&self) -> Arc<Verifier> {
        self.verifier
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Reads the files again; on any error the keys in use stay.
    pub fn reload(&self) -> Result<(), String> {
        let verifier = self.sources.load()?;
        *self
            .verifier
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(verifier);
        Ok(())
    }
}

impl Sources {
    fn load(&self) -> Result<Verifier, String> {
        let mut set = KeySet {
            secrets: self.secrets.iter().map(|s| s.as_bytes().to_vec()).collect(),
            public_keys_pem: Vec::new(),
        };
        if let Some(file) = &self.secret_file {
            let text = std::fs::read_to_string(file)
                .map_err(|err| format!("--jwt-secret-file {}: {err}", file.display()))?;
            set.secrets.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty() && !line.starts_with('#'))
                    .map(|line| line.as_bytes().to_vec()),
            );
        }
        for path in &self.public_keys {
            let pem = std::fs::read(path)
                .map_err(|err| format!("--jwt-public-key {}: {err}", path.display()))?;
            set.public_keys_pem.push(pem);
        }
        Verifier::new(&set)
            .map(|verifier| verifier.with_leeway_secs(self.leeway_secs))
            .map_err(|err| format!("JWT keys: {err}"))
    }
}
