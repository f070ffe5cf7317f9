//! Why a checkpoint or proof file cannot be read, or does not hold.
//!
//! Must not: carry a secret key; messages name fields, chains and positions only.

/// A checkpoint or inclusion proof that is malformed or does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// A value that is not what its field holds (a key, a signature, a hash, a head, a tree).
    #[error("{what} is not valid: {why}")]
    Malformed {
        /// Which value.
        what: &'static str,
        /// What is wrong.
        why: String,
    },
    /// The signature does not verify with the given public key: the file was changed, or
    /// signed by another key.
    #[error(
        "the checkpoint's signature does not verify with the public key given: it was changed, or signed by another key"
    )]
    BadSignature,
    /// A version 1 checkpoint signs no Merkle trees: nothing can be proven against it.
    #[error(
        "the checkpoint is version 1 and signs no Merkle trees: sign a new checkpoint to prove entries"
    )]
    NoTrees,
    /// An inclusion proof does not hold.
    #[error("the inclusion proof does not hold: {why}")]
    ProofFails {
        /// Why.
        why: String,
    },
}

impl AuditError {
    pub(crate) fn malformed(what: &'static str, why: impl Into<String>) -> Self {
        AuditError::Malformed {
            what,
            why: why.into(),
        }
    }

    pub(crate) fn fails(why: impl Into<String>) -> Self {
        AuditError::ProofFails { why: why.into() }
    }
}
