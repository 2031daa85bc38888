"""word2vec: skip-gram and CBOW with exact softmax, negative sampling or hierarchical softmax."""
