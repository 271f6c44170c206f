"""Target token ids as readable strings, with Captum's tokenizer protocol: ``decode`` gets a
tensor, and offsets come from calling the tokenizer with ``return_offsets_mapping=True``.

Decoding the whole target and cutting the text at the re-encoded offsets keeps the spaces
and multi-byte characters that decoding one id at a time loses (BPE's ``Ġ``, split UTF-8).
Where the tokenizer offers no offsets, or re-encoding does not give the same ids back, ids are
decoded one at a time, pairing two ids that each decode to a replacement character.
"""

from __future__ import annotations

import warnings
from typing import Any, List, Optional, Tuple

from torch import Tensor

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def clean(token: str) -> str:
    return token.replace("\n", "\\n").strip()


def _offsets(text: str, tokenizer: Any) -> Optional[Tuple[List[int], List[Tuple[int, int]]]]:
    """Ids and character spans of `text` re-encoded without special tokens; an empty span
    reaches to the next span's start (or the end of the text)."""
    if not callable(tokenizer):
        return None
    try:
        encoded = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
        ids, spans = list(encoded["input_ids"]), list(encoded["offset_mapping"])
    except (TypeError, KeyError, NotImplementedError):
        return None
    fixed = []
    for i, (start, end) in enumerate(spans):
        if start == end:
            end = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        fixed.append((start, end))
    return ids, fixed


def _one_at_a_time(ids: Tensor, tokenizer: Any) -> List[str]:
    out, i = [], 0
    while i < len(ids):
        text = tokenizer.decode(ids[i])
        split = text.strip() == REPLACEMENT and tokenizer.encode(text) != [int(ids[i])]
        if split and i + 1 < len(ids):  # one character split over two ids
            following = tokenizer.decode(ids[i + 1])
            if following.strip() == REPLACEMENT and tokenizer.encode(following) != [int(ids[i + 1])]:
                out += [clean(text), clean(text) + " [OVERLAP]"]
            else:
                out += [clean(text), clean(following)]
            i += 2
            continue
        out.append(clean(text))
        i += 1
    return out


def pretty_tokens(ids: Tensor, tokenizer: Any) -> List[str]:
    """One readable string per id of the 1-d tensor `ids` (as Captum 0.9 shows them)."""
    text = tokenizer.decode(ids)
    encoded = _offsets(text, tokenizer)
    if encoded is None:
        return _one_at_a_time(ids, tokenizer)
    wanted = [int(i) for i in ids]
    out, previous_end, k = [], -1, 0
    for got, (start, end) in zip(*encoded):
        if k >= len(wanted) or got != wanted[k]:
            continue  # re-encoding added or changed a token: skip it
        out.append(clean(text[start:end]) + (" [OVERLAP]" if previous_end > start else ""))
        previous_end, k = end, k + 1
    if len(out) != len(wanted):
        warnings.warn("re-encoding the target did not give its tokens back; decoding them one "
                      "at a time", stacklevel=3)
        return _one_at_a_time(ids, tokenizer)
    return out
