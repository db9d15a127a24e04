"""Save a YannDubs/disentangling-vae model as safetensors for `betavae import --from yanndubs`.

    cd disentangling-vae && python3 /path/to/betavae/scripts/save_yanndubs.py results/btcvae_dsprites out.safetensors

Its model.pt is already a state_dict (disvae/utils/modelIO.py: torch.save(model.state_dict(), ...)).
"""
import sys
import torch
from safetensors.torch import save_file

state = torch.load(sys.argv[1] + "/model.pt", map_location="cpu")
save_file({k: v.contiguous() for k, v in state.items()}, sys.argv[2])
