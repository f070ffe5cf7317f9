//! Merkle trees exactly as RFC 9162 section 2.1 defines them: the tree hash over a list of
//! leaves, inclusion proofs (audit paths, 2.1.3.1) and their verification (2.1.3.2). The audit
//! log's signed checkpoints carry one root per chain, and `crate::proof` proves one entry's
//! inclusion with them.
//!
//! Must not: do I/O, or know what a leaf means (the caller chooses the leaf input and hashes it
//! with [`leaf_hash`]).

use sha2::{Digest, Sha256};

/// A SHA-256 value: a leaf hash, a node hash or a root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A leaf's hash: SHA-256(0x00 || leaf).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(leaf);
    hasher.finalize().into()
}

/// An interior node's hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The largest power of two smaller than `n` (`n` >= 2): where a tree of `n` leaves splits.
fn split(n: usize) -> usize {
    n.next_power_of_two() / 2
}

/// The Merkle tree hash (MTH) of the leaves whose hashes ([`leaf_hash`]) are given, in order.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` in the tree over `leaves` (RFC 9162 2.1.3.1), from the
/// leaf's sibling up to the root's child; `None` when `index` is not a leaf of the tree.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    path_into(leaves, index, &mut path);
    Some(path)
}

fn path_into(leaves: &[Hash], index: usize, path: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if index < k {
        path_into(&leaves[..k], index, path);
        path.push(root(&leaves[k..]));
    } else {
        path_into(&leaves[k..], index - k, path);
        path.push(root(&leaves[..k]));
    }
}

/// The root that the audit path `path` of leaf `index` (whose hash is `leaf`) leads to in a
/// tree of `size` leaves (RFC 9162 2.1.3.2); `None` when the path cannot belong to such a tree
/// (an index out of range, a path too short or too long). The proof holds when the root
/// returned is the root trusted.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    path: &[Hash],
) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if s == 0 {
            return None;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    (s == 0).then_some(r)
}

/// True when `path` proves leaf `index` (hash `leaf`) is in the tree of `size` leaves with
/// root `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, path: &[Hash], root: &Hash) -> bool {
    root_from_inclusion_proof(index, size, leaf, path).as_ref() == Some(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::hex;
    use proptest::prelude::*;

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
        assert_eq!(
            hex(&root(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Small trees by hand.
        let (a, b, c) = (leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c"));
        let by_hand_a: Hash = Sha256::digest([&[0u8][..], b"a"].concat()).into();
        assert_eq!(a, by_hand_a);
        assert_eq!(root(&[a]), a);
        let ab: Hash = Sha256::digest([&[1u8][..], &a, &b].concat()).into();
        assert_eq!(root(&[a, b]), ab);
        let abc: Hash = Sha256::digest([&[1u8][..], &ab, &c].concat()).into();
        assert_eq!(root(&[a, b, c]), abc);
        assert_eq!(inclusion_proof(&[a, b, c], 2), Some(vec![ab]));
        assert_eq!(inclusion_proof(&[a, b, c], 0), Some(vec![b, c]));
        assert_eq!(inclusion_proof(&[a, b, c], 3), None);

        // The reference roots of sizes 1 to 8, and audit paths from the reference suites.
        let leaves: Vec<Hash> = reference_leaves().iter().map(|l| leaf_hash(l)).collect();
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
            let hashes: Vec<Hash> = all.iter().map(|d| leaf_hash(d)).collect();
            let n = all.len() - 2;
            let (data, leaves) = (&all[..n], &hashes[..n]);
            let want = naive(data);
            prop_assert_eq!(root(leaves), want);
            let roots: Vec<Hash> = (0..all.len() + 1).map(|size| naive(&all[..size])).collect();
            for (i, leaf) in leaves.iter().enumerate() {
                let path = inclusion_proof(leaves, i).unwrap();
                prop_assert!(verify_inclusion(i as u64, n as u64, leaf, &path, &want));
                prop_assert!(!verify_inclusion(i as u64, n as u64, &leaf_hash(b"changed"), &path, &want));
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
