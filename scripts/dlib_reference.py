#!/usr/bin/env python3
"""disentanglement_lib's metrics on fixed arrays, as the reference for betavae's estimators.

Usage: python3 scripts/dlib_reference.py ARRAYS.npz  → one JSON object on stdout.

Re-derived from google-research/disentanglement_lib's evaluation/metrics (beta_vae.py,
factor_vae.py, mig.py, sap_score.py, dci.py, modularity_explicitness.py, utils.py) with the
settings of its unsupervised study, using scikit-learn, numpy and scipy from PyPI. Where
disentanglement_lib samples observations from a dataset and encodes them, this script takes the
encoded arrays as given, so betavae (Tests/AnalysisTests/DlibParityTests.swift) can score exactly
the same numbers:

  codes_train [N, Z], factors_train [N, F], codes_test [M, Z], factors_test [M, F]
      MIG, modularity (train), SAP, DCI and explicitness (fit on train, test on test)
  bv_train_first, bv_train_second [P·B, Z], bv_train_labels [P]   (and bv_eval_*)
      BetaVAE: pair r belongs to point r // B; the label is the index of the shared factor
  fv_variance [V, Z]; fv_train_codes [P·B, Z], fv_train_labels [P]   (and fv_eval_*)
      FactorVAE: B codes per vote sharing factor label's value

Any group may be absent; its scores are then left out.
"""
import json
import sys

import numpy as np
import scipy.stats
from sklearn import ensemble, linear_model, metrics, preprocessing, svm


def histogram_bins(codes, bins=20):
    """Each column's bin per row: np.digitize against the inner edges of np.histogram (utils.py)."""
    out = np.zeros(codes.shape, dtype=np.int64)
    for j in range(codes.shape[1]):
        column = codes[:, j]
        edges = np.histogram(column, bins)[1]
        out[:, j] = np.digitize(column, edges[:-1])
    return out


def mutual_information_matrix(codes, factors):
    binned = histogram_bins(codes)
    return np.array([[metrics.mutual_info_score(factors[:, f], binned[:, j]) for f in range(factors.shape[1])]
                     for j in range(codes.shape[1])])


def mig(matrix, factors):
    entropies = np.array([metrics.mutual_info_score(factors[:, f], factors[:, f]) for f in range(factors.shape[1])])
    ordered = np.sort(matrix, axis=0)[::-1]
    return float(np.mean((ordered[0] - ordered[1]) / entropies))


def modularity(matrix):
    squares = matrix ** 2
    largest = squares.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (squares.sum(axis=1) - largest) / (largest * (squares.shape[1] - 1.0))
    per_latent = 1.0 - delta
    per_latent[largest == 0] = 0.0
    return float(per_latent.mean())


def sap(train, factors_train, test, factors_test):
    """Discrete SAP: test accuracy of LinearSVC(C=0.01, balanced) per latent and factor, top-two gap."""
    matrix = np.zeros((train.shape[1], factors_train.shape[1]))
    for j in range(train.shape[1]):
        for f in range(factors_train.shape[1]):
            model = svm.LinearSVC(C=0.01, class_weight="balanced")
            model.fit(train[:, j:j + 1], factors_train[:, f])
            matrix[j, f] = np.mean(model.predict(test[:, j:j + 1]) == factors_test[:, f])
    ordered = np.sort(matrix, axis=0)
    return float(np.mean(ordered[-1] - ordered[-2])), matrix


def dci(train, factors_train, test, factors_test):
    """One GradientBoostingClassifier() per factor; D and C from its feature_importances_."""
    z, k = train.shape[1], factors_train.shape[1]
    importance = np.zeros((z, k))
    train_accuracy, test_accuracy = [], []
    for f in range(k):
        model = ensemble.GradientBoostingClassifier()
        model.fit(train, factors_train[:, f])
        importance[:, f] = np.abs(model.feature_importances_)
        train_accuracy.append(np.mean(model.predict(train) == factors_train[:, f]))
        test_accuracy.append(np.mean(model.predict(test) == factors_test[:, f]))
    per_code = 1.0 - scipy.stats.entropy(importance.T + 1e-11, base=k)
    code_weight = importance.sum(axis=1) / importance.sum() if importance.sum() > 0 else np.ones(z) / z
    per_factor = 1.0 - scipy.stats.entropy(importance + 1e-11, base=z)
    factor_weight = importance.sum(axis=0) / importance.sum() if importance.sum() > 0 else np.ones(k) / k
    return {
        "dci_disentanglement": float(np.sum(per_code * code_weight)),
        "dci_completeness": float(np.sum(per_factor * factor_weight)),
        "dci_informativeness": float(np.mean(test_accuracy)),
        "dci_informativeness_train": float(np.mean(train_accuracy)),
        "dci_importance": importance.tolist(),
    }


