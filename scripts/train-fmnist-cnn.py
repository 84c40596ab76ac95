#!/usr/bin/python3
"""Trains the float32 Fashion-MNIST CNN and exports it with torch.onnx.export.

    sudo apt-get install python3-torch python3-onnx dataset-fashion-mnist
    /usr/bin/python3 scripts/train-fmnist-cnn.py [--epochs 12] [--seed 1] [--threads 1]
    npm run card -- models/fmnist-cnn.onnx

Writes models/fmnist-cnn.onnx and the card's descriptive and training fields
(models/fmnist-cnn.card.json); scripts/card.ts then measures the shipped
file with onnxruntime-node over the full test set and completes the card.

Deterministic for a given seed and thread count: seeded initialisation and
shuffle, deterministic algorithms only, no data augmentation.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import onnx
import torch
from torch import nn

CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
# What the graph may contain: every node is checked one element at a time on
# chain, so the exporter must not leave shape arithmetic (Shape/Gather/Constant).
ALLOWED_OPS = {"Conv", "Relu", "MaxPool", "Flatten", "Gemm"}
OPSET = 17


def read_idx(path, rank):
    """An IDX file of unsigned bytes (plain or gzip), as a numpy array."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08 or raw[3] != rank:
        raise ValueError(f"{path}: not a rank-{rank} unsigned-byte IDX file")
    dims = struct.unpack(f">{rank}I", raw[4 : 4 + 4 * rank])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {dims}, file holds {data.size} bytes")
    return data.reshape(dims)


def locate(base, directory):
    for name in (base, base + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(
        f"{base}[.gz] not in {directory}: install Debian's dataset-fashion-mnist "
        "or set REFUTE_FMNIST_DIR"
    )


def load_split(directory, prefix):
    images = read_idx(locate(f"{prefix}-images-idx3-ubyte", directory), 3)
    labels = read_idx(locate(f"{prefix}-labels-idx1-ubyte", directory), 1)
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f"{prefix}: images {images.shape} do not match labels {labels.shape}")
    # The preprocessing the card states: pixel / 255 in float32.
    x = torch.from_numpy(images.astype(np.float32) / np.float32(255)).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


class FmnistCnn(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, hidden),
            nn.ReLU(),
            nn.Linear(hidden, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def accuracy(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            correct += (model(x[i : i + batch]).argmax(1) == y[i : i + batch]).sum().item()
    return correct / x.shape[0]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(here, "..", "models"))
    args = parser.parse_args()
    if args.epochs < 1 or args.batch < 1 or args.hidden < 1 or not args.lr > 0:
        parser.error("--epochs, --batch, --hidden and --lr must be positive")
    if not 1 <= args.threads <= 2:
        parser.error("--threads must be 1 or 2 (results depend on it)")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    directory = os.environ.get("REFUTE_FMNIST_DIR") or "/usr/share/datasets/fashion-mnist"
    x_train, y_train = load_split(directory, "train")
    x_test, y_test = load_split(directory, "t10k")
    print(f"dataset: {directory}: train {x_train.shape[0]}, test {x_test.shape[0]}")

    model = FmnistCnn(args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (x_train.shape[0] + args.batch - 1) // args.batch
    # Cosine decay to zero: the last epochs settle instead of bouncing around.
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(args.seed)

    started = time.time()
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        order = torch.randperm(x_train.shape[0], generator=shuffle)
        total = 0.0
        for i in range(0, x_train.shape[0], args.batch):
            idx = order[i : i + args.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * idx.shape[0]
        print(
            f"epoch {epoch}/{args.epochs}: loss {total / x_train.shape[0]:.4f}  "
            f"test {100 * accuracy(model, x_test, y_test):.2f}%  {time.time() - t0:.1f}s",
            flush=True,
        )
    seconds = time.time() - started

    model.eval()
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "fmnist-cnn.onnx")
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 28, 28),
        onnx_path,
        opset_version=OPSET,
        input_names=["input"],
        output_names=["logits"],
        do_constant_folding=True,
    )
    exported = onnx.load(onnx_path)
    onnx.checker.check_model(exported)
    ops = [n.op_type for n in exported.graph.node]
    if not set(ops) <= ALLOWED_OPS:
        raise RuntimeError(f"exported graph has ops outside {sorted(ALLOWED_OPS)}: {ops}")
    print(f"wrote {onnx_path}: {' -> '.join(ops)}")

    card = {
        "name": "fmnist-cnn",
        "profile": "float32",
        "dataset": "Fashion-MNIST (Zalando), Debian dataset-fashion-mnist",
        "task": "10-class image classification (clothing), one image per inference",
        "architecture": (
            "CNN: Conv 1->16 3x3 pad 1, ReLU, MaxPool 2; Conv 16->32 3x3 pad 1, ReLU, MaxPool 2; "
            f"Flatten; Gemm 1568->{args.hidden}, ReLU; Gemm {args.hidden}->10; float32 throughout"
        ),
        "input": {
            "name": "input",
            "dtype": "float32",
            "shape": [1, 1, 28, 28],
            "preprocessing": "pixel/255 in float32 for pixel p in 0..255, image row-major",
        },
        "output": {
            "name": "logits",
            "dtype": "float32",
            "shape": [1, 10],
            "meaning": "class logits; the predicted class is the index of the largest",
            "labels": CLASS_NAMES,
        },
        "training": {
            "framework": f"PyTorch {torch.__version__} (Debian python3-torch), CPU, {args.threads} thread(s)",
            "export": f"torch.onnx.export, opset {OPSET}, do_constant_folding=True, batch fixed to 1",
            "seed": args.seed,
            "epochs": args.epochs,
            "hidden": args.hidden,
            "batchSize": args.batch,
            "optimizer": "Adam (beta1 0.9, beta2 0.999, eps 1e-8), cosine learning-rate decay to 0",
            "learningRate": args.lr,
            "loss": "softmax cross-entropy",
            "augmentation": "none",
            "trainImages": int(x_train.shape[0]),
            "durationSeconds": round(seconds, 1),
            "script": "/usr/bin/python3 scripts/train-fmnist-cnn.py "
            f"--seed {args.seed} --epochs {args.epochs} --threads {args.threads}",
        },
    }
    card_path = os.path.join(args.out, "fmnist-cnn.card.json")
    with open(card_path, "w") as f:
        f.write(json.dumps(card, indent=2) + "\n")
    print(f"wrote {card_path} (run npm run card -- {onnx_path} to measure and complete it)")


if __name__ == "__main__":
    main()
