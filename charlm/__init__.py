"""Character-level RNN language models (vanilla RNN, LSTM, GRU), trained with truncated BPTT.

From Python, a model is a `CharLM`, trained as `charlm train` does or loaded:

    lm = CharLM.train("song.txt", "song.npz", CharConfig(hidden=64, layers=1, steps=200))
    lm = CharLM.load("shakespeare.npz")
    print("ROMEO:" + lm.sample(200, temperature=0.8, prime="ROMEO:"))
    print(lm.evaluate("To be, or not to be"))      # nats per character
"""
from charlm.config import CharConfig
from charlm.lm import CharLM

__all__ = ["CharConfig", "CharLM"]
