"""Models for the layer tests: an embedding text classifier, a layer returning a tuple, and a
word-level tokenizer (all small and built here; nothing is downloaded)."""

from __future__ import annotations

import torch
from torch import nn

from tests.models import make_case, seeded


class TextClassifier(nn.Module):
    """Token ids → embedding → 1-D convolution → max over time → two linear layers."""

    def __init__(self, vocab: int = 20, dim: int = 6, n_out: int = 3) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=0)
        self.conv = nn.Conv1d(dim, 5, 3, padding=1)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(5, 8)
        self.tanh = nn.Tanh()
        self.out = nn.Linear(8, n_out)

    def forward(self, tokens, offset=None):
        x = self.embedding(tokens)
        if offset is not None:
            x = x + offset
        x = self.relu(self.conv(x.transpose(1, 2))).max(dim=2).values
        return self.out(self.tanh(self.fc(x)))


class Split(nn.Module):
    """Returns its input's two halves: a layer whose output is a tuple."""

    def forward(self, x):
        return x[:, :4], x[:, 4:]


class TupleLayerModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(5, 8)
        self.split = Split()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(4, 3)
        self.relu = nn.ReLU()

    def forward(self, x):
        first, second = self.split(self.lin(x))
        return self.relu(self.a(first)) + self.b(second) * second.sum(1, keepdim=True)


def text_case(batch: int = 4, length: int = 7, seed: int = 0):
    g = torch.Generator().manual_seed(seed + 5)
    model = seeded(TextClassifier(), seed)
    return model, torch.randint(1, 20, (batch, length), generator=g)


def layer_case(name: str):
    """(model, inputs, additional args, layer) for the parity matrix."""
    if name == "text":
        model, tokens = text_case()
        return model, tokens, None, model.embedding
    if name == "tuple":
        g = torch.Generator().manual_seed(3)
        model = seeded(TupleLayerModel())
        return model, torch.randn(4, 5, generator=g), None, model.split
    case, layer = {
        "mlp": ("mlp", "lin2"), "mlp_relu": ("mlp", "relu"), "cnn": ("cnn", "conv2"),
        "cnn_pool": ("cnn_conv_pool", "3"), "two_input": ("two_input", "relu"), "with_args": ("with_args", "lin"),
    }[name]
    model, inputs, args = make_case(case)
    return model, inputs, args, model.get_submodule(layer)


class WordTokenizer:
    """Whitespace tokenizer with a fixed vocabulary; the methods TextTokenInput uses."""

    def __init__(self, words):
        self.vocab = ["<unk>", "<bos>"] + list(words)
        self.ids = {w: i for i, w in enumerate(self.vocab)}

    def encode(self, text, return_tensors=None):
        ids = [1] + [self.ids.get(w, 0) for w in text.split()]
        return torch.tensor([ids]) if return_tensors == "pt" else ids

    def convert_tokens_to_ids(self, tokens):
        return [self.ids.get(t, 0) for t in tokens]

    def convert_ids_to_tokens(self, ids):
        return [self.vocab[i] for i in ids]
