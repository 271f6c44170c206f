import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These models are tiny: one thread avoids thread contention on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
