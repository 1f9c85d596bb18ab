"""A synonym table looked up in-graph: a hash table and three constant arrays.

``tfaug.text.synonyms.load_synonyms`` gives the arrays (WordNet, a dict, or a
file); :class:`SynonymTable` turns them into a ``tf.lookup.StaticHashTable`` from
lookup key to row, and ``offsets``/``ids``/``vocab`` constants: row ``r``'s
synonyms are ``vocab[ids[offsets[r]:offsets[r + 1]]]``. A draw is two gathers,
no ragged tensor and no Python.
"""

import tensorflow as tf


class SynonymTable(tf.Module):
    """In-graph synonym lookup.

    Args:
      data: A ``SynonymData`` (``keys``, ``rows``, ``offsets``, ``ids``,
        ``vocab``, ``max_words``), as :func:`tfaug.text.synonyms.load_synonyms`
        returns.

    Example:
      >>> table = SynonymTable(tfaug.text.load_synonyms({"good": ["fine", "nice"]}))
      >>> table.count(tf.constant(["good", "bad"])).numpy().tolist()
      [2, 0]
    """

    def __init__(self, data):
        super().__init__(name="synonym_table")
        self.max_words = int(data.max_words)
        keys = tf.constant(list(data.keys) or [""], tf.string)
        rows = tf.constant(list(data.rows) or [-1], tf.int64)
        self._table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(keys, rows), default_value=-1)
        # An empty table (offsets [0]) still needs offsets[1] to be gatherable.
        offsets = list(data.offsets) if len(data.offsets) > 1 else [0, 0]
        self._offsets = tf.constant(offsets, tf.int64)
        self._ids = tf.constant(data.ids, tf.int32) if len(data.ids) else tf.zeros([1], tf.int32)
        self._vocab = tf.constant(list(data.vocab) or [""], tf.string)

    def _range(self, keys):
        row = self._table.lookup(keys)
        safe = tf.maximum(row, 0)
        start = tf.gather(self._offsets, safe)
        count = tf.where(row >= 0, tf.gather(self._offsets, safe + 1) - start, 0)
        return start, count

    def count(self, keys):
        """Number of synonyms of each key (0 for unknown keys); int32, same shape."""
        return tf.cast(self._range(keys)[1], tf.int32)

    def draw(self, keys, u):
        """One synonym per key, number ``floor(u * count)``; ``""`` where none.

        Args:
          keys: string tensor of lookup keys (normalized words or phrases).
          u: float32 in ``[0, 1)``, same shape.

        Returns:
          string tensor, same shape.
        """
        start, count = self._range(keys)
        k = tf.minimum(tf.cast(tf.cast(count, tf.float32) * u, tf.int64),
                       tf.maximum(count - 1, 0))
        word = tf.gather(self._vocab, tf.gather(self._ids, start + k))
        return tf.where(count > 0, word, "")
