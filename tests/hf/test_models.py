"""The shipped Hugging Face demo models: they load from their own folders only, are small,
still reach their measured quality on held-out data, and their tokenizers behave as the
attribution code relies on."""

import socket
from pathlib import Path

import pytest

transformers = pytest.importorskip("transformers")

from example_models import bert_sentiment, gpt2_agreement  # noqa: E402
from example_models.bert_sentiment import model as bert  # noqa: E402
from example_models.bert_sentiment import train as bert_train  # noqa: E402
from example_models.gpt2_agreement import model as gpt2  # noqa: E402
from example_models.gpt2_agreement import train as gpt2_train  # noqa: E402


@pytest.mark.parametrize("package", [bert_sentiment, gpt2_agreement])
def test_each_model_folder_is_at_most_5_mb(package):
    folder = Path(package.__file__).parent
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    assert size <= 5 * 1024 * 1024


def test_the_bert_classifier_is_accurate_on_held_out_sentences():
    pairs = bert.corpus()
    test = pairs[int(0.8 * len(pairs)):]
    assert bert_train.accuracy(bert.load_model(), bert_train.encode(bert.load_tokenizer(), test)) >= 0.98


def test_the_bert_tokenizer_adds_cls_and_sep_and_splits_rare_words_into_pieces():
    tokenizer = bert.load_tokenizer()
    encoded = tokenizer("The film was NOT wonderful")
    ids = encoded["input_ids"]
    assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
    words = encoded.word_ids()
    assert words[0] is None and words[-1] is None
    assert max(words[1:-1].count(w) for w in set(words[1:-1])) > 1  # some word in pieces
    assert tokenizer.decode(ids, skip_special_tokens=True) == "the film was not wonderful"


def test_the_language_model_continues_held_out_prompts_as_the_corpus_determines():
    pairs = gpt2.corpus()
    test = pairs[int(0.8 * len(pairs)):]
    model, tokenizer = gpt2.load_model(), gpt2.load_tokenizer()
    _, _, exact = gpt2_train.evaluate(model, gpt2_train.encode(tokenizer, test))
    assert exact >= 0.98
    prompt = tokenizer("the small rabbits behind the lion", return_tensors="pt")["input_ids"]
    generated = model.generate(prompt, max_new_tokens=4, do_sample=False)[0, prompt.shape[1]:]
    assert tokenizer.decode(generated) == " eat carrots .<|endoftext|>"


def test_the_bpe_tokenizer_encodes_prompt_and_continuation_apart_as_together():
    tokenizer = gpt2.load_tokenizer()
    for prompt, rest in gpt2.corpus(50, seed=1):
        assert tokenizer.encode(prompt) + tokenizer.encode(rest, add_special_tokens=False) == \
            tokenizer.encode(f"{prompt} {rest}")
    assert tokenizer.decode(tokenizer.encode("the dogs eat bones .")) == " the dogs eat bones ."


def test_the_models_are_built_from_the_shipped_files_only(monkeypatch):
    """With every network connection refused, the models and tokenizers still load."""
    def refuse(*args, **kwargs):
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert isinstance(bert.load_model(), transformers.BertForSequenceClassification)
    assert bert.load_tokenizer().cls_token == "[CLS]"
    lm = gpt2.load_model()
    assert isinstance(lm, transformers.GPT2LMHeadModel)
    assert lm.get_input_embeddings().weight is lm.lm_head.weight  # tied, as GPT-2's
    assert gpt2.load_tokenizer().eos_token == "<|endoftext|>"
