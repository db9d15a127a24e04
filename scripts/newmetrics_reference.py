#!/usr/bin/env python3
"""Reference values of the metrics after disentanglement_lib, in numpy/scipy/scikit-learn, for
the known-code tests of `betavae` (Tests/AnalysisTests/ExtendedMetricReferenceTests.swift).

Usage: newmetrics_reference.py IN.npz
IN.npz holds `train` float [N, Z], `train_factors` int [N, F], `test` float [M, Z],
`test_factors` int [M, F], and optionally `models` float [K, N, Z] with `kl` float [K, Z] for UDR.
Prints one JSON object: mig_sup, infom, infoc, infoe, irs, dci_es_size, dci_es_explicitness, and
udr (a list, one score per model) when `models` is given.

Written from the papers and the estimators the Swift code documents (binned mutual information
as disentanglement_lib bins it; IRS as disentanglement_lib's irs.py defines it; UDR_S as its
udr.py defines it; DCI-ES with scikit-learn decision trees of depth 1..8 as the probes).
InfoE with scikit-learn's LogisticRegression(C=1) on StandardScaler'd latents, fitted to a tight
tolerance, and log_loss of its predict_proba (the Swift regression solves the same problem by Newton-CG).
"""
import json
import sys

import numpy as np
import scipy.stats
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, mutual_info_score
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier


def binned(codes, bins=20):
    """Each column into `bins` equal-width bins over its range (0 for a constant column)."""
    out = np.zeros(codes.shape, dtype=np.int64)
    for j in range(codes.shape[1]):
        column = codes[:, j].astype(np.float64)
        low, high = column.min(), column.max()
        if high > low:
            out[:, j] = np.minimum((bins * (column - low) / (high - low)).astype(np.int64), bins - 1)
    return out


def mi_matrix(codes, factors):
    """I(z_j; f_k) in nats, [Z, F]."""
    discrete = binned(codes)
    return np.array([[mutual_info_score(discrete[:, j], factors[:, k]) for k in range(factors.shape[1])]
                     for j in range(codes.shape[1])])


def entropies(factors):
    return np.array([mutual_info_score(factors[:, k], factors[:, k]) for k in range(factors.shape[1])])


def mig_sup(matrix, h):
    normalised = np.where(h > 0, matrix / np.where(h > 0, h, 1), 0.0)
    ordered = np.sort(normalised, axis=1)[:, ::-1]
    second = ordered[:, 1] if ordered.shape[1] > 1 else 0.0
    return float(np.mean(ordered[:, 0] - second))


def infomec_mc(codes, matrix, h):
    ranges = codes.max(axis=0) - codes.min(axis=0)
    active = ranges > ranges.max() / 20
    nmi = (matrix / h[None, :])[active, :].T  # [F, L]
    f, l = nmi.shape

    def share(values, chance):
        total = values.sum()
        return values.max() / total if total > 0 else chance

    infom = (np.mean([share(nmi[:, j], 1 / f) for j in range(l)]) - 1 / f) / (1 - 1 / f)
    infoc = (np.mean([share(nmi[i, :], 1 / l) for i in range(f)]) - 1 / l) / (1 - 1 / l)
    return float(infom), float(infoc)


def irs(codes, factors, quantile=0.99):
    codes = codes.astype(np.float64)
    keep = codes.var(axis=0) > 0
    codes = codes[:, keep]
    if codes.shape[1] == 0:
        return 0.0
    factors = binned(factors.astype(np.float64))
    max_dev = np.max(np.abs(codes - codes.mean(axis=0)), axis=0)
    cum = np.zeros((codes.shape[1], factors.shape[1]))
    for i in range(factors.shape[1]):
        values = np.unique(factors[:, i])
        for v in values:
            match = factors[:, i] == v
            diffs = np.abs(codes[match] - codes[match].mean(axis=0))
            cum[:, i] += np.quantile(diffs, quantile, axis=0)
        cum[:, i] /= len(values)
    scores = (1 - cum / max_dev[:, None]).max(axis=1)
    return float(np.average(scores, weights=max_dev))


def dci_es_explicitness(train, train_factors, test, test_factors, depth=8):
    per_factor = []
    for k in range(train_factors.shape[1]):
        y, y_test = train_factors[:, k], test_factors[:, k]
        values, counts = np.unique(y, return_counts=True)
        baseline = float(np.mean(y_test != values[np.argmax(counts)]))
        curve = [baseline]
        leaf = max(1, min(len(y) // 100, counts.min() // 2))
        for d in range(1, depth + 1):
            tree = DecisionTreeClassifier(max_depth=d, min_samples_leaf=leaf, random_state=0).fit(train, y)
            curve.append(min(curve[-1], float(np.mean(tree.predict(test) != y_test))))
        area = sum(0.5 * (curve[c - 1] + curve[c]) for c in range(1, len(curve)))
        per_factor.append(1 - area / (depth * baseline) if baseline > 0 else 1.0)
    return float(np.mean(per_factor))


def udr(models, kl, threshold=0.01):
    k = len(models)
    masks = [kl[i] > threshold for i in range(k)]
    pairwise = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            a, b = models[i][:, masks[i]], models[j][:, masks[j]]
            if a.shape[1] == 0 or b.shape[1] == 0:
                continue
            r = np.abs(np.array([[scipy.stats.spearmanr(a[:, p], b[:, q])[0] for q in range(b.shape[1])]
                                 for p in range(a.shape[1])]))
            r = np.nan_to_num(r)

            def strength(m):
                sums = m.sum(axis=0)
                return np.mean(np.where(sums > 0, m.max(axis=0) ** 2 / np.where(sums > 0, sums, 1), 0))

            pairwise[i, j] = pairwise[j, i] = (strength(r) + strength(r.T)) / 2
    return [float(np.median(np.delete(pairwise[:, i], i))) for i in range(k)]


def infoe(codes, factors):
    """(H(f) - training log loss) / H(f) of LogisticRegression(C=1) per factor, mean over factors with H > 0."""
    x = StandardScaler().fit_transform(codes.astype(np.float64))
    values = []
    for i in range(factors.shape[1]):
        y = factors[:, i]
        _, counts = np.unique(y, return_counts=True)
        p = counts / counts.sum()
        h = float(-(p * np.log(p)).sum())
        if h <= 0:
            continue
        model = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(x, y)
        values.append((h - log_loss(y, model.predict_proba(x), labels=model.classes_)) / h)
    return float(np.mean(values)) if values else 0.0


def main():
    data = np.load(sys.argv[1])
    train, train_factors = data["train"], data["train_factors"]
    test, test_factors = data["test"], data["test_factors"]
    matrix, h = mi_matrix(train, train_factors), entropies(train_factors)
    infom, infoc = infomec_mc(train, matrix, h)
    out = {
        "mig_sup": mig_sup(matrix, h),
        "infom": infom,
        "infoc": infoc,
        "infoe": infoe(train, train_factors),
        "irs": irs(train, train_factors),
        "dci_es_size": train_factors.shape[1] / train.shape[1],
        "dci_es_explicitness": dci_es_explicitness(train, train_factors, test, test_factors),
    }
    if "models" in data:
        out["udr"] = udr(list(data["models"]), data["kl"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
