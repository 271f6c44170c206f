"""A GPT-2-style causal language model: ``transformers``' ``GPT2LMHeadModel`` from a small
config, with a byte-level BPE tokenizer trained by ``tokenizers``, both on a generated corpus
whose continuations depend on specific prompt words, so that attributions can be checked.

Each sentence is ``the [adjective] animal[s] [modifier] eat(s) food .``: the verb agrees in
number with the subject (``dog`` → ``eats``, ``dogs`` → ``eat``) and the food is the subject's
(``dog`` → ``bones``), while the adjective and the modifier (a place, or a second animal as in
``the dog near the cats eats bones``) are distractors. Given the prompt up to the verb, which
verb and which food follow is determined: the food is attributed to the subject animal, not
to the other one (tests/hf checks it). That a verb comes next at all depends on the prompt's
last word too (a prompt ending in ``near the`` goes on), so ablating it matters for the verb.

The shipped files in ``pretrained/`` are the source of truth; loading reads only them.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import List, Tuple

FOLDER = Path(__file__).with_name("pretrained")
VOCAB_SIZE = 360  # 256 bytes, the end-of-text token and ~100 merges: some words split
MAX_TOKENS = 32
EOS = "<|endoftext|>"
FOODS = {"dog": "bones", "cat": "fish", "bird": "seeds", "horse": "hay", "cow": "grass",
         "bear": "honey", "rabbit": "carrots", "lion": "meat"}
ADJECTIVES = ["big", "small", "old", "young", "hungry", "happy"]
PLACES = ["in the park", "near the river", "at home", "in the garden", "on the farm", "at the zoo"]
RELATIONS = ["near", "with", "behind"]


def _noun(animal: str, plural: bool) -> str:
    return animal + "s" if plural else animal


def example(rng: random.Random) -> Tuple[str, str]:
    """(prompt, continuation): e.g. ("the big dog near the cats", "eats bones .")."""
    animal, plural = rng.choice(sorted(FOODS)), rng.random() < 0.5
    words = ["the"] + ([rng.choice(ADJECTIVES)] if rng.random() < 0.5 else []) + [_noun(animal, plural)]
    kind = rng.random()
    if kind < 0.4:
        other = rng.choice([a for a in sorted(FOODS) if a != animal])
        words += [rng.choice(RELATIONS), "the", _noun(other, rng.random() < 0.5)]
    elif kind < 0.7:
        words.append(rng.choice(PLACES))
    return " ".join(words), f"{'eat' if plural else 'eats'} {FOODS[animal]} ."


def corpus(n: int = 6000, seed: int = 0) -> List[Tuple[str, str]]:
    """(prompt, continuation) pairs; the first 80 % train, the rest test."""
    rng = random.Random(seed)
    return [example(rng) for _ in range(n)]


def train_tokenizer(texts: List[str]):
    """Byte-level BPE as GPT-2's (every word starts with a space, so a prompt and its
    continuation tokenize apart as they do together); ``<|endoftext|>`` ends a text and pads."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB_SIZE, special_tokens=[EOS], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=MAX_TOKENS,
                                   bos_token=EOS, eos_token=EOS, pad_token=EOS, unk_token=EOS)


def config(tokenizer):
    """Two layers, 64 wide, no dropout; greedy generation stops at ``<|endoftext|>``."""
    from transformers import GPT2Config

    eos = tokenizer.eos_token_id
    return GPT2Config(vocab_size=len(tokenizer), n_positions=MAX_TOKENS, n_embd=64, n_layer=2,
                      n_head=4, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                      bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)


def load_tokenizer():
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast.from_pretrained(FOLDER, local_files_only=True)


def load_model():
    """The trained LM in eval mode: ``model(input_ids=...).logits`` is (batch, length, vocab);
    ``model.generate(input_ids, max_new_tokens=4)`` continues a prompt."""
    from transformers import GPT2LMHeadModel

    return GPT2LMHeadModel.from_pretrained(FOLDER, local_files_only=True).eval()
