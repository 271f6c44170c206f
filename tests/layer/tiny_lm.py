"""A tiny causal language model and word tokenizer, trained in seconds on a generated corpus
(nothing from a hub): enough to make LLM attribution results meaningful."""

from __future__ import annotations

import random
from types import SimpleNamespace

import torch
from torch import nn

SUBJECTS = ["the cat", "the dog", "a bird", "my friend"]
VERBS = {"the cat": "eats fish", "the dog": "eats meat", "a bird": "eats seeds", "my friend": "eats cake"}
PLACES = ["at home", "in the park", "at night"]


def corpus(n: int = 400, seed: int = 0):
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        subject = rng.choice(SUBJECTS)
        lines.append(f"{subject} {rng.choice(PLACES)} {VERBS[subject]}")
    return lines


class WordTokenizer:
    """Whitespace tokenizer with the Hugging Face methods the LLM classes use."""

    def __init__(self, lines):
        words = sorted({w for line in lines for w in line.split()})
        self.vocab = ["<unk>", "<bos>"] + words
        self.ids = {w: i for i, w in enumerate(self.vocab)}

    def encode(self, text, add_special_tokens=True, return_tensors=None):
        ids = ([1] if add_special_tokens else []) + [self.ids.get(w, 0) for w in text.split()]
        return torch.tensor([ids]) if return_tensors == "pt" else ids

    def decode(self, ids):
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else ids
        ids = [ids] if isinstance(ids, int) else ids
        return " ".join(self.vocab[i] for i in ids)

    def __call__(self, text, return_offsets_mapping=False, add_special_tokens=True):
        ids, offsets, start = [], [], 0
        if add_special_tokens:
            ids.append(1)
            offsets.append((0, 0))
        for word in text.split():
            start = text.index(word, start)
            ids.append(self.ids.get(word, 0))
            offsets.append((start, start + len(word)))
            start += len(word)
        return {"input_ids": ids, "offset_mapping": offsets}

    def convert_tokens_to_ids(self, tokens):
        return [self.ids.get(t, 0) for t in tokens]

    def convert_ids_to_tokens(self, ids):
        return [self.vocab[i] for i in ids]


class TinyLM(nn.Module):
    """Two small causal transformer layers over word embeddings; returns ``.logits`` like an HF model."""

    def __init__(self, vocab: int, dim: int = 16, max_len: int = 32):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.position = nn.Embedding(max_len, dim)
        layer = nn.TransformerEncoderLayer(dim, 2, 32, dropout=0.0, batch_first=True)
        self.blocks = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(dim, vocab)

    def forward(self, input_ids, attention_mask=None, **kwargs):
        length = input_ids.shape[1]
        x = self.embedding(input_ids) + self.position(torch.arange(length, device=input_ids.device))
        mask = nn.Transformer.generate_square_subsequent_mask(length, device=input_ids.device)
        return SimpleNamespace(logits=self.head(self.blocks(x, mask=mask, is_causal=True)))

    @torch.no_grad()
    def generate(self, input_ids, attention_mask=None, max_new_tokens=25, do_sample=False, **kwargs):
        """Greedy continuation (the part of Hugging Face's ``generate`` the LLM classes use)."""
        if do_sample:
            raise ValueError("TinyLM only generates greedily")
        for _ in range(max_new_tokens):
            next_token = self(input_ids).logits[:, -1].argmax(dim=-1, keepdim=True)
            input_ids = torch.cat([input_ids, next_token], dim=1)
        return input_ids


def trained_lm(steps: int = 60, seed: int = 0):
    """(model in eval mode, tokenizer), trained with a fixed seed."""
    lines = corpus(seed=seed)
    tokenizer = WordTokenizer(lines)
    torch.manual_seed(seed)
    model = TinyLM(len(tokenizer.vocab))
    data = [tokenizer.encode(line) for line in lines]
    width = max(map(len, data))
    batch = torch.tensor([ids + [ids[-1]] * (width - len(ids)) for ids in data])
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-2)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest, and immune to a busy machine
    try:
        for _ in range(steps):
            rows = batch[torch.randint(0, len(batch), (32,))]
            logits = model(rows[:, :-1]).logits
            loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), rows[:, 1:].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    finally:
        torch.set_num_threads(threads)
    return model.eval(), tokenizer
