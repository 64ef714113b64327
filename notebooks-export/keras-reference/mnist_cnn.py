"""Keras's own mnist_cnn recipe (the lecture's second example with Adadelta at lr 1.0), on the idx files that
datasets/fetch.sh verified, so that seed-cnn's figures can be compared with Keras on the same machine.

Keras 2's mnist_cnn.py: Conv 32 3x3 relu, Conv 64 3x3 relu, MaxPool 2x2, Dropout 0.25, Dense 128 relu,
Dropout 0.5, Dense 10 softmax; Adadelta (Keras 2's defaults: lr 1.0, rho 0.95, epsilon 1e-7); batch 128;
12 epochs; glorot-uniform weights, zero biases; pixels / 255; training set shuffled every epoch.
It prints the test accuracy after every epoch and writes them as JSON.

    pip install tensorflow-cpu keras
    python notebooks-export/keras-reference/mnist_cnn.py --data datasets/cache/mnist --seed 0 --json out.json
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np


def read_idx(path, magic):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    actual, count = struct.unpack(">II", data[:8])
    if actual != magic:
        raise SystemExit(f"{path}: magic number {actual:#x}, expected {magic:#x}")
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows, cols)
    return np.frombuffer(data, np.uint8, offset=8)


def load(directory, prefix):
    images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte"), 0x803)
    labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte"), 0x801)
    return images.astype("float32")[..., None] / 255.0, labels.astype("int64")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="datasets/cache/mnist")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the per-epoch test accuracies here")
    args = parser.parse_args()

    import keras
    from keras import layers

    keras.utils.set_random_seed(args.seed)
    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-7),
                  metrics=["accuracy"])
    model.summary()
    start = time.time()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2,
                        shuffle=True, validation_data=(x_test, y_test))
    seconds = time.time() - start
    accuracies = [round(float(a), 4) for a in history.history["val_accuracy"]]
    print(f"seed {args.seed}: test accuracy after each epoch {accuracies}; {seconds:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"keras": keras.__version__, "seed": args.seed, "epochs": args.epochs,
                       "batch_size": args.batch_size, "test_accuracy_per_epoch": accuracies,
                       "seconds": round(seconds, 1)}, f, indent=2)


if __name__ == "__main__":
    main()
