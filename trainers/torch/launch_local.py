"""Start N training processes on this machine with the env:// rendezvous variables torchrun
would set (MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE), for a torch whose torchrun
does not start (Debian's torch 1.13 on Python 3.11 dies in elastic's `to_map`):
    python3 trainers/torch/launch_local.py --nproc 2 -- trainers/torch/train_ddp.py --data T --out M
Exits with the first non-zero exit status, after stopping the other processes."""
import argparse
import os
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nproc", type=int, default=2)
    p.add_argument("script", nargs=argparse.REMAINDER, help="-- script.py [its arguments]")
    a = p.parse_args()
    script = a.script[1:] if a.script[:1] == ["--"] else a.script
    if not script:
        p.error("give the training script after --")
    port = str(free_port())
    procs = []
    for rank in range(a.nproc):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, RANK=str(rank),
                   LOCAL_RANK=str(rank), WORLD_SIZE=str(a.nproc), LOCAL_WORLD_SIZE=str(a.nproc))
        procs.append(subprocess.Popen([sys.executable, *script], env=env))
    status = 0
    while procs:
        for proc in list(procs):
            code = proc.poll()
            if code is None:
                continue
            procs.remove(proc)
            if code != 0 and status == 0:
                status = code
                for other in procs:
                    other.terminate()
        time.sleep(0.1)
    sys.exit(status)


if __name__ == "__main__":
    main()
