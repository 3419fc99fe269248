#!/usr/bin/env python3
"""Inference throughput of the PyTorch peer's Figure 1 CNN (the network of ../shared/peer/torch_peer.py,
written out again here since that script runs on import): images/s predicting the first N training
images of MNIST at batch 1,000, eval mode, no grad, median of 5 passes after a warm-up.
usage: THREADS=1 /usr/bin/python3 bench/torch_inference.py MNIST_IDX_DIR   (last line: JSON)"""
import json, os, statistics as st, sys, time
from torch_idx import idx
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 12, 3); s.c2 = nn.Conv2d(12, 12, 3); s.c3 = nn.Conv2d(12, 8, 3)
        s.drop = nn.Dropout(0.2); s.fc = nn.Linear(8, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c1(x)), 2); x = F.max_pool2d(F.relu(s.c2(x)), 2)
        x = F.max_pool2d(F.relu(s.c3(x)), 2); return F.softmax(s.fc(s.drop(x.flatten(1))), 1)

def main():
    torch.set_num_threads(int(os.environ.get('THREADS', '1')))
    n = int(os.environ.get('INFER_N', '10000')); bs = int(os.environ.get('BS', '1000'))
    X = torch.tensor(idx(os.path.join(sys.argv[1], 'train-images-idx3-ubyte'))[:n], dtype=torch.float32).unsqueeze(1) / 255
    torch.manual_seed(1); net = Net().eval()
    def one_pass():
        with torch.no_grad():
            for i in range(0, n, bs): net(X[i:i+bs])
    one_pass()
    rates = []
    for _ in range(5):
        t0 = time.perf_counter(); one_pass(); rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({'peer': 'pytorch ' + torch.__version__, 'batch': bs, 'infer_images_per_s': round(st.median(rates))}))

main()
