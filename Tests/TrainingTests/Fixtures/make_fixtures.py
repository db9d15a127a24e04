"""Makes torch_cvae.safetensors: a conditional mlp VAE (1x28x28, hidden 32, Z = 3, 10 classes)
built with scripts/torch_modules.py, its state dict, an input batch with labels, and PyTorch's
mu, logvar and decoder output for it. Run with Debian's Python (it has torch):
    /usr/bin/python3 make_fixtures.py
"""
import sys, os
import torch
from safetensors.torch import save_file
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../scripts"))
from torch_modules import build

torch.manual_seed(0)
model = build("mlp", (1, 28, 28), latent=3, hidden=(32,), classes=10)
x = torch.rand(4, 1, 28, 28)
y = torch.tensor([0, 3, 7, 9])
with torch.no_grad():
    mu, logvar = model.encode(x, y)
    out = model.decode(mu, y)
tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
tensors.update({"input.images": x, "input.labels": y.float(), "expected.mu": mu.clone(), "expected.logvar": logvar.clone(),
                "expected.decoded": out})
save_file(tensors, "torch_cvae.safetensors")
print(sorted(model.state_dict().keys()))
