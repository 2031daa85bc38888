#!/usr/bin/env bash
# word2vec.c's demo-word.sh with this toolkit: fetch text8 (a 31 MB download, 17 M words of
# Wikipedia), train 200-dimensional CBOW vectors on it with word2vec.c's demo settings (for 5
# epochs, not its 15), then ask for nearest neighbours as word2vec.c's `distance` does.
# Training takes 1 to 3 minutes on 2 cores (5 epochs over text8's first 2.3 M words: 10-20 s).
#
#   scripts/demo-word.sh               # prompt: a word or several (-word subtracts), EXIT ends
#   scripts/demo-word.sh france king   # the 10 nearest words to each, then exit
#
# For "france" expect other countries near the top (from text8's first 2.3 M words: spain,
# germany, netherlands, louis, portugal, belgium, ...). The vectors stay in $OUT/vectors.bin
# for `wordvec similar`, `analogy` and `evaluate`.
# Environment: CORPUS (a text file; default text8, fetched once into the corpora cache),
# OUT (output folder, $TMPDIR/npnlp-demo), EPOCHS (5), DIM (200), WORKERS (auto: one per core).
set -euo pipefail
OUT=${OUT:-${TMPDIR:-/tmp}/npnlp-demo}
CORPUS=${CORPUS:-$(corpora fetch text8)}
mkdir -p "$OUT"
wordvec train "$CORPUS" -o "$OUT/vectors.bin" --whitespace --cbow --dim "${DIM:-200}" \
  --window 8 --negative 25 --sample 1e-4 --epochs "${EPOCHS:-5}" --workers "${WORKERS:-auto}"
if (($#)); then
  printf '%s\n' "$@" | wordvec similar "$OUT/vectors.bin"
else
  wordvec similar "$OUT/vectors.bin"
fi
