"""Multi-process training under `torchrun` (DistributedDataParallel).

`torchrun --nproc_per_node N -m ecgpaper train ...` sets RANK/WORLD_SIZE/LOCAL_RANK;
`init()` then joins the process group (NCCL on GPUs, gloo on CPU). Without those
variables everything runs in one process and these helpers are no-ops.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DistInfo:
    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: str = "cpu"

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def pick_device(device: str | None = None, local_rank: int = 0) -> str:
    """`device` if given, else cuda:<local_rank> when CUDA is present, else cpu."""
    if device:
        return device
    if torch.cuda.is_available():
        return f"cuda:{local_rank % torch.cuda.device_count()}"
    return "cpu"


def init(device: str | None = None) -> DistInfo:
    """Join the torchrun process group if there is one; return this process's place."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistInfo(device=pick_device(device))
    import torch.distributed as dist
    rank = int(os.environ["RANK"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    dev = pick_device(device, local)
    if dev.startswith("cuda"):
        torch.cuda.set_device(dev)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if dev.startswith("cuda") else "gloo")
    return DistInfo(rank=rank, world_size=world, local_rank=local, device=dev)


def shutdown(info: DistInfo) -> None:
    if info.enabled:
        import torch.distributed as dist
        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()


def wrap(model: torch.nn.Module, info: DistInfo) -> torch.nn.Module:
    if not info.enabled:
        return model
    from torch.nn.parallel import DistributedDataParallel as DDP
    ids = [torch.device(info.device).index] if info.device.startswith("cuda") else None
    return DDP(model, device_ids=ids)


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return getattr(model, "module", model)


def sync_buffers(model: torch.nn.Module, info: DistInfo) -> None:
    """Copy rank 0's buffers (BatchNorm running statistics) to every rank, so that all
    ranks evaluate the same model and take the same early-stopping decision."""
    if info.enabled:
        import torch.distributed as dist
        for b in unwrap(model).buffers():
            dist.broadcast(b.data, src=0)


def broadcast_flag(flag: bool, info: DistInfo) -> bool:
    """Rank 0's value of `flag` on every rank."""
    if not info.enabled:
        return flag
    import torch.distributed as dist
    t = torch.tensor([1 if flag else 0], device=info.device if info.device != "cpu" else "cpu")
    dist.broadcast(t, src=0)
    return bool(t.item())


def barrier(info: DistInfo) -> None:
    if info.enabled:
        import torch.distributed as dist
        dist.barrier()


def shard(order: torch.Tensor, info: DistInfo) -> torch.Tensor:
    """This rank's share of an epoch's sample order; every rank gets the same length
    (the tail that does not divide evenly is dropped) so collective calls line up."""
    if not info.enabled:
        return order
    n = (len(order) // info.world_size) * info.world_size
    return order[:n][info.rank::info.world_size]
