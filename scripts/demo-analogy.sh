#!/usr/bin/env bash
# word2vec.c's demo-word-accuracy.sh with this toolkit: fetch text8, train 200-dimensional
# CBOW vectors with word2vec.c's demo settings (15 epochs: 5 to 8 minutes on 2 cores, going
# by text8's first 2.3 M words, 40-60 s), then score them on word2vec's analogy questions
# (questions-words.txt, the 30,000 most frequent words, as compute-accuracy): correct/total
# by section, then semantic, syntactic and total accuracy. Trained on text8's first 2.3 M
# words, the total is 6.5% (semantic 14%); the whole of text8 does better.
#
#   scripts/demo-analogy.sh [QUESTIONS]
#
# Without QUESTIONS: $OUT/questions-words.txt, downloaded from word2vec's repository (and
# checked against its sha256) unless already there. Any file in that format will do;
# `corpora synth --analogies` writes one for its synthetic corpus.
# Environment: CORPUS (a text file; default text8, fetched once into the corpora cache),
# OUT (output folder, $TMPDIR/npnlp-demo), EPOCHS (15), DIM (200), WORKERS (auto: one per core).
set -euo pipefail
OUT=${OUT:-${TMPDIR:-/tmp}/npnlp-demo}
CORPUS=${CORPUS:-$(corpora fetch text8)}
mkdir -p "$OUT"
QUESTIONS=${1:-$OUT/questions-words.txt}
if (($# == 0)) && [[ ! -e $QUESTIONS ]]; then
  curl -fsSL -o "$QUESTIONS.part" \
    https://raw.githubusercontent.com/tmikolov/word2vec/master/questions-words.txt
  echo "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36  $QUESTIONS.part" |
    sha256sum --check --quiet
  mv "$QUESTIONS.part" "$QUESTIONS"
fi
wordvec train "$CORPUS" -o "$OUT/analogy-vectors.bin" --whitespace --cbow --dim "${DIM:-200}" \
  --window 8 --negative 25 --sample 1e-4 --epochs "${EPOCHS:-15}" --workers "${WORKERS:-auto}"
wordvec evaluate "$OUT/analogy-vectors.bin" --analogies "$QUESTIONS"
