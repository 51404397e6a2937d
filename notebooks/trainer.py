"""Handlers for the quickstart: a tiny nearest-centroid classifier on the iris data (numpy and pandas only)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def train(context, data: pd.DataFrame, label_column: str = "species", test_size: float = 0.3, seed: int = 1):
    """Fit class centroids on a training split, report accuracy on the rest, log the model and a plot."""
    rng = np.random.default_rng(seed)
    test_mask = rng.random(len(data)) < test_size
    train_set, test_set = data[~test_mask], data[test_mask]
    print(f"training on {len(train_set)} rows, testing on {len(test_set)}")

    centroids = train_set.groupby(label_column)[FEATURES].mean()
    distances = ((test_set[FEATURES].to_numpy()[:, None, :] - centroids.to_numpy()[None]) ** 2).sum(axis=2)
    predicted = centroids.index.to_numpy()[distances.argmin(axis=1)]
    accuracy = float((predicted == test_set[label_column].to_numpy()).mean())
    context.logger.info("accuracy %.3f", accuracy)

    context.log_dataset("test_set", test_set.assign(predicted=predicted))
    context.log_model("model", body=centroids.to_dict(), metrics={"accuracy": accuracy}, framework="numpy",
                      algorithm="nearest-centroid")
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for species, group in data.groupby(label_column):
        ax.scatter(group["petal_length"], group["petal_width"], label=species, s=12)
    ax.scatter(centroids["petal_length"], centroids["petal_width"], marker="x", color="black", label="centroids")
    ax.set_xlabel("petal length")
    ax.set_ylabel("petal width")
    ax.legend()
    context.log_artifact("centroids_plot", body=fig)
    plt.close(fig)
    return {"classes": int(len(centroids))}


def describe(data: pd.DataFrame):
    """Summary statistics per column (returned as a dataset artifact)."""
    return data.describe().reset_index()


def fail(context, reason: str = "the data looks wrong"):
    """A handler that fails, to show how errors are recorded."""
    print("checking the data...")
    raise ValueError(reason)
