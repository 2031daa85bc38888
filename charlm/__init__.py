"""Character-level RNN language models (vanilla RNN, LSTM, GRU), trained with truncated BPTT."""
