"""Train the digits CNN and write weights.pt; prints test accuracy (python -m example_models.digits.train)."""

import torch

from example_models.digits.model import WEIGHTS, DigitsCNN, load_data
from example_models.training import accuracy, fit


def main() -> None:
    torch.manual_seed(0)
    train_x, train_y, test_x, test_y = load_data()
    model = fit(DigitsCNN(), train_x, train_y, epochs=15, lr=3e-3)
    print(f"digits test accuracy: {accuracy(model, test_x, test_y):.3f}")
    torch.save(model.state_dict(), WEIGHTS)


if __name__ == "__main__":
    main()
