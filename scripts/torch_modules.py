"""The PyTorch modules equivalent to betavae's architectures (same parameter names and layouts),
so a betavae checkpoint loads with load_state_dict, and weights trained in PyTorch load in betavae.

    import torch
    from safetensors.torch import load_file
    from torch_modules import build
    state = load_file("runs/NAME/checkpoints/latest.safetensors")
    model = build("mlp", image_shape=(1, 28, 28), latent=20)
    model.load_state_dict({k: v for k, v in state.items() if not k.startswith("adam.")})

encode(x) returns (mu, logvar); decode(z) returns logits (Bernoulli) or means (Gaussian).
For a conditional model pass the number of classes and one-hot labels.

A FactorVAE checkpoint also holds its discriminator (Kim & Mnih 2018), which loads into
discriminator(latent, layers=6, hidden=1000):

    d = discriminator(latent=10)
    d.load_state_dict({k[len("discriminator."):]: v for k, v in state.items() if k.startswith("discriminator.")})
    tc = (d(z)[:, 0] - d(z)[:, 1]).mean()      # logit 0: drawn from q(z); logit 1: dimension-wise permuted
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(self, features, encoder, decoder, classes=0):
        super().__init__()
        self.features, self.encoder, self.decoder, self.classes = features, encoder, decoder, classes

    def encode(self, x, y=None):
        h = self.features(x)
        if self.classes:
            h = torch.cat([h, F.one_hot(y, self.classes).float()], 1)
        mu, logvar = self.encoder(h).chunk(2, 1)
        return mu, logvar

    def decode(self, z, y=None):
        if self.classes:
            z = torch.cat([z, F.one_hot(y, self.classes).float()], 1)
        return self.decoder(z)


def discriminator(latent, layers=6, hidden=1000):
    """FactorVAE's discriminator: (Linear, LeakyReLU(0.2)) x layers, then Linear(hidden, 2)."""
    modules, width = [], latent
    for _ in range(layers):
        modules += [nn.Linear(width, hidden), nn.LeakyReLU(0.2)]
        width = hidden
    modules.append(nn.Linear(width, 2))
    return nn.Sequential(*modules)


def build(architecture, image_shape=(1, 28, 28), latent=20, hidden=(400,), classes=0):
    c, h, w = image_shape
    k = classes
    if architecture == "mlp":
        enc, width = [], c * h * w + k
        for size in hidden:
            enc += [nn.Linear(width, size), nn.ReLU()]
            width = size
        enc.append(nn.Linear(width, 2 * latent))
        dec, width = [], latent + k
        for size in reversed(hidden):
            dec += [nn.Linear(width, size), nn.ReLU()]
            width = size
        dec += [nn.Linear(width, c * h * w), nn.Unflatten(1, (c, h, w))]
        return VAE(nn.Sequential(nn.Flatten()), nn.Sequential(*enc), nn.Sequential(*dec), k)
    if architecture == "conv28":
        features = nn.Sequential(nn.Conv2d(c, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(), nn.Flatten())
        encoder = nn.Sequential(nn.Linear(64 * 7 * 7 + k, 256), nn.ReLU(), nn.Linear(256, 2 * latent))
        decoder = nn.Sequential(nn.Linear(latent + k, 256), nn.ReLU(), nn.Linear(256, 64 * 7 * 7), nn.ReLU(),
                                nn.Unflatten(1, (64, 7, 7)), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
                                nn.ConvTranspose2d(32, c, 4, 2, 1))
        return VAE(features, encoder, decoder, k)
    if architecture == "burgess":
        layers, channels = [], c
        for _ in range(4):
            layers += [nn.Conv2d(channels, 32, 4, 2, 1), nn.ReLU()]
            channels = 32
        features = nn.Sequential(*layers, nn.Flatten())
        encoder = nn.Sequential(nn.Linear(512 + k, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2 * latent))
        dec = [nn.Linear(latent + k, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
               nn.Unflatten(1, (32, 4, 4))]
        for i in range(4):
            dec.append(nn.ConvTranspose2d(32, c if i == 3 else 32, 4, 2, 1))
            if i < 3:
                dec.append(nn.ReLU())
        return VAE(features, encoder, nn.Sequential(*dec), k)
    if architecture == "dislib":
        # disentanglement_lib's conv VAE as disent writes it (padding 2 gives 33, 17, 9, 5).
        layers, channels = [], c
        for out in (32, 32, 64, 64):
            layers += [nn.Conv2d(channels, out, 4, 2, 2), nn.ReLU()]
            channels = out
        features = nn.Sequential(*layers, nn.Flatten())
        encoder = nn.Sequential(nn.Linear(1600 + k, 256), nn.ReLU(), nn.Linear(256, 2 * latent))
        decoder = nn.Sequential(nn.Linear(latent + k, 256), nn.ReLU(), nn.Linear(256, 1024), nn.ReLU(), nn.Unflatten(1, (64, 4, 4)),
                                nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
                                nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, c, 4, 2, 1))
        return VAE(features, encoder, decoder, k)
    if architecture == "conv64":
        # 1Konny/Beta-VAE's BetaVAE_H (the ReLU before the reshape to 256x1x1, where it applies it after: the same map).
        layers, channels = [], c
        for out in (32, 32, 64, 64):
            layers += [nn.Conv2d(channels, out, 4, 2, 1), nn.ReLU()]
            channels = out
        features = nn.Sequential(*layers, nn.Conv2d(64, 256, 4, 1), nn.ReLU(), nn.Flatten())
        encoder = nn.Sequential(nn.Linear(256 + k, 2 * latent))
        decoder = nn.Sequential(nn.Linear(latent + k, 256), nn.ReLU(), nn.Unflatten(1, (256, 1, 1)), nn.ConvTranspose2d(256, 64, 4),
                                nn.ReLU(), nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
                                nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(), nn.ConvTranspose2d(32, c, 4, 2, 1))
        return VAE(features, encoder, decoder, k)
    raise ValueError(architecture)


if __name__ == "__main__":
    # Throughput of one training step of `burgess` at batch 64 (the same model betavae trains).
    import sys, time
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    model = build("burgess", (1, 64, 64), latent=10)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = (torch.rand(64, 1, 64, 64) > 0.9).float()
    def step():
        opt.zero_grad()
        mu, lv = model.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * lv)
        rec = F.binary_cross_entropy_with_logits(model.decode(z), x, reduction="sum") / 64
        kl = -0.5 * torch.sum(1 + lv - mu.pow(2) - lv.exp()) / 64
        (rec + kl).backward(); opt.step()
    for _ in range(3): step()
    t = time.perf_counter()
    for _ in range(20): step()
    dt = (time.perf_counter() - t) / 20
    print(f"torch {torch.__version__} burgess step, batch 64: {dt * 1e3:.1f} ms ({64 / dt:.0f} images/s)")
