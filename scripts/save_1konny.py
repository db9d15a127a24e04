"""Save a 1Konny/Beta-VAE checkpoint (BetaVAE_B) as safetensors for `betavae import --from 1konny`.

    python3 scripts/save_1konny.py checkpoints/main/last out.safetensors

solver.py saves {'model_states': {'net': net.state_dict()}, 'optim_states': ..., ...}; only the net is kept.
"""
import sys
import torch
from safetensors.torch import save_file

checkpoint = torch.load(sys.argv[1], map_location="cpu")
save_file({k: v.contiguous() for k, v in checkpoint["model_states"]["net"].items()}, sys.argv[2])
