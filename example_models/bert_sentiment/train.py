"""Train the BERT-style sentiment classifier and its WordPiece tokenizer, write them to
``pretrained/`` and print the test accuracy (python -m example_models.bert_sentiment.train)."""

import time

import torch

from example_models.bert_sentiment.model import FOLDER, config, corpus, train_tokenizer
from example_models.training import fit_hf


def encode(tokenizer, pairs):
    """(input_ids, attention_mask, labels), padded to the longest text."""
    encoded = tokenizer([text for text, _ in pairs], padding=True, return_tensors="pt")
    return encoded["input_ids"], encoded["attention_mask"], torch.tensor([label for _, label in pairs])


@torch.no_grad()
def accuracy(model, data) -> float:
    ids, mask, labels = data
    return (model.eval()(input_ids=ids, attention_mask=mask).logits.argmax(1) == labels).float().mean().item()


def main() -> None:
    from transformers import BertForSequenceClassification

    torch.set_num_threads(2)
    torch.manual_seed(0)
    start = time.perf_counter()
    pairs = corpus()
    split = int(0.8 * len(pairs))
    tokenizer = train_tokenizer([text for text, _ in pairs[:split]])
    model = fit_hf(BertForSequenceClassification(config(tokenizer)), *encode(tokenizer, pairs[:split])[:3],
                epochs=12, lr=2e-3)
    print(f"bert_sentiment test accuracy: {accuracy(model, encode(tokenizer, pairs[split:])):.3f} "
          f"({time.perf_counter() - start:.0f} s)")
    model.save_pretrained(FOLDER)
    tokenizer.save_pretrained(FOLDER)


if __name__ == "__main__":
    main()
