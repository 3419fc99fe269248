#!/usr/bin/env python3
"""PyTorch's time per training step of Figure 1, plain and with batch normalization after each
convolution (conv -> batch norm -> relu -> pool), as a reference for the batch-norm step-time
claim: the same networks, optimizer (Adam 1e-3) and loss as probelab trains, one thread, random
images (a step's time does not depend on the pixels). Rounds alternate which network goes first;
each round runs WARMUP untimed steps, then TIMED steps, and keeps their median.
usage: python3 torch-step-time.py BATCH_SIZES WARMUP TIMED ROUNDS   (e.g. 2,32,128 5 30 3)
Prints one JSON object: {"torch": version, "threads": 1, "timings": [{"batchSize", "plainMs", "batchNormMs"}]}."""
import json, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F


class Figure1(nn.Module):
    def __init__(self, batch_norm):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(1, 12, 3), nn.Conv2d(12, 12, 3), nn.Conv2d(12, 8, 3)])
        norm = (lambda c: nn.BatchNorm2d(c, momentum=0.01, eps=1e-3)) if batch_norm else (lambda c: nn.Identity())
        self.norms = nn.ModuleList([norm(12), norm(12), norm(8)])
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        for conv, norm in zip(self.convs, self.norms):
            x = F.max_pool2d(F.relu(norm(conv(x))), 2)
        return self.fc(self.drop(x.flatten(1)))


def round_median(net, opt, x, y, warmup, timed):
    """Median ms of `timed` steps after `warmup` untimed ones."""
    times = []
    for step in range(warmup + timed):
        start = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
        if step >= warmup:
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main():
    batch_sizes = [int(b) for b in sys.argv[1].split(',')]
    warmup, timed, rounds = (int(a) for a in sys.argv[2:5])
    torch.set_num_threads(1)
    torch.manual_seed(1)
    timings = []
    for batch in batch_sizes:
        x = torch.rand(batch, 1, 28, 28)
        y = torch.randint(0, 10, (batch,))
        nets = [Figure1(False).train(), Figure1(True).train()]
        opts = [torch.optim.Adam(n.parameters(), 1e-3) for n in nets]
        per_round = [[], []]
        for r in range(rounds):
            for which in ([0, 1] if r % 2 == 0 else [1, 0]):
                per_round[which].append(round_median(nets[which], opts[which], x, y, warmup, timed))
        timings.append({'batchSize': batch, 'plainMs': statistics.median(per_round[0]),
                        'batchNormMs': statistics.median(per_round[1])})
    print(json.dumps({'torch': torch.__version__, 'threads': 1, 'timings': timings}))


if __name__ == '__main__':
    main()
