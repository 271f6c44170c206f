"""Train the shapes CNN and write weights.pt; prints test accuracy (python -m example_models.shapes.train)."""

import torch

from example_models.shapes.model import WEIGHTS, ShapesCNN, load_data
from example_models.training import accuracy, fit


def main() -> None:
    torch.manual_seed(0)
    train_x, train_y, test_x, test_y, _ = load_data()
    model = fit(ShapesCNN(), train_x, train_y, epochs=5, lr=5e-3)
    print(f"shapes test accuracy: {accuracy(model, test_x, test_y):.3f}")
    torch.save(model.state_dict(), WEIGHTS)


if __name__ == "__main__":
    main()
