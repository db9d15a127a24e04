"""The objectives after beta-VAE in PyTorch, written from the papers (not from betavae's code), so
that a test can compare betavae's loss terms and gradients with autograd's on the same weights
and batch (Tests/TrainingTests/TorchObjectiveTests.swift runs `compare`).

    beta-TCVAE (Chen et al. 2018):  recon + alpha*MI + beta*TC + gamma*dimension-wise KL, minibatch-
                                    weighted or stratified sampling over a dataset of N images
    FactorVAE (Kim & Mnih 2018):    recon + KL + gamma*E[logit0 - logit1]; discriminator loss
                                    0.5*(CE(D(z), 0) + CE(D(perm(z')), 1)), perm per dimension
    DIP-VAE (Kumar et al. 2018):    recon + KL + l_od*sum_{i!=j} C_ij^2 + l_d*sum_i (C_ii - 1)^2,
                                    C = Cov(mu) (I) or Cov(mu) + E[diag sigma^2] (II)

python3 torch_objectives.py compare IN.safetensors OUT.safetensors
"""
import json
import math
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from torch_modules import build, discriminator


def log_normal(z, mu, logvar):
    return -0.5 * ((z - mu) ** 2 * torch.exp(-logvar) + logvar + math.log(2 * math.pi))


def log_weights(m, n, stratified):
    """log w_ij: 1/(N M) everywhere (weighted); stratified (Chen et al. 2018, Appendix C.2): 1/N for
    the image itself, (N - M + 1)/(N (M - 1)) for one other (here j = i + 1 mod M), 1/(M - 1) for the rest."""
    if not stratified:
        return torch.full((m, m), -math.log(n * m), dtype=torch.float64)
    w = torch.full((m, m), 1.0 / (m - 1), dtype=torch.float64)
    idx = torch.arange(m)
    w[idx, idx] = 1.0 / n
    w[idx, (idx + 1) % m] = (n - m + 1) / (n * (m - 1))
    return w.log()


def tcvae_terms(mu, logvar, z, n, stratified):
    m = z.shape[0]
    pairwise = log_normal(z.unsqueeze(1), mu.unsqueeze(0), logvar.unsqueeze(0))   # [i, j, d]
    logw = log_weights(m, n, stratified).to(z.dtype)
    log_qz_x = log_normal(z, mu, logvar).sum(1)
    log_qz = torch.logsumexp(logw + pairwise.sum(2), dim=1)
    log_prod = torch.logsumexp(logw.unsqueeze(2) + pairwise, dim=1).sum(1)
    log_pz = (-0.5 * (z ** 2 + math.log(2 * math.pi))).sum(1)
    return (log_qz_x - log_qz).mean(), (log_qz - log_prod).mean(), (log_prod - log_pz).mean()


def dip_terms(mu, logvar, variant):
    centred = mu - mu.mean(0, keepdim=True)
    cov = centred.t() @ centred / mu.shape[0]
    if variant == "ii":
        cov = cov + torch.diag(torch.exp(logvar).mean(0))
    diag = torch.diagonal(cov)
    off = (cov ** 2).sum() - (diag ** 2).sum()
    return off, ((diag - 1) ** 2).sum()


def compare(path_in, path_out):
    state = load_file(path_in)
    meta = json.loads(open(path_in + ".json").read())
    spec, objective = meta["model"], meta["objective"]
    model = build(spec["architecture"], tuple(spec["imageShape"]), latent=spec["latent"], hidden=tuple(spec["hidden"])).double()
    model.load_state_dict({k: v.double() for k, v in state.items() if k.split(".")[0] in ("features", "encoder", "decoder")})
    x, eps = state["input.images"].double(), state["input.noise"].double()
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = model.decode(z)
    n = x.shape[0]
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / n
    kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum() / n
    kind = objective["kind"]
    out = {}
    d = None
    if kind == "tcvae":
        mi, tc, dw = tcvae_terms(mu, logvar, z, meta["datasetSize"], objective["sampling"] == "stratified")
        loss = recon + objective["alpha"] * mi + objective["beta"] * tc + objective["gamma"] * dw
        terms = [mi, tc, dw]
    elif kind == "factorvae":
        d = discriminator(spec["latent"], objective["discriminatorLayers"], objective["discriminatorHidden"]).double()
        d.load_state_dict({k[len("discriminator."):]: v.double() for k, v in state.items() if k.startswith("discriminator.")})
        logit = d(z)
        tc = (logit[:, 0] - logit[:, 1]).mean()
        loss = recon + kl + objective["gamma"] * tc
        terms = [tc]
    else:
        off, diag = dip_terms(mu, logvar, "ii" if kind == "dipvae-ii" else "i")
        loss = recon + kl + objective["lambdaOD"] * off + objective["lambdaD"] * diag
        terms = [off, diag]
    model.zero_grad()
    loss.backward()
    out["terms"] = torch.tensor([float(t) for t in [loss, recon, kl] + terms])
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad.float().contiguous()
    if d is not None:
        # The discriminator's step: real codes z (detached), the second batch's codes permuted per dimension.
        orders = state["input.orders"].long()                  # [Z, M]: orders[a][i] = source row
        second = state["input.second"].double()
        permuted = torch.stack([second[orders[a], a] for a in range(second.shape[1])], 1)
        d.zero_grad()
        real_logits, perm_logits = d(z.detach()), d(permuted)
        m = z.shape[0]
        d_loss = 0.5 * (F.cross_entropy(real_logits, torch.zeros(m, dtype=torch.long))
                        + F.cross_entropy(perm_logits, torch.ones(m, dtype=torch.long)))
        d_loss.backward()
        out["discriminator_loss"] = torch.tensor([float(d_loss)])
        for name, p in d.named_parameters():
            out["grad.discriminator." + name] = p.grad.float().contiguous()
    save_file(out, path_out)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