def explicitness(train, factors_train, test, factors_test):
    """modularity_explicitness.py's explicitness_per_factor: LogisticRegression() on the codes
    standardised with the training mean and std (utils.normalize_data; constant latents to 0), ROC
    AUC of predict_proba against MultiLabelBinarizer labels (macro over classes), mean over factors."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    scale = np.where(std > 1e-12, std, 1.0)
    keep = std > 1e-12
    train_n = np.where(keep, (train - mean) / scale, 0.0)
    test_n = np.where(keep, (test - mean) / scale, 0.0)
    scores_train, scores_test = [], []
    for f in range(factors_train.shape[1]):
        model = linear_model.LogisticRegression().fit(train_n, factors_train[:, f])
        for codes, labels, scores in ((train_n, factors_train[:, f], scores_train), (test_n, factors_test[:, f], scores_test)):
            binarizer = preprocessing.MultiLabelBinarizer(classes=model.classes_)
            scores.append(metrics.roc_auc_score(binarizer.fit_transform(np.expand_dims(labels, 1)), model.predict_proba(codes)))
    return {"explicitness_train": float(np.mean(scores_train)), "explicitness": float(np.mean(scores_test))}


def beta_vae(arrays, split):
    first, second, labels = arrays[f"bv_{split}_first"], arrays[f"bv_{split}_second"], arrays[f"bv_{split}_labels"]
    batch = first.shape[0] // labels.shape[0]
    features = np.abs(first - second).reshape(labels.shape[0], batch, first.shape[1]).mean(axis=1)
    return features, labels


def factor_vae_votes(arrays, split, global_variances, active):
    codes, labels = arrays[f"fv_{split}_codes"], arrays[f"fv_{split}_labels"]
    batch = codes.shape[0] // labels.shape[0]
    chosen = []
    for point in range(labels.shape[0]):
        local = np.var(codes[point * batch:(point + 1) * batch], axis=0, ddof=1)
        position = np.argmin(local[active] / global_variances[active])
        latent = int(np.flatnonzero(active)[position])
        chosen.append(latent)
    return np.array(chosen), labels


def main(path):
    arrays = dict(np.load(path))
    out = {}
    if "codes_train" in arrays:
        train, test = arrays["codes_train"], arrays["codes_test"]
        factors_train, factors_test = arrays["factors_train"], arrays["factors_test"]
        # Factors with one value in the training rows say nothing (disentanglement_lib's datasets list
        # only the varying ones as latent_factor_indices; betavae leaves them out too).
        varying = [f for f in range(factors_train.shape[1]) if len(np.unique(factors_train[:, f])) > 1]
        factors_train, factors_test = factors_train[:, varying], factors_test[:, varying]
        matrix = mutual_information_matrix(train, factors_train)
        out["mig"] = mig(matrix, factors_train)
        out["modularity"] = modularity(matrix)
        out["mutual_information"] = matrix.tolist()
        out["sap"], sap_matrix = sap(train, factors_train, test, factors_test)
        out["sap_matrix"] = sap_matrix.tolist()
        out.update(dci(train, factors_train, test, factors_test))
        out.update(explicitness(train, factors_train, test, factors_test))
    if "bv_train_first" in arrays:
        x_train, y_train = beta_vae(arrays, "train")
        x_eval, y_eval = beta_vae(arrays, "eval")
        model = linear_model.LogisticRegression()
        model.fit(x_train, y_train)
        out["beta_vae_train"] = float(model.score(x_train, y_train))
        out["beta_vae"] = float(model.score(x_eval, y_eval))
    if "fv_variance" in arrays:
        global_variances = np.var(arrays["fv_variance"], axis=0, ddof=1)
        active = np.sqrt(global_variances) >= 0.05
        if not active.any():
            out["factor_vae_train"] = out["factor_vae"] = 0.0
        else:
            latents, labels = factor_vae_votes(arrays, "train", global_variances, active)
            factors = int(max(labels.max(), arrays["fv_eval_labels"].max())) + 1
            table = np.zeros((factors, arrays["fv_variance"].shape[1]), dtype=np.int64)
            for latent, label in zip(latents, labels):
                table[label, latent] += 1
            classifier = np.argmax(table, axis=0)  # each latent's majority factor (lowest on ties)
            out["factor_vae_train"] = float(np.mean(classifier[latents] == labels))
            eval_latents, eval_labels = factor_vae_votes(arrays, "eval", global_variances, active)
            out["factor_vae"] = float(np.mean(classifier[eval_latents] == eval_labels))
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: dlib_reference.py ARRAYS.npz")
    main(sys.argv[1])
