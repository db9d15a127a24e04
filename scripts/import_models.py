"""The models of the repositories `betavae import` reads, recreated in PyTorch from their source as
read (written here, not copied), with their parameter names, so the tests can check an import
against the repository's own forward pass:

- yanndubs: YannDubs/disentangling-vae, disvae/models/{encoders,decoders,vae}.py, EncoderBurgess +
  DecoderBurgess at 64x64 held as VAE.encoder / VAE.decoder. The encoder's last layer gives
  (mu_0, logvar_0, mu_1, logvar_1, ...): mu_logvar.view(-1, Z, 2).unbind(-1). The decoder ends in
  a sigmoid.
- 1konny: 1Konny/Beta-VAE, model.py, BetaVAE_B: nn.Sequential encoder (Conv2d x 4, View, Linear x 3)
  and decoder (Linear x 3, View, ConvTranspose2d x 4); mu = first Z outputs, logvar = the rest.
  BetaVAE_H (a 256-channel 4x4 convolution to 1x1 before the 2Z layer) imports as --model conv64.
- betavae: scripts/torch_modules.py's burgess (this tool's own names).
- disent: nmichlo/disent, disent/model/ae/_vae_conv64.py, EncoderConv64 / DecoderConv64 inside
  disent/model/_base.py's AutoEncoder (attributes _encoder, _decoder; each keeps an nn.Sequential
  as .model). The encoder's output splits into mu (first Z) and logvar (last Z); the decoder
  gives logits.

    python3 scripts/import_models.py yanndubs OUT_DIR --latent 10 --channels 1 --seed 0

writes OUT_DIR/weights.safetensors (the state_dict, as the repository would save it) and
OUT_DIR/expected.safetensors: `images` [4, C, 64, 64], `mu` and `logvar` [4, Z] from the
repository's encoder, `decoded` [4, C, 64, 64] = the decoder's output at mu as the repository
returns it (probabilities for yanndubs, logits for 1konny and disent).
"""
import argparse
import os

import sys

import torch
import torch.nn as nn
from safetensors.torch import save_file


# --- YannDubs/disentangling-vae -------------------------------------------------------------

class YannDubsEncoder(nn.Module):
    def __init__(self, channels, latent):
        super().__init__()
        self.latent = latent
        self.conv1 = nn.Conv2d(channels, 32, 4, stride=2, padding=1)
        self.conv2 = nn.Conv2d(32, 32, 4, stride=2, padding=1)
        self.conv3 = nn.Conv2d(32, 32, 4, stride=2, padding=1)
        self.conv_64 = nn.Conv2d(32, 32, 4, stride=2, padding=1)   # present for 64x64 images
        self.lin1 = nn.Linear(32 * 4 * 4, 256)
        self.lin2 = nn.Linear(256, 256)
        self.mu_logvar_gen = nn.Linear(256, 2 * latent)

    def forward(self, x):
        for conv in (self.conv1, self.conv2, self.conv3, self.conv_64):
            x = torch.relu(conv(x))
        x = torch.relu(self.lin2(torch.relu(self.lin1(x.flatten(1)))))
        mu, logvar = self.mu_logvar_gen(x).view(-1, self.latent, 2).unbind(-1)
        return mu, logvar


class YannDubsDecoder(nn.Module):
    def __init__(self, channels, latent):
        super().__init__()
        self.lin1 = nn.Linear(latent, 256)
        self.lin2 = nn.Linear(256, 256)
        self.lin3 = nn.Linear(256, 32 * 4 * 4)
        self.convT_64 = nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1)
        self.convT1 = nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1)
        self.convT2 = nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1)
        self.convT3 = nn.ConvTranspose2d(32, channels, 4, stride=2, padding=1)

    def forward(self, z):
        x = torch.relu(self.lin3(torch.relu(self.lin2(torch.relu(self.lin1(z))))))
        x = x.view(z.size(0), 32, 4, 4)
        for conv in (self.convT_64, self.convT1, self.convT2):
            x = torch.relu(conv(x))
        return torch.sigmoid(self.convT3(x))


class YannDubsVAE(nn.Module):
    def __init__(self, channels, latent):
        super().__init__()
        self.encoder = YannDubsEncoder(channels, latent)
        self.decoder = YannDubsDecoder(channels, latent)

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)


# --- 1Konny/Beta-VAE -------------------------------------------------------------------------

class View(nn.Module):
    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.view(*self.shape)


