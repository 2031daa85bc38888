#!/usr/bin/env bash
# char-rnn's tiny Shakespeare run with this toolkit: fetch the text (1.1 MB, 65 characters),
# train a 2-layer LSTM of 256 units on it (charlm's defaults, 10 epochs: 10 to 15 minutes on
# 2 cores, going by its first 300 steps, 100 s), keeping the model with the best validation
# loss, then sample LENGTH characters from it after the PRIME "ROMEO:". The validation loss
# falls from 4.17 nats/char (a guess among 65 characters) to about 1.8 after 300 steps
# (2 epochs), lower by the end; the sample takes the play's layout, speakers' names in
# capitals on lines of their own, then lines of mostly English words.
#
#   scripts/demo-charlm.sh
#
# Ctrl-C keeps the run in $OUT/shakespeare.npz.last (`charlm train TEXT -o
# $OUT/shakespeare.npz --resume` continues it); running the script again starts over. To
# sample again: `charlm sample $OUT/shakespeare.npz`.
# Environment: TEXT (a UTF-8 text; default tiny Shakespeare, fetched once into the corpora
# cache), OUT (output folder, $TMPDIR/npnlp-demo), EPOCHS (10), STEPS (train this many steps
# instead), HIDDEN (256), LENGTH (1000), PRIME ("ROMEO:"; empty for none), TEMPERATURE (0.8).
set -euo pipefail
OUT=${OUT:-${TMPDIR:-/tmp}/npnlp-demo}
TEXT=${TEXT:-$(corpora fetch tinyshakespeare)}
mkdir -p "$OUT"
charlm train "$TEXT" -o "$OUT/shakespeare.npz" --force --hidden "${HIDDEN:-256}" \
  --epochs "${EPOCHS:-10}" ${STEPS:+--steps "$STEPS"}
charlm sample "$OUT/shakespeare.npz" --length "${LENGTH:-1000}" --prime "${PRIME-ROMEO:}" \
  --temperature "${TEMPERATURE:-0.8}"
