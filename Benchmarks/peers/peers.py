#!/usr/bin/env python3
"""The benchmark workloads of Benchmarks/README.md in PyTorch (eager, CPU), NumPy and JAX.

One workload in one framework per process, printing JSON lines in the same form as
`swift run -c release NNBenchmark`, so that compare.py can interleave them:

    python3 peers.py FRAMEWORK WORKLOAD [--threads N] [--epochs N] [--samples N]
                     [--batch N] [--hidden N] [--data FOLDER]

FRAMEWORK: torch | numpy | jax.  WORKLOAD: sin | mazur | mlp | small-mlp | matmul | inference | cnn | lstm.
Exits with status 3 when the framework does not implement the workload (the table shows —).
"""
import argparse
import gzip
import json
import math
import os
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NOT_IMPLEMENTED = 3


def emit(framework, workload, threads, **values):
    print(json.dumps({"framework": framework, "workload": workload, "threads": threads, **values}), flush=True)


def median_seconds(call, repetitions, samples):
    """The median over `samples` timings (after one warm-up timing) of `repetitions` calls, per call."""
    times = []
    for _ in range(samples + 1):
        start = time.perf_counter()
        for _ in range(repetitions):
            call()
        times.append((time.perf_counter() - start) / repetitions)
    return sorted(times[1:])[samples // 2]


def peak_memory_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fashion_mnist(folder, samples):
    import numpy as np

    def read(name, offset):
        for path in (f"{folder}/{name}.gz", f"{folder}/{name}"):
            if os.path.exists(path):
                opener = gzip.open if path.endswith(".gz") else open
                with opener(path, "rb") as handle:
                    return np.frombuffer(handle.read(), dtype=np.uint8, offset=offset)
        sys.exit(f"peers.py: {folder}/{name}(.gz) not found (apt-get install dataset-fashion-mnist)")

    train_x = read("train-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255
    train_y = read("train-labels-idx1-ubyte", 8).astype(np.int64)
    test_x = read("t10k-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255
    test_y = read("t10k-labels-idx1-ubyte", 8).astype(np.int64)
    if samples:
        train_x, train_y = train_x[:samples], train_y[:samples]
    return train_x, train_y, test_x, test_y


def sin_data():
    import numpy as np
    rng = np.random.default_rng(1)
    xs = rng.uniform(-math.pi, math.pi, 450).astype(np.float32)
    return xs, np.sin(xs).astype(np.float32)


# ---------------------------------------------------------------- PyTorch (eager, CPU)

def train_torch_epochs(model, optimizer, loss_function, x, y, batch, epochs):
    """Shuffled mini-batch training, as the Fashion-MNIST workloads run it; returns seconds."""
    import torch
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for first in range(0, len(x), batch):
            indices = order[first:first + batch]
            optimizer.zero_grad()
            loss_function(model(x[indices]), y[indices]).backward()
            optimizer.step()
    return time.perf_counter() - start

def run_torch(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    nn = torch.nn
    w = args.workload

    if w == "sin":
        xs, ts = sin_data()
        x, t = torch.from_numpy(xs).view(-1, 1, 1), torch.from_numpy(ts).view(-1, 1, 1)
        model = nn.Sequential(nn.Linear(1, 40), nn.Tanh(), nn.Linear(40, 1))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.005)
        epochs = args.epochs or 20
        start = time.perf_counter()
        for _ in range(epochs):
            for i in torch.randperm(450).tolist():
                optimizer.zero_grad()
                loss = 0.5 * ((model(x[i]) - t[i]) ** 2).sum()
                loss.backward()
                optimizer.step()
        seconds = time.perf_counter() - start
        steps = 450 * epochs
        emit("torch", w, args.threads, epochs=epochs, seconds=seconds, us_per_step=seconds / steps * 1e6,
             lesson_seconds=seconds / steps * 450_000, final_loss=loss.item())
    elif w == "mazur":
        hidden, output = nn.Linear(2, 2), nn.Linear(2, 2)
        with torch.no_grad():
            hidden.weight.copy_(torch.tensor([[0.15, 0.20], [0.25, 0.30]]))
            hidden.bias.fill_(0.35)
            output.weight.copy_(torch.tensor([[0.40, 0.45], [0.50, 0.55]]))
            output.bias.fill_(0.60)
        hidden.bias.requires_grad_(False)
        output.bias.requires_grad_(False)
        model = nn.Sequential(hidden, nn.Sigmoid(), output, nn.Sigmoid())
        optimizer = torch.optim.SGD([hidden.weight, output.weight], lr=0.5)
        x, t = torch.tensor([[0.05, 0.10]]), torch.tensor([[0.01, 0.99]])
        updates = args.epochs or 10_000
        start = time.perf_counter()
        for _ in range(updates):
            optimizer.zero_grad()
            loss = 0.5 * ((model(x) - t) ** 2).sum()
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        emit("torch", w, args.threads, updates=updates, seconds=seconds, us_per_update=seconds / updates * 1e6,
             final_loss=loss.item())
    elif w in ("mlp", "small-mlp"):
        relu = w == "mlp"
        sizes = [784, args.hidden or 256, 128, 10] if relu else [784, args.hidden or 64, 10]
        batch = args.batch or (64 if relu else 32)
        train_x, train_y, test_x, test_y = fashion_mnist(args.data, args.samples)
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(nn.ReLU() if relu else nn.Tanh())
        model = nn.Sequential(*layers)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001) if relu else torch.optim.SGD(model.parameters(), lr=0.1)
        loss_function = nn.CrossEntropyLoss()
        x, y = torch.from_numpy(train_x), torch.from_numpy(train_y)
        epochs = args.epochs or 1
        seconds = train_torch_epochs(model, optimizer, loss_function, x, y, batch, epochs)
        with torch.no_grad():
            accuracy = float((model(torch.from_numpy(test_x)).argmax(1) == torch.from_numpy(test_y)).float().mean())
        emit("torch", w, args.threads, layers="-".join(map(str, sizes)), batch=batch, epochs=epochs, samples=len(x),
             seconds=seconds, seconds_per_epoch=seconds / epochs * 60_000 / len(x), test_accuracy=accuracy,
             peak_memory_mb=peak_memory_mb())
    elif w == "matmul":
        for size in (1024, 256):
            a, b = torch.rand(size, size), torch.rand(size, size)
            flops = 2 * size ** 3
            seconds = median_seconds(lambda: torch.mm(a, b), max(1, int(2e10 / flops)), 5)
            emit("torch", w, args.threads, size=size, gflops=flops / seconds / 1e9)
    elif w == "inference":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
        for batch in (1, 1000):
            x = torch.rand(batch, 784)
            with torch.no_grad():
                seconds = median_seconds(lambda: model(x), 2000 if batch == 1 else 20, 6)
            emit("torch", w, args.threads, batch=batch, us_per_call=seconds * 1e6)
    elif w == "cnn":
        # The layers issue's network; PyTorch is channels-first, the layers are the same.
        batch = args.batch or 64
        train_x, train_y, test_x, test_y = fashion_mnist(args.data, args.samples)
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Dropout(0.3), nn.Linear(128, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_function = nn.CrossEntropyLoss()
        x, y = torch.from_numpy(train_x).view(-1, 1, 28, 28), torch.from_numpy(train_y)
        epochs = args.epochs or 1
        model.train()
        seconds = train_torch_epochs(model, optimizer, loss_function, x, y, batch, epochs)
        model.eval()
        with torch.no_grad():
            predictions = torch.cat([model(torch.from_numpy(test_x[i:i + 1000]).view(-1, 1, 28, 28)).argmax(1)
                                     for i in range(0, len(test_x), 1000)])
            accuracy = float((predictions == torch.from_numpy(test_y)).float().mean())
        emit("torch", w, args.threads, batch=batch, epochs=epochs, samples=len(x), seconds=seconds,
             seconds_per_epoch=seconds / epochs * 60_000 / len(x), test_accuracy=accuracy, peak_memory_mb=peak_memory_mb())
    elif w == "lstm":
        # The sequence issue's character model, on the same two files and the same windows.
        batch = args.batch or 64
        folder = args.data if args.data != "/usr/share/datasets/fashion-mnist" else os.path.join(ROOT, ".build", "words")
        train_x, train_y, vocabulary = word_windows(os.path.join(folder, "words-train.txt"))
        valid_x, valid_y, _ = word_windows(os.path.join(folder, "words-validation.txt"), vocabulary)

        class CharacterModel(nn.Module):
            def __init__(self, classes):
                super().__init__()
                self.embedding = nn.Embedding(classes, 32)
                self.lstm = nn.LSTM(32, 128, batch_first=True)
                self.output = nn.Linear(128, classes)

            def forward(self, ids):
                return self.output(self.lstm(self.embedding(ids))[0])

        classes = len(vocabulary) + 1
        model = CharacterModel(classes)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
        loss_function = nn.CrossEntropyLoss(ignore_index=-1)
        x, y = torch.from_numpy(train_x), torch.from_numpy(train_y)
        epochs = args.epochs or 1
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(len(x))
            for first in range(0, len(x), batch):
                indices = order[first:first + batch]
                optimizer.zero_grad()
                loss_function(model(x[indices]).reshape(-1, classes), y[indices].reshape(-1)).backward()
                optimizer.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            vx, vy = torch.from_numpy(valid_x), torch.from_numpy(valid_y)
            total = sum(float(nn.functional.cross_entropy(model(vx[i:i + 256]).reshape(-1, classes), vy[i:i + 256].reshape(-1),
                                                          ignore_index=-1, reduction="sum")) for i in range(0, len(vx), 256))
            validation_loss = total / int((vy != -1).sum())
        emit("torch", w, args.threads, batch=batch, epochs=epochs, samples=len(x), seconds=seconds,
             seconds_per_epoch=seconds / epochs, validation_loss=validation_loss, peak_memory_mb=peak_memory_mb())
    else:
        return NOT_IMPLEMENTED
    return 0


def word_windows(path, vocabulary=None, context=16):
    """swift-nn's CharacterCorpus windows: id 0 starts and ends each line, the characters
    sorted from 1; a line runs over windows of `context` steps, the last one padded (input 0,
    target -1). Returns (inputs, targets) as int64 arrays and the vocabulary."""
    import numpy as np
    if not os.path.exists(path):
        sys.exit(f"peers.py: {path} is missing (python3 Benchmarks/words.py writes it)")
    with open(path, encoding="utf-8") as file:
        lines = [line.rstrip("\r\n") for line in file if line.rstrip("\r\n")]
    if vocabulary is None:
        vocabulary = sorted(set("".join(lines)))
    ids = {character: index + 1 for index, character in enumerate(vocabulary)}
    inputs, targets = [], []
    for line in lines:
        tokens = [0] + [ids[c] for c in line] + [0]
        for start in range(0, len(tokens) - 1, context):
            window = [(tokens[p], tokens[p + 1]) if p + 1 < len(tokens) else (0, -1) for p in range(start, start + context)]
            inputs.append([a for a, _ in window])
            targets.append([b for _, b in window])
    return np.array(inputs, dtype=np.int64), np.array(targets, dtype=np.int64), vocabulary


# ---------------------------------------------------------------- NumPy (vectorised per sample, as in the lessons)

def run_numpy(args):
    import numpy as np
    rng = np.random.default_rng(1)
    w = args.workload
    if w == "csv":
        start = time.perf_counter()
        table = np.loadtxt(args.data, delimiter=",", skiprows=1, dtype=np.float32)
        seconds = time.perf_counter() - start
        emit("numpy", w, args.threads, rows=table.shape[0], columns=table.shape[1], seconds=seconds,
             peak_memory_mb=peak_memory_mb(), data_mb=table.nbytes / 1e6)
        return 0

    if w == "sin":
        # The strongest per-sample NumPy we could write: 1-D arrays, preallocated buffers,
        # in-place ufuncs with out=, Python floats for the scalars, no reshapes or matrices
        # (a matrix-per-sample version ran about 1.8× slower).
        xs, ts = sin_data()
        bound1, bound2 = 1.0, 1 / math.sqrt(40)
        w1 = rng.uniform(-bound1, bound1, 40).astype(np.float32)
        b1 = rng.uniform(-bound1, bound1, 40).astype(np.float32)
        w2 = rng.uniform(-bound2, bound2, 40).astype(np.float32)
        b2 = float(rng.uniform(-bound2, bound2))
        lr = 0.005
        h, dh, scratch = (np.empty(40, dtype=np.float32) for _ in range(3))
        xs_list, ts_list = [float(v) for v in xs.reshape(-1)], [float(v) for v in ts.reshape(-1)]
        epochs = args.epochs or 100
        start = time.perf_counter()
        for _ in range(epochs):
            for i in rng.permutation(450).tolist():
                x, t = xs_list[i], ts_list[i]
                np.multiply(w1, x, out=h)
                h += b1
                np.tanh(h, out=h)
                dy = float(np.dot(w2, h)) + b2 - t
                np.multiply(h, h, out=dh)                # dh = w2·dy·(1 − h²)
                np.subtract(1.0, dh, out=dh)
                dh *= w2
                dh *= dy
                np.multiply(h, -lr * dy, out=scratch)
                w2 += scratch
                b2 -= lr * dy
                dh *= -lr
                b1 += dh
                dh *= x
                w1 += dh
        seconds = time.perf_counter() - start
        steps = 450 * epochs
        emit("numpy", w, args.threads, epochs=epochs, seconds=seconds, us_per_step=seconds / steps * 1e6,
             lesson_seconds=seconds / steps * 450_000, final_loss=float(0.5 * dy ** 2))
    elif w == "mazur":
        w1 = np.array([[0.15, 0.20], [0.25, 0.30]], dtype=np.float32)
        w2 = np.array([[0.40, 0.45], [0.50, 0.55]], dtype=np.float32)
        b1, b2 = np.float32(0.35), np.float32(0.60)
        x, t = np.array([[0.05], [0.10]], dtype=np.float32), np.array([[0.01], [0.99]], dtype=np.float32)
        updates = args.epochs or 10_000
        start = time.perf_counter()
        for _ in range(updates):
            h = 1 / (1 + np.exp(-(w1 @ x + b1)))
            y = 1 / (1 + np.exp(-(w2 @ h + b2)))
            delta2 = (y - t) * y * (1 - y)
            delta1 = (w2.T @ delta2) * h * (1 - h)
            w2 -= 0.5 * delta2 @ h.T
            w1 -= 0.5 * delta1 @ x.T
        seconds = time.perf_counter() - start
        emit("numpy", w, args.threads, updates=updates, seconds=seconds, us_per_update=seconds / updates * 1e6,
             final_loss=float(0.5 * ((y - t) ** 2).sum()))
    elif w == "matmul":
        for size in (1024, 256):
            a = rng.random((size, size), dtype=np.float32)
            b = rng.random((size, size), dtype=np.float32)
            flops = 2 * size ** 3
            seconds = median_seconds(lambda: a @ b, max(1, int(2e10 / flops)), 5)
            emit("numpy", w, args.threads, size=size, gflops=flops / seconds / 1e9,
                 openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", "auto"))
    elif w == "inference":
        sizes = [784, 256, 128, 10]
        weights = [rng.standard_normal((sizes[i], sizes[i + 1]), dtype=np.float32) * 0.05 for i in range(3)]
        biases = [np.zeros(sizes[i + 1], dtype=np.float32) for i in range(3)]
        for batch in (1, 1000):
            x = rng.random((batch, 784), dtype=np.float32)

            def forward():
                h = x
                for i in range(3):
                    h = h @ weights[i] + biases[i]
                    if i < 2:
                        np.maximum(h, 0, out=h)

            seconds = median_seconds(forward, 2000 if batch == 1 else 20, 6)
            emit("numpy", w, args.threads, batch=batch, us_per_call=seconds * 1e6)
    else:
        return NOT_IMPLEMENTED
    return 0


# ---------------------------------------------------------------- pandas (its C parser)

def run_pandas(args):
    if args.workload != "csv":
        return NOT_IMPLEMENTED
    import pandas as pd
    start = time.perf_counter()
    table = pd.read_csv(args.data, dtype="float32")
    seconds = time.perf_counter() - start
    emit("pandas", "csv", args.threads, rows=table.shape[0], columns=table.shape[1], seconds=seconds,
         peak_memory_mb=peak_memory_mb(), data_mb=table.memory_usage(index=False).sum() / 1e6)
    return 0


# ---------------------------------------------------------------- JAX (jit-compiled train step)

def run_jax(args):
    w = args.workload
    if w not in ("mlp", "small-mlp"):
        return NOT_IMPLEMENTED
    import jax
    import jax.numpy as jnp
    import numpy as np
    relu = w == "mlp"
    sizes = [784, args.hidden or 256, 128, 10] if relu else [784, args.hidden or 64, 10]
    batch = args.batch or (64 if relu else 32)
    train_x, train_y, test_x, test_y = fashion_mnist(args.data, args.samples)
    key = jax.random.PRNGKey(1)
    params = []
    for i in range(len(sizes) - 1):
        key, sub = jax.random.split(key)
        bound = math.sqrt(6 / sizes[i]) if relu else math.sqrt(6 / (sizes[i] + sizes[i + 1]))
        params.append((jax.random.uniform(sub, (sizes[i], sizes[i + 1]), minval=-bound, maxval=bound), jnp.zeros(sizes[i + 1])))

    def forward(params, x):
        for i, (weight, bias) in enumerate(params):
            x = x @ weight + bias
            if i < len(params) - 1:
                x = jax.nn.relu(x) if relu else jnp.tanh(x)
        return x

    def loss(params, x, y):
        logits = forward(params, x)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    if relu:  # Adam, written out (optax is not required)
        state = jax.tree_util.tree_map(jnp.zeros_like, params), jax.tree_util.tree_map(jnp.zeros_like, params), 0

        @jax.jit
        def step(params, state, x, y):
            m, v, t = state
            grads = jax.grad(loss)(params, x, y)
            t = t + 1
            m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
            v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
            lr = 0.001 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            params = jax.tree_util.tree_map(lambda p, m, v: p - lr * m / (jnp.sqrt(v) + 1e-8), params, m, v)
            return params, (m, v, t)
    else:
        state = ()

        @jax.jit
        def step(params, state, x, y):
            grads = jax.grad(loss)(params, x, y)
            return jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, grads), state

    rng = np.random.default_rng(1)
    epochs = args.epochs or 1
    # Compile outside the timing (both batch shapes), as a user's second epoch would see it.
    for size in {batch, len(train_x) % batch or batch}:
        jax.block_until_ready(step(params, state, jnp.asarray(train_x[:size]), jnp.asarray(train_y[:size])))
    start = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(len(train_x))
        for first in range(0, len(train_x), batch):
            indices = order[first:first + batch]
            params, state = step(params, state, train_x[indices], train_y[indices])
    jax.block_until_ready(params)
    seconds = time.perf_counter() - start
    accuracy = float((np.asarray(forward(params, test_x)).argmax(1) == test_y).mean())
    emit("jax", w, args.threads, layers="-".join(map(str, sizes)), batch=batch, epochs=epochs, samples=len(train_x),
         seconds=seconds, seconds_per_epoch=seconds / epochs * 60_000 / len(train_x), test_accuracy=accuracy,
         peak_memory_mb=peak_memory_mb())
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("framework", choices=["torch", "numpy", "jax", "pandas"])
    parser.add_argument("workload", choices=["sin", "mazur", "mlp", "small-mlp", "matmul", "inference", "cnn", "csv", "lstm"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--samples", type=int)
    parser.add_argument("--batch", type=int)
    parser.add_argument("--hidden", type=int)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    runner = {"torch": run_torch, "numpy": run_numpy, "jax": run_jax, "pandas": run_pandas}[args.framework]
    sys.exit(runner(args))


if __name__ == "__main__":
    main()
