//! `decision_vectors`: an embedding per decision and model, for finding similar past decisions.
//!
//! Must not: accept a vector that is not finite or not of its stated dimension. Stored as
//! little-endian `float4` in BYTEA here; docs/operations.md describes the pgvector switch.

#![allow(clippy::float_arithmetic)] // Embeddings are floats by nature; no money is involved.

use crate::error::found;
use crate::schema::decision_vectors;
use crate::{PersistenceError, Result};
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use uuid::Uuid;

/// A row of `decision_vectors`, as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = decision_vectors, check_for_backend(Pg))]
#[allow(missing_docs)] // One field per column; docs/data-model.md describes each.
pub struct DecisionVectorRow {
    pub id: Uuid,
    pub compliance_check_id: Uuid,
    pub model: String,
    pub dimension: i32,
    pub embedding: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Why a vector was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbeddingError {
    /// Empty, or more than [`Embedding::MAX_DIMENSION`] values.
    #[error("an embedding has 1 to {max} values, got {len}", max = Embedding::MAX_DIMENSION)]
    Dimension {
        /// The number of values given.
        len: usize,
    },
    /// A NaN or infinite value.
    #[error("embedding value {index} is not a finite number")]
    NotFinite {
        /// Its position.
        index: usize,
    },
    /// A model name that is empty, too long or has spaces.
    #[error("model must be 1 to 128 printable ASCII characters without spaces")]
    Model,
}

/// An embedding with the model that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    model: String,
    values: Vec<f32>,
}

impl Embedding {
    /// The largest dimension stored (the column allows 4096).
    pub const MAX_DIMENSION: usize = 4096;

    /// Checks a vector.
    pub fn new(model: &str, values: Vec<f32>) -> Result<Self, EmbeddingError> {
        if model.is_empty() || model.len() > 128 || !model.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(EmbeddingError::Model);
        }
        if values.is_empty() || values.len() > Self::MAX_DIMENSION {
            return Err(EmbeddingError::Dimension { len: values.len() });
        }
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(EmbeddingError::NotFinite { index });
        }
        Ok(Self {
            model: model.to_owned(),
            values,
        })
    }

    /// The model.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The values.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    fn to_bytes(&self) -> Vec<u8> {
        self.values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    fn from_row(row: &DecisionVectorRow) -> Result<Self> {
        let values: Vec<f32> = row
            .embedding
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if usize::try_from(row.dimension).ok() != Some(values.len())
            || !row.embedding.len().is_multiple_of(4)
        {
            return Err(PersistenceError::invalid(
                TABLE,
                row.id,
                "embedding length disagrees with its dimension",
            ));
        }
        Self::new(&row.model, values).map_err(|e| PersistenceError::invalid(TABLE, row.id, e))
    }

    /// Cosine similarity, from -1 to 1 (0 when either vector is all zeros or the dimensions
    /// differ).
    pub fn cosine(&self, other: &Embedding) -> f32 {
        if self.values.len() != other.values.len() {
            return 0.0;
        }
        let (mut dot, mut a, mut b) = (0.0f32, 0.0f32, 0.0f32);
        for (x, y) in self.values.iter().zip(&other.values) {
            dot += x * y;
            a += x * x;
            b += y * y;
        }
        if a == 0.0 || b == 0.0 {
            0.0
        } else {
            dot / (a.sqrt() * b.sqrt())
        }
    }
}

/// A stored embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVector {
    /// The row's id.
    pub id: Uuid,
    /// The decision it describes.
    pub compliance_check_id: Uuid,
    /// The embedding.
    pub embedding: Embedding,
}

const TABLE: &str = "decision_vectors";

impl TryFrom<DecisionVectorRow> for StoredVector {
    type Error = PersistenceError;
    fn try_from(row: DecisionVectorRow) -> Result<Self> {
        Ok(Self {
            id: row.id,
            compliance_check_id: row.compliance_check_id,
            embedding: Embedding::from_row(&row)?,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = decision_vectors)]
struct NewVectorRow<'a> {
    compliance_check_id: Uuid,
    model: &'a str,
    dimension: i32,
    embedding: Vec<u8>,
}

/// Stores the embedding of a decision for a model; one per decision and model (a second is a
/// [`PersistenceError::Conflict`]).
pub fn insert(
    conn: &mut PgConnection,
    compliance_check_id: Uuid,
    embedding: &Embedding,
) -> Result<StoredVector> {
    let dimension = i32::try_from(embedding.values.len()).map_err(|_| {
        PersistenceError::invalid(TABLE, compliance_check_id, "dimension too large")
    })?;
    diesel::insert_into(decision_vectors::table)
        .values(&NewVectorRow {
            compliance_check_id,
            model: &embedding.model,
            dimension,
            embedding: embedding.to_bytes(),
        })
        .returning(DecisionVectorRow::as_returning())
        .get_result(conn)?
        .try_into()
}

/// The embedding with this id.
pub fn find(conn: &mut PgConnection, id: Uuid) -> Result<StoredVector> {
    let row = decision_vectors::table
        .find(id)
        .select(DecisionVectorRow::as_select())
        .first(conn)
        .optional()?;
    found(row, "decision vector", id)?.try_into()
}

/// The embedding of a decision for a model (the natural key).
pub fn find_for_check(
    conn: &mut PgConnection,
    compliance_check_id: Uuid,
    model: &str,
) -> Result<StoredVector> {
    let row = decision_vectors::table
        .filter(decision_vectors::compliance_check_id.eq(compliance_check_id))
        .filter(decision_vectors::model.eq(model))
        .select(DecisionVectorRow::as_select())
        .first(conn)
        .optional()?;
    found(
        row,
        "decision vector for compliance check",
        compliance_check_id,
    )?
    .try_into()
}

/// Every embedding of a model, by decision.
pub fn list_for_model(conn: &mut PgConnection, model: &str) -> Result<Vec<StoredVector>> {
    decision_vectors::table
        .filter(decision_vectors::model.eq(model))
        .order(decision_vectors::compliance_check_id)
        .select(DecisionVectorRow::as_select())
        .load(conn)?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The `k` decisions most similar to `query` (cosine), best first. A scan of the model's
/// vectors: fine for thousands; production uses pgvector's index (docs/operations.md).
pub fn most_similar(
    conn: &mut PgConnection,
    query: &Embedding,
    k: usize,
) -> Result<Vec<(Uuid, f32)>> {
    let mut scored: Vec<(Uuid, f32)> = list_for_model(conn, query.model())?
        .into_iter()
        .map(|v| (v.compliance_check_id, query.cosine(&v.embedding)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(k);
    Ok(scored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeddings_are_checked() {
        assert_eq!(
            Embedding::new("m", vec![]),
            Err(EmbeddingError::Dimension { len: 0 })
        );
        assert_eq!(
            Embedding::new("m", vec![1.0, f32::NAN]),
            Err(EmbeddingError::NotFinite { index: 1 })
        );
        assert_eq!(
            Embedding::new("a model", vec![1.0]),
            Err(EmbeddingError::Model)
        );
        assert!(Embedding::new("all-MiniLM-L6-v2", vec![0.5; 384]).is_ok());
    }

    #[test]
    fn cosine() {
        let a = Embedding::new("m", vec![1.0, 0.0]).unwrap();
        let b = Embedding::new("m", vec![0.0, 2.0]).unwrap();
        let c = Embedding::new("m", vec![3.0, 0.0]).unwrap();
        assert_eq!(a.cosine(&b), 0.0);
        assert!((a.cosine(&c) - 1.0).abs() < 1e-6);
    }
}
