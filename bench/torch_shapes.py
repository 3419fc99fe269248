#!/usr/bin/env python3
"""Training and inference throughput in PyTorch of the two networks of bench/shapes.ts, written as a
user would write them:
  wide  - configs/architectures.json's `wide` on real MNIST (28x28x1): conv 24 3x3 relu, max pool 2,
          conv 48 3x3 relu, max pool 2, flatten, dropout 0.25, dense 10;
  cifar - RGB 32x32x3 on seeded synthetic images: conv 32, conv 32, max pool 2, conv 64, conv 64,
          max pool 2 (3x3, relu, no padding), flatten, dense 10.
Training: Adam 1e-3, cross-entropy, batch BS, a warm-up of 20 steps, then the median of 3 passes over
TRAIN_N images. Inference: eval mode, no grad, batches of BS, a warm-up pass, then the median of 5
passes over INFER_N images.
usage: NET=wide THREADS=1 BS=32 TRAIN_N=4096 INFER_N=4096 /usr/bin/python3 bench/torch_shapes.py MNIST_IDX_DIR
The last line printed is one JSON object, for bench/shapes.ts to parse."""
import json, os, statistics as st, sys, time
from torch_idx import idx
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

def wide():
    return nn.Sequential(nn.Conv2d(1, 24, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(24, 48, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.25), nn.Linear(1200, 10))

def cifar():
    return nn.Sequential(nn.Conv2d(3, 32, 3), nn.ReLU(), nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3), nn.ReLU(), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(1600, 10))

def data(net, n, mnist_dir):
    if net == 'wide':
        X = torch.tensor(idx(os.path.join(mnist_dir, 'train-images-idx3-ubyte'))[:n], dtype=torch.float32).unsqueeze(1) / 255
        Y = torch.tensor(idx(os.path.join(mnist_dir, 'train-labels-idx1-ubyte'))[:n].astype(np.int64))
        return X, Y
    rng = np.random.default_rng(1)
    X = torch.tensor(rng.integers(0, 256, (n, 3, 32, 32), dtype=np.uint8), dtype=torch.float32) / 255
    return X, torch.tensor(rng.integers(0, 10, n))

def main():
    torch.set_num_threads(int(os.environ.get('THREADS', '1')))
    name = os.environ.get('NET', 'wide'); bs = int(os.environ.get('BS', '32'))
    train_n = int(os.environ.get('TRAIN_N', '4096')); infer_n = int(os.environ.get('INFER_N', '4096'))
    X, Y = data(name, max(train_n, infer_n), sys.argv[1])
    torch.manual_seed(1); net = {'wide': wide, 'cifar': cifar}[name](); opt = torch.optim.Adam(net.parameters(), 1e-3)
    def epoch(count):
        for i in range(0, count, bs):
            opt.zero_grad(); F.cross_entropy(net(X[i:i+bs]), Y[i:i+bs]).backward(); opt.step()
    net.train(); epoch(min(train_n, 20 * bs))
    rates = []
    for _ in range(3):
        t0 = time.perf_counter(); epoch(train_n); rates.append(train_n / (time.perf_counter() - t0))
    net.eval()
    def infer():
        with torch.no_grad():
            for i in range(0, infer_n, bs): F.softmax(net(X[i:i+bs]), 1)
    infer()
    infer_rates = []
    for _ in range(5):
        t0 = time.perf_counter(); infer(); infer_rates.append(infer_n / (time.perf_counter() - t0))
    print(json.dumps({'peer': 'pytorch ' + torch.__version__, 'net': name, 'batch': bs,
                      'train_images_per_s': round(st.median(rates)), 'infer_images_per_s': round(st.median(infer_rates))}))

main()
