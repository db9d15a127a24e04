"""Makes the engine's interop fixtures. Run from this folder with Debian's Python (it has torch):
    /usr/bin/python3 make_fixtures.py
- python_written.safetensors: written by Python's safetensors (numpy API), known values.
- torch_layers.safetensors: PyTorch's forward outputs and gradients for Linear, Conv2d and
  ConvTranspose2d (loss = sum(y * r)), and BCE-with-logits / KL values, to compare the engine with.
Also prints the first xoshiro256** output for seed 0 (SplitMix64 seeding), pinned in the RNG test.
"""
import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch

save_numpy({
    "f32": np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.0]], dtype=np.float32),
    "f64": np.array([0.1, 0.2], dtype=np.float64),
    "i64": np.array([-3, 9, 1 << 40], dtype=np.int64),
    "u8": np.arange(4, dtype=np.uint8).reshape(2, 2),
    "scalar": np.array(2.5, dtype=np.float32),
}, "python_written.safetensors", metadata={"made_by": "make_fixtures.py"})

torch.manual_seed(0)
out = {}
def record(prefix, module, x):
    x = x.clone().requires_grad_(True)
    y = module(x)
    r = torch.randn_like(y)
    (y * r).sum().backward()
    out[prefix + ".input"] = x.detach()
    out[prefix + ".output"] = y.detach()
    out[prefix + ".probe"] = r
    out[prefix + ".input_grad"] = x.grad
    for name, p in module.named_parameters():
        out[prefix + "." + name] = p.detach()
        out[prefix + "." + name + "_grad"] = p.grad

record("linear", torch.nn.Linear(5, 4), torch.randn(3, 5))
record("conv", torch.nn.Conv2d(2, 3, 4, stride=2, padding=1), torch.randn(2, 2, 8, 6))
record("deconv", torch.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), torch.randn(2, 3, 4, 3))
record("deconv_op", torch.nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1, output_padding=1), torch.randn(1, 2, 3, 3))

logits = torch.randn(4, 6) * 3
targets = torch.rand(4, 6)
out["bce.logits"], out["bce.targets"] = logits, targets
out["bce.per_image"] = F.binary_cross_entropy_with_logits(logits, targets, reduction="none").sum(1)
mu, logvar = torch.randn(4, 3), torch.randn(4, 3) * 0.5
out["kl.mu"], out["kl.logvar"] = mu, logvar
out["kl.per_dim"] = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp())
save_torch({k: v.contiguous() for k, v in out.items()}, "torch_layers.safetensors", metadata={"torch": torch.__version__})

M = (1 << 64) - 1
def rotl(x, k): return ((x << k) | (x >> (64 - k))) & M
x, s = 0, []
for _ in range(4):
    x = (x + 0x9E3779B97F4A7C15) & M
    z = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    s.append(z ^ (z >> 31))
print("xoshiro256** seed 0 first output:", (rotl((s[1] * 5) & M, 7) * 9) & M)
