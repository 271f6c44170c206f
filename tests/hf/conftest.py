import pytest
import torch


@pytest.fixture(scope="package", autouse=True)
def _one_thread():
    """The demo models' matrices are tiny: one thread is many times faster than two on a
    shared machine (no threads waiting on each other)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
