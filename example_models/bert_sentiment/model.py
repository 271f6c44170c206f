"""A BERT-style sentiment classifier: ``transformers``' ``BertForSequenceClassification`` from a
small config, with a WordPiece tokenizer trained by ``tokenizers``, both on the generated corpus
of :mod:`example_models.sentiment` (so which words matter, and how ``not`` flips its neighbour,
is known).

The vocabulary is small on purpose: frequent words are one piece, rarer ones split into
WordPieces (``wonderful`` → ``w ##o ##nd ##er ##ful``), so a word-level view has something
to merge. The shipped files in ``pretrained/`` are the source of truth: the WordPiece trainer
is not reproducible from run to run. Loading reads only those files (nothing is downloaded).
"""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import List, Tuple

from example_models.sentiment.model import CLASSES, sentence

FOLDER = Path(__file__).with_name("pretrained")
VOCAB_SIZE = 180
MAX_TOKENS = 64
SPECIAL_TOKENS = {"pad_token": "[PAD]", "unk_token": "[UNK]", "cls_token": "[CLS]",
                  "sep_token": "[SEP]", "mask_token": "[MASK]"}


def corpus(n: int = 12000, seed: int = 0) -> List[Tuple[str, int]]:
    """(text, label) pairs from the sentiment generator (its first 4000 are the sentiment
    model's corpus; a transformer needs more to learn how `not` acts on the next word). The
    first 80 % train, the rest test."""
    rng = random.Random(seed)
    return [sentence(rng) for _ in range(n)]


def train_tokenizer(texts: List[str]):
    """A lower-casing WordPiece tokenizer (``[CLS] text [SEP]``) trained on `texts`; the
    alphabet covers letters, digits and punctuation so typed text rarely gives ``[UNK]``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.WordPiece(unk_token=SPECIAL_TOKENS["unk_token"]))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=list(SPECIAL_TOKENS.values()), show_progress=False,
        initial_alphabet=list(string.ascii_lowercase + string.digits + string.punctuation))
    tokenizer.train_from_iterator(texts, trainer)
    cls, sep = SPECIAL_TOKENS["cls_token"], SPECIAL_TOKENS["sep_token"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{cls} $A {sep}", pair=f"{cls} $A {sep} $B:1 {sep}:1",
        special_tokens=[(cls, tokenizer.token_to_id(cls)), (sep, tokenizer.token_to_id(sep))])
    tokenizer.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=MAX_TOKENS,
                                   **SPECIAL_TOKENS)


def config(tokenizer):
    """Two layers, 64 wide, no dropout (the corpus is generated, more data is free): trains in
    about a minute on two cores."""
    from transformers import BertConfig

    return BertConfig(
        vocab_size=len(tokenizer), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=128, max_position_embeddings=MAX_TOKENS, hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0, pad_token_id=tokenizer.pad_token_id,
        num_labels=len(CLASSES), id2label=dict(enumerate(CLASSES)),
        label2id={name: i for i, name in enumerate(CLASSES)})


def load_tokenizer():
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(FOLDER, local_files_only=True)


def load_model():
    """The trained classifier in eval mode; call it as ``model(input_ids=..., attention_mask=...)``,
    it returns a ``ModelOutput`` whose ``.logits`` are (batch, 2)."""
    from transformers import BertForSequenceClassification

    return BertForSequenceClassification.from_pretrained(FOLDER, local_files_only=True).eval()
