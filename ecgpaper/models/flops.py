"""Forward FLOPs by forward hooks on the layers that carry the compute.

Convention: FLOP = 2 x multiply-accumulate (MAC), counted for convolutions, linear layers
and GRUs; biases, normalisation, activations, pooling and attention weighting are left
out (together well under 1 % for every model here). Counts are for the whole batch that
is passed in; pass batch 1 for FLOPs per recording.
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _conv_macs(m: nn.modules.conv._ConvNd, out: torch.Tensor) -> int:
    k = math.prod(m.kernel_size)
    return out.numel() * (m.in_channels // m.groups) * k


def _linear_macs(m: nn.Linear, out: torch.Tensor) -> int:
    return out.numel() * m.in_features


def _gru_macs(m: nn.GRU, inp, out) -> int:
    x = inp[0]
    if isinstance(x, nn.utils.rnn.PackedSequence):
        steps = int(x.data.shape[0])
    else:
        steps = x.shape[0] * x.shape[1]          # batch x time
    dirs = 2 if m.bidirectional else 1
    total, size_in = 0, m.input_size
    for _ in range(m.num_layers):
        total += dirs * steps * 3 * (size_in * m.hidden_size + m.hidden_size * m.hidden_size)
        size_in = m.hidden_size * dirs
    return total


@torch.no_grad()
def count_flops(model: nn.Module, *inputs, by_layer: bool = False, **kwargs):
    """Run `model(*inputs, **kwargs)` once and return its forward FLOPs (2 x MACs);
    with `by_layer=True` also a dict module name -> FLOPs."""
    per: dict[str, int] = {}
    handles = []
    for name, m in model.named_modules():
        if isinstance(m, nn.modules.conv._ConvNd):
            fn = lambda mod, i, o, n=name: per.__setitem__(n, per.get(n, 0) + 2 * _conv_macs(mod, o))
        elif isinstance(m, nn.Linear):
            fn = lambda mod, i, o, n=name: per.__setitem__(n, per.get(n, 0) + 2 * _linear_macs(mod, o))
        elif isinstance(m, nn.GRU):
            fn = lambda mod, i, o, n=name: per.__setitem__(n, per.get(n, 0) + 2 * _gru_macs(mod, i, o))
        else:
            continue
        handles.append(m.register_forward_hook(fn))
    _run_hooked(model, handles, inputs, kwargs)
    total = sum(per.values())
    return (total, per) if by_layer else total


def _run_hooked(model: nn.Module, handles: list, inputs: tuple, kwargs: dict) -> None:
    """One forward pass in eval mode with the given hooks attached, then remove them."""
    was_training = model.training
    model.eval()
    try:
        model(*inputs, **kwargs)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)


@torch.no_grad()
def layer_table(model: nn.Module, *inputs, depth: int = 2, **kwargs):
    """A summary table (pandas) of the modules `depth` levels down: output shape,
    parameters and forward MFLOP (batch as given), in forward order."""
    import pandas as pd

    total, per = count_flops(model, *inputs, by_layer=True, **kwargs)
    shapes: dict[str, str] = {}
    order: list[str] = []
    handles = []
    for name, m in model.named_modules():
        if name and (name.count(".") == depth - 1 or (name.count(".") < depth - 1
                                                        and not list(m.children()))):
            def hook(mod, i, o, n=name):
                out = o[0] if isinstance(o, tuple) else o
                if n not in shapes:
                    order.append(n)
                shapes[n] = "x".join(str(s) for s in out.shape)
            handles.append(m.register_forward_hook(hook))
    _run_hooked(model, handles, inputs, kwargs)
    mods = dict(model.named_modules())
    rows = []
    for n in order:
        flops = sum(v for k, v in per.items() if k == n or k.startswith(n + "."))
        rows.append({"module": n, "type": type(mods[n]).__name__, "output": shapes[n],
                     "params": sum(p.numel() for p in mods[n].parameters()),
                     "MFLOP": flops / 1e6})
    return pd.DataFrame(rows)
