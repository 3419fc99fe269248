#!/usr/bin/env python3
"""The attribution methods of src/attribution in plain PyTorch, at the same settings, on the peer's
Figure 1 CNN (the network of ../shared/peer/torch_peer.py; Captum is not installed here, so its
algorithms are written out): saliency, gradient x input, integrated gradients (trapezoid rule,
black baseline), SmoothGrad (mean |gradient| over noisy copies), Grad-CAM (the last conv layer,
bilinear upsampling), occlusion (every placement of one image in one batch; each pixel the mean
drop of the placements covering it). Inputs go through gradient calls of at most BATCH inputs,
whole images per call, as probelab batches them. y_c is the softmax output, as in probelab.
Prints, as its last line, JSON: milliseconds per image per method (median of REPS after a warm-up).
WEIGHTS=file.json (Keras layout: conv kernels rows x cols x in x out, dense in x out) loads the
weights of probelab's model, and MAPS=file.json writes every method's maps, so that a bench can
check both sides compute the same maps.
usage: THREADS=1 N=16 /usr/bin/python3 bench/torch_attribution.py MNIST_IDX_DIR"""
import json, os, statistics as st, sys, time
from torch_idx import idx
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F

class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1 = nn.Conv2d(1, 12, 3); s.c2 = nn.Conv2d(12, 12, 3); s.c3 = nn.Conv2d(12, 8, 3)
        s.drop = nn.Dropout(0.2); s.fc = nn.Linear(8, 10)
    def features(s, x):  # the last conv layer's output (after its ReLU, as Keras' Conv2D with activation)
        x = F.max_pool2d(F.relu(s.c1(x)), 2); x = F.max_pool2d(F.relu(s.c2(x)), 2)
        return F.relu(s.c3(x))
    def head(s, a):
        return F.softmax(s.fc(s.drop(F.max_pool2d(a, 2).flatten(1))), 1)
    def forward(s, x):
        return s.head(s.features(x))

def gradients(net, X, t, batch):
    out = torch.empty_like(X)
    for i in range(0, len(X), batch):
        x = X[i:i + batch].clone().requires_grad_(True)
        y = net(x).gather(1, t[i:i + batch, None]).sum()
        out[i:i + batch], = torch.autograd.grad(y, x)
    return out

def saliency(net, X, t, batch):
    return gradients(net, X, t, batch).abs().amax(1)

def gradient_x_input(net, X, t, batch):
    return (gradients(net, X, t, batch) * X).sum(1)

