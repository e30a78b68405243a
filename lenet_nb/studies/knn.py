"""k-nearest neighbours with the Euclidean distance (Fig. 9's K-NN baselines), computed exactly:
integer grey levels in float64, so a re-run on the same software gives the same neighbours."""

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm


def nearest_neighbours(
    train: torch.Tensor, queries: torch.Tensor, k: int, chunk: int = 500, progress: bool = False
) -> torch.Tensor:
    """Indices into ``train`` of the ``k`` nearest rows to each query, nearest first (Euclidean).

    ``train`` and ``queries`` are ``N x D``. With integer grey levels (0-255) the squared
    distances are computed exactly in float64, so the order is exact; equal distances go to the
    lower training index.
    """
    train, queries = train.double(), queries.double()
    n = len(train)
    index = torch.arange(n, dtype=torch.float64)
    exact = _integral(train, queries)
    out = []
    for start in tqdm(
        range(0, len(queries), chunk), desc="k-NN", unit="chunk", disable=not progress, leave=False
    ):
        d = torch.cdist(
            queries[start : start + chunk], train, compute_mode="use_mm_for_euclid_dist"
        ).square_()
        key = d.round_() * n + index if exact else d
        out.append(key.topk(k, dim=1, largest=False, sorted=True).indices)
    return torch.cat(out)


def _integral(*tensors) -> bool:
    """True when every value is an integer small enough for exact squared distances."""
    return all(bool((t == t.round()).all()) and float(t.abs().max()) <= 255 for t in tensors)


def knn_vote(neighbour_labels: torch.Tensor, k: int, classes: int = 10) -> torch.Tensor:
    """Majority class among the first ``k`` of each row of ``neighbour_labels`` (nearest first);
    a tie goes to the tied class whose nearest member comes first."""
    labels = neighbour_labels[:, :k]
    onehot = F.one_hot(labels, classes)  # N x k x classes
    counts = onehot.sum(1)
    rank = torch.arange(k).view(1, k, 1).expand_as(onehot)
    first = torch.where(onehot.bool(), rank, torch.full_like(rank, k)).min(1).values
    return (counts * (k + 1) + (k - first)).argmax(1)


def knn_predict(
    train_x, train_y, test_x, ks=(1, 3, 5), chunk: int = 500, progress: bool = False
) -> dict[int, torch.Tensor]:
    """Predictions of k-NN for every k in ``ks``, from one search for the largest k."""
    nearest = nearest_neighbours(train_x, test_x, max(ks), chunk, progress)
    neighbour_labels = train_y[nearest]
    return {k: knn_vote(neighbour_labels, k) for k in ks}


# --- trained baselines ----------------------------------------------------------------------
