"""Character-level RNN language models (vanilla RNN, LSTM, GRU), trained with truncated BPTT.

From Python, a trained model is a `CharLM`:

    lm = CharLM.load("shakespeare.npz")
    print("ROMEO:" + lm.sample(200, temperature=0.8, prime="ROMEO:"))
    print(lm.evaluate("To be, or not to be"))      # nats per character
"""
from charlm.lm import CharLM

__all__ = ["CharLM"]
