//! Merkle trees as RFC 9162 section 2.1 defines them (the tree hash, inclusion proofs and their
//! verification), through the `ct-merkle` crate: the audit log's signed checkpoints carry one
//! root per chain, and [`crate::proof`] proves one entry's inclusion with them. A leaf's input
//! is 32 bytes here (an entry's chained hash); the tree hashes it as SHA-256(0x00 || input).
//!
//! Must not: do I/O, or know what a leaf means.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{InclusionProof, RootHash};
use sha2::Sha256;

/// A SHA-256 value: a leaf's input, a node hash or a root.
pub type Hash = [u8; 32];

type Output = sha2::digest::Output<Sha256>;

fn tree<T: AsRef<[u8]> + Clone>(leaves: &[T]) -> MemoryBackedTree<Sha256, T> {
    let mut tree = MemoryBackedTree::new();
    for leaf in leaves {
        tree.push(leaf.clone());
    }
    tree
}

/// The Merkle tree hash (MTH) of the tree whose leaf inputs are `leaves`, in order.
pub fn root<T: AsRef<[u8]> + Clone>(leaves: &[T]) -> Hash {
    (*tree(leaves).root().as_bytes()).into()
}

/// The audit path of leaf `index` in the tree over `leaves` (RFC 9162 2.1.3.1), from the
/// leaf's sibling up to the root's child; `None` when `index` is not a leaf of the tree.
pub fn inclusion_proof<T: AsRef<[u8]> + Clone>(leaves: &[T], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let proof = tree(leaves).prove_inclusion(index);
    proof
        .as_bytes()
        .chunks_exact(32)
        .map(|node| Hash::try_from(node).ok())
        .collect()
}

/// True when `path` proves that the leaf whose input is `leaf` is leaf `index` of the tree of
/// `size` leaves whose root is `root` (RFC 9162 2.1.3.2). An index out of range, or a path too
/// short or too long for that index and size, proves nothing.
pub fn verify_inclusion(index: u64, size: u64, leaf: &[u8], path: &[Hash], root: &Hash) -> bool {
    let Ok(proof) = InclusionProof::<Sha256>::try_from_bytes(path.concat()) else {
        return false;
    };
    RootHash::<Sha256>::new(Output::from(*root), size)
        .verify_inclusion(&leaf, index, &proof)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex::hex;
    use proptest::prelude::*;
    use sha2::Digest;

    /// A leaf's hash by hand: SHA-256(0x00 || input).
    fn leaf_hash(input: &[u8]) -> Hash {
        Sha256::digest([&[0u8][..], input].concat()).into()
    }

    /// MTH straight from the RFC's definition, over the leaf inputs themselves, splitting by
    /// a loop rather than `split`.
    fn naive(data: &[Vec<u8>]) -> Hash {
        let sha = |bytes: Vec<u8>| -> Hash { Sha256::digest(bytes).into() };
        match data.len() {
            0 => sha(Vec::new()),
            1 => sha([vec![0u8], data[0].clone()].concat()),
            n => {
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                let (l, r) = (naive(&data[..k]), naive(&data[k..]));
                sha([vec![1u8], l.to_vec(), r.to_vec()].concat())
            }
        }
    }

    /// Certificate Transparency's reference leaves (RFC 6962's test data, the same tree in
    /// RFC 9162).
    fn reference_leaves() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|h| {
            (0..h.len() / 2)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect()
        })
        .collect()
    }

    #[test]
    fn known_roots_and_paths() {
        let none: [&[u8]; 0] = [];
        assert_eq!(
            hex(&root(&none)),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Small trees by hand.
        let inputs: [&[u8]; 3] = [b"a", b"b", b"c"];
        let (a, b, c) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"));
        assert_eq!(root(&inputs[..1]), a);
        let ab: Hash = Sha256::digest([&[1u8][..], &a, &b].concat()).into();
        assert_eq!(root(&inputs[..2]), ab);
        let abc: Hash = Sha256::digest([&[1u8][..], &ab, &c].concat()).into();
        assert_eq!(root(&inputs), abc);
        assert_eq!(inclusion_proof(&inputs, 2), Some(vec![ab]));
        assert_eq!(inclusion_proof(&inputs, 0), Some(vec![b, c]));
        assert_eq!(inclusion_proof(&inputs, 3), None);

        // The reference roots of sizes 1 to 8, and audit paths from the reference suites.
        let leaves = reference_leaves();
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        for (n, expected) in roots.iter().enumerate() {
            assert_eq!(hex(&root(&leaves[..=n])), *expected, "size {}", n + 1);
        }
        for (size, index, path) in [
            (
                8,
                0,
                vec![
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                8,
                5,
                vec![
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                5,
                1,
                vec![
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (
                3,
                2,
                vec!["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (1, 0, vec![]),
        ] {
            let got = inclusion_proof(&leaves[..size], index).unwrap();
            assert_eq!(
                got.iter().map(|h| hex(h)).collect::<Vec<_>>(),
                path,
                "{size}/{index}"
            );
            let root = root(&leaves[..size]);
            assert!(verify_inclusion(
                index as u64,
                size as u64,
                &leaves[index],
                &got,
                &root
            ));
        }
    }

    /// Distinct leaf inputs (each starts with its index), two more than the tree holds: the
    /// two extra ones make the trees of the next sizes.
    fn tree() -> impl Strategy<Value = Vec<Vec<u8>>> {
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..8), 3..60).prop_map(|data| {
            data.into_iter()
                .enumerate()
                .map(|(i, d)| [(i as u32).to_be_bytes().to_vec(), d].concat())
                .collect()
        })
    }

    proptest! {
        // Each case checks every leaf of its tree against every index and size: fewer cases
        // than the default keep the debug build's run short.
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Every leaf's path verifies against the naive root; a changed leaf, index, size
        /// (against the root of the tree of that size) or path element does not.
        #[test]
        fn every_leaf_proves_and_nothing_else_does(all in tree(), pick in any::<prop::sample::Index>()) {
            let n = all.len() - 2;
            let (data, leaves) = (&all[..n], &all[..n]);
            let want = naive(data);
            prop_assert_eq!(root(leaves), want);
            let roots: Vec<Hash> = (0..all.len() + 1).map(|size| naive(&all[..size])).collect();
            for (i, leaf) in leaves.iter().enumerate() {
                let path = inclusion_proof(leaves, i).unwrap();
                prop_assert!(verify_inclusion(i as u64, n as u64, leaf, &path, &want));
                prop_assert!(!verify_inclusion(i as u64, n as u64, b"changed", &path, &want));
                for other in 0..n as u64 + 1 {
                    if other != i as u64 {
                        prop_assert!(!verify_inclusion(other, n as u64, leaf, &path, &want), "index {}", other);
                    }
                }
                for (size, theirs) in roots.iter().enumerate().skip(1) {
                    if size != n {
                        prop_assert!(!verify_inclusion(i as u64, size as u64, leaf, &path, theirs), "size {}", size);
                    }
                }
                if !path.is_empty() {
                    let mut bad = path.clone();
                    let at = pick.index(bad.len());
                    bad[at][0] ^= 1;
                    prop_assert!(!verify_inclusion(i as u64, n as u64, leaf, &bad, &want));
                    prop_assert!(!verify_inclusion(i as u64, n as u64, leaf, &path[1..], &want));
                }
                let mut longer = path.clone();
                longer.push(want);
                prop_assert!(!verify_inclusion(i as u64, n as u64, leaf, &longer, &want));
            }
        }
    }
}
