#!/usr/bin/env python3
"""The words data of the character-level language model (makemore's task), from Debian's
wamerican: /usr/share/dict/words lower-cased, only words of letters a-z, duplicates removed,
shuffled with a seed, 90% train / 10% validation. Standard library only, so that swift-nn and
the PyTorch peer read the very same two files.

    python3 Benchmarks/words.py [--seed 42] [--output DIR]
writes DIR/words-train.txt and DIR/words-validation.txt (DIR defaults to .build/words)."""
import argparse
import os
import random
import re
import sys


def prepare(source="/usr/share/dict/words", seed=42, validation_fraction=0.1):
    """The (train, validation) word lists."""
    with open(source, encoding="utf-8") as file:
        words = sorted({line.strip().lower() for line in file if re.fullmatch(r"[a-z]+", line.strip().lower())})
    random.Random(seed).shuffle(words)
    held = round(len(words) * validation_fraction)
    return words[held:], words[:held]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", default=".build/words")
    parser.add_argument("--source", default="/usr/share/dict/words")
    arguments = parser.parse_args()
    if not os.path.exists(arguments.source):
        sys.exit(f"words.py: {arguments.source} is missing; install Debian's wamerican (bash .ci/install-test-data.sh)")
    train, validation = prepare(arguments.source, arguments.seed)
    os.makedirs(arguments.output, exist_ok=True)
    for name, words in (("words-train.txt", train), ("words-validation.txt", validation)):
        path = os.path.join(arguments.output, name)
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            file.write("\n".join(words) + "\n")
        os.replace(path + ".tmp", path)
    print(f"words.py: {len(train)} training and {len(validation)} validation words in {arguments.output}")


if __name__ == "__main__":
    main()
