"""Train the sentiment model and write weights.pt; prints test accuracy (python -m example_models.sentiment.train)."""

import torch

from example_models.sentiment.model import WEIGHTS, SentimentModel, load_data
from example_models.training import accuracy, fit


def main() -> None:
    torch.manual_seed(0)
    train_x, train_y, test_x, test_y, _ = load_data()
    model = fit(SentimentModel(), train_x, train_y, epochs=25, lr=5e-3)
    print(f"sentiment test accuracy: {accuracy(model, test_x, test_y):.3f}")
    torch.save(model.state_dict(), WEIGHTS)


if __name__ == "__main__":
    main()
