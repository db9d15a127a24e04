"""Save a nmichlo/disent VAE (EncoderConv64 + DecoderConv64) as safetensors for `betavae import --from disent`.

    python3 scripts/save_disent.py model.ckpt out.safetensors

Takes a PyTorch Lightning checkpoint of a disent framework (its 'state_dict' holds `_model._encoder.model.N.*`
and `_model._decoder.model.N.*`); in Python, `save_file(framework._model.state_dict(), path)` does the same.
"""
import sys
import torch
from safetensors.torch import save_file

state = torch.load(sys.argv[1], map_location="cpu")
state = state.get("state_dict", state)
save_file({k: v.contiguous() for k, v in state.items() if k.startswith(("_model._encoder.", "_model._decoder.", "_encoder.", "_decoder."))},
          sys.argv[2])