def integrated_gradients(net, X, t, batch, steps):
    alphas = torch.linspace(0, 1, steps)
    w = torch.full((steps,), 1 / (steps - 1)); w[0] /= 2; w[-1] /= 2
    per_group = max(1, batch // steps); maps = []
    for i in range(0, len(X), per_group):
        x = X[i:i + per_group]; b = torch.zeros_like(x); g = len(x)
        path = (b[:, None] + alphas[None, :, None, None, None] * (x - b)[:, None]).reshape(g * steps, *x.shape[1:])
        grads = gradients(net, path, t[i:i + g].repeat_interleave(steps), batch).reshape(g, steps, *x.shape[1:])
        maps.append(((x - b) * (w[None, :, None, None, None] * grads).sum(1)).sum(1))
    return torch.cat(maps)

def smoothgrad(net, X, t, batch, samples, noise, seed):
    gen = torch.Generator().manual_seed(seed)
    per_group = max(1, batch // samples); maps = []
    for i in range(0, len(X), per_group):
        x = X[i:i + per_group]; g = len(x)
        sigma = noise * (x.flatten(1).amax(1) - x.flatten(1).amin(1))
        noisy = x[:, None] + sigma[:, None, None, None, None] * torch.randn((g, samples, *x.shape[1:]), generator=gen)
        grads = gradients(net, noisy.reshape(g * samples, *x.shape[1:]), t[i:i + g].repeat_interleave(samples), batch)
        maps.append(grads.abs().amax(1).reshape(g, samples, *x.shape[2:]).mean(1))
    return torch.cat(maps)

def grad_cam(net, X, t, batch):
    maps = []
    for i in range(0, len(X), batch):
        a = net.features(X[i:i + batch]).detach().requires_grad_(True)
        y = net.head(a).gather(1, t[i:i + batch, None]).sum()
        g, = torch.autograd.grad(y, a)
        cam = F.relu((g.mean((2, 3), keepdim=True) * a).sum(1, keepdim=True))
        maps.append(F.interpolate(cam, size=X.shape[2:], mode='bilinear', align_corners=False)[:, 0].detach())
    return torch.cat(maps)

def occlusion(net, X, t, patch, stride):
    rows, cols = X.shape[2:]; maps = []
    r_off = range(0, rows - patch + 1, stride); c_off = range(0, cols - patch + 1, stride)
    ones = torch.ones(1, 1, patch, patch)
    with torch.no_grad():
        for i in range(len(X)):
            x = X[i]; copies = x.repeat(len(r_off) * len(c_off) + 1, 1, 1, 1)
            k = 1
            for r in r_off:
                for c in c_off:
                    copies[k, :, r:r + patch, c:c + patch] = 0; k += 1
            p = net(copies)[:, t[i]]
            drop = (p[0] - p[1:]).reshape(1, 1, len(r_off), len(c_off))
            total = F.conv_transpose2d(drop, ones, stride=stride)
            count = F.conv_transpose2d(torch.ones_like(drop), ones, stride=stride)
            m = torch.zeros(rows, cols); h, w = total.shape[2:]
            m[:h, :w] = torch.where(count[0, 0] > 0, total[0, 0] / count[0, 0].clamp(min=1), torch.zeros(()))
            maps.append(m)
    return torch.stack(maps)

def main():
    torch.set_num_threads(int(os.environ.get('THREADS', '1')))
    n = int(os.environ.get('N', '16')); batch = int(os.environ.get('BATCH', '256'))
    reps = int(os.environ.get('REPS', '3'))
    steps = int(os.environ.get('STEPS', '64')); samples = int(os.environ.get('SAMPLES', '50'))
    X = torch.tensor(idx(os.path.join(sys.argv[1], 'train-images-idx3-ubyte'))[:n], dtype=torch.float32).unsqueeze(1) / 255
    t = torch.tensor(idx(os.path.join(sys.argv[1], 'train-labels-idx1-ubyte'))[:n].astype(np.int64))
    torch.manual_seed(1); net = Net().eval()
    if os.environ.get('WEIGHTS'):
        w = json.load(open(os.environ['WEIGHTS']))
        with torch.no_grad():
            for name in ['c1', 'c2', 'c3']:
                getattr(net, name).weight.copy_(torch.tensor(w[name]['kernel']).permute(3, 2, 0, 1))
                getattr(net, name).bias.copy_(torch.tensor(w[name]['bias']))
            net.fc.weight.copy_(torch.tensor(w['fc']['kernel']).t()); net.fc.bias.copy_(torch.tensor(w['fc']['bias']))
    methods = {
        'saliency': lambda: saliency(net, X, t, batch),
        'gradient-x-input': lambda: gradient_x_input(net, X, t, batch),
        'integrated-gradients': lambda: integrated_gradients(net, X, t, batch, steps),
        'smoothgrad': lambda: smoothgrad(net, X, t, batch, samples, 0.15, 0),
        'grad-cam': lambda: grad_cam(net, X, t, batch),
        'occlusion': lambda: occlusion(net, X, t, 8, 1),
    }
    out = {}; written = {}
    for name, run in methods.items():
        maps = run()
        assert maps.shape == (n, 28, 28), (name, maps.shape)
        written[name] = maps.flatten().tolist()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter(); run(); times.append((time.perf_counter() - t0) * 1000 / n)
        out[name] = round(st.median(times), 4)
    if os.environ.get('MAPS'): json.dump(written, open(os.environ['MAPS'], 'w'))
    print(json.dumps({'peer': 'pytorch ' + torch.__version__, 'images': n, 'ms_per_image': out}))

main()
