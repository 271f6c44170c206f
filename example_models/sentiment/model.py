"""A text sentiment classifier (embedding + masked mean pooling) over a generated corpus.

Sentences mix neutral filler with positive and negative words; a `not` flips the word after
it. The label is the sign of the summed sentiment, so which tokens matter is known.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import List, Tuple

import torch
from torch import nn

WEIGHTS = Path(__file__).with_name("weights.pt")
CLASSES = ["negative", "positive"]
MAX_LEN = 12
POSITIVE = ["good", "great", "excellent", "wonderful", "lovely", "enjoyable", "brilliant", "superb"]
NEGATIVE = ["bad", "awful", "terrible", "boring", "dull", "poor", "horrible", "weak"]
NEUTRAL = ["the", "a", "movie", "film", "plot", "acting", "was", "is", "and", "very", "story",
           "music", "really", "quite", "ending", "cast"]
PAD, UNK = "<pad>", "<unk>"
VOCAB = [PAD, UNK, "not", *POSITIVE, *NEGATIVE, *NEUTRAL]
INDEX = {word: i for i, word in enumerate(VOCAB)}


def tokenize(text: str) -> List[str]:
    return text.lower().replace(".", " ").replace(",", " ").split()[:MAX_LEN]


def encode(text: str) -> torch.Tensor:
    """Token ids padded to MAX_LEN (unknown words map to <unk>)."""
    ids = [INDEX.get(word, INDEX[UNK]) for word in tokenize(text)]
    return torch.tensor(ids + [INDEX[PAD]] * (MAX_LEN - len(ids)), dtype=torch.long)


def decode(ids: torch.Tensor) -> List[str]:
    return [VOCAB[i] for i in ids.tolist() if i != INDEX[PAD]]


class SentimentModel(nn.Module):
    def __init__(self, dim: int = 32) -> None:
        super().__init__()
        self.embedding = nn.Embedding(len(VOCAB), dim, padding_idx=INDEX[PAD])
        self.context = nn.Conv1d(dim, dim, 3, padding=1)  # lets `not` act on its neighbour
        self.relu = nn.ReLU()
        self.fc = nn.Linear(dim, len(CLASSES))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        mask = (ids != INDEX[PAD]).unsqueeze(-1).float()
        x = self.relu(self.context(self.embedding(ids).transpose(1, 2))).transpose(1, 2)
        pooled = (x * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.fc(pooled)


def sentence(rng: random.Random) -> Tuple[str, int]:
    words, score = [], 0
    while score == 0:
        words, score = [], 0
        for _ in range(rng.randint(4, MAX_LEN - 2)):
            kind = rng.random()
            if kind < 0.6:
                words.append(rng.choice(NEUTRAL))
            else:
                positive = rng.random() < 0.5
                if rng.random() < 0.2:
                    words.append("not")
                    sign = -1
                else:
                    sign = 1
                words.append(rng.choice(POSITIVE if positive else NEGATIVE))
                score += sign * (1 if positive else -1)
    return " ".join(words[:MAX_LEN]), int(score > 0)


def load_data(n: int = 4000, seed: int = 0):
    """(train_x, train_y, test_x, test_y, test_texts) from the generated corpus."""
    rng = random.Random(seed)
    pairs = [sentence(rng) for _ in range(n)]
    x = torch.stack([encode(text) for text, _ in pairs])
    y = torch.tensor([label for _, label in pairs])
    split = int(0.8 * n)
    return x[:split], y[:split], x[split:], y[split:], [text for text, _ in pairs[split:]]


def load_model() -> SentimentModel:
    model = SentimentModel()
    model.load_state_dict(torch.load(WEIGHTS, weights_only=True))
    return model.eval()
