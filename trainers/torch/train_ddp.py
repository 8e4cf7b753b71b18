"""Train the seed's model on `wordlens tokenize` output with PyTorch DistributedDataParallel,
then export a Wordlens model folder.

Launch with torchrun (env:// rendezvous; gloo on CPUs, NCCL on GPUs; many machines through
torchrun's own --nnodes/--rdzv flags):
    torchrun --nproc_per_node 2 trainers/torch/train_ddp.py --data TOKENS --out MODEL
or as one plain process (no torchrun): the same command with python3. Any launcher that sets
RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT works too (docs/scale-out.md).

Every process trains on its own share of the columns (streams) of the training ids;
DistributedDataParallel all-reduces the gradients, so all processes hold the same weights.
Rank 0 validates, checkpoints (atomically, resumable with --resume) and exports."""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from data import batchify, load_tokens, shard_columns  # noqa: E402
from evaluate import perplexity  # noqa: E402
from export_wordlens import export_folder  # noqa: E402
from model import RNNModel  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder written by `wordlens tokenize`")
    p.add_argument("--out", required=True, help="Wordlens model folder to export (replaced atomically)")
    p.add_argument("--checkpoint", help="checkpoint file (default: <out>.ckpt.pt)")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    p.add_argument("--emsize", type=int, default=200)
    p.add_argument("--nhid", type=int, default=200)
    p.add_argument("--nlayers", type=int, default=2, choices=[1, 2])
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--tied", action="store_true")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd",
                   help="sgd = word_language_model's recipe (lr 20, /4 on a plateau); adam: use --lr 0.002")
    p.add_argument("--lr", type=float, default=20.0)
    p.add_argument("--clip", type=float, default=0.25)
    p.add_argument("--batch", type=int, default=20, help="streams per process")
    p.add_argument("--bptt", type=int, default=35)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--minutes", type=float, default=0, help="wall-clock budget (0: none)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: none)")
    p.add_argument("--seed", type=int, default=1111)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads per process (0: torch's default)")
    p.add_argument("--backend", choices=["gloo", "nccl"], help="default: nccl when CUDA is present, else gloo")
    return p.parse_args(argv)


def setup_distributed(args):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    backend = args.backend or ("nccl" if cuda else "gloo")
    if backend == "nccl" and not cuda:
        raise SystemExit("--backend nccl needs CUDA GPUs")
    device = torch.device(f"cuda:{local}") if backend == "nccl" else torch.device("cpu")
    if backend == "nccl":
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group(backend, init_method="env://")
    return rank, world, device, backend


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    rank, world, device, backend = setup_distributed(args)
    torch.manual_seed(args.seed)  # the same initial weights on every rank
    info, vocab, train_ids, valid_ids = load_tokens(args.data)
    ntoken = len(vocab["words"])
    columns = batchify(train_ids, args.batch * world)
    train = shard_columns(columns, rank, world).contiguous().to(device)
    if train.size(0) < 2:
        raise SystemExit(f"too little training text for {world} x {args.batch} streams: {train_ids.size(0)} tokens")
    ckpt_path = args.checkpoint or os.path.abspath(args.out) + ".ckpt.pt"

    start_epoch, best = 1, math.inf
    if args.resume:
        model, state = load_checkpoint(ckpt_path, device)
        start_epoch = state["epoch"] + 1
        best = state["metrics"].get("valid_ppl", math.inf)
    else:
        model = RNNModel(ntoken, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied).to(device)
    if model.ntoken != ntoken:
        raise SystemExit(f"the checkpoint has {model.ntoken} words, {args.data} has {ntoken}")
    ddp = DistributedDataParallel(model) if world > 1 else model
    opt = (torch.optim.Adam(ddp.parameters(), lr=args.lr) if args.optimizer == "adam"
           else torch.optim.SGD(ddp.parameters(), lr=args.lr))
    if args.resume and "optimizer" in state:
        opt.load_state_dict(state["optimizer"])
    crit = nn.CrossEntropyLoss()

    t0 = time.time()
    steps, tokens = 0, 0
    stop = False
    log = lambda **kv: rank == 0 and print(json.dumps(kv), flush=True)  # noqa: E731
    log(event="start", world=world, backend=backend, device=str(device), vocab=ntoken,
        train_tokens=int(train_ids.size(0)), streams_per_process=args.batch)
    epoch = start_epoch
    for epoch in range(start_epoch, args.epochs + 1):
        ddp.train()
        state_h = model.zero_state(args.batch, device)
        te, epoch_tokens = time.time(), 0
        for i in range(0, train.size(0) - 1, args.bptt):
            n = min(args.bptt, train.size(0) - 1 - i)
            x, y = train[i : i + n], train[i + 1 : i + 1 + n]
            state_h = tuple(s.detach() for s in state_h)
            opt.zero_grad()
            out, state_h = ddp(x, state_h)
            loss = crit(out.view(-1, ntoken), y.reshape(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(ddp.parameters(), args.clip)
            opt.step()
            steps += 1
            epoch_tokens += y.numel() * world
            # Every rank must stop at the same step, or the others wait forever in all-reduce.
            over = (args.minutes and time.time() - t0 >= args.minutes * 60) or (args.max_steps and steps >= args.max_steps)
            flag = torch.tensor([1.0 if over else 0.0], device=device)
            if world > 1:
                dist.all_reduce(flag, op=dist.ReduceOp.MAX)
            if flag.item() > 0:
                stop = True
                break
        tokens += epoch_tokens
        seconds = time.time() - te
        if rank == 0:
            valid_ppl = perplexity(model, valid_ids) if valid_ids.size(0) >= 2 else float("nan")
            log(event="epoch", epoch=epoch, steps=steps, seconds=round(seconds, 2),
                tokens_per_s=round(epoch_tokens / max(seconds, 1e-9), 1), loss=round(loss.item(), 4),
                valid_ppl=round(valid_ppl, 3))
            if not valid_ppl < best and args.optimizer == "sgd":
                for g in opt.param_groups:
                    g["lr"] /= 4.0  # the recipe: anneal when validation stops improving
            best = min(best, valid_ppl) if valid_ppl == valid_ppl else best
            save_checkpoint(ckpt_path, model, opt, epoch, {"valid_ppl": valid_ppl})
        if stop:
            break
    # Proof that the processes trained one model: every replica's weights are bit-identical.
    checksum = torch.stack([p.detach().double().sum() for p in model.parameters()]).sum().reshape(1)
    sums = [torch.zeros_like(checksum) for _ in range(world)]
    if world > 1:
        dist.all_gather(sums, checksum)
    else:
        sums = [checksum]
    if rank == 0:
        model.eval()
        metrics = {"replicas_agree": all(bool(torch.equal(s, sums[0])) for s in sums),
                   "valid_ppl_lstm": perplexity(model, valid_ids) if valid_ids.size(0) >= 2 else None,
                   "tokens": tokens, "seconds": round(time.time() - t0, 2), "steps": steps,
                   "processes": world, "dist_backend": backend}
        export_folder(model, vocab, info, args.out, metrics)
        log(event="done", out=os.path.abspath(args.out), checkpoint=ckpt_path, **metrics,
            tokens_per_s=round(tokens / max(time.time() - t0, 1e-9), 1))
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