class OneKonnyB(nn.Module):
    """BetaVAE_B (Burgess et al.'s layers)."""
    def __init__(self, channels, latent):
        super().__init__()
        self.latent = latent
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 32, 4, 2, 1), nn.ReLU(True), nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(True),
            nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(True), nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(True),
            View(-1, 32 * 4 * 4), nn.Linear(512, 256), nn.ReLU(True), nn.Linear(256, 256), nn.ReLU(True),
            nn.Linear(256, 2 * latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 256), nn.ReLU(True), nn.Linear(256, 256), nn.ReLU(True), nn.Linear(256, 512), nn.ReLU(True),
            View(-1, 32, 4, 4), nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(True), nn.ConvTranspose2d(32, 32, 4, 2, 1),
            nn.ReLU(True), nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(True), nn.ConvTranspose2d(32, channels, 4, 2, 1))

    def encode(self, x):
        out = self.encoder(x)
        return out[:, :self.latent], out[:, self.latent:]

    def decode(self, z):
        return self.decoder(z)


class OneKonnyH(OneKonnyB):
    """BetaVAE_H: a 256-channel 4x4 convolution to 1x1 before the 2Z layer (--model conv64)."""
    def __init__(self, channels, latent):
        super().__init__(channels, latent)
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 32, 4, 2, 1), nn.ReLU(True), nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(True),
            nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(True), nn.Conv2d(64, 64, 4, 2, 1), nn.ReLU(True),
            nn.Conv2d(64, 256, 4, 1), nn.ReLU(True), View(-1, 256), nn.Linear(256, 2 * latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 256), View(-1, 256, 1, 1), nn.ReLU(True), nn.ConvTranspose2d(256, 64, 4), nn.ReLU(True),
            nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(True), nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(True),
            nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(True), nn.ConvTranspose2d(32, channels, 4, 2, 1))


# --- nmichlo/disent --------------------------------------------------------------------------

class DisentConv64Encoder(nn.Module):
    def __init__(self, channels, latent):
        super().__init__()
        self.latent = latent
        self.model = nn.Sequential(
            nn.Conv2d(channels, 32, 4, stride=2, padding=2), nn.ReLU(True),
            nn.Conv2d(32, 32, 4, stride=2, padding=2), nn.ReLU(True),
            nn.Conv2d(32, 64, 4, stride=2, padding=2), nn.ReLU(True),
            nn.Conv2d(64, 64, 4, stride=2, padding=2), nn.ReLU(True),
            nn.Flatten(), nn.Linear(1600, 256), nn.ReLU(True), nn.Linear(256, 2 * latent))

    def forward(self, x):
        return self.model(x).split(self.latent, dim=-1)


class DisentConv64Decoder(nn.Module):
    def __init__(self, channels, latent):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(latent, 256), nn.ReLU(True), nn.Linear(256, 1024), nn.ReLU(True), nn.Unflatten(1, [64, 4, 4]),
            nn.ConvTranspose2d(64, 64, 4, stride=2, padding=1), nn.ReLU(True),
            nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(True),
            nn.ConvTranspose2d(32, 32, 4, stride=2, padding=1), nn.ReLU(True),
            nn.ConvTranspose2d(32, channels, 4, stride=2, padding=1))

    def forward(self, z):
        return self.model(z)


class DisentAutoEncoder(nn.Module):
    def __init__(self, channels, latent):
        super().__init__()
        self._encoder = DisentConv64Encoder(channels, latent)
        self._decoder = DisentConv64Decoder(channels, latent)

    def encode(self, x):
        return self._encoder(x)

    def decode(self, z):
        return self._decoder(z)


def betavae_burgess(channels, latent):
    """This tool's own names (scripts/torch_modules.py), for --from betavae."""
    from torch_modules import build
    return build("burgess", (channels, 64, 64), latent=latent)


MODELS = {"betavae": betavae_burgess, "yanndubs": YannDubsVAE, "1konny": OneKonnyB, "1konny-h": OneKonnyH, "disent": DisentAutoEncoder}


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("repository", choices=sorted(MODELS))
    parser.add_argument("out")
    parser.add_argument("--latent", type=int, default=10)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    model = MODELS[args.repository](args.channels, args.latent).eval()
    os.makedirs(args.out, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(args.out, "weights.safetensors"))
    images = torch.rand(4, args.channels, 64, 64)
    with torch.no_grad():
        mu, logvar = model.encode(images)
        decoded = model.decode(mu)
    save_file({"images": images, "mu": mu.contiguous(), "logvar": logvar.contiguous(), "decoded": decoded.contiguous()},
              os.path.join(args.out, "expected.safetensors"))


if __name__ == "__main__":
    main()
