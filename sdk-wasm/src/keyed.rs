//! Maps kept as sorted lists ([`LiteMap`]), built from pairs whose keys are distinct.

use litemap::LiteMap;

/// The map of `pairs`, whose keys are distinct (a conversation's peer, a user of a list, an
/// id). litemap's own `collect` sorts with a stable merge sort compiled for each key and value
/// type; distinct keys need no stable sort, and the unstable one is smaller. Should a key
/// repeat, one of its pairs is kept.
pub(crate) fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> LiteMap<K, V> {
    let mut pairs: Vec<(K, V)> = pairs.into_iter().collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    pairs.dedup_by(|a, b| a.0 == b.0);
    LiteMap::from_sorted_store_unchecked(pairs)
}

#[cfg(test)]
mod tests {
    use super::map_of;

    #[test]
    fn pairs_are_found_by_key_whatever_their_order() {
        let map = map_of([(3, "c"), (1, "a"), (2, "b"), (1, "a")]);
        assert_eq!(map.len(), 3);
        assert_eq!(map.get(&1), Some(&"a"));
        assert_eq!(map.get(&3), Some(&"c"));
        assert_eq!(map.iter().map(|(k, _)| *k).collect::<Vec<_>>(), [1, 2, 3]);
    }
}
