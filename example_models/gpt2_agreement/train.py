"""Train the GPT-2-style language model and its byte-level BPE tokenizer, write them to
``pretrained/`` and print the test loss (python -m example_models.gpt2_agreement.train).

Two numbers are printed on held-out sentences: the mean loss per token of whole sentences
(the prompt's words are random, so this cannot reach 0), and the loss and exact-match rate
of the determined part, the continuation after the prompt (should be near 0 and near 1)."""

import time

import torch

from example_models.gpt2_agreement.model import FOLDER, config, corpus, train_tokenizer
from example_models.training import fit_hf


def encode(tokenizer, pairs):
    """(input_ids, attention_mask, labels): each sentence ends with <|endoftext|>; labels are
    -100 on padding; `continuation` marks the tokens after the prompt."""
    texts = [f"{prompt} {rest}{tokenizer.eos_token}" for prompt, rest in pairs]
    encoded = tokenizer(texts, padding=True, return_tensors="pt")
    ids, mask = encoded["input_ids"], encoded["attention_mask"]
    prompt_lengths = torch.tensor([len(tokenizer(prompt)["input_ids"]) for prompt, _ in pairs])
    continuation = (torch.arange(ids.shape[1]) >= prompt_lengths[:, None]) & mask.bool()
    return ids, mask, ids.masked_fill(mask == 0, -100), continuation


@torch.no_grad()
def evaluate(model, data):
    """(loss per token, continuation loss per token, share of continuations predicted exactly).
    The continuation's first token is not determined (the prompt could go on), so its loss
    stays above 0; which verb and which food are."""
    ids, mask, labels, continuation = data
    logits = model.eval()(input_ids=ids, attention_mask=mask).logits[:, :-1]
    target, scored = labels[:, 1:], continuation[:, 1:]
    losses = torch.nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="none")
    right = (logits.argmax(-1) == target) | ~scored
    return (losses[target != -100].mean().item(), losses[scored].mean().item(),
            right.all(1).float().mean().item())


def main() -> None:
    from transformers import GPT2LMHeadModel

    torch.set_num_threads(2)
    torch.manual_seed(0)
    start = time.perf_counter()
    pairs = corpus()
    split = int(0.8 * len(pairs))
    tokenizer = train_tokenizer([f"{prompt} {rest}" for prompt, rest in pairs[:split]])
    model = fit_hf(GPT2LMHeadModel(config(tokenizer)), *encode(tokenizer, pairs[:split])[:3], epochs=12, lr=3e-3)
    loss, continuation_loss, exact = evaluate(model, encode(tokenizer, pairs[split:]))
    print(f"gpt2_agreement test loss per token {loss:.3f}; continuation loss {continuation_loss:.4f}, "
          f"exact continuations {exact:.3f} ({time.perf_counter() - start:.0f} s)")
    model.save_pretrained(FOLDER)
    tokenizer.save_pretrained(FOLDER)


if __name__ == "__main__":
    main()
